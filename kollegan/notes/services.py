"""Writing, editing and deleting meeting notes; the pages and the API call these."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.events.models import Occurrence
from kollegan.files.services import attachment_prepare, attachment_save, discard_on_error
from kollegan.groups.models import Group
from kollegan.groups.selectors import may_see_group
from kollegan.lib.guard import guard
from kollegan.lib.validation import clean_body, clean_topics, field_error
from kollegan.notes.models import BODY_MAX, TITLE_MAX, Note
from kollegan.notifications.models import Target, Verb
from kollegan.notifications.services import announce
from kollegan.topics.models import Topic


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise field_error("title", _("Give the note a title."), "title_empty")
    if len(title) > TITLE_MAX:
        message = _("The title can be at most %(max)d characters.") % {"max": TITLE_MAX}
        raise field_error("title", message, "title_long")
    return title


def _group_for(author: Member, occurrence: Occurrence | None, group: Group | None) -> Group | None:
    """A note of a group's meeting is the group's; otherwise the group chosen,
    which must be one the writer is in."""
    if occurrence is not None:
        if not may_see_group(author, occurrence.event.group):
            raise field_error("occurrence", _("There is no such meeting."), "occurrence_unknown")
        return occurrence.event.group
    if group is not None and not may_see_group(author, group):
        message = _("You can only write notes for groups you are in.")
        raise field_error("group", message, "group_unknown")
    return group


def may_edit(member: Member, note: Note) -> bool:
    if not may_see_group(member, note.group):
        return False
    return note.author_id == member.pk or member.is_moderator


def note_create(
    *,
    author: Member,
    title: str,
    body: str,
    topics: Iterable[Topic] = (),
    occurrence: Occurrence | None = None,
    group: Group | None = None,
    confirmed: bool = False,
    attachment: UploadedFile | None = None,
) -> Note:
    """``attachment``, a file sent with the notes, is checked after the text and
    before anything is written: a refused file leaves no note behind."""
    title = _clean_title(title)
    body = clean_body(body, limit=BODY_MAX)
    topics = clean_topics(topics, required=False)
    group = _group_for(author, occurrence, group)
    guard(title, body, confirmed=confirmed)
    prepared = attachment_prepare(upload=attachment) if attachment is not None else None
    with discard_on_error(), transaction.atomic():
        note = Note(
            author=author,
            title=title,
            occurrence=occurrence,
            event=occurrence.event if occurrence else None,
            group=group,
        )
        note.set_body(body)
        note.save()
        note.topics.set(topics)
        announce(
            verb=Verb.NEW_NOTE,
            target_type=Target.NOTE,
            target_id=note.pk,
            actor=author,
            topics=topics,
        )
        if group is None:
            from kollegan.feed.services import feed_announce_note

            feed_announce_note(note=note, topics=topics)
        if prepared is not None:
            attachment_save(prepared=prepared, owner=note, uploader=author)
    return note


def note_edit(
    *,
    note: Note,
    editor: Member,
    title: str,
    body: str,
    topics: Iterable[Topic] = (),
    confirmed: bool = False,
) -> Note:
    if not may_edit(editor, note):
        raise PermissionDenied(_("Only the one who wrote the note and moderators can change it."))
    title = _clean_title(title)
    body = clean_body(body, limit=BODY_MAX)
    topics = clean_topics(topics, required=False)
    guard(title, body, confirmed=confirmed)
    with transaction.atomic():
        if title != note.title or body != note.body:
            note.title = title
            note.set_body(body)
            note.edited_at = timezone.now()
            note.save(update_fields=["title", "body", "body_html", "edited_at"])
        note.topics.set(topics)
        from kollegan.feed.services import feed_retopic_note

        feed_retopic_note(note=note, topics=topics)
    return note


def note_delete(*, note: Note, member: Member) -> None:
    if not may_edit(member, note):
        raise PermissionDenied(_("Only the one who wrote the note and moderators can delete it."))
    note.delete()
