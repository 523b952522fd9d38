"""Checking an upload before anything is stored: its size, what it is (from the
content alone), whether it can be read, the text in it (for search and the
confidentiality guard) and a copy without its author's metadata.

``prepare(upload)`` returns what to store, or raises a ValidationError on the
field "file" whose message says, in the member's language, what is wrong."""

import codecs
import io
import re
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from kollegan.files import extract, zips
from kollegan.files.kinds import (
    DOCX,
    JPEG,
    KINDS,
    KNOWN_EXTENSIONS,
    ODF_MIMETYPES,
    OOXML_FOLDERS,
    PDF,
    PNG,
    PPTX,
    TXT,
    XLSX,
    Kind,
    allowed_names,
)
from kollegan.files.models import NAME_MAX
from kollegan.files.refusals import (
    FileConfidentialityError,
    damaged,
    refused,
    too_large,
)
from kollegan.lib.guard import check_text

DEFAULT_STEM = "fil"
HEAD_BYTES = 8192
SPOOL_BYTES = 8 * 1024 * 1024

_PDF = b"%PDF-"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_ZIP = b"PK\x03\x04"
# Word 97–2003, Excel and PowerPoint files, and password-protected Office files.
_COMPOUND = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

OFFICE_LABEL = gettext_lazy("Office file")


@dataclass
class Prepared:
    """A checked upload, ready to store: nothing of it is stored yet."""

    name: str
    kind: Kind
    content: IO[bytes]
    size: int
    text: str


# --- Names -------------------------------------------------------------------------------------

_UNSAFE = set('<>:"|?*')


def clean_name(raw: str, kind: Kind) -> str:
    """The name to show and to offer when downloading: no folders (either slash),
    no control or direction characters, no leading dots, at most NAME_MAX
    characters, and the extension of the kind found. Swedish letters stay."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", raw or ""))[-1]
    kept = []
    for char in base:
        category = unicodedata.category(char)
        if char in "\t\n\r\v\f" or category[0] == "Z":
            kept.append(" ")
        elif category[0] == "C":
            continue  # control, format (bidi overrides), surrogates, unassigned
        else:
            kept.append("_" if char in _UNSAFE else char)
    base = " ".join("".join(kept).split()).strip(". ")
    stem, dot, extension = base.rpartition(".")
    if not dot or extension.lower() not in KNOWN_EXTENSIONS:
        stem, extension = base, ""
    extension = extension.lower()
    if extension not in (kind.extension, *kind.aliases):
        extension = kind.extension
    stem = stem.rstrip(". ")[: NAME_MAX - len(extension) - 1].rstrip(". ") or DEFAULT_STEM
    return f"{stem}.{extension}"


def _claimed(raw: str) -> Kind | None:
    """The kind the name's extension claims, for a clearer refusal."""
    extension = (raw or "").rpartition(".")[2].lower()
    return next((kind for kind in KINDS if extension in (kind.extension, *kind.aliases)), None)


# --- Refusals ----------------------------------------------------------------------------------


def _not_allowed(raw_name: str) -> ValidationError:
    claimed = _claimed(raw_name)
    if claimed is not None and claimed is not TXT:
        message = _(
            "The file's name ends in .%(extension)s, but its content is not %(type)s. "
            "Files of these types can be attached: %(allowed)s."
        ) % {
            "extension": raw_name.rpartition(".")[2].lower(),
            "type": claimed.label,
            "allowed": allowed_names(),
        }
        return refused(message, "wrong_type")
    message = _("This type of file cannot be attached. Files of these types can: %(allowed)s.") % {
        "allowed": allowed_names()
    }
    return refused(message, "not_allowed")


def _markup() -> ValidationError:
    return refused(
        _(
            "Web pages, SVG pictures and other HTML or XML files cannot be attached, whatever "
            "their name. Save the content as PDF and attach that instead."
        ),
        "markup",
    )


def _encrypted() -> ValidationError:
    return refused(
        _(
            "Password-protected files cannot be attached: they cannot be checked for personal "
            "identity numbers. Remove the password and attach the file again."
        ),
        "encrypted",
    )


# --- PDF ---------------------------------------------------------------------------------------


def _pdf(upload: UploadedFile, sink: extract.TextSink) -> tuple[IO[bytes], list[str]]:
    """The PDF rewritten without its document information (author, creator tool…)
    and XMP metadata, and each page's text. Rewriting also drops what earlier
    saves left in the file but no page shows."""
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:
                raise _encrypted() from exc
            if not opened:
                raise _encrypted()
        count = len(reader.pages)
        if count > settings.FILES_PDF_MAX_PAGES:
            message = _(
                "The PDF has %(pages)d pages. At most %(max)d can be attached, since every "
                "page is checked for personal identity numbers. Split it into smaller files."
            ) % {"pages": count, "max": settings.FILES_PDF_MAX_PAGES}
            raise refused(message, "too_many_pages")
        if count == 0:
            raise damaged(PDF.label)
        pages = extract.pdf_pages(reader, sink)
        writer = PdfWriter(clone_from=reader)
        writer.pdf_header = reader.pdf_header
        writer.metadata = None
        writer.xmp_metadata = None
        # The cloned objects nothing refers to any more (the old metadata) go too.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        writer.write(out)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises every kind of error on broken input
        raise damaged(PDF.label) from exc
    out.seek(0)
    return out, pages


# --- Pictures ----------------------------------------------------------------------------------


def _too_many_pixels(width: int, height: int) -> ValidationError:
    message = _(
        "The picture is too large (%(width)s × %(height)s pixels). Pictures of at most "
        "%(megapixels)s megapixels can be attached."
    ) % {
        "width": width,
        "height": height,
        "megapixels": settings.FILES_MAX_PIXELS // 1_000_000,
    }
    return refused(message, "too_many_pixels")


def _open_image(upload: UploadedFile, kind: Kind) -> Image.Image:
    upload.seek(0)
    image = Image.open(upload, formats=("PNG",) if kind is PNG else ("JPEG",))
    width, height = image.size
    if width * height > settings.FILES_MAX_PIXELS:
        raise _too_many_pixels(width, height)
    return image


def _image(upload: UploadedFile, kind: Kind) -> IO[bytes]:
    """The picture saved anew from its pixels: no EXIF (camera, GPS position, time),
    XMP or comments survive. A turned phone photo is turned for real first."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            _open_image(upload, kind).verify()
            image = _open_image(upload, kind)
            image.load()
            orientation = image.getexif().get(0x0112)
            clean = image if orientation in (None, 1) else ImageOps.exif_transpose(image)
            params: dict = {}
            if image.info.get("icc_profile"):
                params["icc_profile"] = image.info["icc_profile"]  # colours, not people
            if kind is PNG and "transparency" in image.info:
                params["transparency"] = image.info["transparency"]
            if kind is JPEG:
                # The same quality tables when the pixels are unchanged: no visible loss.
                keep = clean is image and image.format == "JPEG"
                params["quality"] = "keep" if keep else 90
            clean.info = {}
            out = io.BytesIO()
            clean.save(out, "PNG" if kind is PNG else "JPEG", **params)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(*_image_size(upload, kind)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise damaged(kind.label) from exc
    out.seek(0)
    return out


def _image_size(upload: UploadedFile, kind: Kind) -> tuple[int, int]:
    """Width and height from the header, for the message (0 × 0 if even that fails)."""
    try:
        upload.seek(0)
        return Image.open(upload, formats=("PNG",) if kind is PNG else ("JPEG",)).size
    except Exception:
        return (0, 0)


# --- Office files ------------------------------------------------------------------------------

_TEXT_PARTS: dict[str, list[tuple[re.Pattern, extract.XmlText]]] = {
    DOCX.key: [
        (
            re.compile(
                r"word/(?:document\d*|header\d*|footer\d*|footnotes|endnotes|comments\w*)\.xml"
            ),
            extract.WORD,
        )
    ],
    XLSX.key: [
        (re.compile(r"xl/sharedStrings\.xml"), extract.EXCEL_STRINGS),
        (re.compile(r"xl/worksheets/sheet\d+\.xml"), extract.EXCEL_SHEET),
        (re.compile(r"xl/comments\d+\.xml"), extract.EXCEL_STRINGS),
    ],
    PPTX.key: [
        (
            re.compile(r"ppt/(?:slides/slide\d+|notesSlides/notesSlide\d+)\.xml"),
            extract.POWERPOINT,
        ),
    ],
}
_ODF_TEXT_PARTS = [(re.compile(r"(?:content|styles)\.xml"), extract.OPENDOCUMENT)]
_MAIN_PART = {
    DOCX.key: "word/document.xml",
    XLSX.key: "xl/workbook.xml",
    PPTX.key: "ppt/presentation.xml",
}
_PROPERTIES = ("docProps/core.xml", "meta.xml")


def _package_kind(archive, raw_name: str) -> Kind:
    members = archive.infolist()
    names = {info.filename for info in members}
    if members and members[0].filename == "mimetype":
        budget = zips.Budget(1024)
        mimetype = zips.read(archive, members[0], budget, str(OFFICE_LABEL), limit=200)
        kind = ODF_MIMETYPES.get(mimetype.decode("ascii", "replace").strip())
        if kind is None or "content.xml" not in names:
            raise _not_allowed(raw_name)
        return kind
    if "[Content_Types].xml" not in names:
        raise _not_allowed(raw_name)
    found = [
        kind
        for folder, kind in OOXML_FOLDERS.items()
        if any(name.startswith(folder) for name in names)
    ]
    if len(found) != 1 or _MAIN_PART[found[0].key] not in names:
        raise damaged(str(OFFICE_LABEL))
    kind = found[0]
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise refused(
            _(
                "Files with macros cannot be attached. Save the file without macros (as "
                ".docx, .xlsx or .pptx) and attach it again."
            ),
            "macros",
        )
    return kind


def _package(upload: UploadedFile, raw_name: str, sink: extract.TextSink) -> tuple[Kind, IO]:
    archive = zips.open_archive(upload, str(OFFICE_LABEL))
    with archive:
        kind = _package_kind(archive, raw_name)
        label = str(kind.label)
        parts = _TEXT_PARTS.get(kind.key, _ODF_TEXT_PARTS)
        reading = zips.Budget(settings.FILES_ZIP_MAX_BYTES)
        for info in sorted(archive.infolist(), key=lambda item: _natural(item.filename)):
            if info.filename in _PROPERTIES:
                chunks = zips.chunks(archive, info, reading, label)
                extract.xml_text(chunks, extract.PROPERTIES, sink, label)
                continue
            for pattern, spec in parts:
                if pattern.fullmatch(info.filename):
                    chunks = zips.chunks(archive, info, reading, label)
                    extract.xml_text(chunks, spec, sink, label)
        replacements = {}
        for part, elements in zips.metadata_parts().items():
            if part not in archive.namelist():
                continue
            info = archive.getinfo(part)
            xml = zips.read(archive, info, reading, label, limit=zips.METADATA_MAX_BYTES)
            extract.well_formed(xml, label)
            try:
                replacements[part] = zips.blank_elements(xml, elements)
            except UnicodeDecodeError as exc:
                raise damaged(label) from exc
        content = zips.rewrite(
            archive, zips.Budget(settings.FILES_ZIP_MAX_BYTES), label, replacements
        )
    return kind, content


def _natural(name: str) -> list:
    """slide2 before slide10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


# --- Text files --------------------------------------------------------------------------------

_MARKUP_START = re.compile(r"\A\s*<(?:[!?]|/?[A-Za-z])")
_MARKUP_TAGS = re.compile(
    r"<\s*(?:!doctype|\?xml|html|head|body|script|svg|iframe|object|embed|frameset|style|meta|"
    r"link|img|form)\b",
    re.IGNORECASE,
)
_ALLOWED_CONTROLS = set("\t\n\r\f")


def _looks_like_markup(text: str) -> bool:
    return bool(_MARKUP_START.match(text) or _MARKUP_TAGS.search(text))


def _decode(data: bytes) -> tuple[str, bool] | None:
    """(text, kept as sent) for UTF-8 (with or without BOM), UTF-16 with BOM and
    Windows-1252; None for anything else."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), True
        except UnicodeDecodeError:
            return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), False
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), False
    except UnicodeDecodeError:
        return None


def _text_file(upload: UploadedFile, raw_name: str) -> tuple[IO[bytes], str]:
    """Plain text. Kept as sent when it is UTF-8; other encodings are stored as
    UTF-8 with a byte order mark, so that the download reads right anywhere."""
    upload.seek(0)
    data = upload.read()
    decoded = _decode(data)
    if decoded is None:
        raise _not_allowed(raw_name)
    text, as_sent = decoded
    if _looks_like_markup(text):
        raise _markup()
    if any(
        unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS for char in set(text)
    ):
        raise _not_allowed(raw_name)  # binary data that happens to decode
    content = data if as_sent else codecs.BOM_UTF8 + text.encode("utf-8")
    return io.BytesIO(content), text


# --- The whole check ---------------------------------------------------------------------------


def _markup_refusal_for(head: bytes) -> ValidationError | None:
    """HTML or SVG is refused as such whatever else is tried, also in UTF-16."""
    for encoding in ("utf-8", "utf-16"):
        try:
            sample = head.decode(encoding, errors="ignore")
        except UnicodeDecodeError:
            continue
        if _looks_like_markup(sample.lstrip("\ufeff")):
            return _markup()
    return None


def _guard(text: str, pages: list[str]) -> None:
    """A personal identity or coordination number blocks the file. Other findings
    (phone numbers, addresses) do not: the guard's "I have checked" step is for
    what a member types, and a document's contact details are usually staff's."""

    def no_members(addresses: set[str]) -> list[str]:
        return []  # e-mail findings never block, so nobody needs looking up

    result = check_text(text, known_emails=no_members)
    if not result.blocked:
        return
    places = []
    for number, page in enumerate(pages, start=1):
        found = check_text(page, known_emails=no_members)
        for finding in found.findings:
            if finding.blocking:
                places.append(
                    _("page %(page)d: %(number)s") % {"page": number, "number": finding.shown}
                )
    if not places:
        places = list(dict.fromkeys(f.shown for f in result.findings if f.blocking))
    message = _(
        "The file contains a personal identity number or coordination number (%(where)s), "
        "which can never be published here. Remove it from the file and attach it again."
    ) % {"where": "; ".join(places[:3])}
    raise FileConfidentialityError(message, result)


def _size_of(content: IO[bytes]) -> int:
    content.seek(0, io.SEEK_END)
    size = content.tell()
    content.seek(0)
    return size


def prepare(upload: UploadedFile) -> Prepared:
    """Check an upload and make the copy to store, or raise ValidationError ("file")."""
    if upload is None:
        raise refused(_("Choose a file to attach."), "no_file")
    if upload.size is None or upload.size > settings.FILES_MAX_BYTES:
        raise too_large()
    if upload.size == 0:
        raise refused(_("The file is empty."), "empty")
    raw_name = upload.name or ""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    sink = extract.TextSink()
    pages: list[str] = []
    if head.startswith(_PDF):
        kind = PDF
        content, pages = _pdf(upload, sink)
    elif head.startswith(_PNG):
        kind, content = PNG, _image(upload, PNG)
    elif head.startswith(_JPEG):
        kind, content = JPEG, _image(upload, JPEG)
    elif head.startswith(_ZIP):
        kind, content = _package(upload, raw_name, sink)
    elif head.startswith(_COMPOUND):
        raise refused(
            _(
                "Older Office files (.doc, .xls, .ppt) and password-protected Office files "
                "cannot be attached. Save the file as .docx, .xlsx or .pptx without a password "
                "and attach it again."
            ),
            "old_office",
        )
    else:
        markup = _markup_refusal_for(head)
        if markup is not None:
            raise markup
        kind = TXT
        content, text = _text_file(upload, raw_name)
        sink.add(text)
    text = sink.text()
    _guard(text, pages)
    return Prepared(
        name=clean_name(raw_name, kind),
        kind=kind,
        content=content,
        size=_size_of(content),
        # PostgreSQL cannot store NUL in text, and PDFs' text can hold it.
        text=text.replace("\x00", "")[: settings.FILES_TEXT_MAX_CHARS],
    )
