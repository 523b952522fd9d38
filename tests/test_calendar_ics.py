"""The Digital mötesplats autumn series round-trips through RFC 5545.

The series is made the way DOMAIN.md describes it (one series, one link, a
theme per date, a skipped week), exported as calendar text, parsed back with
the icalendar library and expanded by an independent expander
(recurring-ical-events). The dates, themes and times must be the ones the site
shows, on both sides of the change from summer time on 29 October 2023."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from kollegan.events import ics, services
from kollegan.events.models import Event, Occurrence
from kollegan.events.services import EventData

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# DOMAIN.md: Autumn 2023; 20/9 is the Wednesday without a meeting.
AUTUMN_2023 = """\
6/9 Funktionshinder
13/9 Skadligt bruk/beroende + Våld
27/9 Försörjningsstöd
4/10 Funktionshinder
11/10 Skadligt bruk/beroende + Våld
18/10 Barn och unga
25/10 Försörjningsstöd
1/11 Våld
8/11 Skadligt bruk/beroende
15/11 Barn och unga
22/11 Försörjningsstöd
29/11 Funktionshinder
6/12 Skadligt bruk/beroende
13/12 Barn och unga
20/12 Försörjningsstöd
"""


def autumn_series(author, **changes) -> Event:
    from kollegan.events.recurrence import expand, normalise_rule, parse_date_lines

    start = dt.datetime(2023, 9, 6, 8, 15, tzinfo=STOCKHOLM)
    rule = normalise_rule("FREQ=WEEKLY;UNTIL=20231220")
    dates = [value.date() for value in expand(rule, start)]
    themes = {
        line.date: line.text
        for line in parse_date_lines(AUTUMN_2023, field="themes", dates=dates, with_text=True)
    }
    data = EventData(
        title="Digital mötesplats",
        start=start,
        end=dt.datetime(2023, 9, 6, 9, 0, tzinfo=STOCKHOLM),
        description="Vi ses på Teams varje onsdag.",
        online_url="https://teams.microsoft.com/l/meetup-join/abc",
        rrule=rule,
        skip_dates=[dt.date(2023, 9, 20)],
        themes=themes,
        **changes,
    )
    return services.event_create(author=author, data=data)


def expanded(text: str, since: dt.datetime, until: dt.datetime) -> list[tuple]:
    calendar = icalendar.Calendar.from_ical(text)
    return sorted(
        (
            component["DTSTART"].dt.astimezone(STOCKHOLM),
            component["DTEND"].dt.astimezone(STOCKHOLM),
            str(component["SUMMARY"]),
        )
        for component in recurring_ical_events.of(calendar).between(since, until)
    )


def shown(event: Event) -> list[tuple]:
    return sorted(
        (
            item.start.astimezone(STOCKHOLM),
            item.end.astimezone(STOCKHOLM),
            ics.display_title(event.title, item.theme),
        )
        for item in Occurrence.objects.filter(event=event, skipped=False)
    )


@pytest.mark.django_db
def test_the_autumn_series_round_trips_across_summer_time(alice):
    event = autumn_series(alice)
    text = ics.calendar_text([event.ics], name="Test")
    since = dt.datetime(2023, 8, 1, tzinfo=STOCKHOLM)
    until = dt.datetime(2024, 1, 31, tzinfo=STOCKHOLM)
    theirs = expanded(text, since, until)
    ours = shown(event)
    assert theirs == ours
    assert len(ours) == 15
    assert [start.date() for start, _end, _title in ours][:3] == [
        dt.date(2023, 9, 6),
        dt.date(2023, 9, 13),
        dt.date(2023, 9, 27),
    ]
    # 08:15 Swedish time on both sides of 29 October: UTC+2 before, UTC+1 after.
    before = next(item for item in ours if item[0].date() == dt.date(2023, 10, 25))
    after = next(item for item in ours if item[0].date() == dt.date(2023, 11, 1))
    assert (before[0].hour, before[0].minute, before[0].utcoffset()) == (
        8,
        15,
        dt.timedelta(hours=2),
    )
    assert (after[0].hour, after[0].minute, after[0].utcoffset()) == (8, 15, dt.timedelta(hours=1))
    assert before[2] == "Digital mötesplats – Försörjningsstöd"
    assert after[2] == "Digital mötesplats – Våld"


@pytest.mark.django_db
def test_a_moved_date_and_a_newly_skipped_one_reach_the_calendar(alice):
    event = autumn_series(alice)
    moved = Occurrence.objects.get(event=event, original_start__date=dt.date(2023, 11, 8))
    services.occurrence_edit(
        occurrence=moved,
        editor=alice,
        theme="Skadligt bruk/beroende",
        start=dt.datetime(2023, 11, 9, 13, 0, tzinfo=STOCKHOLM),
        end=dt.datetime(2023, 11, 9, 14, 0, tzinfo=STOCKHOLM),
    )
    skipped = Occurrence.objects.get(event=event, original_start__date=dt.date(2023, 12, 13))
    services.occurrence_edit(occurrence=skipped, editor=alice, theme="", skipped=True)
    event.refresh_from_db()
    text = ics.calendar_text([event.ics], name="Test")
    theirs = expanded(
        text, dt.datetime(2023, 8, 1, tzinfo=STOCKHOLM), dt.datetime(2024, 1, 31, tzinfo=STOCKHOLM)
    )
    assert theirs == shown(event)
    assert len(theirs) == 14
    starts = [start for start, _end, _title in theirs]
    assert dt.datetime(2023, 11, 9, 13, 0, tzinfo=STOCKHOLM) in starts
    assert all(start.date() != dt.date(2023, 12, 13) for start in starts)
    assert event.sequence == 2


@pytest.mark.django_db
def test_the_uid_stays_and_the_sequence_rises_when_the_series_changes(alice):
    event = autumn_series(alice)
    first = icalendar.Calendar.from_ical(ics.calendar_text([event.ics], name="x"))
    uid = str(first.walk("VEVENT")[0]["UID"])
    services.event_cancel(event=event, member=alice)
    event.refresh_from_db()
    again = icalendar.Calendar.from_ical(ics.calendar_text([event.ics], name="x"))
    masters = [item for item in again.walk("VEVENT") if "RECURRENCE-ID" not in item]
    assert [str(item["UID"]) for item in masters] == [uid]
    assert str(masters[0]["STATUS"]) == "CANCELLED"
    assert int(masters[0]["SEQUENCE"]) == 1
    zones = again.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Stockholm"]
