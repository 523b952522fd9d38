"""Mina uppgifter → fragor.json: the member's own questions, answers and comments.

Anonymous ones are included and marked: only the member downloads their
export, and they are theirs. Nobody else's anonymous authorship ever is."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollegan.profiles import export
from kollegan.questions import services
from kollegan.questions.models import Report
from kollegan.topics.models import Topic
from tests.conftest import client_for

# Bob's anonymous texts in Alice's threads, and anything naming him. (The title of
# his anonymous question does appear, as the question Alice answered: it says
# nothing about who asked.)
BOB_SECRETS = ("Bob Berg", "bob@storuman.test", "Bobs anonyma svar", "Bobs anonyma kommentar")


def _fragor(member) -> dict:
    response = client_for(member).post(reverse("profiles:my_data"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return json.loads(archive.read("fragor.json").decode("utf-8"))


def _ask(author, title: str, body: str = "En text.", **kwargs):
    return services.question_create(
        author=author,
        title=title,
        body=body,
        topics=list(Topic.objects.filter(slug="vald")),
        **kwargs,
    )


@pytest.fixture
def threads(alice, bob, carol):
    """Alice and Bob each write by name and anonymously, in each other's threads."""
    named = _ask(alice, "Alice frågar med namn")
    secret = _ask(alice, "Alice frågar anonymt", body="Första lydelsen.", anonymous=True)
    services.question_edit(
        question=secret,
        editor=alice,
        title="Alice frågar anonymt",
        body="Andra lydelsen.",
        topics=list(Topic.objects.filter(slug="vald")),
    )
    bobs = _ask(bob, "Bobs anonyma fråga", anonymous=True)
    hidden = _ask(bob, "Bobs dolda fråga")

    # Alice answers Bob's anonymous question anonymously, and the hidden one by name.
    services.answer_create(question=bobs, author=alice, body="Alices anonyma svar", anonymous=True)
    services.answer_create(question=hidden, author=alice, body="Alices svar på den dolda")
    services.content_hide(item=hidden, moderator=carol)
    # Bob answers and comments anonymously in Alice's threads.
    bob_answer = services.answer_create(
        question=secret, author=bob, body="Bobs anonyma svar", anonymous=True
    )
    services.comment_create(
        question=named, author=bob, body="Bobs anonyma kommentar", anonymous=True
    )
    # Alice, the anonymous asker, comments on Bob's answer: anonymous as the asker.
    services.comment_create(question=secret, author=alice, answer=bob_answer, body="Tack, Bob!")
    services.comment_create(question=named, author=alice, body="Alices egen kommentar")

    services.question_follow(question=bobs, member=alice)
    services.content_report(item=bob_answer, reporter=alice, reason="Ser ut som en klient.")
    return {"named": named, "secret": secret, "bobs": bobs, "hidden": hidden}


def test_export_holds_the_members_questions_answers_and_comments(alice, threads):
    data = _fragor(alice)

    questions = {row["title"]: row for row in data["questions"]}
    assert set(questions) == {"Alice frågar med namn", "Alice frågar anonymt"}
    assert questions["Alice frågar med namn"]["anonymous"] is False
    secret = questions["Alice frågar anonymt"]
    assert secret["anonymous"] is True
    assert secret["body"] == "Andra lydelsen."
    assert secret["topics"] == ["Våld"]
    assert [v["body"] for v in secret["earlier_versions"]] == ["Första lydelsen."]

    answers = {row["body"]: row for row in data["answers"]}
    assert set(answers) == {"Alices anonyma svar", "Alices svar på den dolda"}
    assert answers["Alices anonyma svar"]["anonymous"] is True
    assert answers["Alices anonyma svar"]["question"] == {
        "id": threads["bobs"].pk,
        "title": "Bobs anonyma fråga",
    }
    # A question a moderator hid is named by its number only.
    assert answers["Alices svar på den dolda"]["question"] == {
        "id": threads["hidden"].pk,
        "title": None,
    }

    comments = {row["body"]: row for row in data["comments"]}
    assert set(comments) == {"Tack, Bob!", "Alices egen kommentar"}
    assert comments["Tack, Bob!"]["anonymous"] is True
    assert comments["Tack, Bob!"]["by_asker"] is True
    assert comments["Alices egen kommentar"]["anonymous"] is False

    assert [row["question"]["id"] for row in data["following"]] == [threads["bobs"].pk]
    [report] = data["reports"]
    assert report["reason"] == "Ser ut som en klient."
    assert report["status"] == Report.Status.OPEN
    assert "handled_by" not in report


def test_export_has_no_one_elses_anonymous_authorship(alice, bob, threads):
    text = json.dumps(_fragor(alice), ensure_ascii=False)
    for secret in BOB_SECRETS:
        assert secret not in text, secret
    assert '"author' not in text

    # Bob's own export has his anonymous texts, and none of Alice's.
    bobs = _fragor(bob)
    assert {row["title"] for row in bobs["questions"]} == {
        "Bobs anonyma fråga",
        "Bobs dolda fråga",
    }
    assert [row["body"] for row in bobs["answers"]] == ["Bobs anonyma svar"]
    assert [row["body"] for row in bobs["comments"]] == ["Bobs anonyma kommentar"]
    assert all(row["anonymous"] for row in bobs["answers"] + bobs["comments"])
    text = json.dumps(bobs, ensure_ascii=False)
    for alices in ("Alices anonyma svar", "Tack, Bob!", "Första lydelsen", "Andra lydelsen"):
        assert alices not in text, alices


def test_a_member_without_questions_gets_empty_lists(alice):
    assert _fragor(alice) == {
        "questions": [],
        "answers": [],
        "comments": [],
        "following": [],
        "reports": [],
    }


def test_the_section_costs_the_same_queries_however_much_was_written(alice, bob, threads):
    with CaptureQueriesContext(connection) as few:
        export.questions_section(alice)
    for number in range(8):
        question = _ask(alice, f"Ännu en fråga {number}", anonymous=number % 2 == 0)
        answer = services.answer_create(
            question=threads["bobs"], author=alice, body=f"Svar {number}", anonymous=True
        )
        services.answer_edit(answer=answer, editor=alice, body=f"Nytt svar {number}")
        services.comment_create(question=question, author=alice, body=f"Kommentar {number}")
        services.question_follow(question=question, member=alice)
    with CaptureQueriesContext(connection) as many:
        data = export.questions_section(alice)
    assert len(data["answers"]) == 10
    assert len(many) == len(few)
