"""Dokument: writing a document and its versions, the refusal of a stale edit
(both texts kept), restoring, the status, deleting, comments with the guard,
the adoption rules, and what the selectors show."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.utils import timezone

from kollegan.accounts.models import Organisation
from kollegan.documents import selectors, services
from kollegan.documents.models import (
    Adoption,
    AdoptionStatus,
    Document,
    DocumentComment,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.lib.guard import ConfidentialityError
from kollegan.notifications.models import Activity, Target, Verb
from kollegan.topics.models import Topic

PERSONAL_NUMBER = "19121212-1212"
TITLE = "Riktlinje för orosanmälan"
BODY = "## Syfte\n\nAlla som arbetar med **barn** ska veta hur en orosanmälan görs."


def refusal(raised: pytest.ExceptionInfo) -> tuple[str, str]:
    [(field, errors)] = raised.value.error_dict.items()
    return field, errors[0].code


def write(author, **fields) -> Document:
    fields.setdefault("title", TITLE)
    fields.setdefault("body", BODY)
    fields.setdefault("kind", DocumentKind.GUIDELINE)
    return services.document_create(author=author, **fields)


def save(document, editor, body, *, base=None, **fields) -> DocumentVersion:
    fields.setdefault("title", document.title)
    return services.document_save(
        document=document,
        editor=editor,
        body=body,
        base_version=document.version_number if base is None else base,
        **fields,
    )


def counts() -> tuple[int, int, int, int]:
    return (
        Document.objects.count(),
        DocumentVersion.objects.count(),
        DocumentComment.objects.count(),
        Adoption.objects.count(),
    )


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def vald(db) -> Topic:
    return Topic.objects.get(slug="vald")


@pytest.fixture
def guideline(alice, barn) -> Document:
    return write(alice, topics=[barn], change_note="Första utkastet")


# --- Writing ------------------------------------------------------------------------------------


def test_a_new_document_has_version_one_and_is_announced(alice, barn, guideline):
    guideline.refresh_from_db()
    assert (guideline.owner, guideline.updated_by, guideline.version_number) == (alice, alice, 1)
    assert guideline.status == DocumentStatus.DRAFT
    assert "<h2>Syfte</h2>" in guideline.body_html
    [version] = guideline.versions.all()
    assert (version.number, version.title, version.body) == (1, TITLE, BODY)
    assert (version.author, version.change_note) == (alice, "Första utkastet")
    activity = Activity.objects.get(verb=Verb.NEW_DOCUMENT)
    assert (activity.target_type, activity.target_id) == (Target.DOCUMENT, guideline.pk)
    assert (activity.actor, activity.topic_ids) == (alice, [barn.pk])


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": "   "}, "title", "title_empty"),
        ({"title": "x" * 201}, "title", "title_long"),
        ({"body": " \n "}, "body", "body_empty"),
        ({"body": "x" * 200_001}, "body", "body_long"),
        ({"change_note": "x" * 201}, "change_note", "change_note_long"),
        ({"kind": "roman"}, "kind", "kind_unknown"),
        ({"status": "secret"}, "status", "status_unknown"),
        ({"status": DocumentStatus.ARCHIVED}, "status", "status_archived"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(alice, fields, field, code):
    with pytest.raises(ValidationError) as raised:
        write(alice, **fields)
    assert refusal(raised) == (field, code)
    assert counts() == (0, 0, 0, 0)
    assert not Activity.objects.exists()


def test_a_retired_topic_is_refused(alice, barn):
    barn.is_active = False
    barn.save()
    with pytest.raises(ValidationError) as raised:
        write(alice, topics=[barn])
    assert refusal(raised) == ("topics", "retired_topic")


def test_the_guard_refuses_a_personal_identity_number_in_text_and_change_note(alice):
    with pytest.raises(ConfidentialityError):
        write(alice, body=f"Barnet {PERSONAL_NUMBER} ska höras.")
    with pytest.raises(ConfidentialityError):
        write(alice, change_note=f"La till {PERSONAL_NUMBER}")
    assert counts() == (0, 0, 0, 0)


def test_the_guard_asks_to_confirm_a_phone_number(alice, guideline):
    body = f"{BODY}\n\nRing 070-123 45 67."
    with pytest.raises(ConfidentialityError):
        save(guideline, alice, body)
    assert save(guideline, alice, body, confirmed=True).number == 2


# --- Versions -----------------------------------------------------------------------------------


def test_every_save_is_a_version_with_author_note_and_new_number(alice, bob, guideline, vald):
    version = save(guideline, bob, BODY + "\n\nTillägg.", change_note="La till ett stycke")
    assert (version.number, version.author, version.change_note) == (2, bob, "La till ett stycke")
    assert guideline.version_number == 2
    guideline.refresh_from_db()
    assert (guideline.version_number, guideline.updated_by) == (2, bob)
    assert guideline.body.endswith("Tillägg.")
    assert "Tillägg." in guideline.body_html
    assert guideline.owner == alice
    activity = Activity.objects.get(verb=Verb.NEW_VERSION)
    assert (activity.target_id, activity.item_id, activity.actor) == (
        guideline.pk,
        version.pk,
        bob,
    )
    # Only the topics change: still a version, and the topics are the new ones.
    third = save(guideline, alice, guideline.body, topics=[vald], kind=DocumentKind.ROUTINE)
    assert third.number == 3
    guideline.refresh_from_db()
    assert list(guideline.topics.all()) == [vald]
    assert guideline.kind == DocumentKind.ROUTINE


def test_a_save_that_changes_nothing_is_refused(alice, guideline, barn):
    with pytest.raises(ValidationError) as raised:
        save(guideline, alice, BODY, topics=[barn])
    assert refusal(raised) == ("body", "same")
    assert DocumentVersion.objects.count() == 1


def test_a_stale_save_is_refused_and_both_texts_are_kept(alice, bob, guideline):
    """Alice and Bob both open version 1; Bob saves first; Alice's save is refused."""
    first = Document.objects.get(pk=guideline.pk)
    second = Document.objects.get(pk=guideline.pk)
    save(first, bob, "Bobs text.", base=1)
    with pytest.raises(services.StaleEditError) as raised:
        save(second, alice, "Alices text.", base=1)
    assert raised.value.base_version == 1
    assert raised.value.document.version_number == 2
    assert raised.value.document.body == "Bobs text."
    guideline.refresh_from_db()
    assert (guideline.version_number, guideline.body) == (2, "Bobs text.")
    assert list(guideline.versions.values_list("number", flat=True)) == [2, 1]
    # A second, deliberate save from the current version goes through.
    assert save(second, alice, "Alices text.", base=2).number == 3


def test_a_save_based_on_a_version_that_does_not_exist_yet_is_stale(alice, guideline):
    with pytest.raises(services.StaleEditError):
        save(guideline, alice, "Ny text.", base=7)
    assert DocumentVersion.objects.count() == 1


# Real commits, so the two threads see each other; serialized_rollback puts the
# migrations' rows back for the transactional tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_at_the_same_instant_cannot_both_win(alice, bob, barn):
    document = write(alice)
    results: list[str] = []
    start = threading.Barrier(2)

    def attempt(member, body: str) -> None:
        try:
            start.wait()
            copy = Document.objects.get(pk=document.pk)
            save(copy, member, body, base=1)
            results.append("saved")
        except services.StaleEditError:
            results.append("stale")
        except Exception as error:  # a locked database would be a refusal too
            results.append(type(error).__name__)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=attempt, args=(alice, "Alice.")),
        threading.Thread(target=attempt, args=(bob, "Bob.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("saved") == 1, results
    document.refresh_from_db()
    assert document.version_number == 2
    assert DocumentVersion.objects.filter(document=document).count() == 2
    assert document.body == DocumentVersion.objects.get(document=document, number=2).body


def test_restore_brings_back_an_old_text_as_a_new_version(alice, bob, guideline):
    save(guideline, bob, "Andra texten.", title="Ny titel")
    restored = services.document_restore(document=guideline, editor=alice, number=1, base_version=2)
    assert (restored.number, restored.restored_from, restored.body) == (3, 1, BODY)
    guideline.refresh_from_db()
    assert (guideline.version_number, guideline.title, guideline.body) == (3, TITLE, BODY)
    assert Activity.objects.filter(verb=Verb.NEW_VERSION).count() == 2


def test_restore_is_refused_when_stale_missing_or_the_same(alice, bob, guideline):
    save(guideline, bob, "Andra texten.")
    with pytest.raises(services.StaleEditError):
        services.document_restore(document=guideline, editor=alice, number=1, base_version=1)
    for number in (9, 0, 2**70):
        with pytest.raises(ValidationError) as raised:
            services.document_restore(
                document=guideline, editor=alice, number=number, base_version=2
            )
        assert refusal(raised) == ("number", "version_unknown")
    with pytest.raises(ValidationError) as raised:
        services.document_restore(document=guideline, editor=alice, number=2, base_version=2)
    assert refusal(raised) == ("number", "restore_unchanged")
    assert DocumentVersion.objects.count() == 2


# --- Who may ------------------------------------------------------------------------------------


def test_anyone_edits_unless_archived_then_owner_and_moderators(alice, bob, carol, guideline):
    assert services.may_edit(bob, guideline)
    assert not services.may_manage(bob, guideline)
    services.document_set_status(document=guideline, member=alice, status="archived")
    assert guideline.status == DocumentStatus.ARCHIVED
    assert not services.may_edit(bob, guideline)
    assert services.may_edit(alice, guideline) and services.may_edit(carol, guideline)
    with pytest.raises(PermissionDenied):
        save(guideline, bob, "Bob försöker.")
    with pytest.raises(PermissionDenied):
        services.document_restore(document=guideline, editor=bob, number=1, base_version=1)
    assert save(guideline, carol, "Moderatorn rättar.").number == 2


def test_status_and_delete_are_for_the_owner_and_moderators(alice, bob, carol, guideline):
    with pytest.raises(PermissionDenied):
        services.document_set_status(document=guideline, member=bob, status="adopted")
    with pytest.raises(PermissionDenied):
        services.document_delete(document=guideline, member=bob)
    with pytest.raises(ValidationError):
        services.document_set_status(document=guideline, member=alice, status="published")
    services.document_set_status(document=guideline, member=carol, status="consultation")
    assert Document.objects.get().status == DocumentStatus.CONSULTATION
    services.document_delete(document=guideline, member=carol)
    assert counts() == (0, 0, 0, 0)


def test_a_hidden_document_is_out_of_every_reader_and_writer(alice, carol, guideline):
    services.document_hide(document=guideline, moderator=carol, reason="Fel forum")
    assert selectors.document_for(alice, guideline.pk) is None
    assert selectors.documents_page(alice).items == []
    assert selectors.latest_changes(alice).items == []
    assert not services.may_edit(alice, guideline)
    with pytest.raises(PermissionDenied):
        services.comment_create(document=guideline, author=alice, body="Hej")
    services.document_unhide(document=guideline, moderator=carol)
    assert selectors.document_for(alice, guideline.pk) == guideline


# --- Comments -----------------------------------------------------------------------------------


def test_comments_on_the_document_and_on_a_version_keep_the_count(alice, bob, carol, guideline):
    save(guideline, bob, "Andra texten.")
    general = services.comment_create(document=guideline, author=bob, body="Bra början!")
    on_one = services.comment_create(
        document=guideline, author=carol, body="Stycke 2 saknas.", version_number=1
    )
    assert (general.version, on_one.version.number) == (None, 1)
    guideline.refresh_from_db()
    assert guideline.comment_count == 2
    assert selectors.comments_of(guideline) == [general, on_one]
    activity = Activity.objects.get(verb=Verb.NEW_DOCUMENT_COMMENT, item_id=on_one.pk)
    assert (activity.target_id, activity.actor) == (guideline.pk, carol)
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=general, member=alice)
    services.comment_delete(comment=general, member=bob)
    services.comment_delete(comment=on_one, member=carol)
    guideline.refresh_from_db()
    assert guideline.comment_count == 0


def test_a_bad_comment_is_refused(alice, guideline):
    with pytest.raises(ValidationError) as raised:
        services.comment_create(document=guideline, author=alice, body=" ")
    assert refusal(raised) == ("body", "body_empty")
    with pytest.raises(ValidationError) as raised:
        services.comment_create(document=guideline, author=alice, body="Hej", version_number=5)
    assert refusal(raised) == ("version", "version_unknown")
    with pytest.raises(ConfidentialityError):
        services.comment_create(document=guideline, author=alice, body=f"Om {PERSONAL_NUMBER}")
    guideline.refresh_from_db()
    assert (DocumentComment.objects.count(), guideline.comment_count) == (0, 0)


# --- Adoption -----------------------------------------------------------------------------------


def record(document, member, organisation, **fields) -> Adoption:
    fields.setdefault("status", AdoptionStatus.ADOPTED)
    return services.adoption_record(
        document=document, member=member, organisation=organisation, **fields
    )


def test_a_member_records_and_changes_their_organisations_decision(alice, lycksele, guideline):
    adoption = record(
        guideline,
        alice,
        lycksele,
        decided_on=dt.date(2026, 3, 24),
        decided_by="  Socialnämnden ",
        version_number=1,
    )
    assert (adoption.decided_by, adoption.recorded_by, adoption.version_number) == (
        "Socialnämnden",
        alice,
        1,
    )
    changed = record(
        guideline,
        alice,
        lycksele,
        status=AdoptionStatus.VARIANT,
        variant_url="https://lycksele.se/riktlinje",
    )
    assert changed.pk == adoption.pk
    assert Adoption.objects.get().status == AdoptionStatus.VARIANT


def test_a_variant_without_link_or_file_is_allowed(alice, lycksele, guideline):
    assert record(guideline, alice, lycksele, status=AdoptionStatus.VARIANT).variant_url == ""


def test_only_moderators_record_for_another_organisation(alice, carol, storuman, guideline):
    with pytest.raises(PermissionDenied):
        record(guideline, alice, storuman)
    assert not Adoption.objects.exists()
    assert record(guideline, carol, storuman).organisation == storuman


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"status": "maybe"}, "status", "status_unknown"),
        ({"decided_on": dt.date(2999, 1, 1)}, "decided_on", "date_future"),
        ({"decided_by": "x" * 201}, "decided_by", "decided_by_long"),
        ({"variant_url": "javascript:alert(1)"}, "variant_url", "url_invalid"),
        ({"variant_url": "ftp://lycksele.se/a"}, "variant_url", "url_invalid"),
        ({"variant_url": "https://x.se/" + "a" * 500}, "variant_url", "url_long"),
        ({"version_number": 4}, "version_number", "version_unknown"),
    ],
)
def test_bad_adoption_input_is_refused(alice, lycksele, guideline, fields, field, code):
    with pytest.raises(ValidationError) as raised:
        record(guideline, alice, lycksele, **fields)
    assert refusal(raised) == (field, code)
    assert not Adoption.objects.exists()


def test_todays_date_is_allowed(alice, lycksele, guideline):
    today = timezone.localdate()
    assert record(guideline, alice, lycksele, decided_on=today).decided_on == today


def test_the_adoption_table_lists_every_organisation(alice, lycksele, guideline):
    record(guideline, alice, lycksele)
    table = selectors.adoption_table(guideline)
    assert [organisation for organisation, _ in table] == list(
        Organisation.objects.order_by("name")
    )
    recorded = {organisation.slug: adoption for organisation, adoption in table if adoption}
    assert list(recorded) == ["lycksele"]


# --- The list -----------------------------------------------------------------------------------


def test_the_list_filters_and_leaves_archived_out_by_default(alice, bob, barn, vald):
    routine = write(alice, title="Rutin", kind=DocumentKind.ROUTINE, topics=[vald])
    guideline = write(bob, title="Riktlinje", topics=[barn])
    old = write(bob, title="Gammal", topics=[barn])
    services.document_set_status(document=old, member=bob, status="archived")

    def titles(**filters) -> list[str]:
        return [document.title for document in selectors.documents_page(alice, **filters).items]

    assert titles() == ["Riktlinje", "Rutin"]
    assert titles(include_archived=True) == ["Gammal", "Riktlinje", "Rutin"]
    assert titles(status="archived") == ["Gammal"]
    assert titles(topic="barn-och-unga") == ["Riktlinje"]
    assert titles(kind=DocumentKind.ROUTINE) == ["Rutin"]
    # The latest saved comes first.
    save(routine, bob, "Ändrad rutin.")
    assert titles() == ["Rutin", "Riktlinje"]
    assert selectors.kind_counts() == {"routine": 1, "guideline": 1}
    assert {topic.slug: topic.document_count for topic in selectors.topic_counts()} == {
        "barn-och-unga": 1,
        "vald": 1,
    }
    assert guideline in selectors.documents_page(alice, topic="barn-och-unga").items
    with pytest.raises(ValidationError):
        selectors.documents_page(alice, kind="roman")
    with pytest.raises(ValidationError):
        selectors.documents_page(alice, status="secret")


def test_the_list_pages_by_cursor(alice):
    for index in range(5):
        write(alice, title=f"Dokument {index}")
    first = selectors.documents_page(alice, size=2)
    second = selectors.documents_page(alice, size=2, cursor=first.next_cursor)
    third = selectors.documents_page(alice, size=2, cursor=second.next_cursor)
    titles = [d.title for page in (first, second, third) for d in page.items]
    assert titles == [f"Dokument {index}" for index in range(4, -1, -1)]
    assert third.next_cursor == ""
    with pytest.raises(ValidationError):
        selectors.documents_page(alice, cursor="trasig")


def test_history_and_latest_changes_page_newest_first(alice, bob, guideline):
    for index in range(4):
        save(guideline, bob, f"Text {index}.")
    page = selectors.versions_page(guideline, size=2)
    assert [version.number for version in page.items] == [5, 4]
    rest = selectors.versions_page(guideline, size=10, cursor=page.next_cursor)
    assert [version.number for version in rest.items] == [3, 2, 1]
    with pytest.raises(ValidationError):
        selectors.versions_page(guideline, cursor="x1")
    changes = selectors.latest_changes(alice, size=3)
    assert [version.number for version in changes.items] == [5, 4, 3]
    assert selectors.version_of(guideline, 2**70) is None
    assert selectors.version_of(guideline, 3).body == "Text 1."


def test_the_collections_are_counted_once_and_again_after_each_change(
    alice, carol, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from kollegan.documents.selectors import collections

    barn = Topic.objects.get(slug="barn-och-unga")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.document_create(
            author=alice, title="Rutin", body="Text.", kind="routine", topics=[barn]
        )
    assert collections()[0] == {"routine": 1}
    with django_assert_num_queries(0):
        _kinds, topics = collections()
    assert [(topic.slug, topic.document_count) for topic in topics] == [("barn-och-unga", 1)]

    with django_capture_on_commit_callbacks(execute=True):
        services.document_create(author=alice, title="Mall", body="Text.", kind="template")
    assert collections()[0] == {"routine": 1, "template": 1}
    with django_capture_on_commit_callbacks(execute=True):
        services.document_save(
            document=first, editor=alice, title="Rutin", body="Text.", base_version=1, topics=[]
        )
    assert collections()[1] == []
    with django_capture_on_commit_callbacks(execute=True):
        services.document_set_status(document=first, member=alice, status="archived")
    assert collections()[0] == {"template": 1}
    with django_capture_on_commit_callbacks(execute=True):
        services.document_hide(document=first, moderator=carol)
        services.document_unhide(document=first, moderator=carol)
    assert collections()[0] == {"template": 1}


def test_a_text_from_a_browser_is_saved_with_plain_line_breaks(alice):
    document = services.document_create(
        author=alice, title="Rutin", body="Rad ett\r\nRad två\r\n", kind="routine"
    )
    assert document.body == "Rad ett\nRad två"
    assert document.versions.get().body == "Rad ett\nRad två"
