from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class KolleganAdminSite(admin.AdminSite):
    site_header = _("Digitala kollegan – administration")
    site_title = _("Administration")
    index_title = _("Administration")

    @login_not_required
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """One login page for everybody; logged-in members who are not administrators
        get a plain 403 instead of a second login form."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                # An administrator who is already logged in goes straight in.
                return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
            raise PermissionDenied
        return redirect_to_login(request.get_full_path())
