from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
