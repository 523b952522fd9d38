"""The Kalendarium's forms: an event or a series, one date of a series.

They read what was sent and turn it into the services' terms: a date and a
time become an aware datetime in Swedish time, the repeat choice becomes an
RRULE (``recurrence.compose``), the lines of skipped dates and themes are read
against the dates the rule gives. The rules themselves (lengths, links, group,
the confidentiality guard) are the services'; their refusals land on the
fields here, through GuardedForm."""

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kollegan.accounts.models import Member, Organisation
from kollegan.events import recurrence, services
from kollegan.events.models import PLACE_MAX, THEME_MAX, TITLE_MAX, URL_MAX, Event, Occurrence
from kollegan.events.recurrence import MAX_OCCURRENCES, STOCKHOLM, local
from kollegan.events.services import EventData
from kollegan.groups.models import Group
from kollegan.groups.selectors import groups_of
from kollegan.groups.services import members_by_email
from kollegan.questions.forms import MARKDOWN_HINT, GuardedForm, confirmation_field, topics_field
from kollegan.topics.models import Topic

REPEAT_CHOICES = [
    ("none", _("Does not repeat")),
    ("daily", _("Every day")),
    ("weekdays", _("Every weekday (Monday to Friday)")),
    ("weekly", _("Every week")),
    ("biweekly", _("Every other week")),
    ("monthly", _("Every month")),
    ("custom", _("By a rule of my own (RRULE)")),
]
# The end of an all-day event as the form gives it: any time but midnight means
# "to the end of that day" to the services.
ALL_DAY_END = dt.time(23, 59)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _at(date: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=STOCKHOLM)


class TimesMixin:
    """Start and end as date + time fields; ``all_day`` (a field, or the event's)
    makes the times unnecessary."""

    def _times(self, data: dict, *, all_day: bool) -> tuple[dt.datetime | None, dt.datetime | None]:
        start_date = data.get("start_date")
        end_date = data.get("end_date") or start_date
        start_time, end_time = data.get("start_time"), data.get("end_time")
        missing = False
        if start_date is None:
            if "start_date" not in self.errors:
                self.add_error("start_date", _("Give the start date."))
            missing = True
        if not all_day:
            if start_time is None and "start_time" not in self.errors:
                self.add_error("start_time", _("Give the start time, or tick All day."))
                missing = True
            if end_time is None and "end_time" not in self.errors:
                self.add_error("end_time", _("Give the end time."))
                missing = True
        names = ("start_date", "start_time", "end_date", "end_time")
        if missing or any(name in self.errors for name in names):
            return None, None
        if all_day:
            return _at(start_date, dt.time(0)), _at(end_date, ALL_DAY_END)
        return _at(start_date, start_time), _at(end_date, end_time)

    def _field_for(self, name: str, *, all_day: bool) -> str | None:
        """Where a service's refusal about ``name`` is shown."""
        if name == "start":
            return "start_date"
        if name == "end":
            return "end_date" if all_day else "end_time"
        return name if name in self.fields else None

    def _add_refusal(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            self.add_error(self._field_for(name, all_day=self._all_day()), errors)


class EventForm(TimesMixin, GuardedForm):
    """Add an event or a series, or change one (``event=``), or change a series
    from one of its dates on (the view gives the initial values)."""

    anchors = {"topics": "{}_0"}

    title = forms.CharField(
        label=_("Title"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "autocomplete": "off"}),
        help_text=_("For example “Digital mötesplats” or “Barnets resa i socialtjänsten”."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HINT,
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=_date_input())
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=_time_input())
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=_date_input(),
        help_text=_("Leave it empty when the event ends the same day."),
    )
    end_time = forms.TimeField(label=_("End time"), required=False, widget=_time_input())
    all_day = forms.BooleanField(
        label=_("All day"),
        required=False,
        help_text=_("No times: the event lasts from the start date to the end date."),
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": PLACE_MAX}),
        help_text=_("An address or a room. Leave it empty for a meeting only online."),
    )
    online_url = forms.CharField(
        label=_("Online meeting link"),
        required=False,
        widget=forms.URLInput(attrs={"maxlength": URL_MAX, "autocomplete": "off"}),
        help_text=_("The Teams or Zoom link, starting with https://"),
    )
    organiser = forms.ModelChoiceField(
        label=_("Organiser"),
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("No organiser"),
    )
    topics = topics_field(_("Optional, at most five. Members can filter the calendar by topic."))
    hosts = forms.CharField(
        label=_("Hosts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Optional: the e-mail addresses of members who host it, separated by commas or "
            "one a line. Hosts can change the event and see who signed up."
        ),
    )
    group = forms.ModelChoiceField(
        label=_("Who sees it"),
        queryset=Group.objects.all(),
        required=False,
        empty_label=_("All members"),
        help_text=_("An event for a group is seen only by its members."),
    )
    repeat = forms.ChoiceField(label=_("How often"), choices=REPEAT_CHOICES, initial="none")
    until = forms.DateField(
        label=_("Last date"),
        required=False,
        widget=_date_input(),
        help_text=_("A series must end: give its last date or the number of times."),
    )
    count = forms.IntegerField(
        label=_("Number of times"),
        required=False,
        min_value=1,
        max_value=MAX_OCCURRENCES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    rrule = forms.CharField(
        label=_("Your own rule (RRULE)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Only with “By a rule of my own”, as in RFC 5545, for example "
            "FREQ=WEEKLY;BYDAY=WE;UNTIL=20261216."
        ),
    )
    skip_dates = forms.CharField(
        label=_("Skipped dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date a line, such as 2026-09-23 or 23/9: the weeks without a meeting."),
    )
    themes = forms.CharField(
        label=_("Themes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One date and its theme a line, such as “2026-09-02 Funktionshinder” or "
            "“2/9 Funktionshinder”. The theme is shown after the title on that date."
        ),
    )
    confirmed = confirmation_field()

    def __init__(
        self, *args: Any, member: Member, event: Event | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.event_data: EventData | None = None
        topics = Topic.objects.filter(is_active=True)
        if event is not None:
            # A topic no longer in use stays ticked, so the editor sees it and can untick it.
            topics = Topic.objects.filter(Q(is_active=True) | Q(events=event)).distinct()
        self.fields["topics"].queryset = topics.only("pk", "name", "slug").order_by(
            "position", "name"
        )
        # Offered: the groups the member is in. Any group is read, so one they are
        # not in is refused by the service with its own message.
        groups = [(group.pk, group.name) for group in groups_of(member).order_by("name")]
        self.fields["group"].choices = [("", self.fields["group"].empty_label), *groups]
        self.has_groups = bool(groups)
        if event is None and not self.is_bound and "organiser" not in self.initial:
            self.initial["organiser"] = member.organisation.slug if member.organisation_id else ""

    def _all_day(self) -> bool:
        return bool(self.cleaned_data.get("all_day")) if hasattr(self, "cleaned_data") else False

    def _field_for(self, name: str, *, all_day: bool) -> str | None:
        if name == "rrule":
            return self._rule_field()
        return super()._field_for(name, all_day=all_day)

    def _rule_field(self) -> str:
        """A custom rule's refusals go to its text; a simple choice's to its end."""
        data = getattr(self, "cleaned_data", {})
        kind = data.get("repeat", "none")
        if kind == "custom":
            return "rrule"
        if kind == "none":
            return "repeat"
        return "count" if data.get("count") and not data.get("until") else "until"

    def attempt(self, call):
        result = super().attempt(call)
        if self.guard is not None:
            self._describe("description", error=False)
        return result

    def clean_hosts(self) -> list[Member]:
        addresses = [part for part in re.split(r"[\s,;]+", self.cleaned_data["hosts"]) if part]
        if not addresses:
            return []
        try:
            return members_by_email(addresses)
        except ValidationError as error:
            raise ValidationError(error.error_dict.get("emails", error.messages)) from None

    def clean(self) -> dict:
        data = super().clean()
        all_day = bool(data.get("all_day"))
        start, end = self._times(data, all_day=all_day)
        if start is None:
            return data
        kind = data.get("repeat") or "none"
        if kind == "custom" and not (data.get("rrule") or "").strip():
            self.add_error("rrule", _("Write the rule, or choose another way to repeat."))
            return data
        if kind not in ("none", "custom") and data.get("until") and data.get("count"):
            message = _("Give either the last date or the number of times, not both.")
            self.add_error("count", message)
            return data
        rule_text = recurrence.compose(
            kind, until=data.get("until"), count=data.get("count"), custom=data.get("rrule", "")
        )
        try:
            rule = recurrence.normalise_rule(rule_text, all_day=all_day)
            dates = [value.date() for value in recurrence.expand(rule, start)]
            themes = recurrence.parse_date_lines(
                data.get("themes", ""), field="themes", dates=dates, with_text=True
            )
            skipped = recurrence.parse_date_lines(
                data.get("skip_dates", ""), field="skip_dates", dates=dates, with_text=False
            )
        except ValidationError as error:
            self._add_refusal(error)
            return data
        self.event_data = EventData(
            title=data.get("title", ""),
            start=start,
            end=end,
            description=data.get("description", ""),
            all_day=all_day,
            place=data.get("place", ""),
            online_url=data.get("online_url", ""),
            organiser=data.get("organiser"),
            topics=list(data.get("topics") or []),
            hosts=data.get("hosts") or [],
            group=data.get("group"),
            rrule=rule,
            skip_dates=[line.date for line in skipped],
            themes={line.date: line.text for line in themes},
        )
        return data

    @property
    def recurrence_open(self) -> bool:
        """The repeat settings sit in a disclosure; it opens when they hold something."""
        names = ("repeat", "until", "count", "rrule", "skip_dates", "themes")
        if any(name in self.errors for name in names):
            return True
        value = self["repeat"].value()
        return bool(value and value != "none") or bool(
            self["themes"].value() or self["skip_dates"].value()
        )


def _lines(dates: list[dt.date], themes: dict[dt.date, str]) -> tuple[str, str]:
    skipped = "\n".join(date.isoformat() for date in dates)
    themed = "\n".join(f"{date.isoformat()} {theme}" for date, theme in sorted(themes.items()))
    return skipped, themed


def event_initial(event: Event, *, following: Occurrence | None = None) -> dict:
    """The form's values for ``event``; with ``following``, for the series from
    that date on (its rule's rest, the themes and skipped dates from then)."""
    start, end = local(event.start), local(event.end)
    last = local(event.end - dt.timedelta(microseconds=1)) if event.all_day else end
    rule = event.rrule
    skipped, themes = services.exceptions_of(event)
    if following is not None and rule:
        first = local(following.original_start).date()
        taken = event.occurrences.filter(original_start__lt=following.original_start).count()
        if taken:
            _head, rule = recurrence.split_rule(rule, before=following.original_start, taken=taken)
        shift = first - start.date()
        start, end, last = start + shift, end + shift, last + shift
        skipped = [date for date in skipped if date >= first]
        themes = {date: theme for date, theme in themes.items() if date >= first}
    kind = recurrence.simple_kind(rule)
    until, count = recurrence.rule_end(rule) if kind not in ("none", "custom") else (None, None)
    skip_text, theme_text = _lines(skipped, themes)
    hosts = event.hosts.order_by("email").values_list("email", flat=True)
    return {
        "title": event.title,
        "description": event.description,
        "start_date": start.date(),
        "start_time": None if event.all_day else start.time(),
        "end_date": last.date(),
        "end_time": None if event.all_day else end.time(),
        "all_day": event.all_day,
        "place": event.place,
        "online_url": event.online_url,
        "organiser": event.organiser.slug if event.organiser_id else "",
        "topics": list(event.topics.values_list("slug", flat=True)),
        "hosts": "\n".join(hosts),
        "group": event.group_id or "",
        "repeat": kind,
        "until": until,
        "count": count,
        "rrule": rule if kind == "custom" else "",
        "skip_dates": skip_text,
        "themes": theme_text,
    }


class OccurrenceForm(TimesMixin, GuardedForm):
    """One date of a series (or a single event's date): its theme, its time, skipped."""

    theme = forms.CharField(
        label=_("Theme"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": THEME_MAX}),
        help_text=_("Shown after the title on this date, for example “Funktionshinder”."),
    )
    start_date = forms.DateField(label=_("Date"), required=False, widget=_date_input())
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=_time_input())
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=_date_input(),
        help_text=_("Leave it empty when it ends the same day."),
    )
    end_time = forms.TimeField(label=_("End time"), required=False, widget=_time_input())
    skipped = forms.BooleanField(
        label=_("No meeting this date"),
        required=False,
        help_text=_("The date stays in the calendar, marked as skipped."),
    )
    confirmed = confirmation_field()

    def __init__(self, *args: Any, occurrence: Occurrence, **kwargs: Any) -> None:
        self.occurrence = occurrence
        if not kwargs.get("initial") and not args:
            start, end = local(occurrence.start), local(occurrence.end)
            if occurrence.event.all_day:
                end = local(occurrence.end - dt.timedelta(microseconds=1))
            kwargs["initial"] = {
                "theme": occurrence.theme,
                "start_date": start.date(),
                "start_time": start.time(),
                "end_date": end.date(),
                "end_time": end.time(),
                "skipped": occurrence.skipped,
            }
        super().__init__(*args, **kwargs)
        if occurrence.event.all_day:
            del self.fields["start_time"], self.fields["end_time"]
        if not occurrence.event.is_series:
            del self.fields["skipped"]
        self.times: tuple[dt.datetime | None, dt.datetime | None] = (None, None)

    def _all_day(self) -> bool:
        return self.occurrence.event.all_day

    def attempt(self, call):
        result = super().attempt(call)
        if self.guard is not None:
            self._describe("theme", error=False)
        return result

    def clean(self) -> dict:
        data = super().clean()
        self.times = self._times(data, all_day=self._all_day())
        return data
