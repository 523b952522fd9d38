from django.contrib.admin.apps import AdminConfig


class KolleganAdminConfig(AdminConfig):
    """Django's admin with Kollegan's site: one login page, 403 for non-administrators."""

    default_site = "kollegan.core.admin_site.KolleganAdminSite"

    def ready(self) -> None:
        super().ready()
        from allauth.account.models import EmailAddress
        from allauth.usersessions.models import UserSession
        from django.contrib import admin
        from django.contrib.auth.models import Group

        # Roles live on the member and e-mail addresses come from invitations:
        # Django's groups and allauth's address list would only confuse administrators.
        # Editing a UserSession row ends nothing: administrators use the member list's
        # "End all sessions" action instead.
        for model in (Group, EmailAddress, UserSession):
            if admin.site.is_registered(model):
                admin.site.unregister(model)

        # Our list of members' two-factor logins replaces allauth.mfa's editor.
        from kollegan.accounts.admin_mfa import register

        register(admin.site)
