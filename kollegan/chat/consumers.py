"""The chat socket: one per open chat page, in the chat process (ASGI).

A socket belongs to one logged-in member and listens to every conversation the
member is in. What it may do is what the pages may do, through the same
services: send, mark read, fetch what it missed after a reconnect. Bad input
gets an ``error`` frame in Swedish and the socket stays open; only ended access
closes it (code 4003).

Events reach a process's sockets through one listener per process (``Router``),
not one channel-layer channel per socket: the process subscribes once to each
conversation and member that its sockets need, and a message to a group of 500
is one event for the process, handed to its sockets in one loop. Everything
for the process arrives on that one channel, in the order it was published,
so a member removed from a group is taken out before any later message of the
group is handed out.

Every few seconds each chat process checks the members behind its sockets:
a member deactivated, whose membership date passed or whose login ended
(logged out, expired, ended by an administrator) is disconnected, also when the
change came by a path that sent no event."""

import asyncio
import datetime as dt
import json
import logging
import time
import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kollegan.accounts import sessions
from kollegan.accounts.models import Member
from kollegan.chat import realtime, selectors, services
from kollegan.chat.models import Connection
from kollegan.lib.guard import ConfidentialityError
from kollegan.lib.validation import is_row_id

logger = logging.getLogger(__name__)

# A frame larger than this is refused unread (a message is at most 4,000 characters).
FRAME_MAX = 64 * 1024
CLOSE_ACCESS_ENDED = 4003
CLOSE_NOT_LOGGED_IN = 4001

# The open sockets of this process, for the sweep.
_open: dict[str, "ChatConsumer"] = {}
_sweeper: asyncio.Task | None = None
# The sweep refreshes its sockets' presence this often (seconds), well inside
# CHAT_ONLINE_SECONDS, and forgets rows not refreshed for STALE_AFTER.
PRESENCE_EVERY = 20
STALE_AFTER = dt.timedelta(hours=1)
_presence_at = 0.0


def _errors_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(message) for messages in error.message_dict.values() for message in messages]
    return [str(message) for message in error.messages]


def _not_understood() -> str:
    return _("The page sent something the chat did not understand.")


class ChatConsumer(AsyncWebsocketConsumer):
    # No channel-layer channel of its own: the process's router hands it its events.
    channel_layer_alias = "kollegan.chat.router-only"
    member_id: int | None = None

    # --- Opening and closing ------------------------------------------------------------------

    async def connect(self) -> None:
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        if session is None or await database_sync_to_async(sessions.expired_message)(session):
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        self.member_id = user.pk
        self.channel_name = f"socket.{uuid.uuid4().hex}"
        self.session_key = session.session_key
        self.language = user.language or settings.LANGUAGE_CODE
        self.conversations: set[int] = set()
        conversation_ids = await database_sync_to_async(selectors.conversation_ids_of)(user.pk)
        # Accepted before the router may hand it anything; a message in between
        # is fetched by the page's sync, which it sends as soon as it is open.
        await self.accept()
        await router().add(self, conversation_ids)
        _open[self.channel_name] = self
        _start_sweeper()
        await database_sync_to_async(Connection.objects.create)(
            member_id=user.pk, channel_name=self.channel_name
        )
        await self._send({"type": "hello", "member": user.pk, "at": timezone.now().isoformat()})

    async def disconnect(self, code: int) -> None:
        if self.member_id is None:
            return
        _open.pop(self.channel_name, None)
        await router().remove(self)
        await database_sync_to_async(
            lambda: Connection.objects.filter(channel_name=self.channel_name).delete()
        )()
        self.member_id = None

    # --- What the page sends ----------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.member_id is None:
            return
        # Answers in the member's language, as their pages are.
        with translation.override(self.language):
            await self._receive(text_data)

    async def _receive(self, text_data: str | None) -> None:
        if text_data is None or len(text_data) > FRAME_MAX:
            await self._error("", "frame", _("The message is too large to be sent."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self._error("", "frame", _not_understood())
            return
        ref = content.get("ref")
        ref = ref if isinstance(ref, str) and len(ref) <= 64 else ""
        handler = {
            "send": self._on_send,
            "read": self._on_read,
            "sync": self._on_sync,
            "ping": self._on_ping,
        }.get(content.get("type"))
        if handler is None:
            await self._error(ref, "type", _not_understood())
            return
        await handler(content, ref)

    async def _conversation_id(self, content: dict, ref: str) -> int | None:
        """The frame's conversation when the member is in it; else the page is
        told (one answer for a forged id and for someone else's) and None."""
        value = content.get("conversation")
        if isinstance(value, bool) or not isinstance(value, int) or not is_row_id(value):
            value = None
        if value is None or value not in self.conversations:
            await self._error(ref, "not_member", str(services.refuse_outsider()))
            return None
        return value

    async def _on_send(self, content: dict, ref: str) -> None:
        conversation_id = await self._conversation_id(content, ref)
        if conversation_id is None:
            return
        body = content.get("body")
        if not isinstance(body, str):
            await self._error(ref, "body_empty", _("Write a text."))
            return
        confirmed = content.get("confirmed") is True
        try:
            message = await database_sync_to_async(self._send_message)(
                conversation_id, body, confirmed
            )
        except ConfidentialityError as refusal:
            await self._send(
                {
                    "type": "error",
                    "ref": ref,
                    "code": "guard_blocked" if refusal.result.blocked else "needs_confirmation",
                    "messages": [str(line) for line in refusal.result.messages()],
                }
            )
            return
        except services.RateLimited as refusal:
            await self._error(ref, "rate_limited", *_errors_of(refusal))
            return
        except ValidationError as refusal:
            code = getattr(refusal, "code", None) or "invalid"
            if hasattr(refusal, "error_dict"):
                codes = [e.code for errors in refusal.error_dict.values() for e in errors]
                code = codes[0] if codes else code
            await self._error(ref, code, *_errors_of(refusal))
            return
        except PermissionDenied as refusal:
            await self._error(ref, "not_member", str(refusal))
            return
        await self._send({"type": "ack", "ref": ref, "id": message.pk})

    def _send_message(self, conversation_id: int, body: str, confirmed: bool):
        member = Member.objects.get(pk=self.member_id)
        return services.message_send(
            conversation=conversation_id, author=member, body=body, confirmed=confirmed
        )

    async def _on_read(self, content: dict, ref: str) -> None:
        conversation_id = await self._conversation_id(content, ref)
        if conversation_id is None:
            return
        up_to = content.get("message")
        if isinstance(up_to, bool) or not isinstance(up_to, int) or up_to < 0:
            await self._error(ref, "message", _("That message does not exist."))
            return

        def mark() -> None:
            member = Member.objects.get(pk=self.member_id)
            services.conversation_read(conversation=conversation_id, member=member, up_to=up_to)

        try:
            await database_sync_to_async(mark)()
        except PermissionDenied as refusal:
            await self._error(ref, "not_member", str(refusal))

    async def _on_sync(self, content: dict, ref: str) -> None:
        """After a reconnect: the messages after ``after`` and those changed since ``since``."""
        conversation_id = await self._conversation_id(content, ref)
        if conversation_id is None:
            return
        after = content.get("after")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            after = 0
        since = None
        if isinstance(content.get("since"), str):
            try:
                since = dt.datetime.fromisoformat(content["since"])
            except ValueError:
                since = None
            if since is not None and since.tzinfo is None:
                since = None

        def missed() -> list[dict]:
            return realtime.payloads_of(selectors.missed(conversation_id, after=after, since=since))

        items = await database_sync_to_async(missed)()
        await self._send(
            {
                "type": "sync",
                "ref": ref,
                "conversation": conversation_id,
                "items": items,
                "at": timezone.now().isoformat(),
            }
        )

    async def _on_ping(self, content: dict, ref: str) -> None:
        await self._send({"type": "pong", "ref": ref})

    # --- What the router hands over --------------------------------------------------------------

    async def joined(self, conversation_id: int) -> None:
        await self._send({"type": "joined", "conversation": conversation_id})

    async def removed(self, conversation_id: int) -> None:
        await self._send({"type": "removed", "conversation": conversation_id})

    async def end_access(self) -> None:
        """Access has ended: no more events, a last word to the page, and the socket closes."""
        if self.member_id is None:
            return
        await router().remove(self)
        await self._send({"type": "closed"})
        await self.close(code=CLOSE_ACCESS_ENDED)
        await self.disconnect(CLOSE_ACCESS_ENDED)

    # --- Helpers ---------------------------------------------------------------------------------

    async def _send(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content))

    async def _error(self, ref: str, code: str, *messages: str) -> None:
        await self._send({"type": "error", "ref": ref, "code": code, "messages": list(messages)})


# --- One listener per process ----------------------------------------------------------------


class Router:
    """This process's subscriptions: to each conversation that a socket here is
    in, and to each member with a socket here. It reads its one channel and
    hands each event to the sockets it concerns, in order."""

    def __init__(self, layer) -> None:
        self.layer = layer
        self.loop = asyncio.get_running_loop()
        self.channel = ""
        self.ready = asyncio.Event()
        self.conversations: dict[int, set[ChatConsumer]] = {}
        self.members: dict[int, set[ChatConsumer]] = {}
        self.task = self.loop.create_task(self._listen())

    async def add(self, consumer: "ChatConsumer", conversation_ids: list[int]) -> None:
        await self.ready.wait()
        await self._subscribe(self.members, consumer.member_id, realtime.member_group, consumer)
        for conversation_id in conversation_ids:
            await self.join(consumer, conversation_id)

    async def remove(self, consumer: "ChatConsumer") -> None:
        for conversation_id in list(consumer.conversations):
            await self.leave(consumer, conversation_id)
        if consumer.member_id is not None:
            await self._unsubscribe(
                self.members, consumer.member_id, realtime.member_group, consumer
            )

    async def join(self, consumer: "ChatConsumer", conversation_id: int) -> None:
        consumer.conversations.add(conversation_id)
        await self._subscribe(
            self.conversations, conversation_id, realtime.conversation_group, consumer
        )

    async def leave(self, consumer: "ChatConsumer", conversation_id: int) -> None:
        consumer.conversations.discard(conversation_id)
        await self._unsubscribe(
            self.conversations, conversation_id, realtime.conversation_group, consumer
        )

    async def _subscribe(self, table: dict, key: int, group, consumer) -> None:
        sockets = table.setdefault(key, set())
        first = not sockets
        sockets.add(consumer)
        if first:
            await self.layer.group_add(group(key), self.channel)

    async def _unsubscribe(self, table: dict, key: int, group, consumer) -> None:
        sockets = table.get(key)
        if sockets is None or consumer not in sockets:
            return
        sockets.discard(consumer)
        if not sockets:
            del table[key]
            await self.layer.group_discard(group(key), self.channel)

    async def _listen(self) -> None:
        self.channel = await self.layer.new_channel("chat.process.")
        self.ready.set()
        while True:
            try:
                event = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("The chat router could not read its channel; trying again")
                await asyncio.sleep(0.5)
                continue
            try:
                await self.handle(event)
            except Exception:
                logger.exception("The chat router could not hand out %s", event.get("type"))

    async def handle(self, event: dict) -> None:
        kind = event.get("type")
        if kind == "chat.event":
            # The text is encoded once by the publisher, and the frame made once
            # here: each socket only passes it to the server. The sends run side
            # by side: each waits on the server (measured on granian, 500 one
            # after the other took twice as long), and a slow reader holds up
            # nobody else.
            frame = {"type": "websocket.send", "text": event["text"]}
            sockets = list(self.conversations.get(event["conversation"], ()))
            await asyncio.gather(
                *(consumer.base_send(frame) for consumer in sockets), return_exceptions=True
            )
            return
        sockets = list(self.members.get(event.get("member"), ()))
        if kind == "chat.access":
            conversation_id = event["conversation"]
            for consumer in sockets:
                if event["present"]:
                    await self.join(consumer, conversation_id)
                    await consumer.joined(conversation_id)
                elif conversation_id in consumer.conversations:
                    await self.leave(consumer, conversation_id)
                    await consumer.removed(conversation_id)
        elif kind == "chat.close":
            for consumer in sockets:
                await consumer.end_access()


_router: Router | None = None


def router() -> Router:
    """This process's router (one per event loop: tests run several loops)."""
    global _router
    loop = asyncio.get_running_loop()
    if _router is None or _router.loop is not loop or _router.task.done():
        _router = Router(get_channel_layer())
    return _router


# --- The sweep ---------------------------------------------------------------------------------


def _ended(sockets: list[tuple[str, int, str]]) -> set[str]:
    """Of (channel, member, session key), the channels whose access has ended;
    and the survivors' presence is refreshed."""
    member_ids = {member_id for _channel, member_id, _key in sockets}
    keys = {key for _channel, _member, key in sockets}
    now = timezone.now()
    ended_members = set(
        Member.objects.ended().filter(pk__in=member_ids).values_list("pk", flat=True)
    )
    live_keys = set(
        Session.objects.filter(session_key__in=keys, expire_date__gt=now).values_list(
            "session_key", flat=True
        )
    )
    ended = {
        channel
        for channel, member_id, key in sockets
        if member_id in ended_members or key not in live_keys
    }
    global _presence_at
    if time.monotonic() - _presence_at >= PRESENCE_EVERY:
        _presence_at = time.monotonic()
        alive = [channel for channel, _member, _key in sockets if channel not in ended]
        Connection.objects.filter(channel_name__in=alive).update(seen_at=now)
        # Rows a crashed process left behind (none of this process's are that old).
        Connection.objects.filter(seen_at__lt=now - STALE_AFTER).delete()
    return ended


async def sweep_once() -> int:
    """Close this process's sockets whose access has ended; returns how many."""
    sockets = [
        (channel, consumer.member_id, consumer.session_key)
        for channel, consumer in list(_open.items())
        if consumer.member_id is not None
    ]
    if not sockets:
        return 0
    # In a thread of its own: the sockets' sends must not queue behind it in the
    # one thread that runs their database work.
    ended = await database_sync_to_async(_ended, thread_sensitive=False)(sockets)
    for channel in ended:
        consumer = _open.get(channel)
        if consumer is not None:
            await consumer.end_access()
    return len(ended)


async def _sweep_forever() -> None:
    while _open:
        await asyncio.sleep(settings.CHAT_SWEEP_SECONDS)
        try:
            await sweep_once()
        except Exception:
            logger.exception("The chat sweep failed; trying again")


def _start_sweeper() -> None:
    global _sweeper
    loop = asyncio.get_running_loop()
    if _sweeper is None or _sweeper.done() or _sweeper.get_loop() is not loop:
        _sweeper = loop.create_task(_sweep_forever())
