"""CloudWatch alarms stop maintenance window tasks: through a real boto3 client and ``mw.set_alarm``.

NOW is Monday 2024-03-04T00:00Z; the window runs every Monday at 02:00 UTC for 3 hours, cutoff 1 hour.
Counts are of hook calls (invocations that reached the outcome hook) and of invocation records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ssm_mw_mock import Invocation, MaintenanceWindowsMock, Outcome
from tests.conftest import make_window, window_target

WEEKLY = "cron(0 2 ? * MON *)"
I1, I2, I3 = (f"i-{n:017x}" for n in range(1, 4))
STOPPED = "The task was stopped because a CloudWatch alarm of the task is in the ALARM state."
UNREADABLE = "The task was stopped because the state of a CloudWatch alarm of the task could not be read."
ALARM_CANCELLED = "Cancelled because a CloudWatch alarm of the task stopped it."
EXECUTION_STOPPED = "One or more tasks were stopped by a CloudWatch alarm."


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 3, 4, hour, minute, second, tzinfo=UTC)


def alarms(*names: str, ignore: bool = False) -> dict[str, Any]:
    return {"Alarms": [{"Name": name} for name in names], "IgnorePollAlarmFailure": ignore}


def window_with_task(
    ssm: Any,
    *,
    alarm: dict[str, Any] | None,
    task_type: str = "RUN_COMMAND",
    instances: tuple[str, ...] = (I1, I2, I3),
    priority: int = 1,
    window_id: str | None = None,
) -> str:
    window_id = window_id or make_window(ssm, Schedule=WEEKLY)
    target_id = window_target(ssm, window_id, *instances)
    arns = {
        "RUN_COMMAND": "AWS-RunShellScript",
        "LAMBDA": "arn:aws:lambda:us-east-1:123456789012:function:SSMpatch",
    }
    extra = {"AlarmConfiguration": alarm} if alarm is not None else {}
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        TaskArn=arns[task_type],
        TaskType=task_type,
        MaxConcurrency="1",
        MaxErrors="1",
        Priority=priority,
        **extra,
    )
    return window_id


def counting(mw: MaintenanceWindowsMock, duration: timedelta) -> list[Invocation]:
    calls: list[Invocation] = []

    def hook(invocation: Invocation) -> Outcome:
        calls.append(invocation)
        return Outcome(duration=duration)

    mw.on_invocation(hook)
    return calls


def the_run(ssm: Any, window_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    executions = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    assert len(executions) == 1
    execution = executions[0]
    tasks = ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution["WindowExecutionId"])[
        "WindowExecutionTaskIdentities"
    ]
    return execution, tasks


def invocations(ssm: Any, task: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ssm.describe_maintenance_window_execution_task_invocations(
        WindowExecutionId=task["WindowExecutionId"], TaskId=task["TaskExecutionId"]
    )["WindowExecutionTaskInvocationIdentities"]
    return found


def got(ssm: Any, task: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = ssm.get_maintenance_window_execution_task(
        WindowExecutionId=task["WindowExecutionId"], TaskId=task["TaskExecutionId"]
    )
    return answer


# Read when the task starts.


def test_alarm_in_alarm_when_the_task_starts_stops_it_before_any_invocation(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window_with_task(ssm, alarm=alarms("cpu-high"))
    window_with_task(ssm, alarm=None, priority=2, window_id=window_id)  # a later task without alarms
    mw.set_alarm("cpu-high", "ALARM")
    calls = counting(mw, timedelta(minutes=1))
    mw.clock.advance(days=1)

    execution, (stopped, later) = the_run(ssm, window_id)

    # Only the second task's three invocations reached the hook.
    assert [c.task_execution_id for c in calls] == [later["TaskExecutionId"]] * 3
    assert invocations(ssm, stopped) == []
    assert (stopped["Status"], stopped["StatusDetails"], stopped["StartTime"], stopped["EndTime"]) == (
        "CANCELLED",
        STOPPED,
        at(2),
        at(2),
    )
    assert stopped["TriggeredAlarms"] == [{"Name": "cpu-high", "State": "ALARM"}]
    assert got(ssm, stopped)["TriggeredAlarms"] == [{"Name": "cpu-high", "State": "ALARM"}]
    assert got(ssm, stopped)["AlarmConfiguration"] == alarms("cpu-high")
    assert (later["Status"], later["EndTime"]) == ("SUCCESS", at(2, 3))
    assert "TriggeredAlarms" not in later
    assert (execution["Status"], execution["StatusDetails"], execution["EndTime"]) == (
        "CANCELLED",
        EXECUTION_STOPPED,
        at(2, 3),
    )


@pytest.mark.parametrize("state", ["OK", "INSUFFICIENT_DATA"])
def test_alarm_ok_or_insufficient_data_lets_the_task_run(
    ssm: Any, mw: MaintenanceWindowsMock, state: str
) -> None:
    window_id = window_with_task(ssm, alarm=alarms("cpu-high"))
    mw.set_alarm("cpu-high", state)
    calls = counting(mw, timedelta(minutes=1))
    mw.clock.advance(days=1)

    execution, (task,) = the_run(ssm, window_id)

    assert len(calls) == 3
    assert [i["Status"] for i in invocations(ssm, task)] == ["SUCCESS"] * 3
    assert (task["Status"], execution["Status"]) == ("SUCCESS", "SUCCESS")
    assert "TriggeredAlarms" not in task
    assert "TriggeredAlarms" not in got(ssm, task)


def test_alarm_that_cannot_be_read_stops_the_task(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window_with_task(ssm, alarm=alarms("never-created"))
    calls = counting(mw, timedelta(minutes=1))
    mw.clock.advance(days=1)

    execution, (task,) = the_run(ssm, window_id)

    assert calls == []
    assert (task["Status"], task["StatusDetails"]) == ("CANCELLED", UNREADABLE)
    assert task["TriggeredAlarms"] == [{"Name": "never-created", "State": "UNKNOWN"}]
    assert (execution["Status"], execution["StatusDetails"]) == ("CANCELLED", EXECUTION_STOPPED)


def test_alarm_that_cannot_be_read_is_ignored_with_ignore_poll_alarm_failure(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window_with_task(ssm, alarm=alarms("never-created", ignore=True))
    calls = counting(mw, timedelta(minutes=1))
    mw.clock.advance(days=1)

    _, (task,) = the_run(ssm, window_id)

    assert len(calls) == 3
    assert task["Status"] == "SUCCESS"
    assert "TriggeredAlarms" not in task


def test_alarm_in_alarm_stops_the_task_even_with_ignore_poll_alarm_failure(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window_with_task(ssm, alarm=alarms("cpu-high", ignore=True))
    mw.set_alarm("cpu-high", "ALARM")
    calls = counting(mw, timedelta(minutes=1))
    mw.clock.advance(days=1)

    _, (task,) = the_run(ssm, window_id)

    assert calls == []
    assert (task["Status"], task["TriggeredAlarms"]) == (
        "CANCELLED",
        [{"Name": "cpu-high", "State": "ALARM"}],
    )


def test_alarm_of_another_region_does_not_stop_the_task(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window_with_task(ssm, alarm=alarms("cpu-high"))
    mw.set_alarm("cpu-high", "OK")
    mw.set_alarm("cpu-high", "ALARM", region="us-west-2")
    calls = counting(mw, timedelta(minutes=1))
    mw.clock.advance(days=1)

    _, (task,) = the_run(ssm, window_id)

    assert len(calls) == 3
    assert task["Status"] == "SUCCESS"


# Changed while the task runs.


def test_set_alarm_between_moves_stops_a_running_command_at_that_instant(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window_with_task(ssm, alarm=alarms("cpu-high"))
    mw.set_alarm("cpu-high", "OK")
    calls = counting(mw, timedelta(hours=1))
    mw.clock.set("2024-03-04T02:30:00Z")  # I1 runs 02:00-03:00

    mw.set_alarm("cpu-high", "ALARM")

    execution, (task,) = the_run(ssm, window_id)
    assert len(calls) == 1
    assert [(i["Status"], i["StatusDetails"], i["EndTime"]) for i in invocations(ssm, task)] == [
        ("CANCELLED", ALARM_CANCELLED, at(2, 30))
    ]
    assert (task["Status"], task["StatusDetails"], task["EndTime"]) == ("CANCELLED", STOPPED, at(2, 30))
    assert task["TriggeredAlarms"] == [{"Name": "cpu-high", "State": "ALARM"}]
    assert (execution["Status"], execution["EndTime"]) == ("CANCELLED", at(2, 30))
    mw.clock.advance(days=1)
    assert len(calls) == 1  # nothing more started
    assert len(invocations(ssm, task)) == 1


def test_set_alarm_between_moves_lets_a_running_lambda_finish(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window_with_task(ssm, alarm=alarms("cpu-high"), task_type="LAMBDA")
    mw.set_alarm("cpu-high", "OK")
    calls = counting(mw, timedelta(hours=1))
    mw.clock.set("2024-03-04T02:30:00Z")

    mw.set_alarm("cpu-high", "ALARM")
    _, (running,) = the_run(ssm, window_id)
    assert running["Status"] == "IN_PROGRESS"  # its Lambda function is still running
    mw.clock.advance(days=1)

    execution, (task,) = the_run(ssm, window_id)
    assert len(calls) == 1
    assert [(i["Status"], i["EndTime"]) for i in invocations(ssm, task)] == [("SUCCESS", at(3))]
    assert (task["Status"], task["StatusDetails"], task["EndTime"]) == ("CANCELLED", STOPPED, at(3))
    assert (execution["Status"], execution["EndTime"]) == ("CANCELLED", at(3))


def test_set_alarm_from_a_hook_stops_the_task_at_the_instant_being_played(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window_with_task(ssm, alarm=alarms("cpu-high"))
    mw.set_alarm("cpu-high", "OK")
    seen: list[str | None] = []

    def hook(invocation: Invocation) -> Outcome:
        seen.append(invocation.target_id)
        if invocation.target_id == I2:  # starts at 02:10
            mw.set_alarm("cpu-high", "ALARM")
        return Outcome(duration=timedelta(minutes=10))

    mw.on_invocation(hook)
    mw.clock.advance(days=1)

    execution, (task,) = the_run(ssm, window_id)
    assert seen == [I1, I2]
    assert [(i["Status"], i["StartTime"], i["EndTime"]) for i in invocations(ssm, task)] == [
        ("SUCCESS", at(2), at(2, 10)),
        ("CANCELLED", at(2, 10), at(2, 10)),
    ]
    assert (task["Status"], task["EndTime"], execution["EndTime"]) == ("CANCELLED", at(2, 10), at(2, 10))


def test_set_alarm_back_to_ok_does_not_restart_a_stopped_task(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window_with_task(ssm, alarm=alarms("cpu-high"))
    mw.set_alarm("cpu-high", "OK")
    calls = counting(mw, timedelta(hours=1))
    mw.clock.set("2024-03-04T02:30:00Z")
    mw.set_alarm("cpu-high", "ALARM")
    mw.set_alarm("cpu-high", "OK")
    mw.clock.advance(hours=3)

    _, (task,) = the_run(ssm, window_id)
    assert len(calls) == 1
    assert task["Status"] == "CANCELLED"


# The handle.


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda mw: mw.set_alarm("cpu-high", "alarm"),
            "set_alarm() state must be one of 'OK', 'ALARM', 'INSUFFICIENT_DATA' (CloudWatch's StateValue); "
            "got 'alarm'",
        ),
        (
            lambda mw: mw.set_alarm(" ", "ALARM"),
            "set_alarm() needs the alarm's name, as the task's AlarmConfiguration gives it: "
            "mw.set_alarm('cpu-high', 'ALARM'); got ' '",
        ),
    ],
    ids=["lowercase-state", "blank-name"],
)
def test_set_alarm_refuses_misuse_with_the_fix(
    mw: MaintenanceWindowsMock, call: Callable[[MaintenanceWindowsMock], None], message: str
) -> None:
    with pytest.raises(ValueError) as info:
        call(mw)
    assert str(info.value) == message
    assert mw.backend.alarms == {}


def test_set_alarm_needs_a_started_mock() -> None:
    mock = MaintenanceWindowsMock(now="2024-03-04T00:00:00Z")
    with pytest.raises(RuntimeError) as info:
        mock.set_alarm("cpu-high", "ALARM")
    assert str(info.value) == (
        "set_alarm() needs a started mock: starting begins with empty state, so call it inside "
        "`with mock_maintenance_windows() as mw:` (or on the mw_mock fixture)"
    )


def test_reset_forgets_alarm_states(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    mw.set_alarm("cpu-high", "OK")
    mw.reset()
    window_id = window_with_task(ssm, alarm=alarms("cpu-high"))
    mw.clock.advance(days=1)

    _, (task,) = the_run(ssm, window_id)
    assert task["TriggeredAlarms"] == [{"Name": "cpu-high", "State": "UNKNOWN"}]
