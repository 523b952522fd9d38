"""The chat socket, through Channels' communicator: who may open it, what
arrives live, bad input (answered, the socket stays usable), and access that
ends while the socket is open. Each test runs its socket conversation in one
event loop (``live``); database work inside it goes through a thread, as in
the consumer itself."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.http import HttpCommunicator
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.sessions.models import Session

from kollegan.accounts import services as account_services
from kollegan.asgi import application
from kollegan.chat import consumers, realtime, services
from kollegan.chat.models import MESSAGE_MAX, Connection, Message, Participant
from kollegan.chat.routing import BRIDGE_PATH
from tests.conftest import client_for
from tests.helpers import sv

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ORIGIN = b"http://127.0.0.1:8000"
WAIT = 3


@pytest.fixture(autouse=True)
def _no_sockets_left():
    # A socket a failed test left open must not count in the next test's sweep.
    consumers._open.clear()
    yield
    consumers._open.clear()


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = ORIGIN.decode()
    settings.CSRF_TRUSTED_ORIGINS = [ORIGIN.decode()]
    settings.CHAT_BRIDGE_URL = ""


def socket_for(member, origin: bytes | None = ORIGIN) -> WebsocketCommunicator:
    headers = [(b"cookie", f"sessionid={client_for(member).cookies['sessionid'].value}".encode())]
    if origin is not None:
        headers.append((b"origin", origin))
    return WebsocketCommunicator(application, "/ws/chatt/", headers=headers)


async def opened(socket: WebsocketCommunicator) -> WebsocketCommunicator:
    connected, _code = await socket.connect()
    assert connected
    hello = await socket.receive_json_from(WAIT)
    assert hello["type"] == "hello"
    return socket


async def next_of(socket: WebsocketCommunicator, kind: str) -> dict:
    """The next frame of ``kind``, skipping others (read markers, echoes)."""
    while True:
        frame = await socket.receive_json_from(WAIT)
        if frame["type"] == kind:
            return frame


async def both(socket: WebsocketCommunicator, *kinds: str) -> dict[str, dict]:
    """The first frame of each of ``kinds``, whatever order they come in."""
    found: dict[str, dict] = {}
    while len(found) < len(kinds):
        frame = await socket.receive_json_from(WAIT)
        if frame["type"] in kinds:
            found.setdefault(frame["type"], frame)
    return found


def live(scenario) -> None:
    async_to_sync(scenario)()


db = database_sync_to_async


@pytest.fixture
def direct(alice, bob):
    return services.conversation_direct(member=alice, other=bob)


# --- Who may open a socket -----------------------------------------------------------------------


def test_a_visitor_a_foreign_page_and_a_missing_origin_are_refused(alice):
    foreign = [
        socket_for(alice, origin)
        for origin in (b"https://evil.example", b"http://127.0.0.1:8001", None)
    ]

    async def scenario():
        visitor = WebsocketCommunicator(application, "/ws/chatt/", headers=[(b"origin", ORIGIN)])
        assert await visitor.connect() == (False, consumers.CLOSE_NOT_LOGGED_IN)
        for socket in foreign:
            connected, _code = await socket.connect()
            assert not connected

    live(scenario)


def test_a_deactivated_members_old_session_cannot_open_one(dave):
    socket = socket_for(dave)

    async def scenario():
        assert await socket.connect() == (False, consumers.CLOSE_NOT_LOGGED_IN)

    live(scenario)


# --- Live delivery -------------------------------------------------------------------------------


def test_a_message_reaches_the_other_member_at_once_and_nobody_else(direct, alice, bob, carol):
    sockets = [socket_for(alice), socket_for(bob), socket_for(carol)]

    async def scenario():
        a, b, c = [await opened(socket) for socket in sockets]
        await a.send_json_to(
            {"type": "send", "conversation": direct.pk, "body": "Hej **Bob**", "ref": "r1"}
        )
        # The writer's socket gets the ack and the message itself (which its
        # other tabs show), in either order.
        mine = await both(a, "ack", "message")
        ack = mine["ack"]
        assert ack["ref"] == "r1" and mine["message"]["id"] == ack["id"]
        received = await next_of(b, "message")
        assert received["id"] == ack["id"] and received["new"] is True
        assert "<strong>Bob</strong>" in received["html"]
        assert received["author_name"] == "Alice Andersson"
        assert await c.receive_nothing(0.3)
        assert await db(Connection.objects.count)() == 3
        for socket in (a, b, c):
            await socket.disconnect()
        assert await db(Connection.objects.count)() == 0

    live(scenario)


def test_edits_deletions_and_read_markers_arrive_live(direct, alice, bob):
    message = services.message_send(conversation=direct, author=alice, body="Hej")
    sockets = [socket_for(alice), socket_for(bob)]

    async def scenario():
        a, b = [await opened(socket) for socket in sockets]
        await db(services.message_edit)(message=message, editor=alice, body="Hej igen")
        edited = await next_of(b, "message")
        assert edited["edited"] and not edited["new"] and "Hej igen" in edited["html"]
        await b.send_json_to({"type": "read", "conversation": direct.pk, "message": message.pk})
        read = await next_of(a, "read")
        assert read == {**read, "member": bob.pk, "message": message.pk}
        await db(services.message_delete)(message=message, member=alice)
        deleted = await next_of(b, "message")
        assert deleted["deleted"] and "Hej igen" not in deleted["html"]
        await a.disconnect()
        await b.disconnect()

    live(scenario)
    assert Participant.objects.get(conversation=direct, member=bob).unread == 0


def test_a_page_that_reconnects_gets_what_it_missed(direct, alice, bob):
    seen = services.message_send(conversation=direct, author=alice, body="Sett")
    socket = socket_for(bob)
    missed = [
        services.message_send(conversation=direct, author=alice, body=f"Missat {n}")
        for n in range(2)
    ]

    async def scenario():
        b = await opened(socket)
        await b.send_json_to(
            {"type": "sync", "conversation": direct.pk, "after": seen.pk, "ref": "s"}
        )
        sync = await next_of(b, "sync")
        assert [item["id"] for item in sync["items"]] == [m.pk for m in missed]
        await b.disconnect()

    live(scenario)


def test_a_message_sent_from_the_page_or_api_reaches_the_socket(direct, alice, bob):
    socket = socket_for(bob)
    alice_client = client_for(alice)

    async def scenario():
        b = await opened(socket)
        await db(alice_client.post)(f"/chatt/{direct.pk}/skicka/", {"body": "Från sidan"})
        assert "Från sidan" in (await next_of(b, "message"))["html"]
        await b.disconnect()

    live(scenario)


# --- Bad input: answered, and the socket stays usable ---------------------------------------------


def test_bad_input_gets_an_error_in_swedish_and_the_socket_stays_open(
    direct, alice, carol, settings
):
    settings.CHAT_RATE_MESSAGES = 2
    theirs = services.conversation_direct(
        member=carol, other=direct.participants.exclude(member=alice).get().member
    )
    socket = socket_for(alice)

    async def scenario():
        a = await opened(socket)
        cases = [
            ({"type": "send", "conversation": theirs.pk, "body": "Hej"}, "not_member"),
            ({"type": "send", "conversation": 999_999_999, "body": "Hej"}, "not_member"),
            ({"type": "send", "conversation": "1 OR 1=1", "body": "Hej"}, "not_member"),
            ({"type": "send", "conversation": 2**70, "body": "Hej"}, "not_member"),
            ({"type": "send", "conversation": direct.pk, "body": ""}, "body_empty"),
            ({"type": "send", "conversation": direct.pk, "body": 42}, "body_empty"),
            (
                {"type": "send", "conversation": direct.pk, "body": "x" * (MESSAGE_MAX + 1)},
                "body_long",
            ),
            ({"type": "send", "conversation": direct.pk, "body": "19121212-1212"}, "guard_blocked"),
            (
                {"type": "send", "conversation": direct.pk, "body": "Ring 070-123 45 67"},
                "needs_confirmation",
            ),
            ({"type": "read", "conversation": theirs.pk, "message": 1}, "not_member"),
            ({"type": "sync", "conversation": theirs.pk, "after": 0}, "not_member"),
            ({"type": "launch"}, "type"),
            ([1, 2, 3], "frame"),
        ]
        for number, (frame, code) in enumerate(cases):
            if isinstance(frame, dict):
                frame["ref"] = str(number)
            await a.send_json_to(frame)
            error = await next_of(a, "error")
            assert error["code"] == code, (frame, error)
            assert error["messages"] and all(error["messages"])
        await a.send_to(text_data="{not json")
        assert (await next_of(a, "error"))["code"] == "frame"
        await a.send_to(text_data="x" * (consumers.FRAME_MAX + 1))
        assert (await next_of(a, "error"))["messages"] == [
            sv("The message is too large to be sent.")
        ]
        # A flood: the third message within the window is refused.
        for body in ("Ett", "Två"):
            await a.send_json_to(
                {"type": "send", "conversation": direct.pk, "body": body, "ref": body}
            )
            await next_of(a, "ack")
        await a.send_json_to({"type": "send", "conversation": direct.pk, "body": "Tre", "ref": "3"})
        flood = await next_of(a, "error")
        assert flood["code"] == "rate_limited"
        assert flood["messages"] == [
            sv("You are sending messages very fast. Wait a few seconds and send it again.")
        ]
        # Still open and answering.
        await a.send_json_to({"type": "ping", "ref": "p"})
        assert (await next_of(a, "pong"))["ref"] == "p"
        await a.disconnect()

    live(scenario)
    assert list(Message.objects.values_list("body", flat=True)) == ["Ett", "Två"]


def test_confirming_a_phone_number_lets_it_through(direct, alice):
    socket = socket_for(alice)

    async def scenario():
        a = await opened(socket)
        await a.send_json_to(
            {
                "type": "send",
                "conversation": direct.pk,
                "body": "Ring mig 070-123 45 67",
                "confirmed": True,
                "ref": "c",
            }
        )
        assert (await next_of(a, "ack"))["ref"] == "c"
        await a.disconnect()

    live(scenario)


# --- Access that ends while the socket is open ---------------------------------------------------


def test_a_member_removed_from_a_group_stops_receiving_at_once(carol, alice, bob):
    group = services.conversation_create_group(creator=carol, name="Kursen", members=[alice, bob])
    sockets = [socket_for(carol), socket_for(bob)]

    async def scenario():
        c, b = [await opened(socket) for socket in sockets]
        await db(services.member_remove)(conversation=group, actor=carol, member=bob)
        assert (await next_of(b, "removed"))["conversation"] == group.pk
        await c.send_json_to(
            {"type": "send", "conversation": group.pk, "body": "Efteråt", "ref": "1"}
        )
        await next_of(c, "ack")
        assert await b.receive_nothing(0.5)
        # Nor can the open socket post there any more.
        await b.send_json_to(
            {"type": "send", "conversation": group.pk, "body": "Hallå", "ref": "2"}
        )
        assert (await next_of(b, "error"))["code"] == "not_member"
        await c.disconnect()
        await b.disconnect()

    live(scenario)


def test_a_member_added_to_a_group_receives_from_then_on(carol, alice, bob):
    group = services.conversation_create_group(creator=carol, name="Kursen", members=[alice])
    sockets = [socket_for(carol), socket_for(bob)]

    async def scenario():
        c, b = [await opened(socket) for socket in sockets]
        await db(services.members_add)(conversation=group, actor=carol, members=[bob])
        assert (await next_of(b, "joined"))["conversation"] == group.pk
        await c.send_json_to(
            {"type": "send", "conversation": group.pk, "body": "Välkommen", "ref": "1"}
        )
        assert "Välkommen" in (await next_of(b, "message"))["html"]
        await c.disconnect()
        await b.disconnect()

    live(scenario)


def test_a_deactivated_member_is_cut_off_at_once(direct, alice, bob, admin_member):
    sockets = [socket_for(alice), socket_for(bob)]

    async def scenario():
        a, b = [await opened(socket) for socket in sockets]
        await db(account_services.member_deactivate)(member=bob, actor=admin_member)
        assert (await next_of(b, "closed"))["type"] == "closed"
        assert await b.receive_output(WAIT) == {
            "type": "websocket.close",
            "code": consumers.CLOSE_ACCESS_ENDED,
        }
        await a.send_json_to(
            {"type": "send", "conversation": direct.pk, "body": "Är du kvar?", "ref": "1"}
        )
        await next_of(a, "ack")
        await a.disconnect()

    live(scenario)
    assert not Connection.objects.filter(member=bob).exists()


def test_the_sweep_closes_sockets_whose_login_or_membership_ended(direct, alice, bob):
    """Paths that send no event (a session deleted, an end date passing) are caught
    by the sweep every few seconds."""
    sockets = [socket_for(alice), socket_for(bob)]

    async def scenario():
        a, b = [await opened(socket) for socket in sockets]
        assert await consumers.sweep_once() == 0
        # Bob logs out on another device: his sessions go.
        await db(
            Session.objects.filter(
                session_key=sockets[1].scope["headers"][0][1].decode().split("=")[1]
            ).delete
        )()
        assert await consumers.sweep_once() == 1
        assert (await next_of(b, "closed"))["type"] == "closed"
        # Alice's membership end date passes (a queryset update: no signal).
        from django.utils import timezone

        from kollegan.accounts.models import Member

        await db(Member.objects.filter(pk=alice.pk).update)(membership_ends_at=timezone.now())
        assert await consumers.sweep_once() == 1
        assert (await next_of(a, "closed"))["type"] == "closed"

    live(scenario)


# --- The bridge the web server publishes through when there is no Redis --------------------------


def test_the_bridge_takes_only_signed_events(direct, alice, bob):
    socket = socket_for(bob)
    payload = {"type": "message", "conversation": direct.pk, "id": 1, "html": "<li>x</li>"}
    event = {"type": "chat.event", "conversation": direct.pk, "text": json.dumps(payload)}
    body = json.dumps({"events": [[realtime.conversation_group(direct.pk), event]]}).encode()

    async def post(signature: str) -> int:
        http = HttpCommunicator(
            application,
            "POST",
            BRIDGE_PATH,
            body=body,
            headers=[(realtime.SIGNATURE_HEADER.lower().encode(), signature.encode())],
        )
        return (await http.get_response(WAIT))["status"]

    async def scenario():
        b = await opened(socket)
        assert await post("0" * 64) == 403
        assert await b.receive_nothing(0.3)
        assert await post(await db(realtime.sign)(body)) == 204
        assert (await next_of(b, "message"))["html"] == "<li>x</li>"
        await b.disconnect()
        health = HttpCommunicator(application, "GET", "/healthz")
        assert (await health.get_response(WAIT))["status"] == 200

    live(scenario)


def test_the_sweep_keeps_presence_fresh_and_forgets_crashed_rows(alice, bob, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    long_ago = timezone.now() - dt.timedelta(hours=2)
    Connection.objects.create(member=bob, channel_name="specific.gone!1", seen_at=long_ago)
    socket = socket_for(alice)
    monkeypatch.setattr(consumers, "_presence_at", 0.0)

    async def scenario():
        a = await opened(socket)
        await db(Connection.objects.filter(member=alice).update)(seen_at=long_ago)
        assert await consumers.sweep_once() == 0
        await a.disconnect()

    live(scenario)
    assert not Connection.objects.filter(channel_name="specific.gone!1").exists()


def test_presence_is_refreshed_for_open_sockets(alice, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    socket = socket_for(alice)
    monkeypatch.setattr(consumers, "_presence_at", 0.0)
    an_hour_ago = timezone.now() - dt.timedelta(minutes=50)

    async def scenario():
        a = await opened(socket)
        await db(Connection.objects.filter(member=alice).update)(seen_at=an_hour_ago)
        await consumers.sweep_once()
        seen = await db(lambda: Connection.objects.get(member=alice).seen_at)()
        assert seen > an_hour_ago + dt.timedelta(minutes=49)
        await a.disconnect()

    live(scenario)


def test_a_member_who_reads_english_gets_refusals_in_english(direct, alice):
    alice.language = "en"
    alice.save(update_fields=["language"])
    socket = socket_for(alice)

    async def scenario():
        a = await opened(socket)
        await a.send_to(text_data="{not json")
        error = await next_of(a, "error")
        assert error["messages"] == ["The page sent something the chat did not understand."]
        await a.send_json_to({"type": "send", "conversation": direct.pk, "body": "", "ref": "e"})
        assert (await next_of(a, "error"))["messages"] == ["Write a text."]
        await a.disconnect()

    live(scenario)
