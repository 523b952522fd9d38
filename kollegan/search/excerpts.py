"""The few lines of a result around the words that were found, with those words
marked (``<mark>``): by stem, so "placeringar" marks "placeringen", and as a
part of a compound, so "stöd" marks "försörjningsstödet"."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kollegan.search.analysis import COMPOUND_MIN, WORD, compound_parts, fold, stem
from kollegan.search.query import Query

LENGTH = 240  # characters shown
BEFORE = 60  # of them before the first word found
SCAN_MAX = 60_000  # characters of one text looked through


def _matcher(query: Query):
    stems = query.stems
    prefixes = tuple(query.prefixes)

    def matches(word: str) -> bool:
        stemmed = stem(fold(word))
        if stemmed in stems or (prefixes and stemmed.startswith(prefixes)):
            return True
        return len(stemmed) >= COMPOUND_MIN and any(p in stems for p in compound_parts(stemmed))

    return matches


def marked(text: str, query: Query) -> SafeString:
    """All of ``text`` (a title), escaped, with the words found marked."""
    return _window(text, 0, len(text), _matcher(query))


def excerpt(texts: list[str], query: Query, *, length: int = LENGTH) -> SafeString:
    """A window of the first text that has a word of ``query`` (else the start of
    the first text), HTML-escaped, with the words found marked."""
    matches = _matcher(query)
    texts = [t for t in texts if t]
    if not texts:
        return mark_safe("")
    for text in texts:
        for found in WORD.finditer(text[:SCAN_MAX]):
            if matches(found.group()):
                return _window(text, found.start(), length, matches)
    return _window(texts[0], 0, length, matches)


def _window(text: str, position: int, length: int, matches) -> SafeString:
    start = 0
    if position > BEFORE:
        start = text.rfind(" ", 0, position - BEFORE) + 1
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = text[start:end]
    out = ["… " if start > 0 else ""]
    last = 0
    for found in WORD.finditer(piece):
        if matches(found.group()):
            out.append(escape(piece[last : found.start()]))
            out.append(f"<mark>{escape(found.group())}</mark>")
            last = found.end()
    out.append(escape(piece[last:]))
    if end < len(text):
        out.append(" …")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped
