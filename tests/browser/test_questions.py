"""Frågor in Chromium: Alice asks anonymously, Bob in another municipality answers,
Alice marks his answer as solving her question; Bob never learns who asked.

Forms are found by their addresses and ids, not their labels: the Swedish wording
of these pages is filled in after the code. The last test repeats the core of the
journey with JavaScript switched off."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollegan.questions import services
from kollegan.questions.models import Answer, Question
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

TITLE = "Placering av mor och barn i liten kommun"
BODY = "Vi behöver tips på **placering** av en mamma med barn. Hur har ni gjort?"


def traces_of(member) -> list[str]:
    return [
        member.name,
        member.name.split()[0],
        member.email,
        member.organisation.name,
        member.get_absolute_url(),
    ]


def assert_no_trace(page: Page, member) -> None:
    html = page.locator("main").inner_html()
    found = [trace for trace in traces_of(member) if trace in html]
    assert not found, f"{page.url} shows {found}"


def test_anonymous_question_answered_and_solved(live_server, browser_guard, alice, bob):
    shot = browser_guard.screenshot
    services.question_create(
        author=bob,
        title="Placering av ungdom enligt LVU",
        body="Hur gör ni?",
        topics=[Topic.objects.get(slug="barn-och-unga")],
    )

    # Alice asks, anonymously; similar questions show up while she types the title.
    asker = browser_guard.new_page()
    log_in(asker, alice.email, PASSWORD)
    asker.goto(reverse("questions:list"))
    asker.locator(f'main a[href="{reverse("questions:ask")}"]').first.click()
    expect(asker).to_have_url(live_server.url + reverse("questions:ask"))
    asker.locator("#id_title").press_sequentially(TITLE, delay=5)
    expect(asker.locator("#similar-questions")).to_contain_text("Placering av ungdom enligt LVU")
    asker.locator("#id_body").fill(BODY + " Ring 070-123 45 67.")
    asker.locator('input[name="topics"][value="barn-och-unga"]').check()
    asker.locator("#id_anonymous").check()
    check_aria_references(asker)
    shot(asker, "01-ask-form")

    # The guard finds the phone number: the form comes back with it and a box to tick.
    with browser_guard.allow_status(400):
        asker.locator("form.question-form button[type=submit]").click()
        expect(asker.get_by_role("alert")).to_contain_text("070-123 45 67")
    expect(asker.locator("#id_body")).to_have_value(BODY + " Ring 070-123 45 67.")
    expect(asker.locator("#id_anonymous")).to_be_checked()
    check_aria_references(asker)
    shot(asker, "02-guard-asks-to-confirm")
    asker.locator("#id_body").fill(BODY)
    asker.locator("#id_confirmed").check()
    asker.locator("form.question-form button[type=submit]").click()

    question = Question.objects.get(title=TITLE)
    assert question.is_anonymous and question.author is None
    expect(asker).to_have_url(live_server.url + question.get_absolute_url())
    expect(asker.locator("h1")).to_have_text(TITLE)
    expect(asker.locator(".question .byline__you")).to_be_visible()
    expect(asker.locator(".mine-note")).to_be_visible()

    # Bob, in Storuman, finds it in the list and answers by name.
    answerer = browser_guard.new_page()
    log_in(answerer, bob.email, PASSWORD)
    answerer.goto(reverse("questions:list"))
    assert_no_trace(answerer, alice)
    answerer.get_by_role("link", name=TITLE).click()
    expect(answerer).to_have_url(live_server.url + question.get_absolute_url())
    expect(answerer.locator(".prose strong")).to_have_text("placering")
    assert_no_trace(answerer, alice)
    expect(answerer.locator(".question .byline__you")).to_have_count(0)
    answerer.locator("#svar-body").fill("Vi har använt ett familjehem i grannkommunen.")
    answerer.locator("#svara button[type=submit]").click()
    answer = Answer.objects.get(question=question)
    expect(answerer).to_have_url(live_server.url + answer.get_absolute_url())
    expect(answerer.locator(f"#svar-{answer.pk}")).to_contain_text("familjehem i grannkommunen")

    # Alice marks it as solving her question.
    asker.reload()
    helpful = asker.locator(f'form[action="{reverse("questions:helpful", args=[answer.pk])}"]')
    helpful.locator("button").click()
    expect(asker).to_have_url(live_server.url + answer.get_absolute_url())
    expect(asker.locator(f"#svar-{answer.pk} .helpful-marker")).to_be_visible()
    expect(asker.locator(".question .badge--solved")).to_be_visible()
    question.refresh_from_db()
    assert question.solved

    # Bob sees it solved, and still nothing of who asked: the thread, the list, the start page.
    answerer.reload()
    expect(answerer.locator(f"#svar-{answer.pk} .helpful-marker")).to_be_visible()
    assert_no_trace(answerer, alice)
    shot(answerer, "03-thread-desktop")
    answerer.goto(reverse("questions:list"))
    row = answerer.locator(".question-row").filter(has_text=TITLE)
    expect(row.locator(".badge--solved")).to_be_visible()
    assert_no_trace(answerer, alice)
    shot(answerer, "04-list-desktop")
    answerer.goto(reverse("start"))
    questions_box = answerer.locator(".start-questions")
    expect(questions_box).to_contain_text(TITLE)
    found = [t for t in traces_of(alice) if t in questions_box.inner_html()]
    assert not found, found

    # On a 390 px phone the thread and the list fit the screen.
    answerer.set_viewport_size({"width": 390, "height": 844})
    for url in (question.get_absolute_url(), reverse("questions:list"), reverse("questions:ask")):
        answerer.goto(url)
        check_no_sideways_scrolling(answerer, 390)
        check_boxes_hold_their_content(answerer)
        check_aria_references(answerer)
    answerer.goto(question.get_absolute_url())
    shot(answerer, "05-thread-390px")
    browser_guard.assert_clean()


def test_core_flow_works_without_javascript(live_server, browser_guard, alice, bob):
    """Asking, answering and marking an answer are plain forms and redirects."""
    context = browser_guard.browser.new_context(
        base_url=browser_guard.base_url, java_script_enabled=False, locale="sv-SE"
    )
    browser_guard.contexts.append(context)
    page = context.new_page()
    log_in(page, alice.email, PASSWORD)
    page.goto(reverse("questions:ask"))
    page.locator("#id_title").fill("Ekonomiskt bistånd till fritidsaktiviteter")
    page.locator("#id_body").fill("Ridning och hockey: hur bedömer ni?")
    page.locator('input[name="topics"][value="ekonomiskt-bistand"]').check()
    page.locator("form.question-form button[type=submit]").click()
    question = Question.objects.get()
    expect(page).to_have_url(re.compile(re.escape(question.get_absolute_url()) + "$"))

    other = browser_guard.browser.new_context(
        base_url=browser_guard.base_url, java_script_enabled=False, locale="sv-SE"
    )
    browser_guard.contexts.append(other)
    bobs = other.new_page()
    log_in(bobs, bob.email, PASSWORD)
    bobs.goto(question.get_absolute_url())
    bobs.locator("#kommentera-fragan summary").click()
    bobs.locator("#kommentar-fraga-body").fill("Gäller det barn under 18?")
    bobs.locator("#kommentera-fragan button[type=submit]").click()
    expect(bobs.locator(".comment")).to_contain_text("barn under 18")
    bobs.locator("#svar-body").fill("Vi bedömer det som skäliga kostnader.")
    bobs.locator("#svara button[type=submit]").click()
    answer = Answer.objects.get()

    page.goto(question.get_absolute_url())
    page.locator(f'form[action="{reverse("questions:helpful", args=[answer.pk])}"] button').click()
    expect(page.locator(f"#svar-{answer.pk} .helpful-marker")).to_be_visible()
