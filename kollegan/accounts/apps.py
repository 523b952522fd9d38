from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kollegan.accounts"
    label = "accounts"
    verbose_name = _("Members and organisations")

    def ready(self) -> None:
        from kollegan.accounts.mfa import connect_signals

        connect_signals()

        from django.contrib.auth.signals import user_logged_in

        from kollegan.accounts.sessions import on_login

        user_logged_in.connect(on_login, dispatch_uid="kollegan.accounts.sessions.on_login")
