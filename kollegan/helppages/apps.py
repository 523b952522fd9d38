from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpPagesConfig(AppConfig):
    name = "kollegan.helppages"
    label = "helppages"
    verbose_name = _("Help")
