"""Kollegan's REST API, version 1. Later resources add their routers here and
call the same service functions as the HTML views."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer, SessionAuth

from kollegan.api.services import api_token_member


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        member = api_token_member(token)
        if member is not None:
            request.user = member
        return member


class MemberSession(SessionAuth):
    """The logged-in browser session, for htmx and same-site scripts (CSRF checked)."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


def _members_only(view):
    """The OpenAPI document is for members too: visitors learn nothing here."""
    from functools import wraps

    from django.http import JsonResponse

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
            return JsonResponse({"detail": _("Log in or send a valid API token.")}, status=401)
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


@api.get("/me", response=MeOut, summary="The member the token or session belongs to")
def me(request: HttpRequest) -> dict:
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
    }
