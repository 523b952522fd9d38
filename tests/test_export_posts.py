"""Mina uppgifter → inlagg.json: the member's own posts and replies, and which
posts they like. Never another member's replies or likes, nor a text a moderator
hid from them."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollegan.feed import services
from kollegan.feed.models import Post
from kollegan.profiles import export
from kollegan.topics.models import Topic
from tests.conftest import client_for

# Bob's texts and anything naming him; the beginning of his visible post does appear,
# as the post Alice replied to or likes: it says nothing about who else did.
BOB_SECRETS = ("Bob Berg", "bob@storuman.test", "Bobs svar", "Bobs dolda inlägg")


def _inlagg(member) -> dict:
    response = client_for(member).post(reverse("profiles:my_data"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return json.loads(archive.read("inlagg.json").decode("utf-8"))


def _write(author, body: str, topics=("vald",), **kwargs) -> Post:
    return services.post_create(
        author=author, body=body, topics=list(Topic.objects.filter(slug__in=topics)), **kwargs
    )


@pytest.fixture
def posts(alice, bob, carol):
    """Alice and Bob write, reply to and like each other's posts; Carol hides some."""
    mine = _write(alice, "Alices inlägg", topics=("vald", "barn-och-unga"), link="https://a.se/")
    services.post_edit(
        post=mine,
        editor=alice,
        body="Alices inlägg, ändrat",
        link="https://a.se/",
        topics=list(mine.topics.all()),
    )
    hidden_mine = _write(alice, "Alices dolda inlägg", topics=())
    services.content_hide(item=hidden_mine, moderator=carol, reason="Personuppgifter")
    bobs = _write(bob, "Bobs inlägg om placeringar")
    bobs_hidden = _write(bob, "Bobs dolda inlägg")

    services.reply_create(post=bobs, author=alice, body="Alices svar till Bob")
    services.reply_create(post=bobs_hidden, author=alice, body="Alices svar på det dolda")
    services.reply_create(post=mine, author=bob, body="Bobs svar till Alice")
    services.post_like(post=bobs, member=alice)
    services.post_like(post=mine, member=bob)
    services.content_hide(item=bobs_hidden, moderator=carol)
    return {"mine": mine, "hidden_mine": hidden_mine, "bobs": bobs, "bobs_hidden": bobs_hidden}


def test_export_holds_the_members_posts_replies_and_likes(alice, posts):
    Post.objects.filter(pk=posts["hidden_mine"].pk).update(image_key="b" * 22)
    data = _inlagg(alice)

    by_body = {row["body"]: row for row in data["posts"]}
    assert list(by_body) == ["Alices inlägg, ändrat", "Alices dolda inlägg"]
    mine = by_body["Alices inlägg, ändrat"]
    assert mine["id"] == posts["mine"].pk
    assert mine["link"] == "https://a.se/"
    assert mine["topics"] == ["Barn och unga", "Våld"]
    assert mine["edited_at"] is not None
    assert (mine["reply_count"], mine["like_count"], mine["picture"]) == (1, 1, None)
    hidden = by_body["Alices dolda inlägg"]
    assert hidden["hidden_at"] is not None
    assert hidden["hidden_reason"] == "Personuppgifter"
    assert hidden["topics"] == []
    assert hidden["picture"] == reverse("feed:image", args=["b" * 22])

    replies = {row["body"]: row for row in data["replies"]}
    assert set(replies) == {"Alices svar till Bob", "Alices svar på det dolda"}
    assert replies["Alices svar till Bob"]["post"] == {
        "id": posts["bobs"].pk,
        "beginning": "Bobs inlägg om placeringar",
    }
    # A post a moderator hid is named by its number only.
    assert replies["Alices svar på det dolda"]["post"] == {
        "id": posts["bobs_hidden"].pk,
        "beginning": None,
    }

    [like] = data["likes"]
    assert like["post"]["id"] == posts["bobs"].pk
    assert like["since"]


def test_export_has_nothing_of_other_members(alice, bob, posts):
    text = json.dumps(_inlagg(alice), ensure_ascii=False)
    for secret in BOB_SECRETS:
        assert secret not in text, secret
    assert '"author' not in text
    assert "hidden_by" not in text

    bobs = _inlagg(bob)
    assert [row["body"] for row in bobs["posts"]] == [
        "Bobs inlägg om placeringar",
        "Bobs dolda inlägg",
    ]
    assert [row["body"] for row in bobs["replies"]] == ["Bobs svar till Alice"]
    assert [like["post"]["id"] for like in bobs["likes"]] == [posts["mine"].pk]
    text = json.dumps(bobs, ensure_ascii=False)
    for alices in ("Alices svar", "Alices dolda inlägg", "Alice Andersson"):
        assert alices not in text, alices


def test_a_member_without_posts_gets_empty_lists(alice):
    assert _inlagg(alice) == {"posts": [], "replies": [], "likes": []}


def test_the_section_is_described_on_the_my_data_page(alice, alice_client):
    assert "inlagg.json" in alice_client.get(reverse("profiles:my_data")).content.decode()


def test_the_section_costs_the_same_queries_however_much_was_written(alice, bob, posts):
    with CaptureQueriesContext(connection) as few:
        export.posts_section(alice)
    for number in range(8):
        post = _write(alice, f"Ännu ett inlägg {number}", topics=("vald", "barn-och-unga"))
        other = _write(bob, f"Bobs inlägg {number}")
        services.reply_create(post=other, author=alice, body=f"Svar {number}")
        services.reply_create(post=post, author=alice, body=f"Eget svar {number}")
        services.post_like(post=other, member=alice)
    with CaptureQueriesContext(connection) as many:
        data = export.posts_section(alice)
    assert (len(data["posts"]), len(data["replies"]), len(data["likes"])) == (10, 18, 9)
    assert len(many) == len(few)
