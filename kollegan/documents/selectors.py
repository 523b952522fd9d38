"""Reading documents: the list by cursor with its collections (counts per type
and topic), one document, its history, one version, the latest changes across
all documents, its comments and the adoption table. Every member sees every
document a moderator has not hidden, and each function costs a fixed number of
queries however many rows there are."""

from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member, Organisation
from kollegan.documents.models import (
    Adoption,
    Document,
    DocumentComment,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.feed.selectors import Cursor
from kollegan.lib.validation import is_row_id
from kollegan.topics.models import Topic

PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 50
CHANGES_PAGE_SIZE = 50
# What a list never shows of a document: the text.
LIST_DEFERRED = ("body", "body_html")
PERSON = ("pk", "name", "organisation__name", "photo_key")


@dataclass
class Page:
    items: list
    next_cursor: str  # "" at the end


def _visible() -> QuerySet[Document]:
    return Document.objects.filter(hidden_at__isnull=True)


def _tagged(slug: str) -> Exists:
    return Exists(
        Document.topics.through.objects.filter(document_id=OuterRef("pk"), topic__slug=slug)
    )


def documents_page(
    viewer: Member,
    *,
    topic: str = "",
    kind: str = "",
    status: str = "",
    cursor: str = "",
    size: int = PAGE_SIZE,
    include_archived: bool = False,
) -> Page:
    """Latest changed first. Archived documents only when asked for (by the
    status "archived" or ``include_archived``). An unknown type or status is a
    ValidationError with a message for the page."""
    if kind and kind not in DocumentKind.values:
        raise ValidationError(_("There is no such type of document."), code="kind_unknown")
    if status and status not in DocumentStatus.values:
        raise ValidationError(_("There is no such status."), code="status_unknown")
    queryset = (
        _visible()
        .defer(*LIST_DEFERRED)
        .select_related("owner", "owner__organisation", "updated_by", "updated_by__organisation")
    )
    if topic:
        queryset = queryset.filter(_tagged(topic))
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    elif not include_archived:
        queryset = queryset.exclude(status=DocumentStatus.ARCHIVED)
    if cursor:
        broken = _("The link to more documents is broken. Start again from the top.")
        after = Cursor.decode(cursor, broken=broken)
        queryset = queryset.filter(
            Q(updated_at__lt=after.created_at) | Q(updated_at=after.created_at, id__lt=after.id)
        )
    items = list(queryset.order_by("-updated_at", "-id").prefetch_related("topics")[: size + 1])
    next_cursor = ""
    if len(items) > size:
        items = items[:size]
        next_cursor = Cursor(created_at=items[-1].updated_at, id=items[-1].pk).encode()
    return Page(items=items, next_cursor=next_cursor)


def kind_counts() -> dict[str, int]:
    """How many documents (not archived) there are of each type: one query."""
    rows = (
        _visible()
        .exclude(status=DocumentStatus.ARCHIVED)
        .order_by()
        .values("kind")
        .annotate(count=Count("id"))
    )
    return {row["kind"]: row["count"] for row in rows}


def topic_counts() -> list[Topic]:
    """The topics that have documents (not archived), each with ``document_count``:
    one query."""
    documents = Q(documents__hidden_at__isnull=True) & ~Q(documents__status=DocumentStatus.ARCHIVED)
    return list(
        Topic.objects.annotate(document_count=Count("documents", filter=documents))
        .filter(document_count__gt=0)
        .only("pk", "name", "slug")
        .order_by("position", "name")
    )


# The list's collections count every document, so they are counted once and kept
# until a document is written, retyped, retopiced, archived, hidden or deleted
# (and five minutes at most, for what the admin changes).
COLLECTIONS_KEY = "kollegan:documents:collections:v1"
COLLECTIONS_SECONDS = 300


class TopicCollection(NamedTuple):
    slug: str
    name: str
    document_count: int


def collections() -> tuple[dict[str, int], list[TopicCollection]]:
    """(documents per type, topics with documents): no query while cached."""
    found = cache.get(COLLECTIONS_KEY)
    if found is None:
        topics = [
            TopicCollection(topic.slug, topic.name, topic.document_count)
            for topic in topic_counts()
        ]
        found = (kind_counts(), topics)
        cache.set(COLLECTIONS_KEY, found, COLLECTIONS_SECONDS)
    return found


def collections_changed() -> None:
    """Count again once the writing transaction has committed."""
    transaction.on_commit(lambda: cache.delete(COLLECTIONS_KEY))


def document_for(viewer: Member, pk: int) -> Document | None:
    """The document with its owner and last editor; None when hidden or missing."""
    if not is_row_id(pk):
        return None
    return (
        _visible()
        .filter(pk=pk)
        .select_related("owner", "owner__organisation", "updated_by", "updated_by__organisation")
        .first()
    )


def versions_page(document: Document, *, cursor: str = "", size: int = HISTORY_PAGE_SIZE) -> Page:
    """Newest first, without their texts; the cursor is the last number shown."""
    queryset = (
        DocumentVersion.objects.filter(document=document)
        .defer("body")
        .select_related("author", "author__organisation")
    )
    if cursor:
        if not cursor.isdigit() or not is_row_id(int(cursor[:20])):
            raise ValidationError(
                _("The link to earlier versions is broken. Start again from the newest."),
                code="bad_cursor",
            )
        queryset = queryset.filter(number__lt=int(cursor))
    items = list(queryset.order_by("-number")[: size + 1])
    next_cursor = ""
    if len(items) > size:
        items = items[:size]
        next_cursor = str(items[-1].number)
    return Page(items=items, next_cursor=next_cursor)


def version_of(document: Document, number: int) -> DocumentVersion | None:
    if not is_row_id(number):
        return None
    return (
        DocumentVersion.objects.filter(document=document, number=number)
        .select_related("author", "author__organisation")
        .first()
    )


def versions_of(document: Document, numbers: list[int]) -> dict[int, DocumentVersion]:
    """Several versions by number, in one query (for a comparison)."""
    wanted = [number for number in numbers if is_row_id(number)]
    rows = DocumentVersion.objects.filter(document=document, number__in=wanted).select_related(
        "author", "author__organisation"
    )
    return {version.number: version for version in rows}


def latest_changes(viewer: Member, *, cursor: str = "", size: int = CHANGES_PAGE_SIZE) -> Page:
    """The newest versions across every visible document: who saved what, and why."""
    queryset = (
        DocumentVersion.objects.filter(document__hidden_at__isnull=True)
        .defer("body", "document__body", "document__body_html")
        .select_related("document", "author", "author__organisation")
    )
    if cursor:
        broken = _("The link to earlier changes is broken. Start again from the newest.")
        after = Cursor.decode(cursor, broken=broken)
        queryset = queryset.filter(
            Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.id)
        )
    items = list(queryset.order_by("-created_at", "-id")[: size + 1])
    next_cursor = ""
    if len(items) > size:
        items = items[:size]
        next_cursor = Cursor(created_at=items[-1].created_at, id=items[-1].pk).encode()
    return Page(items=items, next_cursor=next_cursor)


def comments_of(document: Document) -> list[DocumentComment]:
    """The visible comments, oldest first, with writer and version: one query."""
    return list(
        DocumentComment.objects.filter(document=document, hidden_at__isnull=True)
        .select_related("author", "author__organisation", "version")
        .defer("version__body")
        .order_by("created_at", "id")
    )


def comment_for(viewer: Member, pk: int) -> DocumentComment | None:
    if not is_row_id(pk):
        return None
    return (
        DocumentComment.objects.filter(
            pk=pk, hidden_at__isnull=True, document__hidden_at__isnull=True
        )
        .select_related("document", "author")
        .first()
    )


def adoption_table(document: Document) -> list[tuple[Organisation, Adoption | None]]:
    """Every organisation (by name) with its recorded decision, or None: two queries."""
    adoptions = {
        adoption.organisation_id: adoption
        for adoption in Adoption.objects.filter(document=document).select_related(
            "recorded_by", "recorded_by__organisation"
        )
    }
    return [
        (organisation, adoptions.get(organisation.pk))
        for organisation in Organisation.objects.order_by("name")
    ]


def adoption_of(document: Document, organisation: Organisation) -> Adoption | None:
    return Adoption.objects.filter(document=document, organisation=organisation).first()
