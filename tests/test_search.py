"""Sök: Swedish analysis, the index kept in step with the content, who finds
what, the page, its bad input and the API. The relevance suite is in
test_search_relevance.py; both run on SQLite and on PostgreSQL."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kollegan.accounts import services as account_services
from kollegan.documents import services as document_services
from kollegan.events import services as event_services
from kollegan.events.services import EventData
from kollegan.feed import services as feed_services
from kollegan.files import services as file_services
from kollegan.groups import services as group_services
from kollegan.helppages.models import HelpPage
from kollegan.notes import services as note_services
from kollegan.questions import services as question_services
from kollegan.questions.models import Question
from kollegan.search import analysis
from kollegan.search.models import SearchEntry, Synonym
from kollegan.search.query import parse
from kollegan.search.selectors import SearchFilters, search
from kollegan.topics.models import Topic
from tests import files_samples
from tests.conftest import client_for, make_member
from tests.helpers import sv, token_client


@pytest.fixture(autouse=True)
def _without_the_manual(db):
    """The help manual (indexed by its migration) matches many words; these tests
    count exact results, so only their own help page is in the index."""
    SearchEntry.objects.filter(kind="help").delete()


def titles(member, q: str, **filters) -> list[str]:
    return [r.title for r in search(member, SearchFilters(q=q, **filters)).results]


def kinds(member, q: str, **filters) -> list[tuple[str, str]]:
    return [(r.kind, r.title) for r in search(member, SearchFilters(q=q, **filters)).results]


def ask(member, title: str, body: str = "Hur gör ni?", *, topic="barn-och-unga", **kw):
    topics = Topic.objects.filter(slug=topic)
    return question_services.question_create(
        author=member, title=title, body=body, topics=topics, **kw
    )


# --- Swedish ------------------------------------------------------------------------------


def test_swedish_letters_stay_letters_and_other_accents_fold():
    assert analysis.fold("ÖPPENVÅRD Ärende") == "öppenvård ärende"
    assert analysis.fold("Idé på café, Müller, Ærø") == "ide på cafe, muller, ärö"
    assert analysis.words("LVM-utredning: 3 § SoL") == ["lvm", "utredning", "3", "sol"]


def test_inflected_forms_share_a_stem():
    stem = analysis.query_stem
    assert stem("placeringar") == stem("placeringen") == stem("placering")
    assert stem("stödet") == stem("stöd")
    assert stem("och") == ""  # a stop word is not searched for


def test_compounds_are_split_into_known_parts():
    parts = analysis.compound_parts
    assert "stöd" in parts(analysis.stem("försörjningsstödet"))
    assert "försörjning" in parts("försörjningsstöd")
    found = parts("familjehemsplacering")
    assert {"placering", "familjehem", "familj", "hem"} <= set(found)
    assert parts("placering") == ()  # a plain word is not split
    assert parts("stöd") == ()


def test_phrases_synonyms_and_prefixes_in_a_query(db):
    query = parse('"mor och barn" EB plac', live=True)
    assert (
        query.fts5()
        == '"mor barn" AND ("eb" OR "ekonomisk bistånd" OR "försörjningsstöd") AND "plac"*'
    )
    assert (
        query.tsquery()
        == "(mor <-> barn) & (eb | (ekonomisk <-> bistånd) | försörjningsstöd) & plac:*"
    )
    # Without live typing, or with a space after it, the last word is whole.
    assert parse("plac").fts5() == '"plac"'
    assert parse("plac ", live=True).fts5() == '"plac"'


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        "*",
        "OR AND NOT",
        "NEAR(a b)",
        "title:x",
        "a & b | !c <-> d",
        "-",
        "'; DROP",
        "(((",
        "ö" * 300,
    ],
)
def test_any_typed_text_is_a_valid_query(alice, text):
    ask(alice, "Något om öppenvård")
    page = search(alice, SearchFilters(q=text))
    assert isinstance(page.results, list)


# --- The index follows the content -----------------------------------------------------------


def test_a_new_question_is_found_at_once_and_an_edit_replaces_its_words(alice, bob):
    question = ask(alice, "Tips på placering mor + barn")
    assert titles(bob, "placeringar") == ["Tips på placering mor + barn"]
    question_services.question_edit(
        question=question, editor=alice, title="Utredningshem för familjer",
        body="Hur gör ni?", topics=Topic.objects.filter(slug="barn-och-unga"),
    )  # fmt: skip
    assert titles(bob, "placeringar") == []
    assert titles(bob, "utredningshemmet") == ["Utredningshem för familjer"]  # -et, doubled m


def test_a_part_of_a_compound_finds_it_below_an_exact_match(alice, bob):
    ask(alice, "Försörjningsstöd till makar", "Hur räknar ni?")
    ask(alice, "Stöd till anhöriga", "Vad erbjuder ni?")
    found = titles(bob, "stöd")
    assert found == ["Stöd till anhöriga", "Försörjningsstöd till makar"]


def test_the_word_itself_in_a_long_text_ranks_above_a_short_compound(alice, bob):
    long_text = " ".join(["Vi har gått igenom rutinerna för handläggning i kommunen."] * 60)
    ask(alice, "Genomgång av rutiner", long_text + " Ett beroende av andra avdelningar.")
    ask(alice, "Spelberoende hos unga", "Vad gör ni?")
    assert titles(bob, "beroende") == ["Genomgång av rutiner", "Spelberoende hos unga"]


def test_an_answer_makes_its_question_findable_once(alice, bob):
    question = ask(alice, "Hyran för en familj", "Vad gäller?")
    question_services.answer_create(
        question=question, author=bob, body="Vi räknar med boendekostnaden."
    )
    question_services.answer_create(
        question=question, author=bob, body="Boendekostnaden ska vara skälig."
    )
    page = search(alice, SearchFilters(q="boendekostnad"))
    assert [(r.kind, r.title) for r in page.results] == [("answer", "Hyran för en familj")]
    assert "<mark>boendekostnaden</mark>" in page.results[0].excerpt.lower()


def test_hidden_and_restored_texts_leave_and_return(alice, bob, carol):
    question = ask(alice, "Omprövning enligt LVU", "Hur ofta?")
    answer = question_services.answer_create(
        question=question, author=bob, body="Var sjätte månad."
    )
    question_services.content_hide(item=question, moderator=carol, reason="Uppgifter om en klient")
    assert titles(bob, "omprövning") == []
    assert titles(bob, "sjätte") == []
    assert not SearchEntry.objects.filter(thread=f"question:{question.pk}").exists()
    question_services.content_restore(item=question, moderator=carol)
    assert titles(bob, "sjätte") == ["Omprövning enligt LVU"]
    question_services.content_hide(item=answer, moderator=carol)
    assert titles(bob, "sjätte") == []


def test_a_stale_entry_never_shows_what_the_page_would_not(alice, bob):
    """Visibility is checked on the item itself, whatever the index says."""
    question = ask(alice, "Skyddat boende i glesbygd")
    Question.objects.filter(pk=question.pk).update(hidden_at=timezone.now())  # no signal
    assert SearchEntry.objects.filter(kind="question", object_id=question.pk).exists()
    assert titles(bob, "skyddat boende") == []


def test_a_deleted_post_and_its_replies_leave_the_index(alice, bob):
    post = feed_services.post_create(author=alice, body="Vi startar en anhöriggrupp i höst.")
    feed_services.reply_create(post=post, author=bob, body="Anhöriggruppen låter bra!")
    assert titles(bob, "anhöriggrupp") == ["Vi startar en anhöriggrupp i höst."]  # one thread
    feed_services.post_delete(post=post, member=alice)
    assert titles(bob, "anhöriggrupp") == []
    assert not SearchEntry.objects.filter(thread=f"post:{post.pk}").exists()


def test_the_text_of_an_attached_file_is_found(alice, bob):
    document = document_services.document_create(
        author=alice, title="Rutin för hembesök", body="Se bilagan.", kind="routine"
    )
    upload = files_samples.upload(
        files_samples.docx("Checklista inför riskbedömning vid hembesök"), "checklista.docx"
    )
    file_services.attachment_add(upload=upload, owner=document, uploader=alice)
    page = search(bob, SearchFilters(q="checklistan"))
    assert [r.title for r in page.results] == ["Rutin för hembesök"]
    assert "<mark>Checklista</mark> inför riskbedömning" in page.results[0].excerpt


# --- Who finds what ----------------------------------------------------------------------


def test_the_author_of_an_anonymous_question_cannot_be_found_through_it(alice, bob, client):
    ask(alice, "Hot från en förälder", "Hur skyddar ni er?", anonymous=True)
    ask(alice, "Öppenvård för unga", "Vilka insatser har ni?")
    for q in ["Alice", "Andersson", "Alice Andersson", "alice@lycksele.test", "Lycksele"]:
        found = kinds(bob, q)
        assert ("question", "Hot från en förälder") not in found, q
    assert kinds(bob, "Alice Andersson") == [("member", "Alice Andersson")]
    entry = SearchEntry.objects.get(
        kind="question", object_id=Question.objects.get(title__startswith="Hot").pk
    )
    assert entry.organisation_id is None
    assert "alic" not in f"{entry.title} {entry.body} {entry.parts}"
    # The question itself is found, by its words, for everyone.
    assert titles(bob, "hot förälder") == ["Hot från en förälder"]


def test_group_events_are_found_only_by_the_group(alice, bob, carol):
    group = group_services.group_create(moderator=carol, name="Handledargruppen")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    start = timezone.now() + dt.timedelta(days=3)
    event_services.event_create(
        author=alice,
        data=EventData(
            title="Handledning i grupp", start=start, end=start + dt.timedelta(hours=1), group=group
        ),
    )
    assert titles(alice, "handledning") == ["Handledning i grupp"]
    assert titles(bob, "handledning") == []
    group_services.group_remove_member(moderator=carol, group=group, member=alice)
    assert titles(alice, "handledning") == []


def test_members_who_left_are_not_found(alice, bob, lycksele):
    ended = make_member("eva@lycksele.test", "Eva Ekström", lycksele, title="Familjebehandlare")
    assert titles(alice, "Ekström") == ["Eva Ekström"]
    ended.membership_ends_at = timezone.now() - dt.timedelta(minutes=1)
    ended.save(update_fields=["membership_ends_at"])
    assert titles(alice, "Ekström") == []
    account_services.member_deactivate(member=bob)
    assert titles(alice, "Bob Berg") == []
    assert not SearchEntry.objects.filter(kind="member", object_id=bob.pk).exists()


def test_members_are_found_by_function_and_expertise(alice, bob):
    from kollegan.accounts.models import ExpertiseLabel

    label = ExpertiseLabel.objects.create(name="Hedersrelaterat våld", slug="heder")
    bob.expertise.add(label)
    assert titles(alice, "hedersrelaterat") == ["Bob Berg"]
    assert titles(alice, "enhetschefer") == ["Bob Berg"]


def test_unpublished_help_pages_are_not_found(alice):
    page = HelpPage.objects.create(
        title="Sekretess i chatten", slug="sekretess-chatt", body="Skriv aldrig personnummer."
    )
    assert titles(alice, "personnummer")[:1] == ["Sekretess i chatten"]
    page.is_published = False
    page.save()
    assert "Sekretess i chatten" not in titles(alice, "personnummer")


# --- Filters, sorting and synonyms --------------------------------------------------------------


def test_filters_by_type_topic_organisation_and_date(alice, bob):
    old = ask(alice, "Umgängesstöd på helger", topic="familjeratt")
    Question.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    SearchEntry.objects.filter(kind="question", object_id=old.pk).update(
        date=timezone.now() - dt.timedelta(days=400)
    )
    ask(bob, "Umgängesstöd i Storuman", topic="barn-och-unga")
    feed_services.post_create(author=bob, body="Vi söker en handledare för umgängesstöd.")
    assert len(titles(alice, "umgängesstöd")) == 3
    assert titles(alice, "umgängesstöd", kind="post") == [
        "Vi söker en handledare för umgängesstöd."
    ]
    assert titles(alice, "umgängesstöd", topic="familjeratt") == ["Umgängesstöd på helger"]
    assert sorted(titles(alice, "umgängesstöd", organisation="storuman")) == [
        "Umgängesstöd i Storuman", "Vi söker en handledare för umgängesstöd.",
    ]  # fmt: skip
    last_month = timezone.localdate() - dt.timedelta(days=30)
    assert "Umgängesstöd på helger" not in titles(alice, "umgängesstöd", since=last_month)
    assert titles(alice, "umgängesstöd", until=last_month) == ["Umgängesstöd på helger"]
    assert titles(alice, "umgängesstöd", topic="finns-inte") == []


def test_newest_first_on_request(alice):
    ask(alice, "Placering i familjehem")
    ask(alice, "Frågor om placering")
    assert titles(alice, "placering", sort="newest") == [
        "Frågor om placering",
        "Placering i familjehem",
    ]


def test_nothing_with_every_word_falls_back_to_some_of_them(alice):
    ask(alice, "Kontaktfamilj för syskon")
    page = search(alice, SearchFilters(q="kontaktfamilj tandvård"))
    assert page.any_word
    assert [r.title for r in page.results] == ["Kontaktfamilj för syskon"]


def test_administrators_synonyms_apply_to_the_next_search(alice):
    ask(alice, "Vräkningsförebyggande arbete")
    assert titles(alice, "VFA") == []
    synonym = Synonym(terms="VFA = vräkningsförebyggande")
    synonym.full_clean()
    synonym.save()
    assert titles(alice, "VFA") == ["Vräkningsförebyggande arbete"]
    synonym.delete()
    assert titles(alice, "VFA") == []


@pytest.mark.parametrize(
    "terms", ["bara ett ord", "a = " + " ".join(["ord"] * 11), " = ", "a=b=c=d=e=f=g=h=i=j=k=l=m"]
)
def test_a_synonym_line_must_make_sense(db, terms):
    with pytest.raises(ValidationError):
        Synonym(terms=terms).full_clean()


def test_the_default_synonyms_are_there(db):
    assert Synonym.objects.filter(terms__icontains="försörjningsstöd").exists()
    assert Synonym.objects.count() >= 30


# --- Rebuilding ---------------------------------------------------------------------------


def test_rebuild_writes_the_same_index_again(alice, bob, carol, capsys):
    question = ask(alice, "Tips på placering mor + barn", anonymous=True)
    answer = question_services.answer_create(question=question, author=bob, body="Solgläntan.")
    question_services.comment_create(question=question, answer=answer, author=alice, body="Tack!")
    hidden = question_services.answer_create(question=question, author=bob, body="Dold.")
    question_services.content_hide(item=hidden, moderator=carol)
    post = feed_services.post_create(author=bob, body="Välkomna till nätverksträffen.")
    feed_services.reply_create(post=post, author=alice, body="Vi kommer!")
    named = ask(bob, "Kontaktperson för unga", topic="familjeratt")
    question_services.answer_create(question=named, author=alice, body="Ja.", anonymous=True)
    before = sorted(
        SearchEntry.objects.exclude(kind="help").values_list(
            "kind", "object_id", "thread", "title", "body", "parts", "topics"
        )
    )
    SearchEntry.objects.all().delete()
    assert titles(bob, "placeringar") == []
    call_command("rebuild_search_index")
    after = sorted(
        SearchEntry.objects.exclude(kind="help").values_list(
            "kind", "object_id", "thread", "title", "body", "parts", "topics"
        )
    )
    assert after == before
    assert {row[0] for row in after} >= {"question", "answer", "comment", "post", "reply", "member"}
    assert "Sökindexet byggt" in capsys.readouterr().out
    assert titles(bob, "placeringar", kind="question") == ["Tips på placering mor + barn"]


# --- The page ----------------------------------------------------------------------------


def test_the_page_shows_results_with_the_words_marked(alice, alice_client):
    ask(alice, "Tips på placering mor + barn", "Vi behöver placera en mamma med sitt barn.")
    response = alice_client.get("/sok/", {"q": "placeringar"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tips på <mark>placering</mark> mor + barn" in html
    assert "1 träff" in html
    assert 'role="search"' in html


def test_the_header_has_a_search_box(alice_client):
    html = alice_client.get("/").content.decode()
    assert 'action="/sok/"' in html
    assert 'id="site-search"' in html


def test_typing_returns_only_the_results_with_the_last_word_a_prefix(alice, alice_client):
    ask(alice, "Tips på placering mor + barn")
    response = alice_client.get("/sok/", {"q": "plac", "live": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<mark>placering</mark>" in html
    assert 'hx-swap-oob="innerHTML"' in html
    # The plain page (no htmx) searches whole words.
    assert "<mark>" not in alice_client.get("/sok/", {"q": "plac"}).content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 201}, "Write at most %(limit_value)d characters in the search box."),
        ({"q": "stöd", "typ": "allt"}, "There is no such type to search for."),
        ({"q": "stöd", "fran": "igår"}, "Write the date as YYYY-MM-DD, for example 2026-03-01."),
        (
            {"q": "stöd", "fran": "2026-03-01", "till": "2026-02-01"},
            "The end date comes before the start date.",
        ),
        ({"q": "stöd", "sida": "tre"}, "The page number must be a number."),
        ({"q": "stöd", "sida": "0"}, "The page number must be a number."),
        ({"q": "stöd", "sortera": "bäst"}, "Sort by best match or by newest."),
    ],
)
def test_bad_input_is_a_400_in_swedish(alice_client, params, message):
    response = alice_client.get("/sok/", params)
    assert response.status_code == 400
    expected = sv(message).split("%(")[0]
    assert expected in response.content.decode()


@pytest.mark.parametrize("address", ["/sok/", "/api/v1/search"])
def test_the_page_costs_the_same_queries_however_many_results(alice, bob, address):
    """Every kind on the page once, then many more of each: the same queries."""
    client = token_client(alice) if address.startswith("/api/") else client_for(alice)
    last = []

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address, {"q": "familjehem"})
        assert response.status_code == 200
        last[:] = queries.captured_queries
        return len(queries)

    def one_of_each(number: int) -> None:
        question = ask(bob, f"Familjehem nummer {number}")
        question_services.answer_create(question=question, author=alice, body="Familjehem finns.")
        question_services.comment_create(question=question, author=alice, body="Familjehem?")
        post = feed_services.post_create(author=alice, body=f"Familjehem sökes {number}")
        feed_services.reply_create(post=post, author=bob, body="Familjehem i byn")
        start = timezone.now() + dt.timedelta(days=number + 1)
        end = start + dt.timedelta(hours=1)
        data = EventData(title=f"Familjehem {number}", start=start, end=end)
        event_services.event_create(author=bob, data=data)
        note_services.note_create(author=bob, title=f"Familjehem {number}", body="Familjehem.")
        document_services.document_create(
            author=bob, title=f"Familjehem {number}", body="Familjehem.", kind="routine"
        )
        HelpPage.objects.create(
            title=f"Familjehem {number}", slug=f"fh-{number}", body="Familjehem"
        )
        make_member(
            f"fh{number}@storuman.test",
            f"Sekreterare {number}",
            bob.organisation,
            title="Familjehem",
        )

    one_of_each(0)
    small = count()
    for number in range(1, 4):
        one_of_each(number)
    # Whatever kinds fill the page: session, member, groups, candidates, one or
    # two per kind shown (ten kinds), topics, and the filters' topics and organisations.
    assert small <= 20
    assert count() <= small, "\n".join(q["sql"][:150] for q in last)


# --- The API ------------------------------------------------------------------------------


def test_the_api_returns_type_id_title_url_and_excerpt(alice, bob, bob_api):
    question = ask(
        alice, "Tips på placering mor + barn", "Vi behöver placera **en mamma**.", anonymous=True
    )
    response = bob_api.get("/api/v1/search", {"q": "placeringar", "type": "question"})
    assert response.status_code == 200
    (result,) = response.json()
    assert result["type"] == "question"
    assert result["id"] == question.pk
    assert result["title"] == "Tips på placering mor + barn"
    assert result["url"].endswith(f"/fragor/{question.pk}/")
    assert result["excerpt"] == "Vi behöver placera en mamma."
    assert "Alice" not in response.content.decode()
    assert bob_api.get("/api/v1/search", {"q": "placeringar", "type": "post"}).json() == []
    assert bob_api.get("/api/v1/search", {"q": ""}).json() == []


def test_the_api_refuses_bad_input_in_swedish(bob_api):
    response = bob_api.get("/api/v1/search", {"q": "stöd", "type": "allt", "since": "igår"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["type"] == [sv("There is no such type to search for.")]
    assert errors["since"] == [sv("Write the date as YYYY-MM-DD, for example 2026-03-01.")]


def test_the_api_answers_only_members(client, dave):
    assert client.get("/api/v1/search", {"q": "stöd"}).status_code == 401


def test_the_organisation_filter_offers_those_that_wrote_something(alice, bob, alice_client):
    from kollegan.search.selectors import filter_organisations

    ask(bob, "Umgängesstöd i Storuman")
    ask(alice, "Hot från en förälder", anonymous=True)
    assert [o.slug for o in filter_organisations()] == ["storuman"]
    html = alice_client.get("/sok/", {"q": "hot"}).content.decode()
    assert 'value="storuman"' in html
    assert 'value="lycksele"' not in html
