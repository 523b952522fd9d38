"""/api/v1/notes: Mötesnoteringar for scripts.

The operations call the services and selectors the pages use: a note of a
group's meeting, or written for a group, is seen only by the group's members,
here as in every list. The list is paged by a cursor, newest first, like the
posts: ``next_cursor`` goes back as ``cursor``.

Refusals come back as JSON from the handlers in kollegan.api.api: the guard's
findings (422), django ValidationError (422, by field), PermissionDenied (403).
A broken cursor is 400: the request, not its data, is wrong."""

from datetime import datetime
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kollegan.accounts.models import Member
from kollegan.events.api import RowId
from kollegan.events.models import Occurrence
from kollegan.events.selectors import occurrence_for
from kollegan.groups.models import Group
from kollegan.lib.html import url_maker
from kollegan.lib.validation import field_error
from kollegan.notes import selectors, services
from kollegan.notes.models import Note
from kollegan.questions.api import MAX_TOPIC_SLUGS, Out, Ref
from kollegan.questions.services import topics_from_slugs

router = Router(tags=["notes"])

CONFIRM_DESCRIPTION = (
    "Set after a 422 with needs_confirmation: the phone numbers, addresses or e-mail "
    "addresses found are not a client's. Never allows an identity number."
)


# --- What comes in ------------------------------------------------------------------------------


class NotePageParams(Schema):
    # No length limit on the cursor: a damaged one is a 400 with an explanation, not a 422.
    cursor: str = Field("", description="next_cursor from the page before; empty for the newest")
    topic: str = Field("", max_length=80, description="Topic slug, e.g. barn-och-unga")


class NoteIn(Schema):
    # No max_length on the texts: the service checks lengths and says so in Swedish.
    title: str
    body: str = Field(description="Markdown")
    topics: list[str] = Field(
        default_factory=list, max_length=MAX_TOPIC_SLUGS, description="Topic slugs; may be empty"
    )
    occurrence_id: RowId | None = Field(
        None, description="The meeting (a date of an event) the note is from; null for none"
    )
    group: RowId | None = Field(
        None, description="Only for this group; a group's meeting makes it the group's anyway"
    )
    confirmed: bool = Field(False, description=CONFIRM_DESCRIPTION)
    confirm_identifying_details: bool = Field(False, description="The same as confirmed")


# --- What goes out ------------------------------------------------------------------------------


class Detail(Out):
    detail: str


class NoteOut(Out):
    id: int
    title: str
    body: str = Field(description="Markdown")
    body_html: str
    topics: list[str] = Field(description="Topic slugs")
    author: Ref
    created_at: datetime
    edited_at: datetime | None
    event_id: int | None
    occurrence_id: int | None
    group: int | None
    url: str


class NotePageOut(Out):
    items: list[NoteOut]
    next_cursor: str | None = Field(description="Send as cursor for the next page; null at the end")


@cache
def _note_path():
    # Made on first use: this module is imported while the URLconf is loading.
    return url_maker("notes:detail")


def note_out(note: Note) -> dict:
    """A note as the list shows it; writer and topics must be loaded (notes_page does)."""
    return {
        "id": note.pk,
        "title": note.title,
        "body": note.body,
        "body_html": str(note.html),
        "topics": [topic.slug for topic in note.topics.all()],
        "author": {"id": note.author.pk, "name": note.author.name},
        "created_at": note.created_at,
        "edited_at": note.edited_at,
        "event_id": note.event_id,
        "occurrence_id": note.occurrence_id,
        "group": note.group_id,
        "url": f"{settings.SITE_URL}{_note_path()(note.pk)}",
    }


def _occurrence(member: Member, occurrence_id: int | None) -> Occurrence | None:
    if occurrence_id is None:
        return None
    found = occurrence_for(member, occurrence_id)
    if found is None:
        raise field_error("occurrence_id", _("There is no such meeting."), "occurrence_unknown")
    return found


def _group(group_id: int | None) -> Group | None:
    if group_id is None:
        return None
    found = Group.objects.filter(pk=group_id).first()
    if found is None:
        # The same words as for a group one is not in: nothing about which groups exist.
        message = _("You can only write notes for groups you are in.")
        raise field_error("group", message, "group_unknown")
    return found  # the service refuses a group the writer is not in


# --- Operations ---------------------------------------------------------------------------------


@router.get(
    "/notes",
    response={200: NotePageOut, 400: Detail},
    url_name="list_notes",
    summary="Meeting notes, newest first, 25 a page",
)
def list_notes(request: HttpRequest, params: Query[NotePageParams]) -> dict | Status:
    try:
        page = selectors.notes_page(
            request.auth, topic=params.topic.strip(), cursor=params.cursor.strip()
        )
    except ValidationError as error:
        if getattr(error, "code", None) != "bad_cursor":
            raise
        return Status(400, {"detail": " ".join(error.messages)})
    return {
        "items": [note_out(note) for note in page.items],
        "next_cursor": page.next_cursor or None,
    }


@router.post(
    "/notes",
    response={201: NoteOut},
    url_name="create_note",
    summary="Write a meeting note",
    description="From a meeting (occurrence_id, one of the dates in GET /events) or free-standing.",
)
def create_note(request: HttpRequest, data: NoteIn) -> Status:
    member = request.auth
    note = services.note_create(
        author=member,
        title=data.title,
        body=data.body,
        topics=topics_from_slugs(data.topics),
        occurrence=_occurrence(member, data.occurrence_id),
        group=_group(data.group),
        confirmed=data.confirmed or data.confirm_identifying_details,
    )
    note = selectors.note_for(member, note.pk)
    return Status(201, note_out(note))
