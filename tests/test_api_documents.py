"""/api/v1/documents: Dokument for scripts.

The same services as the pages: every member sees every document a moderator
has not hidden, a save names the version it started from and a stale one is a
409 that keeps both texts, the confidentiality guard reads what is written; the
list and a document cost the same number of queries however much there is."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kollegan.api.services import api_token_create
from kollegan.documents import services
from kollegan.documents.models import (
    AdoptionStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.files.models import Attachment
from kollegan.topics.models import Topic
from tests.helpers import bearer, in_swedish

LIST = reverse("api:list_documents")
CREATE = reverse("api:create_document")

# GET /api/v1/documents however many documents, with or without filters: the
# token with its member, the page (owners and last editors joined), its topics.
LIST_QUERIES = 3
# GET /api/v1/documents/{id} however long its history: the token, the document,
# its topics, the newest page of versions, its files, the organisations, their
# decisions and the files of the local variants.
DETAIL_QUERIES = 8


def detail(pk: int) -> str:
    return reverse("api:get_document", args=[pk])


def versions(pk: int) -> str:
    return reverse("api:list_versions", args=[pk])


def version(pk: int, number: int) -> str:
    return reverse("api:get_version", args=[pk, number])


def send(client: Client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def write(author, title="Riktlinje för orosanmälningar", *, topics=("barn-och-unga",), **kwargs):
    return services.document_create(
        author=author,
        title=title,
        body=kwargs.pop("body", "## Syfte\n\nAtt alla gör **lika**."),
        kind=kwargs.pop("kind", DocumentKind.GUIDELINE),
        topics=list(Topic.objects.filter(slug__in=topics)),
        **kwargs,
    )


def save(document: Document, editor, body: str, **kwargs) -> DocumentVersion:
    return services.document_save(
        document=document,
        editor=editor,
        title=kwargs.pop("title", document.title),
        body=body,
        base_version=document.version_number,
        **kwargs,
    )


def attach(owner_field: str, owner, name: str, uploader) -> Attachment:
    # The row alone: the API only reads rows, and storage is the files section's.
    return Attachment.objects.create(
        file=f"attachments/test/{name}",
        name=name,
        content_type="application/pdf",
        size=1234,
        uploaded_by=uploader,
        **{owner_field: owner},
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def stamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- Who may call -------------------------------------------------------------------------------


def operations(pk: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", LIST, None),
        ("post", CREATE, {"title": "Rutin", "body": "Text", "kind": "routine"}),
        ("get", detail(pk), None),
        ("get", versions(pk), None),
        ("post", versions(pk), {"body": "Ny text", "base_version": 1}),
        ("get", version(pk, 1), None),
    ]


def call(client: Client, method: str, path: str, body: dict | None):
    return client.get(path) if method == "get" else send(client, path, body)


def test_visitor_is_401(alice):
    document = write(alice)
    for method, path, body in operations(document.pk):
        response = call(Client(), method, path, body)
        assert response.status_code == 401, path
    assert Document.objects.count() == DocumentVersion.objects.count() == 1


def test_a_deactivated_members_token_and_session_are_refused(alice, dave, dave_client):
    document = write(alice)
    secret = api_token_create(member=dave, name="Gammalt")[1]
    for method, path, body in operations(document.pk):
        assert call(Client(headers=bearer(secret)), method, path, body).status_code == 401, path
        assert call(dave_client, method, path, body).status_code == 401, path
    assert Document.objects.count() == DocumentVersion.objects.count() == 1


def test_a_session_works_too(bob_client):
    response = send(bob_client, CREATE, {"title": "Rutin", "body": "Text", "kind": "routine"})
    assert response.status_code == 201, response.content
    assert ids(bob_client.get(LIST)) == [response.json()["id"]]


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_each_documents_facts(bob_api, alice, bob):
    document = write(alice, topics=("vald", "barn-och-unga"))
    save(document, bob, "## Syfte\n\nAtt alla gör lika, i hela R8.")
    response = bob_api.get(LIST)
    assert response.status_code == 200
    data = response.json()
    assert data["next_cursor"] is None
    [item] = data["items"]
    assert item == {
        "id": document.pk,
        "title": "Riktlinje för orosanmälningar",
        "kind": "guideline",
        "status": "draft",
        "owner": {"id": alice.pk, "name": "Alice Andersson"},
        "topics": ["barn-och-unga", "vald"],
        "version": 2,
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
        "updated_by": {"id": bob.pk, "name": "Bob Berg"},
        "comment_count": 0,
        "url": f"{settings.SITE_URL}/dokument/{document.pk}/",
    }
    document.refresh_from_db()
    assert abs(stamp(item["updated_at"]) - document.updated_at) < dt.timedelta(milliseconds=1)
    assert "body" not in item


def test_the_list_filters_by_topic_kind_and_status(bob_api, alice):
    guideline = write(alice, title="Riktlinje", topics=("vald",))
    routine = write(alice, title="Rutin", kind=DocumentKind.ROUTINE, topics=("familjeratt",))
    adopted = write(alice, title="Fastställd", status=DocumentStatus.ADOPTED, topics=())
    assert ids(bob_api.get(LIST)) == [adopted.pk, routine.pk, guideline.pk]
    assert ids(bob_api.get(LIST, {"topic": "vald"})) == [guideline.pk]
    assert ids(bob_api.get(LIST, {"topic": "finns-inte"})) == []
    assert ids(bob_api.get(LIST, {"kind": "routine"})) == [routine.pk]
    assert ids(bob_api.get(LIST, {"status": "adopted"})) == [adopted.pk]
    assert ids(bob_api.get(LIST, {"kind": "guideline", "status": "draft"})) == [guideline.pk]


def test_archived_documents_are_listed_only_when_asked_for(bob_api, alice):
    kept = write(alice, title="Gällande")
    old = write(alice, title="Gammal")
    services.document_set_status(document=old, member=alice, status=DocumentStatus.ARCHIVED)
    assert ids(bob_api.get(LIST)) == [kept.pk]
    assert ids(bob_api.get(LIST, {"status": "archived"})) == [old.pk]


@pytest.mark.parametrize(("field", "value"), [("kind", "riktlinje"), ("status", "klar")])
def test_an_unknown_type_or_status_is_422_by_field(bob_api, db, field, value):
    response = bob_api.get(LIST, {field: value})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert errors[field][0] in {
        in_swedish("There is no such type of document."),
        in_swedish("There is no such status."),
    }


def test_the_list_pages_by_cursor(bob_api, alice):
    documents = [write(alice, title=f"Rutin {number}") for number in range(27)]
    first = bob_api.get(LIST).json()
    assert len(first["items"]) == 25
    second = bob_api.get(LIST, {"cursor": first["next_cursor"]}).json()
    assert second["next_cursor"] is None
    shown = [item["id"] for item in first["items"] + second["items"]]
    assert shown == [document.pk for document in reversed(documents)]


@pytest.mark.parametrize("cursor", ["inte-en-markör", "0", str(2**64)])
def test_a_broken_cursor_is_400_with_a_message(bob_api, db, cursor):
    response = bob_api.get(LIST, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_hidden_document_is_not_listed(bob_api, alice, carol):
    shown = write(alice, title="Synlig")
    hidden = write(alice, title="Dold")
    services.document_hide(document=hidden, moderator=carol, reason="Innehöll uppgifter")
    assert ids(bob_api.get(LIST)) == [shown.pk]
    assert "Dold" not in bob_api.get(LIST).content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_costs_the_same_queries_however_many_documents(
    count, bob_api, alice, bob, django_assert_num_queries
):
    for number in range(count):
        document = write(alice, title=f"Rutin {number}", topics=("vald", "barn-och-unga"))
        if number % 2:
            save(document, bob, f"Ny text {number}")
    with django_assert_num_queries(LIST_QUERIES):
        assert len(ids(bob_api.get(LIST))) == min(count, 25)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(ids(bob_api.get(LIST, {"topic": "vald", "kind": "guideline"}))) == min(count, 25)


# --- Writing a document -------------------------------------------------------------------------


def test_writing_a_document(alice_api, alice):
    body = {
        "title": "Mall för aktivitetskrav",
        "body": "Fyll i *alla* fält.",
        "kind": "template",
        "status": "consultation",
        "topics": ["forsorjningsstod"],
        "change_note": "Första utkast",
    }
    response = send(alice_api, CREATE, body)
    assert response.status_code == 201, response.content
    data = response.json()
    document = Document.objects.get()
    assert data["id"] == document.pk
    assert (data["title"], data["kind"], data["status"]) == (
        "Mall för aktivitetskrav",
        "template",
        "consultation",
    )
    assert (data["body"], data["body_html"]) == (
        "Fyll i *alla* fält.",
        "<p>Fyll i <em>alla</em> fält.</p>\n",
    )
    assert data["owner"] == data["updated_by"] == {"id": alice.pk, "name": "Alice Andersson"}
    assert (data["topics"], data["version"], data["can_edit"]) == (["forsorjningsstod"], 1, True)
    [first] = data["versions"]
    assert (first["number"], first["change_note"], first["author"]["id"]) == (
        1,
        "Första utkast",
        alice.pk,
    )
    assert first["url"] == f"{settings.SITE_URL}/dokument/{document.pk}/version/1/"
    assert (data["attachments"], data["adoptions"], data["versions_next_cursor"]) == ([], [], None)
    assert ids(alice_api.get(LIST)) == [document.pk]


TOO_LONG_TITLE = "Riktlinje " * 25


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": " ", "body": "Text", "kind": "guideline"}, "title"),
        ({"title": TOO_LONG_TITLE, "body": "Text", "kind": "guideline"}, "title"),
        ({"title": "Rutin", "body": "  ", "kind": "guideline"}, "body"),
        ({"title": "Rutin", "body": "x" * 200_001, "kind": "guideline"}, "body"),
        ({"title": "Rutin", "body": "Text", "kind": "riktlinje"}, "kind"),
        ({"title": "Rutin", "body": "Text", "kind": "guideline", "status": "klar"}, "status"),
        ({"title": "Rutin", "body": "Text", "kind": "guideline", "status": "archived"}, "status"),
        ({"title": "Rutin", "body": "Text", "kind": "routine", "topics": ["finns-inte"]}, "topics"),
        (
            {"title": "Rutin", "body": "Text", "kind": "routine", "change_note": "x" * 201},
            "change_note",
        ),
    ],
)
def test_bad_input_is_422_by_field_and_nothing_is_stored(alice_api, body, field):
    response = send(alice_api, CREATE, body)
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [field]
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_a_missing_type_is_refused(alice_api):
    response = send(alice_api, CREATE, {"title": "Rutin", "body": "Text"})
    assert response.status_code == 422
    assert not Document.objects.exists()


def test_a_personal_identity_number_is_refused_with_findings(alice_api):
    body = {
        "title": "Rutin",
        "body": "Gäller 19121212-1212.",
        "kind": "routine",
        "confirmed": True,
    }
    response = send(alice_api, CREATE, body)
    assert response.status_code == 422
    data = response.json()
    assert data["needs_confirmation"] is False
    assert any(finding["blocking"] for finding in data["confidentiality"])
    assert "19121212-1212" not in response.content.decode()
    assert not Document.objects.exists()


def test_identifying_details_pass_once_confirmed(alice_api):
    body = {"title": "Rutin", "body": "Ring jouren på 070-123 45 67.", "kind": "routine"}
    response = send(alice_api, CREATE, body)
    assert (response.status_code, response.json()["needs_confirmation"]) == (422, True)
    assert not Document.objects.exists()
    assert send(alice_api, CREATE, {**body, "confirm_identifying_details": True}).status_code == 201


# --- One document -------------------------------------------------------------------------------


@pytest.fixture
def shared(alice, bob, carol, lycksele, storuman):
    """A guideline with three versions, a file, and two organisations' decisions."""
    document = write(alice, body="Version ett.", change_note="Första utkast")
    save(document, bob, "Version två.", change_note="Mer om skolan")
    save(document, alice, "Version **tre**.", change_note="Remissynpunkter")
    services.document_set_status(document=document, member=alice, status=DocumentStatus.ADOPTED)
    attach("document", document, "checklista.pdf", alice)
    services.adoption_record(
        document=document,
        member=alice,
        organisation=lycksele,
        status=AdoptionStatus.ADOPTED,
        decided_on=dt.date(2026, 1, 20),
        decided_by="Socialnämnden",
        version_number=3,
    )
    variant = services.adoption_record(
        document=document,
        member=bob,
        organisation=storuman,
        status=AdoptionStatus.VARIANT,
        variant_url="https://www.storuman.se/riktlinje",
    )
    attach("adoption", variant, "storumans-variant.pdf", bob)
    document.refresh_from_db()
    return document


def test_a_document_with_its_text_versions_files_and_adoptions(bob_api, shared, alice, bob):
    response = bob_api.get(detail(shared.pk))
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["body"], data["body_html"]) == (
        "Version **tre**.",
        "<p>Version <strong>tre</strong>.</p>\n",
    )
    assert (data["version"], data["status"], data["can_edit"]) == (3, "adopted", True)
    assert [v["number"] for v in data["versions"]] == [3, 2, 1]
    assert [v["change_note"] for v in data["versions"]] == [
        "Remissynpunkter",
        "Mer om skolan",
        "Första utkast",
    ]
    assert [v["author"]["name"] for v in data["versions"]] == [
        "Alice Andersson",
        "Bob Berg",
        "Alice Andersson",
    ]
    assert data["versions"][0]["restored_from"] is None
    assert "body" not in data["versions"][0]
    [file] = data["attachments"]
    assert file["name"] == "checklista.pdf" and file["size"] == 1234
    assert file["content_type"] == "application/pdf"
    assert file["url"] == f"{settings.SITE_URL}/filer/{file['id']}/"
    download = reverse("api:download_file", args=[file["id"]])
    assert file["download_url"] == f"{settings.SITE_URL}{download}"
    assert (file["owner_type"], file["owner_id"]) == ("document", shared.pk)
    lycksele, storuman = data["adoptions"]
    assert lycksele["organisation"]["name"] == "Lycksele"
    assert (lycksele["status"], lycksele["decided_on"], lycksele["decided_by"]) == (
        "adopted",
        "2026-01-20",
        "Socialnämnden",
    )
    assert (lycksele["version_number"], lycksele["recorded_by"]["id"]) == (3, alice.pk)
    assert (storuman["status"], storuman["variant_url"]) == (
        "variant",
        "https://www.storuman.se/riktlinje",
    )
    assert [f["name"] for f in storuman["attachments"]] == ["storumans-variant.pdf"]
    assert storuman["attachments"][0]["owner_type"] == "adoption"
    assert storuman["recorded_by"] == {"id": bob.pk, "name": "Bob Berg"}


def test_an_archived_document_says_who_may_still_edit_it(alice_api, bob_api, shared, alice):
    services.document_set_status(document=shared, member=alice, status=DocumentStatus.ARCHIVED)
    assert alice_api.get(detail(shared.pk)).json()["can_edit"] is True
    assert bob_api.get(detail(shared.pk)).json()["can_edit"] is False


def test_a_hidden_or_missing_document_is_404(bob_api, shared, carol):
    services.document_hide(document=shared, moderator=carol, reason="Innehöll uppgifter")
    for path in (
        detail(shared.pk),
        versions(shared.pk),
        version(shared.pk, 1),
        detail(999_999),
        detail(10**30),
        version(shared.pk + 1, 1),
    ):
        response = bob_api.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"]
    response = send(bob_api, versions(shared.pk), {"body": "Ny", "base_version": 3})
    assert response.status_code == 404
    assert shared.versions.count() == 3


def make_history(alice, bob, count: int) -> Document:
    document = write(alice, body="Version 1.")
    for number in range(2, count + 1):
        save(document, bob if number % 2 else alice, f"Version {number}.")
    return document


@pytest.mark.parametrize("count", [3, 60])
def test_a_document_costs_the_same_queries_however_long_its_history(
    count, bob_api, alice, bob, lycksele, storuman, django_assert_num_queries
):
    document = make_history(alice, bob, count)
    for number in range(count // 3):
        attach("document", document, f"bilaga-{number}.pdf", alice)
    for organisation, member in ((lycksele, alice), (storuman, bob))[: 1 + (count > 3)]:
        adoption = services.adoption_record(
            document=document, member=member, organisation=organisation, status="variant"
        )
        attach("adoption", adoption, "variant.pdf", member)
    with django_assert_num_queries(DETAIL_QUERIES):
        data = bob_api.get(detail(document.pk)).json()
    assert data["version"] == count
    assert len(data["versions"]) == min(count, 50)


# --- The history --------------------------------------------------------------------------------


def test_the_history_pages_by_cursor(bob_api, alice, bob):
    document = make_history(alice, bob, 53)
    data = bob_api.get(detail(document.pk)).json()
    assert [v["number"] for v in data["versions"]] == list(range(53, 3, -1))
    older = bob_api.get(versions(document.pk), {"cursor": data["versions_next_cursor"]}).json()
    assert [v["number"] for v in older["items"]] == [3, 2, 1]
    assert older["next_cursor"] is None
    first = bob_api.get(versions(document.pk)).json()
    assert [v["number"] for v in first["items"]] == list(range(53, 3, -1))
    assert first["next_cursor"] == data["versions_next_cursor"]


def test_a_broken_history_cursor_is_400(bob_api, shared):
    response = bob_api.get(versions(shared.pk), {"cursor": "tre"})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_one_version_with_its_whole_text(bob_api, shared, bob):
    response = bob_api.get(version(shared.pk, 2))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data == {
        "number": 2,
        "title": "Riktlinje för orosanmälningar",
        "author": {"id": bob.pk, "name": "Bob Berg"},
        "created_at": data["created_at"],
        "change_note": "Mer om skolan",
        "restored_from": None,
        "url": f"{settings.SITE_URL}/dokument/{shared.pk}/version/2/",
        "document_id": shared.pk,
        "body": "Version två.",
    }
    for number in (0, 4, 2**63):
        assert bob_api.get(version(shared.pk, number)).status_code == 404, number


# --- Saving a version ---------------------------------------------------------------------------


def test_saving_a_new_version(bob_api, shared, bob):
    body = {"body": "Version fyra.", "base_version": 3, "change_note": "Nytt om hembesök"}
    response = send(bob_api, versions(shared.pk), body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["number"], data["body"], data["change_note"]) == (
        4,
        "Version fyra.",
        "Nytt om hembesök",
    )
    assert data["title"] == "Riktlinje för orosanmälningar"  # left out: it stays
    assert data["author"] == {"id": bob.pk, "name": "Bob Berg"}
    assert data["url"] == f"{settings.SITE_URL}/dokument/{shared.pk}/version/4/"
    shared.refresh_from_db()
    assert (shared.version_number, shared.body, shared.updated_by) == (4, "Version fyra.", bob)
    assert bob_api.get(detail(shared.pk)).json()["versions"][0]["number"] == 4


def test_a_new_version_may_change_title_type_and_topics(alice_api, shared):
    body = {
        "title": "Riktlinje för orosanmälningar – R8",
        "body": "Version tre.",
        "base_version": 3,
        "kind": "routine",
        "topics": ["vald"],
    }
    assert send(alice_api, versions(shared.pk), body).status_code == 201
    data = alice_api.get(detail(shared.pk)).json()
    assert (data["title"], data["kind"], data["topics"]) == (
        "Riktlinje för orosanmälningar – R8",
        "routine",
        ["vald"],
    )


def test_a_stale_save_is_409_and_keeps_both_texts(alice_api, bob_api, shared, alice):
    # Bob starts from version 3; Alice saves version 4 before him.
    save(shared, alice, "Alices version fyra.")
    mine = {"body": "Bobs version fyra.", "base_version": 3, "change_note": "Från Bob"}
    response = send(bob_api, versions(shared.pk), mine)
    assert response.status_code == 409, response.content
    data = response.json()
    assert data["detail"] == in_swedish(
        "Someone saved version %(number)d while you were writing, so your text was not "
        "saved. Merge your changes into the current text and send it again with "
        "base_version %(number)d."
    ) % {"number": 4}
    assert (data["base_version"], data["current_version"]) == (3, 4)
    assert data["current"]["body"] == "Alices version fyra."
    assert data["current"]["title"] == "Riktlinje för orosanmälningar"
    assert data["current"]["updated_by"] == {"id": alice.pk, "name": "Alice Andersson"}
    assert data["yours"] == {"title": "Riktlinje för orosanmälningar", "body": "Bobs version fyra."}
    shared.refresh_from_db()
    assert (shared.version_number, shared.body) == (4, "Alices version fyra.")
    assert shared.versions.count() == 4
    # Merged and sent again on the current version, it goes through.
    merged = {**mine, "body": "Alices och Bobs version.", "base_version": 4}
    assert send(bob_api, versions(shared.pk), merged).status_code == 201


def test_a_save_that_changes_nothing_is_422(bob_api, shared):
    response = send(bob_api, versions(shared.pk), {"body": "Version **tre**.", "base_version": 3})
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == ["body"]
    assert shared.versions.count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": " ", "base_version": 3}, "body"),
        ({"title": " ", "body": "Ny", "base_version": 3}, "title"),
        ({"body": "Ny", "base_version": 3, "kind": "riktlinje"}, "kind"),
        ({"body": "Ny", "base_version": 3, "topics": ["finns-inte"]}, "topics"),
        ({"body": "Ny", "base_version": 3, "change_note": "x" * 201}, "change_note"),
    ],
)
def test_a_bad_version_is_422_by_field(bob_api, shared, body, field):
    response = send(bob_api, versions(shared.pk), body)
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [field]
    assert shared.versions.count() == 3


@pytest.mark.parametrize("base", [0, -1, 10**30, "tre", None])
def test_a_base_version_that_is_no_number_is_refused(bob_api, shared, base):
    response = send(bob_api, versions(shared.pk), {"body": "Ny", "base_version": base})
    assert response.status_code == 422, response.content
    assert shared.versions.count() == 3


def test_a_personal_identity_number_in_a_version_is_refused(bob_api, shared):
    body = {"body": "Gäller 19121212-1212.", "base_version": 3, "confirmed": True}
    response = send(bob_api, versions(shared.pk), body)
    assert response.status_code == 422
    assert response.json()["needs_confirmation"] is False
    assert "19121212-1212" not in response.content.decode()
    assert shared.versions.count() == 3


def test_only_the_owner_and_moderators_change_an_archived_document(
    alice_api, bob_api, carol_api, shared, alice
):
    services.document_set_status(document=shared, member=alice, status=DocumentStatus.ARCHIVED)
    response = send(bob_api, versions(shared.pk), {"body": "Bobs text.", "base_version": 3})
    assert response.status_code == 403
    assert response.json()["detail"] == in_swedish(
        "The document is archived: only its owner and moderators can change it."
    )
    assert (
        send(carol_api, versions(shared.pk), {"body": "Carols.", "base_version": 3}).status_code
        == 201
    )
    assert (
        send(alice_api, versions(shared.pk), {"body": "Alices.", "base_version": 4}).status_code
        == 201
    )


# --- The API's description ----------------------------------------------------------------------


def test_openapi_lists_the_operations(alice_api):
    paths = alice_api.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/documents"]) == {"get", "post"}
    assert set(paths["/api/v1/documents/{document_id}"]) == {"get"}
    assert set(paths["/api/v1/documents/{document_id}/versions"]) == {"get", "post"}
    assert set(paths["/api/v1/documents/{document_id}/versions/{number}"]) == {"get"}
    responses = paths["/api/v1/documents/{document_id}/versions"]["post"]["responses"]
    assert {"201", "409"} <= set(responses)
