"""Calendar text (RFC 5545) through the icalendar library.

Each event's VEVENTs are serialised when the event changes (``event_ics``) and
stored on the row; a subscription feed or a download wraps stored texts in one
VCALENDAR with a VTIMEZONE for Europe/Stockholm (``calendar_text``). The UID
never changes, and SEQUENCE rises with every change, so calendar apps replace
an event instead of adding a copy; a series is one VEVENT with RRULE and EXDATE
plus one VEVENT per changed date (RECURRENCE-ID), which is what Outlook,
Google and Apple calendars expand themselves."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vRecur
from icalendar import Event as VEvent

from kollegan.core.selectors import site_config
from kollegan.events.models import Event, Occurrence
from kollegan.events.recurrence import STOCKHOLM, local

PRODID = "-//Digitala kollegan//Kalendarium//SV"


def _timezone() -> Timezone:
    """Europe/Stockholm as RFC 5545 describes a zone: the EU rules for summer
    time (last Sunday of March and of October), which every calendar app reads."""
    zone = Timezone()
    zone.add("tzid", "Europe/Stockholm")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", dt.timedelta(hours=1))
    summer.add("tzoffsetto", dt.timedelta(hours=2))
    summer.add("dtstart", dt.datetime(1970, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", dt.timedelta(hours=2))
    winter.add("tzoffsetto", dt.timedelta(hours=1))
    winter.add("dtstart", dt.datetime(1970, 10, 25, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def _when(value: dt.datetime, all_day: bool) -> dt.date | dt.datetime:
    return local(value).date() if all_day else local(value)


def display_title(title: str, theme: str) -> str:
    """An event's title with a date's theme, as the site and the feed show it."""
    return f"{title} – {theme}" if theme else title


def _description(event: Event, page: str) -> str:
    """The description as written, then the meeting link and the page (in the
    site's language: the text is written once for every subscriber)."""
    parts = [event.description.strip()] if event.description.strip() else []
    with translation.override(settings.LANGUAGE_CODE):
        if event.online_url:
            parts.append(_("Meeting link: %(url)s") % {"url": event.online_url})
        parts.append(_("In %(site)s: %(url)s") % {"site": site_config().site_name, "url": page})
    return "\n\n".join(parts)


def _vevent(event: Event, *, start, end, title: str, page: str, stamp: dt.datetime) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("created", event.created_at.astimezone(dt.UTC))
    vevent.add("last-modified", stamp)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", title)
    vevent.add("dtstart", _when(start, event.all_day))
    vevent.add("dtend", _when(end, event.all_day))
    vevent.add("description", _description(event, page))
    location = event.place or event.online_url
    if location:
        vevent.add("location", location)
    vevent.add("url", page)
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if event.all_day else "OPAQUE")
    return vevent


def event_ics(event: Event, occurrences: Iterable[Occurrence], topic_names: list[str]) -> str:
    """The event's VEVENTs: the master (with RRULE and EXDATEs for a series) and
    one per date whose theme or time differs."""
    site = settings.SITE_URL
    stamp = (event.edited_at or event.created_at).astimezone(dt.UTC).replace(microsecond=0)
    master = _vevent(
        event,
        start=event.start,
        end=event.end,
        title=event.title,
        page=f"{site}{event.get_absolute_url()}",
        stamp=stamp,
    )
    if topic_names:
        master.add("categories", topic_names)
    overrides = []
    if event.rrule:
        rule = vRecur.from_ical(event.rrule)
        if event.all_day and "UNTIL" in rule:
            # RFC 5545: UNTIL has the value type of DTSTART, a date for whole days.
            rule["UNTIL"] = [local(rule["UNTIL"][0]).date()]
        master.add("rrule", rule)
        occurrences = list(occurrences)
        skipped = [
            _when(item.original_start, event.all_day) for item in occurrences if item.skipped
        ]
        if skipped:
            master.add("exdate", skipped)
        for item in occurrences:
            if item.skipped or not (item.theme or item.moved):
                continue
            override = _vevent(
                event,
                start=item.start,
                end=item.end,
                title=display_title(event.title, item.theme),
                page=f"{site}{item.get_absolute_url()}",
                stamp=stamp,
            )
            override.add("recurrence-id", _when(item.original_start, event.all_day))
            if topic_names:
                override.add("categories", topic_names)
            overrides.append(override)
    elif occurrences := list(occurrences):
        # A single event's one date carries its theme into the title.
        master["summary"] = display_title(event.title, occurrences[0].theme)
    return "".join(component.to_ical().decode() for component in [master, *overrides])


def calendar_text(parts: Iterable[str], *, name: str) -> str:
    """One VCALENDAR around stored VEVENT texts."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(STOCKHOLM))
    # How often subscribers should fetch again (RFC 7986, and Outlook's own name).
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(_timezone())
    head = calendar.to_ical().decode()
    closing = "END:VCALENDAR\r\n"
    return head[: -len(closing)] + "".join(parts) + closing
