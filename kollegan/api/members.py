"""/api/v1/members: the member directory for scripts, with the filters of Medarbetare.

Both operations call the selectors the HTML directory uses, so a filter means
the same thing here as on the page, and contact details follow the member's
own visibility choices in both."""

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from kollegan.accounts.models import Member
from kollegan.events import services as event_services
from kollegan.profiles import selectors
from kollegan.profiles.selectors import DEFAULT_SORT, DirectoryFilters

router = Router(tags=["members"])

PHOTO_SIZES = ("small", "medium", "large")


class MemberFilters(Schema):
    q: str = Field("", max_length=100, description="Part of the name or function")
    topic: str = Field("", max_length=80, description="Topic slug, e.g. barn-och-unga")
    organisation: str = Field("", max_length=60, description="Organisation slug, e.g. lycksele")
    unit: str = Field(
        "", max_length=120, description="Unit id, or a unit name matching it in every organisation"
    )
    label: str = Field("", max_length=70, description="Expertise label slug")
    sort: str = Field(DEFAULT_SORT, description="namn, organisation or nyast")
    page: int = Field(1, ge=1, description="Page number, 24 members a page")


class OrganisationRef(Schema):
    id: int
    name: str


class TagOut(Schema):
    slug: str
    name: str


class PhotoOut(Schema):
    small: str
    medium: str
    large: str


class MemberOut(Schema):
    id: int
    name: str
    title: str
    organisation: OrganisationRef
    unit: str | None
    town: str
    topics: list[TagOut]
    expertise: list[TagOut]
    phone: str | None = Field(None, description="Only when the member shows it to members")
    email: str | None = Field(None, description="Only when the member shows it to members")
    photo: PhotoOut | None


class MemberPage(Schema):
    count: int
    page: int
    pages: int
    results: list[MemberOut]


def member_out(member: Member) -> dict:
    """A member as the API shows them to another member (no queries: tags are attached)."""
    return {
        "id": member.pk,
        "name": member.name,
        "title": member.title,
        "organisation": {"id": member.organisation_id, "name": member.organisation.name},
        "unit": member.unit.name if member.unit_id else None,
        "town": member.town,
        "topics": [tag._asdict() for tag in member.topic_list],
        "expertise": [tag._asdict() for tag in member.label_list],
        "phone": selectors.visible_phone(member) or None,
        "email": selectors.visible_email(member) or None,
        "photo": {size: member.photo_url(size) for size in PHOTO_SIZES}
        if member.photo_key
        else None,
    }


def calendar_feed_url(member: Member) -> str | None:
    """The absolute address of the member's personal calendar subscription (for
    GET /me), or None when they have none: never made, or revoked.

    Reading it never creates one: a link is made only when the member asks for
    it on Min sida (``feed_renew``), since whoever holds it reads the member's
    calendar, group events included, without logging in. A script that only
    looks at /me must not leave such a link behind.

    No query when the member came with their calendar settings joined (the API
    token lookup does that); one otherwise (a browser session)."""
    if Member.calendar_settings.is_cached(member):
        found = getattr(member, "calendar_settings", None)
        secret = found.feed_secret if found is not None else ""
        token = event_services.feed_token(member.pk, secret) if secret else None
    else:
        token = event_services.feed_path_token(member)
    if token is None:
        return None
    return settings.SITE_URL + reverse("events:feed", args=[member.pk, token])


@router.get("", response=MemberPage, summary="Active members, filtered like Medarbetare")
def list_members(request: HttpRequest, filters: Query[MemberFilters]) -> dict:
    chosen = DirectoryFilters.from_params(
        filters.dict(),
        {
            "search": "q",
            "topic": "topic",
            "organisation": "organisation",
            "unit": "unit",
            "label": "label",
            "sort": "sort",
        },
    )
    page = selectors.directory_page(filters.page, chosen)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [member_out(member) for member in page.object_list],
    }


@router.get("/{int:member_id}", response=MemberOut, summary="One active member")
def get_member(request: HttpRequest, member_id: int) -> dict:
    member = selectors.directory_member(member_id)
    if member is None:
        raise Http404
    return member_out(member)
