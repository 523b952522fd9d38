from django.contrib.admin.apps import AdminConfig


class KolleganAdminConfig(AdminConfig):
    """Django's admin with Kollegan's site: one login page, 403 for non-administrators."""

    default_site = "kollegan.core.admin_site.KolleganAdminSite"
