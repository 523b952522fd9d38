"""The e-mails, written when they are sent: subject, text and HTML from
templates per kind (one item, several items, digest), in the recipient's
language, with one-click unsubscribe (RFC 8058) and threading headers.

E-mail is not a confidential channel: a message holds what happened, the
title, the topics and a link that needs a login, never the text itself, and
never the name of someone who wrote anonymously."""

from email.header import Header
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kollegan.accounts.models import Member
from kollegan.core.selectors import site_config
from kollegan.notifications import targets
from kollegan.notifications.models import Email, EmailKind, Notification, Verb
from kollegan.notifications.services import describe_subscription, unsubscribe_token

DIGEST_ITEMS_MAX = 50
SUBJECTS = {
    Verb.NEW_QUESTION: gettext_noop("New question: %(title)s"),
    Verb.NEW_ANSWER: gettext_noop("New answer: %(title)s"),
    Verb.NEW_COMMENT: gettext_noop("New comment: %(title)s"),
    Verb.NEW_POST: gettext_noop("New post: %(title)s"),
    Verb.NEW_REPLY: gettext_noop("New reply: %(title)s"),
    Verb.NEW_EVENT: gettext_noop("New event: %(title)s"),
    Verb.EVENT_CHANGED: gettext_noop("Changed: %(title)s"),
    Verb.EVENT_CANCELLED: gettext_noop("Cancelled: %(title)s"),
    Verb.NEW_NOTE: gettext_noop("Meeting notes: %(title)s"),
    Verb.NEW_DOCUMENT: gettext_noop("New document: %(title)s"),
    Verb.NEW_VERSION: gettext_noop("New version: %(title)s"),
    Verb.NEW_DOCUMENT_COMMENT: gettext_noop("New comment: %(title)s"),
    Verb.NEW_MESSAGE: gettext_noop("New in the chat: %(title)s"),
}
# Opening a thread: its first e-mail is the one later ones answer.
OPENERS = {Verb.NEW_QUESTION, Verb.NEW_POST, Verb.NEW_EVENT, Verb.NEW_NOTE, Verb.NEW_DOCUMENT}


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "kollegan.invalid"


def _phrase(text: str) -> str:
    """A header's display words, encoded alone when not ASCII: Django would
    encode the whole value, the <list-id> with it, and filters could not read it."""
    if text.isascii():
        return text
    return Header(text, "utf-8").encode()


def unsubscribe_url(member_id: int, what: str) -> str:
    token = unsubscribe_token(member_id, what)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[member_id, what, token])


def thread_root_id(target_type: str, target_id: int, member_id: int) -> str:
    """The Message-ID a thread's e-mails answer, one per recipient and thread."""
    return f"<{target_type}-{target_id}.m{member_id}@{_host()}>"


def _subject(email: Email, items: list[tuple[Notification, targets.Thread]], site: str) -> str:
    if email.kind == EmailKind.DAILY:
        return _("Your daily digest from %(site)s") % {"site": site}
    if email.kind == EmailKind.WEEKLY:
        return _("Your weekly digest from %(site)s") % {"site": site}
    if len(items) == 1:
        note, thread = items[0]
        return _(SUBJECTS[note.activity.verb]) % {"title": thread.title}
    return _("%(count)s new on %(site)s") % {"count": len(items), "site": site}


def _label(what: str, labels: dict[tuple[str, str], str]) -> str:
    """describe_subscription once per language and subscription in a batch: a
    topic's name is a query, and 30,000 e-mails about one topic need it once."""
    key = (translation.get_language(), what)
    if key not in labels:
        labels[key] = describe_subscription(what)
    return labels[key]


def build_message(
    email: Email,
    recipient: Member,
    items: list[tuple[Notification, targets.Thread]],
    *,
    labels: dict[tuple[str, str], str] | None = None,
    site_name: str | None = None,
) -> EmailMultiAlternatives:
    """``labels`` and ``site_name``: kept by the caller for one batch, so that the
    subscriptions' names and the site's are looked up once per batch rather than
    once per e-mail."""
    labels = {} if labels is None else labels
    site = site_name or site_config().site_name
    base = settings.SITE_URL
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        shown = items[:DIGEST_ITEMS_MAX]
        lines = [
            {
                "headline": targets.headline(note.activity),
                "title": thread.title,
                "topics": ", ".join(thread.topics),
                "url": base + targets.path_of(note.activity, thread),
            }
            for note, thread in shown
        ]
        if email.kind == EmailKind.IMMEDIATE:
            whats = list(dict.fromkeys(note.subscription or "all" for note, _thread in items))
        else:
            whats = [email.kind]
        stops = [
            {"label": _label(what, labels), "url": unsubscribe_url(recipient.pk, what)}
            for what in whats
        ]
        context = {
            "site_name": site,
            "first_name": recipient.name.split(" ")[0],
            "items": lines,
            "more": len(items) - len(shown),
            "stops": stops,
            "settings_url": base + reverse("notifications:settings"),
            "list_url": base + reverse("notifications:list"),
            "kind": email.kind,
            # Rendered without a request, so the context processor that sets it
            # for pages does not run: the HTML's lang follows the recipient.
            "LANGUAGE_CODE": translation.get_language(),
        }
        template = "digest" if email.kind != EmailKind.IMMEDIATE else "single"
        if template == "single" and len(items) > 1:
            template = "batch"
        subject = _subject(email, items, site)
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    headers = {
        "Message-ID": make_msgid(idstring=f"kollegan.e{email.pk}", domain=_host()),
        "List-Unsubscribe": f"<{stops[0]['url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{_phrase(site)} <notiser.{_host()}>",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    threads = {(thread.type, thread.id) for _note, thread in items}
    if email.kind == EmailKind.IMMEDIATE and len(threads) == 1:
        note, thread = items[0]
        root = thread_root_id(thread.type, thread.id, recipient.pk)
        headers["Thread-Topic"] = thread.title
        if len(items) == 1 and note.activity.verb in OPENERS:
            headers["Message-ID"] = root
        else:
            headers["In-Reply-To"] = root
            headers["References"] = root
    message = EmailMultiAlternatives(subject, text, to=[recipient.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message
