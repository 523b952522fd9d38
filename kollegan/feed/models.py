"""Start: posts ("Senaste i Digitala kollegan"), their replies and likes, and the
feed that merges them with activity from the rest of the platform.

The feed is a table of its own (``FeedEntry``), written in the same transaction
as whatever it announces, so the start page reads one index newest first
instead of merging several tables per request. An entry about an anonymous
question has no actor: the feed can only say "a colleague asked"."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollegan.core.models import MemberText
from kollegan.topics.models import Topic

POST_MAX = 10_000
REPLY_MAX = 5_000
LINK_MAX = 500


class Written(MemberText):
    """A text a member wrote by name (posts and replies are never anonymous)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )

    class Meta:
        abstract = True


class Post(Written):
    """Anything a member wants to tell colleagues ("+ Skapa nytt inlägg")."""

    topics = models.ManyToManyField(
        Topic, related_name="posts", blank=True, verbose_name=_("topics")
    )
    image_key = models.CharField(_("picture"), max_length=40, blank=True, editable=False)
    link = models.URLField(_("link"), max_length=LINK_MAX, blank=True)
    pinned_at = models.DateTimeField(_("pinned"), null=True, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pinned by"),
    )
    # Kept by the services so the feed needs no COUNT per post.
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    like_count = models.PositiveIntegerField(_("likes"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(
                fields=["-pinned_at"],
                name="post_pinned_idx",
                condition=Q(pinned_at__isnull=False, hidden_at__isnull=True),
            ),
            models.Index(fields=["author", "-created_at"], name="post_author_idx"),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return reverse("feed:post", args=[self.pk])

    def image_url(self) -> str:
        return reverse("feed:image", args=[self.image_key]) if self.image_key else ""


class Reply(Written):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="replies", verbose_name=_("post")
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [models.Index(fields=["post", "created_at"], name="reply_thread_idx")]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return f"{reverse('feed:post', args=[self.post_id])}#svar-{self.pk}"


class Like(models.Model):
    """One member likes one post, once."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="like_once")]

    def __str__(self) -> str:
        return f"{self.member_id} ♥ {self.post_id}"


TARGETS = ("post", "question", "event", "note")


def _one_target() -> Q:
    """Exactly one of TARGETS is set."""
    condition = Q()
    for target in TARGETS:
        others = {f"{other}__isnull": True for other in TARGETS if other != target}
        condition |= Q(**{f"{target}__isnull": False}, **others)
    return condition


class FeedEntry(models.Model):
    """One line in the feed: who did what, when, and what it links to.

    Exactly one of the targets is set. ``actor`` is empty when the activity is
    anonymous. ``hidden`` follows the target's moderation, so the feed never
    shows what a moderator has hidden. Later sections (events, documents,
    meeting notes) add their own kind and target."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        QUESTION = "question", _("Question")
        EVENT = "event", _("Event")
        NOTE = "note", _("Meeting note")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    post = models.OneToOneField(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_entry"
    )
    question = models.OneToOneField(
        "questions.Question",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feed_entry",
    )
    # Only events and notes for everyone: a group's are never announced here.
    event = models.OneToOneField(
        "events.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feed_entry",
    )
    note = models.OneToOneField(
        "notes.Note",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feed_entry",
    )
    hidden = models.BooleanField(_("hidden"), default=False)
    topics = models.ManyToManyField(Topic, through="FeedEntryTopic", related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        indexes = [
            models.Index(
                fields=["-created_at", "-id"],
                name="feed_newest_idx",
                condition=Q(hidden=False),
            )
        ]
        constraints = [
            models.CheckConstraint(condition=_one_target(), name="feed_entry_one_target")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class FeedEntryTopic(models.Model):
    """The entry's topics, with its time and visibility copied in, so "the feed
    in one topic" reads one index newest first however large the feed grows."""

    entry = models.ForeignKey(FeedEntry, on_delete=models.CASCADE, related_name="topic_links")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    hidden = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "topic"], name="feed_topic_once")]
        indexes = [
            models.Index(
                fields=["topic", "-created_at", "-entry"],
                name="feed_topic_idx",
                condition=Q(hidden=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.topic_id}"
