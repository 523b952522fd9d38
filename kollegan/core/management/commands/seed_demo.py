"""Demo content in Swedish, built from the facts in DOMAIN.md.

Only for developer machines: it creates accounts with a known password, so it
refuses to run unless KOLLEGAN_DEV=1."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from kollegan.accounts.models import ExpertiseLabel, Member, Organisation, Role, Unit, Visibility
from kollegan.core.models import SiteSettings
from kollegan.topics.models import Topic

DEMO_PASSWORD = "kollegan-demo"  # noqa: S105 - documented demo password, dev only

UNITS = ["Barn och familj", "Vuxenenheten", "Försörjningsstöd", "Familjerätt"]

# (e-mail local part, name, organisation, unit, role, function, topics)
MEMBERS = [
    (
        "admin",
        "Maria Lindqvist",
        "FoU Välfärd Region Västerbotten",
        None,
        Role.ADMIN,
        "Samordnare, FoU Välfärd",
        ["ovrigt"],
    ),
    (
        "anna",
        "Anna Berglund",
        "Lycksele",
        "Barn och familj",
        Role.MEMBER,
        "Socialsekreterare, barn och unga",
        ["barn-och-unga", "vald"],
    ),
    (
        "erik",
        "Erik Johansson",
        "Storuman",
        "Försörjningsstöd",
        Role.MEMBER,
        "Socialsekreterare, ekonomiskt bistånd",
        ["ekonomiskt-bistand", "forsorjningsstod"],
    ),
    (
        "karin",
        "Karin Nilsson",
        "Vilhelmina",
        "Vuxenenheten",
        Role.MODERATOR,
        "Enhetschef IFO",
        ["missbruk-och-beroende", "psykisk-halsa"],
    ),
    (
        "lars",
        "Lars Öberg",
        "Dorotea",
        "Barn och familj",
        Role.MEMBER,
        "Socialsekreterare, familjehem",
        ["barn-och-unga"],
    ),
    (
        "sara",
        "Sara Holmström",
        "Malå",
        "Vuxenenheten",
        Role.MEMBER,
        "Socialsekreterare, vuxna",
        ["missbruk-och-beroende", "vald"],
    ),
    (
        "johan",
        "Johan Forsberg",
        "Norsjö",
        "Försörjningsstöd",
        Role.MEMBER,
        "Socialsekreterare, försörjningsstöd",
        ["forsorjningsstod", "ekonomiskt-bistand"],
    ),
    (
        "elin",
        "Elin Sjölund",
        "Sorsele",
        "Barn och familj",
        Role.MODERATOR,
        "Socialsekreterare, barn och unga",
        ["barn-och-unga", "heder"],
    ),
    (
        "per",
        "Per Lundgren",
        "Åsele",
        "Vuxenenheten",
        Role.MEMBER,
        "Biståndshandläggare LSS",
        ["funktionshinder"],
    ),
    (
        "lena",
        "Lena Eriksson",
        "Lycksele",
        "Familjerätt",
        Role.MEMBER,
        "Familjerättssekreterare",
        ["familjeratt", "barn-och-unga"],
    ),
    (
        "mikael",
        "Mikael Strand",
        "Storuman",
        "Vuxenenheten",
        Role.MEMBER,
        "Socialsekreterare, missbruk",
        ["missbruk-och-beroende"],
    ),
    (
        "ida",
        "Ida Marklund",
        "Vilhelmina",
        "Barn och familj",
        Role.MEMBER,
        "Socialsekreterare, utredning barn",
        ["barn-och-unga", "vald"],
    ),
    (
        "jonas",
        "Jonas Persson",
        "Dorotea",
        "Försörjningsstöd",
        Role.MEMBER,
        "Socialsekreterare, ekonomiskt bistånd",
        ["ekonomiskt-bistand"],
    ),
    (
        "sofia",
        "Sofia Wikström",
        "Malå",
        "Barn och familj",
        Role.MEMBER,
        "Familjebehandlare",
        ["barn-och-unga", "psykisk-halsa"],
    ),
    (
        "anders",
        "Anders Hedlund",
        "Norsjö",
        "Vuxenenheten",
        Role.MEMBER,
        "Enhetschef IFO",
        ["missbruk-och-beroende", "funktionshinder"],
    ),
    (
        "maja",
        "Maja Nordin",
        "Sorsele",
        "Försörjningsstöd",
        Role.MEMBER,
        "Socialsekreterare, försörjningsstöd",
        ["forsorjningsstod"],
    ),
    (
        "peter",
        "Peter Lindberg",
        "Åsele",
        "Barn och familj",
        Role.MEMBER,
        "Socialsekreterare, barn och unga",
        ["barn-och-unga"],
    ),
    (
        "emma",
        "Emma Backman",
        "Lycksele",
        "Vuxenenheten",
        Role.MEMBER,
        "Socialsekreterare, våld i nära relationer",
        ["vald", "jamstalldhet", "heder"],
    ),
    (
        "fredrik",
        "Fredrik Sandberg",
        "Storuman",
        "Barn och familj",
        Role.MEMBER,
        "Socialsekreterare, placeringar",
        ["barn-och-unga"],
    ),
    (
        "helena",
        "Helena Gustafsson",
        "Vilhelmina",
        "Familjerätt",
        Role.MEMBER,
        "Familjerättssekreterare",
        ["familjeratt"],
    ),
    (
        "david",
        "David Nyström",
        "Dorotea",
        "Vuxenenheten",
        Role.MEMBER,
        "Socialsekreterare, vuxna",
        ["psykisk-halsa", "missbruk-och-beroende"],
    ),
    (
        "linnea",
        "Linnéa Åström",
        "Malå",
        "Försörjningsstöd",
        Role.MEMBER,
        "Socialsekreterare, ekonomiskt bistånd",
        ["ekonomiskt-bistand", "forsorjningsstod"],
    ),
    (
        "ulrika",
        "Ulrika Bergström",
        "FoU Välfärd Region Västerbotten",
        None,
        Role.MODERATOR,
        "FoU-handledare, värd för Digital mötesplats",
        ["barn-och-unga", "forsorjningsstod"],
    ),
    (
        "tomas",
        "Tomas Holm",
        "FoU Välfärd Region Västerbotten",
        None,
        Role.MODERATOR,
        "Utvecklingsledare, Yrkesresan",
        ["funktionshinder", "ovrigt"],
    ),
    (
        "camilla",
        "Camilla Jonsson",
        "Norsjö",
        "Barn och familj",
        Role.MEMBER,
        "Socialsekreterare, barn och unga",
        ["barn-och-unga", "vald"],
    ),
    (
        "stina",
        "Stina Lundmark",
        "Sorsele",
        "Vuxenenheten",
        Role.MEMBER,
        "Socialsekreterare, vuxna och LSS",
        ["funktionshinder", "psykisk-halsa"],
    ),
]

# What demo members can be asked about (e-mail local part -> expertise labels):
# the rare cases (sällan-frågor) someone in R8 has handled before.
EXPERTISE = {
    "lena": ["Adoptionsutredning", "Faderskap"],
    "helena": ["Adoptionsutredning", "Vårdnadsutredning", "Samarbetssamtal"],
    "emma": ["Hedersrelaterat våld", "Skyddat boende"],
    "elin": ["Hedersrelaterat våld", "Ensamkommande barn"],
    "sofia": ["Trappan-samtal", "Barnahus"],
    "mikael": ["Spelberoende", "LVM"],
    "karin": ["LVM"],
    "ida": ["LVU", "Barnahus"],
    "fredrik": ["LVU", "Familjehemsutredning"],
    "johan": ["Dödsboanmälan", "Skuldsanering"],
    "linnea": ["Dödsboanmälan"],
    "per": ["Personligt ombud", "God man och förvaltare"],
    "camilla": ["Ensamkommande barn"],
    "david": ["Suicidprevention"],
    "anna": ["Orosanmälan"],
}
# Members who keep their phone number (or e-mail address) to themselves.
PHONE_HIDDEN = {"karin", "tomas"}
EMAIL_HIDDEN = {"stina"}


def demo_phone(index: int) -> str:
    """A made-up work number in the 0950 (Lycksele) area-code style."""
    return f"0950-{100 + index * 7:03d} {10 + index:02d}"


WELCOME = """Välkommen till **Digitala kollegan** – mötesplatsen för oss som arbetar inom
individ- och familjeomsorgen i R8-kommunerna.

Ingen ska behöva känna sig ensam i socialtjänstens arbete. Ställ en fråga till kollegor
i andra kommuner, hitta vem som kan vad, och välkommen till **Digital mötesplats varje
onsdag kl. 08.15–09.00** – länken finns i kalendariet.

Skriv aldrig något som kan identifiera en klient."""


class Command(BaseCommand):
    help = "Fill a developer database with Swedish demo members and content."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if there are members already"
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not settings.DEV:
            raise CommandError(
                "seed_demo skapar konton med känt lösenord och körs bara med KOLLEGAN_DEV=1."
            )
        if options["if_empty"] and Member.objects.exists():
            self.stdout.write("Det finns redan medlemmar; inget demoinnehåll skapades.")
            return
        organisations = {o.name: o for o in Organisation.objects.all()}
        topics = {t.slug: t for t in Topic.objects.all()}
        labels = {}
        for label in sorted({label for names in EXPERTISE.values() for label in names}):
            labels[label], _ = ExpertiseLabel.objects.get_or_create(
                slug=slugify(label), defaults={"name": label}
            )
        created = 0
        for index, (local, name, org_name, unit_name, role, title, topic_slugs) in enumerate(
            MEMBERS
        ):
            organisation = organisations[org_name]
            unit = None
            if unit_name:
                unit, _ = Unit.objects.get_or_create(organisation=organisation, name=unit_name)
            member, was_created = Member.objects.get_or_create(
                email=f"{local}@kollegan.test",
                defaults={
                    "name": name,
                    "organisation": organisation,
                    "unit": unit,
                    "role": role,
                    "title": title,
                    "town": organisation.name if organisation.kind == "municipality" else "Umeå",
                },
            )
            if was_created:
                member.set_password(DEMO_PASSWORD)
                member.save(update_fields=["password"])
                member.topics.set([topics[s] for s in topic_slugs if s in topics])
                created += 1
            # Also on a second run, for databases seeded before members had these;
            # what a member has filled in themselves is left alone.
            if not member.phone:
                member.phone = demo_phone(index)
                member.phone_visibility = (
                    Visibility.NOBODY if local in PHONE_HIDDEN else Visibility.MEMBERS
                )
                member.email_visibility = (
                    Visibility.NOBODY if local in EMAIL_HIDDEN else Visibility.MEMBERS
                )
                member.save(update_fields=["phone", "phone_visibility", "email_visibility"])
            if local in EXPERTISE and not member.expertise.exists():
                member.expertise.set([labels[label] for label in EXPERTISE[local]])
        site, _ = SiteSettings.objects.get_or_create(pk=1)
        if not site.welcome_text:
            site.welcome_text = WELCOME
            site.contact_email = "kollegan@fou.example"
            site.save()
        self.stdout.write(
            f"Demoinnehåll klart: {created} nya medlemmar. Logga in som anna@kollegan.test "
            f"eller admin@kollegan.test med lösenordet {DEMO_PASSWORD}."
        )
