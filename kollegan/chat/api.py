"""/api/v1/conversations: the chat for scripts and other clients.

The operations call the services the pages and the socket use, so the rules are
the same: only participants read or write, the guard runs on every message, the
rate limit counts every channel together. A conversation the caller is not in
is a 404, whether it exists or not. Messages are paged backwards by id:
``before`` is the oldest id already read. A message sent here reaches the open
sockets like one sent from the page.

Refusals come back as JSON from the handlers in kollegan.api.api: the guard's
findings (422), ValidationError (422, by field), PermissionDenied (403), a
flood of messages (429)."""

from datetime import datetime

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kollegan.accounts.models import Member
from kollegan.chat import selectors, services
from kollegan.chat.models import MESSAGE_MAX, NAME_MAX, Conversation, Message
from kollegan.events.api import RowId
from kollegan.files.api import attachment_out
from kollegan.files.selectors import attachments_for
from kollegan.lib.validation import field_error
from kollegan.questions.api import Out

router = Router(tags=["chat"])

MAX_MEMBERS_IN = 200


class ConversationIn(Schema):
    """A group chat (``name`` and ``members``), or a direct conversation with
    one member (``with_member``): the existing one if the two already have one."""

    name: str = Field("", max_length=NAME_MAX * 2, description="A group chat's name")
    members: list[RowId] = Field(
        default_factory=list, max_length=MAX_MEMBERS_IN, description="Member ids to add"
    )
    with_member: RowId | None = Field(None, description="For a direct conversation: the other")


class MessageIn(Schema):
    body: str = Field(max_length=MESSAGE_MAX * 2, description="Markdown")
    confirm_identifying_details: bool = Field(
        False,
        description="Set after a 422 with needs_confirmation: the phone numbers, addresses "
        "or e-mail addresses found are not a client's. Never allows an identity number.",
    )


class HistoryParams(Schema):
    before: int | None = Field(None, ge=1, description="Only messages older than this id")
    q: str = Field("", max_length=200, description="Search in the conversation instead")


class MemberRef(Out):
    id: int
    name: str
    organisation: str


class ConversationOut(Out):
    id: int
    kind: str = Field(description="direct or group")
    title: str = Field(description="The group's name, or the other member's")
    members: int
    unread: int
    role: str = Field(description="admin or member: the caller's role")
    last_message_at: datetime
    url: str


class MessageOut(Out):
    id: int
    conversation: int
    author: MemberRef
    body: str = Field(description="Markdown; empty when deleted")
    html: str = Field(description="The sanitised HTML the page shows")
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    attachments: list[dict]


class MessagePageOut(Out):
    items: list[MessageOut] = Field(description="Oldest first")
    older: int | None = Field(description="Send as before for the page before; null at the start")


def _member_ref(member: Member) -> dict:
    return {"id": member.pk, "name": member.name, "organisation": member.organisation.name}


def conversation_out(row: selectors.InboxRow) -> dict:
    conversation = row.conversation
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "title": row.title,
        "members": conversation.member_count,
        "unread": row.participant.unread,
        "role": row.participant.role,
        "last_message_at": conversation.last_message_at,
        "url": conversation.get_absolute_url(),
    }


def message_out(message: Message, files: list) -> dict:
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "author": _member_ref(message.author),
        "body": message.body,
        "html": message.body_html,
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "deleted": message.is_deleted,
        "attachments": [attachment_out(file) for file in files],
    }


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    found = selectors.conversation_for(request.auth, pk)
    if found is None:
        raise Http404
    return found[0]


@router.get(
    "/conversations",
    response=list[ConversationOut],
    url_name="conversations",
    summary="The caller's conversations, the latest message first (at most 50)",
)
def conversations(request: HttpRequest) -> list[dict]:
    return [conversation_out(row) for row in selectors.inbox(request.auth)]


@router.post(
    "/conversations",
    response={201: ConversationOut, 200: ConversationOut},
    url_name="create_conversation",
    summary="Start a group chat, or a direct conversation with one member",
)
def create_conversation(request: HttpRequest, data: ConversationIn):
    member = request.auth
    if data.with_member is not None:
        if data.name or data.members:
            raise field_error(
                "with_member", _("Send either with_member, or name and members."), "either"
            )
        other = Member.objects.filter(pk=data.with_member).first()
        if other is None:
            raise field_error("with_member", _("There is no such member."), "no_member")
        conversation = services.conversation_direct(member=member, other=other)
        status = 200
    else:
        found = list(Member.objects.filter(pk__in=data.members))
        if len(found) != len(set(data.members)):
            raise field_error("members", _("There is no such member."), "no_member")
        conversation = services.conversation_create_group(
            creator=member, name=data.name, members=found
        )
        status = 201
    # Read back as the list shows it (an existing direct conversation may be old).
    conversation, participant = selectors.conversation_for(member, conversation.pk)
    other = selectors.others_in_direct(member, [conversation.pk]).get(conversation.pk)
    other = other.member if other else None
    row = selectors.InboxRow(
        conversation=conversation,
        participant=participant,
        title=selectors.title_of(conversation, other),
        other=other,
    )
    return Status(status, conversation_out(row))


@router.get(
    "/conversations/{conversation_id}/messages",
    response=MessagePageOut,
    url_name="conversation_messages",
    summary="A conversation's messages, the newest page first; or a search in it",
)
def conversation_messages(
    request: HttpRequest, conversation_id: int, params: Query[HistoryParams]
) -> dict:
    conversation = _conversation(request, conversation_id)
    if params.q.strip():
        page = list(reversed(selectors.search(conversation.pk, params.q)))
        older = False
    else:
        page, older = selectors.history(conversation.pk, before=params.before)
    files = attachments_for("message", [message.pk for message in page])
    return {
        "items": [message_out(message, files.get(message.pk, [])) for message in page],
        "older": page[0].pk if older and page else None,
    }


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut},
    url_name="send_message",
    summary="Send a message to a conversation the caller is in",
)
def send_message(request: HttpRequest, conversation_id: int, data: MessageIn):
    conversation = _conversation(request, conversation_id)
    message = services.message_send(
        conversation=conversation,
        author=request.auth,
        body=data.body,
        confirmed=data.confirm_identifying_details,
    )
    message = Message.objects.select_related("author__organisation").get(pk=message.pk)
    return Status(201, message_out(message, []))
