"""The REST API's front door: /api/v1/me by Bearer token or session, personal
tokens made and revoked on Min sida (secret shown once, only its digest stored),
and the OpenAPI document for members only."""

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from kollegan.api.models import ApiToken
from kollegan.api.services import api_token_create, api_token_revoke
from kollegan.core.selectors import site_config
from tests.helpers import bearer, sv

ME = "/api/v1/me"
OPENAPI = "/api/v1/openapi.json"
TOKENS = "/min-sida/api-nycklar/"
SECRET_RE = re.compile(r'<code class="secret">(?P<secret>[^<]+)</code>')

# Queries for GET /api/v1/me with a Bearer token: one SELECT of the live token
# joined with its member, organisation and unit (kollegan.api.services.api_token_member),
# plus one UPDATE of last_used_at the first time in a minute the token is used.
ME_QUERIES_FIRST_USE = 2
ME_QUERIES = 1


@pytest.fixture
def alice_secret(alice) -> str:
    _token, secret = api_token_create(member=alice, name="Import")
    return secret


def create_on_my_page(client: Client, name: str):
    return client.post(TOKENS, {"name": name})


def secret_in(response) -> str:
    match = SECRET_RE.search(response.content.decode())
    assert match, "the new token is not shown"
    return match["secret"]


# --- /api/v1/me ------------------------------------------------------------------------------


def test_me_with_a_bearer_token_returns_the_member(alice, alice_secret, lycksele):
    response = Client().get(ME, headers=bearer(alice_secret))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["name"] == "Alice Andersson"
    assert data["email"] == "alice@lycksele.test"
    assert data["organisation"] == {"id": lycksele.pk, "name": "Lycksele"}
    assert data["unit"] == "Barn och familj"
    assert data["id"] == alice.pk
    assert "password" not in data


def test_me_with_a_session_returns_the_member(alice_client):
    response = alice_client.get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == "alice@lycksele.test"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer kol_not-a-real-token"},
        {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
    ],
)
def test_me_without_valid_credentials_is_401(alice_secret, headers):
    response = Client().get(ME, headers=headers)

    assert response.status_code == 401


def test_me_with_the_token_under_another_scheme_is_401(alice_secret):
    assert Client().get(ME, headers={"Authorization": f"Token {alice_secret}"}).status_code == 401


def test_me_with_a_revoked_token_is_401(alice, alice_secret):
    api_token_revoke(token=ApiToken.objects.get(member=alice))

    assert Client().get(ME, headers=bearer(alice_secret)).status_code == 401


def test_me_with_a_deactivated_members_session_is_401(dave_client):
    assert dave_client.get(ME).status_code == 401


def test_token_use_is_recorded(alice, alice_secret):
    assert ApiToken.objects.get(member=alice).last_used_at is None

    Client().get(ME, headers=bearer(alice_secret))

    assert ApiToken.objects.get(member=alice).last_used_at is not None


def test_me_query_count_with_a_token(alice_secret, django_assert_num_queries):
    client = Client()
    # Site settings (the two-factor requirement among them) are cached across
    # requests; warm the cache as any running site has it.
    site_config()
    with django_assert_num_queries(ME_QUERIES_FIRST_USE):
        assert client.get(ME, headers=bearer(alice_secret)).status_code == 200
    with django_assert_num_queries(ME_QUERIES):
        assert client.get(ME, headers=bearer(alice_secret)).status_code == 200


# --- Tokens on Min sida -------------------------------------------------------------------------


def test_creating_a_token_on_my_page_shows_the_secret_once_and_stores_only_its_digest(
    alice, alice_client
):
    response = create_on_my_page(alice_client, "Import från verksamhetssystemet")

    assert response.status_code == 200
    secret = secret_in(response)
    assert secret.startswith(ApiToken.PREFIX)
    assert len(secret) - len(ApiToken.PREFIX) >= 22  # ≥ 128 bits of url-safe base64
    token = ApiToken.objects.get(member=alice)
    assert token.name == "Import från verksamhetssystemet"
    assert token.token_hash != secret
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values())
    assert secret not in stored
    # Shown this once: Min sida afterwards lists the token but not its secret.
    later = alice_client.get(reverse("profiles:my_page")).content.decode()
    assert "Import från verksamhetssystemet" in later
    assert secret not in later
    assert Client().get(ME, headers=bearer(secret)).json()["email"] == "alice@lycksele.test"


def test_each_token_gets_its_own_secret(alice, alice_client):
    first = secret_in(create_on_my_page(alice_client, "Ett"))
    second = secret_in(create_on_my_page(alice_client, "Två"))

    assert first != second
    assert ApiToken.objects.filter(member=alice).count() == 2


@pytest.mark.parametrize("name", ["", "   "])
def test_token_without_a_name_is_400_with_a_swedish_error(alice, alice_client, name):
    response = create_on_my_page(alice_client, name)

    assert response.status_code == 400
    assert escape(sv("This field is required.")) in response.content.decode()
    assert 'class="secret"' not in response.content.decode()
    assert not ApiToken.objects.filter(member=alice).exists()


def test_token_name_longer_than_80_is_400(alice, alice_client):
    response = create_on_my_page(alice_client, "x" * 81)

    assert response.status_code == 400
    assert not ApiToken.objects.filter(member=alice).exists()


def test_revoking_on_my_page_stops_the_token(alice, alice_client):
    secret = secret_in(create_on_my_page(alice_client, "Import"))
    token = ApiToken.objects.get(member=alice)

    response = alice_client.post(reverse("profiles:token_revoke", args=[token.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("profiles:my_page")
    assert escape(sv("The token “%(name)s” no longer works.") % {"name": "Import"}) in (
        response.content.decode()
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(ME, headers=bearer(secret)).status_code == 401


def test_revoking_needs_post(alice, alice_client, alice_secret):
    token = ApiToken.objects.get(member=alice)

    response = alice_client.get(reverse("profiles:token_revoke", args=[token.pk]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_member_cannot_revoke_someone_elses_token(alice, alice_secret, bob_client):
    token = ApiToken.objects.get(member=alice)

    response = bob_client.post(reverse("profiles:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get(ME, headers=bearer(alice_secret)).status_code == 200


def test_revoking_an_already_revoked_token_is_404(alice, alice_client, alice_secret):
    token = ApiToken.objects.get(member=alice)
    alice_client.post(reverse("profiles:token_revoke", args=[token.pk]))

    assert alice_client.post(reverse("profiles:token_revoke", args=[token.pk])).status_code == 404


def test_visitors_cannot_create_tokens(client, alice):
    response = client.post(TOKENS, {"name": "Import"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ApiToken.objects.exists()


# --- OpenAPI document ----------------------------------------------------------------------------


def test_openapi_is_401_for_visitors(client, db):
    response = client.get(OPENAPI)

    assert response.status_code == 401
    assert "paths" not in response.content.decode()


def test_openapi_is_401_for_a_deactivated_members_session(dave_client):
    assert dave_client.get(OPENAPI).status_code == 401


def test_openapi_is_401_for_a_revoked_token(alice, alice_secret):
    api_token_revoke(token=ApiToken.objects.get(member=alice))

    assert Client().get(OPENAPI, headers=bearer(alice_secret)).status_code == 401


def test_openapi_lists_me_for_a_member(alice_client):
    response = alice_client.get(OPENAPI)

    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]


def test_openapi_works_with_a_bearer_token(alice_secret):
    response = Client().get(OPENAPI, headers=bearer(alice_secret))

    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]
