"""Instants as SSM reads and writes them: ISO-8601 dates in, ``NextExecutionTime`` text out, IANA zones.

Also the horizon every schedule lives in: the years 1970-2199 of the cron year field. Nothing the mock
computes for a window lies outside it, so no stored window can ever ask ``datetime`` for an instant it
cannot hold (``OverflowError``), however long the clock runs.

Known differences from AWS: docs/known-differences.md#schedules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

from ..lazy_re import LazyPattern

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "ScheduleError",
    "format_execution_time",
    "parse_instant",
    "require_aware",
    "zone",
]

#: The years a schedule runs in: the range of the cron year field.
MIN_YEAR = 1970
MAX_YEAR = 2199


class ScheduleError(ValueError):
    """An invalid schedule expression, time zone, offset or date; ``str(e)`` is the user-facing message."""


_INSTANT_RE = LazyPattern(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<frac>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)


def read_instant(text: str, what: str) -> datetime:
    """An ISO-8601 instant as an aware datetime in its own offset; raises ScheduleError naming ``what``."""
    match = _INSTANT_RE.fullmatch(text)
    problem = ScheduleError(
        f"Invalid {what} '{text}': expected an ISO-8601 date and time such as "
        "2021-04-07T14:29:00-08:00 or 2020-10-01T10:10:10Z"
    )
    if match is None:
        raise problem
    tz_text = match["tz"]
    if tz_text is None or tz_text == "Z":
        tz: timezone = UTC
    else:
        sign = -1 if tz_text[0] == "-" else 1
        hours, minutes = int(tz_text[1:3]), int(tz_text[-2:])
        if hours > 18 or minutes > 59 or (hours == 18 and minutes):  # java.time's limit
            raise problem
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        year, month, day = (int(part) for part in match["date"].split("-"))
        instant = datetime(
            year,
            month,
            day,
            int(match["h"]),
            int(match["m"]),
            int(match["s"] or 0),
            int((match["frac"] or "0").ljust(6, "0")[:6]),
            tzinfo=tz,
        )
    except ValueError:
        raise problem from None
    try:
        instant.astimezone(UTC)  # every later comparison and sum is done in UTC
    except OverflowError:
        raise ScheduleError(f"Invalid {what} '{text}': in UTC it falls outside the years 0001-9999") from None
    return instant


def parse_instant(text: str) -> datetime:
    """Parse a StartDate/EndDate-style ISO-8601 instant to an aware datetime (no offset = UTC)."""
    return read_instant(text, "date and time")


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo | timezone:
    """The IANA zone of that name (UTC for None); raises ScheduleError for an unknown name."""
    if name is None:
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # on first use: it is not free to import

    try:
        if not name or name != name.strip():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(
            f"Invalid schedule timezone '{name}': not a known IANA time zone name such as America/Los_Angeles"
        ) from None


def require_aware(value: datetime, name: str) -> datetime:
    """``value`` in UTC; a naive datetime or a non-datetime is the caller's mistake (ValueError)."""
    # Callers are typed, but this is the mock's boundary: refuse naive datetimes and non-datetimes alike.
    if getattr(value, "utcoffset", lambda: None)() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC)


def format_execution_time(instant: datetime, timezone: str | None) -> str:
    """Render ``instant`` in the window's zone as SSM does: Java ``OffsetDateTime.toString()``.

    Seconds appear only when non-zero, the fraction only when non-zero (3 or 6 digits), and the offset is
    ``Z`` when zero: ``2024-03-05T16:00Z``, ``2019-10-20T05:34:56-07:00``, ``2020-02-12T23:19:20.596Z``.
    The text depends only on the instant and the zone, so the last few thousand are remembered: a
    schedule listing asked again (a paginator, a poll) meets the same runs, and windows due together
    share one text.
    """
    return _formatted(instant, timezone)


@lru_cache(maxsize=4096)
def _formatted(instant: datetime, timezone: str | None) -> str:
    local = require_aware(instant, "instant").astimezone(zone(timezone))
    text = f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:{local.minute:02d}"
    if local.second or local.microsecond:
        text += f":{local.second:02d}"
        if local.microsecond % 1000 == 0 and local.microsecond:
            text += f".{local.microsecond // 1000:03d}"
        elif local.microsecond:
            text += f".{local.microsecond:06d}"
    offset = local.utcoffset()
    total = 0 if offset is None else int(offset.total_seconds())
    if total == 0:
        return text + "Z"
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    text += f"{sign}{hours:02d}:{minutes:02d}"
    return text + (f":{seconds:02d}" if seconds else "")
