"""Creating groups and choosing their members (moderators only)."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.audit.models import Action
from kollegan.audit.services import audit_log
from kollegan.groups.models import DESCRIPTION_MAX, NAME_MAX, Group, GroupMembership
from kollegan.lib.validation import field_error


def _refuse_unless_moderator(member: Member) -> None:
    if not member.is_moderator:
        raise PermissionDenied(_("Only moderators can manage groups."))


def _clean(name: str, description: str, *, group: Group | None = None) -> tuple[str, str]:
    name = " ".join((name or "").split())
    description = (description or "").strip()
    if not name:
        raise field_error("name", _("Give the group a name."), "name_empty")
    if len(name) > NAME_MAX:
        message = _("The name can be at most %(max)d characters.") % {"max": NAME_MAX}
        raise field_error("name", message, "name_long")
    if len(description) > DESCRIPTION_MAX:
        message = _("The description can be at most %(max)d characters.") % {"max": DESCRIPTION_MAX}
        raise field_error("description", message, "description_long")
    # Compared here rather than by name__iexact: SQLite folds the case of ASCII
    # letters only, so "HÖSTEN" and "hösten" would both pass. Groups are few.
    others = Group.objects.exclude(pk=group.pk) if group is not None else Group.objects.all()
    if name.casefold() in {other.casefold() for other in others.values_list("name", flat=True)}:
        raise field_error("name", _("There is already a group with that name."), "name_taken")
    return name, description


@transaction.atomic
def group_create(*, moderator: Member, name: str, description: str = "") -> Group:
    """A new group with its creator as its first member."""
    _refuse_unless_moderator(moderator)
    name, description = _clean(name, description)
    group = Group.objects.create(name=name, description=description, created_by=moderator)
    GroupMembership.objects.create(group=group, member=moderator, added_by=moderator)
    audit_log(
        action=Action.GROUP_CREATED,
        actor=moderator,
        subject_label=f"{_('Group')}: {name}",
        detail={"group": group.pk},
    )
    return group


@transaction.atomic
def group_edit(*, moderator: Member, group: Group, name: str, description: str = "") -> Group:
    _refuse_unless_moderator(moderator)
    group.name, group.description = _clean(name, description, group=group)
    group.save(update_fields=["name", "description"])
    return group


def members_by_email(addresses: Iterable[str]) -> list[Member]:
    """Active members with these login addresses; an unknown or inactive
    address is refused by name, so nobody is left out silently."""
    wanted = {address.strip().lower() for address in addresses if address.strip()}
    if not wanted:
        raise field_error("emails", _("Write at least one e-mail address."), "emails_empty")
    found = {member.email.lower(): member for member in Member.objects.filter(email__in=wanted)}
    unknown = sorted(
        address for address in wanted if address not in found or not found[address].is_active
    )
    if unknown:
        message = _("No active member has these addresses: %(addresses)s.") % {
            "addresses": ", ".join(unknown)
        }
        raise field_error("emails", message, "unknown_member")
    return sorted(found.values(), key=lambda member: member.name)


@transaction.atomic
def group_add_members(
    *, moderator: Member, group: Group, members: Iterable[Member]
) -> list[Member]:
    """Add members (those already in are skipped); returns the ones added."""
    _refuse_unless_moderator(moderator)
    members = list(dict.fromkeys(members))
    already = set(
        GroupMembership.objects.filter(group=group, member__in=members).values_list(
            "member_id", flat=True
        )
    )
    added = [member for member in members if member.pk not in already]
    GroupMembership.objects.bulk_create(
        GroupMembership(group=group, member=member, added_by=moderator) for member in added
    )
    for member in added:
        audit_log(
            action=Action.GROUP_MEMBER_ADDED,
            actor=moderator,
            subject=member,
            subject_label=f"{_('Group')}: {group.name}",
            detail={"group": group.pk},
        )
    return added


@transaction.atomic
def group_remove_member(*, moderator: Member, group: Group, member: Member) -> bool:
    """Take a member out; they lose access to the group's content on their next request."""
    if member.pk != moderator.pk:
        _refuse_unless_moderator(moderator)
    deleted, _rows = GroupMembership.objects.filter(group=group, member=member).delete()
    if deleted:
        audit_log(
            action=Action.GROUP_MEMBER_REMOVED,
            actor=moderator,
            subject=member,
            subject_label=f"{_('Group')}: {group.name}",
            detail={"group": group.pk},
        )
    return bool(deleted)
