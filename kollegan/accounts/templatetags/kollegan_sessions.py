from django import template

from kollegan.accounts.sessions import UNKNOWN_IP, describe_device

register = template.Library()


@register.filter
def device(user_agent: str) -> str:
    """ "Firefox on Windows" from a User-Agent header."""
    return describe_device(user_agent)


@register.filter
def known_ip(ip: str) -> str:
    return "" if ip == UNKNOWN_IP else ip
