"""/api/v1/notes: Mötesnoteringar for scripts.

The same services as the pages: a group's notes are the group's alone, a note
from a meeting belongs to that meeting (and to its group), the confidentiality
guard; the list pages by cursor, newest first, at a constant query count."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollegan.api.services import api_token_create
from kollegan.events import services as event_services
from kollegan.events.models import Event
from kollegan.events.services import EventData
from kollegan.groups import services as group_services
from kollegan.notes import services
from kollegan.notes.models import Note
from kollegan.topics.models import Topic
from tests.helpers import bearer, in_swedish

LIST = reverse("api:list_notes")
CREATE = reverse("api:create_note")

# GET /api/v1/notes however many notes, with or without a topic: the token with
# its member, the member's groups, the page (writers, meetings, groups joined),
# the notes' topics.
LIST_QUERIES = 4


def send(client: Client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def meeting(author, *, group=None) -> Event:
    start = (timezone.now() - dt.timedelta(days=1)).replace(microsecond=0)
    data = EventData(
        title="Digital mötesplats", start=start, end=start + dt.timedelta(minutes=45), group=group
    )
    return event_services.event_create(author=author, data=data)


def write(author, title="Anteckningar från mötesplatsen", topics=("vald",), **kwargs) -> Note:
    return services.note_create(
        author=author,
        title=title,
        body=kwargs.pop("body", "Vi pratade om **våld** i nära relationer."),
        topics=list(Topic.objects.filter(slug__in=topics)),
        **kwargs,
    )


@pytest.fixture
def cohort(carol, alice):
    group = group_services.group_create(moderator=carol, name="Yrkesresan Ny inom R8 – hösten")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    return group


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- Who may call -------------------------------------------------------------------------------

OPERATIONS = [("get", LIST, None), ("post", CREATE, {"title": "Noteringar", "body": "Text"})]


def call(client: Client, method: str, path: str, body: dict | None):
    return client.get(path) if method == "get" else send(client, path, body)


def test_visitor_is_401(db):
    for method, path, body in OPERATIONS:
        response = call(Client(), method, path, body)
        assert response.status_code == 401, path
    assert not Note.objects.exists()


def test_a_deactivated_members_token_and_session_are_refused(dave, dave_client):
    secret = api_token_create(member=dave, name="Gammalt")[1]
    for method, path, body in OPERATIONS:
        assert call(Client(headers=bearer(secret)), method, path, body).status_code == 401
        assert call(dave_client, method, path, body).status_code == 401
    assert not Note.objects.exists()


def test_a_session_works_too(bob_client):
    assert call(bob_client, *OPERATIONS[1]).status_code == 201
    assert len(ids(bob_client.get(LIST))) == 1


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_each_notes_facts(bob_api, alice):
    event = meeting(alice)
    occurrence = event.occurrences.get()
    note = write(alice, topics=("vald", "barn-och-unga"), occurrence=occurrence)
    response = bob_api.get(LIST)
    assert response.status_code == 200
    data = response.json()
    assert data["next_cursor"] is None
    [item] = data["items"]
    assert item == {
        "id": note.pk,
        "title": "Anteckningar från mötesplatsen",
        "body": "Vi pratade om **våld** i nära relationer.",
        "body_html": "<p>Vi pratade om <strong>våld</strong> i nära relationer.</p>\n",
        "topics": ["barn-och-unga", "vald"],
        "author": {"id": alice.pk, "name": "Alice Andersson"},
        "created_at": item["created_at"],
        "edited_at": None,
        "event_id": event.pk,
        "occurrence_id": occurrence.pk,
        "group": None,
        "url": f"{settings.SITE_URL}/motesnoteringar/{note.pk}/",
    }
    assert dt.datetime.fromisoformat(item["created_at"].replace("Z", "+00:00")) - (
        note.created_at
    ) < dt.timedelta(milliseconds=1)


def test_the_list_filters_by_topic(bob_api, alice):
    violence = write(alice, title="Om våld", topics=("vald",))
    addiction = write(alice, title="Om beroende", topics=("missbruk-och-beroende",))
    assert ids(bob_api.get(LIST)) == [addiction.pk, violence.pk]
    assert ids(bob_api.get(LIST, {"topic": "vald"})) == [violence.pk]
    assert ids(bob_api.get(LIST, {"topic": "finns-inte"})) == []


def test_the_list_pages_by_cursor(bob_api, alice):
    notes = [write(alice, title=f"Noteringar {number}") for number in range(27)]
    first = bob_api.get(LIST).json()
    assert len(first["items"]) == 25
    second = bob_api.get(LIST, {"cursor": first["next_cursor"]}).json()
    assert second["next_cursor"] is None
    shown = [item["id"] for item in first["items"] + second["items"]]
    assert shown == [note.pk for note in reversed(notes)]


def test_a_broken_cursor_is_400_with_a_message(bob_api, db):
    response = bob_api.get(LIST, {"cursor": "inte-en-markör"})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_groups_notes_are_the_groups_alone(alice_api, bob_api, carol_api, alice, cohort):
    event = meeting(alice, group=cohort)
    of_meeting = write(alice, title="Från kohortens träff", occurrence=event.occurrences.get())
    for_group = write(alice, title="Till kohorten", group=cohort)
    open_note = write(alice, title="För alla")
    assert of_meeting.group == cohort
    expected = [open_note.pk, for_group.pk, of_meeting.pk]
    assert ids(alice_api.get(LIST)) == expected
    assert ids(carol_api.get(LIST)) == expected
    assert ids(bob_api.get(LIST)) == [open_note.pk]
    assert cohort.name not in bob_api.get(LIST).content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_costs_the_same_queries_however_many_notes(
    count, bob_api, alice, django_assert_num_queries
):
    occurrence = meeting(alice).occurrences.get()
    for number in range(count):
        write(
            alice,
            title=f"Noteringar {number}",
            topics=("vald", "barn-och-unga"),
            occurrence=occurrence if number % 2 else None,
        )
    with django_assert_num_queries(LIST_QUERIES):
        assert len(ids(bob_api.get(LIST))) == min(count, 25)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(ids(bob_api.get(LIST, {"topic": "vald"}))) == min(count, 25)


# --- Writing ------------------------------------------------------------------------------------


def test_writing_a_free_standing_note(alice_api, alice):
    body = {"title": "Tankar efter dagen", "body": "Mycket *bra*.", "topics": ["vald"]}
    response = send(alice_api, CREATE, body)
    assert response.status_code == 201, response.content
    data = response.json()
    note = Note.objects.get()
    assert data["id"] == note.pk
    assert (data["title"], data["body"]) == ("Tankar efter dagen", "Mycket *bra*.")
    assert data["body_html"] == "<p>Mycket <em>bra</em>.</p>\n"
    assert data["topics"] == ["vald"]
    assert data["author"] == {"id": alice.pk, "name": "Alice Andersson"}
    assert (data["event_id"], data["occurrence_id"], data["group"]) == (None, None, None)
    assert ids(alice_api.get(LIST)) == [note.pk]


def test_writing_the_notes_of_a_meeting(alice_api, bob_api, alice, cohort):
    event = meeting(alice, group=cohort)
    occurrence = event.occurrences.get()
    body = {"title": "Noteringar", "body": "Vi gick igenom passet.", "occurrence_id": occurrence.pk}
    data = send(alice_api, CREATE, body).json()
    # A note of a group's meeting is the group's.
    assert (data["event_id"], data["occurrence_id"], data["group"]) == (
        event.pk,
        occurrence.pk,
        cohort.pk,
    )
    assert ids(bob_api.get(LIST)) == []


def test_a_note_for_ones_own_group(alice_api, cohort):
    response = send(alice_api, CREATE, {"title": "Till gruppen", "body": "Hej", "group": cohort.pk})
    assert (response.status_code, response.json()["group"]) == (201, cohort.pk)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": " ", "body": "Text"}, "title"),
        ({"title": "Noteringar", "body": "  "}, "body"),
        ({"title": "Noteringar", "body": "Text", "topics": ["finns-inte"]}, "topics"),
        ({"title": "Noteringar", "body": "Text", "occurrence_id": 999_999}, "occurrence_id"),
        ({"title": "Noteringar", "body": "Text", "group": 999_999}, "group"),
    ],
)
def test_bad_input_is_422_by_field_and_nothing_is_stored(alice_api, body, field):
    response = send(alice_api, CREATE, body)
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [field]
    assert not Note.objects.exists()


def test_a_meeting_or_group_one_cannot_see_is_refused(bob_api, alice, cohort):
    occurrence = meeting(alice, group=cohort).occurrences.get()
    response = send(
        bob_api, CREATE, {"title": "Noteringar", "body": "Text", "occurrence_id": occurrence.pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"occurrence_id": [in_swedish("There is no such meeting.")]}
    response = send(bob_api, CREATE, {"title": "Noteringar", "body": "Text", "group": cohort.pk})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "group": [in_swedish("You can only write notes for groups you are in.")]
    }
    assert not Note.objects.exists()


def test_a_personal_identity_number_is_refused_with_findings(alice_api):
    body = {"title": "Noteringar", "body": "Vi talade om 19121212-1212.", "confirmed": True}
    response = send(alice_api, CREATE, body)
    assert response.status_code == 422
    data = response.json()
    assert data["needs_confirmation"] is False
    assert any(finding["blocking"] for finding in data["confidentiality"])
    assert "19121212-1212" not in response.content.decode()
    assert not Note.objects.exists()


def test_identifying_details_pass_once_confirmed(alice_api):
    body = {"title": "Noteringar", "body": "Ring mig på 070-123 45 67."}
    response = send(alice_api, CREATE, body)
    assert (response.status_code, response.json()["needs_confirmation"]) == (422, True)
    assert not Note.objects.exists()
    assert send(alice_api, CREATE, {**body, "confirmed": True}).status_code == 201


def test_openapi_lists_the_operations(alice_api):
    paths = alice_api.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/notes"]) == {"get", "post"}
