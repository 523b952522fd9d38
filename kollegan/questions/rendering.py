"""A thread's answers and comments as HTML, built in Python.

A long thread holds hundreds of texts. Through Django's template engine each
comment cost about 250 µs and each answer 500 µs: on the benchmark's thread of
50 answers and 200 comments that was 75 ms of a 96 ms page, 45 times the
hello-world baseline. Here the same markup is put together with f-strings: every
value from the database goes through ``esc`` (the standard library's
``html.escape``, which is what Django's ``escape`` calls), the texts themselves
are the HTML sanitised when they were written (``Contribution.html``), and
everything translated is looked up once per page (``Labels``).

Everything else on the page stays in templates. The byline, the moderator's
controls and the hidden marker are also template tags (``question_tags``), so
lists, the question's header and the history show the same markup as the thread.

Anonymity: an anonymous item's row has no author, and ``byline`` reads nothing
but ``is_anonymous`` and ``by_asker`` for it: one generic picture for every
anonymous text, no link, no organisation."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kollegan.lib.html import (
    LocalTimes,
    avatar,
    built,
    csrf_input,
    esc,
    key_url_maker,
    url_maker,
)
from kollegan.questions.forms import MARKDOWN_HINT
from kollegan.questions.models import Answer, Comment, Question
from kollegan.questions.selectors import Thread

ANONYMOUS_AVATAR = (
    '<svg class="avatar avatar--small avatar--anonymous" viewBox="0 0 40 40" '
    'aria-hidden="true" focusable="false"><circle cx="20" cy="15" r="7"></circle>'
    '<path d="M6 36c0-8 6.3-13 14-13s14 5 14 13z"></path></svg>'
)
HELPFUL_ICON = (
    '<svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">'
    '<path d="M7.5 13.6 3.9 10l-1.4 1.4 5 5 10-10-1.4-1.4z"></path></svg>'
)
# Kinds as they appear in addresses (/fragor/rapportera/svar/12/).
KIND_IN_URL = {Question: "fraga", Answer: "svar", Comment: "kommentar"}


class Labels:
    """Every translated word the thread uses, looked up once per page (in the
    language active when it is created)."""

    def __init__(self) -> None:
        self.asker = esc(_("The asker"))
        self.anonymous = esc(_("Anonymous colleague"))
        self.you = esc(_("(you)"))
        self.hidden = esc(_("Hidden"))
        self.hidden_placeholder = esc(_("Hidden by a moderator"))
        self.restore = esc(_("Restore"))
        self.hide_open = esc(_("Hide…"))
        self.hide_reason = esc(_("Reason for hiding (only moderators see it)"))
        self.hide = esc(_("Hide"))
        self.edit = esc(_("Edit"))
        self.report = esc(_("Report"))
        self.your_answer = esc(_("your answer"))
        self.your_comment = esc(_("your comment"))
        self.the_answer = esc(_("the answer"))
        self.the_comment = esc(_("the comment"))
        self.solved = esc(_("Solved the question"))
        self.mark_helpful = esc(_("Mark as “Solved my question”"))
        self.undo_helpful = esc(_("Undo “Solved my question”"))
        self.comments_on_answer = _("Comments on the answer")  # escaped where used
        self.comment_on_answer = esc(_("Comment on the answer"))
        self.your_comment_label = esc(_("Your comment"))
        self.markdown_hint = esc(MARKDOWN_HINT)
        self.comment_anonymously = esc(_("Comment anonymously"))
        self.comment_anonymously_help = esc(
            _("Nobody sees who wrote the comment, not even the moderators.")
        )
        self.comment_as_asker = esc(_("You comment as “The asker”: nobody sees who you are."))
        self.comment_by_name = esc(_("You comment by name, as the asker."))
        self.publish_comment = esc(_("Publish the comment"))
        self.answer_number = _("Answer %(number)s")
        self.edited = _("edited %(date)s")


class Bylines:
    """Who wrote a text and when; one instance per page keeps its lookups."""

    def __init__(self, labels: Labels | None = None) -> None:
        self.labels = labels or Labels()
        self.profile_url = url_maker("profiles:detail")
        self.photo_url = key_url_maker("profiles:photo", "small")
        self.times = LocalTimes()

    def when(self, value) -> tuple[str, str]:
        return self.times.when(value)

    def render(
        self,
        item: Question | Answer | Comment,
        *,
        is_question: bool = False,
        compact: bool = False,
        plain: bool = False,
        history_url: str = "",
    ) -> str:
        labels = self.labels
        picture = not compact and not plain
        asker = not is_question and item.by_asker
        html = []
        if item.is_anonymous or not item.author_id:
            if picture:
                html.append(ANONYMOUS_AVATAR)
            name = labels.asker if asker else labels.anonymous
            html.append(f'<span class="byline__text"><span class="byline__name">{name}</span>')
        else:
            author = item.author
            if picture:
                photo = self.photo_url(author.photo_key) if author.photo_key else ""
                html.append(avatar(author.name, photo))
            organisation = getattr(item, "organisation", None) or author.organisation
            html.append(
                f'<span class="byline__text"><a class="byline__name" '
                f'href="{esc(self.profile_url(author.pk))}">{esc(author.name)}</a>, '
                f"{esc(organisation.name if organisation else '')}"
            )
            if asker:
                html.append(f' <span class="badge">{labels.asker}</span>')
        if getattr(item, "viewer_wrote", False):
            html.append(f' <span class="byline__you">{labels.you}</span>')
        if not compact:
            iso, shown = self.when(item.created_at)
            html.append(f'<span class="byline__time"><time datetime="{iso}">{esc(shown)}</time>')
            if item.edited_at and history_url:
                edited = labels.edited % {"date": self.when(item.edited_at)[1]}
                anchor = f"historik-{KIND_IN_URL[type(item)]}-{item.pk}"
                html.append(f' · <a href="{esc(history_url)}#{anchor}">{esc(edited)}</a>')
            html.append("</span>")
        html.append("</span>")
        inner = "".join(html)
        if compact:
            return f'<span class="byline byline--compact">{inner}</span>'
        return f'<div class="byline{" byline--plain" if plain else ""}">{inner}</div>'


def hidden_marker(item, *, is_moderator: bool, labels: Labels | None = None) -> str:
    labels = labels or Labels()
    reason = f" – {esc(item.hidden_reason)}" if is_moderator and item.hidden_reason else ""
    return f'<p class="marker marker--hidden">{labels.hidden}{reason}</p>'


def moderate_controls(item, *, csrf: str, url: str, labels: Labels | None = None) -> str:
    """Restore a hidden item, or hide a visible one with a reason (moderators only)."""
    labels = labels or Labels()
    if item.is_hidden:
        return (
            f'<form method="post" action="{esc(url)}" class="inline-form">{csrf}'
            '<input type="hidden" name="action" value="restore">'
            '<button type="submit" class="button button--secondary button--small">'
            f"{labels.restore}</button></form>"
        )
    field_id = f"dolj-{KIND_IN_URL[type(item)]}-{item.pk}"
    return (
        f'<details class="disclosure disclosure--moderate"><summary>{labels.hide_open}</summary>'
        f'<form method="post" action="{esc(url)}" class="small-form">{csrf}'
        '<input type="hidden" name="action" value="hide">'
        f'<div class="field"><label for="{field_id}">{labels.hide_reason}</label>'
        f'<input type="text" name="reason" id="{field_id}" maxlength="500"></div>'
        f'<button type="submit" class="button button--small">{labels.hide}</button>'
        "</form></details>"
    )


@dataclass
class ThreadHTML:
    """One thread's answers and comments for one reader."""

    question: Question
    thread: Thread
    csrf_token: str
    is_moderator: bool
    can_write: bool
    # A comment form sent back with errors, and the answer it belongs to: that one
    # is rendered by its template (_comment_form.html), the empty ones here.
    request: object = None
    bound_comment_form: object = None
    bound_comment_answer: int | None = None

    def __post_init__(self) -> None:
        self.labels = Labels()
        self.bylines = Bylines(self.labels)
        self.csrf = csrf_input(self.csrf_token)
        self.history_url = reverse("questions:history", args=[self.question.pk])
        self.comment_url = reverse("questions:comment", args=[self.question.pk])
        self.helpful_url = url_maker("questions:helpful")
        self.edit_url = {
            "svar": url_maker("questions:answer_edit"),
            "kommentar": url_maker("questions:comment_edit"),
        }
        self.report_url = {k: url_maker("questions:report", k) for k in ("svar", "kommentar")}
        self.moderate_url = {k: url_maker("questions:moderate", k) for k in ("svar", "kommentar")}

    @cached_property
    def _comment_who(self) -> str:
        """The anonymity choice of a comment form (PREFIX stands for the form's id
        prefix), or what the asker writes as."""
        labels = self.labels
        if self.thread.viewer_is_asker:
            if self.question.is_anonymous:
                return f'<p class="help">{labels.comment_as_asker}</p>'
            return f'<p class="help">{labels.comment_by_name}</p>'
        return (
            '<div class="field field--check"><input type="checkbox" name="anonymous" '
            'id="PREFIX-anonymous" aria-describedby="PREFIX-anonymous_helptext">'
            f'<label for="PREFIX-anonymous">{labels.comment_anonymously}</label>'
            f'<p class="help" id="PREFIX-anonymous_helptext">{labels.comment_anonymously_help}</p>'
            "</div>"
        )

    # --- pieces -----------------------------------------------------------------------------

    def _actions(self, item, kind: str, your: str, the: str) -> str:
        labels = self.labels
        actions = []
        if item.viewer_wrote and self.can_write and not item.is_hidden:
            actions.append(
                f'<a href="{esc(self.edit_url[kind](item.pk))}">{labels.edit}'
                f'<span class="visually-hidden"> {your}</span></a>'
            )
        if not item.viewer_wrote:
            actions.append(
                f'<a href="{esc(self.report_url[kind](item.pk))}">{labels.report}'
                f'<span class="visually-hidden"> {the}</span></a>'
            )
        if self.is_moderator:
            url = self.moderate_url[kind](item.pk)
            actions.append(moderate_controls(item, csrf=self.csrf, url=url, labels=labels))
        return "".join(actions)

    def _hidden_marker(self, item) -> str:
        if not item.is_hidden:
            return ""
        return hidden_marker(item, is_moderator=self.is_moderator, labels=self.labels)

    def comment(self, comment: Comment) -> str:
        labels = self.labels
        if comment.is_hidden and not self.is_moderator:
            return (
                f'<li class="comment" id="kommentar-{comment.pk}">'
                f'<p class="hidden-placeholder">{labels.hidden_placeholder}</p></li>'
            )
        byline = self.bylines.render(comment, plain=True, history_url=self.history_url)
        actions = self._actions(comment, "kommentar", labels.your_comment, labels.the_comment)
        return (
            f'<li class="comment" id="kommentar-{comment.pk}">{self._hidden_marker(comment)}'
            f'<div class="prose prose--comment">{comment.html}</div>'
            f'<div class="item-footer">{byline}<div class="item-actions">{actions}</div></div></li>'
        )

    def comments(self, comments: Iterable[Comment], label: str) -> SafeString:
        rendered = "".join(self.comment(comment) for comment in comments)
        if not rendered:
            return built("")
        return built(f'<ul class="comments" aria-label="{esc(label)}">{rendered}</ul>')

    def _empty_comment_form(self, answer: Answer) -> str:
        """What _comment_form.html renders for an empty CommentForm (same names and
        ids, so a form sent back with an error lands where this one was)."""
        labels = self.labels
        prefix = f"kommentar-{answer.pk}"
        return (
            f'<form method="post" action="{esc(self.comment_url)}#kommentera-{answer.pk}" '
            f'class="small-form" novalidate>{self.csrf}'
            f'<input type="hidden" name="svar" value="{answer.pk}" id="{prefix}-svar">'
            f'<div class="field"><label for="{prefix}-body">{labels.your_comment_label}</label>'
            f'<textarea name="body" cols="40" rows="3" id="{prefix}-body" '
            f'aria-describedby="{prefix}-body_helptext"></textarea>'
            f'<p class="help" id="{prefix}-body_helptext">{labels.markdown_hint}</p></div>'
            f"{self._comment_who.replace('PREFIX', prefix)}"
            f'<button type="submit" class="button button--small">{labels.publish_comment}</button>'
            "</form>"
        )

    def _comment_form(self, answer: Answer) -> str:
        is_open = ""
        if self.bound_comment_answer == answer.pk and self.bound_comment_form is not None:
            form = render_to_string(
                "questions/_comment_form.html",
                {
                    "form": self.bound_comment_form,
                    "question": self.question,
                    "thread": self.thread,
                    "answer": answer,
                },
                request=self.request,
            )
            is_open = " open"
        else:
            form = self._empty_comment_form(answer)
        return (
            f'<details class="disclosure" id="kommentera-{answer.pk}"{is_open}>'
            f"<summary>{self.labels.comment_on_answer}</summary>{form}</details>"
        )

    def answer(self, answer: Answer, number: int) -> str:
        labels = self.labels
        shown = not answer.is_hidden or self.is_moderator
        heading = esc(labels.answer_number % {"number": number})
        html = [f'<h3 class="visually-hidden">{heading}</h3>']
        if shown:
            if answer.is_helpful:
                html.append(f'<p class="helpful-marker">{HELPFUL_ICON} {labels.solved}</p>')
            html.append(self._hidden_marker(answer))
            html.append(self.bylines.render(answer, history_url=self.history_url))
            html.append(f'<div class="prose">{answer.html}</div>')
            actions = []
            if self.thread.viewer_is_asker and self.can_write and not answer.is_hidden:
                helpful = answer.is_helpful
                actions.append(
                    f'<form method="post" action="{esc(self.helpful_url(answer.pk))}" '
                    f'class="inline-form">{self.csrf}'
                    f'<input type="hidden" name="value" value="{"off" if helpful else "on"}">'
                    '<button type="submit" class="button button--small'
                    f'{" button--secondary" if helpful else ""}">'
                    f"{labels.undo_helpful if helpful else labels.mark_helpful}</button></form>"
                )
            actions.append(self._actions(answer, "svar", labels.your_answer, labels.the_answer))
            html.append(f'<div class="item-actions">{"".join(actions)}</div>')
        else:
            html.append(f'<p class="hidden-placeholder">{labels.hidden_placeholder}</p>')
        html.append(self.comments(answer.thread_comments, labels.comments_on_answer))
        if self.can_write and not answer.is_hidden:
            html.append(self._comment_form(answer))
        helpful_class = " answer--helpful" if answer.is_helpful and shown else ""
        return f'<li class="answer{helpful_class}" id="svar-{answer.pk}">{"".join(html)}</li>'

    def answers(self) -> SafeString:
        answers = enumerate(self.thread.answers, 1)
        return built("".join(self.answer(answer, number) for number, answer in answers))
