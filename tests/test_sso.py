"""Single sign-on through an organisation's own identity provider.

OpenID Connect is driven end to end against tests/fake_oidc.py (a real HTTP
server): the test client posts the login button, the "browser" visits the
fake /authorize, and the test client brings the code back to the callback,
where allauth talks to the fake's token, userinfo and JWKS endpoints.

SAML is checked as configuration: metadata, the login redirect to the IdP and
404 for an organisation slug nobody configured. A full SAML assertion round
trip (a signed Response posted to the ACS) is not exercised here."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollegan.accounts import services as account_services
from kollegan.accounts.models import Invitation, Member, Role
from kollegan.audit.models import Action, AuditEntry
from tests.conftest import client_for, make_member
from tests.fake_oidc import FakeOIDCProvider, configure_oidc, configure_saml

LOGIN_PATH = "/konto/login/"


@pytest.fixture(scope="session")
def _fake_server():
    provider = FakeOIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def fake(_fake_server) -> FakeOIDCProvider:
    _fake_server.reset()
    yield _fake_server
    _fake_server.reset()


@pytest.fixture
def lycksele_oidc(lycksele, fake):
    return configure_oidc(lycksele, fake.url)


def as_user(fake, email: str, sub: str = "", name: str = "Ny Kollega", **claims) -> None:
    fake.next_user = {
        "sub": sub or f"sub-{email}",
        "email": email,
        "email_verified": True,
        "name": name,
        **claims,
    }


def sso_login(client: Client, fake: FakeOIDCProvider, provider_id: str = "lycksele", **data):
    """Press the login button, pass the fake IdP, come back to the callback."""
    start = client.post(reverse("openid_connect_login", args=[provider_id]), data)
    assert start.status_code == 302, start
    authorize = start["Location"]
    assert authorize.startswith(f"{fake.url}/authorize?")
    at_idp = requests.get(authorize, allow_redirects=False, timeout=10)
    assert at_idp.status_code == 302, at_idp.text
    back = urlsplit(at_idp.headers["Location"])
    assert back.path == reverse("openid_connect_callback", args=[provider_id])
    return client.get(f"{back.path}?{back.query}")


def logged_in_member(client: Client) -> Member | None:
    member_id = client.session.get("_auth_user_id")
    return Member.objects.filter(pk=member_id).first() if member_id else None


def refusals() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.SSO_REFUSED))


# --- Who gets in ------------------------------------------------------------------------


def test_existing_member_logs_in_and_gets_connected(client, fake, lycksele_oidc, alice):
    as_user(fake, "Alice@Lycksele.test", sub="alice-at-idp")
    response = sso_login(client, fake)
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    assert logged_in_member(client) == alice
    account = SocialAccount.objects.get(user=alice)
    assert (account.provider, account.uid) == ("lycksele", "alice-at-idp")
    assert client.get(reverse("start")).status_code == 200
    assert not refusals()


def test_connected_member_is_recognised_by_subject_next_time(client, fake, lycksele_oidc, alice):
    as_user(fake, "alice@lycksele.test", sub="alice-at-idp")
    sso_login(client, fake)
    client.logout()
    # The IdP now sends another address; the stable subject id still finds Alice.
    as_user(fake, "alice.andersson@lycksele.test", sub="alice-at-idp")
    sso_login(client, fake)
    assert logged_in_member(client) == alice
    assert SocialAccount.objects.filter(user=alice).count() == 1


def test_pending_invitation_creates_the_member_and_logs_in(
    client, fake, lycksele_oidc, lycksele, unit, admin_member
):
    issued = account_services.invitation_create(
        email="ny.kollega@lycksele.test",
        organisation=lycksele,
        unit=unit,
        role=Role.MODERATOR,
        invited_by=admin_member,
        send_email=False,
    )
    as_user(fake, "ny.kollega@lycksele.test", name="Nora Nyström")
    response = sso_login(client, fake)
    assert response.status_code == 302
    member = Member.objects.get(email="ny.kollega@lycksele.test")
    assert logged_in_member(client) == member
    assert (member.name, member.organisation, member.unit, member.role) == (
        "Nora Nyström",
        lycksele,
        unit,
        Role.MODERATOR,
    )
    assert not member.has_usable_password()
    invitation = Invitation.objects.get(pk=issued.invitation.pk)
    assert invitation.accepted_member == member
    assert invitation.state == Invitation.State.ACCEPTED
    assert SocialAccount.objects.filter(user=member, provider="lycksele").exists()
    accepted = AuditEntry.objects.get(action=Action.INVITATION_ACCEPTED, subject=member)
    assert accepted.detail["via"] == "sso"


# --- Who does not -----------------------------------------------------------------------------


def test_unknown_address_is_refused_in_swedish_and_audited(client, fake, lycksele_oidc, caplog):
    as_user(fake, "okand@lycksele.test")
    with caplog.at_level(logging.WARNING, logger="kollegan.sso"):
        response = sso_login(client, fake)
    assert response.status_code == 403
    text = response.content.decode()
    assert "inte kopplat till någon medlem i Digitala kollegan" in text
    assert logged_in_member(client) is None
    assert not Member.objects.filter(email="okand@lycksele.test").exists()
    assert not SocialAccount.objects.exists()
    (entry,) = refusals()
    assert entry.subject_label == "okand@lycksele.test"
    assert entry.actor is None
    assert entry.detail["reason"] == "no_member_or_invitation"
    assert entry.detail["organisation"] == "lycksele"
    assert "okand@lycksele.test" in caplog.text


def test_deactivated_member_is_refused(client, fake, lycksele_oidc, lycksele):
    erik = make_member("erik@lycksele.test", "Erik Ek", lycksele)
    account_services.member_deactivate(member=erik)
    as_user(fake, "erik@lycksele.test")
    response = sso_login(client, fake)
    assert response.status_code == 403
    assert "medlemskap" in response.content.decode()
    assert logged_in_member(client) is None
    (entry,) = refusals()
    assert (entry.subject, entry.detail["reason"]) == (erik, "member_deactivated")


def test_member_deactivated_after_connecting_is_refused(client, fake, lycksele_oidc, alice):
    as_user(fake, "alice@lycksele.test", sub="alice-at-idp")
    sso_login(client, fake)
    client.logout()
    Member.objects.filter(pk=alice.pk).update(deactivated_at=timezone.now())
    response = sso_login(client, fake)
    assert response.status_code == 403
    assert logged_in_member(client) is None
    assert refusals()[0].detail["reason"] == "member_deactivated"


def test_idp_cannot_vouch_for_another_organisations_member(client, fake, lycksele_oidc, bob):
    # Lycksele's IdP asserting a Storuman address must not reach Bob's account.
    as_user(fake, "bob@storuman.test")
    response = sso_login(client, fake)
    assert response.status_code == 403
    assert logged_in_member(client) is None
    assert not SocialAccount.objects.exists()
    assert refusals()[0].detail["reason"] == "other_organisation"


def test_invitation_from_another_organisation_is_not_usable(client, fake, lycksele_oidc, storuman):
    account_services.invitation_create(
        email="ny@storuman.test", organisation=storuman, send_email=False
    )
    as_user(fake, "ny@storuman.test")
    assert sso_login(client, fake).status_code == 403
    assert not Member.objects.filter(email="ny@storuman.test").exists()


def test_address_outside_the_allowed_domains_is_refused(client, fake, lycksele, alice):
    configure_oidc(lycksele, fake.url, email_domains="kommun.lycksele.se")
    as_user(fake, "alice@lycksele.test")
    assert sso_login(client, fake).status_code == 403
    assert refusals()[0].detail["reason"] == "domain_not_allowed"


def test_revoked_invitation_is_not_usable(client, fake, lycksele_oidc, lycksele):
    issued = account_services.invitation_create(
        email="ny@lycksele.test", organisation=lycksele, send_email=False
    )
    account_services.invitation_revoke(invitation=issued.invitation)
    as_user(fake, "ny@lycksele.test")
    assert sso_login(client, fake).status_code == 403
    assert not Member.objects.filter(email="ny@lycksele.test").exists()


def test_id_token_with_a_bad_signature_is_refused(client, fake, lycksele_oidc, alice, caplog):
    fake.sign_with_other_key = True
    as_user(fake, "alice@lycksele.test")
    with caplog.at_level(logging.WARNING, logger="kollegan.sso"):
        response = sso_login(client, fake)
    assert response.status_code == 403
    assert logged_in_member(client) is None
    assert not SocialAccount.objects.exists()
    (entry,) = refusals()
    assert entry.detail["reason"] == "invalid_response"
    assert "refused" in caplog.text


def test_id_token_from_another_issuer_is_refused(client, fake, lycksele_oidc, alice):
    fake.issuer_override = "https://login.example.com/other-tenant/v2.0"
    as_user(fake, "alice@lycksele.test")
    response = sso_login(client, fake)
    assert response.status_code == 403
    assert logged_in_member(client) is None
    assert refusals()[0].detail["reason"] == "invalid_response"


def test_provider_not_linked_to_an_organisation_is_refused(client, fake, lycksele_oidc, alice):
    lycksele_oidc.enabled = False
    lycksele_oidc.save()
    assert client.post(reverse("openid_connect_login", args=["lycksele"])).status_code == 404
    lycksele_oidc.delete()
    assert client.post(reverse("openid_connect_login", args=["lycksele"])).status_code == 404


def test_unknown_provider_is_refused_and_logged(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="kollegan.sso"):
        login = client.post(reverse("openid_connect_login", args=["okand"]))
        callback = client.get(
            reverse("openid_connect_callback", args=["okand"]), {"code": "x", "state": "y"}
        )
    assert (login.status_code, callback.status_code) == (404, 404)
    assert "okand" in caplog.text


def test_answer_without_a_login_under_way_goes_back_to_the_login_page(client, lycksele_oidc):
    response = client.get(
        reverse("openid_connect_callback", args=["lycksele"]), {"code": "x", "state": "nope"}
    )
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_PATH
    assert not refusals()


def test_cancel_at_the_idp_goes_back_to_the_login_page(client, fake, lycksele_oidc):
    start = client.post(reverse("openid_connect_login", args=["lycksele"]))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(
        reverse("openid_connect_callback", args=["lycksele"]),
        {"error": "access_denied", "state": state},
        follow=True,
    )
    assert response.redirect_chain[0][0] == LOGIN_PATH
    assert "avbröts" in response.content.decode()


def test_members_cannot_connect_further_accounts(fake, lycksele_oidc, alice, carol):
    client = client_for(alice)
    as_user(fake, "carol@lycksele.test")
    response = sso_login(client, fake, process="connect")
    assert response.status_code == 403
    assert not SocialAccount.objects.exists()


def test_get_on_the_login_address_shows_the_login_page(client, lycksele_oidc):
    response = client.get(reverse("openid_connect_login", args=["lycksele"]))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_PATH


# --- The login page --------------------------------------------------------------------------


def test_login_page_offers_each_configured_organisation(client, lycksele_oidc, fake):
    response = client.get(LOGIN_PATH)
    html = response.content.decode()
    assert "Logga in med Lycksele kommuns konto" in html
    assert f'action="{reverse("openid_connect_login", args=["lycksele"])}"' in html
    # The button's form is redirected on to the IdP: form-action must allow it.
    csp = response.headers["Content-Security-Policy"]
    form_action = next(p for p in csp.split(";") if p.strip().startswith("form-action"))
    assert "'self'" in form_action
    assert fake.url in form_action


def test_login_page_without_configured_logins_has_no_buttons(client, db):
    response = client.get(LOGIN_PATH)
    assert "sso-logins" not in response.content.decode()
    assert "form-action 'self';" in response.headers["Content-Security-Policy"] + ";"


def test_disabled_login_is_not_offered(client, lycksele_oidc):
    lycksele_oidc.enabled = False
    lycksele_oidc.save()
    assert "Lycksele kommuns konto" not in client.get(LOGIN_PATH).content.decode()


def test_login_page_query_count_does_not_grow_with_organisations(client, fake, lycksele, storuman):
    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LOGIN_PATH).status_code == 200
        return len(captured)

    configure_oidc(lycksele, fake.url)
    one = queries()
    configure_oidc(storuman, fake.url, provider_id="storuman", label="Storuman")
    configure_saml(storuman, slug="storuman-siths")
    assert queries() == one
    # Once cached, the buttons cost nothing.
    with CaptureQueriesContext(connection) as captured:
        html = client.get(LOGIN_PATH).content.decode()
    assert "Storuman" in html
    assert "Logga in med SITHS-kort" in html
    assert not [q for q in captured if "sso_" in q["sql"]]


# --- SAML -------------------------------------------------------------------------------

# python3-saml refuses single-label host names such as Django's "testserver".
HOST = "kollegan.test"


@pytest.fixture
def saml_client(settings, db) -> Client:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    return Client(HTTP_HOST=HOST)


def test_saml_metadata_for_a_configured_organisation(saml_client, lycksele):
    client = saml_client
    configure_saml(lycksele, slug="lycksele")
    response = client.get(reverse("saml_metadata", args=["lycksele"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "EntityDescriptor" in body
    assert f"http://{HOST}/konto/saml/lycksele/acs/" in body


def test_saml_login_redirects_to_the_idp(saml_client, lycksele):
    client = saml_client
    configure_saml(lycksele, slug="lycksele")
    response = client.post(reverse("saml_login", args=["lycksele"]))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://idp.example.se/sso"
    assert "SAMLRequest" in parse_qs(location.query)
    page = client.get(LOGIN_PATH)
    assert "Logga in med SITHS-kort" in page.content.decode()
    assert "https://idp.example.se" in page.headers["Content-Security-Policy"]


def test_saml_for_an_unconfigured_organisation_is_not_found(saml_client, lycksele):
    client = saml_client
    configure_saml(lycksele, slug="lycksele")
    assert client.get(reverse("saml_metadata", args=["okand"])).status_code == 404
    assert client.post(reverse("saml_login", args=["okand"])).status_code == 404
    assert client.get(reverse("saml_finish_acs", args=["okand"])).status_code == 404


def test_third_party_account_pages_do_not_exist(alice_client):
    for name in (
        "socialaccount_connections",
        "socialaccount_signup",
        "socialaccount_login_cancelled",
        "socialaccount_login_error",
    ):
        assert alice_client.get(reverse(name)).status_code == 404, name
    assert alice_client.get("/konto/social/connections/").status_code == 404
