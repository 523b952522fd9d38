"""The two full-text engines behind one function: :func:`candidates`.

Both rank only within a bounded candidate set, the newest ``CANDIDATES``
matches (the index's ids grow with time), found in a subquery with LIMIT before
anything is joined or ranked. A word that is in half of a million items then
costs what a rare word costs: the engine walks its matches newest first and
stops at the limit, instead of ranking them all.

- **SQLite**: an FTS5 table over the analysed columns (migration 0002), bm25
  with the title weighing most and compound parts least.
- **PostgreSQL**: a generated ``tsvector`` column with a copy of the
  ``swedish`` configuration (its stemmer, not its stop words: migration 0002)
  and a GIN index; ``ts_rank`` with weights A (title), B (text)
  and D (compound parts)."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from kollegan.search.query import Query

CANDIDATES = 500
# bm25 weights per FTS5 column: title, body, parts.
BM25_WEIGHTS = (10.0, 2.0, 0.4)


@dataclass(frozen=True)
class Scope:
    """What the searcher may see and asked to see."""

    group_ids: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    topic_id: int | None = None
    organisation_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True)
class Candidate:
    id: int
    kind: str
    object_id: int
    thread: str
    topics: str  # ",3,7,"
    score: float  # higher is better on both engines
    exact: bool = True  # some word matched as itself, not only as a compound's part


def _filters(scope: Scope) -> tuple[str, list]:
    sql = ["(e.group_id IS NULL"]
    params: list = []
    if scope.group_ids:
        sql[0] += f" OR e.group_id IN ({', '.join(['%s'] * len(scope.group_ids))})"
        params.extend(scope.group_ids)
    sql[0] += ")"
    if scope.kinds:
        sql.append(f"e.kind IN ({', '.join(['%s'] * len(scope.kinds))})")
        params.extend(scope.kinds)
    if scope.topic_id is not None:
        sql.append("e.topics LIKE %s")
        params.append(f"%,{scope.topic_id},%")
    if scope.organisation_id is not None:
        sql.append("e.organisation_id = %s")
        params.append(scope.organisation_id)
    if scope.since is not None:
        sql.append("e.date >= %s")
        params.append(scope.since)
    if scope.until is not None:
        sql.append("e.date < %s")
        params.append(scope.until)
    return " AND ".join(sql), params


def candidates(
    query: Query, scope: Scope, *, any_clause: bool = False, limit: int = CANDIDATES
) -> list[Candidate]:
    """The newest ``limit`` entries matching ``query`` within ``scope``, newest first,
    each with its relevance score and whether a word matched as itself (the
    compound-part column weighs nothing in that second figure)."""
    if not query:
        return []
    where, params = _filters(scope)
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT c.id, c.kind, c.object_id, c.thread, c.topics, ts_rank(c.vector, q.q, 1),
                ts_rank('{{0, 0, 1, 1}}', c.vector, q.q) > 0
            FROM (
                SELECT e.id, e.kind, e.object_id, e.thread, e.topics, e.vector
                FROM search_searchentry e
                WHERE e.vector @@ to_tsquery('kollegan_swedish', %s) AND {where}
                ORDER BY e.id DESC
                LIMIT %s
            ) c, to_tsquery('kollegan_swedish', %s) q(q)
            ORDER BY c.id DESC"""  # noqa: S608 - only placeholders are interpolated
        text = query.tsquery(any_clause=any_clause)
        arguments = [text, *params, limit, text]
    else:
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        sql = f"""
            SELECT e.id, e.kind, e.object_id, e.thread, e.topics, -bm25(search_fts, {weights}),
                -bm25(search_fts, 1.0, 1.0, 0.0) > 0
            FROM search_fts JOIN search_searchentry e ON e.id = search_fts.rowid
            WHERE search_fts MATCH %s AND {where}
            ORDER BY search_fts.rowid DESC
            LIMIT %s"""  # noqa: S608 - only constants and placeholders are interpolated
        arguments = [query.fts5(any_clause=any_clause), *params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        return [Candidate(*row) for row in cursor.fetchall()]
