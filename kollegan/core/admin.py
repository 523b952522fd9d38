from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kollegan.core.models import NavigationItem, SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["site_name", "contact_email"]

    def has_add_permission(self, request) -> bool:
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NavigationItem)
class NavigationItemAdmin(admin.ModelAdmin):
    list_display = ["section", "shown_as", "label", "position", "is_visible"]
    list_editable = ["label", "position", "is_visible"]
    list_display_links = ["section"]

    @admin.display(description=_("shown as"))
    def shown_as(self, obj: NavigationItem) -> str:
        return obj.display_label
