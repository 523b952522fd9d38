from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kollegan.accounts.models import Organisation

OIDC = "openid_connect"
SAML = "saml"


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return ""


class OrganisationLogin(models.Model):
    """An organisation's own identity provider, offered as a button on the login page.

    The provider itself (client id and secret for OpenID Connect, the IdP's entity
    id, login address and certificate for SAML) is allauth's ``SocialApp``; this
    row says which organisation it speaks for. A login through it only reaches
    members of that organisation, and invitations sent for it."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="sso_logins",
        verbose_name=_("organisation"),
    )
    social_app = models.OneToOneField(
        SocialApp,
        on_delete=models.CASCADE,
        related_name="organisation_login",
        verbose_name=_("identity provider"),
    )
    label = models.CharField(
        _("button text"),
        max_length=120,
        help_text=_("Shown on the login page, e.g. “Log in with your Lycksele account”."),
    )
    email_domains = models.CharField(
        _("allowed e-mail domains"),
        max_length=500,
        blank=True,
        help_text=_(
            "Comma-separated, e.g. “lycksele.se, skola.lycksele.se”. "
            "Empty: any address the identity provider vouches for."
        ),
    )
    extra_form_origins = models.TextField(
        _("further login addresses"),
        blank=True,
        help_text=_(
            "One origin per line (https://adfs.example.se) that the identity provider "
            "passes the login on to. The login page's security policy allows only these "
            "and the provider's own address."
        ),
    )
    enabled = models.BooleanField(_("shown on the login page"), default=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("organisation login")
        verbose_name_plural = _("organisation logins")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        app = getattr(self, "social_app", None)
        if app is not None and app.provider not in {OIDC, SAML}:
            raise ValidationError(
                {"social_app": _("Only OpenID Connect and SAML providers can be used.")}
            )

    @property
    def allowed_domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]

    def allows_email(self, email: str) -> bool:
        domains = self.allowed_domains
        return not domains or email.rpartition("@")[2].lower() in domains

    def login_url(self) -> str:
        app = self.social_app
        if app.provider == SAML:
            return reverse("saml_login", kwargs={"organization_slug": app.client_id})
        return reverse("openid_connect_login", kwargs={"provider_id": app.provider_id})

    def form_origins(self) -> list[str]:
        """Where the browser goes when the login button's form is sent: the
        login page's Content-Security-Policy must allow these for form-action."""
        settings = self.social_app.settings or {}
        if self.social_app.provider == SAML:
            idp = settings.get("idp") or {}
            urls = [idp.get("sso_url", "")]
        else:
            overrides = settings.get("openid_configuration_overrides") or {}
            urls = [settings.get("server_url", ""), overrides.get("authorization_endpoint", "")]
        urls += self.extra_form_origins.split()
        origins = []
        for url in urls:
            origin = _origin(url)
            if origin and origin not in origins:
                origins.append(origin)
        return origins
