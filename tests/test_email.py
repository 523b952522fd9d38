"""The invitation e-mail over real SMTP: Django's SMTP backend talks to an aiosmtpd
server on 127.0.0.1, and the message that arrives is parsed with the standard
library, as a mail client would."""

import email
from email import policy
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils.html import escape

from kollegan.accounts import services
from tests.helpers import sv

pytestmark = pytest.mark.slow


def test_invitation_email_arrives_over_smtp_in_swedish_with_the_link(
    smtp_server,
    immediate_tasks,
    settings,
    lycksele,
    admin_member,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.invitation_create(
            email="nina@lycksele.test", organisation=lycksele, invited_by=admin_member
        )

    assert mail.outbox == []  # it went out through SMTP, not the test outbox
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["nina@lycksele.test"]
    assert envelope.mail_from == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]

    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["To"] == "nina@lycksele.test"
    assert parseaddr(str(message["From"])) == parseaddr(settings.DEFAULT_FROM_EMAIL)
    assert str(message["From"]) == settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == sv("You are invited to %(site)s") % {"site": "Digitala kollegan"}

    url = issued.url
    assert url.startswith(settings.SITE_URL + "/inbjudan/")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert url in text
    assert url in html
    assert f'<a href="{escape(url)}">' in html
    assert sv("Kind regards") in text
    assert escape(sv("Accept the invitation")) in html
    assert "Lycksele" in text


def test_no_email_when_the_invitation_is_not_committed(
    smtp_server, immediate_tasks, lycksele, django_capture_on_commit_callbacks
):
    # The task is enqueued only on commit: a rolled-back invitation sends nothing.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invitation_create(email="nina@lycksele.test", organisation=lycksele)

    assert len(callbacks) == 1
    assert smtp_server.envelopes == []
