"""The Swedish relevance suite (issue 9): fixed queries over a fixed corpus
(tests/search_corpus.py), each with the items that must be among the top three
results. It runs on whichever database the suite runs on (CI runs the whole
suite on SQLite and again on PostgreSQL), prints a report with the hit rate
per category (shown with ``pytest -s``; it is also in the failure message) and
requires every query to hit.

An expected entry is a title; a tuple of titles means "at least one of these"
(for a query with several equally good answers, e.g. "stöd" and the many
questions on försörjningsstöd). A post has no title: its expected entry is the
start of its text. Members are expected by name. Cases in the "prefix" category
search the way the live search box does (the last word is a prefix).

``MUST_NOT`` lists items that must *not* be among the first N results of a
query (None: not on the first page at all): words that are all there but not
as the quoted phrase, a compound part ranked above the exact word, an
anonymous question searched for by its writer's name, a word that only looks
like another one without its ring or dots (vald is not våld)."""

from collections import Counter

from django.db import connection

from kollegan.search.selectors import SearchFilters, search
from tests.search_corpus import build_corpus, corpus_titles, make_members

TOP = 3

# Titles used more than once below.
MOR_BARN = "Tips på placering mor + barn"
FS_MAKAR = "Försörjningsstöd till makar där den ena studerar"
FS_ANSVAR = "Försörjningsansvar mellan makar vid separation"
FS_SPARPENGAR = "Försörjningsstöd när barnen har sparpengar på egna konton"
FS_AVSLAG = "Barnets bästa vid avslag på försörjningsstöd"
EB_FRITID = "Ekonomiskt bistånd till fritidsaktiviteter"
EB_VARDNAD = "Ek. bistånd till ansökan om enskild vårdnad"
EB_BEGRAVNING = "Ekonomiskt bistånd till begravning"
LVU_OMPROVNING = "Omprövning LVU 3 § efter förvaltningsrättens dom"
LVU_UTSKRIVET = (
    "Vård enligt lagen med särskilda bestämmelser om vård av unga – flytt till annan kommun"
)
OROSANMALAN = "Hur snabbt ska en orosanmälan från förskolan bedömas?"
HYRESSKULD = "Hyresskuld och hot om avhysning för en barnfamilj"
UMGANGESSTOD = "Umgängesstöd när föräldern har flyttat till en annan kommun"
SAMTAL_UMGANGE = "Samtal med barn rörande umgänge"
MOR_KONTAKT = "Barnets kontakt med mor på behandlingshem"
LSS_BOENDE = "Tips LSS-boende – man 30 år, schizofreni"
ASSISTANS = "Personlig assistans för barn – vem handlägger?"
BOENDESTOD = "Boendestöd till unga vuxna med adhd och autism"
DU_UTREDNING = "Du-utredning – skriver ni barnutredningar i du-form?"
SYSKON = "Familjehemsplacering av syskon – tillsammans eller var för sig?"
ALKOHOL = "Arbetsgivarens ansvar vid långvarigt alkoholmissbruk"
SPEL = "Spelberoende – hur utreder ni spelproblem?"
SOCIALJOUR = "En idé: gemensam socialjour för R8-kommunerna"
NATTJOUR = "Nattjour och beredskap – hur är den organiserad hos er?"
FREDA = "Riskbedömning med FREDA vid våld i nära relationer"
RELATIONER_SKOLA = "Relationer mellan socialtjänst och skola – hur samverkar ni?"
KONTAKTFAMILJ = "Kontaktperson eller kontaktfamilj för tonåringar?"
SKULDSANERING = "Skuldsanering för unga vuxna – vart hänvisar ni?"
BARNSAMTAL = "Barnsamtal på distans – fungerar det?"
TANDVARD = "Vart vänder sig en klient med stora tandvårdskostnader?"
FORMEDLADE = "Förmedlade medel när klienten är anställd av kommunen"
UTREDNINGSTID = "Förlänga utredningstiden enligt 11 kap. 2 § SoL"
HANDLEDNING = "Handledning för familjehem – extern eller egen?"
VARDNADSOVERFLYTTNING = "Vårdnadsöverflyttning efter tre år i familjehem"
HEDER = "Hedersrelaterat våld och förtryck – vilka frågor ställer ni?"
VRAKNING_FOREBYGG = "Vräkningsförebyggande arbete – har ni avtal med hyresvärdarna?"
POST_TEMA = "Nästa veckas tema på den digitala mötesplatsen är funktionsnedsättning."
POST_MI = "Höstens utbildningar i motiverande samtal är nu öppna."
POST_ENKAT = "Påminnelse: enkäten om Kollegan stänger på fredag."
EVENT_CAFE = "Café för familjehemmen – höstträff"
EVENT_SPEL = "Digital mötesplats: spelberoende"
EVENT_BBIC = "Grundutbildning i BBIC för nyanställda"
NOTE_NATVERK = "Anteckningar från nätverksträffen om våld i nära relationer"
NOTE_ARBETSGRUPP = "Anteckningar från arbetsgruppens möte i oktober"
DOC_VRAKNING = "Rutin vid risk för vräkning"
DOC_OROSANMALNINGAR = "Rutin för mottagande av orosanmälningar"
DOC_SAMTYCKE = "Mall: samtycke till kontakt med skola och vårdcentral"
HELP_KORTKOMMANDON = "Kortkommandon"
KARIN = "Karin Lindqvist"
JONAS = "Jonas Åberg"
MARTA = "Märta Öhman"

ANY_FORSORJNINGSSTOD = (FS_MAKAR, FS_ANSVAR, FS_SPARPENGAR, FS_AVSLAG)
ANY_EKONOMISKT_BISTAND = (EB_FRITID, EB_VARDNAD, EB_BEGRAVNING, *ANY_FORSORJNINGSSTOD)

# (query, expected in the top 3, category); "prefix" cases search as the live box does.
RELEVANCE: list[tuple[str, list, str]] = [
    # --- inflection: Snowball Swedish on both sides ------------------------------------------
    ("placeringar", [MOR_BARN], "inflection"),
    ("placeringen", [MOR_BARN], "inflection"),
    ("makarna", [FS_MAKAR, FS_ANSVAR], "inflection"),
    ("hyresskulder", [HYRESSKULD, DOC_VRAKNING], "inflection"),
    ("omprövningen", [LVU_OMPROVNING], "inflection"),
    ("fritidsaktivitet", [EB_FRITID], "inflection"),
    ("syskonen", [SYSKON], "inflection"),
    ("utredningar", [DU_UTREDNING], "inflection"),
    ("tonåring", [KONTAKTFAMILJ], "inflection"),
    ("avhysningen", [HYRESSKULD], "inflection"),
    ("spelproblemen", [SPEL], "inflection"),
    ("kontaktfamiljer", [KONTAKTFAMILJ], "inflection"),
    ("riskbedömningar", [FREDA], "inflection"),
    ("begravningen", [EB_BEGRAVNING], "inflection"),
    # --- compound: a part of a compound finds the compound -----------------------------------
    ("stöd", [ANY_FORSORJNINGSSTOD], "compound"),
    ("familjehemsplacering", [SYSKON], "compound"),
    ("placering syskon", [SYSKON], "compound"),
    ("umgänge", [UMGANGESSTOD, SAMTAL_UMGANGE], "compound"),
    ("umgängesstöd", [UMGANGESSTOD], "compound"),
    ("vräkning", [DOC_VRAKNING, VRAKNING_FOREBYGG], "compound"),
    ("missbruk", [ALKOHOL], "compound"),
    ("alkohol", [ALKOHOL], "compound"),
    # Not only the spelberoende items: the manual says "skadligt bruk och beroende".
    ("beroende", [(SPEL, EVENT_SPEL)], "compound"),
    ("jour", [SOCIALJOUR, NATTJOUR], "compound"),
    ("tandvård", [TANDVARD], "compound"),
    ("bistånd", [ANY_EKONOMISKT_BISTAND], "compound"),
    # --- synonym: the default list (EB, LVU, LSS ...) ----------------------------------------
    ("EB fritidsaktiviteter", [EB_FRITID], "synonym"),
    ("EB begravning", [EB_BEGRAVNING], "synonym"),
    ("EB", [ANY_EKONOMISKT_BISTAND], "synonym"),
    ("LVU", [LVU_OMPROVNING, LVU_UTSKRIVET], "synonym"),
    (
        "lag med särskilda bestämmelser om vård av unga",
        [LVU_UTSKRIVET, LVU_OMPROVNING],
        "synonym",
    ),
    ("ekonomiskt bistånd studerar", [FS_MAKAR], "synonym"),
    ("försörjningsstöd fritidsaktiviteter", [EB_FRITID], "synonym"),
    ("LSS", [LSS_BOENDE, ASSISTANS], "synonym"),
    ("socialtjänstlagen", [UTREDNINGSTID], "synonym"),
    ("fosterhem", [HANDLEDNING, VARDNADSOVERFLYTTNING], "synonym"),
    ("MI", [POST_MI], "synonym"),
    ("relationsvåld", [FREDA, NOTE_NATVERK], "synonym"),
    ("hedersvåld", [HEDER], "synonym"),
    ("KFM", [HYRESSKULD], "synonym"),
    ("inspektionen för vård och omsorg", [FS_AVSLAG], "synonym"),
    # --- phrase: "quoted" -------------------------------------------------------------------
    ('"mor och barn"', [MOR_BARN], "phrase"),
    ('"våld i nära relationer"', [FREDA, NOTE_NATVERK], "phrase"),
    ('"skälig levnadsnivå"', [EB_VARDNAD, EB_FRITID], "phrase"),
    ('"enskild vårdnad"', [EB_VARDNAD], "phrase"),
    ('"personlig assistans"', [ASSISTANS], "phrase"),
    ('"motiverande samtal"', [POST_MI], "phrase"),
    # --- case and diacritics: case and accents fold, å ä ö do not ---------------------------
    ("PLACERINGAR", [MOR_BARN], "case_diacritics"),
    ("Försörjningsstöd Makar", [FS_MAKAR], "case_diacritics"),
    ("lvu", [LVU_OMPROVNING, LVU_UTSKRIVET], "case_diacritics"),
    ("ide", [SOCIALJOUR], "case_diacritics"),
    ("IDÉ", [SOCIALJOUR], "case_diacritics"),
    ("cafe", [EVENT_CAFE], "case_diacritics"),
    ("ÅBERG", [JONAS], "case_diacritics"),
    ("öhman", [MARTA], "case_diacritics"),
    ("UMGÄNGESSTÖD", [UMGANGESSTOD], "case_diacritics"),
    # --- multiword: the way social workers type ---------------------------------------------
    ("placeringar mor och barn", [MOR_BARN], "multiword"),
    ("mor barn", [MOR_BARN], "multiword"),
    ("försörjningsstöd makar", [FS_MAKAR, FS_ANSVAR], "multiword"),
    ("LVU omprövning", [LVU_OMPROVNING], "multiword"),
    ("hyresskuld barnfamilj", [HYRESSKULD], "multiword"),
    ("samtal barn umgänge", [SAMTAL_UMGANGE], "multiword"),
    ("riskbedömning våld", [FREDA], "multiword"),
    ("enskild vårdnad kostnad", [EB_VARDNAD], "multiword"),
    ("arbetsgivare alkohol", [ALKOHOL], "multiword"),
    ("förmedlade medel anställd", [FORMEDLADE], "multiword"),
    # A very common word still answers, with something about it on top.
    ("barn", [(MOR_BARN, SAMTAL_UMGANGE, BARNSAMTAL, ASSISTANS, MOR_KONTAKT)], "multiword"),
    # --- prefix: typed as we speak (live), the last word a prefix ---------------------------
    ("placer", [MOR_BARN], "prefix"),
    ("försörjningsst", [ANY_FORSORJNINGSSTOD], "prefix"),
    ("LVU ompr", [LVU_OMPROVNING], "prefix"),
    ("kortkom", [HELP_KORTKOMMANDON], "prefix"),
    ("Karin Lind", [KARIN], "prefix"),
    # --- member: name, function, expertise labels -------------------------------------------
    ("Karin Lindqvist", [KARIN], "member"),
    ("familjehemssekreterare", [KARIN], "member"),
    ("adoptionsutredning", [MARTA], "member"),
    ("skuldsanering", [JONAS, SKULDSANERING], "member"),
    ("barnsamtal", [KARIN, BARNSAMTAL], "member"),
    ("enhetschef", [MARTA], "member"),
    # --- kind: help, notes, documents, events, posts, and text only in answers/comments -----
    ("kortkommandon", [HELP_KORTKOMMANDON], "kind"),
    ("snedstreck", [HELP_KORTKOMMANDON], "kind"),
    ("skyddsbedömningar", [NOTE_NATVERK], "kind"),
    ("arbetsgruppens möte", [NOTE_ARBETSGRUPP], "kind"),
    ("samtycke", [DOC_SAMTYCKE], "kind"),
    ("orosanmälningar", [DOC_OROSANMALNINGAR], "kind"),
    ("orosanmälan", [OROSANMALAN], "kind"),
    ("BBIC", [EVENT_BBIC], "kind"),
    ("höstträff", [EVENT_CAFE], "kind"),
    ("funktionsnedsättning", [POST_TEMA], "kind"),
    ("färdtjänst", [POST_TEMA], "kind"),
    ("enkäten", [POST_ENKAT], "kind"),
    ("högkostnadsskyddet", [TANDVARD], "kind"),
    ("Trappan", [SAMTAL_UMGANGE], "kind"),
]

# (query, title that must not be among the first `within` results; None: not on the page)
MUST_NOT: list[tuple[str, str, int | None]] = [
    # The words are there, not the phrase: the phrase must come first.
    ('"mor och barn"', MOR_KONTAKT, 1),
    ('"våld i nära relationer"', RELATIONER_SKOLA, 3),
    ('"skälig levnadsnivå"', EB_BEGRAVNING, 2),
    # An exact word ranks above a compound part of it.
    ("umgängesstöd", SAMTAL_UMGANGE, 1),
    # Anonymous content is indexed without its writer.
    ("Elin Nordin", OROSANMALAN, None),
    # å, ä and ö are letters: "vald" (chosen) is not "våld" (violence).
    ("vald", FREDA, None),
]


def _fold(title: str) -> str:
    return " ".join(title.split()).rstrip("…. ").casefold()


def matches(result_title: str, expected: str) -> bool:
    """The same title; for posts, whose title is the start of their text, either
    one may be the start of the other (long enough to mean something)."""
    got, want = _fold(result_title), _fold(expected)
    if got == want:
        return True
    shorter = min(len(got), len(want))
    return shorter >= 20 and (got.startswith(want) or want.startswith(got))


def hit(titles: list[str], expected: list) -> list[str]:
    """What is missing from the top titles (empty when the case hits)."""
    top = titles[:TOP]
    missing = []
    for wanted in expected:
        options = wanted if isinstance(wanted, tuple) else (wanted,)
        if not any(matches(title, option) for title in top for option in options):
            missing.append(" | ".join(options) if len(options) > 1 else options[0])
    return missing


def test_every_expected_title_is_in_the_corpus():
    titles = list(corpus_titles().values())
    expected = [title for _q, wanted, _c in RELEVANCE for title in wanted]
    expected += [title for _q, title, _n in MUST_NOT]
    flat = [t for item in expected for t in (item if isinstance(item, tuple) else (item,))]
    unknown = [title for title in flat if not any(matches(have, title) for have in titles)]
    assert unknown == []
    assert len(RELEVANCE) >= 45
    assert {c for _q, _e, c in RELEVANCE} >= {
        "inflection",
        "compound",
        "synonym",
        "phrase",
        "case_diacritics",
        "multiword",
        "member",
        "kind",
        "prefix",
    }


def _short(title: str, width: int = 38) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"


def test_swedish_relevance(db, lycksele, storuman):
    corpus = build_corpus(make_members(lycksele, storuman))
    searcher = corpus.searcher
    engine = connection.vendor

    lines = []
    failures = []
    per_category: Counter = Counter()
    hits_per_category: Counter = Counter()
    for query, expected, category in RELEVANCE:
        filters = SearchFilters(q=query, live=category == "prefix")
        titles = [result.title for result in search(searcher, filters).results]
        missing = hit(titles, expected)
        per_category[category] += 1
        if not missing:
            hits_per_category[category] += 1
        mark = "ok  " if not missing else "MISS"
        top = "; ".join(_short(title) for title in titles[:TOP]) or "(nothing)"
        lines.append(f"{mark} {category:<15} {query!r:<48} {top}")
        if missing:
            failures.append(f"{query!r} ({category}): missing {missing}; top {titles[:5]}")

    negatives = []
    for query, title, within in MUST_NOT:
        titles = [result.title for result in search(searcher, SearchFilters(q=query)).results]
        shown = titles if within is None else titles[:within]
        bad = any(matches(got, title) for got in shown)
        where = "anywhere" if within is None else f"top {within}"
        lines.append(
            f"{'MISS' if bad else 'ok  '} {'must_not':<15} {query!r:<48} {title} ({where})"
        )
        if bad:
            negatives.append(f"{query!r}: {title!r} is in the {where}: {titles[:5]}")

    total, total_hits = len(RELEVANCE), sum(hits_per_category.values())
    summary = [
        f"relevance: {total_hits}/{total} = {100 * total_hits / total:.1f}% on {engine}",
        "  "
        + ", ".join(
            f"{category} {hits_per_category[category]}/{count}"
            for category, count in per_category.items()
        ),
        f"must not: {len(MUST_NOT) - len(negatives)}/{len(MUST_NOT)} on {engine}",
    ]
    report = "\n".join([*lines, *summary])
    print("\n" + report)
    assert not failures and not negatives, (
        "\n".join([*summary, "failing queries:", *failures, *negatives]) + "\n\n" + report
    )
