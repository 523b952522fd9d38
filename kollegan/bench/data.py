"""Synthetic data for the benchmark, written straight through the ORM in bulk.

Import only after ``django.setup()``: this module uses the models.
"""

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from kollegan.accounts.models import ExpertiseLabel, Member, Organisation, Role, Unit, Visibility
from kollegan.api.models import ApiToken
from kollegan.api.services import api_token_create
from kollegan.topics.models import Topic

# Bump when the generator makes different data (new tables, other spread), so
# databases kept from earlier runs are rebuilt instead of silently reused.
DATA_VERSION = 2

BENCH_USER_EMAIL = "bench.user@bench.test"
TOKEN_NAME = "bench"  # noqa: S105 - the token's label, not a secret
BATCH_SIZE = 2000
META_TABLE = "kollegan_bench_meta"

FIRST_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Kerstin", "Emma", "Ingrid", "Malin",
    "Elin", "Linnea", "Sofia", "Johanna", "Hanna", "Ida", "Maja", "Frida", "Ulla", "Birgitta",
    "Lars", "Erik", "Anders", "Johan", "Per", "Karl", "Nils", "Mikael", "Jonas", "Magnus",
    "Olof", "Gustav", "Henrik", "Fredrik", "Daniel", "Oskar", "Viktor", "Emil", "Ali", "Amir",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindqvist",
    "Berglund", "Öberg", "Sandström", "Lundgren", "Holmgren", "Åström", "Forsberg", "Nordin",
    "Sjöberg", "Wikström", "Hedlund", "Marklund", "Burman", "Lindgren", "Sundqvist", "Bergström",
]  # fmt: skip
UNIT_NAMES = [
    "Barn och familj", "Vuxenenheten", "Försörjningsstöd", "Familjerätt",
    "Mottagningen", "Funktionsstöd",
]  # fmt: skip
TITLES = [
    "Socialsekreterare", "Socialsekreterare, barn och unga", "Biståndshandläggare",
    "Enhetschef IFO", "Familjebehandlare", "Familjerättssekreterare", "Utredare",
    "Samordnare", "Behandlingsassistent", "",
]  # fmt: skip
# Rare case types (sällan-frågor) members say they can be asked about.
EXPERTISE_LABELS = [
    "Adoptionsutredning", "Spelberoende", "Trappan-samtal", "LVU", "LVM",
    "Hedersrelaterat våld", "Ensamkommande barn", "Faderskap", "Dödsboanmälan",
    "Vårdnadsutredning", "Umgängesstöd", "Samarbetssamtal", "Barnahus",
    "Familjehemsutredning", "Kontaktfamilj", "Skyddat boende", "Våldsutövare",
    "Prostitution och människohandel", "Ungdomstjänst", "Medling vid brott",
    "SiS-placering", "Skuldsanering", "Budget- och skuldrådgivning", "Nyanlända",
    "Tolkanvändning", "Samiska barn och familjer", "Suicidprevention", "Självskadebeteende",
    "Anhörigstöd", "Spädbarnsverksamhet", "Gravida med missbruk", "Sexuella övergrepp",
    "Radikalisering", "Hemlöshet", "Vräkningsförebyggande arbete", "Ekonomiskt våld",
    "Personligt ombud", "Boendestöd", "God man och förvaltare", "Orosanmälan",
]  # fmt: skip
PHONE_SHARE = 0.7  # members who entered a work phone
LABEL_SHARE = 0.3  # members with 1–3 expertise labels


@dataclass
class Fixture:
    """What the client needs to act as the bench member, and ids for page paths."""

    session_cookie: str
    session_key: str
    api_secret: str
    ids: dict[str, int] = field(default_factory=dict)


def fingerprint(members: int, seed: int) -> str:
    return f"v{DATA_VERSION};members={members};seed={seed}"


def stored_fingerprint() -> str | None:
    """The fingerprint of the data in this database, or None if the bench did not make it."""
    with connection.cursor() as cursor:
        if META_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE name = %s", ["fingerprint"])  # noqa: S608 - constant table name
        row = cursor.fetchone()
    return row[0] if row else None


def member_count() -> int:
    return Member.objects.count()


def _save_fingerprint(value: str) -> None:
    # A table of the bench's own, outside Django's migrations: it lives only in
    # the bench database and says which generator made the rows in it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} "
            "(name varchar(100) PRIMARY KEY, value text NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE} WHERE name = %s", ["fingerprint"])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {META_TABLE} (name, value) VALUES (%s, %s)",  # noqa: S608
            ["fingerprint", value],
        )


def _units(organisations: list[Organisation]) -> dict[int, list[int]]:
    Unit.objects.bulk_create(
        [Unit(organisation=org, name=name) for org in organisations for name in UNIT_NAMES],
        ignore_conflicts=True,
    )
    by_org: dict[int, list[int]] = {org.pk: [] for org in organisations}
    for unit_id, org_id in Unit.objects.values_list("pk", "organisation_id"):
        by_org.setdefault(org_id, []).append(unit_id)
    return by_org


def _member(
    rng: random.Random,
    index: int,
    organisations: list[Organisation],
    weights: list[float],
    units: dict[int, list[int]],
    password: str,
    now: datetime,
) -> Member:
    org = rng.choices(organisations, weights)[0]
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    roll = rng.random()
    phone = ""
    if rng.random() < PHONE_SHARE:
        phone = f"070-{rng.randrange(1000):03d} {rng.randrange(100):02d} {rng.randrange(100):02d}"
    return Member(
        email=f"m{index:06d}@{org.slug}.bench.test",
        name=f"{first} {last}",
        password=password,
        organisation=org,
        unit_id=rng.choice(units[org.pk]) if units[org.pk] and rng.random() < 0.9 else None,
        role=Role.ADMIN if roll < 0.002 else Role.MODERATOR if roll < 0.012 else Role.MEMBER,
        title=rng.choice(TITLES),
        phone=phone,
        phone_visibility=Visibility.NOBODY if rng.random() < 0.15 else Visibility.MEMBERS,
        email_visibility=Visibility.NOBODY if rng.random() < 0.1 else Visibility.MEMBERS,
        town=org.name if org.kind == Organisation.Kind.MUNICIPALITY else "Umeå",
        language="en" if rng.random() < 0.05 else "sv",
        date_joined=now - timedelta(seconds=rng.randrange(3 * 365 * 24 * 3600)),
        # A few ended memberships, so the directory's "active only" filter has work to do.
        membership_ends_at=now - timedelta(days=rng.randrange(1, 400))
        if rng.random() < 0.03
        else None,
        deactivated_at=now - timedelta(days=rng.randrange(1, 400)) if rng.random() < 0.02 else None,
    )


def _expertise(rng: random.Random, member_ids: list[int], progress: Callable[[str], None]) -> None:
    """Give about a third of the members one to three rare-case labels."""
    ExpertiseLabel.objects.bulk_create(
        [ExpertiseLabel(name=name, slug=slugify(name)) for name in EXPERTISE_LABELS],
        ignore_conflicts=True,
    )
    label_ids = list(ExpertiseLabel.objects.values_list("pk", flat=True))
    through = Member.expertise.through
    links = []
    for member_id in member_ids:
        if rng.random() < LABEL_SHARE:
            count = rng.choices([1, 2, 3], [50, 35, 15])[0]
            links.extend(
                through(member_id=member_id, expertiselabel_id=label_id)
                for label_id in rng.sample(label_ids, count)
            )
    progress(f"expertise links: {len(links)}")
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)


def generate(members: int, seed: int, progress: Callable[[str], None]) -> None:
    """Fill an empty, migrated database with ``members`` members and their topics."""
    rng = random.Random(seed)
    now = timezone.now()
    # One PBKDF2 hash shared by everyone: hashing 30,000 passwords would take
    # minutes, and nobody logs in through the form with these accounts.
    password = make_password(secrets.token_urlsafe(24))
    organisations = list(Organisation.objects.order_by("pk"))
    # Regional staff are fewer than each municipality's.
    weights = [1.0 if org.kind == Organisation.Kind.MUNICIPALITY else 0.3 for org in organisations]
    topic_ids = list(Topic.objects.filter(is_active=True).values_list("pk", flat=True))
    lycksele = next(org for org in organisations if org.slug == "lycksele")
    with transaction.atomic():
        units = _units(organisations)
        bench_user = Member(
            email=BENCH_USER_EMAIL,
            name="Berit Bänkman",
            password=password,
            organisation=lycksele,
            unit_id=units[lycksele.pk][0],
            title="Socialsekreterare, barn och unga",
            town="Lycksele",
            date_joined=now - timedelta(days=30),
        )
        batch: list[Member] = [bench_user]
        for index in range(1, members):
            batch.append(_member(rng, index, organisations, weights, units, password, now))
            if len(batch) >= BATCH_SIZE:
                Member.objects.bulk_create(batch)
                batch = []
                progress(f"members: {index + 1}/{members}")
        Member.objects.bulk_create(batch)
        # Read the ids back instead of trusting bulk_create to set them: that
        # depends on the database backend.
        member_ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
        bench_pk = Member.objects.get(email=BENCH_USER_EMAIL).pk
        by_slug = dict(Topic.objects.values_list("slug", "pk"))
        through = Member.topics.through
        links = [
            through(member_id=bench_pk, topic_id=by_slug[slug])
            for slug in ("barn-och-unga", "vald")
            if slug in by_slug
        ]
        for member_id in member_ids:
            if member_id == bench_pk:
                continue
            count = rng.choices([0, 1, 2, 3, 4], [10, 35, 30, 15, 10])[0]
            links.extend(
                through(member_id=member_id, topic_id=topic_id)
                for topic_id in rng.sample(topic_ids, min(count, len(topic_ids)))
            )
        progress(f"topic links: {len(links)}")
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)
        _expertise(rng, member_ids, progress)
        _save_fingerprint(fingerprint(members, seed))
    if connection.vendor == "postgresql":
        # Production Postgres has autovacuum's statistics; without them the
        # planner guesses at fresh tables and the figures would mislead.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def prepare_fixture() -> Fixture:
    """Log the bench member in (a session row, as after a real login) and give it an API token."""
    member = Member.objects.get(email=BENCH_USER_EMAIL)
    # Sessions and tokens from earlier runs are left alone for a day so a
    # parallel run sharing this database keeps working; older ones are cleared
    # so "My page" does not grow a longer token list with every run.
    ApiToken.objects.filter(
        member=member, name=TOKEN_NAME, created_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    session = engine.SessionStore()
    session[SESSION_KEY] = member._meta.pk.value_to_string(member)
    session[BACKEND_SESSION_KEY] = "kollegan.accounts.backends.MemberBackend"
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.set_expiry(24 * 3600)
    session.create()
    _token, secret = api_token_create(member=member, name=TOKEN_NAME)
    # Someone else's profile from the middle of the table, not a cached first row.
    others = Member.objects.active().exclude(pk=member.pk).order_by("pk")
    count = others.count()
    profile_id = others.values_list("pk", flat=True)[count // 2] if count else member.pk
    return Fixture(
        session_cookie=settings.SESSION_COOKIE_NAME,
        session_key=session.session_key or "",
        api_secret=secret,
        ids={"profile_id": profile_id, "bench_member_id": member.pk},
    )
