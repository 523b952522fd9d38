from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollegan.accounts.models import Member
from kollegan.api.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a member; the token is the last line printed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="Skapad från kommandoraden")

    def handle(self, *args, **options) -> None:
        member = Member.objects.filter(email__iexact=options["email"].strip()).first()
        if member is None:
            raise CommandError(f"Ingen medlem har e-postadressen {options['email']}")
        if not member.is_active:
            raise CommandError(f"{member.email} är inte längre aktiv medlem")
        _token, secret = api_token_create(member=member, name=options["name"])
        self.stdout.write(secret)
