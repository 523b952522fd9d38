"""Attachments in the admin: a list to find and remove a file, nothing to edit.

Files are only added through the pages and the API, which check them. Neither
who uploaded a file (for a question that could be an anonymous asker) nor the
text found in it (it may be long, and is what the guard already checked) is
shown here."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kollegan.files.kinds import label_for
from kollegan.files.models import Attachment

OWNER_FIELDS = ("document", "adoption", "note", "question", "message")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "size", "owner", "created_at"]
    list_filter = ["content_type", "created_at"]
    search_fields = ["name"]
    date_hierarchy = "created_at"
    fields = ["name", "kind", "size", "owner", "created_at", "download"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        # Only what the list shows: no text, no uploader.
        return (
            super()
            .get_queryset(request)
            .only("id", "name", "content_type", "size", "created_at", *OWNER_FIELDS)
        )

    @admin.display(description=_("type"), ordering="content_type")
    def kind(self, attachment: Attachment) -> str:
        return label_for(attachment.content_type)

    @admin.display(description=_("attached to"))
    def owner(self, attachment: Attachment) -> str:
        # The item's kind and number: its title would cost a query per row.
        labels = {
            "document": _("Document"),
            "adoption": _("Adoption"),
            "note": _("Meeting note"),
            "question": _("Question"),
        }
        for field, label in labels.items():
            item_id = getattr(attachment, f"{field}_id")
            if item_id:
                return f"{label} {item_id}"
        return "–"

    @admin.display(description=_("download"))
    def download(self, attachment: Attachment) -> str:
        return format_html('<a href="{}">{}</a>', attachment.get_absolute_url(), attachment.name)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Attachment | None = None) -> bool:
        return False
