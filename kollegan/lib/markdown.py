"""Every text a member writes goes through here: Markdown in, sanitised HTML out."""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Raw HTML is escaped by markdown-it ("html": False) and whatever HTML it makes is
# cleaned again by nh3 below: two independent layers, so a bug in one is not a hole.
_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable(["table", "strikethrough"])
    # Images would load from anywhere (tracking pixels) and the policy blocks them
    # anyway; without the rule ![text](url) stays visible as a link to the picture.
    .disable("image")
)

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str, *, mentions: bool = False) -> SafeString:
    """Sanitised HTML for a member's Markdown. ``mentions`` links "@Name" to the
    member's profile (one query; see kollegan.lib.mentions)."""
    if not text:
        return mark_safe("")
    if mentions:
        from kollegan.lib.mentions import link_mentions

        text, _mentioned = link_mentions(text)
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        # Only these schemes survive in href; relative links stay (links within Kollegan).
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 above
