"""Start in Chromium: Alice posts a note with a picture and a topic, Bob in another
municipality likes it and replies; "Show more" grows the feed in place. Then the
same journey with JavaScript switched off: plain forms, links and redirects.

Forms are found by their addresses and ids, not their labels: the Swedish wording
of these pages is filled in after the code."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from kollegan.feed import services
from kollegan.feed.models import Like, Post, Reply
from kollegan.feed.selectors import FEED_PAGE_SIZE
from kollegan.questions import services as question_services
from kollegan.topics.models import Topic
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

NOTE = "Nästa veckas tema på **digitala mötesplatsen** är funktionshinder. Välkomna!"
PHONE = "070-123 45 67"
START = reverse("start")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "motesplats.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (900, 500), (20, 90, 160)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def older_feed(author, count: int) -> None:
    """Entries from before today, so "Show more" has something to show."""
    barn = Topic.objects.get(slug="barn-och-unga")
    for n in range(count):
        if n % 5 == 0:
            question_services.question_create(
                author=author, title=f"Äldre fråga {n}", body="Hur?", topics=[barn]
            )
        else:
            services.post_create(author=author, body=f"Äldre inlägg {n}")


def post_form(page: Page):
    return page.locator(f'form.post-form[action="{reverse("feed:create")}"]')


def test_member_posts_and_a_colleague_likes_and_replies(
    live_server, browser_guard, alice, bob, carol, picture
):
    shot = browser_guard.screenshot
    older_feed(carol, FEED_PAGE_SIZE + 3)

    # Alice writes a note with a phone number, a topic and a picture.
    writer = browser_guard.new_page()
    log_in(writer, alice.email, PASSWORD)
    writer.goto(START)
    form = post_form(writer)
    form.locator("#id_body").fill(f"{NOTE} Ring {PHONE}.")
    form.locator(".post-form__more summary").click()
    form.locator('input[name="topics"][value="funktionshinder"]').check()
    form.locator("#id_image").set_input_files(str(picture))
    check_aria_references(writer)
    shot(writer, "01-start-with-form")

    # The guard finds the phone number: the form comes back with a box to tick, and
    # says the picture must be chosen again.
    with browser_guard.allow_status(400):
        form.locator("button[type=submit]").click()
        expect(writer.get_by_role("alert")).to_contain_text(PHONE)
    expect(writer).to_have_url(live_server.url + reverse("feed:create"))
    expect(writer.locator(".callout--warning")).to_be_visible()
    expect(writer.locator('input[name="topics"][value="funktionshinder"]')).to_be_checked()
    check_aria_references(writer)
    shot(writer, "02-guard-asks-to-confirm")
    writer.locator("#id_body").fill(NOTE)
    writer.locator("#id_image").set_input_files(str(picture))
    writer.locator("#id_confirmed").check()
    post_form(writer).locator("button[type=submit]").click()

    post = Post.objects.get(author=alice)
    assert post.image_key and post.topics.get().slug == "funktionshinder"
    expect(writer).to_have_url(f"{live_server.url}{START}#inlagg-{post.pk}")
    entry = writer.locator(f"#inlagg-{post.pk}")
    expect(entry.locator(".post__body strong")).to_have_text("digitala mötesplatsen")
    expect(entry.locator("img.post__image")).to_be_visible()
    # Visible is not loaded: wait for the picture itself (a busy CI machine is slow).
    expect(entry.locator("img.post__image")).to_have_js_property("complete", True)
    assert entry.locator("img.post__image").evaluate("img => img.naturalWidth") == 900

    # Bob, in Storuman, likes it without a reload (htmx swaps the button).
    reader = browser_guard.new_page()
    log_in(reader, bob.email, PASSWORD)
    reader.goto(START)
    entry = reader.locator(f"#inlagg-{post.pk}")
    expect(entry).to_contain_text(alice.name)
    like_button = entry.locator(f"#inlagg-gilla-{post.pk}")
    with reader.expect_response(lambda r: "/gilla/" in r.url) as answer:
        like_button.click()
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(entry.locator('input[name="value"]')).to_have_value("off")
    expect(entry.locator(".like-count")).to_be_visible()
    expect(reader.locator(f"#inlagg-gilla-{post.pk}")).to_be_focused()
    expect(reader).to_have_url(live_server.url + START)
    assert Like.objects.filter(post=post, member=bob).exists()

    # "Show more" adds the older entries under the newest, on the same page.
    before = reader.locator("#flode > li.feed-entry").count()
    assert before == FEED_PAGE_SIZE
    reader.locator(".feed__more a").click()
    expect(reader.locator("#flode > li.feed-entry")).to_have_count(FEED_PAGE_SIZE + 4)
    expect(reader.locator(".feed__more")).to_have_count(0)
    expect(reader).to_have_url(live_server.url + START)
    # The focus moves to the first new entry (static/js/feed.js).
    expect(reader.locator("#flode > li.feed-entry:focus")).to_have_count(1)
    assert (
        reader.locator("#flode > li.feed-entry")
        .nth(FEED_PAGE_SIZE)
        .evaluate("el => el === document.activeElement")
    )
    check_aria_references(reader)
    shot(reader, "03-feed-after-show-more")

    # Who likes it, then a reply on the post's own page.
    entry.locator(".like-count").click()
    expect(reader).to_have_url(live_server.url + reverse("feed:likers", args=[post.pk]))
    expect(reader.locator("main")).to_contain_text(bob.name)
    reader.goto(post.get_absolute_url())
    reader.locator("#svara-body").fill("Tack! Jag kommer och tar med en kollega.")
    reader.locator("#svara button[type=submit]").click()
    reply = Reply.objects.get(post=post)
    expect(reader).to_have_url(live_server.url + reply.get_absolute_url())
    expect(reader.locator(f"#svar-{reply.pk}")).to_contain_text("tar med en kollega")
    picture_shown = reader.locator("img.post__image")
    expect(picture_shown).to_have_js_property("complete", True)
    assert picture_shown.evaluate("img => img.naturalWidth") == 900
    check_aria_references(reader)
    shot(reader, "04-post-page-desktop")

    # Alice sees the reply counted in the feed.
    writer.goto(START)
    expect(writer.locator(f'#inlagg-{post.pk} a[href$="#svar"]')).to_contain_text("1")
    shot(writer, "05-start-desktop")

    # Carol, a moderator, pins the post as an announcement at the top of the start page.
    moderator = browser_guard.new_page()
    log_in(moderator, carol.email, PASSWORD)
    moderator.goto(post.get_absolute_url())
    expect(moderator.locator("details.disclosure--moderate")).to_have_count(2)  # post, reply
    moderator.locator(f'form[action="{reverse("feed:pin", args=[post.pk])}"] button').click()
    expect(moderator.locator(".badge--pinned")).to_be_visible()
    check_aria_references(moderator)
    shot(moderator, "08-post-page-moderator")
    moderator.goto(START)
    expect(moderator.locator(f"#fast-{post.pk}")).to_contain_text("digitala mötesplatsen")
    expect(moderator.locator(f"#inlagg-{post.pk}")).to_be_visible()
    check_aria_references(moderator)
    shot(moderator, "09-start-with-pinned-post")

    # On a 390 px phone the pages fit the screen.
    for page in (writer, reader):
        page.set_viewport_size({"width": 390, "height": 844})
    pages = [
        START,
        post.get_absolute_url(),
        reverse("feed:create"),
        reverse("feed:likers", args=[post.pk]),
    ]
    for url in pages:
        writer.goto(url)
        check_no_sideways_scrolling(writer, 390)
        check_boxes_hold_their_content(writer)
        check_aria_references(writer)
    writer.goto(START)
    shot(writer, "06-start-390px")
    writer.goto(post.get_absolute_url())
    shot(writer, "07-post-390px")
    browser_guard.assert_clean()


def no_js_page(browser_guard, member) -> Page:
    context = browser_guard.browser.new_context(
        base_url=browser_guard.base_url, java_script_enabled=False, locale="sv-SE"
    )
    browser_guard.contexts.append(context)
    page = context.new_page()
    log_in(page, member.email, PASSWORD)
    return page


def test_the_journey_works_without_javascript(live_server, browser_guard, alice, bob, carol):
    """Posting, liking, replying and "Show more" are plain forms, links and redirects."""
    older_feed(carol, FEED_PAGE_SIZE + 2)
    writer = no_js_page(browser_guard, alice)
    writer.goto(START)
    form = post_form(writer)
    form.locator("#id_body").fill("Utan JavaScript: ses på onsdag!")
    form.locator(".post-form__more summary").click()
    form.locator("#id_link").fill("https://teams.example.se/motesplats")
    form.locator("button[type=submit]").click()
    post = Post.objects.get(author=alice)
    assert post.link == "https://teams.example.se/motesplats"
    expect(writer).to_have_url(f"{live_server.url}{START}#inlagg-{post.pk}")
    expect(writer.locator(f"#inlagg-{post.pk} .post__link a")).to_have_attribute(
        "href", "https://teams.example.se/motesplats"
    )

    reader = no_js_page(browser_guard, bob)
    reader.goto(START)
    reader.locator(f"#inlagg-gilla-{post.pk}").click()
    # A plain POST and a redirect back to the entry.
    expect(reader).to_have_url(f"{live_server.url}{START}#inlagg-{post.pk}")
    expect(reader.locator(f'#inlagg-{post.pk} input[name="value"]')).to_have_value("off")
    assert Like.objects.filter(post=post, member=bob).count() == 1
    reader.locator(f'#inlagg-{post.pk} a[href$="#svar"]').click()
    expect(reader).to_have_url(re.compile(re.escape(post.get_absolute_url()) + "#svar$"))
    reader.locator("#svara-body").fill("Jag kommer!")
    reader.locator("#svara button[type=submit]").click()
    reply = Reply.objects.get(post=post)
    expect(reader.locator(f"#svar-{reply.pk}")).to_contain_text("Jag kommer!")

    # "Show more" is a link to the start page after the last entry shown.
    reader.goto(START)
    reader.locator(".feed__more a").click()
    expect(reader).to_have_url(re.compile(r"/\?fore=[\d-]+#senaste$"))
    expect(reader.locator("#flode > li.feed-entry")).to_have_count(3)
    browser_guard.assert_clean()
