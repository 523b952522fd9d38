import pytest
from django.urls import reverse
from kollegan.events import services
from tests.browser.test_calendar_browser import mötesplats, save
from tests.browser.test_journey import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def test_shots(live_server, browser_guard, alice, carol, bob):
    date = mötesplats(carol)
    services.feed_renew(member=carol)
    services.attendance_set(occurrence=date, member=bob)
    for width in (1280, 375):
        page = browser_guard.new_page(width=width)
        log_in(page, carol.email, PASSWORD)
        for name, url in [("create", reverse("events:create")), ("detail", date.event.get_absolute_url()),
                          ("sub", reverse("events:subscription")), ("edit", reverse("events:edit", args=[date.event.pk])),
                          ("occ", date.get_absolute_url()), ("occedit", reverse("events:occurrence_edit", args=[date.pk]))]:
            page.goto(url)
            save(page, f"tmp-{name}-{width}")
        page.goto(reverse("events:create"))
        page.locator("#id_title").fill("X")
        page.locator("#id_description").fill("Gäller 19121212-1212")
        page.locator("#id_start_date").fill("2026-12-09")
        page.locator("#id_start_time").fill("10:00")
        page.locator("#id_end_time").fill("09:00")
        page.locator("#id_repeat").select_option("weekly")
        page.locator("#id_themes").fill("2031-01-01 Våld")
        with browser_guard.allow_status(400):
            page.locator("form.event-form button[type=submit]").click()
        save(page, f"tmp-errors-{width}")
