"""Reading the calendar: dates in a list (upcoming or past, by cursor), a month
as a grid, one event or date, who is coming, and a member's subscription feed.

Everything reads ``Occurrence`` rows by time (an index), joined to their event,
and only what the viewer may see: events for everyone and those of the groups
they are in, read on every request. Each function costs a fixed number of
queries however many events there are."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member, Organisation
from kollegan.events.models import Attendance, Event, Occurrence
from kollegan.events.recurrence import STOCKHOLM, local
from kollegan.events.services import MAX_DURATION
from kollegan.feed.selectors import Cursor
from kollegan.groups.selectors import group_ids_of, visible_to
from kollegan.topics.models import Topic

PAGE_SIZE = 25
MONTH_LIMIT = 3_000
FEED_HISTORY = dt.timedelta(days=90)
DATES_SHOWN = 60


@dataclass
class Filters:
    topic: str = ""
    organiser: str = ""


@dataclass
class DatesPage:
    items: list[Occurrence]
    next_cursor: str  # "" at the end


def _cursor(value: str) -> Cursor | None:
    if not value:
        return None
    return Cursor.decode(
        value, broken=_("The link to more dates is broken. Start again from today.")
    )


def _filtered(queryset: QuerySet[Occurrence], viewer: Member, filters: Filters):
    queryset = queryset.filter(visible_to(group_ids_of(viewer)))
    if filters.topic:
        tagged = Event.topics.through.objects.filter(
            event_id=OuterRef("event_id"), topic__slug=filters.topic
        )
        queryset = queryset.filter(Exists(tagged))
    if filters.organiser:
        queryset = queryset.filter(event__organiser__slug=filters.organiser)
    return queryset


def _dates() -> QuerySet[Occurrence]:
    # Lists and grids never show an event's texts: reading its calendar text and
    # description for hundreds of dates cost most of the month grid's time.
    return (
        Occurrence.objects.filter(skipped=False)
        .select_related("event", "event__organiser", "event__group")
        .defer("event__ics", "event__description", "event__description_html")
    )


def _with_topics(items: list[Occurrence]) -> list[Occurrence]:
    """Each date's event gets ``topic_list``, in one query for them all."""
    by_event: dict[int, list[Topic]] = defaultdict(list)
    links = (
        Event.topics.through.objects.filter(event_id__in={item.event_id for item in items})
        .select_related("topic")
        .order_by("topic__position", "topic__name")
    )
    for link in links:
        by_event[link.event_id].append(link.topic)
    # Each row has its own copy of the event (select_related), dates of one series too.
    for item in items:
        item.event.topic_list = by_event.get(item.event_id, [])
    return items


def mark_going(viewer: Member, items: list[Occurrence]) -> list[Occurrence]:
    """``item.viewer_going`` for each date, in one query."""
    ids = [item.pk for item in items]
    going = set(
        Attendance.objects.filter(member=viewer, occurrence_id__in=ids).values_list(
            "occurrence_id", flat=True
        )
    )
    for item in items:
        item.viewer_going = item.pk in going
    return items


def dates_page(
    viewer: Member,
    *,
    filters: Filters,
    past: bool = False,
    cursor: str = "",
    size: int = PAGE_SIZE,
    now: dt.datetime | None = None,
    details: bool = True,
) -> DatesPage:
    """Upcoming dates soonest first (those not yet over), or past ones latest first;
    with ``details`` each event's topics and whether the viewer comes (two queries)."""
    now = now or timezone.now()
    after = _cursor(cursor)
    queryset = _filtered(_dates(), viewer, filters)
    if past:
        queryset = queryset.filter(end__lt=now)
        if after:
            queryset = queryset.filter(
                Q(start__lt=after.created_at) | Q(start=after.created_at, id__lt=after.id)
            )
        queryset = queryset.order_by("-start", "-id")
    else:
        # Dates still running count as upcoming; the index is on start, so the
        # scan starts MAX_DURATION back, the longest an event can last.
        queryset = queryset.filter(start__gte=now - MAX_DURATION, end__gte=now)
        if after:
            queryset = queryset.filter(
                Q(start__gt=after.created_at) | Q(start=after.created_at, id__gt=after.id)
            )
        queryset = queryset.order_by("start", "id")
    items = list(queryset[: size + 1])
    next_cursor = ""
    if len(items) > size:
        items = items[:size]
        last = items[-1]
        next_cursor = Cursor(created_at=last.start, id=last.pk).encode()
    if details:
        mark_going(viewer, _with_topics(items))
    return DatesPage(items=items, next_cursor=next_cursor)


@dataclass
class GridEvent:
    """What a grid cell shows of an event."""

    pk: int
    title: str
    all_day: bool
    cancelled_at: dt.datetime | None
    topic_list: list = field(default_factory=list)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass
class GridDate:
    """What a grid cell shows of a date."""

    pk: int
    start: dt.datetime
    end: dt.datetime
    theme: str
    event_id: int
    event: GridEvent


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    items: list[Occurrence] = field(default_factory=list)


@dataclass
class Week:
    number: int
    days: list[Day]


@dataclass
class Month:
    year: int
    month: int
    weeks: list[Week]
    count: int
    truncated: bool

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return (self.first + dt.timedelta(days=32)).replace(day=1)


def month_grid(
    viewer: Member,
    *,
    year: int,
    month: int,
    filters: Filters,
    today: dt.date | None = None,
    details: bool = True,
) -> Month:
    """The weeks (Monday first, ISO week numbers) that hold the month's days, each
    day with the dates on it; an event over several days is on each of them. With
    ``details`` each event's topics (one query)."""
    first = dt.date(year, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    since = dt.datetime.combine(grid_start, dt.time(0), tzinfo=STOCKHOLM)
    until = dt.datetime.combine(grid_end + dt.timedelta(days=1), dt.time(0), tzinfo=STOCKHOLM)
    # Only what a grid cell shows, as plain rows: a busy month holds hundreds of
    # dates, and model objects for them (date and event) cost most of the page.
    dates = Occurrence.objects.filter(skipped=False, start__gte=since - MAX_DURATION)
    queryset = _filtered(dates, viewer, filters).filter(start__lt=until, end__gt=since)
    rows = queryset.order_by("start", "id").values_list(
        "id",
        "start",
        "end",
        "theme",
        "event_id",
        "event__title",
        "event__all_day",
        "event__cancelled_at",
    )[: MONTH_LIMIT + 1]
    items = [
        GridDate(pk, start, end, theme, event_id, GridEvent(event_id, title, all_day, cancelled))
        for pk, start, end, theme, event_id, title, all_day, cancelled in rows
    ]
    truncated = len(items) > MONTH_LIMIT
    items = items[:MONTH_LIMIT]
    if details:
        _with_topics(items)
    today = today or timezone.localdate()
    days = {}
    day = grid_start
    while day <= grid_end:
        days[day] = Day(date=day, in_month=day.month == month, is_today=day == today)
        day += dt.timedelta(days=1)
    for item in items:
        day = max(local(item.start).date(), grid_start)
        # An end at midnight belongs to the day before (all-day events end so).
        final = local(item.end - dt.timedelta(microseconds=1)).date()
        while day <= min(final, grid_end):
            days[day].items.append(item)
            day += dt.timedelta(days=1)
    ordered = list(days.values())
    weeks = [
        Week(number=ordered[index].date.isocalendar().week, days=ordered[index : index + 7])
        for index in range(0, len(ordered), 7)
    ]
    return Month(year=year, month=month, weeks=weeks, count=len(items), truncated=truncated)


def event_for(viewer: Member, pk: int) -> Event | None:
    """An event the viewer may see, with what its page shows."""
    return (
        Event.objects.filter(visible_to(group_ids_of(viewer)), pk=pk)
        .select_related("author", "author__organisation", "organiser", "group", "cancelled_by")
        .first()
    )


def occurrence_for(viewer: Member, pk: int) -> Occurrence | None:
    return (
        Occurrence.objects.filter(visible_to(group_ids_of(viewer)), pk=pk)
        .select_related("event", "event__author", "event__author__organisation", "event__organiser")
        .select_related("event__group")
        .first()
    )


def event_dates(event: Event, *, now: dt.datetime | None = None) -> tuple[list, list]:
    """(upcoming dates, the latest past ones) of an event, skipped ones included
    so the page can say so; at most DATES_SHOWN of each."""
    now = now or timezone.now()
    dates = Occurrence.objects.filter(event=event)
    upcoming = list(dates.filter(end__gte=now).order_by("start", "id")[:DATES_SHOWN])
    past = list(dates.filter(end__lt=now).order_by("-start", "-id")[:DATES_SHOWN])
    return upcoming, past


def first_date(event: Event) -> Occurrence | None:
    """The date an event's page is about: the next one, else the last."""
    now = timezone.now()
    dates = Occurrence.objects.filter(event=event, skipped=False)
    return (
        dates.filter(end__gte=now).order_by("start", "id").first()
        or dates.order_by("-start", "-id").first()
        or Occurrence.objects.filter(event=event).order_by("start").first()
    )


def attendees(occurrence: Occurrence, *, limit: int = 500) -> list[Member]:
    return [
        attendance.member
        for attendance in Attendance.objects.filter(occurrence=occurrence)
        .select_related("member", "member__organisation")
        .order_by("member__name", "member_id")[:limit]
    ]


def is_going(viewer: Member, occurrence: Occurrence) -> bool:
    return Attendance.objects.filter(occurrence=occurrence, member=viewer).exists()


def organisers() -> list[Organisation]:
    return list(Organisation.objects.only("pk", "name", "slug").order_by("name"))


def feed_parts(
    member: Member, *, topics: list[str] = (), now: dt.datetime | None = None
) -> list[str]:
    """The stored calendar text of every event ``member`` may see that has not
    ended more than FEED_HISTORY ago, optionally only in ``topics``: one query."""
    now = now or timezone.now()
    events = Event.objects.filter(
        visible_to(group_ids_of(member)), last_end__gte=now - FEED_HISTORY
    )
    if topics:
        tagged = Event.topics.through.objects.filter(
            event_id=OuterRef("pk"), topic__slug__in=list(topics)
        )
        events = events.filter(Exists(tagged))
    return list(events.order_by("start", "id").values_list("ics", flat=True))
