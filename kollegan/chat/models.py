"""Chatt: direct messages between two members and group chats (a course cohort,
a network of colleagues).

Who is in a conversation is one row per member (``Participant``); whoever has no
row reads nothing of it, in any page, API answer, socket or notification, and a
row deleted (left, removed) ends access at once. Messages are never copied
elsewhere: notifications and the header keep counts and ids only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX = 4_000
NAME_MAX = 120
# A group chat is for a team or a cohort, not the whole country.
GROUP_MAX_MEMBERS = 1_000


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct messages")
        GROUP = "group", _("Group chat")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    name = models.CharField(_("name"), max_length=NAME_MAX, blank=True)
    # "smaller id:larger id" for a direct conversation: one per pair of members.
    pair = models.CharField(max_length=41, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Kept by the services so that the list needs no aggregate per conversation.
    last_message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)
    member_count = models.PositiveIntegerField(default=0)
    # How many messages it has had: a member's unread count is this minus how
    # many they have read, so a message to a group of 500 writes one row here
    # instead of 500 counters.
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("chat:detail", args=[self.pk])

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP


class Participant(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Group administrator")
        MEMBER = "member", _("Member")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    # The newest message the member has seen, and its number in the conversation.
    last_read_id = models.PositiveBigIntegerField(default=0)
    read_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "member"], name="participant_once")
        ]
        indexes = [models.Index(fields=["member"], name="participant_member")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.conversation_id}"

    @property
    def unread(self) -> int:
        """Messages after the last one the member read (their own never count:
        writing one moves their mark past it). Reads the conversation's row."""
        return max(0, self.conversation.message_count - self.read_count)


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    # 1, 2, 3 … within the conversation.
    number = models.PositiveIntegerField(default=0, editable=False)
    body = models.TextField(_("text"), max_length=MESSAGE_MAX)
    body_html = models.TextField(editable=False, blank=True)
    # Lower case with accents folded: what "search in this conversation" reads.
    plain = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    # Set by an edit or a deletion: a page that reconnects asks what changed since.
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["conversation", "id"], name="message_history"),
            models.Index(
                fields=["conversation", "changed_at"],
                name="message_changed",
                condition=Q(changed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return f"{self.conversation.get_absolute_url()}?kring={self.pk}#meddelande-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Connection(models.Model):
    """An open socket, for telling who is online: a message to a member with no
    open socket becomes a notification. The chat process refreshes ``seen_at``
    while the socket lives; a row left by a crashed process goes stale."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    opened_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["member", "seen_at"], name="connection_member")]

    def __str__(self) -> str:
        return self.channel_name
