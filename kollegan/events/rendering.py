"""The calendar's list rows and month grid as HTML, built in Python.

A month at national scale holds hundreds of dates and a list page 25 rows with
dates, places, topics and counts; through the template engine each cost a
fraction of a millisecond, so, as for the start page's feed
(kollegan.feed.rendering), the markup is put together here: every value from
the database goes through ``esc``, addresses come from one ``reverse`` per page
and the words (weekdays, months, labels) are looked up once per page.

Dates are shown in Swedish time (Europe/Stockholm) whatever the server's zone."""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kollegan.events.ics import display_title
from kollegan.events.models import Occurrence
from kollegan.events.recurrence import local
from kollegan.events.selectors import Day, Filters, Month
from kollegan.lib.html import built, esc, url_maker

# A crowded day in the grid shows this many dates, then "+N more" to the list.
PER_DAY = 4
_ONE = dt.timedelta(microseconds=1)
SEPARATOR = ' <span aria-hidden="true">·</span> '
EMPTY_WEEK = ' class="cal-week--empty"'


def filter_query(filters: Filters, **extra: str) -> str:
    """The filters (and ``extra``) as a query string, "" when there are none."""
    pairs = [("amne", filters.topic), ("arrangor", filters.organiser), *extra.items()]
    chosen = [(key, value) for key, value in pairs if value]
    return f"?{urlencode(chosen)}" if chosen else ""


class Dates:
    """Days and times in words, in the language active when this is made."""

    def __init__(self) -> None:
        self.weekdays = {number: str(name) for number, name in WEEKDAYS.items()}
        self.weekdays_short = {number: str(name) for number, name in WEEKDAYS_ABBR.items()}
        self.months = {number: str(name) for number, name in MONTHS.items()}
        self.months_short = {number: str(name) for number, name in MONTHS_3.items()}
        self.all_day = _("all day")

    def day(self, date: dt.date, *, year: bool = True) -> str:
        """ "onsdag 2 september 2026"."""
        text = f"{self.weekdays[date.weekday()]} {date.day} {self.months[date.month]}"
        return f"{text} {date.year}" if year else text

    def month(self, year: int, month: int) -> str:
        return f"{capfirst(self.months[month])} {year}"

    @staticmethod
    def clock(value: dt.datetime) -> str:
        return f"{local(value):%H:%M}"

    def last_day(self, end: dt.datetime, all_day: bool) -> dt.date:
        """The day an event ends on: an all-day end is the midnight after it."""
        return local(end - _ONE).date() if all_day else local(end).date()

    def span(self, start: dt.datetime, end: dt.datetime, all_day: bool) -> str:
        """ "Onsdag 2 september 2026, 08:15–09:00", or the days of an all-day event."""
        first, last = local(start).date(), self.last_day(end, all_day)
        if all_day:
            if first == last:
                return capfirst(f"{self.day(first)}, {self.all_day}")
            return capfirst(f"{self.day(first)} – {self.day(last)}")
        if first == last:
            return capfirst(f"{self.day(first)}, {self.clock(start)}–{self.clock(end)}")
        return capfirst(
            f"{self.day(first)} {self.clock(start)} – {self.day(last)} {self.clock(end)}"
        )

    def element(self, start: dt.datetime, end: dt.datetime, all_day: bool) -> str:
        iso = local(start).date().isoformat() if all_day else local(start).isoformat()
        return f'<time datetime="{iso}">{esc(self.span(start, end, all_day))}</time>'


class CalendarHTML:
    """The list rows and the month grid for one reader and one page."""

    def __init__(self, *, filters: Filters) -> None:
        self.filters = filters
        self.dates = Dates()
        self.occurrence_url = url_maker("events:occurrence")
        self.list_url = reverse("events:list")
        self.cancelled = esc(_("Cancelled"))
        self.going = esc(_("You are coming"))
        self.online = esc(_("Online meeting"))
        self.topics_label = esc(_("Topics"))
        self.organiser = esc(_("Organiser: %(name)s"))
        self.week = esc(_("Week"))
        self.week_short = esc(_("w."))
        self.week_number = esc(_("week %(number)s"))
        self.week_number_short = esc(_("w. %(number)s"))
        self.continues = esc(_("continues"))
        self.on_day = esc(_("on %(day)s"))

    # --- the list ---------------------------------------------------------------------------------

    def _topics(self, topics: Iterable) -> str:
        items = "".join(
            f'<li><a class="tag" href="{esc(self.list_url)}'
            f'{esc(filter_query(Filters(topic=topic.slug)))}">{esc(topic.name)}</a></li>'
            for topic in topics
        )
        if not items:
            return ""
        return f'<ul class="tag-list tag-list--small" aria-label="{self.topics_label}">{items}</ul>'

    def _count(self, count: int) -> str:
        text = ngettext("%(count)s is coming", "%(count)s are coming", count) % {"count": count}
        return f'<span class="cal-count">{esc(text)}</span>'

    def row(self, item: Occurrence) -> str:
        event = item.event
        start = local(item.start)
        title = esc(display_title(event.title, item.theme))
        url = esc(self.occurrence_url(item.pk))
        cancelled = event.is_cancelled
        when = [self.dates.element(item.start, item.end, event.all_day)]
        if cancelled:
            when.append(f' <span class="badge badge--cancelled">{self.cancelled}</span>')
        meta = []
        if event.place:
            meta.append(f'<span class="cal-row__place">{esc(event.place)}</span>')
        if event.online_url:
            meta.append(f'<span class="cal-row__online">{self.online}</span>')
        if event.organiser_id:
            meta.append(f"<span>{self.organiser % {'name': esc(event.organiser.name)}}</span>")
        if item.going_count:
            meta.append(self._count(item.going_count))
        if getattr(item, "viewer_going", False):
            meta.append(f'<span class="badge badge--going">{self.going}</span>')
        meta_html = f'<p class="cal-row__meta">{SEPARATOR.join(meta)}</p>' if meta else ""
        css = "cal-row cal-row--cancelled" if cancelled else "cal-row"
        weekday = self.dates.weekdays_short[start.weekday()]
        return (
            f'<li class="{css}">'
            f'<div class="cal-row__date" aria-hidden="true">'
            f'<span class="cal-row__weekday">{esc(weekday)}</span>'
            f'<span class="cal-row__day">{start.day}</span>'
            f'<span class="cal-row__month">{esc(self.dates.months_short[start.month])}</span></div>'
            f'<div class="cal-row__body">'
            f'<h2 class="cal-row__title"><a href="{url}">{title}</a></h2>'
            f'<p class="cal-row__when">{"".join(when)}</p>'
            f"{meta_html}{self._topics(getattr(event, 'topic_list', []))}</div></li>"
        )

    def rows(self, items: list[Occurrence]) -> SafeString:
        return built(f'<ol class="cal-list">{"".join(self.row(item) for item in items)}</ol>')

    # --- the month -------------------------------------------------------------------------------

    def _item(self, item: Occurrence, day: dt.date) -> str:
        event = item.event
        title = esc(display_title(event.title, item.theme))
        starts_today = local(item.start).date() == day
        if event.all_day:
            time = ""
        elif starts_today:
            time = f'<span class="cal-item__time">{self.dates.clock(item.start)}</span> '
        else:
            time = f'<span class="cal-item__time">{self.continues}</span> '
        status = ""
        css = "cal-item"
        if event.is_cancelled:
            css += " cal-item--cancelled"
            status = f'<span class="cal-item__status">{self.cancelled}:</span> '
        return (
            f'<li><a class="{css}" href="{esc(self.occurrence_url(item.pk))}">'
            f'{time}{status}<span class="cal-item__title">{title}</span></a></li>'
        )

    def _day(self, day: Day) -> str:
        date = day.date
        css = ["cal-day"]
        if not day.in_month:
            css.append("cal-day--outside")
        if not day.items:
            css.append("cal-day--empty")
        current = ""
        if day.is_today:
            css.append("cal-day--today")
            current = ' aria-current="date"'
        full = esc(self.dates.day(date, year=False))
        html = [
            f'<td class="{" ".join(css)}"{current}>'
            f'<span class="cal-day__number" aria-hidden="true">{date.day}</span>'
            f'<span class="cal-day__full">{full}</span>'
        ]
        if day.items:
            crowded = len(day.items) > PER_DAY
            shown = day.items[: PER_DAY - 1] if crowded else day.items
            html.append('<ul class="cal-day__items">')
            html.extend(self._item(item, date) for item in shown)
            html.append("</ul>")
            if crowded:
                more = len(day.items) - len(shown)
                text = ngettext("+%(count)s more", "+%(count)s more", more) % {"count": more}
                query = filter_query(self.filters, fran=date.isoformat())
                html.append(
                    f'<a class="cal-day__more" href="{esc(self.list_url)}{esc(query)}">{esc(text)}'
                    f'<span class="visually-hidden"> {self.on_day % {"day": full}}</span></a>'
                )
        html.append("</td>")
        return "".join(html)

    def month(self, month: Month) -> SafeString:
        dates = self.dates
        head = [
            f'<th scope="col" class="cal-month__week"><span aria-hidden="true">'
            f'{self.week_short}</span><span class="visually-hidden">{self.week}</span></th>'
        ]
        for number in range(7):
            short, full = capfirst(dates.weekdays_short[number]), dates.weekdays[number]
            head.append(f'<th scope="col"><abbr title="{esc(full)}">{esc(short)}</abbr></th>')
        rows = []
        for week in month.weeks:
            number = {"number": week.number}
            cells = "".join(self._day(day) for day in week.days)
            # On a phone only the month's days with dates show: a week without any is hidden.
            shown = any((day.items or day.is_today) and day.in_month for day in week.days)
            rows.append(
                f"<tr{'' if shown else EMPTY_WEEK}>"
                f'<th scope="row" class="cal-month__week">'
                f'<span aria-hidden="true">{self.week_number_short % number}</span>'
                f'<span class="visually-hidden">{self.week_number % number}</span></th>{cells}</tr>'
            )
        caption = esc(dates.month(month.year, month.month))
        return built(
            f'<table class="cal-month" id="manad"><caption>{caption}</caption>'
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
