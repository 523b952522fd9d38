"""Who is in which group: every section that shows group content asks here."""

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import In

from kollegan.accounts.models import Member
from kollegan.groups.models import Group, GroupMembership


def group_ids_of(member: Member) -> list[int]:
    """The groups whose content ``member`` may see (read anew on every request)."""
    if not member.is_authenticated or not member.is_active:
        return []
    return list(GroupMembership.objects.filter(member=member).values_list("group_id", flat=True))


def visible_to(group_ids: list[int], field: str = "group") -> In:
    """A filter: what belongs to no group, or to one of ``group_ids``.

    Written as ``COALESCE(group_id, 0) IN (0, …)``: on the bare column SQLite
    read a list through the group index and sorted every row before LIMIT; on an
    expression it keeps to the list's own index by time."""
    return In(Coalesce(F(field), Value(0)), [0, *group_ids])


def may_see_group(member: Member, group: Group | None) -> bool:
    if group is None:
        return True
    return GroupMembership.objects.filter(group=group, member=member).exists()


def groups_for(member: Member) -> QuerySet[Group]:
    """The groups a member belongs to; moderators manage (and list) them all."""
    if member.is_moderator:
        return Group.objects.all()
    return Group.objects.filter(memberships__member=member)


def groups_of(member: Member) -> QuerySet[Group]:
    """Only the groups ``member`` is in: where they may publish."""
    return Group.objects.filter(memberships__member=member)


def group_members(group: Group) -> QuerySet[Member]:
    return (
        Member.objects.filter(group_memberships__group=group)
        .select_related("organisation")
        .order_by("name", "pk")
    )


def group_for_page(pk: int, viewer: Member) -> Group | None:
    """A group's page: its members and moderators."""
    group = Group.objects.filter(pk=pk).first()
    if group is None:
        return None
    if viewer.is_moderator or may_see_group(viewer, group):
        return group
    return None
