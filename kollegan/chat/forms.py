"""The chat's forms. As elsewhere they only read what was sent; the rules
(length, the guard, who may) are the services', put back on the fields here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kollegan.chat.models import MESSAGE_MAX, NAME_MAX
from kollegan.files.forms import attachment_field
from kollegan.questions.forms import MARKDOWN_HINT, GuardedForm, confirmation_field


class MessageForm(GuardedForm):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX}),
        help_text=MARKDOWN_HINT,
    )
    file = attachment_field()
    confirmed = confirmation_field()

    def __init__(self, *args, edit: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["file"]


class GroupForm(GuardedForm):
    name = forms.CharField(
        label=_("Name of the group chat"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": NAME_MAX, "autocomplete": "off"}),
        help_text=_("For example the course cohort or the network it is for."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search in the conversation"), required=False, max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].error_messages["max_length"] = _(
            "Write at most %(limit_value)d characters."
        )


class MemberSearchForm(forms.Form):
    namn = forms.CharField(label=_("Find a member by name"), required=False, max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["namn"].error_messages["max_length"] = _(
            "Write at most %(limit_value)d characters."
        )
