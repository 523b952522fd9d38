from allauth.socialaccount.models import SocialToken
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kollegan.sso.models import OrganisationLogin


@admin.register(OrganisationLogin)
class OrganisationLoginAdmin(admin.ModelAdmin):
    list_display = ["label", "organisation", "provider", "enabled"]
    list_filter = ["enabled", "organisation"]
    list_select_related = ["organisation", "social_app"]
    fields = [
        "organisation",
        "social_app",
        "label",
        "email_domains",
        "extra_form_origins",
        "enabled",
    ]

    @admin.display(description=_("identity provider"))
    def provider(self, obj: OrganisationLogin) -> str:
        return f"{obj.social_app.name} ({obj.social_app.provider})"


# Kollegan does not keep the identity providers' access tokens
# (SOCIALACCOUNT_STORE_TOKENS is off), so allauth's token list would stay empty.
if admin.site.is_registered(SocialToken):
    admin.site.unregister(SocialToken)
