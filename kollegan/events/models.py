"""Kalendarium: events, their occurrences, who is coming, and each member's
calendar settings (layout and personal subscription link).

An event is either single or a series (an RFC 5545 RRULE from its first start).
Every date it happens on is an ``Occurrence`` row, written when the event is
saved: lists and the month grid read one index by time instead of expanding
rules per request, and a date's theme, a moved time, a skipped week, who is
coming and the meeting notes all hang on that row. The rule stays the source
of truth; the rows are regenerated from it when the series changes, keeping
each date's exceptions (matched by local date).

``ics`` is the event as calendar text (VEVENT, overrides and EXDATEs), written
at every change, so a subscription feed of thousands of events is a
concatenation rather than thousands of serialisations per request."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kollegan.accounts.models import Organisation
from kollegan.groups.models import Group
from kollegan.topics.models import Topic

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
PLACE_MAX = 200
URL_MAX = 500
THEME_MAX = 200
RRULE_MAX = 500


def new_uid() -> str:
    return f"{uuid.uuid4()}@kollegan"


class Event(models.Model):
    uid = models.CharField(max_length=100, unique=True, default=new_uid, editable=False)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    description_html = models.TextField(blank=True, editable=False)
    # The first occurrence (DTSTART/DTEND): what the rule repeats.
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    all_day = models.BooleanField(_("all day"), default=False)
    place = models.CharField(_("place"), max_length=PLACE_MAX, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=URL_MAX, blank=True)
    organiser = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("organiser"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="hosted_events", blank=True, verbose_name=_("hosts")
    )
    topics = models.ManyToManyField(
        Topic, related_name="events", blank=True, verbose_name=_("topics")
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("only for the group"),
    )
    rrule = models.CharField(_("recurrence rule"), max_length=RRULE_MAX, blank=True)
    # The end of the last occurrence: which events a feed or a range touches.
    last_end = models.DateTimeField(editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    # RFC 5545 SEQUENCE: raised at every change, so calendar apps take the update.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    ics = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["last_end"], name="event_last_end_idx"),
            models.Index(fields=["author", "-start"], name="event_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="event_ends_after")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    @property
    def is_series(self) -> bool:
        return bool(self.rrule)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def html(self) -> SafeString:
        return mark_safe(self.description_html)  # noqa: S308 - sanitised when written


class Occurrence(models.Model):
    """One date of an event. ``original_start`` is where the rule put it (the
    RECURRENCE-ID); ``start``/``end`` differ from it when the date was moved."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="occurrences")
    original_start = models.DateTimeField()
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    theme = models.CharField(_("theme"), max_length=THEME_MAX, blank=True)
    skipped = models.BooleanField(_("skipped"), default=False)
    moved = models.BooleanField(_("moved"), default=False)
    # The event's group, copied so lists filter by visibility on the date's own
    # row and keep reading the time index (no index of its own for the same reason).
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        editable=False,
    )
    # Kept by the services so lists need no COUNT per date.
    going_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        constraints = [
            models.UniqueConstraint(fields=["event", "original_start"], name="occurrence_once"),
        ]
        indexes = [
            models.Index(fields=["start", "id"], name="occurrence_start_idx"),
            models.Index(fields=["event", "start"], name="occurrence_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("events:occurrence", args=[self.pk])

    @property
    def is_exception(self) -> bool:
        return bool(self.theme) or self.skipped or self.moved


class Attendance(models.Model):
    """ "Jag kommer": one member to one date."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["occurrence", "member"], name="attend_once")]
        indexes = [models.Index(fields=["member", "occurrence"], name="attendance_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.occurrence_id}"


class CalendarSettings(models.Model):
    """A member's calendar choices: the layout they last chose, and the secret
    behind their subscription link (empty: no link, or revoked)."""

    class Layout(models.TextChoices):
        LIST = "list", _("List")
        MONTH = "month", _("Month")

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="calendar_settings",
    )
    layout = models.CharField(max_length=10, choices=Layout, default=Layout.LIST)
    feed_secret = models.CharField(max_length=64, blank=True, editable=False)
    feed_created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self) -> str:
        return str(self.member_id)
