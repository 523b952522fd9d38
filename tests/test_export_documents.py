"""Mina uppgifter → dokument.json: the documents a member owns, the versions they
saved (with the text), their comments, the adoptions they recorded and the files
they attached, also to a question they asked anonymously. Never another member's
versions or comments."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from kollegan.documents import services as documents
from kollegan.files.models import Attachment
from kollegan.questions import services as questions
from kollegan.topics.models import Topic
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def exported(member) -> dict:
    response = client_for(member).post(reverse("profiles:my_data"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return json.loads(archive.read("dokument.json").decode("utf-8"))


def attach(name: str, **owner) -> Attachment:
    attachment = Attachment(name=name, content_type="text/plain", size=5, **owner)
    attachment.file.save(name, ContentFile(b"hej\n"), save=False)
    attachment.save()
    return attachment


def test_export_holds_the_members_documents_versions_comments_adoptions_and_files(
    alice, bob, lycksele
):
    document = documents.document_create(
        author=alice, title="Riktlinje", body="Första texten.", kind="guideline"
    )
    documents.document_save(
        document=document,
        editor=bob,
        title="Riktlinje",
        body="Bobs text.",
        base_version=1,
        change_note="Bobs ändring",
    )
    documents.document_save(
        document=document, editor=alice, title="Riktlinje", body="Alice igen.", base_version=2
    )
    documents.comment_create(document=document, author=alice, body="Min kommentar.")
    documents.comment_create(document=document, author=bob, body="Bobs kommentar.")
    documents.adoption_record(
        document=document,
        member=alice,
        organisation=lycksele,
        status="adopted",
        decided_by="Socialnämnden",
    )
    attach("bilaga.txt", document=document, uploaded_by=alice)
    asked = questions.question_create(
        author=alice,
        title="Anonym fråga",
        body="Hur gör ni?",
        topics=[Topic.objects.get(slug="barn-och-unga")],
        anonymous=True,
    )
    attach("underlag.txt", question=asked)

    data = exported(alice)

    assert data["owned"] == [{"id": document.pk, "title": "Riktlinje", "status": "draft"}]
    assert [(v["number"], v["body"]) for v in data["versions"]] == [
        (1, "Första texten."),
        (3, "Alice igen."),
    ]
    assert [comment["body"] for comment in data["comments"]] == ["Min kommentar."]
    [adoption] = data["adoptions"]
    assert adoption["organisation"] == lycksele.name
    assert adoption["decided_by"] == "Socialnämnden"
    assert {(f["name"], f["attached_to"]["type"]) for f in data["files"]} == {
        ("bilaga.txt", "document"),
        ("underlag.txt", "question"),
    }
    text = json.dumps(data, ensure_ascii=False)
    assert "Bobs text" not in text and "Bobs kommentar" not in text

    bobs = exported(bob)
    assert [v["number"] for v in bobs["versions"]] == [2]
    assert bobs["files"] == [] and bobs["owned"] == []
