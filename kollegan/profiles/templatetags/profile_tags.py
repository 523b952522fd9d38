from django import template

from kollegan.accounts.models import Member
from kollegan.lib.phone import dial_digits

register = template.Library()


@register.filter
def photo_url(member: Member, size: str = "small") -> str:
    """``{{ member|photo_url:"medium" }}``: the address of one size, "" without a photo."""
    return member.photo_url(size)


@register.filter
def tel_href(phone: str) -> str:
    """The tel: link for a number as written ("0950-123 45" → "tel:095012345")."""
    digits = dial_digits(phone)
    return f"tel:{digits}" if digits else ""
