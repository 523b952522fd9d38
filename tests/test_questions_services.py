"""Frågor's services and selectors: the rules the pages and the API share.

Anonymity is checked as an invariant of the rows (no author, no organisation,
one separated link) and of everything derived from them (audit entries,
lists, "is this mine?")."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kollegan.accounts import services as account_services
from kollegan.accounts.models import Member, Organisation
from kollegan.audit.models import Action, AuditEntry
from kollegan.lib.guard import ConfidentialityError
from kollegan.questions import selectors, services
from kollegan.questions.models import (
    BODY_MAX,
    COMMENT_MAX,
    TITLE_MAX,
    AnonymousAuthorship,
    Answer,
    Comment,
    Follow,
    Question,
    Report,
    Revision,
)
from kollegan.questions.selectors import QuestionFilters
from kollegan.topics.models import Topic
from tests.conftest import make_member

TITLE = "Hur gör ni med orosanmälningar på helger?"
BODY = "Vi har svårt att nå socialjouren. Hur har ni löst bemanningen?"
# A valid personal identity number (Skatteverket's test number): always refused.
PERSONAL_NUMBER = "121212-1212"
PHONE = "070-123 45 67"


# --- Helpers ----------------------------------------------------------------------------------


def topics(*slugs: str) -> list[Topic]:
    slugs = slugs or ("barn-och-unga",)
    found = {topic.slug: topic for topic in Topic.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs]


def ask(
    member: Member,
    *,
    title: str = TITLE,
    body: str = BODY,
    topic_slugs: tuple[str, ...] = ("barn-och-unga",),
    anonymous: bool = False,
) -> Question:
    return services.question_create(
        author=member, title=title, body=body, topics=topics(*topic_slugs), anonymous=anonymous
    )


def answer(
    question: Question, member: Member, body: str = "Vi har jour med grannkommunen.", **kw
) -> Answer:
    return services.answer_create(question=question, author=member, body=body, **kw)


def comment(
    question: Question, member: Member, body: str = "Tack, det låter klokt.", **kw
) -> Comment:
    return services.comment_create(question=question, author=member, body=body, **kw)


def fresh(item):
    return type(item).objects.get(pk=item.pk)


def counts() -> dict[str, int]:
    models = (Question, Answer, Comment, AnonymousAuthorship, Revision, Report, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def sorsele(db) -> Organisation:
    return Organisation.objects.get(slug="sorsele")


@pytest.fixture
def erik(sorsele) -> Member:
    return make_member("erik@sorsele.test", "Erik Ek", sorsele)


@pytest.fixture
def named(alice) -> Question:
    return ask(alice)


@pytest.fixture
def anonymous(alice) -> Question:
    return ask(alice, title="Anonym fråga om hedersrelaterat våld", anonymous=True)


# --- Creating and editing ---------------------------------------------------------------------


def test_named_question_is_saved_with_author_organisation_topics_and_excerpt(alice, lycksele):
    question = ask(alice, title="  Hur   gör ni  ", topic_slugs=("vald", "barn-och-unga"))

    question = fresh(question)
    assert question.title == "Hur gör ni"  # whitespace collapsed
    assert question.body == BODY
    assert question.author == alice
    assert question.organisation == lycksele
    assert not question.is_anonymous
    assert question.by_asker
    assert question.answer_count == 0
    assert not question.solved
    assert question.excerpt == BODY
    assert question.last_activity_at == question.created_at
    assert {t.slug for t in question.topics.all()} == {"vald", "barn-och-unga"}
    assert not AnonymousAuthorship.objects.exists()


def test_excerpt_is_plain_text_and_short(alice):
    body = "**Fet** text och en [länk](https://example.org). " + "ord " * 200
    question = ask(alice, body=body)

    assert question.excerpt.startswith("Fet text och en länk.")
    assert "**" not in question.excerpt and "<" not in question.excerpt
    assert len(question.excerpt) <= 220


def test_question_edit_keeps_the_earlier_wording_as_a_revision(named, alice):
    created_at = named.created_at

    services.question_edit(
        question=named,
        editor=alice,
        title="En ny och bättre rubrik",
        body="Ny text.",
        topics=topics("vald"),
    )

    named = fresh(named)
    assert named.title == "En ny och bättre rubrik"
    assert named.body == "Ny text."
    assert named.excerpt == "Ny text."
    assert named.edited_at is not None
    assert [t.slug for t in named.topics.all()] == ["vald"]
    revision = Revision.objects.get()
    assert (revision.question, revision.answer, revision.comment) == (named, None, None)
    assert (revision.title, revision.body) == (TITLE, BODY)
    assert revision.written_at == created_at


def test_second_edit_records_when_the_first_edit_was_written(named, alice):
    services.question_edit(
        question=named, editor=alice, title=TITLE, body="Andra versionen.", topics=topics()
    )
    first_edit = fresh(named).edited_at
    services.question_edit(
        question=fresh(named), editor=alice, title=TITLE, body="Tredje.", topics=topics()
    )

    revisions = list(Revision.objects.all())
    assert [r.body for r in revisions] == [BODY, "Andra versionen."]
    assert revisions[1].written_at == first_edit


def test_question_edit_without_a_change_in_wording_makes_no_revision(named, alice):
    services.question_edit(
        question=named,
        editor=alice,
        title=f"  {TITLE} ",
        body=f"\n{BODY}\n",
        topics=topics("vald", "heder"),
    )

    named = fresh(named)
    assert not Revision.objects.exists()
    assert named.edited_at is None
    # The topics changed all the same.
    assert {t.slug for t in named.topics.all()} == {"vald", "heder"}


def test_anonymous_asker_edits_their_question_which_stays_anonymous(anonymous, alice):
    services.question_edit(
        question=anonymous, editor=alice, title=anonymous.title, body="Ändrad.", topics=topics()
    )

    anonymous = fresh(anonymous)
    assert anonymous.body == "Ändrad."
    assert anonymous.is_anonymous
    assert anonymous.author is None and anonymous.organisation is None
    assert AnonymousAuthorship.objects.filter(question=anonymous).count() == 1


def test_answer_edit_keeps_a_revision_and_none_when_unchanged(named, bob):
    reply = answer(named, bob, body="Första svaret.")

    services.answer_edit(answer=reply, editor=bob, body="Första svaret.")
    assert not Revision.objects.exists()
    assert fresh(reply).edited_at is None

    services.answer_edit(answer=reply, editor=bob, body="Rättat svar.")
    reply = fresh(reply)
    assert reply.body == "Rättat svar."
    assert reply.edited_at is not None
    revision = Revision.objects.get()
    assert (revision.question, revision.answer, revision.comment) == (named, reply, None)
    assert revision.body == "Första svaret."
    assert revision.title == ""


def test_comment_edit_keeps_a_revision_and_none_when_unchanged(named, bob):
    note = comment(named, bob, body="En kommentar.")

    services.comment_edit(comment=note, editor=bob, body="  En kommentar.  ")
    assert not Revision.objects.exists()

    services.comment_edit(comment=note, editor=bob, body="En bättre kommentar.")
    assert fresh(note).body == "En bättre kommentar."
    revision = Revision.objects.get()
    assert (revision.question, revision.comment) == (named, note)
    assert revision.body == "En kommentar."


def test_anonymous_answer_can_be_edited_by_its_writer_only(named, alice, bob):
    reply = answer(named, bob, anonymous=True)

    services.answer_edit(answer=reply, editor=bob, body="Ändrat av Bob.")
    assert fresh(reply).body == "Ändrat av Bob."
    with pytest.raises(PermissionDenied):
        services.answer_edit(answer=reply, editor=alice, body="Ändrat av Alice.")
    assert fresh(reply).body == "Ändrat av Bob."


# --- Refusals: nothing is saved ---------------------------------------------------------------


@pytest.mark.parametrize("anonymous_", [False, True])
@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"title": "Hej"}, "title", "title_short"),
        ({"title": "   Hej      "}, "title", "title_short"),
        ({"title": "x" * (TITLE_MAX + 1)}, "title", "title_long"),
        ({"body": ""}, "body", "body_empty"),
        ({"body": "  \n\t "}, "body", "body_empty"),
        ({"body": "x" * 100_000}, "body", "body_long"),
        ({"body": "x" * (BODY_MAX + 1)}, "body", "body_long"),
        ({"topic_slugs": ()}, "topics", "no_topics"),
        (
            {
                "topic_slugs": (
                    "barn-och-unga",
                    "vald",
                    "heder",
                    "familjeratt",
                    "missbruk-och-beroende",
                    "psykisk-halsa",
                )
            },
            "topics",
            "too_many_topics",
        ),
    ],
)
def test_question_create_refuses_bad_input_and_saves_nothing(
    alice, kwargs, field, code, anonymous_
):
    before = counts()
    arguments = {"title": TITLE, "body": BODY, "topic_slugs": ("barn-och-unga",)} | kwargs
    with pytest.raises(ValidationError) as refused:
        services.question_create(
            author=alice,
            title=arguments["title"],
            body=arguments["body"],
            topics=topics(*arguments["topic_slugs"]) if arguments["topic_slugs"] else [],
            anonymous=anonymous_,
        )

    assert list(refused.value.message_dict) == [field]
    assert counts() == before


def _codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_validation_errors_carry_their_codes_for_the_api(alice, bob):
    # The API answers with the code of each field error ("title_short", …), so a
    # field error must keep the code the service gives it.
    cases = [
        ({"title": "Hej"}, {"title": ["title_short"]}),
        ({"body": " "}, {"body": ["body_empty"]}),
        ({"topics": []}, {"topics": ["no_topics"]}),
    ]
    for kwargs, expected in cases:
        arguments = {"title": TITLE, "body": BODY, "topics": topics()} | kwargs
        with pytest.raises(ValidationError) as refused:
            services.question_create(author=alice, **arguments)
        assert _codes(refused.value) == expected
    with pytest.raises(ValidationError) as refused:
        services.topics_from_slugs(["finns-inte"])
    assert _codes(refused.value) == {"topics": ["unknown_topic"]}
    with pytest.raises(ValidationError) as refused:
        services.content_report(item=ask(alice), reporter=bob, reason="")
    assert _codes(refused.value) == {"reason": ["reason_empty"]}


def test_question_of_exactly_the_limits_is_accepted(alice):
    question = ask(
        alice,
        title="x" * TITLE_MAX,
        body="y" * BODY_MAX,
        topic_slugs=("barn-och-unga", "vald", "heder", "familjeratt", "psykisk-halsa"),
    )
    assert fresh(question).topics.count() == 5


def test_the_same_topic_twice_counts_once(alice):
    question = services.question_create(
        author=alice, title=TITLE, body=BODY, topics=topics("vald") * 6
    )
    assert [t.slug for t in question.topics.all()] == ["vald"]


def test_retired_topic_is_refused_by_name(alice):
    retired = Topic.objects.get(slug="heder")
    retired.is_active = False
    retired.save()
    before = counts()

    with pytest.raises(ValidationError) as refused:
        ask(alice, topic_slugs=("vald", "heder"), anonymous=True)

    assert "Heder" in refused.value.message_dict["topics"][0]
    assert counts() == before


def test_topics_from_slugs_returns_topics_in_order_without_repeats(db):
    found = services.topics_from_slugs(["vald", " barn-och-unga ", "vald", "", "  "])
    assert [t.slug for t in found] == ["vald", "barn-och-unga"]


def test_topics_from_slugs_names_the_unknown_ones(db):
    with pytest.raises(ValidationError) as refused:
        services.topics_from_slugs(["vald", "finns-inte", "inte-heller"])

    message = refused.value.message_dict["topics"][0]
    assert "finns-inte" in message and "inte-heller" in message
    assert "vald" not in message.replace("inte-heller", "")


def test_topics_from_slugs_refuses_retired_topics(db):
    Topic.objects.filter(slug="heder").update(is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.topics_from_slugs(["heder"])
    assert "heder" in refused.value.message_dict["topics"][0].lower()


def test_confidentiality_guard_refuses_a_personal_number_and_saves_nothing(alice, named, bob):
    before = counts()
    with pytest.raises(ConfidentialityError):
        ask(alice, body=f"Gäller barnet {PERSONAL_NUMBER}.", anonymous=True)
    with pytest.raises(ConfidentialityError):
        ask(alice, title=f"Barnet {PERSONAL_NUMBER}", anonymous=True)
    # Confirming does not help: an identity number is never published.
    with pytest.raises(ConfidentialityError):
        answer(named, bob, body=f"Är det {PERSONAL_NUMBER}?", confirmed=True, anonymous=True)
    with pytest.raises(ConfidentialityError):
        comment(named, bob, body=f"Är det {PERSONAL_NUMBER}?", confirmed=True)
    with pytest.raises(ConfidentialityError):
        services.question_edit(
            question=named, editor=alice, title=TITLE, body=PERSONAL_NUMBER, topics=topics()
        )
    assert counts() == before
    assert fresh(named).answer_count == 0
    assert fresh(named).body == BODY


def test_phone_number_needs_the_writer_to_confirm(alice, named, bob):
    with pytest.raises(ConfidentialityError):
        answer(named, bob, body=f"Ring {PHONE}.")
    assert not Answer.objects.exists()

    answer(named, bob, body=f"Ring {PHONE}.", confirmed=True)
    assert Answer.objects.count() == 1


def test_answer_and_comment_refuse_bad_text_and_save_nothing(named, bob):
    before = counts()
    for body in ("", "   ", "x" * (BODY_MAX + 1)):
        with pytest.raises(ValidationError):
            answer(named, bob, body=body, anonymous=True)
    for body in ("", "x" * (COMMENT_MAX + 1)):
        with pytest.raises(ValidationError):
            comment(named, bob, body=body, anonymous=True)
    assert counts() == before
    named = fresh(named)
    assert named.answer_count == 0
    assert named.last_activity_at == named.created_at


def test_edit_refusals_leave_the_text_and_history_unchanged(named, alice, bob):
    reply = answer(named, bob)
    note = comment(named, bob)
    before = counts()

    with pytest.raises(ValidationError):
        services.question_edit(question=named, editor=alice, title="Kort", body=BODY, topics=[])
    with pytest.raises(ValidationError):
        services.answer_edit(answer=reply, editor=bob, body=" ")
    with pytest.raises(ValidationError):
        services.comment_edit(comment=note, editor=bob, body="x" * (COMMENT_MAX + 1))

    assert counts() == before
    assert fresh(named).title == TITLE
    assert fresh(reply).body == reply.body
    assert fresh(note).body == note.body


def test_comment_on_an_answer_of_another_question_is_refused(named, alice, bob):
    other = ask(bob, title="En helt annan fråga")
    reply = answer(other, alice)
    before = counts()

    with pytest.raises(ValidationError):
        comment(named, bob, answer=reply)
    assert counts() == before


# --- Permissions ------------------------------------------------------------------------------


def test_only_the_writer_edits_a_question(named, anonymous, bob, carol):
    for question in (named, anonymous):
        for editor in (bob, carol):
            with pytest.raises(PermissionDenied):
                services.question_edit(
                    question=question,
                    editor=editor,
                    title="Kapad rubrik",
                    body="x",
                    topics=topics(),
                )
    assert fresh(named).title == TITLE
    assert not Revision.objects.exists()


def test_only_the_writer_edits_an_answer_or_comment(named, alice, bob, carol):
    reply = answer(named, bob)
    note = comment(named, bob, answer=reply)
    for editor in (alice, carol):
        with pytest.raises(PermissionDenied):
            services.answer_edit(answer=reply, editor=editor, body="Kapat")
        with pytest.raises(PermissionDenied):
            services.comment_edit(comment=note, editor=editor, body="Kapat")
    assert not Revision.objects.exists()


def test_only_the_asker_marks_an_answer_helpful(named, bob, carol):
    reply = answer(named, carol)
    for member in (bob, carol):
        with pytest.raises(PermissionDenied):
            services.answer_mark_helpful(answer=reply, member=member)
    assert not fresh(reply).is_helpful
    assert not fresh(named).solved


def test_hidden_question_cannot_be_answered_commented_or_edited(named, alice, bob, carol):
    services.content_hide(item=named, moderator=carol)
    before = counts()

    with pytest.raises(PermissionDenied):
        answer(named, bob)
    with pytest.raises(PermissionDenied):
        comment(named, bob)
    with pytest.raises(PermissionDenied):
        services.question_edit(
            question=named, editor=alice, title=TITLE, body="Ny text", topics=topics()
        )
    assert counts() == before


def test_hidden_answer_cannot_be_commented_edited_or_marked(named, alice, bob, carol):
    reply = answer(named, bob)
    services.content_hide(item=reply, moderator=carol)
    before = counts()

    with pytest.raises(PermissionDenied):
        comment(named, alice, answer=reply)
    with pytest.raises(PermissionDenied):
        services.answer_edit(answer=reply, editor=bob, body="Ny text")
    with pytest.raises(PermissionDenied):
        services.answer_mark_helpful(answer=reply, member=alice)
    assert counts() == before


def test_only_moderators_hide_restore_and_dismiss(named, alice, bob, carol, admin_member):
    report = services.content_report(item=named, reporter=bob, reason="Fel forum")
    before = counts()
    for member in (alice, bob):
        with pytest.raises(PermissionDenied):
            services.content_hide(item=named, moderator=member)
        with pytest.raises(PermissionDenied):
            services.report_dismiss(report=report, moderator=member)
    assert not fresh(named).is_hidden
    assert fresh(report).status == Report.Status.OPEN
    assert counts() == before

    services.content_hide(item=named, moderator=admin_member)  # administrators moderate too
    with pytest.raises(PermissionDenied):
        services.content_restore(item=fresh(named), moderator=bob)
    assert fresh(named).is_hidden


# --- Anonymity ---------------------------------------------------------------------------------


def test_anonymous_question_row_names_nobody(anonymous, alice):
    row = fresh(anonymous)
    assert row.is_anonymous
    assert row.author is None
    assert row.organisation is None
    link = AnonymousAuthorship.objects.get()
    assert (link.member, link.question, link.answer, link.comment) == (alice, row, None, None)
    assert alice.name not in str(link) and alice.email not in str(link)


def test_is_writer_and_writer_of_for_anonymous_and_named_questions(
    named, anonymous, alice, bob, carol
):
    for question in (named, anonymous):
        assert services.is_writer(alice, question)
        assert not services.is_writer(bob, question)
        assert not services.is_writer(carol, question)
        assert services.writer_of(question) == alice


def test_asker_answering_their_anonymous_question_stays_anonymous(anonymous, alice):
    reply = answer(anonymous, alice, anonymous=False)
    note = comment(anonymous, alice, anonymous=False)

    for item in (fresh(reply), fresh(note)):
        assert item.is_anonymous
        assert item.by_asker
        assert item.author is None
        assert services.is_writer(alice, item)
    assert AnonymousAuthorship.objects.filter(member=alice).count() == 3


def test_asker_of_a_named_question_writes_by_name_in_the_thread(named, alice):
    reply = answer(named, alice, anonymous=True)
    note = comment(named, alice, anonymous=True)

    for item in (fresh(reply), fresh(note)):
        assert not item.is_anonymous
        assert item.by_asker
        assert item.author == alice
    assert not AnonymousAuthorship.objects.exists()


@pytest.mark.parametrize("question_fixture", ["named", "anonymous"])
def test_another_member_may_answer_anonymously(request, question_fixture, alice, bob):
    question = request.getfixturevalue(question_fixture)
    reply = answer(question, bob, anonymous=True)
    note = comment(question, bob, anonymous=True, answer=reply)

    for item in (fresh(reply), fresh(note)):
        assert item.is_anonymous
        assert not item.by_asker
        assert item.author is None
        assert services.is_writer(bob, item)
        assert not services.is_writer(alice, item)
        assert services.writer_of(item) == bob
        assert (
            AnonymousAuthorship.objects.filter(
                member=bob, **{type(item).__name__.lower(): item}
            ).count()
            == 1
        )


def test_another_member_answering_by_name_is_named(anonymous, bob):
    reply = fresh(answer(anonymous, bob))
    assert not reply.is_anonymous
    assert not reply.by_asker
    assert reply.author == bob


# --- Counters: answers, activity, solved ---------------------------------------------------------


def test_answer_count_and_latest_activity_follow_answers_and_comments(named, bob, carol):
    first = answer(named, bob)
    named = fresh(named)
    assert named.answer_count == 1
    assert named.last_activity_at == first.created_at

    second = answer(named, carol, anonymous=True)
    named = fresh(named)
    assert named.answer_count == 2
    assert named.last_activity_at == second.created_at

    note = comment(named, bob, answer=first)
    named = fresh(named)
    assert named.answer_count == 2  # a comment is no answer
    assert named.last_activity_at == note.created_at


def test_hiding_and_restoring_an_answer_keeps_the_count_of_visible_answers(named, bob, carol):
    reply = answer(named, bob)
    answer(named, carol)

    services.content_hide(item=fresh(reply), moderator=carol)
    assert fresh(named).answer_count == 1
    services.content_hide(item=fresh(reply), moderator=carol)  # twice changes nothing
    assert fresh(named).answer_count == 1

    services.content_restore(item=fresh(reply), moderator=carol)
    assert fresh(named).answer_count == 2
    services.content_restore(item=fresh(reply), moderator=carol)
    assert fresh(named).answer_count == 2


def test_hiding_twice_from_two_pages_counts_once(named, bob, carol, admin_member):
    # Two moderators (or one double click) act on the same answer, each request
    # having loaded it before the other's hide was saved.
    reply = answer(named, bob)
    answer(named, carol)
    first, second = fresh(reply), fresh(reply)

    services.content_hide(item=first, moderator=carol)
    services.content_hide(item=second, moderator=admin_member)
    assert fresh(named).answer_count == 1

    first, second = fresh(reply), fresh(reply)
    services.content_restore(item=first, moderator=carol)
    services.content_restore(item=second, moderator=admin_member)
    assert fresh(named).answer_count == 2


def test_hiding_a_comment_leaves_the_answer_count(named, bob, carol):
    answer(named, bob)
    note = comment(named, bob)
    services.content_hide(item=note, moderator=carol)
    assert fresh(named).answer_count == 1


def test_marking_and_unmarking_helpful_solves_and_unsolves(named, alice, bob, carol):
    first = answer(named, bob)
    second = answer(named, carol)

    services.answer_mark_helpful(answer=fresh(first), member=alice)
    assert fresh(first).is_helpful
    assert fresh(named).solved

    services.answer_mark_helpful(answer=fresh(second), member=alice)
    services.answer_mark_helpful(answer=fresh(first), member=alice, helpful=False)
    assert not fresh(first).is_helpful
    assert fresh(named).solved  # the second still solves it

    services.answer_mark_helpful(answer=fresh(second), member=alice, helpful=False)
    assert not fresh(named).solved


def test_anonymous_asker_marks_an_answer_helpful(anonymous, alice, bob):
    reply = answer(anonymous, bob)
    services.answer_mark_helpful(answer=fresh(reply), member=alice)
    assert fresh(anonymous).solved


def test_hiding_the_helpful_answer_unsolves_and_restoring_solves_again(named, alice, bob, carol):
    reply = answer(named, bob)
    services.answer_mark_helpful(answer=fresh(reply), member=alice)

    services.content_hide(item=fresh(reply), moderator=carol)
    assert not fresh(named).solved
    assert fresh(named).answer_count == 0

    services.content_restore(item=fresh(reply), moderator=carol)
    assert fresh(named).solved
    assert fresh(named).answer_count == 1


def test_hiding_the_helpful_answer_unsolves_even_with_a_stale_question(named, alice, bob, carol):
    # The moderator's request loaded the answer (and its question) just before
    # the asker's request marked it: the stored flag, not the one in memory,
    # must decide.
    reply = answer(named, bob)
    seen_by_moderator = Answer.objects.select_related("question").get(pk=reply.pk)
    services.answer_mark_helpful(answer=fresh(reply), member=alice)

    services.content_hide(item=seen_by_moderator, moderator=carol)

    assert not fresh(named).solved


# --- Reports and moderation --------------------------------------------------------------------


def test_report_needs_a_reason_of_reasonable_length(named, bob):
    for reason in ("", "   ", "x" * 1001):
        with pytest.raises(ValidationError):
            services.content_report(item=named, reporter=bob, reason=reason)
    assert not Report.objects.exists()


def test_report_is_saved_and_a_second_open_one_refused(named, bob, carol, erik):
    reply = answer(named, carol)
    report = services.content_report(item=reply, reporter=bob, reason="  Olämpligt  ")
    assert (report.question, report.answer, report.comment) == (named, reply, None)
    assert report.reason == "Olämpligt"
    assert report.status == Report.Status.OPEN

    with pytest.raises(ValidationError) as refused:
        services.content_report(item=fresh(reply), reporter=bob, reason="Igen")
    assert refused.value.code == "already_reported"
    # Others may report it, and Bob may report the question itself.
    services.content_report(item=reply, reporter=erik, reason="Håller med")
    services.content_report(item=named, reporter=bob, reason="Frågan också")
    assert Report.objects.count() == 3


def test_after_a_dismissal_the_same_member_may_report_again(named, bob, carol):
    report = services.content_report(item=named, reporter=bob, reason="Fel")
    services.report_dismiss(report=report, moderator=carol)
    services.content_report(item=named, reporter=bob, reason="Fortfarande fel")
    assert Report.objects.filter(status=Report.Status.OPEN).count() == 1


def test_hiding_closes_the_open_reports_on_that_item_only(named, alice, bob, carol, erik):
    reply = answer(named, alice)
    note = comment(named, erik, answer=reply)
    on_reply = [
        services.content_report(item=reply, reporter=bob, reason="Fel"),
        services.content_report(item=reply, reporter=erik, reason="Fel"),
    ]
    on_question = services.content_report(item=named, reporter=bob, reason="Fel")
    on_note = services.content_report(item=note, reporter=bob, reason="Fel")

    services.content_hide(item=reply, moderator=carol, reason="  Kränkande  ")

    reply = fresh(reply)
    assert reply.is_hidden
    assert reply.hidden_by == carol
    assert reply.hidden_reason == "Kränkande"
    for report in on_reply:
        report = fresh(report)
        assert report.status == Report.Status.HIDDEN
        assert report.handled_by == carol
        assert report.handled_at is not None
    assert fresh(on_question).status == Report.Status.OPEN
    assert fresh(on_note).status == Report.Status.OPEN

    services.content_hide(item=note, moderator=carol)
    assert fresh(on_note).status == Report.Status.HIDDEN


def test_dismiss_leaves_the_item_and_records_who(named, bob, carol):
    report = services.content_report(item=named, reporter=bob, reason="Fel")
    services.report_dismiss(report=report, moderator=carol)

    report = fresh(report)
    assert report.status == Report.Status.DISMISSED
    assert report.handled_by == carol
    assert report.handled_at is not None
    assert not fresh(named).is_hidden
    # Dismissing again does nothing more.
    services.report_dismiss(report=report, moderator=carol)
    assert AuditEntry.objects.filter(action=Action.REPORT_DISMISSED).count() == 1


def test_audit_entries_name_the_writer_of_named_items(named, alice, bob, carol):
    reply = answer(named, bob)
    services.content_hide(item=reply, moderator=carol, reason="Spam")
    services.content_restore(item=fresh(reply), moderator=carol)
    report = services.content_report(item=named, reporter=bob, reason="Fel")
    services.report_dismiss(report=report, moderator=carol)

    hidden, restored, dismissed = AuditEntry.objects.order_by("pk").filter(
        action__in=[Action.CONTENT_HIDDEN, Action.CONTENT_RESTORED, Action.REPORT_DISMISSED]
    )
    assert (hidden.action, restored.action, dismissed.action) == (
        Action.CONTENT_HIDDEN,
        Action.CONTENT_RESTORED,
        Action.REPORT_DISMISSED,
    )
    for entry in (hidden, restored, dismissed):
        assert entry.actor == carol
        assert entry.actor_name == carol.name
        assert TITLE in entry.subject_label
    assert hidden.subject == bob
    assert restored.subject == bob
    assert dismissed.subject == alice
    assert hidden.detail == {
        "kind": "answer",
        "id": reply.pk,
        "question": named.pk,
        "reason": "Spam",
    }
    assert restored.detail == {"kind": "answer", "id": reply.pk, "question": named.pk}
    assert dismissed.detail == {
        "kind": "question",
        "id": named.pk,
        "question": named.pk,
        "report": report.pk,
    }


def _reveals(entry: AuditEntry, member: Member) -> bool:
    text = f"{entry.subject_label} {entry.actor_name} {entry.detail}".lower()
    secrets = [member.name.lower(), member.email.lower(), *member.name.lower().split()]
    return (
        any(secret in text for secret in secrets)
        or entry.subject_id == member.pk
        or entry.actor_id == member.pk
        or any(key in entry.detail for key in ("member", "author", "writer", "member_id"))
    )


def test_audit_entries_about_anonymous_items_name_nobody(anonymous, alice, bob, carol):
    reply = answer(anonymous, bob, anonymous=True)
    by_asker = answer(anonymous, alice)
    note = comment(anonymous, alice)
    for item in (anonymous, reply, by_asker, note):
        report = services.content_report(item=item, reporter=carol, reason="Titta här")
        services.report_dismiss(report=report, moderator=carol)
        services.content_hide(item=fresh(item), moderator=carol, reason="Av omsorg")
        services.content_restore(item=fresh(item), moderator=carol)

    entries = AuditEntry.objects.filter(
        action__in=[Action.CONTENT_HIDDEN, Action.CONTENT_RESTORED, Action.REPORT_DISMISSED]
    )
    assert entries.count() == 12
    for entry in entries:
        assert entry.subject is None
        assert entry.actor == carol
        assert not _reveals(entry, alice)
        assert not _reveals(entry, bob)
        assert entry.detail["kind"] in {"question", "answer", "comment"}
        assert entry.detail["question"] == anonymous.pk
        assert set(entry.detail) <= {"kind", "id", "question", "reason", "report"}


# --- Leaving ---------------------------------------------------------------------------------


def test_forgetting_authorship_cuts_the_links_but_keeps_the_texts_anonymous(anonymous, alice, bob):
    reply = answer(anonymous, alice)
    bobs = answer(anonymous, bob, anonymous=True)
    services.question_follow(question=anonymous, member=alice)
    services.question_follow(question=anonymous, member=bob)

    services.member_forget_authorship(member=alice)

    assert not AnonymousAuthorship.objects.filter(member=alice).exists()
    assert AnonymousAuthorship.objects.filter(member=bob, answer=bobs).exists()
    assert not services.is_writer(alice, fresh(anonymous))
    assert not services.is_writer(alice, fresh(reply))
    assert services.writer_of(fresh(anonymous)) is None
    assert list(Follow.objects.values_list("member", flat=True)) == [bob.pk]
    row = fresh(anonymous)
    assert row.is_anonymous and row.author is None and row.organisation is None
    assert fresh(reply).is_anonymous and fresh(reply).author is None
    with pytest.raises(PermissionDenied):
        services.question_edit(
            question=row, editor=alice, title=row.title, body="Ändrad", topics=topics()
        )


def test_leaving_kollegan_forgets_anonymous_authorship(anonymous, alice, bob):
    reply = answer(anonymous, alice)
    answer(anonymous, bob, anonymous=True)

    account_services.member_leave(member=alice)

    alice.refresh_from_db()
    assert not AnonymousAuthorship.objects.filter(member=alice).exists()
    assert AnonymousAuthorship.objects.filter(member=bob).count() == 1
    assert not services.is_writer(alice, fresh(anonymous))
    assert not services.is_writer(alice, fresh(reply))
    assert fresh(anonymous).is_anonymous and fresh(anonymous).author is None
    assert selectors.my_questions(alice) == []


# --- Selectors: lists ---------------------------------------------------------------------------


def _ids(questions) -> list[int]:
    return [q.pk for q in questions]


def _page(**params) -> selectors.QuestionPage:
    return selectors.question_page(QuestionFilters(**params))


def test_filters_from_the_url_fall_back_to_defaults(db):
    assert QuestionFilters.from_params(
        {"visa": "nyast", "amne": " vald ", "organisation": "lycksele", "sida": "3"}
    ) == QuestionFilters(sort="nyast", topic="vald", organisation="lycksele", page=3)
    assert QuestionFilters.from_params({"visa": "konstig", "sida": "x"}) == QuestionFilters()
    assert QuestionFilters.from_params({"sida": "-4"}).page == 1


def test_question_page_sorts_by_activity_newest_and_unanswered(alice, bob, carol):
    old = ask(alice, title="Den äldsta frågan")
    middle = ask(bob, title="Frågan i mitten")
    new = ask(carol, title="Den nyaste frågan", anonymous=True)
    Question.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    Question.objects.filter(pk=middle.pk).update(created_at=timezone.now() - timedelta(days=2))
    answer(old, bob)  # the oldest question is now the most active

    assert _ids(_page().questions)[0] == old.pk
    assert _ids(_page(sort="aktuella").questions) == [old.pk, new.pk, middle.pk]
    assert _ids(_page(sort="nyast").questions) == [new.pk, middle.pk, old.pk]
    assert _ids(_page(sort="obesvarade").questions) == [new.pk, middle.pk]


def test_unanswered_includes_a_question_whose_only_answer_is_hidden(named, bob, carol):
    reply = answer(named, bob)
    assert _ids(_page(sort="obesvarade").questions) == []
    services.content_hide(item=reply, moderator=carol)
    assert _ids(_page(sort="obesvarade").questions) == [named.pk]


def test_question_page_filters_by_topic(alice, bob):
    violence = ask(alice, topic_slugs=("vald", "heder"))
    children = ask(bob, topic_slugs=("barn-och-unga",))
    assert _ids(_page(topic="vald").questions) == [violence.pk]
    assert _ids(_page(topic="barn-och-unga").questions) == [children.pk]
    assert _ids(_page(topic="finns-inte").questions) == []


def test_organisation_filter_never_shows_anonymous_questions(alice, bob, carol):
    named_ = ask(alice)
    ask(alice, title="Anonymt från Lycksele", anonymous=True)
    moderators = ask(carol)
    ask(bob)

    assert set(_ids(_page(organisation="lycksele").questions)) == {named_.pk, moderators.pk}
    assert len(_ids(_page(organisation="storuman").questions)) == 1
    assert len(_page().questions) == 4


def test_question_page_pages_without_overlap(alice):
    made = [ask(alice, title=f"Fråga nummer {n}") for n in range(5)]

    first = selectors.question_page(QuestionFilters(page=1), page_size=2)
    second = selectors.question_page(QuestionFilters(page=2), page_size=2)
    third = selectors.question_page(QuestionFilters(page=3), page_size=2)
    beyond = selectors.question_page(QuestionFilters(page=4), page_size=2)

    assert (first.has_next, second.has_next, third.has_next) == (True, True, False)
    assert (first.has_previous, second.has_previous) == (False, True)
    seen = _ids(first.questions) + _ids(second.questions) + _ids(third.questions)
    assert sorted(seen) == sorted(q.pk for q in made)
    assert beyond.questions == [] and not beyond.has_next
    exactly = selectors.question_page(QuestionFilters(), page_size=5)
    assert len(exactly.questions) == 5 and not exactly.has_next


def test_hidden_questions_are_left_out_of_every_list(named, anonymous, alice, carol):
    services.content_hide(item=named, moderator=carol)
    services.content_hide(item=anonymous, moderator=carol)
    assert _page().questions == []
    assert _page(organisation="lycksele").questions == []
    assert selectors.latest_questions() == []
    assert selectors.topic_questions(Topic.objects.get(slug="barn-och-unga")) == []
    assert selectors.member_questions(alice) == []
    assert selectors.similar_questions(TITLE) == []


def test_question_page_costs_two_queries_however_many_questions(
    alice, bob, django_assert_num_queries
):
    for n in range(12):
        ask(alice if n % 2 else bob, title=f"Fråga {n}", anonymous=n % 3 == 0)
    with django_assert_num_queries(2):
        page = _page()
        for question in page.questions:
            _ = [t.name for t in question.topics.all()]
            _ = question.author.name if question.author else ""
            _ = question.organisation.name if question.organisation else ""


def test_member_questions_shows_only_named_ones(alice, bob):
    named_ = ask(alice)
    ask(alice, title="Alices anonyma fråga", anonymous=True)
    ask(bob)
    assert _ids(selectors.member_questions(alice)) == [named_.pk]


def test_my_questions_includes_own_anonymous_ones_and_no_one_elses(alice, bob):
    named_ = ask(alice)
    hers = ask(alice, title="Alices anonyma fråga", anonymous=True)
    ask(bob, title="Bobs anonyma fråga", anonymous=True)
    ask(bob)
    answer(named_, bob, anonymous=True)  # an anonymous answer does not make it Bob's

    assert set(_ids(selectors.my_questions(alice))) == {named_.pk, hers.pk}
    assert len(selectors.my_questions(bob)) == 2


def test_similar_questions_match_the_longer_words(alice, bob, carol):
    match = ask(alice, title="Orosanmälan från skolan")
    also = ask(bob, title="Skolan vill ha samråd", anonymous=True)
    ask(carol, title="Ekonomiskt bistånd och och och")
    hidden = ask(carol, title="Orosanmälan igen")
    services.content_hide(item=hidden, moderator=carol)

    found = selectors.similar_questions("Hur gör ni med en orosanmälan från SKOLAN?")
    assert set(_ids(found)) == {match.pk, also.pk}
    # Short words (och, hur, ni) do not match everything.
    assert selectors.similar_questions("och hur ni") == []
    assert _ids(selectors.similar_questions("Orosanmälan", exclude=match.pk)) == []


def test_similar_questions_ignore_the_case_of_swedish_letters(alice):
    # SQLite (a supported database) folds the case of ASCII letters only.
    match = ask(alice, title="Öppenvård för unga med missbruk")
    also = ask(alice, title="Återfall efter ÖPPENVÅRD")
    found = selectors.similar_questions("Vad kostar öppenvård?")
    assert set(_ids(found)) == {match.pk, also.pk}


def test_similar_questions_are_at_most_five_newest_first(alice):
    made = [ask(alice, title=f"Placering nummer {n}") for n in range(7)]
    for days, question in enumerate(reversed(made)):
        Question.objects.filter(pk=question.pk).update(
            created_at=timezone.now() - timedelta(days=days)
        )
    found = selectors.similar_questions("placering")
    assert _ids(found) == [q.pk for q in reversed(made)][:5]


# --- Selectors: one thread ---------------------------------------------------------------------


def test_thread_marks_what_each_viewer_wrote(anonymous, alice, bob, carol):
    by_asker = answer(anonymous, alice)
    bobs_anonymous = answer(anonymous, bob, anonymous=True)
    bobs_named = answer(anonymous, bob)
    carols = comment(anonymous, carol, answer=bobs_named)
    alices_comment = comment(anonymous, alice, answer=bobs_anonymous)
    services.question_follow(question=anonymous, member=bob)

    for_alice = selectors.thread(anonymous, alice)
    assert for_alice.viewer_is_asker
    assert for_alice.mine == {
        ("question", anonymous.pk),
        ("answer", by_asker.pk),
        ("comment", alices_comment.pk),
    }
    assert not for_alice.following
    assert [a.viewer_wrote for a in for_alice.answers] == [True, False, False]
    assert for_alice.question.viewer_wrote

    for_bob = selectors.thread(fresh(anonymous), bob)
    assert not for_bob.viewer_is_asker
    assert for_bob.mine == {("answer", bobs_anonymous.pk), ("answer", bobs_named.pk)}
    assert for_bob.following
    assert [a.viewer_wrote for a in for_bob.answers] == [False, True, True]
    assert not for_bob.question.viewer_wrote
    assert for_bob.is_mine(for_bob.answers[1])

    for_carol = selectors.thread(fresh(anonymous), carol)
    assert for_carol.mine == {("comment", carols.pk)}
    assert for_carol.answer_comments == {
        bobs_named.pk: [carols],
        bobs_anonymous.pk: [alices_comment],
    }
    assert for_carol.question_comments == []


def test_thread_of_a_named_question_marks_the_asker(named, alice, bob):
    reply = answer(named, alice)
    note = comment(named, bob)
    view = selectors.thread(named, alice)
    assert view.mine == {("question", named.pk), ("answer", reply.pk)}
    assert view.question_comments == [note]
    assert not view.question_comments[0].viewer_wrote


def _grow(question: Question, members: list[Member], size: int) -> None:
    for n in range(size):
        member = members[n % len(members)]
        reply = answer(question, member, body=f"Svar {n}", anonymous=n % 2 == 0)
        comment(question, member, body=f"Kommentar {n}", answer=reply, anonymous=n % 3 == 0)
        comment(question, member, body=f"Om frågan {n}")


def _read_thread(question: Question, viewer: Member) -> None:
    view = selectors.thread(question, viewer)
    for item in [*view.answers, *view.question_comments]:
        if item.author is not None:
            _ = item.author.name, item.author.organisation.name
        _ = item.viewer_wrote
    for comments in view.answer_comments.values():
        for item in comments:
            if item.author is not None:
                _ = item.author.name, item.author.organisation.name


@pytest.mark.parametrize("anonymous_question", [False, True])
def test_thread_costs_the_same_queries_for_a_short_and_a_long_thread(
    alice, bob, carol, erik, anonymous_question, django_assert_num_queries
):
    short = ask(alice, title="Kort tråd", anonymous=anonymous_question)
    long = ask(alice, title="Lång tråd", anonymous=anonymous_question)
    _grow(short, [bob], 1)
    _grow(long, [bob, carol, erik, alice], 25)
    short, long = fresh(short), fresh(long)

    for viewer in (alice, bob):
        with django_assert_num_queries(4):
            _read_thread(short, viewer)
        with django_assert_num_queries(4):
            _read_thread(long, viewer)


def test_can_see_a_hidden_question(anonymous, alice, bob, carol):
    services.content_hide(item=anonymous, moderator=carol)
    anonymous = fresh(anonymous)
    assert selectors.can_see(anonymous, carol)
    assert selectors.can_see(anonymous, alice)
    assert not selectors.can_see(anonymous, bob)


def test_follow_is_idempotent(named, bob):
    services.question_follow(question=named, member=bob)
    services.question_follow(question=named, member=bob)
    assert Follow.objects.count() == 1
    services.question_follow(question=named, member=bob, follow=False)
    services.question_follow(question=named, member=bob, follow=False)
    assert not Follow.objects.exists()


@pytest.mark.parametrize("common_from", [1, 1000])
def test_a_topic_page_is_the_same_whichever_way_it_is_found(common_from, alice, bob, monkeypatch):
    # A common topic is found by walking the questions newest first, a rare one by
    # sorting its own questions; the answer must not depend on which.
    monkeypatch.setattr(selectors, "COMMON_TOPIC", common_from)
    made = []
    for number in range(25):
        slugs = ("vald",) if number % 3 else ("vald", "barn-och-unga")
        made.append(
            ask(alice if number % 2 else bob, title=f"Fråga nummer {number}", topic_slugs=slugs)
        )
        Question.objects.filter(pk=made[-1].pk).update(
            last_activity_at=timezone.now() - timedelta(hours=number)
        )
    services.content_hide(
        item=made[1], moderator=make_member("m@x.test", "Mod", alice.organisation, role="moderator")
    )
    newest_first = [q.pk for q in made if q.pk != made[1].pk]

    page = selectors.question_page(QuestionFilters(topic="vald"))
    assert _ids(page.questions) == newest_first[:20] and page.has_next
    second = selectors.question_page(QuestionFilters(topic="vald", page=2))
    assert _ids(second.questions) == newest_first[20:]
    in_both = [q.pk for q in made if q.pk != made[1].pk and made.index(q) % 3 == 0]
    topic = Topic.objects.get(slug="barn-och-unga")
    assert _ids(selectors.topic_questions(topic)) == in_both
    assert selectors.question_page(QuestionFilters(topic="finns-inte")).questions == []
