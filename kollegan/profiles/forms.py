from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kollegan.accounts.models import ExpertiseLabel, Member, Unit, Visibility
from kollegan.profiles.photos import PreparedPhoto, prepare_photo
from kollegan.profiles.services import LABEL_MAX_LENGTH, expertise_label_normalise
from kollegan.topics.models import Topic


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is the token for?"),
        max_length=80,
        help_text=_("For example “Import from our case system”. Only you see it."),
    )


PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9 ()\-]{5,30}$",
    _("Write the number with digits, for example 0950-123 45 or +46 950 123 45."),
)
# A member lists what they can be asked about; more than this is a CV, not a signpost.
MAX_EXPERTISE_LABELS = 30
NEW_LABEL_INPUTS = 3


class SeveralTextInputs(forms.Widget):
    """Several text inputs sharing one name. The template draws them (each with a
    label and the <datalist> of existing labels); this only reads them back."""

    def value_from_datadict(self, data, files, name: str) -> list[str]:
        return data.getlist(name) if hasattr(data, "getlist") else list(data.get(name, []))

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return name not in data


class NewLabelsField(forms.Field):
    """Free-text labels; one box may hold several separated by commas."""

    widget = SeveralTextInputs

    def clean(self, value: list[str] | None) -> list[str]:
        parts = [" ".join(part.split()) for text in value or [] for part in str(text).split(",")]
        for part in parts:
            if len(part) > LABEL_MAX_LENGTH:
                raise ValidationError(
                    _("“%(label)s…” is too long: a label may be at most %(max)s characters.")
                    % {"label": part[:30], "max": LABEL_MAX_LENGTH},
                    code="label_too_long",
                )
        return [name for name in map(expertise_label_normalise, parts) if name]


class ProfileForm(forms.Form):
    """What a member says about themselves on their profile."""

    # Passed to services.profile_update as they are; labels and photo need work first.
    PROFILE_FIELDS = (
        "name",
        "title",
        "unit",
        "town",
        "phone",
        "phone_visibility",
        "email_visibility",
        "about",
        "topics",
    )

    name = forms.CharField(label=_("Name"), max_length=150)
    title = forms.CharField(
        label=_("Function"),
        max_length=150,
        required=False,
        help_text=_("For example “Socialsekreterare, barn och unga”."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("No unit"),
    )
    town = forms.CharField(label=_("Town"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Work phone"),
        max_length=30,
        required=False,
        validators=[PHONE_VALIDATOR],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    phone_visibility = forms.ChoiceField(
        label=_("Who sees the phone number"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
    )
    email_visibility = forms.ChoiceField(
        label=_("Who sees the e-mail address"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
    )
    about = forms.CharField(
        label=_("About me"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown is allowed: *italic*, **bold**, lists and links."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Knowledge areas"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expertise = forms.ModelMultipleChoiceField(
        label=_("Labels you have"),
        queryset=ExpertiseLabel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a label to remove it."),
    )
    expertise_new = NewLabelsField(
        label=_("New labels"),
        required=False,
        help_text=_(
            "Choose a label colleagues already use, or write a new one. "
            "Separate several with commas."
        ),
    )
    photo = forms.FileField(
        label=_("New photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    def __init__(self, *args, member: Member, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": member.name,
                "title": member.title,
                "unit": member.unit_id,
                "town": member.town,
                "phone": member.phone,
                "phone_visibility": member.phone_visibility,
                "email_visibility": member.email_visibility,
                "about": member.about,
                "topics": [topic.pk for topic in member.topics.all()],
                "expertise": [label.pk for label in member.expertise.all()],
            },
        )
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["photo"].help_text = _(
            "JPEG, PNG, WebP or GIF, at most %(megabytes)s MB. "
            "The photo is cut to a square and location data is removed."
        ) % {"megabytes": settings.PROFILE_PHOTO_MAX_BYTES // (1024 * 1024) or 1}
        # The organisation is the administrators' to set; its units are the member's to pick.
        self.fields["unit"].queryset = Unit.objects.filter(organisation_id=member.organisation_id)
        # Topics no longer in use cannot be chosen, but one already chosen can be unticked.
        self.fields["topics"].queryset = Topic.objects.filter(
            Q(is_active=True) | Q(members=member)
        ).distinct()
        self.fields["expertise"].queryset = member.expertise.all()

    @property
    def new_label_values(self) -> list[str]:
        """What the label boxes show: the text sent back after an error, else empty."""
        values = [str(v) for v in (self["expertise_new"].value() or []) if v][:NEW_LABEL_INPUTS]
        return values + [""] * (NEW_LABEL_INPUTS - len(values))

    def clean_photo(self) -> PreparedPhoto | None:
        upload = self.cleaned_data.get("photo")
        # Checked here, not in the service, so a bad file stops the whole form.
        return prepare_photo(upload) if upload else None

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("remove_photo") and not self.member.photo_key:
            cleaned["remove_photo"] = False  # Nothing to remove; the box is not even shown.
        if cleaned.get("photo") and cleaned.get("remove_photo"):
            self.add_error(
                "photo",
                ValidationError(
                    _("Either choose a new photo or remove the old one, not both."),
                    code="photo_and_remove",
                ),
            )
        kept = {label.name.casefold() for label in cleaned.get("expertise") or []}
        new = {name.casefold() for name in cleaned.get("expertise_new") or []}
        if len(kept | new) > MAX_EXPERTISE_LABELS:
            self.add_error(
                "expertise_new",
                _("You can have at most %(max)s labels.") % {"max": MAX_EXPERTISE_LABELS},
            )
        return cleaned

    def label_names(self) -> list[str]:
        kept = [label.name for label in self.cleaned_data["expertise"]]
        return kept + self.cleaned_data["expertise_new"]
