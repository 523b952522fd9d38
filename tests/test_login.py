"""Logging in by e-mail, the failure limit (429), ended memberships (403), the
missing sign-up, password reset by e-mail and the member's language choice."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kollegan.accounts.models import Member
from tests.conftest import PASSWORD
from tests.helpers import sv

LOGIN = "/konto/login/"
WRONG = "fel-lösenord-123456"


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """Login counters live in the cache. The configured one (a file cache under
    var/test, or Redis) is shared with every other test run on the machine, whose
    `cache.clear()` between tests would wipe our counters mid-test and whose failed
    logins from 127.0.0.1 would count against ours. A cache of this process's own
    keeps the limit tests deterministic; the counting logic is the same."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-login",
        }
    }
    from django.core.cache import cache

    cache.clear()


def page(response) -> str:
    return response.content.decode()


def login(client: Client, email: str, password: str, ip: str = "127.0.0.1", **extra):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip, **extra)


def logged_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_login_page_is_open_to_visitors_and_in_swedish(client, db):
    response = client.get(LOGIN)

    assert response.status_code == 200
    html = page(response)
    assert '<html lang="sv">' in html
    assert escape(sv("Log in")) in html


@pytest.mark.parametrize(
    "typed", ["alice@lycksele.test", "ALICE@Lycksele.Test", " alice@lycksele.test "]
)
def test_login_by_email_and_password_ignores_case(client, alice, typed):
    response = login(client, typed, PASSWORD)

    assert response.status_code == 302
    assert logged_in_as(client) == str(alice.pk)
    start = client.get(reverse("start"))
    assert start.status_code == 200
    assert "Alice Andersson" in page(start)


def test_wrong_password_answers_200_with_a_swedish_error(client, alice):
    response = login(client, "alice@lycksele.test", WRONG)

    assert response.status_code == 200
    assert escape(sv("The email address and/or password you specified are not correct.")) in page(
        response
    )
    assert logged_in_as(client) is None


def test_unknown_email_answers_like_a_wrong_password(client, alice):
    response = login(client, "nobody@lycksele.test", WRONG)

    assert response.status_code == 200
    assert escape(sv("The email address and/or password you specified are not correct.")) in page(
        response
    )


def test_repeated_failures_answer_429_in_swedish_and_refuse_even_the_right_password(
    client, alice, bob, settings
):
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "5/5m/ip,5/5m/key"
    for _attempt in range(5):
        assert login(client, "alice@lycksele.test", WRONG).status_code == 200

    response = login(client, "alice@lycksele.test", WRONG)
    assert response.status_code == 429
    assert escape(sv("Too many failed login attempts. Try again later.")) in page(response)
    assert response["Retry-After"]

    # The right password, even from another address, is refused for this e-mail...
    other = Client()
    response = login(other, "alice@lycksele.test", PASSWORD, ip="10.1.2.3")
    assert response.status_code == 429
    assert escape(sv("Too many failed login attempts. Try again later.")) in page(response)
    assert logged_in_as(other) is None
    # ...while a colleague on another address still gets in.
    colleague = Client()
    assert login(colleague, "bob@storuman.test", PASSWORD, ip="10.9.9.9").status_code == 302
    assert logged_in_as(colleague) == str(bob.pk)


def test_failure_limit_counts_per_address_too(client, alice, bob):
    for _attempt in range(5):
        login(client, f"guess{_attempt}@lycksele.test", WRONG)

    response = login(client, "bob@storuman.test", PASSWORD)

    assert response.status_code == 429
    assert logged_in_as(client) is None


def test_deactivated_member_with_right_password_gets_access_ended_page_403(client, dave):
    response = login(client, "dave@storuman.test", PASSWORD, follow=True)

    assert response.redirect_chain[-1][0] == reverse("account_inactive")
    assert response.status_code == 403
    html = page(response)
    assert escape(sv("Your access has ended")) in html
    assert logged_in_as(client) is None
    assert client.get(reverse("start")).status_code == 302


def test_member_whose_end_date_passed_gets_access_ended_page_403(client, alice):
    Member.objects.filter(pk=alice.pk).update(membership_ends_at=timezone.now() - timedelta(days=1))

    response = login(client, "alice@lycksele.test", PASSWORD, follow=True)

    assert response.status_code == 403
    assert logged_in_as(client) is None


def test_deactivated_member_with_wrong_password_learns_nothing(client, dave):
    response = login(client, "dave@storuman.test", WRONG)

    assert response.status_code == 200
    assert escape(sv("Your access has ended")) not in page(response)


@pytest.mark.parametrize("method", ["get", "post"])
def test_signup_does_not_exist(client, db, method):
    response = getattr(client, method)(
        "/konto/signup/", {"email": "ny@lycksele.test", "password1": "Ett-bra-lösenord-99"}
    )

    assert response.status_code == 404
    assert not Member.objects.filter(email="ny@lycksele.test").exists()


def test_password_reset_mails_a_working_link(client, alice):
    response = client.post(
        reverse("account_reset_password"), {"email": "Alice@Lycksele.test"}, follow=True
    )
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@lycksele.test"]
    assert sv("Password Reset Email") in message.subject
    match = re.search(r"https?://[^/\s]+(/konto/password/reset/key/\S+/)", message.body)
    assert match, message.body

    # allauth moves the key out of the URL into the session, then shows the form.
    response = client.get(match[1], follow=True)
    assert response.status_code == 200
    assert 'name="password1"' in page(response)
    set_password_url = response.redirect_chain[-1][0]
    new_password = "Nytt-lösenord-i-juni-2024"
    response = client.post(set_password_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302

    alice.refresh_from_db()
    assert alice.check_password(new_password)
    fresh = Client()
    assert login(fresh, "alice@lycksele.test", new_password).status_code == 302
    assert logged_in_as(fresh) == str(alice.pk)
    assert login(Client(), "alice@lycksele.test", PASSWORD).status_code == 200


def test_password_reset_for_unknown_email_sends_no_reset_link(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@lycksele.test"})

    # Same answer as for a member (no enumeration), and no reset link leaves.
    assert response.status_code == 302
    assert all("/password/reset/key/" not in m.body for m in mail.outbox)


def test_switching_language_saves_it_on_the_member_and_the_next_page_is_english(
    alice, alice_client
):
    before = alice_client.get(reverse("start"))
    assert '<html lang="sv">' in page(before)
    assert before["Content-Language"] == "sv"

    response = alice_client.post("/sprak/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    alice.refresh_from_db()
    assert alice.language == "en"
    after = alice_client.get(reverse("start"))
    assert after.status_code == 200
    assert '<html lang="en">' in page(after)
    assert after["Content-Language"] == "en"
    assert ">Questions<" in page(after)


def test_saved_language_follows_the_member_to_a_new_session(alice, alice_client):
    alice_client.post("/sprak/", {"language": "en", "next": "/"})

    fresh = Client()
    assert login(fresh, "alice@lycksele.test", PASSWORD).status_code == 302
    response = fresh.get(reverse("start"))

    assert '<html lang="en">' in page(response)
    assert response["Content-Language"] == "en"


def test_switching_back_to_swedish(alice, alice_client):
    alice_client.post("/sprak/", {"language": "en"})
    alice_client.post("/sprak/", {"language": "sv"})

    alice.refresh_from_db()
    assert alice.language == "sv"
    response = alice_client.get(reverse("start"))
    assert '<html lang="sv">' in page(response)
    assert escape(sv("Questions")) in page(response)


@pytest.mark.parametrize("language", ["de", "xx", "", "sv-fi"])
def test_invalid_language_answers_400_and_changes_nothing(alice, alice_client, language):
    response = alice_client.post("/sprak/", {"language": language})

    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.language == "sv"


def test_language_switch_does_not_redirect_off_site(alice, alice_client):
    response = alice_client.post("/sprak/", {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_visitor_cannot_switch_language(client, db):
    response = client.post("/sprak/", {"language": "en"})

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
