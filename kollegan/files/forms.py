"""The optional file field of forms that create an item and attach to it at once
(asking a question, writing meeting notes). The form only reads the file; the
services check it (kollegan.files.validation) before anything is written."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kollegan.files.kinds import ACCEPT, allowed_names
from kollegan.files.refusals import max_megabytes


def _help() -> str:
    return _(
        "Optional. %(allowed)s; at most %(max)s MB. The author's name is removed from the "
        "file's properties. A file with a personal identity number in it is refused."
    ) % {"allowed": allowed_names(), "max": max_megabytes()}


attachment_help = lazy(_help, str)


def attachment_field() -> forms.FileField:
    return forms.FileField(
        label=gettext_lazy("Attach a file"),
        required=False,
        # An empty file and a too large one are refused by the service, in its words.
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text=attachment_help(),
    )
