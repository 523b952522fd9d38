"""Series rules: reading and checking RRULEs, expanding them in Swedish wall
time, the per-date lines a form takes (themes, skipped weeks), cutting a rule
in two, and the form's simple choices (kind, end, sentence)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kollegan.events import recurrence
from kollegan.events.recurrence import (
    MAX_OCCURRENCES,
    MAX_PER_YEAR,
    compose,
    describe,
    expand,
    normalise_rule,
    parse_date_lines,
    rule_end,
    simple_kind,
    split_rule,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
START = dt.datetime(2023, 9, 6, 8, 15, tzinfo=STOCKHOLM)  # a Wednesday


def refusal(error: ValidationError) -> tuple[str, str, str]:
    """(field, code, message) of a service's one-field refusal."""
    [(field, errors)] = error.error_dict.items()
    [only] = errors
    return field, only.code, only.messages[0]


def refused(call, *args, **kwargs) -> tuple[str, str, str]:
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        call(*args, **kwargs)
    return refusal(raised.value)


def dates_of(rule: str, start: dt.datetime = START) -> list[dt.date]:
    return [value.date() for value in expand(rule, start)]


# --- normalise_rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("RRULE:FREQ=WEEKLY;COUNT=3", "FREQ=WEEKLY;COUNT=3"),
        ("rrule:freq=weekly;count=3", "FREQ=WEEKLY;COUNT=3"),
        ("  FREQ=WEEKLY; COUNT=3 \n", "FREQ=WEEKLY;COUNT=3"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise_rule_strips_the_prefix_and_space(text, stored):
    assert normalise_rule(text) == stored


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        # Winter time (UTC+1): the end of 20 December is 22:59:59 UTC.
        ("FREQ=WEEKLY;UNTIL=20231220", "20231220T225959Z"),
        # Summer time (UTC+2): the end of 15 June is 21:59:59 UTC.
        ("FREQ=WEEKLY;UNTIL=20240615", "20240615T215959Z"),
        # A local time without a zone is Swedish time.
        ("FREQ=WEEKLY;UNTIL=20231220T120000", "20231220T110000Z"),
        # A time already in UTC stays.
        ("FREQ=WEEKLY;UNTIL=20231220T120000Z", "20231220T120000Z"),
    ],
)
def test_an_until_is_stored_in_utc_as_the_end_of_that_swedish_day(text, utc):
    assert normalise_rule(text) == f"FREQ=WEEKLY;UNTIL={utc}"


def test_an_until_date_keeps_the_last_date_in_the_series():
    rule = normalise_rule("FREQ=WEEKLY;UNTIL=20231220")
    assert dates_of(rule)[-1] == dt.date(2023, 12, 20)
    # Late in the evening of the last day still counts.
    late = dt.datetime(2023, 9, 6, 23, 30, tzinfo=STOCKHOLM)
    assert dates_of(rule, late)[-1] == dt.date(2023, 12, 20)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20231220", "rrule_invalid"),
        ("COUNT=3", "rrule_invalid"),
        ("INTERVAL=2;UNTIL=20231220", "rrule_invalid"),
        ("FREQ=FORTNIGHTLY;COUNT=3", "rrule_invalid"),
        ("FREQ=WEEKLY", "rrule_endless"),
        ("RRULE:FREQ=DAILY;INTERVAL=2", "rrule_endless"),
        ("hello", "rrule_invalid"),
        (";;;", "rrule_invalid"),
        ("FREQ=WEEKLY;COUNT=many", "rrule_invalid"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", "rrule_invalid"),
        ("FREQ=WEEKLY;UNTIL=20231399", "rrule_invalid"),
        ("FREQ=WEEKLY;INTERVAL=0;COUNT=3", "rrule_invalid"),
        ("FREQ=WEEKLY;INTERVAL=-1;COUNT=3", "rrule_invalid"),
    ],
)
def test_normalise_rule_refuses_with_a_code(text, code):
    field, found, message = refused(normalise_rule, text)
    assert (field, found) == ("rrule", code)
    assert message


def test_the_refusals_say_what_is_wrong():
    assert "COUNT or UNTIL" in refused(normalise_rule, "FREQ=WEEKLY;COUNT=2;UNTIL=20231220")[2]
    assert "FREQ" in refused(normalise_rule, "COUNT=3")[2]
    assert "must end" in refused(normalise_rule, "FREQ=MONTHLY")[2]
    assert "could not be read" in refused(normalise_rule, "FREQ=WEEKLY;COUNT=many")[2]


def test_an_unknown_part_is_refused_by_name():
    field, code, message = refused(normalise_rule, "FREQ=WEEKLY;COUNT=3;FOO=1")[:3]
    assert (field, code) == ("rrule", "rrule_unsupported")
    assert "FOO" in message


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1",
        "FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31;COUNT=1",
        "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1",
        "FREQ=DAILY;BYSETPOS=2;COUNT=1",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=9;COUNT=1",
        "FREQ=YEARLY;BYWEEKNO=60;COUNT=1",
    ],
)
def test_rules_that_can_never_happen_are_refused_at_once(rule):
    # dateutil would search to the year 9999 for these: seconds of a worker's time.
    assert refused(normalise_rule, rule)[1] in {"rrule_empty", "rrule_unsupported", "rrule_invalid"}


def test_a_count_that_does_not_fit_in_twenty_years_is_refused():
    rule = normalise_rule("FREQ=YEARLY;COUNT=25")
    assert refused(expand, rule, START)[:2] == ("rrule", "rrule_too_long")


# --- expand ----------------------------------------------------------------------------------


def test_no_rule_is_the_one_start_in_swedish_time():
    utc = START.astimezone(dt.UTC)
    [only] = expand("", utc)
    assert only == START
    assert only.tzinfo == STOCKHOLM


def test_a_count_gives_that_many_weekly_dates():
    assert dates_of("FREQ=WEEKLY;COUNT=4") == [
        dt.date(2023, 9, 6),
        dt.date(2023, 9, 13),
        dt.date(2023, 9, 20),
        dt.date(2023, 9, 27),
    ]


def test_the_whole_limit_is_allowed_and_one_more_is_refused():
    # Daily dates stay under the yearly limit and within twenty years; only the
    # total counts here.
    assert len(expand(f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}", START)) == MAX_OCCURRENCES
    field, code, message = refused(expand, f"FREQ=DAILY;COUNT={MAX_OCCURRENCES + 1}", START)
    assert (field, code) == ("rrule", "rrule_too_many")
    assert str(MAX_OCCURRENCES) in message


def test_more_than_the_yearly_limit_in_a_calendar_year_is_refused():
    january = dt.datetime(2024, 1, 1, 8, 0, tzinfo=STOCKHOLM)
    rule = f"FREQ=HOURLY;INTERVAL=12;COUNT={MAX_PER_YEAR + 1}"
    field, code, message = refused(expand, rule, january)
    assert (field, code) == ("rrule", "rrule_too_many")
    assert "2024" in message and str(MAX_PER_YEAR + 1) in message
    # Just as many, spread over two calendar years, pass the yearly limit (and
    # are refused for the two dates a day instead).
    december = dt.datetime(2023, 12, 1, 8, 0, tzinfo=STOCKHOLM)
    assert refused(expand, rule, december)[1] == "rrule_same_day"
    # 501 daily dates over three calendar years are fine.
    assert len(expand(f"FREQ=DAILY;COUNT={MAX_PER_YEAR + 1}", START)) == MAX_PER_YEAR + 1


def test_an_hourly_rule_with_600_dates_is_refused():
    rule = normalise_rule("FREQ=HOURLY;COUNT=600")
    assert refused(expand, rule, START)[:2] == ("rrule", "rrule_too_many")


def test_a_daily_rule_for_ten_years_is_refused():
    rule = normalise_rule(f"FREQ=DAILY;UNTIL={START.year + 10}0906")
    assert refused(expand, rule, START)[:2] == ("rrule", "rrule_too_many")


def test_a_rule_without_dates_from_the_start_is_refused():
    rule = normalise_rule("FREQ=WEEKLY;UNTIL=20230101")
    assert refused(expand, rule, START)[:2] == ("rrule", "rrule_empty")


def test_a_rule_with_two_dates_on_one_day_is_refused():
    """Themes, skipped weeks and matching on edit go by date: one date a day."""
    rule = normalise_rule("FREQ=HOURLY;COUNT=3")
    assert refused(expand, rule, START)[:2] == ("rrule", "rrule_same_day")
    assert len(expand(normalise_rule("FREQ=DAILY;COUNT=3"), START)) == 3


def test_8_15_stays_8_15_across_both_changes_of_summer_time():
    # From September 2023 to June 2024: winter time from 29 October, summer from 31 March.
    rule = normalise_rule("FREQ=WEEKLY;UNTIL=20240612")
    starts = expand(rule, START)
    assert {(value.hour, value.minute) for value in starts} == {(8, 15)}
    offsets = {value.date(): value.utcoffset() for value in starts}
    assert offsets[dt.date(2023, 10, 25)] == dt.timedelta(hours=2)
    assert offsets[dt.date(2023, 11, 1)] == dt.timedelta(hours=1)
    assert offsets[dt.date(2024, 3, 27)] == dt.timedelta(hours=1)
    assert offsets[dt.date(2024, 4, 3)] == dt.timedelta(hours=2)
    utc_hours = {value.astimezone(dt.UTC).hour for value in starts}
    assert utc_hours == {6, 7}


def test_expand_from_a_utc_start_gives_swedish_wall_time():
    rule = normalise_rule("FREQ=WEEKLY;COUNT=10")
    starts = expand(rule, START.astimezone(dt.UTC))
    assert all(value.tzinfo == STOCKHOLM for value in starts)
    assert {(value.hour, value.minute) for value in starts} == {(8, 15)}


# --- parse_date_lines ------------------------------------------------------------------------

SERIES = dates_of(normalise_rule("FREQ=WEEKLY;UNTIL=20231220"))


@pytest.mark.parametrize(
    "line",
    ["6/9 Tema", "2023-09-06 Tema", "06/09/2023: Tema", "6/9 – Tema", "6/9-2023 Tema", "6/9: Tema"],
)
def test_a_theme_line_in_every_written_form(line):
    [found] = parse_date_lines(line, field="themes", dates=SERIES, with_text=True)
    assert (found.number, found.date, found.text) == (1, dt.date(2023, 9, 6), "Tema")


def test_blank_lines_are_passed_over_and_numbers_are_the_written_ones():
    text = "\n6/9 Funktionshinder\n   \n13/9 Skadligt bruk/beroende + Våld\n\n2023-9-27 Ekonomi\n"
    found = parse_date_lines(text, field="themes", dates=SERIES, with_text=True)
    assert [(item.number, item.date, item.text) for item in found] == [
        (2, dt.date(2023, 9, 6), "Funktionshinder"),
        (4, dt.date(2023, 9, 13), "Skadligt bruk/beroende + Våld"),
        (6, dt.date(2023, 9, 27), "Ekonomi"),
    ]


def test_a_day_and_month_without_a_year_is_the_series_date():
    spanning = dates_of(
        normalise_rule("FREQ=MONTHLY;COUNT=6"), dt.datetime(2023, 10, 6, 9, 0, tzinfo=STOCKHOLM)
    )
    [found] = parse_date_lines("6/2", field="skip_dates", dates=spanning, with_text=False)
    assert found.date == dt.date(2024, 2, 6)


def test_skipped_weeks_need_no_text_and_drop_any():
    found = parse_date_lines("20/9\n2023-10-04 höstlov", field="x", dates=SERIES, with_text=False)
    assert [(item.date, item.text) for item in found] == [
        (dt.date(2023, 9, 20), ""),
        (dt.date(2023, 10, 4), ""),
    ]


def test_a_date_not_in_the_series_names_the_line_and_the_date():
    text = "6/9 Funktionshinder\n\n7/9 Torsdag"
    field, code, message = refused(
        parse_date_lines, text, field="themes", dates=SERIES, with_text=True
    )
    assert (field, code) == ("themes", "date_not_in_series")
    assert message.startswith("Line 3:")
    assert "2023-09-07" in message


def test_a_date_of_another_year_is_not_in_the_series():
    _field, code, message = refused(
        parse_date_lines, "6/9/2024 Tema", field="themes", dates=SERIES, with_text=True
    )
    assert code == "date_not_in_series"
    assert "2024-09-06" in message


@pytest.mark.parametrize("line", ["Funktionshinder", "31/2 Tema", "2023-02-30 Tema", "6.9 Tema"])
def test_a_line_without_a_date_is_refused_naming_it(line):
    text = f"6/9 Funktionshinder\n{line}"
    field, code, message = refused(
        parse_date_lines, text, field="themes", dates=SERIES, with_text=True
    )
    assert (field, code) == ("themes", "date_invalid")
    assert message.startswith("Line 2:")
    assert line in message


@pytest.mark.parametrize("line", ["6/9", "6/9 – ", "2023-09-06:"])
def test_a_theme_line_without_a_theme_is_refused(line):
    field, code, message = refused(
        parse_date_lines, f"13/9 Våld\n{line}", field="themes", dates=SERIES, with_text=True
    )
    assert (field, code) == ("themes", "theme_empty")
    assert message.startswith("Line 2:")


def test_the_refusal_is_on_the_field_asked_for():
    field, code, _message = refused(
        parse_date_lines, "1/1", field="skip_dates", dates=SERIES, with_text=False
    )
    assert (field, code) == ("skip_dates", "date_not_in_series")


# --- split_rule ------------------------------------------------------------------------------


def test_an_until_rule_splits_before_the_cut():
    rule = normalise_rule("FREQ=WEEKLY;UNTIL=20231220")
    starts = expand(rule, START)
    cut = starts[8]  # 1 November, after the change to winter time
    head, tail = split_rule(rule, before=cut, taken=8)
    assert dates_of(head) == [value.date() for value in starts[:8]]
    assert dates_of(tail, cut) == [value.date() for value in starts[8:]]
    # The first part ends with the day before the cut, whatever its last date.
    assert rule_end(head) == (dt.date(2023, 10, 31), None)
    assert rule_end(tail) == (dt.date(2023, 12, 20), None)


def test_a_count_rule_splits_into_the_right_counts():
    rule = normalise_rule("FREQ=WEEKLY;COUNT=10")
    starts = expand(rule, START)
    head, tail = split_rule(rule, before=starts[3], taken=3)
    assert "COUNT" not in head
    assert rule_end(tail) == (None, 7)
    assert dates_of(head) == [value.date() for value in starts[:3]]
    assert dates_of(tail, starts[3]) == [value.date() for value in starts[3:]]


def test_split_keeps_the_other_parts_of_the_rule():
    rule = normalise_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=8")
    starts = expand(rule, START)
    head, tail = split_rule(rule, before=starts[5], taken=5)
    assert dates_of(head) + dates_of(tail, starts[5]) == [value.date() for value in starts]


# --- simple_kind, rule_end, describe, compose -----------------------------------------------

KINDS = ["daily", "weekdays", "weekly", "biweekly", "monthly"]


@pytest.mark.parametrize("kind", KINDS)
def test_compose_with_an_end_date_round_trips(kind):
    rule = normalise_rule(compose(kind, until=dt.date(2023, 12, 20), count=None, custom=""))
    assert simple_kind(rule) == kind
    assert rule_end(rule) == (dt.date(2023, 12, 20), None)
    assert dates_of(rule)[-1] <= dt.date(2023, 12, 20)


@pytest.mark.parametrize("kind", KINDS)
def test_compose_with_a_count_round_trips(kind):
    rule = normalise_rule(compose(kind, until=None, count=7, custom=""))
    assert simple_kind(rule) == kind
    assert rule_end(rule) == (None, 7)
    assert len(expand(rule, START)) == 7


def test_compose_prefers_the_end_date_and_passes_custom_and_none_through():
    assert compose("weekly", until=dt.date(2023, 12, 20), count=5, custom="") == (
        "FREQ=WEEKLY;UNTIL=20231220"
    )
    assert compose("custom", until=None, count=3, custom="FREQ=YEARLY;COUNT=2") == (
        "FREQ=YEARLY;COUNT=2"
    )
    assert compose("none", until=dt.date(2023, 12, 20), count=3, custom="FREQ=DAILY") == ""


def test_the_weekdays_rule_gives_no_weekends():
    rule = normalise_rule(compose("weekdays", until=None, count=10, custom=""))
    assert {value.weekday() for value in expand(rule, START)} == {0, 1, 2, 3, 4}


@pytest.mark.parametrize(
    ("rule", "kind"),
    [
        ("", "none"),
        ("FREQ=WEEKLY;INTERVAL=1;COUNT=3", "weekly"),
        ("FREQ=WEEKLY;WKST=MO;COUNT=3", "weekly"),
        ("FREQ=WEEKLY;INTERVAL=3;COUNT=3", "custom"),
        ("FREQ=DAILY;INTERVAL=2;COUNT=3", "custom"),
        ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3", "custom"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA;COUNT=3", "custom"),
        ("FREQ=YEARLY;COUNT=3", "custom"),
        ("FREQ=MONTHLY;BYDAY=1WE;COUNT=3", "custom"),
    ],
)
def test_simple_kind_tells_the_form_choices_from_custom_rules(rule, kind):
    assert simple_kind(rule) == kind


def test_rule_end_of_no_rule_and_of_an_unstored_date():
    assert rule_end("") == (None, None)
    assert rule_end("FREQ=WEEKLY;UNTIL=20231220") == (dt.date(2023, 12, 20), None)


@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        ("daily", "Every day"),
        ("weekdays", "Every weekday"),
        ("weekly", "Every week on wednesday"),
        ("biweekly", "Every other week on wednesday"),
        ("monthly", "Every month on day 6"),
    ],
)
def test_describe_each_simple_kind(kind, sentence):
    with translation.override("en"):
        until = normalise_rule(compose(kind, until=dt.date(2023, 12, 20), count=None, custom=""))
        assert describe(until, START) == f"{sentence} until 20 December 2023"
        counted = normalise_rule(compose(kind, until=None, count=7, custom=""))
        assert describe(counted, START) == f"{sentence}, 7 times"
        once = normalise_rule(compose(kind, until=None, count=1, custom=""))
        assert describe(once, START) == f"{sentence}, 1 time"


def test_describe_a_custom_rule_shows_the_rule():
    with translation.override("en"):
        rule = normalise_rule("FREQ=YEARLY;COUNT=3")
        assert describe(rule, START) == "Repeats by the rule FREQ=YEARLY;COUNT=3, 3 times"


def test_describe_uses_the_swedish_weekday_of_the_swedish_date():
    # 23:30 UTC on Tuesday is 01:30 on Wednesday in Stockholm.
    late = dt.datetime(2023, 9, 5, 23, 30, tzinfo=dt.UTC)
    with translation.override("en"):
        assert describe("FREQ=WEEKLY;COUNT=2", late).startswith("Every week on wednesday")


def test_the_yearly_limit_is_the_issues():
    assert recurrence.MAX_PER_YEAR == 500
