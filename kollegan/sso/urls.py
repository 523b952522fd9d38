"""Kollegan's versions of allauth's single sign-on addresses, included under
/konto/ ahead of allauth's own, so these answer and allauth's are unreachable."""

from django.urls import path

from kollegan.accounts.views import not_available
from kollegan.sso import views

urlpatterns = [
    path("oidc/<str:provider_id>/login/", views.oidc_login, name="openid_connect_login"),
    path(
        "oidc/<str:provider_id>/login/callback/",
        views.oidc_callback,
        name="openid_connect_callback",
    ),
    path("saml/<str:organization_slug>/login/", views.saml_login, name="saml_login"),
    # No SAML single logout: without signed logout requests (optional in allauth)
    # anyone could end a member's session with a crafted link.
    path("saml/<str:organization_slug>/sls/", not_available, name="saml_sls"),
    # No third-party account management: a member's link to their organisation's
    # identity provider is made on their first single sign-on, never by hand, and
    # there is no sign-up form (invitations carry everything a member needs).
    path("3rdparty/", not_available, name="socialaccount_connections"),
    path("3rdparty/signup/", not_available, name="socialaccount_signup"),
    # Cancelled and failed logins go back to the login page with a message.
    path("3rdparty/login/cancelled/", not_available, name="socialaccount_login_cancelled"),
    path("3rdparty/login/error/", not_available, name="socialaccount_login_error"),
]
