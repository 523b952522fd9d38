"""Two-factor login (allauth.mfa) and the administrators' requirement for it.

The requirement is a site setting: nobody, administrators, moderators and
administrators, or everyone. A covered member without an authenticator app or
security key is sent to set one up from every page, and the API refuses them
(their session and their tokens) with 403 until they have.
"""

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollegan.accounts.models import Role
from kollegan.api import services as api_services
from kollegan.audit.models import Action, AuditEntry
from kollegan.core.models import MFARequirement, SiteSettings
from tests.conftest import PASSWORD, client_for
from tests.helpers import bearer, sv

SETUP = "/konto/2fa/totp/activate/"
MIDDLEWARE = "kollegan.accounts.mfa.MFARequiredMiddleware"


def require(choice: str) -> None:
    row = SiteSettings.objects.get(pk=1)
    row.mfa_required_for = choice
    row.save()


def totp_code(secret: str, offset: int = 0) -> str:
    """The code an authenticator app shows now (or ``offset`` 30-second steps away)."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + offset
    return format_hotp_value(hotp_value(secret, counter))


def wait_for_fresh_window(seconds_needed: float = 3) -> None:
    """Codes change every 30 seconds: don't start a two-request exchange at the edge."""
    left = 30 - time.time() % 30
    if left < seconds_needed:
        time.sleep(left + 0.1)


def activate_totp(member) -> str:
    secret = generate_totp_secret()
    TOTP.activate(member, secret)
    return secret


def logged_in(member) -> Client:
    """A client that logged in through the login form just now, as allauth's MFA pages
    want (they ask for the password again when the last login is older than a few
    minutes; force_login records no login at all)."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302, response
    return client


def test_setup_url_is_allauths_totp_activation():
    assert reverse("mfa_activate_totp") == SETUP


# --- Who the requirement covers ----------------------------------------------------------

COVERED = {
    MFARequirement.NOBODY: set(),
    MFARequirement.ADMINISTRATORS: {Role.ADMIN},
    MFARequirement.MODERATORS: {Role.MODERATOR, Role.ADMIN},
    MFARequirement.EVERYONE: {Role.MEMBER, Role.MODERATOR, Role.ADMIN},
}


@pytest.mark.parametrize("choice", list(MFARequirement))
def test_requirement_sends_exactly_the_covered_roles_to_set_up(
    choice, alice_client, carol_client, admin_client_
):
    require(choice)
    clients = {Role.MEMBER: alice_client, Role.MODERATOR: carol_client, Role.ADMIN: admin_client_}
    for role, client in clients.items():
        for url in (reverse("start"), reverse("profiles:my_page"), reverse("help")):
            response = client.get(url)
            if role in COVERED[choice]:
                assert response.status_code == 302, (role, url)
                assert response["Location"] == SETUP, (role, url)
            else:
                assert response.status_code == 200, (role, url)
        admin_page = client.get(reverse("admin:index"))
        if role == Role.ADMIN:
            assert admin_page.status_code == (302 if role in COVERED[choice] else 200)


def test_default_is_nobody(db):
    assert SiteSettings.objects.get(pk=1).mfa_required_for == MFARequirement.NOBODY


def test_covered_member_still_reaches_setup_logout_accessibility_and_language(alice):
    require(MFARequirement.EVERYONE)
    alice_client = logged_in(alice)
    for name in (
        "mfa_activate_totp",
        "mfa_index",
        "mfa_add_webauthn",
        "accessibility",
        "account_logout",
    ):
        assert alice_client.get(reverse(name)).status_code == 200, name
    response = alice_client.post(reverse("set_language"), {"language": "en", "next": "/hjalp/"})
    assert response.status_code == 302
    assert response["Location"] == "/hjalp/"
    assert alice_client.get("/static/css/kollegan.css").status_code == 200


def test_setup_page_explains_the_requirement_in_swedish(alice):
    require(MFARequirement.EVERYONE)
    alice_client = logged_in(alice)
    html = alice_client.get(reverse("start"), follow=True).content.decode()
    assert "Administratörerna kräver tvåstegsinloggning." in html
    assert sv("Scan the QR code with the app, or type in the key below.") in html
    # The QR code is an inline data: image, which img-src allows.
    assert 'src="data:image/svg+xml;base64,' in html


def test_setup_page_without_requirement_has_no_demand(alice):
    alice_client = logged_in(alice)
    html = alice_client.get(SETUP).content.decode()
    assert "Administratörerna kräver" not in html
    assert 'src="data:image/svg+xml;base64,' in html


def test_member_with_an_authenticator_app_gets_through(alice_client, alice):
    require(MFARequirement.EVERYONE)
    assert alice_client.get(reverse("start")).status_code == 302
    activate_totp(alice)
    assert alice_client.get(reverse("start")).status_code == 200


def test_security_key_counts_but_recovery_codes_alone_do_not(alice_client, alice):
    require(MFARequirement.EVERYONE)
    RecoveryCodes.activate(alice)
    assert alice_client.get(reverse("start")).status_code == 302
    Authenticator.objects.create(user=alice, type=Authenticator.Type.WEBAUTHN, data={})
    assert alice_client.get(reverse("start")).status_code == 200


def test_requirement_applies_to_sessions_opened_before_it(alice_client):
    assert alice_client.get(reverse("start")).status_code == 200
    require(MFARequirement.EVERYONE)
    assert alice_client.get(reverse("start"))["Location"] == SETUP
    # An older login confirms the password first; that page is open to them too.
    confirm = alice_client.get(SETUP)
    assert confirm["Location"].startswith(reverse("account_reauthenticate"))
    assert alice_client.get(confirm["Location"]).status_code == 200


# --- Setting it up through the real form ---------------------------------------------------


def test_member_sets_up_the_app_with_the_form_and_sees_recovery_codes(
    alice, django_capture_on_commit_callbacks
):
    require(MFARequirement.EVERYONE)
    alice_client = logged_in(alice)
    page = alice_client.get(reverse("start"), follow=True)
    assert page.redirect_chain[-1][0] == SETUP
    secret = alice_client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # shown for typing in by hand

    wrong = alice_client.post(SETUP, {"code": "000000" if totp_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    assert sv("Incorrect code.") in wrong.content.decode()
    assert not Authenticator.objects.filter(user=alice).exists()

    wait_for_fresh_window()
    # allauth sends its "authenticator added" signal once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(SETUP, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()

    codes_page = alice_client.get(response["Location"]).content.decode()
    codes = RecoveryCodes(
        Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10
    assert all(code in codes_page for code in codes)
    assert alice_client.get(reverse("start")).status_code == 200

    changes = AuditEntry.objects.filter(action=Action.MFA_CHANGED, subject=alice)
    assert {(e.detail["change"], e.detail["type"]) for e in changes} == {
        ("added", "totp"),
        ("added", "recovery_codes"),
    }


def test_covered_member_cannot_turn_off_their_only_app(alice):
    alice_client = logged_in(alice)
    activate_totp(alice)
    require(MFARequirement.EVERYONE)
    response = alice_client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert sv("You cannot deactivate two-factor authentication.") in response.content.decode()
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()


def test_member_not_covered_can_turn_off_the_app(alice):
    alice_client = logged_in(alice)
    activate_totp(alice)
    response = alice_client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
    assert AuditEntry.objects.filter(
        action=Action.MFA_CHANGED, subject=alice, detail__change="removed"
    ).exists()


# --- Logging in with the second step -------------------------------------------------------


def password_step(client: Client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_login_asks_for_the_code_after_the_password(client, alice):
    secret = activate_totp(alice)
    response = password_step(client, alice.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not logged in yet: the password alone opens nothing.
    assert client.get(reverse("start"))["Location"].startswith(reverse("account_login"))

    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    assert sv("Two-factor login") in page.content.decode()

    wrong = client.post(reverse("mfa_authenticate"), {"code": "12345"})
    assert wrong.status_code == 200
    assert sv("Incorrect code.") in wrong.content.decode()
    assert "Felaktig kod." in wrong.content.decode()

    wait_for_fresh_window()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    assert client.get(reverse("start")).status_code == 200


def test_a_totp_code_works_only_once(client, alice):
    secret = activate_totp(alice)
    wait_for_fresh_window(6)
    code = totp_code(secret)
    password_step(client, alice.email)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302

    other = Client()
    password_step(other, alice.email)
    replay = other.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200
    assert sv("Incorrect code.") in replay.content.decode()


def test_recovery_code_logs_in_once(client, alice):
    activate_totp(alice)
    codes = RecoveryCodes.activate(alice).get_unused_codes()
    password_step(client, alice.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert response["Location"] == reverse("start")

    again = Client()
    password_step(again, alice.email)
    refused = again.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert refused.status_code == 200
    assert sv("Incorrect code.") in refused.content.decode()
    assert again.post(reverse("mfa_authenticate"), {"code": codes[1]}).status_code == 302
    recovery = Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES)
    assert len(RecoveryCodes(recovery).get_unused_codes()) == 8


def test_login_without_authenticator_needs_only_the_password(client, alice):
    response = password_step(client, alice.email)
    assert response["Location"] == reverse("start")


# --- The API ---------------------------------------------------------------------------------


def test_api_refuses_a_covered_member_without_second_step_with_403(alice_client, alice):
    _token, secret = api_services.api_token_create(member=alice, name="Skript")
    assert alice_client.get(reverse("api:me")).status_code == 200
    assert Client().get(reverse("api:me"), headers=bearer(secret)).status_code == 200

    require(MFARequirement.EVERYONE)
    for response in (
        alice_client.get(reverse("api:me")),
        Client().get(reverse("api:me"), headers=bearer(secret)),
        alice_client.get(reverse("api:openapi-json")),
    ):
        assert response.status_code == 403
        assert response.json() == {
            "detail": sv(
                "The administrators require two-factor login. Set up an authenticator app "
                "or a security key before you continue."
            )
        }

    activate_totp(alice)
    assert alice_client.get(reverse("api:me")).status_code == 200
    assert Client().get(reverse("api:me"), headers=bearer(secret)).status_code == 200


def test_api_serves_members_the_requirement_does_not_cover(alice_client, alice):
    require(MFARequirement.ADMINISTRATORS)
    assert alice_client.get(reverse("api:me")).status_code == 200


def test_invalid_token_is_still_401_under_the_requirement(db):
    require(MFARequirement.EVERYONE)
    assert Client().get(reverse("api:me"), headers=bearer("kol_nonsense")).status_code == 401


# --- The admin setting ---------------------------------------------------------------------------


def settings_form(**changes) -> dict:
    row = SiteSettings.objects.get(pk=1)
    data = {
        "site_name": row.site_name,
        "welcome_text": row.welcome_text,
        "contact_email": row.contact_email,
        "mfa_required_for": row.mfa_required_for,
    }
    data.update(changes)
    return data


def test_changing_the_requirement_in_the_admin_is_audited(admin_client_, admin_member):
    url = reverse("admin:core_sitesettings_change", args=[1])
    page = admin_client_.get(url)
    assert page.status_code == 200
    assert 'name="mfa_required_for"' in page.content.decode()

    response = admin_client_.post(url, settings_form(mfa_required_for=MFARequirement.MODERATORS))
    assert response.status_code == 302
    assert SiteSettings.objects.get(pk=1).mfa_required_for == MFARequirement.MODERATORS
    entry = AuditEntry.objects.get(detail__setting="mfa_required_for")
    assert entry.actor == admin_member
    assert entry.detail == {
        "setting": "mfa_required_for",
        "old": MFARequirement.NOBODY,
        "new": MFARequirement.MODERATORS,
    }

    # Saving other settings leaves no entry about two-factor login.
    activate_totp(admin_member)  # the administrator is covered now
    admin_client_.post(url, settings_form(site_name="Kollegan Norr"))
    assert AuditEntry.objects.filter(detail__setting="mfa_required_for").count() == 1
    assert SiteSettings.objects.get(pk=1).site_name == "Kollegan Norr"


def test_administrator_resetting_a_members_app_is_audited(admin_client_, admin_member, bob):
    activate_totp(bob)
    authenticator = Authenticator.objects.get(user=bob)
    assert admin_client_.get(reverse("admin:mfa_authenticator_changelist")).status_code == 200
    # Listed and removable, never edited: the raw secret is nobody's business.
    assert admin_client_.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    change = admin_client_.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert change.status_code == 200
    assert "secret" not in change.content.decode()
    url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    assert admin_client_.post(url, {"post": "yes"}).status_code == 302
    assert not Authenticator.objects.filter(user=bob).exists()
    entry = AuditEntry.objects.get(action=Action.MFA_CHANGED, subject=bob)
    assert entry.actor == admin_member
    assert entry.detail["type"] == "totp"


# --- Cost ---------------------------------------------------------------------------------------


def _queries_for(client: Client, url: str) -> int:
    client.get(url)  # warm the cached site settings and menu
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_no_extra_query_for_members_the_requirement_does_not_cover(settings, alice):
    start = reverse("start")
    with_check = list(settings.MIDDLEWARE)
    assert MIDDLEWARE in with_check
    settings.MIDDLEWARE = [m for m in with_check if m != MIDDLEWARE]
    without_check = _queries_for(client_for(alice), start)  # a new client loads the middleware
    settings.MIDDLEWARE = with_check
    assert _queries_for(client_for(alice), start) == without_check
    require(MFARequirement.ADMINISTRATORS)
    assert _queries_for(client_for(alice), start) == without_check
    # A covered member pays one query: do they have an app or a key?
    require(MFARequirement.EVERYONE)
    activate_totp(alice)
    assert _queries_for(client_for(alice), start) == without_check + 1


# --- Security keys (WebAuthn) --------------------------------------------------------------------


def test_nobody_else_can_rename_or_remove_a_members_key(alice, bob):
    key = Authenticator.objects.create(
        user=bob, type=Authenticator.Type.WEBAUTHN, data={"name": "Bobs nyckel"}
    )
    alice_client = logged_in(alice)
    for name in ("mfa_edit_webauthn", "mfa_remove_webauthn"):
        assert alice_client.get(reverse(name, args=[key.pk])).status_code == 404, name
        assert alice_client.post(reverse(name, args=[key.pk])).status_code == 404, name
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_security_key_page_runs_no_inline_script(alice):
    """allauth's WebAuthn pages load their code from static files and pass data in
    JSON script tags (which browsers never execute), so script-src 'self' holds."""
    html = logged_in(alice).get(reverse("mfa_add_webauthn")).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        if body.strip():
            assert 'type="application/json"' in attributes, attributes
        else:
            assert "src=" in attributes, attributes
    assert "/static/mfa/js/webauthn.js" in html
