from django import forms
from django.utils.translation import gettext_lazy as _

from kollegan.search.query import QUERY_MAX
from kollegan.search.sources import TYPE_LABELS

SORT_CHOICES = [("relevans", _("Best match")), ("nyast", _("Newest"))]
PAGE_MAX = 25  # at most 500 candidates, 20 a page


class SearchForm(forms.Form):
    """The search page's address: /sok/?q=…&typ=…&amne=…&organisation=…&fran=…&till=…"""

    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=QUERY_MAX,
        error_messages={
            "max_length": _("Write at most %(limit_value)d characters in the search box.")
        },
    )
    typ = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Everything")), *TYPE_LABELS.items()],
        error_messages={"invalid_choice": _("There is no such type to search for.")},
    )
    amne = forms.SlugField(label=_("Topic"), required=False, max_length=70)
    organisation = forms.SlugField(label=_("Organisation"), required=False, max_length=60)
    fran = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD, for example 2026-03-01.")},
    )
    till = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD, for example 2026-03-31.")},
    )
    sortera = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": _("Sort by best match or by newest.")},
    )
    sida = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=PAGE_MAX,
        error_messages={
            "invalid": _("The page number must be a number."),
            "min_value": _("The page number must be a number."),
            "max_value": _("Only the first %(limit_value)d pages of results are shown."),
        },
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("fran"), data.get("till")
        if since and until and since > until:
            self.add_error("till", _("The end date comes before the start date."))
        return data
