"""Frågor's pages: the list, asking, a thread, editing, history, reports and the
moderators' queue.

Every bad input answers 4xx with nothing saved; anonymous questions, answers and
comments reveal nothing about their writer in any page another member sees; the
list, the thread and the topic page cost the same number of queries however much
they hold."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from kollegan.audit.models import Action, AuditEntry
from kollegan.questions import services
from kollegan.questions.models import (
    BODY_MAX,
    Answer,
    Comment,
    Follow,
    Question,
    Report,
    Revision,
)
from kollegan.topics.models import Topic
from tests.conftest import client_for

LIST = reverse("questions:list")
ASK = reverse("questions:ask")

PERSONAL_NUMBER = "19121212-1212"
PHONE = "070-123 45 67"

# A logged-in page costs the session and the member; the menu and site settings are
# cached after the first request (made before every count below).
# The list: its page of questions, their topics, and the filter form's topics and
# organisations.
LIST_QUERIES = 6
# Filtered by topic, one more: how common the topic is decides how its page is found
# (kollegan.questions.selectors._in_topic).
TOPIC_FILTER_QUERIES = LIST_QUERIES + 1
# The thread: the question, its topics, answers, comments, the reader's anonymous
# authorships in the thread, whether they follow, its attached files.
DETAIL_QUERIES = 9
# The topic page: the topic, its colleagues, how common it is, its questions and
# their topics.
TOPIC_QUERIES = 7


def shown(msgid: str) -> str:
    """What the Swedish page shows for an English source string (the source text
    itself until the translators have been)."""
    with translation.override("sv"):
        return translation.gettext(msgid)


def answers_text(count: int) -> str:
    with translation.override("sv"):
        return translation.ngettext("%(counter)s answer", "%(counter)s answers", count) % {
            "counter": count
        }


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def vald(db) -> Topic:
    return Topic.objects.get(slug="vald")


def ask(author, title="Tips på placering mor och barn", body="Vi söker tips.", **kwargs):
    kwargs.setdefault("topics", [Topic.objects.get(slug="barn-och-unga")])
    return services.question_create(author=author, title=title, body=body, **kwargs)


def text(response) -> str:
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    """The <section> labelled by ``heading_id`` (sections in these pages do not nest)."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, flags=re.S
    )
    assert match, f"no section {heading_id}"
    return match.group()


def assert_reveals_nothing_about(html: str, member) -> None:
    for clue in (
        member.name,
        member.email,
        member.organisation.name,
        member.get_absolute_url(),
        member.name.split()[0],
    ):
        assert clue not in html, f"{clue!r} appears in the page"


# --- The list ------------------------------------------------------------------------------------


def test_list_shows_title_topics_excerpt_answer_count_and_solved(alice_client, alice, bob, barn):
    question = ask(bob, title="Försörjningsansvar mellan makar", body="Hur gör ni **här**?")
    for _ in range(3):
        answer = services.answer_create(question=question, author=alice, body="Så här gör vi.")
    services.answer_mark_helpful(answer=answer, member=bob)
    response = alice_client.get(LIST)
    assert response.status_code == 200
    html = text(response)
    assert "Försörjningsansvar mellan makar" in html
    assert "Hur gör ni här?" in html  # the excerpt, as plain text
    assert answers_text(3) in html
    assert shown("Solved") in html
    assert f'href="{LIST}?amne=barn-och-unga"' in html
    assert question.get_absolute_url() in html
    assert f'href="{ASK}"' in html


def test_list_tabs_and_filters(alice_client, alice, bob, barn, vald, storuman):
    answered = ask(bob, title="Besvarad fråga om våld", topics=[vald])
    services.answer_create(question=answered, author=alice, body="Svar")
    unanswered = ask(alice, title="Obesvarad fråga om barn", topics=[barn])

    html = text(alice_client.get(LIST, {"visa": "obesvarade"}))
    assert unanswered.title in html and answered.title not in html
    assert 'aria-current="page"' in html

    html = text(alice_client.get(LIST, {"amne": "vald"}))
    assert answered.title in html and unanswered.title not in html

    html = text(alice_client.get(LIST, {"organisation": storuman.slug}))
    assert answered.title in html and unanswered.title not in html
    assert f'<option value="{storuman.slug}" selected>' in html

    # An old or mistyped link still answers: nothing matches, no error.
    response = alice_client.get(LIST, {"amne": "finns-inte", "visa": "konstig", "sida": "x"})
    assert response.status_code == 200


def test_list_pages_newer_and_older(alice_client, bob):
    for number in range(21):
        ask(bob, title=f"Fråga nummer {number:02d}")
    first = text(alice_client.get(LIST))
    assert "sida=2" in first and 'rel="prev"' not in first
    second = text(alice_client.get(LIST, {"sida": 2}))
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "Fråga nummer 00" in second


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow(
    count, alice_client, alice, bob, barn, vald, django_assert_num_queries
):
    for number in range(count):
        ask(
            bob if number % 2 else alice,
            title=f"Fråga {number}",
            topics=[barn, vald],
            anonymous=number % 3 == 0,
        )
    alice_client.get(LIST)
    with django_assert_num_queries(LIST_QUERIES):
        response = alice_client.get(LIST)
    assert response.status_code == 200
    with django_assert_num_queries(TOPIC_FILTER_QUERIES):
        alice_client.get(LIST, {"visa": "nyast", "amne": "vald", "sida": 1})


def test_visitor_and_deactivated_member_are_sent_to_log_in(client, dave_client, bob):
    question = ask(bob)
    for browser in (client, dave_client):
        for url in (LIST, question.get_absolute_url(), ASK):
            response = browser.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))


# --- Asking --------------------------------------------------------------------------------------


def test_ask_form_has_labelled_fields_topics_in_a_fieldset_and_similar_suggestions(alice_client):
    response = alice_client.get(ASK, {"amne": "vald"})
    assert response.status_code == 200
    html = text(response)
    assert '<label for="id_title">' in html
    assert '<label for="id_body">' in html
    assert re.search(r"<fieldset[^>]*>\s*<legend>[^<]+</legend>", html)
    assert 'name="topics" value="vald"' in html and re.search(r'value="vald"[^>]*checked', html)
    assert 'name="anonymous"' in html
    assert shown("Ask the question anonymously") in html
    # The confirmation box appears only once the guard has found something.
    assert 'name="confirmed"' not in html
    assert f'hx-get="{reverse("questions:similar")}"' in html
    assert 'hx-target="#similar-questions"' in html
    assert "style=" not in html and "<script>" not in html


def test_asking_publishes_and_redirects_to_the_question(alice_client, alice, lycksele):
    response = alice_client.post(
        ASK,
        {
            "title": "Du-utredning i kommunerna?",
            "body": "Skriver ni i du-form?",
            "topics": ["barn-och-unga", "vald"],
        },
    )
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == question.get_absolute_url()
    assert question.author == alice and question.organisation == lycksele
    assert sorted(t.slug for t in question.topics.all()) == ["barn-och-unga", "vald"]
    page = text(alice_client.get(response["Location"]))
    assert shown("Your question is published.") in page


def test_asking_anonymously_stores_no_author(alice_client, alice):
    alice_client.post(
        ASK,
        {
            "title": "Omprövning LVU 3 §",
            "body": "Efter överklagan.",
            "topics": ["barn-och-unga"],
            "anonymous": "on",
        },
    )
    question = Question.objects.get()
    assert question.is_anonymous and question.author is None and question.organisation is None
    assert services.is_writer(alice, question)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "Text", "topics": ["vald"]}, "title"),
        ({"title": "Fråga", "body": "", "topics": ["vald"]}, "body"),
        ({"title": "En bra fråga", "body": "   ", "topics": ["vald"]}, "body"),
        ({"title": "En bra fråga", "body": "x" * 100_000, "topics": ["vald"]}, "body"),
        ({"title": "x" * 300, "body": "Text", "topics": ["vald"]}, "title"),
        ({"title": "En bra fråga", "body": "Text", "topics": []}, "topics"),
        ({"title": "En bra fråga", "body": "Text", "topics": ["finns-inte"]}, "topics"),
        (
            {
                "title": "En bra fråga",
                "body": "Text",
                "topics": [
                    "vald",
                    "barn-och-unga",
                    "heder",
                    "familjeratt",
                    "ovrigt",
                    "missbruk-och-beroende",
                ],
            },
            "topics",
        ),
    ],
)
def test_bad_question_is_refused_with_400_and_nothing_saved(alice_client, data, field):
    response = alice_client.post(ASK, data)
    assert response.status_code == 400
    assert not Question.objects.exists()
    html = text(response)
    assert 'role="alert"' in html
    # The summary links to the field in error, and the field says it is in error.
    anchor = "id_topics_0" if field == "topics" else f"id_{field}"
    assert f'href="#{anchor}"' in html
    assert f'id="id_{field}_error"' in html
    # What was typed comes back.
    if data["title"]:
        assert data["title"][:50] in html


def test_too_long_body_says_how_long_it_is(alice_client):
    response = alice_client.post(
        ASK, {"title": "En bra fråga", "body": "x" * 100_000, "topics": ["vald"]}
    )
    assert response.status_code == 400
    assert str(BODY_MAX) in text(response).replace("\xa0", "").replace(" ", "")


def test_personal_number_is_refused_and_never_repeated(alice_client):
    response = alice_client.post(
        ASK,
        {
            "title": "Placering av barn",
            "body": f"Gäller {PERSONAL_NUMBER}, vad gör vi?",
            "topics": ["barn-och-unga"],
        },
    )
    assert response.status_code == 400
    assert not Question.objects.exists()
    html = text(response)
    assert 'role="alert"' in html
    assert "121212-XXXX" in html
    assert "1212-1212" not in html.replace(f"Gäller {PERSONAL_NUMBER}", "")
    assert shown("The text cannot be published with it.") in html


def test_personal_number_in_the_title_is_refused_too(alice_client):
    response = alice_client.post(
        ASK, {"title": "Om 811218-9876", "body": "Text", "topics": ["barn-och-unga"]}
    )
    assert response.status_code == 400
    assert not Question.objects.exists()


def test_phone_number_needs_the_confirmation_box(alice_client):
    data = {
        "title": "Kontakt med familjehem",
        "body": f"Ring {PHONE} om du vet.",
        "topics": ["barn-och-unga"],
    }
    response = alice_client.post(ASK, data)
    assert response.status_code == 400
    assert not Question.objects.exists()
    html = text(response)
    assert PHONE in html  # shown back to the writer, and kept in the text box
    assert 'name="confirmed"' in html
    assert 'href="#id_confirmed"' in html

    response = alice_client.post(ASK, {**data, "confirmed": "on"})
    assert response.status_code == 302
    assert Question.objects.get().body == f"Ring {PHONE} om du vet."


def test_similar_questions_fragment(alice_client, bob):
    question = ask(bob, title="Ekonomiskt bistånd till fritidsaktiviteter")
    ask(bob, title="Något helt annat")
    response = alice_client.get(reverse("questions:similar"), {"titel": "bistånd för ridning"})
    assert response.status_code == 200
    html = text(response)
    assert question.title in html and "Något helt annat" not in html
    assert "<html" not in html  # a fragment, harmless on its own
    assert text(alice_client.get(reverse("questions:similar"), {"titel": "xy"})).strip() == ""


def test_form_sent_back_lists_similar_questions_without_javascript(alice_client, bob):
    ask(bob, title="Försörjningsansvar mellan makar")
    response = alice_client.post(ASK, {"title": "Försörjningsansvar för makar", "body": ""})
    assert response.status_code == 400
    assert "Försörjningsansvar mellan makar" in text(response)


# --- The thread ----------------------------------------------------------------------------------


def test_question_page_shows_the_thread(alice_client, alice, bob, carol):
    question = ask(bob, title="Arbetsgivarens ansvar", body="Vad gäller **här**?")
    answer = services.answer_create(question=question, author=alice, body="Läs *AFS*.")
    services.comment_create(question=question, author=carol, body="Bra fråga.")
    services.comment_create(question=question, author=bob, body="Tack!", answer=answer)
    response = alice_client.get(question.get_absolute_url())
    assert response.status_code == 200
    html = text(response)
    assert "<strong>här</strong>" in html and "<em>AFS</em>" in html
    assert "Bra fråga." in html and "Tack!" in html
    assert bob.name in html and bob.organisation.name in html
    assert f'href="{bob.get_absolute_url()}"' in html
    assert shown("The asker") in html  # Bob's comment in his own named thread
    assert shown("(you)") in html  # Alice's answer
    assert reverse("questions:answer_edit", args=[answer.pk]) in html
    assert f'href="{LIST}?amne=barn-och-unga"' in html
    assert shown("Follow the question") in html
    carols = Comment.objects.get(body="Bra fråga.")
    assert reverse("questions:report", args=["kommentar", carols.pk]) in html
    assert reverse("questions:report", args=["fraga", question.pk]) in html
    # Nobody reports their own text; only the asker marks answers, only moderators hide.
    assert reverse("questions:report", args=["svar", answer.pk]) not in html
    assert reverse("questions:helpful", args=[answer.pk]) not in html
    assert reverse("questions:moderate", args=["svar", answer.pk]) not in html
    assert "style=" not in html and "<script>" not in html


def test_asker_sees_their_question_and_the_helpful_button(bob_client, alice, bob):
    question = ask(bob)
    answer = services.answer_create(question=question, author=alice, body="Svar")
    html = text(bob_client.get(question.get_absolute_url()))
    assert shown("Your question.") in html
    assert reverse("questions:edit", args=[question.pk]) in html
    assert reverse("questions:helpful", args=[answer.pk]) in html
    assert shown("Mark as “Solved my question”") in html


@pytest.mark.parametrize(("answers", "comments"), [(2, 2), (20, 40)])
def test_thread_query_count_does_not_grow(
    answers, comments, alice_client, alice, bob, carol, django_assert_num_queries
):
    question = ask(bob)
    made = [
        services.answer_create(
            question=question, author=(alice, carol)[n % 2], body=f"Svar {n}", anonymous=n == 0
        )
        for n in range(answers)
    ]
    for n in range(comments):
        services.comment_create(
            question=question,
            author=(bob, carol)[n % 2],
            body=f"K {n}",
            answer=made[n % answers] if n % 3 else None,
            anonymous=n == 1,
        )
    url = question.get_absolute_url()
    alice_client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = alice_client.get(url)
    assert response.status_code == 200
    assert text(response).count('<li class="answer') == answers


def test_unknown_question_is_404(alice_client):
    assert alice_client.get(reverse("questions:detail", args=[99999])).status_code == 404


def test_answering_publishes_and_jumps_to_the_answer(alice_client, alice, bob):
    question = ask(bob)
    response = alice_client.post(
        reverse("questions:answer", args=[question.pk]), {"body": "Vi gör så här."}
    )
    answer = Answer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == answer.get_absolute_url()
    assert answer.author == alice
    question.refresh_from_db()
    assert question.answer_count == 1


@pytest.mark.parametrize("body", ["", "  ", "x" * 100_000, f"Hen har {PERSONAL_NUMBER}"])
def test_bad_answer_comes_back_at_the_form_with_400(alice_client, bob, body):
    question = ask(bob)
    response = alice_client.post(reverse("questions:answer", args=[question.pk]), {"body": body})
    assert response.status_code == 400
    assert not Answer.objects.exists()
    html = text(response)
    assert 'role="alert"' in html
    assert question.title in html  # the whole thread, with the error at the answer form
    assert 'id="svar-body"' in html


def test_answer_with_a_phone_number_keeps_the_text_and_asks_to_confirm(alice_client, bob):
    question = ask(bob)
    url = reverse("questions:answer", args=[question.pk])
    body = f"Ring mig på {PHONE}."
    response = alice_client.post(url, {"body": body})
    assert response.status_code == 400
    html = text(response)
    assert body in html and 'name="confirmed"' in html and 'id="svar-confirmed"' in html
    assert alice_client.post(url, {"body": body, "confirmed": "on"}).status_code == 302
    assert Answer.objects.get().body == body


def test_answering_a_hidden_question_is_refused(alice_client, alice, bob, carol):
    question = ask(bob)
    services.content_hide(item=question, moderator=carol, reason="Sekretess")
    url = reverse("questions:answer", args=[question.pk])
    assert alice_client.post(url, {"body": "Svar"}).status_code == 404
    # The asker still sees the question, but cannot add to it.
    response = client_for(bob).post(url, {"body": "Svar"})
    assert response.status_code == 403
    assert shown("This has been hidden by a moderator and cannot be changed.") in text(response)
    assert not Answer.objects.exists()


def test_asker_of_an_anonymous_question_answers_as_the_asker(alice_client, alice, bob_client):
    question = ask(alice, anonymous=True)
    html = text(alice_client.get(question.get_absolute_url()))
    # No anonymity choice: the asker is anonymous in their own thread by itself.
    assert 'name="anonymous"' not in section(html, "answer-form-heading")
    alice_client.post(reverse("questions:answer", args=[question.pk]), {"body": "Förtydligande"})
    answer = Answer.objects.get()
    assert answer.is_anonymous and answer.by_asker and answer.author is None
    html = text(bob_client.get(question.get_absolute_url()))
    assert shown("The asker") in html


def test_anonymous_answer_by_another_member(alice_client, alice, bob, bob_client):
    question = ask(alice)
    bob_client.post(
        reverse("questions:answer", args=[question.pk]), {"body": "Hemligt svar", "anonymous": "on"}
    )
    answer = Answer.objects.get()
    assert answer.is_anonymous and answer.author is None and not answer.by_asker
    html = text(alice_client.get(question.get_absolute_url()))
    assert "Hemligt svar" in html and shown("Anonymous colleague") in html
    assert_reveals_nothing_about(section(html, "answers-heading"), bob)


def test_comments_on_the_question_and_on_an_answer(alice_client, alice, bob):
    question = ask(bob)
    answer = services.answer_create(question=question, author=bob, body="Svar")
    url = reverse("questions:comment", args=[question.pk])
    response = alice_client.post(url, {"body": "Om frågan"})
    assert response.status_code == 302
    response = alice_client.post(url, {"body": "Om svaret", "svar": answer.pk})
    assert response.status_code == 302
    on_answer = Comment.objects.get(body="Om svaret")
    assert on_answer.answer == answer
    assert response["Location"] == on_answer.get_absolute_url()
    assert Comment.objects.get(body="Om frågan").answer is None


def test_comment_on_an_answer_of_another_question_is_refused(alice_client, alice, bob):
    question = ask(bob)
    other = ask(bob, title="En annan fråga här")
    answer = services.answer_create(question=other, author=bob, body="Svar")
    response = alice_client.post(
        reverse("questions:comment", args=[question.pk]), {"body": "Fel", "svar": answer.pk}
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_bad_comment_comes_back_open_at_its_answer(alice_client, bob):
    question = ask(bob)
    answer = services.answer_create(question=question, author=bob, body="Svar")
    response = alice_client.post(
        reverse("questions:comment", args=[question.pk]),
        {"body": f"Ring {PHONE}", "svar": answer.pk},
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()
    html = text(response)
    assert f'id="kommentera-{answer.pk}" open' in html
    assert f'id="kommentar-{answer.pk}-confirmed"' in html
    assert f"Ring {PHONE}" in html
    response = alice_client.post(
        reverse("questions:comment", args=[question.pk]), {"body": "x" * 6000}
    )
    assert response.status_code == 400
    assert 'id="kommentera-fragan" open' in text(response)
    assert not Comment.objects.exists()


def test_asker_marks_an_answer_as_solving_the_question(bob_client, alice, bob):
    question = ask(bob)
    answer = services.answer_create(question=question, author=alice, body="Svar")
    url = reverse("questions:helpful", args=[answer.pk])
    response = bob_client.post(url, {"value": "on"})
    assert response.status_code == 302 and response["Location"] == answer.get_absolute_url()
    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.is_helpful and question.solved
    assert shown("Solved the question") in text(bob_client.get(question.get_absolute_url()))
    bob_client.post(url, {"value": "off"})
    question.refresh_from_db()
    assert not question.solved


def test_only_the_asker_marks_answers(alice_client, alice, bob, carol):
    question = ask(bob)
    answer = services.answer_create(question=question, author=carol, body="Svar")
    response = alice_client.post(reverse("questions:helpful", args=[answer.pk]), {"value": "on"})
    assert response.status_code == 403
    assert shown("Only the one who asked can mark an answer as solving it.") in text(response)
    answer.refresh_from_db()
    assert not answer.is_helpful


def test_follow_and_stop_following(alice_client, alice, bob):
    question = ask(bob)
    url = reverse("questions:follow", args=[question.pk])
    assert alice_client.post(url, {"value": "on"}).status_code == 302
    assert Follow.objects.filter(member=alice, question=question).exists()
    assert shown("Stop following") in text(alice_client.get(question.get_absolute_url()))
    alice_client.post(url, {"value": "off"})
    assert not Follow.objects.filter(member=alice).exists()


def test_get_on_post_only_addresses_is_405(alice_client, bob):
    question = ask(bob)
    for name in ("answer", "comment", "follow"):
        assert alice_client.get(reverse(f"questions:{name}", args=[question.pk])).status_code == 405


# --- Anonymity -----------------------------------------------------------------------------------


def test_anonymous_question_reveals_nothing_about_the_asker(
    alice, bob, bob_client, admin_member, barn
):
    question = ask(
        alice,
        title="Tips LSS-boende man 30 år",
        body="Vi behöver tips.",
        anonymous=True,
        topics=[barn],
    )
    services.comment_create(question=question, author=alice, body="Förtydligande från mig")
    services.answer_create(question=question, author=admin_member, body="Prova grannkommunen.")
    services.question_edit(
        question=question,
        editor=alice,
        title=question.title,
        body="Vi behöver tips, snabbt.",
        topics=[barn],
    )

    pages = {
        "list": text(bob_client.get(LIST)),
        "newest": text(bob_client.get(LIST, {"visa": "nyast"})),
        "topic list": text(bob_client.get(LIST, {"amne": "barn-och-unga"})),
        "detail": text(bob_client.get(question.get_absolute_url())),
        "history": text(bob_client.get(reverse("questions:history", args=[question.pk]))),
        "similar": text(bob_client.get(reverse("questions:similar"), {"titel": "LSS-boende"})),
        "report": text(bob_client.get(reverse("questions:report", args=["fraga", question.pk]))),
        # These pages name Alice elsewhere (new members, colleagues who know a topic).
        "start": section(text(bob_client.get(reverse("start"))), "questions-heading"),
        "topic": section(
            text(bob_client.get(reverse("topics:detail", args=["barn-och-unga"]))),
            "questions-heading",
        ),
    }
    for name, html in pages.items():
        assert question.title in html, name
        assert_reveals_nothing_about(html, alice)
        assert shown("(you)") not in html, name
    assert shown("Anonymous colleague") in pages["list"]
    assert shown("Anonymous colleague") in pages["detail"]
    assert shown("The asker") in pages["detail"]
    # Her profile does not list it at all; nor does the organisation filter offer Lycksele.
    profile = text(bob_client.get(alice.get_absolute_url()))
    assert question.title not in profile
    assert (
        "Lycksele"
        not in text(bob_client.get(LIST, {"organisation": "lycksele"}))
        .split('id="organisation"')[1]
        .split("</select>")[0]
    )


def test_anonymous_asker_sees_the_question_as_theirs(alice_client, alice):
    question = ask(alice, anonymous=True)
    html = text(alice_client.get(question.get_absolute_url()))
    assert shown("(you)") in html
    assert shown("Your question, asked anonymously: only you see that it is yours.") in html
    assert reverse("questions:edit", args=[question.pk]) in html
    my_page = text(alice_client.get(reverse("profiles:my_page")))
    assert question.title in section(my_page, "my-questions-heading")
    assert shown("anonymous – only you see that it is yours") in my_page


def test_profile_lists_named_questions_only(bob_client, alice):
    named = ask(alice, title="Fråga med namn här")
    hidden_name = ask(alice, title="Fråga utan namn här", anonymous=True)
    html = text(bob_client.get(alice.get_absolute_url()))
    assert named.title in section(html, "questions-heading")
    assert hidden_name.title not in html


def test_start_page_shows_current_questions(alice_client, bob):
    question = ask(bob, title="Samtal med barn om umgänge")
    services.answer_create(question=question, author=bob, body="Svar")
    box = section(text(alice_client.get(reverse("start"))), "questions-heading")
    assert question.title in box and answers_text(1) in box
    assert f'href="{LIST}"' in box


# --- Topic pages ---------------------------------------------------------------------------------


def test_topic_page_lists_its_questions_and_links_to_the_list(alice_client, bob, barn, vald):
    in_topic = ask(bob, title="Fråga om barn och unga", topics=[barn])
    elsewhere = ask(bob, title="Fråga om våld i nära relation", topics=[vald])
    html = text(alice_client.get(reverse("topics:detail", args=["barn-och-unga"])))
    questions = section(html, "questions-heading")
    assert in_topic.title in questions and elsewhere.title not in questions
    assert f'href="{LIST}?amne=barn-och-unga"' in questions


@pytest.mark.parametrize("count", [3, 30])
def test_topic_page_query_count_does_not_grow(
    count, alice_client, alice, bob, barn, vald, django_assert_num_queries
):
    for number in range(count):
        ask(bob, title=f"Fråga {number}", topics=[barn, vald], anonymous=number % 2 == 0)
    url = reverse("topics:detail", args=["barn-och-unga"])
    alice_client.get(url)
    with django_assert_num_queries(TOPIC_QUERIES):
        assert alice_client.get(url).status_code == 200


# --- Editing and history -------------------------------------------------------------------------


def test_asker_edits_the_question_and_the_old_wording_is_kept(alice_client, alice, vald):
    question = ask(alice, title="Första lydelsen", body="Gammal text")
    url = reverse("questions:edit", args=[question.pk])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(
        url, {"title": "Andra lydelsen", "body": "Ny text", "topics": ["vald"]}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.title == "Andra lydelsen" and question.edited_at is not None
    assert list(question.topics.all()) == [vald]
    assert Revision.objects.get().title == "Första lydelsen"
    html = text(alice_client.get(question.get_absolute_url()))
    assert reverse("questions:history", args=[question.pk]) in html


def test_bad_edit_is_refused_with_400(alice_client, alice):
    question = ask(alice, title="Första lydelsen", body="Gammal text")
    url = reverse("questions:edit", args=[question.pk])
    response = alice_client.post(url, {"title": "Ny titel", "body": "", "topics": ["vald"]})
    assert response.status_code == 400
    response = alice_client.post(
        url, {"title": "Ny titel", "body": PERSONAL_NUMBER, "topics": ["vald"]}
    )
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.body == "Gammal text" and not Revision.objects.exists()


def test_nobody_else_edits_a_question_answer_or_comment(bob_client, carol, alice):
    question = ask(alice)
    answer = services.answer_create(question=question, author=alice, body="Mitt svar")
    comment = services.comment_create(question=question, author=alice, body="Min kommentar")
    edits = [
        (
            reverse("questions:edit", args=[question.pk]),
            {"title": "Kapad titel", "body": "Kapad", "topics": ["vald"]},
        ),
        (reverse("questions:answer_edit", args=[answer.pk]), {"body": "Kapad"}),
        (reverse("questions:comment_edit", args=[comment.pk]), {"body": "Kapad"}),
    ]
    for client in (bob_client, client_for(carol)):  # a moderator hides, never rewrites
        for url, data in edits:
            assert client.get(url).status_code == 403
            response = client.post(url, data)
            assert response.status_code == 403
            assert shown("Only the one who wrote it can edit it.") in text(response)
    assert not Revision.objects.exists()
    assert not Question.objects.filter(title="Kapad titel").exists()
    assert not Answer.objects.filter(body="Kapad").exists()
    assert not Comment.objects.filter(body="Kapad").exists()


def test_writer_edits_their_anonymous_answer_and_comment(bob_client, alice, bob):
    question = ask(alice)
    answer = services.answer_create(question=question, author=bob, body="Svar", anonymous=True)
    comment = services.comment_create(question=question, author=bob, body="Kom", anonymous=True)
    url = reverse("questions:answer_edit", args=[answer.pk])
    assert bob_client.get(url).status_code == 200
    assert bob_client.post(url, {"body": ""}).status_code == 400
    assert bob_client.post(url, {"body": "Bättre svar"}).status_code == 302
    url = reverse("questions:comment_edit", args=[comment.pk])
    assert bob_client.post(url, {"body": "Bättre kommentar"}).status_code == 302
    answer.refresh_from_db()
    comment.refresh_from_db()
    assert answer.body == "Bättre svar" and comment.body == "Bättre kommentar"
    assert Revision.objects.count() == 2


def test_history_shows_every_version_and_never_an_anonymous_writer(alice_client, alice, bob):
    question = ask(alice, title="Första titeln", body="Version ett")
    answer = services.answer_create(question=question, author=bob, body="Svar ett", anonymous=True)
    services.question_edit(
        question=question,
        editor=alice,
        title="Andra titeln",
        body="Version två",
        topics=question.topics.all(),
    )
    services.answer_edit(answer=answer, editor=bob, body="Svar två")
    response = alice_client.get(reverse("questions:history", args=[question.pk]))
    assert response.status_code == 200
    html = text(response)
    for words in (
        "Första titeln",
        "Version ett",
        "Andra titeln",
        "Version två",
        "Svar ett",
        "Svar två",
    ):
        assert words in html
    assert html.index("Version ett") < html.index("Version två")
    assert f'id="historik-svar-{answer.pk}"' in html
    assert shown("Anonymous colleague") in html
    assert_reveals_nothing_about(html.split("</header>", 1)[1].split("<main")[-1], bob)
    assert bob.name not in html


# --- Reports and moderation ----------------------------------------------------------------------


def test_member_reports_an_answer(alice_client, alice, bob):
    question = ask(bob)
    answer = services.answer_create(question=question, author=bob, body="Olämpligt svar")
    url = reverse("questions:report", args=["svar", answer.pk])
    response = alice_client.get(url)
    assert response.status_code == 200 and "Olämpligt svar" in text(response)
    response = alice_client.post(url, {"reason": ""})
    assert response.status_code == 400 and not Report.objects.exists()
    response = alice_client.post(url, {"reason": "x" * 1200})
    assert response.status_code == 400 and not Report.objects.exists()
    response = alice_client.post(url, {"reason": "Kan peka ut en klient"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.answer == answer and report.reporter == alice
    # Twice is once.
    assert alice_client.post(url, {"reason": "Igen"}).status_code == 400
    assert Report.objects.count() == 1


def test_unknown_kind_or_item_is_404(alice_client, bob):
    question = ask(bob)
    assert (
        alice_client.get(reverse("questions:report", args=["inlagg", question.pk])).status_code
        == 404
    )
    assert alice_client.get(reverse("questions:report", args=["svar", 9999])).status_code == 404


def test_members_cannot_moderate(alice_client, alice, bob):
    question = ask(bob)
    answer = services.answer_create(question=question, author=bob, body="Svar")
    report = services.content_report(item=answer, reporter=alice, reason="Fel")
    assert alice_client.get(reverse("questions:moderation")).status_code == 403
    response = alice_client.post(
        reverse("questions:moderate", args=["svar", answer.pk]), {"action": "hide"}
    )
    assert response.status_code == 403
    response = alice_client.post(reverse("questions:report_dismiss", args=[report.pk]))
    assert response.status_code == 403
    answer.refresh_from_db()
    report.refresh_from_db()
    assert not answer.is_hidden and report.status == Report.Status.OPEN
    assert not AuditEntry.objects.filter(action__startswith="content").exists()


def test_moderator_hides_and_restores_an_answer(carol_client, carol, alice, alice_client, bob):
    question = ask(bob)
    answer = services.answer_create(question=question, author=alice, body="Olämpligt svar")
    services.content_report(item=answer, reporter=bob, reason="Peka ut")

    queue = carol_client.get(reverse("questions:moderation"))
    assert queue.status_code == 200
    html = text(queue)
    assert "Olämpligt svar" in html and "Peka ut" in html and bob.name in html

    response = carol_client.post(
        reverse("questions:moderate", args=["svar", answer.pk]),
        {"action": "hide", "reason": "Sekretess", "next": reverse("questions:moderation")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("questions:moderation")
    answer.refresh_from_db()
    assert answer.is_hidden
    entry = AuditEntry.objects.get(action=Action.CONTENT_HIDDEN)
    assert entry.actor == carol
    assert Report.objects.get().status == Report.Status.HIDDEN
    assert shown("No reports are waiting.") in text(
        carol_client.get(reverse("questions:moderation"))
    )

    # Members see a placeholder, moderators the text with a marker and a Restore button.
    for member_client in (client_for(bob), alice_client):
        html = text(member_client.get(question.get_absolute_url()))
        assert "Olämpligt svar" not in html
        assert shown("Hidden by a moderator") in html
    assert alice_client.get(reverse("questions:answer_edit", args=[answer.pk])).status_code == 403
    html = text(carol_client.get(question.get_absolute_url()))
    assert "Olämpligt svar" in html and "Sekretess" in html and shown("Restore") in html
    question.refresh_from_db()
    assert question.answer_count == 0

    carol_client.post(
        reverse("questions:moderate", args=["svar", answer.pk]), {"action": "restore"}
    )
    answer.refresh_from_db()
    assert not answer.is_hidden
    assert AuditEntry.objects.filter(action=Action.CONTENT_RESTORED).count() == 1
    assert "Olämpligt svar" in text(alice_client.get(question.get_absolute_url()))


def test_hidden_question_is_404_for_members_but_not_for_its_asker(
    carol_client, carol, alice_client, bob
):
    question = ask(bob)
    response = carol_client.post(
        reverse("questions:moderate", args=["fraga", question.pk]), {"action": "hide"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=Action.CONTENT_HIDDEN).exists()
    assert alice_client.get(question.get_absolute_url()).status_code == 404
    assert question.title not in text(alice_client.get(LIST))
    assert client_for(bob).get(question.get_absolute_url()).status_code == 200
    assert carol_client.get(question.get_absolute_url()).status_code == 200
    assert alice_client.get(reverse("questions:history", args=[question.pk])).status_code == 404


def test_moderator_dismisses_a_report(carol_client, alice, bob):
    question = ask(bob)
    report = services.content_report(item=question, reporter=alice, reason="Felplacerad")
    response = carol_client.post(reverse("questions:report_dismiss", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    assert AuditEntry.objects.filter(action=Action.REPORT_DISMISSED).count() == 1
    question.refresh_from_db()
    assert not question.is_hidden


def test_unknown_moderation_action_is_400(carol_client, bob):
    question = ask(bob)
    response = carol_client.post(
        reverse("questions:moderate", args=["fraga", question.pk]), {"action": "radera"}
    )
    assert response.status_code == 400
    question.refresh_from_db()
    assert not question.is_hidden


def test_anonymous_item_is_hidden_without_naming_its_writer(carol_client, alice, bob):
    question = ask(alice, anonymous=True)
    carol_client.post(
        reverse("questions:moderate", args=["fraga", question.pk]),
        {"action": "hide", "reason": "Sekretess"},
    )
    entry = AuditEntry.objects.get(action=Action.CONTENT_HIDDEN)
    assert entry.subject is None
    html = text(carol_client.get(question.get_absolute_url()))
    assert_reveals_nothing_about(html.split('id="main"', 1)[1], alice)
