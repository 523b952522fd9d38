"""The fixed cast every test uses: alice and bob (members in different
municipalities), carol (moderator), admin (administrator), dave (deactivated),
and the anonymous visitor (the `client` fixture, not logged in)."""

import io
import os
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.translation.reloader import translation_file_changed

from kollegan.accounts.models import Member, Organisation, Role, Unit
from kollegan.topics.models import Topic
from tests.helpers import token_client

PASSWORD = "ett-långt-lösenord-42"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI nothing may skip: a skipped test there is a test that did not run."""
    if os.environ.get("KOLLEGAN_CI") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"KOLLEGAN_CI=1: {len(skipped)} test(s) skipped; CI must run every test.", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def _swedish_catalogue():
    """The compiled catalogues are build products (`make install` runs
    compile_translations; *.mo is not in git). Compile them here too, so a bare
    `pytest` sees the Swedish members see, and make Django reload them."""
    call_command("compile_translations", stdout=io.StringIO())
    translation_file_changed(None, Path("django.mo"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2 costs most of a second per login on a busy 2-core machine; the
    # suite is about pages and rules, not about hashing (the live server thread
    # of the browser tests shares these settings).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit counters and cached site settings must not leak between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lycksele(db) -> Organisation:
    return Organisation.objects.get(slug="lycksele")


@pytest.fixture
def storuman(db) -> Organisation:
    return Organisation.objects.get(slug="storuman")


@pytest.fixture
def unit(lycksele) -> Unit:
    return Unit.objects.create(organisation=lycksele, name="Barn och familj")


def make_member(
    email: str, name: str, organisation: Organisation, role: str = Role.MEMBER, **fields
) -> Member:
    return Member.objects.create_user(
        email=email, password=PASSWORD, name=name, organisation=organisation, role=role, **fields
    )


@pytest.fixture
def alice(lycksele, unit) -> Member:
    member = make_member(
        "alice@lycksele.test",
        "Alice Andersson",
        lycksele,
        unit=unit,
        title="Socialsekreterare",
        town="Lycksele",
    )
    member.topics.set(Topic.objects.filter(slug__in=["barn-och-unga", "vald"]))
    return member


@pytest.fixture
def bob(storuman) -> Member:
    return make_member("bob@storuman.test", "Bob Berg", storuman, title="Enhetschef")


@pytest.fixture
def carol(lycksele) -> Member:
    return make_member("carol@lycksele.test", "Carol Carlsson", lycksele, role=Role.MODERATOR)


@pytest.fixture
def admin_member(db) -> Member:
    fou = Organisation.objects.get(slug="fou-valfard")
    return make_member("admin@fou.test", "Ada Admin", fou, role=Role.ADMIN)


@pytest.fixture
def dave(storuman) -> Member:
    member = make_member("dave@storuman.test", "Dave Dahl", storuman)
    member.deactivated_at = timezone.now()
    member.save(update_fields=["deactivated_at"])
    return member


# --- A real SMTP server for the e-mail tests ------------------------------------------


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


def client_for(member: Member) -> Client:
    client = Client()
    client.force_login(member, backend="kollegan.accounts.backends.MemberBackend")
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return client_for(bob)


@pytest.fixture
def carol_client(carol) -> Client:
    return client_for(carol)


@pytest.fixture
def admin_client_(admin_member) -> Client:
    return client_for(admin_member)


@pytest.fixture
def alice_api(alice) -> Client:
    return token_client(alice)


@pytest.fixture
def bob_api(bob) -> Client:
    return token_client(bob)


@pytest.fixture
def carol_api(carol) -> Client:
    return token_client(carol)


@pytest.fixture
def dave_client(dave) -> Client:
    """A session like one Dave opened while still a member (force_login ignores is_active)."""
    return client_for(dave)
