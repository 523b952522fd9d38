"""Hjälp: the manual, as pages administrators write and order in the admin.
A page marked public (the accessibility statement) is readable without login."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kollegan.lib.markdown import render_markdown

TITLE_MAX = 120


class HelpPage(models.Model):
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One line in the list of help pages.")
    )
    body = models.TextField(_("text"), help_text=_("Markdown is allowed."))
    body_html = models.TextField(_("text as HTML"), blank=True, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    is_public = models.BooleanField(
        _("readable without login"),
        default=False,
        help_text=_("For example the accessibility statement."),
    )
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("help page")
        verbose_name_plural = _("help pages")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = str(render_markdown(self.body))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("helppages:page", args=[self.slug])

    @property
    def html(self) -> SafeString:
        return mark_safe(self.body_html)  # noqa: S308 - sanitised by render_markdown
