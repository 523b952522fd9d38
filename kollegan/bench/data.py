"""Synthetic data for the benchmark: members through the ORM in bulk; Frågor,
the start page's posts, the feed and Dokument (millions of rows) as raw batched
inserts that mirror the services.

Import only after ``django.setup()``: this module uses the models.
"""

import bisect
import random
import secrets
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from kollegan.accounts.models import ExpertiseLabel, Member, Organisation, Role, Unit, Visibility
from kollegan.api.models import ApiToken
from kollegan.api.services import api_token_create
from kollegan.documents.models import Adoption, Document, DocumentComment, DocumentVersion
from kollegan.events import ics, recurrence
from kollegan.events.models import Attendance, Event, Occurrence
from kollegan.events.recurrence import STOCKHOLM, local
from kollegan.events.selectors import FEED_HISTORY
from kollegan.events.services import feed_path_token, feed_renew
from kollegan.feed.models import FeedEntry, FeedEntryTopic, Like, Post, Reply
from kollegan.feed.selectors import FEED_PAGE_SIZE, Cursor
from kollegan.files.models import Attachment
from kollegan.groups.models import Group, GroupMembership
from kollegan.lib.markdown import render_markdown
from kollegan.notes.models import Note
from kollegan.questions.models import AnonymousAuthorship, Answer, Comment, Question
from kollegan.questions.services import make_excerpt
from kollegan.topics.models import Topic

# Bump when the generator makes different data (new tables, other spread), so
# databases kept from earlier runs are rebuilt instead of silently reused.
DATA_VERSION = 9

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
    # Ids, and the odd string such as a feed cursor, filled into the pages' paths.
    ids: dict[str, int | str] = field(default_factory=dict)
    # The search index's figures: entries, rebuild seconds, bytes.
    search_index: dict = field(default_factory=dict)


def fingerprint(members: int, seed: int) -> str:
    return f"v{DATA_VERSION};members={members};seed={seed}"


def stored_fingerprint() -> str | None:
    """The fingerprint of the data in this database, or None if the bench did not make it."""
    return _meta_get("fingerprint")


def member_count() -> int:
    return Member.objects.count()


def _meta_get(name: str) -> str | None:
    with connection.cursor() as cursor:
        if META_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE name = %s", [name])  # noqa: S608 - constant table name
        row = cursor.fetchone()
    return row[0] if row else None


def _meta_set(name: str, value: str) -> None:
    # A table of the bench's own, outside Django's migrations: it lives only in
    # the bench database and says which generator made the rows in it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} "
            "(name varchar(100) PRIMARY KEY, value text NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE} WHERE name = %s", [name])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {META_TABLE} (name, value) VALUES (%s, %s)",  # noqa: S608
            [name, value],
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


# --- Frågor -------------------------------------------------------------------------------------
#
# At national scale (30,000 members) 100,000 questions, 1,000,000 answers and
# 300,000 comments; other sizes in proportion (see question_counts). They are
# written with raw executemany in large batches, because building a million model
# instances for bulk_create would take most of the time, but the rows hold exactly
# what kollegan/questions/services.py writes:
#   - anonymous texts have no author (and a question no organisation) on their
#     row, and one AnonymousAuthorship row each linking them to their writer;
#   - a named question's organisation is its asker's;
#   - the asker writes in their own thread as the asker (by_asker), anonymously
#     when the question is anonymous (services._anonymity_in_thread);
#   - answer_count counts the visible answers, last_activity_at is the latest
#     answer or comment, solved is set when a visible answer is marked helpful;
#   - body_html is render_markdown(body) and excerpt make_excerpt(body_html),
#     computed once for each text of the pools below.

HISTORY_DAYS = 5 * 365
ANSWERS_PER_QUESTION = 10
COMMENTS_PER_QUESTION = 3
QUESTION_CHUNK = 10_000  # questions, with their threads, per transaction

# The thread behind the `question` page: a long discussion, the same at every scale.
SPECIAL_ANSWERS = 50
SPECIAL_COMMENTS = 200
SPECIAL_AGE_DAYS = 21
SPECIAL_TITLE = "Samtal med barn rörande umgänge – hur gör ni?"
SPECIAL_BODY = """Tingsrätten har beslutat att ett barn på tolv år ska ha umgänge med en förälder
som barnet inte har träffat på flera år. Barnet har sagt till skolkuratorn att hen
inte vill, och vi har fått i uppdrag att genomföra umgängesstödet.

Hur lägger ni upp samtalen med barnet inför och efter umgänget? Det jag undrar mest är:

- hur ni förklarar beslutet så att barnet förstår det
- hur ni dokumenterar barnets vilja när den går emot domen
- om ni har samtalen själva eller tar hjälp av familjebehandlare

Tacksam för alla erfarenheter!"""

ANONYMOUS_QUESTION_SHARE = 0.10
ANONYMOUS_ANSWER_SHARE = 0.03
ANONYMOUS_COMMENT_SHARE = 0.02
ASKER_ANSWER_SHARE = 0.01  # the asker tells the thread what they decided
ASKER_COMMENT_SHARE = 0.25  # the asker replies to the answers
ON_ANSWER_SHARE = 0.6  # comments on an answer rather than on the question itself
UNANSWERED_SHARE = 0.05  # of older questions; newer ones are more often unanswered
SOLVED_SHARE = 0.35  # answered questions whose asker marked an answer helpful
HIDDEN_QUESTION_SHARE = 0.002
HIDDEN_REPLY_SHARE = 0.004
HIDDEN_REASON = "Innehöll uppgifter som kunde identifiera en enskild."

# How often each topic is chosen besides a question's own (barn och unga most).
TOPIC_WEIGHTS = {
    "barn-och-unga": 30, "forsorjningsstod": 15, "ekonomiskt-bistand": 15,
    "familjeratt": 10, "missbruk-och-beroende": 10, "psykisk-halsa": 8, "vald": 8,
    "funktionshinder": 8, "heder": 3, "jamstalldhet": 2, "ovrigt": 6,
}  # fmt: skip
# (what the question is about, its topic)
SUBJECTS = [
    ("placering i familjehem", "barn-och-unga"),
    ("förstärkt familjehem", "barn-och-unga"),
    ("orosanmälningar från skolan", "barn-och-unga"),
    ("barnsamtal utan vårdnadshavarens samtycke", "barn-och-unga"),
    ("omprövning av vård enligt LVU", "barn-och-unga"),
    ("kontaktfamilj", "barn-och-unga"),
    ("ungdomstjänst", "barn-och-unga"),
    ("umgängesstöd", "familjeratt"),
    ("samarbetssamtal", "familjeratt"),
    ("vårdnadsutredning", "familjeratt"),
    ("faderskapsutredning", "familjeratt"),
    ("adoptionsutredning", "familjeratt"),
    ("försörjningsstöd till studerande", "forsorjningsstod"),
    ("försörjningsstöd vid sjukskrivning", "forsorjningsstod"),
    ("krav på aktivitet vid försörjningsstöd", "forsorjningsstod"),
    ("hyresskulder och vräkning", "ekonomiskt-bistand"),
    ("bistånd till tandvård", "ekonomiskt-bistand"),
    ("bistånd till begravning", "ekonomiskt-bistand"),
    ("bistånd till hemutrustning", "ekonomiskt-bistand"),
    ("boendestöd", "funktionshinder"),
    ("korttidsvistelse enligt LSS", "funktionshinder"),
    ("ledsagarservice", "funktionshinder"),
    ("bostad med särskild service", "funktionshinder"),
    ("hedersrelaterat våld och förtryck", "heder"),
    ("skyddat boende", "vald"),
    ("samtal med våldsutövare", "vald"),
    ("riskbedömning vid våld i nära relation", "vald"),
    ("jämställd handläggning", "jamstalldhet"),
    ("LVM-utredning", "missbruk-och-beroende"),
    ("spelberoende", "missbruk-och-beroende"),
    ("öppenvård för unga med missbruk", "missbruk-och-beroende"),
    ("samordnad individuell plan", "psykisk-halsa"),
    ("suicidriskbedömning", "psykisk-halsa"),
    ("samsjuklighet", "psykisk-halsa"),
    ("tolk vid hembesök", "ovrigt"),
    ("dokumentation i verksamhetssystemet", "ovrigt"),
    ("introduktion av nyanställda", "ovrigt"),
    ("handledning i en liten kommun", "ovrigt"),
]
TITLE_PATTERNS = [
    "Hur gör ni med {}?", "Rutin för {}", "Tips kring {}", "Erfarenheter av {}?",
    "Någon som har en mall för {}?", "Fråga om {}", "{} – hur bedömer ni?",
    "Riktlinjer för {}?", "Samverkan kring {}", "{} i mindre kommuner",
]  # fmt: skip
QUESTION_OPENINGS = [
    "Vi har fått ett ärende som rör {} och jag är osäker på hur vi ska gå vidare.",
    "Hos oss kommer frågor om {} upp kanske en gång om året, så ingen har riktigt koll längre.",
    "Jag är ny som socialsekreterare och har fått ett ärende där {} är aktuellt.",
    "Vi ser över våra rutiner kring {} och vill gärna veta hur andra kommuner gör.",
    "Vår enhetschef har bett oss ta fram en gemensam arbetsgång för {}.",
    "Jag sitter med en utredning där {} har blivit den centrala frågan.",
]
QUESTION_MIDDLES = [
    "Vi är fem handläggare på hela IFO och den som hade erfarenhet av detta har slutat.",
    "Vår nuvarande rutin är flera år gammal och stämmer inte med hur vi arbetar i dag.",
    "Jag har läst Socialstyrelsens vägledning men hittar inget konkret om hur man gör i praktiken.",
    "Vi har frågat vår jurist, men hon är bara här två dagar i månaden.",
    "Det finns också en överenskommelse med regionen som vi behöver ta hänsyn till.",
    "Närmaste större kommun ligger femton mil bort, så det är svårt att lösa praktiskt.",
    "Personen har haft kontakt med socialtjänsten tidigare, men då i en annan kommun.",
    "Vi är oense i arbetsgruppen om vad lagen faktiskt kräver här.",
    "Ärendet har dragit ut på tiden och vi vill inte att det blir fler förseningar.",
    "Vi har ingen egen resurs för detta utan brukar köpa in det, vilket blir dyrt.",
]
QUESTION_ASKS = [
    "Hur gör ni i era kommuner?",
    "Har någon en mall eller rutin som ni kan dela?",
    "Vilka bedömningar gör ni, och var drar ni gränsen?",
    "Har någon varit med om något liknande och kan berätta hur det gick?",
    "Tacksam för alla tips!",
    "Hur lång tid brukar det ta hos er?",
]
QUESTION_LIST = """Det jag undrar mest över är:

- vem som fattar beslutet
- hur ni dokumenterar bedömningen
- om ni samverkar med någon annan kommun"""
ANSWER_SENTENCES = [
    "Vi hade ett liknande ärende förra året.",
    "Hos oss gör vi alltid en individuell bedömning, men vi utgår från riksnormen.",
    "Ta gärna kontakt med FoU, de har sammanställt material om just detta.",
    "Titta på JO:s beslut på området, det finns några som är relevanta.",
    "Vi har en rutin som jag gärna delar, skicka ett meddelande i chatten.",
    "Det viktigaste enligt min erfarenhet är att barnets egen uppfattning kommer fram.",
    "Vår jurist menar att det inte finns stöd i lagen för att neka i ett sådant läge.",
    "Vi har löst det genom samverkan med grannkommunen, vi turas om med de här ärendena.",
    "Socialstyrelsens handbok har ett bra avsnitt om detta.",
    "Vi beviljar i regel inte detta, men det finns undantag när barnets behov väger tungt.",
    "Tänk på att kommunicera underlaget innan ni fattar beslut.",
    "Vi bokar ett uppföljningsmöte efter en månad för att se om insatsen fungerar.",
    "Ta upp det på nästa digitala mötesplats, fler har nog samma fråga.",
    "Vi använder en checklista som vi tagit fram tillsammans med regionen.",
    "Det tog ungefär tre månader för oss från ansökan till beslut.",
    "Förvaltningsrätten har i flera domar godtagit den bedömningen.",
    "Se till att ni får en skriftlig överenskommelse om kostnadsansvaret.",
    "Dokumentera noga vilka alternativ ni har prövat.",
    "Jag håller med föregående svar.",
    "Lycka till!",
]
ANSWER_STEPS = [
    "Vi tar först ett internt ärendemöte.",
    "Handläggaren gör en skriftlig bedömning.",
    "Enhetschefen fattar beslut.",
    "Vi följer upp efter sex veckor.",
    "Den enskilde får beslutet skriftligt med besvärshänvisning.",
]
COMMENT_SENTENCES = [
    "Tack, det var till stor hjälp!",
    "Gäller det även för ungdomar över 18 år?",
    "Kan du dela rutinen? Skicka gärna i chatten.",
    "Samma erfarenhet här.",
    "Bra fråga, vi funderar på samma sak.",
    "Vi tog upp det här på förra digitala mötesplatsen, se mötesnoteringarna.",
    "Tack! Vi testar det och återkommer.",
    "Håller med, det viktigaste är dokumentationen.",
    "Hur gör ni om vårdnadshavarna inte är överens?",
    "Intressant, det visste jag inte.",
    "Vilket lagrum stöder ni er på?",
    "Vi har precis börjat med samma arbetssätt.",
]

# --- Start: posts and the feed ------------------------------------------------------------------
#
# At national scale 200,000 posts (members × 20 / 3) over the same five years,
# 400,000 replies and about 200,000 likes; and one feed entry for every question
# and every post, 300,000 in all. Written raw like Frågor, the rows hold what
# kollegan/feed/services.py writes:
#   - body_html is render_markdown(body, mentions=True), once per text of the
#     pools below (they mention nobody, so no lookup is needed);
#   - reply_count counts the visible replies (hiding a reply takes it off, hiding
#     the post does not), like_count the likes; one like per (post, member);
#   - nothing is replied to or liked after its post was hidden (the services
#     refuse), and a pinned post is never hidden (hiding unpins it);
#   - a feed entry has the time of what it announces, the author as actor (none
#     for an anonymous question) and ``hidden`` as its target; its topics are the
#     target's, with the time and ``hidden`` copied onto each FeedEntryTopic row.
# Entry ids follow time across questions and posts, as they would when each
# entry is written the moment its question or post is.
# Pictures: a few posts carry an image_key, but no file is stored under it; the
# pages only print its address, and the bench never fetches pictures.
# Pins and hides are not in the audit log here (nor are hidden questions).

POSTS_PER_MEMBER_NUMERATOR, POSTS_PER_MEMBER_DENOMINATOR = 20, 3
REPLIES_PER_POST = 2
LIKES_PER_POST = 1
POST_CHUNK = 20_000  # posts, with their replies and likes, per transaction
FEED_CHUNK = 50_000  # feed entries per transaction
LINK_SHARE = 0.12
IMAGE_SHARE = 0.03
HIDDEN_POST_SHARE = 0.003
QUIET_POST_SHARE = 0.25  # older posts nobody replied to (and, separately, nobody liked)
PINNED_MAX = 6  # at national scale; the start page shows five
PINNED_WITHIN_DAYS = 30

# What posts are about, and how often.
POST_KINDS = {"meeting": 25, "welcome": 10, "course": 15, "report": 20, "guide": 20, "other": 10}
# (theme as said in a sentence, its topic)
MEETING_THEMES = [
    ("funktionshinder", "funktionshinder"),
    ("skadligt bruk och beroende", "missbruk-och-beroende"),
    ("våld i nära relationer", "vald"),
    ("försörjningsstöd", "forsorjningsstod"),
    ("barn och unga", "barn-och-unga"),
    ("familjerätt", "familjeratt"),
    ("psykisk hälsa", "psykisk-halsa"),
    ("hedersrelaterat våld och förtryck", "heder"),
    ("ekonomiskt bistånd till barnfamiljer", "ekonomiskt-bistand"),
]
MEETING_EXTRAS = [
    "Ta gärna med en avidentifierad fråga som du vill diskutera med kollegorna.",
    "Den här gången har vi en gäst från regionens kunskapscentrum.",
    "Skriv gärna här i tråden om det är något särskilt du vill att vi tar upp.",
    "Välkommen även du som inte har varit med tidigare!",
    "Vi börjar med en kort inledning och pratar sedan fritt.",
    "Anteckningarna läggs som vanligt under Mötesnoteringar efteråt.",
]
MUNICIPALITIES = [
    "Dorotea", "Lycksele", "Malå", "Norsjö", "Sorsele", "Storuman", "Vilhelmina",
    "Åsele", "Arvidsjaur", "Arjeplog",
]  # fmt: skip
WELCOME_EXTRAS = [
    "Vi är tre nya socialsekreterare på barn och familj sedan i måndags.",
    "Hör gärna av er om ni undrar hur vi arbetar här hos oss.",
    "Ni hittar oss under Medarbetare, säg gärna hej i chatten.",
    "Extra roligt att vi nu är fullt bemannade på försörjningsstöd igen.",
    "Vi ser fram emot att lära känna er på onsdagarnas mötesplats.",
    "Våra nya kollegor har arbetat i större kommuner tidigare och har mycket att dela med sig av.",
]
COURSES = [
    ("barnets rätt i socialtjänsten", "barn-och-unga"),
    ("motiverande samtal", "missbruk-och-beroende"),
    ("utredning enligt BBIC", "barn-och-unga"),
    ("våld i nära relationer", "vald"),
    ("skälig levnadsnivå i ekonomiskt bistånd", "ekonomiskt-bistand"),
    ("LSS och samordnad individuell plan", "funktionshinder"),
    ("samtal med barn", "barn-och-unga"),
    ("dokumentation och journalföring", "ovrigt"),
]
COURSE_EXTRAS = [
    "Efter varje kurstillfälle har vi en digital mötesplats för oss som går kursen, "
    "så ingen behöver sitta ensam med det.",
    "Kursen är digital och går på förmiddagar, fyra tillfällen under våren.",
    "Vi är redan två från vår kommun som har anmält oss, häng med!",
    "Anmälan görs via din chef, sista dagen är om två veckor.",
    "Den passar särskilt dig som är ny i yrket.",
]
MEETING_POINTS = [
    "att en gemensam checklista skulle spara tid för alla",
    "hur vi kan turas om med sällanfrågorna mellan kommunerna",
    "att barnets röst behöver synas tydligare i dokumentationen",
    "hur vi samverkar med regionen när avstånden är långa",
    "vilka mallar som finns och vem som har den senaste versionen",
    "att nya kollegor behöver en introduktion som är gemensam för R8",
    "hur vi följer upp insatser som köps in från andra kommuner",
]
GUIDES = [
    ("Socialstyrelsens vägledning om barnsamtal", "barn-och-unga"),
    ("den nya handboken om handläggning av ekonomiskt bistånd", "ekonomiskt-bistand"),
    ("kunskapsstödet om våld i nära relationer", "vald"),
    ("föreskrifterna om dokumentation i socialtjänsten", "ovrigt"),
    ("vägledningen om LSS-insatser för vuxna", "funktionshinder"),
    ("materialet om samordnad individuell plan", "psykisk-halsa"),
    ("handboken om familjerättsliga frågor", "familjeratt"),
]
GUIDE_EXTRAS = [
    "Avsnittet om uppföljning är riktigt användbart för oss som är få på enheten.",
    "Vi har gjort en kort sammanfattning som vi gärna delar under Dokument.",
    "Hur använder ni den i era kommuner?",
    "Bra att ha nära till hands när sällanfrågorna dyker upp.",
    "Vi tänker gå igenom den tillsammans på nästa arbetsplatsträff.",
]
OTHER_POSTS = [
    "Påminnelse: arbetsgruppen samlar in önskemål om teman till vårens mötesplatser. "
    "Skriv dem gärna här!",
    "Tack alla som svarade på min fråga förra veckan. Det blev mycket lättare att "
    "fatta beslut när jag visste hur ni andra gör.",
    "Vi har uppdaterat vår rutin för orosanmälningar och lagt den under Dokument. "
    "Synpunkter är välkomna.",
    "Någon mer som sitter ensam på kontoret i dag? Skönt att veta att ni finns här.",
    "Hjälp-sidorna har fått en ny manual om hur man prenumererar på ämnen. "
    "Värt att titta på om du missar frågor inom ditt område.",
    "Nu finns anteckningarna från förra veckans mötesplats under Mötesnoteringar.",
    "**Tips:** du kan välja att få e-post när någon svarar på en fråga inom dina ämnen. "
    "Det ställer du in under Min sida.",
]
POST_LINKS = [
    "https://www.socialstyrelsen.se/",
    "https://kunskapsguiden.se/",
    "https://www.regionvasterbotten.se/",
    "https://skr.se/",
    "https://www.ivo.se/",
    "https://www.barnombudsmannen.se/",
    "https://www.jo.se/",
    "https://www.forsakringskassan.se/",
]
REPLY_SENTENCES = [
    "Tack för tipset!",
    "Jag kommer!",
    "Vi ses på onsdag.",
    "Välkomna till gänget!",
    "Anmäld!",
    "Bra sammanfattning, tack.",
    "Kan någon dela länken igen? Jag hittar den inte i kalendariet.",
    "Jag var också med, mycket givande.",
    "Hinner tyvärr inte den här gången, men läser gärna anteckningarna.",
    "Vi använder den redan och är nöjda.",
    "Skulle gärna höra mer om hur ni har lagt upp det.",
    "Håller med, det här borde vi prata mer om.",
    "Vi gör likadant hos oss.",
    "Det här sparar jag!",
    "Kul att fler kommuner är med nu.",
    "Kan vi ta upp det på nästa mötesplats?",
]


def post_counts(members: int) -> tuple[int, int, int]:
    """(posts, replies, likes) for a data set of ``members`` members: 200,000,
    400,000 and 200,000 at national scale (30,000 members)."""
    posts = max(members * POSTS_PER_MEMBER_NUMERATOR // POSTS_PER_MEMBER_DENOMINATOR, 1)
    return posts, posts * REPLIES_PER_POST, posts * LIKES_PER_POST


def _post_text(rng: random.Random) -> tuple[str, str]:
    """One post's Markdown and the topic it is about ("" for none)."""
    kind = rng.choices(list(POST_KINDS), list(POST_KINDS.values()))[0]
    if kind == "meeting":
        theme, topic = rng.choice(MEETING_THEMES)
        extra = rng.choice(MEETING_EXTRAS)
        body = (
            f"Nästa veckas tema på **Digital mötesplats** är {theme}. Vi ses onsdag "
            f"08:15–09:00, länken finns i kalendariet.\n\n{extra}"
        )
    elif kind == "welcome":
        extras = " ".join(rng.sample(WELCOME_EXTRAS, rng.randint(1, 2)))
        body = f"Välkommen till våra nya kollegor i {rng.choice(MUNICIPALITIES)}! {extras}"
        topic = ""
    elif kind == "course":
        course, topic = rng.choice(COURSES)
        body = (
            f"Tips! Yrkesresan har öppnat anmälan till kursen om {course}. "
            f"{rng.choice(COURSE_EXTRAS)}"
        )
    elif kind == "report":
        theme, topic = rng.choice(MEETING_THEMES)
        points = rng.sample(MEETING_POINTS, rng.randint(2, 3))
        body = (
            f"Kort rapport från mötesplatsen i onsdags: vi var {rng.randint(8, 25)} kollegor "
            f"från {rng.randint(3, 8)} kommuner och pratade om {theme}. Det vi tog med oss:\n\n"
            + "\n".join(f"- {point}" for point in points)
            + "\n\nAnteckningarna finns under Mötesnoteringar."
        )
    elif kind == "guide":
        guide, topic = rng.choice(GUIDES)
        body = f"Har ni sett {guide}? {rng.choice(GUIDE_EXTRAS)}"
    else:
        body, topic = rng.choice(OTHER_POSTS), ""
    return body, topic


def _post_pool_entry(body: str, topic: str) -> tuple[str, str, str]:
    return body, str(render_markdown(body, mentions=True)), topic


# Database fields written for each model, in the order of the rows built below.
_QUESTION_FIELDS = [
    "id", "title", "body", "body_html", "excerpt", "author", "organisation", "is_anonymous",
    "by_asker", "created_at", "last_activity_at", "answer_count", "solved", "hidden_at",
    "hidden_by", "hidden_reason",
]  # fmt: skip
_ANSWER_FIELDS = [
    "id", "question", "body", "body_html", "author", "is_anonymous", "by_asker", "created_at",
    "is_helpful",
    "hidden_at", "hidden_by", "hidden_reason",
]  # fmt: skip
_COMMENT_FIELDS = [
    "id", "question", "answer", "body", "body_html", "author", "is_anonymous", "by_asker",
    "created_at", "hidden_at", "hidden_by", "hidden_reason",
]  # fmt: skip
_AUTHORSHIP_FIELDS = ["id", "member", "question", "answer", "comment"]
_TOPIC_LINK_FIELDS = ["question", "topic"]
_POST_FIELDS = [
    "id", "body", "body_html", "author", "created_at", "image_key", "link", "pinned_at",
    "pinned_by", "reply_count", "like_count", "hidden_at", "hidden_by", "hidden_reason",
]  # fmt: skip
_POST_TOPIC_FIELDS = ["post", "topic"]
_REPLY_FIELDS = [
    "id", "post", "body", "body_html", "author", "created_at", "hidden_at", "hidden_by",
    "hidden_reason",
]  # fmt: skip
_LIKE_FIELDS = ["id", "post", "member", "created_at"]
_ENTRY_FIELDS = [
    "id", "kind", "created_at", "actor", "post", "question", "event", "note", "hidden",
]  # fmt: skip
# The kinds whose targets are _ENTRY_FIELDS' post, question, event and note.
_ENTRY_KINDS = (
    FeedEntry.Kind.POST,
    FeedEntry.Kind.QUESTION,
    FeedEntry.Kind.EVENT,
    FeedEntry.Kind.NOTE,
)
_ENTRY_TOPIC_FIELDS = ["id", "entry", "topic", "created_at", "hidden"]


def question_counts(members: int) -> tuple[int, int, int]:
    """(questions, answers, comments) for a data set of ``members`` members:
    100,000, 1,000,000 and 300,000 at national scale (30,000 members)."""
    questions = max(members * 10 // 3, 1)
    return (
        questions,
        max(questions * ANSWERS_PER_QUESTION, SPECIAL_ANSWERS),
        max(questions * COMMENTS_PER_QUESTION, SPECIAL_COMMENTS),
    )


@dataclass
class _Texts:
    """Pools of generated texts; questions, answers and comments pick from them."""

    # per subject: (title, body, body_html, excerpt) variants
    questions: list[list[tuple[str, str, str, str]]]
    # (body, body_html)
    answers: list[tuple[str, str]]
    comments: list[tuple[str, str]]
    # (body, body_html, topic slug or "")
    posts: list[tuple[str, str, str]]
    replies: list[tuple[str, str]]


def _with_html(body: str) -> tuple[str, str]:
    return body, str(render_markdown(body))


def _question_text(rng: random.Random, subject: str) -> tuple[str, str, str, str]:
    title = rng.choice(TITLE_PATTERNS).format(subject)
    title = title[0].upper() + title[1:]
    middles = rng.sample(QUESTION_MIDDLES, rng.randint(1, 4))
    first = " ".join([rng.choice(QUESTION_OPENINGS).format(subject), *middles[:2]])
    paragraphs = [first]
    if middles[2:]:
        paragraphs.append(" ".join(middles[2:]))
    if rng.random() < 0.2:
        paragraphs.append(QUESTION_LIST)
    ask = rng.choice(QUESTION_ASKS)
    paragraphs.append(f"**{ask}**" if rng.random() < 0.15 else ask)
    body, html = _with_html(_greeted(rng, "\n\n".join(paragraphs)))
    return title, body, html, make_excerpt(html)


def _answer_text(rng: random.Random) -> str:
    sentences = rng.sample(ANSWER_SENTENCES, rng.choices([1, 2, 3, 4, 6], [15, 25, 30, 20, 10])[0])
    paragraphs = [" ".join(sentences)]
    if rng.random() < 0.15:
        steps = rng.sample(ANSWER_STEPS, rng.randint(2, 4))
        paragraphs.append(
            "Så här gör vi:\n\n" + "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
        )
    if rng.random() < 0.1:
        paragraphs.append("**Viktigt:** " + rng.choice(ANSWER_SENTENCES))
    return "\n\n".join(paragraphs)


# Half the texts open with a greeting, as many do: the search benchmark's word
# that is in half of everything (see pages.py, search_common).
GREETING = "Hej!"
GREETING_SHARE = 0.5


def _greeted(rng: random.Random, body: str) -> str:
    return f"{GREETING} {body}" if rng.random() < GREETING_SHARE else body


def _texts(rng: random.Random) -> _Texts:
    def post(body: str, topic: str) -> tuple[str, str, str]:
        return _post_pool_entry(_greeted(rng, body), topic)

    return _Texts(
        questions=[[_question_text(rng, subject) for _ in range(8)] for subject, _ in SUBJECTS],
        answers=[_with_html(_greeted(rng, _answer_text(rng))) for _ in range(600)],
        comments=[
            _with_html(
                _greeted(
                    rng, " ".join(rng.sample(COMMENT_SENTENCES, rng.choices([1, 2], [70, 30])[0]))
                )
            )
            for _ in range(200)
        ],
        posts=[post(*_post_text(rng)) for _ in range(500)],
        replies=[
            post(" ".join(rng.sample(REPLY_SENTENCES, rng.choices([1, 2], [65, 35])[0])), "")[:2]
            for _ in range(200)
        ],
    )


def _creation_times(rng: random.Random, count: int, now: datetime) -> list[float]:
    """Creation times (epoch seconds, ascending, as ids follow creation) over five
    years, denser lately as the platform grew, on weekdays in office hours."""
    now_ts = now.timestamp()
    times = []
    for _ in range(count):
        day = (now - timedelta(days=HISTORY_DAYS * rng.random() ** 1.4)).date()
        if day.weekday() >= 5 and rng.random() < 0.9:
            # Few ask on a weekend: most of those days become the Friday before.
            day -= timedelta(days=day.weekday() - 4)
        # 06:30–16:00 UTC is roughly the Swedish office day.
        ts = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() + rng.uniform(
            23_400, 57_600
        )
        times.append(ts if ts < now_ts else now_ts - rng.uniform(60, 3600))
    times.sort()
    return times


def _insert_rows(cursor, model: type, fields: list[str], rows: list[list]) -> None:
    """Insert rows into the model's table: COPY on PostgreSQL (several times faster
    than executemany there), executemany elsewhere."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    if connection.vendor == "postgresql":
        # The psycopg cursor under Django's wrapper.
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(fields))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 - names from the models


# Tables whose ids the generator chooses (the rest are many-to-many links).
_WRITTEN_WITH_IDS = (
    Question, Answer, Comment, AnonymousAuthorship, Post, Reply, Like, FeedEntry, FeedEntryTopic,
)  # fmt: skip
# What the feed announces: (time, kind, the question's, post's, event's or note's id,
# actor, hidden, topic ids).
_Announcement = tuple[float, str, int, int | None, bool, list[int]]


class _ThreadWriter:
    """Builds questions with their answers, comments and anonymous links, posts
    with their replies and likes, and feed entries as plain rows, and inserts
    them table by table (parents first) on flush()."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        members: list[tuple[int, int]],
        moderators: list[int],
        texts: _Texts,
    ) -> None:
        self.rng = rng
        self.now = now.timestamp()
        self.members = members
        self.moderators = moderators
        self.texts = texts
        topics = dict(Topic.objects.filter(is_active=True).values_list("slug", "pk"))
        self.topics = topics
        weighted = [(pk, TOPIC_WEIGHTS.get(slug, 5)) for slug, pk in topics.items()]
        self.topic_ids = [pk for pk, _ in weighted]
        self.topic_weights = [weight for _, weight in weighted]
        self.tables = [
            (Question, _QUESTION_FIELDS),
            (Question.topics.through, _TOPIC_LINK_FIELDS),
            (Answer, _ANSWER_FIELDS),
            (Comment, _COMMENT_FIELDS),
            (AnonymousAuthorship, _AUTHORSHIP_FIELDS),
            (Post, _POST_FIELDS),
            (Post.topics.through, _POST_TOPIC_FIELDS),
            (Reply, _REPLY_FIELDS),
            (Like, _LIKE_FIELDS),
            (FeedEntry, _ENTRY_FIELDS),
            (FeedEntryTopic, _ENTRY_TOPIC_FIELDS),
        ]
        self.rows: dict[type, list[list]] = {model: [] for model, _ in self.tables}
        # Ids are given here rather than by the database, so answers and comments
        # can name their question and answer without reading anything back.
        self.next_id = {
            model: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
            for model in _WRITTEN_WITH_IDS
        }
        # Everything the feed will announce, written after questions and posts so
        # that entry ids follow time across both.
        self.announced: list[_Announcement] = []
        adapt = connection.ops.adapt_datetimefield_value
        self.stamp = lambda ts: adapt(datetime.fromtimestamp(ts, UTC))

    def _id(self, model: type) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def _other(self, asker: int) -> int:
        """Someone other than the asker (if there is anyone else)."""
        for _ in range(3):
            member = self.rng.choice(self.members)[0]
            if member != asker:
                return member
        return member

    def _delay(self, after: float, *, even: bool) -> float:
        """Seconds until a reply: most within hours, a tail over weeks; never in the
        future. ``even`` spreads replies evenly up to now instead."""
        span = max(self.now - after, 1.0)
        rng = self.rng
        if even:
            return span * rng.random()
        delay = rng.expovariate(1 / 10_800) if rng.random() < 0.6 else rng.expovariate(1 / 259_200)
        return delay if delay < span else span * rng.random()

    def _hiding(self, share: float, after: float) -> tuple[str | None, int | None, str]:
        if not self.moderators or self.rng.random() >= share:
            return None, None, ""
        hidden = after + self._delay(after, even=False)
        return self.stamp(hidden), self.rng.choice(self.moderators), HIDDEN_REASON

    def _topics(self, own: str) -> list[int]:
        count = self.rng.choices([1, 2, 3], [55, 33, 12])[0]
        chosen = [self.topics[own]] if own in self.topics else []
        while len(chosen) < min(count, len(self.topic_ids)):
            topic = self.rng.choices(self.topic_ids, self.topic_weights)[0]
            if topic not in chosen:
                chosen.append(topic)
        return chosen

    def _authorship(self, member: int, *, question=None, answer=None, comment=None) -> None:
        self.rows[AnonymousAuthorship].append(
            [self._id(AnonymousAuthorship), member, question, answer, comment]
        )

    def question(
        self, created: float, answers: int, comments: int, *, special_reader: int | None = None
    ) -> int:
        """One question and its thread. ``special_reader`` makes it the bench's long
        thread: named, nothing hidden, replies spread over the weeks since it was
        asked, and one anonymous answer by that member (the bench user), so the
        page also looks up the reader's own anonymous texts."""
        rng = self.rng
        special = special_reader is not None
        qid = self._id(Question)
        asker, organisation = rng.choice(self.members)
        if special:
            while asker == special_reader and len(self.members) > 1:
                asker, organisation = rng.choice(self.members)
            title, (body, html) = SPECIAL_TITLE, _with_html(SPECIAL_BODY)
            excerpt = make_excerpt(html)
            topic_ids = [
                self.topics[s] for s in ("barn-och-unga", "familjeratt") if s in self.topics
            ]
            topic_ids = topic_ids or self._topics("")
        else:
            subject = rng.randrange(len(SUBJECTS))
            title, body, html, excerpt = rng.choice(self.texts.questions[subject])
            topic_ids = self._topics(SUBJECTS[subject][1])
        anonymous = not special and rng.random() < ANONYMOUS_QUESTION_SHARE
        if anonymous:
            self._authorship(asker, question=qid)
        self.rows[Question.topics.through].extend([qid, topic] for topic in topic_ids)

        stamp = self.stamp
        last = created
        answer_rows: list[list] = []
        answer_times: list[float] = []
        for index, ts in enumerate(
            sorted(created + self._delay(created, even=special) for _ in range(answers))
        ):
            aid = self._id(Answer)
            by_asker = not special and rng.random() < ASKER_ANSWER_SHARE
            if by_asker:
                writer, anon = asker, anonymous
            elif special and index == answers // 2:
                writer, anon = special_reader, True
            else:
                writer, anon = self._other(asker), rng.random() < ANONYMOUS_ANSWER_SHARE
            if anon:
                self._authorship(writer, answer=aid)
            hidden = (None, None, "") if special else self._hiding(HIDDEN_REPLY_SHARE, ts)
            row = [aid, qid, *rng.choice(self.texts.answers), None if anon else writer, anon]
            row += [by_asker, stamp(ts), False, *hidden]
            answer_rows.append(row)
            answer_times.append(ts)
            last = max(last, ts)
        visible = [row for row in answer_rows if row[9] is None]  # hidden_at
        solved = bool(visible) and (special or rng.random() < SOLVED_SHARE)
        if solved:
            rng.choice(visible)[8] = True  # is_helpful, marked by the asker
        self.rows[Answer].extend(answer_rows)

        planned = []
        for _ in range(comments):
            if answer_rows and rng.random() < ON_ANSWER_SHARE:
                parent = rng.randrange(len(answer_rows))
                answer_id, after = answer_rows[parent][0], answer_times[parent]
            else:
                answer_id, after = None, created
            planned.append((after + self._delay(after, even=special), answer_id))
        for ts, answer_id in sorted(planned, key=lambda item: item[0]):
            cid = self._id(Comment)
            by_asker = rng.random() < ASKER_COMMENT_SHARE
            if by_asker:
                writer, anon = asker, anonymous
            else:
                writer, anon = self._other(asker), rng.random() < ANONYMOUS_COMMENT_SHARE
            if anon:
                self._authorship(writer, comment=cid)
            hidden = (None, None, "") if special else self._hiding(HIDDEN_REPLY_SHARE, ts)
            row = [cid, qid, answer_id, *rng.choice(self.texts.comments)]
            row += [None if anon else writer, anon, by_asker, stamp(ts), *hidden]
            self.rows[Comment].append(row)
            last = max(last, ts)

        hidden = (None, None, "") if special else self._hiding(HIDDEN_QUESTION_SHARE, last)
        self.rows[Question].append(
            [
                qid, title, body, html, excerpt, None if anonymous else asker,
                None if anonymous else organisation, anonymous, True, stamp(created),
                stamp(last), len(visible), solved, *hidden,
            ]
        )  # fmt: skip
        self.announced.append(
            (
                created,
                FeedEntry.Kind.QUESTION.value,
                qid,
                None if anonymous else asker,
                hidden[0] is not None,
                topic_ids,
            )
        )
        return qid

    def _post_topics(self, own: str) -> list[int]:
        """None to two topics, the text's own first."""
        count = self.rng.choices([0, 1, 2], [30, 50, 20])[0]
        chosen = [self.topics[own]] if own in self.topics and count else []
        while len(chosen) < min(count, len(self.topic_ids)):
            topic = self.rng.choices(self.topic_ids, self.topic_weights)[0]
            if topic not in chosen:
                chosen.append(topic)
        return chosen

    def post(self, created: float, replies: int, likes: int, *, pinned: bool, hidden: bool) -> None:
        """One post with its replies and likes. ``hidden`` posts are hidden after
        their last reply or like; ``pinned`` ones by a moderator soon after posting."""
        rng, stamp = self.rng, self.stamp
        pid = self._id(Post)
        author = rng.choice(self.members)[0]
        body, html, own = rng.choice(self.texts.posts)
        topic_ids = self._post_topics(own)
        self.rows[Post.topics.through].extend([pid, topic] for topic in topic_ids)
        link = rng.choice(POST_LINKS) if rng.random() < LINK_SHARE else ""
        image_key = f"bench{rng.getrandbits(96):024x}" if rng.random() < IMAGE_SHARE else ""

        last = created
        visible = 0
        for ts in sorted(created + self._delay(created, even=False) for _ in range(replies)):
            writer = author if rng.random() < 0.15 else self._other(author)
            hiding = self._hiding(HIDDEN_REPLY_SHARE, ts)
            visible += hiding[0] is None
            row = [self._id(Reply), pid, *rng.choice(self.texts.replies), writer, stamp(ts)]
            self.rows[Reply].append(row + list(hiding))
            last = max(last, ts)
        likers = rng.sample(self.members, min(likes, len(self.members)))
        for liker, _organisation in likers:
            ts = created + self._delay(created, even=False)
            self.rows[Like].append([self._id(Like), pid, liker, stamp(ts)])
            last = max(last, ts)

        pinned_at, pinned_by = None, None
        if pinned and self.moderators:
            pinned_at = stamp(min(created + rng.uniform(600, 7200), self.now))
            pinned_by = rng.choice(self.moderators)
        hiding = (None, None, "")
        if hidden and not pinned and self.moderators:
            when = last + self._delay(last, even=False)
            hiding = (stamp(when), rng.choice(self.moderators), HIDDEN_REASON)
        self.rows[Post].append(
            [
                pid, body, html, author, stamp(created), image_key, link, pinned_at, pinned_by,
                visible, len(likers), *hiding,
            ]
        )  # fmt: skip
        self.announced.append(
            (created, FeedEntry.Kind.POST.value, pid, author, hiding[0] is not None, topic_ids)
        )

    def entry(self, announcement: _Announcement) -> None:
        """The feed entry for a question, post, event or note, and its topic rows."""
        created, kind, target, actor, hidden, topic_ids = announcement
        eid = self._id(FeedEntry)
        ts = self.stamp(created)
        targets = [target if kind == each else None for each in _ENTRY_KINDS]
        self.rows[FeedEntry].append([eid, kind, ts, actor, *targets, hidden])
        self.rows[FeedEntryTopic].extend(
            [self._id(FeedEntryTopic), eid, topic, ts, hidden] for topic in topic_ids
        )

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for model, fields in self.tables:
                rows = self.rows[model]
                if rows:
                    _insert_rows(cursor, model, fields, rows)
                    rows.clear()

    def reset_sequences(self) -> None:
        """PostgreSQL's id sequences do not move for ids written explicitly."""
        models = list(_WRITTEN_WITH_IDS)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


def _answer_counts(
    rng: random.Random, times: list[float], total: int, special: int, now: datetime
) -> list[int]:
    """Answers per question: none for some (more often the newest), a skewed
    spread over the rest, exactly ``total`` in all with the special thread's."""
    now_ts = now.timestamp()
    counts = [0] * len(times)
    answered, weights = [], []
    for index, created in enumerate(times):
        age_days = (now_ts - created) / 86_400
        unanswered = 0.5 if age_days < 3 else 0.15 if age_days < 30 else UNANSWERED_SHARE
        if index != special and rng.random() >= unanswered:
            answered.append(index)
            weights.append(rng.lognormvariate(0, 0.7))
    remaining = total - SPECIAL_ANSWERS
    if answered and remaining > 0:
        for index in rng.choices(answered, weights, k=remaining):
            counts[index] += 1
    counts[special] = SPECIAL_ANSWERS
    return counts


def _comment_counts(rng: random.Random, answers: list[int], total: int, special: int) -> list[int]:
    """Comments per question, more where there are more answers to comment on."""
    counts = [0] * len(answers)
    others = [index for index in range(len(answers)) if index != special]
    remaining = total - SPECIAL_COMMENTS
    if others and remaining > 0:
        weights = [1 + 0.3 * answers[index] for index in others]
        for index in rng.choices(others, weights, k=remaining):
            counts[index] += 1
    counts[special] = SPECIAL_COMMENTS
    return counts


def _writer(rng: random.Random, now: datetime) -> _ThreadWriter:
    return _ThreadWriter(
        rng,
        now,
        list(Member.objects.order_by("pk").values_list("pk", "organisation_id")),
        list(
            Member.objects.filter(role__in=[Role.MODERATOR, Role.ADMIN])
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        _texts(rng),
    )


def _questions(
    writer: _ThreadWriter,
    members: int,
    bench_pk: int,
    now: datetime,
    progress: Callable[[str], None],
) -> None:
    """Questions, answers, comments and anonymous links, in transactions of
    QUESTION_CHUNK questions; remembers the special question's id."""
    rng = writer.rng
    questions, answers_total, comments_total = question_counts(members)
    progress(f"questions: {questions}, answers: {answers_total}, comments: {comments_total}")
    times = _creation_times(rng, questions, now)
    special = min(
        bisect.bisect_left(times, (now - timedelta(days=SPECIAL_AGE_DAYS)).timestamp()),
        questions - 1,
    )
    answers = _answer_counts(rng, times, answers_total, special, now)
    comments = _comment_counts(rng, answers, comments_total, special)
    special_id = None
    for start in range(0, questions, QUESTION_CHUNK):
        with transaction.atomic():
            for index in range(start, min(start + QUESTION_CHUNK, questions)):
                qid = writer.question(
                    times[index],
                    answers[index],
                    comments[index],
                    special_reader=bench_pk if index == special else None,
                )
                if index == special:
                    special_id = qid
            writer.flush()
        progress(f"questions: {min(start + QUESTION_CHUNK, questions)}/{questions}")
    _meta_set("question_id", str(special_id))


def _spread(rng: random.Random, times: list[float], total: int, now: datetime) -> list[int]:
    """Replies (or likes) per post: none on some, more often on the newest, which
    have had little time; a skewed spread over the rest, ``total`` in all."""
    now_ts = now.timestamp()
    counts = [0] * len(times)
    chosen, weights = [], []
    for index, created in enumerate(times):
        quiet = 0.6 if now_ts - created < 86_400 else QUIET_POST_SHARE
        if rng.random() >= quiet:
            chosen.append(index)
            weights.append(rng.lognormvariate(0, 0.8))
    if chosen and total > 0:
        for index in rng.choices(chosen, weights, k=total):
            counts[index] += 1
    return counts


def _posts(
    writer: _ThreadWriter, members: int, now: datetime, progress: Callable[[str], None]
) -> None:
    """Posts with their replies and likes, in transactions of POST_CHUNK posts: a
    few recent ones pinned, a few hidden (see post_counts for the sizes)."""
    rng = writer.rng
    posts, replies_total, likes_total = post_counts(members)
    progress(f"posts: {posts}, replies: {replies_total}, likes: about {likes_total}")
    times = _creation_times(rng, posts, now)
    replies = _spread(rng, times, replies_total, now)
    likes = _spread(rng, times, likes_total, now)
    recent = range(
        bisect.bisect_left(times, (now - timedelta(days=PINNED_WITHIN_DAYS)).timestamp()), posts
    )
    pinned = set(rng.sample(recent, min(len(recent), max(2, PINNED_MAX * posts // 200_000))))
    others = [index for index in range(posts) if index not in pinned]
    hidden = set(rng.sample(others, min(len(others), max(1, round(posts * HIDDEN_POST_SHARE)))))
    for start in range(0, posts, POST_CHUNK):
        with transaction.atomic():
            for index in range(start, min(start + POST_CHUNK, posts)):
                writer.post(
                    times[index],
                    replies[index],
                    likes[index],
                    pinned=index in pinned,
                    hidden=index in hidden,
                )
            writer.flush()
        progress(f"posts: {min(start + POST_CHUNK, posts)}/{posts}")


def _feed(writer: _ThreadWriter, progress: Callable[[str], None]) -> None:
    """A feed entry for every question and post, oldest first, in transactions of
    FEED_CHUNK entries."""
    announced = sorted(writer.announced, key=lambda item: (item[0], item[1], item[2]))
    writer.announced = []
    for start in range(0, len(announced), FEED_CHUNK):
        with transaction.atomic():
            for item in announced[start : start + FEED_CHUNK]:
                writer.entry(item)
            writer.flush()
        progress(f"feed entries: {min(start + FEED_CHUNK, len(announced))}/{len(announced)}")


# --- Kalendarium: events, series, groups, "Jag kommer" and meeting notes ------------------------
#
# At national scale (30,000 members) 20,000 events, 500 of them series (weekly or
# every other week, 10–30 dates), so about 30,000 dates; 50,000 "Jag kommer",
# 2,000 meeting notes and 5 groups holding about 2 % of the events. Other sizes in
# proportion (see calendar_counts). Events, dates and notes are bulk_create with
# ids chosen here, the links raw rows; they hold what kollegan/events/services.py
# and kollegan/notes/services.py write:
#   - one Occurrence per date of the rule (recurrence.expand, Swedish wall time)
#     with its event's group copied onto it; a skipped date keeps its row, a
#     moved one has moved=True and its original_start where the rule put it; a
#     date's theme is on its row;
#   - last_end is the end of the last date not skipped, and ics is
#     kollegan.events.ics.event_ics over the event, its dates and topic names;
#   - going_count counts the date's Attendance rows; nobody signs up for a
#     skipped date or a cancelled event, and a group's dates only its members;
#   - a note from a date names the date and its event, and the event's group;
#   - events and notes for everyone get a feed entry at their creation time (a
#     group's never), written with the questions' and posts' so ids follow time.
# Time: about a tenth of the events end within selectors.FEED_HISTORY (90 days)
# before now or later, a little over half of those already past; the rest are
# spread over the four years before. A personal subscription feed, which holds
# exactly those events, thus has about 2,000 events at national scale.

EVENTS_PER_MEMBER_NUMERATOR, EVENTS_PER_MEMBER_DENOMINATOR = 2, 3
EVENTS_PER_SERIES = 40  # one event in 40 is a series: 500 of 20,000
ATTENDANCE_PER_MEMBER_NUMERATOR, ATTENDANCE_PER_MEMBER_DENOMINATOR = 5, 3
MEMBERS_PER_NOTE = 15
CALENDAR_PAST_DAYS = 4 * 365
CALENDAR_FUTURE_DAYS = 365
FEED_WINDOW_SHARE = 0.10  # events whose last date ends within FEED_HISTORY or later
RECENT_PAST_SHARE = 0.55  # of those, the ones already over
GROUP_EVENT_SHARE = 0.02
CANCELLED_EVENT_SHARE = 0.02
ALL_DAY_SHARE = 0.05
HOSTED_SHARE = 0.3
THEMED_SERIES_SHARE = 0.4
SKIPPING_SERIES_SHARE = 0.25
MOVING_SERIES_SHARE = 0.1
NOTE_ON_DATE_SHARE = 0.4
GROUP_NOTE_SHARE = 0.02
SIGN_UP_AHEAD_DAYS = 60  # "Jag kommer" only for dates up to this far ahead
MAX_GOING = 300
EVENT_CHUNK = 2000  # events per bulk_create

# The series behind the `event_series` page and the date behind `occurrence`:
# the weekly mötesplats, SPECIAL_SERIES_PAST of its dates over, the last of them
# with SPECIAL_ATTENDEES signed up and SPECIAL_NOTES notes; the same at every scale.
SPECIAL_SERIES_TITLE = "Digital mötesplats"
SPECIAL_SERIES_DATES = 30
SPECIAL_SERIES_PAST = 20
SPECIAL_ATTENDEES = 50
SPECIAL_NOTES = 2

GROUP_NAMES = [
    "Yrkesresan Ny inom R8 – hösten 2024",
    "Yrkesresan Ny inom R8 – våren 2025",
    "Yrkesresan Ny inom R8 – hösten 2025",
    "Familjerättsnätverket i inlandet",
    "Handledningsgrupp försörjningsstöd Region 10",
]
GROUP_SERIES_TITLE = "Samtal efter kursdagen"

EVENT_SENTENCES = [
    "Vi ses på Teams, länken finns här i kalendariet.",
    "Ta gärna med en avidentifierad fråga som du vill diskutera med kollegorna.",
    "Tryck på Jag kommer så vet vi ungefär hur många vi blir.",
    "FoU Välfärd inleder, sedan samtalar vi i mindre grupper.",
    "Passar både dig som är ny i yrket och dig som har arbetat länge.",
    "Anteckningarna läggs under Mötesnoteringar efteråt.",
    "Den här gången har vi en gäst från regionens kunskapscentrum.",
    "Ingen anmälan behövs, det är bara att ansluta.",
    "Vi utgår från Socialstyrelsens vägledning och pratar om hur den fungerar i en liten kommun.",
    "Kameran får gärna vara på, men det går bra att bara lyssna.",
    "Träffen är öppen för alla som arbetar inom IFO i länet.",
    "Skriv gärna i förväg här i Frågor om det är något särskilt du vill ta upp.",
]
EVENT_PROGRAMME = """**Program**

- Inledning och dagens tema
- Samtal i mindre grupper
- Gemensam sammanfattning och nästa steg"""
PLACES = [
    "Kommunhuset i {}",
    "Socialkontoret i {}",
    "Folkets hus, {}",
    "Stora konferensrummet, Regionens hus i Umeå",
    "Hotell Lappland, Lycksele",
]
NOTE_OPENINGS = [
    "Vi var {} kollegor från {} kommuner.",
    "{} deltagare från {} av kommunerna var med den här gången.",
    "Träffen samlade {} kollegor från {} kommuner, flera för första gången.",
]
NOTE_SENTENCES = [
    "Vi började med en kort runda om hur det ser ut i respektive kommun just nu.",
    "Samtalet handlade mest om hur vi dokumenterar våra bedömningar.",
    "Flera lyfte att det är svårt att hinna läsa in sig på nya vägledningar.",
    "Vi enades om att ta upp frågan igen på nästa träff.",
    "FoU Välfärd tar fram ett underlag till nästa gång.",
    "Det kom fram att flera kommuner har liknande rutiner som vi kan dela.",
    "Den som vill läsa mer hittar materialet under Dokument.",
]
NOTE_TITLES = [
    "Anteckningar från nätverksträffen om {}",
    "Minnesanteckningar: {}",
    "Sammanfattning av samtalet om {}",
]


def calendar_counts(members: int) -> tuple[int, int, int, int]:
    """(events, series among them, "Jag kommer", meeting notes) for ``members``
    members: 20,000, 500, 50,000 and 2,000 at national scale (30,000 members)."""
    events = max(members * EVENTS_PER_MEMBER_NUMERATOR // EVENTS_PER_MEMBER_DENOMINATOR, 10)
    attendances = max(
        members * ATTENDANCE_PER_MEMBER_NUMERATOR // ATTENDANCE_PER_MEMBER_DENOMINATOR,
        2 * SPECIAL_ATTENDEES,
    )
    return (
        events,
        max(events // EVENTS_PER_SERIES, 2),
        attendances,
        max(members // MEMBERS_PER_NOTE, 4),
    )


def _capitalised(text: str) -> str:
    return text[0].upper() + text[1:]


def _event_titles() -> list[tuple[str, str]]:
    """(title, topic slug or "") of single events."""
    titles = [(f"Digital mötesplats – tema {theme}", topic) for theme, topic in MEETING_THEMES]
    titles += [(f"Utbildningsdag: {course}", topic) for course, topic in COURSES]
    titles += [(f"Yrkesresan: {course}", topic) for course, topic in COURSES]
    titles += [(f"Nätverksträff om {subject}", topic) for subject, topic in SUBJECTS]
    titles += [(f"Informationsträff om {guide}", topic) for guide, topic in GUIDES]
    titles += [
        ("Barnets resa i socialtjänsten", "barn-och-unga"),
        ("Arbetsgruppen för Digitala kollegan", "ovrigt"),
        ("Länsträff för enhetschefer inom IFO", "ovrigt"),
    ]
    return [(_capitalised(title), topic) for title, topic in titles]


def _series_titles() -> list[tuple[str, str]]:
    titles = [(f"Nätverk för {theme}", topic) for theme, topic in MEETING_THEMES]
    titles += [(f"Läsecirkel: {guide}", topic) for guide, topic in GUIDES]
    titles += [(f"Kursträffar: {course}", topic) for course, topic in COURSES]
    titles += [(f"Handledningsgrupp {unit.lower()}", "") for unit in UNIT_NAMES]
    titles += [(SPECIAL_SERIES_TITLE, "")] * 5
    return [(_capitalised(title), topic) for title, topic in titles]


def _event_description(rng: random.Random) -> str:
    text = " ".join(rng.sample(EVENT_SENTENCES, rng.randint(1, 4)))
    return f"{text}\n\n{EVENT_PROGRAMME}" if rng.random() < 0.2 else text


def _note_body(rng: random.Random) -> str:
    opening = rng.choice(NOTE_OPENINGS).format(rng.randint(6, 30), rng.randint(2, 8))
    points = rng.sample(MEETING_POINTS, rng.randint(2, 4))
    middle = " ".join(rng.sample(NOTE_SENTENCES, rng.randint(1, 3)))
    return (
        f"{opening} {middle}\n\nDet vi tog med oss:\n\n"
        + "\n".join(f"- {point}" for point in points)
        + "\n\n"
        + rng.choice(NOTE_SENTENCES)
    )


@dataclass
class _Planned:
    """One event before it is written: the row, its dates, topics and hosts."""

    event: Event
    dates: list[Occurrence]
    topic_ids: list[int]
    host_ids: list[int]


def _at_work(day: date) -> date:
    """Weekend days become the Friday before: events are on working days."""
    return day - timedelta(days=day.weekday() - 4) if day.weekday() >= 5 else day


class _CalendarWriter:
    """Plans the events, their dates, sign-ups and notes as model instances and
    rows, then writes them (see the comment above calendar_counts)."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        members: list[tuple[int, int]],
        moderators: list[int],
        bench_pk: int,
    ) -> None:
        self.rng = rng
        self.now = now
        self.members = members  # (pk, organisation) of active members
        self.member_ids = [pk for pk, _org in members]
        self.organisation_of = dict(members)
        self.moderators = moderators or self.member_ids[:1]
        self.bench_pk = bench_pk
        topics = Topic.objects.filter(is_active=True).order_by("position", "name")
        self.topics = {topic.slug: topic.pk for topic in topics}
        self.topic_names = {topic.pk: topic.name for topic in topics}
        self.topic_order = {topic.pk: index for index, topic in enumerate(topics)}
        self.topic_ids = list(self.topic_names)
        self.topic_weights = [TOPIC_WEIGHTS.get(topic.slug, 5) for topic in topics]
        organisations = list(Organisation.objects.order_by("pk"))
        self.fou = next((org.pk for org in organisations if org.slug == "fou-valfard"), None)
        self.towns = {
            org.pk: org.name for org in organisations if org.kind == Organisation.Kind.MUNICIPALITY
        }
        self.event_titles = _event_titles()
        self.series_titles = _series_titles()
        self.descriptions = [_with_html(_event_description(rng)) for _ in range(80)]
        self.note_bodies = [_with_html(_note_body(rng)) for _ in range(120)]
        self.next_id = {
            model: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
            for model in (Event, Occurrence, Note)
        }
        self.planned: list[_Planned] = []
        self.groups: list[tuple[int, list[int]]] = []  # (group, its members)
        self.notes: list[tuple[Note, list[int]]] = []
        self.attendance: list[list] = []
        self.special: _Planned | None = None
        self.special_date: Occurrence | None = None

    def _id(self, model: type) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def _topics(self, own: str) -> list[int]:
        """None to three topics, the title's own first."""
        count = self.rng.choices([0, 1, 2, 3], [10, 50, 30, 10])[0]
        chosen = [self.topics[own]] if own in self.topics and count else []
        while len(chosen) < min(count, len(self.topic_ids)):
            topic = self.rng.choices(self.topic_ids, self.topic_weights)[0]
            if topic not in chosen:
                chosen.append(topic)
        return chosen

    # Groups -----------------------------------------------------------------------------

    def make_groups(self) -> None:
        """The groups with their members (the creator, a moderator, among them);
        the bench member is in the first."""
        rng = self.rng
        size = min(max(len(self.members) // 1000, 3), 40)
        created = []
        for index, name in enumerate(GROUP_NAMES):
            creator = rng.choice(self.moderators)
            when = self.now - timedelta(days=120 + 180 * (len(GROUP_NAMES) - index))
            created.append(
                Group(
                    name=name,
                    description="Kursdeltagare och deras samtal efter varje kurstillfälle.",
                    created_by_id=creator,
                    created_at=when,
                )
            )
        Group.objects.bulk_create(created)
        by_name = dict(Group.objects.filter(name__in=GROUP_NAMES).values_list("name", "pk"))
        memberships = []
        for index, group in enumerate(created):
            pk = by_name[group.name]
            chosen = rng.sample(self.member_ids, min(size, len(self.member_ids)))
            chosen = [member for member in chosen if member != group.created_by_id]
            chosen.insert(0, group.created_by_id)
            if index == 0 and self.bench_pk not in chosen:
                chosen.append(self.bench_pk)
            memberships += [
                GroupMembership(
                    group_id=pk,
                    member_id=member,
                    added_by_id=group.created_by_id,
                    added_at=group.created_at,
                )
                for member in chosen
            ]
            self.groups.append((pk, chosen))
        GroupMembership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)

    # Events and their dates -------------------------------------------------------------

    def _last_day(self, span: timedelta) -> date:
        """The (Swedish) day of an event's last date, ``span`` after its first."""
        rng, now = self.rng, self.now
        if rng.random() < FEED_WINDOW_SHARE:
            if rng.random() < RECENT_PAST_SHARE:
                when = now - FEED_HISTORY * rng.random()
            else:
                when = now + timedelta(days=CALENDAR_FUTURE_DAYS) * rng.random() ** 2
        else:
            earliest = now - timedelta(days=CALENDAR_PAST_DAYS) + span
            latest = now - FEED_HISTORY - timedelta(days=3)
            when = earliest + (latest - earliest) * rng.random()
        return local(when).date()

    def _time_of_day(self) -> tuple[time, timedelta]:
        rng = self.rng
        start = time(rng.choice([8, 8, 9, 9, 10, 13, 13, 14, 15]), rng.choice([0, 0, 15, 30]))
        return start, timedelta(minutes=rng.choice([45, 60, 60, 90, 120, 180, 240]))

    def plan(self, events: int, series: int) -> None:
        rng = self.rng
        others = range(1, events)
        series_at = set(rng.sample(others, min(series - 1, len(others))))
        group_at = set(rng.sample(others, min(round(events * GROUP_EVENT_SHARE), len(others))))
        self._special()
        for index in others:
            group = rng.choice(self.groups) if index in group_at and self.groups else None
            if index in series_at:
                self._series(group)
            else:
                self._single(group)

    def _author(self, group: tuple[int, list[int]] | None) -> tuple[int, int | None]:
        """(author, organiser) of a new event: a group's member for a group's event."""
        rng = self.rng
        if group is not None:
            author = rng.choice(group[1])
            organisation = self.organisation_of.get(author)
        else:
            author, organisation = rng.choice(self.members)
        roll = rng.random()
        organiser = organisation if roll < 0.5 else self.fou if roll < 0.75 else None
        return author, organiser

    def _event(
        self,
        *,
        title: str,
        group: tuple[int, list[int]] | None,
        start: datetime,
        end: datetime,
        all_day: bool = False,
        rrule: str = "",
        author: int | None = None,
        organiser: int | None = None,
        online: bool | None = None,
    ) -> Event:
        rng = self.rng
        if author is None:
            author, organiser = self._author(group)
        description, html = rng.choice(self.descriptions)
        pk = self._id(Event)
        online = rng.random() < 0.7 if online is None else online
        place = ""
        if not online or rng.random() < 0.1:
            town = self.towns.get(self.organisation_of.get(author), "Lycksele")
            place = rng.choice(PLACES).format(town)
        lead = timedelta(days=rng.uniform(3, 60))
        created = min(start - lead, self.now - timedelta(seconds=rng.uniform(600, 30 * 86_400)))
        # Whole seconds: the feed entry's time goes through a float timestamp.
        created = created.replace(microsecond=0)
        cancelled = rng.random() < CANCELLED_EVENT_SHARE
        cancelled_at = None
        if cancelled:
            cancelled_at = created + (min(start, self.now) - created) * rng.random()
        return Event(
            pk=pk,
            uid=f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@kollegan",
            title=title,
            description=description,
            description_html=html,
            start=start,
            end=end,
            all_day=all_day,
            place=place,
            online_url=f"https://teams.microsoft.com/l/meetup-join/bench-{pk:08d}"
            if online
            else "",
            organiser_id=organiser,
            author_id=author,
            group_id=group[0] if group else None,
            rrule=rrule,
            last_end=end,
            cancelled_at=cancelled_at,
            cancelled_by_id=author if cancelled else None,
            created_at=created,
        )

    def _hosts(self, event: Event) -> list[int]:
        if self.rng.random() >= HOSTED_SHARE:
            return []
        pool = dict(self.groups)[event.group_id] if event.group_id else self.member_ids
        return list(dict.fromkeys(self.rng.sample(pool, min(self.rng.randint(1, 2), len(pool)))))

    def _single(self, group) -> None:
        rng = self.rng
        title, own = rng.choice(self.event_titles)
        if rng.random() < ALL_DAY_SHARE:
            days = rng.choice([1, 1, 2, 3])
            last = _at_work(self._last_day(timedelta(days=days)))
            first = last - timedelta(days=days - 1)
            start = datetime.combine(first, time(0), tzinfo=STOCKHOLM)
            end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=STOCKHOLM)
            event = self._event(title=title, group=group, start=start, end=end, all_day=True)
        else:
            day = _at_work(self._last_day(timedelta(0)))
            at, length = self._time_of_day()
            start = datetime.combine(day, at, tzinfo=STOCKHOLM)
            event = self._event(title=title, group=group, start=start, end=start + length)
        date_row = Occurrence(
            pk=self._id(Occurrence),
            event_id=event.pk,
            group_id=event.group_id,
            original_start=event.start,
            start=event.start,
            end=event.end,
        )
        self.planned.append(_Planned(event, [date_row], self._topics(own), self._hosts(event)))

    def _dates(
        self,
        event: Event,
        *,
        themes: list[str],
        skip: int | None = None,
        move: int | None = None,
    ) -> list[Occurrence]:
        """The series' rows, as services._sync_occurrences writes them."""
        length = local(event.end).replace(tzinfo=None) - local(event.start).replace(tzinfo=None)
        rows = []
        for index, start in enumerate(recurrence.expand(event.rrule, event.start)):
            row = Occurrence(
                pk=self._id(Occurrence),
                event_id=event.pk,
                group_id=event.group_id,
                original_start=start,
                start=start,
                end=start + length,
                theme=themes[index % len(themes)] if themes else "",
                skipped=index == skip,
            )
            if index == move and index != skip:
                row.start, row.end = start + timedelta(hours=1), start + timedelta(hours=1) + length
                row.moved = True
            rows.append(row)
        event.last_end = max(row.end for row in rows if not row.skipped)
        return rows

    def _series(self, group) -> None:
        rng = self.rng
        count, weeks = rng.randint(10, 30), rng.choice([1, 1, 2])
        span = timedelta(weeks=weeks * (count - 1))
        if group is not None:
            title, own = GROUP_SERIES_TITLE, ""
        else:
            title, own = rng.choice(self.series_titles)
        first = _at_work(self._last_day(span) - span)
        at, length = self._time_of_day()
        start = datetime.combine(first, at, tzinfo=STOCKHOLM)
        interval = f";INTERVAL={weeks}" if weeks > 1 else ""
        rule = recurrence.normalise_rule(f"FREQ=WEEKLY{interval};COUNT={count}")
        event = self._event(title=title, group=group, start=start, end=start + length, rrule=rule)
        themes = []
        if title == SPECIAL_SERIES_TITLE or rng.random() < THEMED_SERIES_SHARE:
            offset = rng.randrange(len(MEETING_THEMES))
            themes = [
                _capitalised(theme) for theme, _topic in MEETING_THEMES[offset:] + MEETING_THEMES
            ][: len(MEETING_THEMES)]
        skip = rng.randrange(1, count - 1) if rng.random() < SKIPPING_SERIES_SHARE else None
        move = rng.randrange(1, count - 1) if rng.random() < MOVING_SERIES_SHARE else None
        dates = self._dates(event, themes=themes, skip=skip, move=move)
        if move is not None and dates[move].moved:
            # Moving one date is an edit (services.occurrence_edit): a new SEQUENCE.
            moved_at = (
                event.created_at
                + (min(dates[move].original_start, self.now) - event.created_at) * rng.random()
            )
            event.edited_at, event.sequence = moved_at.replace(microsecond=0), 1
        self.planned.append(_Planned(event, dates, self._topics(own), self._hosts(event)))

    def _special(self) -> None:
        """The weekly mötesplats on Wednesdays 08:15–09:00, organised by FoU,
        SPECIAL_SERIES_PAST dates over; one week skipped; a theme every week."""
        today = local(self.now).date()
        # The latest Wednesday whose meeting is over.
        last_past = today - timedelta(days=(today.weekday() - 2) % 7)
        if datetime.combine(last_past, time(9, 0), tzinfo=STOCKHOLM) > self.now:
            last_past -= timedelta(weeks=1)
        first = last_past - timedelta(weeks=SPECIAL_SERIES_PAST - 1)
        start = datetime.combine(first, time(8, 15), tzinfo=STOCKHOLM)
        rule = recurrence.normalise_rule(f"FREQ=WEEKLY;COUNT={SPECIAL_SERIES_DATES}")
        host = self.moderators[0]
        event = self._event(
            title=SPECIAL_SERIES_TITLE,
            group=None,
            start=start,
            end=start + timedelta(minutes=45),
            rrule=rule,
            author=host,
            organiser=self.fou,
            online=True,
        )
        event.cancelled_at = event.cancelled_by_id = None
        event.place = ""
        themes = [_capitalised(theme) for theme, _topic in MEETING_THEMES]
        dates = self._dates(event, themes=themes, skip=SPECIAL_SERIES_PAST // 2)
        topic_ids = [
            self.topics[topic] for _theme, topic in MEETING_THEMES[:4] if topic in self.topics
        ]
        hosts = self.moderators[:2]
        self.special = _Planned(event, dates, topic_ids, hosts)
        self.special_date = dates[SPECIAL_SERIES_PAST - 1]
        self.planned.append(self.special)

    # "Jag kommer" -----------------------------------------------------------------------

    def sign_up(self, total: int) -> None:
        """Spread ``total`` sign-ups over dates up to SIGN_UP_AHEAD_DAYS ahead, many
        on a few; the special date gets exactly SPECIAL_ATTENDEES."""
        rng = self.rng
        horizon = self.now + timedelta(days=SIGN_UP_AHEAD_DAYS)
        groups = dict(self.groups)
        adapt = connection.ops.adapt_datetimefield_value
        chosen: list[tuple[Occurrence, Event]] = []
        weights = []
        for planned in self.planned:
            event = planned.event
            if event.cancelled_at is not None:
                continue
            for row in planned.dates:
                if not row.skipped and row.start <= horizon and row is not self.special_date:
                    chosen.append((row, event))
                    weights.append(rng.lognormvariate(0, 1))
        counts: dict[int, int] = {}
        special_count = min(SPECIAL_ATTENDEES, len(self.member_ids))
        if chosen and total > special_count:
            for index in rng.choices(range(len(chosen)), weights, k=total - special_count):
                counts[index] = counts.get(index, 0) + 1
        plan = []
        if self.special is not None and self.special_date is not None:
            plan.append((self.special_date, self.special.event, special_count))
        plan += [(chosen[index][0], chosen[index][1], count) for index, count in counts.items()]
        for row, event, count in plan:
            pool = groups[event.group_id] if event.group_id else self.member_ids
            people = rng.sample(pool, min(count, len(pool), MAX_GOING))
            row.going_count = len(people)
            latest = min(row.start, self.now)
            for member in people:
                when = event.created_at + (latest - event.created_at) * rng.random()
                self.attendance.append([row.pk, member, adapt(when)])

    # Meeting notes -------------------------------------------------------------------------

    def write_notes(self, total: int) -> None:
        rng = self.rng
        groups = dict(self.groups)
        past = [
            (row, planned)
            for planned in self.planned
            if planned.event.cancelled_at is None
            for row in planned.dates
            if not row.skipped and row.end < self.now
        ]
        for index in range(total):
            roll = rng.random()
            if self.special_date is not None and index < SPECIAL_NOTES:
                row, planned = self.special_date, self.special
            elif roll < NOTE_ON_DATE_SHARE and past:
                row, planned = rng.choice(past)
            else:
                row = planned = None
            group = None
            if planned is not None:
                event = planned.event
                group = event.group_id
                day = local(row.start).date()
                shown = ics.display_title(event.title, row.theme)
                title = f"Anteckningar: {shown} {day.day}/{day.month} {day.year}"
                pool = [event.author_id, *planned.host_ids]
                author = (
                    rng.choice(pool) if rng.random() < 0.6 or group else rng.choice(self.member_ids)
                )
                if group and author not in groups[group]:
                    author = rng.choice(groups[group])
                created = min(
                    row.end + timedelta(hours=rng.uniform(1, 72)), self.now - timedelta(minutes=1)
                )
                topic_ids = planned.topic_ids
            else:
                subject, own = rng.choice(SUBJECTS)
                title = _capitalised(rng.choice(NOTE_TITLES).format(subject))
                if roll > 1 - GROUP_NOTE_SHARE and self.groups:
                    group, people = rng.choice(self.groups)
                    author = rng.choice(people)
                else:
                    author = rng.choice(self.member_ids)
                created = self.now - timedelta(days=CALENDAR_PAST_DAYS * rng.random())
                topic_ids = self._topics(own)
            body, html = rng.choice(self.note_bodies)
            created = created.replace(microsecond=0)
            note = Note(
                pk=self._id(Note),
                title=title[:200],
                body=body,
                body_html=html,
                author_id=author,
                event_id=row.event_id if row else None,
                occurrence_id=row.pk if row else None,
                group_id=group,
                created_at=created,
            )
            self.notes.append((note, topic_ids))

    # Writing ----------------------------------------------------------------------------

    def write(self, progress: Callable[[str], None]) -> None:
        started = timezone.now()
        for planned in self.planned:
            names = sorted(planned.topic_ids, key=self.topic_order.__getitem__)
            dates = sorted(planned.dates, key=lambda row: row.original_start)
            planned.event.ics = ics.event_ics(
                planned.event, dates, [self.topic_names[pk] for pk in names]
            )
        seconds = (timezone.now() - started).total_seconds()
        progress(f"calendar texts: {len(self.planned)} in {seconds:.1f}s")
        events = [planned.event for planned in self.planned]
        for start in range(0, len(events), EVENT_CHUNK):
            Event.objects.bulk_create(events[start : start + EVENT_CHUNK])
        Occurrence.objects.bulk_create(
            [row for planned in self.planned for row in planned.dates], batch_size=BATCH_SIZE
        )
        with connection.cursor() as cursor:
            topic_rows = [
                [planned.event.pk, topic] for planned in self.planned for topic in planned.topic_ids
            ]
            _insert_rows(cursor, Event.topics.through, ["event", "topic"], topic_rows)
            host_rows = [
                [planned.event.pk, host] for planned in self.planned for host in planned.host_ids
            ]
            _insert_rows(cursor, Event.hosts.through, ["event", "member"], host_rows)
            for start in range(0, len(self.attendance), 50_000):
                _insert_rows(
                    cursor,
                    Attendance,
                    ["occurrence", "member", "created_at"],
                    self.attendance[start : start + 50_000],
                )
        Note.objects.bulk_create([note for note, _topics in self.notes], batch_size=BATCH_SIZE)
        with connection.cursor() as cursor:
            note_rows = [[note.pk, topic] for note, topics in self.notes for topic in topics]
            _insert_rows(cursor, Note.topics.through, ["note", "topic"], note_rows)

    def announcements(self) -> list[_Announcement]:
        """Feed entries for the events and notes for everyone."""
        found: list[_Announcement] = [
            (
                planned.event.created_at.timestamp(),
                FeedEntry.Kind.EVENT.value,
                planned.event.pk,
                planned.event.author_id,
                False,
                planned.topic_ids,
            )
            for planned in self.planned
            if planned.event.group_id is None
        ]
        found += [
            (
                note.created_at.timestamp(),
                FeedEntry.Kind.NOTE.value,
                note.pk,
                note.author_id,
                False,
                topics,
            )
            for note, topics in self.notes
            if note.group_id is None
        ]
        return found

    def busiest_month(self) -> tuple[int, int]:
        """The (year, month) with the most dates the bench member sees."""
        mine = {pk for pk, people in self.groups if self.bench_pk in people}
        months = Counter(
            (local(row.start).year, local(row.start).month)
            for planned in self.planned
            if planned.event.group_id is None or planned.event.group_id in mine
            for row in planned.dates
            if not row.skipped
        )
        return months.most_common(1)[0][0]

    def feed_size(self) -> int:
        """How many events the bench member's subscription feed holds."""
        mine = {pk for pk, people in self.groups if self.bench_pk in people}
        since = self.now - FEED_HISTORY
        return sum(
            1
            for planned in self.planned
            if planned.event.last_end >= since
            and (planned.event.group_id is None or planned.event.group_id in mine)
        )


def _calendar(
    rng: random.Random, members: int, bench_pk: int, now: datetime, progress: Callable[[str], None]
) -> list[_Announcement]:
    """The calendar, groups, sign-ups and notes in one transaction; returns what
    the feed announces. Remembers the special series, its date and the busiest month."""
    started = timezone.now()
    events, series, attendances, notes = calendar_counts(members)
    progress(f"events: {events} ({series} series), sign-ups: {attendances}, notes: {notes}")
    active = list(Member.objects.active().order_by("pk").values_list("pk", "organisation_id"))
    moderators = list(
        Member.objects.active()
        .filter(role__in=[Role.MODERATOR, Role.ADMIN])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    writer = _CalendarWriter(rng, now, active, moderators, bench_pk)
    with transaction.atomic():
        writer.make_groups()
        writer.plan(events, series)
        writer.sign_up(attendances)
        writer.write_notes(notes)
        writer.write(progress)
        # The bench member's subscription link (its token is derived in prepare_fixture).
        feed_renew(member=Member.objects.get(pk=bench_pk))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                models = [Event, Occurrence, Note, Group, GroupMembership, Attendance]
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
        year, month = writer.busiest_month()
        _meta_set("series_id", str(writer.special.event.pk))
        _meta_set("occurrence_id", str(writer.special_date.pk))
        _meta_set("busy_month", f"{year}-{month}")
    rows = sum(len(planned.dates) for planned in writer.planned)
    progress(
        f"calendar: {len(writer.planned)} events, {rows} dates, {len(writer.attendance)} "
        f"sign-ups, {len(writer.notes)} notes; the bench member's feed holds "
        f"{writer.feed_size()} events; busiest month {year}-{month:02d}; "
        f"{(timezone.now() - started).total_seconds():.1f}s"
    )
    return writer.announcements()


# --- Dokument: documents, their versions, comments and adoptions ---------------------------------
#
# At national scale (30,000 members) 5,000 documents over the five years, one to
# five versions each (about 12,000), 5,000 comments and an adoption table filled
# in by some organisations for most adopted guidelines and routines; other sizes
# in proportion (see document_counts). Raw rows like Frågor, holding what
# kollegan/documents/services.py writes:
#   - version 1 is the first save, by the owner; each later version is one or two
#     edits of the one before (a sentence changed, added or dropped, a paragraph
#     added), so the history and the comparisons have real differences;
#   - the document row carries the latest version's title, text (and its HTML),
#     number, time and writer (updated_at, updated_by); created_at is version 1's;
#   - comment_count counts the visible comments; a comment on a version names it
#     and comes after it;
#   - one adoption per (document, organisation), recorded by a member of that
#     organisation, about a version that existed on the day it was decided.
# Plus the document behind the `document` pages: a shared guideline with 200
# versions by 25 members over half a year, 60 comments, two attachments and every
# organisation's decision. The attachments' files are not stored: the pages only
# show their name, type and size.

DOCUMENTS_PER_MEMBER = 6  # one document for every six members: 5,000 of 30,000
DOCUMENT_COMMENTS_PER_DOCUMENT = 1
DOCUMENT_CHUNK = 2_000  # documents, with their versions and comments, per transaction
HIDDEN_DOCUMENT_SHARE = 0.002
ADOPTION_SHARE = 0.4  # of organisations, for an adopted or archived guideline or routine
KIND_WEIGHTS = {"guideline": 30, "routine": 30, "template": 15, "knowledge": 20, "other": 5}
STATUS_WEIGHTS = {"draft": 20, "consultation": 15, "adopted": 55, "archived": 10}
ADOPTION_WEIGHTS = {"adopted": 55, "variant": 25, "not_adopted": 20}
VERSION_WEIGHTS = {1: 35, 2: 25, 3: 20, 4: 12, 5: 8}

SPECIAL_DOCUMENT_VERSIONS = 200
SPECIAL_DOCUMENT_WRITERS = 25
SPECIAL_DOCUMENT_COMMENTS = 60
SPECIAL_DOCUMENT_AGE_DAYS = 180
SPECIAL_DOCUMENT_TITLE = "Gemensam riktlinje för orosanmälningar och förhandsbedömningar"
SPECIAL_DOCUMENT_TOPICS = ("barn-och-unga", "vald")
SPECIAL_DOCUMENT_FILES = [
    ("Orosanmälan – checklista.pdf", "application/pdf", 184_322),
    (
        "Flödesschema förhandsbedömning.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        48_907,
    ),
]

DOCUMENT_TITLES = {
    "guideline": [
        "Riktlinje för {}",
        "Gemensam riktlinje för {}",
        "Riktlinjer för handläggning: {}",
    ],
    "routine": ["Rutin för {}", "Arbetsgång vid {}", "Checklista: {}"],
    "template": ["Mall för {}", "Mall för dokumentation: {}", "Blankett och instruktion: {}"],
    "knowledge": ["Kunskapsunderlag om {}", "Sammanfattning: {}", "Att tänka på vid {}"],
    "other": ["Material om {}", "Anteckningar om {}"],
}
# Whose it is, after the title: the region's, a municipality's, or left unsaid.
DOCUMENT_TITLE_ENDINGS = ["– gemensam för R8", "– {}", "– {}", ""]
DOCUMENT_HEADINGS = [
    "Syfte", "Bakgrund", "Ansvar", "Arbetsgång", "Dokumentation", "Samverkan",
    "Uppföljning", "Att tänka på",
]  # fmt: skip
DOCUMENT_SENTENCES = [
    "Riktlinjen gäller för alla handläggare inom individ- och familjeomsorgen.",
    "Syftet är att den enskilde ska få en likvärdig bedömning oavsett vilken kommun hen bor i.",
    "Enhetschefen ansvarar för att nyanställda får ta del av dokumentet under introduktionen.",
    "Handläggaren ansvarar för att bedömningen dokumenteras i journalen samma dag.",
    "Vid osäkerhet tas frågan upp på ärendedragning innan beslut fattas.",
    "Beslut fattas enligt gällande delegationsordning.",
    "Den enskilde ska alltid informeras om beslutet och hur det kan överklagas.",
    "Barnets bästa ska beaktas och barnets egen uppfattning ska framgå av dokumentationen.",
    "Samverkan med regionen sker enligt den gemensamma överenskommelsen.",
    "Om ärendet rör flera kommuner kontaktar handläggaren den andra kommunen så snart som möjligt.",
    "Dokumentet följs upp en gång om året av arbetsgruppen.",
    "Synpunkter på dokumentet lämnas som kommentarer här i Digitala kollegan.",
    "Socialstyrelsens vägledning är grunden; dokumentet beskriver hur vi gör i praktiken.",
    "I en liten kommun kan samma handläggare ha flera roller; då ska det framgå vem som beslutar.",
    "Om ingen med rätt delegation finns på plats kontaktas socialjouren.",
    "Tolk ska erbjudas när den enskilde inte behärskar svenska.",
    "Uppgifter som kan identifiera en enskild skrivs aldrig i gemensamma dokument.",
    "Vid hembesök är handläggarna alltid två och bestämmer i förväg hur de håller kontakt.",
    "Bedömningen grundas på de uppgifter som finns när beslutet fattas.",
    "Utredningen ska inte vara mer omfattande än vad som behövs för beslutet.",
    "Handläggaren stämmer av med närmaste chef om tidsgränsen inte kan hållas.",
    "Arbetsgruppen har tagit fram dokumentet tillsammans med FoU Välfärd.",
    "Kommunerna kan göra lokala tillägg, men grunderna ska vara desamma i hela R8.",
    "Det finns en checklista i slutet av dokumentet för den som är ny.",
    "Insatsen följs upp senast tre månader efter beslutet.",
    "Om den enskilde inte vill medverka dokumenteras det och skälen till det.",
    "Kostnader för köpta insatser godkänns av enhetschefen i förväg.",
    "Frågor om sekretess mellan myndigheter tas med kommunens jurist.",
    "Vid akuta situationer går skyddet för den enskilde före alla andra rutiner.",
    "Den som tar emot ärendet bekräftar det skriftligt till den som lämnade det.",
]
DOCUMENT_STEPS = [
    "Ta emot ärendet och registrera det samma dag.",
    "Gör en första bedömning av om det finns behov av omedelbart skydd.",
    "Stäm av med enhetschefen vid osäkerhet.",
    "Kontakta den enskilde och berätta vad som händer härnäst.",
    "Inhämta uppgifter från andra myndigheter efter samtycke.",
    "Skriv bedömningen i journalen.",
    "Fatta beslut enligt delegationsordningen.",
    "Informera om beslutet och om hur det överklagas.",
    "Planera uppföljningen och skriv in datumet i kalendern.",
    "Avsluta ärendet när insatsen har följts upp.",
]
DOCUMENT_CHANGE_NOTES = [
    "Förtydligade ansvarsfördelningen", "Lade till ett avsnitt om uppföljning",
    "Språklig översyn", "Inarbetade synpunkter från remissrundan",
    "Uppdaterade hänvisningarna till Socialstyrelsens vägledning", "Kortade texten",
    "Rättade stavfel", "Lade till arbetsgången steg för steg",
    "Ändrat efter diskussion på mötesplatsen", "Tydligare om barnets rätt att komma till tals",
    "Lade till det som gäller vid hembesök", "",
]  # fmt: skip
DOCUMENT_COMMENTS = [
    "Bra och tydligt! Vi tar med det här till vår nästa arbetsplatsträff.",
    "Kan vi lägga till något om hur vi gör när den enskilde har skyddad identitet?",
    "I vår kommun beslutar utskottet, inte enhetschefen. Går det att skriva mer allmänt?",
    "Tack för att ni tog fram det här, det har saknats länge.",
    "Vi har en lokal variant som jag kan lägga upp som underlag.",
    "Stycket om uppföljning är bra, men tidsgränsen känns snäv för oss som är få.",
    "Jag tycker att checklistan borde ligga först.",
    "Ska vi ta upp ändringarna på nästa mötesplats?",
    "Vi har börjat arbeta efter den här versionen och det fungerar bra.",
    "Finns det en engelsk sammanfattning att ge till tolken?",
]
DECIDING_BODIES = [
    "Socialnämnden", "Individ- och familjeomsorgsutskottet", "Socialchefen",
    "Enhetschef IFO", "Kommunstyrelsens sociala utskott",
]  # fmt: skip

_DOCUMENT_FIELDS = [
    "id", "title", "kind", "status", "body", "body_html", "owner", "version_number",
    "created_at", "edited_at", "updated_at", "updated_by", "comment_count", "hidden_at",
    "hidden_by", "hidden_reason",
]  # fmt: skip
_VERSION_FIELDS = [
    "id", "document", "number", "title", "body", "author", "created_at", "change_note",
    "restored_from",
]  # fmt: skip
_DOCUMENT_COMMENT_FIELDS = [
    "id", "document", "version", "body", "body_html", "author", "created_at", "hidden_at",
    "hidden_by", "hidden_reason",
]  # fmt: skip
_ADOPTION_FIELDS = [
    "id", "document", "organisation", "status", "decided_on", "decided_by", "variant_url",
    "version_number", "recorded_by", "updated_at",
]  # fmt: skip
_ATTACHMENT_FIELDS = [
    "id", "file", "name", "content_type", "size", "text", "uploaded_by", "created_at", "document",
]  # fmt: skip


_DOCUMENT_MODELS = [Document, DocumentVersion, DocumentComment, Adoption, Attachment]


def document_counts(members: int) -> tuple[int, int]:
    """(documents, comments) for ``members`` members: 5,000 and 5,000 at national
    scale (30,000 members), besides the special document's."""
    documents = max(members // DOCUMENTS_PER_MEMBER, 10)
    return documents, documents * DOCUMENT_COMMENTS_PER_DOCUMENT


# A document's text as blocks: ("h", heading), ("p", [sentences]) or ("ol", [steps]).
_Block = tuple[str, list[str] | str]


def _document_blocks(rng: random.Random, subject: str, headings: int) -> list[_Block]:
    opening = f"Dokumentet beskriver hur vi arbetar med {subject} i kommunerna."
    blocks: list[_Block] = [("p", [opening, *rng.sample(DOCUMENT_SENTENCES, 2)])]
    for heading in sorted(rng.sample(DOCUMENT_HEADINGS, headings), key=DOCUMENT_HEADINGS.index):
        blocks.append(("h", heading))
        if heading == "Arbetsgång":
            blocks.append(("ol", rng.sample(DOCUMENT_STEPS, rng.randint(3, 6))))
        else:
            blocks.append(("p", rng.sample(DOCUMENT_SENTENCES, rng.randint(2, 4))))
    return blocks


def _edit_blocks(rng: random.Random, blocks: list[_Block], *, limit: int) -> list[_Block]:
    """The next version: one edit of a copy (a sentence or step changed, added or
    dropped, or a paragraph added), so never the same text; once the text is over
    ``limit`` characters, only changes and drops."""
    blocks = [(kind, body if kind == "h" else list(body)) for kind, body in blocks]
    editable = [index for index, (kind, _body) in enumerate(blocks) if kind != "h"]
    index = rng.choice(editable)
    kind, items = blocks[index]
    pool = DOCUMENT_STEPS if kind == "ol" else DOCUMENT_SENTENCES
    size = sum(len(" ".join(body)) for each, body in blocks if each != "h")
    long = size > limit
    roll = rng.random()
    droppable = len(items) > (1 if long else 2)
    if roll < 0.45 or (long and (roll < 0.8 or not droppable)):
        at = rng.randrange(len(items))
        items[at] = rng.choice([item for item in pool if item != items[at]])
    elif droppable and (long or roll > 0.9):
        items.pop(rng.randrange(len(items)))
    elif roll < 0.8:
        items.insert(rng.randrange(len(items) + 1), rng.choice(pool))
    else:
        blocks.insert(index + 1, ("p", rng.sample(DOCUMENT_SENTENCES, 2)))
    return blocks


def _document_markdown(blocks: list[_Block]) -> str:
    parts = []
    for kind, body in blocks:
        if kind == "h":
            parts.append(f"## {body}")
        elif kind == "ol":
            parts.append("\n".join(f"{n}. {step}" for n, step in enumerate(body, 1)))
        else:
            parts.append(" ".join(body))
    return "\n\n".join(parts)


class _DocumentWriter:
    """Builds documents with their versions, comments and adoptions as rows (see
    the comment above document_counts) and inserts them on flush()."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        members: list[tuple[int, int]],
        moderators: list[int],
    ) -> None:
        self.rng = rng
        self.now = now.timestamp()
        self.members = members  # (pk, organisation) of active members
        self.member_ids = [pk for pk, _org in members]
        self.moderators = moderators or self.member_ids[:1]
        self.by_organisation: dict[int, list[int]] = {}
        for pk, organisation in members:
            self.by_organisation.setdefault(organisation, []).append(pk)
        organisations = list(Organisation.objects.order_by("pk"))
        self.organisations = [(org.pk, org.slug) for org in organisations]
        self.towns = {
            org.pk: org.name for org in organisations if org.kind == Organisation.Kind.MUNICIPALITY
        }
        topics = dict(Topic.objects.filter(is_active=True).values_list("slug", "pk"))
        self.topics = topics
        self.topic_ids = list(topics.values())
        self.topic_weights = [TOPIC_WEIGHTS.get(slug, 5) for slug in topics]
        # Per subject a few histories of five versions; a document with n versions
        # takes the first n of one, so each text's HTML is rendered once.
        self.histories = [[self._history(subject) for _ in range(6)] for subject, _ in SUBJECTS]
        self.html: dict[str, str] = {}
        self.tables = [
            (Document, _DOCUMENT_FIELDS),
            (Document.topics.through, ["document", "topic"]),
            (DocumentVersion, _VERSION_FIELDS),
            (DocumentComment, _DOCUMENT_COMMENT_FIELDS),
            (Adoption, _ADOPTION_FIELDS),
            (Attachment, _ATTACHMENT_FIELDS),
        ]
        self.rows: dict[type, list[list]] = {model: [] for model, _ in self.tables}
        self.next_id = {
            model: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
            for model in _DOCUMENT_MODELS
        }
        adapt = connection.ops.adapt_datetimefield_value
        self.stamp = lambda ts: adapt(datetime.fromtimestamp(ts, UTC))
        self.day = lambda ts: connection.ops.adapt_datefield_value(
            local(datetime.fromtimestamp(ts, UTC)).date()
        )

    def _id(self, model: type) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def _history(self, subject: str) -> list[str]:
        blocks = _document_blocks(self.rng, subject, self.rng.randint(3, 6))
        bodies = [_document_markdown(blocks)]
        for _ in range(max(VERSION_WEIGHTS) - 1):
            blocks = _edit_blocks(self.rng, blocks, limit=4_000)
            bodies.append(_document_markdown(blocks))
        return bodies

    def _html(self, body: str) -> str:
        if body not in self.html:
            self.html[body] = str(render_markdown(body, mentions=True))
        return self.html[body]

    def _topics(self, own: str) -> list[int]:
        count = self.rng.choices([1, 2, 3], [55, 33, 12])[0]
        chosen = [self.topics[own]] if own in self.topics else []
        while len(chosen) < min(count, len(self.topic_ids)):
            topic = self.rng.choices(self.topic_ids, self.topic_weights)[0]
            if topic not in chosen:
                chosen.append(topic)
        return chosen

    def _times(self, created: float, count: int) -> list[float]:
        """When each version was saved: the first at ``created``, then days or
        weeks apart, never in the future."""
        times = [created]
        for _ in range(count - 1):
            after = times[-1]
            gap = self.rng.expovariate(1 / (9 * 86_400))
            times.append(after + gap if after + gap < self.now else (after + self.now) / 2)
        return times

    def document(self, created: float, comments: int, *, hidden: bool) -> int:
        rng = self.rng
        subject = rng.randrange(len(SUBJECTS))
        subject_text, own = SUBJECTS[subject]
        owner, organisation = rng.choice(self.members)
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
        versions = rng.choices(list(VERSION_WEIGHTS), list(VERSION_WEIGHTS.values()))[0]
        title = _capitalised(rng.choice(DOCUMENT_TITLES[kind]).format(subject_text))
        ending = rng.choice(DOCUMENT_TITLE_ENDINGS).format(self.towns.get(organisation, "FoU"))
        # Half the later versions by the owner, the rest by one or two colleagues.
        others = rng.sample(self.member_ids, min(2, len(self.member_ids)))
        return self._write(
            owner=owner,
            title=f"{title} {ending}".strip(),
            kind=kind,
            status=status,
            topic_ids=self._topics(own),
            bodies=rng.choice(self.histories[subject])[:versions],
            times=self._times(created, versions),
            authors=[owner]
            + [owner if rng.random() < 0.5 else rng.choice(others) for _ in range(versions - 1)],
            restored={},
            comments=comments,
            adopted_by=ADOPTION_SHARE
            if kind in ("guideline", "routine") and status in ("adopted", "archived")
            else 0,
            hidden=hidden,
        )

    def special(self, created: float) -> int:
        """The long history behind the `document` pages: SPECIAL_DOCUMENT_VERSIONS
        versions by SPECIAL_DOCUMENT_WRITERS members, saved about weekly-to-daily
        over half a year, one of them restoring an earlier text; every
        organisation's decision, nothing hidden, two attachments."""
        rng = self.rng
        blocks = _document_blocks(rng, "orosanmälningar", len(DOCUMENT_HEADINGS))
        snapshots, restored = [blocks], {}
        for number in range(2, SPECIAL_DOCUMENT_VERSIONS + 1):
            if number == SPECIAL_DOCUMENT_VERSIONS - 50:
                # Someone brings back the text of two versions ago.
                restored[number] = number - 2
                blocks = snapshots[number - 3]
            else:
                blocks = _edit_blocks(rng, blocks, limit=15_000)
            snapshots.append(blocks)
        last = self.now - 2 * 86_400
        step = (last - created) / SPECIAL_DOCUMENT_VERSIONS
        times = [created] + [
            created + step * (number + rng.random() * 0.8)
            for number in range(1, SPECIAL_DOCUMENT_VERSIONS)
        ]
        owner = rng.choice(self.member_ids)
        writers = [
            owner,
            *rng.sample(self.member_ids, min(SPECIAL_DOCUMENT_WRITERS - 1, len(self.member_ids))),
        ]
        did = self._write(
            owner=owner,
            title=SPECIAL_DOCUMENT_TITLE,
            kind="guideline",
            status="adopted",
            topic_ids=[
                self.topics[slug] for slug in SPECIAL_DOCUMENT_TOPICS if slug in self.topics
            ],
            bodies=[_document_markdown(blocks) for blocks in snapshots],
            times=times,
            authors=[owner] + [rng.choice(writers) for _ in range(SPECIAL_DOCUMENT_VERSIONS - 1)],
            restored=restored,
            comments=SPECIAL_DOCUMENT_COMMENTS,
            adopted_by=1.0,
            hidden=False,
        )
        for name, content_type, size in SPECIAL_DOCUMENT_FILES:
            key = f"attachments/bench/{rng.getrandbits(96):024x}"
            row = [self._id(Attachment), key, name, content_type, size, "", owner]
            self.rows[Attachment].append([*row, self.stamp(created + 86_400), did])
        return did

    def _write(
        self,
        *,
        owner: int,
        title: str,
        kind: str,
        status: str,
        topic_ids: list[int],
        bodies: list[str],
        times: list[float],
        authors: list[int],
        restored: dict[int, int],
        comments: int,
        adopted_by: float,
        hidden: bool,
    ) -> int:
        rng, stamp = self.rng, self.stamp
        special = adopted_by >= 1
        did = self._id(Document)
        self.rows[Document.topics.through].extend([did, topic] for topic in topic_ids)
        version_ids = []
        for number, (body, ts, author) in enumerate(zip(bodies, times, authors, strict=True), 1):
            vid = self._id(DocumentVersion)
            if number == 1:
                note = "Första utkast"
            elif number in restored:
                note = f"Återställde version {restored[number]}"
            else:
                note = rng.choice(DOCUMENT_CHANGE_NOTES)
            row = [vid, did, number, title, body, author, stamp(ts), note, restored.get(number)]
            self.rows[DocumentVersion].append(row)
            version_ids.append(vid)

        visible = 0
        for _ in range(comments):
            on = rng.randrange(len(bodies)) if rng.random() < (0.5 if special else 0.3) else None
            after = times[on] if on is not None else times[0]
            ts = after + (self.now - after) * rng.random() ** 2
            hiding = (None, None, "")
            if not special and rng.random() < HIDDEN_REPLY_SHARE:
                hiding = (stamp((ts + self.now) / 2), rng.choice(self.moderators), HIDDEN_REASON)
            visible += hiding[0] is None
            body = rng.choice(DOCUMENT_COMMENTS)
            self.rows[DocumentComment].append(
                [
                    self._id(DocumentComment), did, None if on is None else version_ids[on],
                    body, self._html(body), rng.choice(self.member_ids), stamp(ts), *hiding,
                ]
            )  # fmt: skip

        statuses = list(ADOPTION_WEIGHTS)
        for index, (organisation, slug) in enumerate(self.organisations):
            if not special and rng.random() >= adopted_by:
                continue
            if special:
                state = statuses[index % len(statuses)]
            else:
                state = rng.choices(statuses, list(ADOPTION_WEIGHTS.values()))[0]
            decided = times[-1] + (self.now - times[-1]) * rng.random()
            number = sum(1 for ts in times if ts <= decided)
            recorder = rng.choice(self.by_organisation.get(organisation) or self.moderators)
            url = f"https://www.{slug}.se/riktlinjer/{did}/" if state == "variant" else ""
            recorded = min(decided + rng.uniform(3_600, 5 * 86_400), self.now)
            self.rows[Adoption].append(
                [
                    self._id(Adoption), did, organisation, state, self.day(decided),
                    rng.choice(DECIDING_BODIES), url, number, recorder, stamp(recorded),
                ]
            )  # fmt: skip

        hiding = (None, None, "")
        if hidden:
            hiding = (stamp((times[-1] + self.now) / 2), rng.choice(self.moderators), HIDDEN_REASON)
        edited = stamp(times[-1]) if len(bodies) > 1 else None
        self.rows[Document].append(
            [
                did, title, kind, status, bodies[-1], self._html(bodies[-1]), owner, len(bodies),
                stamp(times[0]), edited, stamp(times[-1]), authors[-1], visible, *hiding,
            ]
        )  # fmt: skip
        return did

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for model, fields in self.tables:
                rows = self.rows[model]
                if rows:
                    _insert_rows(cursor, model, fields, rows)
                    rows.clear()

    def reset_sequences(self) -> None:
        """PostgreSQL's id sequences do not move for ids written explicitly."""
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), _DOCUMENT_MODELS):
                cursor.execute(statement)


def _documents(
    rng: random.Random, members: int, now: datetime, progress: Callable[[str], None]
) -> None:
    """Documents in transactions of DOCUMENT_CHUNK, then the special one, whose id
    it remembers."""
    started = timezone.now()
    documents, comments_total = document_counts(members)
    progress(f"documents: {documents}, comments: {comments_total}")
    active = list(Member.objects.active().order_by("pk").values_list("pk", "organisation_id"))
    moderators = list(
        Member.objects.active()
        .filter(role__in=[Role.MODERATOR, Role.ADMIN])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    writer = _DocumentWriter(rng, now, active, moderators)
    times = _creation_times(rng, documents, now)
    comments = _spread(rng, times, comments_total, now)
    hidden = set(rng.sample(range(documents), max(1, round(documents * HIDDEN_DOCUMENT_SHARE))))
    for start in range(0, documents, DOCUMENT_CHUNK):
        with transaction.atomic():
            for index in range(start, min(start + DOCUMENT_CHUNK, documents)):
                writer.document(times[index], comments[index], hidden=index in hidden)
            writer.flush()
        progress(f"documents: {min(start + DOCUMENT_CHUNK, documents)}/{documents}")
    with transaction.atomic():
        special = writer.special(now.timestamp() - SPECIAL_DOCUMENT_AGE_DAYS * 86_400)
        writer.flush()
        if connection.vendor == "postgresql":
            writer.reset_sequences()
        _meta_set("document_id", str(special))
    seconds = (timezone.now() - started).total_seconds()
    progress(
        f"documents: {DocumentVersion.objects.count()} versions, {Adoption.objects.count()} "
        f"adoptions, {len(writer.html)} texts rendered; {seconds:.1f}s"
    )


def generate(members: int, seed: int, progress: Callable[[str], None]) -> None:
    """Fill an empty, migrated database with ``members`` members (with their topics
    and labels), Frågor, posts, the calendar, Dokument and the feed in proportion:
    see :func:`question_counts`, :func:`post_counts`, :func:`calendar_counts` and
    :func:`document_counts`."""
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
        # Marks the data unfinished until the questions, posts and feed are in as
        # well: they commit in chunks, and a run cut short among them must be
        # rebuilt by the next run, not taken for a complete data set.
        _meta_set("fingerprint", f"incomplete;{fingerprint(members, seed)}")
    writer = _writer(random.Random(f"{seed}-questions"), now)
    _questions(writer, members, bench_pk, now, progress)
    _posts(writer, members, now, progress)
    writer.announced += _calendar(
        random.Random(f"{seed}-calendar"), members, bench_pk, now, progress
    )
    _documents(random.Random(f"{seed}-documents"), members, now, progress)
    _feed(writer, progress)
    writer.reset_sequences()
    _meta_set("fingerprint", fingerprint(members, seed))
    if connection.vendor == "postgresql":
        # Production Postgres has autovacuum's statistics; without them the
        # planner guesses at fresh tables and the figures would mislead.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- Sök ------------------------------------------------------------------------------------

# Bumped when the index's analysis changes, so the bench builds it again.
SEARCH_INDEX_VERSION = 1


def search_index_size() -> int:
    """Bytes the search index takes: its table, the FTS5 tables or the GIN index."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('search_searchentry')")
            return int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_%' "
            "OR name LIKE 'sqlite_autoindex_search_%'"
        )
        return int(cursor.fetchone()[0] or 0)


def ensure_search_index(progress: Callable[[str], None]) -> dict:
    """Build the search index over the generated data unless this data set has it
    already; returns its figures (entries, rebuild seconds, bytes)."""
    from kollegan.search.indexing import rebuild

    wanted = f"{SEARCH_INDEX_VERSION};{_meta_get('fingerprint')}"
    if _meta_get("search_index") != wanted:
        progress("building the search index")
        report = rebuild(progress=progress)
        _meta_set("search_rebuild_seconds", f"{report.seconds:.1f}")
        _meta_set("search_entries", str(report.entries))
        _meta_set("search_index", wanted)
        progress(f"search index: {report.entries:,} entries in {report.seconds:.1f}s")
    return {
        "entries": int(_meta_get("search_entries") or 0),
        "rebuild_seconds": float(_meta_get("search_rebuild_seconds") or 0),
        "size_bytes": search_index_size(),
    }


def prepare_fixture() -> Fixture:
    """Log the bench member in (a session row, as after a real login), give it an
    API token, and gather the ids and the subscription link the pages need."""
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
    question_id = _meta_get("question_id")
    if question_id is None:
        raise RuntimeError("the bench database has no special question; rebuild it")
    # Where the start page's first page of the feed ends: its "more" link.
    first_page = list(
        FeedEntry.objects.filter(hidden=False)
        .order_by("-created_at", "-id")
        .values_list("created_at", "pk")[:FEED_PAGE_SIZE]
    )
    if not first_page:
        raise RuntimeError("the bench database has no feed; rebuild it")
    created_at, entry_id = first_page[-1]
    series_id, occurrence_id, busy = (
        _meta_get(name) for name in ("series_id", "occurrence_id", "busy_month")
    )
    if series_id is None or occurrence_id is None or busy is None:
        raise RuntimeError("the bench database has no calendar; rebuild it")
    year, month = (int(part) for part in busy.split("-"))
    document_id = _meta_get("document_id")
    if document_id is None:
        raise RuntimeError("the bench database has no documents; rebuild it")
    month_start = datetime(year, month, 1, tzinfo=STOCKHOLM)
    month_end = (month_start + timedelta(days=32)).replace(day=1)
    # The subscription link made with the data; a new one only if it was revoked.
    feed_token = feed_path_token(member) or feed_renew(member=member)
    return Fixture(
        session_cookie=settings.SESSION_COOKIE_NAME,
        session_key=session.session_key or "",
        api_secret=secret,
        ids={
            "profile_id": profile_id,
            "bench_member_id": member.pk,
            "question_id": int(question_id),
            "feed_cursor": Cursor(created_at=created_at, id=entry_id).encode(),
            "series_id": int(series_id),
            "occurrence_id": int(occurrence_id),
            "busy_year": year,
            "busy_month": month,
            # ISO 8601 with the offset's "+" written %2B, as in a URL.
            "busy_from": month_start.isoformat().replace("+", "%2B"),
            "busy_to": month_end.isoformat().replace("+", "%2B"),
            "feed_member_id": member.pk,
            "feed_token": feed_token,
            "document_id": int(document_id),
            "document_versions": SPECIAL_DOCUMENT_VERSIONS,
        },
    )
