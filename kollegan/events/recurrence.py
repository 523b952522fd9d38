"""Series: reading, checking and expanding RFC 5545 recurrence rules.

Rules are expanded in Europe/Stockholm wall time (python-dateutil with a
zoneinfo start), so "every Wednesday 08:15" stays 08:15 across the change to
and from summer time. A rule must end (COUNT or UNTIL) and stay within
``MAX_PER_YEAR`` dates in any calendar year and ``MAX_OCCURRENCES`` in all; an
UNTIL is stored in UTC, as RFC 5545 requires when the start has a time zone."""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from icalendar import vRecur

from kollegan.lib.validation import field_error

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MAX_PER_YEAR = 500
MAX_OCCURRENCES = 2_000
MAX_SPAN = dt.timedelta(days=20 * 365)
FREQUENCIES = {"YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"}


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(STOCKHOLM)


def _until_utc(value: dt.date | dt.datetime, *, all_day: bool) -> dt.datetime:
    """UNTIL as UTC: a date means "to the end of that day" in Swedish time."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(23, 59, 59), tzinfo=STOCKHOLM)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=STOCKHOLM)
    return value.astimezone(dt.UTC)


def normalise_rule(text: str, *, all_day: bool = False) -> str:
    """The rule in its stored form (no "RRULE:", UNTIL in UTC), or a ValidationError
    on ``rrule`` that says what is wrong. Does not check the number of dates."""
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    text = re.sub(r"\s+", "", text).upper()
    if not text:
        return ""
    try:
        parts = vRecur.from_ical(text)
    except (ValueError, TypeError):
        raise field_error(
            "rrule", _("The recurrence rule could not be read (RFC 5545 RRULE)."), "rrule_invalid"
        ) from None
    freq = parts.get("FREQ", [None])[0]
    if freq not in FREQUENCIES:
        message = _("The recurrence rule needs a FREQ such as WEEKLY or MONTHLY.")
        raise field_error("rrule", message, "rrule_invalid")
    if "COUNT" in parts and "UNTIL" in parts:
        message = _("A recurrence rule has either COUNT or UNTIL, not both.")
        raise field_error("rrule", message, "rrule_invalid")
    if "COUNT" not in parts and "UNTIL" not in parts:
        message = _(
            "A series must end: give an end date or a number of times (UNTIL or COUNT in the rule)."
        )
        raise field_error("rrule", message, "rrule_endless")
    if int(parts.get("INTERVAL", [1])[0]) < 1:
        raise field_error(
            "rrule", _("The recurrence rule could not be read (RFC 5545 RRULE)."), "rrule_invalid"
        )
    if "UNTIL" in parts:
        parts["UNTIL"] = [_until_utc(parts["UNTIL"][0], all_day=all_day)]
    _refuse_what_never_happens(parts, freq)
    return vRecur(parts).to_ical().decode()


# The parts a calendar app's "repeat" dialog writes. dateutil looks for the
# next date up to the year 9999 when a rule can give none (30 February, every
# hour of 30 February), which takes seconds; these limits keep every rule that
# is accepted quick to expand.
SUPPORTED = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYMONTH"}
SUB_DAILY = {"HOURLY", "MINUTELY", "SECONDLY"}
_DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30}


def _refuse_what_never_happens(parts: dict, freq: str) -> None:
    unsupported = sorted(set(parts) - SUPPORTED - {"BYSETPOS"})
    if freq in SUB_DAILY:
        unsupported = sorted(set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"})
    elif "BYSETPOS" in parts and freq not in {"MONTHLY", "YEARLY"}:
        unsupported.append("BYSETPOS")
    if unsupported:
        message = _("The calendar does not handle %(parts)s in a recurrence rule.") % {
            "parts": ", ".join(unsupported)
        }
        raise field_error("rrule", message, "rrule_unsupported")
    if "BYSETPOS" in parts and any(not 1 <= abs(int(pos)) <= 5 for pos in parts["BYSETPOS"]):
        message = _("BYSETPOS must be between -5 and 5 (the first to fifth, or last).")
        raise field_error("rrule", message, "rrule_invalid")
    if "BYMONTHDAY" in parts:
        months = [int(month) for month in parts.get("BYMONTH", range(1, 13))]
        days = [int(day) for day in parts["BYMONTHDAY"]]
        if not any(
            day != 0 and abs(day) <= _DAYS_IN_MONTH.get(month, 31)
            for month in months
            for day in days
        ):
            message = _("The rule gives no dates: those days do not exist in those months.")
            raise field_error("rrule", message, "rrule_empty")


def _rule(text: str, start: dt.datetime) -> rrule:
    try:
        return rrulestr(text, dtstart=local(start))
    except (ValueError, TypeError, OverflowError):
        raise field_error(
            "rrule", _("The recurrence rule could not be read (RFC 5545 RRULE)."), "rrule_invalid"
        ) from None


def expand(text: str, start: dt.datetime) -> list[dt.datetime]:
    """Every start the rule gives from ``start`` (its DTSTART), in Swedish time.
    Refused when there are none, too many, or too many in one year."""
    if not text:
        return [local(start)]
    # dateutil searches to the year 9999 for dates a rule can never give (30
    # February): bound every rule by MAX_SPAN, so a COUNT is read as "the first
    # COUNT dates within it".
    horizon = local(start) + MAX_SPAN
    parts = vRecur.from_ical(text)
    wanted = MAX_OCCURRENCES + 1
    if "UNTIL" in parts:
        until = parts["UNTIL"][0]
        until = until if isinstance(until, dt.datetime) else _until_utc(until, all_day=True)
        if until > horizon:
            message = _("A series can span at most %(years)d years; end it earlier.") % {
                "years": MAX_SPAN.days // 365
            }
            raise field_error("rrule", message, "rrule_too_long")
    else:
        wanted = min(int(parts["COUNT"][0]), wanted)
        parts.pop("COUNT")
        parts["UNTIL"] = [horizon.astimezone(dt.UTC)]
    try:
        starts = list(islice(_rule(vRecur(parts).to_ical().decode(), start), wanted))
    except (ValueError, TypeError, OverflowError):
        raise field_error(
            "rrule", _("The recurrence rule could not be read (RFC 5545 RRULE)."), "rrule_invalid"
        ) from None
    if not starts:
        message = _("The rule gives no dates from the start you chose.")
        raise field_error("rrule", message, "rrule_empty")
    if len(starts) < wanted and wanted <= MAX_OCCURRENCES:
        message = _(
            "The rule gives only %(found)d of its %(count)d dates within %(years)d years."
        ) % {"found": len(starts), "count": wanted, "years": MAX_SPAN.days // 365}
        raise field_error("rrule", message, "rrule_too_long")
    if len(starts) > MAX_OCCURRENCES:
        message = _("A series can have at most %(max)d dates; end it earlier.") % {
            "max": MAX_OCCURRENCES
        }
        raise field_error("rrule", message, "rrule_too_many")
    year, count = Counter(value.year for value in starts).most_common(1)[0]
    if count > MAX_PER_YEAR:
        message = _(
            "The rule gives %(count)d dates in %(year)d; at most %(max)d a year are allowed."
        ) % {"count": count, "year": year, "max": MAX_PER_YEAR}
        raise field_error("rrule", message, "rrule_too_many")
    # Themes, skipped weeks and keeping them on edit all go by date.
    if len({value.date() for value in starts}) < len(starts):
        message = _("A series can have at most one date a day.")
        raise field_error("rrule", message, "rrule_same_day")
    return starts


def split_rule(text: str, *, before: dt.datetime, taken: int) -> tuple[str, str]:
    """A rule cut at ``before`` (a date of the series): (the part ending just
    before it, the part from it on). ``taken`` is how many dates the first part
    keeps, which is what a COUNT rule's second part subtracts."""
    parts = vRecur.from_ical(text)
    head = dict(parts)
    head.pop("COUNT", None)
    # To the end of the day before (one date a day), so the end date a form
    # shows for the first part does not take the cut date back.
    head["UNTIL"] = [_until_utc(local(before).date() - dt.timedelta(days=1), all_day=False)]
    tail = dict(parts)
    if "COUNT" in parts:
        tail["COUNT"] = [max(int(parts["COUNT"][0]) - taken, 1)]
    return vRecur(head).to_ical().decode(), vRecur(tail).to_ical().decode()


# --- Per-date exceptions written as text -------------------------------------------------------

_DATE_LINE = re.compile(
    r"^\s*(?:(?P<iso>\d{4}-\d{1,2}-\d{1,2})|(?P<day>\d{1,2})/(?P<month>\d{1,2})(?:[-/](?P<year>\d{2,4}))?)"
    r"\s*[:\-–—]?\s*(?P<rest>.*)$"
)


@dataclass(frozen=True)
class DateLine:
    number: int
    date: dt.date
    text: str


def _resolve(day: int, month: int, year: int | None, dates: list[dt.date]) -> dt.date | None:
    """A day/month without a year is the series' first date with that day and month."""
    if year is not None:
        try:
            return dt.date(year if year > 99 else 2000 + year, month, day)
        except ValueError:
            return None
    for date in dates:
        if (date.day, date.month) == (day, month):
            return date
    for candidate_year in sorted({date.year for date in dates}) or [dt.date.today().year]:
        try:
            return dt.date(candidate_year, month, day)
        except ValueError:
            continue
    return None


def parse_date_lines(
    text: str, *, field: str, dates: list[dt.date], with_text: bool
) -> list[DateLine]:
    """Lines such as "2023-09-06 Funktionshinder" or "6/9 Funktionshinder" (the
    themes), or just dates (the weeks skipped). Every date must be one of the
    series' ``dates``; every refusal names its line."""
    result: list[DateLine] = []
    in_series = set(dates)
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _DATE_LINE.match(line)
        date = None
        if match:
            if match["iso"]:
                try:
                    date = dt.date.fromisoformat(
                        "-".join(part.zfill(2) for part in match["iso"].split("-"))
                    )
                except ValueError:
                    date = None
            else:
                year = int(match["year"]) if match["year"] else None
                date = _resolve(int(match["day"]), int(match["month"]), year, dates)
        if date is None:
            message = _(
                'Line %(line)d: "%(text)s" does not start with a date (2023-09-06 or 6/9).'
            ) % {"line": number, "text": line[:60]}
            raise field_error(field, message, "date_invalid")
        if date not in in_series:
            message = _("Line %(line)d: %(date)s is not a date in the series.") % {
                "line": number,
                "date": date.isoformat(),
            }
            raise field_error(field, message, "date_not_in_series")
        rest = match["rest"].strip() if with_text else ""
        if with_text and not rest:
            message = _("Line %(line)d: write the theme after the date.") % {"line": number}
            raise field_error(field, message, "theme_empty")
        result.append(DateLine(number, date, rest))
    return result


# --- In words -------------------------------------------------------------------------------

_WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]


def simple_kind(text: str) -> str:
    """Which of the form's choices a rule is ("weekly", …), or "custom"."""
    if not text:
        return "none"
    parts = vRecur.from_ical(text)
    keys = set(parts) - {"COUNT", "UNTIL", "WKST"}
    freq = parts["FREQ"][0]
    interval = int(parts.get("INTERVAL", [1])[0])
    if keys == {"FREQ"} or (keys == {"FREQ", "INTERVAL"} and interval == 1):
        return {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly"}.get(freq, "custom")
    if freq == "WEEKLY" and keys == {"FREQ", "INTERVAL"} and interval == 2:
        return "biweekly"
    if (
        freq == "WEEKLY"
        and keys == {"FREQ", "BYDAY"}
        and sorted(str(day) for day in parts["BYDAY"]) == sorted(["MO", "TU", "WE", "TH", "FR"])
    ):
        return "weekdays"
    return "custom"


def rule_end(text: str) -> tuple[dt.date | None, int | None]:
    """(last date, in Swedish time, or None; count or None) of a stored rule."""
    if not text:
        return None, None
    parts = vRecur.from_ical(text)
    if "UNTIL" in parts:
        until = parts["UNTIL"][0]
        if isinstance(until, dt.datetime):
            return until.astimezone(STOCKHOLM).date(), None
        return until, None
    if "COUNT" in parts:
        return None, int(parts["COUNT"][0])
    return None, None


def describe(text: str, start: dt.datetime) -> str:
    """The rule in a sentence, for the event's page."""
    kind = simple_kind(text)
    weekday = str(_WEEKDAYS[local(start).weekday()])
    sentences = {
        "daily": _("Every day"),
        "weekdays": _("Every weekday"),
        "weekly": _("Every week on %(day)s") % {"day": weekday.lower()},
        "biweekly": _("Every other week on %(day)s") % {"day": weekday.lower()},
        "monthly": _("Every month on day %(day)d") % {"day": local(start).day},
    }
    sentence = sentences.get(kind, _("Repeats by the rule %(rule)s") % {"rule": text})
    until, count = rule_end(text)
    if until:
        shown = formats.date_format(until, "j F Y")
        return _("%(sentence)s until %(date)s") % {"sentence": sentence, "date": shown}
    if count:
        return ngettext("%(sentence)s, %(count)d time", "%(sentence)s, %(count)d times", count) % {
            "sentence": sentence,
            "count": count,
        }
    return sentence


RULES = {
    "daily": "FREQ=DAILY",
    "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
}


def compose(kind: str, *, until: dt.date | None, count: int | None, custom: str) -> str:
    """The form's choices as a rule (before normalise_rule checks it)."""
    if kind == "none":
        return ""
    if kind == "custom":
        return custom
    rule = RULES[kind]
    if until:
        rule += f";UNTIL={until:%Y%m%d}"
    elif count:
        rule += f";COUNT={count}"
    return rule
