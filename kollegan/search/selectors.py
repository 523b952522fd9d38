"""Searching for one member: the results page, the API and "similar questions".

A search costs a constant number of queries: the candidates (one), the
searcher's groups (one), each kind on the page read back through its own
visibility rule (one or two per kind, at most ten kinds) and the topics (one).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.safestring import SafeString

from kollegan.accounts.models import Member, Organisation
from kollegan.groups.selectors import group_ids_of
from kollegan.search import engines
from kollegan.search.excerpts import excerpt, marked
from kollegan.search.models import SearchEntry, decode_topics
from kollegan.search.query import Query, parse
from kollegan.search.sources import SOURCES, TYPES, Shown, topic_names
from kollegan.topics.models import Topic

PAGE_SIZE = 20


@dataclass(frozen=True)
class SearchFilters:
    q: str = ""
    kind: str = ""  # a key of sources.TYPES, or "" for everything
    topic: str = ""  # a topic's slug
    organisation: str = ""  # an organisation's slug
    since: dt.date | None = None
    until: dt.date | None = None
    sort: str = "relevance"
    live: bool = False  # typed as we speak: the last word is a prefix


@dataclass
class Result:
    kind: str
    object_id: int
    title: str
    url: str
    excerpt: SafeString
    title_html: SafeString
    date: dt.datetime
    kind_label: str
    context: str = ""
    topics: list[Topic] = field(default_factory=list)


@dataclass
class SearchPage:
    results: list[Result]
    total: int  # results (threads) among the candidates
    number: int
    pages: int
    capped: bool  # more matched than were ranked: the newest were kept
    any_word: bool  # nothing had every word; these have some of them
    query: Query

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _start_of(day: dt.date | None, *, next_day: bool = False) -> dt.datetime | None:
    if day is None:
        return None
    if next_day:
        day = day + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _scope(filters: SearchFilters, group_ids: list[int]) -> engines.Scope | None:
    """The filters as the engines take them; None when one names nothing that
    exists (an unknown topic or organisation finds nothing, as it should)."""
    topic_id = organisation_id = None
    if filters.topic:
        topic_id = Topic.objects.filter(slug=filters.topic).values_list("pk", flat=True).first()
        if topic_id is None:
            return None
    if filters.organisation:
        organisation_id = (
            Organisation.objects.filter(slug=filters.organisation)
            .values_list("pk", flat=True)
            .first()
        )
        if organisation_id is None:
            return None
    return engines.Scope(
        group_ids=tuple(group_ids),
        kinds=TYPES.get(filters.kind, ()),
        topic_id=topic_id,
        organisation_id=organisation_id,
        since=_start_of(filters.since),
        until=_start_of(filters.until, next_day=True),
    )


def _threads(candidates: list[engines.Candidate], sort: str) -> list[engines.Candidate]:
    """One candidate per thread, its best part, in the order asked for."""
    ordered = candidates
    if sort != "newest":
        # A word found as itself ranks above one found only inside a compound.
        ordered = sorted(candidates, key=lambda c: (not c.exact, -c.score, -c.id))
    best: dict[str, engines.Candidate] = {}
    for candidate in ordered:
        best.setdefault(candidate.thread, candidate)
    return list(best.values())


def search(
    viewer: Member, filters: SearchFilters, *, page: int = 1, size: int = PAGE_SIZE
) -> SearchPage:
    query = parse(filters.q, live=filters.live)
    empty = SearchPage([], 0, 1, 1, False, False, query)
    if not query:
        return empty
    group_ids = group_ids_of(viewer)
    scope = _scope(filters, group_ids)
    if scope is None:
        return empty
    found = engines.candidates(query, scope)
    any_word = False
    if not found and len(query.clauses) > 1:
        found = engines.candidates(query, scope, any_clause=True)
        any_word = bool(found)
    threads = _threads(found, filters.sort)
    pages = max(1, -(-len(threads) // size))
    number = min(max(1, page), pages)
    chosen = threads[(number - 1) * size : number * size]
    return SearchPage(
        results=_results(chosen, query, group_ids=group_ids),
        total=len(threads),
        number=number,
        pages=pages,
        capped=len(found) >= engines.CANDIDATES,
        any_word=any_word,
        query=query,
    )


def _results(
    chosen: list[engines.Candidate], query: Query, *, group_ids: list[int]
) -> list[Result]:
    """The chosen candidates as results, each read back through its kind's own
    visibility rule (one query or two per kind)."""
    by_kind: dict[str, list[int]] = {}
    for candidate in chosen:
        by_kind.setdefault(candidate.kind, []).append(candidate.object_id)
    shown: dict[tuple[str, int], Shown] = {}
    for kind, ids in by_kind.items():
        for pk, item in SOURCES[kind].visible(ids, group_ids=group_ids).items():
            shown[kind, pk] = item
    topic_ids_by_entry = {c.id: decode_topics(c.topics) for c in chosen}
    topics = topic_names({t for ids in topic_ids_by_entry.values() for t in ids})
    results = []
    for candidate in chosen:
        item = shown.get((candidate.kind, candidate.object_id))
        if item is None:
            continue
        results.append(
            Result(
                kind=candidate.kind,
                object_id=candidate.object_id,
                title=item.title,
                url=item.url,
                excerpt=excerpt([item.text, *item.extra], query),
                title_html=marked(item.title, query),
                date=item.date,
                kind_label=str(SOURCES[candidate.kind].label),
                context=item.context,
                topics=[topics[t] for t in topic_ids_by_entry.get(candidate.id, []) if t in topics],
            )
        )
    return results


def filter_organisations() -> list[Organisation]:
    """The organisations whose members have written something findable by name,
    as the question list offers them. Not every member organisation: a list of
    all of them beside an anonymous question would name the asker's too, in a
    place where only a few organisations might have members."""
    written = SearchEntry.objects.filter(organisation_id=OuterRef("pk")).exclude(kind="member")
    return list(
        Organisation.objects.filter(Exists(written)).only("pk", "name", "slug").order_by("name")
    )


# --- Similar questions --------------------------------------------------------------------


def similar_question_ids(title: str, *, exclude: int | None = None, limit: int = 5) -> list[int]:
    """Questions like one being asked, best first: any of its title's words (stop
    words aside), found the way the search page finds them. Questions belong to
    no group, so this needs no searcher."""
    query = parse(title)
    if not query:
        return []
    scope = engines.Scope(kinds=("question",))
    found = engines.candidates(query, scope, any_clause=True, limit=200)
    ranked = _threads(found, "relevance")
    return [c.object_id for c in ranked if c.object_id != exclude][:limit]
