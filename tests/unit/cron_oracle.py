"""Independent oracles for the schedule engine, used only by the tests.

* :func:`brute_force_runs` walks every UTC minute of a window, reads the local wall clock (skipping the
  second pass of a repeated hour, so fold=0 semantics; gap times never appear on a clock) and matches the
  AWS cron fields with per-day predicates. It shares no code with ``ssm_mw_mock.timing.schedule``.
* :func:`croniter_runs` translates an AWS expression for croniter (DOW renumbered, ``?`` -> ``*``, ``nL`` ->
  ``L{n-1}``, ``a-a`` collapsed, year filtered here) and iterates naive local time, mapping each wall time
  with the gap-skip / first-instant rule.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

DOW_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]  # AWS 1..7
MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def _number(token: str, names: list[str]) -> int:
    token = token.upper()
    return names.index(token) + 1 if token in names else int(token)


def expand(text: str, low: int, high: int, names: list[str] | None = None) -> set[int]:
    """Values of a plain AWS cron field (lists of ``*``, ``n``, ``a-b``, each optionally ``/step``)."""
    out: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
            if part != "*" and "-" not in part:
                part = f"{part}-{high}"
        if part == "*":
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-")
            first, last = _number(a, names or []), _number(b, names or [])
        else:
            first = last = _number(part, names or [])
        value = first
        while value <= last:
            out.add(value)
            value += step
    return out


def _aws_dow(day: date) -> int:
    return (day.isoweekday() % 7) + 1  # Sunday -> 1 ... Saturday -> 7


def _month_length(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _is_weekday(day: date) -> bool:
    return day.isoweekday() <= 5


def day_predicate(dom: str, dow: str) -> Callable[[date], bool]:
    """A test ``date -> bool`` for the day-of-month / day-of-week pair (one of them is ``?``)."""
    if dow == "?":
        if dom == "L":
            return lambda d: d.day == _month_length(d)
        if dom == "LW":

            def last_weekday(d: date) -> bool:
                n = _month_length(d)
                candidates = [x for x in range(n, n - 3, -1) if _is_weekday(d.replace(day=x))]
                return d.day == candidates[0]

            return last_weekday
        if dom.endswith("W"):
            target = int(dom[:-1])

            def nearest_weekday(d: date) -> bool:
                n = _month_length(d)
                if target > n:
                    return False
                # The closest weekday to the target day without leaving the month (ties cannot happen).
                nearby = [x for x in range(target - 2, target + 3) if 1 <= x <= n]
                best = min(
                    (x for x in nearby if _is_weekday(d.replace(day=x))), key=lambda x: abs(x - target)
                )
                return d.day == best

            return nearest_weekday
        days = expand(dom, 1, 31)
        return lambda d: d.day in days
    if dow == "L":
        return lambda d: _aws_dow(d) == 7
    if dow.endswith("L"):
        weekday = _number(dow[:-1], DOW_NAMES)
        return lambda d: _aws_dow(d) == weekday and d.day + 7 > _month_length(d)
    if "#" in dow:
        left, right = dow.split("#")
        weekday, k = _number(left, DOW_NAMES), int(right)
        return lambda d: _aws_dow(d) == weekday and (d.day - 1) // 7 + 1 == k
    weekdays = expand(dow, 1, 7, DOW_NAMES)
    return lambda d: _aws_dow(d) in weekdays


class Cron:
    """An AWS cron expression as field sets and a day predicate."""

    def __init__(self, expression: str) -> None:
        fields = expression.removeprefix("cron(").removesuffix(")").split()
        if len(fields) == 6:
            fields = ["0", *fields]
        seconds, minutes, hours, dom, month, dow, year = fields
        self.seconds = sorted(expand(seconds, 0, 59))
        self.minutes = expand(minutes, 0, 59)
        self.hours = expand(hours, 0, 23)
        self.months = expand(month, 1, 12, MONTH_NAMES)
        self.years = expand(year, 1970, 2199)
        self.day_ok = day_predicate(dom.upper(), dow.upper())
        self._days: dict[date, bool] = {}

    def matches_day(self, day: date) -> bool:
        if day not in self._days:
            self._days[day] = day.year in self.years and day.month in self.months and self.day_ok(day)
        return self._days[day]


def brute_force_runs(expression: str, zone: str, start: datetime, end: datetime) -> list[datetime]:
    """Every run in ``(start, end]`` (aware UTC) found by scanning UTC minutes."""
    cron = Cron(expression)
    tz = ZoneInfo(zone)
    minute = timedelta(minutes=1)
    first = start.astimezone(UTC).replace(second=0, microsecond=0)
    runs: list[datetime] = []
    chunk = first
    while chunk <= end:
        # Within one UTC hour the clock reading moves minute by minute unless the offset or fold changes.
        head, tail = chunk.astimezone(tz), (chunk + 59 * minute).astimezone(tz)
        steady = head.utcoffset() == tail.utcoffset() and head.fold == tail.fold
        candidates: list[tuple[int, datetime]]
        if steady and head.fold:
            candidates = []  # the whole hour is the second pass of a repeated hour
        elif steady:
            # Only the offsets i where the clock shows an allowed minute can match.
            base = head.replace(tzinfo=None)
            offsets = [(m - base.minute) % 60 for m in cron.minutes]
            candidates = [(i, base + i * minute) for i in offsets]
        else:
            candidates = []
            for i in range(60):
                local = (chunk + i * minute).astimezone(tz)
                if not local.fold:
                    candidates.append((i, local.replace(tzinfo=None)))
        for i, wall in candidates:
            if wall.minute not in cron.minutes or wall.hour not in cron.hours:
                continue
            if not cron.matches_day(wall.date()):
                continue
            for second in cron.seconds:
                run = chunk + i * minute + timedelta(seconds=second)
                if start < run <= end:
                    runs.append(run)
        chunk += 60 * minute
    return sorted(runs)


def _collapse(text: str) -> str:
    """croniter reads ``a-a`` as the whole cycle; AWS means the single value ``a``."""
    parts = []
    for part in text.split(","):
        base = part.partition("/")[0]
        if "-" in base:
            a, b = base.split("-")
            if a == b:
                parts.append(a)  # a-a and a-a/s are both just a
                continue
        parts.append(part)
    return ",".join(parts)


def to_croniter(expression: str) -> tuple[str, set[int]]:
    """A five-field croniter expression equivalent to a 6-field AWS one, plus the AWS year set."""
    minutes, hours, dom, month, dow, year = expression.removeprefix("cron(").removesuffix(")").split()
    if dow == "?":
        dow_unix = "*"
    elif dow.upper().endswith("L"):
        dow_unix = f"L{_number(dow[:-1], DOW_NAMES) - 1}"
    elif "#" in dow:
        left, right = dow.split("#")
        dow_unix = f"{_number(left, DOW_NAMES) - 1}#{right}"
    else:
        dow_unix = ",".join(str(v - 1) for v in sorted(expand(dow, 1, 7, DOW_NAMES)))
    months = ",".join(str(v) for v in sorted(expand(month, 1, 12, MONTH_NAMES)))
    fields = [_collapse(minutes), _collapse(hours), "*" if dom == "?" else _collapse(dom), months, dow_unix]
    return " ".join(fields), expand(year, 1970, 2199)


def croniter_runs(expression: str, zone: str, start: datetime, end: datetime) -> list[datetime]:
    """Runs in ``(start, end]`` from croniter iterating naive local time, mapped with the DST rule."""
    expr, years = to_croniter(expression)
    tz = ZoneInfo(zone)
    wall_start = start.astimezone(tz).replace(tzinfo=None) - timedelta(hours=3)
    wall_end = end.astimezone(tz).replace(tzinfo=None) + timedelta(hours=3)
    iterator = croniter(expr, wall_start)
    runs: list[datetime] = []
    while True:
        try:
            wall = iterator.get_next(datetime)
        except CroniterBadDateError:  # croniter found no matching date in its search span (30 February)
            return runs
        if wall > wall_end:
            return runs
        if wall.year not in years:
            continue
        instant = wall.replace(tzinfo=tz).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) != wall:
            continue  # the wall time does not exist (spring-forward gap)
        if start < instant <= end:
            runs.append(instant)
