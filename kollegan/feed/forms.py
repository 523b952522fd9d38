"""The forms of the start page's posts. Like Frågor's, they only read what was
sent: lengths, links, pictures, topics and the confidentiality guard are the
services' rules, and their refusals land on the fields through GuardedForm."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kollegan.feed.models import LINK_MAX, Post
from kollegan.questions.forms import MARKDOWN_HINT, GuardedForm, confirmation_field, topics_field
from kollegan.topics.models import Topic

IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"


class PostForm(GuardedForm):
    """Write a post, or (``post=`` given) edit one: then without the picture,
    which stays as it was."""

    anchors = {"topics": "{}_0"}

    body = forms.CharField(
        label=_("Your post"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HINT,
    )
    topics = topics_field(_("Optional, at most five. Colleagues can filter the feed by topic."))
    link = forms.CharField(
        label=_("Link"),
        required=False,
        widget=forms.URLInput(attrs={"maxlength": LINK_MAX, "autocomplete": "off"}),
        help_text=_("Optional: a web address starting with https://"),
    )
    image = forms.FileField(
        label=_("Picture"),
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
        help_text=_(
            "Optional: JPEG, PNG, WebP or GIF. Say in the text what the picture shows, "
            "for colleagues who cannot see it."
        ),
    )
    confirmed = confirmation_field()

    def __init__(self, *args: Any, post: Post | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = Topic.objects.filter(is_active=True)
        if post is not None:
            # A topic no longer in use stays ticked, so the writer sees it and can untick it.
            topics = Topic.objects.filter(Q(is_active=True) | Q(posts=post)).distinct()
            del self.fields["image"]
        self.fields["topics"].queryset = topics.only("pk", "name", "slug").order_by(
            "position", "name"
        )

    def offer_topics(self, topics: list[Topic]) -> None:
        """Offer topics the page has already read (the start page's filter): one
        query less. Only for a form that is shown, never for one that validates."""
        self.fields["topics"].choices = [(topic.slug, topic.name) for topic in topics]

    def topic_boxes(self) -> list[tuple[str, str, bool]]:
        """(slug, name, ticked) for each topic: the template writes the checkboxes
        itself, since the widget's eleven small templates cost 2 ms per start page."""
        chosen = {str(value) for value in (self["topics"].value() or [])}
        return [
            (str(value), str(label), str(value) in chosen)
            for value, label in self.fields["topics"].choices
        ]

    @property
    def details_open(self) -> bool:
        """Topics, link and picture sit in a disclosure; it opens when they hold something."""
        if not self.is_bound:
            return bool(self.initial.get("topics") or self.initial.get("link"))
        names = ("topics", "link", "image")
        return any(name in self.errors for name in names) or bool(
            self.data.getlist("topics") or self.data.get("link")
        )


class ReplyForm(GuardedForm):
    body = forms.CharField(
        label=_("Your reply"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HINT,
    )
    confirmed = confirmation_field()
