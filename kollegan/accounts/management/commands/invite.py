from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollegan.accounts import services
from kollegan.accounts.models import Role
from kollegan.accounts.selectors import organisation_by_name


class Command(BaseCommand):
    help = "Invite someone by e-mail and print the invitation link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--municipality", required=True, help="organisation name or short name")
        parser.add_argument("--role", default=Role.MEMBER, choices=Role.values)
        parser.add_argument(
            "--no-email", action="store_true", help="only print the link, send no e-mail"
        )

    def handle(self, *args, **options) -> None:
        organisation = organisation_by_name(options["municipality"])
        if organisation is None:
            raise CommandError(f"Okänd kommun eller organisation: {options['municipality']}")
        try:
            issued = services.invitation_create(
                email=options["email"],
                organisation=organisation,
                role=options["role"],
                send_email=not options["no_email"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(issued.url)
