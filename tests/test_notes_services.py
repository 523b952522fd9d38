"""Meeting notes: writing one for a date of an event or free-standing, the
checks, who may change them, the feed, group visibility in every reader and a
constant number of queries for the list."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kollegan.accounts.models import Role
from kollegan.events import services as event_services
from kollegan.events.models import Occurrence
from kollegan.events.services import EventData
from kollegan.feed.models import FeedEntry
from kollegan.groups import services as group_services
from kollegan.lib.guard import ConfidentialityError
from kollegan.notes import selectors, services
from kollegan.notes.models import Note
from kollegan.topics.models import Topic
from tests.conftest import make_member

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PERSONAL_NUMBER = "121212-1212"
TITLE = "Digital mötesplats 4 oktober"
BODY = "Vi pratade om **funktionshinder** och hur vi samverkar med LSS."


def refusal(raised: pytest.ExceptionInfo) -> tuple[str, str]:
    [(field, errors)] = raised.value.error_dict.items()
    return field, errors[0].code


def meeting(author, *, group=None, title="Digital mötesplats") -> Occurrence:
    start = dt.datetime(2023, 10, 4, 8, 15, tzinfo=STOCKHOLM)
    event = event_services.event_create(
        author=author,
        data=EventData(
            title=title,
            start=start,
            end=start + dt.timedelta(minutes=45),
            rrule="FREQ=WEEKLY;COUNT=3",
            group=group,
        ),
    )
    return Occurrence.objects.filter(event=event).order_by("start").first()


def write(author, **fields) -> Note:
    fields.setdefault("title", TITLE)
    fields.setdefault("body", BODY)
    return services.note_create(author=author, **fields)


@pytest.fixture
def cohort(carol, alice):
    group = group_services.group_create(moderator=carol, name="Yrkesresan Ny inom R8 – hösten")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    return group


# --- Writing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_note_of_a_meeting_links_its_event_and_date(alice):
    occurrence = meeting(alice)
    vald = Topic.objects.get(slug="vald")
    note = write(alice, occurrence=occurrence, topics=[vald, vald])
    assert (note.occurrence, note.event, note.group) == (occurrence, occurrence.event, None)
    assert list(note.topics.all()) == [vald]
    assert "<strong>funktionshinder</strong>" in note.body_html
    assert selectors.notes_of(alice, [occurrence.pk]) == {occurrence.pk: [note]}


@pytest.mark.django_db
def test_a_note_of_a_groups_meeting_is_the_groups(alice, cohort):
    occurrence = meeting(alice, group=cohort)
    note = write(alice, occurrence=occurrence)
    assert (note.group, note.event) == (cohort, occurrence.event)
    # Even when the writer chose no group, or tried to make it public.
    note = write(alice, occurrence=occurrence, group=None)
    assert note.group == cohort


@pytest.mark.django_db
def test_a_note_of_a_meeting_the_writer_cannot_see_is_refused(bob, alice, cohort):
    occurrence = meeting(alice, group=cohort)
    with pytest.raises(ValidationError) as raised:
        write(bob, occurrence=occurrence)
    assert refusal(raised) == ("occurrence", "occurrence_unknown")
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_a_free_standing_note_for_a_group(alice, bob, cohort):
    note = write(alice, group=cohort)
    assert (note.group, note.event, note.occurrence) == (cohort, None, None)
    with pytest.raises(ValidationError) as raised:
        write(bob, group=cohort)
    assert refusal(raised) == ("group", "group_unknown")
    assert Note.objects.count() == 1


@pytest.mark.django_db
def test_a_moderator_outside_the_group_cannot_write_for_it(cohort, lycksele):
    other = make_member("mod2@lycksele.test", "Mona Moderator", lycksele, role=Role.MODERATOR)
    with pytest.raises(ValidationError) as raised:
        write(other, group=cohort)
    assert refusal(raised) == ("group", "group_unknown")
    assert not Note.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": ""}, "title", "title_empty"),
        ({"title": " \n\t "}, "title", "title_empty"),
        ({"title": "x" * 201}, "title", "title_long"),
        ({"body": ""}, "body", "body_empty"),
        ({"body": "   \n  "}, "body", "body_empty"),
        ({"body": "x" * 50_001}, "body", "body_long"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(alice, fields, field, code):
    with pytest.raises(ValidationError) as raised:
        write(alice, **fields)
    assert refusal(raised) == (field, code)
    assert not Note.objects.exists()
    assert not FeedEntry.objects.exists()


@pytest.mark.django_db
def test_too_many_or_retired_topics_are_refused(alice):
    topics = list(Topic.objects.all()[:6])
    assert len(topics) == 6
    with pytest.raises(ValidationError) as raised:
        write(alice, topics=topics)
    assert refusal(raised) == ("topics", "too_many_topics")
    retired = topics[0]
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as raised:
        write(alice, topics=[retired])
    assert refusal(raised) == ("topics", "retired_topic")
    assert not Note.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["title", "body"])
def test_a_personal_identity_number_is_refused(alice, where):
    fields = {where: f"Barnet {PERSONAL_NUMBER}"}
    with pytest.raises(ConfidentialityError):
        write(alice, **fields)
    with pytest.raises(ConfidentialityError):
        write(alice, confirmed=True, **fields)
    assert not Note.objects.exists()
    assert not FeedEntry.objects.exists()


@pytest.mark.django_db
def test_a_personal_identity_number_in_an_edit_changes_nothing(alice):
    note = write(alice)
    with pytest.raises(ConfidentialityError):
        services.note_edit(note=note, editor=alice, title=TITLE, body=PERSONAL_NUMBER)
    note.refresh_from_db()
    assert (note.body, note.edited_at) == (BODY, None)


# --- The feed ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_public_note_is_announced_in_the_feed_and_a_groups_is_not(alice, cohort):
    vald = Topic.objects.get(slug="vald")
    public = write(alice, topics=[vald])
    [entry] = FeedEntry.objects.filter(note=public)
    assert (entry.kind, entry.actor, entry.created_at) == (
        FeedEntry.Kind.NOTE,
        alice,
        public.created_at,
    )
    assert list(entry.topics.all()) == [vald]
    grouped = write(alice, group=cohort, title="Yrkesresan, träff 2")
    of_meeting = write(alice, occurrence=meeting(alice, group=cohort), title="Träff 3")
    assert not FeedEntry.objects.filter(note__in=[grouped, of_meeting]).exists()
    assert FeedEntry.objects.filter(kind=FeedEntry.Kind.NOTE).count() == 1


@pytest.mark.django_db
def test_editing_a_note_retopics_its_entry_and_deleting_removes_it(alice):
    vald, barn = Topic.objects.get(slug="vald"), Topic.objects.get(slug="barn-och-unga")
    note = write(alice, topics=[vald])
    services.note_edit(note=note, editor=alice, title="Ny rubrik", body=BODY, topics=[barn])
    note.refresh_from_db()
    assert note.title == "Ny rubrik" and note.edited_at is not None
    assert list(note.topics.all()) == [barn]
    assert list(FeedEntry.objects.get(note=note).topics.all()) == [barn]
    services.note_delete(note=note, member=alice)
    assert not Note.objects.exists()
    assert not FeedEntry.objects.exists()


@pytest.mark.django_db
def test_an_edit_that_changes_nothing_is_not_marked_edited(alice, cohort):
    note = write(alice, group=cohort)
    services.note_edit(note=note, editor=alice, title=f"  {TITLE} ", body=f"{BODY}\n")
    note.refresh_from_db()
    assert note.edited_at is None


# --- Who may change a note ---------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_writer_and_moderators_edit_and_delete(alice, bob, carol):
    note = write(alice)
    assert services.may_edit(alice, note) and services.may_edit(carol, note)
    assert not services.may_edit(bob, note)
    with pytest.raises(PermissionDenied):
        services.note_edit(note=note, editor=bob, title="Bobs", body=BODY)
    with pytest.raises(PermissionDenied):
        services.note_delete(note=note, member=bob)
    note.refresh_from_db()
    assert note.title == TITLE
    services.note_edit(note=note, editor=carol, title="Rättad av moderator", body=BODY)
    note.refresh_from_db()
    assert note.title == "Rättad av moderator"
    services.note_delete(note=note, member=carol)
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_a_groups_note_is_out_of_reach_for_a_moderator_outside_it(alice, cohort, lycksele):
    other = make_member("mod2@lycksele.test", "Mona Moderator", lycksele, role=Role.MODERATOR)
    note = write(alice, group=cohort)
    assert not services.may_edit(other, note)
    with pytest.raises(PermissionDenied):
        services.note_delete(note=note, member=other)
    assert Note.objects.filter(pk=note.pk).exists()


@pytest.mark.django_db
def test_a_writer_who_leaves_the_group_loses_their_note(alice, carol, cohort):
    note = write(alice, group=cohort)
    group_services.group_remove_member(moderator=alice, group=cohort, member=alice)
    assert not services.may_edit(alice, note)
    with pytest.raises(PermissionDenied):
        services.note_edit(note=note, editor=alice, title="Sent", body=BODY)
    assert services.may_edit(carol, note)


# --- Group visibility in every reader ----------------------------------------------------------


def _sees(viewer, note: Note) -> dict[str, bool]:
    page = selectors.notes_page(viewer, size=100)
    of = selectors.notes_of(viewer, [note.occurrence_id] if note.occurrence_id else [])
    return {
        "notes_page": note.pk in {item.pk for item in page.items},
        "note_for": selectors.note_for(viewer, note.pk) is not None,
        "notes_of": note.pk in {item.pk for items in of.values() for item in items},
    }


@pytest.mark.django_db
def test_a_groups_notes_are_for_its_members_only(alice, bob, carol, cohort):
    occurrence = meeting(alice, group=cohort)
    of_meeting = write(alice, occurrence=occurrence, title="Från gruppens träff")
    free = write(alice, group=cohort, title="Gruppens egen")
    public_meeting = meeting(bob, title="Öppet möte")
    public = write(bob, occurrence=public_meeting, title="Från det öppna mötet")
    everywhere = {"notes_page": True, "note_for": True, "notes_of": True}
    nowhere = {"notes_page": False, "note_for": False, "notes_of": False}
    for viewer in (alice, carol):
        assert _sees(viewer, of_meeting) == everywhere
        assert _sees(viewer, free)["notes_page"] and _sees(viewer, free)["note_for"]
    assert _sees(bob, of_meeting) == nowhere
    assert _sees(bob, free) == nowhere
    for viewer in (alice, bob, carol):
        assert _sees(viewer, public) == everywhere
    group_services.group_remove_member(moderator=carol, group=cohort, member=alice)
    assert _sees(alice, of_meeting) == nowhere
    assert _sees(alice, free) == nowhere
    assert _sees(alice, public) == everywhere
    assert _sees(carol, of_meeting) == everywhere


@pytest.mark.django_db
def test_a_deactivated_member_sees_no_groups_notes(alice, carol, cohort, dave):
    group_services.group_add_members(moderator=carol, group=cohort, members=[dave])
    note = write(alice, group=cohort)
    assert selectors.note_for(dave, note.pk) is None


@pytest.mark.django_db
def test_hidden_notes_are_in_no_reader(alice, carol):
    note = write(alice, occurrence=meeting(alice))
    Note.objects.filter(pk=note.pk).update(hidden_at=timezone.now(), hidden_by=carol)
    for viewer in (alice, carol):
        assert _sees(viewer, note) == {"notes_page": False, "note_for": False, "notes_of": False}


@pytest.mark.django_db
def test_the_list_by_topic_and_by_cursor(alice):
    vald = Topic.objects.get(slug="vald")
    written = [
        write(alice, title=f"Anteckning {n}", topics=[vald] if n % 2 else []) for n in range(7)
    ]
    page = selectors.notes_page(alice, topic="vald")
    assert [item.pk for item in page.items] == [
        note.pk for note in reversed(written) if note.topics.exists()
    ]
    seen, cursor = [], ""
    while True:
        page = selectors.notes_page(alice, cursor=cursor, size=3)
        seen += [item.pk for item in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == [note.pk for note in reversed(written)]
    with pytest.raises(ValidationError) as raised:
        selectors.notes_page(alice, cursor="broken")
    assert raised.value.code == "bad_cursor"


# --- Constant query counts ---------------------------------------------------------------------


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


@pytest.mark.django_db
def test_the_notes_list_spends_a_constant_number_of_queries(
    alice, bob, cohort, django_assert_num_queries
):
    topics = list(Topic.objects.filter(slug__in=["vald", "barn-och-unga", "heder"]))
    write(alice, topics=[Topic.objects.get(slug="vald")], occurrence=meeting(alice))
    calls = {
        "all": lambda: selectors.notes_page(alice),
        "topic": lambda: selectors.notes_page(alice, topic="vald"),
    }
    small = {name: queries(call) for name, call in calls.items()}
    assert small == {"all": 3, "topic": 3}  # groups, notes with writer and meeting, topics
    group_meeting = meeting(alice, group=cohort, title="Yrkesresan")
    public_meeting = meeting(bob, title="Öppet")
    for number in range(40):
        author = alice if number % 2 else bob
        fields = {"topics": topics[: number % 4]}
        if number % 5 == 0:
            fields["occurrence"] = group_meeting
            author = alice
        elif number % 3 == 0:
            fields["occurrence"] = public_meeting
        write(author, title=f"Anteckning {number}", **fields)
    for name, call in calls.items():
        with django_assert_num_queries(small[name]):
            page = call()
        # Reading what the list shows costs nothing more.
        with django_assert_num_queries(0):
            for note in page.items:
                _shown = (note.author.name, note.author.organisation.name, note.group)
                _meeting = (note.occurrence and note.occurrence.start, note.event)
                _topics = [topic.name for topic in note.topics.all()]
    assert len(selectors.notes_page(alice).items) == selectors.PAGE_SIZE
    ids = list(Occurrence.objects.values_list("pk", flat=True))
    with django_assert_num_queries(2):
        found = selectors.notes_of(alice, ids)
    assert len(found[group_meeting.pk]) == 8
