"""The attachment pages: downloading (only for those who may see the item, as a
download that nothing in the browser runs), attaching through the form on an
item's page, and removing. Every refusal is a Swedish message with a 4xx and
leaves no row and no file."""

import html
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from kollegan.files import services
from kollegan.files.models import Attachment
from kollegan.questions import services as question_services
from tests.files_samples import (
    HTML,
    PERSONAL_NUMBER,
    SVG,
    docx,
    jpeg,
    pdf,
    stored_files,
    upload,
    zip_bomb_docx,
)
from tests.helpers import sv

# The shared fixtures: media (MEDIA_ROOT in tmp_path), question, note, document…
pytest_plugins = ["tests.files_fixtures"]


def text(response) -> str:
    return html.unescape(response.content.decode())


def in_swedish(msgid: str, **params) -> str:
    return sv(msgid) % params if params else sv(msgid)


def attach_url(kind: str, pk: int) -> str:
    return reverse("files:attach", args=[kind, pk])


def stored(owner, member, data=None, name="Rutin för placering.pdf") -> Attachment:
    return services.attachment_add(
        upload=upload(data or pdf("Hej"), name), uploader=member, owner=owner
    )


# --- Downloading ---------------------------------------------------------------------------------


def test_a_download_is_an_attachment_that_nothing_runs(media, alice_client, question, alice):
    attachment = stored(question, alice)
    response = alice_client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="Rutin for placering.pdf"; '
        f"filename*=UTF-8''{quote('Rutin för placering.pdf', safe='')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    assert body == attachment.file.open("rb").read()
    assert body.startswith(b"%PDF-")


def test_pictures_are_downloads_too(media, alice_client, question, alice):
    attachment = stored(question, alice, jpeg(), "foto.jpg")
    response = alice_client.get(attachment.get_absolute_url())
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith('attachment; filename="foto.jpg"')


def test_other_members_download_what_they_may_see(media, bob_client, question, note, alice):
    for owner in (question, note):
        assert bob_client.get(stored(owner, alice).get_absolute_url()).status_code == 200


def test_visitor_and_deactivated_member_are_sent_to_log_in(
    media, client, dave_client, question, alice
):
    attachment = stored(question, alice)
    urls = [
        attachment.get_absolute_url(),
        reverse("files:delete", args=[attachment.pk]),
        attach_url("fraga", question.pk),
    ]
    for browser in (client, dave_client):
        for url in urls:
            for method in (browser.get, browser.post):
                response = method(url)
                assert response.status_code == 302, url
                assert response["Location"].startswith(reverse("account_login"))
    assert Attachment.objects.count() == 1


def test_a_groups_note_files_are_not_found_by_others(media, bob_client, group_note, alice):
    attachment = stored(group_note, alice)
    assert bob_client.get(attachment.get_absolute_url()).status_code == 404
    response = bob_client.post(
        attach_url("anteckning", group_note.pk), {"file": upload(pdf("Hej"), "a.pdf")}
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 1


def test_files_of_a_hidden_question_are_not_found(
    media, alice_client, bob_client, carol_client, question, alice, carol
):
    attachment = stored(question, alice)
    question_services.content_hide(item=question, moderator=carol)
    assert bob_client.get(attachment.get_absolute_url()).status_code == 404
    # The asker and the moderators still see the question, and so its files.
    assert alice_client.get(attachment.get_absolute_url()).status_code == 200
    assert carol_client.get(attachment.get_absolute_url()).status_code == 200


def test_files_of_a_hidden_document_are_not_found(
    media, alice_client, bob_client, document, adoption, alice, carol
):
    on_document = stored(document, alice)
    on_adoption = stored(adoption, alice)
    assert bob_client.get(on_adoption.get_absolute_url()).status_code == 200
    document.mark_hidden(moderator=carol, reason="")
    for attachment in (on_document, on_adoption):
        assert alice_client.get(attachment.get_absolute_url()).status_code == 404
        assert bob_client.get(attachment.get_absolute_url()).status_code == 404


def test_unknown_files_are_not_found(alice_client):
    assert alice_client.get(reverse("files:download", args=[4711])).status_code == 404
    assert alice_client.get("/filer/99999999999999999999999/").status_code == 404


# --- Attaching -----------------------------------------------------------------------------------


def test_the_asker_attaches_a_file_and_comes_back(media, alice_client, question):
    back = question.get_absolute_url() + "#bifoga"
    response = alice_client.post(
        attach_url("fraga", question.pk),
        {"file": upload(docx("Hej"), "../Rutin.docx"), "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back
    attachment = Attachment.objects.get()
    assert attachment.question == question
    assert attachment.name == "Rutin.docx"
    page = text(alice_client.get(question.get_absolute_url()))
    assert "Rutin.docx" in page
    assert attachment.get_absolute_url() in page


def test_a_foreign_next_address_is_ignored(media, alice_client, question):
    response = alice_client.post(
        attach_url("fraga", question.pk),
        {"file": upload(pdf("Hej"), "a.pdf"), "next": "https://example.com/"},
    )
    assert response["Location"] == question.get_absolute_url()


def bad_files():
    return [
        (lambda: b"\x00\x01\x02 not a pdf", "rutin.pdf", 400, "wrong_type"),
        (lambda: HTML, "sida.txt", 400, "markup"),
        (lambda: HTML, "sida.pdf", 400, "markup"),
        (lambda: SVG, "bild.png", 400, "markup"),
        (lambda: SVG, "bild.svg", 400, "markup"),
        (lambda: zip_bomb_docx(50), "rutin.docx", 400, "zip_bomb"),
        (lambda: pdf("Inledning", f"Klient {PERSONAL_NUMBER}"), "rutin.pdf", 400, "personal"),
        (lambda: docx(f"Klient {PERSONAL_NUMBER}"), "rutin.docx", 400, "personal"),
        (lambda: b"x" * (600 * 1024), "stor.txt", 413, "too_large"),
    ]


PERSONAL_NUMBER_MESSAGE = (
    "The file contains a personal identity number or coordination number (%(where)s), "
    "which can never be published here. Remove it from the file and attach it again."
)
MESSAGES = {
    "wrong_type": "The file's name ends in .%(extension)s, but its content is not %(type)s.",
    "markup": (
        "Web pages, SVG pictures and other HTML or XML files cannot be attached, whatever "
        "their name. Save the content as PDF and attach that instead."
    ),
    "zip_bomb": (
        "The file unpacks to far more data than its size suggests and is refused: it may "
        "be a so-called zip bomb. Save the document again from its program and attach it "
        "again."
    ),
    "too_large": "The file is too large. Files of at most %(max)s MB can be attached.",
}


@pytest.mark.parametrize(("make", "name", "status", "problem"), bad_files())
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(
    media, settings, alice_client, question, make, name, status, problem
):
    settings.FILES_MAX_BYTES = 512 * 1024
    back = question.get_absolute_url()
    response = alice_client.post(
        attach_url("fraga", question.pk), {"file": upload(make(), name), "next": back}
    )
    assert response.status_code == status
    page = text(response)
    assert f'href="{back}"' in page
    if problem == "personal":
        assert "19121212-XXXX" in page
        assert PERSONAL_NUMBER not in page and "1212-1212" not in page
        assert sv(PERSONAL_NUMBER_MESSAGE).split("(")[0] in page
    elif problem == "wrong_type":
        start = sv(
            "The file's name ends in .%(extension)s, but its content is not %(type)s. "
            "Files of these types can be attached: %(allowed)s."
        ).split("%(type)s")[0] % {"extension": "pdf"}
        assert start in page
    elif problem == "too_large":
        assert in_swedish(MESSAGES["too_large"], max="0,5") in page
    else:
        assert sv(MESSAGES[problem]) in page
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_file_too_large_is_dropped_while_it_arrives(media, settings, alice_client, question):
    """The cap is counted as the upload is read: the view gets a stand-in, not the file."""
    settings.FILES_MAX_BYTES = 100 * 1024
    response = alice_client.post(
        attach_url("fraga", question.pk), {"file": upload(b"a" * (300 * 1024), "stor.txt")}
    )
    assert response.status_code == 413
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_sending_no_file_is_a_message(media, alice_client, question):
    response = alice_client.post(attach_url("fraga", question.pk), {})
    assert response.status_code == 400
    assert sv("Choose a file to attach.") in text(response)


def test_attaching_needs_the_csrf_token(media, alice, question):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice, backend="kollegan.accounts.backends.MemberBackend")
    response = browser.post(attach_url("fraga", question.pk), {"file": upload(pdf("H"), "a.pdf")})
    assert response.status_code == 403
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_others_may_not_attach_to_a_question(media, bob_client, carol_client, question):
    for browser in (bob_client, carol_client):
        response = browser.post(
            attach_url("fraga", question.pk), {"file": upload(pdf("Hej"), "a.pdf")}
        )
        assert response.status_code == 403
        assert sv("Only the one who asked the question can attach files to it.") in text(response)
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_unknown_items_are_not_found(media, alice_client, question):
    for kind, pk in (("fraga", 4711), ("okand", question.pk), ("fraga", 2**70)):
        response = alice_client.post(
            f"/filer/bifoga/{kind}/{pk}/", {"file": upload(pdf("H"), "a.pdf")}
        )
        assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_attaching_is_post_only(alice_client, question):
    assert alice_client.get(attach_url("fraga", question.pk)).status_code == 405


def test_members_of_the_organisation_attach_a_local_variant(
    media, alice_client, bob_client, adoption
):
    url = attach_url("variant", adoption.pk)
    assert bob_client.post(url, {"file": upload(pdf("Hej"), "a.pdf")}).status_code == 403
    response = alice_client.post(url, {"file": upload(pdf("Hej"), "Lokal variant.pdf")})
    assert response.status_code == 302
    assert response["Location"] == adoption.document.get_absolute_url()
    assert Attachment.objects.get().adoption == adoption


# --- Removing ------------------------------------------------------------------------------------


def test_the_asker_removes_a_file(
    media, alice_client, bob_client, question, alice, django_capture_on_commit_callbacks
):
    attachment = stored(question, alice)
    url = reverse("files:delete", args=[attachment.pk])
    response = bob_client.post(url)
    assert response.status_code == 403
    assert Attachment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url, {"next": question.get_absolute_url()})
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    assert alice_client.get(url).status_code == 405


def test_the_cap_puts_a_stand_in_where_the_file_was(settings, rf):
    from kollegan.files.uploads import TooLargeUpload, cap_uploads

    settings.FILES_MAX_BYTES = 100 * 1024
    request = rf.post("/", {"file": upload(b"a" * (300 * 1024), "stor.txt"), "next": "/x/"})
    cap_uploads(request)
    stand_in = request.FILES["file"]
    assert isinstance(stand_in, TooLargeUpload)
    assert stand_in.name == "stor.txt"
    assert stand_in.size > 100 * 1024
    assert stand_in.read() == b""
    assert request.POST["next"] == "/x/"
    small = rf.post("/", {"file": upload(b"a" * 1000, "liten.txt")})
    cap_uploads(small)
    assert small.FILES["file"].read() == b"a" * 1000
