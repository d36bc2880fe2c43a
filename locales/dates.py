"""The one way a date and time is written for people: weekday, date, time and the zone named.

    format_when(moment, "uk", "Europe/Kyiv") == "вівторок, 1 грудня, 18:00 за київським часом"
    format_when(moment, "ru", "Europe/Kyiv") == "вторник, 1 декабря, 18:00 по киевскому времени"

Babel writes the weekday, day, month and time in the reader's language and the community's
zone (meetings, reminders, request cards, poll deadlines reuse it). The zone's words are
this module's own table: CLDR has no "Kyiv time" phrase (Babel offers "за
східноєвропейським часом" / "Украина (Киев)"), and the words are part of the date's
format, like a month's name, not a message to translate. A zone without words here is
named by Babel's location name in brackets.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_timezone, get_timezone_location

# the year is written only when it is not the reader's current one
_PATTERN = "EEEE, d MMMM, HH:mm"
_PATTERN_YEAR = "EEEE, d MMMM y, HH:mm"
_DATE = "EEEE, d MMMM"
_DATE_YEAR = "EEEE, d MMMM y"

ZONE_WORDS: dict[str, dict[str, str]] = {
    "Europe/Kyiv": {"uk": "за київським часом", "ru": "по киевскому времени"},
}


def zone_words(language: str, zone: str) -> str:
    words = ZONE_WORDS.get(zone, {}).get(language)
    if words:
        return words
    return f"({get_timezone_location(get_timezone(zone), locale=language)})"


def format_when(moment: datetime, language: str, zone: str, *, now: datetime | None = None) -> str:
    """An aware instant as people of `zone` read it, in `language`, the zone named; the
    year only when it differs from `now`'s (the year is always written without `now`)."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    same_year = now is not None and now.astimezone(tz).year == local.year
    text = format_datetime(local, _PATTERN if same_year else _PATTERN_YEAR, locale=language)
    return f"{text} {zone_words(language, zone)}"


def format_day(day: datetime, language: str, zone: str, *, now: datetime | None = None) -> str:
    """The weekday and date alone (a picked day before its time is chosen)."""
    tz = ZoneInfo(zone)
    local = day.astimezone(tz)
    same_year = now is not None and now.astimezone(tz).year == local.year
    return str(format_datetime(local, _DATE if same_year else _DATE_YEAR, locale=language))
