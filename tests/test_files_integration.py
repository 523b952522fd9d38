"""Files on the question and note pages: listed with a download link, attached
by the asker or the note's editors, sent along when asking or writing (checked
before anything is written), never naming an anonymous asker, and at a query
count that does not grow with the files."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollegan.files import services
from kollegan.files.models import Attachment
from kollegan.notes.models import Note
from kollegan.questions.models import Question
from tests.files_samples import (
    PERSONAL_NUMBER,
    docx,
    jpeg,
    pdf,
    stored_files,
    upload,
)
from tests.helpers import sv

# The shared fixtures: media (MEDIA_ROOT in tmp_path), question, note, document…
pytest_plugins = ["tests.files_fixtures"]


def text(response) -> str:
    return html.unescape(response.content.decode())


def attach(owner, member, name="Rutin.pdf"):
    return services.attachment_add(upload=upload(pdf("Hej"), name), uploader=member, owner=owner)


# --- The question page ---------------------------------------------------------------------------


def test_the_question_page_lists_its_files(
    media, alice_client, bob_client, carol_client, question, alice
):
    attachment = attach(question, alice, "Rutin för placering.pdf")
    page = text(bob_client.get(question.get_absolute_url()))
    assert sv("Attached files") in page
    assert "Rutin för placering.pdf" in page
    assert attachment.get_absolute_url() in page
    # Only the asker attaches; the asker and moderators remove.
    assert reverse("files:attach", args=["fraga", question.pk]) not in page
    assert reverse("files:delete", args=[attachment.pk]) not in page
    page = text(alice_client.get(question.get_absolute_url()))
    assert reverse("files:attach", args=["fraga", question.pk]) in page
    assert 'enctype="multipart/form-data"' in page
    assert reverse("files:delete", args=[attachment.pk]) in page
    page = text(carol_client.get(question.get_absolute_url()))
    assert reverse("files:delete", args=[attachment.pk]) in page
    assert reverse("files:attach", args=["fraga", question.pk]) not in page


def test_an_anonymous_askers_file_names_nobody(
    media, alice_client, bob_client, anonymous_question, alice
):
    response = alice_client.post(
        reverse("files:attach", args=["fraga", anonymous_question.pk]),
        {"file": upload(docx("Hej"), "Min bilaga.docx")},
    )
    assert response.status_code == 302
    assert Attachment.objects.get().uploaded_by is None
    page = text(bob_client.get(anonymous_question.get_absolute_url()))
    assert "Min bilaga.docx" in page
    assert alice.name not in page
    assert alice.organisation.name not in page


def queries_for(client, url: str) -> int:
    client.get(url)  # the menu and site settings are cached after the first request
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_question_page_costs_the_same_with_any_number_of_files(
    media, bob_client, question, alice, django_assert_num_queries
):
    url = question.get_absolute_url()
    without = queries_for(bob_client, url)
    for number in range(6):
        attach(question, alice, f"Fil {number}.pdf")
    with django_assert_num_queries(without):
        response = bob_client.get(url)
    assert text(response).count('href="/filer/') == 6


def test_asking_with_a_file_attaches_it(media, alice_client, barn):
    response = alice_client.post(
        reverse("questions:ask"),
        {
            "title": "Vad säger er rutin?",
            "body": "Jag bifogar vår.",
            "topics": [barn.slug],
            "anonymous": "on",
            "file": upload(pdf("Vår rutin"), "Vår rutin.pdf"),
        },
    )
    assert response.status_code == 302
    question = Question.objects.get()
    attachment = Attachment.objects.get()
    assert attachment.question == question
    assert attachment.uploaded_by is None  # asked anonymously
    assert attachment.name == "Vår rutin.pdf"
    assert len(stored_files(media)) == 1


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "rutin.pdf"),
        (pdf(f"Klient {PERSONAL_NUMBER}"), "rutin.pdf"),
    ],
)
def test_asking_with_a_bad_file_writes_nothing(media, alice_client, barn, data, name):
    response = alice_client.post(
        reverse("questions:ask"),
        {
            "title": "Vad säger er rutin?",
            "body": "Jag bifogar vår.",
            "topics": [barn.slug],
            "file": upload(data, name),
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert 'id="id_file_error"' in page
    assert (
        sv("The browser does not keep a chosen file when the form comes back: choose it again.")
        in page
    )
    assert not Question.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_editing_a_question_offers_no_file(alice_client, question):
    page = text(alice_client.get(reverse("questions:edit", args=[question.pk])))
    assert 'type="file"' not in page


# --- The note page -------------------------------------------------------------------------------


def test_the_note_page_lists_its_files_and_editors_attach(
    media, alice_client, bob_client, note, alice
):
    attachment = attach(note, alice, "Presentation.pdf")
    page = text(bob_client.get(note.get_absolute_url()))
    assert "Presentation.pdf" in page and attachment.get_absolute_url() in page
    assert reverse("files:attach", args=["anteckning", note.pk]) not in page
    page = text(alice_client.get(note.get_absolute_url()))
    assert reverse("files:attach", args=["anteckning", note.pk]) in page
    assert reverse("files:delete", args=[attachment.pk]) in page
    response = alice_client.post(
        reverse("files:attach", args=["anteckning", note.pk]),
        {"file": upload(jpeg(), "Whiteboard.jpg"), "next": note.get_absolute_url()},
    )
    assert response.status_code == 302
    assert Attachment.objects.filter(note=note).count() == 2


def test_the_note_page_costs_the_same_with_any_number_of_files(
    media, bob_client, note, alice, django_assert_num_queries
):
    url = note.get_absolute_url()
    without = queries_for(bob_client, url)
    for number in range(5):
        attach(note, alice, f"Fil {number}.pdf")
    with django_assert_num_queries(without):
        response = bob_client.get(url)
    assert text(response).count('href="/filer/') == 5


def test_writing_notes_with_a_file(media, alice_client):
    response = alice_client.post(
        reverse("notes:create"),
        {"title": "Från mötet", "body": "Bilderna bifogade.", "file": upload(pdf("Bild"), "b.pdf")},
    )
    assert response.status_code == 302
    assert Attachment.objects.get().note == Note.objects.get()


def test_writing_notes_with_a_bad_file_writes_nothing(media, alice_client):
    response = alice_client.post(
        reverse("notes:create"),
        {
            "title": "Från mötet",
            "body": "Bilderna bifogade.",
            "file": upload(docx(f"Klient {PERSONAL_NUMBER}"), "b.docx"),
        },
    )
    assert response.status_code == 400
    assert "19121212-XXXX" in text(response)
    assert not Note.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
