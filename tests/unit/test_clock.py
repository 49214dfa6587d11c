"""The fake clock on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

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
