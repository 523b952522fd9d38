"""Mina uppgifter → notiser.json: what the member chose to be told about, what
they follow and when e-mail went to them; never what others wrote."""

import io
import json
import zipfile

from django.urls import reverse

from kollegan.notifications import delivery
from kollegan.notifications.models import Activity, Frequency, Kind, Target
from kollegan.notifications.services import follow_set, settings_save, subscriptions_set
from kollegan.questions import services as questions
from kollegan.topics.models import Topic
from tests.conftest import client_for


def _exported(member) -> dict:
    response = client_for(member).post(reverse("profiles:my_data"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return json.loads(archive.read("notiser.json").decode("utf-8"))


def test_my_data_holds_my_choices_and_not_what_others_wrote(alice, bob):
    barn = Topic.objects.get(slug="barn-och-unga")
    subscriptions_set(member=alice, choices={(barn.pk, Kind.QUESTION): Frequency.IMMEDIATE})
    settings_save(member=alice, digest_hour=6, mentions=Frequency.DAILY)
    follow_set(member=alice, target_type=Target.EVENT, target_id=41, follow=True)
    questions.question_create(
        author=bob, title="Bobs hemliga rubrik", body="Bobs text", topics=[barn]
    )
    delivery.activity_fan_out(Activity.objects.get().pk)

    exported = _exported(alice)
    assert exported["settings"]["digest_hour"] == 6
    assert exported["settings"]["mentions"] == "daily"
    assert exported["topic_subscriptions"] == [
        {"topic": "Barn och unga", "kind": "question", "frequency": "immediate"}
    ]
    assert [(row["type"], row["id"]) for row in exported["following"]] == [("event", 41)]
    assert exported["notifications"] == {"count": 1, "unread": 1}
    text = json.dumps(exported, ensure_ascii=False)
    assert "Bob" not in text
    assert _exported(bob)["topic_subscriptions"] == []
