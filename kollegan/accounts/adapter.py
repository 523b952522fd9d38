import time
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from kollegan.core.selectors import site_config


class ClosedAccountAdapter(DefaultAccountAdapter):
    """Kollegan is closed: members come in only through an administrator's invitation."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up two-factor login right after logging in asks for no second
        password: any login or confirmation in this session within the last
        ACCOUNT_REAUTHENTICATION_TIMEOUT seconds counts, not only confirmations."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if not required or app != "allauth.mfa":
            return required
        from allauth.account import app_settings as account_settings
        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.core import context

        request = context.request
        if request is None or not request.user.is_authenticated:
            return required
        records = get_authentication_records(request, request.user)
        if not records:
            return required
        age = time.time() - records[-1].get("at", 0)
        return age >= account_settings.REAUTHENTICATION_TIMEOUT

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth greets with the request's host name ("Hej från 127.0.0.1:8000");
        # members know the site by the name the working group gave it.
        site = SimpleNamespace(
            name=site_config().site_name, domain=urlsplit(settings.SITE_URL).netloc
        )
        super().send_mail(template_prefix, email, {**context, "current_site": site})
