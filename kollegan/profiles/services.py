"""Writes to a member's own profile."""

import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify

from kollegan.accounts.models import ExpertiseLabel, Member, Unit
from kollegan.profiles import photos
from kollegan.topics.models import Topic

LABEL_MAX_LENGTH = ExpertiseLabel._meta.get_field("name").max_length
_SPACES = re.compile(r"\s+")


def expertise_label_normalise(name: str) -> str:
    """One spelling per label: spaces collapsed, at most 60 characters, first letter
    raised ("adoptionsutredning" -> "Adoptionsutredning"). Only the first letter,
    so "LSS-boende" and "BBIC" keep their capitals."""
    name = _SPACES.sub(" ", name).strip()[:LABEL_MAX_LENGTH].strip()
    return name[:1].upper() + name[1:]


def _label_slug(name: str, taken: set[str]) -> str:
    slug_length = ExpertiseLabel._meta.get_field("slug").max_length
    base = slugify(name)[: slug_length - 4].strip("-") or "etikett"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def expertise_labels_get_or_create(names: Iterable[str]) -> list[ExpertiseLabel]:
    """The labels for these names, reusing existing ones regardless of case.

    Case is compared in Python: SQLite's LIKE folds only ASCII, so "Våld" and
    "VÅLD" would otherwise become two labels. Names that differ only in case
    share a slug stem, so the candidates are found through it (and through
    ``iexact``, for labels an administrator gave a slug of their own)."""
    wanted: dict[str, str] = {}
    for raw in names:
        name = expertise_label_normalise(raw)
        if name:
            wanted.setdefault(name.casefold(), name)
    labels: list[ExpertiseLabel] = []
    for folded, name in wanted.items():
        stem = slugify(name) or "etikett"
        candidates = list(
            ExpertiseLabel.objects.filter(
                Q(name__iexact=name) | Q(slug=stem) | Q(slug__startswith=f"{stem}-")
            )
        )
        existing = next((c for c in candidates if c.name.casefold() == folded), None)
        if existing is None:
            existing = _label_create(name, taken={c.slug for c in candidates})
        labels.append(existing)
    return labels


def _label_create(name: str, taken: set[str]) -> ExpertiseLabel:
    try:
        # A savepoint, so that losing a race with another member creating the
        # same label does not break the surrounding transaction.
        with transaction.atomic():
            return ExpertiseLabel.objects.create(name=name, slug=_label_slug(name, taken))
    except IntegrityError:
        return ExpertiseLabel.objects.get(name=name)


@transaction.atomic
def profile_update(
    *,
    member: Member,
    name: str,
    title: str,
    unit: Unit | None,
    town: str,
    phone: str,
    phone_visibility: str,
    email_visibility: str,
    about: str,
    topics: Iterable[Topic],
    expertise: Iterable[str],
    photo: photos.PreparedPhoto | None = None,
    remove_photo: bool = False,
) -> Member:
    """Save what a member says about themselves. The organisation is not here:
    administrators set it, and the unit must belong to it."""
    if unit is not None and unit.organisation_id != member.organisation_id:
        raise ValueError("the unit belongs to another organisation")
    member.name = name.strip()
    member.title = title.strip()
    member.unit = unit
    member.town = town.strip()
    member.phone = phone.strip()
    member.phone_visibility = phone_visibility
    member.email_visibility = email_visibility
    member.about = about
    old_photo_key = member.photo_key
    if photo is not None:
        member.photo_key = photos.store_photo(photo)
        # If the transaction fails after this point the new files stay behind
        # unreferenced; they are unguessable and harmless, unlike a lost photo.
    elif remove_photo:
        member.photo_key = ""
    member.save(
        update_fields=[
            "name",
            "title",
            "unit",
            "town",
            "phone",
            "phone_visibility",
            "email_visibility",
            "about",
            "photo_key",
        ]
    )
    member.topics.set(topics)
    member.expertise.set(expertise_labels_get_or_create(expertise))
    if old_photo_key and old_photo_key != member.photo_key:
        # Only once the new key is committed: a rollback must not leave the
        # profile pointing at deleted files.
        transaction.on_commit(lambda: photos.delete_photo(old_photo_key))
    return member
