"""Schedule expressions: ``cron(...)``, ``rate(...)`` and ``at(...)`` parsed into specs.

:func:`parse_expression` validates a window's ``Schedule`` and returns a :class:`CronSpec` (every field
expanded to its allowed values), a :class:`RateSpec` or an :class:`AtSpec`; invalid text raises
:class:`ScheduleError` naming the expression and the problem. The cron engine (``cron``) and the window
schedule (``schedule``) turn specs into instants.

Known differences from AWS: docs/known-differences.md#schedules, docs/known-differences.md#error-messages.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from ..lazy_re import LazyPattern
from .instants import MAX_YEAR, MIN_YEAR, ScheduleError

__all__ = ["AtSpec", "CronSpec", "DayRule", "RateSpec", "ScheduleError", "ScheduleSpec", "parse_expression"]

#: The longest ``rate()`` interval: the span of the schedule years.
MAX_RATE = datetime(MAX_YEAR + 1, 1, 1) - datetime(MIN_YEAR, 1, 1)

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
    per_unit = timedelta(**{f"{unit}s": 1})
    if value > MAX_RATE // per_unit:
        raise problem(
            f"value {value} is too large: a rate interval can be at most {MAX_RATE // per_unit} {unit}s, "
            f"the span of the years {MIN_YEAR}-{MAX_YEAR}"
        )
    step = value * per_unit
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
    if not MIN_YEAR <= wall.year <= MAX_YEAR:
        raise ScheduleError(
            f"Invalid at expression '{expression}': year {wall.year} is out of range {MIN_YEAR}-{MAX_YEAR}"
        )
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
