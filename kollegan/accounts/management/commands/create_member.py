from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollegan.accounts import services
from kollegan.accounts.models import Role
from kollegan.accounts.selectors import organisation_by_name


class Command(BaseCommand):
    help = "Create a member directly (for operators; members normally come by invitation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--municipality", required=True, help="organisation name or short name")
        parser.add_argument("--role", default=Role.MEMBER, choices=Role.values)
        parser.add_argument("--password", help="without it the member sets one by password reset")

    def handle(self, *args, **options) -> None:
        organisation = organisation_by_name(options["municipality"])
        if organisation is None:
            raise CommandError(f"Okänd kommun eller organisation: {options['municipality']}")
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
