from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kollegan.audit.admin import SettingsAuditMixin
from kollegan.core.models import MFARequirement, NavigationItem, SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(SettingsAuditMixin, admin.ModelAdmin):
    list_display = ["site_name", "contact_email"]
    # save_model logs this one with its own entry.
    audit_skip_fields = frozenset({"mfa_required_for"})

    def has_add_permission(self, request) -> bool:
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: SiteSettings, form, change: bool) -> None:
        # Who must use two-factor login is a security decision: it goes in the audit log.
        from kollegan.audit.models import Action
        from kollegan.audit.services import audit_log

        before = SiteSettings.objects.filter(pk=1).values_list("mfa_required_for", flat=True)
        old = before.first() or MFARequirement.NOBODY
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if obj.mfa_required_for != old:
                audit_log(
                    action=Action.SETTINGS_CHANGED,
                    actor=request.user,
                    subject_label=str(obj._meta.get_field("mfa_required_for").verbose_name),
                    detail={
                        "setting": "mfa_required_for",
                        "old": old,
                        "new": obj.mfa_required_for,
                    },
                )


@admin.register(NavigationItem)
class NavigationItemAdmin(SettingsAuditMixin, admin.ModelAdmin):
    list_display = ["section", "shown_as", "label", "position", "is_visible"]
    list_editable = ["label", "position", "is_visible"]
    list_display_links = ["section"]

    @admin.display(description=_("shown as"))
    def shown_as(self, obj: NavigationItem) -> str:
        return obj.display_label
