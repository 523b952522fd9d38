"""Attachments: downloading one, attaching a file to an item, removing one.

The bytes are only ever sent from here, to members who may see the item, as a
download ("attachment"), with the type found when it was checked and headers
that stop a browser from running or guessing anything in it. Attaching is a
plain multipart form on the item's page (templates/files/_attach_form.html)
that comes back to the page, or to a short page saying what was wrong."""

import unicodedata
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kollegan.chat.models import Message
from kollegan.documents.models import Adoption, Document
from kollegan.files import selectors, services
from kollegan.files.models import Attachment
from kollegan.files.refusals import FIELD
from kollegan.files.uploads import capped_uploads
from kollegan.lib.validation import is_row_id
from kollegan.lib.views import next_url
from kollegan.notes.models import Note
from kollegan.questions.models import Question

# The item kinds in upload addresses, as members read them.
OWNER_KINDS: dict[str, type[services.Owner]] = {
    "dokument": Document,
    "variant": Adoption,
    "anteckning": Note,
    "fraga": Question,
    "meddelande": Message,
}
OWNER_KIND_OF = {model: kind for kind, model in OWNER_KINDS.items()}

# Nothing in a downloaded file may run, load or be framed, even if a browser
# were to show it instead of saving it.
DOWNLOAD_CSP = "default-src 'none'; sandbox"
# Members read these on shared municipal computers: nothing stays in the browser's cache.
DOWNLOAD_CACHE_CONTROL = "private, no-store"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name (å becomes a) and the real name
    in RFC 5987 form, which every current browser uses."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = "".join(
        char if char.isprintable() and char not in '"\\' else "_" for char in ascii_stem
    ).strip()
    fallback = f"{ascii_stem or 'fil'}{dot}{extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(attachment: Attachment) -> FileResponse:
    """The stored file as a download; the page view and the API send the same."""
    try:
        stored = attachment.file.storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(stored, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = DOWNLOAD_CACHE_CONTROL
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _attachment_for(request: HttpRequest, pk: int) -> Attachment:
    attachment = selectors.attachment_for(pk)
    if attachment is None or not services.may_see_attachment(request.user, attachment):
        raise Http404
    return attachment


def owner_for(member, kind: str, pk: int) -> services.Owner | None:
    """The item an upload address names, when the member may see it."""
    model = OWNER_KINDS.get(kind)
    if model is None or not is_row_id(pk):
        return None
    related = ("document",) if model is Adoption else ()
    owner = model.objects.select_related(*related).filter(pk=pk).first()
    if owner is None or not services.may_see_owner(member, owner):
        return None
    return owner


def _refused(
    request: HttpRequest, message: str, back: str, status: int, heading: str = ""
) -> HttpResponse:
    context = {"message": message, "back": back, "heading": heading}
    return render(request, "files/refused.html", context, status=status)


@require_safe
def download(request: HttpRequest, pk: int) -> FileResponse:
    return download_response(_attachment_for(request, pk))


@require_POST
@capped_uploads
def attach(request: HttpRequest, owner_kind: str, owner_id: int) -> HttpResponse:
    owner = owner_for(request.user, owner_kind, owner_id)
    if owner is None:
        raise Http404
    back = next_url(request, services.owner_url(owner))
    try:
        services.attachment_add(upload=request.FILES.get(FIELD), uploader=request.user, owner=owner)
    except PermissionDenied as refusal:
        return _refused(request, str(refusal), back, status=403)
    except ValidationError as error:
        codes = {item.code for item in getattr(error, "error_dict", {}).get(FIELD, [])}
        status = 413 if "too_large" in codes else 400
        return _refused(request, " ".join(error.messages), back, status=status)
    messages.success(request, _("The file is attached."))
    return redirect(back)


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment_for(request, pk)
    back = next_url(request, services.owner_url(services.owner_of(attachment)))
    try:
        services.attachment_delete(attachment=attachment, member=request.user)
    except PermissionDenied as refusal:
        heading = _("The file was not removed")
        return _refused(request, str(refusal), back, status=403, heading=heading)
    messages.success(request, _("The file is removed."))
    return redirect(back)
