from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "kollegan.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from kollegan.search import signals

        signals.connect()
        post_migrate.connect(_index_if_empty, sender=self, dispatch_uid="search-first-index")


def _index_if_empty(sender, using="default", **kwargs) -> None:
    """When search arrives on a site that has content (or the index was lost),
    ``migrate`` builds the index once, after every migration has run, so the
    models it reads match their tables."""
    from kollegan.search.indexing import rebuild
    from kollegan.search.models import SearchEntry
    from kollegan.search.sources import SOURCES

    if SearchEntry.objects.using(using).exists():
        return
    if any(source.queryset().using(using).exists() for source in SOURCES.values()):
        rebuild()
