from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kollegan.accounts import services
from kollegan.accounts.models import Invitation, Member, Organisation, Unit
from kollegan.audit.admin import SettingsAuditMixin
from kollegan.audit.models import Action
from kollegan.audit.services import audit_log


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(SettingsAuditMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [UnitInline]


class ActiveFilter(admin.SimpleListFilter):
    title = _("access")
    parameter_name = "access"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("ended", _("Ended"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "ended":
            return queryset.exclude(pk__in=Member.objects.active().values("pk"))
        return queryset


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "role", "is_active", "membership_ends_at"]
    list_filter = [ActiveFilter, "role", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["unit"]
    filter_horizontal = ["topics"]
    readonly_fields = ["date_joined", "deactivated_at", "last_login"]
    fields = [
        "name",
        "email",
        "organisation",
        "unit",
        "role",
        "title",
        "town",
        "topics",
        "language",
        "membership_ends_at",
        "date_joined",
        "last_login",
        "deactivated_at",
    ]
    actions = ["deactivate", "reactivate", "end_sessions"]

    def has_add_permission(self, request) -> bool:
        # Members come in through invitations (or `manage.py create_member`).
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deactivate instead: a member's content stays when they leave.
        return False

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, obj: Member) -> bool:
        return obj.is_active

    def save_model(self, request, obj: Member, form, change) -> None:
        # changeform_view's transaction holds the save and the audit entry together.
        super().save_model(request, obj, form, change)
        if change and "role" in form.changed_data:
            audit_log(
                action=Action.ROLE_CHANGED,
                actor=request.user,
                subject=obj,
                detail={"old": form.initial.get("role"), "new": obj.role},
            )
        if (
            obj.deactivated_at is None
            and obj.membership_ends_at
            and (obj.membership_ends_at <= timezone.now())
        ):
            services.member_deactivate(
                member=obj, when=obj.membership_ends_at, actor=request.user, reason="end date"
            )

    @admin.action(description=_("Deactivate: end access now"))
    def deactivate(self, request, queryset) -> None:
        count = 0
        for member in queryset.filter(deactivated_at__isnull=True):
            if member.pk == request.user.pk:
                self.message_user(request, _("You cannot deactivate yourself."), messages.ERROR)
                continue
            services.member_deactivate(member=member, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%d member deactivated.", "%d members deactivated.", count) % count,
        )

    @admin.action(description=_("Reactivate"))
    def reactivate(self, request, queryset) -> None:
        for member in queryset:
            services.member_reactivate(member=member, actor=request.user)

    @admin.action(description=_("End all sessions: log out on every device"))
    def end_sessions(self, request, queryset) -> None:
        ended = 0
        for member in queryset:
            ended += services.member_sessions_end(member=member, actor=request.user)
        self.message_user(
            request,
            ngettext("%d session ended.", "%d sessions ended.", ended) % ended,
        )


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "organisation", "unit", "role"]

    def clean(self) -> dict:
        cleaned = super().clean()
        email = cleaned.get("email")
        if email and services.email_in_use(email):
            self.add_error("email", _("There is already a member with this e-mail address."))
        unit, organisation = cleaned.get("unit"), cleaned.get("organisation")
        if unit and organisation and unit.organisation_id != organisation.pk:
            self.add_error("unit", _("The unit does not belong to the chosen organisation."))
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    form = InvitationForm
    list_display = ["email", "organisation", "role", "state_label", "created_at", "expires_at"]
    list_select_related = ["organisation", "invited_by"]
    search_fields = ["email"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "email",
            "organisation",
            "unit",
            "role",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "organisation", "unit", "role"]
        return self.get_readonly_fields(request, obj)

    @admin.display(description=_("state"))
    def state_label(self, obj: Invitation) -> str:
        return obj.get_state_display()

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj: Invitation, form, change) -> None:
        try:
            issued = services.invitation_create(
                email=obj.email,
                organisation=obj.organisation,
                unit=obj.unit,
                role=obj.role,
                invited_by=request.user,
            )
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return
        # The admin goes on with `obj`: point it at the row the service wrote.
        obj.pk = issued.invitation.pk
        obj.token_hash = issued.invitation.token_hash
        obj._state.adding = False
        self.message_user(
            request,
            _("Invitation sent to %(email)s. The link, if you need to pass it on yourself: %(url)s")
            % {"email": obj.email, "url": issued.url},
        )

    def log_addition(self, request, obj, message):
        if obj.pk is None:  # save_model's service call refused: nothing was added
            return None
        return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            # Back to the form, with only save_model's error (not "added successfully").
            return HttpResponseRedirect(request.get_full_path())
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Revoke the selected invitations"))
    def revoke(self, request, queryset) -> None:
        for invitation in queryset:
            services.invitation_revoke(invitation=invitation, actor=request.user)
