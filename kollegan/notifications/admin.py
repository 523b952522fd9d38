"""The dead-letter list: e-mails that failed for good, for administrators to
see and send again.

The list is read only. Rows are never added or changed by hand, and never
deleted either: an e-mail row is the record that its notifications were handed
on (they point to it), so deleting a failed one would leave them waiting for
nothing; "Send again" is the way out."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kollegan.notifications import services
from kollegan.notifications.models import Email, EmailStatus

ALL = "all"
# Ids per UPDATE when "all N" are chosen: well below SQLite's parameter limit.
RETRY_CHUNK = 500


class StatusFilter(admin.SimpleListFilter):
    """By status, showing the failed ones until another choice is made: they are
    what an administrator comes here for."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(ALL, _("All")), *EmailStatus.choices]

    def current(self) -> str:
        return self.value() or EmailStatus.DEAD

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.current() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.current() == ALL:
            return queryset
        return queryset.filter(status=self.current())


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = [
        "recipient_email",
        "subject_or_kind",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
        "created_at",
    ]
    list_filter = [StatusFilter]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email"]
    ordering = ["-created_at", "-pk"]
    fields = [
        "recipient",
        "kind",
        "status",
        "subject",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
        "message_id",
    ]
    readonly_fields = fields
    actions = ["send_again"]
    list_per_page = 100
    # Counting every e-mail ever sent for "N of M" is a full scan on PostgreSQL.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("recipient"), ordering="recipient__email")
    def recipient_email(self, obj: Email) -> str:
        return obj.recipient.email

    @admin.display(description=_("subject"))
    def subject_or_kind(self, obj: Email) -> str:
        # The subject is written when the e-mail is sent; before that, its kind.
        return obj.subject or obj.get_kind_display()

    @admin.display(description=_("last error"))
    def short_error(self, obj: Email) -> str:
        return Truncator(obj.last_error).chars(80)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        dead = Email.objects.filter(status=EmailStatus.DEAD).count()
        if dead:
            subtitle = ngettext(
                "%(count)d e-mail failed for good. Choose it and “Send again” once the "
                "problem is fixed.",
                "%(count)d e-mails failed for good. Choose them and “Send again” once the "
                "problem is fixed.",
                dead,
            ) % {"count": dead}
        else:
            subtitle = _("No e-mail has failed for good.")
        return super().changelist_view(
            request, extra_context={"subtitle": subtitle, **(extra_context or {})}
        )

    @admin.action(description=_("Send again"))
    def send_again(self, request: HttpRequest, queryset) -> None:
        chosen = list(queryset.values_list("pk", "status"))
        dead = [pk for pk, status in chosen if status == EmailStatus.DEAD]
        retried = 0
        with transaction.atomic():
            for start in range(0, len(dead), RETRY_CHUNK):
                retried += services.emails_retry(ids=dead[start : start + RETRY_CHUNK])
        if retried:
            message = ngettext(
                "%(count)d e-mail will be sent again.",
                "%(count)d e-mails will be sent again.",
                retried,
            ) % {"count": retried}
            self.message_user(request, message, messages.SUCCESS)
        if left := len(chosen) - retried:
            message = ngettext(
                "%(count)d chosen e-mail had not failed and was left as it was.",
                "%(count)d chosen e-mails had not failed and were left as they were.",
                left,
            ) % {"count": left}
            self.message_user(request, message, messages.WARNING)
