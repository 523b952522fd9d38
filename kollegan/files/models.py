"""Files attached to documents, adoptions' local variants, meeting notes and
questions and chat messages. The bytes live in Django's default storage under a random name; the
row keeps the name the member gave (cleaned), the type found from the content,
the size and, for PDF and DOCX, the extracted text (for search and the
confidentiality guard).

Each attachment belongs to exactly one item, and whoever may see the item may
download it; nobody else. For an anonymous question ``uploaded_by`` stays empty,
like the question's author."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX = 200


def stored_name(instance: "Attachment", filename: str) -> str:
    """A random name under a month's folder; the member's name is never a path."""
    import secrets

    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{secrets.token_urlsafe(24)}"


class Attachment(models.Model):
    file = models.FileField(_("file"), upload_to=stored_name, max_length=200)
    name = models.CharField(_("file name"), max_length=NAME_MAX)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    text = models.TextField(_("text found in the file"), blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
        help_text=_("Empty when the item is anonymous."),
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # What it is attached to: exactly one of these.
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("document"),
    )
    adoption = models.ForeignKey(
        "documents.Adoption",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("adoption"),
    )
    note = models.ForeignKey(
        "notes.Note",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("meeting note"),
    )
    question = models.ForeignKey(
        "questions.Question",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("question"),
    )
    message = models.ForeignKey(
        "chat.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("chat message"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        document__isnull=False,
                        adoption__isnull=True,
                        note__isnull=True,
                        question__isnull=True,
                        message__isnull=True,
                    )
                    | Q(
                        document__isnull=True,
                        adoption__isnull=False,
                        note__isnull=True,
                        question__isnull=True,
                        message__isnull=True,
                    )
                    | Q(
                        document__isnull=True,
                        adoption__isnull=True,
                        note__isnull=False,
                        question__isnull=True,
                        message__isnull=True,
                    )
                    | Q(
                        document__isnull=True,
                        adoption__isnull=True,
                        note__isnull=True,
                        question__isnull=False,
                        message__isnull=True,
                    )
                    | Q(
                        document__isnull=True,
                        adoption__isnull=True,
                        note__isnull=True,
                        question__isnull=True,
                        message__isnull=False,
                    )
                ),
                name="attachment_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("files:download", args=[self.pk])
