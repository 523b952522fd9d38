from allauth.account.views import LoginView
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kollegan.accounts import services
from kollegan.accounts.forms import InvitationAcceptForm


@method_decorator(login_not_required, name="dispatch")
class RateLimitedLoginView(LoginView):
    """allauth's login, answering 429 Too Many Requests once the failure limit is hit."""

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        codes = {e.code for e in form.non_field_errors().as_data()}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
            response["Retry-After"] = "300"
        return response

    def get_context_data(self, **kwargs) -> dict:
        from kollegan.sso.selectors import login_buttons

        return {**super().get_context_data(**kwargs), "sso_logins": login_buttons()}

    def render_to_response(self, context, **kwargs) -> HttpResponse:
        from kollegan.sso.selectors import form_origins

        response = super().render_to_response(context, **kwargs)
        origins = form_origins(context.get("sso_logins") or [])
        if origins:
            # The single sign-on buttons post here and are redirected on to the
            # organisation's identity provider; browsers hold that redirect to
            # this page's form-action.
            response._csp_update = {"form-action": origins}
        return response


@login_not_required
def account_inactive(request: HttpRequest) -> HttpResponse:
    return render(request, "account/account_inactive.html", status=403)


@login_not_required
def not_available(request: HttpRequest, **kwargs) -> HttpResponse:
    """Self sign-up and e-mail confirmation do not exist in a closed platform."""
    raise Http404


def _invitation_unusable(request: HttpRequest, error: services.InvitationError) -> HttpResponse:
    return render(
        request, "accounts/invitation_invalid.html", {"message": error.message}, status=error.status
    )


@never_cache
@login_not_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return _invitation_unusable(request, error)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.invitation_accept(
                token=token,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationError as error:
            return _invitation_unusable(request, error)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("password1", error)
        else:
            login(request, member, backend="kollegan.accounts.backends.MemberBackend")
            return redirect("start")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=status,
    )


@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Log out one of my devices, e.g. a shared computer I forgot to log out of."""
    device = get_object_or_404(UserSession, pk=pk, user=request.user)
    if device.session_key == request.session.session_key:
        logout(request)
        return redirect("account_login")
    device.end()
    messages.success(request, _("The device is logged out."))
    return redirect("usersessions_list")
