"""What a member typed, as the engines read it.

``placeringar "mor och barn" EB`` becomes three clauses that must all match:
the stem *placering*; the phrase *mor barn* (stop words are not in the index,
so the phrase skips them on both sides); and the synonym group of EB (*eb*, or
the phrase *ekonomisk bistånd*, or *försörjningsstöd*). Each engine turns the
clauses into its own syntax: an FTS5 MATCH string or a PostgreSQL tsquery. The
words are letters and digits only (see ``analysis.WORD``), so neither syntax can
be broken by what a member types."""

import re
from dataclasses import dataclass, field

from django.core.cache import cache

from kollegan.search.analysis import query_stem, stem, stop_words, words

QUERY_MAX = 200  # characters read of a query
CLAUSES_MAX = 12  # words or phrases; the rest are ignored
PREFIX_MIN = 2  # letters before a word is searched as a prefix while typing
SYNONYMS_CACHE_KEY = "kollegan:search:synonyms:v1"
QUOTED = re.compile(r'["“”„«»]([^"“”„«»]*)["“”„«»]?')


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a clause: a stem, a phrase of stems, or a prefix."""

    stems: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Clause:
    alternatives: tuple[Alternative, ...]


@dataclass
class Query:
    clauses: list[Clause] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    @property
    def stems(self) -> set[str]:
        """The stems to mark in excerpts: words, and phrases the member typed.
        Not the words inside a synonym's longer form ("lag", "vård" and "unga"
        of LVU's), which would mark every other word of a text."""
        marked = set()
        for clause in self.clauses:
            for alternative in clause.alternatives:
                if alternative.prefix:
                    continue
                if len(alternative.stems) == 1 or len(clause.alternatives) == 1:
                    marked.update(alternative.stems)
        return marked

    @property
    def prefixes(self) -> set[str]:
        return {a.stems[-1] for c in self.clauses for a in c.alternatives if a.prefix}

    # --- SQLite FTS5 ---------------------------------------------------------------------

    def fts5(self, *, any_clause: bool = False) -> str:
        joiner = " OR " if any_clause else " AND "
        return joiner.join(_fts5_clause(clause) for clause in self.clauses)

    # --- PostgreSQL ----------------------------------------------------------------------

    def tsquery(self, *, any_clause: bool = False) -> str:
        """The text for ``to_tsquery('kollegan_swedish', …)``."""
        joiner = " | " if any_clause else " & "
        return joiner.join(_ts_clause(clause) for clause in self.clauses)


def _fts5_alternative(alternative: Alternative) -> str:
    quoted = '"' + " ".join(alternative.stems) + '"'
    return quoted + "*" if alternative.prefix else quoted


def _fts5_clause(clause: Clause) -> str:
    parts = [_fts5_alternative(a) for a in clause.alternatives]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _ts_alternative(alternative: Alternative) -> str:
    text = " <-> ".join(alternative.stems)
    if alternative.prefix:
        text += ":*"
    return f"({text})" if len(alternative.stems) > 1 else text


def _ts_clause(clause: Clause) -> str:
    parts = [_ts_alternative(a) for a in clause.alternatives]
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


# --- Synonyms ------------------------------------------------------------------------------


def _term_stems(term: str) -> tuple[str, ...]:
    stops = stop_words()
    return tuple(stem(word) for word in words(term) if word not in stops)


def synonym_groups() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Each term's stems → every term of its group (as stems). Cached until an
    administrator changes a synonym."""
    groups = cache.get(SYNONYMS_CACHE_KEY)
    if groups is None:
        from kollegan.search.models import Synonym, parse_terms

        groups = {}
        for line in Synonym.objects.values_list("terms", flat=True):
            terms = [t for t in (_term_stems(term) for term in parse_terms(line)) if t]
            for term in terms:
                known = groups.setdefault(term, ())
                groups[term] = known + tuple(t for t in terms if t not in known)
        cache.set(SYNONYMS_CACHE_KEY, groups, None)
    return groups


def synonyms_changed() -> None:
    cache.delete(SYNONYMS_CACHE_KEY)


# --- Parsing -------------------------------------------------------------------------------


def parse(text: str, *, live: bool = False) -> Query:
    """The query in ``text``. With ``live`` (results while typing), the last word
    is a prefix unless the member has typed a space after it."""
    text = (text or "")[:QUERY_MAX]
    clauses: list[Clause] = []
    for phrase in QUOTED.findall(text):
        stems = _term_stems(phrase)
        if stems:
            clauses.append(Clause((Alternative(stems),)))
    rest = QUOTED.sub(" ", text)
    stems = [s for s in (query_stem(word) for word in words(rest)) if s]
    clauses.extend(_with_synonyms(stems))
    if live and clauses and stems and not text[-1:].isspace() and not text.rstrip().endswith('"'):
        last = clauses[-1]
        only = last.alternatives[0]
        if (
            len(last.alternatives) == 1
            and len(only.stems) == 1
            and len(only.stems[0]) >= PREFIX_MIN
        ):
            clauses[-1] = Clause((Alternative(only.stems, prefix=True),))
    return Query(clauses[:CLAUSES_MAX])


def _with_synonyms(stems: list[str]) -> list[Clause]:
    """Clauses for the plain words, the longest synonym term at each position first."""
    groups = synonym_groups()
    longest = max((len(term) for term in groups), default=1)
    clauses = []
    position = 0
    while position < len(stems):
        for size in range(min(longest, len(stems) - position), 0, -1):
            term = tuple(stems[position : position + size])
            if term in groups:
                alternatives = (term, *(t for t in groups[term] if t != term))
                clauses.append(Clause(tuple(Alternative(a) for a in alternatives)))
                position += size
                break
        else:
            clauses.append(Clause((Alternative((stems[position],)),)))
            position += 1
    return clauses
