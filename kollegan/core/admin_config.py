from django.contrib.admin.apps import AdminConfig


class KolleganAdminConfig(AdminConfig):
    """Django's admin with Kollegan's site: one login page, 403 for non-administrators."""

    default_site = "kollegan.core.admin_site.KolleganAdminSite"

    def ready(self) -> None:
        super().ready()
        from allauth.account.models import EmailAddress
        from django.contrib import admin
        from django.contrib.auth.models import Group

        # Roles live on the member and e-mail addresses come from invitations:
        # Django's groups and allauth's address list would only confuse administrators.
        for model in (Group, EmailAddress):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
