"""Issue 10's "done when", in Chromium: two members in different municipalities
chat live, each in a browser of their own, and a member deactivated in the middle
of a conversation is cut off at once.

The pages come from the live server, the sockets from the chat process's ASGI
application on granian in a thread of the test process (tests/browser/conftest.py,
``chat_server``); both work on the same test database."""

import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollegan.accounts.services import member_deactivate
from kollegan.chat.models import Conversation
from kollegan.chat.services import conversation_direct
from tests.browser.test_journey import log_in
from tests.conftest import PASSWORD
from tests.helpers import sv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Copies of the screenshots for a person to look at (the test's own go to tmp_path).
SHOTS = Path("/tmp/chat-shots")
# How long something sent may take to show on the other member's page.
LIVE_MS = 5_000
CONNECTED = "Connected: new messages appear here at once."


def chat_page(browser_guard, member) -> Page:
    page = browser_guard.new_page()
    log_in(page, member.email, PASSWORD)
    expect(page.locator("a.bell")).to_be_visible()  # logged in
    return page


def open_chat(page: Page, url: str | None = None) -> None:
    """Open a chat page (or take the one open) and wait until its socket is
    connected; mark the page so that a reload (the no-JavaScript way of seeing
    news) would show."""
    if url is not None:
        page.goto(url)
    expect(page.locator("#chat [data-chat-status]")).to_have_text(sv(CONNECTED))
    page.evaluate("window.notReloaded = true")


def not_reloaded(page: Page) -> bool:
    return page.evaluate("window.notReloaded === true")


def write(page: Page, text: str) -> None:
    page.get_by_label(sv("Message"), exact=True).fill(text)
    page.get_by_role("button", name=sv("Send"), exact=True).click()
    # Sent over the socket: the box is emptied by the server's ack, not by a reload.
    expect(page.get_by_label(sv("Message"), exact=True)).to_have_value("")
    assert not_reloaded(page)


def messages(page: Page):
    return page.locator("#chat-messages")


def shoot(browser_guard, page: Page, name: str) -> None:
    path = browser_guard.screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_two_members_chat_live_and_a_deactivated_member_is_cut_off(
    chat_server, browser_guard, settings, alice, bob
):
    # Only the event that the deactivation publishes can close Bob's socket within
    # the test: each chat process's own check of its members runs every 5 minutes.
    settings.CHAT_SWEEP_SECONDS = 300
    direct = conversation_direct(member=alice, other=bob)
    alice_page = chat_page(browser_guard, alice)
    bob_page = chat_page(browser_guard, bob)

    # --- A direct conversation between Lycksele and Storuman ---
    open_chat(alice_page, direct.get_absolute_url())
    open_chat(bob_page, direct.get_absolute_url())
    expect(alice_page.locator("h1")).to_have_text(bob.name)
    expect(bob_page.locator("h1")).to_have_text(alice.name)

    write(alice_page, "Hej Bob! Kommer du till kursen i Umeå på tisdag?")
    expect(messages(bob_page)).to_contain_text(
        "Kommer du till kursen i Umeå på tisdag?", timeout=LIVE_MS
    )
    expect(messages(alice_page)).to_contain_text("Kommer du till kursen i Umeå på tisdag?")
    # Bob's page has the newest message in view: it tells Alice's that he read it.
    expect(alice_page.locator("[data-chat-read]")).to_have_text(sv("Read"), timeout=LIVE_MS)

    write(bob_page, "Ja, jag åker upp på måndag kväll.")
    expect(messages(alice_page)).to_contain_text(
        "Ja, jag åker upp på måndag kväll.", timeout=LIVE_MS
    )
    # Both messages in the same order on both pages, and neither page was reloaded.
    for page in (alice_page, bob_page):
        expect(messages(page).locator("[data-message]")).to_have_count(2)
        expect(messages(page).locator("[data-message] .chat-message__author")).to_have_text(
            [alice.name, bob.name]
        )
        assert not_reloaded(page)
    shoot(browser_guard, alice_page, "alice-direct")
    shoot(browser_guard, bob_page, "bob-direct")

    # --- A group chat for the course cohort, made on the pages ---
    open_chat(bob_page, reverse("chat:list"))
    alice_page.goto(reverse("chat:list"))
    alice_page.get_by_role("link", name=sv("New group chat"), exact=True).click()
    alice_page.get_by_label(sv("Name of the group chat"), exact=True).fill("Kursgrupp BBIC 2025")
    alice_page.get_by_role("button", name=sv("Create and add members"), exact=True).click()
    adding = alice_page.get_by_role("region", name=sv("Add members"), exact=True)
    adding.get_by_label(sv("Find a member by name"), exact=True).fill("Bob")
    adding.get_by_role("button", name=sv("Find"), exact=True).click()
    adding.get_by_role("button", name=f"{sv('Add')} {bob.name}", exact=True).click()
    expect(alice_page.locator(".chat-members")).to_contain_text(bob.name)
    group = Conversation.objects.get(name="Kursgrupp BBIC 2025")
    assert set(group.participants.values_list("member", flat=True)) == {alice.pk, bob.pk}

    # Bob's inbox, open all along, shows the new group without a reload.
    group_link = bob_page.locator("#chat-inbox").get_by_role(
        "link", name="Kursgrupp BBIC 2025", exact=True
    )
    expect(group_link).to_be_visible(timeout=LIVE_MS)
    assert not_reloaded(bob_page)
    group_link.click()
    expect(bob_page).to_have_url(f"{browser_guard.base_url}{group.get_absolute_url()}")
    open_chat(bob_page)
    open_chat(alice_page, group.get_absolute_url())

    write(alice_page, "Välkomna till kursgruppen! Här stämmer vi av inför tisdag.")
    expect(messages(bob_page)).to_contain_text("Välkomna till kursgruppen!", timeout=LIVE_MS)

    # --- Bob's membership ends while his page is open ---
    member_deactivate(member=bob)
    expect(bob_page.locator("#chat [data-chat-status]")).to_have_text(
        sv("Your access to the chat has ended."), timeout=LIVE_MS
    )
    write(alice_page, "Är alla med på tisdag?")
    expect(messages(alice_page)).to_contain_text("Är alla med på tisdag?")
    # Alice's page has it, so it went out to every socket in the group; give one
    # that was still open the time it would take, then look.
    bob_page.wait_for_timeout(1_000)
    expect(messages(bob_page)).not_to_contain_text("Är alla med på tisdag?")
    expect(messages(bob_page).locator("[data-message]")).to_have_count(1)
    assert not_reloaded(bob_page)
    expect(alice_page.locator("#chat [data-chat-status]")).to_have_text(sv(CONNECTED))

    shoot(browser_guard, alice_page, "alice-group")
    shoot(browser_guard, bob_page, "bob-group-ended")
    browser_guard.assert_clean()
    chat_server.assert_clean()
