"""The chat's pages, under /chatt/. Every one works as a plain page without
JavaScript: sending is a form POST, new messages come with a reload. With
JavaScript (static/js/chat.js) the page opens the chat socket and everything
arrives live; what the socket cannot do (files, edits) stays a form.

An outsider gets the same 404 for a conversation that exists and one that
does not."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kollegan.accounts.models import Member
from kollegan.chat import selectors, services
from kollegan.chat.forms import GroupForm, MemberSearchForm, MessageForm, SearchForm
from kollegan.chat.models import Conversation, Message, Participant
from kollegan.files.selectors import attachments_for
from kollegan.lib.validation import is_row_id
from kollegan.lib.views import refusals

_refusals = refusals("chat/refused.html")


def socket_url(request: HttpRequest) -> str:
    """Where the page opens the chat socket: CHAT_URL, or the chat process at
    CHAT_PORT on the host the page was loaded from."""
    if settings.CHAT_URL:
        return settings.CHAT_URL
    host = urlsplit(f"//{request.get_host()}").hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    scheme = "wss" if request.is_secure() else "ws"
    return f"{scheme}://{host}:{settings.CHAT_PORT}/ws/chatt/"


def _with_socket(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Allow this page, and only it, to connect to the chat socket."""
    parts = urlsplit(socket_url(request))
    response._csp_update = {"connect-src": [f"{parts.scheme}://{parts.netloc}"]}
    return response


def _conversation(request: HttpRequest, pk: int) -> tuple[Conversation, Participant]:
    found = selectors.conversation_for(request.user, pk)
    if found is None:
        raise Http404
    return found


def _message(request: HttpRequest, pk: int) -> Message:
    if not is_row_id(pk):
        raise Http404
    message = Message.objects.select_related("conversation", "author").filter(pk=pk).first()
    if message is None or selectors.conversation_for(request.user, message.conversation_id) is None:
        raise Http404
    return message


@require_safe
def conversation_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.inbox(request.user)
    context = {"rows": rows, "socket_url": socket_url(request)}
    if request.headers.get("HX-Request"):
        return render(request, "chat/_inbox.html", context)
    return _with_socket(request, render(request, "chat/list.html", context))


def _detail_context(
    request: HttpRequest,
    conversation: Conversation,
    row: Participant,
    *,
    form: MessageForm | None = None,
) -> dict:
    search_form = SearchForm(request.GET or None)
    query = ""
    if search_form.is_bound and search_form.is_valid():
        query = search_form.cleaned_data["q"].strip()
    before = _int_param(request, "fore")
    around = _int_param(request, "kring")
    hits: list[Message] = []
    if query:
        hits = selectors.search(conversation.pk, query)
        page, older = [], False
    else:
        page, older = selectors.history(conversation.pk, before=before, around=around)
    shown = hits or page
    files = attachments_for("message", [message.pk for message in shown])
    for message in shown:
        message.files = files.get(message.pk, [])
    other = _other_in(request, conversation)
    return {
        "conversation": conversation,
        "participant": row,
        "title": selectors.title_of(conversation, other.member if other else None),
        "other": other.member if other else None,
        "messages_page": page,
        "older": older and page,
        "newest": not before and not around and not query,
        "hits": hits,
        "query": query,
        "search_form": search_form,
        "form": form or MessageForm(auto_id="chat-%s"),
        "socket_url": socket_url(request),
        # In a direct conversation: how far the other has read (for "Läst").
        "read_up_to": other.last_read_id if other else 0,
        "is_admin": row.role == Participant.Role.ADMIN,
    }


def _other_in(request: HttpRequest, conversation: Conversation) -> Participant | None:
    """The other member's row in a direct conversation (None in a group)."""
    if conversation.is_group:
        return None
    return selectors.others_in_direct(request.user, [conversation.pk]).get(conversation.pk)


def _refused_on_members_page(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    context = {"message": message, "back": reverse("chat:members", args=[pk])}
    return render(request, "chat/refused.html", context, status=400)


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if value.isdigit() and is_row_id(int(value)):
        return int(value)
    return None


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation, row = _conversation(request, pk)
    context = _detail_context(request, conversation, row)
    status = 400 if context["search_form"].errors else 200
    if context["newest"] and row.unread:
        # Seeing the newest messages is reading them.
        row = services.conversation_read(conversation=conversation, member=request.user)
        request.user.refresh_from_db(fields=["unread_chat"])
        context["participant"] = row
    return _with_socket(request, render(request, "chat/detail.html", context, status=status))


@require_POST
@_refusals
def send(request: HttpRequest, pk: int) -> HttpResponse:
    conversation, row = _conversation(request, pk)
    form = MessageForm(request.POST, request.FILES, auto_id="chat-%s")
    sent = form.is_valid() and form.attempt(
        lambda data: services.message_send(
            conversation=conversation,
            author=request.user,
            body=data["body"],
            confirmed=data["confirmed"],
            upload=data.get("file"),
        )
    )
    if not sent:
        status = 429 if form.has_error(NON_FIELD_ERRORS, "rate_limited") else 400
        context = _detail_context(request, conversation, row, form=form)
        return _with_socket(request, render(request, "chat/detail.html", context, status=status))
    return redirect(f"{conversation.get_absolute_url()}#meddelande-{sent.pk}")


@require_http_methods(["GET", "POST"])
@_refusals
def message_edit(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(request, pk)
    services.refuse_unless_own(message, request.user)
    if request.method != "POST":
        form = MessageForm(initial={"body": message.body}, edit=True)
        return render(request, "chat/message_form.html", {"message": message, "form": form})
    form = MessageForm(request.POST, edit=True)
    saved = form.is_valid() and form.attempt(
        lambda data: services.message_edit(
            message=message, editor=request.user, body=data["body"], confirmed=data["confirmed"]
        )
    )
    if not saved:
        context = {"message": message, "form": form}
        return render(request, "chat/message_form.html", context, status=400)
    messages.success(request, _("Your changes are saved."))
    return redirect(message.get_absolute_url())


@require_http_methods(["GET", "POST"])
@_refusals
def message_delete(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(request, pk)
    services.refuse_unless_own(message, request.user)
    if request.method != "POST":
        return render(request, "chat/message_delete.html", {"message": message})
    services.message_delete(message=message, member=request.user)
    messages.success(request, _("The message is deleted."))
    return redirect(message.get_absolute_url())


@require_POST
@_refusals
def direct(request: HttpRequest, member_id: int) -> HttpResponse:
    """Start (or go back to) a direct conversation with a member, from their profile."""
    other = Member.objects.active().filter(pk=member_id).first() if is_row_id(member_id) else None
    if other is None:
        raise Http404
    if other.pk == request.user.pk:
        raise PermissionDenied(_("Choose someone other than yourself."))
    conversation = services.conversation_direct(member=request.user, other=other)
    return redirect(conversation)


@require_http_methods(["GET", "POST"])
def create_group(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "chat/group_form.html", {"form": GroupForm()})
    form = GroupForm(request.POST)
    created = form.is_valid() and form.attempt(
        lambda data: services.conversation_create_group(creator=request.user, name=data["name"])
    )
    if not created:
        return render(request, "chat/group_form.html", {"form": form}, status=400)
    messages.success(request, _("The group chat is created. Now add its members."))
    return redirect("chat:members", created.pk)


@require_http_methods(["GET", "POST"])
@_refusals
def members(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is in the conversation; a group's administrators find and add members
    here and rename the group."""
    conversation, row = _conversation(request, pk)
    is_admin = row.role == Participant.Role.ADMIN and conversation.is_group
    rename_form = GroupForm(initial={"name": conversation.name})
    status = 200
    if request.method == "POST":
        rename_form = GroupForm(request.POST)
        renamed = rename_form.is_valid() and rename_form.attempt(
            lambda data: services.conversation_rename(
                conversation=conversation, actor=request.user, name=data["name"]
            )
        )
        if renamed:
            messages.success(request, _("The name is saved."))
            return redirect("chat:members", conversation.pk)
        status = 400
    search = MemberSearchForm(request.GET or None)
    candidates: list[Member] = []
    if is_admin and search.is_bound:
        if search.is_valid():
            candidates = selectors.member_candidates(conversation.pk, search.cleaned_data["namn"])
        else:
            status = 400
    other = _other_in(request, conversation)
    context = {
        "conversation": conversation,
        "title": selectors.title_of(conversation, other.member if other else None),
        "participants": selectors.participants(conversation.pk),
        "is_admin": is_admin,
        "search": search,
        "candidates": candidates,
        "rename_form": rename_form,
    }
    return render(request, "chat/members.html", context, status=status)


@require_POST
@_refusals
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    conversation, _row = _conversation(request, pk)
    value = request.POST.get("member", "")
    other = None
    if value.isdigit() and is_row_id(int(value)):
        other = Member.objects.filter(pk=int(value)).first()
    if other is None:
        return _refused_on_members_page(request, pk, _("There is no such member."))
    try:
        added = services.members_add(conversation=conversation, actor=request.user, members=[other])
    except ValidationError as refusal:
        return _refused_on_members_page(request, pk, " ".join(refusal.messages))
    if added:
        messages.success(request, _("%(name)s is added.") % {"name": other.name})
    return redirect("chat:members", conversation.pk)


@require_POST
@_refusals
def member_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    conversation, _row = _conversation(request, pk)
    other = Member.objects.filter(pk=member_id).first() if is_row_id(member_id) else None
    if other is None:
        raise Http404
    try:
        services.member_remove(conversation=conversation, actor=request.user, member=other)
    except ValidationError as refusal:
        return _refused_on_members_page(request, pk, " ".join(refusal.messages))
    if other.pk == request.user.pk:
        messages.success(request, _("You have left the group chat."))
        return redirect("chat:list")
    messages.success(request, _("%(name)s is no longer in the group chat.") % {"name": other.name})
    return redirect("chat:members", conversation.pk)
