"""allauth.mfa's security-key forms with a translated label for the key's name
(allauth leaves it to Django's English field name). Set in MFA_FORMS."""

from allauth.mfa.webauthn import forms
from django.utils.translation import gettext_lazy as _


class AddWebAuthnForm(forms.AddWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the key")


class EditWebAuthnForm(forms.EditWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the key")
