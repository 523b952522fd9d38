"""/api/v1/events and /api/v1/me's calendar_feed_url: Kalendarium for scripts.

The same services as the pages, so the same rules: a group's events are the
group's alone (absent from lists, 404 elsewhere), times carry their offset,
series must end, themes belong to dates of the series, the confidentiality
guard; a series in a range comes back as its dates, 08:15 Swedish time on both
sides of the change from summer time."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollegan.accounts.models import Organisation
from kollegan.api.services import api_token_create
from kollegan.events import services
from kollegan.events.models import Attendance, Event, Occurrence
from kollegan.events.services import EventData
from kollegan.groups import services as group_services
from kollegan.topics.models import Topic
from tests.helpers import bearer, in_swedish, token_client
from tests.test_calendar_ics import autumn_series

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LIST = reverse("api:list_events")
CREATE = reverse("api:create_event")
ME = "/api/v1/me"

# GET /api/v1/events however many dates: the token with its member, the member's
# groups, the dates with their events and organisers, the events' topics.
LIST_QUERIES = 4

# A series a year or more ahead: its dates stay upcoming whenever the tests run.
NEXT_YEAR = timezone.now().year + 1
SERIES_START = dt.datetime(NEXT_YEAR, 9, 1, 8, 15, tzinfo=STOCKHOLM)


def detail_url(event: Event | int) -> str:
    return reverse("api:get_event", kwargs={"event_id": getattr(event, "pk", event)})


def attend_url(event: Event | int) -> str:
    return reverse("api:attend_event", kwargs={"event_id": getattr(event, "pk", event)})


def send(client: Client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def iso(value: dt.datetime) -> str:
    return value.isoformat()


def single(author, *, days: float = 2, title: str = "Barnets resa i socialtjänsten", **changes):
    start = (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)
    data = EventData(title=title, start=start, end=start + dt.timedelta(hours=2), **changes)
    return services.event_create(author=author, data=data)


def weekly(author, *, count: int = 5, **changes) -> Event:
    data = EventData(
        title="Digital mötesplats",
        start=SERIES_START,
        end=SERIES_START + dt.timedelta(minutes=45),
        rrule=f"FREQ=WEEKLY;COUNT={count}",
        **changes,
    )
    return services.event_create(author=author, data=data)


@pytest.fixture
def cohort(carol, alice):
    """A course cohort with Carol (its moderator) and Alice; Bob is outside."""
    group = group_services.group_create(moderator=carol, name="Yrkesresan Ny inom R8 – hösten")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    return group


def series_body(**changes) -> dict:
    """The autumn mötesplats a year ahead, as a script would send it."""
    start = SERIES_START
    body = {
        "title": "Digital mötesplats",
        "description": "Vi ses på **Teams** varje vecka.",
        "start": iso(start),
        "end": iso(start + dt.timedelta(minutes=45)),
        "online_url": "https://teams.microsoft.com/l/meetup-join/abc",
        "topics": ["vald", "barn-och-unga"],
        "organiser": "fou-valfard",
        "rrule": f"FREQ=WEEKLY;UNTIL={NEXT_YEAR}1215",
        "exdates": [f"{NEXT_YEAR}-09-15"],
        "themes": {f"{NEXT_YEAR}-09-01": "Funktionshinder", f"{NEXT_YEAR}-11-03": "Våld"},
    }
    return {**body, **changes}


def day(month: int, number: int) -> dt.date:
    return dt.date(NEXT_YEAR, month, number)


# --- Who may call -------------------------------------------------------------------------------


@pytest.fixture
def operations(alice):
    event = single(alice)
    return [
        ("get", LIST, None),
        ("post", CREATE, series_body()),
        ("get", detail_url(event), None),
        ("post", attend_url(event), {}),
    ]


def call(client: Client, method: str, path: str, body: dict | None):
    return client.get(path) if method == "get" else send(client, path, body)


def counts() -> tuple[int, int, int]:
    return Event.objects.count(), Occurrence.objects.count(), Attendance.objects.count()


def test_visitor_is_401_everywhere(operations):
    before = counts()
    for method, path, body in operations:
        response = call(Client(), method, path, body)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert counts() == before


def test_a_deactivated_members_token_and_session_are_refused(operations, dave, dave_client):
    secret = api_token_create(member=dave, name="Gammalt")[1]
    before = counts()
    for method, path, body in operations:
        assert call(Client(headers=bearer(secret)), method, path, body).status_code == 401, path
        assert call(dave_client, method, path, body).status_code == 401, path
    assert Client(headers=bearer(secret)).get(ME).status_code == 401
    assert counts() == before


def test_a_session_works_too(operations, bob_client):
    for (method, path, body), status in zip(operations, [200, 201, 200, 200], strict=True):
        assert call(bob_client, method, path, body).status_code == status, path


# --- The list -----------------------------------------------------------------------------------


def test_a_series_in_a_range_comes_back_as_its_dates_with_themes(bob_api, alice):
    event = autumn_series(alice)
    # The offset's "+" written as %2B: a bare + in a URL is a space.
    response = bob_api.get(
        f"{LIST}?from=2023-09-01T00:00:00%2B02:00&to=2023-12-31T00:00:00%2B01:00"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["truncated"] is False
    items = data["items"]
    assert len(items) == 15
    assert {item["id"] for item in items} == {event.pk}
    starts = [item["start"] for item in items]
    assert starts == sorted(starts, key=dt.datetime.fromisoformat)
    # The skipped week is not listed.
    assert "2023-09-20" not in {item["start"][:10] for item in items}
    by_date = {item["start"][:10]: item for item in items}
    # 08:15 Swedish time on both sides of 29 October: +02:00 before, +01:00 after.
    assert by_date["2023-10-25"]["start"] == "2023-10-25T08:15:00+02:00"
    assert by_date["2023-10-25"]["end"] == "2023-10-25T09:00:00+02:00"
    assert by_date["2023-11-01"]["start"] == "2023-11-01T08:15:00+01:00"
    assert by_date["2023-11-01"]["end"] == "2023-11-01T09:00:00+01:00"
    assert by_date["2023-10-25"]["theme"] == "Försörjningsstöd"
    assert by_date["2023-11-01"]["theme"] == "Våld"
    assert by_date["2023-09-06"]["theme"] == "Funktionshinder"
    assert [item["title"] for item in items] == ["Digital mötesplats"] * 15
    dates = {item.pk: item for item in Occurrence.objects.filter(event=event)}
    for item in items:
        occurrence = dates[item["occurrence_id"]]
        assert dt.datetime.fromisoformat(item["start"]) == occurrence.start
        assert item["url"] == settings.SITE_URL + occurrence.get_absolute_url()


def test_the_list_shows_each_dates_facts(bob_api, alice, carol):
    fou = Organisation.objects.get(slug="fou-valfard")
    event = single(
        alice,
        place="Stadshuset, Lycksele",
        online_url="https://zoom.us/j/123",
        organiser=fou,
        topics=list(Topic.objects.filter(slug__in=["vald", "barn-och-unga"])),
    )
    occurrence = event.occurrences.get()
    services.attendance_set(occurrence=occurrence, member=carol)
    [item] = bob_api.get(LIST).json()["items"]
    assert item == {
        "id": event.pk,
        "occurrence_id": occurrence.pk,
        "title": "Barnets resa i socialtjänsten",
        "theme": "",
        "start": occurrence.start.astimezone(STOCKHOLM).isoformat(),
        "end": occurrence.end.astimezone(STOCKHOLM).isoformat(),
        "all_day": False,
        "place": "Stadshuset, Lycksele",
        "online_url": "https://zoom.us/j/123",
        "topics": ["barn-och-unga", "vald"],
        "organiser": "fou-valfard",
        "group": None,
        "cancelled": False,
        "going_count": 1,
        "url": f"{settings.SITE_URL}/kalendarium/tillfalle/{occurrence.pk}/",
    }


def test_the_default_range_is_the_next_90_days(bob_api, alice):
    soon = single(alice, days=1, title="Snart")
    single(alice, days=100, title="Långt fram")
    single(alice, days=-3, title="Förbi")
    assert [item["id"] for item in bob_api.get(LIST).json()["items"]] == [soon.pk]
    later = (timezone.now() + dt.timedelta(days=95)).isoformat()
    titles = [item["title"] for item in bob_api.get(LIST, {"from": later}).json()["items"]]
    assert titles == ["Långt fram"]


def test_cancelled_dates_are_listed_as_cancelled(bob_api, alice):
    event = single(alice)
    services.event_cancel(event=event, member=alice)
    [item] = bob_api.get(LIST).json()["items"]
    assert item["cancelled"] is True


def test_the_list_filters_by_topic_and_organiser(bob_api, alice):
    fou = Organisation.objects.get(slug="fou-valfard")
    violence = single(alice, title="Om våld", topics=list(Topic.objects.filter(slug="vald")))
    by_fou = single(alice, title="FoU bjuder in", organiser=fou)

    def shown(params: dict) -> list[int]:
        response = bob_api.get(LIST, params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert sorted(shown({})) == sorted([violence.pk, by_fou.pk])
    assert shown({"topic": "vald"}) == [violence.pk]
    assert shown({"organiser": "fou-valfard"}) == [by_fou.pk]
    assert shown({"topic": "vald", "organiser": "fou-valfard"}) == []
    assert shown({"topic": "finns-inte"}) == []


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"from": "2026-09-02T00:00:00+02:00", "to": "2026-09-01T00:00:00+02:00"},
            "to",
            "The end of the range must come after its start.",
        ),
        (
            {"from": "2026-01-01T00:00:00+01:00", "to": "2027-01-03T00:00:00+01:00"},
            "to",
            ("Ask for at most %(days)d days at a time.", {"days": 366}),
        ),
        (
            {"from": "2026-09-01T00:00:00"},
            "from",
            "Give the times with their offset from UTC, e.g. 2026-09-02T08:15:00+02:00.",
        ),
    ],
)
def test_a_bad_range_is_422_with_a_message(bob_api, params, field, message):
    response = bob_api.get(LIST, params)
    assert response.status_code == 422
    text, values = message if isinstance(message, tuple) else (message, None)
    expected = in_swedish(text) % values if values else in_swedish(text)
    assert response.json()["errors"] == {field: [expected]}


def test_a_year_of_366_days_is_allowed(bob_api, db):
    params = {"from": "2028-01-01T00:00:00+01:00", "to": "2029-01-01T00:00:00+01:00"}
    assert bob_api.get(LIST, params).status_code == 200


def test_the_list_stops_at_1000_dates_and_says_so(bob_api, alice):
    start = dt.datetime(2027, 1, 1, 9, tzinfo=STOCKHOLM)
    for number in range(3):
        data = EventData(
            title=f"Dagligen {number}",
            start=start,
            end=start + dt.timedelta(hours=1),
            rrule="FREQ=DAILY;COUNT=350",
        )
        services.event_create(author=alice, data=data)
    params = {"from": "2027-01-01T00:00:00+01:00", "to": "2027-12-31T00:00:00+01:00"}
    data = bob_api.get(LIST, params).json()
    assert (len(data["items"]), data["truncated"]) == (1000, True)


@pytest.mark.parametrize("count", [2, 40])
def test_the_list_costs_the_same_queries_however_many_dates(
    count, bob_api, alice, cohort, django_assert_num_queries
):
    topics = list(Topic.objects.filter(slug__in=["vald", "barn-och-unga"]))
    fou = Organisation.objects.get(slug="fou-valfard")
    for number in range(count):
        single(alice, days=1 + number, title=f"Träff {number}", topics=topics, organiser=fou)
    start = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    data = EventData(
        title="Varje dag",
        start=start,
        end=start + dt.timedelta(hours=1),
        rrule=f"FREQ=DAILY;COUNT={count}",
        topics=topics,
    )
    services.event_create(author=alice, data=data)
    single(alice, title="Bara för kohorten", group=cohort)
    params = {"from": timezone.now().isoformat(), "to": start + dt.timedelta(days=300)}
    with django_assert_num_queries(LIST_QUERIES):
        response = bob_api.get(LIST, params)
    assert len(response.json()["items"]) == 2 * count
    # Alice is in the group: she sees its event too, filtered by topic or not.
    alice_api = token_client(alice)
    with django_assert_num_queries(LIST_QUERIES):
        response = alice_api.get(LIST, {**params, "topic": "vald"})
    assert len(response.json()["items"]) == 2 * count
    with django_assert_num_queries(LIST_QUERIES):
        response = alice_api.get(LIST, params)
    assert len(response.json()["items"]) == 2 * count + 1


# --- Groups -------------------------------------------------------------------------------------


def test_a_groups_event_is_only_the_groups(alice_api, bob_api, carol_api, alice, cohort):
    event = single(alice, title="Yrkesresan: träff efter passet", group=cohort)
    occurrence = event.occurrences.get()
    for client in (alice_api, carol_api):
        assert [item["id"] for item in client.get(LIST).json()["items"]] == [event.pk]
        detail = client.get(detail_url(event))
        assert detail.status_code == 200
        assert detail.json()["group"] == cohort.pk
    assert bob_api.get(LIST).json()["items"] == []
    assert bob_api.get(detail_url(event)).status_code == 404
    response = send(bob_api, attend_url(event), {"occurrence_id": occurrence.pk})
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    response = send(alice_api, attend_url(event), {"occurrence_id": occurrence.pk})
    assert response.json() == {"occurrence_id": occurrence.pk, "going": True, "going_count": 1}


def test_a_member_taken_out_of_the_group_loses_its_events_at_once(alice_api, alice, carol, cohort):
    event = single(alice, group=cohort)
    assert alice_api.get(detail_url(event)).status_code == 200
    group_services.group_remove_member(moderator=carol, group=cohort, member=alice)
    assert alice_api.get(detail_url(event)).status_code == 404
    assert alice_api.get(LIST).json()["items"] == []


def test_adding_an_event_to_a_group_one_is_not_in_is_refused(bob_api, cohort):
    before = counts()
    for group in (cohort.pk, 999_999):
        response = send(bob_api, CREATE, series_body(group=group))
        assert response.status_code == 422
        assert response.json()["errors"] == {
            "group": [in_swedish("You can only add events to groups you are in.")]
        }
    assert counts() == before


def test_a_member_adds_an_event_to_their_group(alice_api, bob_api, cohort):
    response = send(alice_api, CREATE, series_body(group=cohort.pk))
    assert response.status_code == 201
    assert response.json()["group"] == cohort.pk
    assert bob_api.get(detail_url(response.json()["id"])).status_code == 404


# --- Adding and reading one event ---------------------------------------------------------------


def test_adding_a_series_answers_201_with_the_event(alice_api, alice, carol, bob):
    body = series_body(hosts=[carol.pk, bob.pk])
    response = send(alice_api, CREATE, body)
    assert response.status_code == 201, response.content
    data = response.json()
    event = Event.objects.get()
    assert data["id"] == event.pk
    assert data["uid"] == event.uid
    assert data["title"] == "Digital mötesplats"
    assert data["description"] == "Vi ses på **Teams** varje vecka."
    assert data["description_html"] == "<p>Vi ses på <strong>Teams</strong> varje vecka.</p>\n"
    assert data["start"] == iso(SERIES_START)
    assert data["end"] == iso(SERIES_START + dt.timedelta(minutes=45))
    assert (data["all_day"], data["place"]) == (False, "")
    assert data["online_url"] == "https://teams.microsoft.com/l/meetup-join/abc"
    assert data["organiser"] == "fou-valfard"
    assert data["topics"] == ["barn-och-unga", "vald"]
    assert data["hosts"] == [
        {"id": bob.pk, "name": "Bob Berg"},
        {"id": carol.pk, "name": "Carol Carlsson"},
    ]
    assert data["group"] is None
    assert data["rrule"] == event.rrule
    assert data["rrule"].startswith("FREQ=WEEKLY;UNTIL=")
    assert data["cancelled"] is False
    assert data["author"] == {"id": alice.pk, "name": "Alice Andersson"}
    assert data["ics_url"] == f"{settings.SITE_URL}/kalendarium/{event.pk}/kalender.ics"
    assert data["url"] == f"{settings.SITE_URL}/kalendarium/{event.pk}/"
    # Wednesdays 1 September … 15 December, less the skipped 15 September.
    dates = [item["start"][:10] for item in data["occurrences"]]
    assert len(dates) == Occurrence.objects.filter(event=event, skipped=False).count() == 15
    assert f"{NEXT_YEAR}-09-15" not in dates
    assert {item["start"][11:] for item in data["occurrences"]} == {
        "08:15:00+02:00",
        "08:15:00+01:00",
    }


def test_exdates_and_themes_round_trip(alice_api, bob_api):
    created = send(alice_api, CREATE, series_body()).json()
    data = bob_api.get(detail_url(created["id"])).json()
    assert data == created
    assert data["exdates"] == [f"{NEXT_YEAR}-09-15"]
    assert data["themes"] == {f"{NEXT_YEAR}-09-01": "Funktionshinder", f"{NEXT_YEAR}-11-03": "Våld"}
    themes = {item["start"][:10]: item["theme"] for item in data["occurrences"]}
    assert themes[f"{NEXT_YEAR}-09-01"] == "Funktionshinder"
    assert themes[f"{NEXT_YEAR}-11-03"] == "Våld"
    assert themes[f"{NEXT_YEAR}-09-08"] == ""


def test_a_single_event_has_no_rule_and_one_date(alice_api):
    start = SERIES_START.replace(hour=13, minute=0)
    body = {"title": "Barnets resa", "start": iso(start), "end": iso(start + dt.timedelta(hours=3))}
    data = send(alice_api, CREATE, body).json()
    assert (data["rrule"], data["exdates"], data["themes"]) == (None, [], {})
    [date] = data["occurrences"]
    assert (date["start"], date["theme"]) == (iso(start), "")


def test_an_all_day_event_covers_whole_swedish_days(alice_api):
    body = {
        "title": "Konferens",
        "start": f"{NEXT_YEAR}-05-12T00:00:00+02:00",
        "end": f"{NEXT_YEAR}-05-13T00:00:00+02:00",
        "all_day": True,
    }
    data = send(alice_api, CREATE, body).json()
    assert data["all_day"] is True
    assert (data["start"], data["end"]) == (body["start"], body["end"])


def test_an_unknown_or_invisible_event_is_404(bob_api, db):
    assert bob_api.get(detail_url(999_999)).status_code == 404
    assert send(bob_api, attend_url(999_999), {}).status_code == 404


ENDLESS = "A series must end: give an end date or a number of times (UNTIL or COUNT in the rule)."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "start": f"{NEXT_YEAR}-09-01T09:00:00+02:00",
                "end": f"{NEXT_YEAR}-09-01T08:15:00+02:00",
            },
            "end",
        ),
        ({"rrule": "FREQ=WEEKLY"}, "rrule"),
        ({"rrule": "FREQ=HOURLY;COUNT=600"}, "rrule"),
        ({"rrule": "NOT A RULE"}, "rrule"),
        ({"themes": {f"{NEXT_YEAR}-09-02": "En torsdag"}}, "themes"),
        ({"exdates": [f"{NEXT_YEAR}-09-03"]}, "skip_dates"),
        ({"start": f"{NEXT_YEAR}-09-01T08:15:00", "end": f"{NEXT_YEAR}-09-01T09:00:00"}, "start"),
        ({"topics": ["finns-inte"]}, "topics"),
        ({"organiser": "finns-inte"}, "organiser"),
        ({"hosts": [999_999]}, "hosts"),
        ({"online_url": "teams"}, "online_url"),
        ({"title": "   "}, "title"),
    ],
)
def test_bad_input_is_422_by_field_and_nothing_is_stored(alice_api, changes, field):
    before = counts()
    response = send(alice_api, CREATE, series_body(**changes))
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert errors[field][0]
    assert counts() == before


def test_the_messages_say_what_is_wrong(alice_api):
    response = send(alice_api, CREATE, series_body(rrule="FREQ=WEEKLY"))
    assert response.json()["errors"] == {"rrule": [in_swedish(ENDLESS)]}
    response = send(alice_api, CREATE, series_body(rrule="FREQ=HOURLY;COUNT=600"))
    [message] = response.json()["errors"]["rrule"]
    assert "600" in message and "500" in message
    response = send(alice_api, CREATE, series_body(themes={f"{NEXT_YEAR}-09-02": "Fel dag"}))
    [message] = response.json()["errors"]["themes"]
    assert f"{NEXT_YEAR}-09-02" in message


def test_a_personal_identity_number_is_refused_with_findings(alice_api):
    before = counts()
    body = series_body(description="Gäller 19121212-1212, ring mig.")
    for confirmed in (False, True):
        response = send(alice_api, CREATE, {**body, "confirmed": confirmed})
        assert response.status_code == 422
        data = response.json()
        assert data["needs_confirmation"] is False
        [finding] = [item for item in data["confidentiality"] if item["blocking"]]
        assert "19121212-1212" not in finding["text"]
    assert counts() == before


def test_identifying_details_pass_once_confirmed(alice_api):
    body = series_body(description="Ring mig på 070-123 45 67.")
    response = send(alice_api, CREATE, body)
    assert response.status_code == 422
    assert response.json()["needs_confirmation"] is True
    assert not Event.objects.exists()
    assert send(alice_api, CREATE, {**body, "confirmed": True}).status_code == 201


# --- Attending ----------------------------------------------------------------------------------


def test_signing_up_for_a_date_and_taking_it_back(alice_api, bob_api, alice, bob):
    event = weekly(alice)
    first, second = event.occurrences.order_by("start")[:2]
    url = attend_url(event)
    response = send(bob_api, url, {"occurrence_id": second.pk})
    assert (response.status_code, response.json()) == (
        200,
        {"occurrence_id": second.pk, "going": True, "going_count": 1},
    )
    # Again: still one sign-up.
    assert send(bob_api, url, {"occurrence_id": second.pk}).json()["going_count"] == 1
    assert send(alice_api, url, {"occurrence_id": second.pk}).json()["going_count"] == 2
    assert Attendance.objects.filter(occurrence=second).count() == 2
    assert not Attendance.objects.filter(occurrence=first).exists()
    response = send(bob_api, url, {"occurrence_id": second.pk, "going": False})
    assert response.json() == {"occurrence_id": second.pk, "going": False, "going_count": 1}
    assert list(Attendance.objects.values_list("member", flat=True)) == [alice.pk]
    dates = bob_api.get(detail_url(event)).json()["occurrences"]
    assert [item["going_count"] for item in dates[:2]] == [0, 1]


def test_a_single_event_needs_no_date_but_a_series_does(bob_api, alice):
    event = single(alice)
    response = send(bob_api, attend_url(event))
    assert response.json() == {
        "occurrence_id": event.occurrences.get().pk,
        "going": True,
        "going_count": 1,
    }
    series = weekly(alice)
    response = send(bob_api, attend_url(series))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["occurrence_id"]


def test_a_date_of_another_event_is_404(bob_api, alice):
    event, other = single(alice), single(alice, title="Annat")
    response = send(bob_api, attend_url(event), {"occurrence_id": other.occurrences.get().pk})
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_a_cancelled_event_or_skipped_date_cannot_be_signed_up_for(bob_api, alice):
    event = single(alice)
    services.event_cancel(event=event, member=alice)
    response = send(bob_api, attend_url(event))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "going": [in_swedish("The meeting is cancelled; you cannot sign up for it.")]
    }
    series = weekly(alice, skip_dates=[SERIES_START.date()])
    skipped = series.occurrences.get(skipped=True)
    response = send(bob_api, attend_url(series), {"occurrence_id": skipped.pk})
    assert response.status_code == 422
    assert not Attendance.objects.exists()


# --- /me's calendar link ------------------------------------------------------------------------


def test_me_shows_the_calendar_link_only_while_there_is_one(alice, alice_api, alice_client):
    assert alice_api.get(ME).json()["calendar_feed_url"] is None
    # Asking did not make one.
    assert services.feed_path_token(alice) is None
    token = services.feed_renew(member=alice)
    url = f"{settings.SITE_URL}/kalendarium/prenumeration/{alice.pk}/{token}.ics"
    assert alice_api.get(ME).json()["calendar_feed_url"] == url
    assert alice_client.get(ME).json()["calendar_feed_url"] == url
    assert services.feed_owner(alice.pk, token) == alice
    renewed = services.feed_renew(member=alice)
    assert alice_api.get(ME).json()["calendar_feed_url"].endswith(f"/{renewed}.ics")
    services.feed_revoke(member=alice)
    assert alice_api.get(ME).json()["calendar_feed_url"] is None
    assert alice_client.get(ME).json()["calendar_feed_url"] is None


def test_me_costs_no_extra_query_for_the_calendar_link(alice, alice_api, django_assert_num_queries):
    services.feed_renew(member=alice)
    with django_assert_num_queries(1):
        assert alice_api.get(ME).json()["calendar_feed_url"]


# --- The OpenAPI document -----------------------------------------------------------------------


def test_openapi_lists_the_operations(alice_api):
    paths = alice_api.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/events"]) == {"get", "post"}
    assert set(paths["/api/v1/events/{event_id}"]) == {"get"}
    assert set(paths["/api/v1/events/{event_id}/attend"]) == {"post"}
    names = {parameter["name"] for parameter in paths["/api/v1/events"]["get"]["parameters"]}
    assert names == {"from", "to", "topic", "organiser"}


def test_ids_too_large_for_the_database_are_422_not_500(bob_api, db):
    huge = 10**30
    times = {"start": "2026-12-01T10:00:00+01:00", "end": "2026-12-01T11:00:00+01:00"}
    for extra in ({"group": huge}, {"hosts": [huge]}):
        answer = bob_api.post(
            LIST, {"title": "Träff", **times, **extra}, content_type="application/json"
        )
        assert answer.status_code == 422
    assert not Event.objects.exists()
