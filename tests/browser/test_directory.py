"""Medarbetare in Chromium: choosing a filter updates the list through htmx and
the address bar, so the filtered list can be shared as it is."""

import pytest
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

    page.locator("#q").fill("alice")
    expect(cards).to_have_count(0)
    page.get_by_role("link", name="Rensa filter").click()
    expect(cards).to_have_count(2)
    browser_guard.assert_clean()
