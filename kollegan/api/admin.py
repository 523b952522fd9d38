from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollegan.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "member", "hint", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["member"]
    readonly_fields = ["member", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
