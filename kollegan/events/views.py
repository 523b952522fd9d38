"""Kalendarium: the list and the month grid, one event or series, one date of
it with "Jag kommer", the forms that add and change events, and each member's
calendar subscription.

The list and the grid filter by topic (?amne=) and organiser (?arrangor=) and
remember which of the two the member last chose; their rows and cells are built
in Python (rendering.py), so a month at national scale costs a few queries and
little time. A single event's page is the page of its one date: attendance,
notes and the editor's links live in one place. A series has a page of its own
listing its dates, each with a page like a single event's.

Bad input comes back as the same form with the message at its field and status
400; "not yours" is a 403 page saying why; an event of a group the member is not
in is a 404, as is everything on it. The subscription feed is the one address
here that needs no login: its secret token is the key."""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kollegan.core.selectors import site_config
from kollegan.events import ics, recurrence, selectors, services
from kollegan.events.forms import EventForm, OccurrenceForm, event_initial
from kollegan.events.models import CalendarSettings, Event, Occurrence
from kollegan.events.recurrence import STOCKHOLM, local
from kollegan.events.rendering import CalendarHTML, Dates, filter_query
from kollegan.feed.selectors import topics_for_filter
from kollegan.lib.views import next_url, refusals
from kollegan.notes.selectors import notes_of
from kollegan.notifications.models import Target
from kollegan.notifications.selectors import is_following

FIRST_YEAR, LAST_YEAR = 1900, 2200
FEED_CACHE_CONTROL = "private, max-age=300"
CALENDAR_TYPE = "text/calendar; charset=utf-8"

_refusals = refusals("events/refused.html")


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "events/refused.html", {"message": message}, status=status)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- Getters that check who may see, and who may change ----------------------------------------


def _event_for(request: HttpRequest, pk: int) -> Event:
    event = selectors.event_for(request.user, pk)
    if event is None:
        raise Http404
    return event


def _occurrence_for(request: HttpRequest, pk: int) -> Occurrence:
    occurrence = selectors.occurrence_for(request.user, pk)
    if occurrence is None:
        raise Http404
    return occurrence


def _require_editor(request: HttpRequest, event: Event) -> None:
    """The services refuse too; the GET pages must refuse before they show a form."""
    if not services.may_edit(request.user, event):
        raise PermissionDenied(
            _("Only the one who added the event, its hosts and moderators can change it.")
        )


def _may_delete(member, event: Event) -> bool:
    return member.is_moderator or event.author_id == member.pk


def _event_url(event: Event) -> str:
    """A series has its own page; a single event's page is its date's."""
    if event.is_series:
        return event.get_absolute_url()
    first = selectors.first_date(event)
    return first.get_absolute_url() if first else event.get_absolute_url()


# --- The list and the month ---------------------------------------------------------------------


def _filters(request: HttpRequest) -> selectors.Filters:
    return selectors.Filters(
        topic=request.GET.get("amne", "").strip()[:80],
        organiser=request.GET.get("arrangor", "").strip()[:60],
    )


def _filter_context(request: HttpRequest, filters: selectors.Filters, layout: str) -> dict:
    today = timezone.localdate()
    query = filter_query(filters)
    return {
        "filters": filters,
        "filtered": bool(filters.topic or filters.organiser),
        "topics": topics_for_filter(),
        "organisers": selectors.organisers(),
        "layout": layout,
        "action": request.path,
        "query": query,
        "list_url": f"{reverse('events:list')}{query}",
        "month_url": f"{reverse('events:month', args=[today.year, today.month])}{query}",
    }


def _since(request: HttpRequest) -> dt.datetime | None:
    """?fran=2026-09-02: the upcoming list from that day (the grid's "+N more")."""
    value = request.GET.get("fran", "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("Write the date as 2026-09-02.")) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(_("Write the date as 2026-09-02."))
    return dt.datetime.combine(day, dt.time(0), tzinfo=STOCKHOLM)


def _list_page(request: HttpRequest, *, past: bool) -> HttpResponse:
    filters = _filters(request)
    cursor = request.GET.get("fore", "").strip()[:200]
    try:
        since = None if past else _since(request)
        page = selectors.dates_page(
            request.user, filters=filters, past=past, cursor=cursor, now=since
        )
    except ValidationError as error:
        return _refused(request, error.messages[0], 400)
    services.layout_remember(member=request.user, layout=CalendarSettings.Layout.LIST)
    more_url = ""
    if page.next_cursor:
        extra = {"fore": page.next_cursor}
        if since:
            extra["fran"] = local(since).date().isoformat()
        name = "events:past" if past else "events:list"
        more_url = f"{reverse(name)}{filter_query(filters, **extra)}"
    context = {
        **_filter_context(request, filters, "past" if past else "list"),
        "past": past,
        "since": local(since).date() if since else None,
        "since_text": Dates().day(local(since).date()) if since else "",
        "earlier": bool(cursor),
        "items": page.items,
        "rows_html": CalendarHTML(filters=filters).rows(page.items) if page.items else "",
        "more_url": more_url,
    }
    return render(request, "events/list.html", context)


def _month_page(request: HttpRequest, year: int, month: int) -> HttpResponse:
    filters = _filters(request)
    grid = selectors.month_grid(
        request.user, year=year, month=month, filters=filters, details=False
    )
    services.layout_remember(member=request.user, layout=CalendarSettings.Layout.MONTH)
    query = filter_query(filters)
    previous, following = grid.previous, grid.next
    today = timezone.localdate()
    dates = Dates()

    def month_url(day: dt.date) -> str:
        return f"{reverse('events:month', args=[day.year, day.month])}{query}"

    context = {
        **_filter_context(request, filters, "month"),
        "grid": grid,
        "month_name": dates.month(year, month),
        "grid_html": CalendarHTML(filters=filters).month(grid),
        "previous_url": month_url(previous) if previous.year >= FIRST_YEAR else "",
        "previous_name": dates.month(previous.year, previous.month),
        "next_url": month_url(following) if following.year <= LAST_YEAR else "",
        "next_name": dates.month(following.year, following.month),
        "today_url": month_url(today),
        "is_this_month": (today.year, today.month) == (year, month),
    }
    return render(request, "events/month.html", context)


@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    """Kalendarium: to the layout the member last chose, the list or this month,
    with the filters (if any) along."""
    if services.settings_for(request.user).layout == CalendarSettings.Layout.MONTH:
        today = timezone.localdate()
        target = reverse("events:month", args=[today.year, today.month])
    else:
        target = reverse("events:list")
    return redirect(f"{target}{filter_query(_filters(request))}")


@require_safe
def upcoming(request: HttpRequest) -> HttpResponse:
    return _list_page(request, past=False)


@require_safe
def past(request: HttpRequest) -> HttpResponse:
    return _list_page(request, past=True)


@require_safe
def month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    if not (1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR):
        raise Http404
    return _month_page(request, year, month)


# --- One event or series, one date --------------------------------------------------------------


def _event_facts(event: Event) -> dict:
    """What the event's and its dates' pages both show."""
    return {
        "event": event,
        "hosts": list(event.hosts.select_related("organisation").order_by("name")),
        "event_topics": list(event.topics.order_by("position", "name")),
    }


def _date_rows(items: list[Occurrence], notes: dict, dates: Dates, all_day: bool) -> list[dict]:
    return [
        {
            "item": item,
            "when": dates.span(item.start, item.end, all_day),
            "iso": local(item.start).isoformat(),
            "notes": notes.get(item.pk, []),
        }
        for item in items
    ]


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    if not event.is_series:
        first = selectors.first_date(event)
        if first is not None:
            return redirect(first)
    upcoming_dates, past_dates = selectors.event_dates(event)
    notes = notes_of(request.user, [item.pk for item in upcoming_dates + past_dates])
    selectors.mark_going(request.user, upcoming_dates)
    dates = Dates()
    local_start, local_end = local(event.start), local(event.end)
    context = {
        **_event_facts(event),
        "rule_text": recurrence.describe(event.rrule, event.start) if event.rrule else "",
        "time_text": (dates.all_day if event.all_day else f"{local_start:%H:%M}–{local_end:%H:%M}"),
        "upcoming": _date_rows(upcoming_dates, notes, dates, event.all_day),
        "past_dates": _date_rows(past_dates, notes, dates, event.all_day),
        "may_edit": services.may_edit(request.user, event),
        "may_delete": _may_delete(request.user, event),
        "following": is_following(request.user, Target.EVENT, event.pk),
    }
    return render(request, "events/detail.html", context)


def _attendance_context(request: HttpRequest, occurrence: Occurrence, may_edit: bool) -> dict:
    going = selectors.is_going(request.user, occurrence)
    event = occurrence.event
    return {
        "occurrence": occurrence,
        "going": going,
        "attendees": selectors.attendees(occurrence),
        "show_emails": may_edit,
        "closed": event.is_cancelled or occurrence.skipped,
        "is_past": occurrence.end < timezone.now(),
    }


@require_safe
def occurrence(request: HttpRequest, pk: int) -> HttpResponse:
    item = _occurrence_for(request, pk)
    event = item.event
    may_edit = services.may_edit(request.user, event)
    context = {
        **_event_facts(event),
        **_attendance_context(request, item, may_edit),
        "title": ics.display_title(event.title, item.theme),
        "when": Dates().span(item.start, item.end, event.all_day),
        "iso": local(item.start).isoformat(),
        "rule_text": recurrence.describe(event.rrule, event.start) if event.rrule else "",
        "notes": notes_of(request.user, [item.pk]).get(item.pk, []),
        "write_notes_url": f"{reverse('notes:create')}?{urlencode({'tillfalle': item.pk})}",
        "may_edit": may_edit,
        "may_delete": _may_delete(request.user, event),
        "following": is_following(request.user, Target.EVENT, event.pk),
    }
    return render(request, "events/occurrence.html", context)


@require_POST
@_refusals
def attend(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Jag kommer" (going=1) or not after all (going=0). With htmx the box swaps itself."""
    item = _occurrence_for(request, pk)
    going = request.POST.get("going", "1") != "0"
    try:
        services.attendance_set(occurrence=item, member=request.user, going=going)
    except ValidationError as error:
        return _refused(request, error.messages[0], 400)
    if _is_htmx(request):
        may_edit = services.may_edit(request.user, item.event)
        context = {**_attendance_context(request, item, may_edit), "swapped": True}
        return render(request, "events/_attendance.html", context)
    if going:
        messages.success(request, _("You are signed up. Welcome!"))
    else:
        messages.success(request, _("You are no longer signed up."))
    return redirect(next_url(request, item.get_absolute_url()))


@require_safe
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The event (a series with its exceptions) as a calendar file."""
    event = _event_for(request, pk)
    text = ics.calendar_text([event.ics], name=event.title)
    response = HttpResponse(text, content_type=CALENDAR_TYPE)
    filename = slugify(event.title)[:60] or "kalender"
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


# --- Adding and changing -----------------------------------------------------------------------


def _render_form(
    request: HttpRequest,
    form: EventForm,
    *,
    event: Event | None = None,
    occurrence: Occurrence | None = None,
    status: int = 200,
) -> HttpResponse:
    if occurrence is not None:
        action = reverse("events:edit_following", args=[occurrence.pk])
        back = occurrence.get_absolute_url()
    elif event is not None:
        action = reverse("events:edit", args=[event.pk])
        back = _event_url(event)
    else:
        action, back = reverse("events:create"), reverse("calendar")
    context = {
        "form": form,
        "event": event,
        "following": occurrence,
        "following_text": (
            Dates().day(local(occurrence.original_start).date()) if occurrence else ""
        ),
        "action": action,
        "back_url": back,
    }
    return render(request, "events/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    member = request.user
    if request.method != "POST":
        return _render_form(request, EventForm(member=member))
    form = EventForm(request.POST, member=member)
    event = form.is_valid() and form.attempt(
        lambda data: services.event_create(
            author=member, data=form.event_data, confirmed=data["confirmed"]
        )
    )
    if not event:
        return _render_form(request, form, status=400)
    messages.success(request, _("The event is in the calendar."))
    return redirect(_event_url(event))


@require_http_methods(["GET", "POST"])
@_refusals
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole event or series; each date's theme and skip come from the form."""
    event = _event_for(request, pk)
    _require_editor(request, event)
    member = request.user
    if request.method != "POST":
        form = EventForm(member=member, event=event, initial=event_initial(event))
        return _render_form(request, form, event=event)
    form = EventForm(request.POST, member=member, event=event)
    saved = form.is_valid() and form.attempt(
        lambda data: services.event_edit(
            event=event, editor=member, data=form.event_data, confirmed=data["confirmed"]
        )
    )
    if not saved:
        return _render_form(request, form, event=event, status=400)
    messages.success(request, _("Your changes are saved."))
    return redirect(_event_url(event))


@require_http_methods(["GET", "POST"])
@_refusals
def edit_following(request: HttpRequest, pk: int) -> HttpResponse:
    """A series from this date on: the dates before stay as they were."""
    item = _occurrence_for(request, pk)
    event = item.event
    _require_editor(request, event)
    if not event.is_series:
        return redirect("events:edit", event.pk)
    member = request.user
    if request.method != "POST":
        initial = event_initial(event, following=item)
        form = EventForm(member=member, event=event, initial=initial)
        return _render_form(request, form, event=event, occurrence=item)
    form = EventForm(request.POST, member=member, event=event)
    successor = form.is_valid() and form.attempt(
        lambda data: services.event_edit_following(
            occurrence=item, editor=member, data=form.event_data, confirmed=data["confirmed"]
        )
    )
    if not successor:
        return _render_form(request, form, event=event, occurrence=item, status=400)
    messages.success(request, _("Your changes are saved from this date on."))
    return redirect(_event_url(successor))


@require_http_methods(["GET", "POST"])
@_refusals
def occurrence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One date: its theme, a moved time, or no meeting that week."""
    item = _occurrence_for(request, pk)
    event = item.event
    _require_editor(request, event)
    if request.method != "POST":
        form = OccurrenceForm(occurrence=item)
        return _render_occurrence_form(request, form, item)
    form = OccurrenceForm(request.POST, occurrence=item)
    saved = form.is_valid() and form.times[0] is not None
    if saved:
        start, end = form.times
        saved = form.attempt(
            lambda data: services.occurrence_edit(
                occurrence=item,
                editor=request.user,
                theme=data.get("theme", ""),
                start=start,
                end=end,
                skipped=bool(data.get("skipped")),
                confirmed=data["confirmed"],
            )
        )
    if not saved:
        return _render_occurrence_form(request, form, item, status=400)
    messages.success(request, _("The date is changed."))
    return redirect(item)


def _render_occurrence_form(
    request: HttpRequest, form: OccurrenceForm, item: Occurrence, status: int = 200
) -> HttpResponse:
    event = item.event
    context = {
        "form": form,
        "occurrence": item,
        "event": event,
        "title": ics.display_title(event.title, item.theme),
        "when": Dates().span(item.start, item.end, event.all_day),
    }
    return render(request, "events/occurrence_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_refusals
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel (cancelled=1) or undo it (cancelled=0): the event stays visible."""
    event = _event_for(request, pk)
    _require_editor(request, event)
    if request.method != "POST":
        return render(
            request, "events/cancel.html", {"event": event, "back_url": _event_url(event)}
        )
    cancelled = request.POST.get("cancelled", "1") != "0"
    services.event_cancel(event=event, member=request.user, cancelled=cancelled)
    if cancelled:
        messages.success(
            request, _("The event is cancelled. It stays in the calendar as cancelled.")
        )
    else:
        messages.success(request, _("The event is no longer cancelled."))
    return redirect(_event_url(event))


@require_http_methods(["GET", "POST"])
@_refusals
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    if not _may_delete(request.user, event):
        raise PermissionDenied(_("Only the one who added the event and moderators can delete it."))
    if request.method != "POST":
        return render(
            request, "events/delete.html", {"event": event, "back_url": _event_url(event)}
        )
    services.event_delete(event=event, member=request.user)
    messages.success(request, _("The event is deleted."))
    return redirect("calendar")


# --- The subscription ---------------------------------------------------------------------------


def feed_url(member, token: str) -> str:
    """The member's personal subscription address, absolute."""
    return f"{settings.SITE_URL}{reverse('events:feed', args=[member.pk, token])}"


@require_http_methods(["GET", "POST"])
def subscription(request: HttpRequest) -> HttpResponse:
    member = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "renew":
            had_link = services.feed_path_token(member) is not None
            services.feed_renew(member=member)
            if had_link:
                messages.success(
                    request,
                    _(
                        "You have a new calendar link. The old one no longer works: "
                        "subscribe again with the new one."
                    ),
                )
            else:
                messages.success(request, _("Your calendar link is ready. Copy it below."))
        elif action == "revoke":
            services.feed_revoke(member=member)
            messages.success(
                request, _("The calendar link is turned off. Calendars using it get no updates.")
            )
        else:
            return _refused(request, _("Choose whether to make a new link or turn it off."), 400)
        return redirect("events:subscription")
    topics = topics_for_filter()
    known = {topic.slug for topic in topics}
    chosen = [slug for slug in dict.fromkeys(request.GET.getlist("amne")) if slug in known]
    token = services.feed_path_token(member)
    url = webcal = ""
    if token:
        url = feed_url(member, token)
        if chosen:
            url += "?" + urlencode([("amne", slug) for slug in chosen])
        webcal = "webcal://" + url.split("://", 1)[1]
    context = {"topics": topics, "chosen": chosen, "url": url, "webcal": webcal}
    return render(request, "events/subscription.html", context)


@login_not_required
@require_safe
def feed(request: HttpRequest, member: int, token: str) -> HttpResponse:
    """The personal feed calendar apps fetch without a session: stored texts joined."""
    owner = services.feed_owner(member, token)
    if owner is None:
        message = _(
            "The calendar link is no longer valid. Make a new one under Kalendarium → Prenumerera."
        )
        return HttpResponseNotFound(message, content_type="text/plain; charset=utf-8")
    topics = [slug[:80] for slug in request.GET.getlist("amne")[:20]]
    parts = selectors.feed_parts(owner, topics=topics)
    text = ics.calendar_text(parts, name=site_config().site_name)
    response = HttpResponse(text, content_type=CALENDAR_TYPE)
    response["Cache-Control"] = FEED_CACHE_CONTROL
    return response
