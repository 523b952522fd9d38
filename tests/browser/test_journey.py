"""A new colleague's first visit, driven through headless Chromium.

An administrator invites them in the admin, they accept the link, log out and in
again, switch language, use the keyboard and a narrow phone screen. Labels are
looked up the way the site renders them in Swedish, so the test follows the
translators' wording; the menu's Swedish texts are checked once a Swedish
catalogue is compiled, its links always.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from kollegan.accounts import services
from kollegan.accounts.models import Member, Organisation
from kollegan.core.selectors import site_config
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    # live_server needs real commits; serialized_rollback brings back the rows the
    # data migrations made (organisations, topics, menu), which every flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DOCS = Path(__file__).resolve().parents[2] / "docs"

# The main menu a member sees, in the order the working group set it up.
MENU = [
    ("start", "Start"),
    ("questions:list", "Frågor"),
    ("calendar", "Kalendarium"),
    ("notes", "Mötesnoteringar"),
    ("documents", "Dokument"),
    ("profiles:directory", "Medarbetare"),
    ("help", "Hjälp"),
    ("profiles:my_page", "Min sida"),
]


def sv(text: str) -> str:
    """The Swedish the site renders for an English source string."""
    with translation.override("sv"):
        return translation.gettext(text)


def swedish_catalogue() -> bool:
    return sv("Questions") != "Questions"


def log_in(page: Page, email: str, password: str) -> None:
    page.goto(reverse("account_login"))
    page.get_by_label(sv("E-mail address"), exact=True).fill(email)
    page.get_by_label(sv("Password"), exact=True).fill(password)
    page.get_by_role("button", name=sv("Log in"), exact=True).click()


def check_menu(page: Page) -> None:
    menu = page.get_by_role("navigation", name=sv("Main menu"), exact=True)
    links = menu.get_by_role("link")
    expect(links).to_have_count(len(MENU))
    hrefs = [links.nth(i).get_attribute("href") for i in range(len(MENU))]
    assert hrefs == [reverse(name) for name, _ in MENU]
    if swedish_catalogue():
        expect(links).to_have_text([label for _, label in MENU])


def check_no_sideways_scrolling(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px > {width}px"


def check_boxes_hold_their_content(page: Page) -> None:
    """No box's content sticks out sideways (the page as a whole may still fit)."""
    boxes = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(el => {
                const style = getComputedStyle(el);
                return style.display !== "inline" && style.overflowX === "visible"
                    && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
            })
            .map(el => `${el.tagName.toLowerCase()}.${el.className}: "${el.textContent.trim()}"`
                + ` needs ${el.scrollWidth}px, has ${el.clientWidth}px`)"""
    )
    assert not boxes, f"{page.url}: content wider than its box:\n" + "\n".join(boxes)


def check_aria_references(page: Page) -> None:
    """Every id an aria-describedby or aria-labelledby names exists on the page."""
    dangling = page.evaluate(
        """() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby]")]
            .flatMap(el => ["aria-describedby", "aria-labelledby"]
                .flatMap(attr => (el.getAttribute(attr) || "").split(/\\s+/).filter(Boolean)
                    .filter(id => !document.getElementById(id))
                    .map(id => `${el.tagName.toLowerCase()}#${el.id} ${attr} -> ${id}`)))"""
    )
    assert not dangling, f"{page.url}: references to missing elements: {dangling}"


def check_skip_link(page: Page) -> None:
    """The first Tab on a freshly loaded page lands on a visible skip link, and
    following it moves the focus to the main content."""
    page.reload()
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text(sv("Skip to content"))
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 1, box
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_invited_colleague_joins_and_finds_their_way(
    live_server, settings, browser_guard, admin_member
):
    settings.SITE_URL = live_server.url  # invitation links point at this server
    shot = browser_guard.screenshot
    email, name, password = "asa.lindstrom@lycksele.test", "Åsa Lindström", "granskog-och-myr-7"

    # An administrator invites Åsa from the admin, logging in through the site's login page.
    admin = browser_guard.new_page()
    admin.goto(reverse("admin:accounts_invitation_add"))
    expect(admin).to_have_url(re.compile(re.escape(reverse("account_login")) + r"\?next="))
    admin.get_by_label(sv("E-mail address"), exact=True).fill(admin_member.email)
    admin.get_by_label(sv("Password"), exact=True).fill(PASSWORD)
    admin.get_by_role("button", name=sv("Log in"), exact=True).click()
    expect(admin).to_have_url(live_server.url + reverse("admin:accounts_invitation_add"))
    admin.locator("#id_email").fill(email)
    admin.locator("#id_organisation").select_option(label="Lycksele")
    shot(admin, "01-admin-invitation-form")
    admin.locator("input[name=_save]").click()
    # The admin's own "added" message comes too; ours carries the link.
    message = admin.locator(".messagelist li").filter(has_text="/inbjudan/")
    expect(message).to_contain_text(email)
    link = re.search(r"https?://\S+/inbjudan/[\w-]+/", message.inner_text())
    assert link, f"no invitation link in {message.inner_text()!r}"
    assert link.group().startswith(live_server.url + "/")
    shot(admin, "02-admin-invitation-sent")

    # Åsa opens the link in her own browser and creates her account.
    page = browser_guard.new_page()
    page.goto(link.group())
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("main")).to_contain_text(email)
    expect(page.get_by_role("main")).to_contain_text("Lycksele")
    check_aria_references(page)
    # A slip of the fingers first: the form comes back, says why, and keeps her name.
    page.get_by_label(sv("Your name"), exact=True).fill(name)
    page.get_by_label(sv("Choose a password"), exact=True).fill(password)
    page.get_by_label(sv("Repeat the password"), exact=True).fill(password + "x")
    with browser_guard.allow_status(400):
        page.get_by_role("button", name=sv("Create my account"), exact=True).click()
        expect(page.get_by_role("alert")).to_be_visible()
    repeat = page.get_by_label(sv("Repeat the password"), exact=True)
    expect(repeat).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("main")).to_contain_text(sv("The two passwords are not the same."))
    expect(page.get_by_label(sv("Your name"), exact=True)).to_have_value(name)
    shot(page, "03-invitation-mistyped")
    page.get_by_label(sv("Choose a password"), exact=True).fill(password)
    repeat.fill(password)
    page.get_by_role("button", name=sv("Create my account"), exact=True).click()

    # She lands on the start page, logged in, in Swedish, with the whole menu.
    expect(page).to_have_url(live_server.url + reverse("start"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name=name, exact=True)).to_be_visible()
    check_menu(page)
    start_link = page.get_by_role("navigation", name=sv("Main menu")).get_by_role("link").first
    expect(start_link).to_have_attribute("aria-current", "page")
    check_aria_references(page)
    member = Member.objects.get(email=email)
    assert member.organisation == Organisation.objects.get(slug="lycksele")
    shot(page, "04-start-after-invitation")

    # She logs out and in again with her e-mail address and password.
    header.get_by_role("button", name=sv("Log out"), exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url + reverse("account_login"))))
    expect(page.get_by_role("banner").get_by_role("link", name=name)).to_have_count(0)
    shot(page, "05-logged-out")
    log_in(page, email, password)
    expect(page).to_have_url(live_server.url + reverse("start"))
    expect(header.get_by_role("link", name=name, exact=True)).to_be_visible()
    check_menu(page)

    # English from the footer, remembered on her profile; then back to Swedish.
    footer = page.get_by_role("contentinfo")
    footer.get_by_label(sv("Language"), exact=True).select_option("en")
    footer.get_by_role("button", name=sv("Change language"), exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + reverse("start"))
    menu = page.get_by_role("navigation", name="Main menu", exact=True)
    expect(menu.get_by_role("link", name="Questions", exact=True)).to_be_visible()
    member.refresh_from_db()
    assert member.language == "en"
    shot(page, "06-start-in-english")
    footer.get_by_label("Language", exact=True).select_option("sv")
    footer.get_by_role("button", name="Change language", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    member.refresh_from_db()
    assert member.language == "sv"

    # Keyboard: skip link first, and it leads into the main content.
    check_skip_link(page)

    # A 360 px phone: no sideways scrolling on the start page.
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(reverse("start"))
    check_no_sideways_scrolling(page, 360)
    shot(page, "07-start-360px")

    browser_guard.assert_clean()


def test_visitor_meets_the_login_page(live_server, browser_guard):
    page = browser_guard.new_page()
    page.goto(reverse("start"))
    expect(page).to_have_url(
        re.compile(re.escape(live_server.url + reverse("account_login")) + r"\?next=/$")
    )
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    site_name = site_config().site_name
    expect(page).to_have_title(f"{sv('Log in')} – {site_name}")
    expect(page.get_by_role("banner").get_by_role("link", name=site_name)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"{site_name} ")
    expect(page.get_by_role("heading", level=1)).to_have_text(sv("Log in"))
    expect(page.get_by_label(sv("E-mail address"), exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name=sv("Main menu"))).to_have_count(0)
    check_skip_link(page)
    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    check_no_sideways_scrolling(page, 360)
    check_boxes_hold_their_content(page)
    check_aria_references(page)
    browser_guard.screenshot(page, "login-360px")
    browser_guard.assert_clean()


def test_start_page_tiles_hold_their_labels_at_360px(live_server, browser_guard, alice):
    page = browser_guard.new_page(width=360, height=780)
    log_in(page, alice.email, PASSWORD)
    expect(page).to_have_url(live_server.url + reverse("start"))
    check_no_sideways_scrolling(page, 360)
    check_boxes_hold_their_content(page)


def test_invitation_form_errors_are_tied_to_their_fields(live_server, settings, browser_guard):
    settings.SITE_URL = live_server.url
    issued = services.invitation_create(
        email="per.persson@lycksele.test",
        organisation=Organisation.objects.get(slug="lycksele"),
        send_email=False,
    )
    page = browser_guard.new_page()
    page.goto(issued.url)
    with browser_guard.allow_status(400):
        page.get_by_role("button", name=sv("Create my account"), exact=True).click()
        expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label(sv("Your name"), exact=True)).to_have_attribute("aria-invalid", "true")
    check_aria_references(page)


def test_demo_member_sees_the_demo_start_page(live_server, browser_guard, tmp_path):
    """Anna's start page with the demo content, as `make run` shows it.

    With KOLLEGAN_SCREENSHOTS=1 the pictures also go to docs/ for the README:
    KOLLEGAN_SCREENSHOTS=1 .venv/bin/pytest tests/browser -k demo_member"""
    call_command("seed_demo", stdout=io.StringIO())
    page = browser_guard.new_page(width=1280, height=900)
    log_in(page, "anna@kollegan.test", "kollegan-demo")
    expect(page).to_have_url(live_server.url + reverse("start"))
    page.reload()  # without the one-off "you are logged in" message
    expect(page.locator(".site-header__me")).to_have_text("Anna Berglund")
    expect(page.locator(".welcome")).to_contain_text("Digital mötesplats")
    target = DOCS if os.environ.get("KOLLEGAN_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(exist_ok=True)
    options = {"full_page": True, "animations": "disabled", "caret": "hide"}
    page.screenshot(path=str(target / "screenshot-start.png"), **options)
    page.set_viewport_size({"width": 360, "height": 780})
    page.screenshot(path=str(target / "screenshot-start-mobile.png"), **options)
    assert (target / "screenshot-start.png").stat().st_size > 10_000
    browser_guard.assert_clean()
