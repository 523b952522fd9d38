"""/api/v1/posts and /api/v1/feed: the start page for scripts.

The operations call the services and selectors the pages use, so the rules are
the same: the confidentiality guard, hidden posts, one like per member. The feed
says who did what, except for an anonymous question: its entry has no actor and
no organisation (both null), and nothing in it points at the asker. Events and
meeting notes are in it only when they are for everyone, never a group's.

Posts and the feed are paged by a cursor, never by page number: ``next_cursor``
goes back as ``fore``, and posts written meanwhile appear only at the top of a
fresh first page, so nothing is shown twice or skipped.

Refusals come back as JSON from the handlers in kollegan.api.api: the guard's
findings (422), django ValidationError (422, by field), PermissionDenied (403),
AlreadyLiked (409). A broken cursor is 400: the request, not its data, is wrong."""

from datetime import datetime
from functools import cache

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kollegan.accounts.models import Member
from kollegan.feed import selectors, services
from kollegan.feed.models import FeedEntry, FeedEntryTopic, Like, Post, Reply
from kollegan.feed.selectors import FEED_PAGE_SIZE, Cursor
from kollegan.lib.html import url_maker
from kollegan.questions.api import MAX_TOPIC_SLUGS, Out, Ref, TopicOut
from kollegan.questions.services import topics_from_slugs
from kollegan.topics.models import Topic

router = Router(tags=["posts"])

CONFIRM_DESCRIPTION = (
    "Set after a 422 with needs_confirmation: the phone numbers, addresses or e-mail "
    "addresses found are not a client's. Never allows an identity number."
)


# --- What comes in ------------------------------------------------------------------------------


class PageParams(Schema):
    # No length limit on the cursor: a damaged one is a 400 with an explanation, not a 422.
    fore: str = Field("", description="next_cursor from the page before; empty for the newest")
    cursor: str = Field("", description="The same as fore")
    amne: str = Field("", max_length=80, description="Topic slug, e.g. barn-och-unga")
    topic: str = Field("", max_length=80, description="The same as amne")

    @property
    def after(self) -> str:
        return (self.fore or self.cursor).strip()

    @property
    def topic_slug(self) -> str:
        return (self.amne or self.topic).strip()


class ReplyIn(Schema):
    # No max_length here: the service checks lengths and says so in the member's language.
    body: str = Field(description="Markdown")
    confirm_identifying_details: bool = Field(False, description=CONFIRM_DESCRIPTION)


class PostIn(ReplyIn):
    topics: list[str] = Field(
        default_factory=list, max_length=MAX_TOPIC_SLUGS, description="Topic slugs; may be empty"
    )
    link: str = Field("", description="A web address starting with https:// or http://")


# --- What goes out ------------------------------------------------------------------------------


class Detail(Out):
    detail: str


class PostOut(Out):
    id: int
    body: str
    body_html: str
    author: Ref
    organisation: Ref | None
    topics: list[TopicOut]
    link: str
    image_url: str | None = Field(description="null without a picture")
    created_at: datetime
    edited_at: datetime | None
    reply_count: int
    like_count: int
    liked: bool = Field(description="Whether the caller likes the post")
    pinned: bool = Field(description="A moderator pinned it as an announcement")
    url: str


class PostPageOut(Out):
    items: list[PostOut]
    next_cursor: str | None = Field(description="Send as fore for the next page; null at the end")


class ReplyOut(Out):
    id: int
    body: str | None = Field(description="Markdown; null when hidden by a moderator")
    body_html: str | None
    author: Ref
    organisation: Ref | None
    created_at: datetime
    edited_at: datetime | None
    hidden: bool
    url: str


class PostDetailOut(PostOut):
    hidden: bool = Field(description="Hidden by a moderator: only they and the author see it")
    replies: list[ReplyOut]


class LikeOut(Out):
    like_count: int
    liked: bool


class PostSummary(Out):
    id: int
    body: str
    body_html: str
    link: str
    image_url: str | None
    edited_at: datetime | None
    reply_count: int
    like_count: int
    liked: bool
    pinned: bool


class QuestionRef(Out):
    id: int
    title: str
    answer_count: int
    anonymous: bool


class EventRef(Out):
    id: int
    title: str
    start: datetime = Field(description="The first date's start, Swedish time with its offset")
    end: datetime
    url: str
    cancelled: bool


class NoteRef(Out):
    id: int
    title: str
    url: str
    occurrence_id: int | None = Field(description="The meeting's date; null for a free note")


class FeedItemOut(Out):
    kind: str = Field(description="post, question, event or note")
    id: int = Field(description="The feed entry's id (not the id of what it announces)")
    created_at: datetime
    actor: Ref | None = Field(description="null for an anonymous question")
    organisation: Ref | None = Field(description="null for an anonymous question")
    topics: list[TopicOut]
    url: str
    post: PostSummary | None = Field(description="Set when kind is post")
    question: QuestionRef | None = Field(description="Set when kind is question")
    # Left out of posts and questions, whose items keep the shape they had.
    event: EventRef | None = Field(
        None, description="An event for everyone; only in items whose kind is event"
    )
    note: NoteRef | None = Field(
        None, description="Meeting notes for everyone; only in items whose kind is note"
    )


class FeedOut(Out):
    items: list[FeedItemOut]
    next_cursor: str | None = Field(description="Send as fore for the next page; null at the end")


# --- Building responses (no queries: everything is attached by the selectors) --------------------


@cache
def _post_url():
    # Made on first use: this module is imported while the URLconf is loading.
    return url_maker("feed:post")


@cache
def _question_url():
    return url_maker("questions:detail")


@cache
def _event_url():
    return url_maker("events:detail")


@cache
def _note_url():
    return url_maker("notes:detail")


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _topic(topic: Topic) -> dict:
    return {"slug": topic.slug, "name": topic.name}


def _post_fields(post: Post, liked: bool) -> dict:
    return {
        "id": post.pk,
        "body": post.body,
        "body_html": str(post.html),
        "link": post.link,
        "image_url": post.image_url() or None,
        "edited_at": post.edited_at,
        "reply_count": post.reply_count,
        "like_count": post.like_count,
        "liked": liked,
        "pinned": post.pinned_at is not None,
    }


def post_out(post: Post, liked: bool) -> dict:
    """A post as lists show it; author, organisation and topics must be attached."""
    return {
        **_post_fields(post, liked),
        "author": _ref(post.author),
        "organisation": _ref(post.author.organisation),
        "topics": [_topic(topic) for topic in post.topics.all()],
        "created_at": post.created_at,
        "url": _post_url()(post.pk),
    }


def _reply_out(reply: Reply, viewer: Member) -> dict:
    # Moderators read hidden texts to decide whether to restore them; others see the gap.
    shown = not reply.is_hidden or viewer.is_moderator
    return {
        "id": reply.pk,
        "body": reply.body if shown else None,
        "body_html": str(reply.html) if shown else None,
        "author": _ref(reply.author),
        "organisation": _ref(reply.author.organisation),
        "created_at": reply.created_at,
        "edited_at": reply.edited_at,
        "hidden": reply.is_hidden,
        "url": f"{_post_url()(reply.post_id)}#svar-{reply.pk}",
    }


def post_detail_out(post: Post, viewer: Member) -> dict:
    """The post and its replies, from ``selectors.post_for_page``: two queries more."""
    return {
        **post_out(post, liked=post.liked),
        "hidden": post.is_hidden,
        "replies": [_reply_out(reply, viewer) for reply in selectors.post_replies(post)],
    }


def _entry_out(entry: FeedEntry) -> dict:
    question = entry.question if entry.question_id else None
    # The entry of an anonymous question has no actor; checked again here because a
    # name in the feed could never be taken back.
    actor = None if question is not None and question.is_anonymous else entry.actor
    # Sorted here: the selector fetches only the topics' names and slugs.
    links = sorted(entry.topic_links.all(), key=lambda link: link.topic.name)
    item = {
        "kind": entry.kind,
        "id": entry.pk,
        "created_at": entry.created_at,
        "actor": _ref(actor),
        "organisation": _ref(actor.organisation) if actor is not None else None,
        "topics": [_topic(link.topic) for link in links],
        "post": None,
        "question": None,
    }
    if entry.post_id:
        item["post"] = _post_fields(entry.post, liked=entry.post.liked)
        item["url"] = _post_url()(entry.post_id)
    elif question is not None:
        item["question"] = {
            "id": question.pk,
            "title": question.title,
            "answer_count": question.answer_count,
            "anonymous": question.is_anonymous,
        }
        item["url"] = _question_url()(question.pk)
    elif entry.event_id:
        event = entry.event
        item["url"] = _event_url()(event.pk)
        item["event"] = {
            "id": event.pk,
            "title": event.title,
            "start": timezone.localtime(event.start),
            "end": timezone.localtime(event.end),
            "url": item["url"],
            "cancelled": event.cancelled_at is not None,
        }
    else:
        note = entry.note
        item["url"] = _note_url()(note.pk)
        item["note"] = {
            "id": note.pk,
            "title": note.title,
            "url": item["url"],
            "occurrence_id": note.occurrence_id,
        }
    return item


# --- Reading ------------------------------------------------------------------------------------


def _bad_cursor(error: ValidationError) -> Status:
    if getattr(error, "code", None) != "bad_cursor":
        raise error
    return Status(400, {"detail": " ".join(error.messages)})


def _older_than(cursor: Cursor, *, key: str) -> Q:
    return Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, **{key: cursor.id})


def _liked_ids(viewer: Member, posts: list[Post]) -> set[int]:
    if not posts:
        return set()
    return set(
        Like.objects.filter(member=viewer, post__in=[post.pk for post in posts]).values_list(
            "post_id", flat=True
        )
    )


def newest_posts(
    viewer: Member, *, cursor: str = "", topic: str = "", size: int = FEED_PAGE_SIZE
) -> tuple[list[Post], str]:
    """One page of posts, newest first, read through the feed's indexes (its entries
    share the posts' times) with the same cursor. Three queries, with or without a
    topic: the page with writers, their topics, which of them the viewer likes."""
    after = Cursor.decode(cursor) if cursor else None
    rows: QuerySet
    if topic:
        rows = FeedEntryTopic.objects.filter(
            topic__slug=topic, hidden=False, entry__kind=FeedEntry.Kind.POST
        )
        if after:
            rows = rows.filter(_older_than(after, key="entry_id__lt"))
        rows = rows.order_by("-created_at", "-entry_id").select_related(
            "entry__post__author__organisation"
        )
        found = [(row.created_at, row.entry_id, row.entry.post) for row in rows[: size + 1]]
    else:
        rows = FeedEntry.objects.filter(kind=FeedEntry.Kind.POST, hidden=False)
        if after:
            rows = rows.filter(_older_than(after, key="id__lt"))
        rows = rows.order_by("-created_at", "-id").select_related("post__author__organisation")
        found = [(row.created_at, row.pk, row.post) for row in rows[: size + 1]]
    page = found[:size]
    posts = [post for _time, _id, post in page]
    prefetch_related_objects(
        posts, Prefetch("topics", queryset=Topic.objects.only("pk", "name", "slug", "position"))
    )
    liked = _liked_ids(viewer, posts)
    for post in posts:
        post.liked = post.pk in liked
    next_cursor = ""
    if len(found) > size:
        created_at, entry_id, _post = page[-1]
        next_cursor = Cursor(created_at=created_at, id=entry_id).encode()
    return posts, next_cursor


def _post_for(member: Member, post_id: int) -> Post:
    """The post, or 404 when it does not exist or is hidden from this member."""
    post = selectors.post_for_page(post_id, member)
    if post is None:
        raise Http404
    return post


def _like_state(post: Post, liked: bool) -> dict:
    count = Post.objects.filter(pk=post.pk).values_list("like_count", flat=True).first()
    return {"like_count": count or 0, "liked": liked}


# --- Operations ---------------------------------------------------------------------------------


@router.get(
    "/posts",
    response={200: PostPageOut, 400: Detail},
    url_name="list_posts",
    summary="The newest posts, 20 a page",
)
def list_posts(request: HttpRequest, params: Query[PageParams]) -> dict | Status:
    member = request.auth
    try:
        posts, next_cursor = newest_posts(member, cursor=params.after, topic=params.topic_slug)
    except ValidationError as error:
        return _bad_cursor(error)
    return {
        "items": [post_out(post, liked=post.liked) for post in posts],
        "next_cursor": next_cursor or None,
    }


@router.post(
    "/posts",
    response={201: PostDetailOut},
    url_name="create_post",
    summary="Write a post",
    description="Publishes a post on the start page and in the feed. Pictures are added "
    "in the form on the start page: the API does not upload files.",
)
def create_post(request: HttpRequest, data: PostIn) -> Status:
    member = request.auth
    post = services.post_create(
        author=member,
        body=data.body,
        topics=topics_from_slugs(data.topics),
        link=data.link,
        confirmed=data.confirm_identifying_details,
    )
    return Status(201, post_detail_out(_post_for(member, post.pk), member))


@router.get(
    "/posts/{int:post_id}",
    response=PostDetailOut,
    url_name="get_post",
    summary="One post with its replies",
)
def get_post(request: HttpRequest, post_id: int) -> dict:
    member = request.auth
    return post_detail_out(_post_for(member, post_id), member)


@router.post(
    "/posts/{int:post_id}/replies",
    response={201: ReplyOut},
    url_name="create_reply",
    summary="Reply to a post",
)
def create_reply(request: HttpRequest, post_id: int, data: ReplyIn) -> Status:
    member = request.auth
    reply = services.reply_create(
        post=_post_for(member, post_id),
        author=member,
        body=data.body,
        confirmed=data.confirm_identifying_details,
    )
    return Status(201, _reply_out(reply, member))


@router.post(
    "/posts/{int:post_id}/like",
    response={201: LikeOut, 409: Detail},
    url_name="like_post",
    summary="Like a post",
    description="Once per member and post: liking again is 409.",
)
def like_post(request: HttpRequest, post_id: int) -> Status:
    member = request.auth
    post = _post_for(member, post_id)
    services.post_like(post=post, member=member)
    return Status(201, _like_state(post, liked=True))


@router.delete(
    "/posts/{int:post_id}/like",
    response=LikeOut,
    url_name="unlike_post",
    summary="Stop liking a post",
    description="Also 200 when the caller did not like it.",
)
def unlike_post(request: HttpRequest, post_id: int) -> dict:
    member = request.auth
    post = _post_for(member, post_id)
    services.post_unlike(post=post, member=member)
    return _like_state(post, liked=False)


@router.get(
    "/feed",
    response={200: FeedOut, 400: Detail},
    url_name="get_feed",
    summary="The feed on the start page: posts, questions, events and meeting notes, newest first",
    description="Events and meeting notes for everyone appear here; a group's never do. An "
    "item has post and question (null unless its kind), and an event or note only when that "
    "is its kind.",
    # Items of posts and questions keep the shape they had before events and notes.
    exclude_unset=True,
)
def get_feed(request: HttpRequest, params: Query[PageParams]) -> dict | Status:
    try:
        page = selectors.feed_page(request.auth, cursor=params.after, topic=params.topic_slug)
    except ValidationError as error:
        return _bad_cursor(error)
    return {
        "items": [_entry_out(entry) for entry in page.entries],
        "next_cursor": page.next_cursor or None,
    }
