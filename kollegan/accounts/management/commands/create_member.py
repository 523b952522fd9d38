from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollegan.accounts import services
from kollegan.accounts.management.commands._organisation import organisation_for_command
from kollegan.accounts.models import Role


class Command(BaseCommand):
    help = "Create a member directly (for operators; members normally come by invitation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--municipality", required=True, help="organisation name or short name")
        parser.add_argument("--role", default=Role.MEMBER, choices=Role.values)
        parser.add_argument("--password", help="without it the member sets one by password reset")

    def handle(self, *args, **options) -> None:
        organisation = organisation_for_command(options["municipality"])
        try:
            member = services.member_create(
                email=options["email"],
                name=options["name"],
                organisation=organisation,
                role=options["role"],
                password=options["password"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            f"Skapade {member.name} <{member.email}> ({organisation.name}, {member.role})"
        )
