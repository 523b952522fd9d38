"""The kinds of file that can be attached, as found from their content.

The stored type, the extension the name gets and the label the pages show come
from here, never from the name or the Content-Type the browser sent."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Kind:
    key: str
    content_type: str
    extension: str
    label: str
    # Other spellings of the extension that are kept when the name already has one.
    aliases: tuple[str, ...] = ()


PDF = Kind("pdf", "application/pdf", "pdf", _("PDF"))
DOCX = Kind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    _("Word document"),
)
XLSX = Kind(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    _("Excel workbook"),
)
PPTX = Kind(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
    _("PowerPoint presentation"),
)
ODT = Kind("odt", "application/vnd.oasis.opendocument.text", "odt", _("OpenDocument text"))
ODS = Kind(
    "ods", "application/vnd.oasis.opendocument.spreadsheet", "ods", _("OpenDocument spreadsheet")
)
ODP = Kind(
    "odp",
    "application/vnd.oasis.opendocument.presentation",
    "odp",
    _("OpenDocument presentation"),
)
TXT = Kind("txt", "text/plain; charset=utf-8", "txt", pgettext_lazy("file type", "Text"))
PNG = Kind("png", "image/png", "png", _("PNG picture"))
JPEG = Kind("jpeg", "image/jpeg", "jpg", _("JPEG picture"), aliases=("jpeg", "jpe"))

KINDS: tuple[Kind, ...] = (PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, TXT, PNG, JPEG)
BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS}
# The first member of an OpenDocument package names its type.
ODF_MIMETYPES = {kind.content_type: kind for kind in (ODT, ODS, ODP)}
# The folder of an Office Open XML package's main part.
OOXML_FOLDERS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}

# For the file input's accept attribute: extensions and types, so that every
# browser's file dialog offers the allowed files first.
ACCEPT = ",".join(
    [f".{ext}" for kind in KINDS for ext in (kind.extension, *kind.aliases)]
    + sorted({kind.content_type.split(";")[0] for kind in KINDS})
)

# Extensions that a name's last part is recognised as (and so replaced, not kept
# before the right one): "rapport.pdf" holding a Word file becomes "rapport.docx",
# while "Protokoll 2024.11" becomes "Protokoll 2024.11.pdf".
KNOWN_EXTENSIONS = frozenset(
    {ext for kind in KINDS for ext in (kind.extension, *kind.aliases)}
    | {
        "doc", "docm", "dot", "dotx", "xls", "xlsm", "xlt", "ppt", "pptm", "pps", "ppsx",
        "rtf", "csv", "md", "htm", "html", "xhtml", "shtml", "svg", "svgz", "xml", "js",
        "mjs", "exe", "msi", "bat", "cmd", "com", "scr", "ps1", "vbs", "jar", "zip", "7z",
        "rar", "gz", "tar", "gif", "bmp", "tif", "tiff", "webp", "heic", "jfif", "odg",
        "odf", "bin", "dat", "php", "py", "sh", "lnk", "url", "hta", "swf",
    }
)  # fmt: skip


def label_for(content_type: str) -> str:
    """What the pages call a stored type ("PDF", "Word document")."""
    kind = BY_CONTENT_TYPE.get(content_type)
    return str(kind.label) if kind else content_type


def allowed_names() -> str:
    """The allowed types as members know them, for help texts and messages."""
    return str(
        _(
            "PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), OpenDocument (ODT, ODS, ODP), "
            "text (TXT), PNG and JPEG"
        )
    )
