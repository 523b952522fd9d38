"""Kalendarium's pages: the list and the month grid, an event, a series and its
dates, "Jag kommer", the forms and their refusals, and the subscription feed.

Pages are Swedish, but the catalogue for this section is filled in after the
code: messages are compared through ``in_swedish`` (the Swedish when there is
one, else the source) and escaped as the page escapes them."""

import datetime as dt
import re
from html import escape
from urllib.parse import urlsplit

import icalendar
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollegan.events import services
from kollegan.events.models import Attendance, CalendarSettings, Event, Occurrence
from kollegan.events.recurrence import STOCKHOLM, local
from kollegan.events.services import EventData
from kollegan.groups.models import Group, GroupMembership
from kollegan.topics.models import Topic
from tests.helpers import in_swedish

pytestmark = pytest.mark.django_db

CALENDAR = reverse("calendar")
LIST = reverse("events:list")
PAST = reverse("events:past")
CREATE = reverse("events:create")
SUBSCRIPTION = reverse("events:subscription")
PERSONAL_NUMBER = "19121212-1212"


def text(response) -> str:
    return response.content.decode()


def said(message: str, **values) -> str:
    """A message as the page shows it: in Swedish when translated, filled in, escaped."""
    text = in_swedish(message)
    return escape(text % values if values else text)


def day_from_now(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=STOCKHOLM)


def next_wednesday(after_days: int = 7) -> dt.date:
    day = day_from_now(after_days)
    return day + dt.timedelta(days=(2 - day.weekday()) % 7)


def single(author, *, title="Barnets resa i socialtjänsten", days=10, **changes) -> Event:
    day = day_from_now(days)
    data = EventData(
        title=title,
        start=at(day, 9),
        end=at(day, 12),
        description="Utbildningsdag om **barnets resa**.",
        place="Folkets hus, Lycksele",
        **changes,
    )
    return services.event_create(author=author, data=data)


def weekly(author, *, title="Digital mötesplats", weeks=6, themes=None, **changes) -> Event:
    first = next_wednesday()
    data = EventData(
        title=title,
        start=at(first, 8, 15),
        end=at(first, 9),
        online_url="https://teams.microsoft.com/l/meetup-join/abc",
        rrule=f"FREQ=WEEKLY;COUNT={weeks}",
        themes=themes or {},
        **changes,
    )
    return services.event_create(author=author, data=data)


def first_occurrence(event: Event) -> Occurrence:
    return Occurrence.objects.filter(event=event).order_by("start").first()


def form_data(**changes) -> dict:
    day = day_from_now(10)
    data = {
        "title": "Nätverksträff barn och unga",
        "description": "Vi ses i Lycksele.",
        "start_date": day.isoformat(),
        "start_time": "09:00",
        "end_date": "",
        "end_time": "12:00",
        "place": "Folkets hus",
        "online_url": "",
        "organiser": "lycksele",
        "hosts": "",
        "group": "",
        "repeat": "none",
        "until": "",
        "count": "",
        "rrule": "",
        "skip_dates": "",
        "themes": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def vald(db) -> Topic:
    return Topic.objects.get(slug="vald")


@pytest.fixture
def cohort(carol, alice) -> Group:
    """Yrkesresan: Carol (moderator) and Alice; Bob is not in it."""
    group = Group.objects.create(name="Yrkesresan Ny inom R8 – hösten", created_by=carol)
    GroupMembership.objects.create(group=group, member=carol, added_by=carol)
    GroupMembership.objects.create(group=group, member=alice, added_by=carol)
    return group


# --- Every page answers ------------------------------------------------------------------------


def test_every_page_answers_a_member(alice_client, alice):
    series = weekly(alice, themes={})
    event = single(alice)
    date = first_occurrence(series)
    today = timezone.localdate()
    pages = [
        CALENDAR,
        LIST,
        PAST,
        reverse("events:month", args=[today.year, today.month]),
        CREATE,
        reverse("events:detail", args=[series.pk]),
        reverse("events:edit", args=[series.pk]),
        reverse("events:edit", args=[event.pk]),
        reverse("events:cancel", args=[series.pk]),
        reverse("events:delete", args=[series.pk]),
        reverse("events:ics", args=[series.pk]),
        reverse("events:occurrence", args=[date.pk]),
        reverse("events:occurrence_edit", args=[date.pk]),
        reverse("events:edit_following", args=[date.pk]),
        reverse("events:occurrence", args=[first_occurrence(event).pk]),
        SUBSCRIPTION,
    ]
    for url in pages:
        # Kalendarium itself leads on to the remembered layout.
        response = alice_client.get(url, follow=True)
        assert response.status_code == 200, url


def test_a_single_events_page_is_its_dates_page(alice_client, alice):
    event = single(alice)
    response = alice_client.get(event.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == first_occurrence(event).get_absolute_url()


def test_visitors_are_sent_to_log_in(client, alice):
    series = weekly(alice)
    date = first_occurrence(series)
    for url in [
        CALENDAR,
        LIST,
        PAST,
        reverse("events:month", args=[2026, 9]),
        CREATE,
        series.get_absolute_url(),
        reverse("events:edit", args=[series.pk]),
        reverse("events:ics", args=[series.pk]),
        date.get_absolute_url(),
        reverse("events:edit_following", args=[date.pk]),
        SUBSCRIPTION,
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert urlsplit(response["Location"]).path == reverse("account_login"), url
    response = client.post(reverse("events:attend", args=[date.pk]), {"going": "1"})
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_a_deactivated_member_is_refused(dave_client, alice):
    series = weekly(alice)
    response = dave_client.get(series.get_absolute_url())
    assert response.status_code in (302, 403)
    assert dave_client.get(LIST).status_code in (302, 403)


# --- Groups and editors ------------------------------------------------------------------------


def test_an_event_of_a_group_you_are_not_in_is_not_found(bob_client, alice, cohort):
    event = weekly(alice, group=cohort)
    date = first_occurrence(event)
    for url in [
        event.get_absolute_url(),
        reverse("events:edit", args=[event.pk]),
        reverse("events:cancel", args=[event.pk]),
        reverse("events:delete", args=[event.pk]),
        reverse("events:ics", args=[event.pk]),
        date.get_absolute_url(),
        reverse("events:occurrence_edit", args=[date.pk]),
        reverse("events:edit_following", args=[date.pk]),
    ]:
        assert bob_client.get(url).status_code == 404, url
    response = bob_client.post(reverse("events:attend", args=[date.pk]), {"going": "1"})
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    # Nor is it in the list or the month.
    assert event.title not in text(bob_client.get(LIST))
    start = local(event.start)
    assert event.title not in text(
        bob_client.get(reverse("events:month", args=[start.year, start.month]))
    )


def test_the_group_sees_its_event(alice_client, alice, cohort):
    event = weekly(alice, group=cohort)
    assert event.title in text(alice_client.get(LIST))
    assert alice_client.get(event.get_absolute_url()).status_code == 200


def test_only_editors_may_change_cancel_or_delete(bob_client, alice):
    event = weekly(alice)
    date = first_occurrence(event)
    refused = in_swedish(
        "Only the one who added the event, its hosts and moderators can change it."
    )
    for url in [
        reverse("events:edit", args=[event.pk]),
        reverse("events:cancel", args=[event.pk]),
        reverse("events:occurrence_edit", args=[date.pk]),
        reverse("events:edit_following", args=[date.pk]),
    ]:
        response = bob_client.get(url)
        assert response.status_code == 403, url
        assert escape(refused) in text(response)
        assert bob_client.post(url, form_data()).status_code == 403, url
    for method in (bob_client.get, bob_client.post):
        assert method(reverse("events:delete", args=[event.pk])).status_code == 403
    assert Event.objects.filter(pk=event.pk, cancelled_at__isnull=True).exists()
    # No editor's links on the pages either.
    html = text(bob_client.get(date.get_absolute_url()))
    assert reverse("events:edit", args=[event.pk]) not in html


def test_a_host_may_edit_but_not_delete(bob_client, alice, bob):
    event = single(alice, hosts=[bob])
    assert bob_client.get(reverse("events:edit", args=[event.pk])).status_code == 200
    assert bob_client.post(reverse("events:delete", args=[event.pk])).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_a_moderator_may_delete(carol_client, alice):
    event = single(alice)
    response = carol_client.post(reverse("events:delete", args=[event.pk]))
    assert response.status_code == 302
    assert response["Location"] == CALENDAR
    assert not Event.objects.filter(pk=event.pk).exists()


# --- Adding through the form, and what is refused ---------------------------------------------


def test_a_member_adds_an_event_through_the_form(alice_client, alice, barn, bob):
    response = alice_client.post(
        CREATE, form_data(topics=["barn-och-unga"], hosts="bob@storuman.test")
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.title == "Nätverksträff barn och unga"
    assert event.organiser.slug == "lycksele"
    assert list(event.topics.all()) == [barn]
    assert list(event.hosts.all()) == [bob]
    assert local(event.start).time() == dt.time(9, 0)
    assert local(event.end) == at(day_from_now(10), 12)
    assert response["Location"] == first_occurrence(event).get_absolute_url()
    page = text(alice_client.get(response["Location"]))
    assert "Nätverksträff barn och unga" in page and "Folkets hus" in page


def test_the_form_offers_the_members_organisation_and_groups(alice_client, cohort):
    html = text(alice_client.get(CREATE))
    assert re.search(r'<option value="lycksele" selected>', html)
    assert cohort.name in html


def test_an_all_day_event_over_two_days(alice_client):
    day = day_from_now(20)
    data = form_data(
        all_day="on",
        start_time="",
        end_time="",
        end_date=(day + dt.timedelta(days=1)).isoformat(),
        start_date=day.isoformat(),
    )
    assert alice_client.post(CREATE, data).status_code == 302
    event = Event.objects.get()
    assert event.all_day
    assert local(event.start) == at(day, 0)
    assert local(event.end) == at(day + dt.timedelta(days=2), 0)


def test_the_mötesplats_series_with_themes_is_made_through_the_form(alice_client):
    first = next_wednesday()
    second, third = first + dt.timedelta(days=7), first + dt.timedelta(days=14)
    data = form_data(
        title="Digital mötesplats",
        start_date=first.isoformat(),
        start_time="08:15",
        end_time="09:00",
        place="",
        online_url="https://teams.microsoft.com/l/meetup-join/abc",
        repeat="weekly",
        count="6",
        themes=f"{first.day}/{first.month} Funktionshinder\n{third.isoformat()} Barn och unga",
        skip_dates=second.isoformat(),
    )
    response = alice_client.post(CREATE, data)
    assert response.status_code == 302
    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert event.rrule.startswith("FREQ=WEEKLY") and "COUNT=6" in event.rrule
    assert Occurrence.objects.filter(event=event).count() == 6
    assert Occurrence.objects.get(event=event, skipped=True).start.date() == second
    html = text(alice_client.get(event.get_absolute_url()))
    assert "Funktionshinder" in html and "Barn och unga" in html
    # The list shows each date's theme after the title.
    assert "Digital mötesplats – Funktionshinder" in text(alice_client.get(LIST))


BAD_INPUT = [
    pytest.param(
        {"end_time": "08:00"},
        "end_time",
        "The end must come after the start.",
        id="end-before-start",
    ),
    pytest.param(
        {"repeat": "custom", "rrule": "FREQ=WEEKLY"},
        "rrule",
        "A series must end: give an end date or a number of times (UNTIL or COUNT in the rule).",
        id="endless-rule",
    ),
    pytest.param(
        {"repeat": "weekly"},
        "until",
        "A series must end: give an end date or a number of times (UNTIL or COUNT in the rule).",
        id="weekly-without-end",
    ),
    pytest.param(
        {"repeat": "custom", "rrule": "FREQ=HOURLY;COUNT=600"},
        "rrule",
        None,  # "The rule gives 600 dates in <year>; at most 500 a year are allowed."
        id="too-many-a-year",
    ),
    pytest.param(
        {"repeat": "weekly", "count": "3", "themes": "2031-01-01 Våld"},
        "themes",
        ("Line %(line)d: %(date)s is not a date in the series.", {"line": 1, "date": "2031-01-01"}),
        id="theme-outside-the-series",
    ),
    pytest.param(
        {"repeat": "weekly", "count": "3", "skip_dates": "nästa vecka"},
        "skip_dates",
        None,
        id="skipped-date-unreadable",
    ),
    pytest.param(
        {"online_url": "teams-länk"},
        "online_url",
        "Write the meeting link as a whole web address starting with https://.",
        id="bad-link",
    ),
    pytest.param({"title": ""}, "title", "Give the event a title.", id="no-title"),
    pytest.param({"start_date": ""}, "start_date", "Give the start date.", id="no-date"),
    pytest.param(
        {"hosts": "ingen@example.test"},
        "hosts",
        (
            "No active member has these addresses: %(addresses)s.",
            {"addresses": "ingen@example.test"},
        ),
        id="unknown-host",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_with_400_and_nothing_stored(alice_client, changes, field, message):
    response = alice_client.post(CREATE, form_data(**changes))
    assert response.status_code == 400
    assert Event.objects.count() == 0
    html = text(response)
    assert 'role="alert"' in html
    assert f'id="id_{field}_error"' in html
    assert f'href="#id_{field}"' in html
    if isinstance(message, tuple):
        assert said(message[0], **message[1]) in html
    elif message:
        assert said(message) in html
    if changes.get("rrule") == "FREQ=HOURLY;COUNT=600":
        assert "600" in html and "500" in html


def test_a_group_you_are_not_in_is_refused(bob_client, cohort):
    response = bob_client.post(CREATE, form_data(group=str(cohort.pk)))
    assert response.status_code == 400
    assert Event.objects.count() == 0
    assert said("You can only add events to groups you are in.") in text(response)
    assert 'id="id_group_error"' in text(response)


def test_a_personal_identity_number_is_refused(alice_client):
    data = form_data(description=f"Gäller {PERSONAL_NUMBER}.")
    response = alice_client.post(CREATE, data)
    assert response.status_code == 400
    assert Event.objects.count() == 0
    html = text(response)
    assert "121212-XXXX" in html
    # The number is only in what the member wrote, given back to them.
    assert html.count("1212-1212") == 1
    # Confirming does not help: the number is refused outright.
    response = alice_client.post(CREATE, {**data, "confirmed": "on"})
    assert response.status_code == 400
    assert Event.objects.count() == 0


def test_a_phone_number_needs_confirmation(alice_client):
    data = form_data(description="Ring 070-123 45 67 för frågor.")
    response = alice_client.post(CREATE, data)
    assert response.status_code == 400
    assert 'name="confirmed"' in text(response)
    assert Event.objects.count() == 0
    assert alice_client.post(CREATE, {**data, "confirmed": "on"}).status_code == 302
    assert Event.objects.count() == 1


# --- Changing -------------------------------------------------------------------------------------


def test_the_edit_form_is_filled_in_from_the_series(alice_client, alice, bob, barn):
    event = weekly(alice, themes={}, topics=[barn], hosts=[bob])
    dates = [local(item.start).date() for item in Occurrence.objects.filter(event=event)]
    services.event_edit(
        event=event,
        editor=alice,
        data=EventData(
            title=event.title,
            start=event.start,
            end=event.end,
            online_url=event.online_url,
            rrule=event.rrule,
            topics=[barn],
            hosts=[bob],
            skip_dates=[dates[1]],
            themes={dates[0]: "Funktionshinder", dates[2]: "Våld"},
        ),
    )
    form = alice_client.get(reverse("events:edit", args=[event.pk])).context["form"]
    assert form.initial["repeat"] == "weekly"
    assert form.initial["count"] == 6
    assert form.initial["themes"] == f"{dates[0]} Funktionshinder\n{dates[2]} Våld"
    assert form.initial["skip_dates"] == dates[1].isoformat()
    assert form.initial["hosts"] == "bob@storuman.test"
    assert form.initial["topics"] == ["barn-och-unga"]
    # Sent back as it was, it saves and changes nothing but the title.
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if value is not False
    }
    data["start_date"], data["end_date"] = str(data["start_date"]), str(data["end_date"])
    data["start_time"] = data["start_time"].strftime("%H:%M")
    data["end_time"] = data["end_time"].strftime("%H:%M")
    data["title"] = "Digital mötesplats hösten"
    response = alice_client.post(reverse("events:edit", args=[event.pk]), data)
    assert response.status_code == 302, text(response)
    event.refresh_from_db()
    assert event.title == "Digital mötesplats hösten"
    assert Occurrence.objects.filter(event=event, skipped=True).count() == 1
    assert set(Occurrence.objects.exclude(theme="").values_list("theme", flat=True)) == {
        "Funktionshinder",
        "Våld",
    }


def test_one_date_gets_a_theme_and_another_is_skipped(alice_client, alice):
    event = weekly(alice)
    first, second = Occurrence.objects.filter(event=event).order_by("start")[:2]
    url = reverse("events:occurrence_edit", args=[first.pk])
    start = local(first.start)
    data = {
        "theme": "Funktionshinder",
        "start_date": start.date().isoformat(),
        "start_time": "08:15",
        "end_date": "",
        "end_time": "09:00",
    }
    assert alice_client.post(url, data).status_code == 302
    first.refresh_from_db()
    assert first.theme == "Funktionshinder" and not first.moved
    html = text(alice_client.get(first.get_absolute_url()))
    assert "Digital mötesplats – Funktionshinder" in html
    url = reverse("events:occurrence_edit", args=[second.pk])
    second_day = local(second.start).date().isoformat()
    data = {**data, "theme": "", "start_date": second_day, "skipped": "on"}
    assert alice_client.post(url, data).status_code == 302
    second.refresh_from_db()
    assert second.skipped
    html = text(alice_client.get(second.get_absolute_url()))
    assert said("The series skips this date.") in html
    assert 'id="kommer-knapp"' not in html


def test_a_date_moved_to_end_before_it_starts_is_refused(alice_client, alice):
    date = first_occurrence(weekly(alice))
    day = local(date.start).date().isoformat()
    data = {"theme": "", "start_date": day, "start_time": "10:00", "end_time": "09:00"}
    response = alice_client.post(reverse("events:occurrence_edit", args=[date.pk]), data)
    assert response.status_code == 400
    assert said("The end must come after the start.") in text(response)
    date.refresh_from_db()
    assert local(date.start).hour == 8


def test_editing_this_and_following_dates_starts_a_new_series(alice_client, alice):
    event = weekly(alice, themes={})
    dates = list(Occurrence.objects.filter(event=event).order_by("start"))
    third = dates[2]
    url = reverse("events:edit_following", args=[third.pk])
    form = alice_client.get(url).context["form"]
    assert form.initial["start_date"] == local(third.start).date()
    assert form.initial["count"] == 4
    data = {
        name: ("" if value is None else str(value))
        for name, value in form.initial.items()
        if value is not False
    }
    data.update(start_time="13:00", end_time="14:00", topics=[], title="Digital mötesplats ny tid")
    response = alice_client.post(url, data)
    assert response.status_code == 302, text(response)
    successor = Event.objects.exclude(pk=event.pk).get()
    assert response["Location"] == successor.get_absolute_url()
    assert Occurrence.objects.filter(event=event).count() == 2
    assert Occurrence.objects.filter(event=successor).count() == 4
    assert local(successor.start).hour == 13


def test_cancel_and_undo(alice_client, alice):
    event = weekly(alice)
    url = reverse("events:cancel", args=[event.pk])
    assert alice_client.post(url, {"cancelled": "1"}).status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled
    list_html = text(alice_client.get(LIST))
    assert "badge--cancelled" in list_html
    date = first_occurrence(event)
    html = text(alice_client.get(date.get_absolute_url()))
    assert said("The event is cancelled and will not take place.") in html
    # Nobody signs up for a cancelled meeting.
    response = alice_client.post(reverse("events:attend", args=[date.pk]), {"going": "1"})
    assert response.status_code == 400
    assert said("The meeting is cancelled; you cannot sign up for it.") in text(response)
    assert not Attendance.objects.exists()
    assert alice_client.post(url, {"cancelled": "0"}).status_code == 302
    event.refresh_from_db()
    assert not event.is_cancelled


# --- Jag kommer ----------------------------------------------------------------------------------


def test_signing_up_changes_the_count_and_the_list(alice_client, bob_client, alice, bob):
    date = first_occurrence(single(alice))
    attend = reverse("events:attend", args=[date.pk])
    response = bob_client.post(attend, {"going": "1", "next": date.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == date.get_absolute_url()
    date.refresh_from_db()
    assert date.going_count == 1
    html = text(bob_client.get(date.get_absolute_url()))
    assert bob.name in html
    # Only hosts, the author and moderators see the addresses.
    assert bob.email not in html
    assert bob.email in text(alice_client.get(date.get_absolute_url()))
    # The list shows the count and "you are coming".
    assert "badge--going" in text(bob_client.get(LIST))
    assert "badge--going" not in text(alice_client.get(LIST))
    # And not after all.
    assert bob_client.post(attend, {"going": "0"}).status_code == 302
    date.refresh_from_db()
    assert date.going_count == 0
    assert bob.name not in text(alice_client.get(date.get_absolute_url()))


def test_signing_up_with_htmx_swaps_the_box(bob_client, alice):
    date = first_occurrence(single(alice))
    response = bob_client.post(
        reverse("events:attend", args=[date.pk]), {"going": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = text(response)
    assert html.lstrip().startswith('<section class="cal-attendance" id="narvaro"')
    assert 'id="kommer-knapp"' in html and 'name="going" value="0"' in html
    # The page's status line (a live region that stays) is filled in out of band.
    assert '<p id="narvaro-status" hx-swap-oob="innerHTML">' in html


def test_attend_needs_post(alice_client, alice):
    date = first_occurrence(single(alice))
    assert alice_client.get(reverse("events:attend", args=[date.pk])).status_code == 405


def test_notes_are_one_click_from_the_date(alice_client, alice):
    from kollegan.notes.models import Note

    date = first_occurrence(single(alice))
    fields = {field.name for field in Note._meta.get_fields()}
    note = Note(author=alice, title="Anteckningar från träffen", occurrence=date, event=date.event)
    if "body" in fields:
        note.body = "Vi pratade om barnets resa."
    note.save()
    html = text(alice_client.get(date.get_absolute_url()))
    assert note.get_absolute_url() in html
    assert f"{reverse('notes:create')}?tillfalle={date.pk}" in html


# --- The list and the month ----------------------------------------------------------------------


def test_the_layout_is_remembered(alice_client, alice):
    # A member who never chose gets the list.
    assert alice_client.get(CALENDAR)["Location"] == LIST
    today = timezone.localdate()
    month_url = reverse("events:month", args=[today.year, today.month])
    assert alice_client.get(month_url).status_code == 200
    assert CalendarSettings.objects.get(member=alice).layout == "month"
    assert alice_client.get(CALENDAR)["Location"] == month_url
    # The filters come along.
    response = alice_client.get(CALENDAR, {"amne": "vald"})
    assert response["Location"] == f"{month_url}?amne=vald"
    alice_client.get(LIST)
    assert CalendarSettings.objects.get(member=alice).layout == "list"
    assert alice_client.get(CALENDAR)["Location"] == LIST


def test_the_list_filters_by_topic_and_organiser(alice_client, alice, barn, vald, storuman):
    single(alice, title="Om barn", topics=[barn])
    single(alice, title="Om våld", topics=[vald], organiser=storuman)
    html = text(alice_client.get(LIST, {"amne": "barn-och-unga"}))
    assert "Om barn" in html and "Om våld" not in html
    html = text(alice_client.get(LIST, {"arrangor": "storuman"}))
    assert "Om våld" in html and "Om barn" not in html


def test_every_date_of_a_series_shows_its_topics(alice_client, alice, vald):
    weekly(alice, weeks=3, topics=[vald])
    html = text(alice_client.get(LIST))
    # Each date's row carries the series' topic, not only the last one read.
    assert html.count('amne=vald">Våld</a>') == 3


def test_the_list_shows_the_date_in_swedish_and_pages_on(alice_client, alice):
    event = single(alice, days=3)
    start = local(event.start)
    html = text(alice_client.get(LIST))
    weekdays = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
    months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
              "september", "oktober", "november", "december"]  # fmt: skip
    shown = f"{weekdays[start.weekday()]} {start.day} {months[start.month - 1]} {start.year}"
    assert shown.capitalize() in html
    assert "09:00–12:00" in html
    assert first_occurrence(event).get_absolute_url() in html


def test_a_broken_cursor_is_a_400(alice_client):
    response = alice_client.get(LIST, {"fore": "trasig"})
    assert response.status_code == 400
    assert said("The link to more dates is broken. Start again from today.") in text(response)
    assert alice_client.get(LIST, {"fran": "igår"}).status_code == 400


def test_impossible_months_are_not_found(alice_client):
    for year, month in [(2026, 0), (2026, 13), (1899, 12), (2201, 1)]:
        assert alice_client.get(f"/kalendarium/manad/{year}/{month}/").status_code == 404


def test_the_month_is_a_table_with_weeks_and_today(alice_client, alice):
    event = single(alice, days=1)
    start = local(event.start)
    html = text(alice_client.get(reverse("events:month", args=[start.year, start.month])))
    assert "<caption>" in html
    assert html.count('<th scope="col">') == 7
    assert '<abbr title="måndag">Mån</abbr>' in html
    week = start.isocalendar().week
    assert re.search(rf'<th scope="row" class="cal-month__week">.*?{week}\b', html)
    assert first_occurrence(event).get_absolute_url() in html
    assert ">09:00<" in html
    today = timezone.localdate()
    if (today.year, today.month) == (start.year, start.month):
        assert html.count('aria-current="date"') == 1


def test_a_crowded_day_links_to_the_list_from_that_day(alice_client, alice):
    for number in range(6):
        single(alice, title=f"Träff {number}", days=5)
    day = day_from_now(5)
    html = text(alice_client.get(reverse("events:month", args=[day.year, day.month])))
    assert html.count("Träff ") == 3
    more = f"{LIST}?fran={day.isoformat()}"
    assert f'href="{more}"' in html
    listed = text(alice_client.get(more))
    assert all(f"Träff {number}" in listed for number in range(6))


def test_past_events_are_listed_latest_first(alice_client, alice):
    day = timezone.localdate() - dt.timedelta(days=10)
    for title, hour in (("Förra", 9), ("Senare förra", 13)):
        services.event_create(
            author=alice,
            data=EventData(title=title, start=at(day, hour), end=at(day, hour + 1)),
        )
    html = text(alice_client.get(PAST))
    assert html.index("Senare förra") < html.index("Förra<")
    assert "Förra" not in text(alice_client.get(LIST))


def test_the_event_downloads_as_a_calendar_file(alice_client, alice):
    event = weekly(alice)
    response = alice_client.get(reverse("events:ics", args=[event.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="digital-motesplats.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event.uid
    assert "RRULE" in vevent


# --- The subscription ----------------------------------------------------------------------------


def feed_link(client: Client, **query) -> str:
    """The personal link as the subscription page shows it."""
    html = text(client.get(SUBSCRIPTION, query))
    match = re.search(r'<input type="text" id="kalenderlank" value="([^"]+)"', html)
    assert match, "no calendar link on the page"
    return match.group(1).replace("&amp;", "&")


def fetch(url: str):
    """A calendar app fetching the feed: no session, no cookies."""
    parts = urlsplit(url)
    return Client().get(parts.path, query_params=None, QUERY_STRING=parts.query)


def summaries(response) -> list[str]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return sorted(str(item["SUMMARY"]) for item in calendar.walk("VEVENT"))


def test_a_member_makes_a_link_and_a_calendar_app_reads_it(alice_client, alice, barn):
    weekly(alice, themes={}, topics=[barn])
    single(alice, title="Utan ämne")
    html = text(alice_client.get(SUBSCRIPTION))
    assert 'name="action" value="renew"' in html and 'id="kalenderlank"' not in html
    response = alice_client.post(SUBSCRIPTION, {"action": "renew"})
    assert response.status_code == 302
    url = feed_link(alice_client)
    assert url.startswith(f"{settings.SITE_URL}/kalendarium/prenumeration/{alice.pk}/")
    webcal = "webcal://" + url.split("://", 1)[1]
    assert escape(webcal) in text(alice_client.get(SUBSCRIPTION))
    response = fetch(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert summaries(response) == ["Digital mötesplats", "Utan ämne"]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Digitala kollegan"
    # Only one topic: the link carries it.
    url = feed_link(alice_client, amne="barn-och-unga")
    assert url.endswith("?amne=barn-och-unga")
    assert summaries(fetch(url)) == ["Digital mötesplats"]


def test_a_revoked_or_renewed_link_stops_working(alice_client, alice):
    single(alice)
    alice_client.post(SUBSCRIPTION, {"action": "renew"})
    old = feed_link(alice_client)
    alice_client.post(SUBSCRIPTION, {"action": "renew"})
    new = feed_link(alice_client)
    assert old != new
    response = fetch(old)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    message = in_swedish(
        "The calendar link is no longer valid. Make a new one under Kalendarium → Prenumerera."
    )
    assert response.content.decode() == message
    assert fetch(new).status_code == 200
    alice_client.post(SUBSCRIPTION, {"action": "revoke"})
    assert fetch(new).status_code == 404
    assert 'id="kalenderlank"' not in text(alice_client.get(SUBSCRIPTION))


def test_a_forged_token_or_another_members_number_is_not_found(alice_client, alice, bob):
    alice_client.post(SUBSCRIPTION, {"action": "renew"})
    url = feed_link(alice_client)
    token = url.rsplit("/", 1)[1]
    assert fetch(url.replace(token, "0" * 64 + ".ics")).status_code == 404
    assert fetch(url.replace(f"/{alice.pk}/", f"/{bob.pk}/")).status_code == 404


def test_the_feed_of_a_deactivated_member_is_not_found(alice, dave):
    services.feed_renew(member=dave)
    token = services.feed_path_token(dave)
    url = reverse("events:feed", args=[dave.pk, token])
    assert Client().get(url).status_code == 404


def test_group_events_reach_only_the_groups_feeds(alice, bob, carol, cohort):
    weekly(carol, title="Yrkesresan träff", group=cohort)
    single(carol, title="För alla")
    for member, expected in ((alice, ["För alla", "Yrkesresan träff"]), (bob, ["För alla"])):
        services.feed_renew(member=member)
        url = reverse("events:feed", args=[member.pk, services.feed_path_token(member)])
        assert summaries(Client().get(url)) == expected


def test_the_feed_needs_get(alice):
    services.feed_renew(member=alice)
    url = reverse("events:feed", args=[alice.pk, services.feed_path_token(alice)])
    assert Client().post(url).status_code == 405


def test_the_subscription_page_refuses_an_unknown_action(alice_client):
    assert alice_client.post(SUBSCRIPTION, {"action": "allt"}).status_code == 400


def test_my_page_leads_to_the_subscription(alice_client):
    assert SUBSCRIPTION in text(alice_client.get(reverse("profiles:my_page")))


# --- The same number of queries for few and many events -------------------------------------------


def many_events(author, topics) -> None:
    """30 events more: 27 single ones over the coming weeks and 3 series."""
    for number in range(27):
        single(author, title=f"Träff {number}", days=1 + number % 20, topics=topics[: number % 3])
    for number in range(3):
        weekly(author, title=f"Serie {number}", weeks=10, themes={}, topics=topics)


def measured(client: Client, url: str, django_assert_num_queries, queries: int, **query) -> str:
    client.get(url, query)  # the first visit may write the remembered layout
    with django_assert_num_queries(queries):
        response = client.get(url, query)
    assert response.status_code == 200
    return text(response)


# Session, member, the member's groups; the dates (and, in the list, their topics
# and which the viewer is coming to); remembering the layout (an UPDATE that
# matches nothing when it is unchanged, and a read); the topics and organisers to
# filter by.
LIST_QUERIES = 10
MONTH_QUERIES = 8


@pytest.mark.parametrize(
    ("name", "query", "queries"),
    [
        ("list", {}, LIST_QUERIES),
        ("list", {"amne": "vald", "arrangor": "storuman"}, LIST_QUERIES),
        ("past", {}, LIST_QUERIES),
        ("month", {}, MONTH_QUERIES),
        ("month", {"amne": "vald"}, MONTH_QUERIES),
    ],
)
def test_list_and_month_cost_the_same_for_few_and_many_events(
    name, query, queries, alice_client, alice, bob, barn, vald, storuman, django_assert_num_queries
):
    today = timezone.localdate()
    if name == "month":
        url = reverse("events:month", args=[today.year, today.month])
    else:
        url = reverse(f"events:{name}")
    single(alice, topics=[vald], organiser=storuman)
    earlier = today - dt.timedelta(days=3)
    services.event_create(
        author=alice,
        data=EventData(title="Förr", start=at(earlier, 9), end=at(earlier, 10), topics=[vald]),
    )
    measured(alice_client, url, django_assert_num_queries, queries, **query)
    many_events(bob, [vald, barn])
    for number in range(10):
        day = today - dt.timedelta(days=4 + number)
        services.event_create(
            author=bob,
            data=EventData(
                title=f"Förr {number}", start=at(day, 9), end=at(day, 10), topics=[vald]
            ),
        )
    date = first_occurrence(Event.objects.get(title="Serie 0"))
    services.attendance_set(occurrence=date, member=alice)
    html = measured(alice_client, url, django_assert_num_queries, queries, **query)
    if "arrangor" not in query:
        assert html.count("Träff") + html.count("Serie") + html.count("Förr") > 10


def test_the_feed_costs_the_same_for_few_and_many_events(
    alice, bob, barn, vald, django_assert_num_queries
):
    single(alice, topics=[vald])
    services.feed_renew(member=alice)
    url = reverse("events:feed", args=[alice.pk, services.feed_path_token(alice)])
    client = Client()
    with django_assert_num_queries(3):
        assert client.get(url).status_code == 200
    many_events(bob, [vald, barn])
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(summaries(response)) >= 31
    with django_assert_num_queries(3):
        assert client.get(url, {"amne": "barn-och-unga"}).status_code == 200


def test_the_list_pages_on_by_cursor(alice_client, alice):
    from kollegan.events.selectors import PAGE_SIZE

    for number in range(PAGE_SIZE + 3):
        single(alice, title=f"Träff {number:02d}", days=1 + number)
    html = text(alice_client.get(LIST))
    assert html.count('class="cal-row"') == PAGE_SIZE
    match = re.search(r'<a href="([^"]+)" rel="next">', html)
    assert match
    later = text(alice_client.get(match.group(1).replace("&amp;", "&")))
    assert later.count('class="cal-row"') == 3
    assert f"Träff {PAGE_SIZE + 2:02d}" in later


def test_a_feed_address_with_an_impossible_member_number_is_not_found(client):
    big = "9" * 30
    response = client.get(f"/kalendarium/prenumeration/{big}/{'a' * 64}.ics")
    assert response.status_code == 404
