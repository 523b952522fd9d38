from django.core.management.base import CommandError

from kollegan.accounts.models import Organisation
from kollegan.accounts.selectors import organisation_by_name


def organisation_for_command(name: str) -> Organisation:
    """The organisation an operator named on the command line, or a one-line refusal."""
    organisation = organisation_by_name(name)
    if organisation is None:
        raise CommandError(f"Okänd kommun eller organisation: {name}")
    return organisation
