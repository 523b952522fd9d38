"""The faults the outbox must survive, over real SMTP (aiosmtpd on 127.0.0.1),
with what arrives parsed by the `email` package: the mail server down while
content is written, the worker killed mid-batch, a rolled-back transaction, a
member deactivated between queueing and sending, retries ending in the dead
letter list, a permanent refusal for one recipient, and a lost fan-out task."""

import datetime as dt
import smtplib
from collections import Counter
from email import message_from_bytes, policy

import pytest
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kollegan.accounts.services import member_deactivate
from kollegan.notifications import delivery, tasks
from kollegan.notifications.models import (
    Activity,
    Email,
    EmailStatus,
    Frequency,
    Kind,
    Notification,
)
from kollegan.notifications.services import emails_retry, subscriptions_set
from kollegan.questions import services as questions
from kollegan.questions.models import Question
from kollegan.topics.models import Topic
from tests.conftest import client_for, free_port, make_member

pytestmark = pytest.mark.slow


@pytest.fixture
def heder(db) -> Topic:
    # On nobody's profile: only the subscriptions below bring it.
    return Topic.objects.get(slug="heder")


@pytest.fixture
def outbox_now(settings):
    settings.NOTIFICATION_BATCH_SECONDS = 0


def subscribe(members, topic: Topic) -> None:
    for member in members:
        subscriptions_set(member=member, choices={(topic.pk, Kind.QUESTION): Frequency.IMMEDIATE})


def ask(author, topic: Topic, title: str = "Hedersrelaterat våld i skolan") -> Question:
    return questions.question_create(author=author, title=title, body="Hur gör ni?", topics=[topic])


def fan_out_all() -> None:
    for pk in Activity.objects.filter(fanned_out_at__isnull=True).values_list("pk", flat=True):
        delivery.activity_fan_out(pk)


def parse(envelope):
    return message_from_bytes(envelope.original_content, policy=policy.default)


def text_of(envelope) -> str:
    return parse(envelope).get_body(preferencelist=("plain",)).get_content()


def received(smtp_server) -> Counter:
    """How many e-mails each address got."""
    return Counter(address for envelope in smtp_server.envelopes for address in envelope.rcpt_tos)


def run_worker() -> int:
    """What `manage.py db_worker --batch` does, inside this test's transaction:
    run each task that is due, until none is left."""
    ran = 0
    while (result := DBTaskResult.objects.ready().get_locked()) is not None:
        result.claim("test-worker")
        call = result.args_kwargs
        result.set_successful(result.task.call(*call["args"], **call["kwargs"]))
        ran += 1
    return ran


# --- The mail server down while content is written ----------------------------------------------


def test_questions_asked_while_the_mail_server_is_down_arrive_once_when_it_is_back(
    alice,
    bob,
    carol,
    admin_member,
    heder,
    smtp_server,
    settings,
    outbox_now,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    subscribe([alice, bob, carol], heder)
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens: the mail server is down
    dials = []
    connect = smtplib.SMTP.connect

    def dial(self, *args, **kwargs):
        dials.append(args)
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", dial)
    asker = client_for(admin_member)
    titles = ["Hedersrelaterat våld i skolan", "Skyddat boende för unga"]
    for title in titles:
        data = {"title": title, "body": "Hur gör ni?", "topics": ["heder"]}
        rows = (Notification.objects.count(), Email.objects.count())
        dials.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = asker.post(reverse("questions:ask"), data)
        # The request only wrote rows: the question, its activity and a task.
        assert response.status_code == 302
        assert dials == []
        assert (Notification.objects.count(), Email.objects.count()) == rows
        assert DBTaskResult.objects.ready().filter(task_path=tasks.fan_out.module_path).count() == 1
        # The worker: fans out, tries to send, fails, and keeps everything.
        assert run_worker() >= 2
        assert dials != []
    assert Email.objects.count() == 6  # per recipient, one for each question
    assert set(Email.objects.values_list("status", "attempts")) == {(EmailStatus.QUEUED, 1)}
    assert smtp_server.envelopes == []

    settings.EMAIL_PORT = working_port  # back again
    later = timezone.now() + dt.timedelta(minutes=5)
    assert delivery.deliver_now(later)["sent"] == 6
    assert delivery.deliver_now(later + dt.timedelta(hours=1))["sent"] == 0  # nothing twice
    assert received(smtp_server) == {alice.email: 2, bob.email: 2, carol.email: 2}
    for member in (alice, bob, carol):
        texts = [text_of(e) for e in smtp_server.envelopes if e.rcpt_tos == [member.email]]
        for title in titles:
            assert sum(title in text for text in texts) == 1
    assert set(Email.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


# --- The worker killed mid-batch ----------------------------------------------------------------


@pytest.mark.parametrize("kill", [SystemExit, KeyboardInterrupt])
def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_one_in_flight(
    bob, lycksele, heder, smtp_server, settings, outbox_now, monkeypatch, kill
):
    members = [make_member(f"m{i}@lycksele.test", f"Kollega {i}", lycksele) for i in range(5)]
    subscribe(members, heder)
    ask(bob, heder)
    fan_out_all()
    real_connection = delivery.get_connection

    class DyingBackend(SmtpBackend):
        """Hands two messages to the server, then the process is gone: the
        second was delivered but never marked sent."""

        handed = 0

        def send_messages(self, messages) -> int:
            sent = super().send_messages(messages)
            DyingBackend.handed += sent
            if DyingBackend.handed == 2:
                raise kill()
            return sent

    monkeypatch.setattr(delivery, "get_connection", DyingBackend)
    now = timezone.now()
    with pytest.raises(kill):
        delivery.deliver_now(now)
    statuses = Counter(Email.objects.values_list("status", flat=True))
    assert statuses == {EmailStatus.SENT: 1, EmailStatus.SENDING: 4}
    claimed = Email.objects.filter(status=EmailStatus.SENDING)
    assert all(email.lease_until > now for email in claimed)
    assert len(smtp_server.envelopes) == 2

    # Restarted: while the dead worker's lease lasts nobody touches its e-mails…
    monkeypatch.setattr(delivery, "get_connection", real_connection)
    assert delivery.deliver_now(now + dt.timedelta(minutes=1))["sent"] == 0
    # …then they are sent, each once more at most.
    assert delivery.deliver_now(now + dt.timedelta(minutes=6))["sent"] == 4
    assert set(Email.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    counts = received(smtp_server)
    assert set(counts) == {member.email for member in members}
    assert sorted(counts.values()) == [1, 1, 1, 1, 2]  # the one in flight, twice


def test_an_e_mail_the_worker_dies_on_at_every_try_ends_dead(
    alice, bob, heder, smtp_server, settings, outbox_now, monkeypatch
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    subscribe([alice], heder)
    ask(bob, heder)
    fan_out_all()

    class Doomed(SmtpBackend):
        def send_messages(self, messages) -> int:
            raise SystemExit(1)

    monkeypatch.setattr(delivery, "get_connection", Doomed)
    now = timezone.now()
    for minutes in (0, 6):
        with pytest.raises(SystemExit):
            delivery.deliver_now(now + dt.timedelta(minutes=minutes))
    assert delivery.deliver_now(now + dt.timedelta(minutes=12))["recovered"] == 0
    email = Email.objects.get()
    assert (email.status, email.attempts, email.lease_until) == (EmailStatus.DEAD, 2, None)
    assert smtp_server.envelopes == []


def test_an_e_mail_that_cannot_be_written_holds_up_nobody_else(
    alice, bob, carol, heder, smtp_server, settings, outbox_now, monkeypatch
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    subscribe([alice, carol], heder)
    ask(bob, heder)
    fan_out_all()
    from kollegan.notifications import emails

    write = emails.build_message

    def broken_for_alice(email, recipient, items, **options):
        if recipient == alice:
            raise RuntimeError("a template that breaks for her")
        return write(email, recipient, items, **options)

    monkeypatch.setattr(emails, "build_message", broken_for_alice)
    counts = delivery.deliver_now()
    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert received(smtp_server) == {carol.email: 1}
    waiting = Email.objects.get(recipient=alice)
    assert (waiting.status, waiting.attempts) == (EmailStatus.QUEUED, 1)
    assert "RuntimeError" in waiting.last_error
    delivery.deliver_now(waiting.next_attempt_at)
    assert Email.objects.get(recipient=alice).status == EmailStatus.DEAD


# --- A transaction rolled back --------------------------------------------------------------------


def test_a_rolled_back_question_sends_nothing(
    alice, bob, heder, smtp_server, outbox_now, immediate_tasks, django_capture_on_commit_callbacks
):
    subscribe([alice], heder)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ask(bob, heder)
        raise RuntimeError("something failed after the question, before the commit")
    assert callbacks == []  # no fan-out task was ever enqueued
    assert not Question.objects.exists()
    assert not Activity.objects.exists()
    later = timezone.now() + dt.timedelta(hours=1)
    assert delivery.fan_out_stragglers(dt.timedelta(0)) == 0
    assert delivery.deliver_now(later) == {
        "recovered": 0,
        "composed": 0,
        "sent": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert smtp_server.envelopes == []
    assert not Notification.objects.exists()


# --- A member deactivated between queueing and sending ------------------------------------------


def test_a_member_deactivated_before_the_retry_gets_nothing(
    alice, bob, carol, heder, smtp_server, settings, outbox_now
):
    subscribe([alice, bob], heder)
    ask(carol, heder)
    fan_out_all()
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    delivery.deliver_now()
    assert Email.objects.filter(status=EmailStatus.QUEUED).count() == 2  # waiting for a retry

    member_deactivate(member=bob)
    settings.EMAIL_PORT = working_port
    counts = delivery.deliver_now(timezone.now() + dt.timedelta(minutes=5))
    assert (counts["sent"], counts["skipped"]) == (1, 1)
    assert received(smtp_server) == {alice.email: 1}
    assert Email.objects.get(recipient=bob).status == EmailStatus.SKIPPED
    assert Email.objects.get(recipient=alice).status == EmailStatus.SENT


# --- Retries, back-off and the dead letter list --------------------------------------------------


def test_retries_back_off_and_end_in_the_dead_letter_list(
    alice, bob, heder, smtp_server, settings, outbox_now
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    subscribe([alice], heder)
    ask(bob, heder)
    fan_out_all()
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    clock = timezone.now()
    for attempt in (1, 2):
        before = timezone.now()
        delivery.deliver_now(clock)
        after = timezone.now()
        email = Email.objects.get()
        assert (email.status, email.attempts) == (EmailStatus.QUEUED, attempt)
        wait = delivery.backoff(attempt)
        assert before + wait <= email.next_attempt_at <= after + wait
        # Not tried again before its time.
        delivery.deliver_now(email.next_attempt_at - dt.timedelta(seconds=1))
        assert Email.objects.get().attempts == attempt
        clock = email.next_attempt_at
    assert delivery.backoff(2) == 2 * delivery.backoff(1)
    delivery.deliver_now(clock)
    email = Email.objects.get()
    assert (email.status, email.attempts) == (EmailStatus.DEAD, 3)
    assert "refused" in email.last_error.lower() or "connect" in email.last_error.lower()
    delivery.deliver_now(clock + dt.timedelta(days=1))
    assert Email.objects.get().attempts == 3  # dead stays dead

    # An administrator sends it again once the server is back.
    settings.EMAIL_PORT = working_port
    assert emails_retry(ids=[email.pk]) == 1
    assert delivery.deliver_now()["sent"] == 1
    assert received(smtp_server) == {alice.email: 1}


def test_a_permanent_refusal_for_one_recipient_leaves_the_others_sent(
    alice, bob, carol, admin_member, heder, smtp_server, outbox_now
):
    async def refuse_carol(server, session, envelope, address, rcpt_options):
        if address == carol.email:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = refuse_carol
    subscribe([alice, carol, bob], heder)
    ask(admin_member, heder)
    fan_out_all()
    counts = delivery.deliver_now()
    assert (counts["sent"], counts["failed"]) == (2, 1)
    refused = Email.objects.get(recipient=carol)
    assert (refused.status, refused.attempts) == (EmailStatus.DEAD, 1)
    assert "550" in refused.last_error
    assert received(smtp_server) == {alice.email: 1, bob.email: 1}
    assert delivery.deliver_now(timezone.now() + dt.timedelta(days=1))["sent"] == 0


# --- A fan-out task that never ran ---------------------------------------------------------------


def test_an_activity_whose_task_was_lost_is_fanned_out_once_by_the_periodic_job(
    alice, bob, heder, smtp_server, outbox_now
):
    subscribe([alice], heder)
    ask(bob, heder)  # committed, but its on_commit task never runs: lost
    assert tasks.periodic()["fanned_out"] == 0  # too young: its own task may still come
    assert not Notification.objects.exists()

    Activity.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    assert tasks.periodic() == {"fanned_out": 1, "digests": 0, "emails_sent": 1}
    assert received(smtp_server) == {alice.email: 1}
    alice.refresh_from_db()
    assert alice.unread_notifications == 1

    # Fanned out again (a second worker racing, or a reset): nothing new.
    assert tasks.periodic()["fanned_out"] == 0
    Activity.objects.update(fanned_out_at=None)
    assert delivery.activity_fan_out(Activity.objects.get().pk) == 0
    assert tasks.periodic()["emails_sent"] == 0
    assert Notification.objects.count() == 1
    alice.refresh_from_db()
    assert alice.unread_notifications == 1
    assert received(smtp_server) == {alice.email: 1}
