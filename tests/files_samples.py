"""Real files of every kind that can be attached, made in code for the tests:
PDFs written object by object, Office and OpenDocument packages as zip
archives, pictures by Pillow. And the bad ones: markup, bombs, fakes."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# A valid (Luhn) personal identity number, the Tax Agency's own test person.
PERSONAL_NUMBER = "19121212-1212"
AUTHOR = "Anna Författarsson"


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- PDF ----------------------------------------------------------------------------------------


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(*pages: str, author: str = AUTHOR, xmp: bool = True) -> bytes:
    """A PDF with one page per text (Helvetica, ASCII), an /Info dictionary with
    the author and, optionally, an XMP metadata stream naming them too."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for text in pages or ("",):
        stream = f"BT /F1 12 Tf 72 720 Td ({_pdf_string(text)}) Tj ET".encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_id, font, content)
            )
        )
    metadata = b""
    if xmp:
        packet = (
            '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>"
            '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
        ).encode()
        stream_id = add(
            b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream"
            % (len(packet), packet)
        )
        metadata = b" /Metadata %d 0 R" % stream_id
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R%s >>" % (pages_id, metadata)
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    info = add(b"<< /Author (%s) /Creator (Word) /Title (Rutin) >>" % author.encode("latin-1"))
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, info, xref)
    )
    return out.getvalue()


# --- Office Open XML ----------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{main}" ContentType="{type}"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{main}"/></Relationships>'
)


def core_xml(author: str = AUTHOR, title: str = "Rutin") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{title}</dc:title><dc:creator>{author}</dc:creator>"
        f"<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T10:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Office Word</Application><Company>Lycksele kommun</Company>"
    "<Manager>Chefen Chefsson</Manager></Properties>"
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_document(*paragraphs: str | list[str]) -> str:
    """Each paragraph a string, or a list of runs (as Word splits text)."""
    body = ""
    for paragraph in paragraphs:
        runs = paragraph if isinstance(paragraph, list) else [paragraph]
        body += "<w:p>" + "".join(f"<w:r><w:t>{run}</w:t></w:r>" for run in runs) + "</w:p>"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    )


def _package(parts: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx(*paragraphs: str | list[str], author: str = AUTHOR, extra: dict | None = None) -> bytes:
    main = "word/document.xml"
    return _package(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(
                main=main,
                type="application/vnd.openxmlformats-officedocument.wordprocessingml."
                "document.main+xml",
            ),
            "_rels/.rels": RELS.format(main=main),
            main: docx_document(*(paragraphs or ("Rutin för placering",))),
            "docProps/core.xml": core_xml(author),
            "docProps/app.xml": APP_XML,
            **(extra or {}),
        }
    )


def xlsx(*cells: str, numbers: tuple[int, ...] = ()) -> bytes:
    main = "xl/workbook.xml"
    strings = "".join(f"<si><t>{cell}</t></si>" for cell in cells)
    sheet_cells = "".join(f'<c r="A{n}" t="s"><v>{n - 1}</v></c>' for n in range(1, len(cells) + 1))
    sheet_cells += "".join(f'<c r="B{n}"><v>{value}</v></c>' for n, value in enumerate(numbers, 1))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return _package(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(
                main=main,
                type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            ),
            "_rels/.rels": RELS.format(main=main),
            main: f"<workbook {ns}><sheets/></workbook>",
            "xl/sharedStrings.xml": f"<sst {ns}>{strings}</sst>",
            "xl/worksheets/sheet1.xml": (
                f"<worksheet {ns}><sheetData><row>{sheet_cells}</row></sheetData></worksheet>"
            ),
            "docProps/core.xml": core_xml(),
        }
    )


def pptx(*slides: str) -> bytes:
    main = "ppt/presentation.xml"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    parts: dict[str, str] = {
        "[Content_Types].xml": CONTENT_TYPES.format(
            main=main,
            type="application/vnd.openxmlformats-officedocument.presentationml."
            "presentation.main+xml",
        ),
        "_rels/.rels": RELS.format(main=main),
        main: f'<p:presentation xmlns:p="{p}"/>',
        "docProps/core.xml": core_xml(),
    }
    for number, text in enumerate(slides or ("Bild",), start=1):
        parts[f"ppt/slides/slide{number}.xml"] = (
            f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"<a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    return _package(parts)


# --- OpenDocument -------------------------------------------------------------------------------

ODF_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}


def odf(extension: str, *paragraphs: str, author: str = AUTHOR) -> bytes:
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    meta_ns = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
    body = "".join(f"<text:p>{paragraph}</text:p>" for paragraph in paragraphs or ("Rutin",))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), ODF_TYPES[extension], compress_type=zipfile.ZIP_STORED
        )
        archive.writestr(
            "content.xml",
            f'<office:document-content xmlns:office="{office}" xmlns:text="{text_ns}">'
            f"<office:body><office:text>{body}</office:text></office:body>"
            "</office:document-content>",
        )
        archive.writestr(
            "meta.xml",
            f'<office:document-meta xmlns:office="{office}" xmlns:meta="{meta_ns}" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
            f"<meta:initial-creator>{author}</meta:initial-creator>"
            f"<dc:creator>{author}</dc:creator><dc:title>Rutin</dc:title>"
            "</office:meta></office:document-meta>",
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0"/>',
        )
    return out.getvalue()


# --- Pictures -----------------------------------------------------------------------------------


def exif_with_author(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = AUTHOR.encode("ascii", "replace").decode()  # Artist
    exif[0x010F] = "Telefonen AB"  # Make
    exif[0x0112] = orientation
    return exif


def jpeg(size: tuple[int, int] = (40, 30), *, exif: bool = True, orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    params = {"exif": exif_with_author(orientation)} if exif else {}
    image.save(out, "JPEG", quality=90, **params)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 30), *, exif: bool = True) -> bytes:
    image = Image.new("RGBA", size, (20, 120, 40, 200))
    out = io.BytesIO()
    params = {"exif": exif_with_author()} if exif else {}
    image.save(out, "PNG", **params)
    return out.getvalue()


# --- Bad files ----------------------------------------------------------------------------------

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(2)</script></svg>"
)
SVG_BARE = b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'


def zip_bomb_docx(megabytes: int = 50) -> bytes:
    """A DOCX-looking package with one member of ``megabytes`` MB of zeros, written
    in chunks so the zeros never sit in memory whole (packed: about 50 kB)."""
    main = "word/document.xml"
    out = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main, type="x"))
        archive.writestr("_rels/.rels", RELS.format(main=main))
        archive.writestr(main, docx_document("Hej"))
        with archive.open("word/media/zeros.bin", "w") as member:
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


def lying_docx() -> bytes:
    """A DOCX whose listing says a member unpacks to 1,000 bytes while it holds
    2 MB: the reader must stop at what was declared, not trust it."""
    data = docx(extra={"word/media/big.bin": bytes(2 * 1024 * 1024)})
    return patch_central_directory(data, "word/media/big.bin", 24, (1000).to_bytes(4, "little"))


def patch_central_directory(data: bytes, name: str, offset: int, value: bytes) -> bytes:
    """Overwrite bytes at ``offset`` in the central-directory entry of ``name``."""
    data = bytearray(data)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_length] == name.encode():
            data[central + offset : central + offset + len(value)] = value
            return bytes(data)
        central = data.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{name} not in the archive")


def stored_files(root) -> list:
    """Every file under MEDIA_ROOT (a pathlib.Path)."""
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []
