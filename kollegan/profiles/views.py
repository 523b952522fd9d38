from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kollegan.api import services as api_services
from kollegan.api.models import ApiToken
from kollegan.lib.markdown import render_markdown
from kollegan.profiles import selectors
from kollegan.profiles.forms import ApiTokenForm
from kollegan.questions.selectors import member_questions, my_questions


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.profile_member(pk)
    if member is None:
        raise Http404
    return render(
        request,
        "profiles/detail.html",
        {
            "member": member,
            # The member's own choice holds on their own page too: they see what others see.
            "phone": selectors.visible_phone(member),
            "email": selectors.visible_email(member),
            "about": render_markdown(member.about),
            "is_me": member.pk == request.user.pk,
            # Named questions only: the page must not hint at anonymous ones.
            "questions": member_questions(member),
        },
    )


def my_page(request: HttpRequest) -> HttpResponse:
    return _render_my_page(request, ApiTokenForm())


def _render_my_page(
    request: HttpRequest, form: ApiTokenForm, new_secret: str = "", status: int = 200
) -> HttpResponse:
    tokens = ApiToken.objects.live().filter(member=request.user)
    return render(
        request,
        "profiles/my_page.html",
        {
            "token_form": form,
            "tokens": tokens,
            "new_secret": new_secret,
            # Anonymous ones included: this page is the member's alone.
            "my_questions": my_questions(request.user),
        },
        status=status,
    )


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_my_page(request, form, status=400)
    _token, secret = api_services.api_token_create(
        member=request.user, name=form.cleaned_data["name"]
    )
    # The secret is shown once, on this response, and never stored in clear.
    return _render_my_page(request, ApiTokenForm(), new_secret=secret)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.live(), pk=pk, member=request.user)
    api_services.api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("profiles:my_page")
