"""Reading the start page: the feed by cursor, pinned announcements, one post.

The feed is paged by a cursor (the last entry's time and id), never by page
number: entries added while a member reads do not push anything onto the next
page, so nothing is shown twice or skipped. Every function costs a fixed number
of queries however large the feed is."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.feed.models import FeedEntry, FeedEntryTopic, Like, Post, Reply
from kollegan.lib.validation import is_row_id
from kollegan.topics.models import Topic

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FEED_PAGE_SIZE = 20
PINNED_LIMIT = 5
LIKERS_LIMIT = 500
# What the feed never shows of an event or a note (a series' calendar text can be long).
DEFERRED = (
    "event__description",
    "event__description_html",
    "event__ics",
    "note__body",
    "note__body_html",
    "note__event__description",
    "note__event__description_html",
    "note__event__ics",
    "note__occurrence__event__description",
    "note__occurrence__event__description_html",
    "note__occurrence__event__ics",
)


@dataclass(frozen=True)
class Cursor:
    """Where a page of the feed ends: entries strictly older come next."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        # Whole microseconds, exactly (a float timestamp can be off by one).
        micros = (self.created_at - EPOCH) // timedelta(microseconds=1)
        return f"{micros}-{self.id}"

    @classmethod
    def decode(cls, value: str, *, broken: str = "") -> "Cursor":
        """From the URL; anything else is a clear refusal (400), not a 500, saying
        ``broken`` (each list says where to start again)."""
        try:
            micros, pk = value.split("-")
            created_at = EPOCH + timedelta(microseconds=int(micros))
            cursor = cls(created_at=created_at, id=int(pk))
        except (ValueError, OverflowError, OSError):
            message = broken or _(
                "The link to more of the feed is broken. Start again from the top."
            )
            raise ValidationError(message, code="bad_cursor") from None
        if not is_row_id(cursor.id):
            message = broken or _("The link to more of the feed is broken.")
            raise ValidationError(message, code="bad_cursor")
        return cursor


@dataclass
class FeedPage:
    entries: list[FeedEntry]
    next_cursor: str  # "" when this is the end


def _older_than(cursor: Cursor, *, time: str, key: str) -> Q:
    return Q(**{f"{time}__lt": cursor.created_at}) | Q(
        **{time: cursor.created_at, f"{key}__lt": cursor.id}
    )


def _entries() -> QuerySet[FeedEntry]:
    topics = Prefetch(
        "topic_links",
        queryset=FeedEntryTopic.objects.select_related("topic").only(
            "entry_id", "topic__id", "topic__name", "topic__slug"
        ),
    )
    # Events and notes for everyone only (their services never announce a group's;
    # checked here too, since an event can be moved into a group in the admin).
    # Their long texts are not needed: the feed shows titles, times and links.
    return (
        FeedEntry.objects.filter(event__group__isnull=True, note__group__isnull=True)
        .filter(note__hidden_at__isnull=True)
        .select_related(
            "actor",
            "actor__organisation",
            "post",
            "question",
            "event",
            "event__organiser",
            "note",
            "note__event",
            "note__occurrence__event",
        )
        .defer(*DEFERRED)
        .prefetch_related(topics)
    )


def feed_page(
    viewer: Member, *, cursor: str = "", topic: str = "", size: int = FEED_PAGE_SIZE
) -> FeedPage:
    """One page of the feed, newest first: entries with their actor, target (a
    post, a question, an event with its organiser, or a note with its meeting)
    and topics, and which posts the viewer likes. Three queries (four with a
    topic)."""
    after = Cursor.decode(cursor) if cursor else None
    if topic:
        links = FeedEntryTopic.objects.filter(topic__slug=topic, hidden=False)
        if after:
            links = links.filter(_older_than(after, time="created_at", key="entry_id"))
        ids = list(
            links.order_by("-created_at", "-entry_id").values_list("entry_id", flat=True)[
                : size + 1
            ]
        )
        # The entry's own flag too: its topic links are a copy.
        by_id = {entry.pk: entry for entry in _entries().filter(pk__in=ids, hidden=False)}
        rows = [by_id[pk] for pk in ids if pk in by_id]
    else:
        queryset = _entries().filter(hidden=False)
        if after:
            queryset = queryset.filter(_older_than(after, time="created_at", key="id"))
        rows = list(queryset.order_by("-created_at", "-id")[: size + 1])
    entries = rows[:size]
    _mark_likes(viewer, [entry.post for entry in entries if entry.post_id])
    next_cursor = ""
    if len(rows) > size:
        last = entries[-1]
        next_cursor = Cursor(created_at=last.created_at, id=last.pk).encode()
    return FeedPage(entries=entries, next_cursor=next_cursor)


def _mark_likes(viewer: Member, posts: list[Post]) -> None:
    """``post.liked`` for the viewer, one query for all the posts."""
    liked = (
        set(
            Like.objects.filter(member=viewer, post__in=[p.pk for p in posts]).values_list(
                "post_id", flat=True
            )
        )
        if posts
        else set()
    )
    for post in posts:
        post.liked = post.pk in liked


def pinned_posts(viewer: Member) -> list[Post]:
    """Announcements moderators pinned, newest pin first."""
    posts = list(
        Post.objects.filter(pinned_at__isnull=False, hidden_at__isnull=True)
        .select_related("author", "author__organisation")
        .prefetch_related("topics")
        .order_by("-pinned_at")[:PINNED_LIMIT]
    )
    _mark_likes(viewer, posts)
    return posts


def post_for_page(pk: int, viewer: Member) -> Post | None:
    """A post for its own page: hidden ones only for moderators and the author."""
    post = (
        Post.objects.select_related("author", "author__organisation")
        .prefetch_related("topics")
        .filter(pk=pk)
        .first()
    )
    if post is None:
        return None
    if post.is_hidden and not (viewer.is_moderator or post.author_id == viewer.pk):
        return None
    _mark_likes(viewer, [post])
    return post


def post_replies(post: Post) -> list[Reply]:
    return list(
        Reply.objects.filter(post=post)
        .select_related("author", "author__organisation")
        .order_by("created_at", "id")
    )


def post_likers(post: Post, *, limit: int = LIKERS_LIMIT) -> list[Member]:
    """Who likes the post, by name (active members only)."""
    return list(
        Member.objects.active()
        .filter(pk__in=Like.objects.filter(post=post).values("member_id"))
        .select_related("organisation")
        .order_by("name")[:limit]
    )


def topics_for_filter() -> list[Topic]:
    return list(Topic.objects.filter(is_active=True).only("pk", "name", "slug"))
