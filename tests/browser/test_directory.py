"""Medarbetare in Chromium: choosing a filter updates the list through htmx and
the address bar, so the filtered list can be shared as it is."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from kollegan.accounts.models import ExpertiseLabel
from tests.browser.test_journey import log_in
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_choosing_a_label_filters_the_list_in_place(live_server, browser_guard, alice, bob):
    label = ExpertiseLabel.objects.create(name="Adoptionsutredning", slug="adoptionsutredning")
    bob.expertise.add(label)
    page = browser_guard.new_page()
    log_in(page, alice.email, PASSWORD)
    page.goto(reverse("profiles:directory"))
    cards = page.locator(".member-card h3")
    expect(cards).to_have_count(2)

    with page.expect_response(lambda r: "etikett=adoptionsutredning" in r.url) as answer:
        page.locator("#etikett").select_option("adoptionsutredning")
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(cards).to_have_text(["Bob Berg"])
    # The short, shareable address: only the filters in use.
    expect(page).to_have_url(
        f"{live_server.url}{reverse('profiles:directory')}?etikett=adoptionsutredning"
    )

    # htmx pushes the address before it has wired up the form it swapped in; typing
    # before that is lost, as it would be for a very fast person.
    page.wait_for_function(
        "() => document.querySelector('#directory-filters')['htmx-internal-data']?.initHash"
    )
    page.locator("#q").fill("alice")
    expect(cards).to_have_count(0)
    page.get_by_role("link", name="Rensa filter").click()
    expect(cards).to_have_count(2)
    browser_guard.assert_clean()


def test_member_finds_who_in_r8_knows_adoption_investigations_and_can_call_them(
    live_server, browser_guard
):
    """The issue's "done when": with the demo content, Anna in Lycksele looks for
    someone who knows adoption investigations and gets a number to call."""
    call_command("seed_demo", stdout=io.StringIO())
    page = browser_guard.new_page(width=390, height=844)  # a phone
    log_in(page, "anna@kollegan.test", "kollegan-demo")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Medarbetare").click()
    page.locator("#etikett").select_option(label="Adoptionsutredning")
    page.get_by_role("button", name="Visa").click()

    cards = page.locator(".member-card")
    expect(cards.locator("h3")).to_have_text(["Helena Gustafsson", "Lena Eriksson"])
    lena = cards.filter(has_text="Lena Eriksson")
    expect(lena).to_contain_text("Lycksele")
    call = lena.get_by_role("link", name="Ring")
    expect(call).to_have_attribute("href", re.compile(r"^tel:\+?[0-9]+$"))
    browser_guard.screenshot(page, "adoption")
    browser_guard.assert_clean()
