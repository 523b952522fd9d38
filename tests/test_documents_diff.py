"""The word-level difference between two versions of a document: what is
removed and added, Swedish letters as parts of words, white space, empty and
identical texts, escaping, the side-by-side rows, and a long text."""

import re

from django.utils import translation

from kollegan.documents.diff import DELETE, EQUAL, INSERT, blocks, side_by_side, tokenize, word_diff


def plain(html: str) -> str:
    """The diff as a reader without screen reader sees it: markers as [-x-] and {+x+}."""
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html)
    html = re.sub(r"<del[^>]*>(.*?)</del>", r"[-\1-]", html, flags=re.S)
    html = re.sub(r"<ins[^>]*>(.*?)</ins>", r"{+\1+}", html, flags=re.S)
    return html


def test_tokens_are_words_space_and_punctuation_and_join_back():
    text = "Barnets bästa, först!\n  Två  mellanslag."
    tokens = tokenize(text)
    assert tokens[:5] == ["Barnets", " ", "bästa", ",", " "]
    assert "".join(tokens) == text
    assert tokenize("Förändring år 2026") == ["Förändring", " ", "år", " ", "2026"]


def test_an_inserted_word():
    assert plain(word_diff("barnet ska höras", "barnet ska alltid höras")) == (
        "barnet ska {+alltid +}höras"
    )


def test_a_deleted_word():
    assert plain(word_diff("barnet ska alltid höras", "barnet ska höras")) == (
        "barnet ska [-alltid -]höras"
    )


def test_a_replaced_word_shows_removed_before_added():
    assert plain(word_diff("en vårdnadshavare", "två vårdnadshavare")) == (
        "[-en-]{+två+} vårdnadshavare"
    )


def test_swedish_letters_are_part_of_the_word():
    # "går" to "gör": the whole word changes, not a letter in the middle of it.
    assert plain(word_diff("Hur går det?", "Hur gör det?")) == "Hur [-går-]{+gör+} det?"
    assert plain(word_diff("Ärendet är öppet.", "Ärendet är stängt.")) == (
        "Ärendet är [-öppet-]{+stängt+}."
    )


def test_punctuation_changes_alone():
    assert plain(word_diff("Klart.", "Klart!")) == "Klart[-.-]{+!+}"


def test_whitespace_changes_are_marked_and_kept():
    html = word_diff("ett två", "ett  två")
    assert plain(html) == "ett[- -]{+  +}två"
    assert 'class="diff-space"' in html
    assert plain(word_diff("rad ett\nrad två\n", "rad ett\n\nrad två\n")) == (
        "rad ett\n{+\n+}rad två\n"
    )


def test_empty_and_identical_texts():
    assert word_diff("", "") == ""
    assert plain(word_diff("", "Ny text.")) == "{+Ny text.+}"
    assert plain(word_diff("Gammal text.", "")) == "[-Gammal text.-]"
    text = "Samma text.\nPå två rader."
    assert word_diff(text, text) == text
    assert all(not row.changed for row in side_by_side(text, text))


def test_the_text_is_escaped():
    html = word_diff("<b>fet</b> & sånt", '<script>alert("x")</script> & sånt')
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;" in html and "&gt;" in html and "&amp; sånt" in html
    assert plain(word_diff("a", "<i>")) == "[-a-]{+&lt;i&gt;+}"


def test_screen_readers_hear_removed_and_added():
    with translation.override("en"):
        html = word_diff("ett", "två")
    with translation.override("sv"):
        swedish = word_diff("ett", "två")
    assert '<del><span class="visually-hidden">removed: </span>ett</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>två</ins>' in html
    assert "borttaget" in swedish and "tillagt" in swedish


def test_only_changed_lines_are_compared_word_by_word():
    old = "Rubrik\nFörsta stycket.\nAndra stycket.\nSlut\n"
    new = "Rubrik\nFörsta stycket, ändrat.\nAndra stycket.\nSlut\n"
    parts = blocks(old, new)
    assert [block.changed for block in parts] == [False, True, False]
    changed = parts[1]
    assert [piece.kind for piece in changed.pieces] == [EQUAL, INSERT, EQUAL]
    assert "".join(piece.text for piece in changed.old) == "Första stycket.\n"
    assert "".join(piece.text for piece in changed.new) == "Första stycket, ändrat.\n"


def test_side_by_side_rows_show_old_left_and_new_right():
    rows = side_by_side("a\nb c\nd\n", "a\nb x\nd\ne\n")
    assert [row.changed for row in rows] == [False, True, False, True]
    assert plain(rows[1].old) == "b [-c-]\n" and plain(rows[1].new) == "b {+x+}\n"
    assert rows[3].old == "" and plain(rows[3].new) == "{+e\n+}"
    assert rows[0].old == rows[0].new == "a\n"


def test_a_long_text_with_a_few_changes():
    lines = [f"Punkt {n}: socialtjänsten ansvarar för uppföljningen." for n in range(5000)]
    old = "\n".join(lines)
    new_lines = list(lines)
    new_lines[10] = "Punkt 10: nämnden ansvarar för uppföljningen."
    del new_lines[2500]
    new_lines.insert(4000, "En helt ny punkt om barnets röst.")
    new = "\n".join(new_lines)
    html = plain(word_diff(old, new))
    assert "Punkt 10: [-socialtjänsten-]{+nämnden+} ansvarar" in html
    assert "[-Punkt 2500: socialtjänsten ansvarar för uppföljningen.\n-]" in html
    assert "{+En helt ny punkt om barnets röst.\n+}" in html
    assert len([row for row in side_by_side(old, new) if row.changed]) == 3


def test_a_long_paragraph_rewritten_whole_still_gives_a_result():
    old = " ".join(["barn"] * 3000)
    new = " ".join(["unga"] * 3000)
    parts = blocks(old, new)
    assert [piece.kind for block in parts for piece in block.pieces] == [DELETE, INSERT]


def test_line_breaks_from_a_browser_are_not_changes():
    # A textarea sends CRLF; the seeded and API texts have LF.
    assert "<ins" not in word_diff("Rad ett\nRad två\n", "Rad ett\r\nRad två\r\n")
    assert "<del" not in word_diff("Rad ett\nRad två\n", "Rad ett\r\nRad två\r\n")
