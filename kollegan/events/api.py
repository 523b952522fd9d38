"""/api/v1/events: Kalendarium for scripts and other calendars.

The operations call the services and selectors the pages use, so the rules are
the same: who sees a group's events (everyone else gets a 404 or does not find
it in a list), the checks of times, rules and themes, and the confidentiality
guard. A series is stored with one row per date, so a range query lists the
dates themselves, each with its theme, and costs the same number of queries
for ten dates or a thousand.

Times go out in ISO 8601 with the offset of Swedish time (+01:00 in winter,
+02:00 in summer); times coming in must carry an offset, since "08:15" alone
could be either side of a change to or from summer time.

Refusals come back as JSON from the handlers in kollegan.api.api: the guard's
findings (422), django ValidationError (422, by field), PermissionDenied (403)."""

import datetime as dt
from collections import defaultdict
from functools import cache
from typing import Annotated

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kollegan.accounts.models import Member, Organisation
from kollegan.events import selectors, services
from kollegan.events.models import Event, Occurrence
from kollegan.events.recurrence import local
from kollegan.events.selectors import Filters
from kollegan.events.services import MAX_DURATION, EventData
from kollegan.groups.models import Group
from kollegan.groups.selectors import group_ids_of, visible_to
from kollegan.lib.html import url_maker
from kollegan.lib.validation import ID_MAX, field_error
from kollegan.questions.api import MAX_TOPIC_SLUGS, Out, Ref
from kollegan.questions.services import topics_from_slugs

router = Router(tags=["events"])

LIST_LIMIT = 1_000
DEFAULT_RANGE = dt.timedelta(days=90)
MAX_RANGE = dt.timedelta(days=366)
UPCOMING_SHOWN = 100
MAX_HOSTS = 20

CONFIRM_DESCRIPTION = (
    "Set after a 422 with needs_confirmation: the phone numbers, addresses or e-mail "
    "addresses found are not a client's. Never allows an identity number."
)


# --- What comes in ------------------------------------------------------------------------------


class RangeParams(Schema):
    since: dt.datetime | None = Field(
        None,
        alias="from",
        description="ISO 8601 with offset (write + as %2B in a URL); default now",
    )
    until: dt.datetime | None = Field(
        None, alias="to", description="ISO 8601 with offset; default 90 days after from"
    )
    topic: str = Field("", max_length=80, description="Topic slug, e.g. barn-och-unga")
    organiser: str = Field("", max_length=60, description="Organisation slug, e.g. fou-valfard")


# A database id: larger numbers would overflow the lookup (a 500) instead of a 422.
RowId = Annotated[int, Field(gt=0, le=ID_MAX)]


class EventIn(Schema):
    # No max_length here: the service checks lengths and says so in the member's language.
    title: str
    description: str = Field("", description="Markdown")
    start: dt.datetime = Field(description="ISO 8601 with offset, e.g. 2026-09-02T08:15:00+02:00")
    end: dt.datetime = Field(description="ISO 8601 with offset; after start")
    all_day: bool = Field(False, description="Whole days in Swedish time from start to end")
    place: str = ""
    online_url: str = Field("", description="Teams or Zoom link, starting with https://")
    topics: list[str] = Field(
        default_factory=list, max_length=MAX_TOPIC_SLUGS, description="Topic slugs"
    )
    organiser: str | None = Field(None, description="Organisation slug")
    group: RowId | None = Field(None, description="Only for this group (one the caller is in)")
    hosts: list[RowId] = Field(default_factory=list, max_length=MAX_HOSTS, description="Member ids")
    rrule: str = Field(
        "",
        description="RFC 5545 RRULE repeating from start, e.g. FREQ=WEEKLY;UNTIL=20261216; "
        "it must end (COUNT or UNTIL)",
    )
    exdates: list[dt.date] = Field(
        default_factory=list, description="Dates of the series that are skipped (YYYY-MM-DD)"
    )
    themes: dict[dt.date, str] = Field(
        default_factory=dict, description='A theme per date of the series: {"2026-09-02": "Våld"}'
    )
    confirmed: bool = Field(False, description=CONFIRM_DESCRIPTION)
    confirm_identifying_details: bool = Field(False, description="The same as confirmed")


class AttendIn(Schema):
    occurrence_id: RowId | None = Field(None, description="The date; may be left out for one event")
    going: bool = Field(True, description="false takes the sign-up back")


# --- What goes out ------------------------------------------------------------------------------


class DateOut(Out):
    id: int = Field(description="The event's id")
    occurrence_id: int
    title: str
    theme: str = Field(description="This date's theme; empty when it has none")
    start: dt.datetime
    end: dt.datetime
    all_day: bool
    place: str
    online_url: str
    topics: list[str] = Field(description="Topic slugs")
    organiser: str | None = Field(description="Organisation slug")
    group: int | None
    cancelled: bool
    going_count: int
    url: str


class DateListOut(Out):
    items: list[DateOut]
    truncated: bool = Field(description=f"More than {LIST_LIMIT} dates: ask for a shorter range")


class EventOut(Out):
    id: int
    uid: str = Field(description="The UID in calendar files; never changes")
    title: str
    description: str
    description_html: str
    start: dt.datetime = Field(description="The first date's start")
    end: dt.datetime
    all_day: bool
    place: str
    online_url: str
    organiser: str | None
    topics: list[str]
    hosts: list[Ref]
    group: int | None
    rrule: str | None = Field(description="null for a single event")
    exdates: list[dt.date]
    themes: dict[str, str]
    cancelled: bool
    author: Ref
    ics_url: str
    url: str
    occurrences: list[DateOut] = Field(description=f"The upcoming dates, at most {UPCOMING_SHOWN}")


class AttendOut(Out):
    occurrence_id: int
    going: bool
    going_count: int


# --- Reading ------------------------------------------------------------------------------------


def dates_between(
    viewer: Member,
    *,
    since: dt.datetime,
    until: dt.datetime,
    filters: Filters,
    limit: int = LIST_LIMIT,
) -> list[Occurrence]:
    """The dates (skipped ones left out) that overlap [since, until) and that the
    viewer may see, soonest first, with their event and organiser: one query, and
    one for the viewer's groups. ``limit + 1`` at most, so the caller can tell
    whether there were more."""
    queryset: QuerySet[Occurrence] = Occurrence.objects.filter(
        visible_to(group_ids_of(viewer)), skipped=False
    )
    if filters.topic:
        tagged = Event.topics.through.objects.filter(
            event_id=OuterRef("event_id"), topic__slug=filters.topic
        )
        queryset = queryset.filter(Exists(tagged))
    if filters.organiser:
        queryset = queryset.filter(event__organiser__slug=filters.organiser)
    # The index is on start: a date that began before the range can still run into
    # it, but never by more than the longest an event may last.
    queryset = queryset.filter(start__gte=since - MAX_DURATION, start__lt=until, end__gt=since)
    # Plain rows: a month can hold a thousand dates, and making model objects of
    # them (date, event, organiser) cost four times as much as reading them.
    return list(queryset.order_by("start", "id").values(*ROW_FIELDS)[: limit + 1])


ROW_FIELDS = (
    "id",
    "start",
    "end",
    "theme",
    "going_count",
    "event_id",
    "event__title",
    "event__all_day",
    "event__place",
    "event__online_url",
    "event__group_id",
    "event__cancelled_at",
    "event__organiser__slug",
)


def row_out(row: dict, topics: list[str], date_path) -> dict:
    """One date (a row of ROW_FIELDS) as the lists show it."""
    return {
        "id": row["event_id"],
        "occurrence_id": row["id"],
        "title": row["event__title"],
        "theme": row["theme"],
        "start": local(row["start"]),
        "end": local(row["end"]),
        "all_day": row["event__all_day"],
        "place": row["event__place"],
        "online_url": row["event__online_url"],
        "topics": topics,
        "organiser": row["event__organiser__slug"],
        "group": row["event__group_id"],
        "cancelled": row["event__cancelled_at"] is not None,
        "going_count": row["going_count"],
        "url": _absolute(date_path(row["id"])),
    }


def topic_slugs(event_ids: list[int]) -> dict[int, list[str]]:
    """Each event's topic slugs, in the topics' order: one query."""
    found: dict[int, list[str]] = defaultdict(list)
    if not event_ids:
        return found
    links = (
        Event.topics.through.objects.filter(event_id__in=event_ids)
        .order_by("topic__position", "topic__name")
        .values_list("event_id", "topic__slug")
    )
    for event_id, slug in links:
        found[event_id].append(slug)
    return found


def _event_for(member: Member, event_id: int) -> Event:
    """The event, or 404 when it does not exist or belongs to a group the member is not in."""
    event = selectors.event_for(member, event_id)
    if event is None:
        raise Http404
    return event


# --- Building responses ------------------------------------------------------------------------


@cache
def _date_path():
    # Made on first use: this module is imported while the URLconf is loading.
    return url_maker("events:occurrence")


@cache
def _ics_path():
    return url_maker("events:ics")


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _organiser(event: Event) -> str | None:
    return event.organiser.slug if event.organiser_id else None


def event_out(event: Event) -> dict:
    """The event with its rule, exceptions, hosts and upcoming dates: four queries
    (topics, hosts, exceptions, upcoming dates) on top of ``selectors.event_for``."""
    topics = topic_slugs([event.pk])[event.pk]
    hosts = [
        {"id": pk, "name": name}
        for pk, name in event.hosts.order_by("name", "pk").values_list("pk", "name")
    ]
    skipped, themes = services.exceptions_of(event)
    upcoming = Occurrence.objects.filter(event=event, skipped=False, end__gte=timezone.now())
    upcoming = upcoming.order_by("start", "id").values(*ROW_FIELDS)[:UPCOMING_SHOWN]
    date_path = _date_path()
    return {
        "id": event.pk,
        "uid": event.uid,
        "title": event.title,
        "description": event.description,
        "description_html": str(event.html),
        "start": local(event.start),
        "end": local(event.end),
        "all_day": event.all_day,
        "place": event.place,
        "online_url": event.online_url,
        "organiser": _organiser(event),
        "topics": topics,
        "hosts": hosts,
        "group": event.group_id,
        "rrule": event.rrule or None,
        "exdates": skipped,
        "themes": {date.isoformat(): theme for date, theme in themes.items()},
        "cancelled": event.is_cancelled,
        "author": {"id": event.author.pk, "name": event.author.name},
        "ics_url": _absolute(_ics_path()(event.pk)),
        "url": _absolute(event.get_absolute_url()),
        "occurrences": [row_out(row, topics, date_path) for row in upcoming],
    }


# --- Turning the request into what the services take --------------------------------------------


def _organiser_from_slug(slug: str | None) -> Organisation | None:
    if not slug:
        return None
    found = Organisation.objects.filter(slug=slug.strip()).first()
    if found is None:
        message = _("Unknown organiser: %(slug)s.") % {"slug": slug}
        raise field_error("organiser", message, "unknown_organiser")
    return found


def _hosts_from_ids(ids: list[int]) -> list[Member]:
    ids = list(dict.fromkeys(ids))
    found = {member.pk: member for member in Member.objects.active().filter(pk__in=ids)}
    unknown = [str(pk) for pk in ids if pk not in found]
    if unknown:
        message = _("No active member with the id: %(ids)s.") % {"ids": ", ".join(unknown)}
        raise field_error("hosts", message, "unknown_host")
    return [found[pk] for pk in ids]


def _group_from_id(group_id: int | None) -> Group | None:
    if group_id is None:
        return None
    found = Group.objects.filter(pk=group_id).first()
    if found is None:
        # The same words as for a group one is not in: the answer says nothing of
        # which groups exist.
        message = _("You can only add events to groups you are in.")
        raise field_error("group", message, "group_unknown")
    return found  # the service refuses a group the author is not in


def _checked_range(params: RangeParams) -> tuple[dt.datetime, dt.datetime]:
    for name, value in (("from", params.since), ("to", params.until)):
        if value is not None and timezone.is_naive(value):
            message = _(
                "Give the times with their offset from UTC, e.g. 2026-09-02T08:15:00+02:00."
            )
            raise field_error(name, message, "time_naive")
    since = params.since or timezone.now()
    until = params.until or since + DEFAULT_RANGE
    if until <= since:
        raise field_error("to", _("The end of the range must come after its start."), "range_empty")
    if until - since > MAX_RANGE:
        message = _("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE.days}
        raise field_error("to", message, "range_too_long")
    return since, until


# --- Operations ---------------------------------------------------------------------------------


@router.get(
    "/events",
    response=DateListOut,
    url_name="list_events",
    summary="The dates in a range, a series' dates each on their own",
    description=f"Dates that overlap the range from–to (at most {MAX_RANGE.days} days), soonest "
    f"first, at most {LIST_LIMIT}. Skipped dates of a series are left out; cancelled ones are "
    "listed with cancelled: true.",
)
def list_events(request: HttpRequest, params: Query[RangeParams]) -> dict:
    since, until = _checked_range(params)
    filters = Filters(topic=params.topic.strip(), organiser=params.organiser.strip())
    items = dates_between(request.auth, since=since, until=until, filters=filters)
    truncated = len(items) > LIST_LIMIT
    items = items[:LIST_LIMIT]
    topics = topic_slugs(list({row["event_id"] for row in items}))
    date_path = _date_path()
    return {
        "items": [row_out(row, topics.get(row["event_id"], []), date_path) for row in items],
        "truncated": truncated,
    }


@router.post(
    "/events",
    response={201: EventOut},
    url_name="create_event",
    summary="Add an event or a series",
)
def create_event(request: HttpRequest, data: EventIn) -> Status:
    member = request.auth
    event = services.event_create(
        author=member,
        data=EventData(
            title=data.title,
            start=data.start,
            end=data.end,
            description=data.description,
            all_day=data.all_day,
            place=data.place,
            online_url=data.online_url,
            organiser=_organiser_from_slug(data.organiser),
            topics=topics_from_slugs(data.topics),
            hosts=_hosts_from_ids(data.hosts),
            group=_group_from_id(data.group),
            rrule=data.rrule,
            skip_dates=data.exdates,
            themes=data.themes,
        ),
        confirmed=data.confirmed or data.confirm_identifying_details,
    )
    return Status(201, event_out(_event_for(member, event.pk)))


@router.get(
    "/events/{int:event_id}",
    response=EventOut,
    url_name="get_event",
    summary="One event or series with its upcoming dates",
)
def get_event(request: HttpRequest, event_id: int) -> dict:
    return event_out(_event_for(request.auth, event_id))


@router.post(
    "/events/{int:event_id}/attend",
    response=AttendOut,
    url_name="attend_event",
    summary='"Jag kommer": sign up for a date, or take it back',
)
def attend_event(request: HttpRequest, event_id: int, data: AttendIn) -> dict:
    member = request.auth
    event = _event_for(member, event_id)
    dates = Occurrence.objects.filter(event=event)
    if data.occurrence_id is not None:
        occurrence = dates.filter(pk=data.occurrence_id).first()
        if occurrence is None:
            raise Http404
    elif event.rrule:
        message = _("Say which date of the series: occurrence_id.")
        raise field_error("occurrence_id", message, "occurrence_missing")
    else:
        occurrence = dates.order_by("start").first()
        if occurrence is None:
            raise Http404
    occurrence.event = event
    services.attendance_set(occurrence=occurrence, member=member, going=data.going)
    count = Occurrence.objects.filter(pk=occurrence.pk).values_list("going_count", flat=True)
    return {
        "occurrence_id": occurrence.pk,
        "going": data.going,
        "going_count": count.first() or 0,
    }
