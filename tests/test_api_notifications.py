"""/api/v1/notifications and /api/v1/subscriptions: the bell and the e-mail
choices for scripts.

A member sees their own notifications only, never one about something they may
no longer see, never the name of someone who wrote anonymously; marking read
moves the bell's number; the choices round-trip, and a refusal saves nothing."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollegan.api.services import api_token_create
from kollegan.notifications import delivery, services
from kollegan.notifications.models import (
    Activity,
    Frequency,
    Kind,
    Notification,
    NotificationSettings,
    Reason,
    Target,
    TopicSubscription,
    Verb,
)
from kollegan.notifications.selectors import PAGE_SIZE
from kollegan.questions import services as questions
from kollegan.topics.models import Topic
from tests.helpers import bearer, in_swedish, readable

LIST = reverse("api:list_notifications")
READ = reverse("api:read_notifications")
SUBSCRIPTIONS = reverse("api:get_subscriptions")

# GET /api/v1/notifications however many there are: the token with its member,
# the page with its activities and writers, the questions and their topics, the
# answers still shown, the topics' slugs.
LIST_QUERIES = 6

FIELDS = ("id", "verb", "reason", "headline", "title", "url", "topics", "created_at", "read")

OPERATIONS = [
    ("get", LIST, None),
    ("post", READ, {"all": True}),
    ("get", SUBSCRIPTIONS, None),
    ("put", SUBSCRIPTIONS, {"paused": True}),
]


def call(client: Client, method: str, path: str, body: dict | None = None):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, json.dumps(body or {}), content_type="application/json")


def fan_out() -> None:
    """What the worker does after the commit, here and now."""
    for pk in Activity.objects.filter(fanned_out_at__isnull=True).values_list("pk", flat=True):
        delivery.activity_fan_out(pk)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


def ask(author, title="Placering mor och barn", topics=("barn-och-unga",), **kwargs):
    return questions.question_create(
        author=author,
        title=title,
        body="Hur gör ni?",
        topics=list(Topic.objects.filter(slug__in=topics)),
        **kwargs,
    )


def bulk_notify(member, question, count: int) -> None:
    """``count`` notifications about one question, without the services' cost."""
    activities = Activity.objects.bulk_create(
        Activity(
            verb=Verb.NEW_QUESTION,
            target_type=Target.QUESTION,
            target_id=question.pk,
            topic_ids=[],
            fanned_out_at=timezone.now(),
        )
        for _number in range(count)
    )
    Notification.objects.bulk_create(
        Notification(
            recipient=member, activity=activity, reason=Reason.TOPIC, frequency=Frequency.DAILY
        )
        for activity in activities
    )
    services.unread_recount([member.pk])


# --- Who may call -------------------------------------------------------------------------------


def test_visitor_is_401(db):
    for method, path, body in OPERATIONS:
        assert call(Client(), method, path, body).status_code == 401, (method, path)
    assert not NotificationSettings.objects.exists()


def test_a_deactivated_members_token_and_session_are_refused(dave, dave_client):
    secret = api_token_create(member=dave, name="Gammalt")[1]
    for method, path, body in OPERATIONS:
        assert call(Client(headers=bearer(secret)), method, path, body).status_code == 401
        assert call(dave_client, method, path, body).status_code == 401
    assert not NotificationSettings.objects.exists()


def test_a_session_works_too(alice_client):
    assert alice_client.get(LIST).json() == {"items": [], "next_cursor": None}
    assert call(alice_client, "put", SUBSCRIPTIONS, {"digest_hour": 6}).status_code == 200


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_the_members_own_notifications_newest_first(alice_api, bob_api, alice, bob):
    first = ask(bob, title="Placering mor och barn", topics=("barn-och-unga", "vald"))
    second = ask(bob, title="Umgänge efter placering")
    fan_out()
    response = alice_api.get(LIST)
    assert ids(response) == list(
        Notification.objects.filter(recipient=alice).order_by("-pk").values_list("pk", flat=True)
    )
    data = response.json()
    assert data["next_cursor"] is None
    newest, older = data["items"]
    assert newest == {
        "id": newest["id"],
        "verb": "new_question",
        "reason": "my_topics",
        "headline": in_swedish("%(name)s asked a new question") % {"name": "Bob Berg"},
        "title": "Umgänge efter placering",
        "url": f"{settings.SITE_URL}/fragor/{second.pk}/",
        "topics": ["barn-och-unga"],
        "created_at": newest["created_at"],
        "read": False,
    }
    assert (older["title"], older["topics"]) == (first.title, ["barn-och-unga", "vald"])
    # Bob wrote both: nothing is his, and Alice's are never in his list.
    assert ids(bob_api.get(LIST)) == []


def test_an_anonymous_answer_never_names_its_writer(alice_api, alice, bob):
    question = ask(alice)
    answer = questions.answer_create(question=question, author=bob, body="Så här.", anonymous=True)
    fan_out()
    response = alice_api.get(LIST)
    [item] = response.json()["items"]
    assert item["headline"] == in_swedish("An anonymous answer to the question")
    assert item["url"].endswith(f"/fragor/{question.pk}/#svar-{answer.pk}")
    text = readable(response)
    assert "Bob" not in text and "Berg" not in text
    assert set(item) == {*FIELDS}  # no writer anywhere


def test_something_hidden_is_left_out(alice_api, alice, bob, carol):
    question = ask(alice)
    shown = questions.answer_create(question=question, author=bob, body="Så här.")
    hidden = questions.answer_create(question=question, author=bob, body="Eller så.")
    fan_out()
    questions.content_hide(item=hidden, moderator=carol)
    [item] = alice_api.get(LIST).json()["items"]
    assert item["url"].endswith(f"#svar-{shown.pk}")
    # The hidden one no longer counts as unread.
    alice.refresh_from_db()
    assert alice.unread_notifications == 1


def test_unread_only_and_paging_by_cursor(alice_api, alice, bob):
    bulk_notify(alice, ask(bob), PAGE_SIZE + 2)
    everything = list(
        Notification.objects.filter(recipient=alice).order_by("-pk").values_list("pk", flat=True)
    )
    services.notifications_read(member=alice, ids=everything[:2])
    first = alice_api.get(LIST).json()
    assert len(first["items"]) == PAGE_SIZE and first["items"][0]["read"] is True
    second = alice_api.get(LIST, {"cursor": first["next_cursor"]}).json()
    assert second["next_cursor"] is None
    assert [item["id"] for item in first["items"] + second["items"]] == everything
    assert ids(alice_api.get(LIST, {"unread": "true"}))[:3] == everything[2:5]


def test_a_broken_cursor_is_400_with_a_message(alice_api):
    for cursor in ("inte-en-markör", "0", str(2**64)):
        response = alice_api.get(LIST, {"cursor": cursor})
        assert response.status_code == 400, cursor
        assert response.json()["detail"]


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_costs_the_same_queries_however_many(
    count, alice_api, alice, bob, carol, django_assert_num_queries
):
    question = ask(alice)
    questions.answer_create(question=question, author=bob, body="Ett svar.", anonymous=True)
    questions.answer_create(question=question, author=carol, body="Ett till.")
    bulk_notify(alice, question, count)
    fan_out()
    with django_assert_num_queries(LIST_QUERIES):
        assert len(ids(alice_api.get(LIST))) == min(count + 2, PAGE_SIZE)


# --- Marking read -------------------------------------------------------------------------------


def test_marking_read_moves_the_bell_and_ignores_others_ids(alice_api, alice, bob):
    question = ask(bob)
    bulk_notify(alice, question, 3)
    bulk_notify(bob, question, 1)
    mine = list(Notification.objects.filter(recipient=alice).values_list("pk", flat=True))
    bobs = Notification.objects.get(recipient=bob)
    response = call(alice_api, "post", READ, {"ids": [mine[0], bobs.pk]})
    assert response.status_code == 200, response.content
    assert response.json() == {"marked": 1, "unread": 2}
    bobs.refresh_from_db()
    assert bobs.read_at is None
    alice.refresh_from_db()
    assert alice.unread_notifications == 2

    assert call(alice_api, "post", READ, {"all": True}).json() == {"marked": 2, "unread": 0}
    alice.refresh_from_db()
    assert alice.unread_notifications == 0
    assert not ids(alice_api.get(LIST, {"unread": "true"}))


@pytest.mark.parametrize("body", [{}, {"ids": [1], "all": True}])
def test_marking_read_needs_either_ids_or_all(alice_api, alice, bob, body):
    bulk_notify(alice, ask(bob), 1)
    response = call(alice_api, "post", READ, body)
    assert response.status_code == 422
    assert response.json()["detail"] == in_swedish("Send either ids or all: true.")
    assert Notification.objects.get(recipient=alice).read_at is None


# --- Subscriptions ------------------------------------------------------------------------------


def test_a_new_member_sees_the_defaults(alice_api):
    assert alice_api.get(SUBSCRIPTIONS).json() == {
        "paused": False,
        "digest_hour": 7,
        "digest_weekday": 0,
        "mentions": "immediate",
        "own": "immediate",
        "following": "immediate",
        "my_topics": "daily",
        "chat": "immediate",
        "topics": [],
    }


def test_put_changes_only_what_is_sent_and_round_trips(alice_api, alice, barn):
    eb = Topic.objects.get(slug="ekonomiskt-bistand")
    services.subscriptions_set(member=alice, choices={(eb.pk, Kind.ANSWER): Frequency.DAILY})
    body = {
        "digest_hour": 18,
        "mentions": "weekly",
        "chat": "daily",
        "topics": [
            {"topic": "barn-och-unga", "kind": "question", "frequency": "immediate"},
            {"topic": "ekonomiskt-bistand", "kind": "question", "frequency": "daily"},
            {"topic": None, "kind": "event", "frequency": "weekly"},
        ],
    }
    response = call(alice_api, "put", SUBSCRIPTIONS, body)
    assert response.status_code == 200, response.content
    expected = {
        "paused": False,
        "digest_hour": 18,
        "digest_weekday": 0,
        "mentions": "weekly",
        "own": "immediate",
        "following": "immediate",
        "my_topics": "daily",
        "chat": "daily",
        "topics": [
            {"topic": None, "kind": "event", "frequency": "weekly"},
            {"topic": "barn-och-unga", "kind": "question", "frequency": "immediate"},
            {"topic": "ekonomiskt-bistand", "kind": "question", "frequency": "daily"},
            {"topic": "ekonomiskt-bistand", "kind": "answer", "frequency": "daily"},
        ],
    }
    assert response.json() == expected  # every topic first, then by topic and kind
    assert alice_api.get(SUBSCRIPTIONS).json() == response.json()

    # "never" removes; the rest stays.
    body = {"paused": True, "topics": [{"topic": None, "kind": "event", "frequency": "never"}]}
    data = call(alice_api, "put", SUBSCRIPTIONS, body).json()
    assert (data["paused"], data["digest_hour"], data["mentions"]) == (True, 18, "weekly")
    assert {"topic": None, "kind": "event", "frequency": "weekly"} not in data["topics"]
    assert len(data["topics"]) == 3
    assert services.settings_for(alice).paused is True


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"digest_hour": 24}, "digest_hour", "Choose an hour between 0 and 23."),
        ({"digest_weekday": 7}, "digest_weekday", "Choose a day of the week."),
        ({"own": "ibland"}, "own", "Choose how often."),
        (
            {"topics": [{"topic": "finns-inte", "kind": "question", "frequency": "daily"}]},
            "topics",
            "Unknown topics: %(topics)s.",
        ),
        (
            {"topics": [{"topic": None, "kind": "chatt", "frequency": "daily"}]},
            "topics",
            "Unknown kind of content.",
        ),
        (
            {"topics": [{"topic": None, "kind": "post", "frequency": "hourly"}]},
            "topics",
            "Choose how often.",
        ),
        (
            {"topics": [{"topic": "vald", "kind": "note", "frequency": "weekly"}]},
            "topics",
            "Each topic and kind can only be chosen once.",
        ),
    ],
)
def test_bad_input_is_422_in_swedish_and_nothing_is_saved(alice_api, alice, body, field, message):
    # Something valid beside the refused part: it must not be saved either.
    valid = {"paused": True, "topics": [{"topic": "vald", "kind": "note", "frequency": "daily"}]}
    body = {**valid, **body, "topics": valid["topics"] + body.get("topics", [])}
    response = call(alice_api, "put", SUBSCRIPTIONS, body)
    assert response.status_code == 422, response.content
    expected = in_swedish(message)
    if "%(topics)s" in message:
        expected %= {"topics": "finns-inte"}
    assert response.json()["errors"] == {field: [expected]}
    assert not NotificationSettings.objects.filter(member=alice).exists()
    assert not TopicSubscription.objects.filter(member=alice).exists()


def test_wrong_types_are_422_too(alice_api, alice):
    response = call(alice_api, "put", SUBSCRIPTIONS, {"digest_hour": "kväll", "paused": True})
    assert response.status_code == 422
    assert not NotificationSettings.objects.filter(member=alice).exists()
