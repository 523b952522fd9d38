"""Notiser: the bell, the list, marking read, opening one, and following posts
and events.

A member sees only their own notifications, never the name behind an anonymous
text, and nothing about an item they may no longer see; the list costs the same
number of queries for a few notifications or a page full. The pages are Swedish,
but this section's catalogue is filled in after the code: texts are compared
through ``shown`` (the Swedish when there is one, else the source)."""

import datetime as dt
import re
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kollegan.accounts.models import Member
from kollegan.events import services as event_services
from kollegan.events.models import Event
from kollegan.events.recurrence import STOCKHOLM
from kollegan.events.services import EventData
from kollegan.feed import services as feed_services
from kollegan.groups import services as group_services
from kollegan.groups.models import Group
from kollegan.notifications import delivery
from kollegan.notifications.models import Activity, Following, Frequency, Kind, Notification
from kollegan.notifications.selectors import PAGE_SIZE
from kollegan.notifications.services import subscriptions_set
from kollegan.questions import services as questions
from kollegan.questions.models import Question
from kollegan.topics.models import Topic

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
READ = reverse("notifications:read")


def shown(msgid: str) -> str:
    """What the Swedish page shows for an English source string, escaped as the
    page escapes it (the source text until the translators have been)."""
    with translation.override("sv"):
        return escape(translation.gettext(msgid))


def text(response) -> str:
    return response.content.decode()


def open_url(note: Notification) -> str:
    return reverse("notifications:open", args=[note.pk])


def follow_url(kind: str, pk: int) -> str:
    return reverse("notifications:follow", args=[kind, pk])


def fan_out() -> None:
    """What the worker does after each commit: one notification per recipient."""
    for pk in (
        Activity.objects.filter(fanned_out_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        delivery.activity_fan_out(pk)


def refresh(member: Member) -> int:
    member.refresh_from_db(fields=["unread_notifications"])
    return member.unread_notifications


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def subscribed(alice) -> Member:
    """Alice hears at once about new questions, posts and events in every topic."""
    choices = {(None, kind): Frequency.IMMEDIATE for kind in (Kind.QUESTION, Kind.POST, Kind.EVENT)}
    subscriptions_set(member=alice, choices=choices)
    return alice


@pytest.fixture
def cohort(carol, alice, bob) -> Group:
    group = group_services.group_create(moderator=carol, name="Yrkesresan")
    group_services.group_add_members(moderator=carol, group=group, members=[alice, bob])
    return group


def ask(author: Member, title: str, topic: Topic, *, anonymous: bool = False) -> Question:
    return questions.question_create(
        author=author, title=title, body="Hur gör ni?", topics=[topic], anonymous=anonymous
    )


def event(author: Member, topic: Topic, *, group: Group | None = None, title="Nätverksträff"):
    day = timezone.localdate() + dt.timedelta(days=10)
    data = EventData(
        title=title,
        start=dt.datetime.combine(day, dt.time(9), tzinfo=STOCKHOLM),
        end=dt.datetime.combine(day, dt.time(12), tzinfo=STOCKHOLM),
        topics=[topic],
        group=group,
    )
    return event_services.event_create(author=author, data=data)


def mine(member: Member) -> list[Notification]:
    return list(Notification.objects.filter(recipient=member).order_by("pk"))


# --- The list ----------------------------------------------------------------------------------


def test_list_shows_only_the_members_own_notifications(alice_client, subscribed, bob, carol, barn):
    subscriptions_set(member=carol, choices={(None, Kind.QUESTION): Frequency.IMMEDIATE})
    ask(bob, "Placering mor och barn", barn)
    ask(bob, "Umgängesstöd på helger", barn)
    fan_out()
    assert refresh(subscribed) == 2
    html = text(alice_client.get(LIST))
    assert "Placering mor och barn" in html and "Umgängesstöd på helger" in html
    assert html.index("Umgängesstöd på helger") < html.index("Placering mor och barn")
    for note in mine(subscribed):
        assert f'href="{open_url(note)}"' in html
    for note in mine(carol):
        assert open_url(note) not in html
    assert shown("Unread") in html and "notice--unread" in html
    assert shown("Mark all as read") in html
    assert "Barn och unga" in html  # the topic, read when shown


def test_only_unread_filter_and_empty_states(alice_client, subscribed, bob, barn):
    html = text(alice_client.get(LIST))
    assert shown("You have no notifications yet.") in html
    ask(bob, "Placering mor och barn", barn)
    ask(bob, "Umgängesstöd på helger", barn)
    fan_out()
    first, _second = mine(subscribed)
    alice_client.post(READ, {"ids": [first.pk]})
    html = text(alice_client.get(LIST, {"olasta": "1"}))
    assert "Umgängesstöd på helger" in html and "Placering mor och barn" not in html
    alice_client.post(READ, {"all": "1"})
    html = text(alice_client.get(LIST, {"olasta": "1"}))
    assert shown("No unread notifications. Everything is read.") in html
    assert shown("Mark all as read") not in html


def test_an_anonymous_text_never_names_its_writer(alice_client, subscribed, bob, barn):
    own = ask(subscribed, "Placering mor och barn", barn)
    answer = questions.answer_create(
        question=own, author=bob, body="Vi gör så här.", anonymous=True
    )
    ask(bob, "Skyddat boende", barn, anonymous=True)
    fan_out()
    assert refresh(subscribed) == 2
    html = text(alice_client.get(LIST))
    assert shown("An anonymous answer to the question") in html
    assert shown("A new question was asked anonymously") in html
    for trace in ("Bob", "Berg", bob.email, "Storuman", "Enhetschef"):
        assert trace not in html
    reply = next(note for note in mine(subscribed) if note.activity.item_id == answer.pk)
    response = alice_client.get(open_url(reply))
    assert response.status_code == 302
    assert response["Location"] == f"{own.get_absolute_url()}#svar-{answer.pk}"


def test_a_hidden_question_disappears_and_cannot_be_opened(
    alice_client, subscribed, bob, carol, barn
):
    question = ask(bob, "Placering mor och barn", barn)
    ask(bob, "Umgängesstöd på helger", barn)
    fan_out()
    questions.content_hide(item=question, moderator=carol, reason="Personuppgifter")
    assert refresh(subscribed) == 2
    html = text(alice_client.get(LIST))
    assert "Placering mor och barn" not in html and "Umgängesstöd på helger" in html
    # Seeing the list, the bell stops counting what can no longer be opened.
    assert refresh(subscribed) == 1
    hidden = next(note for note in mine(subscribed) if note.activity.target_id == question.pk)
    response = alice_client.get(open_url(hidden))
    assert response.status_code == 404
    assert shown("No longer available") in text(response)
    assert "Placering mor och barn" not in text(response)
    assert refresh(subscribed) == 1  # the bell no longer counts what cannot be opened


def test_a_group_event_disappears_when_the_member_leaves_the_group(
    alice_client, subscribed, bob, carol, barn, cohort
):
    happening = event(bob, barn, group=cohort, title="Handledning i gruppen")
    fan_out()
    (note,) = mine(subscribed)
    assert "Handledning i gruppen" in text(alice_client.get(LIST))
    group_services.group_remove_member(moderator=carol, group=cohort, member=subscribed)
    assert "Handledning i gruppen" not in text(alice_client.get(LIST))
    response = alice_client.get(open_url(note))
    assert response.status_code == 404
    assert "Handledning i gruppen" not in text(response)
    assert Event.objects.filter(pk=happening.pk).exists()


def test_a_broken_cursor_is_a_clear_400(alice_client, subscribed):
    response = alice_client.get(LIST, {"fore": "inte-en-markör"})
    assert response.status_code == 400
    assert shown("The link to more notifications is broken. Start again from the top.") in text(
        response
    )


def mix(number: int, alice: Member, bob: Member, topic: Topic, group: Group) -> None:
    """One of each kind of row: an anonymous answer to alice's own question, a
    post, an event in a group and a question."""
    own = ask(alice, f"Min egen fråga {number}", topic)
    questions.answer_create(question=own, author=bob, body="Så här.", anonymous=True)
    feed_services.post_create(author=bob, body="Välkomna till nätverket!", topics=[topic])
    event(bob, topic, group=group, title=f"Nätverksträff {number}")
    ask(bob, f"Bobs fråga {number}", topic)


def test_the_list_costs_the_same_for_a_few_or_a_page_full(
    alice_client, subscribed, bob, barn, cohort, django_assert_num_queries
):
    mix(1, subscribed, bob, barn, cohort)
    fan_out()
    alice_client.get(LIST)  # warm-up: the menu and site settings are cached
    with CaptureQueriesContext(connection) as few:
        alice_client.get(LIST)
    for number in range(PAGE_SIZE):
        ask(bob, f"Fråga {number}", barn)
    mix(2, subscribed, bob, barn, cohort)
    fan_out()
    assert len(mine(subscribed)) == PAGE_SIZE + 8
    with django_assert_num_queries(len(few.captured_queries)):
        response = alice_client.get(LIST)
    html = text(response)
    assert "Min egen fråga 2" in html and "Nätverksträff 2" in html
    assert "Min egen fråga 1" not in html
    older = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    rest = text(alice_client.get(older))
    assert "Min egen fråga 1" in rest and "Nätverksträff 1" in rest
    assert "Min egen fråga 2" not in rest


# --- The bell ----------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_on_the_start_page(alice_client, subscribed, bob, barn):
    html = text(alice_client.get(reverse("start")))
    assert f'href="{LIST}"' in html and "bell__count" not in html
    ask(bob, "Placering mor och barn", barn)
    ask(bob, "Umgängesstöd på helger", barn)
    fan_out()
    html = text(alice_client.get(reverse("start")))
    assert re.search(r'class="bell__count" aria-hidden="true">2</span>', html)
    assert shown("Notifications") in html


# --- Marking read and opening ------------------------------------------------------------------


def test_mark_one_then_all_read(alice_client, subscribed, bob, carol, barn):
    subscriptions_set(member=carol, choices={(None, Kind.QUESTION): Frequency.IMMEDIATE})
    for title in ("Första", "Andra", "Tredje"):
        ask(bob, title, barn)
    fan_out()
    first, *_rest = mine(subscribed)
    theirs = mine(carol)[0]
    response = alice_client.post(READ, {"ids": [first.pk, theirs.pk], "next": LIST + "?olasta=1"})
    assert response.status_code == 302 and response["Location"] == LIST + "?olasta=1"
    assert refresh(subscribed) == 2
    assert refresh(carol) == 3  # someone else's id is ignored
    response = alice_client.post(READ, {"all": "1"})
    assert response.status_code == 302 and response["Location"] == LIST
    assert refresh(subscribed) == 0
    assert not Notification.objects.filter(recipient=subscribed, read_at__isnull=True).exists()


def test_marking_read_refuses_bad_input_and_get(alice_client, subscribed, bob, barn):
    ask(bob, "Placering mor och barn", barn)
    fan_out()
    assert alice_client.get(READ).status_code == 405
    for data in ({}, {"ids": "x"}, {"ids": "9" * 30}, {"all": "ja"}):
        response = alice_client.post(READ, data)
        assert response.status_code == 400, data
        assert shown("Choose which notifications to mark as read.") in text(response)
    assert refresh(subscribed) == 1


def test_open_marks_read_and_goes_to_the_item(alice_client, bob_client, subscribed, bob, barn):
    question = ask(bob, "Placering mor och barn", barn)
    fan_out()
    (note,) = mine(subscribed)
    assert bob_client.get(open_url(note)).status_code == 404  # not his
    note.refresh_from_db()
    assert note.read_at is None
    response = alice_client.get(open_url(note))
    assert response.status_code == 302 and response["Location"] == question.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None and refresh(subscribed) == 0
    assert alice_client.get(reverse("notifications:open", args=[note.pk + 1000])).status_code == 404


# --- Following posts and events ----------------------------------------------------------------


def test_follow_a_post_on_and_off(alice_client, alice, bob, carol, barn):
    post = feed_services.post_create(author=bob, body="Välkomna till nätverket!")
    page = post.get_absolute_url()
    assert shown("Follow the post") in text(alice_client.get(page))
    response = alice_client.post(follow_url("post", post.pk), {"follow": "1", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert Following.objects.filter(member=alice, target_type="post", target_id=post.pk).exists()
    assert shown("Stop following") in text(alice_client.get(page))

    feed_services.reply_create(post=post, author=carol, body="Tack!")
    fan_out()
    assert [note.reason for note in mine(alice)] == ["follow"]

    response = alice_client.post(follow_url("post", post.pk), {"follow": "0"})
    assert response.status_code == 302 and response["Location"] == page
    assert not Following.objects.filter(member=alice).exists()


def test_follow_refuses_what_cannot_be_followed(alice_client, alice, bob, carol, barn):
    post = feed_services.post_create(author=bob, body="Välkomna till nätverket!")
    question = ask(bob, "Placering mor och barn", barn)
    assert alice_client.get(follow_url("post", post.pk)).status_code == 405
    assert alice_client.post(follow_url("post", post.pk), {"follow": "ja"}).status_code == 400
    assert (
        alice_client.post(follow_url("question", question.pk), {"follow": "1"}).status_code == 404
    )
    assert alice_client.post(follow_url("post", post.pk + 1000), {"follow": "1"}).status_code == 404
    assert alice_client.post(follow_url("post", 2**64), {"follow": "1"}).status_code == 404
    feed_services.content_hide(item=post, moderator=carol)
    assert alice_client.post(follow_url("post", post.pk), {"follow": "1"}).status_code == 404
    assert not Following.objects.exists()


def test_follow_an_event_on_and_off(alice_client, alice, bob, barn):
    happening = event(bob, barn)
    page = text(alice_client.get(happening.get_absolute_url(), follow=True))
    assert shown("Follow the event") in page
    response = alice_client.post(follow_url("event", happening.pk), {"follow": "1"})
    assert response.status_code == 302
    assert Following.objects.filter(member=alice, target_type="event").count() == 1
    page = text(alice_client.get(happening.get_absolute_url(), follow=True))
    assert shown("Stop following") in page
    alice_client.post(follow_url("event", happening.pk), {"follow": "0"})
    assert not Following.objects.exists()


def test_follow_refused_for_a_group_event_the_member_is_not_in(
    alice_client, bob_client, alice, bob, carol, barn
):
    group = group_services.group_create(moderator=carol, name="Yrkesresan")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    happening = event(alice, barn, group=group)
    response = bob_client.post(follow_url("event", happening.pk), {"follow": "1"})
    assert response.status_code == 404
    assert alice_client.post(follow_url("event", happening.pk), {"follow": "1"}).status_code == 302
    assert list(Following.objects.values_list("member_id", flat=True)) == [alice.pk]


# --- Who may come in ---------------------------------------------------------------------------


def test_visitor_and_deactivated_member_are_sent_to_log_in(
    client, dave_client, subscribed, bob, barn
):
    ask(bob, "Placering mor och barn", barn)
    post = feed_services.post_create(author=bob, body="Välkomna!")
    fan_out()
    note = mine(subscribed)[0]
    urls = [LIST, READ, open_url(note), follow_url("post", post.pk)]
    for browser in (client, dave_client):
        for url in urls:
            for method in (browser.get, browser.post):
                response = method(url, {"all": "1", "follow": "1"})
                assert response.status_code == 302, url
                assert response["Location"].startswith(reverse("account_login"))
    assert refresh(subscribed) == len(mine(subscribed))
    assert not Following.objects.exists()
