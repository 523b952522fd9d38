"""Reading members for the directory (Medarbetare) and the members API.

The HTML view and ``/api/v1/members`` both call :func:`directory_page` with a
:class:`DirectoryFilters`, so a filter means the same thing in both places."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from kollegan.accounts.models import ExpertiseLabel, Member, Organisation, Unit, Visibility
from kollegan.topics.models import Topic

DIRECTORY_PAGE_SIZE = 24

# sort parameter -> ORDER BY. Each ends in the primary key so pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "namn": ("name", "pk"),
    "organisation": ("organisation__name", "name", "pk"),
    "nyast": ("-date_joined", "-pk"),
}
DEFAULT_SORT = "namn"

_LIMITS = {"search": 100, "topic": 80, "organisation": 60, "unit": 120, "label": 70, "sort": 20}


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory is narrowed to. Empty strings mean "no filter".

    ``unit`` is a unit's id (one unit) or its name (that unit in every
    organisation, e.g. every "Familjerätt")."""

    search: str = ""
    topic: str = ""
    organisation: str = ""
    unit: str = ""
    label: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params: Mapping[str, str], names: Mapping[str, str]) -> "DirectoryFilters":
        """Read the filters from query parameters; ``names`` maps field -> parameter name.

        Values are trimmed and cut to a sane length; an unknown sort falls back
        to the default instead of failing, so an old shared link keeps working."""
        values = {}
        for field, param in names.items():
            value = (params.get(param) or "").strip()[: _LIMITS[field]]
            values[field] = value
        if values.get("sort") not in SORTS:
            values["sort"] = DEFAULT_SORT
        return cls(**values)

    @property
    def narrowing(self) -> dict[str, str]:
        """The filters in use (everything except the sort order)."""
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if field.name != "sort" and getattr(self, field.name)
        }

    @property
    def unit_pk(self) -> int | None:
        """The unit filter as an id, or None when it is a name (or empty)."""
        unit = self.unit
        if unit.isascii() and unit.isdigit() and len(unit) <= 18:
            return int(unit)
        return None

    def without(self, name: str) -> "DirectoryFilters":
        return replace(self, **{name: ""})


# Table names come from the models and the ids are passed as parameters.
_TOPIC_TAGS_SQL = (
    "SELECT link.member_id, topic.slug, topic.name "  # noqa: S608
    f"FROM {Member.topics.through._meta.db_table} link "
    f"JOIN {Topic._meta.db_table} topic ON topic.id = link.topic_id "
    "WHERE link.member_id IN ({ids}) ORDER BY topic.position, topic.name"
)
_LABEL_TAGS_SQL = (
    "SELECT link.member_id, label.slug, label.name "  # noqa: S608
    f"FROM {Member.expertise.through._meta.db_table} link "
    f"JOIN {ExpertiseLabel._meta.db_table} label ON label.id = link.expertiselabel_id "
    "WHERE link.member_id IN ({ids}) ORDER BY label.name"
)


class Tag(NamedTuple):
    """A topic or expertise label as a card and the API show it."""

    slug: str
    name: str


def directory_members(filters: DirectoryFilters | None = None) -> QuerySet:
    """Active members matching ``filters``, joined with organisation and unit.

    Topics and labels are not prefetched here: :func:`attach_tags` adds them to
    one page of members in two light queries."""
    filters = filters or DirectoryFilters()
    members = (
        Member.objects.active()
        .select_related("organisation", "unit")
        .defer("about", "password")
        .order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))
    )
    if filters.search:
        members = members.filter(
            Q(name__icontains=filters.search) | Q(title__icontains=filters.search)
        )
    if filters.topic:
        members = members.filter(topics__slug=filters.topic)
    if filters.organisation:
        members = members.filter(organisation__slug=filters.organisation)
    if filters.unit:
        if filters.unit_pk is not None:
            members = members.filter(unit_id=filters.unit_pk)
        else:
            members = members.filter(unit__name__iexact=filters.unit)
    if filters.label:
        members = members.filter(expertise__slug=filters.label)
    return members


def attach_tags(members: Iterable[Member]) -> list[Member]:
    """Give each member ``topic_list`` and ``label_list`` (lists of :class:`Tag`).

    Two plain SQL queries whatever the number of members (none for no members).
    A directory page shows only slug and name; prefetch_related built model
    instances for them and compiled two ORM queries, which was a third of the
    page's time at national scale."""
    members = list(members)
    by_id = {member.pk: member for member in members}
    for member in members:
        member.topic_list = []
        member.label_list = []
    if not by_id:
        return members
    placeholders = ", ".join(["%s"] * len(by_id))
    for attr, sql in (
        ("topic_list", _TOPIC_TAGS_SQL.format(ids=placeholders)),
        ("label_list", _LABEL_TAGS_SQL.format(ids=placeholders)),
    ):
        with connection.cursor() as cursor:
            cursor.execute(sql, list(by_id))
            for member_id, slug, name in cursor.fetchall():
                getattr(by_id[member_id], attr).append(Tag(slug, name))
    return members


def directory_page(number: str | int | None, filters: DirectoryFilters | None = None) -> Page:
    """One page of the directory, its members with their tags attached.

    A page number out of range gives the nearest page. Five queries at most:
    count, page, topics, labels (and none of the last three for no members)."""
    page = Paginator(directory_members(filters), DIRECTORY_PAGE_SIZE).get_page(number)
    page.object_list = attach_tags(page.object_list)
    return page


def visible_phone(member: Member) -> str:
    """The member's phone number if they show it to members, else ""."""
    return member.phone if member.phone_visibility == Visibility.MEMBERS else ""


def visible_email(member: Member) -> str:
    """The member's e-mail address if they show it to members, else ""."""
    return member.email if member.email_visibility == Visibility.MEMBERS else ""


def directory_member(pk: int) -> Member | None:
    """One active member, loaded like a directory card, or None."""
    # No ORDER BY: with one, SQLite may walk the name index to find one id.
    member = directory_members().filter(pk=pk).order_by().first()
    return attach_tags([member])[0] if member is not None else None


# --- What the filter form offers (one query each) ------------------------------------------


def filter_topics() -> list[tuple[str, str]]:
    """(slug, name) of the topics in use."""
    return list(Topic.objects.filter(is_active=True).values_list("slug", "name"))


def filter_organisations() -> list[tuple[str, str]]:
    """(slug, name) of every organisation."""
    return list(Organisation.objects.values_list("slug", "name"))


def filter_units(organisation: str = "") -> list[tuple[int, str, str]]:
    """(id, name, organisation name) of the units to offer, in organisation order.

    With an organisation chosen only its units; otherwise every unit, for the
    form to group by organisation."""
    units = Unit.objects.order_by("organisation__name", "name")
    if organisation:
        units = units.filter(organisation__slug=organisation)
    return list(units.values_list("pk", "name", "organisation__name"))


def filter_labels() -> list[tuple[str, str]]:
    """(slug, name) of the expertise labels at least one active member has chosen."""
    in_use = Member.objects.active().filter(expertise=OuterRef("pk"))
    return list(ExpertiseLabel.objects.filter(Exists(in_use)).values_list("slug", "name"))


def newest_members(*, limit: int) -> list[Member]:
    return list(
        Member.objects.active().select_related("organisation").order_by("-date_joined")[:limit]
    )


# --- The profile page and the profile form --------------------------------------------------

# Enough for the <datalist> to suggest what colleagues use most; beyond this the
# list only grows the page.
LABEL_SUGGESTIONS_LIMIT = 500


def profile_member(pk: int) -> Member | None:
    """One active member with everything the profile page shows: three queries
    (member with organisation and unit, topics, labels) however much they chose."""
    return (
        Member.objects.active()
        .select_related("organisation", "unit")
        .prefetch_related("topics", "expertise")
        .filter(pk=pk)
        .first()
    )


def expertise_label_suggestions(*, limit: int = LABEL_SUGGESTIONS_LIMIT) -> list[str]:
    """Names of the labels members use, the most used first, for autocompletion."""
    return list(
        ExpertiseLabel.objects.annotate(uses=Count("members"))
        .filter(uses__gt=0)
        .order_by("-uses", "name")
        .values_list("name", flat=True)[:limit]
    )
