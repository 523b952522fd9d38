"""/api/v1/files: attaching, reading, downloading and removing files by script,
under the same rules as the pages. Refusals are 422 with a Swedish message under
errors.file, and leave nothing stored; what the caller may not see is 404."""

import pytest
from django.test import Client
from django.urls import reverse

from kollegan.api.services import api_token_create
from kollegan.files import services
from kollegan.files.models import Attachment
from kollegan.questions import services as question_services
from tests.files_samples import (
    HTML,
    PERSONAL_NUMBER,
    SVG,
    docx,
    pdf,
    stored_files,
    upload,
    zip_bomb_docx,
)
from tests.helpers import bearer, in_swedish

# The shared fixtures: media (MEDIA_ROOT in tmp_path), question, note, document…
pytest_plugins = ["tests.files_fixtures"]

CREATE = reverse("api:create_file")


def one(pk: int) -> str:
    return reverse("api:get_file", args=[pk])


def download(pk: int) -> str:
    return reverse("api:download_file", args=[pk])


def send(client: Client, owner_type: str, owner_id: int, data=None, name="Rutin.pdf"):
    return client.post(
        CREATE,
        {"file": upload(data or pdf("Hej"), name), "owner_type": owner_type, "owner_id": owner_id},
    )


def test_attaching_a_file(media, alice_api, question):
    response = send(alice_api, "question", question.pk, docx("Hej"), "../../Rutin för dig.pdf")
    assert response.status_code == 201, response.content
    body = response.json()
    attachment = Attachment.objects.get()
    assert body["id"] == attachment.pk
    assert body["name"] == "Rutin för dig.docx"
    assert body["content_type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert body["size"] == attachment.size
    assert body["owner_type"] == "question" and body["owner_id"] == question.pk
    assert body["url"].endswith(attachment.get_absolute_url())
    assert body["download_url"].endswith(download(attachment.pk))
    assert "uploaded_by" not in body and "text" not in body


def test_reading_downloading_and_removing(media, alice_api, bob_api, note, alice):
    attachment = services.attachment_add(
        upload=upload(pdf("Hej"), "Anteckning.pdf"), uploader=alice, owner=note
    )
    details = bob_api.get(one(attachment.pk))
    assert details.status_code == 200
    assert details.json()["name"] == "Anteckning.pdf"
    assert "uploaded_by" not in details.json()
    response = bob_api.get(download(attachment.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="Anteckning.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert bob_api.delete(one(attachment.pk)).status_code == 403
    assert alice_api.delete(one(attachment.pk)).status_code == 204
    assert not Attachment.objects.exists()
    assert alice_api.get(one(attachment.pk)).status_code == 404


@pytest.mark.parametrize(
    ("make", "name", "code"),
    [
        (lambda: b"\x00\x01 inte en pdf", "rutin.pdf", "wrong_type"),
        (lambda: HTML, "sida.txt", "markup"),
        (lambda: SVG, "bild.pdf", "markup"),
        (lambda: zip_bomb_docx(50), "rutin.docx", "zip_bomb"),
        (lambda: pdf(f"Klient {PERSONAL_NUMBER}"), "rutin.pdf", "personal_number"),
        (lambda: docx(f"Klient {PERSONAL_NUMBER}"), "rutin.docx", "personal_number"),
        (lambda: b"x" * (300 * 1024), "stor.txt", "too_large"),
    ],
)
def test_bad_files_are_422_and_nothing_is_stored(
    media, settings, alice_api, question, make, name, code
):
    settings.FILES_MAX_BYTES = 200 * 1024
    response = send(alice_api, "question", question.pk, make(), name)
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == ["file"]
    assert body["detail"] == body["errors"]["file"][0]
    assert PERSONAL_NUMBER not in response.content.decode()
    if code == "markup":
        assert body["detail"] == in_swedish(
            "Web pages, SVG pictures and other HTML or XML files cannot be attached, whatever "
            "their name. Save the content as PDF and attach that instead."
        )
    if code == "too_large":
        assert body["detail"] == in_swedish(
            "The file is too large. Files of at most %(max)s MB can be attached."
        ) % {"max": "0,2"}
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_what_the_caller_may_not_see_is_404(media, bob_api, group_note, alice):
    attachment = services.attachment_add(
        upload=upload(pdf("Hej"), "a.pdf"), uploader=alice, owner=group_note
    )
    assert send(bob_api, "note", group_note.pk).status_code == 404
    assert bob_api.get(one(attachment.pk)).status_code == 404
    assert bob_api.get(download(attachment.pk)).status_code == 404
    assert bob_api.delete(one(attachment.pk)).status_code == 404
    assert send(bob_api, "question", 4711).status_code == 404
    assert bob_api.get(one(4711)).status_code == 404
    assert Attachment.objects.count() == 1


def test_files_of_a_hidden_question_are_gone_for_others(media, bob_api, question, alice, carol):
    attachment = services.attachment_add(
        upload=upload(pdf("Hej"), "a.pdf"), uploader=alice, owner=question
    )
    question_services.content_hide(item=question, moderator=carol)
    assert bob_api.get(one(attachment.pk)).status_code == 404
    assert bob_api.get(download(attachment.pk)).status_code == 404


def test_others_may_not_attach_to_a_question(media, bob_api, question):
    response = send(bob_api, "question", question.pk)
    assert response.status_code == 403
    assert response.json()["detail"] == in_swedish(
        "Only the one who asked the question can attach files to it."
    )
    assert stored_files(media) == []


def test_an_anonymous_askers_file_has_no_uploader(media, alice_api, anonymous_question, alice):
    response = send(alice_api, "question", anonymous_question.pk)
    assert response.status_code == 201
    assert Attachment.objects.get().uploaded_by is None
    assert alice.name not in response.content.decode()


def test_documents_and_adoptions_take_files(media, alice_api, bob_api, document, adoption):
    assert send(bob_api, "document", document.pk).status_code == 201
    assert send(alice_api, "adoption", adoption.pk).status_code == 201
    assert send(bob_api, "adoption", adoption.pk).status_code == 403


def test_the_owner_must_be_named_rightly(media, alice_api, question):
    response = send(alice_api, "fraga", question.pk)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["owner_type"]
    response = alice_api.post(CREATE, {"owner_type": "question", "owner_id": question.pk})
    assert response.status_code == 422
    response = send(alice_api, "question", 2**70)
    assert response.status_code == 422
    assert not Attachment.objects.exists()


def test_visitors_and_deactivated_members_are_401(media, client, dave, question, alice):
    attachment = services.attachment_add(
        upload=upload(pdf("Hej"), "a.pdf"), uploader=alice, owner=question
    )
    secret = api_token_create(member=dave, name="Gammalt")[1]
    for browser in (client, Client(headers=bearer(secret))):
        assert send(browser, "question", question.pk).status_code == 401
        assert browser.get(one(attachment.pk)).status_code == 401
        assert browser.get(download(attachment.pk)).status_code == 401
        assert browser.delete(one(attachment.pk)).status_code == 401
    assert Attachment.objects.count() == 1
