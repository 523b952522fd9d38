"""Start and its feed: posting, replying, liking, the moderators' pins and hiding,
the feed by cursor and topic, and pictures.

Every bad input answers 4xx with nothing saved; the feed never names the asker
of an anonymous question; the start page costs the same number of queries
however long the feed is."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from kollegan.accounts.models import Organisation
from kollegan.audit.models import Action, AuditEntry
from kollegan.feed import services
from kollegan.feed.models import POST_MAX, FeedEntry, FeedEntryTopic, Like, Post, Reply
from kollegan.feed.selectors import FEED_PAGE_SIZE
from kollegan.questions import services as question_services
from kollegan.topics.models import Topic
from tests.conftest import client_for, make_member

START = reverse("start")
CREATE = reverse("feed:create")
MORE = reverse("feed:more")

PERSONAL_NUMBER = "19121212-1212"
# Stands for six real topic slugs, read once the test has a database.
SIX_TOPICS = "six topics"
PHONE = "070-123 45 67"

# The start page: the session and the member; the feed's entries, their topics and
# the viewer's likes; the topics (for the filter, the aside and the post form); the
# current questions and their topics; the pinned posts; the viewer's groups and the
# next dates in the calendar (tests/test_feed_events_notes.py). The menu and site
# settings are cached after the warm-up request made before every count.
START_QUERIES = 11
# With a pinned post: its topics and whether the viewer likes it.
PINNED_QUERIES = 2


def shown(msgid: str) -> str:
    """What the Swedish page shows for an English source string (the source text
    itself until the translators have been)."""
    with translation.override("sv"):
        return translation.gettext(msgid)


def text(response) -> str:
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, flags=re.S
    )
    assert match, f"no section {heading_id}"
    return match.group()


def jpeg(size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def upload(data: bytes, name: str = "bild.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def barn(db) -> Topic:
    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def vald(db) -> Topic:
    return Topic.objects.get(slug="vald")


def write(author, body: str = "Nästa veckas tema är funktionshinder.", **kwargs) -> Post:
    return services.post_create(author=author, body=body, **kwargs)


def ask(author, title: str = "Tips på placering mor och barn", **kwargs):
    kwargs.setdefault("topics", [Topic.objects.get(slug="barn-och-unga")])
    return question_services.question_create(author=author, title=title, body="Hur?", **kwargs)


# --- The start page ------------------------------------------------------------------------------


def test_start_page_shows_posts_questions_and_the_form(alice_client, alice, bob, barn):
    post = write(
        bob,
        body="Digital mötesplats på **onsdag** 08:15.",
        topics=[barn],
        link="https://teams.example.se/mote",
        image=upload(jpeg()),
    )
    question = ask(alice, title="Omprövning LVU 3 §")
    response = alice_client.get(START)
    assert response.status_code == 200
    html = text(response)
    latest = section(html, "latest-heading")
    # The post: who, when, what, its picture, link and topic, and its own page.
    assert bob.name in latest and bob.organisation.name in latest
    assert "<strong>onsdag</strong>" in latest
    assert f'src="{post.image_url()}"' in latest
    assert shown("Picture attached to the post") in latest
    assert 'href="https://teams.example.se/mote"' in latest
    assert f'href="{START}?amne=barn-och-unga#senaste"' in latest
    assert f'href="{post.get_absolute_url()}"' in latest
    assert reverse("feed:like", args=[post.pk]) in latest
    # The question, by name, with its answer count.
    assert question.title in latest and f'href="{question.get_absolute_url()}"' in latest
    # The form posts a picture too, and the current questions and topics are still there.
    assert f'action="{CREATE}"' in html and 'enctype="multipart/form-data"' in html
    assert 'name="image"' in html and 'name="topics"' in html and 'name="link"' in html
    assert question.title in section(html, "questions-heading")
    assert 'aria-labelledby="topics-heading"' in html
    # Newest first: the question came after the post.
    assert latest.index(question.title) < latest.index("onsdag")


def test_empty_feed_says_so(alice_client):
    response = alice_client.get(START)
    assert response.status_code == 200
    assert shown("Nothing has happened yet. Write the first post!") in text(response)


def test_visitor_and_deactivated_member_are_sent_to_log_in(client, dave_client, bob):
    post = write(bob)
    for url in (START, post.get_absolute_url(), MORE, CREATE):
        for anyone in (client, dave_client):
            response = anyone.get(url)
            assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_every_page_renders_for_members(alice_client, alice, bob):
    post = write(alice)
    reply = services.reply_create(post=post, author=alice, body="Ett tillägg.")
    services.post_like(post=post, member=bob)
    pages = [
        START,
        MORE,
        CREATE,
        post.get_absolute_url(),
        reverse("feed:likers", args=[post.pk]),
        reverse("feed:edit", args=[post.pk]),
        reverse("feed:delete", args=[post.pk]),
        reverse("feed:reply_edit", args=[reply.pk]),
        reverse("feed:reply_delete", args=[reply.pk]),
    ]
    for url in pages:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert "<h1" in text(response), url


def test_get_on_post_only_addresses_is_405(alice_client, bob):
    post = write(bob)
    for name in ("reply", "like", "pin"):
        assert alice_client.get(reverse(f"feed:{name}", args=[post.pk])).status_code == 405
    url = reverse("feed:moderate", args=["inlagg", post.pk])
    assert alice_client.get(url).status_code == 405


# --- Posting -------------------------------------------------------------------------------------


def test_posting_publishes_and_goes_back_to_the_feed(alice_client, alice, barn, vald):
    response = alice_client.post(
        CREATE,
        {
            "body": "Tema **funktionshinder** på onsdag.",
            "topics": ["barn-och-unga", "vald"],
            "link": "https://example.se/kalender",
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{START}#inlagg-{post.pk}"
    assert post.author == alice and post.link == "https://example.se/kalender"
    assert set(post.topics.all()) == {barn, vald}
    entry = FeedEntry.objects.get(post=post)
    assert entry.actor == alice
    html = text(alice_client.get(START))
    assert f'id="inlagg-{post.pk}"' in html
    assert "<strong>funktionshinder</strong>" in html


def test_post_with_a_picture_is_served_to_members(alice_client, bob_client, client, media_root):
    response = alice_client.post(CREATE, {"body": "Se bilden.", "image": upload(jpeg())})
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.image_key
    served = bob_client.get(post.image_url())
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "private" in served["Cache-Control"]
    body = b"".join(served.streaming_content)
    assert body.startswith(b"\xff\xd8")
    assert Image.open(io.BytesIO(body)).format == "JPEG"
    # Not to visitors, and unknown keys are 404.
    assert client.get(post.image_url()).status_code == 302
    unknown = reverse("feed:image", args=["x" * 24])
    assert alice_client.get(unknown).status_code == 404


def test_create_page_offers_the_form_without_javascript(alice_client):
    response = alice_client.get(CREATE, {"amne": "vald"})
    assert response.status_code == 200
    html = text(response)
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input[^>]*value="vald"[^>]*checked', html)
    assert "<fieldset" in html and "<legend>" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"body": "   "}, "body", "Write a text."),
        (
            {"body": "x" * (POST_MAX + 1)},
            "body",
            "The text is %(length)d characters long; at most %(max)d are allowed.",
        ),
        (
            {"body": "Länk", "link": "inte en länk"},
            "link",
            "Write a whole web address starting with https:// or http://.",
        ),
        (
            {"body": "Länk", "link": "javascript:alert(1)"},
            "link",
            "Write a whole web address starting with https:// or http://.",
        ),
        ({"body": "Många ämnen", "topics": SIX_TOPICS}, "topics", "Choose at most %(max)d topics."),
    ],
    ids=["empty", "too-long", "not-a-link", "javascript-link", "too-many-topics"],
)
def test_bad_post_is_refused_with_400_and_nothing_saved(alice_client, data, field, message):
    if data.get("topics") == SIX_TOPICS:
        data = {**data, "topics": list(Topic.objects.values_list("slug", flat=True)[:6])}
    response = alice_client.post(CREATE, data)
    assert response.status_code == 400
    assert not Post.objects.exists() and not FeedEntry.objects.exists()
    html = text(response)
    first_words = shown(message).split("%")[0]
    assert first_words in html
    assert 'class="error-summary"' in html
    assert f'id="id_{field}_error"' in html or field == "topics"


def test_file_that_is_not_a_picture_is_refused(alice_client, media_root):
    response = alice_client.post(
        CREATE, {"body": "Se bilden.", "image": upload(b"not an image", "bild.jpg")}
    )
    assert response.status_code == 400
    assert not Post.objects.exists() and not FeedEntry.objects.exists()
    assert not list(Path(media_root).rglob("*.jpg"))
    html = text(response)
    assert 'id="id_image_error"' in html
    # The picture cannot come back in the form: the page says to choose it again.
    assert shown("The picture was not saved. Choose it again before you send the post.") in html


def test_personal_number_is_refused_and_never_repeated(alice_client):
    response = alice_client.post(CREATE, {"body": f"Gäller {PERSONAL_NUMBER}, vet någon?"})
    assert response.status_code == 400
    assert not Post.objects.exists()
    html = text(response)
    assert "19121212-XXXX" in html
    assert shown("The text cannot be published with it.") in html
    # Kept in the text box for the writer to edit, but nowhere else on the page.
    assert "1212-1212" not in html.replace(f"Gäller {PERSONAL_NUMBER}", "")
    # Ticking the box does not help: an identity number is never published.
    response = alice_client.post(
        CREATE, {"body": f"Gäller {PERSONAL_NUMBER}, vet någon?", "confirmed": "on"}
    )
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_phone_number_needs_the_confirmation_box(alice_client):
    data = {"body": f"Ring {PHONE} om mötet."}
    response = alice_client.post(CREATE, data)
    assert response.status_code == 400
    assert not Post.objects.exists()
    html = text(response)
    assert PHONE in html
    assert 'name="confirmed"' in html and 'href="#id_confirmed"' in html
    response = alice_client.post(CREATE, {**data, "confirmed": "on"})
    assert response.status_code == 302
    assert Post.objects.get().body == data["body"]


# --- Editing and deleting ------------------------------------------------------------------------


def test_writer_edits_the_post(alice_client, alice, vald):
    post = write(alice, body="Första lydelsen.")
    url = reverse("feed:edit", args=[post.pk])
    response = alice_client.post(
        url, {"body": "Andra lydelsen.", "topics": ["vald"], "link": "https://example.se"}
    )
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    post.refresh_from_db()
    assert post.body == "Andra lydelsen." and post.edited_at is not None
    assert list(post.topics.all()) == [vald]
    assert alice_client.post(url, {"body": ""}).status_code == 400
    post.refresh_from_db()
    assert post.body == "Andra lydelsen."


def test_nobody_else_edits_or_deletes_a_post(bob_client, carol, alice):
    post = write(alice, body="Alices inlägg.")
    carol_client = client_for(carol)
    for someone in (bob_client, carol_client):
        for name in ("edit", "delete"):
            url = reverse(f"feed:{name}", args=[post.pk])
            assert someone.get(url).status_code == 403
            assert someone.post(url, {"body": "Kapat."}).status_code == 403
    post.refresh_from_db()
    assert post.body == "Alices inlägg."


def test_writer_deletes_the_post_with_its_replies_and_likes(alice_client, alice, bob):
    post = write(alice, image=upload(jpeg()))
    services.reply_create(post=post, author=bob, body="Svar.")
    services.post_like(post=post, member=bob)
    url = reverse("feed:delete", args=[post.pk])
    assert shown("Delete the post") in text(alice_client.get(url))
    response = alice_client.post(url)
    assert response.status_code == 302 and response["Location"] == START
    assert not Post.objects.exists() and not Reply.objects.exists()
    assert not Like.objects.exists() and not FeedEntry.objects.exists()


def test_replies_are_edited_and_deleted_by_their_writer_only(alice_client, bob_client, alice, bob):
    post = write(alice)
    reply = services.reply_create(post=post, author=bob, body="Bobs svar.")
    edit_url = reverse("feed:reply_edit", args=[reply.pk])
    delete_url = reverse("feed:reply_delete", args=[reply.pk])
    assert alice_client.get(edit_url).status_code == 403
    assert alice_client.post(edit_url, {"body": "Ändrat."}).status_code == 403
    assert alice_client.post(delete_url).status_code == 403
    response = bob_client.post(edit_url, {"body": "Bobs rättade svar."})
    assert response.status_code == 302 and response["Location"] == reply.get_absolute_url()
    reply.refresh_from_db()
    assert reply.body == "Bobs rättade svar." and reply.edited_at is not None
    assert bob_client.post(edit_url, {"body": ""}).status_code == 400
    response = bob_client.post(delete_url)
    assert response.status_code == 302
    assert not Reply.objects.exists()
    post.refresh_from_db()
    assert post.reply_count == 0


# --- One post: replies and likes -----------------------------------------------------------------


def test_post_page_shows_replies_likes_and_the_reply_form(alice_client, alice, bob, carol):
    post = write(bob, body="Vem kommer på onsdag?")
    services.reply_create(post=post, author=carol, body="Jag *kommer*.")
    services.post_like(post=post, member=carol)
    response = alice_client.get(post.get_absolute_url())
    assert response.status_code == 200
    html = text(response)
    assert "Vem kommer på onsdag?" in html and "<em>kommer</em>" in html
    assert carol.name in html and bob.name in html
    assert reverse("feed:likers", args=[post.pk]) in html
    assert f'action="{reverse("feed:reply", args=[post.pk])}#svara"' in html
    assert 'id="svara-body"' in html


def test_unknown_post_is_404(alice_client):
    assert alice_client.get(reverse("feed:post", args=[999999])).status_code == 404
    assert alice_client.get(reverse("feed:likers", args=[999999])).status_code == 404


def test_replying_publishes_and_jumps_to_the_reply(alice_client, alice, bob):
    post = write(bob)
    response = alice_client.post(reverse("feed:reply", args=[post.pk]), {"body": "Jag kommer!"})
    reply = Reply.objects.get()
    assert response.status_code == 302 and response["Location"] == reply.get_absolute_url()
    assert reply.author == alice
    post.refresh_from_db()
    assert post.reply_count == 1
    html = text(alice_client.get(START))
    assert f'href="{post.get_absolute_url()}#svar"' in html


@pytest.mark.parametrize("body", ["", "  ", "x" * 5001])
def test_bad_reply_comes_back_at_the_form_with_400(alice_client, bob, body):
    post = write(bob)
    response = alice_client.post(reverse("feed:reply", args=[post.pk]), {"body": body})
    assert response.status_code == 400
    assert not Reply.objects.exists()
    assert 'id="svara-body_error"' in text(response)


def test_reply_with_a_phone_number_asks_to_confirm(alice_client, bob):
    post = write(bob)
    url = reverse("feed:reply", args=[post.pk])
    response = alice_client.post(url, {"body": f"Ring {PHONE}."})
    assert response.status_code == 400 and not Reply.objects.exists()
    assert 'id="svara-confirmed"' in text(response)
    response = alice_client.post(url, {"body": f"Ring {PHONE}.", "confirmed": "on"})
    assert response.status_code == 302 and Reply.objects.count() == 1


def test_replying_to_a_hidden_post_is_refused(alice_client, bob_client, bob, carol):
    post = write(bob)
    services.content_hide(item=post, moderator=carol, reason="Sekretess")
    url = reverse("feed:reply", args=[post.pk])
    assert alice_client.post(url, {"body": "Hallå?"}).status_code == 404
    assert bob_client.post(url, {"body": "Hallå?"}).status_code == 403
    assert not Reply.objects.exists()


def test_liking_twice_is_409_and_stored_once(alice_client, alice, bob):
    post = write(bob)
    url = reverse("feed:like", args=[post.pk])
    response = alice_client.post(url, {"value": "on", "next": f"{START}#inlagg-{post.pk}"})
    assert response.status_code == 302 and response["Location"] == f"{START}#inlagg-{post.pk}"
    response = alice_client.post(url, {"value": "on"})
    assert response.status_code == 409
    assert shown("You already like this post.") in text(response)
    assert Like.objects.filter(post=post, member=alice).count() == 1
    post.refresh_from_db()
    assert post.like_count == 1
    # The button now offers to stop liking, and the count links to who likes it.
    html = text(alice_client.get(START))
    assert shown("Unlike") in html and reverse("feed:likers", args=[post.pk]) in html
    likers = text(alice_client.get(reverse("feed:likers", args=[post.pk])))
    assert alice.name in likers

    response = alice_client.post(url, {"value": "off"})
    assert response.status_code == 302
    assert not Like.objects.exists()
    post.refresh_from_db()
    assert post.like_count == 0


def test_like_sends_no_one_elsewhere(alice_client, bob):
    post = write(bob)
    response = alice_client.post(
        reverse("feed:like", args=[post.pk]), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()


def test_like_with_htmx_answers_the_button_alone(alice_client, alice, bob):
    post = write(bob)
    response = alice_client.post(
        reverse("feed:like", args=[post.pk]),
        {"value": "on", "plats": "inlagg", "next": f"{START}#inlagg-{post.pk}"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html and html.lstrip().startswith("<form")
    assert f'id="inlagg-gilla-{post.pk}"' in html
    assert 'name="value" value="off"' in html
    assert f'value="{START}#inlagg-{post.pk}"' in html
    assert Like.objects.filter(post=post, member=alice).exists()


def test_hidden_post_cannot_be_liked(alice_client, bob, carol):
    post = write(bob)
    services.content_hide(item=post, moderator=carol)
    assert alice_client.post(reverse("feed:like", args=[post.pk])).status_code == 404
    assert not Like.objects.exists()


# --- Moderation ----------------------------------------------------------------------------------


def test_members_cannot_pin_hide_or_restore(alice_client, alice, bob):
    post = write(bob)
    reply = services.reply_create(post=post, author=bob, body="Svar.")
    assert alice_client.post(reverse("feed:pin", args=[post.pk])).status_code == 403
    for kind, item in (("inlagg", post), ("svar", reply)):
        url = reverse("feed:moderate", args=[kind, item.pk])
        assert alice_client.post(url, {"action": "hide"}).status_code == 403
        assert alice_client.post(url, {"action": "restore"}).status_code == 403
    post.refresh_from_db()
    reply.refresh_from_db()
    assert post.pinned_at is None and not post.is_hidden and not reply.is_hidden
    assert not AuditEntry.objects.exists()


def test_moderator_pins_and_unpins_a_post(carol_client, carol, alice_client, bob):
    post = write(bob, body="Anslag: ny version av riktlinjerna.")
    write(bob, body="Något annat, senare.")
    response = carol_client.post(reverse("feed:pin", args=[post.pk]), {"value": "on"})
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    post.refresh_from_db()
    assert post.pinned_at is not None and post.pinned_by == carol
    assert AuditEntry.objects.get(action=Action.POST_PINNED).actor == carol
    pinned = section(text(alice_client.get(START)), "pinned-heading")
    assert "Anslag: ny version" in pinned and f'id="fast-{post.pk}"' in pinned

    carol_client.post(reverse("feed:pin", args=[post.pk]), {"value": "off"})
    post.refresh_from_db()
    assert post.pinned_at is None
    assert AuditEntry.objects.filter(action=Action.POST_UNPINNED).count() == 1
    assert 'aria-labelledby="pinned-heading"' not in text(alice_client.get(START))


def test_a_pinned_post_in_the_feed_too_has_ids_of_its_own(alice_client, alice, bob, carol):
    post = write(bob, body="Anslag.")
    services.post_like(post=post, member=alice)
    services.post_pin(post=post, moderator=carol)
    html = text(alice_client.get(START))
    assert f'id="fast-{post.pk}"' in html and f'id="inlagg-{post.pk}"' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for target in re.findall(r'aria-(?:labelledby|describedby)="([^"]+)"', html):
        for one in target.split():
            assert one in ids, one


def test_moderator_hides_and_restores_a_post(carol_client, carol, alice_client, bob):
    post = write(bob, body="Olämpligt inlägg.")
    url = reverse("feed:moderate", args=["inlagg", post.pk])
    response = carol_client.post(url, {"action": "hide", "reason": "Sekretess"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_hidden
    assert AuditEntry.objects.get(action=Action.CONTENT_HIDDEN).actor == carol
    # Gone for members: the feed and the page; the writer and moderators still see it.
    assert "Olämpligt inlägg." not in text(alice_client.get(START))
    assert alice_client.get(post.get_absolute_url()).status_code == 404
    writer_view = text(client_for(bob).get(post.get_absolute_url()))
    assert "Olämpligt inlägg." in writer_view and shown("Hidden") in writer_view
    assert "Sekretess" not in writer_view
    moderator_view = text(carol_client.get(post.get_absolute_url()))
    assert "Sekretess" in moderator_view and shown("Restore") in moderator_view
    assert client_for(bob).get(reverse("feed:edit", args=[post.pk])).status_code == 403

    response = carol_client.post(url, {"action": "restore"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert not post.is_hidden
    assert AuditEntry.objects.filter(action=Action.CONTENT_RESTORED).count() == 1
    assert "Olämpligt inlägg." in text(alice_client.get(START))


def test_moderator_hides_and_restores_a_reply(carol_client, carol, alice_client, alice, bob):
    post = write(bob)
    reply = services.reply_create(post=post, author=alice, body="Olämpligt svar.")
    url = reverse("feed:moderate", args=["svar", reply.pk])
    response = carol_client.post(url, {"action": "hide", "reason": "Peka ut"})
    assert response.status_code == 302 and response["Location"] == reply.get_absolute_url()
    reply.refresh_from_db()
    assert reply.is_hidden
    post.refresh_from_db()
    assert post.reply_count == 0
    html = text(client_for(bob).get(post.get_absolute_url()))
    assert "Olämpligt svar." not in html and shown("Hidden by a moderator") in html
    assert alice_client.get(reverse("feed:reply_edit", args=[reply.pk])).status_code == 403
    assert "Peka ut" in text(carol_client.get(post.get_absolute_url()))

    carol_client.post(url, {"action": "restore"})
    reply.refresh_from_db()
    assert not reply.is_hidden
    assert AuditEntry.objects.filter(action=Action.CONTENT_RESTORED).count() == 1
    assert "Olämpligt svar." in text(alice_client.get(post.get_absolute_url()))


def test_unknown_moderation_kind_or_action(carol_client, bob):
    post = write(bob)
    assert (
        carol_client.post(
            reverse("feed:moderate", args=["fraga", post.pk]), {"action": "hide"}
        ).status_code
        == 404
    )
    response = carol_client.post(
        reverse("feed:moderate", args=["inlagg", post.pk]), {"action": "radera"}
    )
    assert response.status_code == 400
    post.refresh_from_db()
    assert not post.is_hidden


# --- The feed: paging, topics, queries, anonymity ------------------------------------------------


def fill_feed(count: int, authors: list, topics: list) -> None:
    """``count`` entries, newest last: posts with pictures, links and topics, and
    questions, some of them anonymous."""
    picture = jpeg((40, 30))
    question_topics = topics[:1] or [Topic.objects.get(slug="barn-och-unga")]
    for n in range(count):
        author = authors[n % len(authors)]
        if n % 4 == 3:
            ask(author, title=f"Fråga nummer {n}", anonymous=n % 8 == 7, topics=question_topics)
        else:
            write(
                author,
                body=f"Inlägg nummer {n} med **fetstil**.",
                topics=topics[: n % 3],
                link="https://example.se/" if n % 2 else "",
                image=upload(picture) if n % 10 == 0 else None,
            )


@pytest.mark.parametrize("count", [10, 200])
def test_start_page_query_count_does_not_grow(
    count, alice_client, alice, bob, carol, barn, vald, django_assert_num_queries
):
    fill_feed(count, [alice, bob, carol], [barn, vald])
    post = Post.objects.order_by("-created_at").first()
    services.post_like(post=post, member=alice)
    services.post_pin(post=post, moderator=carol)
    alice_client.get(START)
    with django_assert_num_queries(START_QUERIES + PINNED_QUERIES):
        response = alice_client.get(START)
    assert response.status_code == 200
    assert text(response).count('<li class="feed-entry') == min(count, FEED_PAGE_SIZE) + 1


@pytest.mark.parametrize("count", [10, 200])
def test_start_page_without_pins_query_count(
    count, alice_client, alice, bob, barn, vald, django_assert_num_queries
):
    fill_feed(count, [alice, bob], [barn, vald])
    alice_client.get(START)
    with django_assert_num_queries(START_QUERIES):
        assert alice_client.get(START).status_code == 200


def test_start_page_costs_the_same_with_ten_thousand_entries(
    alice_client, alice, bob, barn, vald, django_assert_num_queries
):
    fill_feed(10, [alice, bob], [barn, vald])
    alice_client.get(START)
    with django_assert_num_queries(START_QUERIES):
        assert alice_client.get(START).status_code == 200

    # 10,000 more, written in bulk as post_create would (post, entry, topic links).
    start = timezone.now() - timedelta(days=400)
    posts = Post.objects.bulk_create(
        Post(author=bob, body=f"Äldre inlägg {n}", body_html=f"<p>Äldre inlägg {n}</p>",
             created_at=start + timedelta(minutes=n))
        for n in range(10_000)
    )  # fmt: skip
    entries = FeedEntry.objects.bulk_create(
        FeedEntry(kind=FeedEntry.Kind.POST, post=post, actor=bob, created_at=post.created_at)
        for post in posts
    )
    FeedEntryTopic.objects.bulk_create(
        FeedEntryTopic(entry=entry, topic=vald, created_at=entry.created_at) for entry in entries
    )
    assert FeedEntry.objects.count() == 10_010
    with django_assert_num_queries(START_QUERIES):
        response = alice_client.get(START)
    assert text(response).count('<li class="feed-entry') == FEED_PAGE_SIZE
    with django_assert_num_queries(START_QUERIES + 1):  # a topic: its entries first
        assert alice_client.get(START, {"amne": "vald"}).status_code == 200


SHOW_MORE = re.compile(r'<li class="feed__more"><a [^>]*href="([^"]+)" hx-get="([^"]+)"')


def entry_ids(html: str) -> set[str]:
    return set(re.findall(r'<li class="feed-entry[^"]*" id="((?:inlagg|fraga)-\d+)"', html))


def test_show_more_pages_by_cursor(alice_client, bob):
    fill_feed(FEED_PAGE_SIZE * 2 + 5, [bob], [])
    html = text(alice_client.get(START))
    match = SHOW_MORE.search(html)
    assert match, "no Show more link"
    link, fragment = (url.replace("&amp;", "&") for url in match.groups())
    assert link.startswith(f"{START}?fore=") and link.endswith("#senaste")
    assert fragment.startswith(f"{MORE}?fore=")
    assert 'hx-swap="outerHTML"' in html
    first_page = entry_ids(html)
    assert len(first_page) == FEED_PAGE_SIZE

    # Without JavaScript: the start page with the next entries and its own Show more.
    page_two = alice_client.get(link)
    assert page_two.status_code == 200
    html_two = text(page_two)
    second_page = entry_ids(html_two)
    assert len(second_page) == FEED_PAGE_SIZE and not first_page & second_page
    assert shown("Earlier in the feed.") in html_two
    # The fragment's address opened without htmx is a page with the same entries.
    light = alice_client.get(fragment)
    assert light.status_code == 200 and "<html" in text(light)
    assert entry_ids(text(light)) == second_page
    next_match = SHOW_MORE.search(html_two)
    assert next_match

    # With htmx: only the entries and the next Show more, to replace the old one.
    response = alice_client.get(
        next_match.group(2).replace("&amp;", "&"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html_three = text(response)
    assert "<html" not in html_three and "<main" not in html_three
    third_page = entry_ids(html_three)
    assert len(third_page) == 5 and not third_page & (first_page | second_page)
    assert "feed__more" not in html_three  # the end of the feed
    assert html_three.count("data-feed-focus") == 1


@pytest.mark.parametrize("cursor", ["nonsense", "12-0", "1-2-3", "99999999999999999999999-1"])
def test_broken_cursor_is_400_with_a_message(alice_client, cursor):
    for url in (START, MORE):
        response = alice_client.get(url, {"fore": cursor})
        assert response.status_code == 400
        # "…is broken." or "…is broken. Start again from the top."
        assert shown("The link to more of the feed is broken.") in text(response) or (
            shown("The link to more of the feed is broken. Start again from the top.")
            in text(response)
        )


def test_feed_filtered_by_topic(alice_client, bob, barn, vald):
    in_topic = write(bob, body="Om våld i nära relation.", topics=[vald])
    elsewhere = write(bob, body="Om barn och unga.", topics=[barn])
    question = ask(bob, title="Fråga om våld", topics=[vald])
    response = alice_client.get(START, {"amne": "vald"})
    assert response.status_code == 200
    latest = section(text(response), "latest-heading")
    assert in_topic.body in latest and question.title in latest
    assert elsewhere.body not in latest
    assert re.search(r'<option value="vald" selected>', latest)
    assert f'href="{START}#senaste"' in latest  # back to everything
    html = text(alice_client.get(START, {"amne": "ingen-sadan"}))
    assert shown("Nothing in this topic yet.") in html


def test_filtered_show_more_keeps_the_topic(alice_client, bob, vald, barn):
    for n in range(FEED_PAGE_SIZE + 3):
        write(bob, body=f"Våld {n}", topics=[vald])
        write(bob, body=f"Barn {n}", topics=[barn])
    html = text(alice_client.get(START, {"amne": "vald"}))
    link, fragment = SHOW_MORE.search(html).groups()
    assert "amne=vald" in link and "amne=vald" in fragment
    for url in (link, fragment):
        html_two = text(alice_client.get(url.replace("&amp;", "&")))
        assert len(entry_ids(html_two)) == 3, url
        feed = section_free(html_two) or html_two  # the fragment is the list's items
        assert "Våld 2<" in feed and "Barn " not in feed, url


def section_free(html: str) -> str:
    """The feed list of a whole page ("" for a fragment)."""
    match = re.search(r'<ol class="feed" id="flode">.*?</ol>', html, flags=re.S)
    return match.group() if match else ""


def test_feed_never_names_the_asker_of_an_anonymous_question(alice_client, bob, barn, vald):
    organisation = Organisation.objects.create(name="Unikköpings kommun", slug="unikkoping")
    zelda = make_member(
        "zelda.unikdottersson@unikkoping.test", "Zelda Unikdottersson", organisation
    )
    zelda.photo_key = "zeldasfotonyckel123456"
    zelda.save(update_fields=["photo_key"])
    question = ask(zelda, title="Kvastfening: hur gör ni?", anonymous=True, topics=[barn, vald])
    # Her post by name is older than a page of Bob's, so no page below shows it.
    write(zelda, body="Ett inlägg med namn, äldre.")
    FeedEntry.objects.filter(post__author=zelda).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    for n in range(FEED_PAGE_SIZE):
        write(bob, body=f"Bobs inlägg {n}")
    question_services.question_edit(
        question=question, editor=zelda, title=question.title, body="Hur då?", topics=[barn, vald]
    )
    FeedEntry.objects.filter(question=question).update(created_at=timezone.now())

    title = f'<a href="{question.get_absolute_url()}">{question.title}</a>'
    colleague = shown("A colleague asked the question %(title)s") % {"title": title}
    pages = {
        "start": text(alice_client.get(START)),
        "topic": text(alice_client.get(START, {"amne": "barn-och-unga"})),
        "other topic": text(alice_client.get(START, {"amne": "vald"})),
        "more": text(alice_client.get(MORE)),
        "fragment": text(alice_client.get(MORE, headers={"HX-Request": "true"})),
        "topic fragment": text(
            alice_client.get(MORE, {"amne": "vald"}, headers={"HX-Request": "true"})
        ),
    }
    clues = (
        "Zelda",
        "Unikdottersson",
        "zelda.unikdottersson",
        "Unikköping",
        "unikkoping",
        "zeldasfotonyckel",
        f"/medarbetare/{zelda.pk}/",
    )
    for name, html in pages.items():
        assert colleague in html, name
        found = [clue for clue in clues if clue in html]
        assert not found, f"{name} shows {found}"
