"""/api/v1/notifications, /api/v1/subscriptions: the bell and the e-mail choices
for scripts.

The operations call the services the pages use. A notification keeps ids, not
text: its title and topics are read when it is listed, and one about something
the member may no longer see (hidden, deleted, in a group they left) is left out.
An anonymous writer is never named: the headline says "an anonymous answer".

The list is paged by a cursor, newest first: ``next_cursor`` goes back as
``cursor``. A page may hold fewer items than its size when some were left out;
the end is where ``next_cursor`` is null.

Refusals come back as JSON from the handlers in kollegan.api.api: django
ValidationError (422, by field), as for every other resource. A broken cursor
is 400: the request, not its data, is wrong."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kollegan.accounts.models import Member
from kollegan.events.api import RowId
from kollegan.lib.validation import field_error
from kollegan.notifications import selectors, services
from kollegan.notifications.models import Frequency, Kind
from kollegan.notifications.selectors import PAGE_SIZE, NotificationRow
from kollegan.questions.api import Out
from kollegan.topics.models import Topic

router = Router(tags=["notifications"])

MAX_READ_IDS = 1_000
MAX_TOPIC_CHOICES = 500


# --- What comes in ------------------------------------------------------------------------------


class NotificationPageParams(Schema):
    # No length limit on the cursor: a damaged one is a 400 with an explanation, not a 422.
    cursor: str = Field("", description="next_cursor from the page before; empty for the newest")
    unread: bool = Field(False, description="Only the unread ones")


class ReadIn(Schema):
    ids: list[RowId] | None = Field(
        None, max_length=MAX_READ_IDS, description="Notification ids; others' ids are ignored"
    )
    all: bool = Field(False, description="true marks every notification read (leave out ids)")


class TopicChoice(Schema):
    topic: str | None = Field(description="Topic slug; null for every topic")
    kind: str = Field(description=f"What about: {', '.join(Kind.values)}")
    frequency: str = Field(description=f"How often: {', '.join(Frequency.values)}")


class SubscriptionsIn(Schema):
    """Only what is sent changes; ``topics`` replaces the listed (topic, kind) pairs."""

    paused: bool | None = Field(None, description="true pauses all e-mail")
    digest_hour: int | None = Field(None, description="0–23, Swedish time")
    digest_weekday: int | None = Field(None, description="Weekly digest day, 0 Monday – 6 Sunday")
    mentions: str | None = Field(None, description="How often: when someone mentions me")
    own: str | None = Field(
        None, description="Answers to my questions, replies to my posts, changes to my documents"
    )
    following: str | None = Field(None, description="What I follow")
    my_topics: str | None = Field(None, description="New questions in my profile's topics")
    chat: str | None = Field(None, description="Chat messages while I am not in the chat")
    topics: list[TopicChoice] | None = Field(
        None,
        max_length=MAX_TOPIC_CHOICES,
        description='Each (topic, kind) listed is set; frequency "never" removes it',
    )


# --- What goes out ------------------------------------------------------------------------------


class Detail(Out):
    detail: str


class NotificationOut(Out):
    id: int
    verb: str = Field(description="new_question, new_answer, new_comment, new_post, …")
    reason: str = Field(description="topic, my_topics, follow, own, mention, catch_up or chat")
    headline: str = Field(description="What happened; an anonymous writer is never named")
    title: str
    url: str
    topics: list[str] = Field(description="Topic slugs")
    created_at: datetime
    read: bool


class NotificationPageOut(Out):
    items: list[NotificationOut]
    next_cursor: str | None = Field(description="Send as cursor for the next page; null at the end")


class ReadOut(Out):
    marked: int = Field(description="How many were unread and are now read")
    unread: int = Field(description="The bell's number after this")


class TopicChoiceOut(Out):
    topic: str | None = Field(description="Topic slug; null for every topic")
    kind: str
    frequency: str


class SubscriptionsOut(Out):
    paused: bool
    digest_hour: int
    digest_weekday: int
    mentions: str
    own: str
    following: str
    my_topics: str
    chat: str
    topics: list[TopicChoiceOut]


def _topic_slugs(names: set[str]) -> dict[str, str]:
    """The rows name their topics; scripts know them by slug: one query."""
    if not names:
        return {}
    return dict(Topic.objects.filter(name__in=names).values_list("name", "slug"))


def notification_out(row: NotificationRow, slugs: dict[str, str]) -> dict:
    return {
        "id": row.id,
        "verb": row.verb,
        "reason": row.reason,
        "headline": row.headline,
        "title": row.title,
        "url": f"{settings.SITE_URL}{row.path}",
        "topics": [slugs[name] for name in row.topics if name in slugs],
        "created_at": row.created_at,
        "read": not row.unread,
    }


def subscriptions_out(member: Member) -> dict:
    """Settings, subscriptions and their topics' slugs: three queries at most.
    Every topic first, then the topics in their usual order, each kind in its order."""
    row = services.settings_for(member)
    chosen = services.subscriptions_of(member)
    topic_ids = {pk for pk, _kind in chosen if pk is not None}
    slugs: dict[int | None, str | None] = {None: None}
    if topic_ids:
        slugs.update(Topic.objects.filter(pk__in=topic_ids).values_list("pk", "slug"))
    order = {pk: position for position, pk in enumerate(slugs)}
    pairs = sorted(
        (pair for pair in chosen if pair[0] in slugs),
        key=lambda pair: (order[pair[0]], Kind.values.index(pair[1])),
    )
    return {
        "paused": row.paused,
        "digest_hour": row.digest_hour,
        "digest_weekday": row.digest_weekday,
        **{name: getattr(row, name) for name in services.PERSONAL_FIELDS},
        "topics": [
            {
                "topic": slugs[pk],
                "kind": kind,
                "frequency": chosen[pk, kind],
            }
            for pk, kind in pairs
        ],
    }


# --- Turning the request into what the services take --------------------------------------------


def _personal(data: SubscriptionsIn) -> dict:
    """The settings sent; the service checks them, by field."""
    names = ("paused", "digest_hour", "digest_weekday", *services.PERSONAL_FIELDS)
    return {name: value for name in names if (value := getattr(data, name)) is not None}


def _topic_choices(choices: list[TopicChoice]) -> dict[tuple[int | None, str], str]:
    slugs = {choice.topic.strip() for choice in choices if choice.topic is not None}
    found = dict(Topic.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}
    unknown = sorted(slugs - found.keys())
    if unknown:
        message = _("Unknown topics: %(topics)s.") % {"topics": ", ".join(unknown)}
        raise field_error("topics", message, "unknown_topic")
    # Kinds and frequencies are the service's to check.
    result: dict[tuple[int | None, str], str] = {}
    for choice in choices:
        key = (found[choice.topic.strip()] if choice.topic is not None else None, choice.kind)
        if key in result and result[key] != choice.frequency:
            message = _("Each topic and kind can only be chosen once.")
            raise field_error("topics", message, "duplicate")
        result[key] = choice.frequency
    return result


# --- Operations ---------------------------------------------------------------------------------


@router.get(
    "/notifications",
    response={200: NotificationPageOut, 400: Detail},
    url_name="list_notifications",
    summary=f"The member's notifications, newest first, {PAGE_SIZE} a page",
)
def list_notifications(
    request: HttpRequest, params: Query[NotificationPageParams]
) -> dict | Status:
    try:
        page = selectors.notifications_page(
            request.auth, cursor=params.cursor.strip(), unread_only=params.unread
        )
    except ValidationError as error:
        if getattr(error, "code", None) != "bad_cursor":
            raise
        return Status(400, {"detail": " ".join(error.messages)})
    if page.gone_unread:
        # What can no longer be opened leaves the unread count, as on the page.
        services.notifications_read(member=request.auth, ids=page.gone_unread)
    slugs = _topic_slugs({name for row in page.rows for name in row.topics})
    return {
        "items": [notification_out(row, slugs) for row in page.rows],
        "next_cursor": page.next_cursor or None,
    }


@router.post(
    "/notifications/read",
    response=ReadOut,
    url_name="read_notifications",
    summary="Mark notifications read: the listed ones, or all",
    description='Send {"ids": [1, 2]} or {"all": true}, not both.',
)
def read_notifications(request: HttpRequest, data: ReadIn) -> dict:
    member = request.auth
    if (data.ids is None) == (not data.all):
        raise ValidationError(_("Send either ids or all: true."), code="ids_or_all")
    marked = services.notifications_read(member=member, ids=None if data.all else data.ids)
    return {"marked": marked, "unread": member.unread_notifications}


@router.get(
    "/subscriptions",
    response=SubscriptionsOut,
    url_name="get_subscriptions",
    summary="The member's e-mail choices",
    description="The defaults for a member who never changed them. topic null: every topic.",
)
def get_subscriptions(request: HttpRequest) -> dict:
    return subscriptions_out(request.auth)


@router.put(
    "/subscriptions",
    response=SubscriptionsOut,
    url_name="set_subscriptions",
    summary="Change the member's e-mail choices",
    description="Only the fields sent change. Everything is checked first: one refusal and "
    "nothing is saved.",
)
def set_subscriptions(request: HttpRequest, data: SubscriptionsIn) -> dict:
    member = request.auth
    changes = _personal(data)
    choices = _topic_choices(data.topics) if data.topics else {}
    # One refusal and nothing is saved: the settings roll back with the topics.
    with transaction.atomic():
        if changes:
            services.settings_save(member=member, **changes)
        if choices:
            services.subscriptions_set(member=member, choices=choices)
    return subscriptions_out(member)
