"""Medarbetare: the member directory, to find who knows what.

Every filter lives in the query string, so a filtered list is a link one can
share ("who in Lycksele can adoption investigations"). The page works without
JavaScript; with htmx the form swaps only the filters and the list."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from kollegan.lib.phone import dial_digits
from kollegan.profiles import selectors
from kollegan.profiles.selectors import DirectoryFilters

# DirectoryFilters field -> query parameter (Swedish, as members see them in links).
PARAMS = {
    "search": "q",
    "topic": "amne",
    "organisation": "organisation",
    "unit": "verksamhet",
    "label": "etikett",
    "sort": "sort",
}
PAGE_PARAM = "sida"
HTMX_TARGET = "directory"


def filter_query(filters: DirectoryFilters) -> str:
    """The query string for ``filters`` (without the page), "" when nothing is chosen."""
    params = {PARAMS[name]: value for name, value in filters.narrowing.items()}
    if filters.sort != selectors.DEFAULT_SORT:
        params[PARAMS["sort"]] = filters.sort
    return urlencode(params)


def _initials(name: str) -> str:
    parts = name.split()
    if not parts:
        return "?"
    letters = parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")
    return letters.upper()


def _for_card(member) -> None:
    """Everything a card shows, worked out once here instead of in the template."""
    member.initials = _initials(member.name)
    member.photo_small = member.photo_url("small") if member.photo_key else ""
    member.contact_phone = selectors.visible_phone(member)
    member.contact_email = selectors.visible_email(member)
    member.tel = dial_digits(member.contact_phone)
    member.url = member.get_absolute_url()
    place = [member.organisation.name]
    if member.unit_id:
        place.append(member.unit.name)
    if member.town and member.town != member.organisation.name:
        place.append(member.town)
    member.place = " · ".join(place)


def _unit_groups(units, grouped: bool) -> list[tuple[str, list[tuple[int, str]]]]:
    """The unit options: under one heading per organisation, or in one plain list."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for pk, name, org_name in units:
        group = org_name if grouped else ""
        if not groups or groups[-1][0] != group:
            groups.append((group, []))
        groups[-1][1].append((pk, name))
    return groups


def _chosen(filters: DirectoryFilters, topics, organisations, units, labels) -> list[dict]:
    """The active filters, each with a readable value and a link that drops it."""
    names = {
        "topic": dict(topics),
        "organisation": dict(organisations),
        "unit": {str(pk): f"{name} ({org_name})" for pk, name, org_name in units},
        "label": dict(labels),
    }
    captions = {
        "search": _("Name or function"),
        "topic": _("Topic"),
        "organisation": _("Organisation"),
        "unit": _("Unit"),
        "label": _("Can be asked about"),
    }
    base = reverse("profiles:directory")
    chosen = []
    for name, value in filters.narrowing.items():
        rest = filter_query(filters.without(name))
        chosen.append(
            {
                "caption": captions[name],
                "value": names.get(name, {}).get(value, value),
                "remove_url": f"{base}?{rest}" if rest else base,
            }
        )
    return chosen


def directory(request: HttpRequest) -> HttpResponse:
    filters = DirectoryFilters.from_params(request.GET, PARAMS)
    page = selectors.directory_page(request.GET.get(PAGE_PARAM), filters)
    members = page.object_list
    for member in members:
        _for_card(member)
    topics = selectors.filter_topics()
    organisations = selectors.filter_organisations()
    units = selectors.filter_units(filters.organisation)
    labels = selectors.filter_labels()
    context = {
        "page": page,
        "members": members,
        "filters": filters,
        "chosen": _chosen(filters, topics, organisations, units, labels),
        "topics": topics,
        "organisations": organisations,
        "unit_groups": _unit_groups(units, grouped=not filters.organisation),
        "chosen_unit_id": filters.unit_pk,
        # A unit given by name (every "Familjerätt") is offered back as it came.
        "unit_is_name": bool(filters.unit) and filters.unit_pk is None,
        "labels": labels,
        "sorts": [
            ("namn", _("Name")),
            ("organisation", _("Organisation")),
            ("nyast", _("Newest first")),
        ],
    }
    partial = (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == HTMX_TARGET
        and not request.headers.get("HX-History-Restore-Request")
    )
    template = "profiles/_directory.html" if partial else "profiles/directory.html"
    response = render(request, template, context)
    if partial:
        # The form sends every field, empty ones too; the address bar gets the
        # short form of the same filters, the link a member would share.
        query = filter_query(filters)
        response["HX-Push-Url"] = f"{request.path}?{query}" if query else request.path
    # The same address answers with a fragment for htmx and a page otherwise.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
