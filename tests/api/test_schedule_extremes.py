"""No accepted schedule or date can wedge a region (issue #13.3).

Every schedule and date the mock accepts must be representable for the window's whole life: afterwards
every read answers and the clock still moves. What cannot be is refused with ``ValidationException`` at
Create/Update, and the refused call changes nothing.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from ssm_mw_mock import MaintenanceWindowsMock
from tests.invariants import make_client

BASE = {"Name": "edge", "Duration": 2, "Cutoff": 1, "AllowUnassociatedTargets": False}
ZONES = [None, "UTC", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati", "Etc/GMT+12", "Etc/GMT-14"]
STARTS = ["2024-03-04T00:00:00Z", "2199-12-31T20:00:00Z"]


def _wall(value: datetime.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S").zfill(19)


walls = st.one_of(
    st.datetimes(),
    st.sampled_from([datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59)]),
    st.datetimes(datetime.datetime(1969, 12, 30), datetime.datetime(2200, 1, 2)),
)
offsets = st.sampled_from(["Z", "+18:00", "-18:00", "+14:00", "-12:00", ""])
instants = st.builds(lambda wall, offset: _wall(wall) + offset, walls, offsets)
schedules = st.one_of(
    st.sampled_from(
        [
            "at(9999-12-31T23:00:00)",
            "at(0001-01-01T00:00:00)",
            "at(2199-12-31T23:59:59)",
            "at(1970-01-01T00:00:00)",
            "rate(2932896 days)",
            "rate(84006 days)",
            "rate(84007 days)",
            "cron(59 23 31 12 ? 2199)",
            "cron(0 0 1 1 ? 1970)",
            "cron(0 * ? * * *)",
            "cron(0/30 * * * ? *)",
        ]
    ),
    walls.map(lambda wall: f"at({_wall(wall)})"),
    st.builds(
        lambda value, unit: f"rate({value} {unit}{'s' if value > 1 else ''})",
        st.one_of(st.integers(30, 200), st.integers(1, 10**9)),
        st.sampled_from(["minute", "hour", "day"]),
    ),
)
windows = st.fixed_dictionaries(
    {"Schedule": schedules},
    optional={
        "ScheduleTimezone": st.sampled_from(ZONES),
        "StartDate": instants,
        "EndDate": instants,
        "ScheduleOffset": st.integers(1, 6),
    },
).map(lambda window: {k: v for k, v in window.items() if v is not None})


@functools.cache
def _client() -> Any:
    return make_client()  # one for every example: making a client costs more than the example


def _window(ssm: Any, window_id: str) -> dict[str, Any]:
    answer: dict[str, Any] = ssm.get_maintenance_window(WindowId=window_id)
    answer.pop("ResponseMetadata")
    return answer


def _reads(ssm: Any, window_id: str) -> None:
    """Every read of the window and of its region answers (a 500 raises ClientError here)."""
    ssm.get_maintenance_window(WindowId=window_id)
    ssm.describe_maintenance_windows()
    ssm.describe_maintenance_window_schedule(WindowId=window_id, MaxResults=3)
    listing = ssm.describe_maintenance_window_schedule(
        WindowId=window_id,
        MaxResults=2,
        Filters=[{"Key": "ScheduledAfter", "Values": ["2199-12-31T00:00:00Z"]}],
    )
    if "NextToken" in listing:
        ssm.describe_maintenance_window_schedule(WindowId=window_id, NextToken=listing["NextToken"])
    ssm.describe_maintenance_window_executions(WindowId=window_id)


@settings(max_examples=100, deadline=None)
@given(window=windows, update=st.booleans(), start=st.sampled_from(STARTS))
def test_accepted_schedules_keep_every_read_and_the_clock_working(
    window: dict[str, Any], update: bool, start: str
) -> None:
    with MaintenanceWindowsMock(now=start) as mw:
        ssm = _client()
        window_id = ssm.create_maintenance_window(**BASE, Schedule="rate(1 day)")["WindowId"]
        before = _window(ssm, window_id)
        try:
            if update:
                ssm.update_maintenance_window(WindowId=window_id, **window)
            else:
                window_id = ssm.create_maintenance_window(**BASE, **window)["WindowId"]
            refusal = None
        except ClientError as error:
            refusal = error.response["Error"]["Code"]
        if refusal is not None:
            assert refusal == "ValidationException"
            assert _window(ssm, window_id) == before
            assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 1
            return
        _reads(ssm, window_id)
        mw.clock.advance(hours=2)
        mw.clock.advance(hours=5)
        _reads(ssm, window_id)


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            {"Schedule": "at(9999-12-31T23:00:00)", "ScheduleTimezone": "America/Los_Angeles"},
            "Invalid at expression 'at(9999-12-31T23:00:00)': year 9999 is out of range 1970-2199",
        ),
        (
            {"Schedule": "at(0001-01-01T00:00:00)", "ScheduleTimezone": "Asia/Tokyo"},
            "Invalid at expression 'at(0001-01-01T00:00:00)': year 1 is out of range 1970-2199",
        ),
        (
            {"Schedule": "rate(2932896 days)"},
            "Invalid rate expression 'rate(2932896 days)': value 2932896 is too large: a rate interval can "
            "be at most 84006 days, the span of the years 1970-2199",
        ),
        (
            {"Schedule": "rate(1 day)", "StartDate": "9999-12-31T23:59:59-18:00"},
            "Invalid StartDate '9999-12-31T23:59:59-18:00': in UTC it falls outside the years 0001-9999",
        ),
    ],
)
def test_the_issue_13_inputs_are_refused_and_the_region_still_answers(
    ssm: Any, mw: MaintenanceWindowsMock, window: dict[str, Any], message: str
) -> None:
    kept = ssm.create_maintenance_window(**BASE, Schedule="rate(1 day)")["WindowId"]
    with pytest.raises(ClientError) as caught:
        ssm.create_maintenance_window(**BASE, **window)
    assert caught.value.response["Error"] == {"Code": "ValidationException", "Message": message}
    with pytest.raises(ClientError) as caught:
        ssm.update_maintenance_window(WindowId=kept, **window)
    assert caught.value.response["Error"] == {"Code": "ValidationException", "Message": message}
    assert [w["WindowId"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]] == [kept]
    mw.clock.advance(days=2)
    assert len(ssm.describe_maintenance_window_executions(WindowId=kept)["WindowExecutions"]) == 2


def test_a_filter_instant_outside_utc_years_is_refused(ssm: Any) -> None:
    window_id = ssm.create_maintenance_window(**BASE, Schedule="rate(1 day)")["WindowId"]
    with pytest.raises(ClientError) as caught:
        ssm.describe_maintenance_window_schedule(
            WindowId=window_id, Filters=[{"Key": "ScheduledAfter", "Values": ["9999-12-31T23:59:59-18:00"]}]
        )
    assert caught.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Invalid value for filter ScheduledAfter: Invalid date and time "
        "'9999-12-31T23:59:59-18:00': in UTC it falls outside the years 0001-9999",
    }
