"""Who is told about what: the fan-out of each kind of content to topic
subscribers, members with the topic on their profile, followers, the asker or
post author, those mentioned and those signed up for a meeting; the strongest
frequency winning; the writer, deactivated members, outsiders of a group and
everyone for a hidden question left out; paused members told in the app only."""

import datetime as dt

import pytest
from django.utils import timezone

from kollegan.events import services as events
from kollegan.events.models import Occurrence
from kollegan.events.services import EventData
from kollegan.feed import services as feed
from kollegan.groups import services as groups
from kollegan.notes import services as notes
from kollegan.notifications import delivery
from kollegan.notifications.models import (
    Activity,
    EmailState,
    Frequency,
    Kind,
    Notification,
    NotificationSettings,
    Reason,
    Target,
    Verb,
)
from kollegan.notifications.services import (
    follow_set,
    notifications_read,
    settings_save,
    subscriptions_set,
)
from kollegan.questions import services as questions
from kollegan.topics.models import Topic
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def heder(db) -> Topic:
    # On nobody's profile: only subscriptions bring it.
    return Topic.objects.get(slug="heder")


@pytest.fixture
def cohort(carol, alice):
    """carol (moderator) and alice are in it; bob is not."""
    group = groups.group_create(moderator=carol, name="Yrkesresan Ny inom R8")
    groups.group_add_members(moderator=carol, group=group, members=[alice])
    return group


def told(verb: Verb) -> dict[int, Notification]:
    """Fan out the latest activity of this kind, as the worker does: member id -> notification."""
    activity = Activity.objects.filter(verb=verb).latest("pk")
    delivery.activity_fan_out(activity.pk)
    rows = Notification.objects.filter(activity=activity)
    return {row.recipient_id: row for row in rows}


def subscribe(member, topic, kind: Kind, frequency: Frequency) -> None:
    subscriptions_set(member=member, choices={(topic.pk if topic else None, kind): frequency})


def ask(author, topic, **fields):
    fields.setdefault("title", "Placering av mor och barn")
    fields.setdefault("body", "Hur gör ni?")
    return questions.question_create(author=author, topics=[topic], **fields)


def an_event(author, *, days: int = 7, **fields):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    fields.setdefault("title", "Digital mötesplats")
    data = EventData(start=start, end=start + dt.timedelta(hours=1), **fields)
    return events.event_create(author=author, data=data)


def unread(member) -> int:
    member.refresh_from_db(fields=["unread_notifications"])
    return member.unread_notifications


# --- Topics -----------------------------------------------------------------------------------


def test_topic_subscribers_are_told_as_often_as_they_chose(alice, bob, carol, admin_member, heder):
    subscribe(alice, heder, Kind.QUESTION, Frequency.IMMEDIATE)
    subscribe(bob, heder, Kind.QUESTION, Frequency.DAILY)
    subscribe(carol, heder, Kind.QUESTION, Frequency.WEEKLY)
    outsider = make_member("eva@lycksele.test", "Eva Ek", alice.organisation)
    subscribe(outsider, heder, Kind.ANSWER, Frequency.IMMEDIATE)  # answers, not questions
    subscribe(outsider, Topic.objects.get(slug="vald"), Kind.QUESTION, Frequency.IMMEDIATE)

    ask(admin_member, heder)
    found = told(Verb.NEW_QUESTION)

    assert set(found) == {alice.pk, bob.pk, carol.pk}
    rows = {pk: (n.reason, n.frequency, n.email_state) for pk, n in found.items()}
    assert rows[alice.pk] == (Reason.TOPIC, Frequency.IMMEDIATE, EmailState.PENDING)
    assert rows[bob.pk] == (Reason.TOPIC, Frequency.DAILY, EmailState.DIGEST)
    assert rows[carol.pk] == (Reason.TOPIC, Frequency.WEEKLY, EmailState.DIGEST)
    assert found[alice.pk].subscription == f"topic:{heder.pk}:question"
    assert found[alice.pk].due_at is not None and found[bob.pk].due_at is None
    # A digest needs a time to go out at: settings rows with the default times.
    assert NotificationSettings.objects.get(member=carol).next_weekly_at is not None
    assert (unread(alice), unread(bob), unread(carol), unread(outsider)) == (1, 1, 1, 0)


def test_a_subscription_to_every_topic_takes_any_topic(bob, admin_member, heder, barn):
    subscribe(bob, None, Kind.QUESTION, Frequency.WEEKLY)
    subscribe(bob, None, Kind.POST, Frequency.IMMEDIATE)

    ask(admin_member, heder)
    question = told(Verb.NEW_QUESTION)[bob.pk]
    assert (question.subscription, question.frequency) == ("topic:all:question", Frequency.WEEKLY)

    feed.post_create(author=admin_member, body="Ny rapport om barns boende", topics=[barn])
    post = told(Verb.NEW_POST)[bob.pk]
    assert (post.subscription, post.email_state) == ("topic:all:post", EmailState.PENDING)


def test_topics_on_the_profile_bring_new_questions_daily_by_default(alice, bob, barn):
    question = ask(bob, barn)
    [(member_id, row)] = told(Verb.NEW_QUESTION).items()
    assert member_id == alice.pk  # Barn och unga is on her profile
    assert (row.reason, row.subscription, row.frequency) == (
        Reason.MY_TOPICS,
        "my_topics",
        Frequency.DAILY,
    )
    assert row.email_state == EmailState.DIGEST

    # Not the answers, and not at all once she says never.
    questions.answer_create(question=question, author=bob, body="Så här.")
    assert told(Verb.NEW_ANSWER) == {}
    settings_save(member=alice, my_topics=Frequency.NEVER)
    ask(bob, barn, title="Ännu en fråga")
    assert told(Verb.NEW_QUESTION) == {}


def test_the_strongest_frequency_wins_when_several_reasons_apply(alice, bob, barn):
    # Alice has Barn och unga on her profile (daily) and subscribes to it weekly.
    subscribe(alice, barn, Kind.QUESTION, Frequency.WEEKLY)
    ask(bob, barn)
    row = told(Verb.NEW_QUESTION)[alice.pk]
    assert (row.reason, row.frequency) == (Reason.MY_TOPICS, Frequency.DAILY)

    # Every topic immediately beats both.
    subscribe(alice, None, Kind.QUESTION, Frequency.IMMEDIATE)
    ask(bob, barn, title="Ännu en fråga")
    row = told(Verb.NEW_QUESTION)[alice.pk]
    assert (row.subscription, row.frequency) == ("topic:all:question", Frequency.IMMEDIATE)
    assert row.email_state == EmailState.PENDING
    assert Notification.objects.filter(recipient=alice).count() == 2  # one per activity


# --- Personal reasons -------------------------------------------------------------------------


def test_a_mention_tells_the_member_mentioned(alice, bob, carol):
    feed.post_create(author=bob, body="Vad tycker @Alice Andersson om det här?")
    found = told(Verb.NEW_POST)
    assert set(found) == {alice.pk}
    row = found[alice.pk]
    assert (row.reason, row.subscription, row.email_state) == (
        Reason.MENTION,
        "mentions",
        EmailState.PENDING,
    )


def test_the_asker_of_an_anonymous_question_hears_of_answers_and_is_never_named(
    alice, bob, carol, barn
):
    subscribe(alice, barn, Kind.QUESTION, Frequency.IMMEDIATE)
    subscribe(carol, barn, Kind.QUESTION, Frequency.IMMEDIATE)
    question = ask(alice, barn, anonymous=True)
    asked = Activity.objects.get(verb=Verb.NEW_QUESTION)
    assert asked.actor is None
    assert set(told(Verb.NEW_QUESTION)) == {carol.pk}  # never the asker herself

    questions.answer_create(question=question, author=bob, body="Vi gör så här.")
    found = told(Verb.NEW_ANSWER)
    assert found[alice.pk].reason == Reason.OWN  # found through the separated link
    assert found[alice.pk].subscription == "own"
    assert Activity.objects.get(verb=Verb.NEW_ANSWER).actor == bob

    # The asker comments in her own thread (anonymous there too): bob follows,
    # alice is not told of her own words.
    questions.question_follow(question=question, member=bob)
    questions.comment_create(question=question, author=alice, body="Tack, det hjälper.")
    commented = Activity.objects.get(verb=Verb.NEW_COMMENT)
    assert commented.actor is None
    found = told(Verb.NEW_COMMENT)
    assert set(found) == {bob.pk}
    assert found[bob.pk].reason == Reason.FOLLOW
    assert unread(alice) == 1


def test_the_writer_is_never_told_of_their_own_text(alice, bob, barn):
    question = ask(alice, barn)
    told(Verb.NEW_QUESTION)
    subscribe(bob, barn, Kind.ANSWER, Frequency.IMMEDIATE)
    questions.question_follow(question=question, member=bob)
    questions.answer_create(
        question=question, author=bob, body="Jag svarar @Bob Berg", anonymous=True
    )
    found = told(Verb.NEW_ANSWER)
    assert bob.pk not in found
    assert found[alice.pk].reason == Reason.OWN
    assert unread(bob) == 0


def test_followers_and_the_post_author_hear_of_replies(alice, bob, carol):
    post = feed.post_create(author=alice, body="Hur ordnar ni handledning?")
    told(Verb.NEW_POST)
    follow_set(member=carol, target_type=Target.POST, target_id=post.pk, follow=True)
    feed.reply_create(post=post, author=bob, body="Varannan vecka.")
    found = told(Verb.NEW_REPLY)
    assert {pk: row.reason for pk, row in found.items()} == {
        alice.pk: Reason.OWN,
        carol.pk: Reason.FOLLOW,
    }
    assert found[carol.pk].subscription == "following"


def test_a_members_own_frequency_applies_to_personal_reasons(alice, bob, barn):
    settings_save(member=alice, own=Frequency.WEEKLY)
    question = ask(alice, barn)
    questions.answer_create(question=question, author=bob, body="Så här.")
    row = told(Verb.NEW_ANSWER)[alice.pk]
    assert (row.reason, row.frequency, row.email_state) == (
        Reason.OWN,
        Frequency.WEEKLY,
        EmailState.DIGEST,
    )
    settings_save(member=alice, own=Frequency.NEVER)
    questions.answer_create(question=question, author=bob, body="Eller så här.")
    assert told(Verb.NEW_ANSWER) == {}


def test_a_paused_member_is_told_in_the_app_but_not_by_e_mail(alice, bob, heder):
    subscribe(alice, heder, Kind.QUESTION, Frequency.IMMEDIATE)
    settings_save(member=alice, paused=True)
    ask(bob, heder)
    row = told(Verb.NEW_QUESTION)[alice.pk]
    assert (row.email_state, row.due_at) == (EmailState.NONE, None)
    assert unread(alice) == 1
    assert delivery.compose_immediate(timezone.now() + dt.timedelta(hours=1)) == 0


def test_a_deactivated_member_is_told_nothing(alice, bob, dave, heder):
    subscribe(dave, heder, Kind.QUESTION, Frequency.IMMEDIATE)
    subscribe(alice, heder, Kind.QUESTION, Frequency.IMMEDIATE)
    question = ask(bob, heder)
    questions.question_follow(question=question, member=dave)
    assert set(told(Verb.NEW_QUESTION)) == {alice.pk}
    questions.answer_create(question=question, author=alice, body="Fråga @Dave Dahl")
    assert dave.pk not in told(Verb.NEW_ANSWER)
    assert Notification.objects.filter(recipient=dave).count() == 0


# --- Visibility -------------------------------------------------------------------------------


def test_a_groups_event_and_note_reach_only_its_members(alice, bob, carol, cohort, heder):
    for member in (alice, bob):
        subscribe(member, None, Kind.EVENT, Frequency.IMMEDIATE)
        subscribe(member, None, Kind.NOTE, Frequency.IMMEDIATE)
    an_event(carol, group=cohort, topics=[heder])
    assert set(told(Verb.NEW_EVENT)) == {alice.pk}
    notes.note_create(author=carol, title="Anteckningar", body="Vi pratade.", group=cohort)
    assert set(told(Verb.NEW_NOTE)) == {alice.pk}

    # The same for everyone: both are told.
    an_event(carol, topics=[heder], title="Öppen mötesplats")
    assert set(told(Verb.NEW_EVENT)) == {alice.pk, bob.pk}


def test_a_question_hidden_before_the_fan_out_tells_nobody(alice, bob, carol, heder):
    subscribe(alice, heder, Kind.QUESTION, Frequency.IMMEDIATE)
    question = ask(bob, heder)
    questions.content_hide(item=question, moderator=carol, reason="Personuppgifter")
    assert told(Verb.NEW_QUESTION) == {}
    assert unread(alice) == 0


def test_notes_of_a_date_reach_those_who_signed_up(alice, bob, carol):
    event = an_event(carol, days=-7)
    occurrence = Occurrence.objects.get(event=event)
    events.attendance_set(occurrence=occurrence, member=alice)
    told(Verb.NEW_EVENT)
    notes.note_create(
        author=carol, title="Minnesanteckningar", body="Vi pratade.", occurrence=occurrence
    )
    found = told(Verb.NEW_NOTE)
    assert set(found) == {alice.pk}
    assert (found[alice.pk].reason, found[alice.pk].email_state) == (
        Reason.CATCH_UP,
        EmailState.PENDING,
    )


def test_a_cancelled_event_tells_followers_and_those_coming(alice, bob, carol):
    event = an_event(carol)
    events.attendance_set(occurrence=Occurrence.objects.get(event=event), member=alice)
    follow_set(member=bob, target_type=Target.EVENT, target_id=event.pk, follow=True)
    events.event_cancel(event=event, member=carol)
    found = told(Verb.EVENT_CANCELLED)
    assert {pk: row.reason for pk, row in found.items()} == {
        alice.pk: Reason.FOLLOW,
        bob.pk: Reason.FOLLOW,
    }


# --- Through the task, and the bell -------------------------------------------------------------


def test_the_task_after_commit_fans_out_and_the_bell_counts(
    alice, bob, heder, immediate_tasks, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_BATCH_SECONDS = 120  # nothing is sent yet, only counted
    subscribe(alice, heder, Kind.QUESTION, Frequency.IMMEDIATE)
    subscribe(alice, heder, Kind.ANSWER, Frequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        question = ask(bob, heder)
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        questions.answer_create(question=question, author=bob, body="Ett svar.")
        questions.answer_create(question=question, author=bob, body="Ett till.")
    assert Activity.objects.filter(fanned_out_at__isnull=True).count() == 0
    assert unread(alice) == 3

    first = Notification.objects.filter(recipient=alice).order_by("pk").first()
    notifications_read(member=alice, ids=[first.pk])
    assert unread(alice) == 2
    # A repeated fan-out (a straggler run racing the task) changes nothing.
    Activity.objects.update(fanned_out_at=None)
    for pk in Activity.objects.values_list("pk", flat=True):
        assert delivery.activity_fan_out(pk) == 0
    assert unread(alice) == 2
    notifications_read(member=alice)
    assert unread(alice) == 0
