from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kollegan.core.signals import visibility_changed
from kollegan.lib.markdown import render_markdown

CACHE_KEY = "kollegan:site-config:v2"


class Section(models.TextChoices):
    """The platform's sections. Which of them show, in what order and under which
    label is decided by the working group in the admin, not in code."""

    START = "start", _("Start")
    QUESTIONS = "questions", _("Questions")
    CALENDAR = "calendar", _("Calendar")
    NOTES = "notes", _("Meeting notes")
    DOCUMENTS = "documents", _("Documents")
    MEMBERS = "members", _("Colleagues")
    HELP = "help", _("Help")
    MY_PAGE = "my_page", _("My page")


SECTION_URL_NAMES = {
    Section.START: "start",
    Section.QUESTIONS: "questions:list",
    Section.CALENDAR: "calendar",
    Section.NOTES: "notes",
    Section.DOCUMENTS: "documents",
    Section.MEMBERS: "profiles:directory",
    Section.HELP: "help",
    Section.MY_PAGE: "profiles:my_page",
}


class MFARequirement(models.TextChoices):
    """Who must use two-factor login (see kollegan.accounts.mfa)."""

    NOBODY = "nobody", _("Nobody (optional for everyone)")
    ADMINISTRATORS = "admins", _("Administrators")
    MODERATORS = "moderators", _("Moderators and administrators")
    EVERYONE = "everyone", _("Everyone")


class SiteSettings(models.Model):
    """One row of settings the administrators edit in the admin."""

    site_name = models.CharField(_("site name"), max_length=80, default=settings.SITE_NAME_DEFAULT)
    welcome_text = models.TextField(
        _("welcome text"),
        blank=True,
        help_text=_("Shown on the start page. Markdown is allowed."),
    )
    contact_email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_("Where members and visitors report problems, e.g. with accessibility."),
    )
    mfa_required_for = models.CharField(
        _("two-factor login required for"),
        max_length=20,
        choices=MFARequirement,
        default=MFARequirement.NOBODY,
        help_text=_(
            "Members covered must set up an authenticator app or a security key before "
            "they can use the site."
        ),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(_("Site settings"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(CACHE_KEY)


class NavigationItem(models.Model):
    section = models.CharField(_("section"), max_length=20, choices=Section, unique=True)
    label = models.CharField(
        _("label"),
        max_length=40,
        blank=True,
        help_text=_("Leave empty to use the standard name in the member's language."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_visible = models.BooleanField(_("shown in the menu"), default=True)

    class Meta:
        ordering = ["position", "section"]
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")

    def __str__(self) -> str:
        return self.display_label

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        cache.delete(CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(CACHE_KEY)
        return result

    @property
    def display_label(self) -> str:
        return self.label or str(Section(self.section).label)

    @property
    def url(self) -> str:
        return reverse(SECTION_URL_NAMES[Section(self.section)])


class MemberText(models.Model):
    """What every text a member writes shares (questions, answers, comments, posts,
    replies): the Markdown, its sanitised HTML, edits and moderation. Who wrote it
    is each model's own field, since only some texts can be anonymous."""

    body = models.TextField(_("text"))
    # The body as sanitised HTML, rendered once when written (kollegan.lib.markdown):
    # a thread of 250 texts would otherwise render them all on every view.
    body_html = models.TextField(_("text as HTML"), blank=True, editable=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def html(self) -> SafeString:
        """The stored HTML (sanitised when it was written), rendered now if missing."""
        if self.body_html:
            return mark_safe(self.body_html)  # noqa: S308 - sanitised by render_markdown
        return render_markdown(self.body)

    def set_body(self, body: str) -> None:
        self.body = body
        self.body_html = str(render_markdown(body, mentions=True))

    def mark_hidden(self, *, moderator, reason: str) -> bool:
        """Hide the row; False when it already was. Conditional on the row, not on
        this copy: two moderators at once (or a double click) hide it once, so
        counts change and the audit log records it once."""
        now = timezone.now()
        changed = (
            type(self)
            .objects.filter(pk=self.pk, hidden_at__isnull=True)
            .update(hidden_at=now, hidden_by=moderator, hidden_reason=reason)
        )
        self.hidden_at, self.hidden_by, self.hidden_reason = now, moderator, reason
        if changed:
            visibility_changed.send(sender=type(self), instance=self)
        return bool(changed)

    def mark_restored(self) -> bool:
        """Show the row again; False when it was not hidden."""
        changed = (
            type(self)
            .objects.filter(pk=self.pk, hidden_at__isnull=False)
            .update(hidden_at=None, hidden_by=None, hidden_reason="")
        )
        self.hidden_at, self.hidden_by, self.hidden_reason = None, None, ""
        if changed:
            visibility_changed.send(sender=type(self), instance=self)
        return bool(changed)
