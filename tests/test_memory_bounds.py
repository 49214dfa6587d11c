"""Memory is bounded per request (issue #13.5): nothing a request leaves behind grows without bound.

Regressions for ClientToken records that never expired, reads of unknown regions that stored a region,
validation memos that kept every refused value whatever its size, and schedule listings whose memory grew
with MaxResults. Growth is measured with tracemalloc, against generous bounds, on few calls.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.api.upcoming import MAX_PAGE
from ssm_mw_mock.errors import ValidationException
from ssm_mw_mock.model import store
from ssm_mw_mock.wire.java_regex import MEMO_VALUE_LENGTH, matcher

from .conftest import NOW

REGION = "us-east-1"
WINDOW = {
    "Name": "bounded",
    "Schedule": "rate(1 day)",
    "Duration": 2,
    "Cutoff": 1,
    "AllowUnassociatedTargets": False,
}


@pytest.fixture
def mock() -> Iterator[MaintenanceWindowsMock]:
    with MaintenanceWindowsMock(now=NOW) as mw:
        yield mw


def call(mw: MaintenanceWindowsMock, operation: str, region: str = REGION, **params: Any) -> dict[str, Any]:
    return mw.backend.call(operation, params, region)


def growth(action: Callable[[], None]) -> int:
    """Bytes still allocated after ``action`` that were not before."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        action()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_client_tokens_beyond_the_region_limit_forget_the_oldest(
    mock: MaintenanceWindowsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "TOKENS_PER_REGION", 20)

    def cycle(first: int, count: int) -> None:
        for n in range(first, first + count):
            window_id = call(mock, "CreateMaintenanceWindow", **WINDOW, ClientToken=f"token-{n}")["WindowId"]
            call(mock, "DeleteMaintenanceWindow", WindowId=window_id)

    cycle(0, 30)
    state = mock.backend.state("123456789012", REGION)
    assert [token for _, token in state.tokens] == [f"token-{n}" for n in range(10, 30)]
    assert growth(lambda: cycle(100, 300)) < 64 * 1024
    assert len(state.tokens) == 20


def test_a_client_token_expires_after_24_hours_of_the_mock_clock(mock: MaintenanceWindowsMock) -> None:
    first = call(mock, "CreateMaintenanceWindow", **WINDOW, ClientToken="once")["WindowId"]
    mock.clock.advance(hours=23, minutes=59)
    assert call(mock, "CreateMaintenanceWindow", **WINDOW, ClientToken="once")["WindowId"] == first
    mock.clock.advance(minutes=1)
    second = call(mock, "CreateMaintenanceWindow", **WINDOW, ClientToken="once")["WindowId"]
    assert second != first
    assert len(call(mock, "DescribeMaintenanceWindows")["WindowIdentities"]) == 2
    # The new record lives from its own first use: a repeat now gets the second window.
    mock.clock.advance(timedelta(hours=1))
    assert call(mock, "CreateMaintenanceWindow", **WINDOW, ClientToken="once")["WindowId"] == second


def test_a_refused_call_does_not_drop_expired_tokens(mock: MaintenanceWindowsMock) -> None:
    call(mock, "CreateMaintenanceWindow", **WINDOW, ClientToken="old")
    mock.clock.advance(days=2)
    state = mock.backend.state("123456789012", REGION)
    with pytest.raises(ValidationException):
        call(mock, "CreateMaintenanceWindow", **{**WINDOW, "Cutoff": 5}, ClientToken="new")
    assert list(state.tokens) == [("CreateMaintenanceWindow", "old")]


def test_reads_of_unknown_regions_store_nothing(mock: MaintenanceWindowsMock) -> None:
    call(mock, "CreateMaintenanceWindow", **WINDOW)

    def reads(first: int) -> None:
        for n in range(first, first + 300):
            region = f"xx-nowhere-{n}"
            assert call(mock, "DescribeMaintenanceWindows", region) == {"WindowIdentities": []}
            assert call(
                mock,
                "DescribeMaintenanceWindowsForTarget",
                region,
                Targets=[{"Key": "InstanceIds", "Values": ["i-1"]}],
                ResourceType="INSTANCE",
            ) == {"WindowIdentities": []}
            with pytest.raises(ValidationException):  # refused before it could look anywhere
                call(mock, "GetMaintenanceWindow", region, WindowId="nope")

    reads(0)  # the first calls compile validators and fill caches
    assert growth(lambda: reads(1000)) < 16 * 1024
    assert list(mock.backend._states) == [("123456789012", REGION)]


def test_a_write_to_a_new_region_still_creates_it(mock: MaintenanceWindowsMock) -> None:
    call(mock, "CreateMaintenanceWindow", "eu-west-3", **WINDOW)
    assert ("123456789012", "eu-west-3") in mock.backend._states


def test_refused_long_values_are_not_remembered(mock: MaintenanceWindowsMock) -> None:
    def refusals(first: int) -> None:
        for n in range(first, first + 8):
            with pytest.raises(ValidationException):
                call(mock, "CreateMaintenanceWindow", **{**WINDOW, "Name": f"{n:02d}" + "x" * 2**20})

    refusals(0)
    assert growth(lambda: refusals(10)) < 256 * 1024


def test_pattern_memo_keeps_short_values_only() -> None:
    matches = matcher("^[a-z]+$")
    assert matches("a" * MEMO_VALUE_LENGTH)
    assert matches("a" * (MEMO_VALUE_LENGTH + 1))
    assert not matches("b" * 2**20 + "1")
    (memo,) = [
        cell.cell_contents for cell in matches.__closure__ or () if isinstance(cell.cell_contents, dict)
    ]
    assert memo == {"a" * MEMO_VALUE_LENGTH: True}


def test_one_schedule_listing_holds_at_most_max_page_runs(mock: MaintenanceWindowsMock) -> None:
    window_id = call(mock, "CreateMaintenanceWindow", **{**WINDOW, "Schedule": "rate(1 minute)"})["WindowId"]
    tracemalloc.start()
    try:
        answer = call(mock, "DescribeMaintenanceWindowSchedule", WindowId=window_id, MaxResults=2**31 - 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    runs = answer["ScheduledWindowExecutions"]
    assert len(runs) == MAX_PAGE
    assert peak < 4 * 2**20
    following = call(
        mock,
        "DescribeMaintenanceWindowSchedule",
        WindowId=window_id,
        NextToken=answer["NextToken"],
        MaxResults=2,
    )
    assert [run["ExecutionTime"] for run in following["ScheduledWindowExecutions"]] == [
        "2024-03-04T16:41Z",
        "2024-03-04T16:42Z",
    ]


def test_task_plans_of_deleted_windows_are_not_kept(mock: MaintenanceWindowsMock) -> None:
    every_minute = {**WINDOW, "Schedule": "rate(1 minute)"}
    for n in range(150):
        window_id = call(mock, "CreateMaintenanceWindow", **every_minute)["WindowId"]
        mock.clock.advance(minutes=2)  # the window runs, so its task plan is built and cached
        call(mock, "DeleteMaintenanceWindow", WindowId=window_id)
        assert len(mock.backend._plans) <= 64, n
