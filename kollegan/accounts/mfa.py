"""Two-factor login (allauth.mfa) and the administrators' requirement for it.

The administrators choose in the admin who must use a second step after the
password (``SiteSettings.mfa_required_for``). A logged-in member that choice
covers who has neither an authenticator app nor a security key is sent to set
one up before anything else; the API refuses them with 403 until then, for the
browser session and for their API tokens alike (see README, "Two-factor login").

Cheap on purpose: the requirement comes from the cached ``site_config()``, so a
member it does not cover costs no query; a covered member costs one.
"""

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member, Role
from kollegan.core.models import MFARequirement
from kollegan.core.selectors import site_config

# An app or a key is a second step; recovery codes only stand in for one.
SECOND_STEPS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

ROLES_COVERED: dict[str, frozenset[str]] = {
    MFARequirement.NOBODY: frozenset(),
    MFARequirement.ADMINISTRATORS: frozenset({Role.ADMIN}),
    MFARequirement.MODERATORS: frozenset({Role.MODERATOR, Role.ADMIN}),
    MFARequirement.EVERYONE: frozenset({Role.MEMBER, Role.MODERATOR, Role.ADMIN}),
}

# allauth's MFA pages (set-up, codes, keys), the login's code step and the
# "confirm it's you" step the set-up pages may ask for first.
_SETUP_PREFIXES = ("/konto/2fa/", "/konto/reauthenticate/")
_ALWAYS_OPEN_URL_NAMES = ("account_logout", "set_language", "accessibility")


def is_required_for(member: Member) -> bool:
    """Whether the administrators require two-factor login of this member (no query)."""
    return member.role in ROLES_COVERED.get(site_config().mfa_required_for, frozenset())


def has_second_step(member: Member) -> bool:
    return Authenticator.objects.filter(user_id=member.pk, type__in=SECOND_STEPS).exists()


def setup_pending(member: Member) -> bool:
    """Covered by the requirement and no app or key yet: no query unless covered."""
    return is_required_for(member) and not has_second_step(member)


def setup_required_message() -> str:
    return _(
        "The administrators require two-factor login. Set up an authenticator app or "
        "a security key before you continue."
    )


class MFARequiredMiddleware:
    """Sends a covered member without a second step to the set-up page, from every
    page except the set-up pages themselves, logging out, the accessibility
    statement, language switching, public pages and static files. The API does
    its own check (kollegan.api.api) and answers 403."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        path = request.path_info
        if path.startswith(("/api/", settings.STATIC_URL)):
            return None
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages: login, invitation, accessibility …
        if path.startswith(_SETUP_PREFIXES):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in _ALWAYS_OPEN_URL_NAMES:
            return None
        if not setup_pending(user):
            return None
        return redirect("mfa_activate_totp")


def api_refusal() -> JsonResponse:
    return JsonResponse({"detail": setup_required_message()}, status=403)


class KolleganMFAAdapter(DefaultMFAAdapter):
    def _get_site_name(self) -> str:
        # The issuer in the authenticator app and the name the browser shows for a
        # security key: the site's name from the admin, not the host name.
        return site_config().site_name

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """A member who must use two-factor login keeps at least one app or key."""
        if authenticator.type not in SECOND_STEPS:
            return True
        member = authenticator.user
        if not is_required_for(member):
            return True
        others = Authenticator.objects.filter(user_id=member.pk, type__in=SECOND_STEPS)
        return others.exclude(pk=authenticator.pk).exists()


def record_change(*, user: Member, authenticator: Authenticator, change: str) -> None:
    """Audit every app, key and set of recovery codes a member adds, removes or renews."""
    from kollegan.audit.models import Action
    from kollegan.audit.services import audit_log

    audit_log(
        action=Action.MFA_CHANGED,
        actor=user,
        subject=user,
        detail={"change": change, "type": authenticator.type},
    )


def _on_added(sender, user, authenticator, **kwargs) -> None:
    record_change(user=user, authenticator=authenticator, change="added")


def _on_removed(sender, user, authenticator, **kwargs) -> None:
    record_change(user=user, authenticator=authenticator, change="removed")


def _on_reset(sender, user, authenticator, **kwargs) -> None:
    record_change(user=user, authenticator=authenticator, change="reset")


def connect_signals() -> None:
    """Called from AccountsConfig.ready()."""
    from allauth.mfa import signals

    signals.authenticator_added.connect(_on_added, dispatch_uid="kollegan-mfa-added")
    signals.authenticator_removed.connect(_on_removed, dispatch_uid="kollegan-mfa-removed")
    signals.authenticator_reset.connect(_on_reset, dispatch_uid="kollegan-mfa-reset")
