"""Attaching and removing files (kollegan.files.services): who may, what is
stored where, and that a refusal or a failed write leaves nothing behind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kollegan.files import selectors, services
from kollegan.files.models import Attachment
from kollegan.questions import services as question_services
from tests.files_samples import (
    PERSONAL_NUMBER,
    docx,
    pdf,
    stored_files,
    upload,
    zip_bomb_docx,
)

# The shared fixtures: media (MEDIA_ROOT in tmp_path), question, note, document…
pytest_plugins = ["tests.files_fixtures"]


def attach(owner, member, data=None, name="rutin.pdf"):
    return services.attachment_add(
        upload=upload(data or pdf("Hej"), name), uploader=member, owner=owner
    )


def test_a_file_is_stored_under_a_random_name_with_its_checked_details(media, question, alice):
    attachment = attach(question, alice, name="../../Rutin för placering.pdf")
    assert attachment.name == "Rutin för placering.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == alice
    assert attachment.text.strip() == "Hej"
    files = stored_files(media)
    assert len(files) == 1
    assert files[0].relative_to(media).parts[0] == "attachments"
    assert "Rutin" not in str(files[0]) and ".." not in attachment.file.name
    assert files[0].stat().st_size == attachment.size


def test_an_anonymous_askers_file_has_no_uploader(media, anonymous_question, alice):
    attachment = attach(anonymous_question, alice)
    assert attachment.uploaded_by is None
    assert attachment.question == anonymous_question


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><body>Hej</body></html>", "sida.pdf"),
        (zip_bomb_docx(50), "rutin.docx"),
        (docx(f"Klient {PERSONAL_NUMBER}"), "rutin.docx"),
        (b"\x00\x01 inte en pdf", "rutin.pdf"),
    ],
)
def test_a_refused_file_leaves_no_row_and_no_file(media, question, alice, data, name):
    with pytest.raises(ValidationError):
        attach(question, alice, data, name)
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_the_stored_file_is_deleted_when_the_row_cannot_be_written(
    media, question, alice, monkeypatch
):
    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Attachment.objects, "create", fail)
    with pytest.raises(RuntimeError):
        attach(question, alice)
    assert stored_files(media) == []


def test_the_stored_file_is_deleted_when_the_transaction_around_it_fails(media, question, alice):
    prepared = services.attachment_prepare(upload=upload(pdf("Hej"), "rutin.pdf"))
    with pytest.raises(RuntimeError), services.discard_on_error(), transaction.atomic():
        services.attachment_save(prepared=prepared, owner=question, uploader=alice)
        assert len(stored_files(media)) == 1
        raise RuntimeError("something later failed")
    assert stored_files(media) == []
    assert not Attachment.objects.exists()


def test_asking_with_a_bad_file_writes_no_question(media, alice, barn):
    with pytest.raises(ValidationError) as caught:
        question_services.question_create(
            author=alice,
            title="En fråga med bilaga",
            body="Se bilagan.",
            topics=[barn],
            attachment=upload(pdf(f"Klient {PERSONAL_NUMBER}"), "rutin.pdf"),
        )
    assert set(caught.value.error_dict) == {"file"}
    assert not question_services.Question.objects.exists()
    assert stored_files(media) == []


# --- Who may attach and remove -------------------------------------------------------------------


def test_only_the_asker_attaches_to_a_question(
    media, question, anonymous_question, alice, bob, carol
):
    assert services.may_attach(alice, question)
    assert services.may_attach(alice, anonymous_question)
    assert not services.may_attach(bob, question)
    assert not services.may_attach(carol, anonymous_question)
    with pytest.raises(PermissionDenied):
        attach(question, bob)
    assert stored_files(media) == []


def test_nobody_attaches_to_a_hidden_question(question, alice, carol):
    question_services.content_hide(item=question, moderator=carol)
    question.refresh_from_db()
    assert not services.may_attach(alice, question)
    with pytest.raises(PermissionDenied):
        attach(question, alice)


def test_notes_take_files_from_their_editors(note, group_note, alice, bob, carol):
    assert services.may_attach(alice, note)
    assert services.may_attach(carol, note)  # a moderator
    assert not services.may_attach(bob, note)
    assert services.may_attach(alice, group_note)
    assert not services.may_see_owner(bob, group_note)


def test_documents_and_adoptions(document, adoption, alice, bob, carol):
    assert services.may_attach(bob, document)  # any member may edit a document
    assert services.may_attach(alice, adoption)  # Lycksele's adoption, Alice is in Lycksele
    assert services.may_attach(carol, adoption)
    assert not services.may_attach(bob, adoption)  # Bob is in Storuman
    document.mark_hidden(moderator=carol, reason="")
    assert not services.may_see_owner(alice, document)
    assert not services.may_attach(alice, adoption)


def test_removing_a_file(media, question, alice, bob, carol, django_capture_on_commit_callbacks):
    attachment = attach(question, alice)
    with pytest.raises(PermissionDenied):
        services.attachment_delete(attachment=attachment, member=bob)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment=attachment, member=alice)
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    attachment = attach(question, alice)
    services.attachment_delete(attachment=attachment, member=carol)  # moderators may


def test_the_anonymous_asker_removes_their_file(media, anonymous_question, alice, bob):
    attachment = attach(anonymous_question, alice)
    assert services.may_delete(alice, attachment)
    assert not services.may_delete(bob, attachment)


def test_an_adoptions_organisation_removes_its_files(media, adoption, alice, bob, carol, lycksele):
    from tests.conftest import make_member

    attachment = attach(adoption, alice)
    colleague = make_member("cissi@lycksele.test", "Cissi", lycksele)
    assert services.may_delete(colleague, attachment)
    assert not services.may_delete(bob, attachment)


# --- Reading -------------------------------------------------------------------------------------


def test_attachments_for_is_one_query(
    media, question, anonymous_question, alice, django_assert_num_queries
):
    first = attach(question, alice)
    second = attach(question, alice, name="två.pdf")
    third = attach(anonymous_question, alice)
    with django_assert_num_queries(1):
        found = selectors.attachments_for("question", [question.pk, anonymous_question.pk, 999])
        assert [item.pk for item in found[question.pk]] == [first.pk, second.pk]
        assert [item.pk for item in found[anonymous_question.pk]] == [third.pk]
    with django_assert_num_queries(0):
        assert selectors.attachments_for("note", []) == {}


# --- The admin -----------------------------------------------------------------------------------


def test_the_admin_lists_files_without_uploader_or_text(
    media, admin_client_, anonymous_question, alice
):
    from django.urls import reverse

    attachment = attach(anonymous_question, alice, docx("Hemlig text i filen"), "Bilaga.docx")
    listing = admin_client_.get(reverse("admin:files_attachment_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Bilaga.docx" in page
    detail = admin_client_.get(reverse("admin:files_attachment_change", args=[attachment.pk]))
    assert detail.status_code == 200
    for shown in (listing.content.decode(), detail.content.decode()):
        assert "Hemlig text" not in shown
        assert alice.name not in shown
        assert "uploaded_by" not in shown
    assert admin_client_.get(reverse("admin:files_attachment_add")).status_code == 403
