"""A window's schedule: its expression, zone, offset and StartDate/EndDate -> its run instants.

A window's schedule is its ``Schedule`` expression read on the wall clock of its ``ScheduleTimezone``
(UTC when unset), shifted by ``ScheduleOffset`` days, and bounded by ``StartDate``/``EndDate``.
:class:`WindowSchedule` answers "when does it run next" (:meth:`WindowSchedule.next_after`,
:meth:`~WindowSchedule.iter_after`, :meth:`~WindowSchedule.between`). The parts live next door:
``expressions`` (cron/rate/at text -> specs), ``cron`` (the cron engine), ``instants`` (ISO-8601 dates,
zones, ``NextExecutionTime`` text); their public names are re-exported here.
This package is pure: standard library plus ``zoneinfo`` (with the ``tzdata`` wheel), no botocore.
Invalid input raises :class:`ScheduleError`, which the backend turns into SSM's ``ValidationException``.
A ``rate()`` window's ``StartDate`` is used as given: replacing one already past by the moment of the call
is the caller's job (``api.windows``), not done here.

Known differences from AWS: docs/known-differences.md#schedules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .cron import cron_engine
from .expressions import AtSpec, CronSpec, DayRule, RateSpec, parse_expression
from .instants import MAX_YEAR, ScheduleError, format_execution_time, parse_instant, read_instant, zone
from .instants import require_aware as _require_aware

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

_ONE_MICROSECOND = timedelta(microseconds=1)


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
        zone(timezone)
        if offset_days is not None:
            if isinstance(spec, RateSpec | AtSpec):
                raise ScheduleError(
                    f"Invalid schedule offset {offset_days}: ScheduleOffset can only be used with a cron "
                    f"expression, not '{expression}'"
                )
            valid = type(offset_days) is int and 1 <= offset_days <= 6
            if not valid:
                raise ScheduleError(f"Invalid schedule offset {offset_days}: must be between 1 and 6 days")
        start = None if start_date is None else read_instant(start_date, "StartDate")
        end = None if end_date is None else read_instant(end_date, "EndDate")
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
            engine = cron_engine(self.expression, self.timezone)
            if self.offset_days:
                created = _require_aware(self.created, "created")
                runs = engine.offset_runs_after(after, created, self.offset_days)
            else:
                runs = engine.runs_after(after)
        elif isinstance(spec, RateSpec):
            runs = self._rate_runs_after(after, spec.step)
        else:
            instant = spec.wall.replace(tzinfo=zone(self.timezone)).astimezone(UTC)
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
        if after.year > MAX_YEAR:
            return
        if self.start is not None:
            first = self.start.astimezone(UTC)
        else:
            try:
                first = _require_aware(self.created, "created") + step
            except OverflowError:  # created near the end of time (a clock set there): no run fits
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
