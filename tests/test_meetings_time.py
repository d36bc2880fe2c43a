"""Meeting times without Telegram or a database: series across both clock changes, typed
dates, the picker, reminder offsets and the date as residents read it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from flows.meetings_time import (
    DEFAULT_OFFSETS,
    in_picker,
    is_late,
    parse_offsets,
    parse_time,
    parse_when,
    picker_days,
    reminder_due,
)
from flows.recurrence import LAST, Repeat, Series, instant, nth_weekday, wall_time, weekday_ordinal
from locales.dates import format_when

KYIV = "Europe/Kyiv"
# 2026: summer time from Sunday 29 March 03:00 (to 04:00), winter from Sunday 25 October 04:00
SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize("change", [SPRING, AUTUMN])
def test_a_weekly_series_stays_at_18_kyiv_time_across_the_change(change: date) -> None:
    # a Tuesday series begun three weeks before the change
    first = datetime.combine(change - timedelta(days=26), time(18))
    series = Series(first, KYIV, Repeat.WEEKLY)
    starts = series.starts_after(instant(first, KYIV) - timedelta(seconds=1), 6)
    assert [s.time() for s in starts] == [time(18)] * 6
    assert [s.weekday() for s in starts] == [1] * 6
    offsets = {instant(s, KYIV).utcoffset() for s in starts}
    utc_hours = [instant(s, KYIV).hour for s in starts]
    before, after = (16, 15) if change == SPRING else (15, 16)
    assert utc_hours == [before] * 4 + [after] * 2
    assert offsets == {timedelta(0)}


def test_monthly_by_weekday_first_tuesday_and_last_friday() -> None:
    first_tuesday = Series(datetime(2026, 9, 1, 18), KYIV, Repeat.MONTHLY)
    days = [s.date() for s in first_tuesday.starts_after(utc(2026, 8, 1), 4)]
    assert days == [date(2026, 9, 1), date(2026, 10, 6), date(2026, 11, 3), date(2026, 12, 1)]
    assert instant(datetime(2026, 11, 3, 18), KYIV).hour == 16  # winter time: UTC+2
    # a fifth Friday is read as "the last Friday"
    assert weekday_ordinal(date(2026, 10, 30)) == LAST
    last_friday = Series(datetime(2026, 10, 30, 10), KYIV, Repeat.MONTHLY)
    days = [s.date() for s in last_friday.starts_after(utc(2026, 10, 1), 3)]
    assert days == [date(2026, 10, 30), date(2026, 11, 27), date(2026, 12, 25)]
    assert nth_weekday(2026, 2, 0, LAST) == date(2026, 2, 23)


def test_a_single_meeting_and_starts_between() -> None:
    once = Series(datetime(2026, 12, 1, 18), KYIV)
    assert once.starts_after(utc(2026, 11, 1), 5) == [datetime(2026, 12, 1, 18)]
    assert once.starts_after(utc(2026, 12, 1, 16), 5) == []
    weekly = Series(datetime(2026, 12, 1, 18), KYIV, Repeat.WEEKLY)
    between = weekly.starts_between(utc(2026, 12, 5), utc(2026, 12, 20))
    assert between == [datetime(2026, 12, 8, 18), datetime(2026, 12, 15, 18)]
    assert wall_time(utc(2026, 12, 8, 16), KYIV) == datetime(2026, 12, 8, 18)
    with pytest.raises(ValueError):
        Series(datetime(2026, 12, 1, 18, tzinfo=UTC), KYIV)


def test_reminders_are_real_hours_before_the_start_across_both_changes() -> None:
    # Sunday 18:00, the day the clocks go forward: 24 real hours before is Saturday 17:00
    start = instant(datetime(2026, 3, 29, 18), KYIV)
    due = reminder_due(start, DEFAULT_OFFSETS[0])
    assert start - due == timedelta(hours=24)
    assert wall_time(due, KYIV) == datetime(2026, 3, 28, 17)
    # Sunday 18:00, the day the clocks go back: Saturday 19:00
    start = instant(datetime(2026, 10, 25, 18), KYIV)
    assert wall_time(reminder_due(start, timedelta(hours=24)), KYIV) == datetime(2026, 10, 24, 19)
    assert wall_time(reminder_due(start, timedelta(hours=2)), KYIV) == datetime(2026, 10, 25, 16)


def test_wall_times_a_change_makes_odd() -> None:
    # 03:30 does not exist on 29 March: read with the winter offset, it is 04:30 summer time
    assert instant(datetime(2026, 3, 29, 3, 30), KYIV) == utc(2026, 3, 29, 1, 30)
    # 03:30 happens twice on 25 October: the first (summer time) one
    assert instant(datetime(2026, 10, 25, 3, 30), KYIV) == utc(2026, 10, 25, 0, 30)


def test_typed_dates() -> None:
    today = date(2026, 12, 2)
    assert parse_when("25.12 18:00", today) == datetime(2026, 12, 25, 18)
    assert parse_when(" 25.12.2027 18.30 ", today) == datetime(2027, 12, 25, 18, 30)
    assert parse_when("1.01 9:05", today) == datetime(2027, 1, 1, 9, 5)  # next one
    assert parse_when("2.12 10:00", today) == datetime(2026, 12, 2, 10)  # today stays today
    assert parse_when("29.02 10:00", today) == datetime(2028, 2, 29, 10)
    for bad in ("31.11 18:00", "25.12", "18:00", "25.12 25:00", "tomorrow", "２５.12 18:00"):
        assert parse_when(bad, today) is None, bad
    assert parse_time("18:00") == time(18) and parse_time("7.30") == time(7, 30)
    assert parse_time("24:00") is None and parse_time("18") is None


def test_the_picker_offers_the_next_eight_weeks() -> None:
    today = date(2026, 12, 2)  # a Wednesday
    rows = picker_days(today)
    assert len(rows) == 8 and all(len(row) == 7 for row in rows)
    assert rows[0][:2] == [None, None] and rows[0][2] == today
    assert rows[-1][-1] == date(2027, 1, 24)
    assert in_picker(today, today) and in_picker(date(2027, 1, 24), today)
    assert not in_picker(date(2026, 12, 1), today) and not in_picker(date(2027, 1, 25), today)


def test_offsets() -> None:
    assert (timedelta(hours=24), timedelta(hours=2)) == DEFAULT_OFFSETS
    assert parse_offsets("2, 24") == (timedelta(hours=24), timedelta(hours=2))
    assert parse_offsets("48 3 1") == (timedelta(hours=48), timedelta(hours=3), timedelta(hours=1))
    for bad in ("", "0", "169", "1 2 3 4", "two", "1.5"):
        assert parse_offsets(bad) is None, bad
    due = utc(2026, 12, 1, 14)
    assert not is_late(due, due + timedelta(minutes=10))
    assert is_late(due, due + timedelta(minutes=11))


def test_the_date_as_residents_read_it() -> None:
    start = instant(datetime(2026, 12, 1, 18), KYIV)
    now = utc(2026, 11, 20)
    assert format_when(start, "uk", KYIV, now=now) == "вівторок, 1 грудня, 18:00 за київським часом"
    assert (
        format_when(start, "ru", KYIV, now=now) == "вторник, 1 декабря, 18:00 по киевскому времени"
    )
    assert format_when(start, "uk", KYIV, now=utc(2025, 12, 1)).startswith(
        "вівторок, 1 грудня 2026"
    )
    summer = instant(datetime(2026, 7, 7, 18), KYIV)
    assert format_when(summer, "uk", KYIV, now=now) == "вівторок, 7 липня, 18:00 за київським часом"
