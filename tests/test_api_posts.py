"""/api/v1/posts and /api/v1/feed: the start page for scripts.

The same services as the pages, so the same rules: the confidentiality guard,
hidden posts, one like per member; the feed pages by cursor (nothing twice,
nothing skipped while others write) and never names an anonymous asker."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kollegan.api.services import api_token_create
from kollegan.feed import services
from kollegan.feed.models import FeedEntry, FeedEntryTopic, Like, Post, Reply
from kollegan.questions import services as question_services
from kollegan.topics.models import Topic
from tests.helpers import bearer, in_swedish, token_client

LIST = reverse("api:list_posts")
CREATE = reverse("api:create_post")
FEED = reverse("api:get_feed")

# GET /api/v1/posts, however many posts, with or without a topic: the token with its
# member, the page (entries, posts, writers and organisations joined), the posts'
# topics, which of them the reader likes.
LIST_QUERIES = 4
# GET /api/v1/feed: the token, the entries (actor, organisation, post, question
# joined), their topics, the reader's likes. A topic first finds the page's entries.
FEED_QUERIES = 4
# GET /api/v1/posts/{id}: the token, the post with its writer, its topics, whether
# the reader likes it, the replies with their writers.
DETAIL_QUERIES = 5

PERSONAL_NUMBER = "19121212-1212"
PHONE = "070-123 45 67"


def detail_url(post: Post) -> str:
    return reverse("api:get_post", kwargs={"post_id": post.pk})


def replies_url(post: Post) -> str:
    return reverse("api:create_reply", kwargs={"post_id": post.pk})


def like_url(post: Post) -> str:
    return reverse("api:like_post", kwargs={"post_id": post.pk})


def send(client: Client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def write(author, body="Vi har startat en ny grupp.", topics=("vald",), **kwargs) -> Post:
    return services.post_create(
        author=author, body=body, topics=list(Topic.objects.filter(slug__in=topics)), **kwargs
    )


def reply(post: Post, author, body="Vad bra!") -> Reply:
    return services.reply_create(post=post, author=author, body=body)


def ask(author, title="Hur gör ni med placeringar?", **kwargs):
    return question_services.question_create(
        author=author,
        title=title,
        body="Vi undrar hur ni gör.",
        topics=list(Topic.objects.filter(slug__in=kwargs.pop("topics", ["vald"]))),
        **kwargs,
    )


def counts() -> tuple[int, int, int, int]:
    return (
        Post.objects.count(),
        Reply.objects.count(),
        Like.objects.count(),
        FeedEntry.objects.count(),
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- Who may call -------------------------------------------------------------------------------


@pytest.fixture
def operations(alice):
    """Every operation as (method, path, body) on one visible post."""
    post = write(alice)
    return [
        ("get", LIST, None),
        ("post", CREATE, {"body": "Ett nytt inlägg.", "topics": ["vald"]}),
        ("get", detail_url(post), None),
        ("post", replies_url(post), {"body": "Ett svar."}),
        ("post", like_url(post), None),
        ("delete", reverse("api:unlike_post", kwargs={"post_id": post.pk}), None),
        ("get", FEED, None),
    ]


def call(client: Client, method: str, path: str, body: dict | None):
    if method == "get":
        return client.get(path)
    if method == "delete":
        return client.delete(path)
    return send(client, path, body)


def test_visitor_is_401_everywhere(operations):
    before = counts()
    for method, path, body in operations:
        response = call(Client(), method, path, body)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert counts() == before


def test_deactivated_members_token_and_session_are_401(operations, dave, dave_client):
    secret = api_token_create(member=dave, name="Gammalt")[1]
    before = counts()
    for method, path, body in operations:
        assert call(Client(headers=bearer(secret)), method, path, body).status_code == 401, path
        assert call(dave_client, method, path, body).status_code == 401, path
    assert counts() == before


def test_a_session_works_too(operations, bob_client):
    expected = [200, 201, 200, 201, 201, 200, 200]
    for (method, path, body), status in zip(operations, expected, strict=True):
        assert call(bob_client, method, path, body).status_code == status, path


def test_post_only_addresses_answer_get_with_405(alice_api, alice):
    post = write(alice)
    for url in (replies_url(post), like_url(post)):
        assert alice_api.get(url).status_code == 405


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_posts_with_their_facts(bob_api, alice, bob, lycksele):
    post = write(
        alice,
        body="Vi har en **ny** grupp.",
        topics=("vald", "barn-och-unga"),
        link="https://example.se/grupp",
    )
    reply(post, bob)
    response = bob_api.get(LIST)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["next_cursor"] is None
    [item] = data["items"]
    post.refresh_from_db()
    assert item == {
        "id": post.pk,
        "body": "Vi har en **ny** grupp.",
        "body_html": "<p>Vi har en <strong>ny</strong> grupp.</p>\n",
        "author": {"id": alice.pk, "name": "Alice Andersson"},
        "organisation": {"id": lycksele.pk, "name": lycksele.name},
        "topics": [
            {"slug": "barn-och-unga", "name": "Barn och unga"},
            {"slug": "vald", "name": "Våld"},
        ],
        "link": "https://example.se/grupp",
        "image_url": None,
        "created_at": item["created_at"],
        "edited_at": None,
        "reply_count": 1,
        "like_count": 0,
        "liked": False,
        "pinned": False,
        "url": post.get_absolute_url(),
    }
    # ISO 8601, to the millisecond.
    assert abs(parse_datetime(item["created_at"]) - post.created_at) < timedelta(milliseconds=1)


def test_list_says_what_the_reader_likes_and_what_is_pinned(bob_api, alice, bob, carol):
    liked, pinned = write(alice, body="Gillad"), write(alice, body="Fäst")
    services.post_like(post=liked, member=bob)
    services.post_like(post=pinned, member=carol)
    services.post_pin(post=pinned, moderator=carol)
    Post.objects.filter(pk=pinned.pk).update(image_key="a" * 22)
    items = {item["id"]: item for item in bob_api.get(LIST).json()["items"]}
    assert (items[liked.pk]["liked"], items[liked.pk]["like_count"]) == (True, 1)
    assert (items[pinned.pk]["liked"], items[pinned.pk]["like_count"]) == (False, 1)
    assert (items[liked.pk]["pinned"], items[pinned.pk]["pinned"]) == (False, True)
    assert items[pinned.pk]["image_url"] == reverse("feed:image", args=["a" * 22])


def test_list_leaves_out_hidden_posts_and_filters_by_topic(bob_api, alice, bob, carol):
    violence = write(alice, body="Om våld", topics=("vald",))
    addiction = write(bob, body="Om missbruk", topics=("missbruk-och-beroende",))
    untagged = write(bob, body="Utan ämne", topics=())
    hidden = write(alice, body="Dold", topics=("vald",))
    services.content_hide(item=hidden, moderator=carol)
    ask(alice, topics=["vald"])  # questions are in the feed, not among the posts
    assert ids(bob_api.get(LIST)) == [untagged.pk, addiction.pk, violence.pk]
    assert ids(bob_api.get(LIST, {"amne": "vald"})) == [violence.pk]
    assert ids(bob_api.get(LIST, {"topic": "missbruk-och-beroende"})) == [addiction.pk]
    assert ids(bob_api.get(LIST, {"amne": "finns-inte"})) == []


def _many(alice, bob, count: int) -> list[Post]:
    posts = []
    for number in range(count):
        post = write(
            alice if number % 2 else bob,
            body=f"Inlägg nummer {number}",
            topics=("vald", "barn-och-unga"),
        )
        reply(post, bob)
        if number % 3 == 0:
            services.post_like(post=post, member=bob)
        posts.append(post)
    return posts


@pytest.mark.parametrize("params", [{}, {"amne": "vald"}])
def test_posts_page_by_cursor(bob_api, alice, bob, params):
    posts = _many(alice, bob, 23)
    first = bob_api.get(LIST, params).json()
    assert len(first["items"]) == 20
    assert first["next_cursor"]
    second = bob_api.get(LIST, {**params, "fore": first["next_cursor"]}).json()
    assert second["next_cursor"] is None
    assert bob_api.get(LIST, {**params, "cursor": first["next_cursor"]}).json() == second
    shown = [item["id"] for item in first["items"] + second["items"]]
    assert shown == [post.pk for post in reversed(posts)]


@pytest.mark.parametrize("url", [LIST, FEED])
@pytest.mark.parametrize("params", [{}, {"amne": "vald"}])
def test_paging_while_others_write_shows_nothing_twice_and_skips_nothing(
    url, params, bob_api, alice, bob
):
    old = _many(alice, bob, 25)
    first = bob_api.get(url, params).json()
    newer = [write(alice, body=f"Skrivet under tiden {n}", topics=("vald",)) for n in range(3)]
    second = bob_api.get(url, {**params, "fore": first["next_cursor"]}).json()
    assert second["next_cursor"] is None

    def post_ids(page: dict) -> list[int]:
        return [item["post"]["id"] if url == FEED else item["id"] for item in page["items"]]

    assert post_ids(first) + post_ids(second) == [post.pk for post in reversed(old)]
    # A fresh first page starts with what was written meanwhile.
    fresh = post_ids(bob_api.get(url, params).json())
    assert fresh[:3] == [post.pk for post in reversed(newer)]
    assert fresh[3:] == post_ids(first)[:17]


@pytest.mark.parametrize("url", [LIST, FEED])
def test_posts_written_in_the_same_microsecond_are_paged_by_id(url, bob_api, alice, bob):
    posts = _many(alice, bob, 30)
    moment = timezone.now()
    FeedEntry.objects.update(created_at=moment)
    FeedEntryTopic.objects.update(created_at=moment)
    seen: list[int] = []
    cursor = ""
    for _page in range(3):
        data = bob_api.get(url, {"fore": cursor} if cursor else {}).json()
        seen += [item["id"] for item in data["items"]]
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 30
    if url == LIST:
        assert seen == [post.pk for post in reversed(posts)]


@pytest.mark.parametrize("url", [LIST, FEED])
@pytest.mark.parametrize(
    "cursor",
    ["inte-en-markör", "abc", "123", "12-0", "1-2-3", "9" * 40, "9" * 30 + "-1", "1-" + "9" * 25],
)
def test_a_broken_cursor_is_400_with_an_explanation(url, cursor, bob_api, alice):
    write(alice)
    response = bob_api.get(url, {"fore": cursor})
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert detail in {
        in_swedish("The link to more of the feed is broken. Start again from the top."),
        in_swedish("The link to more of the feed is broken."),
    }


@pytest.mark.parametrize("count", [2, 25])
def test_list_query_count_does_not_grow(count, bob_api, alice, bob, django_assert_num_queries):
    _many(alice, bob, count)
    with django_assert_num_queries(LIST_QUERIES):
        response = bob_api.get(LIST)
    assert len(ids(response)) == min(count, 20)
    with django_assert_num_queries(LIST_QUERIES):
        response = bob_api.get(LIST, {"amne": "vald"})
    assert len(ids(response)) == min(count, 20)


# --- Writing a post -----------------------------------------------------------------------------


def test_writing_a_post_returns_201_and_puts_it_in_the_feed(alice_api, alice, lycksele):
    response = send(
        alice_api,
        CREATE,
        {
            "body": "Vi har **startat** en grupp.",
            "topics": ["vald", "barn-och-unga"],
            "link": "https://example.se/",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    post = Post.objects.get()
    assert data["id"] == post.pk
    assert data["body_html"] == "<p>Vi har <strong>startat</strong> en grupp.</p>\n"
    assert {topic["slug"] for topic in data["topics"]} == {"vald", "barn-och-unga"}
    assert data["author"] == {"id": alice.pk, "name": "Alice Andersson"}
    assert data["organisation"] == {"id": lycksele.pk, "name": lycksele.name}
    assert (data["link"], data["image_url"], data["hidden"], data["replies"]) == (
        "https://example.se/",
        None,
        False,
        [],
    )
    assert data["url"] == post.get_absolute_url()
    entry = FeedEntry.objects.get()
    assert (entry.kind, entry.post, entry.actor) == (FeedEntry.Kind.POST, post, alice)


def test_a_post_may_have_no_topics(alice_api):
    for data in ({"body": "Utan ämne."}, {"body": "Också utan.", "topics": []}):
        response = send(alice_api, CREATE, data)
        assert response.status_code == 201, response.content
        assert response.json()["topics"] == []
    assert Post.objects.count() == 2


def refused(response, field: str) -> list[str]:
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["detail"]
    return data["errors"][field]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"body": ""}, "body", "Write a text."),
        ({"body": "   \n "}, "body", "Write a text."),
        ({"body": "x" * 100_000}, "body", None),
        ({"link": "inte en länk"}, "link", None),
        ({"link": "javascript:alert(1)"}, "link", None),
        ({"link": "ftp://example.se/fil"}, "link", None),
        ({"topics": ["vald", "finns-inte"]}, "topics", None),
    ],
)
def test_writing_with_bad_input_is_422_and_saves_nothing(alice_api, alice, change, field, message):
    data = {"body": "En text.", "topics": ["vald"], **change}
    errors = refused(send(alice_api, CREATE, data), field)
    if message:
        assert errors == [in_swedish(message)]
    assert counts() == (0, 0, 0, 0)


def test_a_100000_character_body_is_refused_by_the_service(alice_api):
    response = send(alice_api, CREATE, {"body": "x" * 100_000})
    [message] = refused(response, "body")
    assert "100000" in message
    assert response.json()["detail"] == message


def test_unknown_topics_are_named_in_the_refusal(alice_api):
    response = send(
        alice_api, CREATE, {"body": "En text.", "topics": ["vald", "finns-inte", "ej-heller"]}
    )
    [message] = refused(response, "topics")
    assert "finns-inte" in message
    assert "ej-heller" in message
    assert "vald" not in message
    assert counts() == (0, 0, 0, 0)


def test_a_retired_topic_is_refused(alice_api):
    Topic.objects.filter(slug="vald").update(is_active=False)
    [message] = refused(send(alice_api, CREATE, {"body": "Text.", "topics": ["vald"]}), "topics")
    assert "Våld" in message
    assert counts() == (0, 0, 0, 0)


def test_a_missing_body_is_422(alice_api):
    response = send(alice_api, CREATE, {"topics": ["vald"]})
    assert response.status_code == 422
    assert response.json()["detail"] == "Anropet innehåller ogiltiga uppgifter."
    assert counts() == (0, 0, 0, 0)


def test_a_personal_identity_number_is_refused_even_when_confirmed(alice_api):
    response = send(
        alice_api,
        CREATE,
        {
            "body": f"Barnet har personnummer {PERSONAL_NUMBER}.",
            "confirm_identifying_details": True,
        },
    )
    assert response.status_code == 422
    data = response.json()
    assert data["needs_confirmation"] is False
    [finding] = data["confidentiality"]
    assert (finding["kind"], finding["blocking"], finding["text"]) == (
        "personal_number",
        True,
        "19121212-XXXX",
    )
    # Never repeated in full, not even to its writer.
    assert "1212-1212" not in response.content.decode()
    assert counts() == (0, 0, 0, 0)


def test_a_phone_number_needs_confirmation(alice_api):
    data = {"body": f"Ring oss på {PHONE}."}
    response = send(alice_api, CREATE, data)
    assert response.status_code == 422
    refusal = response.json()
    assert refusal["needs_confirmation"] is True
    assert [(f["kind"], f["text"], f["blocking"]) for f in refusal["confidentiality"]] == [
        ("phone", PHONE, False)
    ]
    assert counts() == (0, 0, 0, 0)
    response = send(alice_api, CREATE, {**data, "confirm_identifying_details": True})
    assert response.status_code == 201, response.content
    assert PHONE in Post.objects.get().body


# --- One post -----------------------------------------------------------------------------------


def test_one_post_with_its_replies(bob_api, alice, bob, carol, storuman):
    post = write(alice, body="Vi har en *ny* grupp.")
    first = reply(post, bob, body="Så **bra**.")
    second = reply(post, carol, body="Vi med.")
    services.post_like(post=post, member=bob)
    response = bob_api.get(detail_url(post))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == post.pk
    assert data["body_html"] == "<p>Vi har en <em>ny</em> grupp.</p>\n"
    assert (data["reply_count"], data["like_count"], data["liked"], data["hidden"]) == (
        2,
        1,
        True,
        False,
    )
    assert [r["id"] for r in data["replies"]] == [first.pk, second.pk]
    shown = data["replies"][0]
    assert shown["body"] == "Så **bra**."
    assert shown["body_html"] == "<p>Så <strong>bra</strong>.</p>\n"
    assert shown["author"] == {"id": bob.pk, "name": "Bob Berg"}
    assert shown["organisation"] == {"id": storuman.pk, "name": storuman.name}
    assert (shown["hidden"], shown["edited_at"]) == (False, None)
    assert shown["url"] == first.get_absolute_url()


def test_unknown_post_is_404_in_swedish(bob_api, db):
    response = bob_api.get(reverse("api:get_post", kwargs={"post_id": 999999}))
    assert response.status_code == 404
    assert response.json() == {"detail": "Hittades inte."}


def test_hidden_post_is_404_except_for_moderators_and_its_author(
    alice_api, bob_api, carol_api, alice, carol
):
    post = write(alice)
    services.content_hide(item=post, moderator=carol, reason="Personuppgifter")
    assert bob_api.get(detail_url(post)).status_code == 404
    for client in (alice_api, carol_api):
        response = client.get(detail_url(post))
        assert response.status_code == 200
        assert response.json()["hidden"] is True


def test_hidden_replies_have_no_text_except_for_moderators(bob_api, carol_api, alice, bob, carol):
    post = write(alice)
    hidden = reply(post, bob, body="Något olämpligt.")
    services.content_hide(item=hidden, moderator=carol)
    data = bob_api.get(detail_url(post)).json()
    [gap] = data["replies"]
    assert (gap["hidden"], gap["body"], gap["body_html"]) == (True, None, None)
    assert "olämpligt" not in json.dumps(data, ensure_ascii=False)
    assert data["reply_count"] == 0
    assert carol_api.get(detail_url(post)).json()["replies"][0]["body"] == "Något olämpligt."


@pytest.mark.parametrize("replies", [1, 15])
def test_detail_query_count_does_not_grow(
    replies, bob_api, alice, bob, carol, django_assert_num_queries
):
    post = write(alice, topics=("vald", "barn-och-unga"))
    for number in range(replies):
        reply(post, (alice, bob, carol)[number % 3], body=f"Svar {number}")
    with django_assert_num_queries(DETAIL_QUERIES):
        response = bob_api.get(detail_url(post))
    assert len(response.json()["replies"]) == replies


# --- Replying -----------------------------------------------------------------------------------


def test_replying_returns_201_and_counts(bob_api, alice, bob, storuman):
    post = write(alice)
    response = send(bob_api, replies_url(post), {"body": "Vi gör **så**."})
    assert response.status_code == 201, response.content
    data = response.json()
    made = Reply.objects.get()
    assert data["id"] == made.pk
    assert data["body_html"] == "<p>Vi gör <strong>så</strong>.</p>\n"
    assert data["author"] == {"id": bob.pk, "name": "Bob Berg"}
    assert data["organisation"] == {"id": storuman.pk, "name": storuman.name}
    assert data["url"] == made.get_absolute_url()
    post.refresh_from_db()
    assert post.reply_count == 1


def test_replying_with_bad_input_is_422(bob_api, alice):
    post = write(alice)
    before = counts()
    assert refused(send(bob_api, replies_url(post), {"body": ""}), "body") == [
        in_swedish("Write a text.")
    ]
    refused(send(bob_api, replies_url(post), {"body": "x" * 100_000}), "body")
    response = send(
        bob_api,
        replies_url(post),
        {"body": f"Pnr {PERSONAL_NUMBER}", "confirm_identifying_details": True},
    )
    assert response.status_code == 422
    assert response.json()["confidentiality"][0]["blocking"] is True
    response = send(bob_api, replies_url(post), {"body": f"Ring {PHONE}"})
    assert response.json()["needs_confirmation"] is True
    assert counts() == before
    response = send(
        bob_api, replies_url(post), {"body": f"Ring {PHONE}", "confirm_identifying_details": True}
    )
    assert response.status_code == 201


def test_replying_to_a_hidden_post_is_404_or_403(alice_api, bob_api, carol_api, alice, carol):
    post = write(alice)
    services.content_hide(item=post, moderator=carol)
    before = counts()
    # Bob cannot see it: for him it does not exist.
    assert send(bob_api, replies_url(post), {"body": "Ett svar."}).status_code == 404
    # The author and the moderators see it, and are told why they cannot reply.
    for client in (alice_api, carol_api):
        response = send(client, replies_url(post), {"body": "Ett svar."})
        assert response.status_code == 403
        assert response.json() == {
            "detail": in_swedish("This has been hidden by a moderator and cannot be changed.")
        }
    assert counts() == before


def test_replying_to_an_unknown_post_is_404(bob_api, db):
    url = reverse("api:create_reply", kwargs={"post_id": 999999})
    assert send(bob_api, url, {"body": "Ett svar."}).status_code == 404


# --- Liking -------------------------------------------------------------------------------------


def test_liking_twice_is_409_and_stores_one_like(bob_api, carol_api, alice, bob):
    post = write(alice)
    response = send(carol_api, like_url(post))
    assert (response.status_code, response.json()) == (201, {"like_count": 1, "liked": True})
    response = send(bob_api, like_url(post))
    assert (response.status_code, response.json()) == (201, {"like_count": 2, "liked": True})
    response = send(bob_api, like_url(post))
    assert response.status_code == 409
    assert response.json() == {"detail": in_swedish("You already like this post.")}
    assert Like.objects.filter(post=post, member=bob).count() == 1
    post.refresh_from_db()
    assert post.like_count == 2
    assert bob_api.get(detail_url(post)).json()["liked"] is True


def test_unliking_returns_the_count(bob_api, alice, bob):
    post = write(alice)
    send(bob_api, like_url(post))
    unlike = reverse("api:unlike_post", kwargs={"post_id": post.pk})
    assert unlike == like_url(post)
    for _time in range(2):  # the second time there is nothing to undo: still 200
        response = bob_api.delete(unlike)
        assert (response.status_code, response.json()) == (200, {"like_count": 0, "liked": False})
    assert not Like.objects.exists()
    assert send(bob_api, like_url(post)).status_code == 201


def test_liking_a_hidden_post_is_404_or_403(alice_api, bob_api, alice, carol):
    post = write(alice)
    services.content_hide(item=post, moderator=carol)
    assert send(bob_api, like_url(post)).status_code == 404
    assert bob_api.delete(like_url(post)).status_code == 404
    assert send(alice_api, like_url(post)).status_code == 403
    assert not Like.objects.exists()


def test_liking_an_unknown_post_is_404(bob_api, db):
    url = reverse("api:like_post", kwargs={"post_id": 999999})
    assert send(bob_api, url).status_code == 404


# --- The feed -----------------------------------------------------------------------------------


def test_feed_shows_posts_and_questions_newest_first(bob_api, alice, bob, lycksele, storuman):
    question = ask(alice, topics=["barn-och-unga", "vald"])
    post = write(bob, body="Ett *inlägg*.", topics=("vald",), link="https://example.se/")
    services.post_like(post=post, member=bob)
    response = bob_api.get(FEED)
    assert response.status_code == 200
    data = response.json()
    assert data["next_cursor"] is None
    first, second = data["items"]
    post.refresh_from_db()
    assert first == {
        "kind": "post",
        "id": post.feed_entry.pk,
        "created_at": first["created_at"],
        "actor": {"id": bob.pk, "name": "Bob Berg"},
        "organisation": {"id": storuman.pk, "name": storuman.name},
        "topics": [{"slug": "vald", "name": "Våld"}],
        "url": post.get_absolute_url(),
        "post": {
            "id": post.pk,
            "body": "Ett *inlägg*.",
            "body_html": "<p>Ett <em>inlägg</em>.</p>\n",
            "link": "https://example.se/",
            "image_url": None,
            "edited_at": None,
            "reply_count": 0,
            "like_count": 1,
            "liked": True,
            "pinned": False,
        },
        "question": None,
    }
    assert second == {
        "kind": "question",
        "id": question.feed_entry.pk,
        "created_at": second["created_at"],
        "actor": {"id": alice.pk, "name": "Alice Andersson"},
        "organisation": {"id": lycksele.pk, "name": lycksele.name},
        "topics": [
            {"slug": "barn-och-unga", "name": "Barn och unga"},
            {"slug": "vald", "name": "Våld"},
        ],
        "url": question.get_absolute_url(),
        "post": None,
        "question": {
            "id": question.pk,
            "title": "Hur gör ni med placeringar?",
            "answer_count": 0,
            "anonymous": False,
        },
    }


def test_an_anonymous_askers_name_never_appears_in_the_feed(bob_api, alice, lycksele):
    question = ask(alice, title="En anonym fråga", anonymous=True)
    write(alice, body="Ett inlägg med namn.")  # Alice is named here, as she should be
    response = bob_api.get(FEED, {"amne": "vald"})
    assert response.status_code == 200
    items = response.json()["items"]
    [entry] = [item for item in items if item["kind"] == "question"]
    assert entry["question"] == {
        "id": question.pk,
        "title": "En anonym fråga",
        "answer_count": 0,
        "anonymous": True,
    }
    assert (entry["actor"], entry["organisation"]) == (None, None)
    # Parsed, so that "Lycksele kommun" is not hidden behind a \u escape.
    text = json.dumps(entry, ensure_ascii=False)
    for secret in ("Alice", "alice@lycksele.test", lycksele.name, "Lycksele"):
        assert secret not in text, secret
    # The asker's own feed says no more than anybody else's.
    own = token_client(alice).get(FEED).json()["items"]
    assert [item for item in own if item["kind"] == "question"] == [entry]


def test_feed_leaves_out_what_moderators_hid_and_filters_by_topic(bob_api, alice, bob, carol):
    violence = write(alice, topics=("vald",))
    addiction = ask(bob, topics=["missbruk-och-beroende"])
    hidden_post = write(alice, topics=("vald",))
    hidden_question = ask(alice, topics=["vald"])
    services.content_hide(item=hidden_post, moderator=carol)
    question_services.content_hide(item=hidden_question, moderator=carol)
    everything = ids(bob_api.get(FEED))
    assert everything == [addiction.feed_entry.pk, violence.feed_entry.pk]
    assert ids(bob_api.get(FEED, {"amne": "vald"})) == [violence.feed_entry.pk]
    assert ids(bob_api.get(FEED, {"topic": "missbruk-och-beroende"})) == [addiction.feed_entry.pk]


def test_feed_pages_by_cursor(bob_api, alice, bob):
    _many(alice, bob, 15)
    for number in range(10):
        ask(alice, title=f"Fråga nummer {number}", anonymous=number % 2 == 0)
    first = bob_api.get(FEED).json()
    second = bob_api.get(FEED, {"fore": first["next_cursor"]}).json()
    assert (len(first["items"]), len(second["items"]), second["next_cursor"]) == (20, 5, None)
    shown = [item["id"] for item in first["items"] + second["items"]]
    assert shown == list(
        FeedEntry.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    )


@pytest.mark.parametrize("count", [2, 25])
def test_feed_query_count_does_not_grow(count, bob_api, alice, bob, django_assert_num_queries):
    for number in range(count):
        services.post_like(post=write(alice, body=f"Inlägg {number}"), member=bob)
        ask(alice, title=f"Fråga nummer {number}", anonymous=number % 2 == 0)
    with django_assert_num_queries(FEED_QUERIES):
        response = bob_api.get(FEED)
    assert len(ids(response)) == min(2 * count, 20)
    with django_assert_num_queries(FEED_QUERIES + 1):
        response = bob_api.get(FEED, {"amne": "vald"})
    assert len(ids(response)) == min(2 * count, 20)


# --- The OpenAPI document -----------------------------------------------------------------------


def test_openapi_lists_the_operations(alice_api):
    paths = alice_api.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/posts"]) == {"get", "post"}
    assert set(paths["/api/v1/posts/{post_id}"]) == {"get"}
    assert set(paths["/api/v1/posts/{post_id}/replies"]) == {"post"}
    assert set(paths["/api/v1/posts/{post_id}/like"]) == {"post", "delete"}
    assert set(paths["/api/v1/feed"]) == {"get"}
    assert "does not upload files" in paths["/api/v1/posts"]["post"]["description"]
