"""Frågor: the question list, asking, one thread with its answers and comments,
editing, history, reports and the moderators' queue.

Every flow is a plain form and a redirect; htmx only adds the similar-question
suggestions under the title while asking. Bad input comes back as the same page
with the message at its field and status 400; "not yours" is a 403 page saying
why; a question hidden from the member is a 404. Anonymous items never carry
their writer into a page: the bylines read only what the rows hold."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kollegan.files.selectors import attachments_for
from kollegan.files.uploads import capped_uploads
from kollegan.lib.markdown import render_markdown
from kollegan.lib.views import next_url, refusals
from kollegan.questions import selectors, services
from kollegan.questions.forms import (
    AnswerForm,
    CommentForm,
    QuestionForm,
    ReportForm,
    TextEditForm,
)
from kollegan.questions.models import TITLE_MAX, Answer, Comment, Question, Report
from kollegan.questions.rendering import ThreadHTML
from kollegan.questions.selectors import QuestionFilters

# The kinds in report and moderation addresses, as members read them.
KINDS: dict[str, type[Question | Answer | Comment]] = {
    "fraga": Question,
    "svar": Answer,
    "kommentar": Comment,
}
KIND_OF = {model: kind for kind, model in KINDS.items()}
ANSWER_IDS = "svar-%s"


_refusals = refusals("questions/refused.html")


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "questions/refused.html", {"message": message}, status=400)


# --- Getters that check who may see ------------------------------------------------------------


def _question_for(request: HttpRequest, pk: int) -> Question:
    question = selectors.question_for_page(pk)
    if question is None or not selectors.can_see(question, request.user):
        raise Http404
    return question


def _item_for(request: HttpRequest, kind: str, pk: int) -> Question | Answer | Comment:
    """A question, answer or comment the member may see; hidden answers and comments
    only for moderators and their writer."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    if model is Question:
        return _question_for(request, pk)
    related = ("question", "answer") if model is Comment else ("question",)
    item = get_object_or_404(model.objects.select_related(*related), pk=pk)
    if not selectors.can_see(item.question, request.user):
        raise Http404
    if item.is_hidden and not (request.user.is_moderator or services.is_writer(request.user, item)):
        raise Http404
    return item


def _require_moderator(request: HttpRequest) -> None:
    if not request.user.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))


def _require_writer(request: HttpRequest, item: Question | Answer | Comment) -> None:
    if not services.is_writer(request.user, item):
        raise PermissionDenied(_("Only the one who wrote it can edit it."))
    question = item if isinstance(item, Question) else item.question
    if question.is_hidden or item.is_hidden:
        raise PermissionDenied(_("This has been hidden by a moderator and cannot be changed."))


# --- The list ----------------------------------------------------------------------------------


def _list_url(filters: QuestionFilters, **changes: str | int) -> str:
    params = {"visa": filters.sort, "amne": filters.topic, "organisation": filters.organisation}
    params.update(changes)
    if params.get("visa") == selectors.DEFAULT_SORT:
        params.pop("visa")
    query = urlencode({key: value for key, value in params.items() if value not in ("", 1)})
    return f"?{query}" if query else "?"


@require_safe
def question_list(request: HttpRequest) -> HttpResponse:
    filters = QuestionFilters.from_params(request.GET)
    page = selectors.question_page(filters)
    choices = selectors.filter_choices()
    tabs = [
        ("aktuella", pgettext("questions with the latest activity", "Current")),
        ("nyast", pgettext("questions, newest first", "Newest")),
        ("obesvarade", pgettext("questions without answers", "Unanswered")),
    ]
    context = {
        "filters": filters,
        "page": page,
        "topics": choices["topics"],
        "organisations": choices["organisations"],
        "tabs": [(value, label, _list_url(filters, visa=value, sida=1)) for value, label in tabs],
        "newer_url": _list_url(filters, sida=filters.page - 1) if page.has_previous else "",
        "older_url": _list_url(filters, sida=filters.page + 1) if page.has_next else "",
        "filtered": bool(filters.topic or filters.organisation),
    }
    return render(request, "questions/list.html", context)


@require_safe
def similar(request: HttpRequest) -> HttpResponse:
    """Questions like the title being typed: a fragment for htmx, harmless on its own."""
    title = (request.GET.get("titel") or request.GET.get("title") or "")[:TITLE_MAX]
    exclude = request.GET.get("utom", "")[:10]
    questions = selectors.similar_questions(
        title, exclude=int(exclude) if exclude.isdigit() else None
    )
    return render(request, "questions/_similar.html", {"similar": questions})


# --- Asking and editing a question -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capped_uploads
def ask(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {"topics": [slug for slug in request.GET.getlist("amne") if slug]}
        return _render_question_form(request, QuestionForm(initial=initial))
    form = QuestionForm(request.POST, request.FILES)
    question = form.is_valid() and form.attempt(
        lambda data: services.question_create(
            author=request.user,
            title=data["title"],
            body=data["body"],
            topics=data["topics"],
            anonymous=data["anonymous"],
            confirmed=data["confirmed"],
            attachment=data["file"],
        )
    )
    if not question:
        return _render_question_form(request, form, status=400)
    if question.is_anonymous:
        messages.success(request, _("Your question is published anonymously."))
    else:
        messages.success(request, _("Your question is published."))
    return redirect(question)


@require_http_methods(["GET", "POST"])
@_refusals
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    _require_writer(request, question)
    if request.method != "POST":
        initial = {
            "title": question.title,
            "body": question.body,
            "topics": [topic.slug for topic in question.topics.all()],
        }
        form = QuestionForm(initial=initial, question=question)
        return _render_question_form(request, form, question=question)
    form = QuestionForm(request.POST, question=question)
    saved = form.is_valid() and form.attempt(
        lambda data: services.question_edit(
            question=question,
            editor=request.user,
            title=data["title"],
            body=data["body"],
            topics=data["topics"],
            confirmed=data["confirmed"],
        )
    )
    if not saved:
        return _render_question_form(request, form, question=question, status=400)
    messages.success(request, _("Your question is saved."))
    return redirect(question)


def _render_question_form(
    request: HttpRequest, form: QuestionForm, *, question: Question | None = None, status: int = 200
) -> HttpResponse:
    title = form["title"].value() or ""
    similar_questions = selectors.similar_questions(
        title, exclude=question.pk if question else None
    )
    context = {"form": form, "question": question, "similar": similar_questions}
    return render(request, "questions/ask.html", context, status=status)


# --- One thread --------------------------------------------------------------------------------


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _question_for(request, pk))


def _render_detail(
    request: HttpRequest,
    question: Question,
    *,
    answer_form: AnswerForm | None = None,
    comment_form: CommentForm | None = None,
    comment_answer: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The thread. A form sent back with errors replaces the empty one where it was."""
    thread = selectors.thread(question, request.user)
    is_moderator = request.user.is_moderator
    can_write = not question.is_hidden
    for answer in thread.answers:
        answer.thread_comments = thread.answer_comments.get(answer.pk, [])
    # Answers and comments are built in Python (see rendering.py: the template
    # engine cost 75 ms for a thread of 250 texts).
    html = ThreadHTML(
        question=question,
        thread=thread,
        csrf_token=get_token(request),
        is_moderator=is_moderator,
        can_write=not question.is_hidden,
        request=request,
        bound_comment_form=comment_form if comment_answer is not None else None,
        bound_comment_answer=comment_answer,
    )
    question_comment_form = (
        comment_form
        if comment_form is not None and comment_answer is None
        else CommentForm(auto_id="kommentar-fraga-%s")
    )
    # The asker attaches files; the asker and moderators remove them.
    may_attach = can_write and thread.viewer_is_asker
    context = {
        "question": question,
        "thread": thread,
        "attachments": attachments_for("question", [question.pk]).get(question.pk, []),
        "may_attach": may_attach,
        "may_remove_attachments": may_attach or is_moderator,
        "answers": thread.answers,
        "answers_html": html.answers(),
        "question_comments_html": html.comments(
            thread.question_comments, _("Comments on the question")
        ),
        "answer_form": answer_form or AnswerForm(auto_id=ANSWER_IDS),
        "question_comment_form": question_comment_form,
        "is_moderator": is_moderator,
        "can_write": not question.is_hidden,
    }
    return render(request, "questions/detail.html", context, status=status)


@require_POST
@_refusals
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    form = AnswerForm(request.POST, auto_id=ANSWER_IDS)
    created = form.is_valid() and form.attempt(
        lambda data: services.answer_create(
            question=question,
            author=request.user,
            body=data["body"],
            anonymous=data["anonymous"],
            confirmed=data["confirmed"],
        )
    )
    if not created:
        return _render_detail(request, question, answer_form=form, status=400)
    messages.success(request, _("Your answer is published."))
    return redirect(created)


@require_POST
@_refusals
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    target = request.POST.get("svar", "").strip()
    form = CommentForm(
        request.POST, auto_id=f"kommentar-{target if target.isdigit() else 'fraga'}-%s"
    )
    on_answer: Answer | None = None
    if form.is_valid() and form.cleaned_data["svar"]:
        on_answer = question.answers.filter(pk=form.cleaned_data["svar"]).first()
        if on_answer is None:
            form.add_error(None, _("That answer belongs to another question."))
    created = form.is_valid() and form.attempt(
        lambda data: services.comment_create(
            question=question,
            author=request.user,
            body=data["body"],
            answer=on_answer,
            anonymous=data["anonymous"],
            confirmed=data["confirmed"],
        )
    )
    if not created:
        answer_id = on_answer.pk if on_answer else None
        return _render_detail(
            request, question, comment_form=form, comment_answer=answer_id, status=400
        )
    messages.success(request, _("Your comment is published."))
    return redirect(created)


@require_POST
@_refusals
def helpful(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for(request, "svar", pk)
    is_helpful = request.POST.get("value", "on") != "off"
    services.answer_mark_helpful(answer=item, member=request.user, helpful=is_helpful)
    if is_helpful:
        messages.success(request, _("The answer is marked as solving your question."))
    else:
        messages.success(request, _("The answer is no longer marked as solving your question."))
    return redirect(item)


@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    following = request.POST.get("value", "on") != "off"
    services.question_follow(question=question, member=request.user, follow=following)
    if following:
        messages.success(request, _("You follow the question and get an e-mail about new answers."))
    else:
        messages.success(request, _("You no longer follow the question."))
    return redirect(question)


# --- Editing answers and comments; history -----------------------------------------------------


@require_http_methods(["GET", "POST"])
@_refusals
def answer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_text(request, _item_for(request, "svar", pk), services.answer_edit, "answer")


@require_http_methods(["GET", "POST"])
@_refusals
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_text(
        request, _item_for(request, "kommentar", pk), services.comment_edit, "comment"
    )


def _edit_text(
    request: HttpRequest, item: Answer | Comment, edit_service: Callable, kind: str
) -> HttpResponse:
    _require_writer(request, item)
    if request.method != "POST":
        form = TextEditForm(initial={"body": item.body})
        return _render_text_form(request, item, form, kind)
    form = TextEditForm(request.POST)
    saved = form.is_valid() and form.attempt(
        lambda data: edit_service(
            **{kind: item}, editor=request.user, body=data["body"], confirmed=data["confirmed"]
        )
    )
    if not saved:
        return _render_text_form(request, item, form, kind, status=400)
    messages.success(request, _("Your changes are saved."))
    return redirect(item)


def _render_text_form(
    request: HttpRequest, item: Answer | Comment, form: TextEditForm, kind: str, status: int = 200
) -> HttpResponse:
    context = {"item": item, "form": form, "kind": kind, "question": item.question}
    return render(request, "questions/edit_text.html", context, status=status)


@require_safe
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every earlier wording, under the same byline as the text itself."""
    question = _question_for(request, pk)
    thread = selectors.thread(question, request.user)
    versions = selectors.question_revisions(question)
    is_moderator = request.user.is_moderator
    entries = []
    items = [("question", question), *(("answer", a) for a in thread.answers)]
    items += [("comment", c) for c in thread.question_comments]
    items += [("comment", c) for cs in thread.answer_comments.values() for c in cs]
    for kind, item in items:
        earlier = versions.get((kind, item.pk), [])
        if not earlier:
            continue
        visible = kind == "question" or not item.is_hidden or is_moderator
        entries.append(
            {
                "kind": kind,
                "item": item,
                "anchor": f"historik-{KIND_OF[type(item)]}-{item.pk}",
                "visible": visible,
                "earlier": [(v, render_markdown(v.body)) for v in earlier] if visible else [],
                "current_html": item.html if visible else "",
            }
        )
    context = {"question": question, "entries": entries}
    return render(request, "questions/history.html", context)


# --- Reports and moderation --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_refusals
def report(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = _item_for(request, kind, pk)
    if request.method != "POST":
        return _render_report(request, kind, item, ReportForm())
    form = ReportForm(request.POST)
    sent = form.is_valid() and form.attempt(
        lambda data: services.content_report(
            item=item, reporter=request.user, reason=data["reason"]
        )
    )
    if not sent:
        return _render_report(request, kind, item, form, status=400)
    messages.success(request, _("Thank you. A moderator will look at it."))
    return redirect(item)


def _render_report(
    request: HttpRequest, kind: str, item, form: ReportForm, status: int = 200
) -> HttpResponse:
    question = item if isinstance(item, Question) else item.question
    context = {"kind": kind, "item": item, "question": question, "form": form}
    return render(request, "questions/report.html", context, status=status)


@require_POST
@_refusals
def moderate(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _require_moderator(request)
    item = _item_for(request, kind, pk)
    action = request.POST.get("action", "")
    if action == "hide":
        services.content_hide(item=item, moderator=request.user, reason=request.POST.get("reason"))
        messages.success(request, _("Hidden. Members see that a moderator has hidden it."))
    elif action == "restore":
        services.content_restore(item=item, moderator=request.user)
        messages.success(request, _("Restored. Members see it again."))
    else:
        return _bad_request(request, _("Choose whether to hide or restore."))
    return redirect(next_url(request, item.get_absolute_url()))


@require_safe
@_refusals
def moderation(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    reports = selectors.open_reports()
    for entry in reports:
        entry.kind = KIND_OF[type(entry.item)]
    return render(request, "questions/moderation.html", {"reports": reports})


@require_POST
@_refusals
def report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    entry = get_object_or_404(Report.objects.select_related("question", "answer", "comment"), pk=pk)
    services.report_dismiss(report=entry, moderator=request.user)
    messages.success(request, _("The report is dismissed; the text stays as it is."))
    return redirect("questions:moderation")
