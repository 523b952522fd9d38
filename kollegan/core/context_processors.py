from django.http import HttpRequest

from kollegan.core.selectors import site_config


def site(request: HttpRequest) -> dict:
    return {"kollegan": site_config()}
