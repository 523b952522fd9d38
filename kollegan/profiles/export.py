"""“My data”: everything Kollegan stores about a member, as a zip of JSON files.

Each part of the platform adds its own file by registering a function that takes
the member and returns something JSON can hold (a dict or a list)::

    from kollegan.profiles.export import register

    @register("questions.json", _("Your questions, also the ones you asked anonymously."))
    def _questions(member):
        return [...]

The rule for every section: what the member did or what is stored about them,
never anything about another member. The one exception is the name of the
person who acted on them in the audit log (an administrator who deactivated or
invited them): that is part of their own record. Secrets are never exported:
no password hash, no token digests, no session keys, no two-factor secrets.
"""

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from tempfile import SpooledTemporaryFile
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kollegan.accounts.models import Invitation, Member
from kollegan.profiles.photos import PHOTO_SIZES, photo_name

Builder = Callable[[Member], dict | list]

# Past this size the zip moves from memory to a temporary file on disk.
SPOOL_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Section:
    filename: str
    description: Any  # a lazy translation: the page shows it, README.txt has it in Swedish
    build: Builder


REGISTRY: dict[str, Section] = {}


def register(filename: str, description: Any) -> Callable[[Builder], Builder]:
    """Add ``filename`` to every member's export; the decorated function builds it."""
    if not filename.endswith(".json") or "/" in filename:
        raise ValueError(f"Export sections are JSON files at the top of the zip: {filename!r}")

    def decorator(build: Builder) -> Builder:
        if filename in REGISTRY and REGISTRY[filename].build is not build:
            raise ValueError(f"Two export sections want the file name {filename!r}")
        REGISTRY[filename] = Section(filename=filename, description=description, build=build)
        return build

    return decorator


def sections() -> list[Section]:
    return list(REGISTRY.values())


def archive_name(today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"kollegan-mina-uppgifter-{today:%Y-%m-%d}.zip"


# --- Photo files ------------------------------------------------------------------------


def photo_storage_names(photo_key: str) -> list[str]:
    """The stored sizes of one photo (``photos/<photo_key>-<size>.jpg``) that exist."""
    if not photo_key:
        return []
    names = (photo_name(photo_key, size) for size in PHOTO_SIZES)
    return [name for name in names if default_storage.exists(name)]


# --- The sections that exist today ----------------------------------------------------------

# Fields never exported, whatever else Member gains.
SECRET_MEMBER_FIELDS = {"password"}


def _field_value(member: Member, field: models.Field) -> Any:
    if field.is_relation:
        related = getattr(member, field.name)
        if related is None:
            return None
        return {"id": related.pk, "name": getattr(related, "name", str(related))}
    value = getattr(member, field.attname)
    if field.choices:
        return {"value": value, "label": str(getattr(member, f"get_{field.name}_display")())}
    return value


@register(
    "profile.json",
    _(
        "Your profile: name, e-mail, organisation and unit, role, function, town, phone, "
        "about me, knowledge areas, what you can be asked about, who sees your phone and "
        "e-mail, language and dates. Not your password, which is stored only as a hash."
    ),
)
def profile_section(member: Member) -> dict:
    data: dict[str, Any] = {}
    for field in Member._meta.concrete_fields:
        if field.name in SECRET_MEMBER_FIELDS:
            continue
        data[field.name] = _field_value(member, field)
    if member.organisation_id:
        data["organisation"]["kind"] = member.organisation.kind
    for field in Member._meta.many_to_many:
        data[field.name] = [str(item) for item in getattr(member, field.name).all()]
    data["photo_files"] = [
        name.rsplit("/", 1)[-1] for name in photo_storage_names(member.photo_key)
    ]
    data["login_addresses"] = list(
        EmailAddress.objects.filter(user=member)
        .order_by("pk")
        .values("email", "verified", "primary")
    )
    return data


@register(
    "api_tokens.json",
    _("Your API tokens: name, how they begin, when created, last used and revoked."),
)
def api_tokens_section(member: Member) -> list:
    from kollegan.api.models import ApiToken

    # Never the digest: the hint is what the member already sees on My page.
    return list(
        ApiToken.objects.filter(member=member)
        .order_by("created_at", "pk")
        .values("name", "hint", "created_at", "last_used_at", "revoked_at")
    )


@register(
    "sessions.json",
    _("Where you are logged in: when, from which IP address and browser."),
)
def sessions_section(member: Member) -> list:
    # Never the session key: it would log anyone holding the file in.
    return list(
        UserSession.objects.filter(user=member)
        .order_by("created_at", "pk")
        .values("created_at", "last_seen_at", "ip", "user_agent")
    )


@register(
    "two_factor.json",
    _("Your two-factor login methods: kind, when added and last used. Never their secrets."),
)
def two_factor_section(member: Member) -> list:
    return list(
        Authenticator.objects.filter(user=member)
        .order_by("created_at", "pk")
        .values("type", "created_at", "last_used_at")
    )


@register(
    "linked_accounts.json",
    _("Accounts elsewhere you log in with (single sign-on): provider and when used."),
)
def linked_accounts_section(member: Member) -> list:
    return list(
        SocialAccount.objects.filter(user=member)
        .order_by("pk")
        .values("provider", "uid", "date_joined", "last_login")
    )


def _invitation_row(invitation: Invitation) -> dict:
    return {
        "organisation": invitation.organisation.name,
        "unit": invitation.unit.name if invitation.unit else None,
        "role": invitation.role,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
        "revoked_at": invitation.revoked_at,
        "state": invitation.state,
    }


@register(
    "invitations.json",
    _(
        "The invitation that brought you in, and the invitations you sent (the address "
        "you sent them to is shortened to its domain: it belongs to someone else)."
    ),
)
def invitations_section(member: Member) -> dict:
    invitations = Invitation.objects.select_related("organisation", "unit", "invited_by")
    received = invitations.filter(accepted_member=member).order_by("created_at").first()
    received_row = None
    if received is not None:
        received_row = _invitation_row(received)
        received_row["email"] = received.email
        # The administrator who invited them acted on them: their own record.
        received_row["invited_by"] = received.invited_by.name if received.invited_by else None
    sent = []
    for invitation in invitations.filter(invited_by=member).order_by("created_at", "pk"):
        row = _invitation_row(invitation)
        row["recipient_domain"] = invitation.email.rpartition("@")[2]
        sent.append(row)
    return {"received": received_row, "sent": sent}


@register(
    "audit.json",
    _(
        "The audit log entries about you or made by you. Entries you made about someone "
        "else show what was done and when, not to whom."
    ),
)
def audit_section(member: Member) -> list:
    from kollegan.audit.models import AuditEntry

    entries = AuditEntry.objects.filter(
        Q(actor=member)
        | Q(subject=member)
        | Q(subject__isnull=True, subject_label__iexact=member.email)
    ).order_by("created_at", "pk")
    rows = []
    for entry in entries.iterator():
        about_me = entry.subject_id == member.pk or (
            entry.subject_id is None and entry.subject_label.lower() in {"", member.email}
        )
        rows.append(
            {
                "time": entry.created_at,
                "action": entry.action,
                "action_label": str(entry.get_action_display()),
                "done_by": entry.actor_name if entry.actor_id != member.pk else member.name,
                "done_by_you": entry.actor_id == member.pk,
                "about_you": about_me,
                # Another member's name and the details of what was done to them are theirs.
                "concerns": entry.subject_label if about_me else None,
                "detail": entry.detail if about_me else None,
            }
        )
    return rows


def _question_ref(question, own_question_ids: set[int]) -> dict:
    # A question someone else asked is named by its title for context, unless a
    # moderator has hidden it: then only its number, the hidden text stays hidden.
    shown = question.pk in own_question_ids or question.hidden_at is None
    return {"id": question.pk, "title": question.title if shown else None}


def _text_row(item, earlier: list[dict]) -> dict:
    return {
        "id": item.pk,
        "body": item.body,
        "anonymous": item.is_anonymous,
        "by_asker": item.by_asker,
        "created_at": item.created_at,
        "edited_at": item.edited_at,
        "hidden_at": item.hidden_at,
        "hidden_reason": item.hidden_reason or None,
        "earlier_versions": earlier,
    }


@register(
    "fragor.json",
    _(
        "Your questions, answers and comments in Frågor with their earlier versions, also "
        "those you wrote anonymously (marked anonymous: only you can see that they are "
        "yours); the questions you follow and what you reported to the moderators."
    ),
)
def questions_section(member: Member) -> dict:
    from kollegan.questions.models import (
        AnonymousAuthorship,
        Answer,
        Comment,
        Follow,
        Question,
        Report,
        Revision,
    )

    # Anonymous texts have no author on their row; the separated link to the member
    # is read here for this member alone (a subquery each, never anybody else's links).
    links = AnonymousAuthorship.objects.filter(member=member)

    def own(kind: str) -> Q:
        return Q(author=member) | Q(
            pk__in=links.filter(**{f"{kind}__isnull": False}).values(f"{kind}_id")
        )

    questions = list(
        Question.objects.filter(own("question"))
        .prefetch_related("topics")
        .order_by("created_at", "pk")
    )
    answers = list(
        Answer.objects.filter(own("answer")).select_related("question").order_by("created_at", "pk")
    )
    comments = list(
        Comment.objects.filter(own("comment"))
        .select_related("question")
        .order_by("created_at", "pk")
    )
    own_question_ids = {question.pk for question in questions}

    earlier: dict[tuple[str, int], list[dict]] = {}
    revisions = Revision.objects.filter(
        Q(question__in=own_question_ids, answer__isnull=True, comment__isnull=True)
        | Q(answer__in=[answer.pk for answer in answers], comment__isnull=True)
        | Q(comment__in=[comment.pk for comment in comments])
    ).order_by("written_at", "pk")
    for revision in revisions:
        if revision.comment_id:
            key = ("comment", revision.comment_id)
        elif revision.answer_id:
            key = ("answer", revision.answer_id)
        else:
            key = ("question", revision.question_id)
        row = {"body": revision.body, "written_at": revision.written_at}
        if key[0] == "question":
            row = {"title": revision.title, **row}
        earlier.setdefault(key, []).append(row)

    follows = Follow.objects.filter(member=member).select_related("question").order_by("pk")
    reports = Report.objects.filter(reporter=member).select_related("question").order_by("pk")
    return {
        "questions": [
            {
                **_text_row(question, earlier.get(("question", question.pk), [])),
                "title": question.title,
                "topics": [topic.name for topic in question.topics.all()],
                "solved": question.solved,
            }
            for question in questions
        ],
        "answers": [
            {
                **_text_row(answer, earlier.get(("answer", answer.pk), [])),
                "question": _question_ref(answer.question, own_question_ids),
                "is_helpful": answer.is_helpful,
            }
            for answer in answers
        ],
        "comments": [
            {
                **_text_row(comment, earlier.get(("comment", comment.pk), [])),
                "question": _question_ref(comment.question, own_question_ids),
                "answer": comment.answer_id,
            }
            for comment in comments
        ],
        "following": [
            {
                "question": _question_ref(follow.question, own_question_ids),
                "since": follow.created_at,
            }
            for follow in follows
        ],
        # Not who handled a report: that is another member.
        "reports": [
            {
                "question": _question_ref(report.question, own_question_ids),
                "answer": report.answer_id,
                "comment": report.comment_id,
                "reason": report.reason,
                "created_at": report.created_at,
                "status": report.status,
                "handled_at": report.handled_at,
            }
            for report in reports
        ],
    }


def _post_ref(post, member: Member) -> dict:
    # Someone else's post is named by its first words for context, unless a moderator
    # has hidden it: then only its number, the hidden text stays hidden.
    shown = post.author_id == member.pk or post.hidden_at is None
    return {"id": post.pk, "beginning": str(post) if shown else None}


def _moderation(item) -> dict:
    return {
        "created_at": item.created_at,
        "edited_at": item.edited_at,
        "hidden_at": item.hidden_at,
        "hidden_reason": item.hidden_reason or None,
    }


@register(
    "inlagg.json",
    _(
        "Your posts on the start page and your replies to posts, with when they were "
        "edited or hidden, and which posts you like."
    ),
)
def posts_section(member: Member) -> dict:
    from kollegan.feed.models import Like, Post, Reply

    # Four queries however much was written: posts, their topics, replies, likes.
    posts = (
        Post.objects.filter(author=member).prefetch_related("topics").order_by("created_at", "pk")
    )
    replies = (
        Reply.objects.filter(author=member).select_related("post").order_by("created_at", "pk")
    )
    likes = Like.objects.filter(member=member).select_related("post").order_by("created_at", "pk")
    return {
        "posts": [
            {
                "id": post.pk,
                "body": post.body,
                "link": post.link or None,
                "picture": post.image_url() or None,
                "topics": [topic.name for topic in post.topics.all()],
                **_moderation(post),
                "pinned_at": post.pinned_at,
                "reply_count": post.reply_count,
                "like_count": post.like_count,
            }
            for post in posts
        ],
        "replies": [
            {
                "id": reply.pk,
                "body": reply.body,
                "post": _post_ref(reply.post, member),
                **_moderation(reply),
            }
            for reply in replies
        ],
        # Not who else likes them: those are other members.
        "likes": [
            {"post": _post_ref(like.post, member), "since": like.created_at} for like in likes
        ],
    }


def _name(obj) -> str | None:
    return obj.name if obj is not None else None


@register(
    "kalendarium.json",
    _(
        "The events you added to the calendar (with their series rule, skipped dates and "
        "themes), the events you host, the dates you signed up for, and your calendar "
        "settings. Not the secret of your subscription link, nor who else signed up."
    ),
)
def events_section(member: Member) -> dict:
    from kollegan.events.models import Attendance, CalendarSettings, Event, Occurrence
    from kollegan.events.recurrence import local

    # Six queries however much was added: events, their topics, their skipped or
    # themed dates, the events hosted, the sign-ups, the settings.
    events = list(
        Event.objects.filter(author=member)
        .select_related("organiser", "group")
        .prefetch_related("topics")
        .order_by("start", "pk")
    )
    skipped: dict[int, list] = {}
    themes: dict[int, dict] = {}
    exceptions = (
        Occurrence.objects.filter(event__author=member)
        .filter(Q(skipped=True) | ~Q(theme=""))
        .order_by("original_start", "pk")
        .values_list("event_id", "original_start", "skipped", "theme")
    )
    for event_id, original_start, is_skipped, theme in exceptions:
        date = local(original_start).date()
        if is_skipped:
            skipped.setdefault(event_id, []).append(date)
        if theme:
            themes.setdefault(event_id, {})[date.isoformat()] = theme
    hosting = (
        Event.objects.filter(hosts=member).only("pk", "title", "start").order_by("start", "pk")
    )
    attendances = (
        Attendance.objects.filter(member=member)
        .select_related("occurrence__event")
        .order_by("occurrence__start", "pk")
    )
    found = CalendarSettings.objects.filter(member=member).first()
    return {
        "events": [
            {
                "id": event.pk,
                "uid": event.uid,
                "title": event.title,
                "description": event.description,
                "start": local(event.start),
                "end": local(event.end),
                "all_day": event.all_day,
                "place": event.place or None,
                "online_url": event.online_url or None,
                "organiser": _name(event.organiser),
                "topics": [topic.name for topic in event.topics.all()],
                "group": _name(event.group),
                "rrule": event.rrule or None,
                "skipped_dates": skipped.get(event.pk, []),
                "themes": themes.get(event.pk, {}),
                "created_at": event.created_at,
                "edited_at": event.edited_at,
                "cancelled_at": event.cancelled_at,
            }
            for event in events
        ],
        "hosting": [
            {"event": {"id": event.pk, "title": event.title}, "start": local(event.start)}
            for event in hosting
        ],
        "attendance": [
            {
                "event": {"id": row.occurrence.event_id, "title": row.occurrence.event.title},
                "theme": row.occurrence.theme or None,
                "start": local(row.occurrence.start),
                "end": local(row.occurrence.end),
                "since": row.created_at,
            }
            for row in attendances
        ],
        # Never the secret behind the link: whoever held the file could read the calendar.
        "settings": {
            "layout": found.layout if found else CalendarSettings.Layout.LIST.value,
            "subscription_link_since": found.feed_created_at if found else None,
        },
    }


@register(
    "motesnoteringar.json",
    _(
        "The meeting notes you wrote, with the meeting they are from, their topics and "
        "group, and when they were edited or hidden."
    ),
)
def notes_section(member: Member) -> list:
    from kollegan.events.recurrence import local
    from kollegan.notes.models import Note

    # Two queries however much was written: the notes with their meetings, their topics.
    notes = (
        Note.objects.filter(author=member)
        .select_related("event", "occurrence", "group")
        .prefetch_related("topics")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": note.pk,
            "title": note.title,
            "body": note.body,
            "topics": [topic.name for topic in note.topics.all()],
            "event": {"id": note.event_id, "title": note.event.title} if note.event_id else None,
            "meeting_start": local(note.occurrence.start) if note.occurrence_id else None,
            "group": _name(note.group),
            **_moderation(note),
        }
        for note in notes
    ]


@register(
    "dokument.json",
    _(
        "The documents you own, every version you saved with its text, your comments on "
        "documents, the adoption decisions you recorded for your organisation, and the "
        "files you attached (their names and sizes, also on questions you asked "
        "anonymously)."
    ),
)
def documents_section(member: Member) -> dict:
    from kollegan.documents.models import Adoption, Document, DocumentComment, DocumentVersion
    from kollegan.files.models import Attachment
    from kollegan.questions.models import AnonymousAuthorship

    versions = (
        DocumentVersion.objects.filter(author=member)
        .select_related("document")
        .order_by("created_at", "pk")
    )
    comments = (
        DocumentComment.objects.filter(author=member)
        .select_related("version")
        .order_by("created_at", "pk")
    )
    adoptions = (
        Adoption.objects.filter(recorded_by=member)
        .select_related("organisation", "document")
        .order_by("updated_at", "pk")
    )
    # A file on a question asked anonymously has no uploader on its row: it is found
    # through this member's own separated link, like the question itself.
    anonymous_questions = AnonymousAuthorship.objects.filter(
        member=member, question__isnull=False
    ).values("question_id")
    files = Attachment.objects.filter(
        Q(uploaded_by=member) | Q(question__in=anonymous_questions)
    ).order_by("created_at", "pk")
    owners = ("document", "adoption", "note", "question")
    return {
        "owned": [
            {"id": row["pk"], "title": row["title"], "status": row["status"]}
            for row in Document.objects.filter(owner=member)
            .order_by("created_at", "pk")
            .values("pk", "title", "status")
        ],
        "versions": [
            {
                "document": version.document_id,
                "document_title": version.document.title,
                "number": version.number,
                "title": version.title,
                "body": version.body,
                "change_note": version.change_note,
                "saved_at": version.created_at,
            }
            for version in versions
        ],
        "comments": [
            {
                "document": comment.document_id,
                "version": comment.version.number if comment.version_id else None,
                "body": comment.body,
                **_moderation(comment),
            }
            for comment in comments
        ],
        "adoptions": [
            {
                "document": adoption.document_id,
                "document_title": adoption.document.title,
                "organisation": adoption.organisation.name,
                "status": adoption.status,
                "decided_on": adoption.decided_on,
                "decided_by": adoption.decided_by,
                "variant_url": adoption.variant_url,
                "recorded_at": adoption.updated_at,
            }
            for adoption in adoptions
        ],
        "files": [
            {
                "name": attachment.name,
                "type": attachment.content_type,
                "size": attachment.size,
                "uploaded_at": attachment.created_at,
                "attached_to": next(
                    {"type": owner, "id": getattr(attachment, f"{owner}_id")}
                    for owner in owners
                    if getattr(attachment, f"{owner}_id")
                ),
            }
            for attachment in files
        ],
    }


@register(
    "notiser.json",
    _(
        "What you chose to be told about and how often, what you follow, and when "
        "e-mail was sent to you (not what others wrote)."
    ),
)
def notifications_section(member: Member) -> dict:
    from kollegan.notifications.models import Email, Following, Notification, TopicSubscription
    from kollegan.notifications.services import settings_for

    chosen = settings_for(member)
    subscriptions = (
        TopicSubscription.objects.filter(member=member)
        .select_related("topic")
        .order_by("topic__position", "topic__name", "kind")
    )
    return {
        "settings": {
            "paused": chosen.paused,
            "mentions": chosen.mentions,
            "own": chosen.own,
            "following": chosen.following,
            "my_topics": chosen.my_topics,
            "chat": chosen.chat,
            "digest_hour": chosen.digest_hour,
            "digest_weekday": chosen.digest_weekday,
        },
        "topic_subscriptions": [
            {
                "topic": row.topic.name if row.topic_id else None,
                "kind": row.kind,
                "frequency": row.frequency,
            }
            for row in subscriptions
        ],
        "following": [
            {"type": row.target_type, "id": row.target_id, "since": row.created_at}
            for row in Following.objects.filter(member=member).order_by("created_at", "pk")
        ],
        "notifications": {
            "count": Notification.objects.filter(recipient=member).count(),
            "unread": Notification.objects.filter(recipient=member, read_at__isnull=True).count(),
        },
        "emails": [
            {
                "kind": row["kind"],
                "status": row["status"],
                "created": row["created_at"],
                "sent": row["sent_at"],
            }
            for row in Email.objects.filter(recipient=member)
            .order_by("created_at", "pk")
            .values("kind", "status", "created_at", "sent_at")
        ],
    }


@register(
    "chatt.json",
    _(
        "The conversations you are in, and the chat messages you wrote, with when they "
        "were edited or deleted (not what others wrote)."
    ),
)
def chat_section(member: Member) -> dict:
    from kollegan.chat.models import Message, Participant

    # Two queries however much was written. A direct conversation is named by its
    # kind only: the other member's name is about someone else.
    rows = (
        Participant.objects.filter(member=member)
        .select_related("conversation")
        .order_by("joined_at", "pk")
    )
    messages = Message.objects.filter(author=member).order_by("created_at", "pk")
    return {
        "conversations": [
            {
                "id": row.conversation_id,
                "kind": row.conversation.kind,
                "name": row.conversation.name or None,
                "role": row.role,
                "joined_at": row.joined_at,
            }
            for row in rows
        ],
        "messages": [
            {
                "id": message.pk,
                "conversation": message.conversation_id,
                "body": message.body,
                "created_at": message.created_at,
                "edited_at": message.edited_at,
                "deleted_at": message.deleted_at,
            }
            for message in messages
        ],
    }


# --- Building the zip ----------------------------------------------------------------------


def _readme(found: list[Section], photo_names: list[str], member: Member) -> str:
    with translation.override("sv"):
        lines = [
            "Mina uppgifter i Kollegan",
            "=========================",
            "",
            f"Uttaget för {member.name} ({member.email}) {timezone.localtime():%Y-%m-%d %H:%M}.",
            "",
            "Filerna är i JSON-format (UTF-8) och kan öppnas i en textredigerare.",
            "Tider anges i ISO 8601 med tidszon.",
            "",
            "Filer",
            "-----",
        ]
        for section in found:
            lines += [section.filename, f"  {section.description}", ""]
        if photo_names:
            lines += [
                "photos/",
                "  Ditt profilfoto i de storlekar Kollegan har sparat.",
                "",
            ]
        lines += [
            "Om andra personer",
            "-----------------",
            "Uttaget innehåller bara uppgifter om dig. Det enda undantaget är namnet på den som",
            "gjort något som rör dig i granskningsloggen (till exempel administratören som",
            "bjöd in dig): det hör till din egen historik. Inbjudningar du själv skickat visar",
            "bara domänen i mottagarens adress.",
            "",
            "Hemligheter lämnas aldrig ut: inte lösenordet (som bara sparas som en",
            "kontrollsumma), inte API-nycklarna, inte sessionsnycklar.",
            "",
        ]
    return "\n".join(lines)


def _dump(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"


def build_archive(member: Member) -> IO[bytes]:
    """The whole export as a zip, rewound and ready to stream. The caller closes it."""
    spool: IO[bytes] = SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    try:
        found = sections()
        photo_names = photo_storage_names(member.photo_key)
        with ZipFile(spool, "w", compression=ZIP_DEFLATED) as archive:
            for section in found:
                archive.writestr(section.filename, _dump(section.build(member)))
            for name in photo_names:
                try:
                    source = default_storage.open(name, "rb")
                except FileNotFoundError:
                    continue
                with source, archive.open(name, "w") as target:
                    shutil.copyfileobj(source, target, 64 * 1024)
            archive.writestr("README.txt", _readme(found, photo_names, member))
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool
