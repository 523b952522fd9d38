"""The issue's "done when", over real SMTP: a member subscribes to Barn och unga
immediately and Ekonomiskt bistånd daily, a colleague asks in each while the
mail server is down; when it is back the member gets one immediate e-mail and,
next morning, one digest, each unsubscribable with one click, none twice."""

import datetime as dt
import email
import re
from email import policy

import pytest
from django.utils import timezone

from kollegan.notifications import delivery
from kollegan.notifications.models import Email, EmailStatus, Frequency, Kind, Notification
from kollegan.notifications.services import settings_save, subscriptions_set
from kollegan.questions import services as questions
from kollegan.topics.models import Topic
from tests.conftest import free_port

pytestmark = pytest.mark.slow


def parse(envelope):
    return email.message_from_bytes(envelope.original_content, policy=policy.default)


@pytest.fixture
def outbox_now(settings, immediate_tasks):
    settings.NOTIFICATION_BATCH_SECONDS = 0


def test_immediate_and_daily_survive_a_mail_server_outage(
    alice, bob, smtp_server, settings, outbox_now, django_capture_on_commit_callbacks, client
):
    barn = Topic.objects.get(slug="barn-och-unga")
    eb = Topic.objects.get(slug="ekonomiskt-bistand")
    subscriptions_set(
        member=alice,
        choices={
            (barn.pk, Kind.QUESTION): Frequency.IMMEDIATE,
            (eb.pk, Kind.QUESTION): Frequency.DAILY,
        },
    )
    settings_save(member=alice, digest_hour=7)
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens: the mail server is down
    with django_capture_on_commit_callbacks(execute=True):
        first = questions.question_create(
            author=bob, title="Placering mor och barn", body="Hur gör ni?", topics=[barn]
        )
    with django_capture_on_commit_callbacks(execute=True):
        questions.question_create(
            author=bob, title="Försörjningsstöd för makar", body="Räknar ni ihop?", topics=[eb]
        )
    queued = Email.objects.get(recipient=alice)
    assert queued.status == EmailStatus.QUEUED and queued.attempts == 1
    assert "Connection" in queued.last_error or "refused" in queued.last_error.lower()
    assert smtp_server.envelopes == []

    settings.EMAIL_PORT = working_port  # back again
    later = timezone.now() + dt.timedelta(minutes=5)
    delivery.deliver_now(later)
    delivery.deliver_now(later)  # a second round sends nothing twice
    assert len(smtp_server.envelopes) == 1
    message = parse(smtp_server.envelopes[0])
    assert smtp_server.envelopes[0].rcpt_tos == [alice.email]
    assert "Placering mor och barn" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith(f"<question-{first.pk}.m{alice.pk}@")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hur gör ni?" not in text  # e-mail is not a confidential channel
    assert f"/fragor/{first.pk}/" in text

    # Next morning at seven: the digest with the other question.
    morning = (timezone.localtime(timezone.now()) + dt.timedelta(days=1)).replace(hour=7, minute=1)
    assert delivery.compose_digests(morning) == 1
    delivery.send_due(morning)
    assert len(smtp_server.envelopes) == 2
    digest = parse(smtp_server.envelopes[1])
    digest_text = digest.get_body(preferencelist=("plain",)).get_content()
    assert "Försörjningsstöd för makar" in digest_text
    assert "Placering mor och barn" not in digest_text
    assert delivery.compose_digests(morning + dt.timedelta(minutes=1)) == 0

    # One click (RFC 8058): a POST to the header's address, no login.
    url = re.search(r"<([^>]+)>", message["List-Unsubscribe"]).group(1)
    url = url.removeprefix(settings.SITE_URL)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not alice.topic_subscriptions.filter(topic=barn).exists()
    assert alice.topic_subscriptions.filter(topic=eb).exists()
    assert Notification.objects.filter(recipient=alice).count() == 2
