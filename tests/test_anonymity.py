"""Anonymous means anonymous: everything the system can show another member, a
moderator or an administrator is searched for a trace of who asked.

A member with a name, address, municipality, title and photo found nowhere else
asks anonymously, answers in her own thread, comments, edits, gets answers and
e-mails, and has an answer hidden by a moderator. Then three readers (a member,
a moderator, an administrator) follow every link from the start page, the
question lists, the question, the admin and the API, and every e-mail sent to
someone else is read. No response that shows the anonymous content may carry
any of her traces.

Another member, made the same way, asks *by name*. The crawl must find her
traces next to her question: the proof that the detector sees an author next to
a text when there is one, so this test fails if a single template starts naming
the anonymous asker. (Lists show many questions at once, so the anonymous
asker asks nothing by name: any trace of her on a page with her texts counts.)"""

import io
import json
import zipfile
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from kollegan.accounts.models import Organisation
from kollegan.api.services import api_token_create
from kollegan.events import services as event_services
from kollegan.events.services import EventData
from kollegan.files.services import attachment_add
from kollegan.profiles import photos
from kollegan.questions import services
from kollegan.questions.models import Question
from kollegan.topics.models import Topic
from tests import files_samples as samples
from tests.conftest import client_for, make_member
from tests.helpers import bearer

pytestmark = pytest.mark.slow

# What only the anonymous asker's texts contain.
ANONYMOUS_MARKERS = (
    "Kvastfening",  # the question's title
    "Pirrmolk",  # the question's body (edited)
    "Ruskprim",  # the question's first wording, in the edit history
    "Trulsigsvar",  # her answer in her own thread
    "Hasselkvist",  # her comment
    "Gnidderlöv",  # her anonymous answer to someone else's question
    "Flaxrutin",  # the name of the file she attached to her question
)
NAMED_MARKER = "Blåsippefrågan"
MAX_PAGES = 700


@dataclass
class Asker:
    member: object
    secrets: tuple[str, ...]
    anonymous_question: Question
    named_question: Question
    other_question: Question


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link"):
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _links(base: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        found.append(url.replace("http://testserver", ""))
    return found


# Pages that change state on GET or are not pages: never followed.
SKIP_PREFIXES = ("/konto/logout/", "/static/", "/admin/logout/", "/sprak/")


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)

    def responses_with(self, text: str) -> list[str]:
        return [url for url, body in self.pages.items() if text in body]


def crawl(client: Client, starts: list[str], headers: dict | None = None) -> Crawl:
    """Every page reachable by links from ``starts``; ``headers`` go to client.get."""
    result = Crawl()
    queue = deque(starts)
    seen_admin_views: set[str] = set()
    while queue and len(result.pages) < MAX_PAGES:
        url = queue.popleft()
        if url in result.pages or url.startswith(SKIP_PREFIXES):
            continue
        path = urlsplit(url).path
        if path.startswith("/admin/"):
            # The admin's filters and sort links multiply without end: each admin
            # view once with its query string, once without.
            key = path + ("?" if urlsplit(url).query else "")
            if key in seen_admin_views:
                continue
            seen_admin_views.add(key)
        response = client.get(url, **(headers or {}))
        text = "\n".join(f"{name}: {value}" for name, value in response.items())
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("application/json"):
            # Read as a client would: "\u00f6" is an "ö".
            text += "\n" + json.dumps(response.json(), ensure_ascii=False)
        elif response.status_code == 200 and content_type.startswith("text/"):
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            text += "\n" + raw.decode("utf-8", errors="replace")
        elif response.status_code in (301, 302):
            queue.append(response["Location"])
        result.pages[url] = text
        if content_type.startswith("text/html"):
            queue.extend(_links(url, text))
    return result


def _photo_key() -> str:
    prepared = photos.PreparedPhoto(
        renditions={size: b"\xff\xd8 unique jpeg" for size in ("small", "medium", "large")}
    )
    return photos.store_photo(prepared)


@pytest.fixture
def asker(
    db,
    settings,
    tmp_path,
    alice,
    bob,
    carol,
    admin_member,
    dave,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_BATCH_SECONDS = 0
    organisation = Organisation.objects.create(name="Unikköpings kommun", slug="unikkoping")
    zelda = make_member(
        "zelda.unikdottersson@unikkoping.test",
        "Zelda Unikdottersson",
        organisation,
        title="Gnistrandesekreterare",
        town="Unikbyn",
        phone="0950-987 65",
    )
    zelda.photo_key = _photo_key()
    # Joined long ago, so the start page's "new members" does not list her.
    zelda.date_joined = timezone.now() - timedelta(days=900)
    zelda.save(update_fields=["photo_key", "date_joined"])
    zelda.topics.set(Topic.objects.filter(slug="vald"))
    for n in range(3):  # enough newer members to fill "new members"
        make_member(f"ny{n}@storuman.test", f"Ny Kollega {n}", bob.organisation)
    topics = list(Topic.objects.filter(slug__in=["barn-och-unga", "vald"]))

    with django_capture_on_commit_callbacks(execute=True):
        question = services.question_create(
            author=zelda,
            title="Hur gör ni med Ruskprim-samtal?",
            body="Första lydelsen.",
            topics=topics,
            anonymous=True,
        )
        services.question_follow(question=question, member=alice, follow=True)
        # A Word file whose properties name her, as Word writes them.
        attachment_add(
            upload=samples.upload(
                samples.docx("Underlag till frågan.", author="Zelda Unikdottersson"),
                "Flaxrutin.docx",
            ),
            uploader=zelda,
            owner=question,
        )
        services.question_edit(
            question=question,
            editor=zelda,
            title="Kvastfening: hur gör ni med samtalen?",
            body="Pirrmolk är det vi undrar över.",
            topics=topics,
        )
        bobs = services.answer_create(question=question, author=bob, body="Vi gör så här.")
        services.answer_create(question=question, author=zelda, body="Trulsigsvar, tack!")
        services.comment_create(
            question=question, author=zelda, answer=bobs, body="Hasselkvist: hur ofta?"
        )
        services.comment_create(question=question, author=alice, body="Samma fråga hos oss.")
        services.answer_mark_helpful(answer=bobs, member=zelda)
        services.content_report(item=bobs, reporter=carol, reason="Kontrollera.")
        hidden = services.answer_create(question=question, author=zelda, body="Trulsigsvar två.")
        services.content_hide(item=hidden, moderator=carol, reason="Dubblett")

        other = services.question_create(
            author=bob, title="Bobs fråga om placeringar", body="Hur gör ni?", topics=topics
        )
        services.question_follow(question=other, member=alice, follow=True)
        services.answer_create(
            question=other, author=zelda, body="Gnidderlöv: vi gör så.", anonymous=True
        )
        # By name elsewhere: she signs up for a colleague's meeting in the calendar.
        start = timezone.localtime() + timedelta(days=5)
        meeting = event_services.event_create(
            author=bob,
            data=EventData(
                title="Digital mötesplats om samtal",
                start=start,
                end=start + timedelta(minutes=45),
                topics=topics,
            ),
        )
        event_services.attendance_set(occurrence=meeting.occurrences.get(), member=zelda)
        ylva = make_member("ylva.kontrollsson@storuman.test", "Ylva Kontrollsson", bob.organisation)
        named = services.question_create(
            author=ylva,
            title=f"{NAMED_MARKER}: en fråga med namn",
            body="Den här frågar jag med mitt namn.",
            topics=topics,
        )
    secrets = (
        "Zelda",
        "Unikdottersson",
        "zelda.unikdottersson",
        "Unikköping",
        "unikkoping",
        "Gnistrandesekreterare",
        "Unikbyn",
        "987 65",
        zelda.photo_key,
        f"/medarbetare/{zelda.pk}/",
    )
    return Asker(zelda, secrets, question, named, other)


def _leaks(crawl_result: Crawl, asker: Asker) -> list[str]:
    leaks = []
    for url, body in crawl_result.pages.items():
        markers = [m for m in ANONYMOUS_MARKERS if m in body]
        secrets = [s for s in asker.secrets if s in body]
        if markers and secrets:
            leaks.append(f"{url}: shows {markers} together with {secrets}")
    return leaks


def _starts(asker: Asker) -> list[str]:
    question = asker.anonymous_question
    return [
        "/",
        "/?amne=vald",
        "/inlagg/flode/",
        "/fragor/",
        "/fragor/?visa=nyast",
        "/fragor/?visa=obesvarade",
        "/fragor/?amne=vald",
        f"/fragor/{question.pk}/",
        f"/fragor/{question.pk}/historik/",
        f"/fragor/{asker.other_question.pk}/",
        f"/fragor/{asker.other_question.pk}/historik/",
        f"/fragor/{asker.named_question.pk}/",
        "/fragor/moderering/",
        "/amnen/vald/",
        f"/medarbetare/{asker.member.pk}/",
        "/medarbetare/?q=Zelda",
        # Search finds her by name and her question by its words, never one with the other.
        "/sok/?q=Zelda",
        "/sok/?q=Zelda+Unikdottersson",
        "/sok/?q=Kvastfening",
        "/sok/?q=Kvastfening&typ=question&sortera=nyast",
        "/admin/",
        "/admin/audit/auditentry/",
        "/kalendarium/lista/",
        "/kalendarium/tidigare/",
        "/motesnoteringar/",
        "/grupper/",
        "/notiser/",
    ]


@pytest.mark.parametrize("reader", ["bob", "carol", "admin_member"])
def test_no_page_ties_the_anonymous_asker_to_her_texts(reader, asker, request):
    client = client_for(request.getfixturevalue(reader))
    result = crawl(client, _starts(asker))

    assert len(result.pages) > 30, "the crawl reached too little to mean anything"
    # The crawl saw the anonymous content and saw her (profile, directory) ...
    for marker in ("Kvastfening", "Pirrmolk", "Ruskprim", "Trulsigsvar", "Gnidderlöv", "Flaxrutin"):
        assert result.responses_with(marker), f"{marker} is on no page the crawl reached"
    assert result.responses_with("Unikdottersson")
    # (the calendar too: she is on the list of those coming to a meeting)
    assert any("/kalendarium/tillfalle/" in url for url in result.responses_with("Zelda"))
    # ... and notices when an author meets a text: the named question shows its asker.
    named_pages = result.responses_with(NAMED_MARKER)
    assert any("Kontrollsson" in result.pages[url] for url in named_pages)
    # But never on a response that shows anything she wrote anonymously.
    assert _leaks(result, asker) == []


def test_no_api_response_ties_the_anonymous_asker_to_her_texts(asker, bob):
    _token, secret = api_token_create(member=bob, name="Skript")
    token_header = {"headers": bearer(secret)}
    question = asker.anonymous_question
    starts = [
        "/api/v1/questions",
        "/api/v1/feed",
        "/api/v1/feed?amne=vald",
        "/api/v1/questions?visa=nyast",
        "/api/v1/questions?amne=vald",
        f"/api/v1/questions/{question.pk}",
        f"/api/v1/questions/{asker.other_question.pk}",
        f"/api/v1/questions/{asker.named_question.pk}",
        "/api/v1/members?q=Zelda",
        "/api/v1/search?q=Zelda",
        "/api/v1/search?q=Kvastfening",
        f"/api/v1/members/{asker.member.pk}",
        "/api/v1/openapi.json",
        "/api/v1/events",
        "/api/v1/notes",
        "/api/v1/notifications",
    ]
    result = crawl(Client(), starts, headers=token_header)
    # Bob is told of the anonymous answer to his question, without its writer.
    assert "Bobs fråga om placeringar" in result.pages["/api/v1/notifications"]
    assert all(body.startswith("Content-Type: application/json") for body in result.pages.values())
    assert result.responses_with("Kvastfening") and result.responses_with("Gnidderlöv")
    # The feed announces both questions; only the named one with its asker.
    assert "Kvastfening" in result.pages["/api/v1/feed"]
    assert "Kvastfening" in result.pages["/api/v1/search?q=Kvastfening"]
    assert "Unikdottersson" in result.pages["/api/v1/search?q=Zelda"]
    assert "Kontrollsson" in result.pages["/api/v1/feed"]
    assert "Kontrollsson" in result.pages[f"/api/v1/questions/{asker.named_question.pk}"]
    assert "Unikdottersson" in result.pages[f"/api/v1/members/{asker.member.pk}"]
    assert _leaks(result, asker) == []
    # Nor does an id: no author or organisation object in the thread is hers.
    detail = Client().get(f"/api/v1/questions/{question.pk}", **token_header).json()
    people = list(_people(detail))
    assert people, "the thread has named writers, so the walk must find some"
    assert ("author", asker.member.pk) not in people
    assert ("organisation", asker.member.organisation_id) not in people


def test_her_file_carries_no_trace_of_her(asker, bob):
    """Nor does the file she attached: no uploader on its row or in the API, and the
    name Word wrote into its properties is gone from the bytes served."""
    [attachment] = asker.anonymous_question.attachments.all()
    assert attachment.uploaded_by_id is None
    _token, secret = api_token_create(member=bob, name="Skript")
    described = Client().get(f"/api/v1/files/{attachment.pk}", headers=bearer(secret))
    assert described.status_code == 200
    assert not [s for s in asker.secrets if s in described.content.decode()]
    response = client_for(bob).get(attachment.get_absolute_url())
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(served)) as package:
        text = "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())
    assert "Underlag till frågan" in text
    assert "Zelda" not in text and "Unikdottersson" not in text
    assert not [
        s for s in asker.secrets if s in "\n".join(f"{k}: {v}" for k, v in response.items())
    ]


def _people(value):
    """Every (key, id) of an "author" or "organisation" object inside a JSON value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("author", "organisation") and isinstance(inner, dict):
                yield key, inner["id"]
            yield from _people(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _people(inner)


def test_no_email_to_anyone_else_ties_the_anonymous_asker_to_her_texts(asker):
    to_others = [m for m in mail.outbox if asker.member.email not in m.to]
    to_her = [m for m in mail.outbox if asker.member.email in m.to]
    assert to_others, "the followers were sent nothing"
    assert to_her, "the anonymous asker was not told of the answer"
    for message in to_others:
        text = "\n".join(
            [message.subject, message.body, str(message.message())]
            + [content for content, _type in message.alternatives]
        )
        assert not [s for s in asker.secrets if s in text], message.subject
