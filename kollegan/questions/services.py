"""Everything that changes Frågor goes through here: the pages and the API call
the same functions, so the rules (who may, the confidentiality guard, anonymity)
hold in both.

Refusals: ``ValidationError`` for bad input (400/422 and a form error),
``PermissionDenied`` for "not yours" or "not allowed" (403),
``kollegan.lib.guard.ConfidentialityError`` when the text identifies someone."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.audit.models import Action
from kollegan.audit.services import audit_log
from kollegan.feed.models import FeedEntry
from kollegan.feed.services import feed_announce_question, feed_hide, feed_retopic
from kollegan.files.services import attachment_prepare, attachment_save, discard_on_error
from kollegan.lib.guard import guard
from kollegan.lib.validation import clean_body, clean_topics, field_error
from kollegan.notifications.models import Target, Verb
from kollegan.notifications.services import announce
from kollegan.questions.models import (
    BODY_MAX,
    COMMENT_MAX,
    EXCERPT_LENGTH,
    TITLE_MAX,
    AnonymousAuthorship,
    Answer,
    Comment,
    Follow,
    Question,
    Report,
    Revision,
)
from kollegan.topics.models import Topic

TITLE_MIN = 5
REASON_MAX = 1000

Item = Question | Answer | Comment


# --- Who wrote it -----------------------------------------------------------------------------


def _kind(item: Item) -> str:
    return type(item).__name__.lower()


def is_writer(member: Member, item: Item) -> bool:
    """Whether the member wrote this question, answer or comment (anonymous or not)."""
    if member is None or not member.is_authenticated:
        return False
    if not item.is_anonymous:
        return item.author_id is not None and item.author_id == member.pk
    return AnonymousAuthorship.objects.filter(member=member, **{_kind(item): item}).exists()


def writer_of(item: Item) -> Member | None:
    """The member behind an item, for sending them word and nothing else."""
    if not item.is_anonymous:
        return item.author
    link = (
        AnonymousAuthorship.objects.filter(**{_kind(item): item}).select_related("member").first()
    )
    return link.member if link else None


def member_forget_authorship(*, member: Member) -> None:
    """A member who leaves: cut every link to their anonymous texts and drop their
    follows. The texts stay, anonymous, and now nobody can tell whose they were."""
    AnonymousAuthorship.objects.filter(member=member).delete()
    Follow.objects.filter(member=member).delete()


# --- Checking input ---------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN:
        message = _("Write a title of at least %(min)d characters.") % {"min": TITLE_MIN}
        raise field_error("title", message, "title_short")
    if len(title) > TITLE_MAX:
        message = _("The title can be at most %(max)d characters.") % {"max": TITLE_MAX}
        raise field_error("title", message, "title_long")
    return title


def topics_from_slugs(slugs: Iterable[str]) -> list[Topic]:
    """The API names topics by slug; unknown and retired ones are refused by name."""
    slugs = list(dict.fromkeys(s.strip() for s in slugs if s and s.strip()))
    found = {topic.slug: topic for topic in Topic.objects.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        message = _("Unknown topics: %(topics)s.") % {"topics": ", ".join(unknown)}
        raise field_error("topics", message, "unknown_topic")
    return clean_topics([found[slug] for slug in slugs], required=True) if slugs else []


def make_excerpt(html: str) -> str:
    """The first words of a text, as plain text, for lists (from its HTML)."""
    text = " ".join(strip_tags(html).split())
    return Truncator(text).chars(EXCERPT_LENGTH)


def _refuse_if_hidden(*items: Item | None) -> None:
    for item in items:
        if item is not None and item.is_hidden:
            raise PermissionDenied(_("This has been hidden by a moderator and cannot be changed."))


def _refuse_unless_writer(member: Member, item: Item) -> None:
    if not is_writer(member, item):
        raise PermissionDenied(_("Only the one who wrote it can edit it."))


def _link_writer(item: Item, member: Member) -> None:
    if item.is_anonymous:
        AnonymousAuthorship.objects.create(member=member, **{_kind(item): item})


def _announce(verb: Verb, question: Question, item: Item | None = None) -> None:
    """Tell subscribers, followers and the asker (after commit, by the worker)."""
    anonymous = (item or question).is_anonymous
    announce(
        verb=verb,
        target_type=Target.QUESTION,
        target_id=question.pk,
        item_id=item.pk if item is not None else None,
        actor=None if anonymous else (item or question).author,
        topics=question.topics.values_list("pk", flat=True) if item is not None else [],
    )


# --- Questions --------------------------------------------------------------------------------


def question_create(
    *,
    author: Member,
    title: str,
    body: str,
    topics: Iterable[Topic],
    anonymous: bool = False,
    confirmed: bool = False,
    attachment: UploadedFile | None = None,
) -> Question:
    """Publish a question. Anonymous: no author and no organisation on the row,
    only the separated link (see models).

    ``attachment``, a file sent with the question, is checked after the text and
    before anything is written, and attached in the same transaction: a refused
    file (ValidationError on "file") leaves no question behind."""
    title = _clean_title(title)
    body = clean_body(body, limit=BODY_MAX)
    topics = clean_topics(topics, required=True)
    guard(title, body, confirmed=confirmed)
    prepared = attachment_prepare(upload=attachment) if attachment is not None else None
    with discard_on_error(), transaction.atomic():
        now = timezone.now()
        question = Question(
            title=title,
            author=None if anonymous else author,
            organisation=None if anonymous else author.organisation,
            is_anonymous=anonymous,
            by_asker=True,
            created_at=now,
            last_activity_at=now,
        )
        question.set_body(body)
        question.excerpt = make_excerpt(question.body_html)
        question.save()
        question.topics.set(topics)
        _link_writer(question, author)
        feed_announce_question(question=question, topics=topics)
        announce(
            verb=Verb.NEW_QUESTION,
            target_type=Target.QUESTION,
            target_id=question.pk,
            actor=None if anonymous else author,
            topics=topics,
        )
        if prepared is not None:
            attachment_save(prepared=prepared, owner=question, uploader=author)
    return question


@transaction.atomic
def question_edit(
    *,
    question: Question,
    editor: Member,
    title: str,
    body: str,
    topics: Iterable[Topic],
    confirmed: bool = False,
) -> Question:
    """The asker changes the wording or topics; the old wording is kept as history.

    Whether the question is anonymous cannot change: a named question has been
    seen by name (and e-mailed to those following its topics), which cannot be
    taken back, and turning an anonymous one named is a new question."""
    _refuse_unless_writer(editor, question)
    _refuse_if_hidden(question)
    title = _clean_title(title)
    body = clean_body(body, limit=BODY_MAX)
    topics = clean_topics(topics, required=True)
    guard(title, body, confirmed=confirmed)
    if title != question.title or body != question.body:
        Revision.objects.create(
            question=question,
            title=question.title,
            body=question.body,
            written_at=question.edited_at or question.created_at,
        )
        question.title = title
        question.set_body(body)
        question.excerpt = make_excerpt(question.body_html)
        question.edited_at = timezone.now()
        question.save(update_fields=["title", "body", "body_html", "excerpt", "edited_at"])
    question.topics.set(topics)
    feed_retopic(entry=FeedEntry.objects.filter(question=question).first(), topics=topics)
    return question


# --- Answers and comments ---------------------------------------------------------------------


def _anonymity_in_thread(question: Question, writer: Member, anonymous: bool) -> tuple[bool, bool]:
    """(by_asker, anonymous) for a new answer or comment.

    The asker of an anonymous question stays anonymous in their own thread (shown
    as "the asker"); the asker of a named question writes by name there."""
    by_asker = is_writer(writer, question)
    if by_asker:
        anonymous = question.is_anonymous
    return by_asker, anonymous


@transaction.atomic
def answer_create(
    *,
    question: Question,
    author: Member,
    body: str,
    anonymous: bool = False,
    confirmed: bool = False,
) -> Answer:
    _refuse_if_hidden(question)
    body = clean_body(body, limit=BODY_MAX)
    guard(body, confirmed=confirmed)
    by_asker, anonymous = _anonymity_in_thread(question, author, anonymous)
    now = timezone.now()
    answer = Answer(
        question=question,
        author=None if anonymous else author,
        is_anonymous=anonymous,
        by_asker=by_asker,
        created_at=now,
    )
    answer.set_body(body)
    answer.save()
    _link_writer(answer, author)
    Question.objects.filter(pk=question.pk).update(
        answer_count=F("answer_count") + 1, last_activity_at=now
    )
    _announce(Verb.NEW_ANSWER, question, answer)
    return answer


@transaction.atomic
def answer_edit(*, answer: Answer, editor: Member, body: str, confirmed: bool = False) -> Answer:
    _refuse_unless_writer(editor, answer)
    _refuse_if_hidden(answer.question, answer)
    body = clean_body(body, limit=BODY_MAX)
    guard(body, confirmed=confirmed)
    _revise(answer, body, question=answer.question, answer=answer)
    return answer


@transaction.atomic
def comment_create(
    *,
    question: Question,
    author: Member,
    body: str,
    answer: Answer | None = None,
    anonymous: bool = False,
    confirmed: bool = False,
) -> Comment:
    if answer is not None and answer.question_id != question.pk:
        raise ValidationError(_("That answer belongs to another question."), code="wrong_thread")
    _refuse_if_hidden(question, answer)
    body = clean_body(body, limit=COMMENT_MAX)
    guard(body, confirmed=confirmed)
    by_asker, anonymous = _anonymity_in_thread(question, author, anonymous)
    now = timezone.now()
    comment = Comment(
        question=question,
        answer=answer,
        author=None if anonymous else author,
        is_anonymous=anonymous,
        by_asker=by_asker,
        created_at=now,
    )
    comment.set_body(body)
    comment.save()
    _link_writer(comment, author)
    Question.objects.filter(pk=question.pk).update(last_activity_at=now)
    _announce(Verb.NEW_COMMENT, question, comment)
    return comment


@transaction.atomic
def comment_edit(
    *, comment: Comment, editor: Member, body: str, confirmed: bool = False
) -> Comment:
    _refuse_unless_writer(editor, comment)
    _refuse_if_hidden(comment.question, comment.answer, comment)
    body = clean_body(body, limit=COMMENT_MAX)
    guard(body, confirmed=confirmed)
    _revise(comment, body, question=comment.question, comment=comment)
    return comment


def _revise(item: Answer | Comment, body: str, **links) -> None:
    if body == item.body:
        return
    Revision.objects.create(body=item.body, written_at=item.edited_at or item.created_at, **links)
    item.set_body(body)
    item.edited_at = timezone.now()
    item.save(update_fields=["body", "body_html", "edited_at"])


# --- What members do with answers and questions ------------------------------------------------


@transaction.atomic
def answer_mark_helpful(*, answer: Answer, member: Member, helpful: bool = True) -> Answer:
    """The asker says an answer solved their question ("Löste min fråga"), or takes it back."""
    question = answer.question
    if not is_writer(member, question):
        raise PermissionDenied(_("Only the one who asked can mark an answer as solving it."))
    _refuse_if_hidden(question, answer)
    if answer.is_helpful != helpful:
        answer.is_helpful = helpful
        answer.save(update_fields=["is_helpful"])
    _update_solved(question)
    return answer


def _update_solved(question: Question) -> None:
    # Written whatever the in-memory copy says: it may be stale.
    solved = question.answers.filter(is_helpful=True, hidden_at__isnull=True).exists()
    question.solved = solved
    Question.objects.filter(pk=question.pk).update(solved=solved)


def question_follow(*, question: Question, member: Member, follow: bool = True) -> bool:
    """Follow (or stop following) a question's answers and comments. Idempotent."""
    if follow:
        try:
            with transaction.atomic():
                Follow.objects.get_or_create(question=question, member=member)
        except IntegrityError:  # the same click twice at once: one row is enough
            pass
    else:
        Follow.objects.filter(question=question, member=member).delete()
    return follow


# --- Reports and moderation --------------------------------------------------------------------


def _thread_links(item: Item) -> dict:
    if isinstance(item, Question):
        return {"question": item}
    if isinstance(item, Answer):
        return {"question": item.question, "answer": item}
    return {"question": item.question, "answer": None, "comment": item}


@transaction.atomic
def content_report(*, item: Item, reporter: Member, reason: str) -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Tell the moderators what is wrong."), "reason_empty")
    if len(reason) > REASON_MAX:
        message = _("At most %(max)d characters.") % {"max": REASON_MAX}
        raise field_error("reason", message, "reason_long")
    links = _thread_links(item)
    links.setdefault("answer", None)
    links.setdefault("comment", None)
    if Report.objects.filter(reporter=reporter, status=Report.Status.OPEN, **links).exists():
        raise ValidationError(
            _("You have already reported this. A moderator will look at it."),
            code="already_reported",
        )
    return Report.objects.create(reporter=reporter, reason=reason, **links)


def _refuse_unless_moderator(member: Member) -> None:
    if not member.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))


def _describe(item: Item) -> str:
    """How the audit log names the item: its kind and question, never an anonymous writer."""
    question = item if isinstance(item, Question) else item.question
    kinds = {"question": _("Question"), "answer": _("Answer"), "comment": _("Comment")}
    return f"{kinds[_kind(item)]}: {question.title}"[:200]


def _audit_moderation(action: Action, item: Item, moderator: Member, **detail) -> None:
    question = item if isinstance(item, Question) else item.question
    audit_log(
        action=action,
        actor=moderator,
        # Named items name their writer; anonymous ones have none to name.
        subject=None if item.is_anonymous else item.author,
        subject_label=_describe(item),
        detail={"kind": _kind(item), "id": item.pk, "question": question.pk, **detail},
    )


@transaction.atomic
def content_hide(*, item: Item, moderator: Member, reason: str = "") -> Item:
    """A moderator hides a question, answer or comment; open reports on it are closed."""
    _refuse_unless_moderator(moderator)
    reason = (reason or "").strip()[:500]
    if not item.mark_hidden(moderator=moderator, reason=reason):
        return item
    if isinstance(item, Answer):
        Question.objects.filter(pk=item.question_id).update(answer_count=F("answer_count") - 1)
        _update_solved(item.question)
    if isinstance(item, Question):
        feed_hide(question=item, hidden=True)
    _close_reports(item, moderator, Report.Status.HIDDEN)
    _audit_moderation(Action.CONTENT_HIDDEN, item, moderator, reason=reason)
    return item


@transaction.atomic
def content_restore(*, item: Item, moderator: Member) -> Item:
    _refuse_unless_moderator(moderator)
    if not item.mark_restored():
        return item
    if isinstance(item, Answer):
        Question.objects.filter(pk=item.question_id).update(answer_count=F("answer_count") + 1)
        _update_solved(item.question)
    if isinstance(item, Question):
        feed_hide(question=item, hidden=False)
    _audit_moderation(Action.CONTENT_RESTORED, item, moderator)
    return item


def _close_reports(item: Item, moderator: Member, status: str) -> None:
    links = _thread_links(item)
    links.setdefault("answer", None)
    links.setdefault("comment", None)
    Report.objects.filter(status=Report.Status.OPEN, **links).update(
        status=status, handled_by=moderator, handled_at=timezone.now()
    )


@transaction.atomic
def report_dismiss(*, report: Report, moderator: Member) -> Report:
    """The moderator looked and leaves the item as it is."""
    _refuse_unless_moderator(moderator)
    if report.status != Report.Status.OPEN:
        return report
    report.status = Report.Status.DISMISSED
    report.handled_by = moderator
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "handled_by", "handled_at"])
    _audit_moderation(Action.REPORT_DISMISSED, report.item, moderator, report=report.pk)
    return report
