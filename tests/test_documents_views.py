"""Dokument's pages: the list with filters, collections and latest changes,
writing with a preview that works without JavaScript, one document, editing
(and the refusal of a stale edit that keeps both texts), history, versions,
comparing, restoring, comments, adoption, status and deleting.

Visitors and deactivated members are refused everywhere; a hidden document is a
404; bad input answers 4xx with a Swedish message and nothing written; the
pages cost the same number of queries however much there is."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kollegan.accounts.models import Organisation
from kollegan.documents import services
from kollegan.documents.models import (
    Adoption,
    AdoptionStatus,
    Document,
    DocumentComment,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.topics.models import Topic
from tests.conftest import make_member
from tests.helpers import sv

LIST = reverse("documents")
CREATE = reverse("documents:create")
CHANGES = reverse("documents:changes")
PERSONAL_NUMBER = "19121212-1212"
TITLE = "Riktlinje för orosanmälan"
BODY = "## Syfte\n\nAlla som arbetar med **barn** ska veta hur en orosanmälan görs."


def text(response) -> str:
    return response.content.decode()


def counts() -> tuple[int, int, int, int]:
    return (
        Document.objects.count(),
        DocumentVersion.objects.count(),
        DocumentComment.objects.count(),
        Adoption.objects.count(),
    )


def write(author, **fields) -> Document:
    fields.setdefault("title", TITLE)
    fields.setdefault("body", BODY)
    fields.setdefault("kind", DocumentKind.GUIDELINE)
    return services.document_create(author=author, **fields)


def save(document, editor, body, **fields) -> DocumentVersion:
    fields.setdefault("title", document.title)
    return services.document_save(
        document=document,
        editor=editor,
        body=body,
        base_version=Document.objects.get(pk=document.pk).version_number,
        **fields,
    )


def url(name: str, document: Document, *args) -> str:
    return reverse(f"documents:{name}", args=[document.pk, *args])


def textarea(html: str, name: str = "body") -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert found, f"no textarea {name}"
    return found.group(1)


def hidden_value(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden input {name}"
    return found.group(1)


def form_data(document: Document | None = None, **fields) -> dict:
    data = {"title": TITLE, "kind": "guideline", "body": BODY, "change_note": ""}
    if document is None:
        data["status"] = "draft"
    else:
        data["base_version"] = document.version_number
    data.update(fields)
    return data


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def guideline(alice, barn) -> Document:
    return write(alice, topics=[barn], change_note="Första utkastet")


# --- Who gets in --------------------------------------------------------------------------------


def every_url(document: Document, comment: DocumentComment) -> list[tuple[str, str]]:
    return [
        ("get", LIST),
        ("get", CREATE),
        ("post", CREATE),
        ("get", CHANGES),
        ("get", url("detail", document)),
        ("get", url("edit", document)),
        ("post", url("edit", document)),
        ("get", url("history", document)),
        ("get", url("version", document, 1)),
        ("get", url("restore", document, 1)),
        ("post", url("restore", document, 1)),
        ("get", url("compare", document)),
        ("get", url("status", document)),
        ("post", url("status", document)),
        ("get", url("delete", document)),
        ("post", url("delete", document)),
        ("post", url("comment", document)),
        ("get", reverse("documents:comment_delete", args=[comment.pk])),
        ("post", reverse("documents:comment_delete", args=[comment.pk])),
        ("get", url("adoption", document)),
        ("post", url("adoption", document)),
    ]


@pytest.mark.parametrize("who", ["client", "dave_client"])
def test_visitors_and_deactivated_members_are_sent_to_log_in(request, who, guideline, bob):
    comment = services.comment_create(document=guideline, author=bob, body="Bra!")
    client = request.getfixturevalue(who)
    before = counts()
    for method, address in every_url(guideline, comment):
        response = getattr(client, method)(
            address, {"title": "x", "body": "y", "status": "adopted"}
        )
        assert response.status_code == 302, (method, address)
        assert response["Location"].startswith(reverse("account_login")), address
    assert counts() == before


def test_a_hidden_document_is_a_404_on_every_page(alice_client, guideline, carol, bob):
    comment = services.comment_create(document=guideline, author=bob, body="Bra!")
    services.document_hide(document=guideline, moderator=carol)
    for method, address in every_url(guideline, comment)[4:]:
        response = getattr(alice_client, method)(address)
        assert response.status_code == 404, (method, address)
    assert alice_client.get(f"/dokument/{10**12}/").status_code == 404


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_documents_collections_and_latest_changes(alice_client, bob, guideline):
    routine = write(bob, title="Rutin för hembesök", kind=DocumentKind.ROUTINE)
    save(routine, bob, "Ny text.", change_note="Kortade texten")
    response = alice_client.get(LIST)
    assert response.status_code == 200
    html = text(response)
    assert TITLE in html and "Rutin för hembesök" in html
    assert html.index("Rutin för hembesök") < html.index(TITLE)
    assert sv("Collections") in html and sv("Latest changes") in html
    assert f'href="{LIST}?typ=routine"' in html
    assert f'href="{LIST}?amne=barn-och-unga"' in html
    assert "Kortade texten" in html
    assert f'href="{CHANGES}"' in html


def test_the_list_filters_by_topic_type_and_status(alice_client, alice, bob, guideline):
    write(bob, title="Rutin för hembesök", kind=DocumentKind.ROUTINE)
    old = write(bob, title="Gammal mall", kind=DocumentKind.TEMPLATE)
    services.document_set_status(document=old, member=bob, status="archived")

    def listed(**params) -> str:
        html = text(alice_client.get(LIST, params))
        return html.split('<ol class="question-list">')[1].split("</ol>")[0]

    assert "Gammal mall" not in listed()
    assert "Gammal mall" in listed(arkiverade="1")
    assert "Gammal mall" in listed(status="archived")
    assert "Rutin för hembesök" in listed(typ="routine")
    assert TITLE not in listed(typ="routine")
    assert TITLE in listed(amne="barn-och-unga")
    assert "Rutin för hembesök" not in listed(amne="barn-och-unga")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"typ": "roman"}, "There is no such type of document."),
        ({"status": "secret"}, "There is no such status."),
        ({"amne": "finns-inte"}, "There is no such topic."),
        ({"fore": "trasig"}, "The link to more documents is broken. Start again from the top."),
    ],
)
def test_bad_filters_answer_400_in_swedish(alice_client, guideline, params, message):
    response = alice_client.get(LIST, params)
    assert response.status_code == 400
    assert sv(message) in text(response)


def test_the_list_pages_older_and_newer(alice_client, alice):
    for index in range(27):
        write(alice, title=f"Dokument nummer {index}")
    html = text(alice_client.get(LIST))
    assert "Dokument nummer 26" in html and "Dokument nummer 1<" not in html
    older = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    rest = text(alice_client.get(older))
    assert "Dokument nummer 1<" in rest and "Dokument nummer 0<" in rest


# The session, the member, the page of documents (owner, editor and organisations
# joined), their topics, the topics for the filter and the five latest versions. The
# counts per type and per topic are kept in the cache (the first visit counts them).
LIST_QUERIES = 6


def test_the_list_costs_the_same_however_many_documents(
    alice_client, alice, bob, barn, django_assert_num_queries
):
    write(alice, topics=[barn])
    alice_client.get(LIST)
    with django_assert_num_queries(LIST_QUERIES):
        assert alice_client.get(LIST).status_code == 200
    vald = Topic.objects.get(slug="vald")
    for index in range(30):
        document = write(bob if index % 2 else alice, title=f"D {index}", topics=[barn, vald])
        save(document, alice, f"Text {index}.")
    with django_assert_num_queries(LIST_QUERIES):
        assert alice_client.get(LIST).status_code == 200
    with django_assert_num_queries(LIST_QUERIES):
        assert alice_client.get(LIST, {"amne": "vald", "typ": "guideline"}).status_code == 200


# The session, the member and the page of versions (document, writer and organisation joined).
CHANGES_QUERIES = 3


def test_latest_changes_lists_every_save(alice_client, bob, guideline, django_assert_num_queries):
    save(guideline, bob, "Bobs text.", change_note="Förtydligade syftet")
    alice_client.get(CHANGES)
    with django_assert_num_queries(CHANGES_QUERIES):
        response = alice_client.get(CHANGES)
    html = text(response)
    assert "Förtydligade syftet" in html and "Bob Berg" in html and TITLE in html
    assert url("compare", guideline) + "?fran=1&amp;till=2" in html
    for index in range(60):
        save(guideline, bob, f"Text {index}.")
    with django_assert_num_queries(CHANGES_QUERIES):
        html = text(alice_client.get(CHANGES))
    older = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert alice_client.get(older).status_code == 200
    assert alice_client.get(CHANGES, {"fore": "x"}).status_code == 400


# --- Writing ------------------------------------------------------------------------------------


def test_writing_a_document(alice_client, alice, barn):
    assert alice_client.get(CREATE).status_code == 200
    data = form_data(topics=["barn-och-unga"], status="consultation", change_note="Första utkast")
    response = alice_client.post(CREATE, data)
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert (document.owner, document.status, document.version_number) == (alice, "consultation", 1)
    assert list(document.topics.all()) == [barn]
    assert document.versions.get().change_note == "Första utkast"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Give the document a title."),
        ({"title": "x" * 201}, None),
        ({"body": "  "}, "Write a text."),
        ({"change_note": "x" * 201}, None),
        ({"kind": "roman"}, "Choose a type from the list."),
        ({"status": "archived"}, "A new document cannot start out archived."),
        ({"status": "secret"}, "Choose a status from the list."),
        ({"topics": ["finns-inte"]}, None),
    ],
)
def test_bad_input_comes_back_with_400_and_nothing_written(alice_client, fields, message):
    response = alice_client.post(CREATE, form_data(**fields))
    assert response.status_code == 400
    if message:
        assert sv(message) in text(response)
    assert counts() == (0, 0, 0, 0)


def test_a_personal_identity_number_is_refused(alice_client):
    response = alice_client.post(CREATE, form_data(body=f"Barnet {PERSONAL_NUMBER} ska höras."))
    assert response.status_code == 400
    assert sv("Check the text before it is published") in text(response)
    assert counts() == (0, 0, 0, 0)


def test_preview_without_javascript_keeps_the_text_and_writes_nothing(alice_client, guideline):
    body = "Ett stycke med **fetstil** och <script>alert(1)</script>."
    response = alice_client.post(CREATE, form_data(body=body, preview="1"))
    assert response.status_code == 200
    html = text(response)
    assert "<strong>fetstil</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert textarea(html) == body.replace("<", "&lt;").replace(">", "&gt;")
    assert sv("Preview") in html
    assert counts()[:2] == (1, 1)
    # Editing: the preview keeps the version the edit started from.
    edit = url("edit", guideline)
    response = alice_client.post(edit, form_data(guideline, body="Ny *text*", preview="1"))
    html = text(response)
    assert "<em>text</em>" in html and hidden_value(html, "base_version") == "1"
    assert DocumentVersion.objects.count() == 1


def test_preview_with_htmx_answers_only_the_preview(alice_client):
    response = alice_client.post(
        CREATE, {"body": "**fet**", "preview": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = text(response)
    assert "<strong>fet</strong>" in html and "<form" not in html
    assert counts() == (0, 0, 0, 0)


# --- One document -------------------------------------------------------------------------------


def test_the_document_page(alice_client, bob, guideline, lycksele):
    save(guideline, bob, BODY + "\n\nMer text.", change_note="La till")
    services.adoption_record(
        document=guideline,
        member=guideline.owner,
        organisation=lycksele,
        status=AdoptionStatus.ADOPTED,
        decided_by="Socialnämnden",
        decided_on=dt.date(2026, 3, 24),
    )
    services.comment_create(document=guideline, author=bob, body="Bra **början**", version_number=1)
    response = alice_client.get(guideline.get_absolute_url())
    assert response.status_code == 200
    html = text(response)
    assert f'<h1 id="dokument-rubrik">{TITLE}</h1>' in html
    assert sv("Draft") in html and sv("Guideline") in html
    assert "<h2>Syfte</h2>" in html and "Mer text." in html
    assert "Alice Andersson" in html and "Bob Berg" in html
    assert url("history", guideline) in html and url("edit", guideline) in html
    assert url("status", guideline) in html and url("delete", guideline) in html
    assert "Socialnämnden" in html and sv("Adopted as written") in html
    assert html.count(sv("No decision recorded")) == Organisation.objects.count() - 1
    assert "<strong>början</strong>" in html
    assert url("version", guideline, 1) in html
    assert reverse("files:attach", args=["dokument", guideline.pk]) in html


def test_others_do_not_see_status_and_delete_links(bob_client, guideline):
    html = text(bob_client.get(guideline.get_absolute_url()))
    assert url("edit", guideline) in html
    assert url("status", guideline) not in html and url("delete", guideline) not in html


# The session, the member, the document (owner, editor, organisations), its topics,
# its files, the adoptions, the organisations, the variants' files, the comments and
# whether the member follows it.
DETAIL_QUERIES = 10


def test_the_document_page_costs_the_same_however_much_there_is(
    alice_client, alice, bob, carol, guideline, lycksele, storuman, django_assert_num_queries
):
    services.adoption_record(
        document=guideline, member=alice, organisation=lycksele, status=AdoptionStatus.ADOPTED
    )
    services.comment_create(document=guideline, author=bob, body="Första")
    page = guideline.get_absolute_url()
    alice_client.get(page)
    with django_assert_num_queries(DETAIL_QUERIES):
        assert alice_client.get(page).status_code == 200
    for index in range(40):
        save(guideline, bob if index % 2 else carol, f"Text {index}.")
        services.comment_create(
            document=guideline, author=carol, body=f"Kommentar {index}", version_number=index + 1
        )
    for organisation in Organisation.objects.exclude(pk=lycksele.pk)[:5]:
        services.adoption_record(
            document=guideline,
            member=carol,
            organisation=organisation,
            status=AdoptionStatus.VARIANT,
        )
    with django_assert_num_queries(DETAIL_QUERIES):
        assert alice_client.get(page).status_code == 200


# --- Editing and the stale edit -----------------------------------------------------------------


def test_editing_saves_a_new_version(bob_client, bob, guideline):
    response = bob_client.get(url("edit", guideline))
    assert response.status_code == 200
    html = text(response)
    assert hidden_value(html, "base_version") == "1"
    assert "## Syfte" in textarea(html)
    response = bob_client.post(
        url("edit", guideline), form_data(guideline, body="Ny text.", change_note="Kortare")
    )
    assert response.status_code == 302
    guideline.refresh_from_db()
    assert (guideline.version_number, guideline.body, guideline.updated_by) == (2, "Ny text.", bob)
    assert guideline.versions.get(number=2).change_note == "Kortare"


def test_two_members_edit_at_once_the_second_is_refused_and_keeps_their_text(
    alice_client, bob_client, guideline
):
    edit = url("edit", guideline)
    # Both open the form on version 1.
    assert hidden_value(text(alice_client.get(edit)), "base_version") == "1"
    assert hidden_value(text(bob_client.get(edit)), "base_version") == "1"
    bob_text = BODY + "\n\nBob lade till ett stycke om **barnets röst**."
    alice_text = BODY.replace("Alla som arbetar", "Alla anställda som arbetar")
    assert bob_client.post(edit, form_data(guideline, body=bob_text)).status_code == 302
    response = alice_client.post(edit, form_data(guideline, body=alice_text))
    assert response.status_code == 409
    html = text(response)
    assert sv("Someone else saved a new version while you were writing") in html
    # Her own text is kept in the form, now based on Bob's version.
    assert textarea(html) == alice_text
    assert hidden_value(html, "base_version") == "2"
    # What Bob changed is shown as a difference.
    assert re.search(r"<ins>.*barnets röst.*</ins>", html, re.S)
    assert "Bob Berg" in html
    # Bob's text is the document's; nothing of Alice's was written.
    guideline.refresh_from_db()
    assert (guideline.version_number, guideline.body) == (2, bob_text)
    assert DocumentVersion.objects.count() == 2
    # Saving again from the form as it came back is a deliberate choice, and goes through.
    assert alice_client.post(edit, form_data(guideline, body=alice_text)).status_code == 302
    guideline.refresh_from_db()
    assert (guideline.version_number, guideline.body) == (3, alice_text)


def test_a_save_without_a_base_version_is_refused(alice_client, guideline):
    data = form_data(guideline, body="Ny text.")
    del data["base_version"]
    response = alice_client.post(url("edit", guideline), data)
    assert response.status_code == 400
    assert sv("The form lacks the version it was based on. Open the editor again.") in text(
        response
    )
    assert DocumentVersion.objects.count() == 1


def test_a_save_that_changes_nothing_is_refused(alice_client, guideline):
    response = alice_client.post(
        url("edit", guideline), form_data(guideline, topics=["barn-och-unga"])
    )
    assert response.status_code == 400
    assert sv("Nothing has changed: change the text first.") in text(response)


def test_an_archived_document_is_edited_only_by_its_owner_and_moderators(
    alice, bob_client, carol_client, alice_client, guideline
):
    services.document_set_status(document=guideline, member=alice, status="archived")
    assert bob_client.get(url("edit", guideline)).status_code == 403
    response = bob_client.post(url("edit", guideline), form_data(guideline, body="Bob."))
    assert response.status_code == 403
    assert sv("The document is archived: only its owner and moderators can change it.") in text(
        response
    )
    assert carol_client.get(url("edit", guideline)).status_code == 200
    assert alice_client.get(url("edit", guideline)).status_code == 200
    assert DocumentVersion.objects.count() == 1


# --- History, versions, comparing and restoring -------------------------------------------------


# The session, the member, the document and the page of versions (writer and organisation).
HISTORY_QUERIES = 4


def test_the_history_lists_versions_newest_first_and_pages(
    alice_client, bob, guideline, django_assert_num_queries
):
    save(guideline, bob, "Andra.", change_note="Andra versionen")
    page = url("history", guideline)
    alice_client.get(page)
    with django_assert_num_queries(HISTORY_QUERIES):
        html = text(alice_client.get(page))
    assert html.index("Andra versionen") < html.index("Första utkastet")
    assert url("compare", guideline) + "?fran=1&amp;till=2" in html
    for index in range(60):
        save(guideline, bob, f"Text {index}.")
    with django_assert_num_queries(HISTORY_QUERIES):
        html = text(alice_client.get(page))
    assert url("version", guideline, 62) in html and url("version", guideline, 12) not in html
    older = re.search(r'href="([^"]+)" rel="next"', html).group(1)
    assert url("version", guideline, 12) in text(alice_client.get(older))
    assert alice_client.get(page, {"fore": "abc"}).status_code == 400


def test_one_version_reads_as_it_was(alice_client, bob, guideline):
    save(guideline, bob, "Helt ny text.", title="Ny titel")
    response = alice_client.get(url("version", guideline, 1))
    assert response.status_code == 200
    html = text(response)
    assert "<h2>Syfte</h2>" in html and TITLE in html and "Helt ny text." not in html
    assert url("restore", guideline, 1) in html
    assert alice_client.get(url("version", guideline, 3)).status_code == 404
    assert alice_client.get(f"/dokument/{guideline.pk}/version/{10**15}/").status_code == 404


# The session, the member, the document and the two versions.
COMPARE_QUERIES = 4


def test_comparing_two_versions_side_by_side_and_inline(
    alice_client, bob, guideline, django_assert_num_queries
):
    save(guideline, bob, BODY.replace("barn", "barn och unga"))
    page = url("compare", guideline)
    alice_client.get(page)
    with django_assert_num_queries(COMPARE_QUERIES):
        response = alice_client.get(page)
    assert response.status_code == 200
    html = text(response)
    assert 'class="diff-table"' in html
    assert re.search(r"<ins><span[^>]*>[^<]*</span> och unga</ins>", html)
    inline = text(alice_client.get(page, {"fran": 2, "till": 1, "visa": "rad"}))
    assert re.search(r"<del><span[^>]*>[^<]*</span> och unga</del>", inline)
    same = text(alice_client.get(page, {"fran": 1, "till": 1}))
    assert sv("The two versions have the same title and text.") in same
    for index in range(50):
        save(guideline, bob, f"{BODY}\n\nText {index}.")
    with django_assert_num_queries(COMPARE_QUERIES):
        assert alice_client.get(page, {"fran": 3, "till": 40}).status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fran": "abc"}, "Give the versions to compare as numbers, e.g. 1 and 2."),
        ({"till": "-1"}, "Give the versions to compare as numbers, e.g. 1 and 2."),
        ({"fran": "0"}, "Give the versions to compare as numbers, e.g. 1 and 2."),
        ({"fran": "9" * 30}, "Give the versions to compare as numbers, e.g. 1 and 2."),
        ({"fran": "1", "till": "7"}, None),
        ({"visa": "allt"}, "Show the comparison side by side or as one text."),
    ],
)
def test_comparing_with_bad_numbers_is_400(alice_client, guideline, params, message):
    response = alice_client.get(url("compare", guideline), params)
    assert response.status_code == 400
    if message:
        assert sv(message) in text(response)
    else:
        assert "7" in text(response)


def test_restoring_an_old_version(alice_client, bob, guideline):
    save(guideline, bob, "Sämre text.")
    page = url("restore", guideline, 1)
    html = text(alice_client.get(page))
    assert hidden_value(html, "base_version") == "2"
    assert "<ins>" in html and "<del>" in html
    response = alice_client.post(page, {"base_version": 2})
    assert response.status_code == 302
    guideline.refresh_from_db()
    assert (guideline.version_number, guideline.body) == (3, BODY)
    assert guideline.versions.get(number=3).restored_from == 1


def test_a_stale_or_broken_restore_writes_nothing(alice_client, bob, guideline):
    save(guideline, bob, "Sämre text.")
    page = url("restore", guideline, 1)
    response = alice_client.post(page, {"base_version": 1})
    assert response.status_code == 409
    assert hidden_value(text(response), "base_version") == "2"
    assert alice_client.post(page, {"base_version": "x"}).status_code == 400
    assert alice_client.post(page, {}).status_code == 400
    assert alice_client.post(url("restore", guideline, 9), {"base_version": 2}).status_code == 404
    response = alice_client.post(url("restore", guideline, 2), {"base_version": 2})
    assert response.status_code == 400
    assert DocumentVersion.objects.count() == 2


# --- Comments -----------------------------------------------------------------------------------


def test_commenting_on_the_document_and_on_a_version(bob_client, bob, guideline):
    page = url("comment", guideline)
    response = bob_client.post(page, {"body": "Bra **början**", "version": ""})
    assert response.status_code == 302
    on_one = bob_client.post(page, {"body": "Om stycke 2", "version": "1"})
    assert on_one.status_code == 302
    comments = list(DocumentComment.objects.order_by("id"))
    assert [comment.version_id for comment in comments] == [None, guideline.versions.get().pk]
    guideline.refresh_from_db()
    assert guideline.comment_count == 2
    assert response["Location"].endswith(f"#kommentar-{comments[0].pk}")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "Write a text."),
        ({"body": "Hej", "version": "5"}, "The document has no such version."),
        ({"body": "Hej", "version": "x"}, "The document has no such version."),
        ({"body": f"Om {PERSONAL_NUMBER}"}, "Check the text before it is published"),
    ],
)
def test_a_bad_comment_comes_back_with_400(bob_client, guideline, data, message):
    response = bob_client.post(url("comment", guideline), data)
    assert response.status_code == 400
    assert sv(message) in text(response)
    assert DocumentComment.objects.count() == 0


def test_a_phone_number_in_a_comment_needs_confirmation(bob_client, guideline):
    data = {"body": "Ring mig på 070-123 45 67"}
    response = bob_client.post(url("comment", guideline), data)
    assert response.status_code == 400
    assert 'name="confirmed"' in text(response)
    assert (
        bob_client.post(url("comment", guideline), {**data, "confirmed": "on"}).status_code == 302
    )


def test_deleting_a_comment_is_for_its_writer_and_moderators(
    alice_client, bob_client, carol_client, bob, guideline
):
    first = services.comment_create(document=guideline, author=bob, body="Ett")
    second = services.comment_create(document=guideline, author=bob, body="Två")
    delete = reverse("documents:comment_delete", args=[first.pk])
    assert alice_client.get(delete).status_code == 403
    assert alice_client.post(delete).status_code == 403
    assert bob_client.get(delete).status_code == 200
    assert bob_client.post(delete).status_code == 302
    other = reverse("documents:comment_delete", args=[second.pk])
    assert carol_client.post(other).status_code == 302
    guideline.refresh_from_db()
    assert (DocumentComment.objects.count(), guideline.comment_count) == (0, 0)
    assert bob_client.get(delete).status_code == 404


# --- Adoption -----------------------------------------------------------------------------------


def adoption_data(for_organisation, **fields) -> dict:
    data = {
        "organisation": for_organisation.pk,
        "status": AdoptionStatus.ADOPTED,
        "decided_on": "2026-03-24",
        "decided_by": "Socialnämnden",
        "variant_url": "",
        "version_number": "1",
    }
    data.update(fields)
    return data


def test_a_member_records_their_organisations_decision(bob_client, bob, storuman, guideline):
    page = url("adoption", guideline)
    html = text(bob_client.get(page))
    assert 'name="organisation"' in html and 'type="hidden"' in html
    response = bob_client.post(page, adoption_data(storuman))
    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert (adoption.organisation, adoption.recorded_by, adoption.decided_by) == (
        storuman,
        bob,
        "Socialnämnden",
    )
    html = text(bob_client.get(guideline.get_absolute_url()))
    assert "Socialnämnden" in html and "24 mars 2026" in html


def test_a_variant_without_link_or_file_shows_it_is_missing(bob_client, storuman, guideline):
    page = url("adoption", guideline)
    response = bob_client.post(page, adoption_data(storuman, status=AdoptionStatus.VARIANT))
    # Next: attach the variant, on the same page.
    assert response["Location"] == page
    html = text(bob_client.get(page))
    assert reverse("files:attach", args=["variant", Adoption.objects.get().pk]) in html
    html = text(bob_client.get(guideline.get_absolute_url()))
    assert sv("local variant missing") in html


def test_a_member_cannot_record_for_another_organisation(bob_client, lycksele, guideline):
    response = bob_client.post(url("adoption", guideline), adoption_data(lycksele))
    assert response.status_code == 403
    assert sv("You can record the decision of your own organisation only.") in text(response)
    assert not Adoption.objects.exists()
    # ?organisation= is the moderators' choice; for a member it is their own organisation.
    html = text(bob_client.get(url("adoption", guideline), {"organisation": lycksele.pk}))
    assert "Storuman" in html.split("<h1>")[1].split("</h1>")[0]


def test_a_moderator_records_for_any_organisation(carol_client, storuman, guideline):
    page = url("adoption", guideline)
    html = text(carol_client.get(page, {"organisation": storuman.pk}))
    assert "Storuman" in html.split("<h1>")[1].split("</h1>")[0]
    assert '<select name="organisation"' in html
    assert carol_client.post(page, adoption_data(storuman)).status_code == 302
    assert Adoption.objects.get().organisation == storuman
    assert carol_client.get(page, {"organisation": "x"}).status_code == 404
    assert carol_client.get(page, {"organisation": 10**8}).status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "maybe"}, "Choose what was decided."),
        ({"decided_on": "2999-01-01"}, "The date of the decision cannot be in the future."),
        ({"decided_on": "24/3"}, "Give the date as year-month-day, e.g. 2026-03-24."),
        ({"decided_by": "x" * 201}, None),
        (
            {"variant_url": "javascript:alert(1)"},
            "Give a web address starting with https:// or http://.",
        ),
        ({"version_number": "9"}, "The document has no such version."),
        ({"organisation": "999999"}, "Choose an organisation from the list."),
    ],
)
def test_bad_adoption_input_is_400(bob_client, storuman, guideline, fields, message):
    response = bob_client.post(url("adoption", guideline), adoption_data(storuman, **fields))
    assert response.status_code == 400
    if message:
        assert sv(message) in text(response)
    assert not Adoption.objects.exists()


def test_today_is_a_valid_decision_date(bob_client, storuman, guideline):
    today = timezone.localdate().isoformat()
    data = adoption_data(storuman, decided_on=today)
    assert bob_client.post(url("adoption", guideline), data).status_code == 302


# --- Status and deleting ------------------------------------------------------------------------


def test_the_owner_changes_the_status(alice_client, bob_client, guideline):
    page = url("status", guideline)
    assert bob_client.get(page).status_code == 403
    assert bob_client.post(page, {"status": "adopted"}).status_code == 403
    assert alice_client.get(page).status_code == 200
    assert alice_client.post(page, {"status": "nonsense"}).status_code == 400
    assert alice_client.post(page, {"status": "adopted"}).status_code == 302
    guideline.refresh_from_db()
    assert guideline.status == DocumentStatus.ADOPTED


def test_deleting_is_for_the_owner_and_moderators(alice_client, bob_client, carol_client, bob):
    own = write(bob)
    other = write(bob, title="Annan")
    assert alice_client.get(url("delete", own)).status_code == 403
    assert alice_client.post(url("delete", own)).status_code == 403
    assert bob_client.get(url("delete", own)).status_code == 200
    assert bob_client.post(url("delete", own)).status_code == 302
    assert carol_client.post(url("delete", other)).status_code == 302
    assert counts() == (0, 0, 0, 0)


def test_members_of_any_organisation_see_every_document(guideline, db):
    from tests.conftest import client_for

    fou = Organisation.objects.get(slug="fou-valfard")
    outsider = make_member("eva@fou.test", "Eva Ek", fou)
    assert client_for(outsider).get(guideline.get_absolute_url()).status_code == 200


# --- The admin ----------------------------------------------------------------------------------


def test_administrators_see_documents_and_hide_them_in_the_admin(
    admin_client_, alice_client, bob, guideline, lycksele
):
    from kollegan.audit.models import Action, AuditEntry

    save(guideline, bob, "Andra.")
    comment = services.comment_create(document=guideline, author=bob, body="Bra!")
    services.adoption_record(
        document=guideline, member=bob, organisation=bob.organisation, status="adopted"
    )
    for page in (
        "/admin/documents/document/",
        f"/admin/documents/document/{guideline.pk}/change/",
        "/admin/documents/documentcomment/",
        f"/admin/documents/documentcomment/{comment.pk}/change/",
        "/admin/documents/adoption/",
        f"/admin/documents/adoption/{Adoption.objects.get().pk}/change/",
    ):
        assert admin_client_.get(page).status_code == 200, page
    response = admin_client_.post(
        "/admin/documents/document/",
        {"action": "hide", "_selected_action": [guideline.pk]},
    )
    assert response.status_code == 302
    assert alice_client.get(guideline.get_absolute_url()).status_code == 404
    assert AuditEntry.objects.filter(action=Action.CONTENT_HIDDEN).count() == 1
    admin_client_.post(
        "/admin/documents/document/", {"action": "unhide", "_selected_action": [guideline.pk]}
    )
    assert alice_client.get(guideline.get_absolute_url()).status_code == 200
    # Deleting a comment in the admin keeps the document's count right.
    admin_client_.post(f"/admin/documents/documentcomment/{comment.pk}/delete/", {"post": "yes"})
    guideline.refresh_from_db()
    assert (DocumentComment.objects.count(), guideline.comment_count) == (0, 0)


def test_a_versions_page_links_to_a_comment_about_it(alice_client, bob, guideline):
    save(guideline, bob, "Andra.")
    html = text(alice_client.get(url("version", guideline, 1)))
    link = f"{guideline.get_absolute_url()}?kommentera=1#kommentera"
    assert link.replace("&", "&amp;") in html
    html = text(alice_client.get(f"{guideline.get_absolute_url()}?kommentera=1"))
    assert '<option value="1" selected>' in html
    assert alice_client.get(f"{guideline.get_absolute_url()}?kommentera=x").status_code == 200
