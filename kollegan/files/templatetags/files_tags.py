"""What the attachment partials need to say about files: the allowed types, the
size limit, and a stored type as members call it."""

from django import template

from kollegan.files.kinds import ACCEPT, allowed_names, label_for
from kollegan.files.refusals import max_megabytes

register = template.Library()


@register.simple_tag
def files_accept() -> str:
    """For the file input's accept attribute."""
    return ACCEPT


@register.simple_tag
def files_allowed() -> str:
    return allowed_names()


@register.simple_tag
def files_limit_mb() -> str:
    return max_megabytes()


@register.filter
def file_type(content_type: str) -> str:
    """``{{ attachment.content_type|file_type }}``: "PDF", "Word document"…"""
    return label_for(content_type)
