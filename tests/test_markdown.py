"""Everything a member writes goes through render_markdown: nothing in it may run.

The output is parsed, not grepped: escaped text such as ``&lt;b style="x"&gt;``
is harmless and may contain any word, while a real tag or attribute may not."""

import html
import re
from html.parser import HTMLParser

import pytest

from kollegan.lib.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _scheme(url: str) -> str:
    # Browsers ignore control characters and whitespace inside a scheme.
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url)).lower()
    return cleaned.split(":", 1)[0] + ":" if ":" in cleaned.split("/", 1)[0] else ""


def assert_safe_html(output: str) -> None:
    """No element or attribute outside the allow-list, no handlers, no styles, no
    script URLs; and no raw ``<script`` even as broken markup."""
    lowered = output.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered
    assert "<svg" not in lowered
    assert "<img" not in lowered
    parser = _Collector()
    parser.feed(output)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> in {output!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name}= in {output!r}"
            assert name != "style", output
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, f"{tag} {name}"
            if name == "href":
                assert _scheme(value or "") not in DANGEROUS_SCHEMES, output
                assert _scheme(value or "") in ("", "http:", "https:", "mailto:"), output


XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<IMG SRC=javascript:alert('XSS')>",
    '<a href="javascript:alert(1)">klicka</a>',
    '<a href="JaVaScRiPt:alert(1)">klicka</a>',
    '<a href="jav&#x61;script:alert(1)">klicka</a>',
    '<a href="jav&#97;script&colon;alert(1)">klicka</a>',
    '<a href="vbscript:msgbox(1)">klicka</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">klicka</a>',
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<p style="background:url(javascript:alert(1))">stil</p>',
    '<div style="position:fixed;inset:0">täcker sidan</div>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<object data=evil.swf></object><embed src=evil.swf>",
    '<form action="https://evil.example"><input name=q></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "<div>\n\n<script>alert(1)</script>\n\n</div>",
    "[klicka](javascript:alert(1))",
    "[klicka](JAVASCRIPT:alert(1))",
    "[klicka](jav&#x61;script:alert(1))",
    "[klicka](javascript&#58;alert(1))",
    "[klicka](<javascript:alert(1)>)",
    "[klicka](java\tscript:alert(1))",
    "[klicka]( javascript:alert(1) )",
    "[klicka](vbscript:msgbox(1))",
    "[klicka](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klicka](data:image/png;base64,iVBORw0KGgo=)",
    "[klicka](file:///etc/passwd)",
    '[klicka](https://ok.example "titel" onmouseover=alert(1))',
    '[klicka](https://ok.example "\\" onmouseover=\\"alert(1)")',
    "[ref]\n\n[ref]: javascript:alert(1)",
    "![bild](javascript:alert(1))",
    "![bild](https://evil.example/spårning.png)",
    '![x" onerror="alert(1)](x)',
    "<javascript:alert(1)>",
    "<JavaScript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '<https://ok.example/?q="><script>alert(1)</script>>',
    "> citat\n> > <script>alert(1)</script>\n> > > [x](javascript:alert(1))",
    "> <img src=x onerror=alert(1)>",
    "- <svg onload=alert(1)>\n  - [x](javascript:alert(1))",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "**<img src=x onerror=alert(1)>**",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<a href='//evil.example' onclick='alert(1)'>x</a>",
    '<a href="https://ok.example" style="color:red" onclick="alert(1)">x</a>',
    "<style>body{display:none}</style>",
    '<link rel=stylesheet href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<base href=https://evil.example/>",
    "\x00<script>alert(1)</script>",
    "<scr\x00ipt>alert(1)</script>",
]


@pytest.mark.parametrize("text", XSS_CORPUS)
def test_nothing_in_the_corpus_can_run(text):
    assert_safe_html(render_markdown(text))


def test_corpus_entries_also_survive_inside_other_markdown():
    text = "\n\n".join(f"> - *{entry}*" for entry in XSS_CORPUS)
    assert_safe_html(render_markdown(text))


def test_raw_html_is_shown_as_text():
    output = render_markdown("<b>fet</b> och <script>alert(1)</script>")
    assert "&lt;b&gt;fet&lt;/b&gt;" in output
    assert "&lt;script&gt;" in output


def test_dangerous_link_is_not_a_link():
    output = render_markdown("[klicka](javascript:alert(1)) och <javascript:alert(1)>")
    assert "<a" not in output


# --- Normal Markdown still works ------------------------------------------------------------------


def test_emphasis_strong_and_strikethrough():
    output = render_markdown("*kursiv* **fet** ~~struken~~")
    assert "<em>kursiv</em>" in output
    assert "<strong>fet</strong>" in output
    assert "<s>struken</s>" in output or "<del>struken</del>" in output


def test_lists():
    output = render_markdown("- ett\n- två\n\n1. första\n2. andra")
    assert "<ul>\n<li>ett</li>\n<li>två</li>\n</ul>" in output
    assert "<ol>\n<li>första</li>\n<li>andra</li>\n</ol>" in output


def test_https_and_mailto_links_get_safe_rel():
    output = render_markdown(
        '[Socialstyrelsen](https://www.socialstyrelsen.se "Kunskapsstöd") '
        "[mejla](mailto:fou@regionvasterbotten.se) [relativ](/medarbetare/)"
    )
    assert (
        '<a href="https://www.socialstyrelsen.se" title="Kunskapsstöd" '
        'rel="noopener noreferrer nofollow">Socialstyrelsen</a>'
    ) in output
    assert 'href="mailto:fou@regionvasterbotten.se"' in output
    assert 'href="/medarbetare/"' in output
    assert_safe_html(output)


def test_autolink_to_https_is_a_link():
    output = render_markdown("<https://www.kollegan.test/fragor/>")
    assert '<a href="https://www.kollegan.test/fragor/"' in output


def test_tables_blockquotes_code_and_headings():
    output = render_markdown(
        "## Rubrik\n\n> citat\n\n`kod`\n\n| Kommun | Invånare |\n|:--|--:|\n| Malå | 3 000 |"
    )
    assert "<h2>Rubrik</h2>" in output
    assert "<blockquote>\n<p>citat</p>\n</blockquote>" in output
    assert "<code>kod</code>" in output
    assert "<table>" in output
    assert "<td>Malå</td>" in output or '<td align="left">Malå</td>' in output
    assert_safe_html(output)


def test_empty_text_is_empty():
    assert render_markdown("") == ""


def test_images_are_not_loaded_but_shown_as_a_link():
    output = render_markdown("![Karta](https://evil.example/spårning.png)")
    assert "<img" not in output
    assert '<a href="https://evil.example/sp%C3%A5rning.png"' in output
    assert ">Karta</a>" in output


@pytest.mark.parametrize(
    "unsafe",
    [
        '<a href="jav&#x61;script:alert(1)">x</a>',
        '<a href=" JaVa\tScript:alert(1)">x</a>',
        '<p style="color:red">x</p>',
        '<a href="/" onclick="alert(1)">x</a>',
        "<img src=x>",
        "<span>x</span>",
    ],
)
def test_the_checker_itself_catches_unsafe_html(unsafe):
    with pytest.raises(AssertionError):
        assert_safe_html(unsafe)
