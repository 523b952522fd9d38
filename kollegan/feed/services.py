"""Everything that changes posts, replies, likes and the feed; the pages and the
API call the same functions.

Refusals: ``ValidationError`` for bad input (by field, with a code),
``PermissionDenied`` for "not yours"/"not allowed", ``AlreadyLiked`` (a
ValidationError, answered with 409) and ``kollegan.lib.guard.ConfidentialityError``.

Other sections announce themselves in the feed through ``feed_announce_question``
and friends, inside their own transaction, so an entry exists exactly when
what it announces does."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member
from kollegan.audit.models import Action
from kollegan.audit.services import audit_log
from kollegan.feed import images
from kollegan.feed.models import (
    LINK_MAX,
    POST_MAX,
    REPLY_MAX,
    FeedEntry,
    FeedEntryTopic,
    Like,
    Post,
    Reply,
)
from kollegan.lib.guard import guard
from kollegan.lib.validation import clean_body, clean_topics, field_error
from kollegan.notifications.models import Target, Verb
from kollegan.notifications.services import announce
from kollegan.topics.models import Topic


class AlreadyLiked(ValidationError):
    """The member already likes the post (answered with 409 Conflict)."""


# --- The feed ----------------------------------------------------------------------------------


def _link_topics(entry: FeedEntry, topics: Iterable[Topic]) -> None:
    # The row, not a copy in memory, says whether the entry is hidden.
    entry.refresh_from_db(fields=["hidden", "created_at"])
    FeedEntryTopic.objects.filter(entry=entry).delete()
    FeedEntryTopic.objects.bulk_create(
        FeedEntryTopic(entry=entry, topic=topic, created_at=entry.created_at, hidden=entry.hidden)
        for topic in dict.fromkeys(topics)
    )


def _set_hidden(entry: FeedEntry | None, hidden: bool) -> None:
    if entry is None:
        return
    FeedEntry.objects.filter(pk=entry.pk).update(hidden=hidden)
    FeedEntryTopic.objects.filter(entry_id=entry.pk).update(hidden=hidden)


def feed_announce_question(*, question, topics: Iterable[Topic]) -> FeedEntry:
    """A new question in the feed; an anonymous one without an actor."""
    entry = FeedEntry.objects.create(
        kind=FeedEntry.Kind.QUESTION,
        question=question,
        actor=None if question.is_anonymous else question.author,
        created_at=question.created_at,
        hidden=question.is_hidden,
    )
    _link_topics(entry, topics)
    return entry


def feed_retopic(*, entry: FeedEntry | None, topics: Iterable[Topic]) -> None:
    if entry is not None:
        _link_topics(entry, topics)


def feed_announce_event(*, event) -> FeedEntry:
    """A new event for everyone (a group's events are not announced)."""
    entry = FeedEntry.objects.create(
        kind=FeedEntry.Kind.EVENT, event=event, actor=event.author, created_at=event.created_at
    )
    _link_topics(entry, event.topics.all())
    return entry


def feed_event_changed(*, event) -> None:
    """An event's topics or group changed: its entry follows (and goes, if the
    event became a group's)."""
    entry = FeedEntry.objects.filter(event=event).first()
    if event.group_id is not None:
        if entry is not None:
            entry.delete()
        return
    if entry is None:
        feed_announce_event(event=event)
    else:
        _link_topics(entry, event.topics.all())


def feed_announce_note(*, note, topics: Iterable[Topic]) -> FeedEntry:
    entry = FeedEntry.objects.create(
        kind=FeedEntry.Kind.NOTE, note=note, actor=note.author, created_at=note.created_at
    )
    _link_topics(entry, topics)
    return entry


def feed_retopic_note(*, note, topics: Iterable[Topic]) -> None:
    feed_retopic(entry=FeedEntry.objects.filter(note=note).first(), topics=topics)


def feed_hide(*, question=None, post=None, hidden: bool = True) -> None:
    """Keep the feed in step with a moderator hiding or restoring what it announces."""
    _set_hidden(FeedEntry.objects.filter(question=question, post=post).first(), hidden)


# --- Checking input ----------------------------------------------------------------------------


def _clean_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    if len(link) > LINK_MAX:
        message = _("The link can be at most %(max)d characters.") % {"max": LINK_MAX}
        raise field_error("link", message, "link_long")
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        message = _("Write a whole web address starting with https:// or http://.")
        raise field_error("link", message, "link_invalid") from None
    return link


def _refuse_if_hidden(*items) -> None:
    for item in items:
        if item is not None and item.is_hidden:
            raise PermissionDenied(_("This has been hidden by a moderator and cannot be changed."))


def _refuse_unless_author(member: Member, item) -> None:
    if item.author_id != member.pk:
        raise PermissionDenied(_("Only the one who wrote it can change it."))


def _refuse_unless_moderator(member: Member) -> None:
    if not member.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))


# --- Posts -------------------------------------------------------------------------------------


def post_create(
    *,
    author: Member,
    body: str,
    topics: Iterable[Topic] = (),
    link: str = "",
    image: UploadedFile | None = None,
    confirmed: bool = False,
) -> Post:
    """Publish a post and announce it in the feed. A picture is checked by its
    content and re-encoded (no EXIF or location) before anything is saved."""
    body = clean_body(body, limit=POST_MAX)
    link = _clean_link(link)
    topics = clean_topics(topics, required=False)
    guard(body, link, confirmed=confirmed)
    prepared = images.prepare_post_image(image) if image else None
    image_key = images.store_post_image(prepared) if prepared else ""
    try:
        with transaction.atomic():
            post = Post(author=author, link=link, image_key=image_key)
            post.set_body(body)
            post.save()
            post.topics.set(topics)
            entry = FeedEntry.objects.create(
                kind=FeedEntry.Kind.POST, post=post, actor=author, created_at=post.created_at
            )
            _link_topics(entry, topics)
            announce(
                verb=Verb.NEW_POST,
                target_type=Target.POST,
                target_id=post.pk,
                actor=author,
                topics=topics,
            )
    except BaseException:
        images.delete_post_image(image_key)
        raise
    return post


@transaction.atomic
def post_edit(
    *,
    post: Post,
    editor: Member,
    body: str,
    topics: Iterable[Topic],
    link: str = "",
    confirmed: bool = False,
) -> Post:
    _refuse_unless_author(editor, post)
    _refuse_if_hidden(post)
    body = clean_body(body, limit=POST_MAX)
    link = _clean_link(link)
    topics = clean_topics(topics, required=False)
    guard(body, link, confirmed=confirmed)
    if body != post.body or link != post.link:
        post.set_body(body)
        post.link = link
        post.edited_at = timezone.now()
        post.save(update_fields=["body", "body_html", "link", "edited_at"])
    post.topics.set(topics)
    feed_retopic(entry=FeedEntry.objects.filter(post=post).first(), topics=topics)
    return post


def post_delete(*, post: Post, member: Member) -> None:
    """The author removes their post, with its replies, likes and feed entry."""
    _refuse_unless_author(member, post)
    image_key = post.image_key
    with transaction.atomic():
        post.delete()
        transaction.on_commit(lambda: images.delete_post_image(image_key))


@transaction.atomic
def post_pin(*, post: Post, moderator: Member, pinned: bool = True) -> Post:
    """Pin a post as an announcement at the top of the start page, or unpin it."""
    _refuse_unless_moderator(moderator)
    if pinned:
        _refuse_if_hidden(post)
    if pinned == (post.pinned_at is not None):
        return post
    post.pinned_at = timezone.now() if pinned else None
    post.pinned_by = moderator if pinned else None
    post.save(update_fields=["pinned_at", "pinned_by"])
    audit_log(
        action=Action.POST_PINNED if pinned else Action.POST_UNPINNED,
        actor=moderator,
        subject=post.author,
        subject_label=f"{_('Post')}: {post.body[:80]}",
        detail={"kind": "post", "id": post.pk},
    )
    return post


# --- Replies -----------------------------------------------------------------------------------


@transaction.atomic
def reply_create(*, post: Post, author: Member, body: str, confirmed: bool = False) -> Reply:
    _refuse_if_hidden(post)
    body = clean_body(body, limit=REPLY_MAX)
    guard(body, confirmed=confirmed)
    reply = Reply(post=post, author=author)
    reply.set_body(body)
    reply.save()
    Post.objects.filter(pk=post.pk).update(reply_count=F("reply_count") + 1)
    announce(
        verb=Verb.NEW_REPLY,
        target_type=Target.POST,
        target_id=post.pk,
        item_id=reply.pk,
        actor=author,
    )
    return reply


@transaction.atomic
def reply_edit(*, reply: Reply, editor: Member, body: str, confirmed: bool = False) -> Reply:
    _refuse_unless_author(editor, reply)
    _refuse_if_hidden(reply.post, reply)
    body = clean_body(body, limit=REPLY_MAX)
    guard(body, confirmed=confirmed)
    if body != reply.body:
        reply.set_body(body)
        reply.edited_at = timezone.now()
        reply.save(update_fields=["body", "body_html", "edited_at"])
    return reply


@transaction.atomic
def reply_delete(*, reply: Reply, member: Member) -> None:
    _refuse_unless_author(member, reply)
    post_id = reply.post_id
    # Counted as visible by the row, not the copy in memory (a moderator may have
    # hidden it since the page was loaded).
    visible = Reply.objects.filter(pk=reply.pk, hidden_at__isnull=True).exists()
    reply.delete()
    if visible:
        Post.objects.filter(pk=post_id).update(reply_count=F("reply_count") - 1)


# --- Likes -------------------------------------------------------------------------------------


def post_like(*, post: Post, member: Member) -> Like:
    """One like per member and post: a second is refused, never stored twice."""
    _refuse_if_hidden(post)
    try:
        with transaction.atomic():
            like = Like.objects.create(post=post, member=member)
            Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
    except IntegrityError:
        raise AlreadyLiked(_("You already like this post."), code="already_liked") from None
    return like


@transaction.atomic
def post_unlike(*, post: Post, member: Member) -> bool:
    deleted, _rows = Like.objects.filter(post=post, member=member).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") - 1)
    return bool(deleted)


# --- Moderation --------------------------------------------------------------------------------


def _describe(item: Post | Reply) -> str:
    label = _("Post") if isinstance(item, Post) else _("Reply")
    return f"{label}: {item.body[:80]}"


@transaction.atomic
def content_hide(*, item: Post | Reply, moderator: Member, reason: str = "") -> Post | Reply:
    """A moderator hides a post (and its feed entry) or a reply."""
    _refuse_unless_moderator(moderator)
    reason = (reason or "").strip()[:500]
    if not item.mark_hidden(moderator=moderator, reason=reason):
        return item
    if isinstance(item, Post):
        feed_hide(post=item, hidden=True)
        Post.objects.filter(pk=item.pk).update(pinned_at=None, pinned_by=None)
        item.pinned_at = None
    else:
        Post.objects.filter(pk=item.post_id).update(reply_count=F("reply_count") - 1)
    audit_log(
        action=Action.CONTENT_HIDDEN,
        actor=moderator,
        subject=item.author,
        subject_label=_describe(item),
        detail={"kind": type(item).__name__.lower(), "id": item.pk, "reason": reason},
    )
    return item


@transaction.atomic
def content_restore(*, item: Post | Reply, moderator: Member) -> Post | Reply:
    _refuse_unless_moderator(moderator)
    if not item.mark_restored():
        return item
    if isinstance(item, Post):
        feed_hide(post=item, hidden=False)
    else:
        Post.objects.filter(pk=item.post_id).update(reply_count=F("reply_count") + 1)
    audit_log(
        action=Action.CONTENT_RESTORED,
        actor=moderator,
        subject=item.author,
        subject_label=_describe(item),
        detail={"kind": type(item).__name__.lower(), "id": item.pk},
    )
    return item
