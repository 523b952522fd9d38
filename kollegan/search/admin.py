from django.contrib import admin

from kollegan.search.models import Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Administrators keep the list of words that mean the same to a searcher
    (abbreviations of laws, older and newer names). A change applies to the
    next search; nothing needs to be rebuilt."""

    list_display = ["terms", "updated_at"]
    search_fields = ["terms"]
    fields = ["terms"]
