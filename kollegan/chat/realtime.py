"""Telling the open sockets what changed.

Each conversation has a channel-layer group (``chat.c<id>``) that the sockets of
its members join, and each member one (``chat.m<id>``) for what concerns that
member alone: a conversation joined or left, access ended.

With ``REDIS_URL`` the layer is Redis and any process publishes straight to it.
Without it the layer lives in the chat process's memory, so the web server and
the worker hand their events to the chat process over HTTP on the loopback
(``CHAT_BRIDGE_URL``, signed with the secret key; ``manage.py serve`` sets it).
A lost event costs nothing but latency: a page that reconnects fetches what it
missed from the database."""

import hashlib
import hmac
import json
import logging
import urllib.request

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Kollegan-Signature"


def conversation_group(conversation_id: int) -> str:
    return f"chat.c{conversation_id}"


def member_group(member_id: int) -> str:
    return f"chat.m{member_id}"


def sign(body: bytes) -> str:
    key = hashlib.sha256(f"kollegan.chat.bridge:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def publish(group: str, event: dict) -> None:
    publish_many([(group, event)])


def publish_many(events: list[tuple[str, dict]]) -> None:
    """Send each (group, event) to every socket in the group: over the bridge in
    one request, however many. Never raises: the change is already committed,
    and a socket that missed it catches up when it reconnects."""
    if not events:
        return
    try:
        if settings.CHAT_BRIDGE_URL:
            body = json.dumps({"events": events}).encode()
            # Our own loopback address, from the settings (never from a request).
            request = urllib.request.Request(  # noqa: S310
                settings.CHAT_BRIDGE_URL,
                data=body,
                headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310
                pass
        else:
            async_to_sync(send_to_layer)(events)
    except Exception:  # a socket event must never fail the request that caused it
        logger.warning("Could not publish %d chat event(s)", len(events), exc_info=True)


async def send_to_layer(events: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    for group, event in events:
        await layer.group_send(group, event)


def _now() -> str:
    return timezone.now().isoformat()


def warm_up() -> None:
    """What a chat process loads once, at start: otherwise the first message
    after a start waits for it (measured: 0.6 s, mostly the URL configuration,
    which the message's links need and which imports every view)."""
    from django.template.loader import get_template
    from django.urls import reverse

    import kollegan.files.services
    import kollegan.notifications.tasks  # noqa: F401 (a send's fan-out)

    with translation.override(settings.LANGUAGE_CODE):
        translation.gettext("Chat")
        get_template("chat/_message.html")
        reverse("chat:list")


def payloads_of(messages) -> list[dict]:
    """What a socket receives about each message: its fields and the HTML of
    its line, rendered once for every receiver (what only the writer may do is
    shown by the page for the writer alone). One query for all their files."""
    from kollegan.files.selectors import attachments_for

    files = attachments_for("message", [message.pk for message in messages])
    with translation.override(settings.LANGUAGE_CODE):
        return [_payload(message, files.get(message.pk, [])) for message in messages]


def _payload(message, attachments: list) -> dict:
    html = render_to_string(
        "chat/_message.html", {"message": message, "attachments": attachments, "live": True}
    )
    return {
        "type": "message",
        "conversation": message.conversation_id,
        "id": message.pk,
        "author": message.author_id,
        "author_name": message.author.name,
        "edited": message.edited_at is not None,
        "deleted": message.deleted_at is not None,
        "html": html,
        "at": _now(),
    }


def _to_conversation(conversation_id: int, payload: dict) -> None:
    # Encoded once here, not once per receiving socket: a group of 500 costs
    # each socket only the sending.
    publish(
        conversation_group(conversation_id),
        {"type": "chat.event", "conversation": conversation_id, "text": json.dumps(payload)},
    )


def message_changed(message_id: int, *, new: bool = False) -> None:
    from kollegan.chat.models import Message

    message = Message.objects.select_related("author").filter(pk=message_id).first()
    if message is None:
        return
    [payload] = payloads_of([message])
    payload["new"] = new
    _to_conversation(message.conversation_id, payload)


def read(conversation_id: int, member_id: int, last_read_id: int) -> None:
    payload = {
        "type": "read",
        "conversation": conversation_id,
        "member": member_id,
        "message": last_read_id,
        "at": _now(),
    }
    _to_conversation(conversation_id, payload)


def _access(conversation_id: int, member_id: int, present: bool) -> tuple[str, dict]:
    event = {
        "type": "chat.access",
        "conversation": conversation_id,
        "member": member_id,
        "present": present,
    }
    return member_group(member_id), event


def joined(conversation_id: int, member_ids: list[int]) -> None:
    """Members added (a new group of 500: one publication, not 500)."""
    publish_many([_access(conversation_id, member_id, True) for member_id in member_ids])


def left(conversation_id: int, member_id: int) -> None:
    publish(*_access(conversation_id, member_id, False))


def close_member(member_id: int) -> None:
    """The member's access has ended: the server closes their open sockets."""
    publish(member_group(member_id), {"type": "chat.close", "member": member_id})
