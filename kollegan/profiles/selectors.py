from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from kollegan.accounts.models import Member

DIRECTORY_PAGE_SIZE = 24


def directory_members(*, search: str = "", topic: str = "", organisation: str = "") -> QuerySet:
    members = (
        Member.objects.active()
        .select_related("organisation", "unit")
        .prefetch_related("topics")
        .order_by("name", "pk")
    )
    if search:
        members = members.filter(name__icontains=search)
    if topic:
        members = members.filter(topics__slug=topic)
    if organisation:
        members = members.filter(organisation__slug=organisation)
    return members


def directory_page(number: str | int | None, **filters: str) -> Page:
    return Paginator(directory_members(**filters), DIRECTORY_PAGE_SIZE).get_page(number)


def newest_members(*, limit: int) -> list[Member]:
    return list(
        Member.objects.active().select_related("organisation").order_by("-date_joined")[:limit]
    )
