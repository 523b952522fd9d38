from django import template

from kollegan.accounts import mfa

register = template.Library()


@register.simple_tag(takes_context=True)
def mfa_required(context) -> bool:
    """Whether the administrators require two-factor login of the logged-in member."""
    user = context.get("user")
    return bool(user is not None and user.is_authenticated and mfa.is_required_for(user))


@register.filter
def allows_security_keys(js_data) -> bool:
    """Whether the login's WebAuthn options list any key of this member."""
    options = (js_data or {}).get("request_options") or {}
    public_key = options.get("publicKey", options)
    return bool(public_key.get("allowCredentials"))


@register.simple_tag(takes_context=True)
def mfa_enabled(context) -> bool:
    """Whether the logged-in member has an authenticator app or a security key (one query)."""
    user = context.get("user")
    return bool(user is not None and user.is_authenticated and mfa.has_second_step(user))
