"""Mötesnoteringar: notes from a meeting, so that those who could not come
still get its content. A note belongs to one date of an event (one click from
it) or stands free; a note of a group's event is the group's alone."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kollegan.core.models import MemberText
from kollegan.events.models import Event, Occurrence
from kollegan.groups.models import Group
from kollegan.topics.models import Topic

TITLE_MAX = 200
BODY_MAX = 50_000


class Note(MemberText):
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    topics = models.ManyToManyField(
        Topic, related_name="notes", blank=True, verbose_name=_("topics")
    )
    # The meeting it is from; the event stays when its date is removed from a series.
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("event"),
    )
    occurrence = models.ForeignKey(
        Occurrence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("meeting"),
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("only for the group"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("meeting note")
        verbose_name_plural = _("meeting notes")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="note_newest_idx"),
            models.Index(fields=["author", "-created_at"], name="note_author_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notes:detail", args=[self.pk])
