"""Chatt without the socket: the services' rules, the pages (without
JavaScript), the API, unread counts, notifications and the e-mail they become.
The socket is tested in tests/test_chat_socket.py, the two processes sharing
Redis in tests/test_chat_processes.py."""

import datetime as dt
import email
from email import policy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kollegan.accounts.models import Member
from kollegan.chat import selectors, services
from kollegan.chat.models import GROUP_MAX_MEMBERS, MESSAGE_MAX, Connection, Message, Participant
from kollegan.files.models import Attachment
from kollegan.lib.guard import ConfidentialityError
from kollegan.notifications import delivery
from kollegan.notifications.models import EmailState, Notification, Target
from kollegan.notifications.services import settings_save
from tests.conftest import client_for, make_member
from tests.helpers import sv

# A real personal identity number shape (Skatteverket's test series, valid Luhn).
PERSONAL_NUMBER = "19121212-1212"


@pytest.fixture
def direct(alice, bob):
    return services.conversation_direct(member=alice, other=bob)


@pytest.fixture
def cohort(carol, alice, bob):
    """A course cohort's group chat: Carol administers it, Alice and Bob are in it."""
    return services.conversation_create_group(
        creator=carol, name="Yrkesresan hösten", members=[alice, bob]
    )


def refresh(member: Member) -> Member:
    member.refresh_from_db()
    return member


# --- Conversations -------------------------------------------------------------------------------


def test_two_members_have_one_direct_conversation(alice, bob, direct):
    again = services.conversation_direct(member=bob, other=alice)
    assert again.pk == direct.pk
    assert sorted(
        Participant.objects.filter(conversation=direct).values_list("member", flat=True)
    ) == sorted([alice.pk, bob.pk])


def test_no_direct_conversation_with_yourself_or_someone_who_left(alice, dave):
    with pytest.raises(ValidationError) as refused:
        services.conversation_direct(member=alice, other=alice)
    assert refused.value.error_dict["member"][0].code == "self"
    with pytest.raises(ValidationError) as refused:
        services.conversation_direct(member=alice, other=dave)
    assert refused.value.error_dict["members"][0].code == "member_inactive"


def test_a_group_chat_needs_a_name_and_its_creator_administers_it(carol, alice):
    with pytest.raises(ValidationError) as refused:
        services.conversation_create_group(creator=carol, name="   ", members=[alice])
    assert refused.value.error_dict["name"][0].code == "name_empty"
    group = services.conversation_create_group(creator=carol, name=" Kurs  R8 ", members=[alice])
    assert group.name == "Kurs R8"
    roles = dict(Participant.objects.filter(conversation=group).values_list("member", "role"))
    assert roles == {carol.pk: "admin", alice.pk: "member"}
    assert group.member_count == 2


def test_only_the_groups_administrators_add_and_remove(cohort, carol, alice, bob, lycksele):
    newcomer = make_member("ny@lycksele.test", "Nina Nilsson", lycksele)
    with pytest.raises(PermissionDenied):
        services.members_add(conversation=cohort, actor=alice, members=[newcomer])
    with pytest.raises(PermissionDenied):
        services.member_remove(conversation=cohort, actor=alice, member=bob)
    assert services.members_add(conversation=cohort, actor=carol, members=[newcomer, bob]) == [
        newcomer
    ]
    services.member_remove(conversation=cohort, actor=carol, member=bob)
    assert selectors.conversation_for(bob, cohort.pk) is None
    assert selectors.conversation_for(newcomer, cohort.pk) is not None
    cohort.refresh_from_db()
    assert cohort.member_count == 3


def test_anyone_leaves_and_the_last_administrator_hands_over(cohort, carol, alice, bob):
    services.member_remove(conversation=cohort, actor=bob, member=bob)
    assert selectors.conversation_for(bob, cohort.pk) is None
    services.member_remove(conversation=cohort, actor=carol, member=carol)
    assert Participant.objects.get(conversation=cohort, member=alice).role == "admin"


def test_a_group_has_a_size_limit(carol, alice, settings, monkeypatch):
    monkeypatch.setattr(services, "GROUP_MAX_MEMBERS", 2)
    group = services.conversation_create_group(creator=carol, name="Liten", members=[alice])
    with pytest.raises(ValidationError) as refused:
        services.members_add(
            conversation=group,
            actor=carol,
            members=[make_member("x@y.test", "X Y", alice.organisation)],
        )
    assert refused.value.error_dict["members"][0].code == "too_many"
    assert GROUP_MAX_MEMBERS >= 500  # a course cohort or a network fits


# --- Messages ------------------------------------------------------------------------------------


def test_a_message_is_markdown_through_the_sanitiser(direct, alice):
    message = services.message_send(
        conversation=direct,
        author=alice,
        body="**Hej** <script>alert(1)</script> [länk](https://example.se)",
    )
    assert "<strong>Hej</strong>" in message.body_html
    assert "<script>" not in message.body_html
    assert 'href="https://example.se"' in message.body_html


def test_mentions_link_to_the_profile(direct, alice, bob):
    message = services.message_send(conversation=direct, author=alice, body="Tack @Bob Berg!")
    assert reverse("profiles:detail", args=[bob.pk]) in message.body_html


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "body_empty"), ("   \n ", "body_empty"), ("x" * (MESSAGE_MAX + 1), "body_long")],
)
def test_empty_and_overlong_messages_are_refused_and_nothing_is_written(direct, alice, body, code):
    with pytest.raises(ValidationError) as refused:
        services.message_send(conversation=direct, author=alice, body=body)
    assert refused.value.error_dict["body"][0].code == code
    assert not Message.objects.exists()


def test_an_outsider_cannot_post_or_read(direct, carol):
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=direct, author=carol, body="Hej")
    assert selectors.conversation_for(carol, direct.pk) is None
    assert not Message.objects.exists()


def test_the_guard_refuses_an_identity_number_and_asks_about_a_phone_number(direct, alice):
    with pytest.raises(ConfidentialityError) as refused:
        services.message_send(conversation=direct, author=alice, body=f"Klienten {PERSONAL_NUMBER}")
    assert refused.value.result.blocked
    with pytest.raises(ConfidentialityError) as asked:
        services.message_send(
            conversation=direct, author=alice, body="Ring mamman på 070-123 45 67"
        )
    assert asked.value.result.needs_confirmation
    assert not Message.objects.exists()
    services.message_send(
        conversation=direct, author=alice, body="Ring mig på 070-123 45 67", confirmed=True
    )
    assert Message.objects.count() == 1


def test_a_flood_of_messages_is_refused_per_member(direct, alice, bob, settings):
    settings.CHAT_RATE_MESSAGES = 3
    for number in range(3):
        services.message_send(conversation=direct, author=alice, body=f"Meddelande {number}")
    with pytest.raises(services.RateLimited) as refused:
        services.message_send(conversation=direct, author=alice, body="Ett till")
    assert refused.value.code == "rate_limited"
    # Bob has his own count.
    services.message_send(conversation=direct, author=bob, body="Svar")
    assert Message.objects.count() == 4


def test_unread_counts_per_conversation_and_in_the_header(
    direct, cohort, alice, bob, carol, immediate_tasks, django_capture_on_commit_callbacks
):
    # The header's numbers are set by the fan-out after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(conversation=direct, author=alice, body="Ett")
        services.message_send(conversation=direct, author=alice, body="Två")
        services.message_send(conversation=cohort, author=carol, body="Tre")
    assert refresh(bob).unread_chat == 3
    assert refresh(alice).unread_chat == 1
    assert refresh(carol).unread_chat == 0
    assert Participant.objects.get(conversation=direct, member=bob).unread == 2
    services.conversation_read(conversation=direct, member=bob)
    assert refresh(bob).unread_chat == 1
    assert Participant.objects.get(conversation=direct, member=bob).unread == 0


def test_reading_up_to_a_message_leaves_the_later_ones_unread(direct, alice, bob):
    first = services.message_send(conversation=direct, author=alice, body="Ett")
    services.message_send(conversation=direct, author=alice, body="Två")
    assert refresh(bob).unread_chat == 0  # not yet fanned out
    services.conversation_read(conversation=direct, member=bob, up_to=first.pk)
    assert Participant.objects.get(conversation=direct, member=bob).unread == 1
    assert refresh(bob).unread_chat == 1


def test_only_the_writer_edits_and_deletes_and_both_show(direct, alice, bob):
    message = services.message_send(conversation=direct, author=alice, body="Hej Bob")
    with pytest.raises(PermissionDenied):
        services.message_edit(message=message, editor=bob, body="Ändrat")
    with pytest.raises(PermissionDenied):
        services.message_delete(message=message, member=bob)
    services.message_edit(message=message, editor=alice, body="Hej Bob!")
    message.refresh_from_db()
    assert message.edited_at is not None and message.changed_at is not None
    services.message_delete(message=message, member=alice)
    message.refresh_from_db()
    assert message.is_deleted and message.body == "" and message.body_html == ""
    with pytest.raises(PermissionDenied):
        services.message_edit(message=message, editor=alice, body="Igen")


def test_a_removed_member_can_no_longer_post(cohort, carol, bob):
    services.member_remove(conversation=cohort, actor=carol, member=bob)
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=cohort, author=bob, body="Hallå?")


def test_a_deactivated_member_cannot_post(direct, bob, alice):
    Member.objects.filter(pk=bob.pk).update(deactivated_at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=direct, author=refresh(bob), body="Hej")


def test_search_within_a_conversation_folds_case_and_accents(direct, cohort, alice, carol):
    services.message_send(conversation=direct, author=alice, body="Handläggning av ÖPPENVÅRD")
    services.message_send(conversation=direct, author=alice, body="Något annat")
    services.message_send(conversation=cohort, author=carol, body="öppenvård i gruppen")
    hits = selectors.search(direct.pk, "öppenvård handläggning")
    assert [message.body for message in hits] == ["Handläggning av ÖPPENVÅRD"]
    assert selectors.search(direct.pk, "   ") == []


def test_history_pages_backwards(direct, alice, monkeypatch):
    monkeypatch.setattr(selectors, "HISTORY_SIZE", 3)
    sent = [
        services.message_send(conversation=direct, author=alice, body=f"M{n}") for n in range(7)
    ]
    page, older = selectors.history(direct.pk)
    assert [m.body for m in page] == ["M4", "M5", "M6"] and older
    page, older = selectors.history(direct.pk, before=page[0].pk)
    assert [m.body for m in page] == ["M1", "M2", "M3"] and older
    page, older = selectors.history(direct.pk, before=page[0].pk)
    assert [m.body for m in page] == ["M0"] and not older
    assert sent[0].pk == page[0].pk


def test_missed_gives_new_and_changed_messages(direct, alice):
    old = services.message_send(conversation=direct, author=alice, body="Gammalt")
    seen = services.message_send(conversation=direct, author=alice, body="Sett")
    since = timezone.now()
    services.message_edit(message=old, editor=alice, body="Gammalt, ändrat")
    new = services.message_send(conversation=direct, author=alice, body="Nytt")
    missed = selectors.missed(direct.pk, after=seen.pk, since=since)
    assert [message.pk for message in missed] == [old.pk, new.pk]


def test_a_file_goes_with_a_message_and_only_participants_download_it(
    direct, alice, bob, carol, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("rutin.txt", "Rutin för mottagning.\n".encode())
    message = services.message_send(conversation=direct, author=alice, body="", upload=upload)
    attachment = Attachment.objects.get(message=message)
    url = reverse("files:download", args=[attachment.pk])
    assert client_for(bob).get(url).status_code == 200
    assert client_for(carol).get(url).status_code == 404
    services.message_delete(message=message, member=alice)
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


# --- Pages without JavaScript ---------------------------------------------------------------------


def test_the_list_shows_conversations_latest_first_with_unread(
    direct, cohort, alice, bob, carol, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(conversation=cohort, author=carol, body="Välkomna")
        services.message_send(conversation=direct, author=bob, body="Hej Alice")
    response = client_for(alice).get(reverse("chat:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Bob Berg") < html.index("Yrkesresan hösten")
    assert "Hej Alice" in html
    assert (
        sv(
            "The chat is for colleagues: never write anything that can identify a client. "
            "The same check as everywhere else runs on every message."
        )
        in html
    )
    # The header counts too, with no query of its own.
    assert 'data-chat-unread="2"' in html


def _fill(alice, others: int) -> None:
    start = Member.objects.count()
    for number in range(start, start + others):
        other = make_member(f"m{number}@x.test", f"Medlem {number}", alice.organisation)
        conversation = services.conversation_direct(member=alice, other=other)
        services.message_send(conversation=conversation, author=other, body=f"Hej {number}")
        group = services.conversation_create_group(
            creator=other, name=f"Grupp {number}", members=[alice]
        )
        services.message_send(conversation=group, author=other, body="Hej gruppen")


def test_the_list_costs_the_same_queries_however_many_conversations(
    alice, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(alice)
    _fill(alice, 1)
    client.get(reverse("chat:list"))  # warm the site settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("chat:list")).status_code == 200
    _fill(alice, 12)
    with django_assert_num_queries(len(few)):
        assert client.get(reverse("chat:list")).status_code == 200
    assert len(few) <= 8


def test_the_conversation_costs_the_same_queries_however_long(
    direct, alice, bob, django_assert_num_queries, settings
):
    settings.CHAT_RATE_MESSAGES = 1000
    client = client_for(alice)
    services.message_send(conversation=direct, author=bob, body="Ett")
    client.get(direct.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(direct.get_absolute_url()).status_code == 200
    for number in range(80):
        services.message_send(conversation=direct, author=bob, body=f"Meddelande {number}")
    services.conversation_read(conversation=direct, member=alice)
    with django_assert_num_queries(len(few)):
        response = client.get(direct.get_absolute_url())
    assert "Meddelande 79" in response.content.decode()
    assert "Meddelande 29" not in response.content.decode()  # older: a page back
    assert len(few) <= 12


def test_sending_without_javascript_posts_and_redirects(direct, alice, bob):
    client = client_for(alice)
    response = client.post(reverse("chat:send", args=[direct.pk]), {"body": "Hej från formuläret"})
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{direct.get_absolute_url()}#meddelande-{message.pk}"
    page = client_for(bob).get(direct.get_absolute_url()).content.decode()
    assert "Hej från formuläret" in page
    # Opening the newest messages reads them.
    assert refresh(bob).unread_chat == 0


def test_bad_input_on_the_page_is_a_400_in_swedish(direct, alice):
    client = client_for(alice)
    url = reverse("chat:send", args=[direct.pk])
    response = client.post(url, {"body": ""})
    assert response.status_code == 400
    assert sv("Write a text.") in response.content.decode()
    response = client.post(url, {"body": "x" * (MESSAGE_MAX + 1)})
    assert response.status_code == 400
    response = client.post(url, {"body": f"Om {PERSONAL_NUMBER}"})
    assert response.status_code == 400
    assert sv("Check the text before it is published") in response.content.decode()
    assert not Message.objects.exists()
    response = client.get(direct.get_absolute_url(), {"q": "x" * 201})
    assert response.status_code == 400


def test_a_flood_on_the_page_is_a_429(direct, alice, settings):
    settings.CHAT_RATE_MESSAGES = 1
    client = client_for(alice)
    url = reverse("chat:send", args=[direct.pk])
    assert client.post(url, {"body": "Ett"}).status_code == 302
    response = client.post(url, {"body": "Två"})
    assert response.status_code == 429
    assert (
        sv("You are sending messages very fast. Wait a few seconds and send it again.")
        in response.content.decode()
    )


def test_outsiders_and_former_members_get_404(direct, cohort, carol, bob, alice):
    carol_client = client_for(carol)
    for url in (
        direct.get_absolute_url(),
        reverse("chat:members", args=[direct.pk]),
        reverse("chat:detail", args=[999_999]),
    ):
        assert carol_client.get(url).status_code == 404
    assert (
        carol_client.post(reverse("chat:send", args=[direct.pk]), {"body": "Hej"}).status_code
        == 404
    )
    bob_client = client_for(bob)
    assert bob_client.get(cohort.get_absolute_url()).status_code == 200
    services.member_remove(conversation=cohort, actor=carol, member=bob)
    assert bob_client.get(cohort.get_absolute_url()).status_code == 404


def test_a_deactivated_member_is_sent_to_login(direct, bob):
    client = client_for(bob)
    Member.objects.filter(pk=bob.pk).update(deactivated_at=timezone.now())
    response = client.get(direct.get_absolute_url())
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_a_group_is_made_and_filled_through_the_pages(carol, bob):
    client = client_for(carol)
    assert client.post(reverse("chat:create_group"), {"name": ""}).status_code == 400
    response = client.post(reverse("chat:create_group"), {"name": "Kursen"})
    group = Participant.objects.get(member=carol).conversation
    assert response["Location"] == reverse("chat:members", args=[group.pk])
    page = client.get(reverse("chat:members", args=[group.pk]), {"namn": "Bob"}).content.decode()
    assert "Bob Berg" in page
    client.post(reverse("chat:member_add", args=[group.pk]), {"member": str(bob.pk)})
    assert selectors.conversation_for(bob, group.pk) is not None
    assert (
        client.post(reverse("chat:member_add", args=[group.pk]), {"member": "x"}).status_code == 400
    )
    client.post(reverse("chat:members", args=[group.pk]), {"name": "Kursen HT"})
    group.refresh_from_db()
    assert group.name == "Kursen HT"


def test_a_profile_offers_a_message(alice, bob):
    client = client_for(alice)
    page = client.get(reverse("profiles:detail", args=[bob.pk])).content.decode()
    assert reverse("chat:direct", args=[bob.pk]) in page
    response = client.post(reverse("chat:direct", args=[bob.pk]))
    conversation = Participant.objects.get(member=alice).conversation
    assert response["Location"] == conversation.get_absolute_url()
    assert client.post(reverse("chat:direct", args=[alice.pk])).status_code == 403


def test_edit_and_delete_through_the_pages(direct, alice, bob):
    message = services.message_send(conversation=direct, author=alice, body="Hej")
    assert client_for(bob).get(reverse("chat:message_edit", args=[message.pk])).status_code == 403
    client = client_for(alice)
    response = client.post(reverse("chat:message_edit", args=[message.pk]), {"body": "Hej igen"})
    assert response.status_code == 302
    assert (
        client.post(reverse("chat:message_edit", args=[message.pk]), {"body": ""}).status_code
        == 400
    )
    client.post(reverse("chat:message_delete", args=[message.pk]))
    page = client_for(bob).get(direct.get_absolute_url()).content.decode()
    assert sv("The message was deleted.") in page and "Hej igen" not in page


def test_the_page_may_connect_only_to_the_chat_socket(direct, alice, settings):
    settings.CHAT_URL = ""
    settings.CHAT_PORT = 8123
    response = client_for(alice).get(direct.get_absolute_url())
    assert 'data-socket="ws://testserver:8123/ws/chatt/"' in response.content.decode()
    assert "connect-src 'self' ws://testserver:8123" in response["Content-Security-Policy"]
    # Other pages may not.
    assert "ws://" not in client_for(alice).get(reverse("start"))["Content-Security-Policy"]


# --- API -----------------------------------------------------------------------------------------


def test_api_lists_starts_and_sends(alice_api, alice, bob):
    response = alice_api.post(
        "/api/v1/conversations", {"with_member": bob.pk}, content_type="application/json"
    )
    assert response.status_code == 200
    conversation_id = response.json()["id"]
    assert response.json()["title"] == "Bob Berg"
    response = alice_api.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"body": "Hej via API"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["html"] == "<p>Hej via API</p>\n"
    listed = alice_api.get("/api/v1/conversations").json()
    assert [row["id"] for row in listed] == [conversation_id]
    page = alice_api.get(f"/api/v1/conversations/{conversation_id}/messages").json()
    assert [item["body"] for item in page["items"]] == ["Hej via API"] and page["older"] is None
    found = alice_api.get(f"/api/v1/conversations/{conversation_id}/messages?q=via").json()
    assert len(found["items"]) == 1


def test_api_group_creation_and_refusals(alice_api, alice, bob, carol, dave):
    response = alice_api.post(
        "/api/v1/conversations",
        {"name": "Nätverket", "members": [bob.pk, carol.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["members"] == 3
    conversation_id = response.json()["id"]
    bad = alice_api.post(
        "/api/v1/conversations",
        {"name": "X", "members": [dave.pk]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    url = f"/api/v1/conversations/{conversation_id}/messages"
    assert alice_api.post(url, {"body": ""}, content_type="application/json").status_code == 422
    guarded = alice_api.post(url, {"body": PERSONAL_NUMBER}, content_type="application/json")
    assert guarded.status_code == 422 and guarded.json()["needs_confirmation"] is False


def test_api_outsider_gets_404_and_flood_429(direct, alice_api, carol_api, settings):
    url = f"/api/v1/conversations/{direct.pk}/messages"
    assert carol_api.get(url).status_code == 404
    assert carol_api.post(url, {"body": "Hej"}, content_type="application/json").status_code == 404
    settings.CHAT_RATE_MESSAGES = 1
    assert alice_api.post(url, {"body": "Ett"}, content_type="application/json").status_code == 201
    flood = alice_api.post(url, {"body": "Två"}, content_type="application/json")
    assert flood.status_code == 429 and flood["Retry-After"]


def test_api_lists_cost_constant_queries(alice, alice_api, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _fill(alice, 1)
    with CaptureQueriesContext(connection) as few:
        alice_api.get("/api/v1/conversations")
    _fill(alice, 8)
    with django_assert_num_queries(len(few)):
        assert len(alice_api.get("/api/v1/conversations").json()) == 18


# --- Notifications and e-mail ---------------------------------------------------------------------


@pytest.fixture
def mailing(settings, smtp_server, immediate_tasks, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_BATCH_SECONDS = 0

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


def chat_notes(member) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=member, activity__target_type=Target.CONVERSATION)
    )


def test_a_member_not_online_gets_one_notification_per_conversation(mailing, direct, alice, bob):
    mailing(lambda: services.message_send(conversation=direct, author=alice, body="Ett"))
    mailing(lambda: services.message_send(conversation=direct, author=alice, body="Två"))
    assert len(chat_notes(bob)) == 1
    assert chat_notes(alice) == []
    assert refresh(bob).unread_notifications == 1
    # Read: the next message is a new notice.
    services.conversation_read(conversation=direct, member=bob)
    assert refresh(bob).unread_notifications == 0
    mailing(lambda: services.message_send(conversation=direct, author=alice, body="Tre"))
    assert len(chat_notes(bob)) == 2


def test_a_member_with_the_chat_open_gets_no_notification(mailing, direct, alice, bob):
    Connection.objects.create(member=bob, channel_name="specific.test!1")
    mailing(lambda: services.message_send(conversation=direct, author=alice, body="Ett"))
    assert chat_notes(bob) == []
    Connection.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=10))
    mailing(lambda: services.message_send(conversation=direct, author=alice, body="Två"))
    assert len(chat_notes(bob)) == 1


def test_the_email_says_who_wrote_but_not_what(mailing, smtp_server, direct, alice, bob, settings):
    mailing(
        lambda: services.message_send(conversation=direct, author=alice, body="Hemligt innehåll")
    )
    delivery.deliver_now(timezone.now() + dt.timedelta(minutes=3))
    [envelope] = [e for e in smtp_server.envelopes if e.rcpt_tos == [bob.email]]
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert " ".join(str(message["Subject"]).split()) == sv("New in the chat: %(title)s") % {
        "title": sv("Direct messages")
    }
    assert sv("%(name)s wrote to you in the chat") % {"name": "Alice Andersson"} in text
    assert "Hemligt innehåll" not in envelope.original_content.decode("utf-8", "replace")
    assert f"{settings.SITE_URL}{direct.get_absolute_url()}?kring=" in text


def test_reading_in_time_cancels_the_email(mailing, smtp_server, direct, alice, bob, settings):
    settings.NOTIFICATION_BATCH_SECONDS = 120
    mailing(lambda: services.message_send(conversation=direct, author=alice, body="Ett"))
    [note] = chat_notes(bob)
    assert note.email_state == EmailState.PENDING
    services.conversation_read(conversation=direct, member=bob)
    delivery.deliver_now(timezone.now() + dt.timedelta(minutes=3))
    assert smtp_server.envelopes == []


def test_someone_who_left_no_longer_sees_the_notification(mailing, cohort, carol, bob):
    mailing(lambda: services.message_send(conversation=cohort, author=carol, body="Hej"))
    client = client_for(bob)
    headline = sv("%(name)s wrote to you in the chat") % {"name": carol.name}
    assert headline in client.get(reverse("notifications:list")).content.decode()
    services.member_remove(conversation=cohort, actor=carol, member=bob)
    assert headline not in client.get(reverse("notifications:list")).content.decode()


def test_chat_frequency_is_a_setting(mailing, direct, alice, bob):
    settings_save(member=bob, chat="never")
    mailing(lambda: services.message_send(conversation=direct, author=alice, body="Ett"))
    assert chat_notes(bob) == []


def test_chat_text_is_not_in_the_site_search(direct, alice, bob_api):
    """The chat stays in the chat: the site's search does not index it."""
    services.message_send(conversation=direct, author=alice, body="Zebrakonferensen")
    response = bob_api.get("/api/v1/search", {"q": "Zebrakonferensen"})
    assert response.status_code == 200 and response.json() == []


def test_my_data_holds_my_conversations_and_messages_not_others(direct, cohort, alice, bob):
    import io
    import json
    import zipfile

    services.message_send(conversation=direct, author=alice, body="Mitt meddelande")
    services.message_send(conversation=direct, author=bob, body="Bobs meddelande")
    response = client_for(alice).post(reverse("profiles:my_data"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("chatt.json"))
    assert [row["id"] for row in data["conversations"]] == [direct.pk, cohort.pk]
    assert [message["body"] for message in data["messages"]] == ["Mitt meddelande"]
    assert "Bob" not in archive.read("chatt.json").decode()


def test_api_starting_an_old_direct_conversation_gives_it_back(alice_api, alice, bob, monkeypatch):
    """The existing conversation is answered even when it is not among the newest."""
    first = services.conversation_direct(member=alice, other=bob)
    monkeypatch.setattr(selectors, "INBOX_SIZE", 0)
    response = alice_api.post(
        "/api/v1/conversations", {"with_member": bob.pk}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["id"] == first.pk


def test_the_members_page_costs_the_same_queries_however_many(
    cohort, carol, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(carol)
    url = reverse("chat:members", args=[cohort.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"namn": "Me"}).status_code == 200
    newcomers = [
        make_member(f"grupp{n}@x.test", f"Medlem {n}", carol.organisation) for n in range(15)
    ]
    services.members_add(conversation=cohort, actor=carol, members=newcomers)
    with django_assert_num_queries(len(few)):
        page = client.get(url, {"namn": "Me"}).content.decode()
    assert "Medlem 14" in page
