"""Kollegan's front doors to allauth's provider logins.

* The login page's buttons POST here; a GET (an old bookmark, a crawler) is sent
  to the login page instead of allauth's "continue?" page.
* A provider that is not linked to an organisation answers 404 and is logged.
* OpenID Connect: the ID token's signature is always checked against the
  provider's published keys (allauth skips the check when the token came
  straight from the token endpoint over TLS); issuer, audience and expiry are
  checked as before.
"""

import logging

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.socialaccount.providers.saml import views as saml_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from kollegan.sso.models import OIDC, SAML, OrganisationLogin

logger = logging.getLogger("kollegan.sso")


class VerifyingOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


def _require_organisation_login(request: HttpRequest, **app_filter) -> None:
    filters = {f"social_app__{key}": value for key, value in app_filter.items()}
    if not OrganisationLogin.objects.filter(enabled=True, **filters).exists():
        logger.warning(
            "Single sign-on through an unconfigured provider refused: %s from %s",
            app_filter,
            request.META.get("REMOTE_ADDR", ""),
        )
        raise Http404


def _unknown_app(request: HttpRequest, provider_id: str) -> Http404:
    logger.warning(
        "Single sign-on answer for an unknown provider %r refused (from %s)",
        provider_id,
        request.META.get("REMOTE_ADDR", ""),
    )
    return Http404()


@never_cache
@login_not_required
def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("account_login")
    _require_organisation_login(request, provider=OIDC, provider_id=provider_id)
    try:
        return OAuth2LoginView.adapter_view(VerifyingOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise _unknown_app(request, provider_id) from None


@never_cache
@login_not_required
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2CallbackView.adapter_view(VerifyingOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise _unknown_app(request, provider_id) from None


@never_cache
@login_not_required
def saml_login(request: HttpRequest, organization_slug: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("account_login")
    _require_organisation_login(request, provider=SAML, client_id=organization_slug)
    return saml_views.login(request, organization_slug=organization_slug)
