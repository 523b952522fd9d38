"""Swedish text as the search index and the queries see it.

One pipeline for both engines, so SQLite and PostgreSQL find the same things:

1. **Normalise**: lower case; accents are folded (é → e, ü → u) except on å, ä
   and ö, which are letters of their own in Swedish (and æ, ø become ä, ö).
2. **Split** into words of letters and digits.
3. **Stop words** (och, att, som …) are dropped: they match half of everything.
4. **Stem** with Snowball Swedish (PyStemmer): placeringar, placeringen → placering.
   PostgreSQL's ``swedish`` configuration then runs over these stems as well; it
   ships an older Snowball that leaves "stödet" alone, so stemming here first is
   what makes both engines agree.
5. **Compound parts**: a long word is split at known word parts
   (``data/compound_parts.txt``), so "försörjningsstöd" also gets "stöd" and
   "försörjning", in a column of its own that ranks below exact matches.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import Stemmer

DATA = Path(__file__).resolve().parent / "data"

# Letters and digits; the apostrophe-free Swedish word. Hyphens split words
# ("LVM-utredning" is "lvm" and "utredning"), which is how people search for them.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Characters kept as they are when accents are folded away.
_KEEP = {"å", "ä", "ö"}
_REPLACE = {"æ": "ä", "ø": "ö", "ß": "ss"}
# Compound splitting: only words this long are split, parts must be this long.
COMPOUND_MIN = 6
PART_MIN = 3
# The linking letters Swedish puts between parts: försörjning|s|stöd, barn|a|vård.
LINKS = ("s", "e", "a", "o", "u")


def _read_words(name: str) -> list[str]:
    path = DATA / name
    if not path.exists():
        return []
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return words


@functools.cache
def _stemmer() -> Stemmer.Stemmer:
    stemmer = Stemmer.Stemmer("swedish")
    stemmer.maxCacheSize = 100_000
    return stemmer


def fold(text: str) -> str:
    """Lower case with accents removed, except that å, ä and ö stay letters."""
    text = text.lower()
    if text.isascii():
        return text
    out = []
    for char in text:
        if char.isascii() or char in _KEEP:
            out.append(char)
        elif char in _REPLACE:
            out.append(_REPLACE[char])
        else:
            decomposed = unicodedata.normalize("NFD", char)
            out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


def words(text: str) -> list[str]:
    """The folded words of ``text``, stop words included (for phrases and excerpts)."""
    return WORD.findall(fold(text))


@functools.cache
def stop_words() -> frozenset[str]:
    return frozenset(fold(word) for word in _read_words("stopwords.txt"))


# Letters before which Snowball removes a final s (its "s-ending").
_S_ENDING = frozenset("bcdfghjklmnoprtvy")
_VOWELS = frozenset("aeiouyåäö")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one folded word: Snowball Swedish, then a few steps of our own
    where its forms of one word disagree (placing a word's base form and its
    inflections on one stem is all that matters, on both sides alike):

    - the definite -an of -a nouns: listan, hyran, mamman (lista → list);
    - a remaining -et: hemmet, biståndet;
    - -ad, which Snowball takes from kostnad but not from kostnad|er;
    - an s left by -er: insats|er (insats itself loses its s);
    - a doubled final consonant: hemm|en and hem."""
    stemmed = _stemmer().stemWord(word)
    if (len(stemmed) >= 5 and stemmed.endswith("an") and word.endswith(("an", "ans"))) or (
        len(stemmed) >= 6 and stemmed.endswith("et")
    ):
        stemmed = stemmed[:-2]
    if len(stemmed) >= 5 and stemmed.endswith("ad"):
        stemmed = stemmed[:-2]
    if len(stemmed) >= 4 and stemmed[-1] == "s" and stemmed[-2] in _S_ENDING:
        stemmed = stemmed[:-1]
    if len(stemmed) >= 4 and stemmed[-1] == stemmed[-2] and stemmed[-1] not in _VOWELS:
        stemmed = stemmed[:-1]
    return stemmed


@functools.cache
def _lexicon() -> dict[str, str]:
    """Stem of each known word part → the part as written (the longest wins)."""
    parts: dict[str, str] = {}
    for word in _read_words("compound_parts.txt"):
        word = fold(word)
        if len(word) < PART_MIN or not WORD.fullmatch(word):
            continue
        parts.setdefault(word, word)
        stemmed = stem(word)
        if len(stemmed) >= PART_MIN:
            parts.setdefault(stemmed, word)
    return parts


@functools.lru_cache(maxsize=50_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """The stems of the known parts inside a compound, given as its stem
    ("försörjningsstöd" for försörjningsstödet), not counting the word itself;
    empty for a plain word.

    A part is a known word at the end of ``word`` (its head, the part compounds
    are "about": försörjnings|stöd), or at its start (försörjning|sstöd), with
    what is left at least three letters. What is left is split again, so
    "familjehemsplacering" gives placering, familjehem, familj and hem."""
    if len(word) < COMPOUND_MIN:
        return ()
    lexicon = _lexicon()
    found: list[str] = []
    _split(word, lexicon, found, depth=0)
    unique = []
    for part in found:
        if part != word and part not in unique:
            unique.append(part)
    return tuple(unique)


def _split(word: str, lexicon: dict[str, str], found: list[str], *, depth: int) -> None:
    if depth > 3 or len(word) < PART_MIN * 2:
        return
    # Known tails: the longest first (vårdnadsutredning: "utredning" before "ning").
    for cut in range(PART_MIN, len(word) - PART_MIN + 1):
        tail, head = word[cut:], word[:cut]
        if tail in lexicon:
            found.append(stem(lexicon[tail]))
            _add_head(head, lexicon, found, depth)
            return
    # No known tail: perhaps a known start (the rest an unknown or inflected word),
    # of four letters at least ("makron" is not about a "make").
    for cut in range(len(word) - PART_MIN, PART_MIN, -1):
        head = word[:cut]
        if head in lexicon:
            found.append(stem(lexicon[head]))
            return


def _add_head(head: str, lexicon: dict[str, str], found: list[str], depth: int) -> None:
    """The part before a known tail, with or without a linking letter."""
    candidates = [head]
    if len(head) > PART_MIN and head.endswith(LINKS):
        candidates.append(head[:-1])
    for candidate in candidates:
        if candidate in lexicon:
            found.append(stem(lexicon[candidate]))
            _split(candidate, lexicon, found, depth=depth + 1)
            return
    for candidate in candidates:
        if len(candidate) >= COMPOUND_MIN:
            before = len(found)
            _split(candidate, lexicon, found, depth=depth + 1)
            if len(found) > before:
                return


@dataclass(frozen=True)
class Analysed:
    """A text as the index stores it: stems in order (for phrases) and compound parts."""

    terms: str
    parts: str


@functools.lru_cache(maxsize=2048)
def analyse(text: str) -> Analysed:
    """Stems and compound parts of ``text``. Cached: the same text (a pasted
    guideline, the bench's generated answers) is analysed once."""
    stops = stop_words()
    terms: list[str] = []
    parts: list[str] = []
    for word in words(text):
        if word in stops:
            continue
        stemmed = stem(word)
        terms.append(stemmed)
        if len(stemmed) >= COMPOUND_MIN and not word.isdigit():
            parts.extend(compound_parts(stemmed))
    return Analysed(" ".join(terms), " ".join(dict.fromkeys(parts)))


def query_stem(word: str) -> str:
    """A query word's stem; a stop word gives ''."""
    word = fold(word)
    if word in stop_words():
        return ""
    return stem(word)
