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

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth greets with the request's host name ("Hej från 127.0.0.1:8000");
        # members know the site by the name the working group gave it.
        site = SimpleNamespace(
            name=site_config().site_name, domain=urlsplit(settings.SITE_URL).netloc
        )
        super().send_mail(template_prefix, email, {**context, "current_site": site})
