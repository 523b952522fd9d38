"""/api/v1/questions and /api/v1/answers: Frågor for scripts.

The same services as the pages, so the same rules: the confidentiality guard,
hidden content, and anonymity (no response names or hints at the writer of an
anonymous question, answer or comment, nor their organisation)."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from kollegan.api.services import api_token_create
from kollegan.questions import services
from kollegan.questions.models import AnonymousAuthorship, Answer, Comment, Question
from kollegan.topics.models import Topic
from tests.helpers import bearer, in_swedish, readable

LIST = reverse("api:list_questions")
CREATE = reverse("api:create_question")

# GET /api/v1/questions with a token, however many questions: the token with its
# member, the page of questions (writer and organisation joined), their topics.
LIST_QUERIES = 3
# GET /api/v1/questions/{id}: the token, the question, its topics, the answers, the
# comments, the reader's anonymous authorships in the thread, whether they follow.
DETAIL_QUERIES = 7

PERSONAL_NUMBER = "19121212-1212"
PHONE = "070-123 45 67"


def detail_url(question: Question) -> str:
    return reverse("api:get_question", kwargs={"question_id": question.pk})


def answers_url(question: Question) -> str:
    return reverse("api:create_answer", kwargs={"question_id": question.pk})


def comments_url(answer: Answer) -> str:
    return reverse("api:create_comment", kwargs={"answer_id": answer.pk})


def post(client: Client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


def ask(author, title="Hur gör ni med placeringar?", body="Vi undrar hur ni gör.", **kwargs):
    slugs = kwargs.pop("topics", ["vald"])
    return services.question_create(
        author=author,
        title=title,
        body=body,
        topics=list(Topic.objects.filter(slug__in=slugs)),
        **kwargs,
    )


def answer(question, author, body="Vi gör så här.", **kwargs) -> Answer:
    return services.answer_create(question=question, author=author, body=body, **kwargs)


def comment(question, author, body="Bra fråga.", **kwargs) -> Comment:
    return services.comment_create(question=question, author=author, body=body, **kwargs)


def counts() -> tuple[int, int, int, int]:
    return (
        Question.objects.count(),
        Answer.objects.count(),
        Comment.objects.count(),
        AnonymousAuthorship.objects.count(),
    )


# --- Who may call -------------------------------------------------------------------------------


@pytest.fixture
def operations(alice):
    """Every operation as (method, path, body) on one visible thread."""
    question = ask(alice)
    reply = answer(question, alice)
    body = {"body": "En text."}
    return [
        ("get", LIST, None),
        ("post", CREATE, {**body, "title": "En ny fråga", "topics": ["vald"]}),
        ("get", detail_url(question), None),
        ("post", answers_url(question), body),
        ("post", comments_url(reply), body),
    ]


def call(client: Client, method: str, path: str, body: dict | None):
    if method == "get":
        return client.get(path)
    return post(client, path, body)


def test_visitor_is_401_everywhere(operations):
    before = counts()
    for method, path, body in operations:
        response = call(Client(), method, path, body)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert counts() == before


def test_deactivated_members_token_and_session_are_401(operations, dave, dave_client):
    secret = api_token_create(member=dave, name="Gammalt")[1]
    before = counts()
    for method, path, body in operations:
        assert call(Client(headers=bearer(secret)), method, path, body).status_code == 401, path
        assert call(dave_client, method, path, body).status_code == 401, path
    assert counts() == before


def test_a_session_works_too(operations, bob_client):
    expected = [200, 201, 200, 201, 201]
    for (method, path, body), status in zip(operations, expected, strict=True):
        assert call(bob_client, method, path, body).status_code == status, path


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_questions_with_their_facts(bob_api, alice, lycksele):
    question = ask(alice, topics=["vald", "barn-och-unga"])
    answer(question, alice)
    response = bob_api.get(LIST)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["page"] == 1
    assert data["has_next"] is False
    [item] = data["items"]
    question.refresh_from_db()
    assert item == {
        "id": question.pk,
        "title": "Hur gör ni med placeringar?",
        "excerpt": "Vi undrar hur ni gör.",
        "topics": [
            {"slug": "barn-och-unga", "name": "Barn och unga"},
            {"slug": "vald", "name": "Våld"},
        ],
        "answer_count": 1,
        "solved": False,
        "created_at": item["created_at"],
        "last_activity_at": item["last_activity_at"],
        "anonymous": False,
        "author": {"id": alice.pk, "name": "Alice Andersson"},
        "organisation": {"id": lycksele.pk, "name": lycksele.name},
        "url": question.get_absolute_url(),
    }
    # ISO 8601, to the millisecond.
    for field in ("created_at", "last_activity_at"):
        written = parse_datetime(item[field])
        assert abs(written - getattr(question, field)) < timedelta(milliseconds=1)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_list_filters_and_sorts_like_the_page(bob_api, alice, bob):
    old = ask(alice, title="Gammal fråga om våld", topics=["vald"])
    new = ask(bob, title="Ny fråga om missbruk", topics=["missbruk-och-beroende"])
    answer(old, bob)  # the old question now has the latest activity
    assert titles(bob_api.get(LIST)) == [old.title, new.title]
    assert titles(bob_api.get(LIST, {"visa": "nyast"})) == [new.title, old.title]
    assert titles(bob_api.get(LIST, {"sort": "nyast"})) == [new.title, old.title]
    assert titles(bob_api.get(LIST, {"visa": "obesvarade"})) == [new.title]
    assert titles(bob_api.get(LIST, {"amne": "vald"})) == [old.title]
    assert titles(bob_api.get(LIST, {"topic": "missbruk-och-beroende"})) == [new.title]
    assert titles(bob_api.get(LIST, {"organisation": "storuman"})) == [new.title]
    assert titles(bob_api.get(LIST, {"organisation": "storuman", "amne": "vald"})) == []
    # An unknown order falls back to the default, as an old link on the page does.
    assert titles(bob_api.get(LIST, {"visa": "okänd"})) == [old.title, new.title]


def test_list_leaves_out_hidden_questions(bob_api, alice, carol):
    shown = ask(alice, title="En synlig fråga")
    hidden = ask(alice, title="En dold fråga")
    services.content_hide(item=hidden, moderator=carol)
    assert titles(bob_api.get(LIST)) == [shown.title]


def _many(alice, bob, count: int) -> None:
    for number in range(count):
        question = ask(
            alice if number % 2 else bob,
            title=f"Fråga nummer {number}",
            topics=["vald", "barn-och-unga"],
            anonymous=number % 3 == 0,
        )
        answer(question, bob)


def test_list_pages(bob_api, alice, bob):
    _many(alice, bob, 23)
    first = bob_api.get(LIST).json()
    assert (len(first["items"]), first["page"], first["has_next"]) == (20, 1, True)
    second = bob_api.get(LIST, {"sida": 2}).json()
    assert (len(second["items"]), second["page"], second["has_next"]) == (3, 2, False)
    assert bob_api.get(LIST, {"page": 2}).json() == second
    assert {item["id"] for item in first["items"]}.isdisjoint(
        item["id"] for item in second["items"]
    )


def test_invalid_page_is_422(bob_api):
    response = bob_api.get(LIST, {"sida": 0})
    assert response.status_code == 422
    assert response.json()["detail"] == "Anropet innehåller ogiltiga uppgifter."


@pytest.mark.parametrize("count", [2, 25])
def test_list_query_count_does_not_grow(count, bob_api, alice, bob, django_assert_num_queries):
    _many(alice, bob, count)
    with django_assert_num_queries(LIST_QUERIES):
        response = bob_api.get(LIST)
    assert len(titles(response)) == min(count, 20)
    # A topic costs one query more: how common it is decides how to find its page.
    with django_assert_num_queries(LIST_QUERIES + 1):
        response = bob_api.get(LIST, {"visa": "nyast", "amne": "vald", "organisation": "lycksele"})
    assert titles(response)


# --- Asking -------------------------------------------------------------------------------------


def test_asking_by_name_returns_201_with_the_question(alice_api, alice, lycksele):
    response = post(
        alice_api,
        CREATE,
        {
            "title": "  Hur   följer ni upp?  ",
            "body": "Vi vill **veta** mer.",
            "topics": ["vald", "barn-och-unga"],
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    question = Question.objects.get()
    assert data["id"] == question.pk
    assert data["title"] == "Hur följer ni upp?"
    assert data["body"] == "Vi vill **veta** mer."
    assert data["body_html"] == "<p>Vi vill <strong>veta</strong> mer.</p>\n"
    assert {topic["slug"] for topic in data["topics"]} == {"vald", "barn-och-unga"}
    assert data["anonymous"] is False
    assert data["author"] == {"id": alice.pk, "name": "Alice Andersson"}
    assert data["organisation"] == {"id": lycksele.pk, "name": lycksele.name}
    assert data["yours"] is True
    assert (data["answers"], data["comments"], data["hidden"]) == ([], [], False)
    assert data["url"] == question.get_absolute_url()
    assert question.author == alice
    assert question.organisation == lycksele


def test_asking_anonymously_stores_no_author(alice_api, alice):
    response = post(
        alice_api,
        CREATE,
        {"title": "En anonym fråga", "body": "Text.", "topics": ["vald"], "anonymous": True},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["anonymous"], data["author"], data["organisation"]) == (True, None, None)
    # Only the asker is told the question is theirs.
    assert data["yours"] is True
    question = Question.objects.get()
    assert (question.author, question.organisation, question.is_anonymous) == (None, None, True)
    assert AnonymousAuthorship.objects.get().member == alice


def refused(response, field: str) -> list[str]:
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["detail"]
    return data["errors"][field]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"body": ""}, "body", "Write a text."),
        ({"body": "   \n "}, "body", "Write a text."),
        ({"title": "Hej"}, "title", None),
        ({"topics": []}, "topics", "Choose at least one topic."),
        ({"body": "x" * 100_000}, "body", None),
    ],
)
def test_asking_with_bad_input_is_422_and_saves_nothing(alice_api, alice, change, field, message):
    data = {"title": "En bra rubrik", "body": "Text.", "topics": ["vald"], **change}
    response = post(alice_api, CREATE, data)
    errors = refused(response, field)
    if message:
        assert errors == [in_swedish(message)]
    assert counts() == (0, 0, 0, 0)


def test_a_100000_character_body_is_refused_by_the_service(alice_api, alice):
    response = post(
        alice_api, CREATE, {"title": "En bra rubrik", "body": "x" * 100_000, "topics": ["vald"]}
    )
    [message] = refused(response, "body")
    assert "100000" in message
    assert response.json()["detail"] == message


def test_unknown_topics_are_named_in_the_refusal(alice_api, alice):
    response = post(
        alice_api,
        CREATE,
        {"title": "En bra rubrik", "body": "Text.", "topics": ["vald", "finns-inte", "ej-heller"]},
    )
    [message] = refused(response, "topics")
    assert "finns-inte" in message
    assert "ej-heller" in message
    assert "vald" not in message
    assert counts() == (0, 0, 0, 0)


def test_a_missing_field_is_422(alice_api, alice):
    response = post(alice_api, CREATE, {"body": "Text.", "topics": ["vald"]})
    assert response.status_code == 422
    assert response.json()["detail"] == "Anropet innehåller ogiltiga uppgifter."
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_personal_identity_number_is_refused_even_when_confirmed(alice_api, alice, anonymous):
    response = post(
        alice_api,
        CREATE,
        {
            "title": "En fråga om ett barn",
            "body": f"Barnet har personnummer {PERSONAL_NUMBER}.",
            "topics": ["vald"],
            "anonymous": anonymous,
            "confirm_identifying_details": True,
        },
    )
    assert response.status_code == 422
    data = response.json()
    assert data["needs_confirmation"] is False
    assert data["detail"]
    [finding] = data["confidentiality"]
    assert finding["kind"] == "personal_number"
    assert finding["blocking"] is True
    assert finding["text"] == "19121212-XXXX"
    assert finding["label"]
    assert finding["explanation"]
    # Never repeated in full, not even to its writer.
    assert "1212-1212" not in response.content.decode()
    assert counts() == (0, 0, 0, 0)


def test_a_phone_number_needs_confirmation(alice_api, alice):
    data = {
        "title": "Vem ringer man?",
        "body": f"Vi har fått samtal från {PHONE}.",
        "topics": ["vald"],
    }
    response = post(alice_api, CREATE, data)
    assert response.status_code == 422
    refusal = response.json()
    assert refusal["needs_confirmation"] is True
    assert [(f["kind"], f["text"], f["blocking"]) for f in refusal["confidentiality"]] == [
        ("phone", PHONE, False)
    ]
    assert counts() == (0, 0, 0, 0)

    response = post(alice_api, CREATE, {**data, "confirm_identifying_details": True})
    assert response.status_code == 201, response.content
    assert PHONE in Question.objects.get().body


# --- One question -------------------------------------------------------------------------------


@pytest.fixture
def thread_data(alice, bob, carol):
    """Alice's named question; Bob's answer with comments; Carol's anonymous answer;
    a comment from Alice on her own question."""
    question = ask(alice, body="Vi undrar *hur* ni gör.")
    bobs = answer(question, bob, body="Så här gör vi.")
    comment(question, alice, answer=bobs, body="Tack!")
    carols = answer(question, carol, body="Vi gör tvärtom.", anonymous=True)
    comment(question, alice, body="Jag förtydligar.")
    return question, bobs, carols


def test_one_question_with_answers_and_comments(bob_api, alice, bob, storuman, thread_data):
    question, bobs, carols = thread_data
    response = bob_api.get(detail_url(question))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == question.pk
    assert data["body"] == "Vi undrar *hur* ni gör."
    assert data["body_html"] == "<p>Vi undrar <em>hur</em> ni gör.</p>\n"
    assert data["answer_count"] == 2
    assert (data["yours"], data["following"], data["hidden"]) == (False, False, False)
    first, second = data["answers"]
    assert first["id"] == bobs.pk
    assert first["body"] == "Så här gör vi."
    assert first["body_html"] == "<p>Så här gör vi.</p>\n"
    assert first["author"] == {"id": bob.pk, "name": "Bob Berg"}
    assert first["organisation"] == {"id": storuman.pk, "name": storuman.name}
    assert (first["yours"], first["by_asker"], first["anonymous"]) == (True, False, False)
    assert first["is_helpful"] is False
    [thanks] = first["comments"]
    assert (thanks["body"], thanks["by_asker"], thanks["yours"]) == ("Tack!", True, False)
    assert thanks["author"]["id"] == alice.pk
    assert second["id"] == carols.pk
    assert (second["anonymous"], second["author"], second["organisation"]) == (True, None, None)
    assert second["yours"] is False
    assert second["comments"] == []
    [on_question] = data["comments"]
    assert on_question["body"] == "Jag förtydligar."
    assert (
        on_question["url"] == on_question["url"].split("#")[0] + f"#kommentar-{on_question['id']}"
    )


def test_yours_is_set_for_the_reader_alone(carol_api, thread_data):
    question, _bobs, _carols = thread_data
    data = carol_api.get(detail_url(question)).json()
    assert [a["yours"] for a in data["answers"]] == [False, True]
    assert data["answers"][1]["author"] is None


def test_unknown_question_is_404_in_swedish(bob_api, db):
    response = bob_api.get(reverse("api:get_question", kwargs={"question_id": 999999}))
    assert response.status_code == 404
    assert response.json() == {"detail": "Hittades inte."}


def test_hidden_question_is_404_except_for_moderators_and_its_asker(
    alice_api, bob_api, carol_api, alice, carol
):
    question = ask(alice, anonymous=True)
    services.content_hide(item=question, moderator=carol, reason="Personuppgifter")
    assert bob_api.get(detail_url(question)).status_code == 404
    for client in (alice_api, carol_api):
        response = client.get(detail_url(question))
        assert response.status_code == 200
        assert response.json()["hidden"] is True


def test_hidden_answers_and_comments_have_no_text_except_for_moderators(
    bob_api, carol_api, carol, thread_data
):
    question, bobs, _carols = thread_data
    services.content_hide(item=bobs, moderator=carol)
    services.content_hide(item=question.comments.get(answer=None), moderator=carol)
    data = bob_api.get(detail_url(question)).json()
    hidden = data["answers"][0]
    assert (hidden["hidden"], hidden["body"], hidden["body_html"]) == (True, None, None)
    assert "Så här gör vi." not in json.dumps(data, ensure_ascii=False)
    assert (data["comments"][0]["body"], data["comments"][0]["hidden"]) == (None, True)
    assert data["answer_count"] == 1
    moderated = carol_api.get(detail_url(question)).json()
    assert moderated["answers"][0]["body"] == "Så här gör vi."
    assert moderated["answers"][0]["hidden"] is True
    assert moderated["comments"][0]["body"] == "Jag förtydligar."


@pytest.mark.parametrize("answers", [1, 12])
def test_detail_query_count_does_not_grow(
    answers, bob_api, alice, bob, carol, django_assert_num_queries
):
    question = ask(alice, anonymous=True)
    comment(question, alice, body="Förtydligande.")
    for number in range(answers):
        writer = (bob, carol)[number % 2]
        reply = answer(question, writer, body=f"Svar {number}", anonymous=number % 3 == 0)
        comment(question, alice, answer=reply, body="Tack.")
        comment(question, writer, answer=reply, body="Varsågod.", anonymous=True)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = bob_api.get(detail_url(question))
    assert len(response.json()["answers"]) == answers


# --- Anonymity ----------------------------------------------------------------------------------


def test_anonymous_question_hides_alice_in_list_and_detail(bob_api, alice, bob, lycksele):
    question = ask(alice, title="Anonym fråga om placeringar", anonymous=True)
    # In her own anonymous thread, Alice is "the asker", never named.
    mine = answer(question, alice, body="Jag lägger till en sak.")
    comment(question, alice, answer=mine, body="Och en till.")
    comment(question, alice, body="Ett förtydligande.")
    answer(question, bob, body="Ett svar från Bob.")

    listed = bob_api.get(LIST)
    shown = bob_api.get(detail_url(question))
    assert listed.status_code == shown.status_code == 200
    for response in (listed, shown):
        text = readable(response)
        for secret in ("Alice Andersson", "alice@lycksele.test", lycksele.name, "Lycksele"):
            assert secret not in text

    [item] = listed.json()["items"]
    assert (item["anonymous"], item["author"], item["organisation"]) == (True, None, None)

    data = shown.json()
    assert (data["author"], data["organisation"], data["yours"]) == (None, None, False)
    writers = [data, *data["comments"]]
    for reply in data["answers"]:
        writers += [reply, *reply["comments"]]
    named = [w for w in writers if w["author"] is not None]
    assert [w["author"]["id"] for w in named] == [bob.pk]
    assert alice.pk not in {w["author"]["id"] for w in named}
    assert all(w["organisation"] is None for w in writers if w not in named)
    asker_items = [w for w in writers[1:] if w.get("by_asker")]
    assert len(asker_items) == 3
    assert all(w["anonymous"] and w["author"] is None for w in asker_items)


# --- Answering ----------------------------------------------------------------------------------


def test_answering_returns_201_and_counts(bob_api, alice, bob, storuman):
    question = ask(alice)
    response = post(bob_api, answers_url(question), {"body": "Vi gör **så**."})
    assert response.status_code == 201, response.content
    data = response.json()
    reply = Answer.objects.get()
    assert data["id"] == reply.pk
    assert data["body_html"] == "<p>Vi gör <strong>så</strong>.</p>\n"
    assert data["author"] == {"id": bob.pk, "name": "Bob Berg"}
    assert data["organisation"] == {"id": storuman.pk, "name": storuman.name}
    assert (data["yours"], data["by_asker"], data["comments"]) == (True, False, [])
    question.refresh_from_db()
    assert question.answer_count == 1


def test_answering_anonymously(bob_api, alice, bob):
    question = ask(alice)
    response = post(bob_api, answers_url(question), {"body": "Anonymt svar.", "anonymous": True})
    assert response.status_code == 201
    data = response.json()
    assert (data["anonymous"], data["author"], data["organisation"]) == (True, None, None)
    assert "Bob" not in readable(response)
    assert Answer.objects.get().author is None
    assert AnonymousAuthorship.objects.get(answer__isnull=False).member == bob


def test_the_anonymous_asker_stays_anonymous_in_their_thread(alice_api, alice):
    question = ask(alice, anonymous=True)
    response = post(alice_api, answers_url(question), {"body": "Jag igen.", "anonymous": False})
    assert response.status_code == 201
    data = response.json()
    assert (data["anonymous"], data["by_asker"], data["author"]) == (True, True, None)


def test_answering_with_bad_input_is_422(bob_api, alice):
    question = ask(alice)
    before = counts()
    assert refused(post(bob_api, answers_url(question), {"body": ""}), "body") == [
        in_swedish("Write a text.")
    ]
    refused(post(bob_api, answers_url(question), {"body": "x" * 100_000}), "body")
    response = post(
        bob_api,
        answers_url(question),
        {"body": f"Ring {PERSONAL_NUMBER}", "confirm_identifying_details": True},
    )
    assert response.status_code == 422
    assert response.json()["confidentiality"][0]["blocking"] is True
    response = post(bob_api, answers_url(question), {"body": f"Ring {PHONE}"})
    assert response.json()["needs_confirmation"] is True
    assert counts() == before
    question.refresh_from_db()
    assert question.answer_count == 0
    response = post(
        bob_api,
        answers_url(question),
        {"body": f"Ring {PHONE}", "confirm_identifying_details": True},
    )
    assert response.status_code == 201


def test_answering_a_hidden_question_is_404_or_403(alice_api, bob_api, carol_api, alice, carol):
    question = ask(alice)
    services.content_hide(item=question, moderator=carol)
    before = counts()
    # Bob cannot see it: for him it does not exist.
    response = post(bob_api, answers_url(question), {"body": "Ett svar."})
    assert response.status_code == 404
    # The asker and the moderators see it, and are told why they cannot answer.
    for client in (alice_api, carol_api):
        response = post(client, answers_url(question), {"body": "Ett svar."})
        assert response.status_code == 403
        assert response.json() == {
            "detail": in_swedish("This has been hidden by a moderator and cannot be changed.")
        }
    assert counts() == before


def test_answering_an_unknown_question_is_404(bob_api, db):
    url = reverse("api:create_answer", kwargs={"question_id": 999999})
    assert post(bob_api, url, {"body": "Ett svar."}).status_code == 404


# --- Commenting ---------------------------------------------------------------------------------


def test_commenting_on_an_answer(alice_api, alice, bob):
    question = ask(alice)
    reply = answer(question, bob)
    response = post(alice_api, comments_url(reply), {"body": "Tack för *svaret*."})
    assert response.status_code == 201, response.content
    data = response.json()
    made = Comment.objects.get()
    assert (made.answer, made.question) == (reply, question)
    assert data["id"] == made.pk
    assert data["body_html"] == "<p>Tack för <em>svaret</em>.</p>\n"
    assert (data["by_asker"], data["yours"], data["anonymous"]) == (True, True, False)
    assert data["author"]["id"] == alice.pk


def test_commenting_anonymously(bob_api, alice, bob, carol):
    question = ask(alice)
    reply = answer(question, carol)
    response = post(bob_api, comments_url(reply), {"body": "Håller med.", "anonymous": True})
    assert response.status_code == 201
    data = response.json()
    assert (data["anonymous"], data["author"], data["organisation"]) == (True, None, None)
    assert Comment.objects.get().author is None


def test_commenting_with_bad_input_is_422(bob_api, alice):
    reply = answer(ask(alice), alice)
    before = counts()
    refused(post(bob_api, comments_url(reply), {"body": " "}), "body")
    refused(post(bob_api, comments_url(reply), {"body": "x" * 100_000}), "body")
    response = post(
        bob_api,
        comments_url(reply),
        {"body": f"Pnr {PERSONAL_NUMBER}", "confirm_identifying_details": True, "anonymous": True},
    )
    assert response.status_code == 422
    assert response.json()["needs_confirmation"] is False
    assert counts() == before


def test_commenting_on_hidden_things(alice_api, bob_api, carol_api, alice, bob, carol):
    question = ask(alice)
    reply = answer(question, bob)
    services.content_hide(item=reply, moderator=carol)
    before = counts()
    # The answer shows as hidden in the thread, so it is no secret that it exists.
    response = post(alice_api, comments_url(reply), {"body": "En kommentar."})
    assert response.status_code == 403
    assert response.json()["detail"]
    services.content_restore(item=reply, moderator=carol)
    services.content_hide(item=question, moderator=carol)
    assert post(bob_api, comments_url(reply), {"body": "En kommentar."}).status_code == 404
    assert post(carol_api, comments_url(reply), {"body": "En kommentar."}).status_code == 403
    assert counts() == before


def test_commenting_on_an_unknown_answer_is_404(bob_api, db):
    url = reverse("api:create_comment", kwargs={"answer_id": 999999})
    assert post(bob_api, url, {"body": "En kommentar."}).status_code == 404


# --- The OpenAPI document -----------------------------------------------------------------------


def test_openapi_lists_the_operations(alice_api):
    paths = alice_api.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/questions"]) == {"get", "post"}
    assert "/api/v1/questions/{question_id}" in paths
    assert "/api/v1/questions/{question_id}/answers" in paths
    assert "/api/v1/answers/{answer_id}/comments" in paths
