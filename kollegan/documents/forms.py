"""The forms of Dokument. Like the other sections', they only read what was sent:
lengths, choices, dates, addresses and the confidentiality guard are the
services' rules, and their refusals land on the fields through GuardedForm."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kollegan.accounts.models import Member, Organisation
from kollegan.documents.models import (
    CHANGE_NOTE_MAX,
    DECIDED_BY_MAX,
    TITLE_MAX,
    AdoptionStatus,
    Document,
    DocumentKind,
    DocumentStatus,
)
from kollegan.questions.forms import MARKDOWN_HINT, GuardedForm, confirmation_field, topics_field
from kollegan.topics.models import Topic

NUMBER_MAX = 2**31 - 1


# The version select lists the newest few (and the one asked for); every version
# is still accepted, so a long history does not make every page render hundreds of
# options.
SHOWN_VERSIONS = 10


def _version_choices(document: Document, empty: str, also: int | None = None) -> list:
    """Newest first, no query: a document's versions are 1 to its current number."""
    newest = document.version_number
    numbers = list(range(newest, max(newest - SHOWN_VERSIONS, 0), -1))
    if also is not None and 0 < also <= newest and also not in numbers:
        numbers.append(also)
    choices = [("", empty)]
    for number in numbers:
        label = _("Version %(number)d") % {"number": number}
        if number == newest:
            label = _("Version %(number)d (the current one)") % {"number": number}
        choices.append((str(number), label))
    return choices


def _chosen(form: forms.Form, name: str) -> int | None:
    """The version number sent or preset, so that it is among the choices shown."""
    value = str((form.data if form.is_bound else form.initial).get(name) or "")
    return int(value) if value.isdigit() and len(value) < 10 else None


class VersionField(forms.TypedChoiceField):
    """One of the document's versions, 1 to ``newest``, whether listed or not."""

    newest = 0

    def valid_value(self, value) -> bool:
        text = str(value)
        return text == "" or (text.isdigit() and 0 < int(text) <= self.newest)


class DocumentForm(GuardedForm):
    """Write a document, or (``document=`` given) save a new version of it. The
    status is chosen when the document is written; later on its own page."""

    anchors = {"topics": "{}_0"}

    title = forms.CharField(
        label=_("Title"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "autocomplete": "off"}),
    )
    kind = forms.CharField(label=_("Type"), required=False, widget=forms.Select)
    status = forms.CharField(
        label=_("Status"),
        required=False,
        widget=forms.Select,
        help_text=_("Draft while you work on it; out for comments when colleagues should react."),
    )
    topics = topics_field(_("Optional, at most five. Colleagues find the document by its topics."))
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22}),
        help_text=_(
            "You can use Markdown: ## headings, *italic*, **bold**, lists, tables and links."
        ),
    )
    change_note = forms.CharField(
        label=_("What did you change?"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": CHANGE_NOTE_MAX, "autocomplete": "off"}),
        help_text=_("A short note in the history, for example “Updated the contact details”."),
    )
    # The version the edit started from: a save from an older one is refused.
    base_version = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=NUMBER_MAX
    )
    confirmed = confirmation_field()

    def __init__(self, *args: Any, document: Document | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.choices = DocumentKind.choices
        statuses = [(value, label) for value, label in DocumentStatus.choices]
        self.fields["status"].widget.choices = [
            choice for choice in statuses if choice[0] != DocumentStatus.ARCHIVED
        ]
        topics = Topic.objects.filter(is_active=True)
        if document is None:
            del self.fields["base_version"]
            self.fields["change_note"].label = _("Note for the history")
            self.fields["change_note"].help_text = _(
                "Optional, for example “First draft from the working group”."
            )
        else:
            del self.fields["status"]
            # A topic no longer in use stays ticked, so the editor sees it and can untick it.
            topics = Topic.objects.filter(Q(is_active=True) | Q(documents=document)).distinct()
        self.fields["topics"].queryset = topics.only("pk", "name", "slug").order_by(
            "position", "name"
        )

    def clean_base_version(self) -> int:
        value = self.cleaned_data.get("base_version")
        if value is None:
            raise forms.ValidationError(
                _("The form lacks the version it was based on. Open the editor again.")
            )
        return value


class CommentForm(GuardedForm):
    body = forms.CharField(
        label=_("Your comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HINT,
    )
    version = VersionField(
        label=_("About"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Comment on the document as a whole, or on one version of it."),
    )
    confirmed = confirmation_field()

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "kommentar-%s")
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        field.newest = document.version_number
        field.choices = _version_choices(
            document, _("The whole document"), _chosen(self, "version")
        )
        self.fields["version"].error_messages["invalid_choice"] = _(
            "The document has no such version."
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=DocumentStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a status."),
            "invalid_choice": _("Choose a status from the list."),
        },
    )


class AdoptionForm(GuardedForm):
    """An organisation's decision. Members record their own organisation's: for
    them the organisation is a hidden field, and the service refuses any other."""

    anchors = {"status": "{}_0"}

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        error_messages={
            "required": _("Choose the organisation."),
            "invalid_choice": _("Choose an organisation from the list."),
        },
    )
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=AdoptionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what was decided."),
            "invalid_choice": _("Choose what was decided."),
        },
    )
    decided_on = forms.DateField(
        label=_("Date of the decision"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give the date as year-month-day, e.g. 2026-03-24.")},
    )
    decided_by = forms.CharField(
        label=_("Decided by"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": DECIDED_BY_MAX, "autocomplete": "off"}),
        help_text=_("The body that decided, for example “Socialnämnden”."),
    )
    variant_url = forms.CharField(
        label=_("Link to the local variant"),
        required=False,
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Where your own version can be read, if you adopted it with local changes. "
            "You can also attach it as a file once the decision is saved."
        ),
    )
    version_number = VersionField(
        label=_("Version decided on"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, document: Document, member: Member, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "antagande-%s")
        super().__init__(*args, **kwargs)
        if not member.is_moderator:
            self.fields["organisation"].widget = forms.HiddenInput()
        field = self.fields["version_number"]
        field.newest = document.version_number
        field.choices = _version_choices(document, _("Not known"), _chosen(self, "version_number"))
        self.fields["version_number"].error_messages["invalid_choice"] = _(
            "The document has no such version."
        )
