"""Frågor: questions, answers and comments, and what members do with them.

Anonymity is kept by *separation*: an anonymous question, answer or comment
has no author and no organisation on its own row. The one link from it to the
member who wrote it lives in ``AnonymousAuthorship``, a table nothing displays:
it is read only to answer "is this mine?" for the writer themselves (to edit,
to show "your question") and to send the asker word of answers. It is not in
the admin, not in the API, not in anybody else's data export, and it is deleted
when the member leaves. See the README's privacy section."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollegan.core.models import MemberText
from kollegan.topics.models import Topic

TITLE_MAX = 200
BODY_MAX = 20_000
COMMENT_MAX = 5_000
EXCERPT_LENGTH = 220


class Contribution(MemberText):
    """What questions, answers and comments share beyond the text: who wrote it,
    unless anonymous."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
        help_text=_("Empty when written anonymously."),
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    # Written by the one who asked the question (shown as "the asker"; in an
    # anonymous thread that is all anybody else learns).
    by_asker = models.BooleanField(_("by the asker"), default=False)

    class Meta:
        abstract = True


class Question(Contribution):
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    excerpt = models.CharField(_("excerpt"), max_length=EXCERPT_LENGTH + 1, blank=True)
    topics = models.ManyToManyField(Topic, related_name="questions", verbose_name=_("topics"))
    # The asker's organisation when asked by name (for "questions from Lycksele");
    # empty for anonymous questions, like the author.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("organisation"),
    )
    last_activity_at = models.DateTimeField(_("latest activity"), default=timezone.now)
    # Visible answers, kept by the services so lists need no COUNT per row.
    answer_count = models.PositiveIntegerField(_("answers"), default=0)
    solved = models.BooleanField(_("solved"), default=False)

    class Meta:
        ordering = ["-last_activity_at", "-pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [
            models.Index(
                fields=["-last_activity_at", "-id"],
                name="question_active_idx",
                condition=Q(hidden_at__isnull=True),
            ),
            models.Index(
                fields=["-created_at", "-id"],
                name="question_newest_idx",
                condition=Q(hidden_at__isnull=True),
            ),
            models.Index(
                fields=["-created_at", "-id"],
                name="question_unanswered_idx",
                condition=Q(hidden_at__isnull=True, answer_count=0),
            ),
            models.Index(fields=["organisation", "-last_activity_at"], name="question_org_idx"),
            models.Index(fields=["author", "-created_at"], name="question_author_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("questions:detail", args=[self.pk])


class Answer(Contribution):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    is_helpful = models.BooleanField(
        _("solved my question"),
        default=False,
        help_text=_("Marked by the asker."),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "created_at"], name="answer_thread_idx")]

    def __str__(self) -> str:
        return f"{self.question.title} #{self.pk}"

    def get_absolute_url(self) -> str:
        return f"{reverse('questions:detail', args=[self.question_id])}#svar-{self.pk}"


class Comment(Contribution):
    """A comment on the question itself (``answer`` empty) or on one answer."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="comments", verbose_name=_("question")
    )
    answer = models.ForeignKey(
        Answer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("answer"),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["question", "created_at"], name="comment_thread_idx")]

    def __str__(self) -> str:
        return f"{self.question.title} – {self.pk}"

    def get_absolute_url(self) -> str:
        return f"{reverse('questions:detail', args=[self.question_id])}#kommentar-{self.pk}"


def _one_of(*fields: str) -> Q:
    """Exactly one of the nullable foreign keys is set."""
    options = Q()
    for field in fields:
        only = Q(**{f"{field}__isnull": False})
        for other in fields:
            if other != field:
                only &= Q(**{f"{other}__isnull": True})
        options |= only
    return options


class AnonymousAuthorship(models.Model):
    """The separated link from anonymous content to its writer (see the module
    docstring). Never shown, never exported to others, deleted when they leave."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.OneToOneField(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    answer = models.OneToOneField(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_one_of("question", "answer", "comment"), name="authorship_one_item"
            )
        ]

    def __str__(self) -> str:
        # Never the member: this string may end up in a log or an error page.
        return f"anonymous authorship {self.pk}"


class Revision(models.Model):
    """An earlier wording of a question, answer or comment, kept when it is edited.

    It records no editor: only the writer edits their text, so the history is
    shown under the same name (or the same "Anonymous colleague") as the text."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="revisions")
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX, blank=True)
    body = models.TextField(_("text"))
    written_at = models.DateTimeField(_("written"))
    replaced_at = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        ordering = ["written_at", "pk"]
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")

    def __str__(self) -> str:
        return f"{self.question_id}: {self.written_at:%Y-%m-%d %H:%M}"


class Follow(models.Model):
    """A member who wants word of a question's answers and comments."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "question"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.question_id}"


class Report(models.Model):
    """A member's report of a question, answer or comment to the moderators."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        HIDDEN = "hidden", _("Hidden by a moderator")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reported by"),
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reason = models.TextField(_("reason"), max_length=1000)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.question_id}"

    @property
    def item(self) -> Contribution:
        return self.comment or self.answer or self.question
