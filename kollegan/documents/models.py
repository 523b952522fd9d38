"""Dokument: key documents, such as guidelines, that members share and develop
together. Every save is a ``DocumentVersion``; the ``Document`` row carries the
current text (so lists and the page read one row) and the number of the version
it is, which is also what makes a stale edit detectable. Each organisation
records on an ``Adoption`` whether it adopted a shared guideline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollegan.core.models import MemberText
from kollegan.topics.models import Topic

TITLE_MAX = 200
BODY_MAX = 200_000
CHANGE_NOTE_MAX = 200
COMMENT_MAX = 5_000
DECIDED_BY_MAX = 200


class DocumentKind(models.TextChoices):
    GUIDELINE = "guideline", _("Guideline")
    ROUTINE = "routine", _("Routine")
    TEMPLATE = "template", _("Template or form")
    KNOWLEDGE = "knowledge", _("Knowledge base")
    OTHER = "other", _("Other")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("Out for comments")
    ADOPTED = "adopted", _("Adopted")
    ARCHIVED = "archived", _("Archived")


class Document(MemberText):
    """``body``/``body_html`` (from MemberText) are the current version's text."""

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    kind = models.CharField(
        _("type"), max_length=20, choices=DocumentKind, default=DocumentKind.GUIDELINE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus, default=DocumentStatus.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    topics = models.ManyToManyField(
        Topic, related_name="documents", blank=True, verbose_name=_("topics")
    )
    # The current version's number; a save based on another number is refused.
    version_number = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    # Visible comments, kept by the services so lists need no COUNT per row.
    comment_count = models.PositiveIntegerField(_("comments"), default=0)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(
                fields=["-updated_at", "-id"],
                name="document_changed_idx",
                condition=Q(hidden_at__isnull=True),
            ),
            models.Index(fields=["kind", "-updated_at"], name="document_kind_idx"),
            models.Index(fields=["status", "-updated_at"], name="document_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])


class DocumentVersion(models.Model):
    """One save: the whole text as it was then, who saved it and why."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    change_note = models.CharField(_("what changed"), max_length=CHANGE_NOTE_MAX, blank=True)
    # Set when this version brought back an earlier one's text.
    restored_from = models.PositiveIntegerField(_("restored from version"), null=True, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]
        # "Latest changes" reads the newest versions of every document.
        indexes = [models.Index(fields=["-created_at", "-id"], name="docversion_latest_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.number})"

    def get_absolute_url(self) -> str:
        return reverse("documents:version", args=[self.document_id, self.number])


class DocumentComment(MemberText):
    """A comment on the document, or on one version of it. Always by name."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="comments", verbose_name=_("document")
    )
    version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("on version"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document comment")
        verbose_name_plural = _("document comments")
        indexes = [models.Index(fields=["document", "created_at"], name="doccomment_doc_idx")]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return f"{self.document.get_absolute_url()}#kommentar-{self.pk}"


class AdoptionStatus(models.TextChoices):
    # Not plain "Adopted": that is the document status "Fastställd" in Swedish.
    ADOPTED = "adopted", _("Adopted as written")
    VARIANT = "variant", _("Adopted with a local variant")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class Adoption(models.Model):
    """One organisation's decision on a shared document. Its local variant is a
    link, or files attached to this row (``attachments``)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("document")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="adoptions",
        verbose_name=_("organisation"),
    )
    status = models.CharField(_("status"), max_length=20, choices=AdoptionStatus)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=DECIDED_BY_MAX, blank=True)
    variant_url = models.URLField(_("link to the local variant"), max_length=500, blank=True)
    # The version the decision was about, when known.
    version_number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organisation"], name="adoption_one_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_status_display()}"
