"""Template tags over kollegan.questions.rendering, so lists, the question header,
the history and the thread show one and the same markup."""

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from kollegan.lib.html import csrf_input
from kollegan.questions import rendering

register = template.Library()


@register.simple_tag
def byline(
    item,
    is_question: bool = False,
    compact: bool = False,
    plain: bool = False,
    history_url: str = "",
) -> SafeString:
    """``{% byline question is_question=True compact=True %}``: who wrote it, and when."""
    html = rendering.Bylines().render(
        item, is_question=is_question, compact=compact, plain=plain, history_url=history_url
    )
    return mark_safe(html)  # noqa: S308 - rendering escapes every value


@register.simple_tag
def hidden_marker(item, is_moderator: bool = False) -> SafeString:
    html = rendering.hidden_marker(item, is_moderator=is_moderator)
    return mark_safe(html)  # noqa: S308 - rendering escapes every value


@register.simple_tag(takes_context=True)
def moderate(context, item, kind: str) -> SafeString:
    """``{% moderate question "fraga" %}``: the moderator's hide or restore form."""
    html = rendering.moderate_controls(
        item,
        csrf=csrf_input(get_token(context["request"])),
        url=reverse("questions:moderate", args=[kind, item.pk]),
    )
    return mark_safe(html)  # noqa: S308 - rendering escapes every value
