"""A member is told in the bell, opens what happened, and changes what she gets
e-mail about, in Chromium and without JavaScript being needed for any of it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kollegan.notifications import delivery
from kollegan.notifications.models import Activity, Frequency, Kind
from kollegan.notifications.services import subscriptions_of, subscriptions_set
from kollegan.questions import services as questions
from kollegan.topics.models import Topic
from tests.browser.test_journey import log_in
from tests.conftest import PASSWORD
from tests.helpers import sv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_bell_list_open_and_email_settings(live_server, browser_guard, alice, bob):
    barn = Topic.objects.get(slug="barn-och-unga")
    vald = Topic.objects.get(slug="vald")
    subscriptions_set(member=alice, choices={(barn.pk, Kind.QUESTION): Frequency.IMMEDIATE})
    question = questions.question_create(
        author=bob, title="Jourhem på helger", body="Hur gör ni?", topics=[barn]
    )
    for pk in Activity.objects.values_list("pk", flat=True):
        delivery.activity_fan_out(pk)

    page = browser_guard.new_page()
    log_in(page, alice.email, PASSWORD)
    bell = page.locator("a.bell")
    expect(bell.locator(".bell__count")).to_have_text("1")
    bell.click()
    expect(page).to_have_url(live_server.url + reverse("notifications:list"))
    page.get_by_role("link", name="Jourhem på helger").click()
    expect(page).to_have_url(live_server.url + reverse("questions:detail", args=[question.pk]))
    expect(page.locator("a.bell .bell__count")).to_have_count(0)

    page.goto(reverse("notifications:settings"))
    page.locator(f'select[name="sub-{vald.pk}-question"]').select_option(Frequency.DAILY)
    page.get_by_role("button", name=sv("Save e-mail settings")).click()
    expect(page.get_by_text(sv("Your e-mail settings are saved."))).to_be_visible()
    assert subscriptions_of(alice) == {
        (barn.pk, Kind.QUESTION): Frequency.IMMEDIATE,
        (vald.pk, Kind.QUESTION): Frequency.DAILY,
    }
    browser_guard.assert_clean()
