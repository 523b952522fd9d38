"""Demo content in Swedish, built from the facts in DOMAIN.md.

Only for developer machines: it creates accounts with a known password, so it
refuses to run unless KOLLEGAN_DEV=1."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from kollegan.accounts.models import ExpertiseLabel, Member, Organisation, Role, Unit, Visibility
from kollegan.core.models import SiteSettings
from kollegan.documents.models import (
    Adoption,
    AdoptionStatus,
    Document,
    DocumentComment,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.documents.services import (
    adoption_record,
    document_create,
    document_save,
    document_set_status,
)
from kollegan.documents.services import comment_create as document_comment_create
from kollegan.events import ics, recurrence
from kollegan.events.models import Attendance, Event, Occurrence
from kollegan.events.recurrence import STOCKHOLM, expand, normalise_rule
from kollegan.events.services import EventData, attendance_set, event_create
from kollegan.feed.models import FeedEntry, FeedEntryTopic, Like, Post, Reply
from kollegan.feed.services import post_create, post_like, post_pin, reply_create
from kollegan.groups.models import Group
from kollegan.groups.services import group_add_members, group_create
from kollegan.notes.models import Note
from kollegan.notes.services import note_create
from kollegan.questions.models import Answer, Comment, Question
from kollegan.questions.services import (
    answer_create,
    answer_mark_helpful,
    comment_create,
    question_create,
)
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


@dataclass(frozen=True)
class DemoComment:
    writer: str  # e-mail local part
    body: str


@dataclass(frozen=True)
class DemoAnswer:
    writer: str
    body: str
    anonymous: bool = False
    helpful: bool = False  # marked "solved my question" by the asker
    comments: tuple[DemoComment, ...] = ()


@dataclass(frozen=True)
class DemoQuestion:
    """A question from Frågor as asked on the real platform (titles and answer
    counts from DOMAIN.md), with texts written for the demo. Answers come from
    colleagues in other municipalities than the asker's."""

    asker: str
    title: str
    topics: tuple[str, ...]
    days_ago: int
    body: str
    anonymous: bool = False
    answers: tuple[DemoAnswer, ...] = ()
    comments: tuple[DemoComment, ...] = ()  # on the question, after the answers


QUESTIONS = [
    DemoQuestion(
        asker="ulrika",
        title="Förslag på frågor till korta digitala MÖTESPLATSER",
        topics=("ovrigt",),
        days_ago=40,
        body=(
            "Hej alla! Arbetsgruppen planerar höstens digitala mötesplatser på onsdagar, "
            "kvart över åtta till nio. Vi vill gärna ha förslag på frågor eller teman som "
            "passar för ett kort samtal på 45 minuter.\n\n"
            "Vad skulle du vilja prata om med kollegor i de andra kommunerna? Allt från "
            "sällanfrågor till vardagens dilemman är välkommet."
        ),
        answers=(
            DemoAnswer(
                "anna",
                "Barnsamtal! Hur vi pratar med yngre barn under en utredning, och hur vi "
                "dokumenterar det barnet säger så att det går att känna igen barnets egna ord.",
            ),
            DemoAnswer(
                "johan",
                "Försörjningsstöd och bostadslöshet: hur gör vi när någon står utan bostad "
                "och det inte finns några lediga lägenheter i kommunen?",
            ),
            DemoAnswer(
                "sara",
                "Gärna ett tema om våld i nära relationer på landsbygden – långa avstånd, "
                "få skyddade boenden och att alla känner alla.",
                comments=(
                    DemoComment(
                        "tomas", "Bra förslag, det knyter också an till Yrkesresans kurs om våld."
                    ),
                ),
            ),
            DemoAnswer(
                "helena",
                "Sällanfrågor inom familjerätten, till exempel adoptionsutredningar. Vi gör "
                "någon enstaka per år och skulle behöva höra hur andra lägger upp dem.",
            ),
        ),
        comments=(
            DemoComment(
                "ulrika",
                "Tack för alla förslag! Vi lägger in dem i höstens schema och börjar med "
                "barnsamtal.",
            ),
        ),
    ),
    DemoQuestion(
        asker="anna",
        title="Du-utredning",
        topics=("barn-och-unga",),
        days_ago=33,
        body=(
            "Vi funderar på att börja skriva barnavårdsutredningar i du-form, alltså riktade "
            "direkt till barnet: ”Vi har pratat med dig om …”. Tanken är att barnet ska kunna "
            "läsa sin utredning och känna igen sig.\n\n"
            "Är det någon annan kommun som gör så? Hur har vårdnadshavarna tagit emot det, och "
            "har det fungerat när utredningen legat till grund för en ansökan om vård enligt LVU?"
        ),
        answers=(
            DemoAnswer(
                "camilla",
                "Vi har skrivit sammanfattningen och bedömningen i du-form i ungefär ett år. "
                "Barnen säger att de förstår mer, och vi själva skriver enklare och tydligare. "
                "Själva utredningstexten har vi kvar i vanlig form eftersom den ska hålla i "
                "domstol, och förvaltningsrätten har inte haft några synpunkter.",
                helpful=True,
            ),
            DemoAnswer(
                "peter",
                "Vi provade men gick tillbaka. Några vårdnadshavare upplevde att vi talade förbi "
                "dem, och i ärenden med mycket konflikt blev det svårt. Nu skriver vi i stället "
                "ett separat brev till barnet med utredningens slutsatser på barnets nivå.",
                comments=(
                    DemoComment(
                        "ida",
                        "Vi skriver också ett brev till barnet. Det har fungerat bra även för "
                        "de yngre barnen.",
                    ),
                ),
            ),
        ),
        comments=(
            DemoComment(
                "anna",
                "Tack båda! Vi börjar nog med sammanfattningen i du-form och ett brev, och "
                "utvärderar efter en termin.",
            ),
        ),
    ),
    DemoQuestion(
        asker="per",
        title="Tips LSS-boende – man 30 års ålder, schizofreni",
        topics=("funktionshinder", "psykisk-halsa"),
        days_ago=26,
        anonymous=True,
        body=(
            "Vi har en man i 30-årsåldern med schizofreni och en lindrig intellektuell "
            "funktionsnedsättning som har beviljats bostad med särskild service enligt LSS. "
            "Vi har inget boende i egen regi som kan möta hans behov: han behöver mycket "
            "struktur, personal med kunskap om psykossjukdom och helst en lugn miljö med få "
            "boende.\n\n"
            "Har ni tips på boenden, i egen regi i någon annan kommun eller hos privata "
            "utförare, som har erfarenhet av målgruppen? Och hur har ni löst samverkan med "
            "psykiatrin kring medicinering när boendet ligger långt bort?"
        ),
        answers=(
            DemoAnswer(
                "stina",
                "Vi köpte en plats för en person med liknande behov för ett par år sedan. Det som "
                "fungerade bäst var ett mindre boende med personal som hade utbildning i "
                "psykiatri – fråga specifikt efter det, eftersom många LSS-boenden mest har "
                "erfarenhet av intellektuell funktionsnedsättning och autism. Titta på "
                "ramavtalet först, så slipper ni en egen upphandling.",
                comments=(
                    DemoComment(
                        "tomas",
                        "Det här vore ett bra samtal på mötesplatsen om funktionshinder i höst.",
                    ),
                ),
            ),
            DemoAnswer(
                "david",
                "Från vuxenpsykiatrins håll kan jag säga: se till att det finns en samordnad "
                "individuell plan (SIP) innan flytten, där det står vem som ansvarar för "
                "uppföljningen av medicineringen och vad boendet ska göra vid tecken på "
                "återfall. Det har varit avgörande i de ärenden vi har haft.",
                helpful=True,
            ),
            DemoAnswer(
                "anders",
                "Vi har löst ett liknande behov genom att kombinera bostad med särskild service "
                "i egen regi med extra stöd från socialpsykiatrin de första månaderna. Det blev "
                "billigare än en extern placering och personen kunde bo kvar nära sitt nätverk. "
                "Kanske värt att räkna på?",
            ),
            DemoAnswer(
                "karin",
                "Skriv gärna till mig i chatten. Vi har avtal med ett boende vid kusten som tar "
                "emot personer med både psykossjukdom och LSS-beslut, och jag kan berätta hur "
                "samarbetet har fungerat.",
            ),
        ),
        comments=(
            DemoComment(
                "per",
                "Tack för alla svar! Vi har kallat till en SIP och går vidare med ramavtalet.",
            ),
        ),
    ),
    DemoQuestion(
        asker="maja",
        title="Försörjningsansvar mellan makar – försörjningsstöd",
        topics=("forsorjningsstod", "ekonomiskt-bistand"),
        days_ago=22,
        body=(
            "Vi har en ansökan om försörjningsstöd från en person som är gift och bor med sin "
            "make. Maken har inkomst men säger sig inte vilja bidra till den sökandes "
            "försörjning, och vill inte lämna uppgifter om sin ekonomi.\n\n"
            "Hur hanterar ni det? Vi vet att makar har en ömsesidig underhållsskyldighet, men "
            "hur gör ni i praktiken när den ena inte medverkar?"
        ),
        answers=(
            DemoAnswer(
                "erik",
                "Makar prövas gemensamt eftersom de enligt äktenskapsbalken ska bidra till "
                "familjens underhåll efter sin förmåga. Lämnar maken inte uppgifter kan vi inte "
                "pröva hushållets rätt till bistånd, och då blir det i regel avslag. Skriv "
                "tydligt i beslutet vad som saknas och varför.",
                helpful=True,
            ),
            DemoAnswer(
                "johan",
                "Var uppmärksam på tecken på ekonomiskt våld. Finns en sådan misstanke gör vi en "
                "särskild bedömning och kan bevilja bistånd i akuta lägen, samtidigt som vi "
                "erbjuder stöd från våra handläggare för våld i nära relationer.",
            ),
            DemoAnswer(
                "linnea",
                "Vi erbjuder alltid ett samtal där båda makarna är med och förklarar vad "
                "underhållsskyldigheten innebär. Ibland räcker det för att maken ska medverka.",
            ),
        ),
    ),
    DemoQuestion(
        asker="fredrik",
        title="Tips på placering mor + barn",
        topics=("barn-och-unga",),
        days_ago=19,
        body=(
            "Vi behöver placera en mamma tillsammans med sitt spädbarn för en bedömning av "
            "föräldraförmågan. Det är bråttom och vi har inget familjehem som kan ta emot "
            "båda.\n\n"
            "Vilka utredningshem för mor och barn har ni goda erfarenheter av? Vi vill helst ha "
            "ett hem som arbetar strukturerat med observation och kan ta emot med kort varsel."
        ),
        answers=(
            DemoAnswer(
                "lars",
                "Vi har placerat mor och barn två gånger de senaste åren, båda gångerna via "
                "ramavtalet. Fråga efter hem som använder en strukturerad observationsmetod "
                "och skriver veckorapporter, det underlättade vår utredning mycket. Räkna med "
                "en till två veckor innan det finns plats, så ha gärna ett förstärkt familjehem "
                "som reserv. Skicka ett meddelande så får du namnen på de hem vi har anlitat.",
            ),
        ),
        comments=(DemoComment("fredrik", "Tack Lars, jag hör av mig i chatten!"),),
    ),
    DemoQuestion(
        asker="ida",
        title="Omprövning LVU 3 §",
        topics=("barn-och-unga",),
        days_ago=14,
        anonymous=True,
        body=(
            "Vi har en ungdom som vårdas med stöd av 3 § LVU. Vårdnadshavarna och ungdomen "
            "överklagade förvaltningsrättens dom, men kammarrätten kom fram till samma sak och "
            "domen har nu vunnit laga kraft.\n\n"
            "Från när räknar vi sexmånadersfristen för omprövning – från när vården började "
            "verkställas efter förvaltningsrättens dom, eller från kammarrättens dom? Och ska "
            "nämnden själv ompröva, eller ska vi ansöka hos förvaltningsrätten?"
        ),
        answers=(
            DemoAnswer(
                "elin",
                "Enligt 13 § andra stycket LVU ska nämnden pröva om vården ska fortsätta inom "
                "sex månader från den dag då verkställigheten av vårdbeslutet började, och "
                "sedan inom sex månader från den senaste prövningen. Det är alltså nämnden som "
                "omprövar, ingen ansökan till domstol behövs.\n\n"
                "Fristen räknas från när vården faktiskt började verkställas, inte från "
                "kammarrättens dom. Nämndens beslut om fortsatt vård går att överklaga till "
                "förvaltningsrätten, så glöm inte besvärshänvisningen. Socialstyrelsens handbok "
                "om LVU har ett bra avsnitt om omprövning.",
                helpful=True,
            ),
        ),
        comments=(DemoComment("ida", "Tack, precis det jag behövde veta!"),),
    ),
    DemoQuestion(
        asker="johan",
        title="Förmedlade medel",
        topics=("ekonomiskt-bistand",),
        days_ago=12,
        anonymous=True,
        body=(
            "Vi har fått en ansökan om förmedlade medel från en person som är anställd i "
            "kommunen och som vi har en del kontakt med i arbetet. Det känns känsligt, både "
            "för personen och för oss.\n\n"
            "Hur hanterar ni jäv och sekretess när den sökande är en kollega i kommunen? "
            "Lämnar ni ärendet till en annan handläggare, eller till och med till en "
            "grannkommun?"
        ),
        answers=(
            DemoAnswer(
                "erik",
                "Vi har haft en liknande situation. En handläggare som inte hade någon "
                "arbetskontakt med personen tog ärendet, och vi begränsade behörigheten i "
                "verksamhetssystemet så att bara hon och chefen kunde läsa akten. Det fungerade "
                "bra och personen uppskattade det.",
                anonymous=True,
            ),
            DemoAnswer(
                "karin",
                "Pröva alltid jäv enligt förvaltningslagen i det enskilda fallet. I en liten "
                "kommun går det inte alltid att hitta någon utan koppling till personen, och "
                "därför har vi ett avtal med en grannkommun om att utreda åt varandra i sådana "
                "ärenden.",
                helpful=True,
            ),
            DemoAnswer(
                "linnea",
                "Tänk också på var post och samtal hamnar: skicka inte kallelser via den "
                "gemensamma receptionen i sådana ärenden.",
            ),
        ),
    ),
    DemoQuestion(
        asker="jonas",
        title="Ek. bistånd till ansökan om enskild vårdnad",
        topics=("ekonomiskt-bistand", "familjeratt"),
        days_ago=9,
        body=(
            "En förälder som har försörjningsstöd vill ansöka om ensam vårdnad och har sökt "
            "ekonomiskt bistånd till ansökningsavgiften till tingsrätten.\n\n"
            "Ryms en sådan kostnad inom skälig levnadsnivå hos er? Vi har ingen praxis och "
            "tycker att det är svårt att väga barnets behov mot att det är en tvist mellan "
            "föräldrarna."
        ),
        answers=(
            DemoAnswer(
                "linnea",
                "Vi har beviljat det i enstaka fall efter en individuell bedömning, främst när "
                "frågan rör barnets trygghet. Men kontrollera först om föräldern har rättsskydd "
                "i hemförsäkringen eller kan få rättshjälp – då täcks ofta mer än avgiften. "
                "Hänvisa också gärna till familjerätten för samarbetssamtal, ibland löser det "
                "sig utan domstol.",
                helpful=True,
            ),
        ),
    ),
    DemoQuestion(
        asker="mikael",
        title="Arbetsgivarens ansvar",
        topics=("missbruk-och-beroende",),
        days_ago=6,
        anonymous=True,
        body=(
            "Vi har kontakt med en person som har haft alkoholproblem i minst femton år och "
            "nu själv har sökt stöd. Personen är anställd, och arbetsgivaren har börjat "
            "uppmärksamma problemen på arbetsplatsen.\n\n"
            "Vilket ansvar har arbetsgivaren för rehabiliteringen, och var går gränsen mot "
            "socialtjänstens ansvar? Hur samverkar ni med arbetsgivare och "
            "företagshälsovård i sådana ärenden?"
        ),
        answers=(
            DemoAnswer(
                "sara",
                "Arbetsgivaren har ett rehabiliteringsansvar enligt arbetsmiljölagen och ska, "
                "om personen blir sjukskriven, ta fram en plan för återgång i arbete. "
                "Socialtjänsten ansvarar för stöd och behandling utifrån personens behov. Vi "
                "försöker få till ett gemensamt möte, med personens samtycke, så att planerna "
                "inte krockar.",
                helpful=True,
            ),
            DemoAnswer(
                "karin",
                "Många arbetsgivare erbjuder behandling via företagshälsovården, ofta med ett "
                "rehabiliteringskontrakt. Fråga om det finns ett sådant – då kan vår insats "
                "inriktas på det arbetsgivaren inte täcker, till exempel stöd till anhöriga.",
            ),
            DemoAnswer(
                "david",
                "Vi har ett liknande ärende just nu. Det som har hjälpt mest är att personen "
                "själv har fått bestämma vilken information som delas med arbetsgivaren. "
                "Samtycket behöver vara tydligt och dokumenterat.",
                anonymous=True,
            ),
            DemoAnswer(
                "anders",
                "Glöm inte att erbjuda en bedömning av samsjuklighet. Efter så många år med "
                "alkohol finns ofta också psykisk ohälsa som regionen behöver fånga upp.",
            ),
        ),
    ),
    DemoQuestion(
        asker="erik",
        title="Ekonomiskt bistånd till fritidsaktiviteter",
        topics=("ekonomiskt-bistand", "barn-och-unga"),
        days_ago=4,
        body=(
            "Vi får allt fler ansökningar om bistånd till barns fritidsaktiviteter, till "
            "exempel ridning och hockey, där både avgifter och utrustning kostar mycket. "
            "Fritidsaktiviteter ingår i riksnormen, men beloppet räcker inte långt för de här "
            "sporterna.\n\n"
            "Hur bedömer ni kostnader utöver normen? Beviljar ni utrustning, och i så fall hur "
            "mycket?"
        ),
        answers=(
            DemoAnswer(
                "jonas",
                "Vi gör en individuell bedömning med barnets bästa i fokus. Har barnet redan en "
                "aktivitet som betyder mycket brukar vi bevilja utrustning, i första hand "
                "begagnad. Många föreningar har lånepooler eller egna bidrag, så vi hänvisar "
                "alltid dit först. Avgifter utöver normen beviljar vi mer sällan.",
                helpful=True,
            ),
        ),
        comments=(DemoComment("erik", "Tack! Lånepoolerna hade jag inte tänkt på."),),
    ),
    DemoQuestion(
        asker="david",
        title="Hur avslutar man sin användare",
        topics=("ovrigt",),
        days_ago=3,
        body=(
            "Hej! Jag slutar i kommunen vid månadsskiftet och börjar arbeta på regionen. Hur "
            "avslutar man sin användare här på Digitala kollegan? Och ligger mina frågor och "
            "svar kvar när kontot är avslutat?"
        ),
        answers=(
            DemoAnswer(
                "admin",
                "Hej David! Du behöver inte göra något själv. Säg till din enhetschef eller oss "
                "på FoU vilket datum du slutar, så lägger vi in det som slutdatum för ditt "
                "medlemskap. Från den dagen kan du inte logga in längre.\n\n"
                "Det du har skrivit ligger kvar så att kollegorna har nytta av det, men det du "
                "har skrivit anonymt kopplas bort helt från dig. Vill du spara något innan dess "
                "kan du ladda ner dina uppgifter under Min sida.\n\n"
                "Lycka till på regionen!",
                helpful=True,
            ),
        ),
        comments=(DemoComment("david", "Tack, då vet jag!"),),
    ),
    DemoQuestion(
        asker="lena",
        title="Samtal med barn rörande umgänge",
        topics=("familjeratt", "barn-och-unga"),
        days_ago=2,
        anonymous=True,
        body=(
            "Tingsrätten har beslutat att ett barn på tolv år ska ha umgänge med en förälder "
            "som barnet inte har träffat på länge. Barnet har sagt tydligt att hen inte vill, "
            "och vi ska nu ha samtal med barnet inför umgänget.\n\n"
            "Hur lägger ni upp sådana samtal? Hur förklarar ni beslutet så att barnet känner "
            "sig lyssnat på, när domen går emot det barnet själv har sagt?"
        ),
        answers=(
            DemoAnswer(
                "helena",
                "Var ärlig med att beslutet är fattat och att det inte är barnet som har "
                "ansvaret för det. Samtidigt kan du fråga vad som skulle göra umgänget lättare: "
                "var, hur länge och med vem. Dokumentera barnets synpunkter noga, de kan bli "
                "viktiga om frågan prövas igen.",
                comments=(
                    DemoComment(
                        "ida", "Instämmer, och skriv gärna ner barnets egna ord ordagrant."
                    ),
                ),
            ),
            DemoAnswer(
                "sofia",
                "Med barn i den åldern använder vi ofta bilder och en tidslinje. Det hjälper "
                "barnet att sätta ord på oron. Flera korta samtal fungerar bättre än ett långt.",
            ),
            DemoAnswer(
                "camilla",
                "Erbjud umgängesstöd de första gångerna, så att en trygg vuxen är med. Följ upp "
                "med barnet efter varje tillfälle.",
            ),
        ),
        comments=(
            DemoComment(
                "lena",
                "Tack, fint med konkreta tips. Vi börjar med umgängesstöd och några korta samtal.",
            ),
        ),
    ),
]


# When the demo answers come, counted from the question (asked at 08:40 UTC):
# two the same day, the rest the next.
ANSWER_DELAYS = [
    timedelta(hours=1, minutes=25),
    timedelta(hours=5, minutes=10),
    timedelta(hours=24, minutes=35),
    timedelta(hours=27, minutes=50),
]


def _seed_questions(members: dict[str, Member], topics: dict[str, Topic]) -> int:
    """Ask, answer and comment the demo questions through the services, as members
    would; questions already there (by title) are left alone. Returns how many
    questions were asked."""
    asked = 0
    now = timezone.now()
    for demo in QUESTIONS:
        if Question.objects.filter(title=demo.title).exists():
            continue
        asker = members[demo.asker]
        question = question_create(
            author=asker,
            title=demo.title,
            body=demo.body,
            topics=[topics[slug] for slug in demo.topics],
            anonymous=demo.anonymous,
        )
        # The services stamp everything "now"; the demo spreads the questions over
        # the last weeks and their answers over the following day, so lists look used.
        asked_at = (now - timedelta(days=demo.days_ago)).replace(hour=8, minute=40)
        times: list[datetime] = [asked_at]
        for index, item in enumerate(demo.answers):
            answer = answer_create(
                question=question,
                author=members[item.writer],
                body=item.body,
                anonymous=item.anonymous,
            )
            answered_at = asked_at + ANSWER_DELAYS[index % len(ANSWER_DELAYS)]
            Answer.objects.filter(pk=answer.pk).update(created_at=answered_at)
            times.append(answered_at)
            if item.helpful:
                answer_mark_helpful(answer=answer, member=asker)
            for number, note in enumerate(item.comments, 1):
                comment = comment_create(
                    question=question, answer=answer, author=members[note.writer], body=note.body
                )
                commented_at = answered_at + timedelta(minutes=50 * number)
                Comment.objects.filter(pk=comment.pk).update(created_at=commented_at)
                times.append(commented_at)
        for number, note in enumerate(demo.comments, 1):
            comment = comment_create(question=question, author=members[note.writer], body=note.body)
            commented_at = max(times) + timedelta(minutes=40 * number)
            Comment.objects.filter(pk=comment.pk).update(created_at=commented_at)
            times.append(commented_at)
        Question.objects.filter(pk=question.pk).update(
            created_at=asked_at, last_activity_at=min(max(times), now)
        )
        _backdate_feed(FeedEntry.objects.filter(question=question), asked_at)
        asked += 1
    return asked


def _backdate_feed(entries, when: datetime) -> None:
    """The feed entry follows what it announces, topic rows included, so the
    start page shows the demo in the order it was (said to be) written."""
    FeedEntryTopic.objects.filter(entry__in=entries).update(created_at=when)
    entries.update(created_at=when)


@dataclass(frozen=True)
class DemoReply:
    writer: str  # e-mail local part
    body: str


@dataclass(frozen=True)
class DemoPost:
    """A post on the start page ("Senaste i Digitala kollegan"), with replies from
    colleagues in other municipalities and the members who like it."""

    author: str
    days_ago: int
    at: str  # "HH:MM" (UTC) that day
    body: str
    topics: tuple[str, ...] = ()
    link: str = ""
    replies: tuple[DemoReply, ...] = ()
    likers: tuple[str, ...] = ()
    pinned_by: str = ""  # a moderator's e-mail local part


POSTS = [
    DemoPost(
        author="karin",
        days_ago=13,
        at="07:50",
        topics=("ovrigt",),
        body=(
            "Hej alla! Arbetsgruppen för Digitala kollegan träffas igen om två veckor för att "
            "se över hur plattformen fungerar. Vad saknar ni, och vad använder ni aldrig? "
            "Skriv en rad här eller säg till din kommuns representant i arbetsgruppen, så tar "
            "vi med det."
        ),
        replies=(
            DemoReply(
                "anna",
                "Det vore bra om kalendariet kunde visa mötesplatserna för en hel termin på en "
                "gång.",
            ),
            DemoReply(
                "erik",
                "Jag skulle vilja kunna följa ett ämne utan att få e-post om varje nytt svar, "
                "kanske en sammanfattning i veckan?",
            ),
        ),
        likers=("ulrika", "lars", "maja"),
    ),
    DemoPost(
        author="tomas",
        days_ago=12,
        at="09:15",
        topics=("barn-och-unga",),
        body=(
            "Tips! Yrkesresan har öppnat anmälan till kursen **Samtal med barn** som går "
            "digitalt under fyra förmiddagar i vår. Anmälan görs via din chef.\n\n"
            "Många av er är ensamma från er kommun på kurserna, så direkt efter varje "
            "kurstillfälle har vi en digital mötesplats, *Yrkesresan Ny inom R8*, där vi "
            "pratar om hur det vi lärt oss fungerar i en liten kommun. Länken finns i "
            "kalendariet."
        ),
        replies=(
            DemoReply("ida", "Anmäld! Skönt att slippa sitta ensam med kursen."),
            DemoReply(
                "peter",
                "Går det bra att vara med på mötesplatsen efteråt även om man gick kursen "
                "förra året?",
            ),
            DemoReply("tomas", "Absolut, Peter, alla som har gått kursen är välkomna."),
        ),
        likers=("ida", "camilla", "sofia", "fredrik"),
    ),
    DemoPost(
        author="anders",
        days_ago=9,
        at="12:30",
        body=(
            "Vi i Norsjö vill hälsa våra nya kollegor välkomna till Digitala kollegan: "
            "@Camilla Jonsson har börjat på barn och familj, och fler är på väg till "
            "vuxenenheten. Ta gärna kontakt om ni har frågor om hur vi arbetar hos oss, och "
            "välkomna till mötesplatsen på onsdagar!"
        ),
        replies=(
            DemoReply("lars", "Välkommen Camilla! Vi hörs på onsdag."),
            DemoReply("sofia", "Välkommen! Hör av dig om du vill prata familjebehandling."),
        ),
        likers=("camilla", "lars", "sofia", "elin", "karin"),
    ),
    DemoPost(
        author="lena",
        days_ago=7,
        at="10:05",
        topics=("familjeratt", "barn-och-unga"),
        link="https://www.socialstyrelsen.se/",
        body=(
            "Har ni sett Socialstyrelsens handbok om vårdnad, boende och umgänge? Avsnittet "
            "om barnets vilja och hur man samtalar med barn har hjälpt oss mycket i ett par "
            "svåra utredningar.\n\n"
            "Finns det någon kommun som har gjort en kortversion för nya kollegor? Vi är bara "
            "två på familjerätten och hinner sällan läsa allt från början."
        ),
        replies=(
            DemoReply(
                "helena",
                "Vi har en kortversion på två sidor som vi tog fram i höstas. Jag lägger upp "
                "den under Dokument så kan vi gärna förbättra den tillsammans.",
            ),
            DemoReply("sofia", "Tack för tipset, den sparar jag."),
        ),
        likers=("helena", "ida", "anna"),
    ),
    DemoPost(
        author="ulrika",
        days_ago=5,
        at="09:20",
        topics=("forsorjningsstod",),
        body=(
            "Kort rapport från onsdagens mötesplats om försörjningsstöd: 18 kollegor från 7 "
            "kommuner var med. Det vi tog med oss:\n\n"
            "- flera kommuner vill ha en gemensam mall för aktivitetskrav\n"
            "- vi turas om att bevaka nya domar och delar dem här\n"
            "- nästa gång tar vi upp bistånd vid hyresskulder\n\n"
            "Anteckningarna finns under Mötesnoteringar för er som inte kunde vara med."
        ),
        replies=(
            DemoReply("johan", "Tack för en bra träff! Jag tar domarna från kammarrätten i vår."),
            DemoReply("maja", "Kunde inte vara med, så tack för sammanfattningen."),
        ),
        likers=("johan", "maja", "linnea", "jonas", "erik"),
    ),
    DemoPost(
        author="emma",
        days_ago=3,
        at="13:40",
        topics=("vald",),
        body=(
            "Vi har gjort om vår rutin för riskbedömning vid våld i nära relationer så att "
            "den också fungerar när vi gör hembesök långt från kontoret. Den viktigaste "
            "ändringen är att vi alltid är två och alltid bestämmer i förväg hur vi håller "
            "kontakt under besöket.\n\n"
            "Rutinen finns under Dokument. Synpunkter är mycket välkomna!"
        ),
        replies=(
            DemoReply(
                "sara",
                "Bra! Vi har haft samma diskussion i Malå. Jag läser och återkommer.",
            ),
        ),
        likers=("sara", "camilla", "elin"),
    ),
    DemoPost(
        author="ulrika",
        days_ago=1,
        at="14:10",
        topics=("funktionshinder",),
        pinned_by="karin",
        body=(
            "Nästa veckas tema på **Digital mötesplats** är **funktionshinder**. Vi ses "
            "onsdag kl. 08.15–09.00, länken finns i kalendariet.\n\n"
            "Ta gärna med en avidentifierad fråga om LSS eller om samverkan med "
            "psykiatrin, så börjar vi där."
        ),
        replies=(
            DemoReply("per", "Jag kommer! Vill gärna prata om boenden när egen regi saknas."),
            DemoReply("stina", "Vi är två från Sorsele som kommer."),
        ),
        likers=("per", "stina", "anders", "tomas", "david", "karin"),
    ),
    DemoPost(
        author="erik",
        days_ago=0,
        at="07:30",
        body=(
            "Någon mer som sitter ensam på kontoret i dag? Halva enheten är på utbildning och "
            "resten är ute på hembesök. Skönt att veta att ni finns här om det dyker upp "
            "något knepigt."
        ),
        replies=(
            DemoReply("jonas", "Samma här i Dorotea! Skriv i chatten om du vill bolla något."),
            DemoReply("linnea", "Vi är tre här i dag, hör av dig om det behövs."),
        ),
        likers=("jonas", "linnea", "johan"),
    ),
]

# When the replies to a demo post come, counted from the post.
REPLY_DELAYS = [
    timedelta(minutes=35),
    timedelta(hours=2, minutes=5),
    timedelta(hours=4, minutes=20),
]


def _seed_posts(members: dict[str, Member], topics: dict[str, Topic]) -> int:
    """Write, reply to, like and pin the demo posts through the services; posts
    already there (same author and text) are left alone. Returns how many were
    written."""
    posted = 0
    now = timezone.now()
    for demo in POSTS:
        author = members[demo.author]
        if Post.objects.filter(author=author, body=demo.body).exists():
            continue
        post = post_create(
            author=author,
            body=demo.body,
            topics=[topics[slug] for slug in demo.topics],
            link=demo.link,
        )
        # Backdated like the questions, never into the future.
        hour, minute = (int(part) for part in demo.at.split(":"))
        posted_at = (now - timedelta(days=demo.days_ago)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
        posted_at = min(posted_at, now - timedelta(hours=1))
        Post.objects.filter(pk=post.pk).update(created_at=posted_at)
        _backdate_feed(FeedEntry.objects.filter(post=post), posted_at)
        for index, item in enumerate(demo.replies):
            reply = reply_create(post=post, author=members[item.writer], body=item.body)
            replied_at = min(posted_at + REPLY_DELAYS[index % len(REPLY_DELAYS)], now)
            Reply.objects.filter(pk=reply.pk).update(created_at=replied_at)
        for index, liker in enumerate(demo.likers, 1):
            like = post_like(post=post, member=members[liker])
            Like.objects.filter(pk=like.pk).update(
                created_at=min(posted_at + timedelta(minutes=20 * index), now)
            )
        if demo.pinned_by:
            post_pin(post=post, moderator=members[demo.pinned_by])
            Post.objects.filter(pk=post.pk).update(
                pinned_at=min(posted_at + timedelta(minutes=15), now)
            )
        posted += 1
    return posted


# --- Kalendarium, groups and meeting notes -----------------------------------------------------

TEAMS_LINK = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_RGlnaXRhbCBt9tlc3BsYXRz"
    "%40thread.v2/0?context=%7b%22Tid%22%3a%22fou-valfard%22%7d"
)
MOTESPLATS_TITLE = "Digital mötesplats"
MOTESPLATS_START = datetime(2026, 9, 2, 8, 15, tzinfo=STOCKHOLM)
MOTESPLATS_END = datetime(2026, 9, 2, 9, 0, tzinfo=STOCKHOLM)
MOTESPLATS_RULE = "FREQ=WEEKLY;UNTIL=20261216"
# As the autumn in DOMAIN.md: the third week is skipped (there 20/9, here 16/9).
MOTESPLATS_SKIPPED = date(2026, 9, 16)
# Each held Wednesday's theme, in the order of DOMAIN.md's autumn list.
MOTESPLATS_THEMES = [
    "Funktionshinder",
    "Skadligt bruk/beroende + Våld",
    "Försörjningsstöd",
    "Funktionshinder",
    "Skadligt bruk/beroende + Våld",
    "Barn och unga",
    "Försörjningsstöd",
    "Våld",
    "Skadligt bruk/beroende",
    "Barn och unga",
    "Försörjningsstöd",
    "Funktionshinder",
    "Skadligt bruk/beroende",
    "Barn och unga",
    "Försörjningsstöd",
]
MOTESPLATS_TOPICS = [
    "funktionshinder",
    "missbruk-och-beroende",
    "vald",
    "forsorjningsstod",
    "barn-och-unga",
]
MOTESPLATS_DESCRIPTION = """Varje onsdag kl. 08.15–09.00 träffas vi på Teams och pratar om ett av
IFO:s områden – temat för varje datum står i kalendariet. FoU Välfärd Region Västerbotten
leder samtalet, och alla som arbetar inom individ- och familjeomsorgen i R8-kommunerna är
välkomna.

Ta gärna med en avidentifierad fråga som du vill diskutera med kollegorna. Ingen anmälan
behövs, men tryck gärna på **Jag kommer** så vet vi ungefär hur många vi blir.

Anteckningar från varje träff läggs under Mötesnoteringar för er som inte kunde vara med."""

BARNETS_RESA_TITLE = "Barnets resa i socialtjänsten"
BARNETS_RESA_DESCRIPTION = """Ett digitalt halvdagsseminarium om barnets väg genom
socialtjänsten – från orosanmälan till uppföljningen av insatserna. Vi följer ett påhittat
barn genom förhandsbedömning, utredning enligt BBIC, beslut och insatser, och stannar vid
de moment där barnets röst riskerar att tappas bort.

**Program**

- Inledning: barnets rättigheter i socialtjänsten
- Från orosanmälan till utredning
- Samtal med barn – erfarenheter från R8
- Frågor och avslutning

Tryck på **Jag kommer**, så skickar vi materialet i förväg."""

GROUP_NAME = "Yrkesresan Ny inom R8 – hösten 2026"
GROUP_DESCRIPTION = """För er som går Yrkesresans kurser för nya socialsekreterare i höst. Direkt
efter varje kurstillfälle träffas vi digitalt och pratar om hur det vi lärt oss fungerar i en
liten kommun – så att ingen behöver sitta ensam med kursen."""
GROUP_CREATOR = "karin"
GROUP_HOST = "tomas"
GROUP_MEMBERS = ["tomas", "anna", "erik", "lars", "ida"]
GROUP_SERIES_TITLE = "Yrkesresan Ny inom R8 – samtal efter kursdagen"
GROUP_SERIES_START = datetime(2026, 9, 3, 13, 0, tzinfo=STOCKHOLM)
GROUP_SERIES_END = datetime(2026, 9, 3, 14, 0, tzinfo=STOCKHOLM)
GROUP_SERIES_RULE = "FREQ=WEEKLY;INTERVAL=2;UNTIL=20261210"
# The course day each meeting follows.
GROUP_SERIES_THEMES = [
    "Kursstart: rollen som ny socialsekreterare",
    "Utredning enligt BBIC",
    "Samtal med barn",
    "Motiverande samtal",
    "Våld i nära relationer",
    "Dokumentation och journalföring",
    "Skälig levnadsnivå i ekonomiskt bistånd",
    "Avslutning: hur vi håller kontakten",
]
GROUP_SERIES_DESCRIPTION = """Vi ses på Teams direkt efter kursdagen, varannan torsdag
kl. 13.00–14.00. Vad tog du med dig, och hur gör vi i våra kommuner? Bara för er i gruppen."""


@dataclass(frozen=True)
class DemoNote:
    writer: str
    title: str
    body: str
    topics: tuple[str, ...]
    meeting: date  # the date of the meeting it is from
    written: str  # "HH:MM" Swedish time that day


MOTESPLATS_NOTE = DemoNote(
    writer="ulrika",
    title="Digital mötesplats 18 november: försörjningsstöd",
    topics=("forsorjningsstod", "ekonomiskt-bistand"),
    meeting=date(2026, 11, 18),
    written="10:40",
    body="""Onsdagen den 18 november samlades 18 kollegor från sju av R8:s kommuner på
mötesplatsen om försörjningsstöd. Ulrika Bergström från FoU Välfärd ledde samtalet.

**Det vi pratade om**

- *Aktivitetskrav:* flera kommuner vill ha en gemensam mall för hur kraven formuleras och
  följs upp, så att bedömningarna blir likartade i hela R8.
- *Nya domar:* vi turas om att bevaka nya domar från förvaltningsrätten och kammarrätten och
  delar dem under Frågor.
- *Försörjningsansvar mellan makar:* en fråga som sällan dyker upp, men som flera av oss har
  fått under hösten.

**Till nästa gång**

Vi tar upp bistånd vid hyresskulder och hur vi kan samarbeta med hyresvärdarna för att
förebygga vräkningar. Johan i Norsjö samlar exempel på rutiner – skicka gärna era till honom
i chatten.

Nästa mötesplats är onsdag den 25 november med temat funktionshinder.""",
)
GROUP_NOTE = DemoNote(
    writer="tomas",
    title="Efter kursdagen om dokumentation och journalföring",
    topics=("ovrigt",),
    meeting=date(2026, 11, 12),
    written="15:10",
    body="""Vi var fem från fyra kommuner efter torsdagens kursdag. Det som kom upp:

- Det är svårt att skriva kort och ändå få med barnets egna ord. Anna berättade hur de i
  Lycksele skriver en sammanfattning först och detaljerna sedan.
- Flera av oss har ingen mall för journalanteckningar vid hembesök; Erik delar Storumans
  här i gruppen.
- Vi vill gärna öva mer på att skriva bedömningar – Tomas tar med det till kursledningen.

Nästa gång ses vi efter kursdagen om skälig levnadsnivå.""",
)

# Who said "Jag kommer" to which meeting: (the date, the members).
MOTESPLATS_GOING = {
    date(2026, 11, 11): ["anna", "ida", "camilla", "peter", "fredrik"],
    date(2026, 11, 18): ["ulrika", "johan", "maja", "linnea", "jonas", "erik", "anna"],
    date(2026, 11, 25): ["ulrika", "per", "stina", "anders", "tomas", "david", "karin"],
    date(2026, 12, 2): ["ulrika", "sara", "mikael", "karin", "emma"],
}
BARNETS_RESA_GOING = ["anna", "lars", "ida", "camilla", "fredrik", "peter", "sofia", "elin"]
GROUP_GOING = {
    date(2026, 11, 12): ["tomas", "anna", "erik", "lars", "ida"],
    date(2026, 11, 26): ["tomas", "anna", "lars"],
}


def _at(day: date, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


def _backdate_event(event: Event, when: datetime) -> None:
    """Say the event was added at ``when`` (never in the future): the row, its
    calendar text (CREATED, DTSTAMP) and its feed entry."""
    when = min(when, timezone.now())
    Event.objects.filter(pk=event.pk).update(created_at=when)
    event.created_at = when
    dates = list(event.occurrences.order_by("original_start"))
    names = list(event.topics.order_by("position", "name").values_list("name", flat=True))
    event.ics = ics.event_ics(event, dates, names)
    Event.objects.filter(pk=event.pk).update(ics=event.ics)
    _backdate_feed(FeedEntry.objects.filter(event=event), when)


def _date_of(event: Event, day: date) -> Occurrence:
    return next(
        row for row in event.occurrences.all() if recurrence.local(row.original_start).date() == day
    )


def _sign_up(event: Event, going: dict[date, list[str]], members: dict[str, Member]) -> None:
    """ "Jag kommer" through the service, said a few days before each meeting."""
    for day, names in going.items():
        row = _date_of(event, day)
        for index, name in enumerate(names):
            if attendance_set(occurrence=row, member=members[name]):
                when = min(row.start - timedelta(days=3, minutes=-17 * index), timezone.now())
                Attendance.objects.filter(occurrence=row, member=members[name]).update(
                    created_at=when
                )


def _write_note(
    demo: DemoNote, event: Event, members: dict[str, Member], topics: dict[str, Topic]
) -> bool:
    if Note.objects.filter(title=demo.title).exists():
        return False
    note = note_create(
        author=members[demo.writer],
        title=demo.title,
        body=demo.body,
        topics=[topics[slug] for slug in demo.topics if slug in topics],
        occurrence=_date_of(event, demo.meeting),
    )
    when = min(_at(demo.meeting, demo.written), timezone.now())
    Note.objects.filter(pk=note.pk).update(created_at=when)
    _backdate_feed(FeedEntry.objects.filter(note=note), when)
    return True


def _themes(rule: str, start: datetime, skipped: set[date], themes: list[str]) -> dict:
    """The themes in order over the dates of the series that are held."""
    held = [value.date() for value in expand(rule, start) if value.date() not in skipped]
    return dict(zip(held, themes, strict=True))


def _seed_calendar(
    members: dict[str, Member], topics: dict[str, Topic], organisations: dict[str, Organisation]
) -> tuple[int, int]:
    """The autumn's mötesplats series, the seminar "Barnets resa i
    socialtjänsten", the Yrkesresan group with its own series, two meeting notes
    and some "Jag kommer", through the services; what is there already is left
    alone. Returns (new events, new notes)."""
    fou = organisations["FoU Välfärd Region Västerbotten"]
    events = notes = 0

    motesplats = Event.objects.filter(title=MOTESPLATS_TITLE, start=MOTESPLATS_START).first()
    if motesplats is None:
        rule = normalise_rule(MOTESPLATS_RULE)
        motesplats = event_create(
            author=members["admin"],
            data=EventData(
                title=MOTESPLATS_TITLE,
                start=MOTESPLATS_START,
                end=MOTESPLATS_END,
                description=MOTESPLATS_DESCRIPTION,
                online_url=TEAMS_LINK,
                organiser=fou,
                topics=[topics[slug] for slug in MOTESPLATS_TOPICS if slug in topics],
                hosts=[members["ulrika"]],
                rrule=rule,
                skip_dates=[MOTESPLATS_SKIPPED],
                themes=_themes(rule, MOTESPLATS_START, {MOTESPLATS_SKIPPED}, MOTESPLATS_THEMES),
            ),
        )
        _backdate_event(motesplats, _at(date(2026, 8, 17), "09:30"))
        events += 1
    _sign_up(motesplats, MOTESPLATS_GOING, members)
    notes += _write_note(MOTESPLATS_NOTE, motesplats, members, topics)

    seminar = Event.objects.filter(title=BARNETS_RESA_TITLE).first()
    if seminar is None:
        # A Tuesday morning a few weeks from the day the demo is made.
        today = timezone.localdate()
        day = today + timedelta(days=14)
        day += timedelta(days=(1 - day.weekday()) % 7)
        seminar = event_create(
            author=members["elin"],
            data=EventData(
                title=BARNETS_RESA_TITLE,
                start=_at(day, "09:00"),
                end=_at(day, "12:00"),
                description=BARNETS_RESA_DESCRIPTION,
                place="Digitalt via Teams",
                online_url=TEAMS_LINK.replace("RGlnaXRhbCBt9tlc3BsYXRz", "QmFybmV0cyByZXNh"),
                organiser=fou,
                topics=[topics["barn-och-unga"]] if "barn-och-unga" in topics else [],
                hosts=[members["elin"], members["ulrika"]],
            ),
        )
        _backdate_event(seminar, timezone.now() - timedelta(days=6, hours=3))
        events += 1
        row = seminar.occurrences.get()
        for name in BARNETS_RESA_GOING:
            attendance_set(occurrence=row, member=members[name])

    creator = members[GROUP_CREATOR]
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is None:
        group = group_create(moderator=creator, name=GROUP_NAME, description=GROUP_DESCRIPTION)
        Group.objects.filter(pk=group.pk).update(created_at=_at(date(2026, 8, 24), "10:00"))
    group_add_members(
        moderator=creator, group=group, members=[members[name] for name in GROUP_MEMBERS]
    )
    after_course = Event.objects.filter(title=GROUP_SERIES_TITLE, group=group).first()
    if after_course is None:
        rule = normalise_rule(GROUP_SERIES_RULE)
        after_course = event_create(
            author=members[GROUP_HOST],
            data=EventData(
                title=GROUP_SERIES_TITLE,
                start=GROUP_SERIES_START,
                end=GROUP_SERIES_END,
                description=GROUP_SERIES_DESCRIPTION,
                online_url=TEAMS_LINK.replace("RGlnaXRhbCBt9tlc3BsYXRz", "WXJrZXNyZXNhbg"),
                organiser=fou,
                hosts=[members[GROUP_HOST]],
                group=group,
                rrule=rule,
                themes=_themes(rule, GROUP_SERIES_START, set(), GROUP_SERIES_THEMES),
            ),
        )
        _backdate_event(after_course, _at(date(2026, 8, 24), "10:20"))
        events += 1
    _sign_up(after_course, GROUP_GOING, members)
    notes += _write_note(GROUP_NOTE, after_course, members, topics)
    return events, notes


# --- Dokument --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoVersion:
    writer: str
    days_ago: int
    at: str  # "HH:MM" Swedish time that day
    change_note: str
    body: str
    status: str = ""  # the status the owner gives the document after this save


@dataclass(frozen=True)
class DemoDocumentComment:
    writer: str
    days_ago: int
    at: str
    body: str
    version: int | None = None  # on this version rather than on the document


@dataclass(frozen=True)
class DemoAdoption:
    organisation: str  # its name
    recorder: str  # a member of that organisation
    status: str
    days_ago: int  # when it was decided
    decided_by: str
    variant_url: str = ""


@dataclass(frozen=True)
class DemoDocument:
    """A document written, revised and commented through the services; the first
    version's writer owns it."""

    title: str
    kind: str
    topics: tuple[str, ...]
    versions: tuple[DemoVersion, ...]
    comments: tuple[DemoDocumentComment, ...] = ()
    adoptions: tuple[DemoAdoption, ...] = ()


GUIDELINE_TITLE = "Riktlinje för orosanmälningar – gemensam för R8-kommunerna"

_GUIDELINE_START = """Riktlinjen beskriver hur vi i R8-kommunerna tar emot och bedömer
orosanmälningar om barn och unga, så att ett barn får samma skydd oavsett i vilken av
våra kommuner det bor. Den är framtagen av arbetsgruppen för barn och unga och bygger
på socialtjänstlagen och Socialstyrelsens handbok om barn och unga i socialtjänsten.

Skriv aldrig uppgifter som kan identifiera ett barn eller en familj i gemensamma
dokument eller kommentarer här."""

_GUIDELINE_RECEIVING = """## Att ta emot en anmälan

- Anmälan tas emot av mottagningen eller, där det inte finns någon mottagning, av den
  handläggare som har mottagningsansvar den veckan.
- Anmälan registreras samma dag som den kommer in.
- En muntlig anmälan från någon som är yrkesverksam dokumenteras, och anmälaren ombeds
  att också lämna den skriftligt."""

_GUIDELINE_PROTECTION_1 = """## Skyddsbedömning

Samma dag som anmälan kommer in gör vi en skyddsbedömning: behöver barnet omedelbart
skydd? Bedömningen görs av två handläggare, eller av en handläggare tillsammans med
enhetschefen, och dokumenteras i journalen."""

_GUIDELINE_PROTECTION_2 = (
    _GUIDELINE_PROTECTION_1
    + """

Kommer nya uppgifter om våld mot barnet, eller om att barnet har bevittnat våld, under
förhandsbedömningen gör vi en ny skyddsbedömning samma dag."""
)

_GUIDELINE_ASSESSMENT = """## Förhandsbedömning

Inom 14 dagar beslutar vi om utredning ska inledas eller inte. Under
förhandsbedömningen får vi tala med barnet, vårdnadshavarna och den som har gjort
anmälan. Andra uppgifter hämtas inte in i det här skedet.

Kan vi inte hålla tiden stämmer handläggaren av med enhetschefen, och skälen
dokumenteras."""

_GUIDELINE_SCHOOL = """## Anmälningar från skolan och förskolan

De flesta anmälningar kommer från skolan och förskolan. Personalen där är välkommen att
ringa mottagningen och rådgöra utan att nämna barnets namn innan de anmäler. Ett
anmälningsmöte med barnet och vårdnadshavarna kan vara bra, men det får aldrig fördröja
en anmälan."""

_GUIDELINE_FEEDBACK = """## Återkoppling till anmälaren

Den som har anmält i sin yrkesroll får veta om utredning har inletts, inte har inletts
eller redan pågår."""

_GUIDELINE_AFTER_HOURS = """## Utanför kontorstid

Anmälningar som kommer på kvällar och helger tas emot av socialjouren, som gör
skyddsbedömningen. Jouren lämnar över ärendet till kommunen nästa vardag före kl. 10.
Kommuner utan avtal med en socialjour ser till att det alltid finns en tjänsteman i
beredskap med delegation att fatta beslut om omedelbart skydd."""

_GUIDELINE_MOVING = """## Barn som flyttar mellan våra kommuner

Flyttar ett barn till en annan R8-kommun under en förhandsbedömning eller utredning
kontaktar handläggaren den nya kommunen samma vecka och begär att ärendet flyttas. Vi
avslutar inte vår förhandsbedömning förrän den nya kommunen har tagit emot ärendet."""

_GUIDELINE_REVIEW = """## Uppföljning av riktlinjen

Arbetsgruppen för barn och unga ser över riktlinjen en gång om året. Synpunkter lämnas
som kommentarer här i Dokument."""


def _joined(*parts: str) -> str:
    return "\n\n".join(parts)


GUIDELINE = DemoDocument(
    title=GUIDELINE_TITLE,
    kind=DocumentKind.GUIDELINE,
    topics=("barn-och-unga", "vald"),
    versions=(
        DemoVersion(
            writer="anna",
            days_ago=35,
            at="09:10",
            change_note="Första utkast från arbetsgruppen för barn och unga",
            body=_joined(
                _GUIDELINE_START,
                _GUIDELINE_RECEIVING,
                _GUIDELINE_PROTECTION_1,
                _GUIDELINE_ASSESSMENT,
                _GUIDELINE_FEEDBACK,
            ),
        ),
        DemoVersion(
            writer="ida",
            days_ago=24,
            at="14:20",
            change_note="Nytt avsnitt om skolan och förskolan; ny skyddsbedömning vid våld",
            body=_joined(
                _GUIDELINE_START,
                _GUIDELINE_RECEIVING,
                _GUIDELINE_PROTECTION_2,
                _GUIDELINE_ASSESSMENT,
                _GUIDELINE_SCHOOL,
                _GUIDELINE_FEEDBACK,
            ),
            status=DocumentStatus.CONSULTATION,
        ),
        DemoVersion(
            writer="elin",
            days_ago=12,
            at="10:05",
            change_note="Remissynpunkterna inarbetade: utanför kontorstid och barn som flyttar",
            body=_joined(
                _GUIDELINE_START,
                _GUIDELINE_RECEIVING,
                _GUIDELINE_PROTECTION_2,
                _GUIDELINE_ASSESSMENT,
                _GUIDELINE_SCHOOL,
                _GUIDELINE_FEEDBACK,
                _GUIDELINE_AFTER_HOURS,
                _GUIDELINE_MOVING,
                _GUIDELINE_REVIEW,
            ),
            status=DocumentStatus.ADOPTED,
        ),
    ),
    comments=(
        DemoDocumentComment(
            "camilla",
            20,
            "08:45",
            "Vi i Norsjö har ingen egen mottagning och ingen socialjour på kvällarna. Kan "
            "riktlinjen säga något om hur anmälningar utanför kontorstid tas emot?",
            version=2,
        ),
        DemoDocumentComment(
            "lars",
            17,
            "13:30",
            "Bra att skolan får ett eget avsnitt! Kan vi också skriva in vad som gäller när ett "
            "barn flyttar mellan våra kommuner mitt i en utredning? Det har hänt att ett ärende "
            "nästan har tappats bort vid en flytt.",
            version=2,
        ),
        DemoDocumentComment(
            "anna",
            12,
            "11:00",
            "Tack för alla synpunkter! Riktlinjen är nu fastställd av arbetsgruppen. Fyll gärna "
            "i tabellen nedan när er kommun har fattat beslut.",
        ),
    ),
    adoptions=(
        DemoAdoption(
            "Lycksele", "anna", AdoptionStatus.ADOPTED, 8, "Individ- och familjeutskottet"
        ),
        DemoAdoption("Sorsele", "elin", AdoptionStatus.ADOPTED, 6, "Socialnämnden"),
        DemoAdoption(
            "Vilhelmina",
            "ida",
            AdoptionStatus.VARIANT,
            4,
            "Socialnämnden",
            variant_url="https://www.vilhelmina.se/omsorg-och-hjalp/barn-och-familj/",
        ),
        DemoAdoption("Storuman", "fredrik", AdoptionStatus.NOT_ADOPTED, 2, "Socialnämnden"),
    ),
)

_VISITS_START = """## Syfte

Rutinen ska göra hembesök säkrare, för den enskilde och för oss, när det finns
uppgifter om våld i nära relationer.

## Före besöket

- Gör riskbedömningen tillsammans med en kollega innan besöket bokas.
- Fundera på om mötet hellre bör vara på kontoret eller på en annan neutral plats.
- Bestäm vem som leder samtalet och hur ni avbryter besöket om det behövs."""

_VISITS_AFTER = """## Efter besöket

Besöket och riskbedömningen dokumenteras samma dag. Har nya uppgifter om våld kommit
fram gör vi om riskbedömningen."""

ROUTINE = DemoDocument(
    title="Rutin för riskbedömning vid hembesök – våld i nära relationer",
    kind=DocumentKind.ROUTINE,
    topics=("vald",),
    versions=(
        DemoVersion(
            writer="emma",
            days_ago=10,
            at="15:00",
            change_note="Lyckseles rutin som den ser ut i dag",
            body=_joined(
                _VISITS_START,
                "## Under besöket\n\nOm det är möjligt är vi två vid besöket.",
                _VISITS_AFTER,
            ),
        ),
        DemoVersion(
            writer="emma",
            days_ago=3,
            at="13:20",
            change_note="Alltid två vid hembesök, och en plan för hur vi håller kontakt",
            body=_joined(
                _VISITS_START,
                """## Under besöket

Vi är alltid två. Innan vi åker bestämmer vi hur vi håller kontakt med kontoret och när
vi ska höra av oss. Hör kontoret inte av oss vid den tiden ringer de upp, och svarar vi
inte kontaktar de enhetschefen.

Besök långt från kontoret planeras så att vi inte behöver åka hem i mörker på vintern.""",
                _VISITS_AFTER,
            ),
            status=DocumentStatus.CONSULTATION,
        ),
    ),
    comments=(
        DemoDocumentComment(
            "sara",
            2,
            "09:40",
            "Vi har haft samma diskussion i Malå. Hos oss ringer vi alltid kontoret när vi har "
            "lämnat besöket, inte bara om något har hänt. Kanske något att lägga till?",
        ),
    ),
)

_CUSTODY_START = """Det här är en kortversion av Socialstyrelsens handbok om vårdnad, boende och
umgänge, skriven för dig som är ny på familjerätten. Läs alltid handboken när du är
osäker.

## Barnets bästa och barnets vilja

Barnets bästa avgör alla beslut om vårdnad, boende och umgänge. Barnets vilja ska
beaktas med hänsyn till barnets ålder och mognad. Prata med barnet på ett sätt som
passar barnet, och berätta vad som händer med det barnet säger.

## Upplysningar och utredningar

Tingsrätten kan be oss om snabbupplysningar eller om en utredning. Snabbupplysningarna
ska vara klara inom den tid rätten anger, oftast några veckor. I en utredning talar vi
med båda föräldrarna och med barnet, och vi gör hembesök hos båda.

## Avtal

Föräldrar kan komma överens om vårdnad, boende och umgänge i ett avtal som
socialnämnden godkänner, om avtalet är till barnets bästa."""

SUMMARY = DemoDocument(
    title="Vårdnad, boende och umgänge – kortversion för nya kollegor",
    kind=DocumentKind.KNOWLEDGE,
    topics=("familjeratt", "barn-och-unga"),
    versions=(
        DemoVersion(
            writer="helena",
            days_ago=6,
            at="16:10",
            change_note="Kortversionen vi tog fram i Vilhelmina i höstas",
            body=_CUSTODY_START,
            status=DocumentStatus.CONSULTATION,
        ),
        DemoVersion(
            writer="lena",
            days_ago=4,
            at="10:30",
            change_note="Lade till ett avsnitt om samarbetssamtal",
            body=_joined(
                _CUSTODY_START,
                """## Samarbetssamtal

Föräldrar som inte är överens erbjuds samarbetssamtal. Samtalen är frivilliga och
kostnadsfria, och målet är att föräldrarna ska komma överens i frågor som rör barnet.
I en liten kommun kan det vara bra att be en grannkommun hålla samtalen om föräldrarna
känner handläggaren privat.""",
            ),
        ),
    ),
)

_ACTIVITY_START = """Mallen används när vi ställer krav på att den som får försörjningsstöd
deltar i en aktivitet. Fyll i det som gäller och ta bort resten.

## Planeringen

- Aktivitet: *till exempel praktik, en arbetsmarknadsinsats eller studier*
- Anordnare:
- Omfattning per vecka:
- Startdatum:

## Bedömning

Beskriv varför aktiviteten är lämplig och hur den ska göra det lättare att försörja sig
själv. Ta hänsyn till hälsa, språk och ansvar för barn.

## Om aktiviteten inte fullföljs

Beskriv vad som händer om den enskilde utan godtagbart skäl avstår från aktiviteten, och
att hen får lämna sin förklaring innan något beslut fattas."""

TEMPLATE = DemoDocument(
    title="Mall för aktivitetskrav vid försörjningsstöd",
    kind=DocumentKind.TEMPLATE,
    topics=("forsorjningsstod", "ekonomiskt-bistand"),
    versions=(
        DemoVersion(
            writer="johan",
            days_ago=4,
            at="14:45",
            change_note="Första utkast efter mötesplatsen om försörjningsstöd",
            body=_ACTIVITY_START,
        ),
        DemoVersion(
            writer="maja",
            days_ago=2,
            at="09:15",
            change_note="Lade till uppföljningen",
            body=_joined(
                _ACTIVITY_START,
                """## Uppföljning

Planeringen följs upp senast tre månader efter starten, tillsammans med den enskilde och
anordnaren.""",
            ),
        ),
    ),
)

EVICTIONS = DemoDocument(
    title="Rutin vid hyresskulder – vräkningsförebyggande arbete",
    kind=DocumentKind.ROUTINE,
    topics=("ekonomiskt-bistand",),
    versions=(
        DemoVersion(
            writer="linnea",
            days_ago=1,
            at="11:25",
            change_note="Malås rutin, som underlag till mötesplatsen om hyresskulder",
            body="""## Syfte

Fler ska kunna bo kvar. Vi vill komma in tidigt när någon har hyresskulder, helst innan
hyresvärden har sagt upp avtalet.

## När vi får en underrättelse från hyresvärden

Handläggaren kontaktar hyresgästen inom en vecka, med brev och per telefon, och erbjuder
ett möte.

## Bedömning

- Pröva rätten till bistånd för hyresskulden.
- Finns det barn i familjen väger barnets behov av att bo kvar tungt.
- Hänvisa till budget- och skuldrådgivningen om skulderna är flera.

## Samverkan med hyresvärdarna

Vi träffar de största hyresvärdarna två gånger om året för att se hur samarbetet
fungerar.""",
        ),
    ),
    comments=(
        DemoDocumentComment(
            "johan",
            1,
            "13:05",
            "Tack Linnéa! Jag tar med den till mötesplatsen om hyresskulder, så kan vi jämföra "
            "med hur vi gör i Norsjö.",
        ),
    ),
)

DOCUMENTS = [GUIDELINE, ROUTINE, SUMMARY, TEMPLATE, EVICTIONS]


def _local_at(now: datetime, days_ago: int, clock: str) -> datetime:
    """``clock`` Swedish time ``days_ago`` days before ``now``; never later than an
    hour ago."""
    day = timezone.localtime(now, STOCKHOLM).date() - timedelta(days=days_ago)
    return min(_at(day, clock), now - timedelta(hours=1))


def _seed_documents(
    members: dict[str, Member], topics: dict[str, Topic], organisations: dict[str, Organisation]
) -> int:
    """Write, revise, comment on and adopt the demo documents through the services,
    then move their times back over the last weeks; documents already there (by
    title) are left alone. Returns how many were written."""
    written = 0
    now = timezone.now()
    for demo in DOCUMENTS:
        if Document.objects.filter(title=demo.title).exists():
            continue
        first, owner = demo.versions[0], members[demo.versions[0].writer]
        document = document_create(
            author=owner,
            title=demo.title,
            body=first.body,
            kind=demo.kind,
            topics=[topics[slug] for slug in demo.topics if slug in topics],
            change_note=first.change_note,
        )
        for item in demo.versions:
            if item is not first:
                document_save(
                    document=document,
                    editor=members[item.writer],
                    title=demo.title,
                    body=item.body,
                    base_version=document.version_number,
                    change_note=item.change_note,
                )
            if item.status:
                document_set_status(document=document, member=owner, status=item.status)
        times = [_local_at(now, item.days_ago, item.at) for item in demo.versions]
        for number, when in enumerate(times, 1):
            DocumentVersion.objects.filter(document=document, number=number).update(created_at=when)
        Document.objects.filter(pk=document.pk).update(
            created_at=times[0],
            updated_at=times[-1],
            edited_at=times[-1] if len(times) > 1 else None,
        )
        for note in demo.comments:
            comment = document_comment_create(
                document=document,
                author=members[note.writer],
                body=note.body,
                version_number=note.version,
            )
            DocumentComment.objects.filter(pk=comment.pk).update(
                created_at=_local_at(now, note.days_ago, note.at)
            )
        for decision in demo.adoptions:
            decided_on = timezone.localdate() - timedelta(days=decision.days_ago)
            adoption = adoption_record(
                document=document,
                member=members[decision.recorder],
                organisation=organisations[decision.organisation],
                status=decision.status,
                decided_on=decided_on,
                decided_by=decision.decided_by,
                variant_url=decision.variant_url,
                version_number=document.version_number,
            )
            Adoption.objects.filter(pk=adoption.pk).update(
                updated_at=min(_at(decided_on, "15:30") + timedelta(days=1), now)
            )
        written += 1
    return written


def _seed_notifications(members: dict[str, Member], topics: dict[str, Topic]) -> int:
    """Anna subscribes as in the notifications issue (Barn och unga at once,
    Ekonomiskt bistånd daily, new events weekly); the demo content becomes bell
    notifications now. It happened before the site opened, so it is history in
    the bell and sends nobody any e-mail; what is written after this does."""
    from kollegan.notifications import delivery
    from kollegan.notifications.models import (
        Activity,
        EmailState,
        Frequency,
        Kind,
        Notification,
    )
    from kollegan.notifications.services import subscriptions_set

    if "anna" in members:
        subscriptions_set(
            member=members["anna"],
            choices={
                (topics["barn-och-unga"].pk, Kind.QUESTION): Frequency.IMMEDIATE,
                (topics["ekonomiskt-bistand"].pk, Kind.QUESTION): Frequency.DAILY,
                (None, Kind.EVENT): Frequency.WEEKLY,
            },
        )
    pending = Activity.objects.filter(fanned_out_at__isnull=True).order_by("pk")
    told = sum(delivery.activity_fan_out(pk) for pk in pending.values_list("pk", flat=True))
    Notification.objects.filter(email_state__in=[EmailState.PENDING, EmailState.DIGEST]).update(
        email_state=EmailState.NONE, due_at=None
    )
    return told


# --- Chatt -------------------------------------------------------------------------------------

CHAT_GROUP_NAME = "Yrkesresan hösten 2026"
# (writer, text, hours ago): colleagues' talk, never a client's details.
CHAT_GROUP_MESSAGES = [
    ("karin", "Välkomna till kursgruppens chatt! Här kan vi hjälpas åt mellan kursdagarna.", 50),
    ("tomas", "Materialet från kursdag 2 ligger under **Dokument**, sök på *Samtal med barn*.", 49),
    (
        "anna",
        "Tack! Är det någon mer som ska läsa boken till nästa gång? Vi kunde dela upp kapitlen.",
        26,
    ),
    ("lars", "Jag tar kapitel 3 och 4. @Ida Marklund, vill du ta 5?", 25),
    ("ida", "Gärna! Jag skriver några rader om det till onsdagens mötesplats.", 3),
]
CHAT_DIRECT_MESSAGES = [
    (
        "erik",
        "Hej Anna! Hur gör ni i Lycksele med uppföljningen efter en placering, har ni en rutin?",
        20,
    ),
    ("anna", "Hej! Ja, vi har en checklista. Jag lägger upp den under Dokument i eftermiddag.", 19),
    ("erik", "Toppen, tack. Vi ses på onsdag!", 2),
]


def _seed_chat(members: dict[str, Member]) -> int:
    """A course cohort's group chat and two colleagues' direct messages, so the
    chat has something in it; Anna has unread messages in both."""
    from kollegan.chat import services as chat
    from kollegan.chat.models import Conversation, Message

    if Conversation.objects.exists():
        return 0
    now = timezone.now()
    group = chat.conversation_create_group(
        creator=members["karin"],
        name=CHAT_GROUP_NAME,
        members=[members[name] for name in GROUP_MEMBERS],
    )
    direct = chat.conversation_direct(member=members["erik"], other=members["anna"])
    count = 0
    for conversation, lines in ((group, CHAT_GROUP_MESSAGES), (direct, CHAT_DIRECT_MESSAGES)):
        for name, text, hours in lines:
            message = chat.message_send(conversation=conversation, author=members[name], body=text)
            when = now - timedelta(hours=hours)
            Message.objects.filter(pk=message.pk).update(created_at=when)
            count += 1
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=when)
    return count


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
        members: dict[str, Member] = {}
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
            members[local] = member
        site, _ = SiteSettings.objects.get_or_create(pk=1)
        if not site.welcome_text:
            site.welcome_text = WELCOME
            site.contact_email = "kollegan@fou.example"
            site.save()
        asked = _seed_questions(members, topics)
        posted = _seed_posts(members, topics)
        events, notes = _seed_calendar(members, topics, organisations)
        documents = _seed_documents(members, topics, organisations)
        # Before the notifications: the chat's are bell history too, never e-mail.
        chatted = _seed_chat(members)
        _seed_notifications(members, topics)
        self.stdout.write(
            f"Demoinnehåll klart: {created} nya medlemmar, {asked} nya frågor och "
            f"{posted} nya inlägg, {events} nya evenemang, {notes} nya mötesnoteringar och "
            f"{documents} nya dokument och {chatted} chattmeddelanden. "
            "Logga in som anna@kollegan.test "
            f"eller admin@kollegan.test med lösenordet {DEMO_PASSWORD}."
        )
