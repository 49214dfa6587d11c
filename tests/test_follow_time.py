"""``follow_time=True``: the mock's clock catches up with time moved by time-machine (or freezegun)."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
import time_machine

from ssm_mw_mock import HookError, mock_maintenance_windows
from tests.conftest import make_window


def test_follow_time_starts_at_and_follows_the_travelled_time() -> None:
    with (
        time_machine.travel(datetime(2024, 3, 4, tzinfo=UTC), tick=False) as traveller,
        mock_maintenance_windows(follow_time=True) as mw,
    ):
        assert mw.clock.now() == datetime(2024, 3, 4, tzinfo=UTC)
        ssm = boto3.client("ssm", region_name="us-east-1")
        window_id = make_window(ssm, Schedule="cron(0 2 ? * * *)")
        traveller.move_to(datetime(2024, 3, 6, 12, tzinfo=UTC))
        # The call itself catches the clock up: the two nightly runs have happened.
        runs = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
        assert [run["StartTime"].astimezone(UTC).day for run in runs] == [6, 5, 4]
        assert mw.clock.now() == datetime(2024, 3, 6, 12, tzinfo=UTC)
        assert ssm.get_maintenance_window(WindowId=window_id)["NextExecutionTime"] == "2024-03-07T02:00Z"


def test_follow_time_never_goes_back_and_the_handle_still_moves_forward() -> None:
    with (
        time_machine.travel(datetime(2024, 3, 4, tzinfo=UTC), tick=False) as traveller,
        mock_maintenance_windows(follow_time=True) as mw,
    ):
        mw.clock.advance(days=2)
        traveller.move_to(datetime(2024, 3, 5, tzinfo=UTC))  # behind the mock's clock
        assert mw.clock.now() == datetime(2024, 3, 6, tzinfo=UTC)


def test_without_follow_time_the_clock_ignores_travel() -> None:
    with (
        time_machine.travel(datetime(2024, 3, 4, tzinfo=UTC), tick=False) as traveller,
        mock_maintenance_windows() as mw,
    ):
        traveller.move_to(datetime(2024, 3, 9, tzinfo=UTC))
        assert mw.clock.now() == datetime(2024, 3, 4, tzinfo=UTC)


def test_follow_time_hook_error_reaches_the_api_call_that_caught_up() -> None:
    """A move made by a mocked call (follow_time) that meets a failing hook raises out of that call."""
    with (
        time_machine.travel(datetime(2024, 3, 4, tzinfo=UTC), tick=False) as traveller,
        mock_maintenance_windows(follow_time=True) as mw,
    ):
        ssm = boto3.client("ssm", region_name="us-east-1")
        window_id = make_window(ssm, Schedule="cron(0 2 ? * * *)")
        ssm.register_task_with_maintenance_window(
            WindowId=window_id,
            TaskArn="arn:aws:lambda:us-east-1:123456789012:function:patch",
            TaskType="LAMBDA",
        )
        mw.on_invocation(lambda invocation: invocation.target.id)  # type: ignore[attr-defined]
        traveller.move_to(datetime(2024, 3, 5, tzinfo=UTC))
        with pytest.raises(HookError) as caught:
            ssm.describe_maintenance_windows()
        assert isinstance(caught.value.__cause__, AttributeError)
        assert caught.value.start_time == datetime(2024, 3, 4, 2, tzinfo=UTC)  # where the move stopped
        mw.on_invocation(None)  # (every read catches up again, so it would raise again until fixed)
        runs = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
        assert [run["Status"] for run in runs] == ["SUCCESS"]
