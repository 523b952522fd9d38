"""Reading conversations for a member: the list, one conversation's history
paged backwards, search within it, and what a reconnecting page missed. Every
read starts from the member's ``Participant`` row: no row, nothing to read.
Each page costs the same few queries however long the history is."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from kollegan.accounts.models import Member
from kollegan.chat.models import Conversation, Message, Participant
from kollegan.lib.validation import is_row_id
from kollegan.search.analysis import fold

INBOX_SIZE = 50
HISTORY_SIZE = 50
SEARCH_SIZE = 50
MISSED_MAX = 200
SEARCH_MAX = 200


@dataclass
class InboxRow:
    conversation: Conversation
    participant: Participant
    title: str  # the group's name, or the other member's
    other: Member | None  # in a direct conversation


def conversation_ids_of(member_id: int) -> list[int]:
    return list(
        Participant.objects.filter(member_id=member_id).values_list("conversation_id", flat=True)
    )


def conversation_for(member: Member, pk: int) -> tuple[Conversation, Participant] | None:
    """The conversation and the member's row in it; None for an outsider (and
    for an id that does not exist: the two are not told apart)."""
    if not is_row_id(pk) or not member.is_active:
        return None
    row = (
        Participant.objects.select_related("conversation")
        .filter(conversation_id=pk, member=member)
        .first()
    )
    if row is None:
        return None
    return row.conversation, row


def others_in_direct(member: Member, conversation_ids: list[int]) -> dict[int, Participant]:
    """conversation id -> the other member's row (with the member) in each
    direct conversation (one query)."""
    if not conversation_ids:
        return {}
    rows = (
        Participant.objects.filter(conversation_id__in=conversation_ids)
        .exclude(member=member)
        .select_related("member", "member__organisation")
    )
    return {row.conversation_id: row for row in rows}


def title_of(conversation: Conversation, other: Member | None) -> str:
    from django.utils.translation import gettext as _

    if conversation.is_group:
        return conversation.name
    return other.name if other is not None else _("A former member")


def inbox(member: Member, *, before: dt.datetime | None = None) -> list[InboxRow]:
    """The member's conversations, the latest message first (two queries)."""
    rows = Participant.objects.filter(member=member).select_related(
        "conversation", "conversation__last_message", "conversation__last_message__author"
    )
    if before is not None:
        rows = rows.filter(conversation__last_message_at__lt=before)
    # A member's own conversations, sorted: a few hundred rows at most.
    rows = list(rows.order_by("-conversation__last_message_at", "-conversation_id")[:INBOX_SIZE])
    direct = [row.conversation_id for row in rows if not row.conversation.is_group]
    others = {pk: other.member for pk, other in others_in_direct(member, direct).items()}
    return [
        InboxRow(
            conversation=row.conversation,
            participant=row,
            title=title_of(row.conversation, others.get(row.conversation_id)),
            other=others.get(row.conversation_id),
        )
        for row in rows
    ]


def _messages(conversation_id: int) -> QuerySet[Message]:
    return Message.objects.filter(conversation_id=conversation_id).select_related(
        "author", "author__organisation"
    )


def history(
    conversation_id: int, *, before: int | None = None, around: int | None = None
) -> tuple[list[Message], bool]:
    """A page of messages, oldest first: the newest, those before message
    ``before``, or those up to and around message ``around`` (a search hit).
    The flag says whether older ones exist."""
    rows = _messages(conversation_id)
    if before is not None:
        rows = rows.filter(id__lt=before)
    elif around is not None:
        rows = rows.filter(id__lte=around + HISTORY_SIZE // 2)
    page = list(rows.order_by("-id")[: HISTORY_SIZE + 1])
    older = len(page) > HISTORY_SIZE
    page = page[:HISTORY_SIZE]
    page.reverse()
    return page, older


def search_terms(query: str) -> list[str]:
    return fold(query[:SEARCH_MAX]).split()[:10]


def search(conversation_id: int, query: str) -> list[Message]:
    """Messages holding every word of ``query`` (case and accents folded, any
    part of a word), newest first."""
    terms = search_terms(query)
    if not terms:
        return []
    rows = _messages(conversation_id).filter(deleted_at__isnull=True)
    for term in terms:
        rows = rows.filter(plain__contains=term)
    return list(rows.order_by("-id")[:SEARCH_SIZE])


def missed(conversation_id: int, *, after: int, since: dt.datetime | None) -> list[Message]:
    """What a page that was away missed: new messages after ``after``, and
    older ones edited or deleted since ``since``."""
    condition = Q(id__gt=after)
    if since is not None:
        condition |= Q(changed_at__gte=since)
    return list(_messages(conversation_id).filter(condition).order_by("id")[:MISSED_MAX])


def participants(conversation_id: int) -> list[Participant]:
    return list(
        Participant.objects.filter(conversation_id=conversation_id)
        .select_related("member", "member__organisation")
        .order_by("member__name", "member_id")
    )


def member_candidates(conversation_id: int | None, query: str, limit: int = 20) -> list[Member]:
    """Active members whose name or e-mail starts with ``query`` (or whose name
    has a word starting so), not already in the conversation."""
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    rows = Member.objects.active().select_related("organisation")
    rows = rows.filter(
        Q(name__istartswith=query) | Q(name__icontains=f" {query}") | Q(email__istartswith=query)
    )
    if conversation_id is not None:
        rows = rows.exclude(
            pk__in=Participant.objects.filter(conversation_id=conversation_id).values("member_id")
        )
    return list(rows.order_by("name", "pk")[:limit])
