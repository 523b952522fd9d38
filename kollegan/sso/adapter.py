"""Single sign-on for a closed platform: an organisation's identity provider
vouches for an e-mail address, and that address must already belong to an
active member of the same organisation, or to a pending invitation from it.

Trust: an identity provider is configured by Kollegan's administrators for one
organisation (``OrganisationLogin``), so the address it asserts is treated as
verified, whatever ``email_verified`` says (Entra ID, for one, does not send
it). The organisation boundary and the optional domain list keep one
municipality's IdP from vouching for another municipality's staff.
"""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base.constants import AuthError, AuthProcess
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kollegan.accounts import services as account_services
from kollegan.accounts.models import Member
from kollegan.audit.models import Action
from kollegan.audit.services import audit_log
from kollegan.core.selectors import site_config
from kollegan.sso.models import OrganisationLogin

logger = logging.getLogger("kollegan.sso")


class Refusal:
    """Why a single sign-on was refused: the audit log's reason and the page's text."""

    UNCONFIGURED = "unconfigured_provider"
    NOT_LOGIN = "not_a_login"
    NO_EMAIL = "no_email"
    DOMAIN = "domain_not_allowed"
    UNKNOWN = "no_member_or_invitation"
    DEACTIVATED = "member_deactivated"
    OTHER_ORGANISATION = "other_organisation"
    INVALID_RESPONSE = "invalid_response"


def _message(reason: str) -> str:
    site = site_config().site_name
    if reason == Refusal.DEACTIVATED:
        return _(
            "Your membership of %(site)s has ended, so you cannot log in. "
            "Contact an administrator if you should still have access."
        ) % {"site": site}
    if reason == Refusal.INVALID_RESPONSE:
        return _(
            "The login could not be verified with your organisation's identity provider. "
            "Try again, and contact an administrator if it keeps happening."
        )
    if reason == Refusal.UNCONFIGURED:
        return _("This identity provider is not set up for logging in to %(site)s.") % {
            "site": site
        }
    return _(
        "Your account with your organisation is not connected to any member of %(site)s. "
        "Access is by invitation: ask an administrator to invite the e-mail address "
        "your organisation uses for you."
    ) % {"site": site}


def _asserted_email(sociallogin: SocialLogin) -> str:
    for address in sociallogin.email_addresses:
        if address.email:
            return address.email.strip().lower()
    user_email = getattr(sociallogin.user, "email", "") or ""
    return user_email.strip().lower()


class OrganisationSocialAccountAdapter(DefaultSocialAccountAdapter):
    def _organisation_login(self, sociallogin: SocialLogin) -> OrganisationLogin | None:
        app = getattr(sociallogin.provider, "app", None)
        if app is None or not app.pk:
            return None
        return (
            OrganisationLogin.objects.select_related("organisation")
            .filter(social_app=app, enabled=True)
            .first()
        )

    def refuse(
        self,
        request: HttpRequest,
        reason: str,
        *,
        email: str = "",
        member: Member | None = None,
        login: OrganisationLogin | None = None,
        provider_id: str = "",
        detail: dict | None = None,
        status: int = 403,
    ):
        """Answer with a Swedish explanation, and record who tried and why."""
        entry = {
            "reason": reason,
            "provider": provider_id,
            "organisation": login.organisation.slug if login else "",
            **(detail or {}),
        }
        logger.warning("Single sign-on refused for %s: %s", email or "(no address)", entry)
        audit_log(
            action=Action.SSO_REFUSED,
            actor=None,
            subject=member,
            subject_label=email or provider_id,
            detail=entry,
        )
        response = render(request, "sso/refused.html", {"message": _message(reason)}, status=status)
        raise ImmediateHttpResponse(response)

    # --- allauth's hooks ---------------------------------------------------------------

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider_id = sociallogin.account.provider
        email = _asserted_email(sociallogin)
        login = self._organisation_login(sociallogin)
        context = {"email": email, "login": login, "provider_id": provider_id}
        if login is None:
            self.refuse(request, Refusal.UNCONFIGURED, **context)
        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            # Members do not connect further accounts: the organisation's IdP is the link.
            self.refuse(request, Refusal.NOT_LOGIN, **context)
        if sociallogin.is_existing:
            # Seen before: the IdP's stable subject id is already linked to a member.
            self._check_member(request, sociallogin.user, **context)
            return
        if not email:
            self.refuse(request, Refusal.NO_EMAIL, **context)
        if not login.allows_email(email):
            self.refuse(request, Refusal.DOMAIN, **context)
        member = Member.objects.filter(email__iexact=email).first()
        if member is not None:
            self._check_member(request, member, **context)
            sociallogin.connect(request, member)
            logger.info("Connected %s's %s login to member %s", email, provider_id, member.pk)
            return
        invitation = account_services.invitation_pending_for_email(email)
        if invitation is None or invitation.organisation_id != login.organisation_id:
            self.refuse(request, Refusal.UNKNOWN, **context)
        # Only now may allauth sign up: save_user() creates the member from it.
        sociallogin._kollegan_invitation = invitation

    def _check_member(self, request, member: Member, *, email, login, provider_id) -> None:
        context = {"email": email or member.email, "login": login, "provider_id": provider_id}
        if not member.is_active:
            self.refuse(request, Refusal.DEACTIVATED, member=member, **context)
        if member.organisation_id != login.organisation_id:
            self.refuse(request, Refusal.OTHER_ORGANISATION, member=member, **context)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return getattr(sociallogin, "_kollegan_invitation", None) is not None

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return self.is_open_for_signup(request, sociallogin)

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None) -> Member:
        invitation = sociallogin._kollegan_invitation
        with transaction.atomic():
            try:
                member = account_services.invitation_accept_sso(
                    invitation=invitation, name=sociallogin.user.name
                )
            except account_services.InvitationError as error:
                response = render(
                    request, "sso/refused.html", {"message": error.message}, status=error.status
                )
                raise ImmediateHttpResponse(response) from error
            sociallogin.user = member
            sociallogin.save(request)
        logger.info(
            "Member %s joined through single sign-on (invitation %s)", member.pk, invitation.pk
        )
        return member

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.name = str(name or "").strip()[:150]
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        provider_id = getattr(provider, "sub_id", "") if provider else ""
        if error == AuthError.CANCELLED:
            logger.info("Single sign-on cancelled at %s", provider_id)
            messages.info(request, _("The login with your organisation's account was cancelled."))
            raise ImmediateHttpResponse(redirect("account_login"))
        if exception is None:
            # No login under way (an old tab, an expired session) or the IdP
            # reported an error: nothing was asserted, so nothing to audit.
            logger.warning("Single sign-on failed at %s: %s", provider_id, error)
            messages.error(
                request,
                _("The login with your organisation's account could not be completed. Try again."),
            )
            raise ImmediateHttpResponse(redirect("account_login"))
        login = None
        app = getattr(provider, "app", None)
        if app is not None and app.pk:
            login = OrganisationLogin.objects.filter(social_app=app).first()
        self.refuse(
            request,
            Refusal.INVALID_RESPONSE,
            login=login,
            provider_id=provider_id,
            detail={"error": f"{type(exception).__name__}: {exception}"[:300]},
        )
