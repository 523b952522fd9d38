"""Small pieces the sections' views share."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def next_url(request: HttpRequest, default: str) -> str:
    """The POSTed "next" address when it is on this site, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


def refusals(template: str) -> Callable:
    """A service's "not yours" / "not allowed" (PermissionDenied) becomes a 403
    page in ``template`` that says why."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as refusal:
                message = str(refusal) or _("You cannot do that here.")
                return render(request, template, {"message": message}, status=403)

        return wrapper

    return decorator
