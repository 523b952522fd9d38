"""The login page's single sign-on buttons, read once and cached."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

CACHE_KEY = "sso:login-buttons:v1"
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class LoginButton:
    label: str
    url: str
    origins: tuple[str, ...]


def _load() -> list[LoginButton]:
    from kollegan.sso.models import OrganisationLogin

    logins = OrganisationLogin.objects.filter(enabled=True).select_related("social_app")
    return [
        LoginButton(label=login.label, url=login.login_url(), origins=tuple(login.form_origins()))
        for login in logins
    ]


def login_buttons() -> list[LoginButton]:
    """The enabled organisation logins: one query on a cold cache, none after."""
    buttons = cache.get(CACHE_KEY)
    if buttons is None:
        buttons = _load()
        cache.set(CACHE_KEY, buttons, CACHE_SECONDS)
    return buttons


def form_origins(buttons: list[LoginButton]) -> list[str]:
    origins: list[str] = []
    for button in buttons:
        origins += [origin for origin in button.origins if origin not in origins]
    return origins


def forget_login_buttons(**kwargs) -> None:
    cache.delete(CACHE_KEY)


def connect_cache_invalidation() -> None:
    from allauth.socialaccount.models import SocialApp

    from kollegan.sso.models import OrganisationLogin

    for model in (OrganisationLogin, SocialApp):
        post_save.connect(forget_login_buttons, sender=model, dispatch_uid=f"sso-save-{model}")
        post_delete.connect(forget_login_buttons, sender=model, dispatch_uid=f"sso-del-{model}")
