"""The pages `make bench` measures. Later work adds a page by appending a :class:`Page`.

A path may hold ``{placeholders}`` filled from :class:`kollegan.bench.data.Fixture`
(``profile_id``, ``question_id``: the one long thread, 50 answers and 200
comments; ``feed_cursor``: where the first page of the start page's feed ends;
``series_id``: the weekly mötesplats, 30 dates with themes; ``occurrence_id``:
its latest past date, 50 signed up and two notes; ``busy_year``/``busy_month``
and ``busy_from``/``busy_to``: the month with the most dates; ``feed_member_id``
and ``feed_token``: the bench member's subscription link, about 2,000 events at
national scale; ``document_id``: the shared guideline with ``document_versions``
(200) versions, 60 comments and every organisation's decision); a page that
needs a new kind of object adds the id there.
"""

from dataclasses import dataclass
from enum import Enum


class Auth(Enum):
    """How the request identifies itself."""

    SESSION = "session"  # the logged-in bench member's session cookie, as a browser sends it
    BEARER = "bearer"  # Authorization: Bearer with the bench member's API token
    NONE = "none"  # an anonymous visitor


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    auth: Auth = Auth.SESSION

    def url(self, ids: dict[str, int | str]) -> str:
        return self.path.format(**ids)


# The baseline: every other page's p50 is reported as a multiple of this one's.
HELLO = Page("hello", "/bench/hello")

PAGES: list[Page] = [
    HELLO,
    Page("start", "/"),
    Page("start_topic", "/?amne=barn-och-unga"),
    Page("start_page_2", "/?fore={feed_cursor}"),
    Page("directory", "/medarbetare/"),
    Page("directory_filtered", "/medarbetare/?amne=barn-och-unga&organisation=lycksele"),
    Page("directory_page_50", "/medarbetare/?sida=50"),
    Page("directory_label", "/medarbetare/?etikett=adoptionsutredning"),
    Page("directory_search", "/medarbetare/?q=ann"),
    Page("profile", "/medarbetare/{profile_id}/"),
    Page("topic", "/amnen/barn-och-unga/"),
    Page("questions", "/fragor/"),
    Page("questions_topic", "/fragor/?amne=barn-och-unga"),
    Page("questions_org", "/fragor/?organisation=lycksele"),
    Page("questions_unanswered", "/fragor/?visa=obesvarade"),
    Page("questions_page_50", "/fragor/?visa=nyast&sida=50"),
    Page("question", "/fragor/{question_id}/"),
    Page("my_page", "/min-sida/"),
    Page("api_me", "/api/v1/me", Auth.BEARER),
    Page("api_members", "/api/v1/members?organisation=lycksele", Auth.BEARER),
    Page("api_member", "/api/v1/members/{profile_id}", Auth.BEARER),
    Page("api_questions", "/api/v1/questions", Auth.BEARER),
    Page("api_question", "/api/v1/questions/{question_id}", Auth.BEARER),
    Page("api_feed", "/api/v1/feed", Auth.BEARER),
    Page("api_posts", "/api/v1/posts", Auth.BEARER),
    Page("calendar_list", "/kalendarium/lista/"),
    Page("calendar_past", "/kalendarium/tidigare/"),
    Page("calendar_month", "/kalendarium/manad/{busy_year}/{busy_month}/"),
    Page("occurrence", "/kalendarium/tillfalle/{occurrence_id}/"),
    Page("event_series", "/kalendarium/{series_id}/"),
    Page("ics_feed", "/kalendarium/prenumeration/{feed_member_id}/{feed_token}.ics", Auth.NONE),
    Page("notes", "/motesnoteringar/"),
    Page("api_events", "/api/v1/events?from={busy_from}&to={busy_to}", Auth.BEARER),
    Page("documents", "/dokument/"),
    Page("documents_topic", "/dokument/?amne=barn-och-unga"),
    Page("documents_kind", "/dokument/?typ=guideline"),
    Page("document", "/dokument/{document_id}/"),
    Page("document_history", "/dokument/{document_id}/historik/"),
    Page("document_compare", "/dokument/{document_id}/jamfor/?fran=1&till={document_versions}"),
    Page("document_changes", "/dokument/andringar/"),
    Page("api_documents", "/api/v1/documents", Auth.BEARER),
    Page("api_document", "/api/v1/documents/{document_id}", Auth.BEARER),
    Page("help", "/hjalp/"),
    # Sök over about 2,000,000 entries: a rare word (about 150 items), a medium one
    # (about 1 %), one in half of everything (the data's greeting, data.GREETING),
    # the same with filters, a phrase, the API and similar questions while asking.
    Page("search_rare", "/sok/?q=l%C3%A4secirkel"),
    Page("search_medium", "/sok/?q=konkreta"),
    Page("search_common", "/sok/?q=hej"),
    Page("search_common_newest", "/sok/?q=hej&sortera=nyast"),
    Page("search_common_filtered", "/sok/?q=hej&typ=question&amne=barn-och-unga"),
    Page("search_phrase", "/sok/?q=%22digital+m%C3%B6tesplats%22"),
    Page("search_two_words", "/sok/?q=placering+familjehem"),
    Page("api_search", "/api/v1/search?q=hej", Auth.BEARER),
    Page(
        "similar_questions", "/fragor/liknande/?titel=Placering+i+familjehem+f%C3%B6r+ton%C3%A5ring"
    ),
    Page("login", "/konto/login/", Auth.NONE),
    Page("healthz", "/healthz", Auth.NONE),
]
