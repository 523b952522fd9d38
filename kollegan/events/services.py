"""Everything that changes the calendar; the pages and the API call the same
functions.

Refusals: ``ValidationError`` by field with a code (bad times, rules, themes,
links), ``PermissionDenied`` ("only the one who added it, a host or a
moderator") and ``kollegan.lib.guard.ConfidentialityError``. Nothing is stored
when any check fails: every check runs before the first write, and each
service is one transaction."""

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from kollegan.accounts.models import Member, Organisation
from kollegan.audit.models import Action
from kollegan.audit.services import audit_log
from kollegan.events import ics, recurrence
from kollegan.events.models import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    THEME_MAX,
    TITLE_MAX,
    URL_MAX,
    Attendance,
    CalendarSettings,
    Event,
    Occurrence,
)
from kollegan.events.recurrence import STOCKHOLM, local
from kollegan.groups.models import Group
from kollegan.groups.selectors import may_see_group
from kollegan.lib.guard import guard
from kollegan.lib.markdown import render_markdown
from kollegan.lib.validation import clean_topics, field_error, is_row_id
from kollegan.notifications.models import Target, Verb
from kollegan.notifications.services import announce
from kollegan.topics.models import Topic

MAX_DURATION = dt.timedelta(days=31)
FEED_SALT = "kollegan.events.calendar-feed"


@dataclass
class EventData:
    """What a member fills in for an event, before it is checked."""

    title: str
    start: dt.datetime
    end: dt.datetime
    description: str = ""
    all_day: bool = False
    place: str = ""
    online_url: str = ""
    organiser: Organisation | None = None
    topics: Iterable[Topic] = ()
    hosts: Iterable[Member] = ()
    group: Group | None = None
    rrule: str = ""
    # Dates of the series (Swedish time) that are skipped, and each date's theme.
    skip_dates: Iterable[dt.date] = ()
    themes: dict[dt.date, str] = field(default_factory=dict)


# --- Checks ------------------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > URL_MAX:
        message = _("The link can be at most %(max)d characters.") % {"max": URL_MAX}
        raise field_error("online_url", message, "link_long")
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        message = _("Write the meeting link as a whole web address starting with https://.")
        raise field_error("online_url", message, "link_invalid") from None
    return url


def _clean_times(start: dt.datetime, end: dt.datetime, *, all_day: bool, field_end="end"):
    if start is None or end is None:
        raise field_error("start", _("Give the start and the end."), "time_missing")
    if timezone.is_naive(start) or timezone.is_naive(end):
        message = _("Give the times with their offset from UTC, e.g. 2026-09-02T08:15:00+02:00.")
        raise field_error("start", message, "time_naive")
    if all_day:
        # Whole days in Swedish time; the end is the morning after the last day.
        first, last = local(start).date(), local(end).date()
        if local(end).time() != dt.time(0) or last == first:
            last += dt.timedelta(days=1)
        start = dt.datetime.combine(first, dt.time(0), tzinfo=STOCKHOLM)
        end = dt.datetime.combine(last, dt.time(0), tzinfo=STOCKHOLM)
    if end <= start:
        raise field_error(field_end, _("The end must come after the start."), "end_before_start")
    if end - start > MAX_DURATION:
        message = _("An event can last at most %(days)d days.") % {"days": MAX_DURATION.days}
        raise field_error(field_end, message, "too_long")
    return start, end


def _clean(data: EventData, author: Member) -> EventData:
    title = " ".join((data.title or "").split())
    if not title:
        raise field_error("title", _("Give the event a title."), "title_empty")
    if len(title) > TITLE_MAX:
        message = _("The title can be at most %(max)d characters.") % {"max": TITLE_MAX}
        raise field_error("title", message, "title_long")
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        message = _("The description is %(length)d characters long; at most %(max)d.") % {
            "length": len(description),
            "max": DESCRIPTION_MAX,
        }
        raise field_error("description", message, "description_long")
    place = " ".join((data.place or "").split())
    if len(place) > PLACE_MAX:
        message = _("The place can be at most %(max)d characters.") % {"max": PLACE_MAX}
        raise field_error("place", message, "place_long")
    start, end = _clean_times(data.start, data.end, all_day=data.all_day)
    if data.group is not None and not may_see_group(author, data.group):
        message = _("You can only add events to groups you are in.")
        raise field_error("group", message, "group_unknown")
    themes = {}
    for date, theme in (data.themes or {}).items():
        theme = " ".join((theme or "").split())
        if len(theme) > THEME_MAX:
            message = _("A theme can be at most %(max)d characters.") % {"max": THEME_MAX}
            raise field_error("themes", message, "theme_long")
        if theme:
            themes[date] = theme
    return EventData(
        title=title,
        start=start,
        end=end,
        description=description,
        all_day=data.all_day,
        place=place,
        online_url=_clean_url(data.online_url),
        organiser=data.organiser,
        topics=clean_topics(data.topics, required=False),
        hosts=list(dict.fromkeys(data.hosts)),
        group=data.group,
        rrule=recurrence.normalise_rule(data.rrule, all_day=data.all_day),
        skip_dates=set(data.skip_dates or ()),
        themes=themes,
    )


def _check_dates(data: EventData, starts: list[dt.datetime]) -> None:
    """Every skipped date and every theme must be a date of the series."""
    dates = {value.date() for value in starts}
    for name, chosen in (("skip_dates", data.skip_dates), ("themes", data.themes)):
        outside = sorted(date for date in chosen if date not in dates)
        if outside:
            message = _("Not a date in the series: %(dates)s.") % {
                "dates": ", ".join(date.isoformat() for date in outside)
            }
            raise field_error(name, message, "date_not_in_series")
    if data.skip_dates and dates <= set(data.skip_dates):
        raise field_error("skip_dates", _("Every date of the series is skipped."), "all_skipped")


def may_edit(member: Member, event: Event) -> bool:
    """The one who added it, its hosts and moderators (among those who see it)."""
    if not may_see_group(member, event.group):
        return False
    if member.is_moderator or event.author_id == member.pk:
        return True
    return event.hosts.filter(pk=member.pk).exists()


def _refuse_unless_editor(member: Member, event: Event) -> None:
    if not may_edit(member, event):
        raise PermissionDenied(
            _("Only the one who added the event, its hosts and moderators can change it.")
        )


# --- Occurrences and the calendar text ---------------------------------------------------------


def _wall_duration(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Length in Swedish wall time: 08:15–09:00 stays 45 minutes across summer time."""
    return local(end).replace(tzinfo=None) - local(start).replace(tzinfo=None)


def _sync_occurrences(
    event: Event,
    starts: list[dt.datetime],
    *,
    skip_dates: set[dt.date] | None = None,
    themes: dict[dt.date, str] | None = None,
) -> None:
    """Make the event's rows match its dates. A date that stays keeps its theme,
    moved time, attendance and notes; ``skip_dates``/``themes`` replace the
    exceptions when given."""
    duration = _wall_duration(event.start, event.end)
    existing = list(event.occurrences.all())
    if not event.rrule and existing:
        by_date = {local(starts[0]).date(): existing[0]}
        stale = existing[1:]
    else:
        by_date = {local(item.original_start).date(): item for item in existing}
        stale = []
    new, changed = [], []
    for start in starts:
        date = start.date()
        end = start + duration
        item = by_date.pop(date, None)
        if item is None:
            item = Occurrence(event=event, original_start=start, start=start, end=end)
            new.append(item)
        else:
            item.original_start = start
            if not item.moved:
                item.start, item.end = start, end
            changed.append(item)
        item.group_id = event.group_id
        if themes is not None:
            item.theme = themes.get(date, "")
        if skip_dates is not None:
            item.skipped = date in skip_dates
    stale += list(by_date.values())
    if stale:
        Occurrence.objects.filter(pk__in=[item.pk for item in stale]).delete()
    if changed:
        Occurrence.objects.bulk_update(
            changed, ["original_start", "start", "end", "theme", "skipped", "group"], batch_size=500
        )
    Occurrence.objects.bulk_create(new, batch_size=500)
    shown = [item for item in new + changed if not item.skipped] or new + changed
    event.last_end = max(item.end for item in shown)


def _write_ics(event: Event) -> None:
    occurrences = list(event.occurrences.order_by("original_start"))
    topic_names = list(event.topics.order_by("position", "name").values_list("name", flat=True))
    event.ics = ics.event_ics(event, occurrences, topic_names)
    Event.objects.filter(pk=event.pk).update(
        ics=event.ics, last_end=event.last_end, sequence=event.sequence
    )


def _apply(event: Event, data: EventData, *, exceptions: bool) -> None:
    """Write ``data`` (already checked) to the event and its dates."""
    starts = recurrence.expand(data.rrule, data.start)
    _check_dates(data, starts)
    event.title = data.title
    event.description = data.description
    event.description_html = str(render_markdown(data.description, mentions=True))
    event.start, event.end, event.all_day = data.start, data.end, data.all_day
    event.place, event.online_url = data.place, data.online_url
    event.organiser, event.group, event.rrule = data.organiser, data.group, data.rrule
    event.last_end = data.end
    event.save()
    event.topics.set(data.topics)
    event.hosts.set(data.hosts)
    _sync_occurrences(
        event,
        starts,
        skip_dates=set(data.skip_dates) if exceptions else None,
        themes=dict(data.themes) if exceptions else None,
    )
    _write_ics(event)


def _guard(data: EventData, confirmed: bool) -> None:
    guard(data.title, data.description, data.place, *data.themes.values(), confirmed=confirmed)


# --- Events ------------------------------------------------------------------------------------


def event_create(*, author: Member, data: EventData, confirmed: bool = False) -> Event:
    """Add an event or a series, with its dates, exceptions and calendar text."""
    data = _clean(data, author)
    _guard(data, confirmed)
    with transaction.atomic():
        event = Event(author=author, start=data.start, end=data.end, last_end=data.end)
        _apply(event, data, exceptions=True)
        announce(
            verb=Verb.NEW_EVENT,
            target_type=Target.EVENT,
            target_id=event.pk,
            actor=author,
            topics=data.topics,
        )
        if event.group_id is None:
            from kollegan.feed.services import feed_announce_event

            feed_announce_event(event=event)
    return event


def event_edit(
    *,
    event: Event,
    editor: Member,
    data: EventData,
    confirmed: bool = False,
    exceptions: bool = True,
) -> Event:
    """Change the whole event or series. With ``exceptions`` the skipped dates
    and themes in ``data`` replace the old ones; without, each date keeps its own."""
    _refuse_unless_editor(editor, event)
    data = _clean(data, editor)
    _guard(data, confirmed)
    with transaction.atomic():
        event.edited_at = timezone.now()
        event.sequence += 1
        group_before = event.group_id
        _apply(event, data, exceptions=exceptions)
        if event.group_id != group_before:
            _notes_follow_group(event)
        announce(
            verb=Verb.EVENT_CHANGED, target_type=Target.EVENT, target_id=event.pk, actor=editor
        )
        from kollegan.feed.services import feed_event_changed

        feed_event_changed(event=event)
    return event


def _notes_follow_group(event: Event) -> None:
    """An event's notes are seen by whoever sees the event: when it moves into a
    group (or out of one), its notes move too, and leave the feed."""
    from kollegan.feed.models import FeedEntry
    from kollegan.notes.models import Note
    from kollegan.search.indexing import index_by_id

    notes = Note.objects.filter(event=event)
    notes.update(group=event.group)
    index_by_id("note", list(notes.values_list("pk", flat=True)))
    if event.group_id is not None:
        FeedEntry.objects.filter(note__in=notes).delete()


def exceptions_of(event: Event) -> tuple[list[dt.date], dict[dt.date, str]]:
    """(skipped dates, {date: theme}) of a series, in Swedish time."""
    skipped, themes = [], {}
    for item in event.occurrences.order_by("original_start"):
        date = local(item.original_start).date()
        if item.skipped:
            skipped.append(date)
        if item.theme:
            themes[date] = item.theme
    return skipped, themes


def event_edit_following(
    *, occurrence: Occurrence, editor: Member, data: EventData, confirmed: bool = False
) -> Event:
    """Change a series from ``occurrence`` on: the old series ends the day
    before, and a new series (a new UID) takes over that date and the following
    ones with their themes, attendance and notes. From the first date it is the
    same as changing the whole series."""
    event = occurrence.event
    _refuse_unless_editor(editor, event)
    if not event.rrule:
        raise field_error("rrule", _("Only a series has following dates."), "not_a_series")
    cut = occurrence.original_start
    earlier = event.occurrences.filter(original_start__lt=cut)
    if not earlier.exists():
        return event_edit(event=event, editor=editor, data=data, confirmed=confirmed)
    data = _clean(data, editor)
    _guard(data, confirmed)
    if not data.rrule:
        message = _("The following dates need a rule; to end the series, edit the whole series.")
        raise field_error("rrule", message, "rrule_missing")
    if local(data.start).date() < local(cut).date():
        message = _(
            "The following dates cannot start before the date they follow on from; "
            "to change earlier dates, edit the whole series."
        )
        raise field_error("start", message, "start_before_cut")
    with transaction.atomic():
        taken = earlier.count()
        head_rule, _tail = recurrence.split_rule(event.rrule, before=cut, taken=taken)
        successor = Event(author=event.author, start=data.start, end=data.end, last_end=data.end)
        successor.save()
        # The dates from the cut on move with their themes, attendance and notes.
        from kollegan.notes.models import Note

        moving = event.occurrences.filter(original_start__gte=cut)
        Note.objects.filter(occurrence__in=moving).update(event=successor)
        moving.update(event=successor)
        _apply(successor, data, exceptions=True)
        if successor.group_id is None:
            from kollegan.feed.services import feed_announce_event

            feed_announce_event(event=successor)
        event.rrule = head_rule
        event.edited_at = timezone.now()
        event.sequence += 1
        event.save(update_fields=["rrule", "edited_at", "sequence"])
        _sync_occurrences(event, recurrence.expand(event.rrule, event.start))
        _write_ics(event)
        from kollegan.feed.services import feed_event_changed

        feed_event_changed(event=event)
    return successor


def occurrence_edit(
    *,
    occurrence: Occurrence,
    editor: Member,
    theme: str = "",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    skipped: bool = False,
    confirmed: bool = False,
) -> Occurrence:
    """Change one date: its theme, its time (a moved date) or skip it."""
    event = occurrence.event
    _refuse_unless_editor(editor, event)
    theme = " ".join((theme or "").split())
    if len(theme) > THEME_MAX:
        message = _("A theme can be at most %(max)d characters.") % {"max": THEME_MAX}
        raise field_error("theme", message, "theme_long")
    start = start or occurrence.start
    end = end or occurrence.end
    start, end = _clean_times(start, end, all_day=event.all_day)
    guard(theme, confirmed=confirmed)
    if not event.rrule and skipped:
        message = _("A single event is cancelled, not skipped.")
        raise field_error("skipped", message, "not_a_series")
    if skipped and not event.occurrences.filter(skipped=False).exclude(pk=occurrence.pk).exists():
        raise field_error("skipped", _("Every date of the series is skipped."), "all_skipped")
    with transaction.atomic():
        original_end = occurrence.original_start + _wall_duration(event.start, event.end)
        occurrence.theme = theme
        occurrence.skipped = skipped
        occurrence.start, occurrence.end = start, end
        occurrence.moved = (start, end) != (occurrence.original_start, original_end)
        occurrence.save(update_fields=["theme", "skipped", "start", "end", "moved"])
        if not event.rrule:
            # A single event's date is the event.
            event.start, event.end = start, end
            occurrence.original_start, occurrence.moved = start, False
            occurrence.save(update_fields=["original_start", "moved"])
        event.edited_at = timezone.now()
        event.sequence += 1
        shown = event.occurrences.filter(skipped=False).order_by("-end").first()
        event.last_end = shown.end if shown else event.end
        event.save(update_fields=["start", "end", "edited_at", "sequence", "last_end"])
        _write_ics(event)
    return occurrence


@transaction.atomic
def event_cancel(*, event: Event, member: Member, cancelled: bool = True) -> Event:
    """Cancel an event or a whole series (it stays visible as cancelled), or undo that."""
    _refuse_unless_editor(member, event)
    if cancelled == event.is_cancelled:
        return event
    event.cancelled_at = timezone.now() if cancelled else None
    event.cancelled_by = member if cancelled else None
    event.edited_at = timezone.now()
    event.sequence += 1
    event.save(update_fields=["cancelled_at", "cancelled_by", "edited_at", "sequence"])
    _write_ics(event)
    announce(
        verb=Verb.EVENT_CANCELLED if cancelled else Verb.EVENT_CHANGED,
        target_type=Target.EVENT,
        target_id=event.pk,
        actor=member,
    )
    if cancelled:
        audit_log(
            action=Action.EVENT_CANCELLED,
            actor=member,
            subject=event.author,
            subject_label=f"{_('Event')}: {event.title}",
            detail={"event": event.pk},
        )
    return event


@transaction.atomic
def event_delete(*, event: Event, member: Member) -> None:
    """Remove an event for good (its author or a moderator); cancelling keeps it visible."""
    if not (member.is_moderator or event.author_id == member.pk):
        raise PermissionDenied(_("Only the one who added the event and moderators can delete it."))
    event.delete()


# --- Attendance --------------------------------------------------------------------------------


def attendance_set(*, occurrence: Occurrence, member: Member, going: bool = True) -> bool:
    """ "Jag kommer" on or off; returns whether anything changed."""
    if not may_see_group(member, occurrence.event.group):
        raise PermissionDenied(_("This meeting is only for its group."))
    if going and (occurrence.skipped or occurrence.event.is_cancelled):
        message = _("The meeting is cancelled; you cannot sign up for it.")
        raise field_error("going", message, "cancelled")
    with transaction.atomic():
        if going:
            try:
                with transaction.atomic():
                    Attendance.objects.create(occurrence=occurrence, member=member)
            except IntegrityError:
                return False
            Occurrence.objects.filter(pk=occurrence.pk).update(going_count=F("going_count") + 1)
            occurrence.going_count += 1
            return True
        deleted, _rows = Attendance.objects.filter(occurrence=occurrence, member=member).delete()
        if deleted:
            Occurrence.objects.filter(pk=occurrence.pk).update(going_count=F("going_count") - 1)
            occurrence.going_count -= 1
        return bool(deleted)


# --- Each member's calendar settings and subscription link -------------------------------------


def settings_for(member: Member) -> CalendarSettings:
    found = CalendarSettings.objects.filter(member=member).first()
    return found or CalendarSettings(member=member)


def layout_remember(*, member: Member, layout: str) -> None:
    if layout not in CalendarSettings.Layout.values:
        return
    updated = CalendarSettings.objects.filter(member=member).exclude(layout=layout)
    if not updated.update(layout=layout):
        CalendarSettings.objects.get_or_create(member=member, defaults={"layout": layout})


def feed_token(member_pk: int, secret: str) -> str:
    """The link's token: derived from the server's secret, so a copy of the
    database alone does not reveal anyone's calendar link."""
    return salted_hmac(FEED_SALT, f"{member_pk}:{secret}", algorithm="sha256").hexdigest()


def feed_path_token(member: Member) -> str | None:
    found = CalendarSettings.objects.filter(member=member).exclude(feed_secret="").first()
    return feed_token(member.pk, found.feed_secret) if found else None


@transaction.atomic
def feed_renew(*, member: Member) -> str:
    """A new subscription link; the old one stops working at once."""
    secret = secrets.token_hex(32)
    found, _created = CalendarSettings.objects.get_or_create(member=member)
    found.feed_secret, found.feed_created_at = secret, timezone.now()
    found.save(update_fields=["feed_secret", "feed_created_at"])
    return feed_token(member.pk, secret)


def feed_revoke(*, member: Member) -> None:
    CalendarSettings.objects.filter(member=member).update(feed_secret="", feed_created_at=None)


def feed_owner(member_pk: int, token: str) -> Member | None:
    """The active member whose link this is, or None (revoked, renewed, forged or ended)."""
    if not is_row_id(member_pk):
        return None
    found = (
        CalendarSettings.objects.select_related("member")
        .filter(member_id=member_pk)
        .exclude(feed_secret="")
        .first()
    )
    if found is None or not constant_time_compare(feed_token(member_pk, found.feed_secret), token):
        return None
    return found.member if found.member.is_active else None
