"""A member fills in their profile in Chromium: htmx preview, photo upload, the result.

Elements are found by their ids, not their labels: the Swedish wording of this
page is still being written."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_journey import log_in
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_member_previews_uploads_a_photo_and_sees_their_profile(
    live_server, browser_guard, alice, tmp_path
):
    photo = tmp_path / "semester.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 90, 160)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    page = browser_guard.new_page()
    log_in(page, alice.email, PASSWORD)
    page.goto(reverse("profiles:my_page"))
    page.locator(f'a[href="{reverse("profiles:edit")}"]').click()
    expect(page).to_have_url(live_server.url + reverse("profiles:edit"))

    page.locator("#id_about").fill("Jag kan *familjerätt* och\n\n- Trappan-samtal")
    with page.expect_response(lambda r: r.url.endswith(reverse("profiles:edit"))) as answer:
        page.locator('button[name="preview"]').click()
    assert answer.value.request.headers.get("hx-request") == "true"
    preview = page.locator("#about-preview")
    expect(preview.locator("em")).to_have_text("familjerätt")
    expect(preview.locator("li")).to_have_text("Trappan-samtal")
    # htmx fetched the preview in place: the page and what was typed stay.
    expect(page).to_have_url(live_server.url + reverse("profiles:edit"))

    page.locator("#id_title").fill("Familjerättssekreterare")
    page.locator("#id_expertise_new_1").fill("adoptionsutredning")
    page.locator("#id_photo").set_input_files(str(photo))
    # Enter in a text box saves (the form's first submit button is a hidden Save).
    page.locator("#id_town").press("Enter")

    expect(page).to_have_url(live_server.url + reverse("profiles:detail", args=[alice.pk]))
    expect(page.locator("h1")).to_have_text("Alice Andersson")
    expect(page.locator(".profile__title")).to_have_text("Familjerättssekreterare")
    expect(page.locator(".prose em")).to_have_text("familjerätt")
    expect(page.locator('a[href="/medarbetare/?etikett=adoptionsutredning"]')).to_have_text(
        "Adoptionsutredning"
    )
    image = page.locator("img.profile-photo")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    # The browser really decoded it: the photo URL answered with a JPEG.
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 256
    browser_guard.assert_clean()
