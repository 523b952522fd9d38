"""Operator commands: create_member, create_token, invite and seed_demo, run the
way an operator runs them (call_command, output captured). Failures are a
CommandError with one Swedish line and leave the database as it was."""

import io
import re
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation

from kollegan.accounts.models import Invitation, Member, Organisation, Role
from kollegan.api.models import ApiToken
from kollegan.core.management.commands.seed_demo import (
    DEMO_PASSWORD,
    DOCUMENTS,
    GUIDELINE_TITLE,
    MEMBERS,
    POSTS,
    QUESTIONS,
)
from kollegan.documents.models import (
    Adoption,
    AdoptionStatus,
    Document,
    DocumentComment,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.documents.selectors import adoption_table
from kollegan.events import ics
from kollegan.events.models import Attendance, Event, Occurrence
from kollegan.events.recurrence import STOCKHOLM, local
from kollegan.events.selectors import feed_parts
from kollegan.feed.models import FeedEntry, Like, Post, Reply
from kollegan.feed.selectors import pinned_posts
from kollegan.groups.models import Group, GroupMembership
from kollegan.lib.guard import check_text
from kollegan.notes.models import Note
from kollegan.notifications.models import Activity, EmailState, Notification
from kollegan.questions.models import Answer, Comment, Question
from kollegan.questions.services import writer_of

SWEDISH_LETTERS = re.compile(r"[åäöÅÄÖ]")
# Login rate limits count per address in the cache, which other test runs on this
# machine share (as 127.0.0.1): log in from an address of this module's own.
OWN_IP = "10.17.0.1"


@pytest.fixture(autouse=True)
def _like_manage_py():
    # `manage.py` runs with no language activated, i.e. LANGUAGE_CODE ("sv").
    # Requests made earlier in the same test thread may have left another one on.
    translation.deactivate()
    yield
    translation.deactivate()


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1].strip()


def assert_one_swedish_line(error: CommandError, *words: str) -> None:
    message = str(error)
    assert message.strip()
    assert "\n" not in message.strip()
    for word in words:
        assert word in message


def snapshot() -> tuple[int, int, int]:
    return Member.objects.count(), Invitation.objects.count(), ApiToken.objects.count()


# --- create_member ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "municipality",
    [
        "Lycksele",
        "lycksele",
        "LYCKSELE",
        "Lycksele kommun",
        "lycksele Kommun",
        "LYCKSELE KOMMUN",
        "  Lycksele kommun ",
    ],
)
def test_create_member_finds_the_municipality_by_name_slug_or_kommun_form(db, municipality):
    out, _err = run(
        "create_member",
        "--email=Nina@Lycksele.test",
        "--name=Nina Nilsson",
        f"--municipality={municipality}",
    )

    member = Member.objects.get(email="nina@lycksele.test")
    assert member.name == "Nina Nilsson"
    assert member.organisation.slug == "lycksele"
    assert member.role == Role.MEMBER
    assert "Nina Nilsson" in out


@pytest.mark.parametrize(
    ("municipality", "slug"),
    [
        ("mala", "mala"),
        ("Malå", "mala"),
        ("malå kommun", "mala"),
        ("åsele", "asele"),
        ("ÅSELE KOMMUN", "asele"),
        ("Norsjö kommun", "norsjo"),
    ],
)
def test_create_member_handles_swedish_letters_in_any_case(db, municipality, slug):
    run("create_member", "--email=x@kommun.test", "--name=X Y", f"--municipality={municipality}")

    assert Member.objects.get(email="x@kommun.test").organisation.slug == slug


def test_create_member_with_role_and_password_can_log_in(db):
    run(
        "create_member",
        "--email=mod@storuman.test",
        "--name=Mona Moderator",
        "--municipality=storuman",
        "--role=moderator",
        "--password=Ett-bra-lösenord-för-Mona",
    )

    member = Member.objects.get(email="mod@storuman.test")
    assert member.role == Role.MODERATOR
    client = Client()
    response = client.post(
        "/konto/login/",
        {"login": "mod@storuman.test", "password": "Ett-bra-lösenord-för-Mona"},
        REMOTE_ADDR=OWN_IP,
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_create_member_without_password_gets_an_unusable_one(db):
    run("create_member", "--email=np@storuman.test", "--name=Nils P", "--municipality=Storuman")

    assert not Member.objects.get(email="np@storuman.test").has_usable_password()


def test_create_member_rejects_an_unknown_role(db):
    before = snapshot()
    with pytest.raises(CommandError):
        run(
            "create_member",
            "--email=r@x.test",
            "--name=R",
            "--municipality=Lycksele",
            "--role=king",
        )
    assert snapshot() == before


def test_create_member_with_unknown_municipality_fails_in_swedish_and_writes_nothing(db):
    before = snapshot()
    organisations = Organisation.objects.count()

    with pytest.raises(CommandError) as raised:
        run("create_member", "--email=n@x.test", "--name=N", "--municipality=Ankeborg")

    assert_one_swedish_line(raised.value, "Ankeborg")
    assert SWEDISH_LETTERS.search(str(raised.value))  # "Okänd kommun …"
    assert snapshot() == before
    assert Organisation.objects.count() == organisations


def test_create_member_with_email_in_use_fails_in_swedish_and_writes_nothing(alice):
    before = snapshot()

    with pytest.raises(CommandError) as raised:
        run(
            "create_member",
            "--email=ALICE@lycksele.test",
            "--name=Alice Två",
            "--municipality=Storuman",
        )

    assert_one_swedish_line(raised.value, "alice@lycksele.test")
    with translation.override("sv"):
        expected = translation.gettext(
            "There is already a member with the e-mail address %(email)s."
        ) % {"email": "alice@lycksele.test"}
    assert str(raised.value) == expected
    assert "There is already" not in expected, "no Swedish translation for the message"
    assert snapshot() == before
    assert Member.objects.get(email="alice@lycksele.test").name == "Alice Andersson"


# --- create_token ---------------------------------------------------------------------------


def test_create_token_prints_a_working_token_as_the_last_line(alice):
    out, _err = run("create_token", "--email=Alice@Lycksele.test", "--name=Import")

    secret = last_line(out)
    token = ApiToken.objects.get(member=alice)
    assert token.name == "Import"
    assert token.token_hash != secret
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["email"] == "alice@lycksele.test"


def test_create_token_for_unknown_email_fails_and_writes_nothing(alice):
    before = snapshot()

    with pytest.raises(CommandError) as raised:
        run("create_token", "--email=nobody@lycksele.test")

    assert_one_swedish_line(raised.value, "nobody@lycksele.test")
    assert snapshot() == before


def test_create_token_for_a_deactivated_member_fails_and_writes_nothing(dave):
    before = snapshot()

    with pytest.raises(CommandError) as raised:
        run("create_token", "--email=dave@storuman.test")

    assert_one_swedish_line(raised.value, "dave@storuman.test")
    assert snapshot() == before


# --- invite ----------------------------------------------------------------------------------


def test_invite_prints_a_working_link_as_the_last_line(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out, _err = run(
        "invite",
        "--email=Nina@Lycksele.test",
        "--municipality=Lycksele kommun",
        "--role=moderator",
        "--no-email",
    )

    url = last_line(out)
    assert url.startswith(settings.SITE_URL + "/inbjudan/")
    assert mail.outbox == []
    path = url.removeprefix(settings.SITE_URL)
    client = Client()
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        {
            "name": "Nina Nilsson",
            "password1": "Ett-bra-lösenord-99",
            "password2": "Ett-bra-lösenord-99",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(email="nina@lycksele.test")
    assert member.organisation.slug == "lycksele"
    assert member.role == Role.MODERATOR
    assert client.get("/").status_code == 200


def test_invite_mails_the_same_link_it_prints(db, settings, django_capture_on_commit_callbacks):
    # Immediate backend + captured on_commit: the e-mail task runs right away
    # (see test_invitations.py for the reasoning).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        out, _err = run("invite", "--email=nina@lycksele.test", "--municipality=lycksele")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@lycksele.test"]
    assert last_line(out) in mail.outbox[0].body


def test_invite_for_unknown_municipality_fails_and_writes_nothing(db):
    before = snapshot()

    with pytest.raises(CommandError) as raised:
        run("invite", "--email=n@x.test", "--municipality=Ankeborg kommun")

    assert_one_swedish_line(raised.value, "Ankeborg")
    assert snapshot() == before


def test_invite_for_an_email_in_use_fails_and_writes_nothing(alice):
    before = snapshot()

    with pytest.raises(CommandError) as raised:
        run("invite", "--email=alice@lycksele.test", "--municipality=Lycksele")

    assert_one_swedish_line(raised.value, "alice@lycksele.test")
    assert snapshot() == before


# --- seed_demo -------------------------------------------------------------------------------


def test_seed_demo_creates_the_demo_members_with_the_demo_password(db):
    out, _err = run("seed_demo")

    count = Member.objects.count()
    assert count == len(MEMBERS)
    assert 20 <= count <= 30
    for email in ("admin@kollegan.test", "anna@kollegan.test"):
        assert Member.objects.get(email=email).check_password(DEMO_PASSWORD)
    assert Member.objects.get(email="admin@kollegan.test").role == Role.ADMIN
    assert "anna@kollegan.test" in out
    client = Client()
    response = client.post(
        "/konto/login/",
        {"login": "anna@kollegan.test", "password": "kollegan-demo"},
        REMOTE_ADDR=OWN_IP,
    )
    assert response.status_code == 302
    assert "Anna Berglund" in client.get("/").content.decode()


def test_seed_demo_is_idempotent(db):
    run("seed_demo")
    emails = set(Member.objects.values_list("email", flat=True))
    models = (Question, Answer, Comment, Post, Reply, Like, FeedEntry)
    models += (Event, Occurrence, Attendance, Group, GroupMembership, Note)
    models += (Document, DocumentVersion, DocumentComment, Adoption)
    counts = [model.objects.count() for model in models]

    out, _err = run("seed_demo")

    assert Member.objects.count() == len(MEMBERS)
    assert set(Member.objects.values_list("email", flat=True)) == emails
    assert [model.objects.count() for model in models] == counts
    assert (
        "0 nya frågor och 0 nya inlägg, 0 nya evenemang, 0 nya mötesnoteringar och "
        "0 nya dokument" in out
    )


# The questions asked on the real platform, with the answer counts DOMAIN.md gives.
REAL_QUESTIONS = {
    "Hur avslutar man sin användare": 1,
    "Tips LSS-boende – man 30 års ålder, schizofreni": 4,
    "Tips på placering mor + barn": 1,
    "Omprövning LVU 3 §": 1,
    "Du-utredning": 2,
    "Ek. bistånd till ansökan om enskild vårdnad": 1,
    "Förslag på frågor till korta digitala MÖTESPLATSER": 4,
    "Försörjningsansvar mellan makar – försörjningsstöd": 3,
    "Förmedlade medel": 3,
    "Arbetsgivarens ansvar": 4,
    "Ekonomiskt bistånd till fritidsaktiviteter": 1,
}


def test_seed_demo_asks_the_real_questions_with_their_answer_counts(db):
    out, _err = run("seed_demo")

    assert Question.objects.count() == len(QUESTIONS) == len(REAL_QUESTIONS) + 1
    for title, answers in REAL_QUESTIONS.items():
        question = Question.objects.get(title=title)
        assert question.answer_count == question.answers.count() == answers, title
        assert question.topics.exists(), title
    umgange = Question.objects.get(title="Samtal med barn rörande umgänge")
    assert umgange.answer_count == umgange.answers.count() > 0
    assert Comment.objects.filter(answer__isnull=True).exists()
    assert Comment.objects.filter(answer__isnull=False).exists()
    # A few askers marked an answer as solving their question.
    assert Answer.objects.filter(is_helpful=True).count() >= 3
    assert Question.objects.filter(solved=True).count() == (
        Question.objects.filter(answers__is_helpful=True).distinct().count()
    )
    # Spread over the last weeks, the latest activity never in the future.
    now = timezone.now()
    oldest = Question.objects.order_by("created_at").first()
    assert now - oldest.created_at > timedelta(days=21)
    assert not Question.objects.filter(last_activity_at__gt=now).exists()
    assert not Answer.objects.filter(created_at__gt=now).exists()
    assert "12 nya frågor" in out


def test_seed_demo_anonymous_questions_and_answers_have_no_author(db):
    run("seed_demo")

    anonymous = Question.objects.filter(is_anonymous=True)
    assert {
        "Tips LSS-boende – man 30 års ålder, schizofreni",
        "Omprövning LVU 3 §",
        "Samtal med barn rörande umgänge",
    } <= set(anonymous.values_list("title", flat=True))
    assert anonymous.count() >= 4
    for question in anonymous:
        assert question.author_id is None and question.organisation_id is None
        # Only the separated link knows the asker, and their replies stay anonymous.
        assert writer_of(question) is not None
        for reply in question.comments.filter(by_asker=True):
            assert reply.is_anonymous and reply.author_id is None
    anonymous_answers = Answer.objects.filter(is_anonymous=True)
    assert anonymous_answers.exists()
    assert not anonymous_answers.filter(author__isnull=False).exists()
    assert not Question.objects.filter(is_anonymous=False, author__isnull=True).exists()


def test_seed_demo_answers_come_from_other_municipalities(db):
    run("seed_demo")

    for answer in Answer.objects.select_related("question"):
        asker, writer = writer_of(answer.question), writer_of(answer)
        assert writer.organisation_id != asker.organisation_id, answer.question.title


def test_seed_demo_writes_posts_with_replies_likes_and_one_pin(db):
    out, _err = run("seed_demo")

    assert Post.objects.count() == len(POSTS) and 6 <= len(POSTS) <= 10
    assert f"{len(POSTS)} nya inlägg" in out
    for post in Post.objects.all():
        assert post.reply_count == post.replies.count() > 0, post.body
        assert post.like_count == post.likes.count() > 0, post.body
        # Replies come from colleagues elsewhere (or the author answering them).
        for reply in post.replies.select_related("author"):
            assert reply.author_id == post.author_id or (
                reply.author.organisation_id != post.author.organisation_id
            ), reply.body
            assert reply.created_at >= post.created_at
        assert [text for text in [post.body, post.link] if check_text(text).findings] == []
    assert Post.objects.exclude(link="").filter(link__startswith="https://").exists()
    assert Post.objects.filter(topics__isnull=False).distinct().count() >= 3
    assert Post.objects.filter(body__contains="Yrkesresan").exists()
    pinned = Post.objects.get(pinned_at__isnull=False)
    assert pinned.pinned_by.email == "karin@kollegan.test"
    assert "funktionshinder" in pinned.body and "08.15–09.00" in pinned.body
    assert [post.pk for post in pinned_posts(pinned.author)] == [pinned.pk]
    # Spread over the last two weeks, never in the future.
    now = timezone.now()
    oldest = Post.objects.order_by("created_at").first()
    assert timedelta(days=10) < now - oldest.created_at <= timedelta(days=14)
    for model in (Post, Reply, Like):
        assert not model.objects.filter(created_at__gt=now).exists(), model


def test_seed_demo_feed_shows_posts_and_questions_newest_first(db):
    run("seed_demo")

    entries = list(
        FeedEntry.objects.select_related("post", "question", "event", "note").order_by(
            "-created_at"
        )
    )
    # The group's series and note are the group's alone: not announced.
    public_events = Event.objects.filter(group__isnull=True)
    public_notes = Note.objects.filter(group__isnull=True)
    assert len(entries) == (
        Post.objects.count()
        + Question.objects.count()
        + public_events.count()
        + public_notes.count()
    )
    assert {entry.event_id for entry in entries if entry.event_id} == set(
        public_events.values_list("pk", flat=True)
    )
    assert {entry.note_id for entry in entries if entry.note_id} == set(
        public_notes.values_list("pk", flat=True)
    )
    assert {entry.post_id for entry in entries if entry.post_id} == set(
        Post.objects.values_list("pk", flat=True)
    )
    assert {entry.question_id for entry in entries if entry.question_id} == set(
        Question.objects.values_list("pk", flat=True)
    )
    for entry in entries:
        target = entry.post or entry.question or entry.event or entry.note
        # Backdated with what it announces, topic rows too.
        assert entry.created_at == target.created_at
        assert set(entry.topic_links.values_list("created_at", flat=True)) <= {entry.created_at}
        if entry.question and entry.question.is_anonymous:
            assert entry.actor_id is None
    kinds = [entry.kind for entry in entries]
    # Questions and posts interleave in time rather than one block after the other.
    assert kinds[:10].count("post") and kinds[:10].count("question")


# DOMAIN.md's autumn, moved to 2026: every Wednesday 2/9–16/12, the third week skipped.
AUTUMN_THEMES = {
    date(2026, 9, 2): "Funktionshinder",
    date(2026, 9, 9): "Skadligt bruk/beroende + Våld",
    date(2026, 9, 23): "Försörjningsstöd",
    date(2026, 9, 30): "Funktionshinder",
    date(2026, 10, 7): "Skadligt bruk/beroende + Våld",
    date(2026, 10, 14): "Barn och unga",
    date(2026, 10, 21): "Försörjningsstöd",
    date(2026, 10, 28): "Våld",
    date(2026, 11, 4): "Skadligt bruk/beroende",
    date(2026, 11, 11): "Barn och unga",
    date(2026, 11, 18): "Försörjningsstöd",
    date(2026, 11, 25): "Funktionshinder",
    date(2026, 12, 2): "Skadligt bruk/beroende",
    date(2026, 12, 9): "Barn och unga",
    date(2026, 12, 16): "Försörjningsstöd",
}


def test_seed_demo_adds_the_autumn_motesplats_as_one_series_with_themes(db):
    out, _err = run("seed_demo")

    event = Event.objects.get(title="Digital mötesplats")
    assert event.rrule and event.group is None and not event.is_cancelled
    assert event.organiser.slug == "fou-valfard"
    assert [member.email for member in event.hosts.all()] == ["ulrika@kollegan.test"]
    assert event.online_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    assert event.description
    assert set(event.topics.values_list("slug", flat=True)) >= {
        "funktionshinder",
        "forsorjningsstod",
        "barn-och-unga",
        "vald",
    }
    dates = list(event.occurrences.order_by("original_start"))
    assert len(dates) == 16
    held = [row for row in dates if not row.skipped]
    assert [local(row.original_start).date() for row in dates if row.skipped] == [date(2026, 9, 16)]
    assert {local(row.start).date(): row.theme for row in held} == AUTUMN_THEMES
    for row in held:
        start, end = local(row.start), local(row.end)
        assert (start.weekday(), start.hour, start.minute) == (2, 8, 15)
        assert (end.hour, end.minute) == (9, 0)
    assert event.last_end == datetime(2026, 12, 16, 9, 0, tzinfo=STOCKHOLM)
    # The stored calendar text says the same: one master, EXDATE, a theme per date.
    assert event.ics.count("BEGIN:VEVENT") == 1 + 15
    assert "EXDATE;TZID=Europe/Stockholm:20260916T081500" in event.ics
    assert "Digital mötesplats – Skadligt bruk/beroende + Våld" in event.ics.replace("\r\n ", "")
    assert event.created_at < event.start
    # "Jag kommer" on a few dates, counted on each.
    for row in dates:
        assert row.going_count == row.attendances.count()
    assert sum(row.going_count for row in dates) >= 10
    assert "evenemang" in out
    # Nothing the guard would stop or ask about.
    texts = [event.title, event.description, *(row.theme for row in dates)]
    assert [text for text in texts if check_text(text).findings] == []


def test_seed_demo_adds_the_seminar_the_group_and_the_two_notes(db):
    run("seed_demo")

    seminar = Event.objects.get(title="Barnets resa i socialtjänsten")
    assert not seminar.rrule and seminar.group is None
    assert list(seminar.topics.values_list("slug", flat=True)) == ["barn-och-unga"]
    now = timezone.now()
    assert timedelta(days=7) < seminar.start - now < timedelta(days=28)
    assert seminar.occurrences.get().going_count > 0

    group = Group.objects.get(name="Yrkesresan Ny inom R8 – hösten 2026")
    assert group.created_by.email == "karin@kollegan.test"
    people = set(group.members.values_list("email", flat=True))
    assert {"karin@kollegan.test", "anna@kollegan.test", "erik@kollegan.test"} <= people
    assert 5 <= len(people) <= 7
    series = Event.objects.get(group=group)
    assert series.rrule and series.occurrences.count() == 8
    for row in series.occurrences.all():
        assert local(row.start).weekday() == 3 and row.theme
        assert set(row.attendances.values_list("member__email", flat=True)) <= people

    assert Note.objects.count() == 2
    motesplats = Event.objects.get(title="Digital mötesplats")
    note = Note.objects.get(group__isnull=True)
    assert note.occurrence.event == motesplats
    assert local(note.occurrence.start).date() == date(2026, 11, 18)
    assert note.occurrence.end < note.created_at <= now
    assert "18 november" in note.body and "kommuner" in note.body
    assert note.topics.filter(slug="forsorjningsstod").exists()
    group_note = Note.objects.get(group=group)
    assert group_note.occurrence.event == series
    assert group_note.occurrence.end < group_note.created_at <= now
    texts = [seminar.description, series.description, note.body, group_note.body]
    assert [text for text in texts if check_text(text).findings] == []

    # Only the group's members see its series, in the calendar feed too.
    anna = Member.objects.get(email="anna@kollegan.test")
    johan = Member.objects.get(email="johan@kollegan.test")
    since = datetime(2026, 8, 1, tzinfo=STOCKHOLM)
    assert any(series.uid in part for part in feed_parts(anna, now=since))
    assert not any(series.uid in part for part in feed_parts(johan, now=since))
    assert not FeedEntry.objects.filter(event=series).exists()
    assert not FeedEntry.objects.filter(note=group_note).exists()
    # Each stored calendar text is what the service would write now.
    for event in (motesplats, seminar, series):
        dates = list(event.occurrences.order_by("original_start"))
        names = list(event.topics.order_by("position", "name").values_list("name", flat=True))
        assert event.ics == ics.event_ics(event, dates, names)


def test_seed_demo_develops_the_shared_guideline_in_three_versions(db):
    out, _err = run("seed_demo")

    guideline = Document.objects.get(title=GUIDELINE_TITLE)
    assert (guideline.kind, guideline.status) == (DocumentKind.GUIDELINE, DocumentStatus.ADOPTED)
    assert set(guideline.topics.values_list("slug", flat=True)) == {"barn-och-unga", "vald"}
    versions = list(guideline.versions.select_related("author").order_by("number"))
    assert [version.number for version in versions] == [1, 2, 3]
    assert guideline.version_number == 3
    # Three members of the working group, in three municipalities, each saying why.
    assert len({version.author.organisation_id for version in versions}) == 3
    assert all(version.change_note for version in versions)
    assert guideline.owner == versions[0].author
    assert guideline.body == versions[-1].body and guideline.updated_by == versions[-1].author
    assert len(versions[0].body) < len(versions[1].body) < len(versions[2].body)
    # Drafted over the last weeks, in order, never in the future.
    now = timezone.now()
    assert timedelta(days=21) < now - versions[0].created_at
    assert versions[0].created_at < versions[1].created_at < versions[2].created_at < now
    assert (guideline.created_at, guideline.updated_at) == (
        versions[0].created_at,
        versions[2].created_at,
    )
    # Commented on while it was out for comments, by two members.
    comments = list(guideline.comments.all())
    assert guideline.comment_count == len(comments) >= 2
    assert len({comment.author_id for comment in comments if comment.version}) == 2
    for comment in comments:
        if comment.version is not None:
            assert comment.created_at > comment.version.created_at

    # Some organisations decided (each of the three ways), the others have nothing.
    table = {org.name: adoption for org, adoption in adoption_table(guideline)}
    recorded = {name: adoption for name, adoption in table.items() if adoption}
    assert {adoption.status for adoption in recorded.values()} == set(AdoptionStatus.values)
    assert 3 <= len(recorded) < len(table)
    for name, adoption in recorded.items():
        assert adoption.recorded_by.organisation.name == name
        assert adoption.decided_on <= timezone.localdate() and adoption.decided_by
        assert adoption.version_number == 3
        assert bool(adoption.variant_url) == (adoption.status == AdoptionStatus.VARIANT)
    assert recorded["Vilhelmina"].variant_url.startswith("https://")

    # And documents of other types, each with its topics and history.
    others = Document.objects.exclude(pk=guideline.pk)
    assert others.count() == len(DOCUMENTS) - 1 >= 3
    assert {DocumentKind.ROUTINE, DocumentKind.TEMPLATE, DocumentKind.KNOWLEDGE} <= set(
        others.values_list("kind", flat=True)
    )
    for document in Document.objects.all():
        assert document.topics.exists(), document.title
        assert document.version_number == document.versions.count()
        assert document.comment_count == document.comments.count()
        assert document.updated_at <= now
    assert "5 nya dokument" in out
    texts = list(DocumentVersion.objects.values_list("body", flat=True))
    texts += list(DocumentVersion.objects.values_list("change_note", flat=True))
    texts += list(DocumentComment.objects.values_list("body", flat=True))
    texts += list(Document.objects.values_list("title", flat=True))
    assert [text for text in texts if check_text(text).findings] == []


def test_seed_demo_documents_are_bell_history_not_email(db):
    run("seed_demo")

    assert not mail.outbox
    assert not Notification.objects.filter(
        email_state__in=[EmailState.PENDING, EmailState.DIGEST]
    ).exists()
    assert not Activity.objects.filter(fanned_out_at__isnull=True).exists()


def test_seed_demo_if_empty_does_nothing_the_second_time(db):
    run("seed_demo", "--if-empty")
    assert Member.objects.count() == len(MEMBERS)
    anna = Member.objects.get(email="anna@kollegan.test")
    anna.set_password("ändrat-lösenord-123")
    anna.save()

    out, _err = run("seed_demo", "--if-empty")

    assert Member.objects.count() == len(MEMBERS)
    anna.refresh_from_db()
    assert anna.check_password("ändrat-lösenord-123")
    assert out.strip()


def test_seed_demo_if_empty_leaves_a_real_database_alone(alice):
    run("seed_demo", "--if-empty")

    assert list(Member.objects.all()) == [alice]


def test_seed_demo_refuses_outside_developer_mode(db, settings):
    settings.DEV = False

    with pytest.raises(CommandError) as raised:
        run("seed_demo")

    assert_one_swedish_line(raised.value, "KOLLEGAN_DEV")
    assert not Member.objects.exists()
