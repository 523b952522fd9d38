"""The notification e-mails as they arrive, over real SMTP (aiosmtpd on
127.0.0.1, parsed with the ``email`` package): their parts and headers, the
link that needs a login, one-click unsubscribe, threading, batching, the checks
made when sending, catch-up after a meeting, and the administrators' list of
e-mails that failed for good."""

import datetime as dt
import email
import re
from email import policy
from email.message import EmailMessage
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kollegan.core.models import SiteSettings
from kollegan.core.selectors import site_config
from kollegan.events import services as event_services
from kollegan.events.services import EventData
from kollegan.groups import services as group_services
from kollegan.notes import services as note_services
from kollegan.notifications import delivery
from kollegan.notifications.emails import thread_root_id
from kollegan.notifications.models import (
    Email,
    EmailKind,
    EmailState,
    EmailStatus,
    Frequency,
    Kind,
    Notification,
    Reason,
)
from kollegan.notifications.services import settings_save, subscriptions_set
from kollegan.questions import services as questions
from kollegan.topics.models import Topic
from tests.conftest import free_port
from tests.helpers import sv

pytestmark = pytest.mark.slow

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TITLE = "Placering mor och barn"
BODY = "Hur gör ni med uppföljningen?"
CHANGELIST = "admin:notifications_email_changelist"


@pytest.fixture
def mailing(settings, smtp_server, immediate_tasks, django_capture_on_commit_callbacks):
    """Run a write and then its on-commit work (fan-out, then a delivery round),
    as the worker would right after the request; return what it returned."""
    settings.NOTIFICATION_BATCH_SECONDS = 0

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            result = write()
        return result

    return run


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


def subscribe(member, topic: Topic, kind: str, frequency: str = Frequency.IMMEDIATE) -> None:
    subscriptions_set(member=member, choices={(topic.pk, kind): frequency})


def later() -> dt.datetime:
    """Past the default batching minutes."""
    return timezone.now() + dt.timedelta(minutes=3)


def parse(envelope) -> EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=policy.default)


def received(smtp_server, member) -> list[EmailMessage]:
    return [parse(e) for e in smtp_server.envelopes if e.rcpt_tos == [member.email]]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def subject(message: EmailMessage) -> str:
    return " ".join(str(message["Subject"]).split())


def local_path(settings, url: str) -> str:
    assert url.startswith(settings.SITE_URL)
    return url.removeprefix(settings.SITE_URL)


def ask(author, topic: Topic, title: str = TITLE):
    return questions.question_create(author=author, title=title, body=BODY, topics=[topic])


# --- One e-mail, as it arrives --------------------------------------------------------------


def test_new_question_email_is_multipart_swedish_and_names_the_site(
    mailing, smtp_server, alice, bob, barn
):
    subscribe(alice, barn, Kind.QUESTION)
    question = mailing(lambda: ask(bob, barn))

    [message] = received(smtp_server, alice)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert subject(message) == sv("New question: %(title)s") % {"title": TITLE}
    text, html = parts(message)
    site = site_config().site_name
    assert site in text and escape(site) in html
    assert '<html lang="sv">' in html
    assert f"/fragor/{question.pk}/" in text
    assert BODY not in text and BODY not in html  # e-mail is not a confidential channel


def test_a_site_name_beyond_ascii_keeps_the_list_id_readable(
    mailing, smtp_server, settings, alice, bob, barn
):
    SiteSettings.objects.filter(pk=1).update(site_name="Kollegan i Västerbotten")
    cache.clear()
    subscribe(alice, barn, Kind.QUESTION)
    mailing(lambda: ask(bob, barn))

    [envelope] = smtp_server.envelopes
    [line] = [h for h in envelope.original_content.split(b"\r\n") if h.startswith(b"List-Id:")]
    list_id = f"<notiser.{urlsplit(settings.SITE_URL).hostname}>"
    # Mail filters read the <list-id> as it stands; only the name is encoded.
    assert line.endswith(f" {list_id}".encode())
    assert parse(envelope)["List-Id"] == f"Kollegan i Västerbotten {list_id}"


def test_the_link_needs_a_login(mailing, smtp_server, settings, client, alice, bob, barn):
    subscribe(alice, barn, Kind.QUESTION)
    question = mailing(lambda: ask(bob, barn))

    [message] = received(smtp_server, alice)
    text, _html = parts(message)
    url = re.search(rf"{re.escape(settings.SITE_URL)}/\S+", text).group(0)
    path = local_path(settings, url)
    assert path == question.get_absolute_url()

    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_one_click_unsubscribe_works_without_a_session(
    mailing, smtp_server, settings, client, alice, bob, barn
):
    subscribe(alice, barn, Kind.QUESTION)
    subscribe(alice, barn, Kind.POST)
    mailing(lambda: ask(bob, barn))

    [message] = received(smtp_server, alice)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<([^>]+)>", str(message["List-Unsubscribe"]).strip()).group(1)
    text, _html = parts(message)
    assert url in text  # the same link, for a reader to click

    # RFC 8058: the mail client POSTs this body to the header's address, no cookies.
    response = client.post(local_path(settings, url), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not alice.topic_subscriptions.filter(topic=barn, kind=Kind.QUESTION).exists()
    assert alice.topic_subscriptions.filter(topic=barn, kind=Kind.POST).exists()


def test_answer_emails_thread_under_the_question_email_per_recipient(
    mailing, smtp_server, alice, bob, carol, barn
):
    for member in (alice, carol):
        subscribe(member, barn, Kind.QUESTION)
        subscribe(member, barn, Kind.ANSWER)
    question = mailing(lambda: ask(bob, barn))
    mailing(lambda: questions.answer_create(question=question, author=alice, body="Så här."))
    mailing(lambda: questions.answer_create(question=question, author=carol, body="Och så."))

    roots = set()
    for member in (alice, carol):
        opening, *answers = received(smtp_server, member)
        root = thread_root_id("question", question.pk, member.pk)
        assert opening["Message-ID"] == root
        assert answers  # the other one's answer
        for answer in answers:
            assert answer["Message-ID"] != root
            assert answer["In-Reply-To"] == root
            assert answer["References"] == root
        roots.add(root)
    assert len(roots) == 2  # each recipient has a thread of their own


def test_answers_within_the_batching_minutes_become_one_email(
    mailing, settings, smtp_server, alice, bob, carol, barn
):
    question = ask(alice, barn)
    settings.NOTIFICATION_BATCH_SECONDS = 120
    first = mailing(lambda: questions.answer_create(question=question, author=bob, body="Ett."))
    second = mailing(lambda: questions.answer_create(question=question, author=carol, body="Två."))
    assert smtp_server.envelopes == []  # waiting for more

    delivery.deliver_now(later())

    [message] = received(smtp_server, alice)
    site = site_config().site_name
    assert subject(message) == sv("%(count)s new on %(site)s") % {"count": 2, "site": site}
    text, html = parts(message)
    for answer in (first, second):
        assert answer.get_absolute_url() in text
        assert escape(answer.get_absolute_url()) in html
    assert message["In-Reply-To"] == thread_root_id("question", question.pk, alice.pk)
    assert Email.objects.get(recipient=alice).notifications.count() == 2


def test_a_paused_member_sees_the_notification_but_gets_no_email(
    mailing, smtp_server, alice, bob, barn
):
    subscribe(alice, barn, Kind.QUESTION)
    settings_save(member=alice, paused=True)

    mailing(lambda: ask(bob, barn))

    note = Notification.objects.get(recipient=alice)
    assert note.email_state == EmailState.NONE
    alice.refresh_from_db()
    assert alice.unread_notifications == 1
    assert not Email.objects.filter(recipient=alice).exists()
    assert smtp_server.envelopes == []


# --- Calendar: groups, catch-up, cancellations ----------------------------------------------


def weekly(author, *, start: dt.datetime, count: int = 3, group=None, topics=()):
    return event_services.event_create(
        author=author,
        data=EventData(
            title="Digital mötesplats",
            start=start,
            end=start + dt.timedelta(minutes=45),
            rrule=f"FREQ=WEEKLY;COUNT={count}",
            group=group,
            topics=topics,
        ),
    )


def test_a_member_who_left_the_group_before_sending_gets_nothing(
    mailing, settings, smtp_server, alice, carol, barn
):
    group = group_services.group_create(moderator=carol, name="Yrkesresan Ny inom R8")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    subscribe(alice, barn, Kind.EVENT)
    settings.NOTIFICATION_BATCH_SECONDS = 120
    start = timezone.now() + dt.timedelta(days=7)
    mailing(lambda: weekly(carol, start=start, group=group, topics=[barn]))
    assert Notification.objects.filter(recipient=alice).exists()

    group_services.group_remove_member(moderator=alice, group=group, member=alice)
    delivery.deliver_now(later())

    assert smtp_server.envelopes == []
    assert Email.objects.get(recipient=alice).status == EmailStatus.SKIPPED


def test_members_signed_up_for_a_date_get_its_notes(
    mailing, smtp_server, settings, alice, bob, carol
):
    start = dt.datetime(2023, 10, 4, 8, 15, tzinfo=STOCKHOLM)
    event = weekly(carol, start=start)
    first, second, _third = event.occurrences.order_by("start")
    event_services.attendance_set(occurrence=first, member=alice)
    event_services.attendance_set(occurrence=second, member=bob)

    note = mailing(
        lambda: note_services.note_create(
            author=carol,
            title="Anteckningar 4 oktober",
            body="Vi pratade om LSS.",
            occurrence=first,
        )
    )

    assert received(smtp_server, bob) == []  # signed up for another date
    [message] = received(smtp_server, alice)
    assert subject(message) == sv("Meeting notes: %(title)s") % {"title": note.title}
    text, html = parts(message)
    url = settings.SITE_URL + reverse("notes:detail", args=[note.pk])
    assert url in text and escape(url) in html
    assert "Vi pratade om LSS." not in text
    assert Notification.objects.get(recipient=alice).reason == Reason.CATCH_UP


def test_cancelling_an_event_tells_members_signed_up_for_a_date_ahead(
    mailing, smtp_server, alice, bob, carol
):
    # Dates 15 and 8 days ago, yesterday and in six days.
    event = weekly(carol, start=timezone.now() - dt.timedelta(days=15), count=4)
    dates = list(event.occurrences.order_by("start"))
    event_services.attendance_set(occurrence=dates[-1], member=alice)
    event_services.attendance_set(occurrence=dates[1], member=bob)

    mailing(lambda: event_services.event_cancel(event=event, member=carol))

    assert received(smtp_server, bob) == []  # only went to a date long past
    assert received(smtp_server, carol) == []  # who cancelled it
    [message] = received(smtp_server, alice)
    assert subject(message) == sv("Cancelled: %(title)s") % {"title": event.title}
    assert sv("The event is cancelled") in parts(message)[0]


# --- Failed for good: the administrators' list ----------------------------------------------


def dead_email(settings, alice, bob, barn, mailing) -> Email:
    """An e-mail that failed its only attempt while the mail server was away."""
    working_port = settings.EMAIL_PORT
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    settings.EMAIL_PORT = free_port()  # nobody listens
    subscribe(alice, barn, Kind.QUESTION)
    mailing(lambda: ask(bob, barn))
    settings.EMAIL_PORT = working_port
    failed = Email.objects.get(recipient=alice)
    assert failed.status == EmailStatus.DEAD
    assert failed.last_error
    return failed


def test_send_again_requeues_a_failed_email_and_it_arrives(
    mailing,
    settings,
    smtp_server,
    django_capture_on_commit_callbacks,
    admin_client_,
    alice,
    bob,
    barn,
):
    failed = dead_email(settings, alice, bob, barn, mailing)
    sent = Email.objects.create(recipient=bob, kind=EmailKind.IMMEDIATE, status=EmailStatus.SENT)

    page = admin_client_.get(reverse(CHANGELIST))
    assert page.status_code == 200
    assert alice.email in page.text and bob.email not in page.text  # failed ones first
    assert page.context["subtitle"].startswith("1 ")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse(CHANGELIST) + "?status=all",
            {"action": "send_again", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 2  # one sent again, one left as it was

    failed.refresh_from_db()
    assert failed.status == EmailStatus.SENT
    assert failed.attempts == 1 and failed.last_error == ""
    [message] = received(smtp_server, alice)
    assert subject(message) == sv("New question: %(title)s") % {"title": TITLE}
    assert Email.objects.get(pk=sent.pk).status == EmailStatus.SENT


def test_the_list_costs_the_same_queries_for_few_and_many(admin_client_, alice):
    def make(count: int) -> None:
        Email.objects.bulk_create(
            Email(recipient=alice, kind=EmailKind.DAILY, status=EmailStatus.DEAD, last_error="x")
            for _ in range(count)
        )

    make(1)
    admin_client_.get(reverse(CHANGELIST))  # the site's name and menu are cached after this
    with CaptureQueriesContext(connection) as few:
        assert admin_client_.get(reverse(CHANGELIST)).status_code == 200
    make(20)
    with CaptureQueriesContext(connection) as many:
        assert admin_client_.get(reverse(CHANGELIST)).status_code == 200
    assert len(many) == len(few)


def test_the_list_is_read_only_and_for_administrators(client, alice_client, admin_client_, alice):
    failed = Email.objects.create(recipient=alice, kind=EmailKind.DAILY, status=EmailStatus.DEAD)

    assert alice_client.get(reverse(CHANGELIST), follow=True).status_code == 403
    visitor = client.get(reverse(CHANGELIST), follow=True)
    assert visitor.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert admin_client_.get(reverse("admin:notifications_email_add")).status_code == 403
    url = reverse("admin:notifications_email_delete", args=[failed.pk])
    assert admin_client_.get(url).status_code == 403
    change = reverse("admin:notifications_email_change", args=[failed.pk])
    assert admin_client_.get(change).status_code == 200
    admin_client_.post(change, {"status": EmailStatus.SENT})
    failed.refresh_from_db()
    assert failed.status == EmailStatus.DEAD
