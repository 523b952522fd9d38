"""Mina uppgifter → kalendarium.json and motesnoteringar.json: the events a
member added (with their series rule, skipped dates and themes), the ones they
host, the dates they signed up for, their calendar settings and the meeting
notes they wrote. Never another member's sign-ups or notes, nor the secret
behind the subscription link."""

import datetime as dt
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollegan.accounts.models import Organisation
from kollegan.events import services
from kollegan.events.models import CalendarSettings, Event
from kollegan.events.services import EventData
from kollegan.groups import services as group_services
from kollegan.notes import services as note_services
from kollegan.profiles import export
from kollegan.topics.models import Topic
from tests.conftest import client_for
from tests.test_calendar_ics import autumn_series

STOCKHOLM = ZoneInfo("Europe/Stockholm")
BOB_SECRETS = ("Bob Berg", "bob@storuman.test", "Bobs träff", "Bobs noteringar")


def _exported(member) -> dict:
    response = client_for(member).post(reverse("profiles:my_data"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {
        name: json.loads(archive.read(name).decode("utf-8"))
        for name in ("kalendarium.json", "motesnoteringar.json")
    }


def _single(author, title: str, *, days: int = 3, **changes) -> Event:
    start = dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=days), dt.time(13), tzinfo=STOCKHOLM
    )
    data = EventData(title=title, start=start, end=start + dt.timedelta(hours=2), **changes)
    return services.event_create(author=author, data=data)


def _note(author, title: str, **kwargs):
    return note_services.note_create(
        author=author,
        title=title,
        body=kwargs.pop("body", f"{title}: vi gick igenom temat."),
        topics=list(Topic.objects.filter(slug__in=kwargs.pop("topics", ["vald"]))),
        **kwargs,
    )


@pytest.fixture
def calendar(alice, bob, carol):
    """Alice adds the autumn series and a group's event; Bob adds one of his own
    that Alice hosts and both sign up for; both write notes."""
    group = group_services.group_create(moderator=carol, name="Yrkesresan Ny inom R8 – hösten")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    series = autumn_series(
        alice,
        organiser=Organisation.objects.get(slug="fou-valfard"),
        topics=list(Topic.objects.filter(slug__in=["vald", "barn-och-unga"])),
    )
    cohort_event = _single(alice, "Kohortens träff", group=group)
    bobs = _single(bob, "Bobs träff", hosts=[alice])
    bobs_date = bobs.occurrences.get()
    services.attendance_set(occurrence=bobs_date, member=alice)
    services.attendance_set(occurrence=bobs_date, member=bob)
    autumn_date = series.occurrences.get(original_start__date=dt.date(2023, 11, 1))
    services.attendance_set(occurrence=autumn_date, member=alice)
    _note(alice, "Alices noteringar", occurrence=autumn_date, topics=["vald", "barn-och-unga"])
    _note(alice, "Till kohorten", group=group, topics=[])
    _note(bob, "Bobs noteringar", occurrence=bobs_date)
    services.feed_renew(member=alice)
    services.layout_remember(member=alice, layout="month")
    return {"series": series, "cohort_event": cohort_event, "bobs": bobs, "group": group}


def test_export_holds_the_members_events_sign_ups_and_settings(alice, calendar):
    data = _exported(alice)["kalendarium.json"]
    series, cohort_event = calendar["series"], calendar["cohort_event"]

    assert [row["title"] for row in data["events"]] == ["Digital mötesplats", "Kohortens träff"]
    autumn = data["events"][0]
    assert autumn["id"] == series.pk
    assert autumn["uid"] == series.uid
    assert autumn["start"] == "2023-09-06T08:15:00+02:00"
    assert autumn["end"] == "2023-09-06T09:00:00+02:00"
    assert autumn["rrule"] == series.rrule
    assert autumn["skipped_dates"] == ["2023-09-20"]
    assert len(autumn["themes"]) == 15
    assert autumn["themes"]["2023-11-01"] == "Våld"
    assert autumn["online_url"] == "https://teams.microsoft.com/l/meetup-join/abc"
    assert autumn["organiser"] == Organisation.objects.get(slug="fou-valfard").name
    assert autumn["topics"] == ["Barn och unga", "Våld"]
    assert (autumn["group"], autumn["cancelled_at"]) == (None, None)
    cohort = data["events"][1]
    assert cohort["id"] == cohort_event.pk
    assert cohort["group"] == "Yrkesresan Ny inom R8 – hösten"
    assert (cohort["rrule"], cohort["skipped_dates"], cohort["themes"]) == (None, [], {})

    assert data["hosting"] == [
        {
            "event": {"id": calendar["bobs"].pk, "title": "Bobs träff"},
            "start": data["hosting"][0]["start"],
        }
    ]
    assert [(row["event"]["title"], row["theme"], row["start"]) for row in data["attendance"]] == [
        ("Digital mötesplats", "Våld", "2023-11-01T08:15:00+01:00"),
        ("Bobs träff", None, data["attendance"][1]["start"]),
    ]
    assert data["settings"]["layout"] == "month"
    assert data["settings"]["subscription_link_since"] is not None


def test_export_holds_the_members_notes(alice, calendar):
    notes = _exported(alice)["motesnoteringar.json"]
    assert [row["title"] for row in notes] == ["Alices noteringar", "Till kohorten"]
    from_meeting, for_group = notes
    assert from_meeting["event"] == {"id": calendar["series"].pk, "title": "Digital mötesplats"}
    assert from_meeting["meeting_start"] == "2023-11-01T08:15:00+01:00"
    assert from_meeting["topics"] == ["Barn och unga", "Våld"]
    assert from_meeting["body"] == "Alices noteringar: vi gick igenom temat."
    assert from_meeting["group"] is None
    assert (from_meeting["edited_at"], from_meeting["hidden_at"]) == (None, None)
    assert (for_group["event"], for_group["meeting_start"]) == (None, None)
    assert for_group["group"] == "Yrkesresan Ny inom R8 – hösten"


def test_export_has_nothing_of_other_members_nor_the_link_secret(alice, bob, calendar):
    exported = _exported(alice)
    text = json.dumps(exported, ensure_ascii=False)
    # Bob's event appears by its title only where Alice hosts it or signed up for it.
    for secret in ("Bob Berg", "bob@storuman.test", "Bobs noteringar", '"author', "going_count"):
        assert secret not in text, secret
    secret = CalendarSettings.objects.get(member=alice).feed_secret
    token = services.feed_path_token(alice)
    assert secret not in text and token not in text

    bobs = _exported(bob)
    assert [row["title"] for row in bobs["kalendarium.json"]["events"]] == ["Bobs träff"]
    assert [row["title"] for row in bobs["motesnoteringar.json"]] == ["Bobs noteringar"]
    assert bobs["kalendarium.json"]["hosting"] == []
    bobs_text = json.dumps(bobs, ensure_ascii=False)
    for alices in ("Alice Andersson", "Alices noteringar", "Kohortens träff", "Digital mötesplats"):
        assert alices not in bobs_text, alices


def test_a_member_without_events_gets_empty_lists(alice):
    assert _exported(alice) == {
        "kalendarium.json": {
            "events": [],
            "hosting": [],
            "attendance": [],
            "settings": {"layout": "list", "subscription_link_since": None},
        },
        "motesnoteringar.json": [],
    }


def test_the_sections_are_described_on_the_my_data_page(alice, alice_client):
    page = alice_client.get(reverse("profiles:my_data")).content.decode()
    assert "kalendarium.json" in page
    assert "motesnoteringar.json" in page


def test_the_sections_cost_the_same_queries_however_much_was_added(alice, bob, calendar):
    with CaptureQueriesContext(connection) as few_events:
        export.events_section(alice)
    with CaptureQueriesContext(connection) as few_notes:
        export.notes_section(alice)
    topics = list(Topic.objects.filter(slug__in=["vald", "barn-och-unga"]))
    for number in range(6):
        event = _single(alice, f"Träff {number}", days=4 + number, topics=topics, hosts=[bob])
        others = _single(bob, f"Bobs träff {number}", days=4 + number, hosts=[alice])
        services.attendance_set(occurrence=others.occurrences.get(), member=alice)
        _note(alice, f"Noteringar {number}", occurrence=event.occurrences.get())
    with CaptureQueriesContext(connection) as many_events:
        data = export.events_section(alice)
    with CaptureQueriesContext(connection) as many_notes:
        notes = export.notes_section(alice)
    assert (len(data["events"]), len(data["hosting"]), len(data["attendance"])) == (8, 7, 8)
    assert len(notes) == 8
    assert len(many_events) == len(few_events)
    assert len(many_notes) == len(few_notes)
