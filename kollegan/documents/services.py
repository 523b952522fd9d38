"""Writing documents, their versions, comments and adoptions; the pages and the
API call these.

Every save is a new ``DocumentVersion`` and moves ``Document.version_number``
on by one, but only from the version the editor started from: the row is
updated on the condition that its number is still that one, so of two saves
made at the same instant one wins and the other gets ``StaleEditError`` (with
the unique version number per document as the last line of defence)."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member, Organisation
from kollegan.audit.models import Action
from kollegan.audit.services import audit_log
from kollegan.documents.models import (
    BODY_MAX,
    CHANGE_NOTE_MAX,
    COMMENT_MAX,
    DECIDED_BY_MAX,
    TITLE_MAX,
    Adoption,
    AdoptionStatus,
    Document,
    DocumentComment,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.documents.selectors import collections_changed
from kollegan.lib.guard import guard
from kollegan.lib.validation import clean_body, clean_topics, field_error, is_row_id
from kollegan.notifications.models import Target, Verb
from kollegan.notifications.services import announce, follow_set
from kollegan.topics.models import Topic

VARIANT_URL_MAX = 500


class StaleEditError(Exception):
    """The save was based on a version that is no longer the current one: someone
    else saved in between. ``document`` is the row as it is now."""

    def __init__(self, document: Document | None, base_version: int) -> None:
        super().__init__("The document has a newer version than the one the edit started from.")
        self.document = document
        self.base_version = base_version


# --- Who may ------------------------------------------------------------------------------------


def may_edit(member: Member, document: Document) -> bool:
    """Any member may write a new version, unless the document is archived; its
    owner and the moderators always may."""
    if document.is_hidden:
        return False
    if member.is_moderator or document.owner_id == member.pk:
        return True
    return document.status != DocumentStatus.ARCHIVED


def may_manage(member: Member, document: Document) -> bool:
    """Status and deletion: the owner and the moderators."""
    return not document.is_hidden and (member.is_moderator or document.owner_id == member.pk)


def may_record_for(member: Member, organisation: Organisation) -> bool:
    """Members record their own organisation's decision; moderators any organisation's."""
    return member.is_moderator or member.organisation_id == organisation.pk


def may_delete_comment(member: Member, comment: DocumentComment) -> bool:
    return member.is_moderator or comment.author_id == member.pk


# --- Checks of what was sent -------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise field_error("title", _("Give the document a title."), "title_empty")
    if len(title) > TITLE_MAX:
        message = _("The title can be at most %(max)d characters.") % {"max": TITLE_MAX}
        raise field_error("title", message, "title_long")
    return title


def _clean_change_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > CHANGE_NOTE_MAX:
        message = _("Describe the change in at most %(max)d characters.") % {"max": CHANGE_NOTE_MAX}
        raise field_error("change_note", message, "change_note_long")
    return note


def _clean_kind(kind: str) -> str:
    if kind not in DocumentKind.values:
        raise field_error("kind", _("Choose a type from the list."), "kind_unknown")
    return kind


def _clean_status(status: str, *, field: str = "status") -> str:
    if status not in DocumentStatus.values:
        raise field_error(field, _("Choose a status from the list."), "status_unknown")
    return status


def _refuse_hidden(document: Document) -> None:
    if document.is_hidden:
        raise PermissionDenied(_("The document has been hidden by a moderator."))


# --- Documents and versions --------------------------------------------------------------------


def document_create(
    *,
    author: Member,
    title: str,
    body: str,
    kind: str,
    topics: Iterable[Topic] = (),
    status: str = DocumentStatus.DRAFT,
    change_note: str = "",
    confirmed: bool = False,
) -> Document:
    """A new document and its version 1; the author owns it."""
    title = _clean_title(title)
    kind = _clean_kind(kind)
    status = _clean_status(status)
    if status == DocumentStatus.ARCHIVED:
        message = _("A new document cannot start out archived.")
        raise field_error("status", message, "status_archived")
    body = clean_body(body, limit=BODY_MAX)
    change_note = _clean_change_note(change_note)
    topics = clean_topics(topics, required=False)
    guard(title, body, change_note, confirmed=confirmed)
    with transaction.atomic():
        now = timezone.now()
        document = Document(
            title=title,
            kind=kind,
            status=status,
            owner=author,
            updated_by=author,
            version_number=1,
            created_at=now,
            updated_at=now,
        )
        document.set_body(body)
        document.save()
        document.topics.set(topics)
        DocumentVersion.objects.create(
            document=document,
            number=1,
            title=title,
            body=body,
            author=author,
            created_at=now,
            change_note=change_note,
        )
        collections_changed()
        announce(
            verb=Verb.NEW_DOCUMENT,
            target_type=Target.DOCUMENT,
            target_id=document.pk,
            actor=author,
            topics=topics,
        )
    return document


def _write_version(
    *,
    document: Document,
    editor: Member,
    title: str,
    body: str,
    base_version: int,
    change_note: str = "",
    kind: str | None = None,
    topics: list[Topic] | None = None,
    restored: DocumentVersion | None = None,
) -> DocumentVersion:
    """Make ``title`` and ``body`` the document's next version, if ``base_version``
    is still the current one. Refuses a save that changes nothing."""
    try:
        with transaction.atomic():
            # The lock makes a second writer wait (PostgreSQL); SQLite's IMMEDIATE
            # transactions queue writers anyway. The conditional UPDATE below decides.
            current = Document.objects.select_for_update().filter(pk=document.pk).first()
            if current is None or current.is_hidden:
                raise PermissionDenied(_("The document is no longer available."))
            if current.version_number != base_version:
                raise StaleEditError(current, base_version)
            kind = kind or current.kind
            current_topics = set(current.topics.values_list("pk", flat=True))
            new_topics = None if topics is None else {topic.pk for topic in topics}
            unchanged = (
                title == current.title
                and body == current.body
                and kind == current.kind
                and (new_topics is None or new_topics == current_topics)
            )
            if unchanged:
                if restored is not None:
                    message = _("Version %(number)d has the same text as the current version.") % {
                        "number": restored.number
                    }
                    raise field_error("number", message, "restore_unchanged")
                raise field_error("body", _("Nothing has changed: change the text first."), "same")
            now = timezone.now()
            number = base_version + 1
            current.set_body(body)
            updated = Document.objects.filter(pk=current.pk, version_number=base_version).update(
                title=title,
                body=body,
                body_html=current.body_html,
                kind=kind,
                version_number=number,
                updated_at=now,
                updated_by=editor,
                edited_at=now,
            )
            if not updated:
                raise StaleEditError(Document.objects.filter(pk=current.pk).first(), base_version)
            version = DocumentVersion.objects.create(
                document=current,
                number=number,
                title=title,
                body=body,
                author=editor,
                created_at=now,
                change_note=change_note,
                restored_from=restored.number if restored else None,
            )
            if new_topics is not None and new_topics != current_topics:
                current.topics.set(topics)
            if kind != current.kind or (new_topics is not None and new_topics != current_topics):
                collections_changed()
            announce(
                verb=Verb.NEW_VERSION,
                target_type=Target.DOCUMENT,
                target_id=current.pk,
                item_id=version.pk,
                actor=editor,
                topics=current_topics if new_topics is None else new_topics,
            )
            # Whoever works on a document hears of what happens to it next, as in a
            # thread they wrote in; "Sluta följa" on the page stops it.
            follow_set(
                member=editor, target_type=Target.DOCUMENT, target_id=current.pk, follow=True
            )
    except IntegrityError:
        # Two saves of the same number: the other one was first.
        raise StaleEditError(
            Document.objects.filter(pk=document.pk).first(), base_version
        ) from None
    document.title, document.kind = title, kind
    document.body, document.body_html = body, current.body_html
    document.version_number, document.updated_at, document.edited_at = number, now, now
    document.updated_by = editor
    return version


def document_save(
    *,
    document: Document,
    editor: Member,
    title: str,
    body: str,
    base_version: int,
    change_note: str = "",
    topics: Iterable[Topic] | None = None,
    kind: str | None = None,
    confirmed: bool = False,
) -> DocumentVersion:
    """Save a new version. ``base_version`` is the version the editor started from;
    when someone else has saved since, ``StaleEditError`` and nothing is written.
    ``topics`` and ``kind`` stay as they are when None."""
    if not may_edit(editor, document):
        raise PermissionDenied(
            _("The document is archived: only its owner and moderators can change it.")
        )
    title = _clean_title(title)
    body = clean_body(body, limit=BODY_MAX)
    change_note = _clean_change_note(change_note)
    if kind is not None:
        kind = _clean_kind(kind)
    if topics is not None:
        topics = clean_topics(topics, required=False)
    guard(title, body, change_note, confirmed=confirmed)
    return _write_version(
        document=document,
        editor=editor,
        title=title,
        body=body,
        base_version=base_version,
        change_note=change_note,
        kind=kind,
        topics=topics,
    )


def document_restore(
    *, document: Document, editor: Member, number: int, base_version: int
) -> DocumentVersion:
    """Bring back an earlier version's title and text as a new version (the history
    keeps everything in between)."""
    if not may_edit(editor, document):
        raise PermissionDenied(
            _("The document is archived: only its owner and moderators can change it.")
        )
    restored = None
    if is_row_id(number):
        restored = DocumentVersion.objects.filter(document=document, number=number).first()
    if restored is None:
        message = _("The document has no version %(number)s.") % {"number": number}
        raise field_error("number", message, "version_unknown")
    return _write_version(
        document=document,
        editor=editor,
        title=restored.title,
        body=restored.body,
        base_version=base_version,
        restored=restored,
    )


def document_set_status(*, document: Document, member: Member, status: str) -> Document:
    if not may_manage(member, document):
        raise PermissionDenied(_("Only the document's owner and moderators can change its status."))
    status = _clean_status(status)
    if status != document.status:
        Document.objects.filter(pk=document.pk).update(status=status)
        document.status = status
        collections_changed()
    return document


def document_delete(*, document: Document, member: Member) -> None:
    """The document with every version, comment, adoption and attached file."""
    if not may_manage(member, document):
        raise PermissionDenied(_("Only the document's owner and moderators can delete it."))
    document.delete()
    collections_changed()


@transaction.atomic
def document_hide(*, document: Document, moderator: Member, reason: str = "") -> Document:
    """A moderator takes the document out of sight (the admin's action); nothing is deleted."""
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))
    reason = (reason or "").strip()[:500]
    if document.mark_hidden(moderator=moderator, reason=reason):
        audit_log(
            action=Action.CONTENT_HIDDEN,
            actor=moderator,
            subject=document.owner,
            subject_label=f"{_('Document')}: {document.title}"[:200],
            detail={"kind": "document", "id": document.pk, "reason": reason},
        )
        collections_changed()
    return document


@transaction.atomic
def document_unhide(*, document: Document, moderator: Member) -> Document:
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))
    if document.mark_restored():
        audit_log(
            action=Action.CONTENT_RESTORED,
            actor=moderator,
            subject=document.owner,
            subject_label=f"{_('Document')}: {document.title}"[:200],
            detail={"kind": "document", "id": document.pk},
        )
        collections_changed()
    return document


# --- Comments ----------------------------------------------------------------------------------


def comment_create(
    *,
    document: Document,
    author: Member,
    body: str,
    version_number: int | None = None,
    confirmed: bool = False,
) -> DocumentComment:
    """A comment on the document, or on one of its versions. Always by name."""
    _refuse_hidden(document)
    body = clean_body(body, limit=COMMENT_MAX)
    version = None
    if version_number is not None:
        if is_row_id(version_number):
            version = DocumentVersion.objects.filter(
                document=document, number=version_number
            ).first()
        if version is None:
            message = _("The document has no version %(number)s.") % {"number": version_number}
            raise field_error("version", message, "version_unknown")
    guard(body, confirmed=confirmed)
    with transaction.atomic():
        comment = DocumentComment(document=document, version=version, author=author)
        comment.set_body(body)
        comment.save()
        Document.objects.filter(pk=document.pk).update(comment_count=F("comment_count") + 1)
        announce(
            verb=Verb.NEW_DOCUMENT_COMMENT,
            target_type=Target.DOCUMENT,
            target_id=document.pk,
            item_id=comment.pk,
            actor=author,
            topics=list(document.topics.values_list("pk", flat=True)),
        )
        follow_set(member=author, target_type=Target.DOCUMENT, target_id=document.pk, follow=True)
    document.comment_count += 1
    return comment


def comment_delete(*, comment: DocumentComment, member: Member) -> None:
    if not may_delete_comment(member, comment):
        raise PermissionDenied(
            _("Only the one who wrote the comment and moderators can delete it.")
        )
    with transaction.atomic():
        if comment.hidden_at is None:
            Document.objects.filter(pk=comment.document_id, comment_count__gt=0).update(
                comment_count=F("comment_count") - 1
            )
        comment.delete()


# --- Adoption ----------------------------------------------------------------------------------


def _clean_variant_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    message = _("Give a web address starting with https:// or http://.")
    if len(url) > VARIANT_URL_MAX:
        message = _("The address can be at most %(max)d characters.") % {"max": VARIANT_URL_MAX}
        raise field_error("variant_url", message, "url_long")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise field_error("variant_url", message, "url_invalid") from None
    return url


def adoption_record(
    *,
    document: Document,
    member: Member,
    organisation: Organisation,
    status: str,
    decided_on: date | None = None,
    decided_by: str = "",
    variant_url: str = "",
    version_number: int | None = None,
) -> Adoption:
    """Record (or change) an organisation's decision on the document."""
    _refuse_hidden(document)
    if not may_record_for(member, organisation):
        raise PermissionDenied(_("You can record the decision of your own organisation only."))
    if status not in AdoptionStatus.values:
        raise field_error("status", _("Choose what was decided."), "status_unknown")
    if decided_on is not None and decided_on > timezone.localdate():
        message = _("The date of the decision cannot be in the future.")
        raise field_error("decided_on", message, "date_future")
    decided_by = " ".join((decided_by or "").split())
    if len(decided_by) > DECIDED_BY_MAX:
        message = _("Name the deciding body in at most %(max)d characters.") % {
            "max": DECIDED_BY_MAX
        }
        raise field_error("decided_by", message, "decided_by_long")
    variant_url = _clean_variant_url(variant_url)
    if version_number is not None and not 0 < version_number <= document.version_number:
        message = _("The document has no version %(number)s.") % {"number": version_number}
        raise field_error("version_number", message, "version_unknown")
    with transaction.atomic():
        adoption, _created = Adoption.objects.update_or_create(
            document=document,
            organisation=organisation,
            defaults={
                "status": status,
                "decided_on": decided_on,
                "decided_by": decided_by,
                "variant_url": variant_url,
                "version_number": version_number,
                "recorded_by": member,
                "updated_at": timezone.now(),
            },
        )
    return adoption
