"""Notifications: what happened (Activity), who is told (Notification), and the
e-mails that carry it (Email).

The outbox is transactional. A service that publishes something writes one
``Activity`` row in its own transaction, so a rollback leaves nothing to send.
A worker fans it out to one ``Notification`` per recipient (unique per activity
and recipient, so a re-run delivers nothing twice), then groups each
recipient's pending notifications into one ``Email`` and sends it with retries
and back-off. An e-mail that keeps failing ends as *dead*, where administrators
see it and can send it again. Everything is checked once more when the e-mail
is sent: the recipient's access and whether each item can still be seen."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollegan.topics.models import Topic


class Kind(models.TextChoices):
    """What a topic subscription is about."""

    QUESTION = "question", _("New questions")
    ANSWER = "answer", _("Answers and comments")
    POST = "post", _("New posts")
    EVENT = "event", _("New events")
    NOTE = "note", _("New meeting notes and documents")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    NEVER = "never", _("Never")


# Stronger first: a member reached for two reasons gets the more urgent one.
FREQUENCY_RANK = {Frequency.IMMEDIATE: 0, Frequency.DAILY: 1, Frequency.WEEKLY: 2}


class Verb(models.TextChoices):
    NEW_QUESTION = "new_question", _("New question")
    NEW_ANSWER = "new_answer", _("New answer")
    NEW_COMMENT = "new_comment", _("New comment")
    NEW_POST = "new_post", _("New post")
    NEW_REPLY = "new_reply", _("New reply")
    NEW_EVENT = "new_event", _("New event")
    EVENT_CHANGED = "event_changed", _("Event changed")
    EVENT_CANCELLED = "event_cancelled", _("Event cancelled")
    NEW_NOTE = "new_note", _("New meeting notes")
    NEW_DOCUMENT = "new_document", _("New document")
    NEW_VERSION = "new_version", _("New version of a document")
    NEW_DOCUMENT_COMMENT = "doc_comment", _("New comment on a document")
    NEW_MESSAGE = "new_message", _("New chat message")


class Target(models.TextChoices):
    """The thread an activity belongs to: what a member follows and opens."""

    QUESTION = "question", _("Question")
    POST = "post", _("Post")
    EVENT = "event", _("Event")
    NOTE = "note", _("Meeting notes")
    DOCUMENT = "document", _("Document")
    CONVERSATION = "chat", _("Chat")


class Reason(models.TextChoices):
    TOPIC = "topic", _("A topic you subscribe to")
    MY_TOPICS = "my_topics", _("A topic on your profile")
    FOLLOW = "follow", _("Something you follow")
    OWN = "own", _("Your own question or post")
    MENTION = "mention", _("You were mentioned")
    CATCH_UP = "catch_up", _("A meeting you signed up for")
    CHAT = "chat", _("A chat you are in")


class Activity(models.Model):
    """One thing that happened, written in the same transaction as the content.

    ``actor`` is empty for anonymous texts: who wrote them is only in the
    separated authorship link, never here."""

    verb = models.CharField(max_length=20, choices=Verb)
    target_type = models.CharField(max_length=10, choices=Target)
    target_id = models.PositiveBigIntegerField()
    # The answer, comment or reply inside the thread, when there is one.
    item_id = models.PositiveBigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    topic_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="activity_pending_idx",
                condition=models.Q(fanned_out_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type}:{self.target_id}"


class EmailState(models.TextChoices):
    NONE = "none", _("No e-mail")
    PENDING = "pending", _("Waiting to be sent")
    DIGEST = "digest", _("Waiting for the digest")
    BATCHED = "batched", _("In an e-mail")


class Notification(models.Model):
    """One activity for one member: a line in the bell and, depending on the
    subscription, part of an immediate e-mail or of a digest."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="notifications")
    reason = models.CharField(max_length=10, choices=Reason)
    # The subscription that brought it ("topic:3:question", "mentions", …), for
    # the one-click unsubscribe link of the e-mail that carries it.
    subscription = models.CharField(max_length=40, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=EmailState, default=EmailState.NONE)
    # Immediate e-mails wait a few minutes so that several become one.
    due_at = models.DateTimeField(null=True, blank=True)
    email = models.ForeignKey(
        "Email", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["activity", "recipient"], name="notify_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_list_idx"),
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(
                fields=["email_state", "due_at"],
                name="notification_outbox_idx",
                condition=models.Q(email_state__in=["pending", "digest"]),
            ),
            models.Index(
                fields=["recipient", "email_state"],
                name="notification_waiting_idx",
                condition=models.Q(email_state__in=["pending", "digest"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} → {self.recipient_id}"


class EmailKind(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent (nothing left to tell)")
    DEAD = "dead", _("Failed")


class Email(models.Model):
    """One e-mail to one member, carrying one or more notifications. Its text
    is written when it is sent, from what the recipient may see then."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EmailKind)
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus, default=EmailStatus.QUEUED
    )
    # Set when composed, so a batch's notifications find their e-mail in one UPDATE.
    batch = models.CharField(max_length=32, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # While SENDING: when another worker may take it over (the first one died).
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="email_queued_idx",
                condition=models.Q(status="queued"),
            ),
            models.Index(
                fields=["lease_until"],
                name="email_sending_idx",
                condition=models.Q(status="sending"),
            ),
            models.Index(fields=["status", "-created_at"], name="email_status_idx"),
            models.Index(fields=["batch"], name="email_batch_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_kind_display()} → {self.recipient_id}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class NotificationSettings(models.Model):
    """A member's choices beyond topics. A member without a row has the defaults:
    mentions, answers to their own questions and what they follow immediately;
    new questions in the topics on their profile in a daily digest."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    paused = models.BooleanField(_("pause all e-mail"), default=False)
    mentions = models.CharField(
        _("when someone mentions me"), max_length=10, choices=Frequency, default=Frequency.IMMEDIATE
    )
    own = models.CharField(
        _("answers to my questions, replies to my posts, changes to my documents"),
        max_length=10,
        choices=Frequency,
        default=Frequency.IMMEDIATE,
    )
    following = models.CharField(
        _("what I follow"), max_length=10, choices=Frequency, default=Frequency.IMMEDIATE
    )
    my_topics = models.CharField(
        _("new questions in the topics on my profile"),
        max_length=10,
        choices=Frequency,
        default=Frequency.DAILY,
    )
    chat = models.CharField(
        _("chat messages while I am not in the chat"),
        max_length=10,
        choices=Frequency,
        default=Frequency.IMMEDIATE,
    )
    digest_hour = models.PositiveSmallIntegerField(_("digest time"), default=7)
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest day"), choices=Weekday, default=Weekday.MONDAY
    )
    next_daily_at = models.DateTimeField(null=True, blank=True)
    next_weekly_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        indexes = [
            models.Index(fields=["next_daily_at"], name="settings_daily_idx"),
            models.Index(fields=["next_weekly_at"], name="settings_weekly_idx"),
        ]

    def __str__(self) -> str:
        return str(self.member_id)


class TopicSubscription(models.Model):
    """E-mail (now or in a digest) about one kind of content in one topic;
    without a topic, in every topic."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_subscriptions"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    frequency = models.CharField(max_length=10, choices=Frequency)

    class Meta:
        verbose_name = _("topic subscription")
        verbose_name_plural = _("topic subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["member", "topic", "kind"], name="subscribe_once"),
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=models.Q(topic__isnull=True),
                name="subscribe_all_once",
            ),
        ]
        indexes = [models.Index(fields=["topic", "kind"], name="subscription_topic_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.topic_id or '*'} {self.kind} {self.frequency}"


class Following(models.Model):
    """A member following one post or event (questions have their own Follow)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target_type = models.CharField(max_length=10, choices=Target)
    target_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "member"], name="following_once"
            ),
        ]
        indexes = [models.Index(fields=["member", "target_type"], name="following_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.target_type}:{self.target_id}"
