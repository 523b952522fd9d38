"""Dokument in the notifications: a new document reaches those who subscribe to
"meeting notes and documents" in its topics; a new version or a comment reaches
the owner and the document's followers (not every topic subscriber), never the
one who wrote it; a hidden document or a deleted comment tells nobody; and the
e-mail says what happened without the text."""

import pytest

from kollegan.documents import services as documents
from kollegan.notifications import delivery, targets
from kollegan.notifications.emails import SUBJECTS
from kollegan.notifications.models import Activity, Frequency, Kind, Notification, Target, Verb
from kollegan.notifications.services import follow_set, subscriptions_set
from kollegan.topics.models import Topic
from tests.helpers import sv

pytestmark = pytest.mark.django_db


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


def told(verb: Verb) -> dict[int, Notification]:
    activity = Activity.objects.filter(verb=verb).latest("pk")
    delivery.activity_fan_out(activity.pk)
    return {row.recipient_id: row for row in Notification.objects.filter(activity=activity)}


def guideline(owner, barn):
    return documents.document_create(
        author=owner,
        title="Riktlinje för orosanmälningar",
        body="Så tar vi emot en orosanmälan.",
        kind="guideline",
        topics=[barn],
    )


def test_a_new_document_reaches_subscribers_of_notes_and_documents(alice, bob, carol, barn):
    subscriptions_set(member=bob, choices={(barn.pk, Kind.NOTE): Frequency.IMMEDIATE})
    subscriptions_set(member=carol, choices={(barn.pk, Kind.QUESTION): Frequency.IMMEDIATE})
    document = guideline(alice, barn)

    found = told(Verb.NEW_DOCUMENT)

    assert set(found) == {bob.pk}
    assert found[bob.pk].activity.target_type == Target.DOCUMENT
    assert found[bob.pk].activity.target_id == document.pk


def test_a_new_version_reaches_the_owner_and_followers_but_not_topic_subscribers(
    alice, bob, carol, admin_member, barn
):
    document = guideline(alice, barn)
    subscriptions_set(member=admin_member, choices={(barn.pk, Kind.NOTE): Frequency.IMMEDIATE})
    follow_set(member=carol, target_type=Target.DOCUMENT, target_id=document.pk, follow=True)

    version = documents.document_save(
        document=document,
        editor=bob,
        title=document.title,
        body="Så tar vi emot en orosanmälan, också på kvällen.",
        base_version=1,
        change_note="Kvällstid",
    )

    found = told(Verb.NEW_VERSION)
    assert set(found) == {alice.pk, carol.pk}
    assert found[alice.pk].activity.item_id == version.pk


def test_the_editor_is_not_told_of_their_own_version(alice, barn):
    document = guideline(alice, barn)
    documents.document_save(
        document=document, editor=alice, title=document.title, body="Ny text.", base_version=1
    )

    assert told(Verb.NEW_VERSION) == {}


def test_a_comment_reaches_the_owner_followers_and_those_mentioned(
    alice, bob, carol, admin_member, barn
):
    document = guideline(alice, barn)
    follow_set(member=carol, target_type=Target.DOCUMENT, target_id=document.pk, follow=True)

    comment = documents.comment_create(
        document=document, author=bob, body=f"Bra! @{admin_member.name} vad tycker du?"
    )

    found = told(Verb.NEW_DOCUMENT_COMMENT)
    assert set(found) == {alice.pk, carol.pk, admin_member.pk}
    path = targets.path_of(
        found[alice.pk].activity,
        targets.threads({("document", document.pk)})["document", document.pk],
    )
    assert path == f"/dokument/{document.pk}/#kommentar-{comment.pk}"


def test_a_hidden_document_tells_nobody(alice, bob, carol, barn):
    subscriptions_set(member=bob, choices={(barn.pk, Kind.NOTE): Frequency.IMMEDIATE})
    document = guideline(alice, barn)
    documents.document_hide(document=document, moderator=carol)

    assert told(Verb.NEW_DOCUMENT) == {}


def test_a_deleted_comment_is_left_out(alice, bob, barn):
    document = guideline(alice, barn)
    comment = documents.comment_create(document=document, author=bob, body="Tveksam.")
    documents.comment_delete(comment=comment, member=bob)

    assert told(Verb.NEW_DOCUMENT_COMMENT) == {}


def test_every_document_verb_has_a_subject_and_a_headline_in_swedish(alice, barn):
    guideline(alice, barn)
    activity = Activity.objects.get(verb=Verb.NEW_DOCUMENT)
    assert targets.headline(activity) == sv("%(name)s shared a new document") % {"name": alice.name}
    for verb in (Verb.NEW_DOCUMENT, Verb.NEW_VERSION, Verb.NEW_DOCUMENT_COMMENT):
        assert sv(SUBJECTS[verb])


def test_members_follow_and_unfollow_a_document_from_its_page(alice_client, alice, bob, barn):
    document = guideline(bob, barn)
    url = f"/notiser/folj/document/{document.pk}/"

    response = alice_client.post(url, {"follow": "1"})
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()
    assert alice_client.get(document.get_absolute_url()).status_code == 200
    assert Activity.objects.filter(verb=Verb.NEW_DOCUMENT).exists()
    from kollegan.notifications.models import Following

    assert Following.objects.filter(member=alice, target_type="document").count() == 1
    alice_client.post(url, {"follow": "0"})
    assert not Following.objects.filter(member=alice, target_type="document").exists()


def test_following_a_hidden_or_missing_document_is_not_found(alice_client, alice, carol, barn):
    document = guideline(alice, barn)
    documents.document_hide(document=document, moderator=carol)

    assert (
        alice_client.post(f"/notiser/folj/document/{document.pk}/", {"follow": "1"}).status_code
        == 404
    )
    assert alice_client.post("/notiser/folj/document/999999/", {"follow": "1"}).status_code == 404


# --- The e-mails, as sent over SMTP ------------------------------------------------------------


@pytest.fixture
def mailing(settings, smtp_server, immediate_tasks, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_BATCH_SECONDS = 0

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


def received(smtp_server, member) -> list:
    import email
    from email import policy

    return [
        email.message_from_bytes(envelope.original_content, policy=policy.default)
        for envelope in smtp_server.envelopes
        if envelope.rcpt_tos == [member.email]
    ]


@pytest.mark.slow
def test_document_emails_name_what_happened_thread_and_never_hold_the_text(
    mailing, smtp_server, settings, alice, bob, barn
):
    from kollegan.notifications.emails import thread_root_id

    subscriptions_set(member=bob, choices={(barn.pk, Kind.NOTE): Frequency.IMMEDIATE})
    document = mailing(lambda: guideline(alice, barn))
    mailing(
        lambda: documents.document_save(
            document=document,
            editor=bob,
            title=document.title,
            body="Hemlig arbetstext om kvällstid.",
            base_version=1,
            change_note="Kvällstid",
        )
    )

    [opening] = received(smtp_server, bob)
    assert " ".join(str(opening["Subject"]).split()) == sv("New document: %(title)s") % {
        "title": document.title
    }
    assert opening["Message-ID"] == thread_root_id("document", document.pk, bob.pk)
    text = opening.get_body(preferencelist=("plain",)).get_content()
    assert f"{settings.SITE_URL}/dokument/{document.pk}/" in text
    assert "Så tar vi emot" not in text

    [changed] = received(smtp_server, alice)  # the owner hears of Bob's version
    assert " ".join(str(changed["Subject"]).split()) == sv("New version: %(title)s") % {
        "title": document.title
    }
    assert changed["References"] == thread_root_id("document", document.pk, alice.pk)
    for part in ("plain", "html"):
        assert "Hemlig arbetstext" not in changed.get_body(preferencelist=(part,)).get_content()
