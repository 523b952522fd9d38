from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "kollegan.files"
    label = "files"
    verbose_name = _("Files")

    def ready(self) -> None:
        from kollegan.files import signals  # noqa: F401 - removes stored files with their rows
