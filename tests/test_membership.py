"""Ending and restoring access: an administrator's `deactivate` action and a passed
membership end date both stop sessions and API tokens on the very next request,
while everything the member owns stays in the database."""

import io
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollegan.accounts import services
from kollegan.accounts.models import Invitation, Member
from kollegan.api.models import ApiToken
from kollegan.api.services import api_token_create
from tests.conftest import PASSWORD
from tests.helpers import bearer

MEMBER_ADMIN = "/admin/accounts/member/"
ME = "/api/v1/me"
# Login rate limits count per address in the cache, which other test runs on this
# machine share (as 127.0.0.1): log in from an address of this module's own.
OWN_IP = "10.18.0.1"


def admin_action(client: Client, action: str, *members: Member):
    return client.post(
        MEMBER_ADMIN, {"action": action, "_selected_action": [m.pk for m in members]}
    )


def sessions_of(member: Member) -> list[Session]:
    return [
        s
        for s in Session.objects.all()
        if str(s.get_decoded().get("_auth_user_id")) == str(member.pk)
    ]


@pytest.fixture
def alice_token(alice) -> str:
    _token, secret = api_token_create(member=alice, name="Import")
    return secret


@pytest.fixture
def alice_invitation(alice, storuman) -> Invitation:
    return services.invitation_create(
        email="nina@storuman.test", organisation=storuman, invited_by=alice, send_email=False
    ).invitation


def assert_sent_to_login(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_open_session_and_token_work_before_deactivation(alice_client, alice_token):
    assert alice_client.get(reverse("start")).status_code == 200
    assert Client().get(ME, headers=bearer(alice_token)).status_code == 200


def test_admin_deactivation_ends_the_open_session_on_its_next_request(
    admin_client_, alice, alice_client
):
    assert alice_client.get(reverse("start")).status_code == 200
    assert sessions_of(alice)

    response = admin_action(admin_client_, "deactivate", alice)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.deactivated_at is not None
    assert_sent_to_login(alice_client.get(reverse("start")))
    assert_sent_to_login(alice_client.get(reverse("profiles:my_page")))
    assert alice_client.get(ME).status_code == 401
    assert sessions_of(alice) == []


def test_admin_deactivation_makes_the_api_token_answer_401(admin_client_, alice, alice_token):
    admin_action(admin_client_, "deactivate", alice)

    assert Client().get(ME, headers=bearer(alice_token)).status_code == 401
    token = ApiToken.objects.get(member=alice)
    assert token.revoked_at is not None


def test_admin_deactivation_revokes_invitations_the_member_sent(
    admin_client_, alice, alice_invitation, lycksele
):
    others = services.invitation_create(
        email="olle@lycksele.test", organisation=lycksele, send_email=False
    ).invitation

    admin_action(admin_client_, "deactivate", alice)

    alice_invitation.refresh_from_db()
    assert alice_invitation.revoked_at is not None
    others.refresh_from_db()
    assert others.state == Invitation.State.PENDING


def test_admin_deactivation_keeps_the_member_and_their_tokens(
    admin_client_, alice, alice_token, alice_invitation
):
    admin_action(admin_client_, "deactivate", alice)

    assert Member.objects.filter(pk=alice.pk, name="Alice Andersson").exists()
    assert ApiToken.objects.filter(member=alice).count() == 1
    assert Invitation.objects.filter(invited_by=alice).count() == 1


def test_admin_deactivation_leaves_other_members_logged_in(
    admin_client_, alice, alice_client, bob_client
):
    admin_action(admin_client_, "deactivate", alice)

    assert bob_client.get(reverse("start")).status_code == 200
    assert admin_client_.get(reverse("start")).status_code == 200


def test_admin_cannot_deactivate_themselves(admin_client_, admin_member):
    response = admin_action(admin_client_, "deactivate", admin_member)

    assert response.status_code == 302
    admin_member.refresh_from_db()
    assert admin_member.deactivated_at is None
    assert admin_client_.get(MEMBER_ADMIN).status_code == 200


def test_a_member_who_is_not_admin_cannot_deactivate_anyone(alice_client, bob):
    response = admin_action(alice_client, "deactivate", bob)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    bob.refresh_from_db()
    assert bob.deactivated_at is None


def test_passed_end_date_stops_session_and_token_at_once_without_any_job(
    alice, alice_client, alice_token
):
    assert alice_client.get(reverse("start")).status_code == 200
    Member.objects.filter(pk=alice.pk).update(
        membership_ends_at=timezone.now() - timedelta(seconds=1)
    )

    assert_sent_to_login(alice_client.get(reverse("start")))
    assert Client().get(ME, headers=bearer(alice_token)).status_code == 401
    # Nothing ran: the refusal comes from the end date alone.
    alice.refresh_from_db()
    assert alice.deactivated_at is None
    assert ApiToken.objects.get(member=alice).revoked_at is None


def test_future_end_date_does_not_stop_access(alice, alice_client, alice_token):
    Member.objects.filter(pk=alice.pk).update(membership_ends_at=timezone.now() + timedelta(days=1))

    assert alice_client.get(reverse("start")).status_code == 200
    assert Client().get(ME, headers=bearer(alice_token)).status_code == 200


# `periodic` calls close_old_connections() like the long-running worker it is. Inside
# a test's rolled-back transaction that closes the connection on PostgreSQL, so the
# tests that run it commit for real (and restore the seeded rows afterwards).
periodic_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@periodic_db
def test_periodic_turns_passed_end_dates_into_deactivations(
    alice, bob, alice_token, alice_invitation, alice_client
):
    ended = timezone.now() - timedelta(hours=1)
    Member.objects.filter(pk=alice.pk).update(membership_ends_at=ended)
    Member.objects.filter(pk=bob.pk).update(membership_ends_at=timezone.now() + timedelta(days=3))
    out = io.StringIO()

    call_command("periodic", stdout=out)

    assert "memberships_expired=1" in out.getvalue()
    alice.refresh_from_db()
    assert alice.deactivated_at == ended
    assert ApiToken.objects.get(member=alice).revoked_at is not None
    alice_invitation.refresh_from_db()
    assert alice_invitation.revoked_at is not None
    assert sessions_of(alice) == []
    bob.refresh_from_db()
    assert bob.deactivated_at is None
    # Run again: nothing left to do.
    out = io.StringIO()
    call_command("periodic", stdout=out)
    assert "memberships_expired=0" in out.getvalue()


def test_deactivated_member_is_not_in_the_directory_and_their_profile_is_404(
    alice_client, bob, dave
):
    response = alice_client.get(reverse("profiles:directory"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bob Berg" in html
    assert "Dave Dahl" not in html
    assert alice_client.get(reverse("profiles:detail", args=[bob.pk])).status_code == 200
    assert alice_client.get(reverse("profiles:detail", args=[dave.pk])).status_code == 404


def test_member_with_passed_end_date_is_not_in_the_directory(alice_client, bob):
    Member.objects.filter(pk=bob.pk).update(membership_ends_at=timezone.now() - timedelta(days=1))

    response = alice_client.get(reverse("profiles:directory"))

    assert "Bob Berg" not in response.content.decode()
    assert alice_client.get(reverse("profiles:detail", args=[bob.pk])).status_code == 404


def test_deactivated_members_old_session_does_not_work(dave_client):
    assert_sent_to_login(dave_client.get(reverse("start")))


def test_reactivation_restores_login_directory_and_profile(admin_client_, alice_client, dave):
    response = admin_action(admin_client_, "reactivate", dave)

    assert response.status_code == 302
    dave.refresh_from_db()
    assert dave.deactivated_at is None
    assert dave.is_active
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": "dave@storuman.test", "password": PASSWORD},
        REMOTE_ADDR=OWN_IP,
    )
    assert response.status_code == 302
    assert client.get(reverse("start")).status_code == 200
    assert "Dave Dahl" in alice_client.get(reverse("profiles:directory")).content.decode()
    assert alice_client.get(reverse("profiles:detail", args=[dave.pk])).status_code == 200


@periodic_db
def test_reactivation_clears_a_passed_end_date(admin_client_, bob):
    Member.objects.filter(pk=bob.pk).update(membership_ends_at=timezone.now() - timedelta(days=1))
    call_command("periodic", stdout=io.StringIO())
    bob.refresh_from_db()
    assert not bob.is_active

    admin_action(admin_client_, "reactivate", bob)

    bob.refresh_from_db()
    assert bob.is_active
    assert bob.membership_ends_at is None
    assert bob.deactivated_at is None


def test_reactivation_does_not_revive_revoked_tokens(admin_client_, alice, alice_token):
    admin_action(admin_client_, "deactivate", alice)
    admin_action(admin_client_, "reactivate", alice)

    # Tokens revoked at deactivation stay revoked: the member makes new ones.
    assert Client().get(ME, headers=bearer(alice_token)).status_code == 401


def test_ended_is_exactly_who_active_leaves_out(alice, bob, dave):
    bob.membership_ends_at = timezone.now() - timedelta(minutes=1)
    bob.save(update_fields=["membership_ends_at"])
    alice.membership_ends_at = timezone.now() + timedelta(days=30)
    alice.save(update_fields=["membership_ends_at"])
    active = set(Member.objects.active().values_list("pk", flat=True))
    ended = set(Member.objects.ended().values_list("pk", flat=True))
    assert ended == {bob.pk, dave.pk}
    assert not active & ended
    assert active | ended == set(Member.objects.values_list("pk", flat=True))
