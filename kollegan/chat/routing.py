"""The chat process's ASGI application: the socket at /ws/chatt/, the bridge
that the web server and worker publish through when there is no Redis, and a
health check. It serves no pages: those stay on the WSGI server."""

import json
from urllib.parse import urlsplit

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from django.conf import settings
from django.urls import path
from django.utils.crypto import constant_time_compare

from kollegan.chat import realtime
from kollegan.chat.consumers import ChatConsumer

SOCKET_PATH = "ws/chatt/"
BRIDGE_PATH = "/internal/chat-publish"
BRIDGE_MAX = 1024 * 1024


def _origin(url: str) -> str:
    parts = urlsplit(url.strip().lower())
    if not parts.scheme or not parts.hostname:
        return ""
    try:
        port = parts.port
    except ValueError:  # "http://host:8000.evil.example": no origin of ours
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = port if port not in (None, default) else None
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")


def allowed_origins() -> set[str]:
    """The site's own address and the trusted origins: the pages that may open a socket."""
    return {
        origin
        for origin in (_origin(url) for url in [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS])
        if origin
    }


class OriginCheck:
    """Refuses a socket opened from a page of another site (cross-site WebSocket
    hijacking: the browser would send the member's cookie along). No Origin
    header at all is refused too: every browser sends one."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        origin = headers.get(b"origin", b"").decode("latin-1")
        if not origin or _origin(origin) not in allowed_origins():
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 4003})
            return
        return await self.app(scope, receive, send)


async def _respond(send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def http_app(scope, receive, send) -> None:
    """/healthz, and the bridge: a signed event from the web server or worker
    that this process hands to its in-memory channel layer."""
    if scope["path"] == "/healthz":
        await _respond(send, 200, b"ok")
        return
    if scope["path"] != BRIDGE_PATH or scope["method"] != "POST":
        await _respond(send, 404, b"not found")
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > BRIDGE_MAX:
            await _respond(send, 413, b"too large")
            return
        if not message.get("more_body"):
            break
    headers = dict(scope.get("headers") or [])
    signature = headers.get(realtime.SIGNATURE_HEADER.lower().encode(), b"").decode("latin-1")
    # Plain CPU work, called directly: through sync_to_async it would queue behind
    # the sockets' database work in asgiref's one thread.
    expected = realtime.sign(body)
    if not constant_time_compare(signature, expected):
        await _respond(send, 403, b"bad signature")
        return
    try:
        events = [(group, event) for group, event in json.loads(body)["events"]]
        if not all(isinstance(group, str) and isinstance(event, dict) for group, event in events):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        await _respond(send, 400, b"bad event")
        return
    await realtime.send_to_layer(events)
    await _respond(send, 204, b"")


websocket_app = OriginCheck(
    AuthMiddlewareStack(URLRouter([path(SOCKET_PATH, ChatConsumer.as_asgi())]))
)
