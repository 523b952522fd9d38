"""Mötesnoteringar: the list of notes, writing one (from a meeting's date, or
free-standing), one note, editing and deleting.

Every flow is a plain form and a redirect. Bad input comes back as the same
form with the message at its field and status 400; "not yours" is a 403 page
saying why; a note the member may not see (a group's they are not in) is a 404,
and so is a meeting they may not see."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kollegan.events.ics import display_title
from kollegan.events.models import Occurrence
from kollegan.events.recurrence import local
from kollegan.events.selectors import occurrence_for
from kollegan.feed.selectors import topics_for_filter
from kollegan.files.selectors import attachments_for
from kollegan.files.uploads import capped_uploads
from kollegan.lib.views import refusals
from kollegan.notes import selectors, services
from kollegan.notes.forms import NoteForm
from kollegan.notes.models import TITLE_MAX, Note

_refusals = refusals("notes/refused.html")

# A primary key in an address: digits only, and few enough for any database.
PK_PATTERN = re.compile(r"[0-9]{1,10}")


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "notes/refused.html", {"message": message}, status=400)


# --- Getters that check who may see ------------------------------------------------------------


def _note_for(request: HttpRequest, pk: int) -> Note:
    note = selectors.note_for(request.user, pk)
    if note is None:
        raise Http404
    return note


def _require_editor(request: HttpRequest, note: Note) -> None:
    """The services say the same, but the GET pages must refuse before they show a form."""
    if not services.may_edit(request.user, note):
        raise PermissionDenied(_("Only the one who wrote the note and moderators can change it."))


def _meeting_for(request: HttpRequest) -> Occurrence | None:
    """The date in ?tillfalle=, when the member may see it; a wrong one is a 404."""
    value = request.GET.get("tillfalle", "").strip()
    if not value:
        return None
    if not PK_PATTERN.fullmatch(value):
        raise Http404
    occurrence = occurrence_for(request.user, int(value))
    if occurrence is None:
        raise Http404
    return occurrence


def with_meetings(notes: list[Note]) -> list[Note]:
    """Each note's ``meeting_title`` (the event's title with the date's theme) and
    ``meeting_url``, read from the rows the selector joined."""
    for note in notes:
        note.meeting_title = note.meeting_url = ""
        if note.occurrence is not None:
            note.meeting_title = display_title(note.event.title, note.occurrence.theme)
            note.meeting_url = reverse("events:occurrence", args=[note.occurrence_id])
        elif note.event is not None:
            # The date was taken out of its series; the event is still there.
            note.meeting_title = note.event.title
            note.meeting_url = note.event.get_absolute_url()
    return notes


# --- The list ----------------------------------------------------------------------------------


def _list_url(topic: str, cursor: str = "") -> str:
    query = urlencode({key: value for key, value in (("amne", topic), ("fore", cursor)) if value})
    return f"{reverse('notes')}?{query}" if query else reverse("notes")


@require_safe
def note_list(request: HttpRequest) -> HttpResponse:
    """Newest first; ?amne= filters by topic, ?fore= continues after a cursor."""
    topic = request.GET.get("amne", "").strip()[:80]
    cursor = request.GET.get("fore", "").strip()[:100]
    try:
        page = selectors.notes_page(request.user, topic=topic, cursor=cursor)
    except ValidationError as error:
        return _bad_request(request, error.messages[0])
    topics = topics_for_filter()
    context = {
        "notes": with_meetings(page.items),
        "topics": topics,
        "topic": topic,
        "topic_name": next((item.name for item in topics if item.slug == topic), topic),
        "earlier": bool(cursor),
        "older_url": _list_url(topic, page.next_cursor) if page.next_cursor else "",
        "newest_url": _list_url(topic),
    }
    return render(request, "notes/list.html", context)


# --- Writing, editing and deleting -------------------------------------------------------------


def _meeting_initial(occurrence: Occurrence) -> dict:
    event = occurrence.event
    title = _("Notes: %(meeting)s, %(date)s") % {
        "meeting": display_title(event.title, occurrence.theme),
        "date": date_format(local(occurrence.start).date(), "j F Y"),
    }
    return {
        "title": title[:TITLE_MAX],
        "topics": [topic.slug for topic in event.topics.filter(is_active=True)],
    }


def _free_initial(request: HttpRequest) -> dict:
    initial: dict = {"topics": [slug for slug in request.GET.getlist("amne") if slug]}
    group = request.GET.get("grupp", "").strip()
    if PK_PATTERN.fullmatch(group):
        initial["group"] = int(group)
    return initial


@require_http_methods(["GET", "POST"])
@capped_uploads
def create(request: HttpRequest) -> HttpResponse:
    """?tillfalle=<date> fixes the meeting (and so the readers); without it the note
    stands free and the writer chooses all members or one of their groups."""
    occurrence = _meeting_for(request)
    choose_group = occurrence is None
    if request.method != "POST":
        initial = _meeting_initial(occurrence) if occurrence else _free_initial(request)
        form = NoteForm(initial=initial, member=request.user, choose_group=choose_group)
        return _render_form(request, form, occurrence=occurrence)
    form = NoteForm(request.POST, request.FILES, member=request.user, choose_group=choose_group)
    note = form.is_valid() and form.attempt(
        lambda data: services.note_create(
            author=request.user,
            title=data["title"],
            body=data["body"],
            topics=data["topics"],
            occurrence=occurrence,
            group=data.get("group"),
            confirmed=data["confirmed"],
            attachment=data["file"],
        )
    )
    if not note:
        return _render_form(request, form, occurrence=occurrence, status=400)
    messages.success(request, _("Your notes are published."))
    return redirect(note)


@require_http_methods(["GET", "POST"])
@_refusals
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note_for(request, pk)
    _require_editor(request, note)
    if request.method != "POST":
        initial = {
            "title": note.title,
            "body": note.body,
            "topics": [topic.slug for topic in note.topics.all()],
        }
        form = NoteForm(initial=initial, member=request.user, note=note)
        return _render_form(request, form, note=note)
    form = NoteForm(request.POST, member=request.user, note=note)
    saved = form.is_valid() and form.attempt(
        lambda data: services.note_edit(
            note=note,
            editor=request.user,
            title=data["title"],
            body=data["body"],
            topics=data["topics"],
            confirmed=data["confirmed"],
        )
    )
    if not saved:
        return _render_form(request, form, note=note, status=400)
    messages.success(request, _("Your changes are saved."))
    return redirect(note)


def _render_form(
    request: HttpRequest,
    form: NoteForm,
    *,
    occurrence: Occurrence | None = None,
    note: Note | None = None,
    status: int = 200,
) -> HttpResponse:
    # The meeting the note is (or will be) from, and the group that alone reads it.
    shown = note or Note(event=occurrence.event if occurrence else None, occurrence=occurrence)
    with_meetings([shown])
    group = note.group if note else (occurrence.event.group if occurrence else None)
    action = reverse("notes:edit", args=[note.pk]) if note else reverse("notes:create")
    if occurrence is not None:
        action += f"?{urlencode({'tillfalle': occurrence.pk})}"
    context = {
        "form": form,
        "note": note,
        "occurrence": shown.occurrence,
        "meeting_title": shown.meeting_title,
        "meeting_url": shown.meeting_url,
        "group": group,
        "action": action,
    }
    return render(request, "notes/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_refusals
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note_for(request, pk)
    _require_editor(request, note)
    if request.method != "POST":
        return render(request, "notes/delete.html", {"note": note})
    services.note_delete(note=note, member=request.user)
    messages.success(request, _("The notes are deleted."))
    return redirect("notes")


# --- One note ----------------------------------------------------------------------------------


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = with_meetings([_note_for(request, pk)])[0]
    context = {
        "note": note,
        "topics": list(note.topics.all()),
        "attachments": attachments_for("note", [note.pk]).get(note.pk, []),
        "may_edit": services.may_edit(request.user, note),
    }
    return render(request, "notes/detail.html", context)
