"""Logins: a member sees where they are logged in and can log the other devices
out, an administrator can log a member out everywhere, and a login ends after
SESSION_IDLE_TIMEOUT without activity or SESSION_ABSOLUTE_LIFETIME in all."""

from urllib.parse import urlsplit

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollegan.accounts import services
from kollegan.accounts.sessions import LOGIN_AT, SEEN_AT, describe_device, now_seconds
from tests.conftest import PASSWORD, client_for

SESSIONS = "/konto/sessions/"
LOGIN_PATH = "/konto/login/"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def logged_in(member, user_agent: str, ip: str) -> Client:
    """A browser that logged in through the login page."""
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    response = client.post(LOGIN_PATH, {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def assert_sent_to_login(response) -> None:
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_PATH


def shift_clock(client: Client, **seconds_ago: int) -> None:
    """Pretend the session's login or last activity happened that many seconds ago."""
    session = client.session
    for key, ago in seconds_ago.items():
        session[{"login": LOGIN_AT, "seen": SEEN_AT}[key]] = now_seconds() - ago
    session.save()


# --- The member's own list ---------------------------------------------------------------------


def test_list_shows_the_members_devices_and_marks_this_one(alice, bob):
    laptop = logged_in(alice, FIREFOX_WINDOWS, "10.31.0.1")
    logged_in(alice, SAFARI_IPHONE, "10.31.0.2")
    logged_in(bob, FIREFOX_WINDOWS, "10.31.0.3")

    response = laptop.get(SESSIONS)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Inloggade enheter" in html
    assert "Firefox på Windows" in html
    assert "Safari på iPhone" in html
    assert "10.31.0.2" in html
    assert "10.31.0.3" not in html  # Bob's
    assert html.count("(den här enheten)") == 1
    assert "Logga ut alla andra enheter" in html


def test_my_page_links_to_the_list(alice_client):
    html = alice_client.get(reverse("profiles:my_page")).content.decode()
    assert f'href="{SESSIONS}"' in html
    assert "Inloggade enheter" in html


def test_ending_the_other_sessions_logs_that_device_out_on_its_next_request(alice, bob_client):
    laptop = logged_in(alice, FIREFOX_WINDOWS, "10.31.0.4")
    phone = logged_in(alice, SAFARI_IPHONE, "10.31.0.5")
    assert phone.get(reverse("start")).status_code == 200

    response = laptop.post(SESSIONS, follow=True)

    assert response.status_code == 200
    assert "Du har loggats ut på alla andra enheter." in response.content.decode()
    assert_sent_to_login(phone.get(reverse("start")))
    assert laptop.get(reverse("start")).status_code == 200
    assert bob_client.get(reverse("start")).status_code == 200
    assert UserSession.objects.filter(user=alice).count() == 1


def test_the_list_is_for_members_only(client, dave_client):
    assert_sent_to_login(client.get(SESSIONS))
    assert_sent_to_login(dave_client.get(SESSIONS))


# --- The administrator ----------------------------------------------------------------------------


def test_admin_end_all_sessions_logs_out_every_client_of_the_member(
    admin_client_, alice, bob_client
):
    first, second = client_for(alice), logged_in(alice, SAFARI_IPHONE, "10.31.0.6")
    assert first.get(reverse("start")).status_code == 200

    response = admin_client_.post(
        "/admin/accounts/member/", {"action": "end_sessions", "_selected_action": [alice.pk]}
    )

    assert response.status_code == 302
    assert_sent_to_login(first.get(reverse("start")))
    assert_sent_to_login(second.get(reverse("start")))
    assert bob_client.get(reverse("start")).status_code == 200
    assert admin_client_.get(reverse("start")).status_code == 200
    alice.refresh_from_db()
    assert alice.is_active  # logged out, not deactivated: she can log in again
    assert logged_in(alice, FIREFOX_WINDOWS, "10.31.0.7").get(reverse("start")).status_code == 200


def test_ending_a_members_sessions_does_not_read_everybody_elses(alice, bob):
    def queries_to_end_alices() -> int:
        client_for(alice)
        with CaptureQueriesContext(connection) as queries:
            services.member_sessions_end(member=alice, actor=None)
        return len(queries)

    few = queries_to_end_alices()
    for _ in range(25):
        client_for(bob)
    assert Session.objects.count() >= 25
    assert queries_to_end_alices() == few


# --- Idle timeout and absolute lifetime ----------------------------------------------------------


def test_idle_session_is_logged_out_with_a_swedish_message(alice_client, settings):
    settings.SESSION_IDLE_TIMEOUT = 3600
    shift_clock(alice_client, seen=3601)

    response = alice_client.get(reverse("profiles:directory"))

    assert_sent_to_login(response)
    assert "next=" in response["Location"]
    page = alice_client.get(response["Location"]).content.decode()
    assert "Du har loggats ut efter 1 timme utan aktivitet." in page
    assert_sent_to_login(alice_client.get(reverse("start")))


def test_session_used_within_the_idle_timeout_stays(alice_client, settings):
    settings.SESSION_IDLE_TIMEOUT = 3600
    shift_clock(alice_client, seen=3500, login=3500)
    assert alice_client.get(reverse("start")).status_code == 200
    # The request moved the idle clock on.
    assert now_seconds() - alice_client.session[SEEN_AT] < 5


def test_session_older_than_the_absolute_lifetime_is_logged_out_however_active(
    alice_client, settings
):
    settings.SESSION_ABSOLUTE_LIFETIME = 14 * 24 * 3600
    shift_clock(alice_client, login=14 * 24 * 3600 + 1, seen=30)

    response = alice_client.get(reverse("start"))

    assert_sent_to_login(response)
    page = alice_client.get(response["Location"]).content.decode()
    assert "Du har loggats ut eftersom det är mer än 14 dagar sedan du loggade in." in page


def test_timed_out_session_is_removed_from_the_list_of_devices(alice, alice_client, settings):
    alice_client.get(reverse("start"))
    settings.SESSION_IDLE_TIMEOUT = 60
    shift_clock(alice_client, seen=61)
    alice_client.get(reverse("start"))
    assert not UserSession.objects.filter(user=alice).exists()


def test_session_from_before_the_limits_starts_counting_now(alice_client):
    session = alice_client.session
    del session[LOGIN_AT]
    del session[SEEN_AT]
    session.save()

    assert alice_client.get(reverse("start")).status_code == 200
    assert now_seconds() - alice_client.session[LOGIN_AT] < 5


def test_activity_is_written_at_most_once_a_minute(alice, alice_client):
    alice_client.get(reverse("start"))
    with CaptureQueriesContext(connection) as queries:
        assert alice_client.get(reverse("start")).status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert writes == []

    shift_clock(alice_client, seen=61)
    UserSession.objects.filter(user=alice).update(last_seen_at="2020-01-01T00:00:00Z")
    assert alice_client.get(reverse("start")).status_code == 200
    assert now_seconds() - alice_client.session[SEEN_AT] < 5
    assert UserSession.objects.get(user=alice).last_seen_at.year > 2020


# --- Devices -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (FIREFOX_WINDOWS, "Firefox på Windows"),
        (SAFARI_IPHONE, "Safari på iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge på Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
            "Chrome på macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
            "Samsung Internet på Android",
        ),
        ("curl/8.5.0", "Okänd enhet"),
        ("", "Okänd enhet"),
    ],
)
def test_device_is_read_from_the_user_agent(user_agent, device, settings):
    from django.utils import translation

    with translation.override("sv"):
        assert describe_device(user_agent) == device


def test_member_logs_out_one_other_device_and_keeps_this_one(alice):
    laptop, phone = Client(), Client()
    laptop.force_login(alice, backend="kollegan.accounts.backends.MemberBackend")
    phone.force_login(alice, backend="kollegan.accounts.backends.MemberBackend")
    phones = UserSession.objects.get(user=alice, session_key=phone.session.session_key)

    response = laptop.post(reverse("accounts:session_end", args=[phones.pk]))

    assert response.status_code == 302
    assert phone.get(reverse("start")).status_code == 302  # to the login page
    assert laptop.get(reverse("start")).status_code == 200


def test_member_cannot_log_out_someone_elses_device(alice_client, bob):
    bobs = Client()
    bobs.force_login(bob, backend="kollegan.accounts.backends.MemberBackend")
    device = UserSession.objects.get(user=bob)

    response = alice_client.post(reverse("accounts:session_end", args=[device.pk]))

    assert response.status_code == 404
    assert bobs.get(reverse("start")).status_code == 200
