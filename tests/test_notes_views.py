"""Mötesnoteringar: the list, writing notes from a meeting's date or free-standing,
one note, editing and deleting.

A group's notes are its members' alone, in every page, from the moment they are
taken out of the group; bad input answers 400 with nothing stored; the list costs
the same number of queries however many notes there are."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from kollegan.events import services as event_services
from kollegan.events.models import Event, Occurrence
from kollegan.events.recurrence import STOCKHOLM, local
from kollegan.events.services import EventData
from kollegan.groups import services as group_services
from kollegan.groups.models import Group
from kollegan.notes import services
from kollegan.notes.models import Note
from kollegan.notes.selectors import PAGE_SIZE
from kollegan.topics.models import Topic

LIST = reverse("notes")
CREATE = reverse("notes:create")
PERSONAL_NUMBER = "19121212-1212"
MEETING_DAY = dt.date(2026, 11, 18)

# The list, however many notes: the session and the member, the viewer's groups,
# the page of notes (writer, organisation, meeting and group joined), their topics,
# and the topics for the filter. The menu and site settings are cached after the
# warm-up request made before every count.
LIST_QUERIES = 6


def shown(msgid: str) -> str:
    """What the Swedish page shows for an English source string (the source text
    itself until the translators have been)."""
    with translation.override("sv"):
        return translation.gettext(msgid)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def vald(db) -> Topic:
    return Topic.objects.get(slug="vald")


def meeting_series(author, *, group: Group | None = None, topics=()) -> Event:
    """Wednesdays 08:15–09:00 in November 2026, "Barn och unga" on the 18th."""
    data = EventData(
        title="Digital mötesplats",
        start=dt.datetime(2026, 11, 4, 8, 15, tzinfo=STOCKHOLM),
        end=dt.datetime(2026, 11, 4, 9, 0, tzinfo=STOCKHOLM),
        online_url="https://teams.microsoft.com/l/meetup-join/abc",
        rrule="FREQ=WEEKLY;UNTIL=20261125",
        themes={MEETING_DAY: "Barn och unga"},
        topics=list(topics),
        group=group,
    )
    return event_services.event_create(author=author, data=data)


def date_of(event: Event, day: dt.date = MEETING_DAY) -> Occurrence:
    return next(
        item for item in Occurrence.objects.filter(event=event) if local(item.start).date() == day
    )


@pytest.fixture
def series(bob, barn) -> Event:
    return meeting_series(bob, topics=[barn])


@pytest.fixture
def meeting(series) -> Occurrence:
    return date_of(series)


@pytest.fixture
def cohort(carol, bob) -> Group:
    """Carol's course group with Bob in it; Alice is not."""
    group = group_services.group_create(moderator=carol, name="Yrkesresan Ny inom R8 – hösten")
    group_services.group_add_members(moderator=carol, group=group, members=[bob])
    return group


def write(author, title: str = "Anteckningar från onsdagen", **kwargs) -> Note:
    kwargs.setdefault("body", "Vi pratade om **barnets röst**.")
    return services.note_create(author=author, title=title, **kwargs)


def swedish_date(value: dt.date) -> str:
    with translation.override("sv"):
        return date_format(value, "j F Y")


# --- The list ------------------------------------------------------------------------------------


def test_list_shows_each_note_with_its_meeting_writer_topics_and_group(
    bob_client, bob, meeting, barn, cohort
):
    from_meeting = write(bob, occurrence=meeting, topics=[barn])
    free = write(bob, title="Tips om BBIC", group=cohort)
    response = bob_client.get(LIST)
    assert response.status_code == 200
    html = text(response)
    assert f'href="{reverse("notes:create")}"' in html
    assert shown("Write meeting notes") in html
    # The meeting: the event's title with the date's theme, and the date, to its page.
    occurrence_url = reverse("events:occurrence", args=[meeting.pk])
    assert f'href="{occurrence_url}">Digital mötesplats – Barn och unga</a>' in html
    assert swedish_date(MEETING_DAY) in html
    assert f'href="{from_meeting.get_absolute_url()}">{from_meeting.title}</a>' in html
    assert bob.name in html and bob.organisation.name in html
    assert f'href="{LIST}?amne=barn-och-unga"' in html
    # The group's note says whose it is.
    assert f'href="{free.get_absolute_url()}"' in html
    only = shown("Only for the group %(name)s") % {"name": "Yrkesresan Ny inom R8 – hösten"}
    assert html.count(only) == 1
    # Newest first.
    assert html.index(free.title) < html.index(from_meeting.title)


def test_empty_list_explains_what_notes_are_for(alice_client):
    response = alice_client.get(LIST)
    assert response.status_code == 200
    assert shown(
        "Notes from the meetings, so that those who could not attend still get the content: "
        "what was said, tips and links. There are no meeting notes yet."
    ) in text(response)


def test_list_filters_by_topic(alice_client, alice, barn, vald):
    about_children = write(alice, title="Om barn", topics=[barn])
    about_violence = write(alice, title="Om våld", topics=[vald])
    html = text(alice_client.get(LIST, {"amne": "vald"}))
    assert about_violence.title in html and about_children.title not in html
    assert re.search(r'value="vald"\s+selected', html)


def test_list_pages_by_cursor_and_refuses_a_broken_one(alice_client, alice):
    notes = [write(alice, title=f"Anteckning {index:02d}") for index in range(PAGE_SIZE + 3)]
    html = text(alice_client.get(LIST))
    assert notes[-1].title in html and notes[2].title not in html
    older = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    rest = text(alice_client.get(older))
    assert notes[0].title in rest and notes[2].title in rest and notes[-1].title not in rest
    assert 'rel="next"' not in rest
    response = alice_client.get(LIST, {"fore": "trasig"})
    assert response.status_code == 400
    assert shown("The link to more notes is broken. Start again from the top.") in text(response)


def test_list_costs_the_same_number_of_queries_however_many_notes(
    alice_client, alice, bob, carol, barn, vald, series, django_assert_num_queries
):
    write(alice, topics=[barn])
    write(bob, occurrence=date_of(series))
    alice_client.get(LIST)
    with django_assert_num_queries(LIST_QUERIES):
        assert alice_client.get(LIST).status_code == 200
    group = group_services.group_create(moderator=carol, name="Kurs")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    other = meeting_series(alice, group=group, topics=[vald])
    days = [local(item.start).date() for item in Occurrence.objects.filter(event=series)]
    for index in range(40):
        kwargs = {}
        if index % 3 == 0:
            kwargs["occurrence"] = date_of(series, days[index % len(days)])
        elif index % 3 == 1:
            kwargs["occurrence"] = date_of(other, days[index % len(days)])
        if index % 2 == 0:
            kwargs["topics"] = [barn, vald]
        # Bob is not in the group: its meetings' notes are Alice's.
        author = alice if index % 2 or index % 3 == 1 else bob
        write(author, title=f"Fler {index}", **kwargs)
    with django_assert_num_queries(LIST_QUERIES):
        response = alice_client.get(LIST)
    assert response.status_code == 200
    assert text(response).count('class="question-row"') == PAGE_SIZE
    with django_assert_num_queries(LIST_QUERIES):
        assert alice_client.get(LIST, {"amne": "vald"}).status_code == 200


# --- Writing from a meeting ----------------------------------------------------------------------


def test_writing_from_a_meeting_prefills_title_and_topics(alice_client, meeting):
    response = alice_client.get(CREATE, {"tillfalle": meeting.pk})
    assert response.status_code == 200
    html = text(response)
    with translation.override("sv"):
        title = translation.gettext("Notes: %(meeting)s, %(date)s") % {
            "meeting": "Digital mötesplats – Barn och unga",
            "date": "18 november 2026",
        }
    assert f'value="{title}"' in html
    assert re.search(r'value="barn-och-unga"[^>]*checked', html)
    assert f'action="{CREATE}?tillfalle={meeting.pk}"' in html
    assert f'href="{reverse("events:occurrence", args=[meeting.pk])}"' in html
    # The meeting decides who reads the notes: no group to choose.
    assert 'name="group"' not in html
    assert shown("You can use Markdown: *italic*, **bold**, lists and links.") in html
    assert 'name="confirmed"' not in html


def test_notes_from_a_meeting_are_linked_to_it(alice_client, alice, meeting, barn):
    response = alice_client.post(
        f"{CREATE}?tillfalle={meeting.pk}",
        {"title": "Anteckningar 18/11", "body": "Vi pratade om *delaktighet*.", "topics": ["vald"]},
    )
    note = Note.objects.get()
    assert response.status_code == 302 and response["Location"] == note.get_absolute_url()
    assert note.occurrence == meeting and note.event == meeting.event and note.group is None
    assert [topic.slug for topic in note.topics.all()] == ["vald"]
    html = text(alice_client.get(note.get_absolute_url()))
    assert f'href="{reverse("events:occurrence", args=[meeting.pk])}"' in html
    assert "Digital mötesplats – Barn och unga" in html
    assert "<em>delaktighet</em>" in html


@pytest.mark.parametrize("value", ["abc", "1.5", "-3", "99999999999999999999", "٣"])
def test_a_meeting_that_is_no_number_is_not_found(alice_client, value):
    assert alice_client.get(CREATE, {"tillfalle": value}).status_code == 404


def test_a_groups_meeting_is_not_found_for_a_member_outside_it(
    alice_client, bob_client, bob, cohort
):
    occurrence = date_of(meeting_series(bob, group=cohort))
    assert alice_client.get(CREATE, {"tillfalle": occurrence.pk}).status_code == 404
    response = alice_client.post(
        f"{CREATE}?tillfalle={occurrence.pk}", {"title": "Smygläsning", "body": "Text"}
    )
    assert response.status_code == 404
    assert not Note.objects.exists()
    assert alice_client.get(CREATE, {"tillfalle": 10**6}).status_code == 404
    # Bob is in the group: his notes of its meeting are the group's.
    html = text(bob_client.get(CREATE, {"tillfalle": occurrence.pk}))
    assert "Yrkesresan Ny inom R8 – hösten" in html
    bob_client.post(f"{CREATE}?tillfalle={occurrence.pk}", {"title": "Gruppens", "body": "Text"})
    assert Note.objects.get().group == cohort


# --- Free-standing notes -------------------------------------------------------------------------


def test_free_notes_offer_the_writers_groups_with_all_members_first(
    bob_client, alice_client, cohort
):
    html = text(bob_client.get(CREATE))
    assert 'name="group"' in html
    select = re.search(r'<select name="group"[^>]*>.*?</select>', html, flags=re.S)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select.group())
    assert options == [shown("All members"), cohort.name]
    preselected = text(bob_client.get(CREATE, {"grupp": cohort.pk}))
    assert re.search(rf'<option value="{cohort.pk}" selected>', preselected)
    # Alice is in no group: there is nothing to choose, the note is for everyone.
    assert 'name="group"' not in text(alice_client.get(CREATE, {"grupp": cohort.pk}))


def test_free_notes_for_a_group_are_the_groups(bob_client, bob, cohort):
    response = bob_client.post(
        CREATE, {"title": "Kursdag 2", "body": "Material finns hos FoU.", "group": cohort.pk}
    )
    note = Note.objects.get()
    assert response.status_code == 302
    assert note.group == cohort and note.occurrence is None and note.event is None
    html = text(bob_client.get(note.get_absolute_url()))
    assert shown("Free-standing notes") in html
    assert f'href="{cohort.get_absolute_url()}"' in html


def test_a_writer_in_no_group_writes_for_everyone(bob_client, carol):
    other = group_services.group_create(moderator=carol, name="Annan grupp")
    response = bob_client.post(CREATE, {"title": "Fel grupp", "body": "Text", "group": other.pk})
    # Bob is in no group: the choice is not offered, and the note is for everyone.
    assert response.status_code == 302
    assert Note.objects.get().group is None


def test_a_group_not_offered_is_refused_at_the_field(bob_client, carol, cohort):
    other = group_services.group_create(moderator=carol, name="Annan grupp")
    response = bob_client.post(CREATE, {"title": "Fel grupp", "body": "Text", "group": other.pk})
    assert response.status_code == 400
    assert 'id="id_group_error"' in text(response)
    assert not Note.objects.exists()


# --- Bad input -----------------------------------------------------------------------------------


def test_an_empty_title_is_refused_at_its_field(alice_client):
    response = alice_client.post(CREATE, {"title": "  ", "body": "Text"})
    assert response.status_code == 400
    html = text(response)
    assert shown("Give the note a title.") in html
    assert 'id="id_title_error"' in html and 'aria-invalid="true"' in html
    assert 'href="#id_title"' in html
    assert not Note.objects.exists()


def test_a_personal_identity_number_is_refused_and_nothing_stored(alice_client, meeting):
    response = alice_client.post(
        f"{CREATE}?tillfalle={meeting.pk}",
        {"title": "Anteckningar", "body": f"Barnet {PERSONAL_NUMBER} togs upp.", "confirmed": "on"},
    )
    assert response.status_code == 400
    html = text(response)
    assert shown("Check the text before it is published") in html
    assert shown("The text cannot be published with it.") in html
    # The form keeps the meeting.
    assert f'action="{CREATE}?tillfalle={meeting.pk}"' in html
    assert not Note.objects.exists()


def test_a_phone_number_needs_confirmation(alice_client):
    data = {"title": "Kontakt", "body": "Ring FoU på 070-123 45 67."}
    response = alice_client.post(CREATE, data)
    assert response.status_code == 400
    assert 'name="confirmed"' in text(response)
    assert not Note.objects.exists()
    response = alice_client.post(CREATE, {**data, "confirmed": "on"})
    assert response.status_code == 302 and Note.objects.count() == 1


# --- One note, editing and deleting --------------------------------------------------------------


def test_detail_shows_the_note_and_offers_changes_to_writer_and_moderators(
    alice_client, bob_client, carol_client, bob, meeting, barn
):
    note = write(bob, occurrence=meeting, topics=[barn])
    edit_url = reverse("notes:edit", args=[note.pk])
    delete_url = reverse("notes:delete", args=[note.pk])
    html = text(bob_client.get(note.get_absolute_url()))
    assert note.title in html and "<strong>barnets röst</strong>" in html
    assert bob.name in html and bob.organisation.name in html
    assert f'href="{LIST}?amne=barn-och-unga"' in html
    assert edit_url in html and delete_url in html
    assert edit_url in text(carol_client.get(note.get_absolute_url()))
    html = text(alice_client.get(note.get_absolute_url()))
    assert note.title in html and edit_url not in html and delete_url not in html


def test_writer_edits_the_note(bob_client, bob, meeting, vald):
    note = write(bob, occurrence=meeting)
    url = reverse("notes:edit", args=[note.pk])
    html = text(bob_client.get(url))
    assert f'value="{note.title}"' in html and "barnets röst" in html
    assert 'name="group"' not in html
    response = bob_client.post(
        url, {"title": "Nytt namn", "body": "Ny text.", "topics": ["vald"]}, follow=True
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert note.title == "Nytt namn" and note.edited_at is not None
    assert [topic.slug for topic in note.topics.all()] == ["vald"]
    assert note.occurrence == meeting
    html = text(response)
    assert shown("Your changes are saved.") in html and "Ny text." in html


def test_edit_refuses_bad_input_and_keeps_the_note(bob_client, bob):
    note = write(bob)
    url = reverse("notes:edit", args=[note.pk])
    response = bob_client.post(url, {"title": "", "body": "Ny text"})
    assert response.status_code == 400
    assert shown("Give the note a title.") in text(response)
    response = bob_client.post(
        url, {"title": "Ny", "body": f"Om {PERSONAL_NUMBER}", "confirmed": "on"}
    )
    assert response.status_code == 400
    note.refresh_from_db()
    assert note.title == "Anteckningar från onsdagen" and note.edited_at is None


def test_others_may_not_edit_or_delete_and_are_told_why(alice_client, carol_client, bob):
    note = write(bob)
    for url in (reverse("notes:edit", args=[note.pk]), reverse("notes:delete", args=[note.pk])):
        for method in (alice_client.get, alice_client.post):
            response = method(url, {"title": "Kapat", "body": "Kapat"})
            assert response.status_code == 403
            assert shown("Only the one who wrote the note and moderators can change it.") in text(
                response
            )
    note.refresh_from_db()
    assert note.title != "Kapat"
    assert carol_client.get(reverse("notes:edit", args=[note.pk])).status_code == 200


def test_delete_asks_then_deletes(bob_client, bob):
    note = write(bob)
    url = reverse("notes:delete", args=[note.pk])
    response = bob_client.get(url)
    assert response.status_code == 200
    assert f'action="{url}"' in text(response) and note.title in text(response)
    assert Note.objects.exists()
    response = bob_client.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Note.objects.exists()


def test_moderator_deletes_a_note(carol_client, bob):
    note = write(bob)
    assert carol_client.post(reverse("notes:delete", args=[note.pk])).status_code == 302
    assert not Note.objects.exists()


def test_an_unknown_note_is_not_found(alice_client):
    for name in ("notes:detail", "notes:edit", "notes:delete"):
        assert alice_client.get(reverse(name, args=[999])).status_code == 404


# --- Groups --------------------------------------------------------------------------------------


def test_a_groups_note_is_hidden_from_members_outside_it(
    alice_client, carol_client, bob_client, bob, cohort
):
    note = write(bob, title="Bara för kursen", group=cohort)
    for name in ("notes:detail", "notes:edit", "notes:delete"):
        url = reverse(name, args=[note.pk])
        assert alice_client.get(url).status_code == 404
        # Carol created the group, so she is in it.
        assert carol_client.get(url).status_code == 200
    assert alice_client.post(reverse("notes:delete", args=[note.pk])).status_code == 404
    assert note.title not in text(alice_client.get(LIST))
    assert note.title in text(bob_client.get(LIST))
    assert Note.objects.filter(pk=note.pk).exists()


def test_a_member_taken_out_of_the_group_loses_its_notes_at_once(bob_client, bob, carol, cohort):
    note = write(bob, title="Bara för kursen", group=cohort)
    assert bob_client.get(note.get_absolute_url()).status_code == 200
    group_services.group_remove_member(moderator=carol, group=cohort, member=bob)
    assert bob_client.get(note.get_absolute_url()).status_code == 404
    assert bob_client.get(reverse("notes:edit", args=[note.pk])).status_code == 404
    assert note.title not in text(bob_client.get(LIST))


# --- Who may come in -----------------------------------------------------------------------------


def test_visitor_and_deactivated_member_are_sent_to_log_in(client, dave_client, bob, meeting):
    note = write(bob)
    urls = [
        LIST,
        CREATE,
        f"{CREATE}?tillfalle={meeting.pk}",
        note.get_absolute_url(),
        reverse("notes:edit", args=[note.pk]),
        reverse("notes:delete", args=[note.pk]),
    ]
    for browser in (client, dave_client):
        for url in urls:
            for method in (browser.get, browser.post):
                response = method(url, {"title": "Intrång", "body": "Text"})
                assert response.status_code == 302, url
                assert response["Location"].startswith(reverse("account_login"))
    assert Note.objects.count() == 1
    assert Note.objects.get().title != "Intrång"


def test_every_page_works_for_members_and_moderators(alice_client, carol_client, bob, meeting):
    note = write(bob, occurrence=meeting)
    for browser in (alice_client, carol_client):
        for url in (LIST, CREATE, f"{CREATE}?tillfalle={meeting.pk}", note.get_absolute_url()):
            response = browser.get(url)
            assert response.status_code == 200, url
            assert "style=" not in text(response) and "<script>" not in text(response)
