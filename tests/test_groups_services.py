"""Groups for course cohorts: only moderators manage them, names are unique,
members are chosen by e-mail address without anyone left out silently, a
member may leave, and every change is in the audit log."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kollegan.accounts.models import Role
from kollegan.audit.models import Action, AuditEntry
from kollegan.groups import selectors, services
from kollegan.groups.models import Group, GroupMembership
from tests.conftest import make_member

NAME = "Yrkesresan Ny inom R8 – hösten"


def refusal(raised: pytest.ExceptionInfo) -> tuple[str, str, str]:
    [(field, errors)] = raised.value.error_dict.items()
    return field, errors[0].code, errors[0].messages[0]


def members_of(group: Group) -> set[str]:
    return set(GroupMembership.objects.filter(group=group).values_list("member__email", flat=True))


@pytest.fixture
def cohort(carol) -> Group:
    return services.group_create(moderator=carol, name=NAME, description="Hösten 2023.")


# --- Creating and editing ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_moderator_creates_a_group_and_is_its_first_member(carol):
    group = services.group_create(moderator=carol, name=f"  {NAME}  ", description=" Om kursen ")
    assert (group.name, group.description, group.created_by) == (NAME, "Om kursen", carol)
    assert members_of(group) == {carol.email}
    assert GroupMembership.objects.get(group=group).added_by == carol
    [entry] = AuditEntry.objects.filter(action=Action.GROUP_CREATED)
    assert (entry.actor, entry.detail) == (carol, {"group": group.pk})
    assert NAME in entry.subject_label


@pytest.mark.django_db
def test_an_administrator_is_a_moderator_too(admin_member):
    group = services.group_create(moderator=admin_member, name=NAME)
    assert members_of(group) == {admin_member.email}


@pytest.mark.django_db
def test_members_cannot_create_edit_or_add(alice, bob, cohort):
    with pytest.raises(PermissionDenied):
        services.group_create(moderator=alice, name="Alices grupp")
    with pytest.raises(PermissionDenied):
        services.group_edit(moderator=alice, group=cohort, name="Omdöpt")
    with pytest.raises(PermissionDenied):
        services.group_add_members(moderator=alice, group=cohort, members=[alice, bob])
    assert list(Group.objects.values_list("name", flat=True)) == [NAME]
    assert not GroupMembership.objects.filter(member__in=[alice, bob]).exists()
    # Even a member of the group may not add others to it.
    services.group_add_members(
        moderator=Group.objects.get().created_by, group=cohort, members=[alice]
    )
    with pytest.raises(PermissionDenied):
        services.group_add_members(moderator=alice, group=cohort, members=[bob])
    assert bob.email not in members_of(cohort)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [NAME, NAME.upper(), f" {NAME.lower()} ", NAME.replace(" ", "  ")])
def test_a_name_taken_in_any_case_is_refused(carol, cohort, name):
    with pytest.raises(ValidationError) as raised:
        services.group_create(moderator=carol, name=name)
    assert refusal(raised)[:2] == ("name", "name_taken")
    assert Group.objects.count() == 1
    assert AuditEntry.objects.filter(action=Action.GROUP_CREATED).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "description", "field", "code"),
    [
        ("", "", "name", "name_empty"),
        ("   ", "", "name", "name_empty"),
        ("x" * 121, "", "name", "name_long"),
        ("Kurs", "x" * 2001, "description", "description_long"),
    ],
)
def test_bad_names_and_descriptions_are_refused(carol, name, description, field, code):
    with pytest.raises(ValidationError) as raised:
        services.group_create(moderator=carol, name=name, description=description)
    assert refusal(raised)[:2] == (field, code)
    assert not Group.objects.exists()
    assert not GroupMembership.objects.exists()


@pytest.mark.django_db
def test_editing_keeps_the_own_name_and_refuses_anothers(carol, cohort):
    other = services.group_create(moderator=carol, name="Barnets resa – våren")
    services.group_edit(moderator=carol, group=cohort, name=NAME.upper(), description="Ny text")
    cohort.refresh_from_db()
    assert (cohort.name, cohort.description) == (NAME.upper(), "Ny text")
    with pytest.raises(ValidationError) as raised:
        services.group_edit(moderator=carol, group=cohort, name="barnets resa – VÅREN")
    assert refusal(raised)[:2] == ("name", "name_taken")
    cohort.refresh_from_db()
    assert cohort.name == NAME.upper()
    assert other.name == "Barnets resa – våren"


# --- Choosing members by e-mail --------------------------------------------------------------


@pytest.mark.django_db
def test_members_by_email_finds_them_in_any_case_and_spacing(alice, bob):
    found = services.members_by_email(["  ALICE@lycksele.test", "bob@Storuman.TEST", "", "  "])
    assert found == [alice, bob]


@pytest.mark.django_db
def test_unknown_and_deactivated_addresses_are_refused_by_name(carol, cohort, alice, dave):
    before = members_of(cohort)
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        members = services.members_by_email(
            ["alice@lycksele.test", "nobody@nowhere.test", "Dave@Storuman.test"]
        )
        services.group_add_members(moderator=carol, group=cohort, members=members)
    field, code, message = refusal(raised)
    assert (field, code) == ("emails", "unknown_member")
    assert "nobody@nowhere.test" in message and "dave@storuman.test" in message
    assert "alice@lycksele.test" not in message
    assert members_of(cohort) == before
    assert not AuditEntry.objects.filter(action=Action.GROUP_MEMBER_ADDED).exists()


@pytest.mark.django_db
def test_a_member_whose_membership_ended_is_refused(storuman):
    from django.utils import timezone

    ended = make_member("erik@storuman.test", "Erik Ek", storuman)
    ended.membership_ends_at = timezone.now()
    ended.save(update_fields=["membership_ends_at"])
    with pytest.raises(ValidationError) as raised:
        services.members_by_email(["erik@storuman.test"])
    assert refusal(raised)[:2] == ("emails", "unknown_member")


@pytest.mark.django_db
def test_no_addresses_is_refused():
    with pytest.raises(ValidationError) as raised:
        services.members_by_email(["", "  "])
    assert refusal(raised)[:2] == ("emails", "emails_empty")


@pytest.mark.django_db
def test_adding_skips_those_already_in_and_audits_each(carol, cohort, alice, bob):
    added = services.group_add_members(moderator=carol, group=cohort, members=[alice, carol])
    assert added == [alice]
    added = services.group_add_members(moderator=carol, group=cohort, members=[alice, bob, bob])
    assert added == [bob]
    assert members_of(cohort) == {carol.email, alice.email, bob.email}
    entries = AuditEntry.objects.filter(action=Action.GROUP_MEMBER_ADDED).order_by("pk")
    assert [(entry.actor, entry.subject) for entry in entries] == [(carol, alice), (carol, bob)]
    assert all(entry.detail == {"group": cohort.pk} for entry in entries)


# --- Leaving and removing ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_may_leave(carol, cohort, alice):
    services.group_add_members(moderator=carol, group=cohort, members=[alice])
    assert services.group_remove_member(moderator=alice, group=cohort, member=alice) is True
    assert alice.email not in members_of(cohort)
    [entry] = AuditEntry.objects.filter(action=Action.GROUP_MEMBER_REMOVED)
    assert (entry.actor, entry.subject) == (alice, alice)
    # Leaving twice changes nothing and logs nothing.
    assert services.group_remove_member(moderator=alice, group=cohort, member=alice) is False
    assert AuditEntry.objects.filter(action=Action.GROUP_MEMBER_REMOVED).count() == 1


@pytest.mark.django_db
def test_removing_someone_else_needs_a_moderator(carol, cohort, alice, bob):
    services.group_add_members(moderator=carol, group=cohort, members=[alice, bob])
    with pytest.raises(PermissionDenied):
        services.group_remove_member(moderator=alice, group=cohort, member=bob)
    assert bob.email in members_of(cohort)
    assert not AuditEntry.objects.filter(action=Action.GROUP_MEMBER_REMOVED).exists()
    assert services.group_remove_member(moderator=carol, group=cohort, member=bob) is True
    assert members_of(cohort) == {carol.email, alice.email}
    [entry] = AuditEntry.objects.filter(action=Action.GROUP_MEMBER_REMOVED)
    assert (entry.actor, entry.subject, entry.detail) == (carol, bob, {"group": cohort.pk})


# --- Who sees what -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_who_sees_the_group(carol, cohort, alice, bob, dave, lycksele):
    other = make_member("mod2@lycksele.test", "Mona Moderator", lycksele, role=Role.MODERATOR)
    services.group_add_members(moderator=carol, group=cohort, members=[alice, dave])
    assert selectors.group_ids_of(alice) == [cohort.pk]
    assert selectors.group_ids_of(bob) == []
    assert selectors.group_ids_of(dave) == []  # deactivated: nothing
    assert selectors.may_see_group(alice, cohort) and not selectors.may_see_group(bob, cohort)
    assert selectors.may_see_group(bob, None)
    assert list(selectors.groups_of(alice)) == [cohort]
    assert list(selectors.groups_of(other)) == []
    # Moderators list and manage every group, but its content is for members.
    assert list(selectors.groups_for(other)) == [cohort]
    assert list(selectors.groups_for(bob)) == []
    assert selectors.group_for_page(cohort.pk, other) == cohort
    assert selectors.group_for_page(cohort.pk, alice) == cohort
    assert selectors.group_for_page(cohort.pk, bob) is None
    assert selectors.group_for_page(cohort.pk + 1000, carol) is None
    assert list(selectors.group_members(cohort)) == [alice, carol, dave]
    services.group_remove_member(moderator=carol, group=cohort, member=alice)
    assert selectors.group_ids_of(alice) == []
    assert selectors.group_for_page(cohort.pk, alice) is None
