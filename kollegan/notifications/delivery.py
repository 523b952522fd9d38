"""The worker's side: fan an activity out to its recipients, put each
recipient's waiting notifications into one e-mail, send the e-mails.

Every step can run twice, or in two workers at once, without telling anyone
twice: notifications are unique per (activity, recipient); an e-mail is claimed
by one worker with a lease before it is sent and marked sent right after. A
worker that dies mid-batch leaves its claimed e-mails SENDING until the lease
runs out; then they are queued again (only the one in flight can arrive twice).
"""

import contextlib
import datetime as dt
import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from kollegan.accounts.models import Member
from kollegan.core.selectors import site_config
from kollegan.groups.models import GroupMembership
from kollegan.notifications import targets
from kollegan.notifications.models import (
    FREQUENCY_RANK,
    Activity,
    Email,
    EmailKind,
    EmailState,
    EmailStatus,
    Following,
    Frequency,
    Kind,
    Notification,
    NotificationSettings,
    Reason,
    Target,
    TopicSubscription,
    Verb,
)
from kollegan.notifications.services import new_settings, next_digest_times, unread_recount

log = logging.getLogger(__name__)

CHUNK = 1000
SEND_BATCH = 200
LEASE = dt.timedelta(minutes=5)

TOPIC_KIND = {
    Verb.NEW_QUESTION: Kind.QUESTION,
    Verb.NEW_ANSWER: Kind.ANSWER,
    Verb.NEW_COMMENT: Kind.ANSWER,
    Verb.NEW_POST: Kind.POST,
    Verb.NEW_EVENT: Kind.EVENT,
    Verb.NEW_NOTE: Kind.NOTE,
    Verb.NEW_DOCUMENT: Kind.NOTE,
}
# Changes to a document reach its owner and followers, not every subscriber of its topics.
DOCUMENT_CHANGES = {Verb.NEW_VERSION, Verb.NEW_DOCUMENT_COMMENT}


@dataclass
class Choice:
    reason: str
    frequency: str
    subscription: str


class Recipients:
    """member id -> the strongest reason to tell them (personal reasons first)."""

    def __init__(self) -> None:
        self.chosen: dict[int, Choice] = {}

    def offer(self, member_id: int, reason: str, frequency: str, subscription: str) -> None:
        if frequency not in FREQUENCY_RANK:
            return
        current = self.chosen.get(member_id)
        if current is None or FREQUENCY_RANK[frequency] < FREQUENCY_RANK[current.frequency]:
            self.chosen[member_id] = Choice(reason, frequency, subscription)


# --- Fan-out ---------------------------------------------------------------------------------


def _text_of(activity: Activity) -> str:
    """The Markdown whose @-mentions are told (empty for changes and cancellations)."""
    from kollegan.documents.models import Document, DocumentComment
    from kollegan.events.models import Event
    from kollegan.feed.models import Post, Reply
    from kollegan.notes.models import Note
    from kollegan.questions.models import Answer, Comment, Question

    model, pk, field = {
        Verb.NEW_QUESTION: (Question, activity.target_id, "body"),
        Verb.NEW_ANSWER: (Answer, activity.item_id, "body"),
        Verb.NEW_COMMENT: (Comment, activity.item_id, "body"),
        Verb.NEW_POST: (Post, activity.target_id, "body"),
        Verb.NEW_REPLY: (Reply, activity.item_id, "body"),
        Verb.NEW_EVENT: (Event, activity.target_id, "description"),
        Verb.NEW_NOTE: (Note, activity.target_id, "body"),
        Verb.NEW_DOCUMENT: (Document, activity.target_id, "body"),
        Verb.NEW_DOCUMENT_COMMENT: (DocumentComment, activity.item_id, "body"),
    }.get(activity.verb, (None, None, None))
    if model is None or pk is None:
        return ""
    return model.objects.filter(pk=pk).values_list(field, flat=True).first() or ""


QUESTION_ITEMS = {
    Verb.NEW_QUESTION: "Question",
    Verb.NEW_ANSWER: "Answer",
    Verb.NEW_COMMENT: "Comment",
}


def _writer_id(activity: Activity) -> int | None:
    """Who wrote it, also when anonymous (read through the separated link, used
    only to leave them out)."""
    if activity.actor_id is not None or activity.verb not in QUESTION_ITEMS:
        return activity.actor_id
    from kollegan.questions import models
    from kollegan.questions.services import writer_of

    model = getattr(models, QUESTION_ITEMS[activity.verb])
    pk = activity.target_id if activity.verb == Verb.NEW_QUESTION else activity.item_id
    item = model.objects.filter(pk=pk).first()
    writer = writer_of(item) if item is not None else None
    return writer.pk if writer is not None else None


def _owner_id(activity: Activity) -> int | None:
    """The asker of the question or the writer of the post a new text answers."""
    from kollegan.feed.models import Post
    from kollegan.questions.models import Question
    from kollegan.questions.services import writer_of

    if activity.verb in (Verb.NEW_ANSWER, Verb.NEW_COMMENT):
        question = Question.objects.select_related("author").filter(pk=activity.target_id).first()
        asker = writer_of(question) if question is not None else None
        return asker.pk if asker is not None else None
    if activity.verb == Verb.NEW_REPLY:
        return (
            Post.objects.filter(pk=activity.target_id).values_list("author_id", flat=True).first()
        )
    if activity.verb in DOCUMENT_CHANGES:
        from kollegan.documents.models import Document

        owners = Document.objects.filter(pk=activity.target_id).values_list("owner_id", flat=True)
        return owners.first()
    return None


def _followers(activity: Activity) -> set[int]:
    from kollegan.events.models import Attendance
    from kollegan.questions.models import Follow

    if activity.verb in (Verb.NEW_ANSWER, Verb.NEW_COMMENT):
        return set(
            Follow.objects.filter(question_id=activity.target_id).values_list(
                "member_id", flat=True
            )
        )
    ids: set[int] = set()
    if activity.verb == Verb.NEW_REPLY:
        ids |= set(
            Following.objects.filter(
                target_type=Target.POST, target_id=activity.target_id
            ).values_list("member_id", flat=True)
        )
    if activity.verb in DOCUMENT_CHANGES:
        ids |= set(
            Following.objects.filter(
                target_type=Target.DOCUMENT, target_id=activity.target_id
            ).values_list("member_id", flat=True)
        )
    if activity.verb in (Verb.EVENT_CHANGED, Verb.EVENT_CANCELLED):
        ids |= set(
            Following.objects.filter(
                target_type=Target.EVENT, target_id=activity.target_id
            ).values_list("member_id", flat=True)
        )
        # Whoever said "Jag kommer" to a date still ahead wants to know.
        ids |= set(
            Attendance.objects.filter(
                occurrence__event_id=activity.target_id, occurrence__end__gte=timezone.now()
            ).values_list("member_id", flat=True)
        )
    return ids


def _catch_up(activity: Activity) -> set[int]:
    """Notes for a date: the members who signed up for that date."""
    from kollegan.events.models import Attendance
    from kollegan.notes.models import Note

    if activity.verb != Verb.NEW_NOTE:
        return set()
    occurrence_id = (
        Note.objects.filter(pk=activity.target_id).values_list("occurrence_id", flat=True).first()
    )
    if occurrence_id is None:
        return set()
    return set(
        Attendance.objects.filter(occurrence_id=occurrence_id).values_list("member_id", flat=True)
    )


def _chat_recipients(activity: Activity) -> dict[int, Choice]:
    """A chat message: the conversation's other members who have not read it,
    have no chat open right now, and have no unread notice about the
    conversation already (one notice per conversation until it is read)."""
    from kollegan.chat.models import Connection, Participant

    found = Recipients()
    member_ids = set(
        Participant.objects.filter(
            conversation_id=activity.target_id, last_read_id__lt=activity.item_id or 0
        ).values_list("member_id", flat=True)
    )
    if not member_ids:
        return {}
    seen = timezone.now() - dt.timedelta(seconds=settings.CHAT_ONLINE_SECONDS)
    member_ids -= set(
        Connection.objects.filter(member_id__in=member_ids, seen_at__gte=seen).values_list(
            "member_id", flat=True
        )
    )
    member_ids -= set(
        Notification.objects.filter(
            recipient_id__in=member_ids,
            read_at__isnull=True,
            activity__target_type=Target.CONVERSATION,
            activity__target_id=activity.target_id,
        ).values_list("recipient_id", flat=True)
    )
    chosen = {
        row.member_id: row for row in NotificationSettings.objects.filter(member_id__in=member_ids)
    }
    for member_id in member_ids:
        row = chosen.get(member_id) or NotificationSettings()
        found.offer(member_id, Reason.CHAT, row.chat, "chat")
    return found.chosen


def recipients_of(activity: Activity) -> dict[int, Choice]:
    from kollegan.lib.mentions import mentioned_members

    if activity.verb == Verb.NEW_MESSAGE:
        return _chat_recipients(activity)
    found = Recipients()
    # Personal reasons first, with each member's own frequency for them.
    personal: dict[int, tuple[str, str]] = {}
    if text := _text_of(activity):
        for member_id, _name in mentioned_members(text).values():
            personal.setdefault(member_id, (Reason.MENTION, "mentions"))
    if (owner := _owner_id(activity)) is not None:
        personal.setdefault(owner, (Reason.OWN, "own"))
    for member_id in _catch_up(activity):
        personal.setdefault(member_id, (Reason.CATCH_UP, "following"))
    for member_id in _followers(activity):
        personal.setdefault(member_id, (Reason.FOLLOW, "following"))
    if personal:
        chosen = {
            row.member_id: row
            for row in NotificationSettings.objects.filter(member_id__in=list(personal))
        }
        for member_id, (reason, field) in personal.items():
            row = chosen.get(member_id) or NotificationSettings()
            found.offer(member_id, reason, getattr(row, field), field)
    kind = TOPIC_KIND.get(activity.verb)
    if kind:
        # "Every topic" means every one of that kind, also those without a topic
        # (posts, events and notes may have none).
        rows = (
            TopicSubscription.objects.filter(kind=kind)
            .filter(Q(topic_id__in=activity.topic_ids) | Q(topic__isnull=True))
            .values_list("member_id", "topic_id", "frequency")
        )
        for member_id, topic_id, frequency in rows.iterator(chunk_size=5000):
            found.offer(member_id, Reason.TOPIC, frequency, f"topic:{topic_id or 'all'}:{kind}")
    if activity.verb == Verb.NEW_QUESTION and activity.topic_ids:
        rows = (
            Member.topics.through.objects.filter(topic_id__in=activity.topic_ids)
            .values_list("member_id", "member__notification_settings__my_topics")
            .distinct()
        )
        for member_id, frequency in rows.iterator(chunk_size=5000):
            found.offer(member_id, Reason.MY_TOPICS, frequency or Frequency.DAILY, "my_topics")
    return found.chosen


def _inactive_ids() -> set[int]:
    """Members whose access has ended (few)."""
    return set(Member.objects.ended().values_list("pk", flat=True))


def activity_fan_out(activity_id: int) -> int:
    """Write the activity's notifications; returns how many are new. Safe to repeat."""
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None or activity.fanned_out_at is not None:
        return 0
    if activity.verb == Verb.NEW_MESSAGE:
        from kollegan.chat.services import header_recount

        header_recount(activity.target_id)
    thread = targets.threads({(activity.target_type, activity.target_id)}).get(
        (activity.target_type, activity.target_id)
    )
    hidden = targets.hidden_items([activity])
    chosen: dict[int, Choice] = {}
    if thread is not None and not thread.hidden and (activity.verb, activity.item_id) not in hidden:
        chosen = recipients_of(activity)
    writer = _writer_id(activity)
    for member_id in {writer} | _inactive_ids():
        chosen.pop(member_id, None)
    if thread is not None and thread.group_id is not None:
        members = set(
            GroupMembership.objects.filter(group_id=thread.group_id).values_list(
                "member_id", flat=True
            )
        )
        chosen = {pk: choice for pk, choice in chosen.items() if pk in members}
    paused = set(
        NotificationSettings.objects.filter(paused=True).values_list("member_id", flat=True)
    )
    now = timezone.now()
    due = now + dt.timedelta(seconds=settings.NOTIFICATION_BATCH_SECONDS)
    # Counted, not taken from bulk_create: with ignore_conflicts it returns every
    # row offered, also those a previous run had already written.
    before = Notification.objects.filter(activity=activity).count() if chosen else 0
    ids = sorted(chosen)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = []
        digest_members = []
        for member_id in chunk:
            choice = chosen[member_id]
            if member_id in paused:
                state, due_at = EmailState.NONE, None
            elif choice.frequency == Frequency.IMMEDIATE:
                state, due_at = EmailState.PENDING, due
            else:
                state, due_at = EmailState.DIGEST, None
                digest_members.append(member_id)
            rows.append(
                Notification(
                    recipient_id=member_id,
                    activity=activity,
                    reason=choice.reason,
                    subscription=choice.subscription,
                    frequency=choice.frequency,
                    created_at=activity.created_at,
                    email_state=state,
                    due_at=due_at,
                )
            )
        with transaction.atomic():
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
            if digest_members:
                # A digest needs a time to be sent at: members who never saved
                # settings get the defaults' times.
                NotificationSettings.objects.bulk_create(
                    [new_settings(pk, now) for pk in digest_members], ignore_conflicts=True
                )
            unread_recount(chunk)
    Activity.objects.filter(pk=activity.pk).update(fanned_out_at=now)
    if not chosen:
        return 0
    return Notification.objects.filter(activity=activity).count() - before


def fan_out_stragglers(older_than: dt.timedelta = dt.timedelta(minutes=1)) -> int:
    """Activities whose task never ran (lost, or the worker was down)."""
    ids = Activity.objects.filter(
        fanned_out_at__isnull=True, created_at__lte=timezone.now() - older_than
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(ids[:500]):
        activity_fan_out(pk)
        done += 1
    return done


# --- Composing e-mails -----------------------------------------------------------------------


def _compose(recipient_ids: list[int], kind: str, waiting: Q, now: dt.datetime) -> int:
    """One e-mail per recipient for their waiting notifications; returns how many."""
    if not recipient_ids:
        return 0
    batch = uuid.uuid4().hex
    with transaction.atomic():
        # Due at the moment it was composed for, so the same round sends it.
        Email.objects.bulk_create(
            [
                Email(recipient_id=pk, kind=kind, batch=batch, next_attempt_at=now)
                for pk in recipient_ids
            ]
        )
        email_of = Email.objects.filter(batch=batch, recipient_id=OuterRef("recipient_id"))
        Notification.objects.filter(waiting, recipient_id__in=recipient_ids).update(
            email_state=EmailState.BATCHED, email_id=Subquery(email_of.values("pk")[:1])
        )
        # Another worker may have taken a recipient's notifications first.
        Email.objects.filter(batch=batch, notifications__isnull=True).delete()
        return Email.objects.filter(batch=batch).count()


def compose_immediate(now: dt.datetime | None = None) -> int:
    """Recipients whose oldest waiting notification is due get one e-mail for all
    that waits for them (several within the batching minutes become one)."""
    now = now or timezone.now()
    composed = 0
    while True:
        ids = list(
            Notification.objects.filter(email_state=EmailState.PENDING, due_at__lte=now)
            .order_by()
            .values_list("recipient_id", flat=True)
            .distinct()[:CHUNK]
        )
        if not ids:
            return composed
        composed += _compose(ids, EmailKind.IMMEDIATE, Q(email_state=EmailState.PENDING), now)


def compose_digests(now: dt.datetime | None = None) -> int:
    """Daily and weekly digests for members whose time has come; nothing is sent
    to a member with nothing waiting, and their next time moves on all the same."""
    now = now or timezone.now()
    composed = 0
    for kind, field in ((EmailKind.DAILY, "next_daily_at"), (EmailKind.WEEKLY, "next_weekly_at")):
        while True:
            due = list(
                NotificationSettings.objects.filter(**{f"{field}__lte": now})
                .order_by(field)
                .values_list("member_id", "digest_hour", "digest_weekday")[:CHUNK]
            )
            if not due:
                break
            ids = [member_id for member_id, _hour, _day in due]
            waiting = Q(email_state=EmailState.DIGEST, frequency=kind)
            having = list(
                Notification.objects.filter(waiting, recipient_id__in=ids)
                .order_by()
                .values_list("recipient_id", flat=True)
                .distinct()
            )
            composed += _compose(having, kind, waiting, now)
            times: dict[tuple[int, int], list[int]] = defaultdict(list)
            for member_id, hour, day in due:
                times[hour, day].append(member_id)
            for (hour, day), members in times.items():
                daily, weekly = next_digest_times(hour, day, now)
                NotificationSettings.objects.filter(member_id__in=members).update(
                    **{field: daily if kind == EmailKind.DAILY else weekly}
                )
    return composed


# --- Sending ---------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes, at most an hour."""
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def recover_leases(now: dt.datetime | None = None) -> int:
    """E-mails a dead worker had claimed go back in the queue; returns how many."""
    now = now or timezone.now()
    expired = Email.objects.filter(status=EmailStatus.SENDING, lease_until__lt=now)
    # One the worker died on at every try never got as far as failing: it too
    # ends in the dead-letter list instead of being tried for ever.
    expired.filter(attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS).update(
        status=EmailStatus.DEAD,
        lease_until=None,
        last_error="The worker stopped while sending it, at every attempt.",
    )
    return expired.update(status=EmailStatus.QUEUED, next_attempt_at=now, lease_until=None)


def _claim(now: dt.datetime, limit: int) -> list[int]:
    with transaction.atomic():
        rows = Email.objects.filter(status=EmailStatus.QUEUED, next_attempt_at__lte=now)
        if db_connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        if ids:
            Email.objects.filter(pk__in=ids, status=EmailStatus.QUEUED).update(
                status=EmailStatus.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
            )
    return ids


def _failed(emails: list[Email], error: BaseException, *, permanent: bool = False) -> None:
    now = timezone.now()
    text = f"{type(error).__name__}: {error}"[:2000]
    for email in emails:
        attempts = email.attempts
        if permanent or attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            changes = {"status": EmailStatus.DEAD}
            log.warning("E-mail %s failed for good after %s attempts: %s", email.pk, attempts, text)
        else:
            changes = {"status": EmailStatus.QUEUED, "next_attempt_at": now + backoff(attempts)}
        Email.objects.filter(pk=email.pk, status=EmailStatus.SENDING).update(
            last_error=text, lease_until=None, **changes
        )


def _permanent(error: BaseException) -> bool:
    """A refusal the server means for good (5xx), as opposed to trouble reaching it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _send(connection: BaseEmailBackend, message: EmailMessage) -> None:
    """Over the batch's one connection. Django's backend connects and says QUIT
    around every message unless the connection is opened first; a connection the
    server has since ended (some take only so many messages per connection) is
    opened once more for this message."""
    reused = getattr(connection, "connection", None) is not None
    try:
        connection.open()
        connection.send_messages([message])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
        raise
    except (smtplib.SMTPException, OSError):
        if not reused:
            raise
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
        connection.open()
        connection.send_messages([message])


def send_claimed(ids: list[int]) -> dict[str, int]:
    from kollegan.notifications.emails import build_message

    counts = {"sent": 0, "skipped": 0, "failed": 0}
    emails = list(
        Email.objects.filter(pk__in=ids, status=EmailStatus.SENDING)
        .select_related("recipient")
        .order_by("pk")
    )
    if not emails:
        return counts
    notes: dict[int, list[Notification]] = defaultdict(list)
    rows = (
        Notification.objects.filter(email_id__in=[email.pk for email in emails])
        .select_related("activity", "activity__actor")
        .order_by("-activity__created_at", "-pk")
    )
    for note in rows:
        notes[note.email_id].append(note)
    activities = [note.activity for group in notes.values() for note in group]
    found = targets.threads({(a.target_type, a.target_id) for a in activities})
    hidden = targets.hidden_items(activities)
    group_ids: dict[int, set[int]] = defaultdict(set)
    if any(thread.group_id for thread in found.values()):
        for member_id, group_id in GroupMembership.objects.filter(
            member_id__in=[email.recipient_id for email in emails]
        ).values_list("member_id", "group_id"):
            group_ids[member_id].add(group_id)
    conversation_ids: dict[int, set[int]] = defaultdict(set)
    if any(thread.conversation_id for thread in found.values()):
        from kollegan.chat.models import Participant

        for member_id, conversation_id in Participant.objects.filter(
            member_id__in=[email.recipient_id for email in emails],
            conversation_id__in=[t.conversation_id for t in found.values() if t.conversation_id],
        ).values_list("member_id", "conversation_id"):
            conversation_ids[member_id].add(conversation_id)
    connection = get_connection()
    labels: dict[tuple[str, str], str] = {}
    site_name = site_config().site_name
    pending = list(emails)
    try:
        while pending:
            email = pending.pop(0)
            recipient = email.recipient
            items = []
            if recipient.is_active:
                for note in notes.get(email.pk, []):
                    thread = targets.visible(
                        note.activity,
                        found,
                        hidden,
                        group_ids[recipient.pk],
                        conversation_ids[recipient.pk],
                    )
                    if thread is not None:
                        items.append((note, thread))
            if not items:
                Email.objects.filter(pk=email.pk).update(
                    status=EmailStatus.SKIPPED, lease_until=None
                )
                counts["skipped"] += 1
                continue
            try:
                message = build_message(email, recipient, items, labels=labels, site_name=site_name)
            except Exception as error:
                # One e-mail that cannot be written must not hold up the rest of
                # the batch; it is tried again and may end as dead.
                log.exception("E-mail %s could not be written", email.pk)
                _failed([email], error)
                counts["failed"] += 1
                continue
            try:
                _send(connection, message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                # This message was refused; the connection is still good.
                _failed([email], error, permanent=_permanent(error))
                counts["failed"] += 1
                continue
            except (smtplib.SMTPException, OSError) as error:
                # The server is away: this one and the rest wait for the next try.
                _failed([email, *pending], error)
                counts["failed"] += 1 + len(pending)
                pending = []
                break
            except Exception as error:
                # Something about this message (an address the backend cannot
                # encode, …): it alone waits for the next try.
                log.exception("E-mail %s could not be sent", email.pk)
                _failed([email], error)
                counts["failed"] += 1
                continue
            Email.objects.filter(pk=email.pk).update(
                status=EmailStatus.SENT,
                sent_at=timezone.now(),
                lease_until=None,
                subject=message.subject[:300],
                message_id=message.extra_headers.get("Message-ID", "")[:200],
                last_error="",
            )
            counts["sent"] += 1
    finally:
        # Closing a broken connection must not hide why it broke.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return counts


def send_due(now: dt.datetime | None = None) -> dict[str, int]:
    """Send what is queued and due, in batches over one SMTP connection each."""
    totals = {"sent": 0, "skipped": 0, "failed": 0}
    while ids := _claim(now or timezone.now(), SEND_BATCH):
        for key, value in send_claimed(ids).items():
            totals[key] += value
    return totals


def next_wakeup() -> dt.datetime | None:
    """When there is next something to compose or to retry."""
    times = [
        Email.objects.filter(status=EmailStatus.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first(),
        Notification.objects.filter(email_state=EmailState.PENDING)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first(),
    ]
    times = [moment for moment in times if moment is not None]
    return min(times) if times else None


def deliver_now(now: dt.datetime | None = None) -> dict[str, int]:
    """One round: recover dead workers' claims, compose, send."""
    recovered = recover_leases(now)
    composed = compose_immediate(now)
    counts = send_due(now)
    return {"recovered": recovered, "composed": composed, **counts}
