"""Dokument in the admin: administrators look at documents, their versions,
comments and adoptions, hide a document or show it again, and change owner,
type, status and topics. The title and text change only through versions (the
pages), so the history always ends in the text the document shows."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kollegan.documents import services
from kollegan.documents.models import Adoption, Document, DocumentComment, DocumentVersion


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    fields = ["number", "title", "author", "created_at", "change_note", "restored_from"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body").select_related("author")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "owner", "version_number", "updated_at", "hidden_at"]
    list_filter = ["kind", "status", ("hidden_at", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["title"]
    filter_horizontal = ["topics"]
    autocomplete_fields = ["owner"]
    fields = [
        "title",
        "kind",
        "status",
        "owner",
        "topics",
        "version_number",
        "body",
        "created_at",
        "updated_at",
        "updated_by",
        "comment_count",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]
    readonly_fields = [
        "title",
        "version_number",
        "body",
        "created_at",
        "updated_at",
        "updated_by",
        "comment_count",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]
    inlines = [VersionInline]
    actions = ["hide", "unhide"]

    def has_add_permission(self, request) -> bool:
        # A document starts with its first version: written on the pages.
        return False

    @admin.action(description=_("Hide the selected documents"))
    def hide(self, request, queryset) -> None:
        hidden = 0
        for document in queryset.filter(hidden_at__isnull=True):
            services.document_hide(document=document, moderator=request.user)
            hidden += 1
        self.message_user(
            request,
            ngettext("%(count)d document is hidden.", "%(count)d documents are hidden.", hidden)
            % {"count": hidden},
            messages.SUCCESS,
        )

    @admin.action(description=_("Show the selected documents again"))
    def unhide(self, request, queryset) -> None:
        shown = 0
        for document in queryset.filter(hidden_at__isnull=False):
            services.document_unhide(document=document, moderator=request.user)
            shown += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d document is shown again.", "%(count)d documents are shown again.", shown
            )
            % {"count": shown},
            messages.SUCCESS,
        )


@admin.register(DocumentComment)
class DocumentCommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "document", "author", "created_at", "hidden_at"]
    list_select_related = ["document", "author"]
    search_fields = ["body", "document__title"]
    fields = ["document", "version", "author", "body", "created_at", "hidden_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Through the service, so the document's comment count stays right.
    def delete_model(self, request, obj) -> None:
        services.comment_delete(comment=obj, member=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for comment in queryset:
            services.comment_delete(comment=comment, member=request.user)


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ["document", "organisation", "status", "decided_on", "decided_by", "updated_at"]
    list_filter = ["status", "organisation"]
    list_select_related = ["document", "organisation"]
    search_fields = ["document__title", "organisation__name", "decided_by"]
    autocomplete_fields = ["document"]
    readonly_fields = ["recorded_by", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request) -> bool:
        # Recorded on the document's page, by whoever decided.
        return False
