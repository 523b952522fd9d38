"""Pictures on posts: checked by their content, re-encoded from pixels only (no
EXIF, GPS or comments survive), stored under a random name through Django's
storage and served to logged-in members only (feed.views.image)."""

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image

from kollegan.profiles import photos

IMAGE_FOLDER = "posts"
MAX_SIDE = 1600


def image_name(key: str) -> str:
    return f"{IMAGE_FOLDER}/{key}.jpg"


def prepare_post_image(upload: UploadedFile) -> bytes:
    """The JPEG to store, or ValidationError {"image": ...} in the member's language."""
    try:
        if upload.size is None or upload.size > settings.PROFILE_PHOTO_MAX_BYTES:
            raise ValidationError(
                _("The file is too large. A picture may be at most %(megabytes)s MB.")
                % {"megabytes": settings.PROFILE_PHOTO_MAX_BYTES // (1024 * 1024) or 1},
                code="too_large",
            )
        image = photos.decode_upload(upload, min_side=MAX_SIDE)
    except ValidationError as error:
        raise ValidationError({"image": error}) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=photos.JPEG_QUALITY, optimize=True)
    return out.getvalue()


def store_post_image(data: bytes) -> str:
    key = secrets.token_urlsafe(18)
    name = image_name(key)
    stored = default_storage.save(name, ContentFile(data))
    if stored != name:
        default_storage.delete(stored)
        raise RuntimeError(f"storage refused the name {name!r}")
    return key


def delete_post_image(key: str) -> None:
    if key:
        default_storage.delete(image_name(key))
