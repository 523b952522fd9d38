"""Checking uploads by their content (kollegan.files.validation): every allowed
kind is accepted and stored without its author's metadata; fakes, markup, zip
bombs, damaged and oversized files and files holding a personal identity number
are refused with a code and a message, before anything is stored."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfReader, PdfWriter

from kollegan.files import kinds
from kollegan.files.refusals import FileConfidentialityError
from kollegan.files.validation import clean_name, prepare
from kollegan.lib.guard import ConfidentialityError
from tests import files_samples as samples
from tests.files_samples import AUTHOR, PERSONAL_NUMBER, upload

pytestmark = pytest.mark.django_db


def refusal_code(data: bytes, name: str) -> str:
    with pytest.raises(ValidationError) as caught:
        prepare(upload(data, name))
    assert set(caught.value.error_dict) == {"file"}
    return caught.value.error_dict["file"][0].code


def refusal(data: bytes, name: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        prepare(upload(data, name))
    return caught.value


# --- Every allowed kind -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "kind", "stored_name"),
    [
        (lambda: samples.pdf("Rutin för placering"), "Rutin.pdf", kinds.PDF, "Rutin.pdf"),
        (lambda: samples.docx("Hej"), "Rutin.docx", kinds.DOCX, "Rutin.docx"),
        (lambda: samples.xlsx("Hej"), "Budget.xlsx", kinds.XLSX, "Budget.xlsx"),
        (lambda: samples.pptx("Hej"), "Bilder.pptx", kinds.PPTX, "Bilder.pptx"),
        (lambda: samples.odf("odt", "Hej"), "Rutin.odt", kinds.ODT, "Rutin.odt"),
        (lambda: samples.odf("ods", "Hej"), "Tabell.ods", kinds.ODS, "Tabell.ods"),
        (lambda: samples.odf("odp", "Hej"), "Bilder.odp", kinds.ODP, "Bilder.odp"),
        (lambda: "Hej, så här gör vi.\n".encode(), "Anteckning.txt", kinds.TXT, "Anteckning.txt"),
        (lambda: samples.png(), "Bild.png", kinds.PNG, "Bild.png"),
        (lambda: samples.jpeg(), "Foto.jpeg", kinds.JPEG, "Foto.jpeg"),
        (lambda: samples.jpeg(), "Foto.JPG", kinds.JPEG, "Foto.jpg"),
    ],
)
def test_every_allowed_kind_is_accepted(make, name, kind, stored_name):
    prepared = prepare(upload(make(), name, "application/x-whatever"))
    assert prepared.kind is kind
    assert prepared.name == stored_name
    assert prepared.size == len(prepared.content.read())


@pytest.mark.parametrize(
    ("make", "name", "stored_name"),
    [
        # The content decides, not the name or the browser's type.
        (lambda: samples.docx("Hej"), "rapport.pdf", "rapport.docx"),
        (lambda: samples.pdf("Hej"), "Protokoll 2024.11", "Protokoll 2024.11.pdf"),
        (lambda: samples.png(), "bild.jpg", "bild.png"),
        (lambda: samples.xlsx("Hej"), "tabell", "tabell.xlsx"),
        (lambda: b"Bara text", "notes.md", "notes.txt"),
    ],
)
def test_the_extension_follows_the_content(make, name, stored_name):
    assert prepare(upload(make(), name, "application/pdf")).name == stored_name


# --- Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\x\\y.pdf", "y.pdf"),
        ("..\\..\\windows\\win.ini", "win.ini.pdf"),
        (".htaccess.pdf", "htaccess.pdf"),
        ("...", "fil.pdf"),
        ("", "fil.pdf"),
        ("/", "fil.pdf"),
        ("Rutin för våld i nära relationer.pdf", "Rutin för våld i nära relationer.pdf"),
        ("a\x00b\x1fc\u202eftp.exe.pdf", "abcftp.exe.pdf"),
        ("rad\nbrytning\t.pdf", "rad brytning.pdf"),
        ('a<b>c:"d"|e?f*.pdf', "a_b_c__d__e_f_.pdf"),
        ("mycket   luft .pdf", "mycket luft.pdf"),
    ],
)
def test_names_lose_paths_controls_and_leading_dots(raw, cleaned):
    assert clean_name(raw, kinds.PDF) == cleaned


def test_long_names_are_cut_and_keep_their_extension():
    name = clean_name("å" * 500 + ".pdf", kinds.PDF)
    assert len(name) == 200
    assert name.endswith("å.pdf")


# --- Refusals ------------------------------------------------------------------------------------


def test_a_pdf_that_is_not_one_is_refused_by_its_content():
    assert refusal_code(b"Hej\x00\x01\x02 inte en pdf", "rutin.pdf") == "wrong_type"
    assert refusal_code(b"\x00\x01\x02\x03\x04", "okand.bin") == "not_allowed"


def test_a_damaged_pdf_is_refused():
    assert refusal_code(b"%PDF-1.7\nnot really a pdf at all", "rutin.pdf") == "damaged"
    assert refusal_code(samples.pdf("Hej")[:200], "rutin.pdf") == "damaged"


@pytest.mark.parametrize("name", ["sida.html", "sida.txt", "sida.pdf", "sida.png", "sida"])
@pytest.mark.parametrize("data", [samples.HTML, samples.SVG, samples.SVG_BARE])
def test_html_and_svg_are_refused_whatever_their_name(data, name):
    assert refusal_code(data, name) == "markup"


def test_markup_is_refused_also_in_utf16_and_after_a_bom():
    assert refusal_code(samples.HTML.decode().encode("utf-16"), "sida.txt") == "markup"
    assert refusal_code(b"\xef\xbb\xbf  \n" + samples.SVG_BARE, "bild.txt") == "markup"
    assert refusal_code(b"Hej!\n<script>alert(1)</script>", "anteckning.txt") == "markup"


def test_a_zip_bomb_disguised_as_docx_is_refused_without_unpacking_it():
    assert refusal_code(samples.zip_bomb_docx(50), "rutin.docx") == "zip_bomb"


def test_a_package_unpacking_to_more_than_the_limit_is_refused(settings):
    settings.FILES_ZIP_MAX_RATIO = 10_000  # only the total decides here
    settings.FILES_ZIP_MAX_BYTES = 1024 * 1024
    assert refusal_code(samples.zip_bomb_docx(2), "rutin.docx") == "zip_bomb"


def test_a_package_with_too_many_members_is_refused(settings):
    settings.FILES_ZIP_MAX_MEMBERS = 4
    assert refusal_code(samples.docx("Hej", extra={"a.xml": "<a/>"}), "rutin.docx") == "zip_bomb"


def test_sizes_in_the_listing_are_not_trusted():
    assert refusal_code(samples.lying_docx(), "rutin.docx") == "damaged"


def test_password_protected_files_are_refused():
    encrypted_zip = samples.patch_central_directory(
        samples.docx("Hej"), "word/document.xml", 8, b"\x01\x00"
    )
    assert refusal_code(encrypted_zip, "rutin.docx") == "encrypted"
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(samples.pdf("Hemligt"))))
    writer.encrypt(user_password="hemligt", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert refusal_code(out.getvalue(), "rutin.pdf") == "encrypted"


def test_old_office_files_and_macros_are_refused():
    compound = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    assert refusal_code(compound, "rutin.doc") == "old_office"
    with_macros = samples.docx("Hej", extra={"word/vbaProject.bin": b"\x00" * 10})
    assert refusal_code(with_macros, "rutin.docx") == "macros"


def test_a_zip_that_is_no_office_file_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hemligt.txt", "Hej")
    assert refusal_code(out.getvalue(), "arkiv.zip") == "not_allowed"
    assert refusal_code(out.getvalue(), "rutin.docx") == "wrong_type"


def test_an_office_file_with_a_doctype_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{samples.W}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    data = samples.docx(extra={})
    data = samples._package(
        {
            name: (laughs if name == "word/document.xml" else content)
            for name, content in _members(data).items()
        }
    )
    assert refusal_code(data, "rutin.docx") == "damaged"


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_file_over_the_limit_is_refused_before_it_is_read(settings):
    settings.FILES_MAX_BYTES = 512 * 1024
    error = refusal(b"a" * (600 * 1024), "stor.txt")
    assert error.error_dict["file"][0].code == "too_large"
    assert "0,5 MB" in error.messages[0]


def test_an_empty_file_is_refused():
    assert refusal_code(b"", "tom.pdf") == "empty"


def test_a_pdf_with_too_many_pages_is_refused(settings):
    settings.FILES_PDF_MAX_PAGES = 2
    assert refusal_code(samples.pdf("ett", "två", "tre"), "lang.pdf") == "too_many_pages"


def test_pictures_with_too_many_pixels_or_broken_data_are_refused(settings):
    assert refusal_code(samples.png()[:60], "bild.png") == "damaged"
    assert refusal_code(samples.jpeg()[:100], "bild.jpg") == "damaged"
    settings.FILES_MAX_PIXELS = 100
    assert refusal_code(samples.png(), "bild.png") == "too_many_pixels"


def test_binary_data_that_decodes_as_text_is_refused():
    assert refusal_code(b"abc\x01\x02\x03def", "data.txt") == "not_allowed"


def test_more_text_than_can_be_checked_is_refused(settings):
    settings.FILES_TEXT_CHECK_MAX_CHARS = 50
    assert refusal_code(samples.docx("x" * 60), "lang.docx") == "too_much_text"
    assert refusal_code(b"y" * 60, "lang.txt") == "too_much_text"


# --- The confidentiality guard -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: samples.pdf("Inledning", f"Klienten {PERSONAL_NUMBER} bor"), "rutin.pdf"),
        (lambda: samples.docx("Hej", f"Klient {PERSONAL_NUMBER}"), "rutin.docx"),
        # Word splits a line into runs anywhere; the number is still one number.
        (lambda: samples.docx(["Klient 1912", "1212-12", "12 har"]), "rutin.docx"),
        (lambda: samples.xlsx("Hej", numbers=(191212121212,)), "lista.xlsx"),
        (lambda: samples.pptx(f"Fall {PERSONAL_NUMBER}"), "bilder.pptx"),
        (lambda: samples.odf("odt", f"Klient {PERSONAL_NUMBER}"), "rutin.odt"),
        (lambda: f"Klient {PERSONAL_NUMBER}\n".encode(), "rutin.txt"),
    ],
)
def test_a_personal_identity_number_in_a_file_refuses_it(make, name):
    error = refusal(make(), name)
    assert isinstance(error, FileConfidentialityError)
    assert isinstance(error, ConfidentialityError)
    assert error.result.blocked
    assert error.error_dict["file"][0].code == "personal_number"
    message = error.messages[0]
    assert "1212-1212" not in message
    assert "XXXX" in message


def test_the_refusal_says_on_which_page_of_a_pdf():
    error = refusal(samples.pdf("Inledning", f"Klient {PERSONAL_NUMBER}"), "rutin.pdf")
    assert "2: 19121212-XXXX" in error.messages[0]


def test_phone_numbers_and_addresses_in_a_file_do_not_refuse_it():
    text = "Ring 070-123 45 67 eller skriv till Storgatan 3, 921 31 Lycksele.\n"
    prepared = prepare(upload(text.encode(), "kontakt.txt"))
    assert "070-123 45 67" in prepared.text


def test_the_text_is_kept_for_search_up_to_a_limit(settings):
    prepared = prepare(upload(samples.docx("Första stycket", "Andra stycket"), "r.docx"))
    assert "Första stycket\nAndra stycket" in prepared.text
    settings.FILES_TEXT_MAX_CHARS = 10
    assert len(prepare(upload(samples.pdf("Ett långt stycke text"), "r.pdf")).text) == 10


# --- Metadata ------------------------------------------------------------------------------------


def test_the_author_is_removed_from_office_files():
    prepared = prepare(upload(samples.docx("Hej"), "rutin.docx"))
    with zipfile.ZipFile(prepared.content) as archive:
        core = archive.read("docProps/core.xml").decode()
        app = archive.read("docProps/app.xml").decode()
        document = archive.read("word/document.xml").decode()
        assert archive.testzip() is None
    assert AUTHOR not in core
    assert "<dc:creator/>" in core and "<cp:lastModifiedBy/>" in core
    assert "<dc:title>Rutin</dc:title>" in core
    assert "Lycksele kommun" not in app and "Chefen" not in app
    assert document == samples.docx_document("Hej")


def test_the_author_is_removed_from_opendocument_files_and_mimetype_stays_first():
    prepared = prepare(upload(samples.odf("odt", "Hej"), "rutin.odt"))
    with zipfile.ZipFile(prepared.content) as archive:
        first = archive.infolist()[0]
        meta = archive.read("meta.xml").decode()
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert AUTHOR not in meta
    assert "<meta:initial-creator/>" in meta


def test_the_author_and_xmp_are_removed_from_pdfs():
    prepared = prepare(upload(samples.pdf("Hej"), "rutin.pdf"))
    data = prepared.content.read()
    assert b"Anna" not in data
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    assert reader.pdf_header == "%PDF-1.7"
    assert reader.pages[0].extract_text() == "Hej"


def test_exif_is_removed_from_pictures_and_the_turn_is_kept():
    original = Image.open(io.BytesIO(samples.jpeg(orientation=6)))
    assert original.getexif().get(0x013B)
    prepared = prepare(upload(samples.jpeg(orientation=6), "foto.jpg"))
    picture = Image.open(prepared.content)
    assert dict(picture.getexif()) == {}
    assert "exif" not in picture.info
    assert picture.size == (30, 40)  # turned as the phone meant
    prepared = prepare(upload(samples.png(), "bild.png"))
    picture = Image.open(prepared.content)
    assert dict(picture.getexif()) == {}
    assert picture.mode == "RGBA"


def test_text_in_other_encodings_is_stored_as_utf8():
    prepared = prepare(upload("Hej på dig, åäö\n".encode("cp1252"), "gammal.txt"))
    assert prepared.content.read() == "\ufeffHej på dig, åäö\n".encode()
    prepared = prepare(upload("Hej åäö\n".encode("utf-16"), "bred.txt"))
    assert prepared.content.read() == "\ufeffHej åäö\n".encode()
    utf8 = "Hej åäö\n".encode()
    assert prepare(upload(utf8, "ny.txt")).content.read() == utf8
