"""What a notification points at, read in bulk and checked when used.

Notifications keep ids, never copies of the text: the title shown in the bell
or an e-mail is read when it is shown, and an item that was hidden, deleted or
moved into a group the recipient is not in is simply left out."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from kollegan.notifications.models import Activity, Target, Verb


@dataclass
class Thread:
    type: str
    id: int
    title: str
    path: str
    group_id: int | None = None
    hidden: bool = False
    topics: list[str] = field(default_factory=list)
    # A chat: only its participants see it.
    conversation_id: int | None = None


def _topics(through, fk: str, ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = through.objects.filter(**{f"{fk}__in": ids}).values_list(fk, "topic__name")
    for pk, name in rows.order_by("topic__name"):
        names[pk].append(name)
    return names


def _sources() -> list[tuple[str, type, str, str, str]]:
    """Per thread type: its model, the field that titles it, the field that limits
    who sees it ("hidden_at" or "group_id") and its page."""
    from kollegan.documents.models import Document
    from kollegan.events.models import Event
    from kollegan.feed.models import Post
    from kollegan.notes.models import Note
    from kollegan.questions.models import Question

    return [
        (Target.QUESTION, Question, "title", "hidden_at", "questions:detail"),
        (Target.POST, Post, "author__name", "hidden_at", "feed:post"),
        (Target.EVENT, Event, "title", "group_id", "events:detail"),
        (Target.NOTE, Note, "title", "group_id", "notes:detail"),
        (Target.DOCUMENT, Document, "title", "hidden_at", "documents:detail"),
    ]


def threads(refs: set[tuple[str, int]]) -> dict[tuple[str, int], Thread]:
    """(type, id) -> Thread for each that still exists; two queries per type."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for kind, pk in refs:
        wanted[kind].append(pk)
    found: dict[tuple[str, int], Thread] = {}
    if ids := wanted.get(Target.CONVERSATION):
        from kollegan.chat.models import Conversation

        for pk, name in Conversation.objects.filter(pk__in=ids).values_list("pk", "name"):
            path = reverse("chat:detail", args=[pk])
            title = name or _("Direct messages")
            found[Target.CONVERSATION, pk] = Thread(
                Target.CONVERSATION, pk, title, path, conversation_id=pk
            )
    for kind, model, title_field, limit_field, url_name in _sources():
        if not (ids := wanted.get(kind)):
            continue
        topics = _topics(model.topics.through, f"{model._meta.model_name}_id", ids)
        rows = model.objects.filter(pk__in=ids).values_list("pk", title_field, limit_field)
        for pk, title, limit in rows:
            if kind == Target.POST:
                title = _("A post by %(name)s") % {"name": title or _("a former member")}
            found[kind, pk] = Thread(
                kind,
                pk,
                title,
                reverse(url_name, args=[pk]),
                group_id=limit if limit_field == "group_id" else None,
                hidden=limit_field == "hidden_at" and limit is not None,
                topics=topics.get(pk, []),
            )
    return found


ITEM_ANCHORS = {
    Verb.NEW_ANSWER: "svar",
    Verb.NEW_COMMENT: "kommentar",
    Verb.NEW_REPLY: "svar",
    Verb.NEW_DOCUMENT_COMMENT: "kommentar",
}


def hidden_items(activities: list[Activity]) -> set[tuple[str, int]]:
    """(verb, item id) of answers, comments and replies that are hidden or gone."""
    from kollegan.documents.models import DocumentComment, DocumentVersion
    from kollegan.feed.models import Reply
    from kollegan.questions.models import Answer, Comment

    wanted: dict[str, set[int]] = defaultdict(set)
    for activity in activities:
        if activity.item_id is not None:
            wanted[activity.verb].add(activity.item_id)
    shown: set[tuple[str, int]] = set()
    if ids := wanted.get(Verb.NEW_ANSWER):
        for pk in Answer.objects.filter(pk__in=ids, hidden_at__isnull=True).values_list(
            "pk", flat=True
        ):
            shown.add((Verb.NEW_ANSWER, pk))
    if ids := wanted.get(Verb.NEW_COMMENT):
        rows = Comment.objects.filter(pk__in=ids, hidden_at__isnull=True).exclude(
            answer__hidden_at__isnull=False
        )
        for pk in rows.values_list("pk", flat=True):
            shown.add((Verb.NEW_COMMENT, pk))
    if ids := wanted.get(Verb.NEW_REPLY):
        for pk in Reply.objects.filter(pk__in=ids, hidden_at__isnull=True).values_list(
            "pk", flat=True
        ):
            shown.add((Verb.NEW_REPLY, pk))
    if ids := wanted.get(Verb.NEW_DOCUMENT_COMMENT):
        rows = DocumentComment.objects.filter(pk__in=ids, hidden_at__isnull=True)
        for pk in rows.values_list("pk", flat=True):
            shown.add((Verb.NEW_DOCUMENT_COMMENT, pk))
    if ids := wanted.get(Verb.NEW_MESSAGE):
        from kollegan.chat.models import Message

        for pk in Message.objects.filter(pk__in=ids, deleted_at__isnull=True).values_list(
            "pk", flat=True
        ):
            shown.add((Verb.NEW_MESSAGE, pk))
    if ids := wanted.get(Verb.NEW_VERSION):
        for pk in DocumentVersion.objects.filter(pk__in=ids).values_list("pk", flat=True):
            shown.add((Verb.NEW_VERSION, pk))
    return {(verb, pk) for verb, ids in wanted.items() for pk in ids} - shown


def path_of(activity: Activity, thread: Thread) -> str:
    if activity.verb == Verb.NEW_MESSAGE and activity.item_id:
        return f"{thread.path}?kring={activity.item_id}#meddelande-{activity.item_id}"
    anchor = ITEM_ANCHORS.get(activity.verb)
    if anchor and activity.item_id:
        return f"{thread.path}#{anchor}-{activity.item_id}"
    return thread.path


def visible(
    activity: Activity,
    threads_found: dict[tuple[str, int], Thread],
    hidden: set[tuple[str, int]],
    group_ids: set[int],
    conversation_ids: set[int] = frozenset(),
) -> Thread | None:
    """The activity's thread if the member may still see it, else None."""
    thread = threads_found.get((activity.target_type, activity.target_id))
    if thread is None or thread.hidden:
        return None
    if thread.conversation_id is not None and thread.conversation_id not in conversation_ids:
        return None
    if thread.group_id is not None and thread.group_id not in group_ids:
        return None
    if activity.item_id is not None and (activity.verb, activity.item_id) in hidden:
        return None
    return thread


def headline(activity: Activity) -> str:
    """What happened, in one line; an anonymous writer is never named."""
    name = activity.actor.name if activity.actor_id and activity.actor else ""
    named = {
        Verb.NEW_QUESTION: _("%(name)s asked a new question"),
        Verb.NEW_ANSWER: _("%(name)s answered the question"),
        Verb.NEW_COMMENT: _("%(name)s commented on the question"),
        Verb.NEW_POST: _("%(name)s wrote a post"),
        Verb.NEW_REPLY: _("%(name)s replied to the post"),
        Verb.NEW_EVENT: _("%(name)s added an event"),
        Verb.NEW_NOTE: _("%(name)s wrote meeting notes"),
        Verb.NEW_DOCUMENT: _("%(name)s shared a new document"),
        Verb.NEW_VERSION: _("%(name)s saved a new version of the document"),
        Verb.NEW_DOCUMENT_COMMENT: _("%(name)s commented on the document"),
        Verb.NEW_MESSAGE: _("%(name)s wrote to you in the chat"),
    }
    unnamed = {
        Verb.NEW_QUESTION: _("A new question was asked anonymously"),
        Verb.NEW_ANSWER: _("An anonymous answer to the question"),
        Verb.NEW_COMMENT: _("An anonymous comment on the question"),
        Verb.NEW_POST: _("A new post"),
        Verb.NEW_REPLY: _("A new reply to the post"),
        Verb.NEW_EVENT: _("A new event"),
        Verb.EVENT_CHANGED: _("The event has changed"),
        Verb.EVENT_CANCELLED: _("The event is cancelled"),
        Verb.NEW_NOTE: _("New meeting notes"),
        Verb.NEW_DOCUMENT: _("A new document"),
        Verb.NEW_VERSION: _("A new version of the document"),
        Verb.NEW_DOCUMENT_COMMENT: _("A new comment on the document"),
        Verb.NEW_MESSAGE: _("A new message in the chat"),
    }
    if name and activity.verb in named:
        return named[activity.verb] % {"name": name}
    return unnamed[activity.verb]
