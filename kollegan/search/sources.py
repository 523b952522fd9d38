"""What is searchable, kind by kind: how an item becomes an index entry, and how
a result is read back for one searcher.

Every kind answers three things:

- ``entry(item)``: the text and filters to index, or None when the item must
  not be findable at all (hidden, unpublished, a member who left).
- ``everything()``: all items, oldest first, for a rebuild.
- ``visible(ids, group_ids)``: the items among ``ids`` that a member of those
  groups may see now,
  with what a result shows. This is checked again on every search, whatever
  the index says, so a result never shows more than the item's own page would.

No entry holds who wrote the text: an anonymous question is indexed exactly
like a named one, and searching for a member's name finds the member, never
what they wrote."""

import datetime as dt
import functools
import html
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Model, Prefetch, QuerySet
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from kollegan.accounts.models import ExpertiseLabel, Member
from kollegan.documents.models import Document
from kollegan.events.models import Event
from kollegan.feed.models import Post, Reply
from kollegan.files.models import Attachment
from kollegan.groups.selectors import visible_to
from kollegan.helppages.models import HelpPage
from kollegan.notes.models import Note
from kollegan.questions.models import Answer, Comment, Question
from kollegan.topics.models import Topic

TEXT_MAX = 100_000  # characters of one item's text that are indexed
TITLE_FROM_TEXT = 90  # a post has no title: its first words stand for one
CHUNK = 2_000
_SPACES = re.compile(r"\s+")
# Tags that end a block of text: a space where they were keeps words apart.
_BLOCK_END = re.compile(r"<(?:/(?:p|li|h\d|td|th|tr|div|blockquote|pre|ul|ol)|br\s*/?)>", re.I)


CACHED_MARKUP_MAX = 4_000  # longer texts are not kept in the cache below


def plain(markup: str) -> str:
    """Text of sanitised HTML, for indexing and excerpts."""
    if not markup:
        return ""
    if len(markup) <= CACHED_MARKUP_MAX:
        return _plain_cached(markup)
    return _plain(markup)


def _plain(markup: str) -> str:
    text = html.unescape(strip_tags(_BLOCK_END.sub(" ", markup)))
    return _SPACES.sub(" ", text).strip()


# strip_tags is slow, and a rebuild meets the same short texts many times.
_plain_cached = functools.lru_cache(maxsize=2048)(_plain)


def short(text: str, length: int = TITLE_FROM_TEXT) -> str:
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"


@dataclass
class Entry:
    """An item as the index stores it (before analysis)."""

    thread: str
    title: str
    body: str
    date: dt.datetime
    topic_ids: Iterable[int] = ()
    group_id: int | None = None
    organisation_id: int | None = None


@dataclass
class Shown:
    """An item as one result shows it."""

    title: str
    url: str
    text: str
    date: dt.datetime
    context: str = ""  # "Svar på", the event's place, the member's organisation …
    extra: list[str] = field(default_factory=list)  # more text to find an excerpt in


def _topic_ids(item: Model) -> list[int]:
    return [topic.pk for topic in item.topics.all()]


def _text_and_files(item: Model) -> str:
    """An item's text and the names and text of its files (prefetched)."""
    files = "\n".join(f"{a.name}\n{a.text}" for a in item.attachments.all())
    return f"{plain(item.body_html or item.body)}\n{files}"


def _attachments_of(field_name: str, ids: list[int]) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = {}
    rows = Attachment.objects.filter(**{f"{field_name}__in": ids}).values_list(
        field_name, "name", "text"
    )
    for owner, name, text in rows:
        texts.setdefault(owner, []).extend([text, name])
    return texts


class Source(ABC):
    kind: str
    label: str
    model: type[Model]
    # The fields whose change means the entry must be written again (a save
    # with update_fields that names none of them is skipped).
    fields: frozenset[str] = frozenset()

    @abstractmethod
    def entry(self, item) -> Entry | None:
        """The item as the index stores it, or None when it must not be found."""

    @abstractmethod
    def queryset(self) -> QuerySet:
        """All items of the kind, with what ``entry`` reads loaded alongside."""

    def everything(self) -> Iterator[tuple[dt.datetime, int, Entry]]:
        """Every item's entry, in the order of ids: (when it came, id, entry)."""
        for item in self.queryset().order_by("pk").iterator(chunk_size=CHUNK):
            entry = self.entry(item)
            if entry is not None:
                yield self.added(item), item.pk, entry

    def added(self, item) -> dt.datetime:
        """When the item came, which orders a rebuilt index (ids follow time)."""
        return item.created_at

    @abstractmethod
    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        """The items among ``ids`` that a member of ``group_ids`` may see now."""


# --- Frågor -----------------------------------------------------------------------------


class QuestionSource(Source):
    kind = "question"
    label = _("Question")
    model = Question
    fields = frozenset({"title", "body", "body_html", "hidden_at", "organisation"})

    def queryset(self) -> QuerySet:
        return Question.objects.prefetch_related("topics", "attachments").defer("excerpt")

    def entry(self, item: Question) -> Entry | None:
        if item.hidden_at is not None:
            return None
        return Entry(
            thread=f"question:{item.pk}",
            title=item.title,
            body=_text_and_files(item),
            date=item.created_at,
            topic_ids=_topic_ids(item),
            organisation_id=item.organisation_id,
        )

    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        extra = _attachments_of("question", ids)
        return {
            q.pk: Shown(q.title, q.get_absolute_url(), plain(q.body_html), q.created_at, "",
                        extra.get(q.pk, []))
            for q in Question.objects.filter(pk__in=ids, hidden_at__isnull=True).only(
                "pk", "title", "body_html", "created_at"
            )
        }  # fmt: skip


def _topics_by_parent(model: type[Model]) -> dict[int, list[int]]:
    """Each question's (or post's) topic ids, read once for a rebuild."""
    through = model.topics.through
    owner = next(f.attname for f in through._meta.fields if f.related_model is model)
    topics: dict[int, list[int]] = {}
    for parent_id, topic_id in through.objects.values_list(owner, "topic_id").iterator(CHUNK):
        topics.setdefault(parent_id, []).append(topic_id)
    return topics


def _under_parents(
    model: type[Model], parent: type[Model], kind: str
) -> Iterator[tuple[dt.datetime, int, Entry]]:
    """Answers, comments and replies for a rebuild, as plain rows: a million
    model instances, each with its question's topics prefetched, took most of
    the rebuild's time."""
    field = parent._meta.model_name
    topics = _topics_by_parent(parent)
    hidden = set(parent.objects.filter(hidden_at__isnull=False).values_list("pk", flat=True))
    rows = (
        model.objects.filter(hidden_at__isnull=True)
        .order_by("pk")
        .values_list("pk", f"{field}_id", "body_html", "body", "created_at",
                     "author__organisation_id")
    )  # fmt: skip
    for pk, parent_id, body_html, body, created_at, organisation_id in rows.iterator(CHUNK):
        if parent_id in hidden:
            continue
        entry = Entry(
            thread=f"{kind}:{parent_id}",
            title="",
            body=plain(body_html or body),
            date=created_at,
            topic_ids=topics.get(parent_id, ()),
            organisation_id=organisation_id,
        )
        yield created_at, pk, entry


class _InThread(Source):
    """Answers and comments: found by their own text, shown under the question."""

    fields = frozenset({"body", "body_html", "hidden_at"})

    def everything(self) -> Iterator[tuple[dt.datetime, int, Entry]]:
        return _under_parents(self.model, Question, "question")

    def queryset(self) -> QuerySet:
        return self.model.objects.select_related("author", "question").prefetch_related(
            "question__topics"
        )

    def entry(self, item) -> Entry | None:
        if item.hidden_at is not None or item.question.hidden_at is not None:
            return None
        return Entry(
            thread=f"question:{item.question_id}",
            title="",
            body=plain(item.body_html or item.body),
            date=item.created_at,
            topic_ids=_topic_ids(item.question),
            organisation_id=None if item.author is None else item.author.organisation_id,
        )

    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        items = (
            self.model.objects.filter(
                pk__in=ids, hidden_at__isnull=True, question__hidden_at__isnull=True
            )
            .select_related("question")
            .only("pk", "body_html", "created_at", "question__title")
        )
        return {
            item.pk: Shown(item.question.title, item.get_absolute_url(), plain(item.body_html),
                           item.created_at)
            for item in items
        }  # fmt: skip


class AnswerSource(_InThread):
    kind = "answer"
    label = _("Answer")
    model = Answer


class CommentSource(_InThread):
    kind = "comment"
    label = _("Comment")
    model = Comment


# --- Inlägg -----------------------------------------------------------------------------


class PostSource(Source):
    kind = "post"
    label = _("Post")
    model = Post
    fields = frozenset({"body", "body_html", "hidden_at", "link"})

    def queryset(self) -> QuerySet:
        return Post.objects.select_related("author").prefetch_related("topics")

    def entry(self, item: Post) -> Entry | None:
        if item.hidden_at is not None:
            return None
        return Entry(
            thread=f"post:{item.pk}",
            title="",
            body=plain(item.body_html or item.body),
            date=item.created_at,
            topic_ids=_topic_ids(item),
            organisation_id=item.author.organisation_id,
        )

    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        posts = Post.objects.filter(pk__in=ids, hidden_at__isnull=True).only(
            "pk", "body_html", "created_at"
        )
        shown = {}
        for post in posts:
            text = plain(post.body_html)
            shown[post.pk] = Shown(short(text), post.get_absolute_url(), text, post.created_at)
        return shown


class ReplySource(Source):
    kind = "reply"
    label = _("Reply")
    model = Reply
    fields = frozenset({"body", "body_html", "hidden_at"})

    def everything(self) -> Iterator[tuple[dt.datetime, int, Entry]]:
        return _under_parents(Reply, Post, "post")

    def queryset(self) -> QuerySet:
        return Reply.objects.select_related("author", "post").prefetch_related("post__topics")

    def entry(self, item: Reply) -> Entry | None:
        if item.hidden_at is not None or item.post.hidden_at is not None:
            return None
        return Entry(
            thread=f"post:{item.post_id}",
            title="",
            body=plain(item.body_html or item.body),
            date=item.created_at,
            topic_ids=_topic_ids(item.post),
            organisation_id=item.author.organisation_id,
        )

    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        replies = (
            Reply.objects.filter(pk__in=ids, hidden_at__isnull=True, post__hidden_at__isnull=True)
            .select_related("post")
            .only("pk", "body_html", "created_at", "post__body_html")
        )
        return {
            r.pk: Shown(short(plain(r.post.body_html)), r.get_absolute_url(), plain(r.body_html),
                        r.created_at)
            for r in replies
        }  # fmt: skip


# --- Kalendarium, mötesanteckningar, dokument, hjälp -----------------------------------


class EventSource(Source):
    kind = "event"
    label = _("Event")
    model = Event
    fields = frozenset(
        {"title", "description", "description_html", "place", "group", "organiser", "start"}
    )

    def queryset(self) -> QuerySet:
        return Event.objects.prefetch_related("topics").defer("ics")

    def entry(self, item: Event) -> Entry | None:
        return Entry(
            thread=f"event:{item.pk}",
            title=item.title,
            body=f"{item.place}\n{plain(item.description_html or item.description)}",
            date=item.start,
            topic_ids=_topic_ids(item),
            group_id=item.group_id,
            organisation_id=item.organiser_id,
        )

    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        events = (
            Event.objects.filter(pk__in=ids)
            .filter(visible_to(group_ids))
            .only("pk", "title", "description_html", "start", "place", "cancelled_at")
        )
        return {
            e.pk: Shown(e.title, e.get_absolute_url(), plain(e.description_html), e.start,
                        str(_("Cancelled")) if e.is_cancelled else e.place)
            for e in events
        }  # fmt: skip


class NoteSource(Source):
    kind = "note"
    label = _("Meeting notes")
    model = Note
    fields = frozenset({"title", "body", "body_html", "hidden_at", "group"})

    def queryset(self) -> QuerySet:
        return Note.objects.select_related("author").prefetch_related("topics", "attachments")

    def entry(self, item: Note) -> Entry | None:
        if item.hidden_at is not None:
            return None
        return Entry(
            thread=f"note:{item.pk}",
            title=item.title,
            body=_text_and_files(item),
            date=item.created_at,
            topic_ids=_topic_ids(item),
            group_id=item.group_id,
            organisation_id=item.author.organisation_id,
        )

    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        extra = _attachments_of("note", ids)
        notes = (
            Note.objects.filter(pk__in=ids, hidden_at__isnull=True)
            .filter(visible_to(group_ids))
            .only("pk", "title", "body_html", "created_at")
        )
        return {
            n.pk: Shown(n.title, n.get_absolute_url(), plain(n.body_html), n.created_at, "",
                        extra.get(n.pk, []))
            for n in notes
        }  # fmt: skip


class DocumentSource(Source):
    kind = "document"
    label = _("Document")
    model = Document
    fields = frozenset({"title", "body", "body_html", "hidden_at", "owner", "status"})

    def queryset(self) -> QuerySet:
        return Document.objects.select_related("owner").prefetch_related("topics", "attachments")

    def entry(self, item: Document) -> Entry | None:
        if item.hidden_at is not None:
            return None
        return Entry(
            thread=f"document:{item.pk}",
            title=item.title,
            body=_text_and_files(item),
            date=item.created_at,
            topic_ids=_topic_ids(item),
            organisation_id=item.owner.organisation_id,
        )

    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        extra = _attachments_of("document", ids)
        documents = Document.objects.filter(pk__in=ids, hidden_at__isnull=True).only(
            "pk", "title", "body_html", "updated_at", "status"
        )
        return {
            d.pk: Shown(d.title, d.get_absolute_url(), plain(d.body_html), d.updated_at,
                        d.get_status_display(), extra.get(d.pk, []))
            for d in documents
        }  # fmt: skip


class HelpSource(Source):
    kind = "help"
    label = _("Help")
    model = HelpPage
    fields = frozenset({"title", "summary", "body", "body_html", "is_published"})

    def queryset(self) -> QuerySet:
        return HelpPage.objects.all()

    def added(self, item: HelpPage) -> dt.datetime:
        return item.updated_at

    def entry(self, item: HelpPage) -> Entry | None:
        if not item.is_published:
            return None
        return Entry(
            thread=f"help:{item.pk}",
            title=item.title,
            body=f"{item.summary}\n{plain(item.body_html or item.body)}",
            date=item.updated_at,
        )

    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        pages = HelpPage.objects.filter(pk__in=ids, is_published=True).only(
            "pk", "title", "slug", "summary", "body_html", "updated_at"
        )
        return {
            p.pk: Shown(p.title, p.get_absolute_url(), plain(p.body_html), p.updated_at,
                        extra=[p.summary])
            for p in pages
        }  # fmt: skip


# --- Kollegor ---------------------------------------------------------------------------


MEMBER_FIELDS = (
    "pk", "name", "title", "town", "date_joined", "organisation", "unit",
    "deactivated_at", "membership_ends_at",
)  # fmt: skip


class MemberSource(Source):
    """Members by name, function, expertise labels, organisation, unit and town."""

    kind = "member"
    label = _("Colleague")
    model = Member
    fields = frozenset(
        {"name", "title", "town", "organisation", "unit", "deactivated_at", "membership_ends_at"}
    )

    def queryset(self) -> QuerySet:
        return (
            Member.objects.active()
            .select_related("organisation", "unit")
            .prefetch_related("topics", "expertise")
            .only(*MEMBER_FIELDS)
        )

    def added(self, item: Member) -> dt.datetime:
        return item.date_joined

    def entry(self, item: Member) -> Entry | None:
        if not item.is_active:
            return None
        return Entry(
            thread=f"member:{item.pk}",
            title=item.name,
            body=_member_text(item),
            date=item.date_joined,
            topic_ids=_topic_ids(item),
            organisation_id=item.organisation_id,
        )

    def visible(self, ids: list[int], *, group_ids: list[int]) -> dict[int, Shown]:
        members = (
            Member.objects.active()
            .filter(pk__in=ids)
            .select_related("organisation", "unit")
            .prefetch_related(Prefetch("expertise", ExpertiseLabel.objects.only("pk", "name")))
            .only(*MEMBER_FIELDS)
        )
        return {
            m.pk: Shown(m.name, m.get_absolute_url(), _member_text(m), m.date_joined,
                        m.organisation.name if m.organisation else "")
            for m in members
        }  # fmt: skip


def _member_text(member: Member) -> str:
    labels = ", ".join(label.name for label in member.expertise.all())
    where = [member.unit.name if member.unit else "", member.town]
    where.append(member.organisation.name if member.organisation else "")
    # "Storuman" as town and as organisation once.
    parts = dict.fromkeys(part for part in [member.title, labels, *where] if part)
    return "\n".join(parts)


SOURCES: dict[str, Source] = {
    source.kind: source
    for source in [
        QuestionSource(),
        AnswerSource(),
        CommentSource(),
        PostSource(),
        ReplySource(),
        EventSource(),
        NoteSource(),
        DocumentSource(),
        HelpSource(),
        MemberSource(),
    ]
}
BY_MODEL: dict[type[Model], Source] = {source.model: source for source in SOURCES.values()}

# The type filter: what a member picks → the kinds it covers.
TYPES: dict[str, tuple[str, ...]] = {
    "question": ("question", "answer", "comment"),
    "post": ("post", "reply"),
    "event": ("event",),
    "note": ("note",),
    "document": ("document",),
    "help": ("help",),
    "member": ("member",),
}
TYPE_LABELS = {
    "question": _("Questions"),
    "post": _("Posts"),
    "event": _("Calendar"),
    "note": _("Meeting notes"),
    "document": _("Documents"),
    "help": _("Help"),
    "member": _("Colleagues"),
}


def topic_names(ids: set[int]) -> dict[int, Topic]:
    return {t.pk: t for t in Topic.objects.filter(pk__in=ids).only("pk", "name", "slug")}
