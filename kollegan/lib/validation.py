"""Checks every section's services make of what members write, with the same
Swedish messages and codes everywhere."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_TOPICS = 5
# Row ids are 64-bit integers: a larger number from an address or a form would
# crash the database lookup instead of finding nothing.
ID_MAX = 2**63 - 1


def is_row_id(value: int) -> bool:
    """Whether ``value`` can be a row's id (and so be looked up at all)."""
    return 0 < value <= ID_MAX


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A refusal tied to one field, keeping its code (a dict of plain strings would drop it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def clean_body(body: str, *, limit: int) -> str:
    """The text without surrounding space, with plain line breaks (a browser's
    textarea sends CRLF); refused when empty or over ``limit``."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise field_error("body", _("Write a text."), "body_empty")
    if len(body) > limit:
        message = _("The text is %(length)d characters long; at most %(max)d are allowed.") % {
            "length": len(body),
            "max": limit,
        }
        raise field_error("body", message, "body_long")
    return body


def clean_topics(topics: Iterable, *, required: bool) -> list:
    """Each topic once, at most MAX_TOPICS, none retired; at least one if ``required``."""
    topics = list(dict.fromkeys(topics))
    if required and not topics:
        raise field_error("topics", _("Choose at least one topic."), "no_topics")
    if len(topics) > MAX_TOPICS:
        message = _("Choose at most %(max)d topics.") % {"max": MAX_TOPICS}
        raise field_error("topics", message, "too_many_topics")
    retired = [topic.name for topic in topics if not topic.is_active]
    if retired:
        message = _("No longer in use: %(topics)s.") % {"topics": ", ".join(retired)}
        raise field_error("topics", message, "retired_topic")
    return topics
