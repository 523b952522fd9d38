from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from kollegan.core.models import Section
from kollegan.helppages import selectors as help_selectors
from kollegan.helppages.views import render_page as render_help_page
from kollegan.lib.views import next_url


@never_cache
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_not_required
@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, readable without login: the help page the
    administrators keep, or the built-in one while there is none."""
    page = help_selectors.published_page(help_selectors.ACCESSIBILITY_SLUG)
    if page is None:
        return render(request, "core/accessibility.html")
    return render_help_page(request, page)


def section(request: HttpRequest, section: str) -> HttpResponse:
    """Sections whose content arrives with later work: the page exists so the menu,
    permissions and links are in place, and says plainly that it is empty."""
    return render(request, "core/section.html", {"section": Section(section)})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language and remember it on the member, so e-mails follow too."""
    language = request.POST.get("language", "")
    target = next_url(request, "/")
    if language not in dict(settings.LANGUAGES) or not check_for_language(language):
        return HttpResponseBadRequest(_("Unknown language."))
    request.user.language = language
    request.user.save(update_fields=["language"])
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def hello(request: HttpRequest) -> HttpResponse:
    """The benchmark's baseline: the cheapest response Django can give through the
    same middleware, so page figures read as ratios."""
    return HttpResponse("hello", content_type="text/plain")
