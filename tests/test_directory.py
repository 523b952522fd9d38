"""Medarbetare, the member directory: finding who knows what.

Filters live in the query string (q, amne, organisation, verksamhet, etikett,
sort, sida) so a filtered list can be shared as a link; only active members
are listed; contact details follow each member's visibility choice; and the
page costs the same number of queries for 3 members as for 40."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kollegan.accounts.models import ExpertiseLabel, Member, Organisation, Unit, Visibility
from kollegan.profiles.selectors import DIRECTORY_PAGE_SIZE
from kollegan.topics.models import Topic
from tests.conftest import make_member

URL = reverse("profiles:directory")
CARD_NAME = re.compile(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a></h3>')

# Queries for one directory page, whatever the number of members on it: session,
# member (with organisation and unit), COUNT, the page (joined with organisation
# and unit), topics of the page's members, labels of the page's members, and the
# four lists the filter form offers (topics, organisations, units, labels in use).
DIRECTORY_QUERIES = 10


@pytest.fixture
def adoption(db) -> ExpertiseLabel:
    return ExpertiseLabel.objects.create(name="Adoptionsutredning", slug="adoptionsutredning")


@pytest.fixture
def gambling(db) -> ExpertiseLabel:
    return ExpertiseLabel.objects.create(name="Spelberoende", slug="spelberoende")


@pytest.fixture
def family_law(lycksele) -> Unit:
    return Unit.objects.create(organisation=lycksele, name="Familjerätt")


@pytest.fixture
def lena(lycksele, family_law, adoption) -> Member:
    member = make_member(
        "lena@lycksele.test",
        "Lena Eriksson",
        lycksele,
        unit=family_law,
        title="Familjerättssekreterare",
        town="Lycksele",
        phone="0950-123 45",
    )
    member.topics.set(Topic.objects.filter(slug="familjeratt"))
    member.expertise.set([adoption])
    return member


@pytest.fixture
def mikael(storuman, gambling) -> Member:
    unit = Unit.objects.create(organisation=storuman, name="Familjerätt")
    member = make_member(
        "mikael@storuman.test",
        "Mikael Strand",
        storuman,
        unit=unit,
        title="Socialsekreterare, missbruk",
        phone="0951-555 66",
        phone_visibility=Visibility.NOBODY,
        email_visibility=Visibility.NOBODY,
    )
    member.topics.set(Topic.objects.filter(slug="missbruk-och-beroende"))
    member.expertise.set([gambling])
    return member


def names(response) -> list[str]:
    assert response.status_code == 200
    return CARD_NAME.findall(response.content.decode())


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- Who is listed --------------------------------------------------------------------------


def test_lists_active_members_by_name(alice_client, alice, bob, carol, dave, lena):
    assert names(alice_client.get(URL)) == [
        "Alice Andersson",
        "Bob Berg",
        "Carol Carlsson",
        "Lena Eriksson",
    ]


def test_deactivated_and_ended_members_are_hidden(alice_client, alice, bob, dave):
    Member.objects.filter(pk=bob.pk).update(membership_ends_at=timezone.now() - timedelta(days=1))
    response = alice_client.get(URL)
    assert names(response) == ["Alice Andersson"]
    assert "Dave Dahl" not in html_of(response)
    assert "1 medarbetare" in html_of(response)


def test_ending_in_the_future_is_still_listed(alice_client, alice, bob):
    Member.objects.filter(pk=bob.pk).update(membership_ends_at=timezone.now() + timedelta(days=9))
    assert "Bob Berg" in names(alice_client.get(URL))


@pytest.mark.parametrize("client_fixture", ["client", "dave_client"])
def test_visitor_and_deactivated_member_are_sent_to_log_in(client_fixture, request, dave):
    client = request.getfixturevalue(client_fixture)
    response = client.get(URL + "?etikett=adoptionsutredning")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


# --- Filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["lena", "LENA", "eRiK"])
def test_search_matches_the_name_ignoring_case(alice_client, alice, bob, lena, query):
    assert names(alice_client.get(URL, {"q": query})) == ["Lena Eriksson"]


def test_search_matches_the_function(alice_client, alice, bob, lena, mikael):
    assert names(alice_client.get(URL, {"q": "familjerätts"})) == ["Lena Eriksson"]
    assert names(alice_client.get(URL, {"q": "socialsekreterare"})) == [
        "Alice Andersson",
        "Mikael Strand",
    ]


def test_topic_filter(alice_client, alice, bob, lena):
    assert names(alice_client.get(URL, {"amne": "vald"})) == ["Alice Andersson"]
    assert names(alice_client.get(URL, {"amne": "familjeratt"})) == ["Lena Eriksson"]


def test_organisation_filter(alice_client, alice, bob, carol, lena):
    assert names(alice_client.get(URL, {"organisation": "storuman"})) == ["Bob Berg"]
    assert names(alice_client.get(URL, {"organisation": "lycksele"})) == [
        "Alice Andersson",
        "Carol Carlsson",
        "Lena Eriksson",
    ]


def test_unit_filter_by_id_is_one_unit(alice_client, alice, lena, mikael, family_law):
    assert names(alice_client.get(URL, {"verksamhet": family_law.pk})) == ["Lena Eriksson"]


def test_unit_filter_by_name_is_that_unit_everywhere(alice_client, alice, lena, mikael):
    # "Who works in family law anywhere in R8?"
    assert names(alice_client.get(URL, {"verksamhet": "familjerätt"})) == [
        "Lena Eriksson",
        "Mikael Strand",
    ]


def test_label_filter_finds_who_knows_a_rare_case(alice_client, alice, bob, lena, mikael):
    assert names(alice_client.get(URL, {"etikett": "adoptionsutredning"})) == ["Lena Eriksson"]
    assert names(alice_client.get(URL, {"etikett": "spelberoende"})) == ["Mikael Strand"]


def test_filters_combine(alice_client, alice, bob, carol, lena, mikael, adoption):
    mikael.expertise.add(adoption)
    both = {"etikett": "adoptionsutredning"}
    assert names(alice_client.get(URL, both)) == ["Lena Eriksson", "Mikael Strand"]
    assert names(alice_client.get(URL, {**both, "organisation": "storuman"})) == ["Mikael Strand"]
    assert names(alice_client.get(URL, {**both, "organisation": "lycksele", "q": "lena"})) == [
        "Lena Eriksson"
    ]
    assert names(alice_client.get(URL, {**both, "amne": "vald"})) == []
    assert names(
        alice_client.get(URL, {"amne": "barn-och-unga", "organisation": "lycksele", "q": "ali"})
    ) == ["Alice Andersson"]


def test_no_match_says_so(alice_client, alice):
    html = html_of(alice_client.get(URL, {"q": "finns-inte"}))
    assert "0 medarbetare" in html
    assert "Ingen medarbetare matchar de här filtren." in html


def test_unknown_values_match_nobody_and_do_not_fail(alice_client, alice):
    response = alice_client.get(
        URL, {"amne": "nej", "organisation": "nej", "verksamhet": "99999", "etikett": "nej"}
    )
    assert names(response) == []
    assert names(alice_client.get(URL, {"sort": "'; DROP TABLE", "sida": "x"})) == [
        "Alice Andersson"
    ]
    for odd in ("²", "9" * 40, "-1"):
        assert names(alice_client.get(URL, {"verksamhet": odd})) == []


# --- Sorting and pages ---------------------------------------------------------------------------


def test_sort_orders(alice_client, alice, bob, carol, lena):
    now = timezone.now()
    for days, member in enumerate([bob, lena, alice, carol]):
        Member.objects.filter(pk=member.pk).update(date_joined=now - timedelta(days=days))
    assert names(alice_client.get(URL, {"sort": "namn"})) == [
        "Alice Andersson",
        "Bob Berg",
        "Carol Carlsson",
        "Lena Eriksson",
    ]
    assert names(alice_client.get(URL, {"sort": "nyast"})) == [
        "Bob Berg",
        "Lena Eriksson",
        "Alice Andersson",
        "Carol Carlsson",
    ]
    # Lycksele before Storuman, by name within each.
    assert names(alice_client.get(URL, {"sort": "organisation"})) == [
        "Alice Andersson",
        "Carol Carlsson",
        "Lena Eriksson",
        "Bob Berg",
    ]


def _many_members(count: int, organisation: Organisation, label: ExpertiseLabel) -> None:
    Member.objects.bulk_create(
        [
            Member(
                email=f"m{index:03d}@lycksele.test",
                name=f"Medlem {index:03d}",
                organisation=organisation,
                password="!",
                phone=f"070-000 {index:03d}",
            )
            for index in range(count)
        ]
    )
    members = list(Member.objects.filter(email__startswith="m0"))
    topics = list(Topic.objects.all()[:3])
    for member in members:
        member.topics.set(topics)
        member.expertise.set([label])


def test_pages_of_24_keep_the_filters(alice_client, alice, lycksele, adoption):
    _many_members(30, lycksele, adoption)
    first = alice_client.get(URL, {"etikett": "adoptionsutredning"})
    assert len(names(first)) == DIRECTORY_PAGE_SIZE
    assert "30 medarbetare" in html_of(first)
    assert 'href="?etikett=adoptionsutredning&amp;sida=2"' in html_of(first)
    second = alice_client.get(URL, {"etikett": "adoptionsutredning", "sida": 2})
    assert names(second) == [f"Medlem {index:03d}" for index in range(24, 30)]


# --- The link can be shared -------------------------------------------------------------------


def test_filters_are_shown_back_in_the_form(alice_client, alice, lena, family_law):
    html = html_of(
        alice_client.get(
            URL,
            {
                "q": "len",
                "amne": "familjeratt",
                "organisation": "lycksele",
                "verksamhet": family_law.pk,
                "etikett": "adoptionsutredning",
                "sort": "nyast",
            },
        )
    )
    assert 'name="q" value="len"' in html
    assert '<option value="familjeratt" selected>' in html
    assert '<option value="lycksele" selected>' in html
    assert f'<option value="{family_law.pk}" selected>' in html
    assert '<option value="adoptionsutredning" selected>' in html
    assert '<option value="nyast" selected>' in html
    assert names_in(html) == ["Lena Eriksson"]


def names_in(html: str) -> list[str]:
    return CARD_NAME.findall(html)


def test_active_filters_are_listed_with_a_way_to_clear_them(alice_client, alice, lena):
    html = html_of(
        alice_client.get(URL, {"organisation": "lycksele", "etikett": "adoptionsutredning"})
    )
    assert "Organisation: Lycksele" in html
    assert "Kan frågas om: Adoptionsutredning" in html
    # Each removes only itself; "Rensa filter" removes all.
    assert f'href="{URL}?etikett=adoptionsutredning"' in html
    assert f'href="{URL}?organisation=lycksele"' in html
    assert f'<a href="{URL}">Rensa filter</a>' in html


def test_no_filter_no_clear_link(alice_client, alice):
    assert "Rensa filter" not in html_of(alice_client.get(URL))


def test_unit_choice_is_grouped_by_organisation_or_limited_to_the_chosen_one(
    alice_client, alice, lena, mikael, unit, family_law
):
    everywhere = html_of(alice_client.get(URL))
    assert '<optgroup label="Lycksele">' in everywhere
    assert '<optgroup label="Storuman">' in everywhere
    storuman_units = Unit.objects.filter(organisation__slug="storuman")
    only_lycksele = html_of(alice_client.get(URL, {"organisation": "lycksele"}))
    assert "<optgroup" not in only_lycksele
    assert f'<option value="{family_law.pk}">Familjerätt</option>' in only_lycksele
    assert f'<option value="{unit.pk}">Barn och familj</option>' in only_lycksele
    for other in storuman_units:
        assert f'<option value="{other.pk}">' not in only_lycksele


def test_label_choice_offers_the_labels_active_members_use(
    alice_client, alice, lena, mikael, gambling
):
    ExpertiseLabel.objects.create(name="Faderskap", slug="faderskap")
    Member.objects.filter(pk=mikael.pk).update(deactivated_at=timezone.now())
    html = html_of(alice_client.get(URL))
    assert '<option value="adoptionsutredning">Adoptionsutredning</option>' in html
    assert 'value="faderskap"' not in html  # nobody
    assert 'value="spelberoende"' not in html  # only a deactivated member


# --- The card ------------------------------------------------------------------------------------


def test_card_shows_function_place_topics_and_labels_as_filter_links(alice_client, alice, lena):
    html = html_of(alice_client.get(URL, {"q": "lena"}))
    assert f'<a href="{reverse("profiles:detail", args=[lena.pk])}">Lena Eriksson</a>' in html
    assert "Familjerättssekreterare" in html
    assert "Lycksele · Familjerätt" in html
    assert f'href="{URL}?amne=familjeratt">Familjerätt</a>' in html
    assert f'href="{URL}?etikett=adoptionsutredning">Adoptionsutredning</a>' in html


def test_card_without_photo_shows_initials(alice_client, alice, lena):
    html = html_of(alice_client.get(URL, {"q": "lena"}))
    assert '<span class="avatar avatar--initials" aria-hidden="true">LE</span>' in html
    assert "<img" not in html


def test_card_with_photo_shows_the_small_photo_as_decoration(alice_client, alice, lena):
    Member.objects.filter(pk=lena.pk).update(photo_key="abcdefghijklmnop1234")
    lena.refresh_from_db()
    html = html_of(alice_client.get(URL, {"q": "lena"}))
    small = escape(lena.photo_url("small"))
    assert f'<img class="avatar" src="{small}" alt=""' in html
    assert "avatar--initials" not in html


def test_visible_phone_and_email_become_links(alice_client, alice, lena):
    html = html_of(alice_client.get(URL, {"q": "lena"}))
    assert 'href="tel:095012345"' in html
    assert ">Ring<" in html
    assert 'href="mailto:lena@lycksele.test"' in html
    assert ">E-post<" in html


def test_hidden_phone_and_email_are_not_in_the_page(alice_client, alice, mikael):
    html = html_of(alice_client.get(URL, {"q": "mikael"}))
    assert "Mikael Strand" in html
    assert "0951" not in html
    assert "mikael@storuman.test" not in html
    assert "tel:" not in html
    assert "mailto:" not in html


def test_card_text_is_escaped(alice_client, alice, lycksele):
    make_member("x@lycksele.test", "<script>alert(1)</script>", lycksele, title="<b>chef</b>")
    html = html_of(alice_client.get(URL))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>chef</b>" not in html


# --- htmx ----------------------------------------------------------------------------------------


def test_htmx_request_gets_only_the_filters_and_list(alice_client, alice, lena):
    response = alice_client.get(
        URL,
        {"etikett": "adoptionsutredning"},
        headers={"HX-Request": "true", "HX-Target": "directory"},
    )
    html = html_of(response)
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="directory"')
    assert names_in(html) == ["Lena Eriksson"]
    assert "HX-Request" in response["Vary"]
    # The address bar gets the short link, without the form's empty fields.
    assert response["HX-Push-Url"] == f"{URL}?etikett=adoptionsutredning"


def test_page_without_htmx_is_a_whole_page_with_a_working_form(alice_client, alice):
    html = html_of(alice_client.get(URL))
    assert "<html" in html
    assert f'<form method="get" action="{URL}" id="directory-filters"' in html
    assert 'hx-get="' in html and 'hx-push-url="true"' in html
    assert '<button type="submit"' in html


# --- Cost --------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [2, 39])
def test_query_count_does_not_grow_with_members(
    extra, alice_client, alice, lycksele, adoption, django_assert_num_queries
):
    """3 or 40 members (alice included) cost the same: nothing is loaded per card."""
    _many_members(extra, lycksele, adoption)
    ExpertiseLabel.objects.create(name="Faderskap", slug="faderskap")
    Member.objects.filter(email__startswith="m0").update(photo_key="abcdefghijklmnop1234")
    alice_client.get(URL)  # cached site settings and menu, as on any later page
    with django_assert_num_queries(DIRECTORY_QUERIES):
        response = alice_client.get(URL)
    assert len(names(response)) == min(extra + 1, DIRECTORY_PAGE_SIZE)
    with django_assert_num_queries(DIRECTORY_QUERIES):
        response = alice_client.get(
            URL, {"etikett": "adoptionsutredning", "organisation": "lycksele", "q": "medlem"}
        )
    assert len(names(response)) == min(extra, DIRECTORY_PAGE_SIZE)


def test_member_can_open_the_directory_with_a_fresh_session(alice):
    client = Client()
    client.force_login(alice, backend="kollegan.accounts.backends.MemberBackend")
    assert client.get(URL).status_code == 200
