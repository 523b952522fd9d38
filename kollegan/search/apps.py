from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "kollegan.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from kollegan.search import signals

        signals.connect()
