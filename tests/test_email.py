"""The invitation e-mail over real SMTP: Django's SMTP backend talks to an aiosmtpd
server on 127.0.0.1, and the message that arrives is parsed with the standard
library, as a mail client would."""

import email
import socket
from email import policy
from email.utils import parseaddr

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils.html import escape

from kollegan.accounts import services
from tests.helpers import sv

pytestmark = pytest.mark.slow


class Collector:
    """An aiosmtpd handler that keeps every envelope it is given."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def immediate_tasks(settings):
    # The e-mail task is enqueued in transaction.on_commit; with the immediate
    # backend and captured on_commit callbacks it runs in this process, now.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


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
