"""Everything that changes a conversation; the pages, the API and the socket
call the same functions, so the rules are the same everywhere.

Refusals: ``ValidationError`` for bad input (by field, with a code),
``PermissionDenied`` for "not in this conversation" / "not allowed",
``RateLimited`` for a flood, and the guard's ``ConfidentialityError``.

Every change is told to the open sockets after its transaction commits
(``kollegan.chat.realtime``), never before: a socket never shows what a
rollback took back."""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.chat import realtime
from kollegan.chat.models import (
    GROUP_MAX_MEMBERS,
    MESSAGE_MAX,
    NAME_MAX,
    Conversation,
    Message,
    Participant,
)
from kollegan.lib.guard import guard
from kollegan.lib.markdown import render_markdown
from kollegan.lib.validation import clean_body, field_error
from kollegan.search.analysis import fold


class RateLimited(ValidationError):
    """Too many messages in a short time (answered with 429)."""


def refuse_outsider() -> PermissionDenied:
    # One message for "no such conversation" and "not yours": an outsider learns
    # nothing about which conversations exist.
    return PermissionDenied(_("There is no such conversation, or you are not in it."))


def participant_of(conversation: Conversation | int, member: Member) -> Participant:
    """The member's row in the conversation, or PermissionDenied."""
    conversation_id = getattr(conversation, "pk", conversation)
    row = (
        Participant.objects.select_related("conversation")
        .filter(conversation_id=conversation_id, member=member)
        .first()
    )
    if row is None or not member.is_active:
        raise refuse_outsider()
    return row


def _refuse_unless_admin(row: Participant) -> None:
    if row.role != Participant.Role.ADMIN:
        raise PermissionDenied(_("Only the group's administrators can do that."))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise field_error("name", _("Give the group a name."), "name_empty")
    if len(name) > NAME_MAX:
        message = _("The name can be at most %(max)d characters.") % {"max": NAME_MAX}
        raise field_error("name", message, "name_long")
    return name


def _active(members: Iterable[Member]) -> list[Member]:
    chosen = list({member.pk: member for member in members}.values())
    if any(not member.is_active for member in chosen):
        message = _("Only members whose membership is active can be in a chat.")
        raise field_error("members", message, "member_inactive")
    return chosen


# --- Conversations ------------------------------------------------------------------------------


def conversation_direct(*, member: Member, other: Member) -> Conversation:
    """The two members' conversation, started the first time."""
    if other.pk == member.pk:
        raise field_error("member", _("Choose someone other than yourself."), "self")
    _active([other])
    low, high = sorted((member.pk, other.pk))
    pair = f"{low}:{high}"
    found = Conversation.objects.filter(pair=pair).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=Conversation.Kind.DIRECT, pair=pair, created_by=member, member_count=2
            )
            Participant.objects.bulk_create(
                Participant(conversation=conversation, member_id=pk, role=Participant.Role.ADMIN)
                for pk in (low, high)
            )
            transaction.on_commit(lambda: realtime.joined(conversation.pk, [low, high]))
    except IntegrityError:
        # Both started it at the same moment: the other request's row stands.
        return Conversation.objects.get(pair=pair)
    return conversation


@transaction.atomic
def conversation_create_group(
    *, creator: Member, name: str, members: Iterable[Member] = ()
) -> Conversation:
    """A named group chat; whoever creates it administers it."""
    name = _clean_name(name)
    others = [member for member in _active(members) if member.pk != creator.pk]
    if len(others) + 1 > GROUP_MAX_MEMBERS:
        raise _too_many()
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.GROUP, name=name, created_by=creator, member_count=len(others) + 1
    )
    Participant.objects.create(
        conversation=conversation, member=creator, role=Participant.Role.ADMIN
    )
    Participant.objects.bulk_create(
        Participant(conversation=conversation, member=member) for member in others
    )
    ids = [creator.pk, *(member.pk for member in others)]
    transaction.on_commit(lambda: realtime.joined(conversation.pk, ids))
    return conversation


def _too_many() -> ValidationError:
    message = _("A group chat can have at most %(max)d members.") % {"max": GROUP_MAX_MEMBERS}
    return field_error("members", message, "too_many")


@transaction.atomic
def conversation_rename(*, conversation: Conversation, actor: Member, name: str) -> Conversation:
    row = participant_of(conversation, actor)
    if not conversation.is_group:
        raise PermissionDenied(_("Only a group chat has a name."))
    _refuse_unless_admin(row)
    conversation.name = _clean_name(name)
    conversation.save(update_fields=["name"])
    return conversation


@transaction.atomic
def members_add(
    *, conversation: Conversation, actor: Member, members: Iterable[Member]
) -> list[Member]:
    """Add members to a group chat (its administrators do); returns those new to it."""
    row = participant_of(conversation, actor)
    if not conversation.is_group:
        raise PermissionDenied(_("A direct conversation is between two members only."))
    _refuse_unless_admin(row)
    members = _active(members)
    present = set(
        Participant.objects.filter(
            conversation=conversation, member__in=[member.pk for member in members]
        ).values_list("member_id", flat=True)
    )
    new = [member for member in members if member.pk not in present]
    if not new:
        return []
    count = Participant.objects.filter(conversation=conversation).count()
    if count + len(new) > GROUP_MAX_MEMBERS:
        raise _too_many()
    # Earlier messages count as read: the newcomer starts at the present.
    Participant.objects.bulk_create(
        Participant(
            conversation=conversation,
            member=member,
            last_read_id=conversation.last_message_id or 0,
            read_count=conversation.message_count,
        )
        for member in new
    )
    Conversation.objects.filter(pk=conversation.pk).update(member_count=count + len(new))
    ids = [member.pk for member in new]
    transaction.on_commit(lambda: realtime.joined(conversation.pk, ids))
    return new


@transaction.atomic
def member_remove(*, conversation: Conversation, actor: Member, member: Member) -> None:
    """An administrator takes someone out of a group chat, or anyone leaves one
    (``member`` is the actor). Access ends at once, on open sockets too."""
    if not conversation.is_group:
        raise PermissionDenied(_("You cannot leave a direct conversation."))
    row = participant_of(conversation, actor)
    if member.pk != actor.pk:
        _refuse_unless_admin(row)
    leaving = Participant.objects.filter(conversation=conversation, member=member).first()
    if leaving is None:
        raise field_error("member", _("They are not in this group chat."), "not_member")
    leaving.delete()
    remaining = Participant.objects.filter(conversation=conversation)
    Conversation.objects.filter(pk=conversation.pk).update(member_count=remaining.count())
    if not remaining.filter(role=Participant.Role.ADMIN).exists():
        # The last administrator left: whoever has been in it longest takes over.
        first = remaining.order_by("joined_at", "pk").first()
        if first is not None:
            remaining.filter(pk=first.pk).update(role=Participant.Role.ADMIN)
    unread_recount([member.pk])
    transaction.on_commit(lambda: realtime.left(conversation.pk, member.pk))


# --- Messages -----------------------------------------------------------------------------------


def _rate_limit(member: Member) -> None:
    """At most CHAT_RATE_MESSAGES per CHAT_RATE_SECONDS per member, counted in
    the shared cache so every web and chat process counts together."""
    window = settings.CHAT_RATE_SECONDS
    bucket = int(timezone.now().timestamp()) // window
    key = f"chat-rate:{member.pk}:{bucket}"
    if cache.add(key, 1, timeout=window * 2):
        return
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window * 2)
        return
    if count > settings.CHAT_RATE_MESSAGES:
        message = _("You are sending messages very fast. Wait a few seconds and send it again.")
        raise RateLimited(message, code="rate_limited")


def _set_body(message: Message, body: str) -> None:
    message.body = body
    message.body_html = render_markdown(body, mentions=True)
    message.plain = fold(body)


def message_send(
    *,
    conversation: Conversation | int,
    author: Member,
    body: str,
    confirmed: bool = False,
    upload: UploadedFile | None = None,
) -> Message:
    """Write a message: the conversation's count grows by one (and so every
    other member's unread count), the writer's read mark moves past it, and the
    sockets and (for members who are not online) notifications follow the
    commit. A fixed number of rows whatever the size of the group."""
    from kollegan.files.services import attachment_prepare, attachment_save, discard_on_error

    row = participant_of(conversation, author)
    body = (body or "").replace("\r\n", "\n").strip()
    if upload is None or body:
        body = clean_body(body, limit=MESSAGE_MAX)
    guard(body, confirmed=confirmed)
    prepared = attachment_prepare(upload=upload) if upload is not None else None
    _rate_limit(author)
    with discard_on_error(), transaction.atomic():
        # Locked: the number and the count follow one another message by message.
        conversation = Conversation.objects.select_for_update().get(pk=row.conversation_id)
        number = conversation.message_count + 1
        message = Message(conversation=conversation, author=author, number=number)
        _set_body(message, body)
        message.save()
        if prepared is not None:
            attachment_save(prepared=prepared, owner=message, uploader=author)
        conversation.last_message = message
        conversation.last_message_at = message.created_at
        conversation.message_count = number
        conversation.save(update_fields=["last_message", "last_message_at", "message_count"])
        Participant.objects.filter(pk=row.pk).update(last_read_id=message.pk, read_count=number)
        # The header's numbers (one row per member of the group) are set after
        # the commit, by the worker that fans the message out (header_recount):
        # the message reaches the open sockets without waiting for them.
        _announce(message)
        transaction.on_commit(lambda: realtime.message_changed(message.pk, new=True))
    return message


def _announce(message: Message) -> None:
    from kollegan.notifications.models import Target, Verb
    from kollegan.notifications.services import announce

    announce(
        verb=Verb.NEW_MESSAGE,
        target_type=Target.CONVERSATION,
        target_id=message.conversation_id,
        item_id=message.pk,
        actor=message.author,
    )


def refuse_unless_own(message: Message, member: Member) -> None:
    """Only the writer changes a message, and not once it is deleted."""
    participant_of(message.conversation_id, member)
    if message.author_id != member.pk:
        raise PermissionDenied(_("Only the one who wrote it can change it."))
    if message.is_deleted:
        raise PermissionDenied(_("The message is deleted."))


@transaction.atomic
def message_edit(
    *, message: Message, editor: Member, body: str, confirmed: bool = False
) -> Message:
    refuse_unless_own(message, editor)
    body = clean_body(body, limit=MESSAGE_MAX)
    guard(body, confirmed=confirmed)
    if body != message.body:
        _set_body(message, body)
        message.edited_at = message.changed_at = timezone.now()
        message.save(update_fields=["body", "body_html", "plain", "edited_at", "changed_at"])
        transaction.on_commit(lambda: realtime.message_changed(message.pk))
    return message


@transaction.atomic
def message_delete(*, message: Message, member: Member) -> Message:
    """The writer removes a message: its text and files go, a line saying it
    was deleted stays in its place."""
    from kollegan.files.models import Attachment

    refuse_unless_own(message, member)
    message.body = message.body_html = message.plain = ""
    message.deleted_at = message.changed_at = timezone.now()
    message.save(update_fields=["body", "body_html", "plain", "deleted_at", "changed_at"])
    storage = Attachment.file.field.storage
    for attachment in Attachment.objects.filter(message=message):
        name = attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda name=name: storage.delete(name))
    transaction.on_commit(lambda: realtime.message_changed(message.pk))
    return message


def unread_recount(member_ids) -> None:
    """The header's number for each member: the sum over their conversations
    (one UPDATE; ``member_ids`` may be a list or a subquery)."""
    total = (
        Participant.objects.filter(member=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(total=Sum(F("conversation__message_count") - F("read_count")))
        .values("total")
    )
    Member.objects.filter(pk__in=member_ids).update(unread_chat=Coalesce(Subquery(total), Value(0)))


def header_recount(conversation_id: int) -> None:
    """The header's numbers of everyone in a conversation, after a message
    (called by the notification fan-out; safe to repeat)."""
    unread_recount(Participant.objects.filter(conversation_id=conversation_id).values("member_id"))


@transaction.atomic
def conversation_read(
    *, conversation: Conversation | int, member: Member, up_to: int | None = None
) -> Participant:
    """The member has seen the conversation up to message ``up_to`` (the newest
    when None). Their notifications about it are marked read too."""
    from kollegan.notifications.models import Target
    from kollegan.notifications.services import mark_target_read

    row = participant_of(conversation, member)
    # The conversation's row knows its newest message and how many there are.
    newest = (row.conversation.last_message_id or 0, row.conversation.message_count)
    if up_to is None or up_to >= newest[0]:
        up_to, number = newest
    else:
        number = (
            Message.objects.filter(conversation_id=row.conversation_id, id__lte=max(up_to, 0))
            .order_by("-id")
            .values_list("number", flat=True)
            .first()
        ) or 0
    if number <= row.read_count:
        return row
    row.last_read_id, row.read_count = max(up_to, row.last_read_id), number
    row.save(update_fields=["last_read_id", "read_count"])
    unread_recount([member.pk])
    if row.unread == 0:
        mark_target_read(
            member=member, target_type=Target.CONVERSATION, target_id=row.conversation_id
        )
    conversation_id, last_read = row.conversation_id, row.last_read_id
    transaction.on_commit(lambda: realtime.read(conversation_id, member.pk, last_read))
    return row
