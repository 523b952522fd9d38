from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "kollegan.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from kollegan.chat import signals  # noqa: F401
