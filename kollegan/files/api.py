"""/api/v1/files: attaching files to documents, adoptions, meeting notes and
questions, reading their details, downloading and removing them.

The same services and rules as the pages: a file is checked by its content,
and refused (422, the message under ``errors.file``) when it is of a type that
cannot be attached, too large, damaged, a possible zip bomb or holds a personal
identity number. A file or item the caller may not see is 404; one they see but
may not change is 403. Nobody's name is ever given: a question's files, like
an anonymous question, have no uploader to show."""

from datetime import datetime
from functools import cache

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from kollegan.chat.models import Message
from kollegan.documents.models import Adoption, Document
from kollegan.files import selectors, services
from kollegan.files.models import Attachment
from kollegan.files.uploads import capped_api_uploads
from kollegan.files.views import download_response
from kollegan.lib.html import url_maker
from kollegan.lib.validation import ID_MAX, field_error
from kollegan.notes.models import Note
from kollegan.questions.api import Out
from kollegan.questions.models import Question

router = Router(tags=["files"])

OWNER_TYPES: dict[str, type[services.Owner]] = {
    "document": Document,
    "adoption": Adoption,
    "note": Note,
    "question": Question,
    "message": Message,
}


class AttachmentOut(Out):
    id: int
    name: str
    content_type: str
    size: int
    created_at: datetime
    owner_type: str
    owner_id: int
    url: str
    download_url: str


@cache
def _paths():
    # Made on first use: this module is imported while the URLconf is loading.
    return url_maker("files:download"), url_maker("api:download_file")


def attachment_out(attachment: Attachment) -> dict:
    page, api = _paths()
    owner_type = next(field for field in OWNER_TYPES if getattr(attachment, f"{field}_id"))
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "created_at": attachment.created_at,
        "owner_type": owner_type,
        "owner_id": getattr(attachment, f"{owner_type}_id"),
        "url": f"{settings.SITE_URL}{page(attachment.pk)}",
        "download_url": f"{settings.SITE_URL}{api(attachment.pk)}",
    }


def _attachment_for(member, attachment_id: int) -> Attachment:
    attachment = selectors.attachment_for(attachment_id)
    if attachment is None or not services.may_see_attachment(member, attachment):
        raise Http404
    return attachment


def _owner_for(member, owner_type: str, owner_id: int) -> services.Owner:
    model = OWNER_TYPES.get(owner_type.strip())
    if model is None:
        message = _("Choose what to attach the file to: %(types)s.") % {
            "types": ", ".join(OWNER_TYPES)
        }
        raise field_error("owner_type", message, "owner_type_unknown")
    related = ("document",) if model is Adoption else ()
    owner = model.objects.select_related(*related).filter(pk=owner_id).first()
    if owner is None or not services.may_see_owner(member, owner):
        raise Http404
    return owner


@router.post(
    "/files",
    response={201: AttachmentOut},
    url_name="create_file",
    summary="Attach a file",
    description=(
        "multipart/form-data with file, owner_type (document, adoption, note or question) "
        "and owner_id. PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, TXT, PNG and JPEG, checked by "
        "content; the size limit is FILES_MAX_BYTES (25 MB by default). The author's name is "
        "removed from the file's metadata."
    ),
)
@decorate_view(capped_api_uploads)
def create_file(
    request: HttpRequest,
    file: File[UploadedFile],
    owner_type: str = Form(..., max_length=20),
    owner_id: int = Form(..., gt=0, le=ID_MAX),
) -> Status:
    member = request.auth
    owner = _owner_for(member, owner_type, owner_id)
    attachment = services.attachment_add(upload=file, uploader=member, owner=owner)
    return Status(201, attachment_out(attachment))


@router.get(
    "/files/{int:attachment_id}",
    response=AttachmentOut,
    url_name="get_file",
    summary="One attached file's details",
)
def get_file(request: HttpRequest, attachment_id: int) -> dict:
    return attachment_out(_attachment_for(request.auth, attachment_id))


@router.get(
    "/files/{int:attachment_id}/download",
    url_name="download_file",
    summary="Download an attached file",
    description="The bytes as stored, with Content-Disposition: attachment.",
)
def download_file(request: HttpRequest, attachment_id: int) -> FileResponse:
    return download_response(_attachment_for(request.auth, attachment_id))


@router.delete(
    "/files/{int:attachment_id}",
    response={204: None},
    url_name="delete_file",
    summary="Remove an attached file",
)
def delete_file(request: HttpRequest, attachment_id: int) -> Status:
    member = request.auth
    services.attachment_delete(attachment=_attachment_for(member, attachment_id), member=member)
    return Status(204, None)
