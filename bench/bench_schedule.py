"""Benchmark for ssm_mw_mock.timing.schedule (a script, not a test): ``python bench/bench_schedule.py``.

Prints the median cost of one ``next_after`` call (parse cache warm, as in the simulator) for several
schedules, and the cost of generating every run of ``cron(0/5 * * * ? *)`` over one year in New York.
Targets: next_after <= 100 us median; the one-year 0/5 series <= 100 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from ssm_mw_mock.timing.schedule import WindowSchedule

CREATED = datetime(2024, 1, 1, tzinfo=UTC)
CASES: list[tuple[str, str | None, int | None, datetime]] = [
    ("cron(0 16 ? * TUE *)", None, None, datetime(2024, 3, 1, tzinfo=UTC)),
    ("cron(0 16 ? * TUE *)", "America/Los_Angeles", None, datetime(2024, 3, 1, tzinfo=UTC)),
    ("cron(0/5 * * * ? *)", None, None, datetime(2024, 3, 1, 0, 2, 30, tzinfo=UTC)),
    ("cron(0/5 * * * ? *)", "America/New_York", None, datetime(2024, 3, 1, 0, 2, 30, tzinfo=UTC)),
    ("cron(0/5 * * * ? *)", "America/New_York", None, datetime(2024, 3, 10, 6, 2, 30, tzinfo=UTC)),
    ("cron(0 0 29 2 ? *)", None, None, datetime(2097, 1, 1, tzinfo=UTC)),
    ("cron(0 0 ? * MON#5 *)", None, None, datetime(2024, 1, 30, tzinfo=UTC)),
    ("cron(0 0 ? 2 MON#5 *)", "Europe/Berlin", None, datetime(2024, 3, 1, tzinfo=UTC)),
    ("cron(0 9 LW * ? *)", "Australia/Lord_Howe", None, datetime(2024, 3, 1, tzinfo=UTC)),
    ("cron(30 23 ? * TUE#3 *)", None, 2, datetime(2024, 1, 17, 12, tzinfo=UTC)),
    ("cron(0 9 ? * FRI#2 *)", "America/New_York", 3, datetime(2024, 3, 1, tzinfo=UTC)),
    ("rate(1 hour)", None, None, datetime(2024, 6, 1, 10, 7, 30, tzinfo=UTC)),
    ("rate(7 days)", "Asia/Tokyo", None, datetime(2030, 6, 1, tzinfo=UTC)),
    ("at(2030-07-07T15:55:00)", "Asia/Tokyo", None, datetime(2024, 6, 1, tzinfo=UTC)),
]


def median_us(schedule: WindowSchedule, after: datetime, rounds: int = 2000) -> float:
    schedule.next_after(after)  # warm the caches
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        schedule.next_after(after)
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples) / 1000


def one_year_ms() -> tuple[float, int]:
    schedule = WindowSchedule.build("cron(0/5 * * * ? *)", created=CREATED, timezone="America/New_York")
    list(schedule.between(CREATED, CREATED + timedelta(days=1)))  # warm
    samples, count = [], 0
    for _ in range(7):
        t0 = time.perf_counter()
        count = sum(1 for _ in schedule.between(CREATED, CREATED + timedelta(days=366)))
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000, count


def main() -> None:
    print(f"{'schedule':<26} {'zone':<21} {'offset':>6} {'after':<26} {'next_after':>17}")
    for expression, zone, offset, after in CASES:
        schedule = WindowSchedule.build(expression, created=CREATED, timezone=zone, offset_days=offset)
        cost = median_us(schedule, after)
        row = f"{expression:<26} {zone or 'UTC':<21} {offset or '-':>6} {after.isoformat():<26}"
        print(f"{row} {cost:>14.1f} us")
    ms, count = one_year_ms()
    print(
        f"\ncron(0/5 * * * ? *) America/New_York, one year (2024): {count} runs in {ms:.1f} ms (median of 7)"
    )


if __name__ == "__main__":
    main()
