"""Min sida → Mina uppgifter: download everything about yourself, or leave Kollegan."""

from allauth.core import ratelimit
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kollegan.accounts import services as account_services
from kollegan.accounts.models import Member
from kollegan.audit.models import Action
from kollegan.audit.services import audit_log
from kollegan.profiles import export


@never_cache
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _download(request)
    return render(request, "profiles/my_data.html", {"sections": export.sections()})


def _download(request: HttpRequest) -> HttpResponse:
    member = request.user
    with transaction.atomic():
        archive = export.build_archive(member)
        audit_log(
            action=Action.DATA_EXPORTED,
            actor=member,
            subject=member,
            detail={"files": [section.filename for section in export.sections()]},
        )
    # FileResponse streams the spooled file in blocks and closes it when done.
    return FileResponse(
        archive,
        as_attachment=True,
        filename=export.archive_name(),
        content_type="application/zip",
    )


class LeaveForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone"),
        required=True,
    )
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, member: Member, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        if not member.has_usable_password():
            # Members who log in elsewhere (single sign-on) confirm with their address.
            self.fields["password"] = forms.CharField(
                label=gettext_lazy("Your e-mail address"),
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            )

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        if self.member.has_usable_password():
            if not self.member.check_password(value):
                raise ValidationError(_("The password is not correct."), code="wrong_password")
        elif value.strip().lower() != self.member.email:
            raise ValidationError(
                _("That is not the e-mail address you log in with."), code="wrong_email"
            )
        return value


@never_cache
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    member = request.user
    if request.method == "POST":
        # Guessing the password here is throttled like allauth's "confirm your password".
        refused = ratelimit.consume_or_429(request, action="reauthenticate", user=member)
        if refused is not None:
            return refused
    form = LeaveForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.member_leave(member=member)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            # After logout: the message travels in a cookie to the login page.
            messages.success(
                request,
                _(
                    "You have left Kollegan. Your account is closed and your name and "
                    "profile are removed. Thank you for your time here."
                ),
            )
            return redirect("account_login")
    status = 400 if request.method == "POST" else 200
    return render(request, "profiles/leave.html", {"form": form}, status=status)
