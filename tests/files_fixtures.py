"""Fixtures the test_files_* modules share, loaded by them as a plugin
(``pytest_plugins = ["tests.files_fixtures"]``): MEDIA_ROOT in a fresh folder,
and one item of each kind files are attached to."""

import pytest


@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT in a fresh folder, so a test can see every file stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def barn(db):
    from kollegan.topics.models import Topic

    return Topic.objects.get(slug="barn-och-unga")


@pytest.fixture
def question(alice, barn):
    from kollegan.questions import services

    return services.question_create(
        author=alice, title="Placering av mor och barn", body="Hur gör ni?", topics=[barn]
    )


@pytest.fixture
def anonymous_question(alice, barn):
    from kollegan.questions import services

    return services.question_create(
        author=alice,
        title="En känslig fråga om placering",
        body="Hur gör ni?",
        topics=[barn],
        anonymous=True,
    )


@pytest.fixture
def note(alice):
    from kollegan.notes import services

    return services.note_create(author=alice, title="Anteckningar", body="Vi pratade om rutiner.")


@pytest.fixture
def group_note(alice, carol):
    """A note only the group "Kurs" (carol and alice) reads."""
    from kollegan.groups import services as group_services
    from kollegan.notes import services

    group = group_services.group_create(moderator=carol, name="Kurs")
    group_services.group_add_members(moderator=carol, group=group, members=[alice])
    return services.note_create(author=alice, title="Gruppens", body="Bara för oss.", group=group)


@pytest.fixture
def document(alice):
    from kollegan.documents.models import Document

    return Document.objects.create(
        title="Gemensam riktlinje", body="Text", owner=alice, updated_by=alice
    )


@pytest.fixture
def adoption(document, alice, lycksele):
    from kollegan.documents.models import Adoption, AdoptionStatus

    return Adoption.objects.create(
        document=document,
        organisation=lycksele,
        status=AdoptionStatus.VARIANT,
        recorded_by=alice,
    )
