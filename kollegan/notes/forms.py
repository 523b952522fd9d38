"""The form of Mötesnoteringar. Like Frågor's, it only reads what was sent: the
title, text, topics, group and the confidentiality guard are the services' rules,
and their refusals land on the fields through GuardedForm."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kollegan.accounts.models import Member
from kollegan.files.forms import attachment_field
from kollegan.groups.models import Group
from kollegan.groups.selectors import groups_of
from kollegan.notes.models import TITLE_MAX, Note
from kollegan.questions.forms import MARKDOWN_HINT, GuardedForm, confirmation_field, topics_field
from kollegan.topics.models import Topic


class NoteForm(GuardedForm):
    """Write a note, or (``note=`` given) edit one. The group is chosen only for a
    new free-standing note: a meeting's note belongs to the meeting's group, and a
    note keeps the readers it was written for."""

    anchors = {"topics": "{}_0"}

    title = forms.CharField(
        label=_("Title"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Notes"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=MARKDOWN_HINT,
    )
    topics = topics_field(_("Optional, at most five. Colleagues can filter the notes by topic."))
    group = forms.ModelChoiceField(
        label=_("Who can read the notes"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("All members"),
        help_text=_("A group's notes are read by its members only."),
    )
    # Only when writing; later files are attached on the note's page.
    file = attachment_field()
    confirmed = confirmation_field()

    def __init__(
        self,
        *args: Any,
        member: Member,
        note: Note | None = None,
        choose_group: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        topics = Topic.objects.filter(is_active=True)
        if note is not None:
            # A topic no longer in use stays ticked, so the writer sees it and can untick it.
            topics = Topic.objects.filter(Q(is_active=True) | Q(notes=note)).distinct()
        self.fields["topics"].queryset = topics.only("pk", "name", "slug").order_by(
            "position", "name"
        )
        if note is not None:
            del self.fields["file"]
        groups = groups_of(member).order_by("name")
        if note is None and choose_group and groups.exists():
            self.fields["group"].queryset = groups
        else:
            # Nothing to choose: the note is for all members, or for its meeting's group.
            del self.fields["group"]
