from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "kollegan.sso"
    label = "sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from kollegan.sso import selectors

        selectors.connect_cache_invalidation()
