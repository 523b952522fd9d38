"""The thread's answers and comments are put together in Python for speed
(kollegan/questions/rendering.py); these tests hold that markup to what the
templates and forms it replaced would give."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from kollegan.questions import services
from kollegan.questions.forms import CommentForm
from kollegan.questions.rendering import Bylines
from kollegan.topics.models import Topic
from tests.conftest import make_member

MOMENTS = [
    datetime.datetime(2025, 3, 2, 7, 5, tzinfo=datetime.UTC),  # winter time, one-digit day
    datetime.datetime(2025, 7, 31, 22, 30, tzinfo=datetime.UTC),  # summer time, next day locally
    datetime.datetime(2024, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_times_read_as_the_date_filter_writes_them(language, moment):
    # Templates turn a time into local time before the filter sees it.
    local = timezone.localtime(moment)
    with translation.override(language):
        iso, shown = Bylines().when(moment)
        assert iso == date_filter(local, "c")
        assert shown == date_filter(local, "j F Y, H:i")
    assert iso.startswith(f"{local:%Y-%m-%dT%H:%M}")


def ask(member, **fields):
    defaults = {
        "title": "Hur gör ni med samtalen?",
        "body": "Vi undrar.",
        "topics": [Topic.objects.get(slug="vald")],
    }
    return services.question_create(author=member, **{**defaults, **fields})


def test_a_name_is_text_however_it_is_written(alice, bob, bob_client):
    sly = make_member("sly@storuman.test", '<img src=x onerror="alert(1)">', bob.organisation)
    question = ask(alice)
    services.answer_create(question=question, author=sly, body="Svar.")
    services.comment_create(question=question, author=sly, body="Kommentar.")
    page = bob_client.get(question.get_absolute_url()).content.decode()
    assert "<img src=x" not in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") == 2


class _Forms(HTMLParser):
    """Each form's action and the names and ids of what it sends."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag in ("input", "textarea") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("id")


def test_the_written_out_comment_form_is_the_comment_form(alice, bob, bob_client):
    question = ask(alice)
    answer = services.answer_create(question=question, author=alice, body="Svar.")
    page = bob_client.get(question.get_absolute_url()).content.decode()
    parser = _Forms()
    parser.feed(page)
    comment_url = reverse("questions:comment", args=[question.pk])
    [form] = [f for f in parser.forms if f["action"] == f"{comment_url}#kommentera-{answer.pk}"]

    expected = CommentForm(auto_id=f"kommentar-{answer.pk}-%s", initial={"svar": answer.pk})
    fields = dict(form["fields"])
    assert fields.pop("csrfmiddlewaretoken") is None
    assert fields == {name: expected[name].auto_id for name in ("svar", "body", "anonymous")}
    assert f'value="{answer.pk}"' in re.search(r'<input type="hidden" name="svar"[^>]*>', page)[0]

    # And it works: what it sends makes a comment on that answer.
    response = bob_client.post(comment_url, {"svar": answer.pk, "body": "Tack för svaret."})
    assert response.status_code == 302
    assert answer.comments.get().body == "Tack för svaret."


def test_an_edited_answer_links_to_its_place_in_the_history(alice, bob, bob_client):
    question = ask(alice)
    answer = services.answer_create(question=question, author=bob, body="Först.")
    services.answer_edit(answer=answer, editor=bob, body="Sedan.")
    page = bob_client.get(question.get_absolute_url()).content.decode()
    history = reverse("questions:history", args=[question.pk])
    assert f'href="{history}#historik-svar-{answer.pk}"' in page
    assert timezone.localtime(answer.created_at).isoformat() in page
