"""The cron engine: the UTC instants of a ``cron(...)`` expression read on one zone's wall clock.

Cron runs are found by walking the allowed years and months, computing each month's matching days
directly (last day, nearest weekday, nth weekday...) and mapping each local wall time to UTC. When the
zone's UTC offset is constant through a day, the whole day is mapped with one subtraction.

Engines are cached per (expression, zone), within a budget on the number of times of day and mapped
instants they hold together, so a stream of distinct every-second expressions cannot fill the memory.

Known differences from AWS: docs/known-differences.md#schedules.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from .expressions import CronSpec, parse_expression
from .instants import MAX_YEAR, zone

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

__all__ = ["CronEngine", "cron_engine"]

#: How many times of day and DST-day instants the cached engines may hold together.
ENGINE_BUDGET = 2**19
#: The DST-day map of one engine holds at least one day, and otherwise at most this many instants.
DST_DAY_INSTANTS = 2048
_DST_DAYS = 64


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
class CronEngine:
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
            held = len(self.dst_days)
            if held >= _DST_DAYS or (held and (held + 1) * len(self.times) > DST_DAY_INSTANTS):
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


_engines: dict[tuple[str, str | None], CronEngine] = {}
_weight = 0
_engines_lock = threading.Lock()


def _engine_weight(engine: CronEngine) -> int:
    return len(engine.times) + max(len(engine.times), DST_DAY_INSTANTS)


def cron_engine(expression: str, zone_name: str | None) -> CronEngine:
    """The (cached) engine of a cron expression on the clock of ``zone_name`` (None = UTC)."""
    key = (expression, zone_name)
    engine = _engines.get(key)
    if engine is not None:
        return engine
    spec = parse_expression(expression)
    assert isinstance(spec, CronSpec)
    tz = zone(zone_name)
    fixed = timedelta(0) if zone_name in (None, "UTC", "Etc/UTC") else None
    times = [
        timedelta(hours=h, minutes=mi, seconds=s)
        for h in spec.hours
        for mi in spec.minutes
        for s in spec.seconds
    ]
    engine = CronEngine(spec=spec, tz=tz, fixed_offset=fixed, times=times)
    global _weight
    with _engines_lock:
        # Oldest first out, until the new engine fits (a lone engine may exceed the budget by itself).
        weight = _engine_weight(engine)
        while _engines and _weight + weight > ENGINE_BUDGET:
            _weight -= _engine_weight(_engines.pop(next(iter(_engines))))
        if key not in _engines:
            _engines[key] = engine
            _weight += weight
    return engine
