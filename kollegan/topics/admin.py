from django.contrib import admin

from kollegan.audit.admin import SettingsAuditMixin
from kollegan.topics.models import Topic


@admin.register(Topic)
class TopicAdmin(SettingsAuditMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
