"""Groups: the list, creating and editing (moderators), a group's page with its
members, upcoming dates and notes, adding and removing members, and leaving.

A group's page and content are its members' (and, for the page, moderators');
a member taken out loses them at their next request; bad input answers 400 with
nothing changed; the pages cost the same number of queries however big a group is."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kollegan.accounts.models import Member
from kollegan.events import services as event_services
from kollegan.events.models import Event, Occurrence
from kollegan.events.services import EventData
from kollegan.groups import services
from kollegan.groups.models import Group, GroupMembership
from kollegan.notes import services as note_services
from kollegan.topics.models import Topic
from tests.conftest import make_member

LIST = reverse("groups:list")
CREATE = reverse("groups:create")
NAME = "Yrkesresan Ny inom R8 – hösten"

# The list: the session and the member, the groups with their member counts.
LIST_QUERIES = 3
# A group's page for a member: the session and the member, the group, whether the
# viewer is in it, its members with their organisations, its upcoming dates, its
# notes (writer, organisation, meeting joined) and their topics.
DETAIL_QUERIES = 8
# For a moderator nobody asks whether they are in it (the member list tells).
MODERATOR_DETAIL_QUERIES = 7


def shown(msgid: str) -> str:
    with translation.override("sv"):
        return translation.gettext(msgid)


def shown_plural(singular: str, plural: str, count: int) -> str:
    with translation.override("sv"):
        return translation.ngettext(singular, plural, count)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def cohort(carol, bob) -> Group:
    """Carol's course group with Bob in it; Alice is not."""
    group = services.group_create(
        moderator=carol, name=NAME, description="För nya socialsekreterare i region 8."
    )
    services.group_add_members(moderator=carol, group=group, members=[bob])
    return group


def group_event(author, group: Group, *, days: int = 7, title: str = "Kursdag") -> Event:
    start = (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)
    data = EventData(title=title, start=start, end=start + dt.timedelta(hours=2), group=group)
    return event_services.event_create(author=author, data=data)


def member_url(group: Group, member: Member) -> str:
    return reverse("groups:remove_member", args=[group.pk, member.pk])


# --- The list ------------------------------------------------------------------------------------


def test_members_see_their_own_groups_with_member_counts(bob_client, alice_client, cohort, carol):
    services.group_create(moderator=carol, name="Ledningsgruppen")
    html = text(bob_client.get(LIST))
    assert f'href="{cohort.get_absolute_url()}">{NAME}</a>' in html
    assert shown_plural("%(counter)s member", "%(counter)s members", 2) % {"counter": 2} in html
    assert "Ledningsgruppen" not in html
    assert f'href="{CREATE}"' not in html
    html = text(alice_client.get(LIST))
    assert NAME not in html
    assert (
        shown(
            "You are not in any group. A moderator adds you when you take part in, for example, "
            "a course."
        )
        in html
    )


def test_moderators_see_every_group_and_can_create_one(carol_client, admin_client_, cohort, carol):
    services.group_create(moderator=carol, name="Ledningsgruppen")
    for browser in (carol_client, admin_client_):
        html = text(browser.get(LIST))
        assert NAME in html and "Ledningsgruppen" in html
        assert f'href="{CREATE}"' in html


def test_list_costs_the_same_number_of_queries_however_many_groups(
    bob_client, carol_client, cohort, carol, bob, django_assert_num_queries
):
    for browser in (bob_client, carol_client):
        browser.get(LIST)
        with django_assert_num_queries(LIST_QUERIES):
            assert browser.get(LIST).status_code == 200
    others = [
        make_member(f"m{index}@test.se", f"M {index}", bob.organisation) for index in range(5)
    ]
    for index in range(30):
        group = services.group_create(moderator=carol, name=f"Grupp {index}")
        services.group_add_members(moderator=carol, group=group, members=[bob, *others])
    for browser in (bob_client, carol_client):
        with django_assert_num_queries(LIST_QUERIES):
            response = browser.get(LIST)
        assert text(response).count('class="question-row"') == 31
    assert shown_plural("%(counter)s member", "%(counter)s members", 7) % {"counter": 7} in text(
        bob_client.get(LIST)
    )


# --- Creating and editing ------------------------------------------------------------------------


def test_moderator_creates_a_group_and_is_its_first_member(carol_client, carol):
    assert carol_client.get(CREATE).status_code == 200
    response = carol_client.post(CREATE, {"name": f"  {NAME} ", "description": "Kursen."})
    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert group.name == NAME and group.description == "Kursen."
    assert list(group.members.all()) == [carol]


def test_members_may_not_create_groups(alice_client):
    for response in (alice_client.get(CREATE), alice_client.post(CREATE, {"name": "Min grupp"})):
        assert response.status_code == 403
        assert shown("Only moderators can manage groups.") in text(response)
    assert not Group.objects.exists()


def test_a_group_needs_a_name_of_its_own(carol_client, cohort):
    response = carol_client.post(CREATE, {"name": " "})
    assert response.status_code == 400
    assert shown("Give the group a name.") in text(response)
    response = carol_client.post(CREATE, {"name": NAME.replace("Yrkesresan", "YRKESRESAN")})
    assert response.status_code == 400
    html = text(response)
    assert shown("There is already a group with that name.") in html
    assert 'id="id_name_error"' in html and 'href="#id_name"' in html
    assert Group.objects.count() == 1


def test_moderator_edits_a_group(carol_client, cohort, carol):
    url = reverse("groups:edit", args=[cohort.pk])
    assert f'value="{NAME}"' in text(carol_client.get(url))
    response = carol_client.post(url, {"name": "Yrkesresan – våren", "description": ""})
    assert response.status_code == 302 and response["Location"] == cohort.get_absolute_url()
    cohort.refresh_from_db()
    assert cohort.name == "Yrkesresan – våren" and cohort.description == ""
    services.group_create(moderator=carol, name="Upptaget")
    response = carol_client.post(url, {"name": "upptaget"})
    assert response.status_code == 400
    assert shown("There is already a group with that name.") in text(response)
    cohort.refresh_from_db()
    assert cohort.name == "Yrkesresan – våren"


def test_members_may_not_edit_a_group_even_their_own(bob_client, alice_client, cohort):
    url = reverse("groups:edit", args=[cohort.pk])
    assert bob_client.get(url).status_code == 403
    assert bob_client.post(url, {"name": "Kapad"}).status_code == 403
    assert alice_client.get(url).status_code == 403
    cohort.refresh_from_db()
    assert cohort.name == NAME


# --- A group's page ------------------------------------------------------------------------------


def test_group_page_shows_members_dates_and_notes_to_its_members(bob_client, bob, carol, cohort):
    event = group_event(bob, cohort, title="Kursdag 3")
    date = Occurrence.objects.get(event=event)
    note = note_services.note_create(author=bob, title="Från kursdag 2", body="Text", group=cohort)
    outside = event_services.event_create(
        author=bob,
        data=EventData(
            title="För alla",
            start=date.start,
            end=date.end,
        ),
    )
    response = bob_client.get(cohort.get_absolute_url())
    assert response.status_code == 200
    html = text(response)
    assert f"<h1>{NAME}</h1>" in html and "För nya socialsekreterare i region 8." in html
    for member in (bob, carol):
        assert (
            f'href="{member.get_absolute_url()}">{member.name}</a>, {member.organisation.name}'
            in html
        )
    assert f'href="{reverse("events:occurrence", args=[date.pk])}">Kursdag 3</a>' in html
    assert outside.title not in html
    assert f'href="{note.get_absolute_url()}">{note.title}</a>' in html
    assert f'href="{reverse("events:create")}?grupp={cohort.pk}"' in html
    assert f'href="{reverse("notes:create")}?grupp={cohort.pk}"' in html
    # Bob may leave, but neither manage the group nor take others out.
    assert f'action="{member_url(cohort, bob)}"' in html
    assert f'action="{member_url(cohort, carol)}"' not in html
    assert f'action="{reverse("groups:add_members", args=[cohort.pk])}#lagg-till"' not in html
    assert reverse("groups:edit", args=[cohort.pk]) not in html


def test_past_dates_stay_off_the_group_page(bob_client, bob, cohort):
    past = group_event(bob, cohort, days=-3, title="Förra kursdagen")
    html = text(bob_client.get(cohort.get_absolute_url()))
    assert past.title not in html
    assert shown("The group has no upcoming events.") in html


def test_group_page_is_not_found_for_members_outside_it(alice_client, cohort):
    assert alice_client.get(cohort.get_absolute_url()).status_code == 404
    assert alice_client.get(reverse("groups:detail", args=[999])).status_code == 404


def test_moderators_outside_the_group_manage_it_but_do_not_read_it(admin_client_, bob, cohort):
    note = note_services.note_create(
        author=bob, title="Kursens anteckning", body="Text", group=cohort
    )
    html = text(admin_client_.get(cohort.get_absolute_url()))
    assert bob.name in html
    assert note.title not in html
    assert f'action="{reverse("groups:add_members", args=[cohort.pk])}#lagg-till"' in html
    assert f'action="{member_url(cohort, bob)}"' in html


def test_group_page_costs_the_same_number_of_queries_however_big_the_group(
    bob_client, carol_client, bob, carol, cohort, django_assert_num_queries
):
    group_event(bob, cohort)
    note_services.note_create(author=bob, title="Första", body="Text", group=cohort)
    url = cohort.get_absolute_url()
    bob_client.get(url)
    carol_client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        assert bob_client.get(url).status_code == 200
    with django_assert_num_queries(MODERATOR_DETAIL_QUERIES):
        assert carol_client.get(url).status_code == 200
    others = [
        make_member(f"k{index}@test.se", f"K {index}", bob.organisation) for index in range(30)
    ]
    services.group_add_members(moderator=carol, group=cohort, members=others)
    topics = list(Topic.objects.filter(slug__in=["barn-och-unga", "vald"]))
    for index in range(25):
        group_event(bob, cohort, days=index + 1, title=f"Dag {index}")
        event = Event.objects.get(title=f"Dag {index}")
        note_services.note_create(
            author=bob,
            title=f"Anteckning {index}",
            body="Text",
            occurrence=Occurrence.objects.get(event=event) if index % 2 else None,
            # A note of the group's meeting is the group's without saying so.
            group=None if index % 2 else cohort,
            topics=topics[: index % 3],
        )
    with django_assert_num_queries(DETAIL_QUERIES):
        response = bob_client.get(url)
    html = text(response)
    assert "K 29" in html and "Anteckning 24" in html and "Dag 18" in html
    with django_assert_num_queries(MODERATOR_DETAIL_QUERIES):
        assert carol_client.get(url).status_code == 200


# --- Members -------------------------------------------------------------------------------------


def test_moderator_adds_members_by_email(carol_client, alice, cohort, admin_member):
    url = reverse("groups:add_members", args=[cohort.pk])
    response = carol_client.post(
        url, {"emails": "ALICE@lycksele.test,\n admin@fou.test; bob@storuman.test"}, follow=True
    )
    assert response.status_code == 200
    assert set(cohort.members.values_list("email", flat=True)) == {
        "alice@lycksele.test",
        "admin@fou.test",
        "bob@storuman.test",
        "carol@lycksele.test",
    }
    message = shown_plural("%(count)d member was added.", "%(count)d members were added.", 2)
    assert message % {"count": 2} in text(response)
    response = carol_client.post(url, {"emails": "alice@lycksele.test"}, follow=True)
    assert shown("They were already members of the group.") in text(response)


def test_an_unknown_address_adds_nobody(carol_client, alice, dave, cohort):
    url = reverse("groups:add_members", args=[cohort.pk])
    for emails in (
        "alice@lycksele.test\nokand@example.se",
        "dave@storuman.test",
        "  ",
    ):
        response = carol_client.post(url, {"emails": emails})
        assert response.status_code == 400
        html = text(response)
        assert 'id="lagg-till-emails_error"' in html and 'href="#lagg-till-emails"' in html
    assert "okand@example.se" in text(
        carol_client.post(url, {"emails": "alice@lycksele.test okand@example.se"})
    )
    assert cohort.members.count() == 2
    assert not GroupMembership.objects.filter(member=alice).exists()


def test_members_may_not_add_members(bob_client, alice_client, alice, cohort):
    url = reverse("groups:add_members", args=[cohort.pk])
    response = bob_client.post(url, {"emails": "alice@lycksele.test"})
    assert response.status_code == 403
    assert shown("Only moderators can manage groups.") in text(response)
    assert alice_client.post(url, {"emails": "alice@lycksele.test"}).status_code == 403
    assert bob_client.get(url).status_code == 405
    assert not GroupMembership.objects.filter(member=alice).exists()


def test_a_member_taken_out_loses_the_group_at_their_next_request(
    carol_client, bob_client, bob, cohort
):
    note = note_services.note_create(author=bob, title="Kursens", body="Text", group=cohort)
    assert note.title in text(bob_client.get(reverse("notes")))
    response = carol_client.post(member_url(cohort, bob), follow=True)
    assert response.status_code == 200
    assert shown("%(name)s is no longer in the group.") % {"name": bob.name} in text(response)
    assert bob_client.get(cohort.get_absolute_url()).status_code == 404
    assert bob_client.get(note.get_absolute_url()).status_code == 404
    assert note.title not in text(bob_client.get(reverse("notes")))
    assert NAME not in text(bob_client.get(LIST))


def test_members_may_not_take_others_out(bob_client, carol_client, carol, cohort):
    response = bob_client.post(member_url(cohort, carol))
    assert response.status_code == 403
    assert shown("Only moderators can manage groups.") in text(response)
    assert cohort.members.filter(pk=carol.pk).exists()
    assert bob_client.get(member_url(cohort, carol)).status_code == 405
    unknown = reverse("groups:remove_member", args=[cohort.pk, 999])
    assert bob_client.post(unknown).status_code == 403
    assert carol_client.post(unknown).status_code == 404


def test_a_member_leaves_the_group(bob_client, bob, cohort):
    response = bob_client.post(member_url(cohort, bob))
    assert response.status_code == 302 and response["Location"] == LIST
    assert not cohort.members.filter(pk=bob.pk).exists()
    html = text(bob_client.get(LIST))
    assert shown("You have left the group %(name)s.") % {"name": NAME} in html
    assert bob_client.get(cohort.get_absolute_url()).status_code == 404


def test_a_member_outside_cannot_touch_the_group(alice_client, alice, bob, cohort):
    # Managing is refused alike for every group; leaving one you are not in finds none.
    assert alice_client.post(member_url(cohort, bob)).status_code == 403
    assert alice_client.post(member_url(cohort, alice)).status_code == 404
    assert cohort.members.filter(pk=bob.pk).exists()


# --- Who may come in -----------------------------------------------------------------------------


def test_visitor_and_deactivated_member_are_sent_to_log_in(client, dave_client, bob, cohort):
    urls = [
        LIST,
        CREATE,
        cohort.get_absolute_url(),
        reverse("groups:edit", args=[cohort.pk]),
        reverse("groups:add_members", args=[cohort.pk]),
        member_url(cohort, bob),
    ]
    for browser in (client, dave_client):
        for url in urls:
            for method in (browser.get, browser.post):
                response = method(url, {"name": "Intrång", "emails": "dave@storuman.test"})
                assert response.status_code == 302, url
                assert response["Location"].startswith(reverse("account_login"))
    assert Group.objects.get().name == NAME
    assert cohort.members.filter(pk=bob.pk).exists()


def test_pages_have_no_inline_style_or_script(bob_client, carol_client, cohort):
    for browser, url in (
        (bob_client, LIST),
        (bob_client, cohort.get_absolute_url()),
        (carol_client, cohort.get_absolute_url()),
        (carol_client, CREATE),
        (carol_client, reverse("groups:edit", args=[cohort.pk])),
    ):
        html = text(browser.get(url))
        assert "style=" not in html and "<script>" not in html
        assert re.search(r"<h1[^>]*>", html)
