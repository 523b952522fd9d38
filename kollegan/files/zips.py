"""Office files are zip archives, and a zip archive can be a bomb: a few
kilobytes that unpack to gigabytes. The listing is checked before anything is
unpacked (how many members, what they claim to unpack to in all and each
relative to its packed size), and every read counts the bytes it really gets,
against a budget for the whole file: the sizes in the listing are claims.

Nothing is ever unpacked to disk, so the members' names are never paths."""

import re
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from kollegan.files.refusals import damaged, refused, zip_bomb

CHUNK = 64 * 1024
# Members smaller than this may have any ratio: a page of repeated spaces packs
# well beyond any limit and is harmless.
RATIO_FREE_BYTES = 1024 * 1024
# Where the rewritten package is kept: in memory up to this size, then a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


class Budget:
    """How many unpacked bytes may still be read from one archive."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise zip_bomb()


def open_archive(fileobj: IO[bytes], label: str) -> zipfile.ZipFile:
    """The archive, with its listing checked; refused when damaged or a possible bomb."""
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
        members = archive.infolist()
    except Exception as exc:  # zipfile raises many kinds on damaged input
        raise damaged(label) from exc
    if len(members) > settings.FILES_ZIP_MAX_MEMBERS:
        raise zip_bomb()
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        # Two members of one name: programs may read either, so what is checked
        # need not be what is opened.
        raise damaged(label)
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise refused(
                _(
                    "Password-protected files cannot be attached: they cannot be checked for "
                    "personal identity numbers. Remove the password and attach the file again."
                ),
                "encrypted",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise damaged(label)
        total += info.file_size
        ratio_limit = max(info.compress_size, 1) * settings.FILES_ZIP_MAX_RATIO
        if info.file_size > RATIO_FREE_BYTES and info.file_size > ratio_limit:
            raise zip_bomb()
    if total > settings.FILES_ZIP_MAX_BYTES:
        raise zip_bomb()
    return archive


def chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget, label: str
) -> Iterator[bytes]:
    """A member's bytes as unpacked, counted against the budget and its declared size."""
    received = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                received += len(chunk)
                if received > info.file_size:
                    raise zip_bomb()
                budget.take(len(chunk))
                yield chunk
    except zipfile.BadZipFile as exc:  # a wrong checksum, or sizes that lie
        raise damaged(label) from exc
    except (OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise damaged(label) from exc


def read(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget, label: str, limit: int
) -> bytes:
    """A small member whole (a listing, metadata); refused when larger than ``limit``."""
    if info.file_size > limit:
        raise damaged(label)
    return b"".join(chunks(archive, info, budget, label))


def rewrite(
    archive: zipfile.ZipFile,
    budget: Budget,
    label: str,
    replacements: dict[str, bytes],
) -> IO[bytes]:
    """A new archive with the same members in the same order and packing (an
    OpenDocument's uncompressed "mimetype" stays first), some of them replaced.
    Nothing else of the old archive is copied: no comments, extra fields or
    file attributes."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned open
    with zipfile.ZipFile(out, "w") as written:
        for info in archive.infolist():
            try:
                fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            except ValueError:
                fresh = zipfile.ZipInfo(info.filename)
            fresh.compress_type = info.compress_type
            if info.is_dir():
                written.writestr(fresh, b"")
            elif info.filename in replacements:
                written.writestr(fresh, replacements[info.filename])
            else:
                with written.open(fresh, "w") as target:
                    for chunk in chunks(archive, info, budget, label):
                        target.write(chunk)
    out.seek(0)
    return out


# --- Metadata ---------------------------------------------------------------------------------

_BLANKED: dict[str, tuple[str, ...]] = {
    # Office Open XML: who wrote the file, who saved it last, their company and boss.
    "docProps/core.xml": ("creator", "lastModifiedBy"),
    "docProps/app.xml": ("Company", "Manager"),
    # OpenDocument: the same, and who printed it.
    "meta.xml": ("initial-creator", "creator", "printed-by"),
}
METADATA_MAX_BYTES = 1024 * 1024


def blank_elements(xml: bytes, local_names: tuple[str, ...]) -> bytes:
    """The XML with these elements emptied (``<dc:creator/>``), whatever their prefix.
    The part must be UTF-8 (Office and LibreOffice write nothing else)."""
    text = xml.decode("utf-8")
    names = "|".join(re.escape(name) for name in local_names)
    pattern = re.compile(
        rf"<(?P<tag>(?:[\w.-]+:)?(?:{names}))(?P<attrs>\s[^<>]*?)?\s*(?:/>|>.*?</(?P=tag)\s*>)",
        re.DOTALL,
    )
    return pattern.sub(lambda m: f"<{m['tag']}{m['attrs'] or ''}/>", text).encode("utf-8")


def metadata_parts() -> dict[str, tuple[str, ...]]:
    return _BLANKED
