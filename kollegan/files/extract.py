"""The text inside attached files, for search and for the confidentiality guard.

XML parts are read by expat as they are unpacked, with no DOCTYPE allowed: no
entity can expand ("billion laughs") and nothing outside the file is fetched.
Text is kept as a reader sees it: the runs a word processor splits a line into
are joined, so a number split over two runs is still found."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

from django.conf import settings

from kollegan.files.refusals import damaged, too_much_text


class TextSink:
    """Collects text up to FILES_TEXT_CHECK_MAX_CHARS; more is refused, since
    text that is not read cannot be checked."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> None:
        if not text:
            return
        self.length += len(text)
        if self.length > settings.FILES_TEXT_CHECK_MAX_CHARS:
            raise too_much_text()
        self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class XmlText:
    """Which elements of an XML part hold text, and what separates them.

    ``inside``: character data is kept while inside one of these elements;
    ``before``/``after``: what is added where an element starts or ends."""

    inside: frozenset[str]
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)


# Word: text runs (w:t), deleted text of tracked changes and field codes, which
# are in the file too and reach whoever opens it.
WORD = XmlText(
    inside=frozenset({"t", "delText", "instrText"}),
    before={"tab": "\t", "br": "\n", "cr": "\n"},
    after={"p": "\n", "tc": "\t", "tr": "\n"},
)
# Excel: shared strings, and each cell's value (numbers too: an identity number
# typed into a cell is a number).
EXCEL_STRINGS = XmlText(inside=frozenset({"t"}), after={"si": "\n"})
EXCEL_SHEET = XmlText(inside=frozenset({"v", "t"}), after={"c": "\t", "row": "\n"})
POWERPOINT = XmlText(inside=frozenset({"t"}), before={"br": "\n"}, after={"p": "\n"})
OPENDOCUMENT = XmlText(
    inside=frozenset({"p", "h"}),
    before={"s": " ", "tab": "\t", "line-break": "\n"},
    after={"p": "\n", "h": "\n", "table-cell": "\t"},
)
# Document properties: title, subject, keywords, description.
PROPERTIES = XmlText(
    inside=frozenset({"title", "subject", "keywords", "keyword", "description", "category"}),
    after={"title": "\n", "subject": "\n", "keywords": "\n", "keyword": "\n", "description": "\n"},
)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def xml_text(chunks: Iterable[bytes], spec: XmlText, sink: TextSink, label: str) -> None:
    """Feed an XML part's bytes through expat into ``sink``."""
    parser = expat.ParserCreate(namespace_separator="}")
    depth = 0

    def refuse_doctype(*args) -> None:
        raise damaged(label)

    def start(name: str, attrs: dict) -> None:
        nonlocal depth
        local = _local(name)
        sink.add(spec.before.get(local, ""))
        if local in spec.inside:
            depth += 1

    def end(name: str) -> None:
        nonlocal depth
        local = _local(name)
        if local in spec.inside:
            depth -= 1
        sink.add(spec.after.get(local, ""))

    def characters(data: str) -> None:
        if depth > 0:
            sink.add(data)

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.buffer_text = True
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise damaged(label) from exc


def well_formed(xml: bytes, label: str) -> None:
    """Refuse an XML part that is not well-formed or has a DOCTYPE."""
    xml_text([xml], XmlText(inside=frozenset()), TextSink(), label)


# --- PDF ----------------------------------------------------------------------------------------


def pdf_pages(reader, sink: TextSink) -> list[str]:
    """Each page's text (pypdf's reader; its errors are the caller's to catch)."""
    pages: list[str] = []
    for page in reader.pages:
        text = page.extract_text() or ""
        sink.add(text)
        sink.add("\n")
        pages.append(text)
    return pages
