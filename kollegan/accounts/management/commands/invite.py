from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollegan.accounts import services
from kollegan.accounts.management.commands._organisation import organisation_for_command
from kollegan.accounts.models import Role


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
        organisation = organisation_for_command(options["municipality"])
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
