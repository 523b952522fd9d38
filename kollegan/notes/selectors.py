"""Reading meeting notes: the list by cursor, one note, and a date's notes;
only what the viewer may see (for everyone, or their groups')."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.feed.selectors import Cursor
from kollegan.groups.selectors import group_ids_of, visible_to
from kollegan.notes.models import Note

PAGE_SIZE = 25


@dataclass
class NotesPage:
    items: list[Note]
    next_cursor: str


def _visible(viewer: Member) -> QuerySet[Note]:
    return Note.objects.filter(visible_to(group_ids_of(viewer)), hidden_at__isnull=True)


def notes_page(
    viewer: Member, *, topic: str = "", cursor: str = "", size: int = PAGE_SIZE
) -> NotesPage:
    """Newest first, with writer, meeting and topics: three queries."""
    queryset = _visible(viewer).select_related(
        "author", "author__organisation", "occurrence", "event", "group"
    )
    if topic:
        tagged = Note.topics.through.objects.filter(note_id=OuterRef("pk"), topic__slug=topic)
        queryset = queryset.filter(Exists(tagged))
    if cursor:
        broken = _("The link to more notes is broken. Start again from the top.")
        after = Cursor.decode(cursor, broken=broken)
        queryset = queryset.filter(
            Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.id)
        )
    items = list(queryset.order_by("-created_at", "-id").prefetch_related("topics")[: size + 1])
    next_cursor = ""
    if len(items) > size:
        items = items[:size]
        next_cursor = Cursor(created_at=items[-1].created_at, id=items[-1].pk).encode()
    return NotesPage(items=items, next_cursor=next_cursor)


def note_for(viewer: Member, pk: int) -> Note | None:
    return (
        _visible(viewer)
        .filter(pk=pk)
        .select_related("author", "author__organisation", "occurrence", "event", "group")
        .first()
    )


def notes_of(viewer: Member, occurrence_ids: list[int]) -> dict[int, list[Note]]:
    """The notes of each date, for "notes from this meeting" links: one query."""
    found: dict[int, list[Note]] = {}
    rows = (
        _visible(viewer)
        .filter(occurrence_id__in=occurrence_ids)
        .only("pk", "title", "occurrence_id", "created_at")
        .order_by("created_at", "id")
    )
    for note in rows:
        found.setdefault(note.occurrence_id, []).append(note)
    return found
