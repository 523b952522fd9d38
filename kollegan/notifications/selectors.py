"""Reading notifications: a member's list by cursor, one to open, and whether a
member follows a post or an event.

Rows are plain data (no models, no HTML), for the pages and the API alike. What
a notification points at is read in bulk when it is shown (targets.threads), so
a title is always the current one, and a row whose item the member can no
longer see (hidden, deleted, or in a group they have left) is left out. A page
costs the same number of queries however many notifications there are."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.feed.selectors import Cursor
from kollegan.groups.selectors import group_ids_of
from kollegan.lib.validation import is_row_id
from kollegan.notifications import targets
from kollegan.notifications.models import Following, Notification, Target

PAGE_SIZE = 30


@dataclass
class NotificationRow:
    id: int
    verb: str
    reason: str
    target_type: str
    target_id: int
    headline: str  # what happened; an anonymous writer is never named
    title: str  # the question's, event's or notes' title ("A post by …" for a post)
    path: str  # the item on the site, with the answer's or reply's anchor
    unread: bool
    created_at: dt.datetime
    topics: list[str] = field(default_factory=list)


@dataclass
class NotificationsPage:
    rows: list[NotificationRow]
    next_cursor: str  # "" when this is the end
    # Unread notifications on this page whose item can no longer be seen: the
    # bell should stop counting them (see ``gone_unread_clear``).
    gone_unread: list[int] = field(default_factory=list)


def _notifications(member: Member) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=member).select_related(
        "activity", "activity__actor"
    )


def _shown(member: Member, notes: list[Notification]) -> list[NotificationRow]:
    """The rows of ``notes`` the member may still see, in the same order."""
    activities = [note.activity for note in notes]
    if not activities:
        return []
    found = targets.threads({(a.target_type, a.target_id) for a in activities})
    hidden = targets.hidden_items(activities)
    # The member's groups matter only when something belongs to a group.
    in_groups = any(thread.group_id for thread in found.values())
    group_ids = set(group_ids_of(member)) if in_groups else set()
    conversation_ids: set[int] = set()
    if any(thread.conversation_id for thread in found.values()):
        from kollegan.chat.selectors import conversation_ids_of

        conversation_ids = set(conversation_ids_of(member.pk))
    rows = []
    for note in notes:
        activity = note.activity
        thread = targets.visible(activity, found, hidden, group_ids, conversation_ids)
        if thread is None:
            continue
        rows.append(
            NotificationRow(
                id=note.pk,
                verb=activity.verb,
                reason=note.reason,
                target_type=activity.target_type,
                target_id=activity.target_id,
                headline=targets.headline(activity),
                title=thread.title,
                path=targets.path_of(activity, thread),
                unread=note.read_at is None,
                created_at=note.created_at,
                topics=list(thread.topics),
            )
        )
    return rows


def notifications_page(
    member: Member,
    cursor: str | None = None,
    unread_only: bool = False,
    *,
    size: int = PAGE_SIZE,
) -> NotificationsPage:
    """Newest first (by id, the list's index), ``size`` at most. A page may hold
    fewer rows than ``size`` when some can no longer be seen; the cursor still
    goes on from the last row read. A broken cursor is a ValidationError."""
    queryset = _notifications(member)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    if cursor:
        broken = _("The link to more notifications is broken. Start again from the top.")
        after = Cursor.decode(cursor, broken=broken)
        queryset = queryset.filter(pk__lt=after.id)
    notes = list(queryset.order_by("-pk")[: size + 1])
    next_cursor = ""
    if len(notes) > size:
        notes = notes[:size]
        next_cursor = Cursor(created_at=notes[-1].created_at, id=notes[-1].pk).encode()
    rows = _shown(member, notes)
    shown = {row.id for row in rows}
    gone = [note.pk for note in notes if note.read_at is None and note.pk not in shown]
    return NotificationsPage(rows=rows, next_cursor=next_cursor, gone_unread=gone)


def notification_for(member: Member, pk: int) -> tuple[Notification, NotificationRow | None] | None:
    """The member's own notification (None if it is not theirs) and its row, or
    None for the row when the item can no longer be seen."""
    if not is_row_id(pk):
        return None
    note = _notifications(member).filter(pk=pk).first()
    if note is None:
        return None
    rows = _shown(member, [note])
    return note, (rows[0] if rows else None)


def is_following(member: Member, target_type: Target, target_id: int) -> bool:
    """One indexed query (the unique constraint's index)."""
    return Following.objects.filter(
        target_type=target_type, target_id=target_id, member=member
    ).exists()
