"""Maintenance-window schedules: cron/rate/at expressions, time zone, offset and bounds -> run instants.

A window's schedule is its ``Schedule`` expression read on the wall clock of its ``ScheduleTimezone``
(UTC when unset), shifted by ``ScheduleOffset`` days, and bounded by ``StartDate``/``EndDate``.
:func:`parse_expression` validates an expression; :class:`WindowSchedule` answers "when does it run next"
(:meth:`WindowSchedule.next_after`, :meth:`~WindowSchedule.iter_after`, :meth:`~WindowSchedule.between`);
:func:`format_execution_time` renders an instant the way SSM shows ``NextExecutionTime``.
This module is pure: standard library plus ``zoneinfo`` (with the ``tzdata`` wheel), no botocore.
Invalid input raises :class:`ScheduleError`, which the backend turns into SSM's ``ValidationException``.

Cron runs are found by walking the allowed years and months, computing each month's matching days
directly (last day, nearest weekday, nth weekday...) and mapping each local wall time to UTC. When the
zone's UTC offset is constant through a day, the whole day is mapped with one subtraction.

Known differences from AWS (SSM documents none of these; each is our policy):

* Error messages are our own wording; SSM's text for invalid schedules is not documented.
* Cron schedules that fire more often than every 5 minutes (``cron(* * * * ? *)``, a seconds field) are
  accepted. An old AWS page calls them unsupported, but no rejection is documented, so we do not invent one.
* Daylight saving time follows AWS's EventBridge Scheduler rule: a cron wall time that does not exist
  (spring-forward gap) is skipped; a wall time that occurs twice (fall-back) runs once, at the first instant.
  ``rate()`` counts elapsed time (``rate(1 day)`` = 24 h) and ignores the zone.
* ``ScheduleOffset`` adds N calendar days to the cron run's *local wall date*, then maps it to UTC (Fri 09:00
  EST + 3 days = Mon 09:00 EDT). If the shifted wall time falls in a DST gap, that run is skipped. A period
  runs only if its un-shifted cron time is later than the window's creation (AWS's documented rule).
* ``rate()`` runs at StartDate + k*N (k >= 0) when StartDate is set, otherwise at CreatedDate + k*N (k >= 1),
  keeping CreatedDate's sub-second precision. (The API reference says a past StartDate on a rate window is
  replaced by "now"; that substitution is the caller's job, not done here.)
* ``at(...)`` is read on the ScheduleTimezone wall clock (UTC when unset). An ``at()`` time inside a DST gap
  is moved forward by the gap's length (java.time's rule); one inside a fold uses the first instant.
* StartDate and EndDate are inclusive and bound the *execution* time (after the offset). StartDate after
  EndDate is not rejected; such a window simply never runs. StartDate/EndDate without a UTC offset are read
  as UTC; a date without a time is rejected.
* ``nW`` never fires in a month without day n (``31W`` skips 30-day months). Descending ranges (``FRI-MON``,
  ``22-2``) are rejected. A bare ``L`` in day-of-week means Saturday. ``L``, ``W`` and ``#`` cannot be mixed
  into lists. Expressions that can never fire (``cron(0 0 30 2 ? *)``) are accepted and never run.
* Cron runs stop after the year 2199 (the year field's maximum); so do rate runs.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from ..lazy_re import LazyPattern

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

__all__ = [
    "AtSpec",
    "CronSpec",
    "DayRule",
    "RateSpec",
    "ScheduleError",
    "WindowSchedule",
    "format_execution_time",
    "parse_expression",
    "parse_instant",
]

MIN_YEAR = 1970
MAX_YEAR = 2199
_ONE_MICROSECOND = timedelta(microseconds=1)


class ScheduleError(ValueError):
    """An invalid schedule expression, time zone, offset or date; ``str(e)`` is the user-facing message."""


# --------------------------------------------------------------------------------------------- specs


DayKind = Literal["dom", "last", "last_weekday", "nearest_weekday", "dow", "last_dow", "nth_dow"]


@dataclass(frozen=True, slots=True)
class DayRule:
    """Which days of a month match: the day-of-month or day-of-week field, whichever is not ``?``.

    ``values`` holds days of the month (``dom``) or Python weekdays, 0 = Monday (``dow``); ``n`` is the day
    for ``nearest_weekday`` or the Python weekday for ``last_dow``/``nth_dow``; ``k`` the occurrence (1-5).
    """

    kind: DayKind
    values: tuple[int, ...] = ()
    n: int = 0
    k: int = 0

    def days_in(self, year: int, month: int) -> list[int]:
        """The matching days of ``month`` in ``year``, ascending."""
        first_weekday, ndays = calendar.monthrange(year, month)
        kind = self.kind
        if kind == "dom":
            return [d for d in self.values if d <= ndays]
        if kind == "dow":
            days: list[int] = []
            for weekday in self.values:
                days.extend(range(1 + (weekday - first_weekday) % 7, ndays + 1, 7))
            days.sort()
            return days
        if kind == "last":
            return [ndays]
        last_weekday = (first_weekday + ndays - 1) % 7
        if kind == "last_weekday":
            # Saturday -> Friday before, Sunday -> Friday two days before.
            return [ndays - {5: 1, 6: 2}.get(last_weekday, 0)]
        if kind == "last_dow":
            return [ndays - (last_weekday - self.n) % 7]
        if kind == "nth_dow":
            day = 1 + (self.n - first_weekday) % 7 + 7 * (self.k - 1)
            return [day] if day <= ndays else []
        # nearest_weekday: the weekday closest to day n, never leaving the month.
        n = self.n
        if n > ndays:
            return []
        weekday = (first_weekday + n - 1) % 7
        if weekday == 5:  # Saturday
            return [n - 1 if n > 1 else n + 2]
        if weekday == 6:  # Sunday
            return [n + 1 if n < ndays else n - 2]
        return [n]


@dataclass(frozen=True, slots=True)
class CronSpec:
    """A parsed ``cron(...)`` expression; every field expanded to its sorted allowed values."""

    expression: str
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: tuple[int, ...]
    years: tuple[int, ...] = field(repr=False)  # 230 values when "*"
    day_rule: DayRule


@dataclass(frozen=True, slots=True)
class RateSpec:
    """A parsed ``rate(N unit)`` expression."""

    expression: str
    value: int
    unit: Literal["minute", "hour", "day"]
    step: timedelta


@dataclass(frozen=True, slots=True)
class AtSpec:
    """A parsed ``at(yyyy-mm-ddThh:mm:ss)`` expression; ``wall`` is naive, read in the window's zone."""

    expression: str
    wall: datetime


ScheduleSpec = CronSpec | RateSpec | AtSpec


# ------------------------------------------------------------------------------------------- parsing

_MONTH_NAMES = {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name}
# AWS numbers days of the week 1-7 = SUN-SAT.
_DOW_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_FIELD_NAMES = ("seconds", "minutes", "hours", "day-of-month", "month", "day-of-week", "year")
_RANGES = {
    "seconds": (0, 59),
    "minutes": (0, 59),
    "hours": (0, 23),
    "day-of-month": (1, 31),
    "month": (1, 12),
    "day-of-week": (1, 7),
    "year": (MIN_YEAR, MAX_YEAR),
}
_NAMES = {"month": _MONTH_NAMES, "day-of-week": _DOW_NAMES}
_ITEM_RE = LazyPattern(r"(?P<base>\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:/(?P<step>[^/]*))?")
_RATE_RE = LazyPattern(r"rate\(\s*(?P<value>\S+)\s+(?P<unit>\S+)\s*\)")
_AT_RE = LazyPattern(r"at\((?P<wall>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_RATE_UNITS: dict[str, tuple[Literal["minute", "hour", "day"], bool]] = {
    "minute": ("minute", False),
    "minutes": ("minute", True),
    "hour": ("hour", False),
    "hours": ("hour", True),
    "day": ("day", False),
    "days": ("day", True),
}
_DOW_SPECIAL_RE = LazyPattern(r"(?P<dow>[0-9A-Za-z]+)(?:(?P<last>[Ll])|#(?P<nth>\d+))")
_DOM_SPECIAL_RE = LazyPattern(r"L|LW|(?P<day>\d+)W", re.IGNORECASE)


class _CronProblem(Exception):
    """Raised inside the cron parser; wrapped into a ScheduleError naming the expression."""


def _python_weekday(aws_dow: int) -> int:
    """AWS 1-7 = SUN-SAT -> Python 0-6 = MON-SUN."""
    return (aws_dow - 2) % 7


def _value(token: str, name: str) -> int:
    names = _NAMES.get(name, {})
    if token.upper() in names:
        number = names[token.upper()]
    elif token.isdigit():
        number = int(token)
    else:
        raise _CronProblem(f"{name} value '{token}' is not valid")
    lo, hi = _RANGES[name]
    if not lo <= number <= hi:
        raise _CronProblem(f"{name} value {number} is out of range {lo}-{hi}")
    return number


def _parse_field(text: str, name: str) -> tuple[int, ...]:
    """Expand a plain field (``*``, values, names, ranges, steps, lists) to its sorted values."""
    lo, hi = _RANGES[name]
    result: set[int] = set()
    for item in text.split(","):
        if not item:
            raise _CronProblem(f"{name} has an empty value in '{text}'")
        match = _ITEM_RE.fullmatch(item)
        if match is None:
            raise _CronProblem(f"{name} value '{item}' is not valid")
        base, step_text = match["base"], match["step"]
        if base == "*":
            start, stop = lo, hi
        elif "-" in base:
            first, last = base.split("-")
            start, stop = _value(first, name), _value(last, name)
            if start > stop:
                raise _CronProblem(f"{name} range {base} is descending")
        else:
            start = stop = _value(base, name)
        step = 1
        if step_text is not None:
            if not step_text.isdigit() or int(step_text) < 1:
                raise _CronProblem(f"{name} step '{step_text}' in '{item}' must be a positive integer")
            step = int(step_text)
            if "-" not in base:
                stop = hi  # x/s means x, x+s, ... up to the field's maximum
        result.update(range(start, stop + 1, step))
    return tuple(sorted(result))


def _reject_in_list(text: str, name: str, specials: str) -> None:
    if "," in text:
        for item in text.split(","):
            if any(c in item.upper() for c in specials):
                raise _CronProblem(f"{name} '{item}' cannot be used in a list")


def _parse_dom(text: str) -> DayRule:
    name = "day-of-month"
    _reject_in_list(text, name, "LW")
    special = _DOM_SPECIAL_RE.fullmatch(text)
    if special is not None:
        if text.upper() == "L":
            return DayRule("last")
        if text.upper() == "LW":
            return DayRule("last_weekday")
        return DayRule("nearest_weekday", n=_value(special["day"], name))
    return DayRule("dom", values=_parse_field(text, name))


def _parse_dow(text: str) -> DayRule:
    name = "day-of-week"
    _reject_in_list(text, name, "L#")
    if text.upper() == "L":  # Quartz: a bare L in day-of-week is Saturday
        return DayRule("dow", values=(_python_weekday(7),))
    special = _DOW_SPECIAL_RE.fullmatch(text)
    if special is not None:
        weekday = _python_weekday(_value(special["dow"], name))
        if special["last"]:
            return DayRule("last_dow", n=weekday)
        k = int(special["nth"])
        if not 1 <= k <= 5:
            raise _CronProblem(f"{name} occurrence #{k} is out of range 1-5")
        return DayRule("nth_dow", n=weekday, k=k)
    values = _parse_field(text, name)
    return DayRule("dow", values=tuple(sorted(_python_weekday(v) for v in values)))


def _parse_cron(expression: str, body: str) -> CronSpec:
    fields = body.split()
    if len(fields) == 6:
        fields.insert(0, "0")
    elif len(fields) != 7:
        raise _CronProblem(
            "expected 6 fields (minutes hours day-of-month month day-of-week year) "
            f"or 7 with a leading seconds field, got {len(fields)}"
        )
    for name, text in zip(_FIELD_NAMES, fields, strict=True):
        if "?" in text and (name not in ("day-of-month", "day-of-week") or text != "?"):
            raise _CronProblem(f"'?' is only allowed alone in day-of-month or day-of-week, not in {name}")
    seconds, minutes, hours, dom, month, dow, year = fields
    # Plain fields first, so a bad value is reported before the day-of-month/day-of-week pairing.
    parsed_seconds = _parse_field(seconds, "seconds")
    parsed_minutes = _parse_field(minutes, "minutes")
    parsed_hours = _parse_field(hours, "hours")
    parsed_months = _parse_field(month, "month")
    parsed_years = _parse_field(year, "year")
    if dom == "?" and dow == "?":
        raise _CronProblem("day-of-month and day-of-week cannot both be '?'")
    if dom != "?" and dow != "?":
        raise _CronProblem("one of day-of-month and day-of-week must be '?'")
    return CronSpec(
        expression=expression,
        seconds=parsed_seconds,
        minutes=parsed_minutes,
        hours=parsed_hours,
        months=parsed_months,
        years=parsed_years,
        day_rule=_parse_dom(dom) if dow == "?" else _parse_dow(dow),
    )


def _parse_rate(expression: str) -> RateSpec:
    def problem(detail: str) -> ScheduleError:
        return ScheduleError(f"Invalid rate expression '{expression}': {detail}")

    match = _RATE_RE.fullmatch(expression)
    if match is None:
        raise problem("expected rate(<value> <unit>) with unit minute(s), hour(s) or day(s)")
    value_text, unit_text = match["value"], match["unit"]
    if unit_text not in _RATE_UNITS:
        raise problem(f"unit '{unit_text}' is not one of minute(s), hour(s) or day(s)")
    if not value_text.isdigit() or int(value_text) < 1:
        raise problem(f"value '{value_text}' must be a positive integer")
    value = int(value_text)
    unit, plural = _RATE_UNITS[unit_text]
    if value == 1 and plural:
        raise problem(f"use the singular unit '{unit}' when the value is 1")
    if value > 1 and not plural:
        raise problem(f"use the plural unit '{unit}s' when the value is greater than 1")
    try:
        step = timedelta(**{f"{unit}s": value})
    except OverflowError:
        raise problem(f"value {value} is too large") from None
    return RateSpec(expression=expression, value=value, unit=unit, step=step)


def _parse_at(expression: str) -> AtSpec:
    match = _AT_RE.fullmatch(expression)
    if match is None:
        raise ScheduleError(f"Invalid at expression '{expression}': expected at(yyyy-mm-ddThh:mm:ss)")
    try:
        wall = datetime.fromisoformat(match["wall"])
    except ValueError:
        raise ScheduleError(
            f"Invalid at expression '{expression}': '{match['wall']}' is not a valid date and time"
        ) from None
    return AtSpec(expression=expression, wall=wall)


@lru_cache(maxsize=4096)
def parse_expression(expression: str) -> CronSpec | RateSpec | AtSpec:
    """Validate and parse a window's ``Schedule``; raises :class:`ScheduleError`."""
    text = expression.strip()
    if text.startswith("cron(") and text.endswith(")"):
        try:
            return _parse_cron(expression, text[5:-1])
        except _CronProblem as problem:
            raise ScheduleError(f"Invalid cron expression '{expression}': {problem}") from None
    if text.startswith("rate("):
        return _parse_rate(text)
    if text.startswith("at("):
        return _parse_at(text)
    raise ScheduleError(
        f"Invalid schedule expression '{expression}': expected cron(...), rate(...) or at(...)"
    )


_INSTANT_RE = LazyPattern(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<frac>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)


def _parse_instant(text: str, what: str) -> datetime:
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
        return datetime(
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


def parse_instant(text: str) -> datetime:
    """Parse a StartDate/EndDate-style ISO-8601 instant to an aware datetime (no offset = UTC)."""
    return _parse_instant(text, "date and time")


@lru_cache(maxsize=512)
def _zone(name: str | None) -> ZoneInfo | timezone:
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


# -------------------------------------------------------------------------------------------- engine


def _to_utc(wall: datetime, tz: ZoneInfo | timezone) -> datetime | None:
    """The first UTC instant showing ``wall`` (naive) on the zone's clock, or None inside a DST gap."""
    # fold=0 is the first instant of a repeated wall time; a gap time fails the round trip. (Measured:
    # this round trip is faster than comparing the fold=0 and fold=1 offsets.)
    instant = wall.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return instant


def _constant_offset(tz: ZoneInfo | timezone, year: int, month: int, day: int) -> timedelta | None:
    """The zone's UTC offset if it is the same all through the local day, else None."""
    offset = datetime(year, month, day, tzinfo=tz).utcoffset()
    if datetime(year, month, day, 12, tzinfo=tz).utcoffset() != offset:
        return None
    end = datetime(year, month, day, 23, 59, 59, tzinfo=tz)
    # fold=1 differs from fold=0 only inside a gap or a fold, so this also catches a gap at day's end.
    if end.utcoffset() != offset or end.replace(fold=1).utcoffset() != offset:
        return None
    return offset


def _offset_swing(tz: ZoneInfo | timezone, date: datetime) -> timedelta:
    """How far the zone's UTC offset moves during the local day starting at naive midnight ``date``."""
    start = date.replace(tzinfo=tz).utcoffset() or timedelta(0)
    end = (date + timedelta(hours=23, minutes=59, seconds=59)).replace(tzinfo=tz, fold=1).utcoffset()
    return abs(start - (end or timedelta(0)))


@dataclass(frozen=True, slots=True, eq=False)
class _CronEngine:
    spec: CronSpec
    tz: ZoneInfo | timezone
    fixed_offset: timedelta | None
    times: list[timedelta] = field(default_factory=list)  # times of day, ascending
    # The UTC instant of each of `times` (None in a gap) on the days the zone changes its offset, mapped
    # once per day: there are only a few such days a year, but each wall time costs two conversions there,
    # and NextExecutionTime asks again on every Get and Describe.
    dst_days: dict[tuple[int, int, int], list[datetime | None]] = field(default_factory=dict)

    def dst_day(self, y: int, m: int, d: int) -> list[datetime | None]:
        instants = self.dst_days.get((y, m, d))
        if instants is None:
            if len(self.dst_days) >= 64:
                self.dst_days.clear()
            date = datetime(y, m, d)
            instants = self.dst_days[y, m, d] = [_to_utc(date + time, self.tz) for time in self.times]
        return instants

    def days_from(self, year: int, month: int, day: int) -> Iterator[tuple[int, int, int]]:
        """Matching local dates on or after ``year-month-day``, ascending, through the last allowed year."""
        spec = self.spec
        rule = spec.day_rule
        months = spec.months
        for y in spec.years[bisect_left(spec.years, year) :]:
            for m in months[bisect_left(months, month) :] if y == year else months:
                days = rule.days_in(y, m)
                if y == year and m == month:
                    days = days[bisect_left(days, day) :]
                for d in days:
                    yield y, m, d

    def runs_after(self, after: datetime) -> Iterator[datetime]:
        """Cron instants strictly after ``after`` (aware UTC), ascending."""
        tz, times = self.tz, self.times
        if after.year > MAX_YEAR:
            return
        local = after.astimezone(tz)
        last_time = times[-1]
        for y, m, d in self.days_from(local.year, local.month, local.day):
            offset = self.fixed_offset
            if offset is None:
                offset = _constant_offset(tz, y, m, d)
            if offset is not None:
                midnight = datetime(y, m, d, tzinfo=UTC) - offset
                if midnight > after:
                    for time in times:
                        yield midnight + time
                elif midnight + last_time > after:
                    for time in times[bisect_right(times, after - midnight) :]:
                        yield midnight + time
            else:  # a DST change today: map each wall time on its own
                date = datetime(y, m, d)
                first = 0
                if (y, m, d) == (local.year, local.month, local.day):
                    # Wall times earlier than `after`'s by more than today's offset change map before it.
                    swing = _offset_swing(tz, date) + timedelta(hours=1)
                    first = bisect_left(times, local.replace(tzinfo=None) - date - swing)
                for instant in self.dst_day(y, m, d)[first:]:
                    if instant is not None and instant > after:
                        yield instant

    def offset_runs_after(self, after: datetime, created: datetime, days: int) -> Iterator[datetime]:
        """Runs ``days`` local days after a cron time later than ``created``; strictly after ``after``."""
        tz, times = self.tz, self.times
        shift = timedelta(days=days)
        # A run's execution is within `days` + 1 of its cron time, so older cron times cannot matter.
        base_after = max(created, after - shift - timedelta(days=2))
        if base_after.year > MAX_YEAR:
            return
        local = base_after.astimezone(tz)
        for y, m, d in self.days_from(local.year, local.month, local.day):
            date = datetime(y, m, d)
            for time in times:
                base = _to_utc(date + time, tz)
                if base is None or base <= base_after:
                    continue
                instant = _to_utc(date + time + shift, tz)
                if instant is not None and instant > after:
                    yield instant


@lru_cache(maxsize=1024)
def _cron_engine(expression: str, zone_name: str | None) -> _CronEngine:
    spec = parse_expression(expression)
    assert isinstance(spec, CronSpec)
    tz = _zone(zone_name)
    fixed = timedelta(0) if zone_name in (None, "UTC", "Etc/UTC") else None
    times = [
        timedelta(hours=h, minutes=mi, seconds=s)
        for h in spec.hours
        for mi in spec.minutes
        for s in spec.seconds
    ]
    return _CronEngine(spec=spec, tz=tz, fixed_offset=fixed, times=times)


def _require_aware(value: datetime, name: str) -> datetime:
    # Callers are typed, but this is the mock's boundary: refuse naive datetimes and non-datetimes alike.
    if getattr(value, "utcoffset", lambda: None)() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC)


# ---------------------------------------------------------------------------------------- the window


@dataclass(frozen=True, slots=True)
class WindowSchedule:
    """Everything that decides when one maintenance window runs."""

    expression: str
    created: datetime  # aware UTC; the rate anchor without StartDate, and the reference for the offset rule
    timezone: str | None = None  # IANA name; None = UTC
    offset_days: int | None = None  # ScheduleOffset, cron only, 1-6
    start: datetime | None = None  # aware; StartDate, inclusive
    end: datetime | None = None  # aware; EndDate, inclusive

    @classmethod
    def build(
        cls,
        expression: str,
        *,
        created: datetime,
        timezone: str | None = None,
        offset_days: int | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
    ) -> WindowSchedule:
        """Validate a window's schedule parameters; raises :class:`ScheduleError` naming the bad one."""
        created = _require_aware(created, "created")
        spec = parse_expression(expression)
        _zone(timezone)
        if offset_days is not None:
            if isinstance(spec, RateSpec | AtSpec):
                raise ScheduleError(
                    f"Invalid schedule offset {offset_days}: ScheduleOffset can only be used with a cron "
                    f"expression, not '{expression}'"
                )
            valid = type(offset_days) is int and 1 <= offset_days <= 6
            if not valid:
                raise ScheduleError(f"Invalid schedule offset {offset_days}: must be between 1 and 6 days")
        start = None if start_date is None else _parse_instant(start_date, "StartDate")
        end = None if end_date is None else _parse_instant(end_date, "EndDate")
        return cls(expression, created, timezone, offset_days, start, end)

    def next_after(self, t: datetime) -> datetime | None:
        """The first run strictly after ``t``, aware UTC; None if the window never runs again."""
        return next(self.iter_after(t), None)

    def iter_after(self, t: datetime) -> Iterator[datetime]:
        """Runs strictly after ``t``, ascending and lazy, aware UTC; ends at EndDate or after 2199."""
        after = _require_aware(t, "t")
        start, end = self.start, self.end
        if start is not None and start > after:
            after = start - _ONE_MICROSECOND  # runs are >= start; datetimes have microsecond resolution
        spec = parse_expression(self.expression)
        runs: Iterator[datetime]
        if isinstance(spec, CronSpec):
            engine = _cron_engine(self.expression, self.timezone)
            if self.offset_days:
                created = _require_aware(self.created, "created")
                runs = engine.offset_runs_after(after, created, self.offset_days)
            else:
                runs = engine.runs_after(after)
        elif isinstance(spec, RateSpec):
            runs = self._rate_runs_after(after, spec.step)
        else:
            instant = spec.wall.replace(tzinfo=_zone(self.timezone)).astimezone(UTC)
            runs = iter([instant] if instant > after else [])
        if end is None:
            yield from runs
            return
        for run in runs:
            if run > end:
                return
            yield run

    def between(self, t0: datetime, t1: datetime) -> Iterator[datetime]:
        """Runs ``x`` with ``t0 < x <= t1``, ascending."""
        limit = _require_aware(t1, "t1")
        spec = parse_expression(self.expression)
        if isinstance(spec, RateSpec):
            # The simulator walks a dense rate window run by run: one generator, bounded by both t1 and
            # EndDate, rather than three stacked ones.
            after = _require_aware(t0, "t")
            if self.start is not None and self.start > after:
                after = self.start - _ONE_MICROSECOND
            if self.end is not None and self.end < limit:
                limit = self.end
            return self._rate_runs_after(after, spec.step, limit)
        return self._between(t0, limit)

    def _between(self, t0: datetime, limit: datetime) -> Iterator[datetime]:
        for run in self.iter_after(t0):
            if run > limit:
                return
            yield run

    def _rate_runs_after(
        self, after: datetime, step: timedelta, limit: datetime | None = None
    ) -> Iterator[datetime]:
        """Rate runs strictly after ``after``, up to ``limit`` inclusive (if given) and the year 2199."""
        if self.start is not None:
            first = self.start.astimezone(UTC)
        else:
            first = _require_aware(self.created, "created") + step
        if after.year > MAX_YEAR:
            return
        run = first if after < first else first + ((after - first) // step + 1) * step
        while run.year <= MAX_YEAR:
            if limit is not None and run > limit:
                return
            yield run
            try:
                run += step
            except OverflowError:
                return


# ----------------------------------------------------------------------------------------- formatting


def format_execution_time(instant: datetime, timezone: str | None) -> str:
    """Render ``instant`` in the window's zone as SSM does: Java ``OffsetDateTime.toString()``.

    Seconds appear only when non-zero, the fraction only when non-zero (3 or 6 digits), and the offset is
    ``Z`` when zero: ``2024-03-05T16:00Z``, ``2019-10-20T05:34:56-07:00``, ``2020-02-12T23:19:20.596Z``.
    """
    local = _require_aware(instant, "instant").astimezone(_zone(timezone))
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
