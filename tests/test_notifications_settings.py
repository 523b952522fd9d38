"""E-mail settings on Min sida (/min-sida/epost/) and the one-click unsubscribe
pages every e-mail links to (RFC 8058)."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import Client
from django.urls import reverse

from kollegan.notifications import services
from kollegan.notifications.forms import cell_name
from kollegan.notifications.models import (
    Frequency,
    Kind,
    NotificationSettings,
    TopicSubscription,
)
from kollegan.topics.models import Topic

URL = reverse("notifications:settings")
# Session, member, the settings row, subscriptions, the table's topics, the profile's topics.
PAGE_QUERIES = 6


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def vald(db) -> Topic:
    return Topic.objects.get(slug="vald")


def text(response) -> str:
    return response.content.decode()


def form_data(**overrides: str) -> dict[str, str]:
    """Everything the page sends, as it is for a member with the defaults."""
    data = {
        "mentions": "immediate",
        "own": "immediate",
        "following": "immediate",
        "my_topics": "daily",
        "chat": "immediate",
        "digest_hour": "7",
        "digest_weekday": "0",
    }
    for topic_id in [None, *Topic.objects.filter(is_active=True).values_list("pk", flat=True)]:
        for kind in Kind.values:
            data[cell_name(topic_id, kind)] = Frequency.NEVER
    return data | overrides


def unsubscribe_url(member_id: int, what: str, token: str | None = None) -> str:
    token = token or services.unsubscribe_token(member_id, what)
    return reverse("notifications:unsubscribe", args=[member_id, what, token])


def one_click(url: str):
    """What a mail provider sends: no session, no CSRF token, the RFC 8058 body."""
    provider = Client(enforce_csrf_checks=True)
    return provider.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


# --- The settings page ---------------------------------------------------------------------------


def test_a_new_member_sees_the_defaults_and_their_profile_topics(alice_client, alice):
    response = alice_client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["mentions"].value() == Frequency.IMMEDIATE
    assert form["own"].value() == Frequency.IMMEDIATE
    assert form["my_topics"].value() == Frequency.DAILY
    assert form["paused"].value() is False
    html = text(response)
    assert "Barn och unga, Våld." in html  # the topics on Alice's profile
    assert reverse("profiles:edit") in html
    # The table: a caption, headers with scope, and every select labelled.
    assert "<caption" in html and '<th scope="col">' in html and '<th scope="row">' in html
    cells = len(response.context["rows"]) * len(Kind.values)
    assert html.count('class="subscriptions__label"') == cells
    assert f'<label for="{cell_name(None, Kind.QUESTION)}"' in html
    assert not NotificationSettings.objects.filter(member=alice).exists()


def test_my_page_links_to_the_email_settings(alice_client):
    assert URL in text(alice_client.get(reverse("profiles:my_page")))


def test_saving_the_settings_round_trips(alice_client, alice, barn, vald):
    data = form_data(
        paused="on",
        mentions="weekly",
        my_topics="never",
        chat="daily",
        digest_hour="18",
        digest_weekday="4",
        **{
            cell_name(None, Kind.ANSWER): "daily",
            cell_name(barn.pk, Kind.QUESTION): "immediate",
            cell_name(vald.pk, Kind.NOTE): "weekly",
        },
    )
    response = alice_client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == URL
    row = services.settings_for(alice)
    assert (row.paused, row.mentions, row.own, row.my_topics, row.chat) == (
        True,
        "weekly",
        "immediate",
        "never",
        "daily",
    )
    assert (row.digest_hour, row.digest_weekday) == (18, 4)
    assert services.subscriptions_of(alice) == {
        (None, "answer"): "daily",
        (barn.pk, "question"): "immediate",
        (vald.pk, "note"): "weekly",
    }

    page = alice_client.get(URL)
    assert len(list(page.context["messages"])) == 1
    form = page.context["form"]
    assert form["mentions"].value() == "weekly" and form["digest_hour"].value() == 18
    cells = {cell.name: cell.value for row in page.context["rows"] for cell in row.cells}
    assert cells[cell_name(barn.pk, Kind.QUESTION)] == "immediate"
    assert cells[cell_name(barn.pk, Kind.ANSWER)] == "never"

    # Back to never removes the subscription; the others stay.
    data[cell_name(barn.pk, Kind.QUESTION)] = "never"
    assert alice_client.post(URL, data).status_code == 302
    assert (barn.pk, "question") not in services.subscriptions_of(alice)
    assert len(services.subscriptions_of(alice)) == 2


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"digest_hour": "24"}, "digest_hour", "invalid_choice"),
        ({"digest_hour": "sju"}, "digest_hour", "invalid_choice"),
        ({"digest_weekday": "7"}, "digest_weekday", "invalid_choice"),
        ({"mentions": "often"}, "mentions", "invalid_choice"),
        ({"sub-99999-question": "immediate"}, NON_FIELD_ERRORS, "topic"),
        ({"sub-all-chat": "immediate"}, NON_FIELD_ERRORS, "kind"),
        ({"sub-all-question": "sometimes"}, NON_FIELD_ERRORS, "frequency"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    alice_client, alice, barn, overrides, field, code
):
    data = form_data(paused="on", **{cell_name(barn.pk, Kind.QUESTION): "immediate"}) | overrides
    response = alice_client.post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].has_error(field, code)
    assert 'role="alert"' in text(response)
    assert not NotificationSettings.objects.filter(member=alice).exists()
    assert not TopicSubscription.objects.filter(member=alice).exists()


def test_visitor_and_deactivated_member_are_sent_to_log_in(client, dave_client, dave):
    for browser in (client, dave_client):
        for method in (browser.get, browser.post):
            response = method(URL, form_data(paused="on"))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
    assert not NotificationSettings.objects.filter(member=dave).exists()


def test_the_page_costs_the_same_queries_however_many_topics(
    alice_client, alice, django_assert_num_queries
):
    alice_client.get(URL)
    with django_assert_num_queries(PAGE_QUERIES):
        assert alice_client.get(URL).status_code == 200
    topics = Topic.objects.bulk_create(
        Topic(name=f"Ämne {number}", slug=f"amne-{number}", position=100 + number)
        for number in range(15)
    )
    services.subscriptions_set(
        member=alice,
        choices={(topic.pk, kind): Frequency.DAILY for topic in topics for kind in Kind.values},
    )
    with django_assert_num_queries(PAGE_QUERIES):
        response = alice_client.get(URL)
    assert response.status_code == 200
    assert len(response.context["rows"]) == Topic.objects.filter(is_active=True).count() + 1


# --- One-click unsubscribe -----------------------------------------------------------------------


@pytest.fixture
def subscribed(alice, barn, vald) -> dict:
    choices = {
        (barn.pk, "question"): "immediate",
        (barn.pk, "answer"): "immediate",
        (None, "answer"): "daily",
        (None, "question"): "weekly",
        (vald.pk, "post"): "daily",
    }
    services.subscriptions_set(member=alice, choices=choices)
    return choices


def test_the_link_asks_first_and_names_nobody(client, alice, barn, subscribed):
    url = unsubscribe_url(alice.pk, f"topic:{barn.pk}:question")
    response = client.get(url)
    assert response.status_code == 200
    html = text(response)
    assert services.describe_subscription(f"topic:{barn.pk}:question") in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" not in html
    assert reverse("notifications:settings") in html
    assert alice.name not in html and alice.email not in html
    assert response["Cache-Control"].startswith("max-age=0")
    # Opening the link (as mail filters do) changes nothing.
    assert services.subscriptions_of(alice) == subscribed


@pytest.mark.parametrize(
    ("what", "gone", "setting"),
    [
        ("topic:{barn}:question", [("barn", "question")], None),
        ("topic:all:answer", [(None, "answer")], None),
        ("mentions", [], ("mentions", "never")),
        ("daily", [(None, "answer"), ("vald", "post")], ("my_topics", "never")),
        ("all", [], ("paused", True)),
    ],
)
def test_one_click_stops_exactly_that_email(alice, barn, vald, subscribed, what, gone, setting):
    topics = {"barn": barn.pk, "vald": vald.pk, None: None}
    what = what.format(barn=barn.pk)
    response = one_click(unsubscribe_url(alice.pk, what))
    assert response.status_code == 200
    html = text(response)
    assert services.describe_subscription(what) in html
    assert alice.name not in html and alice.email not in html
    expected = dict(subscribed)
    for topic, kind in gone:
        del expected[(topics[topic], kind)]
    assert services.subscriptions_of(alice) == expected
    row = services.settings_for(alice)
    if setting:
        assert getattr(row, setting[0]) == setting[1]
    untouched = {"mentions": "immediate", "my_topics": "daily", "paused": False}
    for name, value in untouched.items():
        if not setting or name != setting[0]:
            assert getattr(row, name) == value, name
    # A second click (or the provider retrying) changes nothing and still says yes.
    assert one_click(unsubscribe_url(alice.pk, what)).status_code == 200
    assert services.subscriptions_of(alice) == expected


def test_the_confirmation_button_works_from_a_logged_in_browser(alice_client, alice, subscribed):
    alice_client.handler.enforce_csrf_checks = True
    response = alice_client.post(unsubscribe_url(alice.pk, "topic:all:question"))
    assert response.status_code == 200
    assert (None, "question") not in services.subscriptions_of(alice)


def test_a_link_we_did_not_sign_is_not_found(client, alice, bob, subscribed):
    token = services.unsubscribe_token(alice.pk, "topic:all:answer")
    wrong = token[:-1] + ("1" if token.endswith("0") else "0")
    links = [
        unsubscribe_url(alice.pk, "topic:all:answer", wrong),
        unsubscribe_url(alice.pk, "all", token),  # the subscription changed, the token not
        unsubscribe_url(bob.pk, "topic:all:answer", token),  # someone else's
        unsubscribe_url(999999, "all"),  # signed, but nobody has that number
        unsubscribe_url(alice.pk, "topic:x:question"),  # signed, but no such subscription
    ]
    for url in links:
        for response in (client.get(url), one_click(url)):
            assert response.status_code == 404, url
            assert alice.name not in text(response) and alice.email not in text(response)
    assert services.subscriptions_of(alice) == subscribed
    assert not services.settings_for(alice).paused
    assert not NotificationSettings.objects.filter(member=bob).exists()


def test_a_member_whose_access_ended_gets_the_same_answer(client, dave):
    url = unsubscribe_url(dave.pk, "mentions")
    assert client.get(url).status_code == 200
    response = one_click(url)
    assert response.status_code == 200
    assert services.describe_subscription("mentions") in text(response)
    assert not NotificationSettings.objects.filter(member=dave).exists()
