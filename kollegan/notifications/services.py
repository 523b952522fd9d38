"""Writes: recording what happened, members' subscriptions, marking read.

``announce`` is called by every service that publishes something, inside its
transaction: the Activity row commits or rolls back with the content, and the
fan-out task is enqueued only after the commit (the periodic job picks up any
activity whose task was lost)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.events.recurrence import STOCKHOLM
from kollegan.lib.validation import field_error
from kollegan.notifications.models import (
    Activity,
    Email,
    EmailState,
    EmailStatus,
    Frequency,
    Kind,
    Notification,
    NotificationSettings,
    Target,
    TopicSubscription,
    Verb,
)
from kollegan.topics.models import Topic

# --- Recording -------------------------------------------------------------------------------


def announce(
    *,
    verb: Verb,
    target_type: Target,
    target_id: int,
    item_id: int | None = None,
    actor: Member | None = None,
    topics: Iterable[Topic | int] = (),
) -> Activity:
    """Record an activity in the caller's transaction and fan it out after commit.
    ``actor`` is None for anonymous texts."""
    from kollegan.notifications.tasks import fan_out

    activity = Activity.objects.create(
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        item_id=item_id,
        actor=actor,
        topic_ids=sorted({getattr(topic, "pk", topic) for topic in topics}),
    )
    transaction.on_commit(lambda: fan_out.enqueue(activity_id=activity.pk))
    return activity


# --- Settings and subscriptions ----------------------------------------------------------------


def next_digest_times(
    hour: int, weekday: int, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The next daily and weekly digest moments after ``now``, at ``hour`` Swedish time."""
    local = (now or timezone.now()).astimezone(STOCKHOLM)

    def at(days_ahead: int) -> dt.datetime:
        day = local.date() + dt.timedelta(days=days_ahead)
        return dt.datetime.combine(day, dt.time(hour), tzinfo=STOCKHOLM)

    daily = at(0) if at(0) > local else at(1)
    days = (weekday - local.weekday()) % 7
    weekly = at(days) if at(days) > local else at(days + 7)
    return daily.astimezone(dt.UTC), weekly.astimezone(dt.UTC)


def new_settings(member_id: int, now: dt.datetime | None = None) -> NotificationSettings:
    row = NotificationSettings(member_id=member_id)
    row.next_daily_at, row.next_weekly_at = next_digest_times(
        row.digest_hour, row.digest_weekday, now
    )
    return row


def settings_for(member: Member) -> NotificationSettings:
    """The member's settings; the defaults (unsaved) when they never changed them."""
    row = NotificationSettings.objects.filter(member=member).first()
    return row or new_settings(member.pk)


PERSONAL_FIELDS = ("mentions", "own", "following", "my_topics", "chat")


@transaction.atomic
def settings_save(
    *,
    member: Member,
    paused: bool | None = None,
    digest_hour: int | None = None,
    digest_weekday: int | None = None,
    **personal: str,
) -> NotificationSettings:
    row = NotificationSettings.objects.select_for_update().filter(member=member).first()
    row = row or new_settings(member.pk)
    if paused is not None:
        row.paused = paused
    if digest_hour is not None:
        if not 0 <= digest_hour <= 23:
            raise field_error("digest_hour", _("Choose an hour between 0 and 23."), "hour")
        row.digest_hour = digest_hour
    if digest_weekday is not None:
        if not 0 <= digest_weekday <= 6:
            raise field_error("digest_weekday", _("Choose a day of the week."), "weekday")
        row.digest_weekday = digest_weekday
    for name, value in personal.items():
        if name not in PERSONAL_FIELDS:
            raise ValidationError(_("Unknown setting."), code="setting")
        if value not in Frequency.values:
            raise field_error(name, _("Choose how often."), "frequency")
        setattr(row, name, value)
    row.next_daily_at, row.next_weekly_at = next_digest_times(row.digest_hour, row.digest_weekday)
    row.save()
    return row


def subscriptions_of(member: Member) -> dict[tuple[int | None, str], str]:
    """(topic id or None for every topic, kind) -> frequency."""
    rows = TopicSubscription.objects.filter(member=member).values_list(
        "topic_id", "kind", "frequency"
    )
    return {(topic_id, kind): frequency for topic_id, kind, frequency in rows}


@transaction.atomic
def subscriptions_set(
    *, member: Member, choices: dict[tuple[int | None, str], str]
) -> dict[tuple[int | None, str], str]:
    """Replace the given (topic, kind) choices; "never" removes the subscription.
    Unknown topics, kinds or frequencies are refused and nothing changes."""
    topic_ids = {topic_id for topic_id, _kind in choices if topic_id is not None}
    known = set(Topic.objects.filter(pk__in=topic_ids).values_list("pk", flat=True))
    for (topic_id, kind), frequency in choices.items():
        if topic_id is not None and topic_id not in known:
            raise field_error("topics", _("There is no such topic."), "topic")
        if kind not in Kind.values:
            raise field_error("topics", _("Unknown kind of content."), "kind")
        if frequency not in Frequency.values:
            raise field_error("topics", _("Choose how often."), "frequency")
    for (topic_id, kind), frequency in choices.items():
        existing = TopicSubscription.objects.filter(member=member, topic_id=topic_id, kind=kind)
        if frequency == Frequency.NEVER:
            existing.delete()
        elif not existing.update(frequency=frequency):
            TopicSubscription.objects.create(
                member=member, topic_id=topic_id, kind=kind, frequency=frequency
            )
    if not NotificationSettings.objects.filter(member=member).exists():
        new_settings(member.pk).save()
    return subscriptions_of(member)


def follow_set(*, member: Member, target_type: Target, target_id: int, follow: bool) -> bool:
    """Follow (or stop following) a post or an event. Idempotent."""
    from kollegan.notifications.models import Following

    if follow:
        Following.objects.get_or_create(member=member, target_type=target_type, target_id=target_id)
    else:
        Following.objects.filter(
            member=member, target_type=target_type, target_id=target_id
        ).delete()
    return follow


# --- One-click unsubscribe (RFC 8058) ----------------------------------------------------------
#
# A link per subscription, signed with the server's secret: "topic:3:question",
# "topic:all:answer", "mentions", "own", "following", "my_topics", "daily",
# "weekly", "all" (pause every e-mail).


def unsubscribe_token(member_id: int, what: str) -> str:
    return salted_hmac(
        "kollegan.notifications.unsubscribe", f"{member_id}:{what}", algorithm="sha256"
    ).hexdigest()[:32]


def unsubscribe_valid(member_id: int, what: str, token: str) -> bool:
    return constant_time_compare(unsubscribe_token(member_id, what), token)


def describe_subscription(what: str) -> str:
    """In words, for the confirmation page and the e-mail's footer."""
    parts = what.split(":")
    if parts[0] == "topic" and len(parts) == 3:
        kind = dict(Kind.choices).get(parts[2], "")
        if parts[1] == "all":
            return _("%(kind)s in every topic") % {"kind": kind}
        topic = Topic.objects.filter(pk=parts[1]).values_list("name", flat=True).first() or "?"
        return _("%(kind)s in %(topic)s") % {"kind": kind, "topic": topic}
    return {
        "mentions": _("Mentions of you"),
        "own": _("Answers to your questions, replies to your posts and changes to your documents"),
        "following": _("What you follow"),
        "my_topics": _("New questions in the topics on your profile"),
        "chat": _("Chat messages while you are not in the chat"),
        "daily": _("The daily digest"),
        "weekly": _("The weekly digest"),
        "all": _("All e-mail from the platform"),
    }.get(what, "")


def subscription_valid(what: str) -> bool:
    """Whether ``what`` names a subscription an unsubscribe link can stop."""
    parts = what.split(":")
    if parts[0] == "topic":
        return (
            len(parts) == 3
            and (parts[1] == "all" or parts[1].isdigit())
            and parts[2] in Kind.values
        )
    return what in {*PERSONAL_FIELDS, "daily", "weekly", "all"}


@transaction.atomic
def unsubscribe(*, member: Member, what: str) -> None:
    """Stop the e-mail that ``what`` names. Idempotent: a second click changes nothing."""
    if not subscription_valid(what):
        raise ValidationError(_("This unsubscribe link is not valid."), code="what")
    parts = what.split(":")
    if parts[0] == "topic":
        topic_id = None if parts[1] == "all" else int(parts[1])
        subscriptions_set(member=member, choices={(topic_id, parts[2]): Frequency.NEVER})
    elif what in PERSONAL_FIELDS:
        settings_save(member=member, **{what: Frequency.NEVER})
    elif what in ("daily", "weekly"):
        TopicSubscription.objects.filter(member=member, frequency=what).delete()
        row = settings_for(member)
        changes = {name: Frequency.NEVER for name in PERSONAL_FIELDS if getattr(row, name) == what}
        settings_save(member=member, **changes)
    else:
        settings_save(member=member, paused=True)


# --- Reading ---------------------------------------------------------------------------------


def unread_recount(member_ids: Iterable[int]) -> None:
    """Set each member's bell number from their unread rows (idempotent)."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Member.objects.filter(pk__in=list(member_ids)).update(
        unread_notifications=Coalesce(Subquery(unread), Value(0))
    )


@transaction.atomic
def notifications_read(*, member: Member, ids: Iterable[int] | None = None) -> int:
    """Mark the member's notifications read: the given ones, or all. Ids that are
    not the member's are ignored. Returns how many changed."""
    rows = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    changed = rows.update(read_at=timezone.now())
    if changed:
        unread_recount([member.pk])
        member.refresh_from_db(fields=["unread_notifications"])
    return changed


@transaction.atomic
def mark_target_read(*, member: Member, target_type: str, target_id: int) -> int:
    """The member has seen the thread itself (a chat read to its end): its
    notifications are read, and one still waiting for its e-mail is not sent."""
    rows = Notification.objects.filter(
        recipient=member,
        read_at__isnull=True,
        activity__target_type=target_type,
        activity__target_id=target_id,
    )
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids, email_state=EmailState.PENDING).update(
        email_state=EmailState.NONE, due_at=None
    )
    changed = Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())
    unread_recount([member.pk])
    return changed


# --- Administrators --------------------------------------------------------------------------


def emails_retry(*, ids: Iterable[int]) -> int:
    """Send failed e-mails again, from a fresh count of attempts."""
    from kollegan.notifications.tasks import deliver

    changed = Email.objects.filter(pk__in=list(ids), status=EmailStatus.DEAD).update(
        status=EmailStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if changed:
        transaction.on_commit(lambda: deliver.enqueue())
    return changed
