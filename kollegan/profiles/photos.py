"""Profile photos: checked by content, cleaned of metadata, stored in fixed sizes.

An upload is never stored as sent. Pillow decides what the file is (the name and
the browser's Content-Type say nothing), the pixels are copied into a new image
so no EXIF, GPS position, ICC profile or comment survives, and the result is
saved as square JPEGs under a random name. The files are served only through
``profiles:photo``, to logged-in members.
"""

import io
import secrets
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Side of the square in pixels for each size the pages use.
PHOTO_SIZES: dict[str, int] = {"small": 96, "medium": 256, "large": 512}
# Only decoders for these formats are tried: Pillow can also read formats that
# hand the file to external programs (EPS via Ghostscript), which an upload
# must never reach. SVG is not an image to Pillow at all, so it is refused too.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
PHOTO_FOLDER = "photos"
JPEG_QUALITY = 85


@dataclass(frozen=True)
class PreparedPhoto:
    """The JPEG bytes for every size, ready to store."""

    renditions: dict[str, bytes]


def photo_name(key: str, size: str) -> str:
    return f"{PHOTO_FOLDER}/{key}-{size}.jpg"


def new_photo_key() -> str:
    # 18 random bytes: 24 URL-safe characters, unguessable and never the upload's name.
    return secrets.token_urlsafe(18)


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _not_an_image() -> ValidationError:
    return _refuse(
        _("The file is not a picture we can use. Choose a photo in JPEG, PNG, WebP or GIF format."),
        "not_an_image",
    )


def _open(upload: UploadedFile) -> Image.Image:
    """Open the upload for reading its header only; nothing is decoded yet."""
    upload.seek(0)
    with warnings.catch_warnings():
        # Pillow's own bomb guard warns first and raises later; both mean "refuse".
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(upload, formats=ALLOWED_FORMATS)
    width, height = image.size
    if width * height > settings.PROFILE_PHOTO_MAX_PIXELS:
        raise _refuse(
            _(
                "The picture is too large (%(width)s × %(height)s pixels). "
                "Choose a picture of at most %(megapixels)s megapixels."
            )
            % {
                "width": width,
                "height": height,
                "megapixels": settings.PROFILE_PHOTO_MAX_PIXELS // 1_000_000,
            },
            "too_many_pixels",
        )
    if width < 1 or height < 1:
        raise _not_an_image()
    return image


def _decode(upload: UploadedFile, min_side: int) -> Image.Image:
    # verify() checks the file's structure without keeping pixels, and leaves the
    # image unusable, so the file is opened again for the real decoding.
    _open(upload).verify()
    image = _open(upload)
    if getattr(image, "is_animated", False):
        image.seek(0)  # An animated GIF becomes its first frame.
    # A JPEG can be decoded at a fraction of its size: a 40-megapixel camera
    # photo then costs a few MB of memory instead of 120 for a 512 px result.
    image.draft("RGB", (min_side, min_side))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image.load()
    # Phones store "rotate this way" in EXIF instead of turning the pixels.
    return ImageOps.exif_transpose(image)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels only: transparency over white, palettes and greyscale expanded."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _rendition(square: Image.Image, side: int) -> bytes:
    resized = square.resize((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    # A new image from the raw pixels carries no info dict: no EXIF, GPS, ICC,
    # XMP or comments can reach the saved file, whatever the source held.
    clean = Image.frombytes("RGB", resized.size, resized.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def decode_upload(
    upload: UploadedFile, *, min_side: int = 2 * max(PHOTO_SIZES.values())
) -> Image.Image:
    """The upload's pixels as RGB, checked by content, or ValidationError in the
    member's language (also used for pictures on posts). A JPEG may be decoded
    at reduced size, but never below ``min_side`` pixels a side."""
    if upload.size == 0:
        raise _not_an_image()
    try:
        image = _decode(upload, min_side)
        return _flatten(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(
            _("The picture has too many pixels. Choose a smaller picture."), "too_many_pixels"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        # Truncated or malformed files make the decoders raise any of these.
        raise _not_an_image() from exc
    finally:
        upload.seek(0)


def prepare_photo(upload: UploadedFile) -> PreparedPhoto:
    """Check an upload by its content and make the stored sizes, or raise ValidationError."""
    if upload.size is None or upload.size > settings.PROFILE_PHOTO_MAX_BYTES:
        raise _refuse(
            _("The file is too large. A photo may be at most %(megabytes)s MB.")
            % {"megabytes": settings.PROFILE_PHOTO_MAX_BYTES // (1024 * 1024) or 1},
            "too_large",
        )
    rgb = decode_upload(upload)
    square = ImageOps.fit(rgb, (min(rgb.size),) * 2, Image.Resampling.LANCZOS)
    return PreparedPhoto(
        renditions={size: _rendition(square, side) for size, side in PHOTO_SIZES.items()}
    )


def store_photo(photo: PreparedPhoto) -> str:
    """Save every size under a new random key and return the key."""
    key = new_photo_key()
    saved: list[str] = []
    try:
        for size, data in photo.renditions.items():
            name = photo_name(key, size)
            stored = default_storage.save(name, ContentFile(data))
            saved.append(stored)
            if stored != name:  # The storage renamed it: the key would not find it.
                raise RuntimeError(f"storage refused the name {name!r}")
    except Exception:
        for name in saved:
            default_storage.delete(name)
        raise
    return key


def delete_photo(key: str) -> None:
    if not key:
        return
    for size in PHOTO_SIZES:
        default_storage.delete(photo_name(key, size))
