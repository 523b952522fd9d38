"""/api/v1/documents: Dokument for scripts.

The operations call the services and selectors the pages use: every member sees
every document a moderator has not hidden (a hidden one is 404, as if it did not
exist), any member may save a new version unless the document is archived, and
the confidentiality guard reads every title, text and change note. The list is
paged by a cursor, latest changed first, like the notes: ``next_cursor`` goes
back as ``cursor``. A document's history is paged the same way: the document
carries its newest HISTORY_PAGE_SIZE versions and ``versions_next_cursor``;
GET /documents/{id}/versions?cursor=… gives the older ones.

Saving is optimistic: send the version number the new text was based on as
``base_version``. When someone else has saved since, nothing is written and the
answer is 409 with the current version's number and text, so a script can merge
and send again; a save that changes nothing is 422.

Refusals come back as JSON from the handlers in kollegan.api.api: the guard's
findings (422), django ValidationError (422, by field), PermissionDenied (403).
A broken cursor is 400: the request, not its data, is wrong. Files are attached
and downloaded through /api/v1/files."""

from collections.abc import Callable
from datetime import date, datetime
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kollegan.accounts.models import Member
from kollegan.documents import selectors, services
from kollegan.documents.models import Adoption, Document, DocumentVersion
from kollegan.events.api import RowId
from kollegan.files.api import AttachmentOut, attachment_out
from kollegan.files.models import Attachment
from kollegan.files.selectors import attachments_for
from kollegan.lib.html import url_maker
from kollegan.lib.validation import field_error
from kollegan.questions.api import MAX_TOPIC_SLUGS, Out, Ref
from kollegan.questions.services import topics_from_slugs

router = Router(tags=["documents"])

CONFIRM_DESCRIPTION = (
    "Set after a 422 with needs_confirmation: the phone numbers, addresses or e-mail "
    "addresses found are not a client's. Never allows an identity number."
)
KIND_DESCRIPTION = "guideline, routine, template, knowledge or other"
STATUS_DESCRIPTION = "draft, consultation (out for comments), adopted or archived"
# The selector's refusals of a filter, said about the parameter that was wrong.
_FILTER_FIELDS = {"kind_unknown": "kind", "status_unknown": "status"}


# --- What comes in ------------------------------------------------------------------------------


class DocumentPageParams(Schema):
    # No length limit on the cursor: a damaged one is a 400 with an explanation, not a 422.
    cursor: str = Field("", description="next_cursor from the page before; empty for the newest")
    topic: str = Field("", max_length=80, description="Topic slug, e.g. barn-och-unga")
    kind: str = Field("", max_length=20, description=KIND_DESCRIPTION)
    status: str = Field(
        "",
        max_length=20,
        description=f"{STATUS_DESCRIPTION}; archived documents are listed only when asked for",
    )


class VersionPageParams(Schema):
    cursor: str = Field("", description="versions_next_cursor or next_cursor from before")


class DocumentIn(Schema):
    # No max_length on the texts: the service checks lengths and says so in Swedish.
    title: str
    body: str = Field(description="Markdown")
    kind: str = Field(description=KIND_DESCRIPTION)
    status: str = Field("draft", description=f"{STATUS_DESCRIPTION} (not archived)")
    topics: list[str] = Field(
        default_factory=list, max_length=MAX_TOPIC_SLUGS, description="Topic slugs; may be empty"
    )
    change_note: str = Field("", description="What version 1 is, e.g. Första utkast")
    confirmed: bool = Field(False, description=CONFIRM_DESCRIPTION)
    confirm_identifying_details: bool = Field(False, description="The same as confirmed")


class VersionIn(Schema):
    title: str | None = Field(None, description="The new title; left out, the title stays")
    body: str = Field(description="The whole new text, Markdown")
    base_version: RowId = Field(
        description="The version number the new text was based on (version in GET)"
    )
    change_note: str = Field("", description="What changed and why, in a line")
    kind: str | None = Field(None, description=f"A new type ({KIND_DESCRIPTION}); left out, stays")
    topics: list[str] | None = Field(
        None, max_length=MAX_TOPIC_SLUGS, description="New topic slugs; left out, they stay"
    )
    confirmed: bool = Field(False, description=CONFIRM_DESCRIPTION)
    confirm_identifying_details: bool = Field(False, description="The same as confirmed")


# --- What goes out ------------------------------------------------------------------------------


class Detail(Out):
    detail: str


class DocumentSummary(Out):
    id: int
    title: str
    kind: str = Field(description=KIND_DESCRIPTION)
    status: str = Field(description=STATUS_DESCRIPTION)
    owner: Ref
    topics: list[str] = Field(description="Topic slugs")
    version: int = Field(description="The current version's number: base_version for a save")
    created_at: datetime
    updated_at: datetime = Field(description="When the current version was saved")
    updated_by: Ref
    comment_count: int
    url: str


class DocumentPageOut(Out):
    items: list[DocumentSummary]
    next_cursor: str | None = Field(description="Send as cursor for the next page; null at the end")


class VersionSummary(Out):
    number: int
    title: str
    author: Ref
    created_at: datetime
    change_note: str
    restored_from: int | None = Field(description="The version whose text this one brought back")
    url: str


class VersionOut(VersionSummary):
    document_id: int
    body: str = Field(description="Markdown, the whole text as it was saved")


class VersionPageOut(Out):
    items: list[VersionSummary]
    next_cursor: str | None = Field(
        description="Send as cursor for older versions; null at the end"
    )


class AdoptionOut(Out):
    organisation: Ref
    status: str = Field(
        description="adopted, variant (adopted with a local variant) or not_adopted"
    )
    decided_on: date | None
    decided_by: str = Field(description="The body that decided, e.g. Socialnämnden")
    variant_url: str = Field(description="Link to the local variant; empty for none")
    version_number: int | None = Field(description="The version decided on, when known")
    recorded_by: Ref
    updated_at: datetime
    attachments: list[AttachmentOut] = Field(description="The local variant as files")


class DocumentOut(DocumentSummary):
    body: str = Field(description="Markdown, the current version's text")
    body_html: str
    can_edit: bool = Field(description="Whether the caller may save a new version")
    versions: list[VersionSummary] = Field(description="The newest versions first")
    versions_next_cursor: str | None = Field(
        description="cursor for GET /documents/{id}/versions: the older versions; null if none"
    )
    attachments: list[AttachmentOut] = Field(description="As in GET /files/{id}")
    adoptions: list[AdoptionOut] = Field(
        description="The organisations that recorded a decision, by name; the others have none"
    )


class CurrentText(Out):
    title: str
    body: str
    updated_at: datetime
    updated_by: Ref


class YourText(Out):
    title: str
    body: str


class StaleOut(Out):
    detail: str
    base_version: int = Field(description="The version your text was based on")
    current_version: int = Field(description="Send this as base_version once merged")
    current: CurrentText = Field(description="The current version, to merge with")
    yours: YourText = Field(description="What you sent, which was not saved")


# --- Building responses ------------------------------------------------------------------------


@cache
def _document_path() -> Callable[[int], str]:
    # Made on first use: this module is imported while the URLconf is loading.
    return url_maker("documents:detail")


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _ref(member: Member) -> dict:
    return {"id": member.pk, "name": member.name}


def document_summary(document: Document) -> dict:
    """A document as the list shows it; people and topics must be loaded (documents_page does)."""
    return {
        "id": document.pk,
        "title": document.title,
        "kind": document.kind,
        "status": document.status,
        "owner": _ref(document.owner),
        "topics": [topic.slug for topic in document.topics.all()],
        "version": document.version_number,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
        "updated_by": _ref(document.updated_by),
        "comment_count": document.comment_count,
        "url": _absolute(_document_path()(document.pk)),
    }


def _version_summary(version: DocumentVersion, url: Callable[[int], str]) -> dict:
    return {
        "number": version.number,
        "title": version.title,
        "author": _ref(version.author),
        "created_at": version.created_at,
        "change_note": version.change_note,
        "restored_from": version.restored_from,
        "url": _absolute(url(version.number)),
    }


def _version_url(document_id: int) -> Callable[[int], str]:
    """A version's page address from its number: reverse() once per document."""
    return url_maker("documents:version", document_id)


def version_out(version: DocumentVersion) -> dict:
    return {
        **_version_summary(version, _version_url(version.document_id)),
        "document_id": version.document_id,
        "body": version.body,
    }


def _adoption(adoption: Adoption, files: list[Attachment]) -> dict:
    return {
        "organisation": {"id": adoption.organisation.pk, "name": adoption.organisation.name},
        "status": adoption.status,
        "decided_on": adoption.decided_on,
        "decided_by": adoption.decided_by,
        "variant_url": adoption.variant_url,
        "version_number": adoption.version_number,
        "recorded_by": _ref(adoption.recorded_by),
        "updated_at": adoption.updated_at,
        "attachments": [attachment_out(attachment) for attachment in files],
    }


def document_out(document: Document, member: Member) -> dict:
    """The whole document as one member may see it: a fixed number of queries
    however long its history (the newest page of versions only)."""
    history = selectors.versions_page(document)
    url = _version_url(document.pk)
    adoptions = []
    for organisation, adoption in selectors.adoption_table(document):
        if adoption is not None:
            adoption.organisation = organisation
            adoptions.append(adoption)
    variant_files = attachments_for("adoption", [adoption.pk for adoption in adoptions])
    return {
        **document_summary(document),
        "body": document.body,
        "body_html": str(document.html),
        "can_edit": services.may_edit(member, document),
        "versions": [_version_summary(version, url) for version in history.items],
        "versions_next_cursor": history.next_cursor or None,
        "attachments": [
            attachment_out(attachment)
            for attachment in attachments_for("document", [document.pk]).get(document.pk, [])
        ],
        "adoptions": [
            _adoption(adoption, variant_files.get(adoption.pk, [])) for adoption in adoptions
        ],
    }


def _stale(error: services.StaleEditError, data: VersionIn, title: str) -> Status:
    current = error.document
    if current is None:
        raise Http404
    message = _(
        "Someone saved version %(number)d while you were writing, so your text was not "
        "saved. Merge your changes into the current text and send it again with "
        "base_version %(number)d."
    ) % {"number": current.version_number}
    return Status(
        409,
        {
            "detail": message,
            "base_version": error.base_version,
            "current_version": current.version_number,
            "current": {
                "title": current.title,
                "body": current.body,
                "updated_at": current.updated_at,
                "updated_by": _ref(current.updated_by),
            },
            "yours": {"title": title, "body": data.body},
        },
    )


# --- Getters that check who may see ---------------------------------------------------------------


def _document_for(member: Member, document_id: int) -> Document:
    """The document, or 404 when it does not exist or a moderator has hidden it."""
    document = selectors.document_for(member, document_id)
    if document is None:
        raise Http404
    return document


# --- Operations ---------------------------------------------------------------------------------


@router.get(
    "/documents",
    response={200: DocumentPageOut, 400: Detail},
    url_name="list_documents",
    summary="Documents, latest changed first, 25 a page",
    description="Filtered by topic, type and status like Dokument; archived documents only "
    "with status=archived.",
)
def list_documents(request: HttpRequest, params: Query[DocumentPageParams]) -> dict | Status:
    try:
        page = selectors.documents_page(
            request.auth,
            topic=params.topic.strip(),
            kind=params.kind.strip(),
            status=params.status.strip(),
            cursor=params.cursor.strip(),
        )
    except ValidationError as error:
        code = getattr(error, "code", None)
        if code == "bad_cursor":
            return Status(400, {"detail": " ".join(error.messages)})
        if code in _FILTER_FIELDS:
            raise field_error(_FILTER_FIELDS[code], " ".join(error.messages), code) from None
        raise
    return {
        "items": [document_summary(document) for document in page.items],
        "next_cursor": page.next_cursor or None,
    }


@router.post(
    "/documents",
    response={201: DocumentOut},
    url_name="create_document",
    summary="Write a document (its version 1)",
    description="The caller becomes its owner.",
)
def create_document(request: HttpRequest, data: DocumentIn) -> Status:
    member = request.auth
    document = services.document_create(
        author=member,
        title=data.title,
        body=data.body,
        kind=data.kind.strip(),
        status=data.status.strip(),
        topics=topics_from_slugs(data.topics),
        change_note=data.change_note,
        confirmed=data.confirmed or data.confirm_identifying_details,
    )
    return Status(201, document_out(_document_for(member, document.pk), member))


@router.get(
    "/documents/{int:document_id}",
    response=DocumentOut,
    url_name="get_document",
    summary="One document with its text, newest versions, files and adoptions",
)
def get_document(request: HttpRequest, document_id: int) -> dict:
    member = request.auth
    return document_out(_document_for(member, document_id), member)


@router.get(
    "/documents/{int:document_id}/versions",
    response={200: VersionPageOut, 400: Detail},
    url_name="list_versions",
    summary=f"A document's versions, newest first, {selectors.HISTORY_PAGE_SIZE} a page",
)
def list_versions(
    request: HttpRequest, document_id: int, params: Query[VersionPageParams]
) -> dict | Status:
    document = _document_for(request.auth, document_id)
    try:
        page = selectors.versions_page(document, cursor=params.cursor.strip())
    except ValidationError as error:
        return Status(400, {"detail": " ".join(error.messages)})
    url = _version_url(document.pk)
    return {
        "items": [_version_summary(version, url) for version in page.items],
        "next_cursor": page.next_cursor or None,
    }


@router.post(
    "/documents/{int:document_id}/versions",
    response={201: VersionOut, 409: StaleOut},
    url_name="create_version",
    summary="Save a new version",
    description="409 when base_version is no longer the current version: nothing is saved, and "
    "the answer holds the current text to merge with. 422 when nothing changed.",
)
def create_version(request: HttpRequest, document_id: int, data: VersionIn) -> Status:
    member = request.auth
    document = _document_for(member, document_id)
    title = document.title if data.title is None else data.title
    try:
        version = services.document_save(
            document=document,
            editor=member,
            title=title,
            body=data.body,
            base_version=data.base_version,
            change_note=data.change_note,
            topics=None if data.topics is None else topics_from_slugs(data.topics),
            kind=None if data.kind is None else data.kind.strip(),
            confirmed=data.confirmed or data.confirm_identifying_details,
        )
    except services.StaleEditError as error:
        return _stale(error, data, title)
    return Status(201, version_out(version))


@router.get(
    "/documents/{int:document_id}/versions/{int:number}",
    response=VersionOut,
    url_name="get_version",
    summary="One version with its whole text",
)
def get_version(request: HttpRequest, document_id: int, number: int) -> dict:
    version = selectors.version_of(_document_for(request.auth, document_id), number)
    if version is None:
        raise Http404
    return version_out(version)
