"""The schedule horizon: what the timing layer accepts can be computed for the window's whole life.

Pure-layer tests for issue #13.3 (``expressions``, ``instants``, ``schedule``) and for the size bound of
the cron engine cache (issue #13.5).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssm_mw_mock.timing import cron
from ssm_mw_mock.timing.expressions import MAX_RATE, RateSpec
from ssm_mw_mock.timing.schedule import ScheduleError, WindowSchedule, parse_expression, parse_instant

CREATED = datetime(2024, 3, 4, tzinfo=UTC)


def test_max_rate_is_the_span_of_the_cron_years() -> None:
    assert timedelta(days=84006) == MAX_RATE


@pytest.mark.parametrize(
    ("expression", "accepted"),
    [
        ("rate(84006 days)", True),
        ("rate(84007 days)", False),
        ("rate(2016144 hours)", True),
        ("rate(2016145 hours)", False),
        ("rate(120968640 minutes)", True),
        ("rate(120968641 minutes)", False),
    ],
)
def test_rate_interval_limit(expression: str, accepted: bool) -> None:
    if accepted:
        spec = parse_expression(expression)
        assert isinstance(spec, RateSpec)
        assert spec.step == MAX_RATE
    else:
        with pytest.raises(ScheduleError, match="is too large: a rate interval can be at most"):
            parse_expression(expression)


@pytest.mark.parametrize(
    ("wall", "accepted"),
    [
        ("1970-01-01T00:00:00", True),
        ("2199-12-31T23:59:59", True),
        ("1969-12-31T23:59:59", False),
        ("2200-01-01T00:00:00", False),
        ("9999-12-31T23:00:00", False),
        ("0001-01-01T00:00:00", False),
    ],
)
def test_at_years_are_the_cron_years(wall: str, accepted: bool) -> None:
    if accepted:
        parse_expression(f"at({wall})")
    else:
        with pytest.raises(ScheduleError) as caught:
            parse_expression(f"at({wall})")
        year = int(wall[:4])
        assert (
            str(caught.value) == f"Invalid at expression 'at({wall})': year {year} is out of range 1970-2199"
        )


@pytest.mark.parametrize(
    "text", ["9999-12-31T23:59:59-18:00", "0001-01-01T00:00:00+00:01", "0001-01-01T17:59:59+18:00"]
)
def test_instants_outside_utc_years_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_instant(text)
    assert str(caught.value) == f"Invalid date and time '{text}': in UTC it falls outside the years 0001-9999"


@pytest.mark.parametrize(
    "text", ["9999-12-31T23:59:59Z", "0001-01-01T18:00:00+18:00", "9999-12-31T05:59:59-18:00"]
)
def test_instants_at_the_edges_of_utc_years_are_accepted(text: str) -> None:
    assert parse_instant(text).astimezone(UTC).year in (1, 9999)


def test_rate_created_near_the_end_of_time_has_no_run_and_no_overflow() -> None:
    late = datetime(9999, 12, 1, tzinfo=UTC)
    schedule = WindowSchedule.build("rate(84006 days)", created=late)
    assert schedule.next_after(late) is None
    assert list(schedule.between(late, datetime(9999, 12, 31, tzinfo=UTC))) == []


zones = st.sampled_from([None, "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati", "Etc/GMT+12"])
instants = st.builds(
    lambda wall, offset: wall.strftime("%Y-%m-%dT%H:%M:%S").zfill(19) + offset,
    st.datetimes(),
    st.sampled_from(["Z", "+18:00", "-18:00", ""]),
)
expressions = st.one_of(
    st.sampled_from(["cron(0 0 1 1 ? 2199)", "cron(0 12 ? * MON *)", "at(2199-12-31T23:59:59)"]),
    st.integers(1, 84006).map(lambda days: f"rate({days} day{'s' if days > 1 else ''})"),
)


@given(
    expression=expressions,
    zone=zones,
    start=st.none() | instants,
    end=st.none() | instants,
    after=st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=st.just(UTC)),
)
def test_any_accepted_schedule_answers_any_question(
    expression: str, zone: str | None, start: str | None, end: str | None, after: datetime
) -> None:
    try:
        schedule = WindowSchedule.build(
            expression, created=CREATED, timezone=zone, start_date=start, end_date=end
        )
    except ScheduleError:
        return
    runs = [instant for _, instant in zip(range(3), schedule.iter_after(after), strict=False)]
    # The horizon is the cron year field's: 2199 on the window's own calendar for cron and at() (so a run
    # may fall early in 2200 UTC west of Greenwich), and in UTC for rate(), whose runs have no wall time.
    calendar = UTC if expression.startswith("rate(") or zone is None else ZoneInfo(zone)
    assert all(instant.astimezone(calendar).year <= 2199 for instant in runs), runs
    list(schedule.between(after, after + timedelta(days=1)))


def test_cron_engines_held_stay_within_their_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cron, "_engines", {})
    monkeypatch.setattr(cron, "_weight", 0)
    # Every-second expressions, each with 86400 times of day: the budget holds a few, not all.
    for minute in range(12):
        cron.cron_engine(f"cron(* * * ? * * {1970 + minute})", None)
    held = sum(cron._engine_weight(engine) for engine in cron._engines.values())
    assert held == cron._weight <= cron.ENGINE_BUDGET
    assert len(cron._engines) < 12
    assert ("cron(* * * ? * * 1981)", None) in cron._engines  # the newest stays


def test_dst_day_map_holds_a_bounded_number_of_instants() -> None:
    engine = cron.cron_engine("cron(* * * ? * * *)", "America/New_York")  # 86400 times of day
    for year in range(2024, 2028):
        engine.dst_day(year, 3, 10)
        engine.dst_day(year, 11, 3)
        assert len(engine.dst_days) == 1


def test_at_on_the_last_evening_of_2199_west_of_greenwich_runs_early_in_2200_utc() -> None:
    schedule = WindowSchedule.build(
        "at(2199-12-31T23:59:59)",
        created=CREATED,
        timezone="America/Los_Angeles",
        start_date=None,
        end_date=None,
    )
    assert list(schedule.iter_after(datetime(2199, 1, 1, tzinfo=UTC))) == [
        datetime(2200, 1, 1, 7, 59, 59, tzinfo=UTC)
    ]
