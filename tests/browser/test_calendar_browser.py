"""Kalendarium in Chromium: a member opens the month, moves with the keyboard to
an event, opens its date with Enter and signs up with "Jag kommer" (htmx swaps
the box in place); then the same month and date on a phone's width, and the
sign-up again with JavaScript switched off.

Elements are found by their addresses and ids, not their labels: the Swedish
wording of these pages is filled in after the code."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from kollegan.events import services
from kollegan.events.models import Occurrence
from kollegan.events.recurrence import STOCKHOLM
from kollegan.events.services import EventData
from tests.browser.test_journey import (
    check_aria_references,
    check_boxes_hold_their_content,
    check_no_sideways_scrolling,
    log_in,
)
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path("/tmp/shots")
PHONE = 375


def mötesplats(author) -> Occurrence:
    """The digital mötesplats on the coming Wednesdays, with a theme on the first."""
    day = timezone.localdate() + dt.timedelta(days=1)
    day += dt.timedelta(days=(2 - day.weekday()) % 7)
    event = services.event_create(
        author=author,
        data=EventData(
            title="Digital mötesplats",
            start=dt.datetime.combine(day, dt.time(8, 15), tzinfo=STOCKHOLM),
            end=dt.datetime.combine(day, dt.time(9, 0), tzinfo=STOCKHOLM),
            description="Vi ses på Teams varje onsdag. Ta med en fråga!",
            online_url="https://teams.microsoft.com/l/meetup-join/abc",
            rrule="FREQ=WEEKLY;COUNT=8",
            themes={day: "Funktionshinder"},
        ),
    )
    return Occurrence.objects.filter(event=event).order_by("start").first()


def tab_to(page: Page, href: str, limit: int = 120) -> None:
    """Press Tab until the link to ``href`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            return
    raise AssertionError(f"Tab never reached the link to {href}")


def month_url(date: Occurrence) -> str:
    start = timezone.localtime(date.start)
    return reverse("events:month", args=[start.year, start.month])


def save(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, animations="disabled")


def test_member_finds_the_meeting_in_the_month_and_signs_up(
    live_server, browser_guard, alice, bob, carol
):
    date = mötesplats(carol)
    link = date.get_absolute_url()
    services.attendance_set(occurrence=date, member=bob)

    page = browser_guard.new_page()
    log_in(page, alice.email, PASSWORD)
    page.goto(month_url(date))
    grid = page.locator("table.cal-month")
    expect(grid).to_be_visible()
    expect(grid.locator("caption")).to_have_count(1)
    expect(grid.locator('thead th[scope="col"]')).to_have_count(8)
    expect(grid.locator(f'a[href="{link}"]')).to_contain_text(
        "Digital mötesplats – Funktionshinder"
    )
    check_aria_references(page)
    save(page, "calendar-month")
    browser_guard.screenshot(page, "month")

    # The keyboard alone: Tab to the date, Enter opens it.
    page.locator("main#main").focus()
    tab_to(page, link)
    focused = page.locator(f'table.cal-month a[href="{link}"]')
    expect(focused).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{browser_guard.base_url}{link}")
    expect(page.locator("h1")).to_have_text("Digital mötesplats – Funktionshinder")
    expect(page.locator(".cal-join")).to_have_attribute(
        "href", "https://teams.microsoft.com/l/meetup-join/abc"
    )

    # "Jag kommer": the box swaps itself, the count rises and Alice is on the list.
    box = page.locator("#narvaro")
    expect(box.locator(".cal-attendance__count")).to_contain_text("1")
    expect(box).not_to_contain_text(alice.name)
    page.locator("#kommer-knapp").click()
    expect(box.locator('input[name="going"]')).to_have_value("0")
    expect(box.locator(".cal-attendance__count")).to_contain_text("2")
    expect(box).to_contain_text(alice.name)
    expect(page.locator("#kommer-knapp")).to_be_focused()
    # Screen readers hear the new count from the status line, which stays in place.
    expect(page.locator('#narvaro-status[role="status"]')).to_contain_text("2")
    assert date.attendances.filter(member=alice).exists()
    check_aria_references(page)
    save(page, "calendar-occurrence")

    # Not after all.
    page.locator("#kommer-knapp").click()
    expect(box.locator('input[name="going"]')).to_have_value("1")
    expect(box.locator(".cal-attendance__count")).to_contain_text("1")
    expect(box).not_to_contain_text(alice.name)
    browser_guard.assert_clean()


def test_the_month_and_the_date_read_well_on_a_phone(live_server, browser_guard, alice, carol):
    date = mötesplats(carol)
    page = browser_guard.new_page(width=PHONE, height=800)
    log_in(page, alice.email, PASSWORD)
    page.goto(month_url(date))
    link = page.locator(f'table.cal-month a[href="{date.get_absolute_url()}"]')
    expect(link).to_be_visible()
    # The day's full date is shown above its meetings; empty days are not.
    cell = page.locator("td.cal-day", has=page.locator(f'a[href="{date.get_absolute_url()}"]'))
    expect(cell.locator(".cal-day__full")).to_be_visible()
    check_no_sideways_scrolling(page, PHONE)
    check_boxes_hold_their_content(page)
    save(page, "calendar-month-phone")
    page.goto(reverse("events:list"))
    expect(page.locator(".cal-row").first).to_be_visible()
    check_no_sideways_scrolling(page, PHONE)
    save(page, "calendar-list-phone")
    page.goto(date.get_absolute_url())
    expect(page.locator("#kommer-knapp")).to_be_visible()
    check_no_sideways_scrolling(page, PHONE)
    check_boxes_hold_their_content(page)
    save(page, "calendar-occurrence-phone")
    browser_guard.assert_clean()


def test_signing_up_works_without_javascript(live_server, browser_guard, alice, carol):
    date = mötesplats(carol)
    context = browser_guard.browser.new_context(
        base_url=browser_guard.base_url, java_script_enabled=False, locale="sv-SE"
    )
    browser_guard.contexts.append(context)
    page = context.new_page()
    log_in(page, alice.email, PASSWORD)
    page.goto(date.get_absolute_url())
    page.locator("#kommer-knapp").click()
    expect(page).to_have_url(f"{browser_guard.base_url}{date.get_absolute_url()}#narvaro")
    expect(page.locator(".cal-attendance__count")).to_contain_text("1")
    expect(page.locator("#narvaro")).to_contain_text(alice.name)
