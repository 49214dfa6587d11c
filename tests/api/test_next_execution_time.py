"""``NextExecutionTime`` is cached per window, and the answer stays the one computed afresh at every instant.

The cache (``api/windows.py``) holds a window's answer from the instant it was computed until the run it
names; a changed schedule, timezone or enabled flag, a deleted and recreated window, or the clock reaching
that run computes it again. Hypothesis moves the clock to random instants, to the cached run exactly and
to a microsecond before it, and changes windows in between; after each step every window's answer from
Describe and Get must equal :func:`next_execution_time` computed from scratch.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.api import windows
from ssm_mw_mock.api.backend import DEFAULT_ACCOUNT
from ssm_mw_mock.api.windows import next_execution_time
from ssm_mw_mock.timing.schedule import format_execution_time
from tests.conftest import NOW, make_window

REGION = "us-east-1"
SCHEDULES: list[dict[str, Any]] = [
    {"Schedule": "cron(0 2 ? * * *)"},
    {"Schedule": "rate(7 hours)"},
    {"Schedule": "cron(30 9 ? * MON-FRI *)", "ScheduleTimezone": "America/New_York"},
    {"Schedule": "at(2024-03-05T04:00:00)"},
    {"Schedule": "rate(1 day)", "EndDate": "2024-03-07T00:00:00Z"},
    {"Schedule": "cron(0 4 ? * TUE#2 *)", "ScheduleOffset": 2},
]
STEPS = st.one_of(
    st.tuples(st.just("advance"), st.integers(min_value=1, max_value=36 * 3600 * 10**6)),
    st.tuples(st.just("to-next"), st.sampled_from([-1, 0, 1])),
    st.tuples(st.just("toggle"), st.integers(min_value=0, max_value=len(SCHEDULES) - 1)),
    st.tuples(st.just("reschedule"), st.integers(min_value=0, max_value=len(SCHEDULES) - 1)),
    st.tuples(st.just("recreate"), st.integers(min_value=0, max_value=len(SCHEDULES) - 1)),
)


class Counted:
    """Counts the answers ``api/windows.py`` formats, one per ``NextExecutionTime`` computed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = format_execution_time

        def counting(*args: Any) -> str:
            self.calls += 1
            return original(*args)

        monkeypatch.setattr(windows, "format_execution_time", counting)


def _check(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    now = mw.clock.now()
    windows = mw.backend.state(DEFAULT_ACCOUNT, REGION).windows
    listed = {
        w["WindowId"]: w.get("NextExecutionTime")
        for w in ssm.describe_maintenance_windows()["WindowIdentities"]
    }
    assert listed == {wid: next_execution_time(w, now) for wid, w in windows.items()}
    for window_id in listed:
        assert ssm.get_maintenance_window(WindowId=window_id).get("NextExecutionTime") == listed[window_id]


@settings(max_examples=15, deadline=None)
@given(steps=st.lists(STEPS, min_size=1, max_size=8))
def test_next_execution_time_is_the_fresh_answer_at_every_instant(steps: list[tuple[str, int]]) -> None:
    with MaintenanceWindowsMock(now=NOW) as mw:
        ssm = boto3.client("ssm", region_name=REGION)
        ids = [make_window(ssm, Name=f"w-{n}", **schedule) for n, schedule in enumerate(SCHEDULES)]
        _check(mw, ssm)
        for action, value in steps:
            if action == "advance":
                mw.clock.advance(timedelta(microseconds=value))
            elif action == "to-next":
                now = mw.clock.now()
                upcoming = [
                    run
                    for w in mw.backend.state(DEFAULT_ACCOUNT, REGION).windows.values()
                    if w.enabled and (run := w.compiled.next_after(now)) is not None
                ]
                if upcoming:
                    target = min(upcoming) + timedelta(microseconds=value)
                    if target > now:
                        mw.clock.set(target)
            elif action == "toggle":
                enabled = ssm.get_maintenance_window(WindowId=ids[value])["Enabled"]
                ssm.update_maintenance_window(WindowId=ids[value], Enabled=not enabled)
            elif action == "reschedule":
                ssm.update_maintenance_window(WindowId=ids[value], Schedule="cron(0 */3 ? * * *)")
            else:
                ssm.delete_maintenance_window(WindowId=ids[value])
                ids[value] = make_window(ssm, Name=f"again-{value}", **SCHEDULES[value])
            _check(mw, ssm)


def test_a_listing_computes_each_window_once_until_the_clock_reaches_its_run(
    mw: MaintenanceWindowsMock, ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        make_window(ssm, Name=f"daily-{n}", Schedule=f"cron(0 {n + 1} ? * * *)")
    counted = Counted(monkeypatch)
    first = ssm.describe_maintenance_windows()["WindowIdentities"]
    assert counted.calls == 5
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == first
    assert counted.calls == 5
    mw.clock.set("2024-03-04T01:59:59.999999Z")  # past daily-0's run at 01:00, before daily-1's at 02:00
    second = ssm.describe_maintenance_windows()["WindowIdentities"]
    assert counted.calls == 5 + 1  # only daily-0 (01:00) ran; the others still hold
    assert second[0]["NextExecutionTime"] == "2024-03-05T01:00Z"
