"""The forms of the group pages. They only read what was sent: names, duplicates
and unknown addresses are the services' rules, and their refusals land on the
fields through GuardedForm."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kollegan.groups.models import DESCRIPTION_MAX, NAME_MAX
from kollegan.questions.forms import GuardedForm

# Addresses may be pasted one a line, or separated by commas or semicolons (Outlook).
ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


class GroupForm(GuardedForm):
    name = forms.CharField(
        label=_("Name"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": NAME_MAX, "autocomplete": "off"}),
        help_text=_("For example “Yrkesresan Ny inom R8 – autumn”."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": DESCRIPTION_MAX}),
        help_text=_("Optional: who the group is for. Only its members and moderators see it."),
    )


class AddMembersForm(GuardedForm):
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_(
            "The members' login addresses, one a line or separated by commas. "
            "They see the group's events and notes at once."
        ),
    )

    def addresses(self) -> list[str]:
        return [part for part in ADDRESS_SEPARATORS.split(self.cleaned_data["emails"]) if part]
