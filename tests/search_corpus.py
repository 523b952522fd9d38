"""A fixed Swedish corpus for the search relevance suite (tests/test_search_relevance.py).

Everything here is written for these tests: questions, answers and comments of
the kind social workers in the R8 municipalities ask each other, a few posts
and replies, events, meeting notes, documents, one help page of our own and a
handful of members with functions and expertise labels. The shipped manual
(help pages created by a migration) is left in place, so queries also compete
with it, as they do on a real site.

The texts are plain data; ``build_corpus`` creates them through the project's
service functions (the way content really arrives, so the search index is fed
by the same signals as in production) and falls back to the ORM only for help
pages, which administrators write in the admin.

Some items are there as *distractors*: they share words with a query but are
less relevant (the words far apart, an exact word in a long body, a compound
part instead of the word itself).

Every title is unique: the relevance suite names what it expects by title."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from kollegan.accounts.models import Member, Organisation
from kollegan.documents import services as document_services
from kollegan.documents.models import DocumentKind, DocumentStatus
from kollegan.events import services as event_services
from kollegan.events.services import EventData
from kollegan.feed import services as feed_services
from kollegan.helppages.models import HelpPage
from kollegan.notes import services as note_services
from kollegan.profiles.services import expertise_labels_get_or_create
from kollegan.questions import services as question_services
from kollegan.topics.models import Topic
from tests.conftest import make_member

# --- Members -------------------------------------------------------------------------------------
# key: (name, organisation slug, function, town, expertise labels)

MEMBERS = {
    "anders": ("Anders Holm", "lycksele", "Socialsekreterare", "Lycksele", []),
    "elin": (
        "Elin Nordin",
        "lycksele",
        "Socialsekreterare barn och unga",
        "Lycksele",
        ["Barnavårdsutredning"],
    ),
    "karin": (
        "Karin Lindqvist",
        "storuman",
        "Familjehemssekreterare",
        "Storuman",
        ["Familjehemsutredning", "Barnsamtal"],
    ),
    "jonas": (
        "Jonas Åberg",
        "storuman",
        "Budget- och skuldrådgivare",
        "Storuman",
        ["Skuldsanering", "Ekonomiskt bistånd"],
    ),
    "marta": (
        "Märta Öhman",
        "storuman",
        "Enhetschef IFO",
        "Tärnaby",
        ["Adoptionsutredning", "Spelberoende"],
    ),
}

# The member who runs every search (not the author of the anonymous question).
SEARCHER = "anders"

# A topic an administrator added beside the seeded ones.
NEW_TOPICS = [("Familjehem", "familjehem")]

# --- Questions, with their answers and comments --------------------------------------------------


@dataclass
class Q:
    title: str
    author: str
    topics: list[str]
    body: str
    anonymous: bool = False
    answers: list[tuple[str, str]] = field(default_factory=list)
    # (author, text): comments on the question itself
    comments: list[tuple[str, str]] = field(default_factory=list)


QUESTIONS = {
    # The one the issue names: "placeringar" must find it.
    "mor_barn": Q(
        "Tips på placering mor + barn",
        "elin",
        ["barn-och-unga", "familjehem"],
        "Vi behöver hitta en placering där mor och barn kan bo tillsammans medan vi "
        "utreder föräldraförmågan. Barnet är några veckor gammalt och mamman är själv "
        "mycket ung. Har ni erfarenhet av något utredningshem eller familjehem som tar "
        "emot mor och barn?",
        answers=[
            (
                "karin",
                "Vi har anlitat ett utredningshem för föräldrar och spädbarn i länet och "
                "varit nöjda. De gör en strukturerad bedömning av föräldraförmågan på åtta "
                "till tolv veckor.",
            )
        ],
    ),
    "placering_resor": Q(
        "Placeringar utanför hemkommunen – vem betalar resorna?",
        "anders",
        ["barn-och-unga"],
        "När barn är placerade långt från hemkommunen blir det många resor, både till "
        "föräldrarna och till skolan. Står den placerande kommunen för alla resekostnader, "
        "eller delar ni med vårdnadshavarna?",
    ),
    "syskon": Q(
        "Familjehemsplacering av syskon – tillsammans eller var för sig?",
        "elin",
        ["barn-och-unga", "familjehem"],
        "Tre syskon mellan fyra och elva år behöver placeras. Vi har ett familjehem som "
        "kan ta de två yngsta direkt, men inget som kan ta alla tre förrän i vår. Är det "
        "bättre att vänta så att barnen får bo tillsammans?",
        answers=[
            (
                "karin",
                "Enligt min erfarenhet väger syskonrelationen tungt, men inte tyngre än att "
                "barnen behöver komma i trygghet nu. Vi har placerat isär och sedan flyttat "
                "ihop dem när ett större familjehem blev ledigt.",
            )
        ],
    ),
    "fs_makar": Q(
        "Försörjningsstöd till makar där den ena studerar",
        "anders",
        ["forsorjningsstod"],
        "Ett gift par söker försörjningsstöd. Den ena maken läser på högskolan med "
        "studiemedel och den andra är arbetssökande. Räknar ni in studiemedlet i hushållets "
        "inkomster, och hur gör ni med lånedelen?",
        answers=[
            (
                "jonas",
                "Makar har försörjningsansvar för varandra, så vi gör en gemensam beräkning "
                "för hushållet. Bidragsdelen räknas som inkomst; lånedelen räknar vi inte, "
                "eftersom ingen ska behöva låna till familjens uppehälle.",
            )
        ],
        comments=[("marta", "Samma bedömning hos oss.")],
    ),
    "fs_ansvar": Q(
        "Försörjningsansvar mellan makar vid separation",
        "elin",
        ["forsorjningsstod"],
        "Paret bor kvar i samma lägenhet men uppger att de har separerat och ska flytta "
        "isär. Ska vi fortsätta pröva rätten till försörjningsstöd för makarna som ett "
        "hushåll tills någon har flyttat?",
        answers=[
            (
                "marta",
                "Så länge de är gifta och bor tillsammans gäller försörjningsansvaret. Vi "
                "brukar bestämma en tid för när flytten ska vara gjord och följa upp den.",
            )
        ],
    ),
    "fs_sparpengar": Q(
        "Försörjningsstöd när barnen har sparpengar på egna konton",
        "jonas",
        ["forsorjningsstod"],
        "Vid en nyansökan ser vi att barnen har sparade pengar från släktingar. Ska barnens "
        "tillgångar räknas med när vi prövar hushållets rätt till bistånd?",
    ),
    "fs_avslag": Q(
        "Barnets bästa vid avslag på försörjningsstöd",
        "marta",
        ["forsorjningsstod", "barn-och-unga"],
        "Hur dokumenterar ni barnets bästa i beslut om avslag till barnfamiljer? Vi har fått "
        "kritik från IVO för att barnkonsekvensanalysen saknas i besluten.",
    ),
    "eb_fritid": Q(
        "Ekonomiskt bistånd till fritidsaktiviteter",
        "anders",
        ["ekonomiskt-bistand", "barn-och-unga"],
        "En familj ansöker om bistånd till ridlektioner för ett barn och hockeyutrustning "
        "för ett annat. Hur resonerar ni kring fritidsaktiviteter för barn i familjer som "
        "har haft bistånd länge?",
        answers=[
            (
                "jonas",
                "Vi beviljar en fritidsaktivitet per barn när kostnaden är rimlig, eftersom "
                "det hör till en skälig levnadsnivå att barn kan delta i sådant som andra barn "
                "i kommunen gör.",
            )
        ],
    ),
    "eb_vardnad": Q(
        "Ek. bistånd till ansökan om enskild vårdnad",
        "elin",
        ["ekonomiskt-bistand", "familjeratt"],
        "En förälder vill ansöka om enskild vårdnad i tingsrätten men har inte råd med "
        "ansökningsavgiften. Ingår kostnaden i skälig levnadsnivå?",
        answers=[
            (
                "marta",
                "Vi har beviljat ansökningsavgiften efter individuell prövning, när det har "
                "bedömts vara i barnets intresse.",
            )
        ],
    ),
    "eb_begravning": Q(
        "Ekonomiskt bistånd till begravning",
        "jonas",
        ["ekonomiskt-bistand"],
        "Dödsboet saknar tillgångar och de anhöriga har låga inkomster. Vad räknar ni som en "
        "skälig kostnad? Begravningen ska motsvara en rimlig levnadsnivå utan att bli dyrare "
        "än nödvändigt.",
    ),
    "formedlade": Q(
        "Förmedlade medel när klienten är anställd av kommunen",
        "jonas",
        ["ekonomiskt-bistand"],
        "En klient med förmedlade medel har fått en anställning i kommunen och vill att lönen "
        "betalas in till förvaltningskontot. Hur hanterar ni jäv i sådana fall?",
    ),
    "lvu_omprovning": Q(
        "Omprövning LVU 3 § efter förvaltningsrättens dom",
        "elin",
        ["barn-och-unga"],
        "Förvaltningsrätten biföll vår ansökan om vård enligt 3 § LVU och vårdnadshavarna har "
        "överklagat till kammarrätten. Hur ofta ska vården omprövas medan målet ligger kvar i "
        "kammarrätten?",
        answers=[
            (
                "karin",
                "Nämnden ska pröva om vården fortfarande behövs inom sex månader från att den "
                "började, och sedan var sjätte månad. Överklagandet ändrar inte den tidsfristen.",
            )
        ],
    ),
    # The law written out, never abbreviated: found by "LVU" through the synonyms.
    "lvu_utskrivet": Q(
        "Vård enligt lagen med särskilda bestämmelser om vård av unga – flytt till annan kommun",
        "karin",
        ["barn-och-unga", "familjehem"],
        "En ungdom som vårdas enligt lagen med särskilda bestämmelser om vård av unga har "
        "flyttat till en annan kommun tillsammans med familjehemmet. Hur går en överflyttning "
        "av ärendet till, och vilken nämnd ansvarar under tiden?",
    ),
    # Anonymous: written by Elin, who must not be findable through it.
    "orosanmalan": Q(
        "Hur snabbt ska en orosanmälan från förskolan bedömas?",
        "elin",
        ["barn-och-unga", "vald"],
        "Vi fick en orosanmälan från förskolan en fredag eftermiddag om ett barn med "
        "blåmärken. Ingen i jouren fick veta. Hur har ni organiserat den första bedömningen "
        "av barnets säkerhet när det kommer in något sent en fredag?",
        anonymous=True,
    ),
    "hyresskuld": Q(
        "Hyresskuld och hot om avhysning för en barnfamilj",
        "anders",
        ["ekonomiskt-bistand"],
        "En barnfamilj har en hyresskuld på tre månadshyror och hyresvärden har ansökt om "
        "avhysning hos Kronofogden. Kan vi bevilja ekonomiskt bistånd till hyresskulden när "
        "familjen har haft skulder tidigare?",
        answers=[
            (
                "jonas",
                "Vi gör en helhetsbedömning där barnens situation väger tungt. Ofta beviljar vi "
                "bistånd mot en plan för hur hyran ska betalas framåt.",
            )
        ],
    ),
    "vrakning_forebygg": Q(
        "Vräkningsförebyggande arbete – har ni avtal med hyresvärdarna?",
        "jonas",
        ["ekonomiskt-bistand"],
        "Vi vill att de kommunala bostadsbolagen hör av sig redan vid första obetalda hyran. "
        "Har någon ett skriftligt avtal om det?",
    ),
    "umgangesstod": Q(
        "Umgängesstöd när föräldern har flyttat till en annan kommun",
        "karin",
        ["familjeratt"],
        "Tingsrätten har beslutat om umgänge med umgängesstöd. Föräldern som ska ha umgänge "
        "har nu flyttat. Vilken kommun ska ordna umgängesstödet?",
    ),
    "samtal_umgange": Q(
        "Samtal med barn rörande umgänge",
        "elin",
        ["familjeratt", "barn-och-unga"],
        "Tingsrätten har beslutat att en tolvåring ska träffa en förälder som barnet säger "
        "att det inte vill träffa. Hur lägger ni upp samtalen med barnet före och efter?",
        comments=[
            (
                "marta",
                "Vi har haft god hjälp av Trappan-modellen när barnet har upplevt våld hemma.",
            )
        ],
    ),
    # A distractor for "mor och barn": both words, far apart.
    "mor_kontakt": Q(
        "Barnets kontakt med mor på behandlingshem",
        "anders",
        ["barn-och-unga", "missbruk-och-beroende"],
        "Mamman vårdas på ett behandlingshem och barnet bor i familjehem. Hur ordnar ni "
        "träffarna när avståndet är femtio mil?",
    ),
    "boendestod": Q(
        "Boendestöd till unga vuxna med adhd och autism",
        "elin",
        ["funktionshinder", "psykisk-halsa"],
        "Vi funderar på att erbjuda boendestöd enligt SoL till unga vuxna med adhd eller "
        "autism som flyttar hemifrån. Hur många timmar i veckan brukar ni bevilja?",
    ),
    "lss_boende": Q(
        "Tips LSS-boende – man 30 år, schizofreni",
        "marta",
        ["funktionshinder", "psykisk-halsa"],
        "Vi söker ett boende enligt LSS för en man i trettioårsåldern med schizofreni och "
        "autism. Hemkommunen saknar lämpligt boende. Har någon erfarenhet av privata utförare?",
    ),
    # The law written out, never abbreviated: found by "LSS" through the synonyms.
    "assistans": Q(
        "Personlig assistans för barn – vem handlägger?",
        "karin",
        ["funktionshinder", "barn-och-unga"],
        "En familj ansöker om personlig assistans för sitt barn enligt lagen om stöd och "
        "service till vissa funktionshindrade. Hos oss är det oklart om handläggaren för "
        "funktionshinder eller barnhandläggaren ska ta ärendet.",
    ),
    "du_utredning": Q(
        "Du-utredning – skriver ni barnutredningar i du-form?",
        "elin",
        ["barn-och-unga"],
        "Vi funderar på att skriva utredningar om barn i du-form, så att texten riktar sig "
        "direkt till barnet. Gör andra kommuner så, och hur har det tagits emot?",
        answers=[
            (
                "anders",
                "Vi har skrivit utredningarna i du-form i ett år. Barnen säger att de förstår "
                "mer, men det tar längre tid att skriva.",
            )
        ],
    ),
    "utredningstid": Q(
        "Förlänga utredningstiden enligt 11 kap. 2 § SoL",
        "anders",
        ["barn-och-unga"],
        "Utredningen ska vara klar inom fyra månader. När har ni beslutat om förlängning, och "
        "hur motiverar ni det i beslutet?",
    ),
    "vardnadsoverflyttning": Q(
        "Vårdnadsöverflyttning efter tre år i familjehem",
        "karin",
        ["familjeratt", "familjehem"],
        "Barnet har bott i samma familjehem i tre år och familjehemsföräldrarna vill gärna bli "
        "vårdnadshavare. Hur lägger ni upp utredningen om vårdnadsöverflyttning?",
    ),
    "alkohol": Q(
        "Arbetsgivarens ansvar vid långvarigt alkoholmissbruk",
        "marta",
        ["missbruk-och-beroende"],
        "En anställd med minst femton års alkoholmissbruk bakom sig har sökt sig till oss. "
        "Arbetsgivaren vill att socialtjänsten tar över rehabiliteringen. Var går gränsen "
        "mellan arbetsgivarens rehabiliteringsansvar och vårt ansvar?",
    ),
    "spel": Q(
        "Spelberoende – hur utreder ni spelproblem?",
        "marta",
        ["missbruk-och-beroende"],
        "Sedan 2018 har socialtjänsten ansvar för att förebygga och motverka spelmissbruk. "
        "Vilka bedömningsinstrument använder ni när någon söker hjälp för spelproblem?",
    ),
    "motesplatser": Q(
        "Förslag på frågor till korta digitala mötesplatser",
        "marta",
        ["ovrigt"],
        "Vi vill ha förslag på teman för de digitala mötesplatserna på 45 minuter varannan "
        "onsdag. Kom gärna med idéer, stora som små!",
        answers=[("elin", "Familjerätt och barnsamtal, gärna med ett fall att diskutera.")],
    ),
    # Accented word (idé) in the title.
    "socialjour": Q(
        "En idé: gemensam socialjour för R8-kommunerna",
        "anders",
        ["ovrigt"],
        "Tänk om vi delade på beredskapen kvällar och helger mellan våra åtta kommuner? Då "
        "skulle var och en ha jour betydligt mer sällan. Finns det någon som har provat?",
    ),
    "nattjour": Q(
        "Nattjour och beredskap – hur är den organiserad hos er?",
        "karin",
        ["ovrigt"],
        "Vi har telefonjour via polisen efter klockan tio på kvällen. Hur länge ska en "
        "socialsekreterare kunna vara på plats efter ett larm?",
    ),
    "heder": Q(
        "Hedersrelaterat våld och förtryck – vilka frågor ställer ni?",
        "elin",
        ["heder", "vald"],
        "Vi ska ta fram en checklista för samtal med unga som kan vara utsatta för "
        "hedersrelaterat våld och förtryck. Vilka frågor har ni sett fungera?",
    ),
    "freda": Q(
        "Riskbedömning med FREDA vid våld i nära relationer",
        "anders",
        ["vald"],
        "Använder ni FREDA-farlighetsbedömningen i alla ärenden om våld i nära relationer, "
        "eller bara när kortfrågorna ger utslag?",
        answers=[
            (
                "marta",
                "Vi ställer alltid kortfrågorna och gör farlighetsbedömningen när det finns "
                "tecken på upprepat våld.",
            )
        ],
    ),
    # A distractor for "våld i nära relationer": every word, none of them together.
    "relationer_skola": Q(
        "Relationer mellan socialtjänst och skola – hur samverkar ni?",
        "karin",
        ["barn-och-unga"],
        "Hur håller ni goda relationer med skolorna? Det är ofta skolan som först ser att en "
        "elev far illa, till exempel av våld, men samarbetet blir lätt nära nog obefintligt "
        "när personalen byts ut.",
    ),
    "ensamkommande": Q(
        "Ensamkommande som fyllt 18 – får de bo kvar i familjehemmet?",
        "karin",
        ["barn-och-unga", "familjehem"],
        "Vi har två ungdomar som fyller arton i vår. De vill bo kvar hos familjen där de har "
        "bott i tre år. Vilka möjligheter finns att bevilja fortsatt boende enligt SoL?",
    ),
    # The key word is only in the answer.
    "tandvard": Q(
        "Vart vänder sig en klient med stora tandvårdskostnader?",
        "anders",
        ["ekonomiskt-bistand"],
        "En klient har fått en kostnadsberäkning från tandläkaren på flera tiotusentals "
        "kronor. Vad ska vi hänvisa till innan vi prövar ansökan?",
        answers=[
            (
                "jonas",
                "Kontrollera först om hen har rätt till det statliga tandvårdsbidraget och hur "
                "högkostnadsskyddet slår. Först därefter prövar vi bistånd till den del som "
                "återstår.",
            )
        ],
    ),
    "avsluta": Q(
        "Hur avslutar man sin användare?",
        "karin",
        ["ovrigt"],
        "Jag går i pension vid årsskiftet. Ska jag själv avsluta mitt konto här eller gör "
        "administratören det?",
        answers=[("marta", "Administratören gör det när du slutar, du behöver inte göra något.")],
    ),
    "kontaktfamilj": Q(
        "Kontaktperson eller kontaktfamilj för tonåringar?",
        "elin",
        ["barn-och-unga"],
        "Vi har svårt att hitta kontaktfamiljer som vill ta emot tonåringar. Har ni gått över "
        "till kontaktpersoner för den åldern?",
    ),
    "skuldsanering": Q(
        "Skuldsanering för unga vuxna – vart hänvisar ni?",
        "anders",
        ["ekonomiskt-bistand"],
        "Allt fler unga vuxna har skulder efter sms-lån. Har ni egen budget- och "
        "skuldrådgivning, eller köper ni den av en annan kommun?",
    ),
    "handledning": Q(
        "Handledning för familjehem – extern eller egen?",
        "elin",
        ["familjehem"],
        "Köper ni extern handledning till era familjehem, eller håller "
        "familjehemssekreterarna i den själva?",
    ),
    "barnsamtal": Q(
        "Barnsamtal på distans – fungerar det?",
        "anders",
        ["barn-och-unga"],
        "Vi har långt till en del familjer. Har någon genomfört samtal med barn via video, "
        "och hur gick det?",
    ),
    "adoption": Q(
        "Sällan-fråga: medgivandeutredning inför internationell adoption",
        "elin",
        ["familjeratt"],
        "Vi har fått vår första ansökan om medgivande på sex år. Finns det någon som har gjort "
        "en nyligen och kan dela sin struktur?",
        answers=[("karin", "Fråga Märta i Storuman, hon har gjort flera de senaste åren.")],
    ),
}

# --- Posts (no title of their own) and their replies ---------------------------------------------

POSTS = {
    "tema_funktion": (
        "marta",
        ["funktionshinder"],
        "Nästa veckas tema på den digitala mötesplatsen är funktionsnedsättning. Vi ses "
        "onsdag kl. 08.15 till 09.00, länken finns i kalendariet.",
        [("anders", "Tack! Jag tar med en fråga om färdtjänst för unga.")],
    ),
    "mi_utbildning": (
        "karin",
        [],
        "Höstens utbildningar i motiverande samtal är nu öppna. Två heldagar i Umeå och en "
        "uppföljning digitalt.",
        [],
    ),
    "enkat": (
        "anders",
        ["ovrigt"],
        "Påminnelse: enkäten om Kollegan stänger på fredag. Svara gärna, den tar fem minuter.",
        [("marta", "Klart, bra frågor!")],
    ),
}

# --- Events, meeting notes, documents and a help page ---------------------------------------------

# key: (author, title, description, days from now, hours long, place, topics)
EVENTS = {
    "cafe": (
        "karin",
        "Café för familjehemmen – höstträff",
        "Kommunernas familjehem bjuds in till fika och erfarenhetsutbyte. Tema: att vara "
        "familjehem åt tonåringar.",
        10,
        2,
        "Folkets hus, Lycksele",
        ["familjehem"],
    ),
    "spel_motesplats": (
        "marta",
        "Digital mötesplats: spelberoende",
        "Beroendemottagningen berättar om spelmissbruk och behandling, och om hur vi kan "
        "fånga upp spelproblem tidigt.",
        14,
        1,
        "",
        ["missbruk-och-beroende"],
    ),
    "bbic": (
        "elin",
        "Grundutbildning i BBIC för nyanställda",
        "Barns behov i centrum: dokumentation och uppföljning. Två halvdagar.",
        21,
        3,
        "Kommunhuset, Storuman",
        ["barn-och-unga"],
    ),
    "natverk_vald": (
        "anders",
        "Nätverksträff: våld i nära relationer",
        "Nätverket för handläggare som arbetar med våld i nära relationer träffas digitalt. "
        "Anteckningar läggs upp efteråt.",
        -7,
        2,
        "",
        ["vald"],
    ),
}

# key: (author, title, body, topics, event key of the meeting it is from or None)
NOTES = {
    "natverk_anteckningar": (
        "anders",
        "Anteckningar från nätverksträffen om våld i nära relationer",
        "Närvarande: handläggare från fem kommuner. Vi gick igenom hur skyddsbedömningar "
        "dokumenteras och vilka rutiner som finns när någon behöver flytta akut. Nästa gång: "
        "barn som upplever våld.",
        ["vald"],
        "natverk_vald",
    ),
    "arbetsgrupp": (
        "marta",
        "Anteckningar från arbetsgruppens möte i oktober",
        "Vi utvärderade de digitala träffarna. Förslag: fler teman om familjerätt, och att "
        "sökfunktionen ska förstå förkortningar.",
        ["ovrigt"],
        None,
    ),
}

# key: (author, title, kind, body, topics)
DOCUMENTS = {
    "vrakning": (
        "jonas",
        "Rutin vid risk för vräkning",
        DocumentKind.ROUTINE,
        "Syftet är att inga barn ska vräkas. När hyresvärden aviserar en uppsägning på grund "
        "av hyresskulder kontaktar socialtjänsten hushållet inom en vecka. Handläggaren "
        "bedömer om bistånd till hyresskulden kan beviljas och gör en plan för hur hyran "
        "betalas framöver.",
        ["ekonomiskt-bistand"],
    ),
    "orosanmalningar": (
        "elin",
        "Rutin för mottagande av orosanmälningar",
        DocumentKind.ROUTINE,
        "Orosanmälningar tas emot av mottagningsgruppen. En första bedömning av barnets "
        "säkerhet görs samma dag, och beslut om att inleda utredning eller inte tas inom "
        "fjorton dagar.",
        ["barn-och-unga"],
    ),
    "samtycke": (
        "karin",
        "Mall: samtycke till kontakt med skola och vårdcentral",
        DocumentKind.TEMPLATE,
        "Jag samtycker till att socialtjänsten får utbyta uppgifter med de verksamheter som "
        "anges nedan. Samtycket gäller i ett år och kan återkallas när som helst.",
        [],
    ),
}

HELP_PAGES = {
    "kortkommandon": (
        "Kortkommandon",
        "Snabbare med tangentbordet.",
        "Tryck på snedstreck för att hoppa till sökrutan. Tryck på Esc för att stänga en "
        "dialogruta. Med Tab och Skift+Tab flyttar du mellan länkar och knappar.",
    ),
}


def corpus_titles() -> dict[str, str]:
    """Every title a search result can show for the corpus, by key (posts show the
    start of their text; members their name)."""
    titles = {key: name for key, (name, *_rest) in MEMBERS.items()}
    titles.update({key: q.title for key, q in QUESTIONS.items()})
    titles.update({key: body for key, (_a, _t, body, _r) in POSTS.items()})
    titles.update({key: event[1] for key, event in EVENTS.items()})
    titles.update({key: note[1] for key, note in NOTES.items()})
    titles.update({key: doc[1] for key, doc in DOCUMENTS.items()})
    titles.update({key: page[0] for key, page in HELP_PAGES.items()})
    assert len(set(titles.values())) == len(titles), "titles must be unique"
    return titles


# --- Building it ---------------------------------------------------------------------------------


@dataclass
class Corpus:
    members: dict[str, Member]
    items: dict[str, object]

    @property
    def searcher(self) -> Member:
        return self.members[SEARCHER]


def make_members(*organisations: Organisation) -> dict[str, Member]:
    """The cast, in the given organisations (by slug); expertise labels set the
    way the profile form sets them (after the member row is saved)."""
    by_slug = {organisation.slug: organisation for organisation in organisations}
    members = {}
    for key, (name, org_slug, function, town, labels) in MEMBERS.items():
        member = make_member(
            f"{key}@{org_slug}.test", name, by_slug[org_slug], title=function, town=town
        )
        if labels:
            member.expertise.set(expertise_labels_get_or_create(labels))
        members[key] = member
    return members


def _topics(slugs: list[str]) -> list[Topic]:
    found = {topic.slug: topic for topic in Topic.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs]


def build_corpus(members: dict[str, Member]) -> Corpus:
    """Create every item through the services (help pages through the ORM)."""
    for position, (name, slug) in enumerate(NEW_TOPICS, start=50):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    items: dict[str, object] = {}

    for key, q in QUESTIONS.items():
        question = question_services.question_create(
            author=members[q.author],
            title=q.title,
            body=q.body,
            topics=_topics(q.topics),
            anonymous=q.anonymous,
        )
        for author, body in q.answers:
            question_services.answer_create(question=question, author=members[author], body=body)
        for author, body in q.comments:
            question_services.comment_create(question=question, author=members[author], body=body)
        items[key] = question

    for key, (author, topics, body, replies) in POSTS.items():
        post = feed_services.post_create(author=members[author], body=body, topics=_topics(topics))
        for reply_author, reply_body in replies:
            feed_services.reply_create(post=post, author=members[reply_author], body=reply_body)
        items[key] = post

    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    for key, (author, title, description, days, hours, place, topics) in EVENTS.items():
        start = today + dt.timedelta(days=days)
        data = EventData(
            title=title,
            start=start,
            end=start + dt.timedelta(hours=hours),
            description=description,
            place=place,
            organiser=members[author].organisation,
            topics=_topics(topics),
        )
        items[key] = event_services.event_create(author=members[author], data=data)

    for key, (author, title, body, topics, event_key) in NOTES.items():
        occurrence = items[event_key].occurrences.get() if event_key else None
        items[key] = note_services.note_create(
            author=members[author],
            title=title,
            body=body,
            topics=_topics(topics),
            occurrence=occurrence,
        )

    for key, (author, title, kind, body, topics) in DOCUMENTS.items():
        items[key] = document_services.document_create(
            author=members[author],
            title=title,
            body=body,
            kind=kind,
            topics=_topics(topics),
            status=DocumentStatus.ADOPTED,
        )

    for position, (key, (title, summary, body)) in enumerate(HELP_PAGES.items(), start=900):
        items[key] = HelpPage.objects.create(
            title=title, slug=f"test-{key}", summary=summary, body=body, position=position
        )

    return Corpus(members=members, items=items)
