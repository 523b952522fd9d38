"""GET /api/v1/members and /api/v1/members/{id}: the directory for scripts.

Same selector as Medarbetare, so the same filters (q, topic, organisation,
unit, label, sort, page), only active members, and phone and e-mail only
where the member shows them to members."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kollegan.accounts.models import ExpertiseLabel, Member, Unit, Visibility
from kollegan.api.services import api_token_create
from kollegan.profiles.selectors import DIRECTORY_PAGE_SIZE
from kollegan.topics.models import Topic
from tests.conftest import make_member
from tests.helpers import bearer

MEMBERS = "/api/v1/members"

# GET /api/v1/members with a Bearer token, whatever the number of members: the
# token with its member, COUNT, the page, its members' topics and labels.
LIST_QUERIES = 5
# GET /api/v1/members/{id}: token, the member, topics, labels.
DETAIL_QUERIES = 4


@pytest.fixture
def secret(alice) -> str:
    return api_token_create(member=alice, name="Skript")[1]


@pytest.fixture
def api(secret):
    client = Client(headers=bearer(secret))
    # The token's first use of the minute records last_used_at; do it here so
    # the query counts below are those of every later request.
    assert client.get("/api/v1/me").status_code == 200
    return client


@pytest.fixture
def adoption(db) -> ExpertiseLabel:
    return ExpertiseLabel.objects.create(name="Adoptionsutredning", slug="adoptionsutredning")


@pytest.fixture
def lena(lycksele, adoption) -> Member:
    unit = Unit.objects.create(organisation=lycksele, name="Familjerätt")
    member = make_member(
        "lena@lycksele.test",
        "Lena Eriksson",
        lycksele,
        unit=unit,
        title="Familjerättssekreterare",
        town="Lycksele",
        phone="0950-123 45",
    )
    member.topics.set(Topic.objects.filter(slug="familjeratt"))
    member.expertise.set([adoption])
    return member


@pytest.fixture
def mikael(storuman) -> Member:
    unit = Unit.objects.create(organisation=storuman, name="Familjerätt")
    return make_member(
        "mikael@storuman.test",
        "Mikael Strand",
        storuman,
        unit=unit,
        title="Socialsekreterare, missbruk",
        phone="0951-555 66",
        phone_visibility=Visibility.NOBODY,
        email_visibility=Visibility.NOBODY,
    )


def result_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [member["name"] for member in response.json()["results"]]


# --- The list ------------------------------------------------------------------------------------


def test_list_returns_active_members_with_paging_facts(api, alice, bob, dave, lena):
    response = api.get(MEMBERS)
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["count"] == 3
    assert data["page"] == 1
    assert data["pages"] == 1
    assert result_names(response) == ["Alice Andersson", "Bob Berg", "Lena Eriksson"]


def test_member_fields(api, lena, lycksele):
    data = api.get(MEMBERS, {"q": "lena"}).json()["results"]
    assert data == [
        {
            "id": lena.pk,
            "name": "Lena Eriksson",
            "title": "Familjerättssekreterare",
            "organisation": {"id": lycksele.pk, "name": "Lycksele"},
            "unit": "Familjerätt",
            "town": "Lycksele",
            "topics": [{"slug": "familjeratt", "name": "Familjerätt"}],
            "expertise": [{"slug": "adoptionsutredning", "name": "Adoptionsutredning"}],
            "phone": "0950-123 45",
            "email": "lena@lycksele.test",
            "photo": None,
        }
    ]


def test_hidden_phone_and_email_are_null_and_absent(api, mikael):
    response = api.get(MEMBERS, {"q": "mikael"})
    [member] = response.json()["results"]
    assert member["phone"] is None
    assert member["email"] is None
    assert "0951" not in response.content.decode()
    assert "mikael@storuman.test" not in response.content.decode()


def test_photo_urls_in_every_size(api, lena):
    Member.objects.filter(pk=lena.pk).update(photo_key="abcdefghijklmnop1234")
    lena.refresh_from_db()
    [member] = api.get(MEMBERS, {"q": "lena"}).json()["results"]
    assert member["photo"] == {size: lena.photo_url(size) for size in ("small", "medium", "large")}


def test_filters_work_and_combine(api, alice, bob, lena, mikael, adoption):
    assert result_names(api.get(MEMBERS, {"topic": "vald"})) == ["Alice Andersson"]
    assert result_names(api.get(MEMBERS, {"organisation": "storuman"})) == [
        "Bob Berg",
        "Mikael Strand",
    ]
    assert result_names(api.get(MEMBERS, {"unit": "Familjerätt"})) == [
        "Lena Eriksson",
        "Mikael Strand",
    ]
    assert result_names(api.get(MEMBERS, {"unit": lena.unit_id})) == ["Lena Eriksson"]
    assert result_names(api.get(MEMBERS, {"label": "adoptionsutredning"})) == ["Lena Eriksson"]
    assert result_names(api.get(MEMBERS, {"q": "SOCIAL"})) == ["Alice Andersson", "Mikael Strand"]
    mikael.expertise.add(adoption)
    assert result_names(
        api.get(MEMBERS, {"label": "adoptionsutredning", "organisation": "storuman"})
    ) == ["Mikael Strand"]
    assert result_names(api.get(MEMBERS, {"label": "adoptionsutredning", "topic": "vald"})) == []


def test_sort(api, alice, bob, lena):
    now = timezone.now()
    for days, member in enumerate([lena, bob, alice]):
        Member.objects.filter(pk=member.pk).update(date_joined=now - timedelta(days=days))
    assert result_names(api.get(MEMBERS, {"sort": "nyast"})) == [
        "Lena Eriksson",
        "Bob Berg",
        "Alice Andersson",
    ]
    assert result_names(api.get(MEMBERS, {"sort": "organisation"})) == [
        "Alice Andersson",
        "Lena Eriksson",
        "Bob Berg",
    ]


def _many(count: int, organisation) -> None:
    Member.objects.bulk_create(
        [
            Member(
                email=f"m{index:03d}@lycksele.test",
                name=f"Medlem {index:03d}",
                organisation=organisation,
                password="!",
            )
            for index in range(count)
        ]
    )
    topics = list(Topic.objects.all()[:2])
    label = ExpertiseLabel.objects.create(name="Faderskap", slug="faderskap")
    for member in Member.objects.filter(email__startswith="m0"):
        member.topics.set(topics)
        member.expertise.set([label])


def test_pages(api, alice, lycksele):
    _many(30, lycksele)
    first = api.get(MEMBERS, {"organisation": "lycksele"}).json()
    assert (first["count"], first["page"], first["pages"]) == (31, 1, 2)
    assert len(first["results"]) == DIRECTORY_PAGE_SIZE
    second = api.get(MEMBERS, {"organisation": "lycksele", "page": 2}).json()
    assert second["page"] == 2
    assert len(second["results"]) == 31 - DIRECTORY_PAGE_SIZE


def test_invalid_page_is_422_in_swedish(api, alice):
    response = api.get(MEMBERS, {"page": 0})
    assert response.status_code == 422
    assert response.json()["detail"] == "Anropet innehåller ogiltiga uppgifter."


@pytest.mark.parametrize("extra", [2, 39])
def test_list_query_count_does_not_grow(extra, api, alice, lycksele, django_assert_num_queries):
    _many(extra, lycksele)
    with django_assert_num_queries(LIST_QUERIES):
        response = api.get(MEMBERS)
    assert len(result_names(response)) == min(extra + 1, DIRECTORY_PAGE_SIZE)
    with django_assert_num_queries(LIST_QUERIES):
        api.get(MEMBERS, {"label": "faderskap", "organisation": "lycksele", "q": "medlem"})


def test_session_works_too(alice_client, alice, lena):
    assert result_names(alice_client.get(MEMBERS, {"label": "adoptionsutredning"})) == [
        "Lena Eriksson"
    ]


# --- One member ---------------------------------------------------------------------------------


def test_one_member(api, lena, django_assert_num_queries):
    with django_assert_num_queries(DETAIL_QUERIES):
        response = api.get(f"{MEMBERS}/{lena.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Lena Eriksson"
    assert data["expertise"] == [{"slug": "adoptionsutredning", "name": "Adoptionsutredning"}]
    assert data["phone"] == "0950-123 45"


def test_one_member_hides_what_they_hide(api, mikael):
    data = api.get(f"{MEMBERS}/{mikael.pk}").json()
    assert data["phone"] is None
    assert data["email"] is None


def test_deactivated_or_unknown_member_is_404_in_swedish(api, dave, bob):
    Member.objects.filter(pk=bob.pk).update(membership_ends_at=timezone.now())
    for pk in (dave.pk, bob.pk, 999999):
        response = api.get(f"{MEMBERS}/{pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Hittades inte."}


# --- Who may ask --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [MEMBERS, f"{MEMBERS}/1"])
def test_visitor_is_401(path, alice):
    response = Client().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_deactivated_members_token_and_session_are_401(dave, dave_client, alice):
    _token, secret = api_token_create(member=dave, name="Gammalt")
    assert Client(headers=bearer(secret)).get(MEMBERS).status_code == 401
    assert Client(headers=bearer(secret)).get(f"{MEMBERS}/{alice.pk}").status_code == 401
    assert dave_client.get(MEMBERS).status_code == 401


def test_token_stops_working_when_membership_ends(api, alice):
    Member.objects.filter(pk=alice.pk).update(membership_ends_at=timezone.now())
    assert api.get(MEMBERS).status_code == 401
