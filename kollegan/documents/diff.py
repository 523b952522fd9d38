"""What changed between two versions of a document, word by word.

The texts are compared line by line first (cheap even for a long guideline) and
then word by word inside each block of changed lines, so a one-word edit in a
page of 5,000 lines costs the same as in a short note. The result is escaped
HTML: ``<del>`` for what was removed and ``<ins>`` for what was added, each
starting with visually hidden words ("removed:", "added:") because screen
readers do not announce the elements, and styled with strike-through and
underline so colour is not the only cue."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# A word (letters and digits in any alphabet, so "förändring" is one), a run of
# white space, or one other character (punctuation, Markdown marks).
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# Above this many token pairs a block of changed lines is shown as removed and
# added whole: the word-level matching is quadratic (a tenth of a second here).
WORD_DIFF_LIMIT = 1_000_000

EQUAL, DELETE, INSERT = "equal", "delete", "insert"


def tokenize(text: str) -> list[str]:
    """Words, white space and punctuation, which joined give back the text."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Piece:
    """A run of text that is the same in both versions, or only in the old
    (DELETE) or the new (INSERT)."""

    kind: str
    text: str


@dataclass(frozen=True)
class Block:
    """A stretch of lines, unchanged or changed, as pieces in reading order
    (where a passage was replaced, the removed words come before the added)."""

    changed: bool
    pieces: tuple[Piece, ...]

    @property
    def old(self) -> tuple[Piece, ...]:
        return tuple(piece for piece in self.pieces if piece.kind != INSERT)

    @property
    def new(self) -> tuple[Piece, ...]:
        return tuple(piece for piece in self.pieces if piece.kind != DELETE)


def _words(old: str, new: str) -> list[Piece]:
    """The word-level difference of two blocks of text."""
    a, b = tokenize(old), tokenize(new)
    if len(a) * len(b) > WORD_DIFF_LIMIT:
        return [piece for piece in (Piece(DELETE, old), Piece(INSERT, new)) if piece.text]
    pieces: list[Piece] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece(EQUAL, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece(DELETE, "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece(INSERT, "".join(b[j1:j2])))
    return pieces


def _plain_breaks(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def blocks(old: str, new: str) -> list[Block]:
    """The two texts as blocks of unchanged and changed lines. Line breaks count
    alike however they were written (texts saved before CRLF was made LF)."""
    old, new = _plain_breaks(old), _plain_breaks(new)
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    result: list[Block] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            same = Piece(EQUAL, "".join(old_lines[i1:i2]))
            result.append(Block(changed=False, pieces=(same,)))
            continue
        pieces = _words("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2]))
        result.append(Block(changed=True, pieces=tuple(pieces)))
    return result


def _marked(piece: Piece) -> str:
    text = escape(piece.text, quote=False)
    if piece.kind == EQUAL:
        return text
    # White space alone (a new line, a double space) gets a class so it can be seen.
    space = ' class="diff-space"' if piece.text.isspace() else ""
    if piece.kind == DELETE:
        label = escape(_("removed:"))
        return f'<del{space}><span class="visually-hidden">{label} </span>{text}</del>'
    label = escape(_("added:"))
    return f'<ins{space}><span class="visually-hidden">{label} </span>{text}</ins>'


def _html(pieces: tuple[Piece, ...] | list[Piece]) -> SafeString:
    return mark_safe("".join(_marked(piece) for piece in pieces))  # noqa: S308 - escaped above


def word_diff(old: str, new: str) -> SafeString:
    """One text with what was removed in ``<del>`` and what was added in ``<ins>``."""
    return _html([piece for block in blocks(old, new) for piece in block.pieces])


@dataclass(frozen=True)
class Row:
    """One row of the side-by-side view: the old text left, the new right."""

    changed: bool
    old: SafeString
    new: SafeString


def side_by_side(old: str, new: str) -> list[Row]:
    """Rows of old beside new: each unchanged stretch of lines is one row, and
    each changed stretch another with its removed and added words marked."""
    return [Row(block.changed, _html(block.old), _html(block.new)) for block in blocks(old, new)]
