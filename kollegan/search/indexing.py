"""Writing the index: one item at a time as content changes (called by the
signals in the same transaction, so what is saved is findable at once), or all
of it from scratch (``manage.py rebuild_search_index``)."""

import heapq
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model

from kollegan.search.analysis import analyse
from kollegan.search.models import SearchEntry, encode_topics
from kollegan.search.sources import BY_MODEL, SOURCES, TEXT_MAX, Entry, Source

BATCH = 2_000
CACHED_TEXT_MAX = 4_000  # longer texts are analysed without keeping the result


def _analysed(text: str):
    text = text[:TEXT_MAX]
    if len(text) <= CACHED_TEXT_MAX:
        return analyse(text)
    return analyse.__wrapped__(text)


def _row_fields(entry: Entry) -> dict:
    title = _analysed(entry.title)
    body = _analysed(entry.body)
    parts = dict.fromkeys((title.parts + " " + body.parts).split())
    return {
        "thread": entry.thread,
        "group_id": entry.group_id,
        "organisation_id": entry.organisation_id,
        "topics": encode_topics(entry.topic_ids),
        "date": entry.date,
        "title": title.terms,
        "body": body.terms,
        "parts": " ".join(parts),
    }


def index(item: Model) -> None:
    """Write (or remove) the entry of ``item``."""
    source = BY_MODEL.get(type(item))
    if source is None:
        return
    entry = source.entry(item)
    if entry is None:
        remove(source.kind, [item.pk])
        return
    fields = _row_fields(entry)
    updated = SearchEntry.objects.filter(kind=source.kind, object_id=item.pk).update(**fields)
    if not updated:
        SearchEntry.objects.create(kind=source.kind, object_id=item.pk, **fields)


def index_by_id(kind: str, ids: list[int]) -> None:
    """Write the entries of these items again (those gone are removed)."""
    source = SOURCES[kind]
    found = {item.pk: item for item in source.queryset().filter(pk__in=ids)}
    for pk in ids:
        if pk in found:
            index(found[pk])
    remove(kind, [pk for pk in ids if pk not in found])


def remove(kind: str, ids: list[int]) -> None:
    if ids:
        SearchEntry.objects.filter(kind=kind, object_id__in=ids).delete()


def reindex_thread(thread: str) -> None:
    """A question (or post) and everything under it: after it was hidden, restored
    or given other topics, which its answers and comments share."""
    kind, _, pk = thread.partition(":")
    if kind == "question":
        parts = {"question": [int(pk)], "answer": [], "comment": []}
    elif kind == "post":
        parts = {"post": [int(pk)], "reply": []}
    else:
        index_by_id(kind, [int(pk)])
        return
    for part_kind in list(parts)[1:]:
        model = SOURCES[part_kind].model
        parent = "question_id" if kind == "question" else "post_id"
        parts[part_kind] = list(model.objects.filter(**{parent: pk}).values_list("pk", flat=True))
    for part_kind, ids in parts.items():
        index_by_id(part_kind, ids)


# --- Rebuild ------------------------------------------------------------------------------


@dataclass
class RebuildReport:
    entries: int
    seconds: float
    per_kind: dict[str, int]


def _stream(source: Source) -> Iterator[tuple]:
    for added, pk, entry in source.everything():
        yield added, source.kind, pk, entry


def rebuild(progress: Callable[[str], None] | None = None) -> RebuildReport:
    """Empty the index and write every entry again, oldest first (ids follow time,
    which is what "newest matches" reads). One transaction: searches see the old
    index until the new one is complete. On PostgreSQL the old rows' space is
    reused after the next (auto)vacuum."""
    started = time.monotonic()
    per_kind = dict.fromkeys(SOURCES, 0)
    total = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        streams = [_stream(source) for source in SOURCES.values()]
        batch: list[SearchEntry] = []
        for _date, kind, pk, entry in heapq.merge(*streams, key=lambda row: row[0]):
            fields = _row_fields(entry)
            batch.append(SearchEntry(kind=kind, object_id=pk, **fields))
            per_kind[kind] += 1
            if len(batch) >= BATCH:
                SearchEntry.objects.bulk_create(batch)
                total += len(batch)
                batch = []
                if progress and total % (BATCH * 50) == 0:
                    progress(f"{total:,} entries")
        SearchEntry.objects.bulk_create(batch)
        total += len(batch)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        else:
            # Fresh statistics, so the planner knows which words are common.
            cursor.execute("ANALYZE search_searchentry")
    return RebuildReport(total, time.monotonic() - started, per_kind)
