"""The start page's services and selectors: posts, replies, likes, pins,
moderation, the feed entries other sections write, and paging the feed by cursor.

The feed's invariants are checked on the rows: an entry exists exactly when
what it announces does, it is hidden exactly when that is, its topic links
follow both, and walking the feed by cursor yields every visible entry once."""

import contextlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import ExifTags, Image

from kollegan.accounts.models import Member
from kollegan.audit.models import Action, AuditEntry
from kollegan.feed import images, selectors, services
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
from kollegan.feed.selectors import Cursor, feed_page
from kollegan.feed.services import AlreadyLiked
from kollegan.lib.guard import ConfidentialityError
from kollegan.questions import services as question_services
from kollegan.questions.models import Question
from kollegan.topics.models import Topic
from tests.conftest import make_member

BODY = "Vi har startat en ny föräldragrupp i Lycksele. Välkomna att höra av er!"
# Skatteverket's test number: a valid personal identity number, always refused.
PERSONAL_NUMBER = "121212-1212"
PHONE = "070-123 45 67"
SLUGS = ["barn-och-unga", "vald", "heder", "missbruk-och-beroende", "psykisk-halsa", "ovrigt"]


# --- Helpers ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def topics(*slugs: str) -> list[Topic]:
    found = {topic.slug: topic for topic in Topic.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs]


def post(member: Member, body: str = BODY, **fields) -> Post:
    return services.post_create(author=member, body=body, **fields)


def ask(member: Member, *, slugs: tuple[str, ...] = ("barn-och-unga",), **fields) -> Question:
    fields.setdefault("title", "Hur gör ni med orosanmälningar på helger?")
    fields.setdefault("body", "Vi har svårt att nå socialjouren.")
    return question_services.question_create(author=member, topics=topics(*slugs), **fields)


def link_topics(entry: FeedEntry) -> set[str]:
    return set(FeedEntryTopic.objects.filter(entry=entry).values_list("topic__slug", flat=True))


def nothing_saved(root: Path) -> None:
    assert not Post.objects.exists()
    assert not FeedEntry.objects.exists()
    assert not FeedEntryTopic.objects.exists()
    assert stored_files(root) == []


def codes(error: ValidationError, field: str) -> list[str]:
    return [e.code for e in error.error_dict[field]]


def png_bytes(size: tuple[int, int] = (300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telefon AB"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (64.0, 35.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (18.0, 40.0, 10.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=b"fake icc", comment=b"Hemma i Lycksele")
    return out.getvalue()


def upload(data: bytes, name: str = "bild.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- post_create ------------------------------------------------------------------------------


def test_post_create_publishes_post_and_feed_entry(alice):
    created = post(
        alice,
        body="  **Ny grupp** i Lycksele  ",
        topics=topics("barn-och-unga", "vald"),
        link="https://socialstyrelsen.se/stod",
    )

    created.refresh_from_db()
    assert created.author == alice
    assert created.body == "**Ny grupp** i Lycksele"
    assert "<strong>Ny grupp</strong>" in created.body_html
    assert created.link == "https://socialstyrelsen.se/stod"
    assert created.image_key == ""
    assert set(created.topics.values_list("slug", flat=True)) == {"barn-och-unga", "vald"}
    entry = FeedEntry.objects.get()
    assert (entry.kind, entry.post, entry.question, entry.actor) == ("post", created, None, alice)
    assert entry.created_at == created.created_at
    assert entry.hidden is False
    assert link_topics(entry) == {"barn-och-unga", "vald"}
    assert set(FeedEntryTopic.objects.values_list("created_at", flat=True)) == {entry.created_at}


def test_post_body_of_exactly_the_limit_is_accepted(alice):
    assert len(post(alice, body="x" * POST_MAX).body) == POST_MAX


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "body_empty"), ("   \n\t ", "body_empty"), ("x" * (POST_MAX + 1), "body_long")],
)
def test_post_body_refused(alice, media_root, body, code):
    with pytest.raises(ValidationError) as caught:
        post(alice, body=body, image=upload(png_bytes(), "a.png", "image/png"))

    assert codes(caught.value, "body") == [code]
    nothing_saved(media_root)


@pytest.mark.parametrize(
    ("link", "code"),
    [
        ("javascript:alert(1)", "link_invalid"),
        ("JavaScript://example.se/%0Aalert(1)", "link_invalid"),
        ("ftp://example.se/fil", "link_invalid"),
        ("data:text/html,hej", "link_invalid"),
        ("www.socialstyrelsen.se", "link_invalid"),
        ("https://", "link_invalid"),
        ("https://example.se/" + "a" * LINK_MAX, "link_long"),
    ],
)
def test_post_link_refused(alice, media_root, link, code):
    with pytest.raises(ValidationError) as caught:
        post(alice, link=link, image=upload(png_bytes(), "a.png", "image/png"))

    assert codes(caught.value, "link") == [code]
    nothing_saved(media_root)


@pytest.mark.parametrize("link", ["http://example.se", "https://example.se/a?b=c#d"])
def test_post_link_accepted(alice, link):
    assert post(alice, link=f"  {link} ").link == link


def test_post_more_than_five_topics_refused(alice, media_root):
    with pytest.raises(ValidationError) as caught:
        post(alice, topics=topics(*SLUGS), image=upload(png_bytes(), "a.png", "image/png"))

    assert codes(caught.value, "topics") == ["too_many_topics"]
    nothing_saved(media_root)


def test_post_topics_counted_once(alice):
    chosen = topics(*SLUGS[:5])

    created = post(alice, topics=chosen + chosen)

    assert created.topics.count() == 5
    assert FeedEntryTopic.objects.count() == 5


def test_post_retired_topic_refused(alice, media_root):
    Topic.objects.filter(slug="heder").update(is_active=False)

    with pytest.raises(ValidationError) as caught:
        post(alice, topics=topics("vald", "heder"), image=upload(png_bytes(), "a.png", "image/png"))

    assert codes(caught.value, "topics") == ["retired_topic"]
    nothing_saved(media_root)


@pytest.mark.parametrize("confirmed", [False, True])
@pytest.mark.parametrize(
    "fields",
    [
        {"body": f"Barnet har nummer {PERSONAL_NUMBER}."},
        {"link": f"https://example.se/?pnr={PERSONAL_NUMBER}"},
    ],
)
def test_post_personal_number_refused_even_confirmed(alice, media_root, fields, confirmed):
    with pytest.raises(ConfidentialityError):
        post(alice, confirmed=confirmed, image=upload(png_bytes(), "a.png", "image/png"), **fields)

    nothing_saved(media_root)


def test_post_phone_number_needs_confirmation(alice, media_root):
    body = f"Ring mig på {PHONE}."

    with pytest.raises(ConfidentialityError):
        post(alice, body=body, image=upload(png_bytes(), "a.png", "image/png"))
    nothing_saved(media_root)

    created = post(alice, body=body, confirmed=True)
    assert created.body == body


# --- Pictures ---------------------------------------------------------------------------------


def test_post_with_png_stores_a_jpeg_under_a_random_name(alice, media_root):
    created = post(alice, image=upload(png_bytes(), "semester.png", "image/png"))

    assert len(created.image_key) >= 20
    assert "semester" not in created.image_key
    assert stored_files(media_root) == [f"posts/{created.image_key}.jpg"]
    with Image.open(media_root / "posts" / f"{created.image_key}.jpg") as stored:
        assert stored.format == "JPEG"
        assert stored.mode == "RGB"
        assert stored.size == (300, 200)
    Post.objects.get(pk=created.pk)


def test_post_picture_loses_exif_gps_and_comments(alice, media_root):
    data = jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:  # the test's picture does carry them
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert original.info.get("comment")

    created = post(alice, image=upload(data))

    raw = (media_root / images.image_name(created.image_key)).read_bytes()
    with Image.open(io.BytesIO(raw)) as stored:
        assert not stored.getexif()
        assert "exif" not in stored.info
        assert "icc_profile" not in stored.info
        assert "comment" not in stored.info
    for trace in (b"Exif", b"Telefon AB", b"Hemma i Lycksele", b"fake icc"):
        assert trace not in raw


def test_large_picture_is_scaled_down(alice, media_root):
    created = post(alice, image=upload(png_bytes((3200, 800)), "bred.png", "image/png"))

    with Image.open(media_root / images.image_name(created.image_key)) as stored:
        assert stored.size == (images.MAX_SIDE, 400)


def test_large_camera_jpeg_keeps_the_full_post_size(alice, media_root):
    """JPEGs are decoded at reduced size to save memory; never below MAX_SIDE."""
    out = io.BytesIO()
    Image.new("RGB", (4400, 4400), (10, 120, 40)).save(out, "JPEG")

    created = post(alice, image=upload(out.getvalue()))

    with Image.open(media_root / images.image_name(created.image_key)) as stored:
        assert stored.size == (images.MAX_SIDE, images.MAX_SIDE)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4 inte en bild", "bild.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "bild.svg"),
        (b"", "tom.jpg"),
        (png_bytes()[:60], "trasig.png"),
    ],
)
def test_non_image_refused_and_nothing_stored(alice, media_root, data, name):
    with pytest.raises(ValidationError) as caught:
        post(alice, image=upload(data, name))

    assert list(caught.value.error_dict) == ["image"]
    nothing_saved(media_root)


def test_too_large_file_refused(alice, media_root, settings):
    settings.PROFILE_PHOTO_MAX_BYTES = 100

    with pytest.raises(ValidationError) as caught:
        post(alice, image=upload(png_bytes(), "a.png", "image/png"))

    assert codes(caught.value, "image") == ["too_large"]
    nothing_saved(media_root)


def test_failure_after_storing_removes_the_picture(alice, media_root, monkeypatch):
    def broken(entry, topics):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_link_topics", broken)

    with pytest.raises(RuntimeError):
        post(alice, topics=topics("vald"), image=upload(png_bytes(), "a.png", "image/png"))

    nothing_saved(media_root)


# --- post_edit --------------------------------------------------------------------------------


def test_author_edits_post_and_its_topics(alice):
    created = post(alice, topics=topics("barn-och-unga", "vald"))
    entry = created.feed_entry

    services.post_edit(
        post=created,
        editor=alice,
        body="*Ändrat*",
        topics=topics("vald", "heder"),
        link="https://example.se",
    )

    created.refresh_from_db()
    assert created.body == "*Ändrat*"
    assert "<em>Ändrat</em>" in created.body_html
    assert created.link == "https://example.se"
    assert created.edited_at is not None
    assert set(created.topics.values_list("slug", flat=True)) == {"vald", "heder"}
    assert link_topics(entry) == {"vald", "heder"}
    assert set(FeedEntryTopic.objects.values_list("created_at", "hidden")) == {
        (entry.created_at, False)
    }
    assert [e.pk for e in feed_page(alice, topic="heder").entries] == [entry.pk]
    assert feed_page(alice, topic="barn-och-unga").entries == []


def test_edit_with_same_text_is_not_marked_edited(alice):
    created = post(alice, topics=topics("vald"))

    services.post_edit(post=created, editor=alice, body=BODY, topics=topics("heder"))

    created.refresh_from_db()
    assert created.edited_at is None
    assert link_topics(created.feed_entry) == {"heder"}


@pytest.mark.parametrize("editor", ["bob", "carol", "admin_member"])
def test_only_the_author_edits(request, alice, editor):
    created = post(alice, topics=topics("vald"))

    with pytest.raises(PermissionDenied):
        services.post_edit(
            post=created, editor=request.getfixturevalue(editor), body="Kapat", topics=[]
        )

    created.refresh_from_db()
    assert created.body == BODY
    assert link_topics(created.feed_entry) == {"vald"}


def test_hidden_post_cannot_be_edited(alice, carol):
    created = post(alice)
    services.content_hide(item=created, moderator=carol, reason="Olämpligt")

    with pytest.raises(PermissionDenied):
        services.post_edit(post=created, editor=alice, body="Nytt", topics=[])

    assert Post.objects.get().body == BODY


def test_edit_refusals_change_nothing(alice):
    created = post(alice, topics=topics("vald"))

    with pytest.raises(ValidationError):
        services.post_edit(post=created, editor=alice, body=" ", topics=topics("heder"))
    with pytest.raises(ValidationError):
        services.post_edit(
            post=created, editor=alice, body="Ok", link="javascript:alert(1)", topics=[]
        )
    with pytest.raises(ConfidentialityError):
        services.post_edit(
            post=created, editor=alice, body=f"Nr {PERSONAL_NUMBER}", confirmed=True, topics=[]
        )

    stored = Post.objects.get()
    assert (stored.body, stored.link, stored.edited_at) == (BODY, "", None)
    assert link_topics(created.feed_entry) == {"vald"}


# --- post_delete ------------------------------------------------------------------------------


def test_author_deletes_post_with_replies_likes_entry_and_picture(
    alice, bob, media_root, django_capture_on_commit_callbacks
):
    created = post(alice, topics=topics("vald"), image=upload(png_bytes(), "a.png", "image/png"))
    services.reply_create(post=created, author=bob, body="Bra!")
    services.post_like(post=created, member=bob)
    other = post(bob, body="Ett annat inlägg", topics=topics("vald"))
    services.reply_create(post=other, author=alice, body="Kvar")
    services.post_like(post=other, member=alice)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.post_delete(post=created, member=alice)
        # The picture goes only once the deletion is committed.
        assert stored_files(media_root) == [images.image_name(created.image_key)]

    assert len(callbacks) == 1
    assert stored_files(media_root) == []
    assert list(Post.objects.all()) == [other]
    assert list(Reply.objects.values_list("body", flat=True)) == ["Kvar"]
    assert list(Like.objects.values_list("post_id", flat=True)) == [other.pk]
    assert list(FeedEntry.objects.values_list("post_id", flat=True)) == [other.pk]
    assert set(FeedEntryTopic.objects.values_list("entry__post_id", flat=True)) == {other.pk}


@pytest.mark.parametrize("member", ["bob", "carol"])
def test_only_the_author_deletes(request, alice, media_root, member):
    created = post(alice, image=upload(png_bytes(), "a.png", "image/png"))

    with pytest.raises(PermissionDenied):
        services.post_delete(post=created, member=request.getfixturevalue(member))

    assert Post.objects.filter(pk=created.pk).exists()
    assert FeedEntry.objects.filter(post=created).exists()
    assert stored_files(media_root) == [images.image_name(created.image_key)]


# --- Replies ----------------------------------------------------------------------------------


def test_reply_create_edit_delete_keep_the_count(alice, bob):
    created = post(alice)

    reply = services.reply_create(post=created, author=bob, body=" **Tack** ")
    second = services.reply_create(post=created, author=alice, body="Varsågod")

    assert reply.body == "**Tack**"
    assert "<strong>Tack</strong>" in reply.body_html
    assert Post.objects.get().reply_count == 2
    assert list(selectors.post_replies(created)) == [reply, second]

    services.reply_edit(reply=reply, editor=bob, body="Tack så mycket")
    reply.refresh_from_db()
    assert reply.body == "Tack så mycket"
    assert reply.edited_at is not None

    services.reply_delete(reply=reply, member=bob)
    assert list(Reply.objects.all()) == [second]
    assert Post.objects.get().reply_count == 1


@pytest.mark.parametrize(
    ("body", "code"), [("", "body_empty"), ("x" * (REPLY_MAX + 1), "body_long")]
)
def test_reply_body_refused(alice, bob, body, code):
    created = post(alice)

    with pytest.raises(ValidationError) as caught:
        services.reply_create(post=created, author=bob, body=body)

    assert codes(caught.value, "body") == [code]
    assert not Reply.objects.exists()
    assert Post.objects.get().reply_count == 0


def test_reply_guard(alice, bob):
    created = post(alice)

    with pytest.raises(ConfidentialityError):
        services.reply_create(post=created, author=bob, body=PERSONAL_NUMBER, confirmed=True)
    with pytest.raises(ConfidentialityError):
        services.reply_create(post=created, author=bob, body=f"Ring {PHONE}")
    services.reply_create(post=created, author=bob, body=f"Ring {PHONE}", confirmed=True)

    assert Reply.objects.count() == 1
    assert Post.objects.get().reply_count == 1


def test_reply_to_hidden_post_refused(alice, bob, carol):
    created = post(alice)
    services.content_hide(item=created, moderator=carol)

    with pytest.raises(PermissionDenied):
        services.reply_create(post=created, author=bob, body="Hallå?")

    assert not Reply.objects.exists()
    assert Post.objects.get().reply_count == 0


@pytest.mark.parametrize("member", ["alice", "carol"])
def test_only_the_writer_edits_or_deletes_a_reply(request, alice, bob, member):
    reply = services.reply_create(post=post(alice), author=bob, body="Mitt svar")
    other = request.getfixturevalue(member)

    with pytest.raises(PermissionDenied):
        services.reply_edit(reply=reply, editor=other, body="Ändrat")
    with pytest.raises(PermissionDenied):
        services.reply_delete(reply=reply, member=other)

    assert Reply.objects.get().body == "Mitt svar"
    assert Post.objects.get().reply_count == 1


def test_hidden_reply_or_reply_on_hidden_post_cannot_be_edited(alice, bob, carol):
    created = post(alice)
    hidden = services.reply_create(post=created, author=bob, body="Ett")
    services.content_hide(item=hidden, moderator=carol)
    with pytest.raises(PermissionDenied):
        services.reply_edit(reply=hidden, editor=bob, body="Ändrat")

    visible = services.reply_create(post=created, author=bob, body="Två")
    services.content_hide(item=created, moderator=carol)
    visible = Reply.objects.select_related("post").get(pk=visible.pk)
    with pytest.raises(PermissionDenied):
        services.reply_edit(reply=visible, editor=bob, body="Ändrat")

    assert set(Reply.objects.values_list("body", flat=True)) == {"Ett", "Två"}


def test_deleting_a_hidden_reply_does_not_count_it_twice(alice, bob, carol):
    created = post(alice)
    reply = services.reply_create(post=created, author=bob, body="Ett")
    services.reply_create(post=created, author=bob, body="Två")
    services.content_hide(item=reply, moderator=carol)
    assert Post.objects.get().reply_count == 1

    services.reply_delete(reply=Reply.objects.get(pk=reply.pk), member=bob)

    assert Post.objects.get().reply_count == 1


def test_deleting_a_reply_through_a_stale_copy_after_hiding(alice, bob, carol):
    """The author's page loaded the reply before a moderator hid it."""
    created = post(alice)
    stale = services.reply_create(post=created, author=bob, body="Ett")
    services.reply_create(post=created, author=bob, body="Två")
    services.content_hide(item=Reply.objects.get(pk=stale.pk), moderator=carol)

    services.reply_delete(reply=stale, member=bob)

    assert Post.objects.get().reply_count == 1


# --- Likes ------------------------------------------------------------------------------------


def test_like_once_count_and_unlike(alice, bob, carol):
    created = post(alice)

    like = services.post_like(post=created, member=bob)
    assert (like.post, like.member) == (created, bob)
    with pytest.raises(AlreadyLiked) as caught:
        services.post_like(post=created, member=bob)
    assert isinstance(caught.value, ValidationError)
    assert caught.value.code == "already_liked"
    services.post_like(post=created, member=carol)

    assert Like.objects.filter(post=created, member=bob).count() == 1
    assert Post.objects.get().like_count == 2 == Like.objects.count()

    assert services.post_unlike(post=created, member=bob) is True
    assert services.post_unlike(post=created, member=bob) is False
    assert Post.objects.get().like_count == 1 == Like.objects.count()
    assert list(Like.objects.values_list("member_id", flat=True)) == [carol.pk]


def test_like_on_hidden_post_refused(alice, bob, carol):
    created = post(alice)
    services.content_hide(item=created, moderator=carol)

    with pytest.raises(PermissionDenied):
        services.post_like(post=created, member=bob)

    assert not Like.objects.exists()
    assert Post.objects.get().like_count == 0


# --- Pinning ----------------------------------------------------------------------------------


def test_moderator_pins_and_unpins_with_audit_entries(alice, carol):
    created = post(alice)

    services.post_pin(post=created, moderator=carol)
    services.post_pin(post=created, moderator=carol)  # already pinned: nothing new

    created.refresh_from_db()
    assert created.pinned_at is not None
    assert created.pinned_by == carol
    entry = AuditEntry.objects.get()
    assert entry.action == Action.POST_PINNED
    assert (entry.actor, entry.subject) == (carol, alice)
    assert entry.detail == {"kind": "post", "id": created.pk}
    assert BODY[:20] in entry.subject_label

    services.post_pin(post=created, moderator=carol, pinned=False)
    services.post_pin(post=created, moderator=carol, pinned=False)

    created.refresh_from_db()
    assert (created.pinned_at, created.pinned_by) == (None, None)
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.POST_PINNED,
        Action.POST_UNPINNED,
    ]


def test_administrator_may_pin(alice, admin_member):
    services.post_pin(post=post(alice), moderator=admin_member)

    assert Post.objects.get().pinned_by == admin_member


@pytest.mark.parametrize("member", ["alice", "bob"])
def test_members_cannot_pin(request, alice, member):
    created = post(alice)

    with pytest.raises(PermissionDenied):
        services.post_pin(post=created, moderator=request.getfixturevalue(member))

    assert Post.objects.get().pinned_at is None
    assert not AuditEntry.objects.exists()


def test_pinning_a_hidden_post_refused_and_hiding_unpins(alice, carol):
    pinned = post(alice)
    services.post_pin(post=pinned, moderator=carol)
    services.content_hide(item=pinned, moderator=carol)

    assert Post.objects.get().pinned_at is None
    assert selectors.pinned_posts(carol) == []
    with pytest.raises(PermissionDenied):
        services.post_pin(post=pinned, moderator=carol)
    assert Post.objects.get().pinned_at is None


# --- Moderation -------------------------------------------------------------------------------


def test_hiding_and_restoring_a_post_under_stale_copies(alice, carol, admin_member):
    created = post(alice, topics=topics("vald", "heder"))
    entry = created.feed_entry
    stale = Post.objects.get(pk=created.pk)

    services.content_hide(item=created, moderator=carol, reason="  Kränkande  ")
    services.content_hide(item=stale, moderator=admin_member, reason="Dubbelklick")

    stored = Post.objects.get()
    assert stored.hidden_at is not None
    assert (stored.hidden_by, stored.hidden_reason) == (carol, "Kränkande")
    entry.refresh_from_db()
    assert entry.hidden is True
    assert set(FeedEntryTopic.objects.values_list("hidden", flat=True)) == {True}
    hidden = AuditEntry.objects.get()
    assert hidden.action == Action.CONTENT_HIDDEN
    assert (hidden.actor, hidden.subject) == (carol, alice)
    assert hidden.detail == {"kind": "post", "id": created.pk, "reason": "Kränkande"}

    stale = Post.objects.get(pk=created.pk)
    services.content_restore(item=created, moderator=carol)
    services.content_restore(item=stale, moderator=admin_member)

    stored = Post.objects.get()
    assert (stored.hidden_at, stored.hidden_by, stored.hidden_reason) == (None, None, "")
    entry.refresh_from_db()
    assert entry.hidden is False
    assert set(FeedEntryTopic.objects.values_list("hidden", flat=True)) == {False}
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "actor")) == [
        (Action.CONTENT_HIDDEN, carol.pk),
        (Action.CONTENT_RESTORED, carol.pk),
    ]


def test_hiding_and_restoring_a_reply_counts_once(alice, bob, carol):
    created = post(alice)
    reply = services.reply_create(post=created, author=bob, body="Svar")
    services.reply_create(post=created, author=alice, body="Svar två")
    stale = Reply.objects.get(pk=reply.pk)

    services.content_hide(item=reply, moderator=carol, reason="Fel tråd")
    services.content_hide(item=stale, moderator=carol)

    assert Post.objects.get().reply_count == 1
    assert Reply.objects.get(pk=reply.pk).hidden_by == carol
    assert FeedEntry.objects.get().hidden is False  # the post itself stays
    assert AuditEntry.objects.get().detail == {
        "kind": "reply",
        "id": reply.pk,
        "reason": "Fel tråd",
    }

    stale = Reply.objects.get(pk=reply.pk)
    services.content_restore(item=reply, moderator=carol)
    services.content_restore(item=stale, moderator=carol)

    assert Post.objects.get().reply_count == 2
    assert Reply.objects.get(pk=reply.pk).hidden_at is None
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.CONTENT_HIDDEN,
        Action.CONTENT_RESTORED,
    ]


@pytest.mark.parametrize("member", ["alice", "bob"])
def test_members_cannot_hide_or_restore(request, alice, bob, carol, member):
    created = post(alice)
    reply = services.reply_create(post=created, author=bob, body="Svar")
    actor = request.getfixturevalue(member)

    for item in (created, reply):
        with pytest.raises(PermissionDenied):
            services.content_hide(item=item, moderator=actor)
    assert not Post.objects.filter(hidden_at__isnull=False).exists()
    assert not Reply.objects.filter(hidden_at__isnull=False).exists()

    services.content_hide(item=created, moderator=carol)
    with pytest.raises(PermissionDenied):
        services.content_restore(item=Post.objects.get(), moderator=actor)
    assert Post.objects.get().is_hidden


# --- Questions in the feed --------------------------------------------------------------------


def test_question_create_announces_it_in_the_feed(alice):
    question = ask(alice, slugs=("vald", "heder"))

    entry = FeedEntry.objects.get()
    assert (entry.kind, entry.question, entry.post, entry.actor) == (
        "question",
        question,
        None,
        alice,
    )
    assert entry.created_at == question.created_at
    assert link_topics(entry) == {"vald", "heder"}


def test_anonymous_question_in_the_feed_has_no_actor(alice, bob):
    question = ask(alice, anonymous=True)

    row = FeedEntry.objects.filter(question=question).values().get()
    assert row["actor_id"] is None
    assert alice.pk not in {v for k, v in row.items() if k.endswith("_id") and k != "question_id"}
    [shown] = feed_page(bob).entries
    assert shown.actor is None
    assert shown.question.author_id is None
    assert shown.question.organisation_id is None


def test_question_edit_updates_topic_links(alice):
    question = ask(alice, slugs=("vald",))

    question_services.question_edit(
        question=question,
        editor=alice,
        title=question.title,
        body=question.body,
        topics=topics("heder", "ovrigt"),
    )

    assert link_topics(FeedEntry.objects.get()) == {"heder", "ovrigt"}
    assert feed_page(alice, topic="vald").entries == []
    assert len(feed_page(alice, topic="heder").entries) == 1


def test_hiding_a_question_hides_its_entry(alice, bob, carol):
    question = ask(alice, slugs=("vald",))

    question_services.content_hide(item=question, moderator=carol)

    entry = FeedEntry.objects.get()
    assert entry.hidden is True
    assert set(FeedEntryTopic.objects.values_list("hidden", flat=True)) == {True}
    assert feed_page(bob).entries == []
    assert feed_page(bob, topic="vald").entries == []

    question_services.content_restore(item=question, moderator=carol)

    assert FeedEntry.objects.get().hidden is False
    assert len(feed_page(bob, topic="vald").entries) == 1


def test_question_edited_through_a_stale_copy_stays_out_of_the_topic_feed(alice, bob, carol):
    """The asker's edit form was loaded before a moderator hid the question."""
    stale = ask(alice, slugs=("vald",))
    question_services.content_hide(item=Question.objects.get(pk=stale.pk), moderator=carol)

    with contextlib.suppress(PermissionDenied):  # refusing the edit is fine too
        question_services.question_edit(
            question=stale,
            editor=alice,
            title=stale.title,
            body=stale.body,
            topics=topics("vald", "heder"),
        )

    assert feed_page(bob, topic="vald").entries == []
    assert feed_page(bob, topic="heder").entries == []
    assert not FeedEntryTopic.objects.filter(hidden=False).exists()


# --- The feed: ordering and paging ------------------------------------------------------------


def make_feed(alice: Member, bob: Member, count: int, *, slugs=("vald",)) -> list[FeedEntry]:
    """``count`` entries, posts and questions by turns; newest last."""
    for index in range(count):
        if index % 3 == 2:
            ask(bob, slugs=slugs, title=f"Fråga nummer {index}")
        else:
            post(alice, body=f"Inlägg nummer {index}", topics=topics(*slugs))
    return list(FeedEntry.objects.order_by("pk"))


def walk(viewer: Member, *, size: int, topic: str = "") -> list[int]:
    seen: list[int] = []
    cursor = ""
    for _page in range(1000):
        page = feed_page(viewer, cursor=cursor, topic=topic, size=size)
        assert len(page.entries) <= size
        seen += [entry.pk for entry in page.entries]
        if not page.next_cursor:
            return seen
        assert len(page.entries) == size
        cursor = page.next_cursor
    raise AssertionError("the cursor never reached the end")


def test_feed_is_newest_first_across_posts_and_questions(alice, bob):
    entries = make_feed(alice, bob, 6)

    page = feed_page(bob)

    assert [e.pk for e in page.entries] == [e.pk for e in reversed(entries)]
    assert [e.kind for e in page.entries] == [
        "question",
        "post",
        "post",
        "question",
        "post",
        "post",
    ]
    assert page.entries[0].question.title == "Fråga nummer 5"
    assert page.entries[1].post.body == "Inlägg nummer 4"
    assert page.next_cursor == ""


def test_feed_page_respects_explicit_times(alice, bob):
    entries = make_feed(alice, bob, 4)
    now = timezone.now()
    # Created in one order, dated in another: the dates decide.
    for minutes, entry in zip((1, 30, 5, 20), entries, strict=True):
        when = now - timedelta(minutes=minutes)
        FeedEntry.objects.filter(pk=entry.pk).update(created_at=when)
        FeedEntryTopic.objects.filter(entry=entry).update(created_at=when)

    expected = [entries[i].pk for i in (0, 2, 3, 1)]
    assert [e.pk for e in feed_page(bob).entries] == expected
    assert walk(bob, size=1) == expected
    assert walk(bob, size=1, topic="vald") == expected


@pytest.mark.parametrize("size", [1, 3, 7, 20, 25])
def test_walking_the_feed_yields_every_entry_once_in_order(alice, bob, size):
    entries = make_feed(alice, bob, 20)
    expected = [e.pk for e in reversed(entries)]

    assert walk(bob, size=size) == expected
    assert walk(bob, size=size, topic="vald") == expected


def test_new_entries_while_reading_do_not_shift_the_next_page(alice, bob):
    entries = make_feed(alice, bob, 10)
    expected = [e.pk for e in reversed(entries)]
    first = feed_page(bob, size=4)

    for index in range(3):
        post(alice, body=f"Nytt inlägg {index}", topics=topics("vald"))
        ask(bob, slugs=("vald",), title=f"Ny fråga nummer {index}")
    new = set(FeedEntry.objects.exclude(pk__in=expected).values_list("pk", flat=True))
    assert len(new) == 6

    second = feed_page(bob, cursor=first.next_cursor, size=4)
    rest = walk_from(bob, second.next_cursor, size=4)

    assert [e.pk for e in first.entries] == expected[:4]
    assert [e.pk for e in second.entries] == expected[4:8]
    assert rest == expected[8:]
    assert not new & {e.pk for e in second.entries}
    fresh = feed_page(bob, size=6)
    assert {e.pk for e in fresh.entries} == new
    assert walk(bob, size=4) == [e.pk for e in fresh.entries] + expected


def test_new_entries_while_reading_a_topic(alice, bob):
    entries = make_feed(alice, bob, 10)
    expected = [e.pk for e in reversed(entries)]
    first = feed_page(bob, size=4, topic="vald")

    post(alice, body="Nytt", topics=topics("vald"))
    ask(bob, slugs=("vald",), title="Ny fråga här")

    second = feed_page(bob, cursor=first.next_cursor, size=4, topic="vald")
    assert [e.pk for e in first.entries] == expected[:4]
    assert [e.pk for e in second.entries] == expected[4:8]


def walk_from(viewer: Member, cursor: str, *, size: int, topic: str = "") -> list[int]:
    seen: list[int] = []
    while cursor:
        page = feed_page(viewer, cursor=cursor, size=size, topic=topic)
        seen += [e.pk for e in page.entries]
        cursor = page.next_cursor
    return seen


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_equal_times_page_by_id(alice, bob, size):
    entries = make_feed(alice, bob, 9)
    same = timezone.now() - timedelta(hours=1)
    # Six share one moment; the three newest stay apart.
    for entry in entries[:6]:
        FeedEntry.objects.filter(pk=entry.pk).update(created_at=same)
        FeedEntryTopic.objects.filter(entry=entry).update(created_at=same)
    expected = [e.pk for e in reversed(entries)]

    assert walk(bob, size=size) == expected
    assert walk(bob, size=size, topic="vald") == expected


def test_all_entries_at_the_same_moment(alice, bob):
    entries = make_feed(alice, bob, 7)
    same = timezone.now()
    FeedEntry.objects.update(created_at=same)
    FeedEntryTopic.objects.update(created_at=same)

    assert walk(bob, size=2) == sorted((e.pk for e in entries), reverse=True)
    assert walk(bob, size=2, topic="vald") == sorted((e.pk for e in entries), reverse=True)


def test_topic_filter(alice, bob):
    in_topic = post(alice, body="Om våld", topics=topics("vald", "heder"))
    post(alice, body="Om missbruk", topics=topics("missbruk-och-beroende"))
    question = ask(bob, slugs=("heder",))
    post(alice, body="Utan ämne")

    assert [e.post for e in feed_page(bob, topic="vald").entries] == [in_topic]
    heder = feed_page(bob, topic="heder").entries
    assert [(e.question, e.post) for e in heder] == [(question, None), (None, in_topic)]
    assert feed_page(bob, topic="finns-inte").entries == []
    assert len(feed_page(bob).entries) == 4


def test_topic_filter_pages_only_through_its_topic(alice, bob):
    make_feed(alice, bob, 9, slugs=("vald",))
    make_feed(alice, bob, 9, slugs=("heder",))
    vald = list(
        FeedEntryTopic.objects.filter(topic__slug="vald")
        .order_by("-entry_id")
        .values_list("entry_id", flat=True)
    )

    assert len(vald) == 9
    assert walk(bob, size=4, topic="vald") == vald
    assert walk(bob, size=4) == sorted(FeedEntry.objects.values_list("pk", flat=True), reverse=True)


def test_hidden_entries_are_left_out(alice, bob, carol):
    entries = make_feed(alice, bob, 9)
    hidden_post = Post.objects.get(pk=entries[3].post_id)
    hidden_question = Question.objects.get(pk=entries[5].question_id)
    services.content_hide(item=hidden_post, moderator=carol)
    question_services.content_hide(item=hidden_question, moderator=carol)
    expected = [e.pk for e in reversed(entries) if e.pk not in {entries[3].pk, entries[5].pk}]

    for size in (1, 2, 4, 20):
        assert walk(bob, size=size) == expected
        assert walk(bob, size=size, topic="vald") == expected
    # Moderators and authors see hidden posts on the post's own page, not in the feed.
    assert walk(carol, size=3) == expected
    assert walk(alice, size=3) == expected


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "12",
        "-5-3",
        "99999999999999999999999-1",
        "1-0",
        "1--1",
        "1-2-3",
        "-",
        "1.5-2",
        "1-x",
        "1e5-2",
        "1-99999999999999999999999",
        "\x00-1",
        "١٢-3x",
    ],
)
def test_broken_cursor_is_a_validation_error(alice, bob, cursor):
    make_feed(alice, bob, 3)

    for topic in ("", "vald"):
        with pytest.raises(ValidationError) as caught:
            feed_page(bob, cursor=cursor, topic=topic)
        assert caught.value.code == "bad_cursor"


@pytest.mark.parametrize("cursor", ["abc", "12", "-5-3", "99999999999999999999999-1"])
def test_cursor_decode_refuses(cursor):
    with pytest.raises(ValidationError) as caught:
        Cursor.decode(cursor)

    assert caught.value.code == "bad_cursor"


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2025, 3, 30, 1, 59, 59, 999_999, tzinfo=UTC),
        datetime(2025, 7, 1, 12, 30, 0, 1, tzinfo=ZoneInfo("Europe/Stockholm")),
        # The hour that happens twice when summer time ends: compared by instant.
        datetime(2025, 10, 26, 2, 30, 0, 1, fold=1, tzinfo=ZoneInfo("Europe/Stockholm")),
        datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(2999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ],
)
def test_cursor_round_trips_to_the_microsecond(moment):
    cursor = Cursor(created_at=moment, id=4711)

    decoded = Cursor.decode(cursor.encode())

    assert decoded.id == cursor.id
    assert decoded.created_at.timestamp() == moment.timestamp()
    assert decoded.created_at - moment == timedelta(0)
    assert decoded.created_at.microsecond == moment.astimezone(UTC).microsecond
    assert decoded.encode() == cursor.encode()


def test_cursor_of_a_stored_entry_round_trips(alice):
    post(alice)
    entry = FeedEntry.objects.get()

    cursor = Cursor.decode(Cursor(created_at=entry.created_at, id=entry.pk).encode())

    assert cursor.created_at == entry.created_at
    assert FeedEntry.objects.filter(created_at=cursor.created_at, pk=cursor.id).exists()


def test_next_cursor_is_the_last_entry_shown(alice, bob):
    entries = make_feed(alice, bob, 5)

    page = feed_page(bob, size=2)

    last = entries[3]
    assert Cursor.decode(page.next_cursor) == Cursor(created_at=last.created_at, id=last.pk)


# --- The feed: queries --------------------------------------------------------------------------


def count_queries(viewer: Member, **kwargs) -> int:
    with CaptureQueriesContext(connection) as context:
        page = feed_page(viewer, **kwargs)
        # What the start page reads from every entry.
        for entry in page.entries:
            _ = entry.actor and entry.actor.organisation.name
            _ = entry.post and (entry.post.body_html, entry.post.liked)
            _ = entry.question and entry.question.title
            _ = [link.topic.name for link in entry.topic_links.all()]
    return len(context.captured_queries)


@pytest.mark.parametrize("topic", ["", "vald"])
def test_feed_page_costs_the_same_for_5_or_60_entries(alice, bob, topic, django_assert_num_queries):
    make_feed(alice, bob, 5, slugs=("vald", "heder"))
    few = count_queries(bob, topic=topic)
    make_feed(alice, bob, 55, slugs=("vald", "heder"))
    services.post_like(post=Post.objects.first(), member=bob)
    cursor = feed_page(bob, topic=topic).next_cursor

    with django_assert_num_queries(few):
        page = feed_page(bob, topic=topic)
        for entry in page.entries:
            _ = entry.actor and entry.actor.organisation.name
            _ = entry.post and (entry.post.body_html, entry.post.liked)
            _ = entry.question and entry.question.title
            _ = [link.topic.name for link in entry.topic_links.all()]
    assert len(page.entries) == selectors.FEED_PAGE_SIZE
    assert count_queries(bob, topic=topic, cursor=cursor) == few
    # Entries with actor and target, their topics, the viewer's likes; plus the
    # topic's index.
    assert few == (4 if topic else 3)


def test_feed_marks_the_posts_the_viewer_likes(alice, bob, carol):
    liked = post(alice, body="Gillad")
    other = post(alice, body="Inte gillad")
    ask(alice)
    services.post_like(post=liked, member=bob)
    services.post_like(post=other, member=carol)

    posts = {e.post.pk: e.post.liked for e in feed_page(bob).entries if e.post_id}

    assert posts == {liked.pk: True, other.pk: False}


# --- Other selectors --------------------------------------------------------------------------


def test_pinned_posts_newest_pin_first(alice, bob, carol, django_assert_num_queries):
    posts = [post(alice, body=f"Meddelande {i}") for i in range(7)]
    post(alice, body="Aldrig fäst")
    now = timezone.now()
    for minutes, item in enumerate(posts):
        services.post_pin(post=item, moderator=carol)
        Post.objects.filter(pk=item.pk).update(pinned_at=now - timedelta(minutes=minutes))
    services.content_hide(item=posts[1], moderator=carol)
    services.post_like(post=posts[2], member=bob)

    with django_assert_num_queries(3):
        pinned = selectors.pinned_posts(bob)
        authors = [(p.author.organisation.name, [t.name for t in p.topics.all()]) for p in pinned]

    assert pinned == [posts[0], posts[2], posts[3], posts[4], posts[5]]
    assert len(authors) == selectors.PINNED_LIMIT
    assert [p.liked for p in pinned] == [False, True, False, False, False]


def test_post_for_page_hidden_only_for_moderators_and_the_author(alice, bob, carol, admin_member):
    created = post(alice)
    services.post_like(post=created, member=bob)

    assert selectors.post_for_page(created.pk, bob).liked is True
    assert selectors.post_for_page(created.pk, alice).liked is False

    services.content_hide(item=created, moderator=carol)

    assert selectors.post_for_page(created.pk, bob) is None
    for viewer in (alice, carol, admin_member):
        assert selectors.post_for_page(created.pk, viewer) == created
    assert selectors.post_for_page(created.pk + 1000, carol) is None


def test_post_likers_are_active_members(alice, bob, carol, lycksele):
    created = post(alice)
    leaving = make_member("leaving@kollegan.test", "Lisa Lämnar", lycksele)
    for member in (carol, bob, leaving):
        services.post_like(post=created, member=member)
    leaving.deactivated_at = timezone.now()
    leaving.save(update_fields=["deactivated_at"])
    post(bob, body="Annat")

    likers = selectors.post_likers(created)

    assert set(likers) == {bob, carol}
    assert len(selectors.post_likers(created, limit=1)) == 1


def test_stored_picture_is_in_default_storage(alice):
    created = post(alice, image=upload(png_bytes(), "a.png", "image/png"))

    assert default_storage.exists(images.image_name(created.image_key))
