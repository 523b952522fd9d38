"""Small helpers shared by the test modules."""

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
