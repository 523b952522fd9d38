import re

from django import template

from kollegan.accounts.models import Member

register = template.Library()

_NOT_DIALLED = re.compile(r"[^0-9+]")


@register.filter
def photo_url(member: Member, size: str = "small") -> str:
    """``{{ member|photo_url:"medium" }}``: the address of one size, "" without a photo."""
    return member.photo_url(size)


@register.filter
def tel_href(phone: str) -> str:
    """The tel: link for a number as written: phones dial digits and a leading plus only,
    so "0950-123 45" becomes "tel:095012345"."""
    digits = _NOT_DIALLED.sub("", phone or "")
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}" if digits else ""
