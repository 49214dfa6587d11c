"""The fake clock on its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from ssm_mw_mock.timing.clock import Clock, parse_moment

START = datetime(2024, 3, 4, tzinfo=UTC)


def test_clock_is_frozen_until_moved() -> None:
    clock = Clock(START)
    assert clock.now() == clock.now() == START


def test_clock_advance_by_timedelta_and_keywords() -> None:
    clock = Clock(START)
    clock.advance(timedelta(hours=1))
    clock.advance(days=1, hours=2, minutes=3, seconds=4)
    assert clock.now() == START + timedelta(days=1, hours=3, minutes=3, seconds=4)


def test_clock_advance_backwards_is_refused() -> None:
    clock = Clock(START)
    with pytest.raises(ValueError, match=r"^the clock only moves forward; advance\(\) was given -1 day"):
        clock.advance(days=-1)
    assert clock.now() == START


def test_clock_set_accepts_iso_text_and_aware_datetimes() -> None:
    clock = Clock(START)
    clock.set("2024-03-05T16:10:00Z")
    assert clock.now() == datetime(2024, 3, 5, 16, 10, tzinfo=UTC)
    clock.set(datetime(2024, 3, 5, 12, 0, tzinfo=timezone(timedelta(hours=-5))))
    assert clock.now() == datetime(2024, 3, 5, 17, 0, tzinfo=UTC)


def test_clock_set_backwards_raises_and_changes_nothing() -> None:
    clock = Clock(START)
    with pytest.raises(ValueError) as caught:
        clock.set("2024-03-03T00:00:00Z")
    assert str(caught.value) == (
        "the clock only moves forward: it is 2024-03-04T00:00:00+00:00 and clock.set() was given "
        "2024-03-03T00:00:00+00:00; start a new mock to go back in time"
    )
    assert clock.now() == START


@pytest.mark.parametrize("value", ["2024-03-04T00:00:00", datetime(2024, 3, 4)])
def test_naive_moments_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="must be timezone-aware"):
        parse_moment(value, what="now=")  # type: ignore[arg-type]


def test_bad_moment_text_names_the_fix() -> None:
    with pytest.raises(ValueError, match=r"now= must be an ISO-8601 date-time with an offset"):
        parse_moment("next tuesday", what="now=")


def test_listeners_play_the_interval_and_may_step_inside_it() -> None:
    clock = Clock(START)
    seen: list[tuple[datetime, datetime, datetime]] = []

    def listener(old: datetime, new: datetime, step: object) -> None:
        middle = old + (new - old) / 2
        step(middle)  # type: ignore[operator]
        seen.append((old, new, clock.now()))

    clock.subscribe(listener)
    clock.advance(hours=2)
    assert seen == [(START, START + timedelta(hours=2), START + timedelta(hours=1))]
    assert clock.now() == START + timedelta(hours=2)


def test_clock_moves_from_many_threads_lose_and_replay_nothing() -> None:
    """Regression (#13.1): advance() read "now" outside the lock, so two threads moving the clock lost
    time, moved it backwards and played some intervals twice."""
    clock = Clock(START)
    played: list[tuple[datetime, datetime]] = []

    def listener(old: datetime, new: datetime, step: object) -> None:
        played.append((old, new))
        time.sleep(0)  # invite a thread switch in the middle of the move

    clock.subscribe(listener)
    threads, moves = 4, 500
    start_line = threading.Barrier(threads)

    def mover() -> None:
        start_line.wait()
        for _ in range(moves):
            clock.advance(minutes=1)

    workers = [threading.Thread(target=mover) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert clock.now() == START + timedelta(minutes=threads * moves)
    assert len(played) == threads * moves
    # The intervals tile the time: each starts where the one before ended, none repeats.
    assert [old for old, _ in played] == [START, *[new for _, new in played[:-1]]]
    assert all(new - old == timedelta(minutes=1) for old, new in played)


def test_clock_move_from_inside_a_move_is_refused() -> None:
    clock = Clock(START)
    refused: list[str] = []

    def listener(old: datetime, new: datetime, step: object) -> None:
        moves: list[Callable[[], datetime]] = [
            lambda: clock.advance(minutes=1),
            lambda: clock.set("2025-01-01T00:00:00Z"),
        ]
        for move in moves:
            try:
                move()
            except RuntimeError as error:
                refused.append(str(error))

    clock.subscribe(listener)
    clock.advance(hours=1)
    assert clock.now() == START + timedelta(hours=1)
    assert refused == [
        f"clock.{method}() was called while the clock is moving (from an on_invocation hook or a clock "
        "listener); a move cannot start inside another. Read clock.now() if you need the instant being "
        "played, and move the clock after the current move returns."
        for method in ("advance", "set")
    ]


def test_clock_stays_where_a_failed_move_stopped() -> None:
    clock = Clock(START)

    def listener(old: datetime, new: datetime, step: Any) -> None:
        step(old + timedelta(minutes=10))
        raise LookupError("stopped")

    clock.subscribe(listener)
    with pytest.raises(LookupError):
        clock.advance(hours=1)
    assert clock.now() == START + timedelta(minutes=10)
