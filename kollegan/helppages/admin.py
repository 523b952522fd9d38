"""Help pages in the admin: administrators write the manual in Markdown and put
its pages in order straight in the list. Every change is in the audit log."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollegan.audit.admin import SettingsAuditMixin
from kollegan.helppages.models import HelpPage

HELP_TEXTS = {
    "slug": _(
        "Part of the page's address, /hjalp/…/. Changing it breaks links to the page. "
        "The accessibility statement must keep “tillganglighetsredogorelse”."
    ),
    "body": _(
        "Markdown: ## for a heading (the title is already the page's main heading), "
        "- for a list, [text](address) for a link. Write {kontaktadress} where the "
        "site's contact e-mail should appear."
    ),
    "position": _("Lower numbers come first. Leave gaps (10, 20, 30) to slot pages in between."),
    "is_published": _("Members see only published pages; administrators also see the others."),
}


@admin.register(HelpPage)
class HelpPageAdmin(SettingsAuditMixin, admin.ModelAdmin):
    list_display = ["title", "position", "is_published", "is_public", "updated_at"]
    list_editable = ["position", "is_published"]
    list_display_links = ["title"]
    list_filter = ["is_published", "is_public"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "summary", "body", "position", "is_published", "is_public"]
    readonly_fields = ["updated_at", "updated_by"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 30, "cols": 100})},
    }

    def get_fields(self, request, obj=None):
        return self.fields + (self.readonly_fields if obj is not None else [])

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["help_texts"] = {**HELP_TEXTS, **kwargs.get("help_texts", {})}
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj: HelpPage, form, change: bool) -> None:
        obj.updated_at = timezone.now()
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
