"""The fake clock: the only notion of "now" the mock has.

Time is frozen between moves. ``advance`` and ``set`` move it forward only; each move first tells every
listener (the simulator, once it exists) the interval it has to play, so work scheduled inside that
interval happens at its own instant, not at the instant the test moved the clock to. Nothing here sleeps
or reads the wall clock, except :func:`wall_clock_now` which picks the default start instant.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

#: A listener is told ``(old, new, step)`` before ``now()`` reports ``new``; while it plays the interval it
#: may call ``step(t)`` to make ``now()`` report an instant ``t`` between the two (never backwards).
ClockListener = Callable[[datetime, datetime, Callable[[datetime], None]], None]


def wall_clock_now() -> datetime:
    """The real time, in UTC, truncated to whole milliseconds (what SSM's timestamps carry)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def parse_moment(value: datetime | str, *, what: str) -> datetime:
    """Read a moment given to the mock (``now=``, ``clock.set``): an aware datetime or ISO-8601 text."""
    if isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{what} must be an ISO-8601 date-time with an offset, such as '2024-03-04T00:00:00Z'; "
                f"got {value!r}"
            ) from None
    elif isinstance(value, datetime):
        moment = value
    else:
        raise TypeError(f"{what} must be a datetime or an ISO-8601 string, not {type(value).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{what} must be timezone-aware: add an offset ('2024-03-04T00:00:00Z') "
            f"or tzinfo=datetime.timezone.utc; got {value!r}"
        )
    return moment.astimezone(UTC)


class Clock:
    """A frozen clock that moves only when told to, forward only.

    With ``follow`` (a function returning the time to follow, such as the real ``datetime.now`` that
    freezegun or time-machine control), the clock also catches up with that time whenever it is read,
    playing the interval like ``set`` would; it never goes back when the followed time does.
    """

    def __init__(self, start: datetime, follow: Callable[[], datetime] | None = None) -> None:
        self._now = start
        #: Serialises moves; the backend holds the same lock around every operation, so a move and an
        #: operation never interleave and can never wait on each other in opposite orders.
        self.lock = threading.RLock()
        self._listeners: list[ClockListener] = []
        self._follow = follow
        self._moving = False

    @property
    def following(self) -> bool:
        """Whether the clock catches up with a followed time (``follow_time=True`` on the mock)."""
        return self._follow is not None

    def now(self) -> datetime:
        """The current fake time, an aware UTC datetime."""
        if self._follow is not None and not self._moving:
            followed = self._follow()
            if followed > self._now:
                self._move_to(followed)
        return self._now

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move forward by ``delta`` or by the keyword amounts; returns the new time."""
        step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        base = self.now()
        if delta is not None:
            if not isinstance(delta, timedelta):
                raise TypeError(f"advance() takes a timedelta or keyword amounts, not {type(delta).__name__}")
            step += delta
        if step < timedelta(0):
            raise ValueError(f"the clock only moves forward; advance() was given {step}")
        return self._move_to(base + step)

    def set(self, moment: datetime | str) -> datetime:
        """Move to ``moment`` (aware datetime or ISO string); going backwards raises ``ValueError``."""
        target = parse_moment(moment, what="clock.set()")
        if target < self.now():
            raise ValueError(
                f"the clock only moves forward: it is {self._now.isoformat()} and "
                f"clock.set() was given {target.isoformat()}; start a new mock to go back in time"
            )
        return self._move_to(target)

    def subscribe(self, listener: ClockListener) -> None:
        """Call ``listener(old, new, step)`` on every move, before ``now()`` reports ``new``."""
        self._listeners.append(listener)

    def _move_to(self, target: datetime) -> datetime:
        with self.lock:
            old = self._now
            self._moving = True
            try:
                for listener in self._listeners:
                    listener(old, target, self._step)
            finally:
                self._moving = False
            self._now = target
        return target

    def _step(self, moment: datetime) -> None:
        if self._now <= moment:
            self._now = moment
