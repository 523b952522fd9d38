"""The invitation life cycle: an administrator invites from the Django admin, the
invitee opens the e-mailed link, chooses a name and password and is logged in.
Every way a link can be unusable answers with a clear Swedish page, never a 500,
and never leaves a member or half an account behind."""

import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from kollegan.accounts import services
from kollegan.accounts.models import Invitation, Member, Role
from tests.conftest import PASSWORD
from tests.helpers import sv

INVITE_URL = "/admin/accounts/invitation/add/"
LINK_RE = re.compile(r"https?://[^\s\"'<>]+/inbjudan/(?P<token>[^/\s\"'<>]+)/")
NEW_PASSWORD = "Blåbärssoppa-i-Vasaloppet-7"


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def immediate_tasks(settings):
    # The invitation e-mail is a django-tasks task enqueued in transaction.on_commit.
    # Tests run inside a transaction that never commits, so callers also wrap the
    # request in django_capture_on_commit_callbacks(execute=True); the immediate
    # backend then runs the task in-process, right there, and the message lands in
    # mail.outbox. This checks the e-mail content deterministically without a
    # worker process; test_invitation_email_is_delivered_by_the_db_worker covers
    # the production path (database backend + `db_worker --batch`) once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def admin_invite(client: Client, email: str, organisation, role: str = Role.MEMBER, unit=""):
    return client.post(
        INVITE_URL,
        {"email": email, "organisation": organisation.pk, "unit": unit, "role": role},
    )


def token_from_mail(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, f"no invitation link in the e-mail:\n{message.body}"
    return match["token"]


def link(token: str) -> str:
    return reverse("accounts:invitation_accept", args=[token])


def accept_data(name: str = "Nina Nilsson", password: str = NEW_PASSWORD, password2=None) -> dict:
    return {
        "name": name,
        "password1": password,
        "password2": password if password2 is None else password2,
    }


def issue(email: str, organisation, **kwargs) -> services.IssuedInvitation:
    """An invitation written directly through the service, without sending mail."""
    return services.invitation_create(
        email=email, organisation=organisation, send_email=False, **kwargs
    )


@pytest.fixture
def invited(admin_client_, lycksele, immediate_tasks, django_capture_on_commit_callbacks):
    """Nina invited as a moderator for Lycksele through the admin add form; the token
    is the one from the e-mail she received."""
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_invite(admin_client_, "nina@lycksele.test", lycksele, Role.MODERATOR)
    assert response.status_code == 302, page(response)
    return token_from_mail(mail.outbox[-1])


# --- Inviting --------------------------------------------------------------------------


def test_admin_invite_writes_one_invitation_and_mails_the_link(
    admin_client_, admin_member, lycksele, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_invite(admin_client_, "Nina@Lycksele.test", lycksele, Role.MODERATOR)

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nina@lycksele.test"
    assert invitation.organisation == lycksele
    assert invitation.role == Role.MODERATOR
    assert invitation.invited_by == admin_member
    assert invitation.state == Invitation.State.PENDING
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@lycksele.test"]
    token = token_from_mail(message)
    assert link(token) in message.body


def test_invitation_token_has_at_least_128_bits_and_only_its_sha256_is_stored(
    admin_client_, lycksele, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_invite(admin_client_, "nina@lycksele.test", lycksele)
        admin_invite(admin_client_, "olle@lycksele.test", lycksele)
    tokens = [token_from_mail(message) for message in mail.outbox]

    for token in tokens:
        # URL-safe base64 carries 6 bits a character: 22 characters hold 128 bits.
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)
        assert len(token) * 6 >= 128
    assert tokens[0] != tokens[1]
    for token, invitation in zip(tokens, Invitation.objects.order_by("created_at"), strict=True):
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        stored = " ".join(
            str(value)
            for value in Invitation.objects.filter(pk=invitation.pk).values().get().values()
        )
        assert token not in stored


def test_admin_cannot_invite_an_email_already_in_use(
    admin_client_, alice, lycksele, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_invite(admin_client_, "ALICE@lycksele.test", lycksele)

    assert response.status_code == 200  # the add form again, with the error
    assert escape(sv("There is already a member with this e-mail address.")) in page(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_reinviting_an_address_revokes_the_earlier_pending_link(
    admin_client_, lycksele, storuman, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_invite(admin_client_, "nina@lycksele.test", lycksele)
        admin_invite(admin_client_, "nina@lycksele.test", storuman)
    first, second = (token_from_mail(message) for message in mail.outbox)

    old, new = Invitation.objects.order_by("created_at")
    assert old.revoked_at is not None
    assert new.state == Invitation.State.PENDING
    response = Client().post(link(first), accept_data())
    assert response.status_code == 410
    assert not Member.objects.filter(email="nina@lycksele.test").exists()
    response = Client().post(link(second), accept_data())
    assert response.status_code == 302
    assert Member.objects.get(email="nina@lycksele.test").organisation == storuman


# --- Accepting ---------------------------------------------------------------------------


def test_invitation_page_shows_the_form_in_swedish(invited):
    response = Client().get(link(invited))

    assert response.status_code == 200
    html = page(response)
    assert '<html lang="sv">' in html
    assert 'name="password1"' in html
    assert 'name="password2"' in html
    assert "nina@lycksele.test" in html
    assert escape(sv("Create my account")) in html
    assert escape(sv("Choose a password")) in html


def test_accepting_creates_the_member_in_the_invited_organisation_and_role_and_logs_in(
    invited, lycksele
):
    client = Client()
    response = client.post(link(invited), accept_data(name="  Nina Nilsson "))

    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    member = Member.objects.get(email="nina@lycksele.test")
    assert member.name == "Nina Nilsson"
    assert member.organisation == lycksele
    assert member.role == Role.MODERATOR
    assert member.check_password(NEW_PASSWORD)
    invitation = Invitation.objects.get()
    assert invitation.accepted_member == member
    assert invitation.state == Invitation.State.ACCEPTED
    start = client.get(reverse("start"))
    assert start.status_code == 200
    assert "Nina Nilsson" in page(start)


def test_a_used_link_answers_410_in_swedish(invited):
    assert Client().post(link(invited), accept_data()).status_code == 302

    for client in (Client(), Client()):
        response = client.get(link(invited))
        assert response.status_code == 410
        assert escape(
            sv("This invitation has already been used. Log in with your e-mail address instead.")
        ) in page(response)
    response = Client().post(link(invited), accept_data(name="Någon Annan"))
    assert response.status_code == 410
    assert Member.objects.filter(email="nina@lycksele.test").count() == 1
    assert not Member.objects.filter(name="Någon Annan").exists()


def test_an_expired_invitation_answers_410_and_creates_no_member(lycksele):
    issued = issue("nina@lycksele.test", lycksele)
    Invitation.objects.filter(pk=issued.invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    members = Member.objects.count()

    response = Client().get(link(issued.token))
    assert response.status_code == 410
    assert escape(
        sv("This invitation has expired. Ask an administrator to send you a new one.")
    ) in page(response)
    assert Client().post(link(issued.token), accept_data()).status_code == 410
    assert Member.objects.count() == members


def test_a_revoked_invitation_answers_410_and_creates_no_member(
    admin_client_, lycksele, admin_member
):
    issued = issue("nina@lycksele.test", lycksele, invited_by=admin_member)
    response = admin_client_.post(
        "/admin/accounts/invitation/",
        {"action": "revoke", "_selected_action": [issued.invitation.pk]},
    )
    assert response.status_code == 302
    members = Member.objects.count()

    response = Client().get(link(issued.token))
    assert response.status_code == 410
    assert escape(
        sv("This invitation has been withdrawn. Ask an administrator if you should have access.")
    ) in page(response)
    assert Client().post(link(issued.token), accept_data()).status_code == 410
    assert Member.objects.count() == members


@pytest.mark.parametrize(
    "forged",
    [
        "A" * 43,
        "not-a-token",
        "x",
        "%C3%A5%C3%A4%C3%B6",
    ],
)
def test_a_forged_token_answers_404_and_creates_no_member(lycksele, forged):
    issue("nina@lycksele.test", lycksele)
    members = Member.objects.count()

    response = Client().get(f"/inbjudan/{forged}/")
    assert response.status_code == 404
    assert escape(
        sv("This invitation link is not valid. Check that you copied the whole link.")
    ) in page(response)
    assert Client().post(f"/inbjudan/{forged}/", accept_data()).status_code == 404
    assert Member.objects.count() == members


def test_email_taken_between_invitation_and_acceptance_answers_409(lycksele, storuman):
    issued = issue("nina@lycksele.test", lycksele)
    services.member_create(email="Nina@Lycksele.test", name="Nina Först", organisation=storuman)

    response = Client().post(link(issued.token), accept_data())

    assert response.status_code == 409
    assert escape(
        sv("There is already a member with this e-mail address. Log in instead.")
    ) in page(response)
    assert Member.objects.filter(email__iexact="nina@lycksele.test").count() == 1
    assert Member.objects.get(email="nina@lycksele.test").name == "Nina Först"
    assert Invitation.objects.get().accepted_at is None
    assert "_auth_user_id" not in Client().session


def test_mismatching_passwords_answer_400_in_swedish_and_write_nothing(lycksele):
    issued = issue("nina@lycksele.test", lycksele)
    members = Member.objects.count()
    client = Client()

    response = client.post(link(issued.token), accept_data(password2="Blåbärssoppa-i-Vasaloppet-8"))

    assert response.status_code == 400
    assert escape(sv("The two passwords are not the same.")) in page(response)
    assert Member.objects.count() == members
    assert Invitation.objects.get().state == Invitation.State.PENDING
    assert client.get(reverse("start")).status_code == 302  # not logged in


def _django_password_errors_in_swedish(password: str) -> list[str]:
    with translation.override("sv"):
        try:
            password_validation.validate_password(password)
        except ValidationError as error:
            return error.messages
    raise AssertionError(f"{password!r} passed the password validators")


@pytest.mark.parametrize("weak", ["kort-7", "qwertyuiop", "1234567890123"])
def test_a_weak_password_answers_400_in_swedish_and_writes_nothing(lycksele, weak):
    issued = issue("nina@lycksele.test", lycksele)
    members = Member.objects.count()
    expected = _django_password_errors_in_swedish(weak)
    with translation.override("en"):
        english = password_validation.password_validators_help_texts()

    response = Client().post(link(issued.token), accept_data(password=weak))

    assert response.status_code == 400
    html = page(response)
    for message in expected:
        assert escape(message) in html
    for text in english:
        assert escape(text) not in html
    assert Member.objects.count() == members
    assert Invitation.objects.get().state == Invitation.State.PENDING


def test_an_empty_name_answers_400_and_writes_nothing(lycksele):
    issued = issue("nina@lycksele.test", lycksele)
    members = Member.objects.count()

    response = Client().post(link(issued.token), accept_data(name="   "))

    assert response.status_code == 400
    assert Member.objects.count() == members
    assert Invitation.objects.get().state == Invitation.State.PENDING


def test_invitation_from_a_deactivated_admin_no_longer_works(admin_member, invited):
    # A second administrator deactivates the one who sent the invitation.
    other_admin = Member.objects.create_user(
        email="ola@fou.test",
        password=PASSWORD,
        name="Ola Admin",
        organisation=admin_member.organisation,
        role=Role.ADMIN,
    )
    other = Client()
    other.force_login(other_admin, backend="kollegan.accounts.backends.MemberBackend")
    response = other.post(
        "/admin/accounts/member/", {"action": "deactivate", "_selected_action": [admin_member.pk]}
    )
    assert response.status_code == 302
    members = Member.objects.count()

    response = Client().get(link(invited))
    assert response.status_code == 410
    assert escape(
        sv("This invitation has been withdrawn. Ask an administrator if you should have access.")
    ) in page(response)
    assert Client().post(link(invited), accept_data()).status_code == 410
    assert Member.objects.count() == members


def test_invitation_dies_as_soon_as_the_inviters_membership_ends(invited, admin_member):
    # No job has run: the end date alone must stop the link.
    Member.objects.filter(pk=admin_member.pk).update(
        membership_ends_at=timezone.now() - timedelta(minutes=1)
    )

    response = Client().post(link(invited), accept_data())

    assert response.status_code == 410
    assert not Member.objects.filter(email="nina@lycksele.test").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_invitation_email_is_delivered_by_the_db_worker(lycksele, settings):
    # The production path: the database task backend stores the job when the
    # invitation commits, and `db_worker --batch` sends it and exits. A
    # transactional test, so on_commit fires and the worker sees committed rows.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    issued = services.invitation_create(email="nina@lycksele.test", organisation=lycksele)
    assert mail.outbox == []

    call_command("db_worker", "--batch", stdout=io.StringIO(), stderr=io.StringIO())

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@lycksele.test"]
    assert token_from_mail(mail.outbox[0]) == issued.token


def test_email_taken_while_the_admin_form_is_saved_writes_no_invitation_and_claims_nothing(
    admin_client_, lycksele, monkeypatch, immediate_tasks, django_capture_on_commit_callbacks
):
    # The address becomes a member between the form's check and the save: the form
    # sees it free, the service (checking again) refuses.
    checks = []

    def taken_on_second_look(email: str) -> bool:
        checks.append(email)
        return len(checks) > 1

    monkeypatch.setattr(services, "email_in_use", taken_on_second_look)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            INVITE_URL,
            {"email": "nina@lycksele.test", "organisation": lycksele.pk, "role": Role.MEMBER},
            follow=True,
        )

    assert response.status_code == 200
    assert len(checks) == 2
    messages = [str(m) for m in response.context["messages"]]
    with translation.override("sv"):
        refusal = translation.gettext(
            "There is already a member with the e-mail address %(email)s."
        ) % {"email": "nina@lycksele.test"}
    assert messages == [refusal]
    assert not Invitation.objects.exists()
    assert not LogEntry.objects.exists()
    assert mail.outbox == []
