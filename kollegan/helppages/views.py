"""Hjälp: the table of contents (/hjalp/) and one page of the manual.

A page marked public (the accessibility statement) is readable without login, so
the page view skips the members-only middleware and does its checks itself: a
visitor gets the login page for anything else, as every other page gives them,
and a member whose two-factor set-up is pending is sent to it. Members get 404
for an unpublished page; administrators may preview it."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kollegan.accounts.mfa import setup_pending
from kollegan.core.selectors import site_config
from kollegan.helppages import selectors
from kollegan.helppages.models import HelpPage

# Written in a page's text where the site's contact address belongs; filled in
# when the page is shown, so a new address in the site settings reaches every page.
CONTACT_PLACEHOLDER = "{kontaktadress}"


def _member(request: HttpRequest):
    user = request.user
    return user if user.is_authenticated and user.is_active else None


def page_html(page: HelpPage) -> SafeString:
    """The page's sanitised HTML with the contact address filled in."""
    html = page.body_html
    if CONTACT_PLACEHOLDER in html:
        config = site_config()
        if config.contact_email:
            contact = format_html('<a href="mailto:{0}">{0}</a>', config.contact_email)
        else:
            contact = escape(_("the administrators of %(site)s") % {"site": config.site_name})
        html = html.replace(CONTACT_PLACEHOLDER, contact)
    return mark_safe(html)  # noqa: S308 - body_html is sanitised, the address escaped


def render_page(request: HttpRequest, page: HelpPage) -> HttpResponse:
    """One page; members also get the way back to the contents and on to the next page."""
    member = _member(request)
    context = {"page": page, "html": page_html(page), "member_view": member is not None}
    if member is not None:
        context["neighbours"] = selectors.neighbours(selectors.contents(member), page)
        context["is_admin"] = selectors.sees_unpublished(member)
    return render(request, "helppages/page.html", context)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "pages": selectors.contents(request.user),
        "is_admin": selectors.sees_unpublished(request.user),
    }
    return render(request, "helppages/index.html", context)


@login_not_required
@require_safe
def page(request: HttpRequest, slug: str) -> HttpResponse:
    help_page = selectors.page_by_slug(slug)
    public = help_page is not None and help_page.is_published and help_page.is_public
    member = _member(request)
    if member is None:
        # Unknown, unpublished or members-only: the same answer, like any other page.
        if not public:
            return redirect_to_login(request.get_full_path())
        return render_page(request, help_page)
    if not public and setup_pending(member):
        return redirect("mfa_activate_totp")
    if help_page is None or not (help_page.is_published or selectors.sees_unpublished(member)):
        raise Http404
    return render_page(request, help_page)
