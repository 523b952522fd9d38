"""The audit log in the admin: read-only, filterable, exportable as CSV.

Also ``SettingsAuditMixin``, which the admins of the settings-like models
(organisations, site settings, menu, topics) use to write an entry for every
change and deletion."""

import csv
import json
from collections.abc import Iterator

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kollegan.audit.models import Action, AuditEntry
from kollegan.audit.services import audit_log

# --- Writing entries for settings changes -------------------------------------------------

# Long texts (help pages, descriptions) are cut in the log: it says what changed, it
# is not a version history.
VALUE_MAX_CHARS = 200


def _plain(value):
    """A form value as JSON: model instances by name, lists of them as lists of names."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | models.QuerySet):
        return [_plain(item) for item in value]
    return Truncator(str(value)).chars(VALUE_MAX_CHARS)


def _subject_label(obj: models.Model) -> str:
    return f"{str(obj._meta.verbose_name).capitalize()}: {obj}"


class SettingsAuditMixin:
    """Write a SETTINGS_CHANGED entry for each addition, change and deletion made in
    this admin, inside the admin's transaction. ``audit_skip_fields`` are fields the
    admin logs in its own way."""

    audit_skip_fields: frozenset[str] = frozenset()

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        fields = [name for name in form.changed_data if name not in self.audit_skip_fields]
        inlines = [
            str(formset.model._meta.verbose_name_plural)
            for formset in formsets
            if formset.has_changed()
        ]
        if change and not fields and not inlines:
            return
        detail = {
            "model": obj._meta.label_lower,
            "object_id": obj.pk,
            "change": "changed" if change else "added",
            "fields": fields,
            "new": {name: _plain(form.cleaned_data.get(name)) for name in fields},
        }
        if change:
            detail["old"] = {name: _plain(form.initial.get(name)) for name in fields}
        if inlines:
            detail["inlines"] = inlines
        audit_log(
            action=Action.SETTINGS_CHANGED,
            actor=request.user,
            subject_label=_subject_label(obj),
            detail=detail,
        )

    def _log_deletion(self, request, obj) -> None:
        audit_log(
            action=Action.SETTINGS_CHANGED,
            actor=request.user,
            subject_label=_subject_label(obj),
            detail={"model": obj._meta.label_lower, "object_id": obj.pk, "change": "deleted"},
        )

    def delete_model(self, request, obj) -> None:
        # delete_view runs in a transaction; the pk is gone after the delete.
        self._log_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        # The "delete selected" action has no transaction of its own.
        with transaction.atomic(using=queryset.db):
            for obj in queryset:
                self._log_deletion(request, obj)
            super().delete_queryset(request, queryset)


# --- Reading the log ------------------------------------------------------------------------

# Swedish Excel reads CSV with the list separator of the Swedish locale, which is
# the semicolon (the comma is the decimal separator). The byte order mark makes
# Excel read the file as UTF-8, so å, ä and ö come out right.
CSV_DELIMITER = ";"
CSV_BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel; names and e-mail
# addresses come from members, so they are defused with a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


class _Echo:
    """csv.writer writes into this and gets the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def detail_text(detail: dict) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "subject_label", "short_detail"]
    list_filter = ["action", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["actor_name", "subject_label"]
    fields = ["created_at", "actor_name", "action", "subject_label", "detail_display"]
    readonly_fields = fields
    list_per_page = 100
    # The log is read only: no actions (Django's only one, "delete selected", is
    # refused anyway without the delete permission).
    actions = None
    # Counting a large log for "N of M" is a full scan on PostgreSQL.
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("details"))
    def short_detail(self, obj: AuditEntry) -> str:
        return Truncator(detail_text(obj.detail)).chars(80)

    @admin.display(description=_("details"))
    def detail_display(self, obj: AuditEntry) -> str:
        return detail_text(obj.detail)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_csv_view),
            name="{}_{}_export".format(*info),
        )
        return [export, *super().get_urls()]

    def export_csv_view(self, request: HttpRequest):
        """The changelist as it is filtered and searched now, as a CSV download."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(request.path.removesuffix("export/"))
        # The filtered, searched and ordered rows, not only the page on screen.
        queryset = changelist.queryset
        # Texts in the requester's language now: the rows are written after the view returns.
        header = [gettext("Time"), gettext("Done by"), gettext("Action")]
        header += [gettext("Concerns"), gettext("Details")]
        labels = {value: str(label) for value, label in Action.choices}
        response = StreamingHttpResponse(
            self._csv_lines(queryset, header, labels), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="granskningslogg-{stamp}.csv"'
        return response

    def _csv_lines(self, queryset, header: list[str], labels: dict[str, str]) -> Iterator[str]:
        writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
        yield CSV_BOM + writer.writerow(header)
        rows = queryset.values_list("created_at", "actor_name", "action", "subject_label", "detail")
        for created_at, actor_name, action, subject_label, detail in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    _cell(actor_name),
                    labels.get(action, action),
                    _cell(subject_label),
                    _cell(detail_text(detail)),
                ]
            )
