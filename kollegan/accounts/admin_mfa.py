"""The admin's view of members' two-factor login: who has what, and a reset.

allauth.mfa registers an admin that lets administrators edit an authenticator's
raw data (a TOTP secret, recovery-code seeds). Ours only lists them and removes
one, for a member who lost both their phone and their recovery codes; the
removal is audited and the member sets up a new one at their next page view if
the administrators require two-factor login of them."""

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.db import transaction

from kollegan.audit.models import Action
from kollegan.audit.services import audit_log


class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__name", "user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @transaction.atomic
    def delete_model(self, request, obj: Authenticator) -> None:
        self._audit(request, obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset.select_related("user"):
            self._audit(request, obj)
        super().delete_queryset(request, queryset)

    def _audit(self, request, obj: Authenticator) -> None:
        audit_log(
            action=Action.MFA_CHANGED,
            actor=request.user,
            subject=obj.user,
            detail={"change": "removed by an administrator", "type": obj.type},
        )


def register(site: admin.AdminSite) -> None:
    if site.is_registered(Authenticator):
        site.unregister(Authenticator)
    site.register(Authenticator, AuthenticatorAdmin)
