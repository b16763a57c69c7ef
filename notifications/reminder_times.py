"""Times people type for reminders, read in their own time zone: "in 20 minutes", "at 9:00 tomorrow".

Understood forms (case and extra spaces do not matter):
    in 20 minutes | in 2 hours | in 3 days | in a week | in an hour   (min, mins, h, hr, hrs too)
    at 9:00 | at 9 | at 9am | at 5:30 pm      (today, or tomorrow if that time has passed)
    at 9:00 tomorrow | tomorrow at 9:00 | tomorrow (9:00)
    2026-03-01 09:00 | 2026-03-01T09:00        (in the person's time zone)
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, time, timedelta

from slackclone.errors import DomainError, ErrorCode

UNITS = {
    "minute": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "hr": timedelta(hours=1),
    "h": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
RELATIVE_RE = re.compile(r"^in\s+(\d{1,4}|an?|one)\s*(minute|min|hour|hr|h|day|week)s?$")
CLOCK = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"
AT_RE = re.compile(rf"^(?:(tomorrow|today)\s+)?at\s+{CLOCK}(?:\s+(tomorrow|today))?$")
TOMORROW_RE = re.compile(r"^tomorrow$")
ABSOLUTE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ t](\d{1,2}:\d{2})$")
DEFAULT_MORNING = time(9, 0)


def invalid_time(raw: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_TIME,
        "%(raw)s is not a time I understand; try “in 20 minutes”, “at 9:00 tomorrow” or “2026-03-01 09:00”.",
        fields={"when": "invalid"},
        params={"raw": f"{raw!r}"},
    )


def _clock(raw: str, hours: str, minutes: str | None, meridiem: str | None) -> time:
    hour, minute = int(hours), int(minutes or 0)
    if meridiem:
        if not 1 <= hour <= 12:
            raise invalid_time(raw)
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise invalid_time(raw)
    return time(hour, minute)


def _local(day: date, clock: time, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def parse_when(raw: str, *, timezone_name: str, now: datetime) -> datetime:
    """The moment `raw` names, as an aware datetime; invalid_time if it names none."""
    text = " ".join((raw or "").strip().lower().split())
    try:
        tz = zoneinfo.ZoneInfo(timezone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    local_now = now.astimezone(tz)
    if match := RELATIVE_RE.match(text):
        amount, unit = match.groups()
        count = 1 if amount in ("a", "an", "one") else int(amount)
        return now + count * UNITS[unit]
    if match := AT_RE.match(text):
        before, hours, minutes, meridiem, after = match.groups()
        clock = _clock(raw, hours, minutes, meridiem)
        day = local_now.date()
        passed = "today" not in (before, after) and _local(day, clock, tz) <= local_now
        if "tomorrow" in (before, after) or passed:  # a time already passed today means tomorrow
            day += timedelta(days=1)
        return _local(day, clock, tz)
    if TOMORROW_RE.match(text):
        return _local(local_now.date() + timedelta(days=1), DEFAULT_MORNING, tz)
    if match := ABSOLUTE_RE.match(text):
        try:
            day = date.fromisoformat(match.group(1))
            hours, minutes = match.group(2).split(":")
        except ValueError:
            raise invalid_time(raw) from None
        return _local(day, _clock(raw, hours, minutes, None), tz)
    raise invalid_time(raw)
