"""Beside moto: a task's alarms are read from moto's CloudWatch, at its start and at every instant a move
plays, so ``set_alarm_state`` through boto3 stops a running task.

Counts are of hook calls (invocations that reached the outcome hook) and of invocation records.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ssm_mw_mock import Invocation, MaintenanceWindowsMock, Outcome

NOW = "2024-03-04T00:00:00Z"
REGION = "us-east-1"
I1, I2, I3 = (f"i-{n:017x}" for n in range(1, 4))


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, 4, hour, minute, tzinfo=UTC)


@pytest.fixture
def mw() -> Iterator[MaintenanceWindowsMock]:
    with mock_aws(), MaintenanceWindowsMock(now=NOW) as mock:
        yield mock


@pytest.fixture
def ssm(mw: MaintenanceWindowsMock) -> Any:
    return boto3.client("ssm", region_name=REGION)


@pytest.fixture
def cloudwatch(mw: MaintenanceWindowsMock) -> Any:
    return boto3.client("cloudwatch", region_name=REGION)


def create_alarm(cloudwatch: Any, name: str, state: str) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        MetricName="CPUUtilization",
        Namespace="AWS/EC2",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=90.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


def window_with_task(ssm: Any, alarm_names: list[str], ignore: bool = False) -> str:
    window_id: str = ssm.create_maintenance_window(
        Name="patching", Schedule="cron(0 2 ? * MON *)", Duration=3, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "InstanceIds", "Values": [I1, I2, I3]}]
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskType="RUN_COMMAND",
        TaskArn="AWS-RunShellScript",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="1",
        MaxErrors="1",
        AlarmConfiguration={
            "Alarms": [{"Name": name} for name in alarm_names],
            "IgnorePollAlarmFailure": ignore,
        },
    )
    return window_id


def the_task(ssm: Any, window_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (execution,) = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    (task,) = ssm.describe_maintenance_window_execution_tasks(
        WindowExecutionId=execution["WindowExecutionId"]
    )["WindowExecutionTaskIdentities"]
    found: list[dict[str, Any]] = ssm.describe_maintenance_window_execution_task_invocations(
        WindowExecutionId=execution["WindowExecutionId"], TaskId=task["TaskExecutionId"]
    )["WindowExecutionTaskInvocationIdentities"]
    return task, found


def ten_minutes(calls: list[str | None]) -> Any:
    def hook(invocation: Invocation) -> Outcome:
        calls.append(invocation.target_id)
        return Outcome(duration=timedelta(minutes=10))

    return hook


def test_moto_alarm_in_alarm_stops_the_task_at_its_start(
    ssm: Any, cloudwatch: Any, mw: MaintenanceWindowsMock
) -> None:
    create_alarm(cloudwatch, "cpu-high", "ALARM")
    window_id = window_with_task(ssm, ["cpu-high"])
    calls: list[str | None] = []
    mw.on_invocation(ten_minutes(calls))
    mw.clock.advance(days=1)

    task, found = the_task(ssm, window_id)
    assert (calls, found) == ([], [])
    assert (task["Status"], task["EndTime"]) == ("CANCELLED", at(2))
    assert task["TriggeredAlarms"] == [{"Name": "cpu-high", "State": "ALARM"}]


def test_moto_set_alarm_state_between_moves_stops_the_task_when_the_clock_moves(
    ssm: Any, cloudwatch: Any, mw: MaintenanceWindowsMock
) -> None:
    create_alarm(cloudwatch, "cpu-high", "OK")
    window_id = window_with_task(ssm, ["cpu-high"])
    calls: list[str | None] = []
    mw.on_invocation(ten_minutes(calls))
    mw.clock.set("2024-03-04T02:15:00Z")  # I2 runs 02:10-02:20
    cloudwatch.set_alarm_state(AlarmName="cpu-high", StateValue="ALARM", StateReason="disk full")
    mw.clock.advance(hours=2)

    task, found = the_task(ssm, window_id)
    assert calls == [I1, I2]
    assert [(i["Status"], i["EndTime"]) for i in found] == [("SUCCESS", at(2, 10)), ("CANCELLED", at(2, 15))]
    assert (task["Status"], task["EndTime"]) == ("CANCELLED", at(2, 15))
    assert task["TriggeredAlarms"] == [{"Name": "cpu-high", "State": "ALARM"}]


def test_moto_alarm_is_read_at_every_instant_a_move_plays(
    ssm: Any, cloudwatch: Any, mw: MaintenanceWindowsMock
) -> None:
    create_alarm(cloudwatch, "cpu-high", "OK")
    window_id = window_with_task(ssm, ["cpu-high"])
    calls: list[str | None] = []

    def hook(invocation: Invocation) -> Outcome:
        calls.append(invocation.target_id)
        if invocation.target_id == I2:  # 02:10: the alarm goes off while I2 runs
            cloudwatch.set_alarm_state(AlarmName="cpu-high", StateValue="ALARM", StateReason="load")
        return Outcome(duration=timedelta(minutes=10))

    mw.on_invocation(hook)
    mw.clock.advance(days=1)

    task, found = the_task(ssm, window_id)
    # The next instant the move plays is I2's end, 02:20: the alarm is read there, before I2 ends.
    assert calls == [I1, I2]
    assert [(i["Status"], i["EndTime"]) for i in found] == [("SUCCESS", at(2, 10)), ("CANCELLED", at(2, 20))]
    assert (task["Status"], task["EndTime"]) == ("CANCELLED", at(2, 20))


def test_moto_alarm_moto_does_not_hold_is_a_polling_failure(
    ssm: Any, cloudwatch: Any, mw: MaintenanceWindowsMock
) -> None:
    create_alarm(cloudwatch, "cpu-high", "OK")  # moto's CloudWatch holds an alarm, but not this one
    stopped = window_with_task(ssm, ["no-such-alarm"])
    mw.clock.advance(days=1)

    task, found = the_task(ssm, stopped)
    assert found == []
    assert task["Status"] == "CANCELLED"
    assert task["TriggeredAlarms"] == [{"Name": "no-such-alarm", "State": "UNKNOWN"}]


def test_moto_alarm_moto_does_not_hold_is_ignored_when_asked(
    ssm: Any, cloudwatch: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window_with_task(ssm, ["no-such-alarm"], ignore=True)
    mw.clock.advance(days=1)

    task, found = the_task(ssm, window_id)
    assert [i["Status"] for i in found] == ["SUCCESS"] * 3
    assert task["Status"] == "SUCCESS"


def test_moto_alarm_state_set_on_the_handle_wins(
    ssm: Any, cloudwatch: Any, mw: MaintenanceWindowsMock
) -> None:
    create_alarm(cloudwatch, "cpu-high", "ALARM")
    window_id = window_with_task(ssm, ["cpu-high"])
    mw.set_alarm("cpu-high", "OK")
    mw.clock.advance(days=1)

    task, found = the_task(ssm, window_id)
    assert len(found) == 3
    assert task["Status"] == "SUCCESS"
