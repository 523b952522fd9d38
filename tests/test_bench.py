"""`make bench` end to end on a tiny data set: data generation, the real granian
server and the JSON report. Figures are not asserted, only that they are there:
timings on a shared test machine say nothing."""

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from kollegan.accounts.models import Member, Organisation, Role
from kollegan.bench import data
from kollegan.bench.environment import make_target
from kollegan.bench.pages import PAGES
from kollegan.documents.models import (
    Adoption,
    AdoptionStatus,
    Document,
    DocumentComment,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.events import ics
from kollegan.events.models import Attendance, Event, Occurrence
from kollegan.events.recurrence import expand, local
from kollegan.events.selectors import Filters, feed_parts, month_grid
from kollegan.events.services import feed_owner
from kollegan.feed.models import FeedEntry, Like, Post, Reply
from kollegan.feed.selectors import feed_page
from kollegan.groups.models import Group, GroupMembership
from kollegan.lib.guard import check_text
from kollegan.lib.markdown import render_markdown
from kollegan.notes.models import Note
from kollegan.questions.models import AnonymousAuthorship, Answer, Comment, Question

REPO_DIR = Path(__file__).resolve().parent.parent


def run_bench(data_dir: Path) -> subprocess.CompletedProcess:
    # The environment passes through as is: with DATABASE_URL set the bench must
    # pick a database of its own, never this test run's.
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kollegan.bench",
            "--members",
            "60",
            "--requests",
            "5",
            "--warmup",
            "1",
            # A small chat run: 20 sockets, a group of 10, 3 messages of each kind.
            "--chat-sockets",
            "20",
            "--chat-group",
            "10",
            "--chat-messages",
            "3",
            "--data-dir",
            str(data_dir),
        ],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_bench_reports_every_page_as_json(tmp_path):
    result = run_bench(tmp_path / "bench")
    assert result.returncode == 0, result.stderr[-4000:]

    everything = [json.loads(line) for line in result.stdout.splitlines()]
    names = [page.name for page in PAGES]
    lines = [line for line in everything if line["page"] in names]
    by_page = {line["page"]: line for line in lines}
    assert [line["page"] for line in lines] == names
    assert everything[: len(names)] == lines  # the pages first, then the notifications
    assert lines[0]["page"] == "hello"
    assert by_page["start"]["path"] == "/"

    for line in lines:
        assert line["status"] == 200, line
        assert line["members"] == 60
        assert line["requests"] == 5
        assert "error" not in line
        for key in ("server_p50_ms", "server_p95_ms", "client_p50_ms", "client_p95_ms"):
            assert isinstance(line[key], int | float) and line[key] > 0, (key, line)
        assert isinstance(line["ratio_p50_vs_hello"], int | float), line
        assert isinstance(line["queries"], int), line

    assert by_page["hello"]["ratio_p50_vs_hello"] == 1.0
    assert by_page["start"]["queries"] > 0

    # The search index the pages searched: its entries, rebuild time and size.
    index = everything[len(names)]
    assert index["page"] == "search_index"
    assert index["entries"] > 60 and index["size_bytes"] > 0, index
    assert isinstance(index["rebuild_seconds"], float), index

    # The notification figures: the question POSTs, the fan-out, the e-mails
    # and the digests, every one of which arrived exactly once at the sink.
    notify = {
        line["page"]: line
        for line in everything[len(names) + 1 :]
        if line["page"].startswith("notify_")
    }
    assert list(notify) == [
        "notify_post_no_subscribers",
        "notify_post_60_subscribers",
        "notify_fan_out",
        "notify_send",
        "notify_daily_digest",
    ]
    for line in notify.values():
        assert line["members"] == 60 and "error" not in line, line
    for name in ("notify_post_no_subscribers", "notify_post_60_subscribers"):
        line = notify[name]
        assert (line["status"], line["requests"], line["method"]) == (302, 5, "POST"), line
        assert line["server_p95_ms"] > 0 and line["queries"] > 0, line
    assert isinstance(notify["notify_post_60_subscribers"]["ratio_p95_vs_no_subscribers"], float)
    # Every member but the asker and those who left is told.
    told = notify["notify_fan_out"]["notifications"]
    assert 40 < told < 60
    assert notify["notify_fan_out"]["seconds"] > 0
    for name in ("notify_send", "notify_daily_digest"):
        line = notify[name]
        assert line["messages"] == line["recipients"] == told, line
        assert line["delivered_once"] is True, line
        assert line["missing"] == line["duplicates"] == line["unexpected"] == 0, line
        assert line["messages_per_s"] > 0 and line["seconds"] > 0, line

    # The chat figures, last: every message reached every socket of its
    # conversation, beside the same kind of figures for a direct conversation.
    assert everything[-1]["page"] == "chat_delivery"
    chat = everything[-1]
    assert chat["status"] == "ok" and "error" not in chat, chat
    assert (chat["members"], chat["sockets"], chat["messages"]) == (60, 20, 3), chat
    assert (chat["group_members"], chat["direct_members"]) == (10, 2), chat
    assert chat["layer"] in ("memory", "redis"), chat
    for kind in ("group", "direct"):
        for key in ("p50_ms", "p95_ms", "first_p50_ms", "first_p95_ms", "ack_p95_ms"):
            value = chat[f"{kind}_{key}"]
            assert isinstance(value, int | float) and value > 0, (kind, key, chat)
        # The last socket cannot have the message before the first one.
        assert chat[f"{kind}_p95_ms"] >= chat[f"{kind}_first_p50_ms"], chat
    for key in ("ratio_p50_group_vs_direct", "ratio_p95_group_vs_direct", "hello_p50_ms"):
        assert isinstance(chat[key], float), (key, chat)
    assert isinstance(chat["within_limit"], bool), chat

    # …and it left the database as it found it, for the next run.
    assert leftovers(tmp_path / "bench") == {
        "notifications_activity": 0,
        "notifications_notification": 0,
        "notifications_email": 0,
        "notifications_topicsubscription": 0,
        "notifications_notificationsettings": 0,
        "questions_question": data.question_counts(60)[0],
        "chat_message": 0,
        "chat_connection": 0,
        "django_tasks_database_dbtaskresult": 0,
    }


def leftovers(data_dir: Path) -> dict[str, int]:
    """Row counts in the bench's own database (SQLite file, or its Postgres database)."""
    target = make_target("m60", 60, data_dir)
    tables = [
        "notifications_activity",
        "notifications_notification",
        "notifications_email",
        "notifications_topicsubscription",
        "notifications_notificationsettings",
        "questions_question",
        "chat_message",
        "chat_connection",
        "django_tasks_database_dbtaskresult",
    ]
    if target.database_url:
        conninfo = target.database_url.replace("pgsql://", "postgresql://", 1)
        with psycopg.connect(conninfo) as conn:
            return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608
    with closing(sqlite3.connect(target.sqlite_path)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608


@pytest.mark.slow
def test_bench_fails_on_an_error_page_and_on_refused_sockets(tmp_path):
    """A page answering non-2xx is reported in its line and fails the run; so
    does a chat process that refuses the sockets."""
    # The bench runs in a subprocess, so the broken page list is set up by a
    # tiny wrapper script rather than by patching PAGES here. The runner shares
    # the PAGES list object, so changing it in place is enough. The chat process
    # gets another secret key, so the sessions the bench made do not log in.
    wrapper = tmp_path / "broken_bench.py"
    wrapper.write_text(
        "import sys\n"
        "from kollegan.bench import __main__ as bench, pages\n"
        "pages.PAGES[:] = [pages.HELLO, pages.Page('missing', '/finns-inte/')]\n"
        "chat_delivery = bench.chat_delivery\n"
        "bench.chat_delivery = lambda env, *rest: chat_delivery(\n"
        "    {**env, 'SECRET_KEY': 'another-' * 8}, *rest\n"
        ")\n"
        "sys.exit(bench.main(sys.argv[1:]))\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            str(wrapper),
            # The same size as the test above, so a kept database is reused.
            "--members",
            "60",
            "--skip-notifications",
            "--chat-sockets",
            "6",
            "--chat-group",
            "3",
            "--chat-messages",
            "1",
            "--requests",
            "3",
            "--warmup",
            "0",
            "--data-dir",
            str(tmp_path / "bench"),
        ],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-4000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    missing = next(line for line in lines if line["page"] == "missing")
    assert missing["status"] == 404
    assert missing["error"] == "HTTP 404"
    chat = lines[-1]
    assert chat["page"] == "chat_delivery" and chat["status"] == "failed", chat
    assert "6 sockets did not open" in chat["error"], chat
    assert "2 figure(s) failed" in result.stderr, result.stderr[-4000:]


def test_bench_data_holds_questions_as_the_services_would_write_them(db):
    """The generator writes Frågor with raw inserts; the rows must still say what
    the services would have: counts, anonymity, activity, and the long thread."""
    data.generate(60, 1, lambda message: None)
    fixture = data.prepare_fixture()

    questions, answers, comments = data.question_counts(60)
    assert (Question.objects.count(), Answer.objects.count(), Comment.objects.count()) == (
        questions,
        answers,
        comments,
    )
    assert data.question_counts(30_000) == (100_000, 1_000_000, 300_000)
    visible = Count("answers", filter=Q(answers__hidden_at__isnull=True))
    assert not Question.objects.annotate(visible=visible).exclude(answer_count=F("visible"))
    assert Question.objects.filter(answer_count=0).exists()
    assert not Question.objects.annotate(topic_count=Count("topics")).filter(
        Q(topic_count=0) | Q(topic_count__gt=3)
    )
    assert not Question.objects.filter(excerpt="")
    named = Question.objects.filter(is_anonymous=False)
    assert not named.exclude(organisation=F("author__organisation"))

    anonymous = Question.objects.filter(is_anonymous=True)
    assert anonymous.exists()
    assert not anonymous.filter(Q(author__isnull=False) | Q(organisation__isnull=False))
    links = AnonymousAuthorship.objects
    for model, field in ((Question, "question"), (Answer, "answer"), (Comment, "comment")):
        rows = model.objects.filter(is_anonymous=True)
        assert not rows.filter(author__isnull=False), model
        linked = links.filter(**{f"{field}__isnull": False}).values(f"{field}_id")
        assert rows.count() == linked.count() and not rows.exclude(pk__in=linked), model

    latest = Question.objects.annotate(
        answered=Max("answers__created_at"), commented=Max("comments__created_at")
    )
    for question in latest:
        stamps = [question.created_at, question.answered, question.commented]
        assert question.last_activity_at == max(s for s in stamps if s is not None)
    assert not Answer.objects.filter(created_at__lt=F("question__created_at"))
    assert not Answer.objects.filter(created_at__gt=timezone.now())
    assert not Question.objects.filter(solved=True).exclude(answers__is_helpful=True)

    thread = Question.objects.get(pk=fixture.ids["question_id"])
    assert thread.answers.count() == thread.answer_count == 50
    assert thread.comments.count() == 200
    assert thread.comments.filter(answer__isnull=True).exists()
    assert thread.comments.filter(answer__isnull=False).exists()

    # Nothing the confidentiality guard would stop or ask about.
    texts = {q.title for q in Question.objects.only("title")}
    for model in (Question, Answer, Comment):
        texts |= set(model.objects.values_list("body", flat=True).distinct())
    assert [text for text in texts if check_text(text).findings] == []


def test_bench_data_holds_posts_and_the_feed_as_the_services_would_write_them(db):
    """Posts, replies, likes and the feed are raw inserts too: counts kept by the
    services must match the rows, and every question and post has its entry."""
    data.generate(60, 1, lambda message: None)
    fixture = data.prepare_fixture()

    posts, replies, likes = data.post_counts(60)
    assert (Post.objects.count(), Reply.objects.count()) == (posts, replies)
    assert 0.9 * likes <= Like.objects.count() <= likes
    assert data.post_counts(30_000) == (200_000, 400_000, 200_000)
    visible = Count("replies", filter=Q(replies__hidden_at__isnull=True), distinct=True)
    assert not Post.objects.annotate(visible=visible).exclude(reply_count=F("visible"))
    assert not Post.objects.annotate(n=Count("likes", distinct=True)).exclude(like_count=F("n"))
    assert not Post.objects.annotate(n=Count("topics")).filter(n__gt=2)
    assert Post.objects.exclude(link="").exists()
    assert not Reply.objects.filter(created_at__lt=F("post__created_at"))
    assert not Like.objects.filter(created_at__lt=F("post__created_at"))
    assert not Reply.objects.filter(created_at__gt=timezone.now())

    pinned = Post.objects.filter(pinned_at__isnull=False)
    assert pinned.exists()
    assert not pinned.filter(Q(hidden_at__isnull=False) | Q(pinned_by__isnull=True))
    assert not pinned.exclude(pinned_by__role__in=[Role.MODERATOR, Role.ADMIN])
    hidden = Post.objects.filter(hidden_at__isnull=False)
    assert hidden.exists()
    # Nothing replied to or liked once the post was hidden.
    assert not Reply.objects.filter(created_at__gt=F("post__hidden_at"))
    assert not Like.objects.filter(created_at__gt=F("post__hidden_at"))

    entries = FeedEntry.objects
    public_events = Event.objects.filter(group__isnull=True)
    public_notes = Note.objects.filter(group__isnull=True)
    assert entries.count() == (
        Question.objects.count() + posts + public_events.count() + public_notes.count()
    )
    targets = {"question": Question.objects, "post": Post.objects}
    targets |= {"event": public_events, "note": public_notes}
    for target, items in targets.items():
        rows = entries.filter(**{f"{target}__isnull": False}).select_related(target)
        assert rows.count() == items.count() > 0, target
        for entry in rows:
            item = getattr(entry, target)
            assert entry.kind == target
            assert entry.created_at == item.created_at
            assert entry.hidden == (getattr(item, "hidden_at", None) is not None)
            topics = {t.pk: t for t in item.topics.all()}
            links = list(entry.topic_links.all())
            assert {link.topic_id for link in links} == set(topics)
            for link in links:
                assert (link.created_at, link.hidden) == (entry.created_at, entry.hidden)
    assert entries.filter(kind="post", hidden=True).exists()
    assert not entries.filter(question__is_anonymous=True, actor__isnull=False)
    assert not entries.filter(question__is_anonymous=False, actor__isnull=True)
    assert not entries.filter(kind="post").exclude(actor=F("post__author"))
    assert not entries.filter(kind="event").exclude(actor=F("event__author"))
    assert not entries.filter(kind="note").exclude(actor=F("note__author"))
    assert not entries.filter(kind="question", question__is_anonymous=False).exclude(
        actor=F("question__author")
    )
    by_time = list(entries.order_by("created_at", "id").values_list("id", flat=True))
    assert by_time == sorted(by_time), "entry ids follow time"

    # The cursor is where the first page of the feed ends.
    page = feed_page(Member.objects.get(pk=fixture.ids["bench_member_id"]))
    assert fixture.ids["feed_cursor"] == page.next_cursor != ""
    second = feed_page(Member.objects.first(), cursor=page.next_cursor)
    assert second.entries
    assert not {entry.pk for entry in second.entries} & {entry.pk for entry in page.entries}

    texts = set(Post.objects.values_list("body", flat=True)) | set(
        Reply.objects.values_list("body", flat=True)
    )
    assert [text for text in texts if check_text(text).findings] == []
    links = set(Post.objects.exclude(link="").values_list("link", flat=True))
    assert [link for link in links if check_text(link).findings] == []


def test_bench_data_holds_the_calendar_as_the_services_would_write_it(db):
    """Events, dates, sign-ups, groups and notes are bulk inserts: every row must
    hold what kollegan/events/services.py and kollegan/notes/services.py write."""
    data.generate(60, 1, lambda message: None)
    fixture = data.prepare_fixture()

    events, series, attendances, notes = data.calendar_counts(60)
    assert data.calendar_counts(30_000) == (20_000, 500, 50_000, 2_000)
    assert Event.objects.count() == events
    assert Event.objects.exclude(rrule="").count() == series
    assert Note.objects.count() == notes
    assert Attendance.objects.count() <= attendances

    groups = {group.pk: group for group in Group.objects.all()}
    assert len(groups) == 5
    members_of = {pk: set() for pk in groups}
    for pk, member in GroupMembership.objects.values_list("group", "member"):
        members_of[pk].add(member)
    for group in groups.values():
        assert group.created_by_id in members_of[group.pk]
    assert any(fixture.ids["bench_member_id"] in people for people in members_of.values())

    topics = Event.topics.through.objects.order_by("topic__position", "topic__name")
    names: dict[int, list[str]] = {}
    for link in topics.select_related("topic"):
        names.setdefault(link.event_id, []).append(link.topic.name)
    going = dict(
        Attendance.objects.values_list("occurrence")
        .annotate(n=Count("id"))
        .values_list("occurrence", "n")
    )
    for event in Event.objects.prefetch_related("occurrences"):
        dates = sorted(event.occurrences.all(), key=lambda row: row.original_start)
        starts = expand(event.rrule, event.start)
        assert [row.original_start for row in dates] == starts, event.pk
        assert dates[0].start == event.start
        shown = [row for row in dates if not row.skipped]
        assert event.last_end == max(row.end for row in shown)
        assert event.ics == ics.event_ics(event, dates, names.get(event.pk, [])), event.pk
        if not event.rrule:
            assert len(dates) == 1 and dates[0].end == event.end
        else:
            assert 10 <= len(dates) <= 30
            assert not dates[0].skipped and not dates[-1].skipped
        for row in dates:
            assert row.group_id == event.group_id
            assert row.going_count == going.get(row.pk, 0)
            if row.skipped or event.is_cancelled:
                assert row.going_count == 0
            if not row.moved:
                assert row.start == row.original_start
            assert local(row.end) - local(row.start) == local(event.end) - local(event.start)
        assert event.created_at <= event.start
    assert Occurrence.objects.filter(skipped=True).exists()
    assert Occurrence.objects.exclude(theme="").exists()
    in_groups = Attendance.objects.filter(occurrence__event__group__isnull=False)
    for group_id, member in in_groups.values_list("occurrence__event__group", "member"):
        assert member in members_of[group_id]
    assert not Attendance.objects.filter(created_at__gt=timezone.now())

    for note in Note.objects.select_related("occurrence__event"):
        if note.occurrence is not None:
            assert note.event_id == note.occurrence.event_id
            assert note.group_id == note.occurrence.event.group_id
            assert note.created_at > note.occurrence.end
        if note.group_id:
            assert note.author_id in members_of[note.group_id]
        assert note.created_at <= timezone.now()
    assert Note.objects.filter(occurrence__isnull=True).exists()

    # The special series and its date, the busiest month, the subscription link.
    special = Occurrence.objects.select_related("event").get(pk=fixture.ids["occurrence_id"])
    assert special.event_id == fixture.ids["series_id"] and special.event.rrule
    assert special.going_count == special.attendances.count() == data.SPECIAL_ATTENDEES
    assert special.notes.count() == data.SPECIAL_NOTES
    assert special.end < timezone.now() and special.theme
    assert special.event.occurrences.filter(end__gt=timezone.now()).exists()
    bench = Member.objects.get(pk=fixture.ids["bench_member_id"])
    assert feed_owner(fixture.ids["feed_member_id"], fixture.ids["feed_token"]) == bench
    assert 0 < len(feed_parts(bench)) < events
    year, month = fixture.ids["busy_year"], fixture.ids["busy_month"]
    assert month_grid(bench, year=year, month=month, filters=Filters()).count > 0
    assert fixture.ids["busy_from"].startswith(f"{year}-{month:02d}-01T00:00:00%2B0")

    texts = set(Event.objects.values_list("title", "description", "place").distinct())
    texts = {text for row in texts for text in row}
    texts |= set(Occurrence.objects.values_list("theme", flat=True))
    texts |= set(Note.objects.values_list("title", flat=True))
    texts |= set(Note.objects.values_list("body", flat=True))
    assert [text for text in texts if check_text(text).findings] == []


def test_bench_data_holds_documents_as_the_services_would_write_them(db):
    """Documents, versions, comments and adoptions are raw inserts: the document
    row must be its latest version, the counts kept by the services must match
    the rows, and the special document has its 200 versions."""
    data.generate(60, 1, lambda message: None)
    fixture = data.prepare_fixture()

    documents, comments = data.document_counts(60)
    assert data.document_counts(30_000) == (5_000, 5_000)
    special = Document.objects.get(pk=fixture.ids["document_id"])
    assert Document.objects.count() == documents + 1
    assert DocumentComment.objects.count() == comments + data.SPECIAL_DOCUMENT_COMMENTS
    assert Document.objects.filter(hidden_at__isnull=False).exists()
    assert set(Document.objects.values_list("kind", flat=True)) <= set(DocumentKind.values)
    assert set(Document.objects.values_list("status", flat=True)) <= set(DocumentStatus.values)

    latest = {}
    for version in DocumentVersion.objects.order_by("document", "number"):
        history = latest.setdefault(version.document_id, [])
        assert version.number == len(history) + 1, "numbers run 1, 2, 3, …"
        if history:
            assert version.created_at >= history[-1].created_at
            assert version.body != history[-1].body, "every save changes the text"
        history.append(version)
    for document in Document.objects.all():
        history = latest[document.pk]
        last = history[-1]
        assert document.version_number == len(history) == last.number
        assert (document.title, document.body) == (last.title, last.body)
        assert document.body_html == str(render_markdown(document.body, mentions=True))
        assert document.updated_at == last.created_at
        assert document.updated_by_id == last.author_id
        assert document.created_at == history[0].created_at
        assert history[0].author_id == document.owner_id
        assert document.updated_at <= timezone.now()
        assert 1 <= document.topics.count() <= 3
        visible = document.comments.filter(hidden_at__isnull=True).count()
        assert document.comment_count == visible
        for comment in document.comments.select_related("version"):
            if comment.version is not None:
                assert comment.version.document_id == document.pk
                assert comment.created_at >= comment.version.created_at
            assert document.created_at <= comment.created_at <= timezone.now()
    for adoption in Adoption.objects.select_related("document", "recorded_by"):
        assert adoption.recorded_by.organisation_id == adoption.organisation_id
        assert 1 <= adoption.version_number <= adoption.document.version_number
        assert (adoption.status == AdoptionStatus.VARIANT) == bool(adoption.variant_url)
        assert adoption.decided_by and adoption.decided_on

    assert special.version_number == special.versions.count() == 200
    assert special.title == data.SPECIAL_DOCUMENT_TITLE and special.hidden_at is None
    assert special.versions.values("author").distinct().count() > 10
    assert special.versions.filter(restored_from__isnull=False).count() == 1
    assert special.comments.count() == special.comment_count == data.SPECIAL_DOCUMENT_COMMENTS
    assert special.comments.filter(version__isnull=False).exists()
    assert special.adoptions.count() == Organisation.objects.count()
    assert {a.status for a in special.adoptions.all()} == set(AdoptionStatus.values)
    assert special.attachments.count() == 2
    assert fixture.ids["document_versions"] == 200

    texts = set(Document.objects.values_list("title", flat=True))
    texts |= set(DocumentVersion.objects.values_list("body", flat=True).distinct())
    texts |= set(DocumentVersion.objects.values_list("change_note", flat=True).distinct())
    texts |= set(DocumentComment.objects.values_list("body", flat=True).distinct())
    assert [text for text in texts if check_text(text).findings] == []
