"""E-mail settings on Min sida, and the one-click unsubscribe pages that every
e-mail's List-Unsubscribe header points at.

The unsubscribe address carries its own authorisation: a signed token for one
member and one subscription. It works without a session and without a CSRF
token, because mail providers POST ``List-Unsubscribe=One-Click`` to it
(RFC 8058). Its pages name neither the member nor their address: e-mails get
forwarded."""

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kollegan.accounts.models import Member
from kollegan.notifications import services
from kollegan.notifications.forms import EmailSettingsForm
from kollegan.topics.models import Topic

PERSONAL = services.PERSONAL_FIELDS


# --- Settings ----------------------------------------------------------------------------------


def _topics(subscribed: set[int]) -> list[Topic]:
    """Topics in use, and any no longer in use that the member still subscribes to,
    so they can turn it off."""
    rows = Topic.objects.filter(Q(is_active=True) | Q(pk__in=subscribed))
    return list(rows.only("pk", "name").order_by("position", "name"))


@require_http_methods(["GET", "HEAD", "POST"])
def email_settings(request: HttpRequest) -> HttpResponse:
    member = request.user
    current = services.subscriptions_of(member)
    topics = _topics({topic_id for topic_id, _kind in current if topic_id is not None})
    if request.method != "POST":
        row = services.settings_for(member)
        initial = {name: getattr(row, name) for name in ("paused", "digest_hour", "digest_weekday")}
        initial |= {name: getattr(row, name) for name in PERSONAL}
        form = EmailSettingsForm(initial=initial, topics=topics, current=current)
        return _render_settings(request, form)
    form = EmailSettingsForm(request.POST, topics=topics, current=current)
    if not form.is_valid() or not _save(form, member):
        return _render_settings(request, form, status=400)
    messages.success(request, _("Your e-mail settings are saved."))
    return redirect("notifications:settings")


def _save(form: EmailSettingsForm, member: Member) -> bool:
    data = form.cleaned_data
    try:
        with transaction.atomic():
            services.settings_save(
                member=member,
                paused=data["paused"],
                digest_hour=data["digest_hour"],
                digest_weekday=data["digest_weekday"],
                **{name: data[name] for name in PERSONAL},
            )
            # Only what changed: the service writes one row per choice it is given.
            now = services.subscriptions_of(member)
            changed = {
                key: frequency
                for key, frequency in data["choices"].items()
                if now.get(key, "never") != frequency
            }
            services.subscriptions_set(member=member, choices=changed)
    except ValidationError as error:
        # The form checked every field first; what the service still refuses is
        # shown above the form, whichever field it names.
        form.add_error(None, error.messages)
        return False
    return True


def _render_settings(
    request: HttpRequest, form: EmailSettingsForm, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "rows": form.rows(),
        "frequencies": form.frequencies,
        "profile_topics": list(request.user.topics.only("name").order_by("position", "name")),
    }
    return render(request, "notifications/settings.html", context, status=status)


# --- One-click unsubscribe -----------------------------------------------------------------------


def _link_member(member_id: int, what: str, token: str) -> Member | None:
    """The member the link was made for, or None for a link we did not sign."""
    if not services.unsubscribe_valid(member_id, what, token):
        return None
    # Only a link this server signed gets here; a valid signature on a malformed
    # subscription would mean the secret leaked, and still changes nothing.
    if not services.subscription_valid(what):
        return None
    return Member.objects.filter(pk=member_id).first()


def _not_found(request: HttpRequest) -> HttpResponse:
    response = render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    add_never_cache_headers(response)
    return response


@login_not_required
@csrf_exempt  # The signed token is the authorisation; mail providers send no CSRF token.
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, member_id: int, what: str, token: str) -> HttpResponse:
    """GET asks (link checkers in mail filters open links); POST stops the e-mail."""
    member = _link_member(member_id, what, token)
    if member is None:
        return _not_found(request)
    context = {"what": what, "description": services.describe_subscription(what)}
    template = "notifications/unsubscribe.html"
    if request.method == "POST":
        # A member whose access has ended gets no e-mail anyway: nothing to change,
        # and the page says the same as for anyone else.
        if member.is_active:
            # A removed topic took its subscriptions with it: nothing left to stop.
            with contextlib.suppress(ValidationError):
                services.unsubscribe(member=member, what=what)
        template = "notifications/unsubscribed.html"
    response = render(request, template, context)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response
