"""@-mentions: "@Anna Berglund" links to her profile, and nothing else changes.

Links are read from the rendered HTML with a parser, so a test checks what a
member's browser would show: which text is a link, and where it goes."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from kollegan.accounts.models import Member
from kollegan.lib.markdown import render_markdown
from kollegan.lib.mentions import link_mentions
from kollegan.questions import services as question_services
from kollegan.topics.models import Topic
from tests.conftest import make_member
from tests.test_markdown import assert_safe_html


class _Links(HTMLParser):
    """(href, text) for every <a> in the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)


def links(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.links


def profile(member: Member) -> str:
    return reverse("profiles:detail", args=[member.pk])


def mention_html(text: str) -> str:
    return str(render_markdown(text, mentions=True))


@pytest.fixture
def anna(lycksele) -> Member:
    return make_member("anna@kollegan.test", "Anna Berglund", lycksele)


# --- Linking ----------------------------------------------------------------------------------


def test_mention_of_an_active_member_links_to_her_profile(anna):
    html = mention_html("Fråga @Anna Berglund om det.")

    assert links(html) == [(profile(anna), "@Anna Berglund")]
    assert "Fråga " in html and " om det." in html


def test_link_mentions_returns_markdown_link_and_the_ids(anna, bob):
    text, mentioned = link_mentions("@Anna Berglund och @Bob Berg, och @Anna Berglund igen")

    assert text == (
        f"[@Anna Berglund]({profile(anna)}) och [@Bob Berg]({profile(bob)}), "
        f"och [@Anna Berglund]({profile(anna)}) igen"
    )
    assert mentioned == [anna.pk, bob.pk]


def test_longest_name_wins(anna, lycksele):
    longer = make_member("abs@kollegan.test", "Anna Berglund Svensson", lycksele)

    html = mention_html("Hej @Anna Berglund Svensson och @Anna Berglund!")

    assert links(html) == [
        (profile(longer), "@Anna Berglund Svensson"),
        (profile(anna), "@Anna Berglund"),
    ]


def test_mention_is_case_insensitive_and_keeps_the_writing(anna):
    html = mention_html("Tack @anna BERGLUND")

    assert links(html) == [(profile(anna), "@anna BERGLUND")]


def test_words_after_the_name_are_kept(anna):
    text, _ids = link_mentions("@Anna Berglund tycker att vi ska ringa")

    assert text == f"[@Anna Berglund]({profile(anna)}) tycker att vi ska ringa"
    html = mention_html("@Anna Berglund tycker att vi ska ringa")
    assert links(html) == [(profile(anna), "@Anna Berglund")]
    assert "</a> tycker att vi ska ringa" in html


@pytest.mark.parametrize("after", [",", ".", "!", "?", ":", ")", "s"])
def test_punctuation_after_the_name(anna, after):
    text = f"(Se @Anna Berglund{after} hon vet.)"

    html = mention_html(text)

    if after == "s":
        # "@Anna Berglunds" is another word: no member has that name.
        assert links(html) == []
    else:
        assert links(html) == [(profile(anna), "@Anna Berglund")]
        assert f"</a>{after}" in html


def test_mention_at_the_start_of_a_line_and_in_a_list(anna):
    html = mention_html("@Anna Berglund\n\n- @Anna Berglund har mallen")

    assert links(html) == [(profile(anna), "@Anna Berglund")] * 2


def test_email_address_is_not_a_mention(anna, django_assert_num_queries):
    with django_assert_num_queries(0):
        text, mentioned = link_mentions("Skriv till anna@kollegan.test eller Anna@Berglund.se")

    assert text == "Skriv till anna@kollegan.test eller Anna@Berglund.se"
    assert mentioned == []
    assert links(mention_html("Skriv till anna@kollegan.test")) == []


def test_part_of_a_name_is_not_a_mention(anna):
    assert link_mentions("Hej @Anna!") == ("Hej @Anna!", [])


def test_deactivated_member_is_not_linked(dave):
    assert link_mentions("Fråga @Dave Dahl") == ("Fråga @Dave Dahl", [])


def test_member_whose_membership_ended_is_not_linked(lycksele):
    make_member(
        "ended@kollegan.test",
        "Eva Ekström",
        lycksele,
        membership_ends_at=timezone.now() - timedelta(days=1),
    )

    assert link_mentions("Fråga @Eva Ekström") == ("Fråga @Eva Ekström", [])


def test_name_two_members_share_links_nobody(lycksele, storuman):
    make_member("erik1@kollegan.test", "Erik Nilsson", lycksele)
    make_member("erik2@kollegan.test", "erik nilsson", storuman)

    assert link_mentions("Fråga @Erik Nilsson") == ("Fråga @Erik Nilsson", [])


def test_shared_name_does_not_block_a_unique_longer_one(lycksele, storuman):
    make_member("erik1@kollegan.test", "Erik Nilsson", lycksele)
    make_member("erik2@kollegan.test", "Erik Nilsson", storuman)
    unique = make_member("erik3@kollegan.test", "Erik Nilsson Berg", storuman)

    html = mention_html("@Erik Nilsson Berg och @Erik Nilsson")

    assert links(html) == [(profile(unique), "@Erik Nilsson Berg")]


def test_unknown_name_is_left_as_written(anna):
    text = "Hej @Ingen Alls, och @Anna Berglund"

    linked, mentioned = link_mentions(text)

    assert linked == f"Hej @Ingen Alls, och [@Anna Berglund]({profile(anna)})"
    assert mentioned == [anna.pk]


def test_swedish_letters_in_names(lycksele):
    orjan = make_member("orjan@kollegan.test", "Örjan Åström", lycksele)
    asa = make_member("asa@kollegan.test", "Åsa Älvdal", lycksele)

    html = mention_html("Tack @Örjan Åström och @Åsa Älvdal!")

    assert links(html) == [(profile(orjan), "@Örjan Åström"), (profile(asa), "@Åsa Älvdal")]


def test_swedish_letters_case_insensitive(lycksele):
    orjan = make_member("orjan@kollegan.test", "Örjan Åström", lycksele)

    assert links(mention_html("Tack @örjan åström")) == [(profile(orjan), "@örjan åström")]


def test_already_linked_mention_is_not_linked_again(anna):
    for text in (
        "[@Anna](https://kollegan.test/medarbetare/1/)",
        f"[@Anna Berglund]({profile(anna)})",
    ):
        linked, mentioned = link_mentions(text)

        assert linked == text
        assert mentioned == []
        assert len(links(mention_html(text))) == 1


def test_one_query_for_many_mentions(anna, alice, bob, carol, django_assert_num_queries):
    text = "\n".join(
        f"@{name} tycker något, och @{name}." * 3
        for name in ("Anna Berglund", "Alice Andersson", "Bob Berg", "Carol Carlsson", "Ingen Alls")
    )

    with django_assert_num_queries(1):
        html = mention_html(text)

    assert {href for href, _text in links(html)} == {profile(m) for m in (anna, alice, bob, carol)}


def test_no_query_without_an_at_sign(anna, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = mention_html("Anna Berglund tycker som du. **Bra** skrivet!")

    assert links(html) == []


def test_without_mentions_flag_nothing_is_linked(anna, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = str(render_markdown("@Anna Berglund"))

    assert links(html) == []


@pytest.mark.parametrize(
    "text",
    [
        '@Anna Berglund" onmouseover="alert(1)',
        "@Anna Berglund](javascript:alert(1))",
        '@Anna Berglund "title" onclick=alert(1)',
        '<a href="javascript:alert(1)">@Anna Berglund</a>',
        "[x](javascript:alert(1)) @Anna Berglund",
        "@Anna Berglund<script>alert(1)</script>",
        "@Anna Berglund 'onfocus='alert(1)",
        "**@Anna Berglund**<img src=x onerror=alert(1)>",
    ],
)
def test_mention_cannot_inject_markup(anna, text):
    html = mention_html(text)

    assert_safe_html(html)
    assert (profile(anna), "@Anna Berglund") in links(html)
    for href, _text in links(html):
        assert href == profile(anna)


def test_mention_in_code_is_left_as_written(anna):
    html = mention_html("Skriv `@Anna Berglund` för att nämna någon.")

    assert links(html) == []
    assert "<code>@Anna Berglund</code>" in html


# --- Where mentions are stored ----------------------------------------------------------------


def test_anonymous_question_links_mentions_but_never_the_asker(alice, bob):
    question = question_services.question_create(
        author=alice,
        title="Hur gör ni med helgjouren?",
        body="Som @Bob Berg skrev förra veckan: vem ringer man?",
        topics=list(Topic.objects.filter(slug="barn-och-unga")),
        anonymous=True,
    )

    question.refresh_from_db()
    assert links(question.body_html) == [(profile(bob), "@Bob Berg")]
    assert profile(alice) not in question.body_html
    assert alice.name not in question.body_html
    assert question.author_id is None
    assert question.feed_entry.actor_id is None
