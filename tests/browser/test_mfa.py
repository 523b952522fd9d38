"""Two-factor login in headless Chromium, under the site's strict CSP.

An administrator requires two-factor login for everyone in the admin; a member
who logs in next is led to set up an authenticator app before anything else,
reads the key off the page (as she would scan the QR code), enters the code her
app would show, is shown her recovery codes, and reaches the start page. Then
she logs out and in again with password and code.
"""

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollegan.audit.models import Action, AuditEntry
from kollegan.core.models import MFARequirement, SiteSettings
from tests.browser.test_journey import log_in
from tests.conftest import PASSWORD
from tests.helpers import sv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def app_code(secret: str) -> str:
    """What the authenticator app shows now; waits out the last seconds of a
    30-second step so the code is still valid when the form arrives."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def log_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name=sv("Log out"), exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login"))))


def test_required_two_factor_login_is_set_up_and_used(
    live_server, browser_guard, admin_member, alice
):
    shot = browser_guard.screenshot
    url = live_server.url

    # The administrator requires two-factor login of everyone.
    admin = browser_guard.new_page()
    log_in(admin, admin_member.email, PASSWORD)
    expect(admin).to_have_url(url + reverse("start"))
    admin.goto(reverse("admin:core_sitesettings_change", args=[1]))
    admin.locator("#id_mfa_required_for").select_option(MFARequirement.EVERYONE.value)
    shot(admin, "mfa-01-admin-requires-it")
    admin.locator("input[name=_save]").click()
    # She is covered herself now, so she lands on the set-up page too.
    expect(admin).to_have_url(url + reverse("mfa_activate_totp"))
    assert SiteSettings.objects.get(pk=1).mfa_required_for == MFARequirement.EVERYONE
    entry = AuditEntry.objects.get(
        action=Action.SETTINGS_CHANGED, detail__setting="mfa_required_for"
    )
    assert entry.actor == admin_member
    log_out(admin)

    # Alice logs in and is led to set up an app before anything else.
    page = browser_guard.new_page()
    log_in(page, alice.email, PASSWORD)
    expect(page).to_have_url(url + reverse("mfa_activate_totp"))
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(sv("Set up two-factor login"))
    expect(main).to_contain_text(sv("The administrators require two-factor login."))
    page.goto(reverse("profiles:directory"))  # any other page sends her back
    expect(page).to_have_url(url + reverse("mfa_activate_totp"))

    # The QR code is a data: image (img-src allows it) and really shows.
    qr = main.get_by_role("img", name=sv("QR code for your authenticator app"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = main.get_by_label(sv("Key to type in by hand"), exact=True).input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    shot(page, "mfa-02-set-up-app")

    # A mistyped code first: refused, in Swedish.
    code_field = main.get_by_label(sv("Authenticator code"), exact=True)
    wrong = "000000" if app_code(secret) != "000000" else "111111"
    code_field.fill(wrong)
    main.get_by_role("button", name=sv("Turn on two-factor login"), exact=True).click()
    expect(main).to_contain_text(sv("Incorrect code."))
    expect(page).to_have_url(url + reverse("mfa_activate_totp"))

    code_field.fill(app_code(secret))
    main.get_by_role("button", name=sv("Turn on two-factor login"), exact=True).click()

    # Her recovery codes, then on to the start page.
    expect(page).to_have_url(url + reverse("mfa_view_recovery_codes"))
    codes = main.get_by_role("list", name=sv("Unused recovery codes")).get_by_role("listitem")
    expect(codes).to_have_count(10)
    shot(page, "mfa-03-recovery-codes")
    main.get_by_role("link", name=sv("I have saved the codes – continue"), exact=True).click()
    expect(page).to_have_url(url + reverse("start"))

    # My page shows two-factor login as on.
    page.goto(reverse("profiles:my_page"))
    expect(page.get_by_role("main")).to_contain_text(sv("Manage two-factor login"))

    # The security-key page loads allauth's WebAuthn scripts without a CSP complaint
    # (browser_guard fails the test on any console error).
    page.goto(reverse("mfa_add_webauthn"))
    expect(page.get_by_label(sv("Name of the key"))).to_be_visible()
    assert page.evaluate("typeof window.allauth.webauthn.forms.addForm") == "function"

    # Out and in again: password, then the code from the app.
    log_out(page)
    log_in(page, alice.email, PASSWORD)
    expect(page).to_have_url(url + reverse("mfa_authenticate"))
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(sv("Two-factor login"))
    shot(page, "mfa-04-code-step")
    main.get_by_label(sv("Code"), exact=True).fill(app_code(secret))
    main.get_by_role("button", name=sv("Log in"), exact=True).click()
    expect(page).to_have_url(url + reverse("start"))
    expect(page.get_by_role("banner").get_by_role("link", name=alice.name)).to_be_visible()

    browser_guard.assert_clean()
