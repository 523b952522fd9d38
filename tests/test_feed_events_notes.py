"""Events and meeting notes in the start page's feed, and "Kommande i
kalendariet" on the start page.

Only what belongs to no group is announced: a group's events and notes never
appear in the feed (page, API, a topic's feed), not even to the group's own
members, and an event moved into a group leaves it. The start page's calendar
box lists the viewer's next dates, a group's only to its members, at a constant
number of queries."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kollegan.events import services as event_services
from kollegan.events.models import Event, Occurrence
from kollegan.events.recurrence import STOCKHOLM
from kollegan.events.services import EventData
from kollegan.feed import services as feed_services
from kollegan.feed.models import FeedEntry
from kollegan.feed.selectors import feed_page
from kollegan.groups import services as group_services
from kollegan.notes import services as note_services
from kollegan.notes.models import Note
from kollegan.topics.models import Topic
from tests.test_calendar_ics import autumn_series

START = reverse("start")
FEED = reverse("api:get_feed")
CALENDAR = reverse("calendar")
# GET /api/v1/feed as tests/test_api_posts.py counts it: events and notes are joined.
FEED_QUERIES = 4


def shown(msgid: str) -> str:
    with translation.override("sv"):
        return translation.gettext(msgid)


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def box(html: str) -> str:
    match = re.search(
        r'<section[^>]*aria-labelledby="calendar-heading".*?</section>', html, flags=re.S
    )
    assert match, "no calendar box"
    return match.group()


def feed_list(html: str) -> str:
    match = re.search(r'<ol class="feed" id="flode">.*?</ol>', html, flags=re.S)
    return match.group() if match else ""


def topic(slug: str) -> Topic:
    return Topic.objects.get(slug=slug)


def soon(days: float, hour: int = 10) -> dt.datetime:
    """A time ``days`` from today, at ``hour`` Swedish time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=STOCKHOLM)


def add_event(author, title="Nätverksträff", start=None, *, hours=1, **changes) -> Event:
    start = start or soon(7)
    data = EventData(title=title, start=start, end=start + dt.timedelta(hours=hours), **changes)
    return event_services.event_create(author=author, data=data)


def edit_event(event: Event, editor, **changes) -> Event:
    fields = {
        "title": event.title,
        "start": event.start,
        "end": event.end,
        "organiser": event.organiser,
        "topics": list(event.topics.all()),
        "group": event.group,
        "rrule": event.rrule,
    }
    fields.update(changes)
    return event_services.event_edit(event=event, editor=editor, data=EventData(**fields))


def write_note(author, title="Anteckningar från träffen", **kwargs) -> Note:
    kwargs.setdefault("body", "Vi pratade om **placeringar**.")
    return note_services.note_create(author=author, title=title, **kwargs)


@pytest.fixture
def cohort(carol, alice):
    """A course cohort: Carol (who made it) and Alice; not Bob."""
    group = group_services.group_create(moderator=carol, name="Yrkesresan hösten")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    return group


# --- The feed on the start page -----------------------------------------------------------------


def test_an_event_for_everyone_is_in_the_feed_with_its_time_and_link(bob_client, alice, lycksele):
    event = add_event(
        alice,
        title="Barnets resa i socialtjänsten",
        start=dt.datetime(2031, 3, 12, 9, 0, tzinfo=STOCKHOLM),
        hours=3,
        organiser=lycksele,
        topics=[topic("barn-och-unga")],
    )
    html = feed_list(text(bob_client.get(START)))
    opening = f'<li class="feed-entry feed-entry--event" id="evenemang-{event.pk}">'
    item = re.search(rf"{opening}.*?</li>", html, re.S)
    assert item, html
    entry = item.group()
    assert f'href="{reverse("events:detail", args=[event.pk])}"' in entry
    assert "Barnets resa i socialtjänsten" in entry
    assert f'href="{reverse("profiles:detail", args=[alice.pk])}">Alice Andersson</a>' in entry
    assert '<time datetime="2031-03-12T09:00:00+01:00">12 mars 2031, 09:00–12:00</time>' in entry
    assert shown("Organiser: %(name)s") % {"name": lycksele.name} in entry
    assert ">Barn och unga</a>" in entry
    assert shown("Series") not in entry
    assert shown("Cancelled") not in entry


def test_a_series_says_so_and_a_cancelled_event_too(bob_client, alice):
    series = autumn_series(alice, topics=[topic("vald")])
    event_services.event_cancel(event=series, member=alice)
    entry = re.search(rf'id="evenemang-{series.pk}">.*?</li>', text(bob_client.get(START)), re.S)
    assert entry
    # The first date of the series, in Swedish time.
    assert "6 september 2023, 08:15–09:00" in entry.group()
    assert f'<span class="badge badge--series">{shown("Series")}</span>' in entry.group()
    assert f'<span class="badge badge--cancelled">{shown("Cancelled")}</span>' in entry.group()


def test_an_all_day_event_shows_its_days(bob_client, alice):
    start = dt.datetime(2031, 5, 20, tzinfo=STOCKHOLM)
    event = add_event(alice, title="Konferens", start=start, hours=48, all_day=True)
    entry = re.search(rf'id="evenemang-{event.pk}">.*?</li>', text(bob_client.get(START)), re.S)
    assert '<time datetime="2031-05-20">20 maj 2031–21 maj 2031</time>' in entry.group()


def test_a_note_for_everyone_is_in_the_feed_with_its_meeting(bob_client, alice):
    series = autumn_series(alice)
    meeting = Occurrence.objects.get(event=series, start__date=dt.date(2023, 10, 18))
    note = write_note(alice, occurrence=meeting, topics=[topic("barn-och-unga")])
    free = write_note(alice, title="Fria anteckningar")
    html = feed_list(text(bob_client.get(START)))
    opening = f'<li class="feed-entry feed-entry--note" id="notering-{note.pk}">'
    entry = re.search(rf"{opening}.*?</li>", html, re.S)
    assert entry, html
    entry = entry.group()
    assert f'href="{reverse("notes:detail", args=[note.pk])}">{note.title}</a>' in entry
    assert f'href="{reverse("events:occurrence", args=[meeting.pk])}"' in entry
    assert "Digital mötesplats – Barn och unga, 18 oktober 2023, 08:15–09:00" in entry
    assert ">Barn och unga</a>" in entry
    assert f'href="{reverse("profiles:detail", args=[alice.pk])}">Alice Andersson</a>' in entry
    other = re.search(rf'id="notering-{free.pk}">.*?</li>', html, re.S).group()
    assert reverse("notes:detail", args=[free.pk]) in other
    assert reverse("events:occurrence", args=[meeting.pk]) not in other


def test_titles_are_escaped(bob_client, alice):
    add_event(alice, title='<script>alert("x")</script> & mer')
    write_note(alice, title="<b>fet</b> rubrik")
    html = feed_list(text(bob_client.get(START)))
    assert "<script>" not in html and "<b>fet</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; mer" in html
    assert "&lt;b&gt;fet&lt;/b&gt; rubrik" in html


def test_a_groups_event_and_note_never_reach_the_feed(
    alice_client, bob_client, alice_api, bob_api, alice, cohort
):
    vald = [topic("vald")]
    hidden_event = add_event(alice, title="Kursträff för gruppen", group=cohort, topics=vald)
    meeting = hidden_event.occurrences.get()
    write_note(alice, title="Gruppens anteckningar", group=cohort, topics=vald)
    write_note(alice, title="Anteckningar från kursträffen", occurrence=meeting, topics=vald)
    visible = add_event(alice, title="Öppen träff", topics=vald)
    assert list(FeedEntry.objects.values_list("event_id", "note_id")) == [(visible.pk, None)]
    secrets = ("Kursträff för gruppen", "Gruppens anteckningar", "Anteckningar från kursträffen")
    # Not even to the group's members: the feed is everyone's.
    for client in (alice_client, bob_client):
        for query in ({}, {"amne": "vald"}):
            page = text(client.get(START, query))
            feed = feed_list(page)
            assert "Öppen träff" in feed
            for secret in secrets:
                assert secret not in feed
            more = text(client.get(reverse("feed:more"), query))
            assert all(secret not in more for secret in secrets)
    for api in (alice_api, bob_api):
        for query in ({}, {"amne": "vald"}):
            answer = api.get(FEED, query)
            assert answer.status_code == 200
            readable = json.dumps(answer.json(), ensure_ascii=False)
            assert "Öppen träff" in readable
            assert all(secret not in readable for secret in secrets)


def test_the_group_check_holds_even_when_an_entry_slips_through(bob_client, alice, cohort):
    """An event moved into a group without its service (the admin) and a note a
    moderator hid are still left out."""
    event = add_event(alice, title="Flyttad i admin")
    note = write_note(alice, title="Dold notering")
    Event.objects.filter(pk=event.pk).update(group=cohort)
    # (the dates carry a copy of the group, which the calendar's lists read)
    Occurrence.objects.filter(event=event).update(group=cohort)
    Note.objects.filter(pk=note.pk).update(hidden_at=timezone.now())
    assert FeedEntry.objects.count() == 2
    html = text(bob_client.get(START))
    assert "Flyttad i admin" not in html and "Dold notering" not in html
    assert feed_page(alice).entries == []


# --- Topics and groups change --------------------------------------------------------------------


def test_editing_an_events_topics_moves_it_between_topic_feeds(bob_client, alice, bob_api):
    event = add_event(alice, title="Samverkansdag", topics=[topic("vald")])

    def in_topic(slug: str) -> tuple[bool, bool]:
        page = "Samverkansdag" in feed_list(text(bob_client.get(START, {"amne": slug})))
        items = bob_api.get(FEED, {"amne": slug}).json()["items"]
        return page, [item["event"]["id"] for item in items] == [event.pk]

    assert in_topic("vald") == (True, True)
    assert in_topic("barn-och-unga") == (False, False)
    edit_event(event, alice, topics=[topic("barn-och-unga")])
    assert in_topic("vald") == (False, False)
    assert in_topic("barn-och-unga") == (True, True)
    # Still one entry, in the unfiltered feed too.
    assert FeedEntry.objects.filter(event=event).count() == 1
    assert "Samverkansdag" in feed_list(text(bob_client.get(START)))


def test_an_event_moved_into_a_group_leaves_the_feed(bob_client, alice, cohort, bob_api):
    event = add_event(alice, title="Blir gruppens", topics=[topic("vald")])
    assert "Blir gruppens" in feed_list(text(bob_client.get(START)))
    edit_event(event, alice, group=cohort)
    assert not FeedEntry.objects.filter(event=event).exists()
    for query in ({}, {"amne": "vald"}):
        assert "Blir gruppens" not in text(bob_client.get(START, query))
        assert bob_api.get(FEED, query).json()["items"] == []
    # Back to everyone: announced again.
    edit_event(event, alice, group=None)
    assert "Blir gruppens" in feed_list(text(bob_client.get(START, {"amne": "vald"})))


def test_retopicing_a_note_moves_it_between_topic_feeds(bob_client, alice):
    note = write_note(alice, title="Omtaggad", topics=[topic("vald")])
    assert "Omtaggad" in feed_list(text(bob_client.get(START, {"amne": "vald"})))
    note_services.note_edit(
        note=note, editor=alice, title=note.title, body=note.body, topics=[topic("heder")]
    )
    assert "Omtaggad" not in feed_list(text(bob_client.get(START, {"amne": "vald"})))
    assert "Omtaggad" in feed_list(text(bob_client.get(START, {"amne": "heder"})))


# --- The API --------------------------------------------------------------------------------------


def test_the_feed_api_has_events_and_notes(bob_api, alice, lycksele):
    event = add_event(
        alice,
        title="Öppet hus",
        start=dt.datetime(2031, 3, 12, 9, 0, tzinfo=STOCKHOLM),
        topics=[topic("vald")],
    )
    meeting = event.occurrences.get()
    note = write_note(alice, title="Från öppet hus", occurrence=meeting)
    free = write_note(alice, title="Fri")
    post = feed_services.post_create(author=alice, body="Ett inlägg.")
    event_services.event_cancel(event=event, member=alice)
    response = bob_api.get(FEED)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["kind"] for item in items] == ["post", "note", "note", "event"]
    newest, free_item, note_item, event_item = items
    # Posts and questions keep the shape they had.
    assert "event" not in newest and "note" not in newest
    assert newest["url"] == post.get_absolute_url()
    assert event_item == {
        "kind": "event",
        "id": event.feed_entry.pk,
        "created_at": event_item["created_at"],
        "actor": {"id": alice.pk, "name": "Alice Andersson"},
        "organisation": {"id": lycksele.pk, "name": lycksele.name},
        "topics": [{"slug": "vald", "name": "Våld"}],
        "url": reverse("events:detail", args=[event.pk]),
        "post": None,
        "question": None,
        "event": {
            "id": event.pk,
            "title": "Öppet hus",
            "start": "2031-03-12T09:00:00+01:00",
            "end": "2031-03-12T10:00:00+01:00",
            "url": reverse("events:detail", args=[event.pk]),
            "cancelled": True,
        },
    }
    assert note_item == {
        "kind": "note",
        "id": note.feed_entry.pk,
        "created_at": note_item["created_at"],
        "actor": {"id": alice.pk, "name": "Alice Andersson"},
        "organisation": {"id": lycksele.pk, "name": lycksele.name},
        "topics": [],
        "url": reverse("notes:detail", args=[note.pk]),
        "post": None,
        "question": None,
        "note": {
            "id": note.pk,
            "title": "Från öppet hus",
            "url": reverse("notes:detail", args=[note.pk]),
            "occurrence_id": meeting.pk,
        },
    }
    assert free_item["note"]["occurrence_id"] is None
    assert free_item["note"]["id"] == free.pk


def test_the_openapi_document_describes_events_and_notes_in_the_feed(alice_api):
    document = alice_api.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert set(schemas["EventRef"]["properties"]) == {
        "id", "title", "start", "end", "url", "cancelled"
    }  # fmt: skip
    assert set(schemas["NoteRef"]["properties"]) == {"id", "title", "url", "occurrence_id"}
    assert {"event", "note"} <= set(schemas["FeedItemOut"]["properties"])


# --- Query counts ---------------------------------------------------------------------------------


def _mixed_feed(alice, bob, count: int) -> None:
    """``count`` events, notes from a meeting and free notes, and a post on top
    (so that the viewer's likes are read at every size)."""
    series = autumn_series(alice, topics=[topic("vald")])
    meetings = list(series.occurrences.filter(skipped=False))
    for number in range(count):
        add_event(bob, title=f"Träff {number}", topics=[topic("vald")], start=soon(number + 1))
        write_note(alice, title=f"Notering {number}", occurrence=meetings[number % len(meetings)])
        write_note(bob, title=f"Fri notering {number}", topics=[topic("vald")])
    feed_services.post_create(author=alice, body="Senaste inlägget", topics=[topic("vald")])


def _read_feed(viewer, slug: str) -> list:
    page = feed_page(viewer, topic=slug)
    for entry in page.entries:
        _ = entry.actor and entry.actor.organisation.name
        _ = entry.event_id and (entry.event.title, entry.event.organiser)
        _ = entry.note_id and entry.note.occurrence_id and entry.note.occurrence.event.title
        _ = entry.post_id and entry.post.liked
        _ = [link.topic.name for link in entry.topic_links.all()]
    return page.entries


def number_of_queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)


@pytest.mark.parametrize("slug", ["", "vald"])
def test_the_feed_with_events_and_notes_costs_the_same(slug, alice, bob, django_assert_num_queries):
    _mixed_feed(alice, bob, 2)
    # Entries with actor and target joined, their topics, the viewer's likes; a
    # topic's index first. The same as with posts and questions alone.
    with django_assert_num_queries(4 if slug else 3):
        # The series, 2 events, 4 notes (2 of them in the topic) and the post.
        assert len(_read_feed(bob, slug)) == (6 if slug else 8)
    _mixed_feed(alice, bob, 15)
    with django_assert_num_queries(4 if slug else 3):
        assert len(_read_feed(bob, slug)) == 20


def test_start_page_and_api_with_events_and_notes_cost_the_same(
    alice_client, bob_api, alice, bob, django_assert_num_queries
):
    _mixed_feed(alice, bob, 2)
    alice_client.get(START)
    few = number_of_queries(lambda: alice_client.get(START))
    _mixed_feed(alice, bob, 12)
    with django_assert_num_queries(few):
        html = text(alice_client.get(START))
    assert html.count('<li class="feed-entry') == 20
    assert box(html).count('<li class="question-row">') == 5
    with django_assert_num_queries(FEED_QUERIES):
        assert len(bob_api.get(FEED).json()["items"]) == 20
    with django_assert_num_queries(FEED_QUERIES + 1):
        assert len(bob_api.get(FEED, {"amne": "vald"}).json()["items"]) == 20


# --- "Kommande i kalendariet" ---------------------------------------------------------------------


def test_the_calendar_box_lists_the_next_dates(bob_client, alice, bob, carol, cohort):
    add_event(alice, title="Redan över", start=soon(-3))
    add_event(carol, title="Bara för gruppen", start=soon(1), group=cohort)
    cancelled = add_event(alice, title="Inställd träff", start=soon(2))
    event_services.event_cancel(event=cancelled, member=alice)
    soonest = add_event(alice, title="Snart", start=soon(1, hour=13))
    series = add_event(
        bob,
        title="Digital mötesplats",
        start=soon(3, hour=8),
        rrule="FREQ=WEEKLY;COUNT=10",
        themes={(soon(3, hour=8)).date(): "Funktionshinder"},
    )
    html = box(text(bob_client.get(START)))
    assert "Redan över" not in html
    assert "Bara för gruppen" not in html
    titles = re.findall(r'<h3 class="question-row__title"><a href="([^"]+)">([^<]+)</a>', html)
    first_date = series.occurrences.order_by("start").first()
    assert titles == [
        (reverse("events:occurrence", args=[soonest.occurrences.get().pk]), "Snart"),
        (reverse("events:occurrence", args=[cancelled.occurrences.get().pk]), "Inställd träff"),
        (reverse("events:occurrence", args=[first_date.pk]), f"{series.title} – Funktionshinder"),
        *[
            (reverse("events:occurrence", args=[item.pk]), "Digital mötesplats")
            for item in series.occurrences.order_by("start")[1:3]
        ],
    ]  # fmt: skip
    assert html.count(shown("Cancelled")) == 1
    local = timezone.localtime(soonest.start)
    assert f'<time datetime="{local.isoformat()}">' in html
    assert f"{local:%H:%M}–" in html
    assert f'href="{CALENDAR}">{shown("The whole calendar")}</a>' in html


def test_a_groups_dates_are_in_its_members_box(alice_client, bob_client, carol, cohort):
    add_event(carol, title="Kursträff", start=soon(1), group=cohort)
    assert "Kursträff" in box(text(alice_client.get(START)))
    assert "Kursträff" not in box(text(bob_client.get(START)))


def test_an_empty_calendar_box_says_so(alice_client, alice):
    add_event(alice, title="Förra veckan", start=soon(-7))
    html = box(text(alice_client.get(START)))
    assert shown("Nothing is planned in the calendar yet.") in html
    assert f'href="{CALENDAR}"' in html


def test_the_start_page_costs_the_same_with_2_or_30_events(
    alice_client, alice, bob, carol, cohort, django_assert_num_queries
):
    def fill(numbers) -> None:
        for number in numbers:
            group = cohort if number % 5 == 0 else None
            author = carol if group else bob
            event = add_event(
                author,
                title=f"Träff {number}",
                start=soon(number % 9 + 1, hour=8 + number % 8),
                topics=[topic("vald")] if number % 2 else [],
                group=group,
                rrule="FREQ=WEEKLY;COUNT=4" if number % 3 == 0 else "",
            )
            if number % 4 == 0:
                event_services.attendance_set(occurrence=event.occurrences.first(), member=alice)
            if number % 7 == 0:
                event_services.event_cancel(event=event, member=author)

    fill(range(1, 3))
    alice_client.get(START)
    with CaptureQueriesContext(connection) as context:
        html = text(alice_client.get(START))
    few = len(context.captured_queries)
    assert box(html).count('<li class="question-row">') == 2
    # The box: the viewer's groups and the dates.
    assert (
        sum(re.search(r'FROM "(events|groups)_', query["sql"]) is not None for query in context)
        == 2
    )
    fill(range(3, 31))
    assert Event.objects.count() == 30
    with django_assert_num_queries(few):
        html = text(alice_client.get(START))
    assert box(html).count('<li class="question-row">') == 5
