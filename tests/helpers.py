"""Small helpers shared by the test modules."""

import json

from django.test import Client
from django.utils import translation


def sv(msgid: str) -> str:
    """The Swedish for an English source string (Kollegan's or allauth's).

    Fails when there is none: a member would then read English."""
    with translation.override("sv"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no Swedish translation for {msgid!r}"
    return text


def bearer(secret: str) -> dict[str, str]:
    """Test-client headers for a personal API token."""
    return {"Authorization": f"Bearer {secret}"}


def in_swedish(message: str) -> str:
    """What a service's message reads as in the API's default language (the
    source text itself where there is no translation yet)."""
    with translation.override("sv"):
        return translation.gettext(message)


def token_client(member) -> Client:
    """A test client sending a new personal API token of the member's."""
    from kollegan.api.services import api_token_create

    client = Client(headers=bearer(api_token_create(member=member, name="Skript")[1]))
    # The first use of the minute records last_used_at; do it here so query
    # counts afterwards are those of every later request.
    assert client.get("/api/v1/me").status_code == 200
    return client


def readable(response) -> str:
    """The response as sent and with its \\u escapes undone ("Lycksele kommun", "Våld")."""
    unescaped = json.dumps(response.json(), ensure_ascii=False)
    return f"{response.content.decode()}\n{unescaped}"
