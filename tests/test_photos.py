"""Profile photos: checked by content, stripped of metadata, served to members only."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, features

from kollegan.profiles import photos
from kollegan.profiles.photos import PHOTO_SIZES, photo_name
from tests.conftest import client_for

LOGIN_PATH = "/konto/login/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- Pictures made for the tests ---------------------------------------------------------


def jpeg_with_gps(size: tuple[int, int] = (800, 600), orientation: int = 1) -> bytes:
    """A camera-like JPEG: GPS position, camera make, orientation, ICC profile, comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telefon AB"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (64.0, 35.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (18.0, 40.0, 10.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=b"fake icc profile", comment=b"Hemma i Lycksele")
    return out.getvalue()


def two_colour_jpeg(orientation: int) -> bytes:
    """200 × 100: top half red, bottom half blue, with an EXIF orientation."""
    image = Image.new("RGB", (200, 100), (255, 0, 0))
    image.paste((0, 0, 255), (0, 50, 200, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def png(size: tuple[int, int] = (300, 200), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (0, 0, 255, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def profile_post(member, /, **extra) -> dict:
    """The edit form as the page sends it, unchanged, plus ``extra``."""
    data = {
        "name": member.name,
        "title": member.title,
        "unit": member.unit_id or "",
        "town": member.town,
        "phone": member.phone,
        "phone_visibility": member.phone_visibility,
        "email_visibility": member.email_visibility,
        "about": member.about,
        "topics": [t.pk for t in member.topics.all()],
        "expertise": [label.pk for label in member.expertise.all()],
        "expertise_new": ["", "", ""],
    }
    data.update(extra)
    return data


def post_photo(client, member, data: bytes, **kwargs):
    return client.post(reverse("profiles:edit"), profile_post(member, photo=upload(data, **kwargs)))


# --- Uploading -----------------------------------------------------------------------------


def test_jpeg_with_gps_is_stored_in_every_size_without_metadata(
    alice_client, alice, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_photo(alice_client, alice, jpeg_with_gps(), name="semester-i-thailand.jpg")
    assert response.status_code == 302
    alice.refresh_from_db()
    key = alice.photo_key
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", key)
    assert stored_files(media_root) == sorted(photo_name(key, size) for size in PHOTO_SIZES)
    for size, side in PHOTO_SIZES.items():
        raw = (media_root / photo_name(key, size)).read_bytes()
        assert b"semester" not in raw
        assert b"Hemma i Lycksele" not in raw
        assert b"Telefon AB" not in raw
        with Image.open(io.BytesIO(raw)) as image:
            assert image.format == "JPEG"
            assert image.size == (side, side)
            assert image.mode == "RGB"
            assert not image.getexif()
            assert "exif" not in image.info
            assert "icc_profile" not in image.info
            assert "comment" not in image.info


def test_stored_name_is_random_not_the_uploaded_name(alice_client, alice, bob, media_root):
    post_photo(alice_client, alice, jpeg_with_gps(), name="alice-andersson.jpg")
    post_photo(client_for(bob), bob, jpeg_with_gps(), name="alice-andersson.jpg")
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.photo_key != bob.photo_key
    assert not any("andersson" in name for name in stored_files(media_root))


def test_exif_orientation_is_applied_before_cropping(alice_client, alice, media_root):
    # Orientation 6: the camera was turned, the picture shows rotated 90° clockwise,
    # so the red top half ends up on the right.
    post_photo(alice_client, alice, two_colour_jpeg(orientation=6))
    alice.refresh_from_db()
    with Image.open(media_root / photo_name(alice.photo_key, "small")) as image:
        left = image.getpixel((10, 48))
        right = image.getpixel((85, 48))
    assert left[2] > 200 and left[0] < 60, left  # blue
    assert right[0] > 200 and right[2] < 60, right  # red


def test_png_with_transparency_is_stored_as_square_jpeg(alice_client, alice, media_root):
    response = post_photo(alice_client, alice, png(), name="me.png", content_type="image/png")
    assert response.status_code == 302
    alice.refresh_from_db()
    with Image.open(media_root / photo_name(alice.photo_key, "large")) as image:
        assert image.format == "JPEG"
        assert image.size == (512, 512)


def test_gif_keeps_only_the_first_frame(alice_client, alice, media_root):
    frames = [Image.new("P", (120, 120), colour) for colour in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    response = post_photo(alice_client, alice, out.getvalue(), name="a.gif")
    assert response.status_code == 302
    alice.refresh_from_db()
    with Image.open(media_root / photo_name(alice.photo_key, "medium")) as image:
        assert image.format == "JPEG"
        assert getattr(image, "n_frames", 1) == 1


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_webp_is_accepted(alice_client, alice):
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 120, 10)).save(out, "WEBP")
    assert post_photo(alice_client, alice, out.getvalue(), name="a.webp").status_code == 302
    alice.refresh_from_db()
    assert alice.photo_key


def _assert_refused(response, alice, media_root, code: str, field: str = "photo") -> None:
    """400, the error shown beside the field, and nothing stored anywhere."""
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [error.code for error in errors[field]] == [code]
    assert 'class="field-error"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.photo_key == ""
    assert stored_files(media_root) == []


def test_text_file_named_jpg_is_refused_and_nothing_stored(alice_client, alice, media_root):
    response = post_photo(alice_client, alice, b"Detta \xe4r ingen bild.\n" * 20)
    _assert_refused(response, alice, media_root, "not_an_image")


def test_svg_is_refused(alice_client, alice, media_root):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9"/></svg>'
    response = post_photo(alice_client, alice, svg, name="me.svg", content_type="image/svg+xml")
    _assert_refused(response, alice, media_root, "not_an_image")


def test_svg_named_png_is_refused(alice_client, alice, media_root):
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'
    response = post_photo(alice_client, alice, svg, name="me.png", content_type="image/png")
    _assert_refused(response, alice, media_root, "not_an_image")


def test_other_image_formats_are_refused(alice_client, alice, media_root):
    out = io.BytesIO()
    Image.new("RGB", (50, 50)).save(out, "BMP")
    response = post_photo(alice_client, alice, out.getvalue(), name="me.jpg")
    _assert_refused(response, alice, media_root, "not_an_image")


def test_truncated_jpeg_is_refused(alice_client, alice, media_root):
    data = jpeg_with_gps((1200, 900))
    response = post_photo(alice_client, alice, data[: len(data) // 2])
    _assert_refused(response, alice, media_root, "not_an_image")


def test_fifty_megapixel_image_is_refused_before_decoding(alice_client, alice, media_root):
    # A few kilobytes of PNG that would be 52 million pixels once decoded.
    out = io.BytesIO()
    Image.new("1", (8000, 6500)).save(out, "PNG")
    assert len(out.getvalue()) < 100_000
    response = post_photo(alice_client, alice, out.getvalue(), name="bomb.png")
    _assert_refused(response, alice, media_root, "too_many_pixels")
    assert "8000 × 6500" in str(response.context["form"].errors["photo"])


def test_pillows_own_bomb_guard_is_a_refusal_too(
    alice_client, alice, media_root, settings, monkeypatch
):
    settings.PROFILE_PHOTO_MAX_PIXELS = 10**12
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    for side in (120, 200):  # above the limit: a warning; above twice the limit: an error
        response = post_photo(alice_client, alice, png((side, side)), name="bomb.png")
        _assert_refused(response, alice, media_root, "too_many_pixels")


def test_file_over_the_byte_limit_is_refused(alice_client, alice, media_root, settings):
    data = jpeg_with_gps()
    settings.PROFILE_PHOTO_MAX_BYTES = len(data) - 1
    response = post_photo(alice_client, alice, data)
    _assert_refused(response, alice, media_root, "too_large")


def test_valid_photo_is_not_stored_when_another_field_is_wrong(alice_client, alice, media_root):
    data = profile_post(alice, name="", photo=upload(jpeg_with_gps()))
    response = alice_client.post(reverse("profiles:edit"), data)
    _assert_refused(response, alice, media_root, "required", field="name")


def test_new_photo_replaces_and_deletes_the_old_files(
    alice_client, alice, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(alice_client, alice, jpeg_with_gps())
    alice.refresh_from_db()
    first = alice.photo_key
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(alice_client, alice, png(), name="new.png")
    alice.refresh_from_db()
    assert alice.photo_key not in ("", first)
    assert stored_files(media_root) == sorted(
        photo_name(alice.photo_key, size) for size in PHOTO_SIZES
    )


def test_member_can_remove_their_photo(
    alice_client, alice, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(alice_client, alice, jpeg_with_gps())
    alice.refresh_from_db()
    old = alice.photo_url("small")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("profiles:edit"), profile_post(alice, remove_photo="on")
        )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.photo_key == ""
    assert stored_files(media_root) == []
    assert alice_client.get(old).status_code == 404


def test_new_photo_and_remove_together_is_refused(alice_client, alice, media_root):
    post_photo(alice_client, alice, jpeg_with_gps())
    alice.refresh_from_db()
    before = (alice.photo_key, stored_files(media_root))
    data = profile_post(alice, remove_photo="on", photo=upload(png(), name="b.png"))
    response = alice_client.post(reverse("profiles:edit"), data)
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["photo"]] == [
        "photo_and_remove"
    ]
    alice.refresh_from_db()
    assert (alice.photo_key, stored_files(media_root)) == before


# --- Serving -------------------------------------------------------------------------------


@pytest.fixture
def alice_photo(alice) -> str:
    alice.photo_key = photos.store_photo(photos.prepare_photo(upload(jpeg_with_gps((300, 300)))))
    alice.save(update_fields=["photo_key"])
    return alice.photo_key


def test_members_get_the_photo_with_safe_headers(bob_client, alice, alice_photo):
    for size, side in PHOTO_SIZES.items():
        response = bob_client.get(alice.photo_url(size))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"].startswith("private")
        with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
            assert image.size == (side, side)


def test_visitors_are_sent_to_login_for_a_photo(client, alice, alice_photo):
    response = client.get(alice.photo_url("medium"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_PATH)


def test_deactivated_session_is_sent_to_login_for_a_photo(dave_client, alice, alice_photo):
    response = dave_client.get(alice.photo_url("medium"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_PATH)


def test_unknown_photo_key_or_size_is_404(bob_client, alice_photo):
    unknown = reverse("profiles:photo", args=["x" * 24, "small"])
    assert bob_client.get(unknown).status_code == 404
    assert bob_client.get(f"/medarbetare/foto/{alice_photo}-huge.jpg").status_code == 404
    assert bob_client.get(f"/medarbetare/foto/{alice_photo}-small.png").status_code == 404
    assert bob_client.get("/medarbetare/foto/..%2F..%2Fsecret_key-small.jpg").status_code == 404


def test_profile_page_shows_the_medium_photo(bob_client, alice, alice_photo):
    response = bob_client.get(reverse("profiles:detail", args=[alice.pk]))
    assert f'src="{alice.photo_url("medium")}"' in response.content.decode()


def test_storage_is_the_default_storage(alice_photo, media_root):
    assert default_storage.exists(photo_name(alice_photo, "small"))
    assert (media_root / "photos").is_dir()
