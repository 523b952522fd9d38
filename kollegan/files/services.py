"""Attaching files to documents, adoptions (a local variant), meeting notes and
questions, and removing them; the pages and the API call these.

An upload is checked whole before anything is written (kollegan.files.validation):
a refusal leaves no row and no stored file. The bytes are stored under a random
name first and the row written after; if the row is not written, or the
transaction around it rolls back (``discard_on_error``), the bytes are deleted.

Who may see an attachment is who may see its item. The apps' own rules decide
(notes.selectors.note_for, questions.selectors.can_see, documents.selectors
.document_for), imported when used: those apps import this module too."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.chat.models import Message
from kollegan.documents.models import Adoption, Document
from kollegan.files.models import Attachment, stored_name
from kollegan.files.validation import Prepared, prepare
from kollegan.notes.models import Note
from kollegan.questions.models import Question

Owner = Document | Adoption | Note | Question | Message
OWNER_FIELDS = ("document", "adoption", "note", "question", "message")

# Files stored inside a ``discard_on_error`` block, deleted if the block fails.
_stored_in_block: ContextVar[list[str] | None] = ContextVar("stored_in_block", default=None)


def owner_field(owner: Owner) -> str:
    for field, model in (
        ("document", Document),
        ("adoption", Adoption),
        ("note", Note),
        ("question", Question),
        ("message", Message),
    ):
        if isinstance(owner, model):
            return field
    raise TypeError(f"files cannot be attached to {type(owner).__name__}")


def owner_of(attachment: Attachment) -> Owner:
    return (
        attachment.document
        or attachment.adoption
        or attachment.note
        or attachment.question
        or attachment.message
    )


def owner_url(owner: Owner) -> str:
    """The page an attachment is shown on (an adoption's is its document's)."""
    if isinstance(owner, Adoption):
        return owner.document.get_absolute_url()
    if isinstance(owner, Message):
        return owner.conversation.get_absolute_url()
    return owner.get_absolute_url()


# --- Who may ------------------------------------------------------------------------------------


def may_see_owner(member: Member, owner: Owner) -> bool:
    if member is None or not member.is_authenticated or not member.is_active:
        return False
    if isinstance(owner, Adoption):
        owner = owner.document
    if isinstance(owner, Document):
        from kollegan.documents.selectors import document_for

        return document_for(member, owner.pk) is not None
    if isinstance(owner, Note):
        from kollegan.notes.selectors import note_for

        return note_for(member, owner.pk) is not None
    if isinstance(owner, Message):
        from kollegan.chat.selectors import conversation_for

        return not owner.is_deleted and conversation_for(member, owner.conversation_id) is not None
    from kollegan.questions.selectors import can_see

    return can_see(owner, member)


def may_see_attachment(member: Member, attachment: Attachment) -> bool:
    return may_see_owner(member, owner_of(attachment))


def _hidden(owner: Owner) -> bool:
    if isinstance(owner, Message):
        return owner.is_deleted
    document = owner.document if isinstance(owner, Adoption) else owner
    return document.is_hidden


def may_attach(member: Member, owner: Owner) -> bool:
    """Documents: whoever may edit them; an adoption: its organisation's members
    and moderators; notes: whoever may edit them; questions: the asker."""
    if not may_see_owner(member, owner) or _hidden(owner):
        return False
    if isinstance(owner, Document):
        from kollegan.documents.services import may_edit

        return may_edit(member, owner)
    if isinstance(owner, Adoption):
        return member.is_moderator or member.organisation_id == owner.organisation_id
    if isinstance(owner, Note):
        from kollegan.notes.services import may_edit

        return may_edit(member, owner)
    if isinstance(owner, Message):
        return owner.author_id == member.pk
    from kollegan.questions.services import is_writer

    return is_writer(member, owner)


def may_delete(member: Member, attachment: Attachment) -> bool:
    """The uploader, whoever manages the item (a document's owner, the adoption's
    organisation, a note's editors, the asker), and moderators."""
    owner = owner_of(attachment)
    if not may_see_owner(member, owner):
        return False
    if member.is_moderator:
        return True
    if _hidden(owner):
        return False
    if attachment.uploaded_by_id is not None and attachment.uploaded_by_id == member.pk:
        return True
    if isinstance(owner, Document):
        from kollegan.documents.services import may_manage

        return may_manage(member, owner)
    if isinstance(owner, Adoption):
        return member.organisation_id == owner.organisation_id
    if isinstance(owner, Note):
        from kollegan.notes.services import may_edit

        return may_edit(member, owner)
    if isinstance(owner, Message):
        return owner.author_id == member.pk
    from kollegan.questions.services import is_writer

    return is_writer(member, owner)


def _refusal_to_attach(owner: Owner) -> PermissionDenied:
    if _hidden(owner):
        return PermissionDenied(_("This has been hidden by a moderator and cannot be changed."))
    if isinstance(owner, Question):
        return PermissionDenied(_("Only the one who asked the question can attach files to it."))
    if isinstance(owner, Note):
        return PermissionDenied(
            _("Only the one who wrote the notes and moderators can attach files to them.")
        )
    if isinstance(owner, Adoption):
        return PermissionDenied(
            _("Only members of the organisation and moderators can attach its local variant.")
        )
    return PermissionDenied(_("You cannot attach files to this document."))


# --- Writing ------------------------------------------------------------------------------------


def attachment_prepare(*, upload: UploadedFile | None) -> Prepared:
    """Check an upload without storing anything (for forms that create the item
    and attach in one go: the file is checked before the item is written)."""
    return prepare(upload)


@contextmanager
def discard_on_error() -> Iterator[None]:
    """Around a transaction that stores files: if it fails (and so rolls back),
    the files stored inside are deleted too. Put it outside the atomic block."""
    names: list[str] = []
    token = _stored_in_block.set(names)
    try:
        yield
    except BaseException:
        storage = Attachment.file.field.storage
        for name in names:
            storage.delete(name)
        raise
    finally:
        _stored_in_block.reset(token)


def attachment_save(*, prepared: Prepared, owner: Owner, uploader: Member) -> Attachment:
    """Store a prepared file and write its row; no permission check (the callers
    make one, or create the item themselves). Anonymous questions keep no uploader."""
    anonymous = isinstance(owner, Question) and owner.is_anonymous
    storage = Attachment.file.field.storage
    name = storage.save(stored_name(None, prepared.name), File(prepared.content))
    pending = _stored_in_block.get()
    if pending is not None:
        pending.append(name)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                file=name,
                name=prepared.name,
                content_type=prepared.kind.content_type,
                size=prepared.size,
                text=prepared.text,
                uploaded_by=None if anonymous else uploader,
                **{owner_field(owner): owner},
            )
    except BaseException:
        storage.delete(name)
        raise
    finally:
        prepared.content.close()
    return attachment


def attachment_add(*, upload: UploadedFile, uploader: Member, owner: Owner) -> Attachment:
    """Check and attach a file. Refusals: PermissionDenied (may not attach here),
    ValidationError on "file" (a FileConfidentialityError, which is also the
    guard's ConfidentialityError, for a personal identity number in it)."""
    if not may_attach(uploader, owner):
        raise _refusal_to_attach(owner)
    prepared = prepare(upload)
    with discard_on_error():
        return attachment_save(prepared=prepared, owner=owner, uploader=uploader)


def attachment_delete(*, attachment: Attachment, member: Member) -> None:
    """Remove the row; its stored file goes after the commit (files.signals)."""
    if not may_delete(member, attachment):
        message = _(
            "Only the one who attached the file, the item's editors and moderators can remove it."
        )
        raise PermissionDenied(message)
    attachment.delete()
