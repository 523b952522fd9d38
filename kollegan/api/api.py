"""Kollegan's REST API, version 1. Later resources add their routers here and
call the same service functions as the HTML views."""

from functools import wraps

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as RefusedInput
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from kollegan.accounts import mfa
from kollegan.api.services import api_token_member
from kollegan.chat.services import RateLimited
from kollegan.feed.services import AlreadyLiked
from kollegan.lib.guard import ConfidentialityError


class MFASetupPending(Exception):
    """The member must set up two-factor login first (kollegan.accounts.mfa)."""


def _refuse_if_mfa_setup_pending(member):
    # Tokens too: the administrators' requirement is about the member, and a token
    # made before it would otherwise be a way around it.
    if member is not None and mfa.setup_pending(member):
        raise MFASetupPending
    return member


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        member = _refuse_if_mfa_setup_pending(api_token_member(token))
        if member is not None:
            request.user = member
        return member


class MemberSession(SessionAuth):
    """The logged-in browser session, for htmx and same-site scripts (CSRF checked)."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return _refuse_if_mfa_setup_pending(user if user is not None and user.is_active else None)


def _unauthorized_response() -> JsonResponse:
    response = JsonResponse({"detail": _("Log in or send a valid API token.")}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="kollegan"'
    return response


def _members_only(view):
    """The OpenAPI document is for members too: visitors learn nothing here."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, secret = header.partition(" ")
        member = None
        if scheme.lower() == "bearer" and secret:
            member = api_token_member(secret.strip())
        elif request.user.is_authenticated and request.user.is_active:
            member = request.user
        if member is None:
            return _unauthorized_response()
        if mfa.setup_pending(member):
            return mfa.api_refusal()
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="Digitala kollegan API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), MemberSession()],
    docs_url=None,  # the interactive docs load scripts from a CDN; the JSON is enough
    docs_decorator=_members_only,
)


@api.exception_handler(AuthenticationError)
def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _unauthorized_response()


@api.exception_handler(MFASetupPending)
def _on_mfa_setup_pending(request: HttpRequest, exc: MFASetupPending) -> HttpResponse:
    return mfa.api_refusal()


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(ValidationError)
def _on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("The request contains invalid data."), "errors": exc.errors},
        status=422,
    )


# The services' refusals, the same ones the pages show as form errors and 403s.


@api.exception_handler(PermissionDenied)
def _on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or _("You are not allowed to do that.")}, status=403
    )


@api.exception_handler(RefusedInput)
def _on_refused(request: HttpRequest, exc: RefusedInput) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    return api.create_response(
        request, {"detail": " ".join(exc.messages), "errors": errors}, status=422
    )


@api.exception_handler(RateLimited)
def _on_flood(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": " ".join(exc.messages)}, status=429)
    response["Retry-After"] = str(settings.CHAT_RATE_SECONDS)
    return response


# More specific than RefusedInput (a subclass of it): ninja picks the handler by the
# exception's MRO, so a second like is a conflict, not invalid data.
@api.exception_handler(AlreadyLiked)
def _on_conflict(request: HttpRequest, exc: AlreadyLiked) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)


@api.exception_handler(ConfidentialityError)
def _on_confidential(request: HttpRequest, exc: ConfidentialityError) -> HttpResponse:
    result = exc.result
    if result.blocked:
        detail = _(
            "The text contains a personal identity number or coordination number, which can "
            "never be published here. Remove it."
        )
    else:
        detail = _(
            "The text may contain details that identify a client. Remove them, or send it "
            "again with confirm_identifying_details set to true if they are not a client's."
        )
    findings = [
        {
            "kind": finding.kind,
            "label": finding.label,
            # Masked: an identity number is never repeated in full, not even to its writer.
            "text": finding.shown,
            "explanation": finding.explanation,
            "blocking": finding.blocking,
        }
        for finding in result.findings
    ]
    return api.create_response(
        request,
        {
            "detail": detail,
            "confidentiality": findings,
            # Whether confirming would let the text through.
            "needs_confirmation": result.needs_confirmation and not result.blocked,
        },
        status=422,
    )


class OrganisationOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    name: str
    email: str
    role: str
    title: str
    town: str
    language: str
    organisation: OrganisationOut
    unit: str | None
    calendar_feed_url: str | None = Field(
        description="The personal calendar subscription address (Min sida); null when the "
        "member has none. Reading it never creates one."
    )


@api.get("/me", response=MeOut, summary="The member the token or session belongs to")
def me(request: HttpRequest) -> dict:
    from kollegan.api.members import calendar_feed_url

    member = request.auth
    return {
        "id": member.pk,
        "name": member.name,
        "email": member.email,
        "role": member.role,
        "title": member.title,
        "town": member.town,
        "language": member.language,
        "organisation": {"id": member.organisation_id, "name": member.organisation.name},
        "unit": member.unit.name if member.unit_id else None,
        "calendar_feed_url": calendar_feed_url(member),
    }


# Resources with routers of their own; imported here, once `api` exists.
from kollegan.api.members import router as members_router  # noqa: E402
from kollegan.chat.api import router as chat_router  # noqa: E402
from kollegan.documents.api import router as documents_router  # noqa: E402
from kollegan.events.api import router as events_router  # noqa: E402
from kollegan.feed.api import router as feed_router  # noqa: E402
from kollegan.files.api import router as files_router  # noqa: E402
from kollegan.notes.api import router as notes_router  # noqa: E402
from kollegan.notifications.api import router as notifications_router  # noqa: E402
from kollegan.questions.api import router as questions_router  # noqa: E402
from kollegan.search.api import router as search_router  # noqa: E402

api.add_router("/members", members_router)
api.add_router("/", questions_router)  # /questions and /answers
api.add_router("/", feed_router)  # /posts and /feed
api.add_router("/", events_router)  # /events
api.add_router("/", notes_router)  # /notes
api.add_router("/", notifications_router)  # /notifications and /subscriptions
api.add_router("/", documents_router)  # /documents
api.add_router("/", files_router)  # /files
api.add_router("/", search_router)  # /search
api.add_router("/", chat_router)  # /conversations
