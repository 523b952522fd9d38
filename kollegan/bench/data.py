"""Synthetic data for the benchmark: members through the ORM in bulk; Frågor,
the start page's posts and the feed (millions of rows) as raw batched inserts
that mirror the services.

Import only after ``django.setup()``: this module uses the models.
"""

import bisect
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from kollegan.feed.models import FeedEntry, FeedEntryTopic, Like, Post, Reply
from kollegan.feed.selectors import FEED_PAGE_SIZE, Cursor
from kollegan.lib.markdown import render_markdown
from kollegan.questions.models import AnonymousAuthorship, Answer, Comment, Question
from kollegan.questions.services import make_excerpt
from kollegan.topics.models import Topic

# Bump when the generator makes different data (new tables, other spread), so
# databases kept from earlier runs are rebuilt instead of silently reused.
DATA_VERSION = 5

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
_ENTRY_FIELDS = ["id", "kind", "created_at", "actor", "post", "question", "hidden"]
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
    body, html = _with_html("\n\n".join(paragraphs))
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


def _texts(rng: random.Random) -> _Texts:
    return _Texts(
        questions=[[_question_text(rng, subject) for _ in range(8)] for subject, _ in SUBJECTS],
        answers=[_with_html(_answer_text(rng)) for _ in range(600)],
        comments=[
            _with_html(" ".join(rng.sample(COMMENT_SENTENCES, rng.choices([1, 2], [70, 30])[0])))
            for _ in range(200)
        ],
        posts=[_post_pool_entry(*_post_text(rng)) for _ in range(500)],
        replies=[
            _post_pool_entry(
                " ".join(rng.sample(REPLY_SENTENCES, rng.choices([1, 2], [65, 35])[0])), ""
            )[:2]
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
# What the feed announces: (time, kind, question or post id, actor, hidden, topic ids).
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
        """The feed entry for a question or post, and its topic rows."""
        created, kind, target, actor, hidden, topic_ids = announcement
        eid = self._id(FeedEntry)
        ts = self.stamp(created)
        is_post = kind == FeedEntry.Kind.POST
        self.rows[FeedEntry].append(
            [eid, kind, ts, actor, target if is_post else None, None if is_post else target, hidden]
        )
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


def generate(members: int, seed: int, progress: Callable[[str], None]) -> None:
    """Fill an empty, migrated database with ``members`` members (with their topics
    and labels), Frågor, posts and the feed in proportion: see
    :func:`question_counts` and :func:`post_counts`."""
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
    _feed(writer, progress)
    writer.reset_sequences()
    _meta_set("fingerprint", fingerprint(members, seed))
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
    return Fixture(
        session_cookie=settings.SESSION_COOKIE_NAME,
        session_key=session.session_key or "",
        api_secret=secret,
        ids={
            "profile_id": profile_id,
            "bench_member_id": member.pk,
            "question_id": int(question_id),
            "feed_cursor": Cursor(created_at=created_at, id=entry_id).encode(),
        },
    )
