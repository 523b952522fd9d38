"""The calendar's services and selectors: bad input stores nothing, series
keep each date's exceptions when edited, "this and following" splits a series,
one date can be moved or skipped, cancelling, "Jag kommer", who may edit, the
personal subscription link, group visibility in every reader, and constant
query counts."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kollegan.accounts.models import Member, Organisation, Role
from kollegan.audit.models import Action, AuditEntry
from kollegan.events import ics, recurrence, selectors, services
from kollegan.events.models import Attendance, Event, Occurrence
from kollegan.events.recurrence import compose, rule_end, simple_kind
from kollegan.events.selectors import Filters
from kollegan.events.services import EventData
from kollegan.feed.models import FeedEntry
from kollegan.groups import services as group_services
from kollegan.lib.guard import ConfidentialityError
from kollegan.notes import services as note_services
from kollegan.topics.models import Topic
from tests.conftest import make_member
from tests.test_calendar_ics import autumn_series, expanded, shown

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PERSONAL_NUMBER = "121212-1212"  # Skatteverket's test number: always refused
AUTUMN_RULE = "FREQ=WEEKLY;UNTIL=20231220"
SINCE = dt.datetime(2023, 8, 1, tzinfo=STOCKHOLM)
UNTIL = dt.datetime(2024, 1, 31, tzinfo=STOCKHOLM)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


D = dt.date
START = at(2023, 9, 6, 8, 15)
END = at(2023, 9, 6, 9, 0)


def event_data(**changes) -> EventData:
    fields = {
        "title": "Barnets resa i socialtjänsten",
        "start": START,
        "end": END,
        "description": "Vi går igenom barnets väg genom socialtjänsten.",
        "online_url": "https://teams.microsoft.com/l/meetup-join/xyz",
    }
    fields.update(changes)
    return EventData(**fields)


def data_of(event: Event, **changes) -> EventData:
    """An event as the edit form fills it in, without its exceptions."""
    fields = {
        "title": event.title,
        "start": event.start,
        "end": event.end,
        "description": event.description,
        "all_day": event.all_day,
        "place": event.place,
        "online_url": event.online_url,
        "organiser": event.organiser,
        "topics": list(event.topics.all()),
        "hosts": list(event.hosts.all()),
        "group": event.group,
        "rrule": event.rrule,
    }
    fields.update(changes)
    return EventData(**fields)


def create(author: Member, **changes) -> Event:
    return services.event_create(author=author, data=event_data(**changes))


def on(event: Event, date: dt.date) -> Occurrence:
    return Occurrence.objects.get(event=event, original_start__date=date)


def dates(event: Event, *, skipped: bool | None = None) -> list[dt.date]:
    rows = Occurrence.objects.filter(event=event)
    if skipped is not None:
        rows = rows.filter(skipped=skipped)
    return [recurrence.local(item.original_start).date() for item in rows.order_by("start")]


def stored() -> tuple[int, ...]:
    return (
        Event.objects.count(),
        Occurrence.objects.count(),
        Attendance.objects.count(),
        FeedEntry.objects.count(),
    )


def refusal(raised: pytest.ExceptionInfo) -> tuple[str, str]:
    [(field, errors)] = raised.value.error_dict.items()
    return field, errors[0].code


def vevents(event: Event) -> list:
    return icalendar.Calendar.from_ical(ics.calendar_text([event.ics], name="x")).walk("VEVENT")


def master(event: Event):
    [found] = [item for item in vevents(event) if "RECURRENCE-ID" not in item]
    return found


@pytest.fixture
def cohort(carol, alice):
    """Yrkesresan: carol (moderator) and alice are in it; bob is not."""
    group = group_services.group_create(moderator=carol, name="Yrkesresan Ny inom R8 – hösten")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    return group


# --- Bad input: a clear refusal, nothing stored -----------------------------------------------


BAD_INPUT = [
    ("end before start", {"end": at(2023, 9, 6, 8, 0)}, "end", "end_before_start"),
    ("end at the start", {"end": START}, "end", "end_before_start"),
    ("longer than 31 days", {"end": START + dt.timedelta(days=31, minutes=1)}, "end", "too_long"),
    ("naive times", {"start": dt.datetime(2023, 9, 6, 8, 15)}, "start", "time_naive"),
    ("an endless rule", {"rrule": "FREQ=WEEKLY"}, "rrule", "rrule_endless"),
    ("COUNT and UNTIL", {"rrule": "FREQ=WEEKLY;COUNT=3;UNTIL=20231220"}, "rrule", "rrule_invalid"),
    ("garbage rule", {"rrule": "every wednesday"}, "rrule", "rrule_invalid"),
    ("600 in a year", {"rrule": "FREQ=HOURLY;COUNT=600"}, "rrule", "rrule_too_many"),
    ("daily for ten years", {"rrule": "FREQ=DAILY;UNTIL=20330906"}, "rrule", "rrule_too_many"),
    ("two dates a day", {"rrule": "FREQ=HOURLY;COUNT=3"}, "rrule", "rrule_same_day"),
    ("no dates", {"rrule": "FREQ=WEEKLY;UNTIL=20230101"}, "rrule", "rrule_empty"),
    ("a zero interval", {"rrule": "FREQ=WEEKLY;INTERVAL=0;COUNT=3"}, "rrule", "rrule_invalid"),
    (
        "a theme for a date not in the series",
        {"rrule": AUTUMN_RULE, "themes": {D(2023, 9, 6): "Våld", D(2023, 9, 7): "Torsdag"}},
        "themes",
        "date_not_in_series",
    ),
    (
        "a skipped date not in the series",
        {"rrule": AUTUMN_RULE, "skip_dates": [D(2023, 9, 20), D(2023, 12, 27)]},
        "skip_dates",
        "date_not_in_series",
    ),
    (
        "a theme for another date of a single event",
        {"themes": {D(2023, 9, 7): "Tema"}},
        "themes",
        "date_not_in_series",
    ),
    (
        "every date skipped",
        {"rrule": "FREQ=WEEKLY;COUNT=2", "skip_dates": [D(2023, 9, 6), D(2023, 9, 13)]},
        "skip_dates",
        "all_skipped",
    ),
    ("an empty title", {"title": "  \n "}, "title", "title_empty"),
    ("an over-long title", {"title": "x" * 201}, "title", "title_long"),
    ("an over-long place", {"place": "x" * 201}, "place", "place_long"),
    ("an over-long description", {"description": "x" * 10_001}, "description", "description_long"),
    ("an over-long theme", {"themes": {D(2023, 9, 6): "x" * 201}}, "themes", "theme_long"),
    ("a javascript: link", {"online_url": "javascript:alert(1)"}, "online_url", "link_invalid"),
    ("an ftp link", {"online_url": "ftp://example.com/meeting"}, "online_url", "link_invalid"),
    ("not a link", {"online_url": "teams-mötet"}, "online_url", "link_invalid"),
    ("an over-long link", {"online_url": "https://x.se/" + "a" * 500}, "online_url", "link_long"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_is_refused_by_field_and_nothing_is_stored(alice, changes, field, code):
    before = stored()
    with pytest.raises(ValidationError) as raised:
        create(alice, **changes)
    assert refusal(raised) == (field, code)
    assert stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_leaves_an_edited_series_as_it_was(alice, bob, changes, field, code):
    event = autumn_series(alice)
    services.attendance_set(occurrence=on(event, D(2023, 10, 4)), member=bob)
    rows = list(Occurrence.objects.filter(event=event).values())
    ics_before, before = event.ics, stored()
    data = data_of(event)
    for name, value in changes.items():
        setattr(data, name, value)
    with pytest.raises(ValidationError) as raised:
        services.event_edit(event=event, editor=alice, data=data)
    assert refusal(raised) == (field, code)
    assert stored() == before
    event = Event.objects.get(pk=event.pk)
    assert (event.ics, event.sequence, event.title) == (ics_before, 0, "Digital mötesplats")
    assert list(Occurrence.objects.filter(event=event).values()) == rows


@pytest.mark.django_db
def test_an_event_in_a_group_the_author_is_not_in_is_refused(cohort, bob):
    before = stored()
    with pytest.raises(ValidationError) as raised:
        create(bob, group=cohort)
    assert refusal(raised) == ("group", "group_unknown")
    assert stored() == before


@pytest.mark.django_db
def test_a_moderator_outside_the_group_cannot_add_to_it(cohort, lycksele):
    other = make_member("mod2@lycksele.test", "Mona Moderator", lycksele, role=Role.MODERATOR)
    with pytest.raises(ValidationError) as raised:
        create(other, group=cohort)
    assert refusal(raised) == ("group", "group_unknown")
    assert not Event.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"title": f"Möte om {PERSONAL_NUMBER}"},
        {"description": f"Gäller barnet {PERSONAL_NUMBER}."},
        {"place": f"Rum {PERSONAL_NUMBER}"},
        {"rrule": AUTUMN_RULE, "themes": {D(2023, 9, 13): f"Ärende {PERSONAL_NUMBER}"}},
    ],
    ids=["title", "description", "place", "theme"],
)
def test_a_personal_identity_number_anywhere_is_refused(alice, changes):
    before = stored()
    with pytest.raises(ConfidentialityError):
        create(alice, **changes)
    # Not even with a confirmation: an identity number is never published.
    with pytest.raises(ConfidentialityError):
        services.event_create(author=alice, data=event_data(**changes), confirmed=True)
    assert stored() == before


@pytest.mark.django_db
def test_a_personal_identity_number_in_an_edit_changes_nothing(alice):
    event = create(alice)
    with pytest.raises(ConfidentialityError):
        services.event_edit(
            event=event, editor=alice, data=data_of(event, description=PERSONAL_NUMBER)
        )
    event.refresh_from_db()
    assert event.description == "Vi går igenom barnets väg genom socialtjänsten."
    assert event.sequence == 0


@pytest.mark.django_db
def test_a_personal_identity_number_in_one_dates_theme_is_refused(alice):
    event = autumn_series(alice)
    item = on(event, D(2023, 10, 4))
    with pytest.raises(ConfidentialityError):
        services.occurrence_edit(occurrence=item, editor=alice, theme=f"Om {PERSONAL_NUMBER}")
    item.refresh_from_db()
    assert item.theme == "Funktionshinder"


# --- What is stored ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_single_event_is_one_date_and_is_announced(alice):
    topics = list(Topic.objects.filter(slug__in=["barn-och-unga", "vald"]))
    fou = Organisation.objects.get(slug="fou-valfard")
    event = create(alice, title="  Barnets   resa ", topics=topics, organiser=fou)
    assert event.title == "Barnets resa"
    [item] = Occurrence.objects.filter(event=event)
    assert (item.original_start, item.start, item.end) == (START, START, END)
    assert event.last_end == END
    assert FeedEntry.objects.filter(event=event, kind=FeedEntry.Kind.EVENT).count() == 1
    assert str(master(event)["UID"]) == event.uid
    assert set(event.topics.all()) == set(topics)


@pytest.mark.django_db
def test_a_groups_event_is_not_announced_in_the_feed(cohort, alice):
    event = create(alice, group=cohort)
    assert event.group == cohort
    assert not FeedEntry.objects.filter(event=event).exists()


@pytest.mark.django_db
def test_a_series_stores_every_date_with_its_themes_and_skips(alice):
    event = autumn_series(alice)
    assert len(dates(event)) == 16
    assert dates(event, skipped=True) == [D(2023, 9, 20)]
    assert on(event, D(2023, 11, 1)).theme == "Våld"
    assert event.last_end == at(2023, 12, 20, 9, 0)
    skipped, themes = services.exceptions_of(event)
    assert skipped == [D(2023, 9, 20)]
    assert len(themes) == 15 and themes[D(2023, 9, 6)] == "Funktionshinder"
    exdates = [value.dt for value in master(event)["EXDATE"].dts]
    assert [value.date() for value in exdates] == [D(2023, 9, 20)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "first", "after_last"),
    [
        # One day: any times on it become that day.
        (at(2023, 9, 6, 10), at(2023, 9, 6, 12), D(2023, 9, 6), D(2023, 9, 7)),
        # An end at midnight is already exclusive.
        (at(2023, 9, 6), at(2023, 9, 8), D(2023, 9, 6), D(2023, 9, 8)),
        # An end during the last day takes that whole day.
        (at(2023, 9, 6, 9), at(2023, 9, 8, 15), D(2023, 9, 6), D(2023, 9, 9)),
        # Given in UTC: the Swedish dates count (22:30 UTC is 00:30 the next day).
        (
            dt.datetime(2023, 9, 5, 22, 30, tzinfo=dt.UTC),
            dt.datetime(2023, 9, 6, 10, 0, tzinfo=dt.UTC),
            D(2023, 9, 6),
            D(2023, 9, 7),
        ),
        # Across the change to winter time.
        (at(2023, 10, 28), at(2023, 10, 30), D(2023, 10, 28), D(2023, 10, 30)),
    ],
)
def test_an_all_day_event_runs_from_swedish_midnight_to_midnight(
    alice, start, end, first, after_last
):
    event = create(alice, start=start, end=end, all_day=True)
    assert recurrence.local(event.start) == at(first.year, first.month, first.day)
    assert recurrence.local(event.end) == at(after_last.year, after_last.month, after_last.day)
    [item] = Occurrence.objects.filter(event=event)
    assert (item.start, item.end) == (event.start, event.end)
    vevent = master(event)
    assert vevent["DTSTART"].dt == first
    assert vevent["DTEND"].dt == after_last


@pytest.mark.django_db
def test_an_all_day_event_ending_before_it_starts_is_refused(alice):
    with pytest.raises(ValidationError) as raised:
        create(alice, start=at(2023, 9, 8), end=at(2023, 9, 6), all_day=True)
    assert refusal(raised) == ("end", "end_before_start")
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_an_all_day_series_keeps_its_last_date_in_every_calendar(alice):
    event = create(
        alice,
        start=at(2023, 9, 6),
        end=at(2023, 9, 7),
        all_day=True,
        rrule="FREQ=WEEKLY;UNTIL=20231108",
    )
    assert dates(event)[-1] == D(2023, 11, 8)
    # RFC 5545: a whole-day DTSTART takes a whole-day UNTIL.
    assert "RRULE:FREQ=WEEKLY;UNTIL=20231108\r\n" in event.ics
    calendar = icalendar.Calendar.from_ical(ics.calendar_text([event.ics], name="x"))
    theirs = sorted(
        item["DTSTART"].dt for item in recurring_ical_events.of(calendar).between(SINCE, UNTIL)
    )
    assert theirs == dates(event)


# --- Editing the whole series ----------------------------------------------------------------


def _prepare(alice, bob) -> tuple[Event, Occurrence, Occurrence]:
    event = autumn_series(alice)
    moved = on(event, D(2023, 11, 8))
    services.occurrence_edit(
        occurrence=moved,
        editor=alice,
        theme="Skadligt bruk/beroende",
        start=at(2023, 11, 9, 13, 0),
        end=at(2023, 11, 9, 14, 0),
    )
    going = on(event, D(2023, 10, 4))
    services.attendance_set(occurrence=going, member=bob)
    event.refresh_from_db()
    return event, moved, going


@pytest.mark.django_db
def test_a_whole_series_edit_without_exceptions_keeps_each_dates_own(alice, bob):
    event, moved, going = _prepare(alice, bob)
    ids = set(Occurrence.objects.filter(event=event).values_list("pk", flat=True))
    before = services.exceptions_of(event)
    data = data_of(event, title="Digital mötesplats på Teams")
    services.event_edit(event=event, editor=alice, data=data, exceptions=False)
    assert services.exceptions_of(event) == before
    assert set(Occurrence.objects.filter(event=event).values_list("pk", flat=True)) == ids
    moved.refresh_from_db()
    assert moved.moved
    assert (moved.start, moved.end) == (at(2023, 11, 9, 13, 0), at(2023, 11, 9, 14, 0))
    going.refresh_from_db()
    assert going.going_count == 1
    assert Attendance.objects.filter(occurrence=going, member=bob).exists()
    assert event.sequence == 2  # the move, then this edit
    event.refresh_from_db()
    titles = {str(item["SUMMARY"]) for item in vevents(event)}
    assert "Digital mötesplats på Teams – Våld" in titles
    assert expanded(ics.calendar_text([event.ics], name="x"), SINCE, UNTIL) == shown(event)


@pytest.mark.django_db
def test_a_whole_series_edit_with_exceptions_replaces_themes_and_skips(alice, bob):
    event, moved, going = _prepare(alice, bob)
    data = data_of(event, themes={D(2023, 10, 4): "Nytt tema"}, skip_dates=[D(2023, 11, 15)])
    services.event_edit(event=event, editor=alice, data=data, exceptions=True)
    assert services.exceptions_of(event) == ([D(2023, 11, 15)], {D(2023, 10, 4): "Nytt tema"})
    going.refresh_from_db()
    assert (going.theme, going.going_count) == ("Nytt tema", 1)
    assert Attendance.objects.filter(occurrence=going, member=bob).exists()
    assert on(event, D(2023, 9, 20)).skipped is False
    # A moved time is not among the exceptions the form sends: it stays.
    moved.refresh_from_db()
    assert (moved.moved, moved.start, moved.theme) == (True, at(2023, 11, 9, 13, 0), "")
    event.refresh_from_db()
    assert expanded(ics.calendar_text([event.ics], name="x"), SINCE, UNTIL) == shown(event)


@pytest.mark.django_db
@pytest.mark.parametrize("exceptions", [False, True])
def test_a_new_time_of_day_keeps_each_dates_theme(alice, bob, exceptions):
    event = autumn_series(alice)
    going = on(event, D(2023, 11, 1))
    services.attendance_set(occurrence=going, member=bob)
    skipped, themes = services.exceptions_of(event)
    data = data_of(event, start=at(2023, 9, 6, 13, 0), end=at(2023, 9, 6, 14, 30))
    if exceptions:
        data.themes, data.skip_dates = themes, skipped
    services.event_edit(event=event, editor=alice, data=data, exceptions=exceptions)
    assert services.exceptions_of(event) == (skipped, themes)
    for item in Occurrence.objects.filter(event=event):
        local = recurrence.local(item.start)
        assert (local.hour, local.minute) == (13, 0)
        assert recurrence.local(item.end).time() == dt.time(14, 30)
        assert item.start == item.original_start
    going.refresh_from_db()
    assert (going.theme, going.going_count) == ("Våld", 1)
    assert recurrence.local(going.start) == at(2023, 11, 1, 13, 0)
    event.refresh_from_db()
    assert expanded(ics.calendar_text([event.ics], name="x"), SINCE, UNTIL) == shown(event)


@pytest.mark.django_db
def test_dates_that_leave_the_series_go_with_their_attendance(alice, bob):
    event = autumn_series(alice)
    late = on(event, D(2023, 12, 13))
    services.attendance_set(occurrence=late, member=bob)
    note = note_services.note_create(
        author=alice, title="Anteckningar", body="Vi pratade om barn.", occurrence=late
    )
    data = data_of(event, rrule="FREQ=WEEKLY;UNTIL=20231129")
    services.event_edit(event=event, editor=alice, data=data, exceptions=False)
    assert dates(event)[-1] == D(2023, 11, 29)
    assert not Occurrence.objects.filter(pk=late.pk).exists()
    assert not Attendance.objects.filter(member=bob).exists()
    note.refresh_from_db()
    # The note stays with its event when its date goes.
    assert (note.event_id, note.occurrence_id) == (event.pk, None)
    assert event.last_end == at(2023, 11, 29, 9, 0)


@pytest.mark.django_db
def test_a_single_event_moved_to_another_day_keeps_its_attendance(alice, bob):
    event = create(alice)
    [item] = Occurrence.objects.filter(event=event)
    services.attendance_set(occurrence=item, member=bob)
    data = data_of(event, start=at(2023, 9, 8, 13, 0), end=at(2023, 9, 8, 15, 0))
    services.event_edit(event=event, editor=alice, data=data)
    [again] = Occurrence.objects.filter(event=event)
    assert again.pk == item.pk
    assert (again.original_start, again.start, again.end) == (
        at(2023, 9, 8, 13, 0),
        at(2023, 9, 8, 13, 0),
        at(2023, 9, 8, 15, 0),
    )
    assert again.going_count == 1
    assert Attendance.objects.get(member=bob).occurrence_id == item.pk
    event.refresh_from_db()
    assert event.last_end == at(2023, 9, 8, 15, 0)
    assert master(event)["DTSTART"].dt == at(2023, 9, 8, 13, 0)


@pytest.mark.django_db
def test_only_editors_may_edit(alice, bob):
    event = create(alice)
    with pytest.raises(PermissionDenied):
        services.event_edit(event=event, editor=bob, data=data_of(event, title="Mitt"))
    event.refresh_from_db()
    assert (event.title, event.sequence) == ("Barnets resa i socialtjänsten", 0)


# --- This and following ----------------------------------------------------------------------


@pytest.mark.django_db
def test_this_and_following_splits_the_series_at_the_date(alice, bob):
    event = autumn_series(alice)
    uid = event.uid
    cut = on(event, D(2023, 11, 1))
    later = on(event, D(2023, 11, 15))
    earlier = on(event, D(2023, 10, 4))
    for item in (cut, later, earlier):
        services.attendance_set(occurrence=item, member=bob)
    note = note_services.note_create(
        author=alice, title="Från 15 november", body="Barn och unga.", occurrence=later
    )
    _skipped, themes = services.exceptions_of(event)
    following = {date: theme for date, theme in themes.items() if date >= D(2023, 11, 1)}
    data = data_of(
        event,
        title="Digital mötesplats, vinter",
        start=at(2023, 11, 1, 8, 15),
        end=at(2023, 11, 1, 9, 0),
        themes=following,
    )
    successor = services.event_edit_following(occurrence=cut, editor=alice, data=data)
    event.refresh_from_db()

    # The old series ends before the cut; its UID stays and its SEQUENCE rises.
    assert event.uid == uid and successor.uid != uid
    assert dates(event)[-1] == D(2023, 10, 25)
    assert recurrence.expand(event.rrule, event.start)[-1].date() == D(2023, 10, 25)
    assert event.last_end == at(2023, 10, 25, 9, 0)
    assert event.sequence == 1
    assert event.title == "Digital mötesplats"
    assert services.exceptions_of(event)[0] == [D(2023, 9, 20)]

    # The new series has the cut date and the later ones, with their rows.
    assert dates(successor) == [D(2023, 11, 1) + dt.timedelta(weeks=n) for n in range(8)]
    assert services.exceptions_of(successor) == ([], following)
    assert Occurrence.objects.get(pk=cut.pk).event_id == successor.pk
    assert Occurrence.objects.get(pk=later.pk).event_id == successor.pk
    assert Occurrence.objects.get(pk=earlier.pk).event_id == event.pk
    for item in (cut, later, earlier):
        item.refresh_from_db()
        assert item.going_count == 1
    assert Attendance.objects.filter(member=bob).count() == 3
    note.refresh_from_db()
    assert (note.occurrence_id, note.event_id) == (later.pk, successor.pk)

    # Together the two calendars show what the site shows, once each.
    text = ics.calendar_text([event.ics, successor.ics], name="x")
    ours = sorted(shown(event) + shown(successor))
    assert expanded(text, SINCE, UNTIL) == ours
    assert len(ours) == 15
    assert ("Digital mötesplats, vinter – Våld") in [title for _s, _e, title in ours]
    assert all(
        "RECURRENCE-ID" not in item or item["RECURRENCE-ID"].dt < at(2023, 11, 1)
        for item in vevents(event)
    )


@pytest.mark.django_db
def test_the_old_part_edited_again_with_its_end_date_stays_before_the_cut(alice):
    """The edit form shows the rule's end date: saving it back must not take the
    cut date back into the old series."""
    event = autumn_series(alice)
    data = data_of(
        Event.objects.get(pk=event.pk), start=at(2023, 11, 1, 8, 15), end=at(2023, 11, 1, 9)
    )
    successor = services.event_edit_following(
        occurrence=on(event, D(2023, 11, 1)), editor=alice, data=data
    )
    event.refresh_from_db()
    until, count = rule_end(event.rrule)
    assert count is None and D(2023, 10, 25) <= until < D(2023, 11, 1)
    rule = compose(simple_kind(event.rrule), until=until, count=None, custom=event.rrule)
    services.event_edit(
        event=event, editor=alice, data=data_of(event, rrule=rule), exceptions=False
    )
    assert dates(event)[-1] == D(2023, 10, 25)
    assert dates(successor)[0] == D(2023, 11, 1)


@pytest.mark.django_db
def test_this_and_following_of_a_count_rule_splits_the_count(alice):
    event = create(alice, rrule="FREQ=WEEKLY;COUNT=10")
    fourth = Occurrence.objects.filter(event=event).order_by("start")[3]
    _head, tail = recurrence.split_rule(event.rrule, before=fourth.original_start, taken=3)
    data = data_of(event, start=fourth.start, end=fourth.end, rrule=tail)
    successor = services.event_edit_following(occurrence=fourth, editor=alice, data=data)
    event.refresh_from_db()
    assert len(dates(event)) == 3
    assert len(dates(successor)) == 7
    assert "COUNT" not in event.rrule and "UNTIL" in event.rrule
    assert rule_end(successor.rrule) == (None, 7)
    assert dates(event) + dates(successor) == [
        D(2023, 9, 6) + dt.timedelta(weeks=n) for n in range(10)
    ]


@pytest.mark.django_db
def test_this_and_following_from_the_first_date_edits_the_whole_series(alice):
    event = autumn_series(alice)
    before = Event.objects.count()
    first = on(event, D(2023, 9, 6))
    data = data_of(event, title="Digital mötesplats (ny)")
    result = services.event_edit_following(occurrence=first, editor=alice, data=data)
    assert result.pk == event.pk
    assert Event.objects.count() == before
    event.refresh_from_db()
    assert event.title == "Digital mötesplats (ny)"
    assert len(dates(event)) == 16


@pytest.mark.django_db
def test_this_and_following_is_refused_for_a_single_event_and_for_others(alice, bob):
    single = create(alice)
    with pytest.raises(ValidationError) as raised:
        services.event_edit_following(
            occurrence=Occurrence.objects.get(event=single), editor=alice, data=data_of(single)
        )
    assert refusal(raised) == ("rrule", "not_a_series")
    series = autumn_series(alice)
    before = stored()
    cut = on(series, D(2023, 11, 1))
    with pytest.raises(PermissionDenied):
        services.event_edit_following(occurrence=cut, editor=bob, data=data_of(series))
    with pytest.raises(ValidationError) as raised:
        services.event_edit_following(occurrence=cut, editor=alice, data=data_of(series, rrule=""))
    assert refusal(raised) == ("rrule", "rrule_missing")
    following = data_of(series, start=cut.start, end=cut.end)
    with pytest.raises(ValidationError) as raised:
        following.themes = {D(2023, 9, 6): "Tidigt"}
        services.event_edit_following(occurrence=cut, editor=alice, data=following)
    assert refusal(raised) == ("themes", "date_not_in_series")
    # The following dates cannot start before the date they follow on from.
    with pytest.raises(ValidationError) as raised:
        services.event_edit_following(occurrence=cut, editor=alice, data=data_of(series))
    assert refusal(raised) == ("start", "start_before_cut")
    earlier = data_of(series, start=at(2023, 10, 31, 8, 15), end=at(2023, 10, 31, 9))
    with pytest.raises(ValidationError) as raised:
        services.event_edit_following(occurrence=cut, editor=alice, data=earlier)
    assert refusal(raised) == ("start", "start_before_cut")
    assert stored() == before
    assert dates(series)[-1] == D(2023, 12, 20)


# --- One date ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_moving_a_date_marks_it_moved_and_overrides_it_in_the_calendar(alice):
    event = autumn_series(alice)
    item = on(event, D(2023, 11, 8))
    services.occurrence_edit(
        occurrence=item,
        editor=alice,
        theme="Skadligt bruk/beroende",
        start=at(2023, 11, 9, 13, 0),
        end=at(2023, 11, 9, 14, 0),
    )
    item.refresh_from_db()
    assert item.moved and item.original_start == at(2023, 11, 8, 8, 15)
    event.refresh_from_db()
    [override] = [
        vevent
        for vevent in vevents(event)
        if "RECURRENCE-ID" in vevent and vevent["RECURRENCE-ID"].dt == at(2023, 11, 8, 8, 15)
    ]
    assert override["DTSTART"].dt == at(2023, 11, 9, 13, 0)
    assert str(override["UID"]) == event.uid
    # Moving it back is no longer a move.
    services.occurrence_edit(
        occurrence=item, editor=alice, start=at(2023, 11, 8, 8, 15), end=at(2023, 11, 8, 9, 0)
    )
    item.refresh_from_db()
    assert not item.moved


@pytest.mark.django_db
def test_skipping_a_date_adds_an_exdate_and_moves_the_last_end(alice):
    event = create(alice, rrule="FREQ=WEEKLY;COUNT=3")
    last = on(event, D(2023, 9, 20))
    services.occurrence_edit(occurrence=last, editor=alice, skipped=True)
    event.refresh_from_db()
    assert event.last_end == at(2023, 9, 13, 9, 0)
    exdates = [value.dt for value in master(event)["EXDATE"].dts]
    assert exdates == [at(2023, 9, 20, 8, 15)]
    assert not any("RECURRENCE-ID" in vevent for vevent in vevents(event))
    # Moving the middle date past the last one moves the last end with it.
    middle = on(event, D(2023, 9, 13))
    services.occurrence_edit(
        occurrence=middle, editor=alice, start=at(2023, 9, 27, 10), end=at(2023, 9, 27, 11)
    )
    event.refresh_from_db()
    assert event.last_end == at(2023, 9, 27, 11, 0)
    services.occurrence_edit(occurrence=last, editor=alice, skipped=False)
    event.refresh_from_db()
    assert event.last_end == at(2023, 9, 27, 11, 0)
    assert "EXDATE" not in master(event)


@pytest.mark.django_db
def test_the_last_date_cannot_be_skipped_too(alice):
    event = create(alice, rrule="FREQ=WEEKLY;COUNT=2")
    first, second = Occurrence.objects.filter(event=event).order_by("start")
    services.occurrence_edit(occurrence=first, editor=alice, skipped=True)
    with pytest.raises(ValidationError) as raised:
        services.occurrence_edit(occurrence=second, editor=alice, skipped=True)
    assert refusal(raised) == ("skipped", "all_skipped")
    second.refresh_from_db()
    assert not second.skipped


@pytest.mark.django_db
def test_a_single_event_is_cancelled_not_skipped(alice):
    event = create(alice)
    item = Occurrence.objects.get(event=event)
    with pytest.raises(ValidationError) as raised:
        services.occurrence_edit(occurrence=item, editor=alice, skipped=True)
    assert refusal(raised) == ("skipped", "not_a_series")
    item.refresh_from_db()
    assert not item.skipped
    event.refresh_from_db()
    assert event.sequence == 0


@pytest.mark.django_db
def test_a_single_events_date_moved_alone_moves_the_event(alice):
    event = create(alice)
    item = Occurrence.objects.get(event=event)
    services.occurrence_edit(
        occurrence=item, editor=alice, start=at(2023, 9, 7, 10), end=at(2023, 9, 7, 11)
    )
    event.refresh_from_db()
    item.refresh_from_db()
    assert (event.start, event.end, event.last_end) == (
        at(2023, 9, 7, 10),
        at(2023, 9, 7, 11),
        at(2023, 9, 7, 11),
    )
    assert (item.original_start, item.moved) == (at(2023, 9, 7, 10), False)
    assert master(event)["DTSTART"].dt == at(2023, 9, 7, 10)


@pytest.mark.django_db
def test_one_date_with_bad_times_is_refused(alice, bob):
    event = autumn_series(alice)
    item = on(event, D(2023, 10, 4))
    with pytest.raises(ValidationError) as raised:
        services.occurrence_edit(
            occurrence=item, editor=alice, start=at(2023, 10, 4, 10), end=at(2023, 10, 4, 9)
        )
    assert refusal(raised) == ("end", "end_before_start")
    with pytest.raises(PermissionDenied):
        services.occurrence_edit(occurrence=item, editor=bob, theme="Bobs tema")
    item.refresh_from_db()
    assert (item.theme, item.moved) == ("Funktionshinder", False)


# --- Cancelling --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cancelling_and_undoing(alice, carol):
    event = autumn_series(alice)
    services.event_cancel(event=event, member=carol)
    event.refresh_from_db()
    assert event.is_cancelled and event.cancelled_by == carol
    assert event.sequence == 1
    assert str(master(event)["STATUS"]) == "CANCELLED"
    assert int(master(event)["SEQUENCE"]) == 1
    [entry] = AuditEntry.objects.filter(action=Action.EVENT_CANCELLED)
    assert (entry.actor, entry.subject, entry.detail) == (carol, alice, {"event": event.pk})
    # Cancelling again changes nothing.
    services.event_cancel(event=event, member=carol)
    event.refresh_from_db()
    assert event.sequence == 1
    services.event_cancel(event=event, member=alice, cancelled=False)
    event.refresh_from_db()
    assert not event.is_cancelled and event.cancelled_by is None
    assert event.sequence == 2
    assert str(master(event)["STATUS"]) == "CONFIRMED"
    assert AuditEntry.objects.filter(action=Action.EVENT_CANCELLED).count() == 1


@pytest.mark.django_db
def test_others_cannot_cancel(alice, bob):
    event = create(alice)
    with pytest.raises(PermissionDenied):
        services.event_cancel(event=event, member=bob)
    event.refresh_from_db()
    assert not event.is_cancelled
    assert not AuditEntry.objects.filter(action=Action.EVENT_CANCELLED).exists()


@pytest.mark.django_db
def test_deleting_is_for_the_author_and_moderators(alice, bob, carol):
    event = create(alice, hosts=[bob])
    with pytest.raises(PermissionDenied):
        services.event_delete(event=event, member=bob)
    assert Event.objects.filter(pk=event.pk).exists()
    services.event_delete(event=event, member=carol)
    assert not Event.objects.exists() and not Occurrence.objects.exists()


# --- Attendance --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_attending_twice_counts_once_and_the_count_follows_the_rows(alice, bob, carol):
    event = autumn_series(alice)
    item = on(event, D(2023, 10, 4))
    assert services.attendance_set(occurrence=item, member=bob) is True
    assert services.attendance_set(occurrence=item, member=bob) is False
    assert services.attendance_set(occurrence=item, member=carol) is True
    item.refresh_from_db()
    assert item.going_count == 2 == Attendance.objects.filter(occurrence=item).count()
    assert services.attendance_set(occurrence=item, member=bob, going=False) is True
    assert services.attendance_set(occurrence=item, member=bob, going=False) is False
    assert services.attendance_set(occurrence=item, member=alice, going=False) is False
    item.refresh_from_db()
    assert item.going_count == 1 == Attendance.objects.filter(occurrence=item).count()
    assert selectors.attendees(item) == [carol]
    assert selectors.is_going(carol, item) and not selectors.is_going(bob, item)
    for occurrence in Occurrence.objects.all():
        assert occurrence.going_count == occurrence.attendances.count()


@pytest.mark.django_db
def test_no_attending_a_cancelled_event_or_a_skipped_date(alice, bob):
    event = autumn_series(alice)
    skipped = on(event, D(2023, 9, 20))
    with pytest.raises(ValidationError) as raised:
        services.attendance_set(occurrence=skipped, member=bob)
    assert refusal(raised) == ("going", "cancelled")
    item = on(event, D(2023, 10, 4))
    services.attendance_set(occurrence=item, member=bob)
    services.event_cancel(event=event, member=alice)
    item = Occurrence.objects.select_related("event").get(pk=item.pk)
    with pytest.raises(ValidationError) as raised:
        services.attendance_set(occurrence=item, member=alice)
    assert refusal(raised) == ("going", "cancelled")
    # Signing off still works.
    assert services.attendance_set(occurrence=item, member=bob, going=False) is True
    assert not Attendance.objects.exists()
    item.refresh_from_db()
    assert item.going_count == 0


# --- Who may edit ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_may_edit(alice, bob, carol, storuman, lycksele, cohort):
    other = make_member("eva@storuman.test", "Eva Ek", storuman)
    public = create(alice, hosts=[bob])
    assert services.may_edit(alice, public)  # author
    assert services.may_edit(bob, public)  # host
    assert services.may_edit(carol, public)  # moderator
    assert not services.may_edit(other, public)
    grouped = create(alice, group=cohort)
    outside = make_member("mod2@lycksele.test", "Mona Moderator", lycksele, role=Role.MODERATOR)
    assert services.may_edit(carol, grouped)  # a moderator in the group
    assert not services.may_edit(outside, grouped)
    assert not services.may_edit(bob, grouped)
    assert services.may_edit(alice, grouped)
    group_services.group_remove_member(moderator=carol, group=cohort, member=alice)
    assert not services.may_edit(alice, grouped)


# --- The personal subscription link ----------------------------------------------------------


@pytest.mark.django_db
def test_feed_tokens(alice, bob):
    assert services.feed_path_token(alice) is None
    assert services.feed_owner(alice.pk, "") is None
    first = services.feed_renew(member=alice)
    assert services.feed_owner(alice.pk, first) == alice
    assert services.feed_path_token(alice) == first
    # Someone else's number with alice's token, and a forged one.
    assert services.feed_owner(bob.pk, first) is None
    services.feed_renew(member=bob)
    assert services.feed_owner(bob.pk, first) is None
    assert services.feed_owner(alice.pk, first[:-1] + ("0" if first[-1] != "0" else "1")) is None
    second = services.feed_renew(member=alice)
    assert second != first
    assert services.feed_owner(alice.pk, first) is None
    assert services.feed_owner(alice.pk, second) == alice
    services.feed_revoke(member=alice)
    assert services.feed_owner(alice.pk, second) is None
    assert services.feed_path_token(alice) is None


@pytest.mark.django_db
def test_a_deactivated_members_link_stops_working(dave):
    token = services.feed_renew(member=dave)
    assert services.feed_owner(dave.pk, token) is None


@pytest.mark.django_db
def test_a_link_stops_working_when_the_membership_ends(alice):
    token = services.feed_renew(member=alice)
    assert services.feed_owner(alice.pk, token) == alice
    alice.deactivated_at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    alice.save(update_fields=["deactivated_at"])
    assert services.feed_owner(alice.pk, token) is None


@pytest.mark.django_db
def test_the_layout_is_remembered(alice):
    assert services.settings_for(alice).layout == "list"
    services.layout_remember(member=alice, layout="month")
    assert services.settings_for(alice).layout == "month"
    services.layout_remember(member=alice, layout="nonsense")
    assert services.settings_for(alice).layout == "month"


# --- Group visibility in every reader --------------------------------------------------------

NOW = at(2023, 9, 1, 12)


def _visible(viewer: Member, event: Event, item: Occurrence) -> dict[str, bool]:
    page = selectors.dates_page(viewer, filters=Filters(), now=NOW, size=100)
    grid = selectors.month_grid(viewer, year=2023, month=9, filters=Filters())
    in_grid = {entry.pk for week in grid.weeks for day in week.days for entry in day.items}
    parts = selectors.feed_parts(viewer, now=NOW)
    return {
        "dates_page": item.pk in {entry.pk for entry in page.items},
        "month_grid": item.pk in in_grid,
        "event_for": selectors.event_for(viewer, event.pk) is not None,
        "occurrence_for": selectors.occurrence_for(viewer, item.pk) is not None,
        "feed_parts": any(event.uid in part for part in parts),
    }


@pytest.mark.django_db
def test_a_groups_events_are_for_its_members_only(alice, bob, carol, cohort):
    grouped = autumn_series(alice, group=cohort)
    public = create(bob, start=at(2023, 9, 14, 13), end=at(2023, 9, 14, 15))
    grouped_item = on(grouped, D(2023, 9, 13))
    public_item = Occurrence.objects.get(event=public)
    everywhere = dict.fromkeys(
        ["dates_page", "month_grid", "event_for", "occurrence_for", "feed_parts"], True
    )
    nowhere = dict.fromkeys(everywhere, False)
    for viewer in (alice, carol):
        assert _visible(viewer, grouped, grouped_item) == everywhere
    assert _visible(bob, grouped, grouped_item) == nowhere
    for viewer in (alice, bob, carol):
        assert _visible(viewer, public, public_item) == everywhere
    group_services.group_remove_member(moderator=carol, group=cohort, member=alice)
    assert _visible(alice, grouped, grouped_item) == nowhere
    assert _visible(alice, public, public_item) == everywhere
    assert _visible(carol, grouped, grouped_item) == everywhere


@pytest.mark.django_db
def test_filters_by_topic_and_organiser(alice):
    vald = Topic.objects.get(slug="vald")
    fou = Organisation.objects.get(slug="fou-valfard")
    tagged = create(alice, title="Om våld", topics=[vald])
    organised = create(alice, title="FoU:s möte", organiser=fou)
    both = create(alice, title="Båda", topics=[vald], organiser=fou)

    def titles(filters: Filters) -> set[str]:
        page = selectors.dates_page(alice, filters=filters, now=NOW)
        return {item.event.title for item in page.items}

    assert titles(Filters(topic="vald")) == {tagged.title, both.title}
    assert titles(Filters(organiser="fou-valfard")) == {organised.title, both.title}
    assert titles(Filters(topic="vald", organiser="fou-valfard")) == {both.title}
    assert len(titles(Filters())) == 3


# --- Constant query counts ---------------------------------------------------------------------


def _many(alice, bob, cohort) -> None:
    topics = list(Topic.objects.filter(slug__in=["barn-och-unga", "vald", "heder"]))
    fou = Organisation.objects.get(slug="fou-valfard")
    for number in range(12):
        day = 4 + number % 25
        start = at(2023, 9, day, 9 + number % 6)
        event = create(
            alice if number % 2 or number % 5 == 0 else bob,
            title=f"Möte {number}",
            start=start,
            end=start + dt.timedelta(hours=1),
            topics=topics[: number % 4],
            organiser=fou if number % 3 else None,
            rrule="FREQ=WEEKLY;COUNT=6" if number % 4 == 0 else "",
            group=cohort if number % 5 == 0 else None,
        )
        item = Occurrence.objects.filter(event=event).first()
        services.attendance_set(occurrence=item, member=alice)
    autumn_series(alice)


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


@pytest.mark.django_db
def test_the_readers_spend_a_constant_number_of_queries(
    alice, bob, cohort, django_assert_num_queries
):
    first = create(
        alice,
        start=at(2023, 9, 6, 10),
        end=at(2023, 9, 6, 11),
        topics=[Topic.objects.get(slug="vald")],
        organiser=Organisation.objects.get(slug="fou-valfard"),
    )
    services.attendance_set(occurrence=Occurrence.objects.get(event=first), member=alice)
    calls = {
        "list": lambda: selectors.dates_page(alice, filters=Filters(), now=NOW),
        "list by topic": lambda: selectors.dates_page(
            alice, filters=Filters(topic="vald", organiser="fou-valfard"), now=NOW
        ),
        "past": lambda: selectors.dates_page(alice, filters=Filters(), past=True, now=UNTIL),
        "month": lambda: selectors.month_grid(alice, year=2023, month=9, filters=Filters()),
        "feed": lambda: selectors.feed_parts(alice, now=NOW),
        "feed by topic": lambda: selectors.feed_parts(alice, topics=["vald"], now=NOW),
    }
    small = {name: queries(call) for name, call in calls.items()}
    assert small["list"] == 4  # groups, dates, topics, "Jag kommer"
    assert small["month"] == 3  # groups, dates, topics
    assert small["feed"] == 2  # groups, calendar texts
    _many(alice, bob, cohort)
    for name, call in calls.items():
        with django_assert_num_queries(small[name]):
            result = call()
        if name == "list":
            assert len(result.items) == selectors.PAGE_SIZE and result.next_cursor
        if name == "month":
            assert result.count > 20
        if name == "feed":
            assert len(result) == 14
    page = selectors.dates_page(alice, filters=Filters(), now=NOW)
    with django_assert_num_queries(small["list"]):
        selectors.dates_page(alice, filters=Filters(), now=NOW, cursor=page.next_cursor)


@pytest.mark.django_db
def test_paging_the_list_yields_every_visible_date_once(alice, bob, cohort):
    _many(alice, bob, cohort)
    seen, cursor = [], ""
    while True:
        page = selectors.dates_page(bob, filters=Filters(), now=NOW, cursor=cursor, size=7)
        seen += [item.pk for item in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    expected = Occurrence.objects.filter(
        skipped=False, event__group__isnull=True, end__gte=NOW
    ).values_list("pk", flat=True)
    assert len(seen) == len(set(seen))
    assert set(seen) == set(expected)


@pytest.mark.django_db
def test_a_broken_cursor_is_a_clear_refusal(alice):
    with pytest.raises(ValidationError) as raised:
        selectors.dates_page(alice, filters=Filters(), cursor="not-a-cursor")
    assert raised.value.code == "bad_cursor"


def test_notes_follow_their_event_into_a_group_and_leave_the_feed(alice, carol):
    from kollegan.feed.models import FeedEntry
    from kollegan.groups import services as group_services
    from kollegan.notes import services as note_services
    from kollegan.notes.models import Note

    start = timezone.localtime() + dt.timedelta(days=3)
    data = EventData(title="Träff", start=start, end=start + dt.timedelta(hours=1))
    event = services.event_create(author=carol, data=data)
    occurrence = event.occurrences.get()
    note = note_services.note_create(
        author=alice, title="Anteckningar", body="Vi pratade.", occurrence=occurrence
    )
    assert FeedEntry.objects.filter(note=note).exists()
    group = group_services.group_create(moderator=carol, name="Kursgruppen")
    data.group = group
    services.event_edit(event=event, editor=carol, data=data)
    note.refresh_from_db()
    assert note.group == group
    assert not FeedEntry.objects.filter(note=note).exists()
    assert not Note.objects.filter(pk=note.pk, group__isnull=True).exists()


def test_signing_up_for_a_group_meeting_needs_the_group(alice, carol):
    from kollegan.groups import services as group_services

    group = group_services.group_create(moderator=carol, name="Kursgruppen")
    start = timezone.localtime() + dt.timedelta(days=3)
    data = EventData(title="Träff", start=start, end=start + dt.timedelta(hours=1), group=group)
    event = services.event_create(author=carol, data=data)
    with pytest.raises(PermissionDenied):
        services.attendance_set(occurrence=event.occurrences.get(), member=alice)
    assert not event.occurrences.get().attendances.exists()
