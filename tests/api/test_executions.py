"""Windows run on the fake clock: executions, task executions and invocations through a real boto3 client.

NOW is Monday 2024-03-04T00:00Z; the default window here runs every Monday at 02:00 UTC for 3 hours with a
1-hour cutoff, so no task starts after 04:00. An invocation takes 5 seconds unless the hook says otherwise.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ssm_mw_mock import (
    DEFAULT_DURATION,
    HookError,
    Invocation,
    InvocationFailed,
    MaintenanceWindowsMock,
    Outcome,
)
from tests.conftest import make_window

ROLE = "arn:aws:iam::123456789012:role/MaintenanceWindowRole"
SERVICE_LINKED_ROLE = (
    "arn:aws:iam::123456789012:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM"
)
WEEKLY = "cron(0 2 ? * MON *)"
MISSING = "00000000-0000-4000-8000-000000000000"
I1, I2, I3, I4, I5 = (f"i-{n:017x}" for n in range(1, 6))


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 4) -> datetime:
    return datetime(2024, 3, day, hour, minute, second, tzinfo=UTC)


def window(ssm: Any, **overrides: Any) -> str:
    params: dict[str, Any] = {"Schedule": WEEKLY}
    params.update(overrides)
    return make_window(ssm, **params)


def target(ssm: Any, window_id: str, *instances: str, targets: list[dict[str, Any]] | None = None) -> str:
    target_id: str = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=targets or [{"Key": "InstanceIds", "Values": list(instances)}],
    )["WindowTargetId"]
    return target_id


def run_command(
    ssm: Any,
    window_id: str,
    target_id: str,
    *,
    priority: int = 1,
    concurrency: str = "1",
    errors: str = "1",
    commands: list[str] | None = None,
    **extra: Any,
) -> str:
    task_id: str = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        ServiceRoleArn=ROLE,
        Priority=priority,
        MaxConcurrency=concurrency,
        MaxErrors=errors,
        TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": commands or ["yum -y update"]}}},
        **extra,
    )["WindowTaskId"]
    return task_id


def executions(ssm: Any, window_id: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ssm.describe_maintenance_window_executions(WindowId=window_id, **params)[
        "WindowExecutions"
    ]
    return found


def only_execution(ssm: Any, window_id: str) -> dict[str, Any]:
    found = executions(ssm, window_id)
    assert len(found) == 1
    return found[0]


def tasks(ssm: Any, execution_id: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ssm.describe_maintenance_window_execution_tasks(
        WindowExecutionId=execution_id, **params
    )["WindowExecutionTaskIdentities"]
    return found


def invocations(ssm: Any, execution_id: str, task_id: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ssm.describe_maintenance_window_execution_task_invocations(
        WindowExecutionId=execution_id, TaskId=task_id, **params
    )["WindowExecutionTaskInvocationIdentities"]
    return found


def timeline(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(Status, StatusDetails, StartTime, EndTime) of each item: what the simulated timeline decided."""
    return [
        (item["Status"], item.get("StatusDetails"), item.get("StartTime"), item.get("EndTime"))
        for item in items
    ]


def instance_of(invocation: dict[str, Any]) -> str:
    instance: str = json.loads(invocation["Parameters"])["instanceIds"][0]
    return instance


def error(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**params)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def fail_all(invocation: Invocation) -> str:
    return "FAILED"


# Runs on the schedule


def test_executions_three_weekly_runs_after_three_weeks_newest_first(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)

    mw.clock.advance(days=21)

    found = executions(ssm, window_id)
    assert [(e["WindowId"], e["Status"], e["StatusDetails"]) for e in found] == [
        (window_id, "SUCCESS", "No tasks to execute.")
    ] * 3
    assert [(e["StartTime"], e["EndTime"]) for e in found] == [
        (at(2, day=18), at(2, day=18)),
        (at(2, day=11), at(2, day=11)),
        (at(2, day=4), at(2, day=4)),
    ]
    assert len({e["WindowExecutionId"] for e in found}) == 3


def test_executions_executed_after_and_before_are_inclusive_bounds_on_start_time(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    mw.clock.advance(days=21)

    def starts(*filters: tuple[str, str]) -> list[datetime]:
        params = [{"Key": key, "Values": [value]} for key, value in filters]
        return [e["StartTime"] for e in executions(ssm, window_id, Filters=params)]

    assert starts(("ExecutedAfter", "2024-03-11T02:00:00Z")) == [at(2, day=18), at(2, day=11)]
    assert starts(("ExecutedBefore", "2024-03-11T02:00:00Z")) == [at(2, day=11), at(2, day=4)]
    assert starts(("ExecutedAfter", "2024-03-05T00:00:00Z"), ("ExecutedBefore", "2024-03-17T00:00:00Z")) == [
        at(2, day=11)
    ]
    assert starts(("ExecutedAfter", "2024-03-19T00:00:00Z")) == []


def test_executions_unknown_filter_key_is_refused(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)

    assert error(
        ssm.describe_maintenance_window_executions,
        WindowId=window_id,
        Filters=[{"Key": "Status", "Values": ["SUCCESS"]}],
    ) == (
        "ValidationException",
        "The filter key Status is not supported; supported keys: ExecutedAfter, ExecutedBefore",
    )


def test_executions_paginate_newest_first_with_a_boto3_paginator(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm, Schedule="cron(0 2 ? * * *)")
    mw.clock.advance(days=25)  # daily runs on March 4 … 28

    paginator = ssm.get_paginator("describe_maintenance_window_executions")
    pages = list(paginator.paginate(WindowId=window_id, PaginationConfig={"PageSize": 10}))

    assert [len(page["WindowExecutions"]) for page in pages] == [10, 10, 5]
    assert "NextToken" not in pages[-1]
    starts = [e["StartTime"] for page in pages for e in page["WindowExecutions"]]
    assert starts == [at(2, day=day) for day in range(28, 3, -1)]


def test_executions_of_a_disabled_window_never_happen(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    ssm.update_maintenance_window(WindowId=window_id, Enabled=False)

    mw.clock.advance(days=21)

    assert executions(ssm, window_id) == []
    assert "NextExecutionTime" not in ssm.get_maintenance_window(WindowId=window_id)


def test_executions_start_again_once_a_window_is_enabled(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    ssm.update_maintenance_window(WindowId=window_id, Enabled=False)
    mw.clock.advance(days=7)
    ssm.update_maintenance_window(WindowId=window_id, Enabled=True)

    mw.clock.advance(days=7)

    assert [e["StartTime"] for e in executions(ssm, window_id)] == [at(2, day=11)]


def test_execution_with_no_tasks_succeeds_at_once(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    mw.clock.advance(days=1)

    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    got = ssm.get_maintenance_window_execution(WindowExecutionId=execution_id)
    del got["ResponseMetadata"]

    assert got == {
        "WindowExecutionId": execution_id,
        "TaskIds": [],
        "Status": "SUCCESS",
        "StatusDetails": "No tasks to execute.",
        "StartTime": at(2),
        "EndTime": at(2),
    }


def test_next_execution_time_moves_on_when_a_run_starts(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    assert ssm.get_maintenance_window(WindowId=window_id)["NextExecutionTime"] == "2024-03-04T02:00Z"

    mw.clock.set("2024-03-04T01:59:59Z")
    assert ssm.get_maintenance_window(WindowId=window_id)["NextExecutionTime"] == "2024-03-04T02:00Z"
    assert executions(ssm, window_id) == []

    mw.clock.set("2024-03-04T02:00:00Z")
    assert ssm.get_maintenance_window(WindowId=window_id)["NextExecutionTime"] == "2024-03-11T02:00Z"
    assert [e["StartTime"] for e in executions(ssm, window_id)] == [at(2)]


def test_execution_starts_at_its_scheduled_instant_in_the_window_time_zone(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm, ScheduleTimezone="America/New_York")  # EST, UTC-5, until March 10

    mw.clock.advance(days=1)

    assert [e["StartTime"] for e in executions(ssm, window_id)] == [at(7)]


# Tasks: priorities, concurrency, errors


def test_execution_runs_priorities_in_order_and_equal_priorities_together(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1)
    first = run_command(ssm, window_id, target_id, priority=1)
    second_a = run_command(ssm, window_id, target_id, priority=2)
    second_b = run_command(ssm, window_id, target_id, priority=2)
    third = run_command(ssm, window_id, target_id, priority=3)
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    listed = tasks(ssm, execution["WindowExecutionId"])
    registered = {
        t["WindowTaskId"]: t["Priority"]
        for t in ssm.describe_maintenance_window_tasks(WindowId=window_id)["Tasks"]
    }

    assert registered == {first: 1, second_a: 2, second_b: 2, third: 3}
    assert [(t["StartTime"], t["EndTime"]) for t in listed] == [
        (at(2), at(2, 0, 5)),
        (at(2, 0, 5), at(2, 0, 10)),
        (at(2, 0, 5), at(2, 0, 10)),
        (at(2, 0, 10), at(2, 0, 15)),
    ]
    assert [t["Status"] for t in listed] == ["SUCCESS"] * 4
    assert (execution["Status"], execution["StartTime"], execution["EndTime"]) == (
        "SUCCESS",
        at(2),
        at(2, 0, 15),
    )
    got = ssm.get_maintenance_window_execution(WindowExecutionId=execution["WindowExecutionId"])
    assert got["TaskIds"] == [t["TaskExecutionId"] for t in listed]


@pytest.mark.parametrize(
    ("concurrency", "starts"),
    [
        ("1", [0, 5, 10, 15]),
        ("2", [0, 0, 5, 5]),
        ("50%", [0, 0, 5, 5]),
        ("75%", [0, 0, 0, 5]),
        ("10%", [0, 5, 10, 15]),  # 10% of 4 rounds down to 0, and is at least 1
        ("100%", [0, 0, 0, 0]),
    ],
)
def test_task_max_concurrency_limits_running_invocations(
    ssm: Any, mw: MaintenanceWindowsMock, concurrency: str, starts: list[int]
) -> None:
    window_id = window(ssm)
    task_id = run_command(ssm, window_id, target(ssm, window_id, I1, I2, I3, I4), concurrency=concurrency)
    mw.clock.advance(days=1)

    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task = tasks(ssm, execution_id)[0]
    found = invocations(ssm, execution_id, task["TaskExecutionId"])

    assert [i["StartTime"] for i in found] == [at(2, 0, s) for s in starts]
    assert [i["EndTime"] for i in found] == [at(2, 0, s + 5) for s in starts]
    assert [instance_of(i) for i in found] == [I1, I2, I3, I4]
    assert task["EndTime"] == at(2, 0, max(starts) + 5)
    task_detail = ssm.get_maintenance_window_execution_task(
        WindowExecutionId=execution_id, TaskId=task["TaskExecutionId"]
    )
    assert task_detail["MaxConcurrency"] == concurrency
    assert task_id


@pytest.mark.parametrize(
    ("max_errors", "targets", "started"),
    [
        ("0", 5, 1),  # the first error stops it
        ("1", 5, 2),  # errors past the first stop it
        ("3", 5, 4),
        ("5", 5, 5),
        ("20%", 10, 3),  # 20% of 10 = 2 errors allowed
        ("10%", 5, 1),  # 10% of 5 rounds down to 0
    ],
)
def test_task_max_errors_stops_starting_invocations(
    ssm: Any, mw: MaintenanceWindowsMock, max_errors: str, targets: int, started: int
) -> None:
    instances = [f"i-{n:017x}" for n in range(1, targets + 1)]
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, *instances), errors=max_errors)
    mw.on_invocation(fail_all)
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    task = tasks(ssm, execution["WindowExecutionId"])[0]
    found = invocations(ssm, execution["WindowExecutionId"], task["TaskExecutionId"])

    assert [instance_of(i) for i in found] == instances[:started]
    assert {(i["Status"], i["StatusDetails"]) for i in found} == {("FAILED", "Failed")}
    assert timeline([task]) == [("FAILED", "One or more invocations failed.", at(2), at(2, 0, 5 * started))]
    assert (execution["Status"], execution["StatusDetails"]) == (
        "FAILED",
        "One or more tasks in the orchestration failed.",
    )


def test_task_max_errors_lets_running_invocations_finish(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, I1, I2, I3, I4, I5), concurrency="3", errors="0")
    mw.on_invocation(lambda inv: "FAILED" if inv.target_id == I1 else Outcome(duration=timedelta(seconds=30)))
    mw.clock.advance(days=1)

    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task = tasks(ssm, execution_id)[0]
    found = invocations(ssm, execution_id, task["TaskExecutionId"])

    assert [(instance_of(i), i["Status"], i["EndTime"]) for i in found] == [
        (I1, "FAILED", at(2, 0, 5)),
        (I2, "SUCCESS", at(2, 0, 30)),
        (I3, "SUCCESS", at(2, 0, 30)),
    ]
    assert (task["Status"], task["EndTime"]) == ("FAILED", at(2, 0, 30))


def test_failed_task_does_not_stop_the_next_priority(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    first = target(ssm, window_id, I1)
    second = target(ssm, window_id, I2)
    run_command(ssm, window_id, first, priority=1)
    run_command(ssm, window_id, second, priority=2)
    mw.on_invocation(lambda inv: "FAILED" if inv.target_id == I1 else None)
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    listed = tasks(ssm, execution["WindowExecutionId"])

    assert timeline(listed) == [
        ("FAILED", "One or more invocations failed.", at(2), at(2, 0, 5)),
        ("SUCCESS", None, at(2, 0, 5), at(2, 0, 10)),
    ]
    assert timeline([execution]) == [
        ("FAILED", "One or more tasks in the orchestration failed.", at(2), at(2, 0, 10))
    ]
    assert [
        t["Status"]
        for t in tasks(ssm, execution["WindowExecutionId"], Filters=[{"Key": "STATUS", "Values": ["FAILED"]}])
    ] == ["FAILED"]
    assert [
        t["Status"]
        for t in tasks(
            ssm, execution["WindowExecutionId"], Filters=[{"Key": "STATUS", "Values": ["FAILED", "SUCCESS"]}]
        )
    ] == ["FAILED", "SUCCESS"]
    assert (
        tasks(ssm, execution["WindowExecutionId"], Filters=[{"Key": "STATUS", "Values": ["TIMED_OUT"]}]) == []
    )


def test_task_whose_targets_match_no_instance_succeeds_without_invocations(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, targets=[{"Key": "tag:Env", "Values": ["prod"]}]))
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    listed = tasks(ssm, execution["WindowExecutionId"])

    assert timeline(listed) == [("SUCCESS", "No invocations to execute.", at(2), at(2))]
    assert invocations(ssm, execution["WindowExecutionId"], listed[0]["TaskExecutionId"]) == []
    assert execution["Status"] == "SUCCESS"


# Cutoff


def test_cutoff_task_not_started_in_time_is_timed_out(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)  # 02:00 + 3 h duration - 1 h cutoff: nothing starts after 04:00
    target_id = target(ssm, window_id, I1)
    run_command(ssm, window_id, target_id, priority=1)
    run_command(ssm, window_id, target_id, priority=2)
    mw.on_invocation(lambda inv: Outcome(duration=timedelta(hours=2, minutes=30)))
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    listed = tasks(ssm, execution["WindowExecutionId"])

    assert timeline(listed) == [
        ("SUCCESS", None, at(2), at(4, 30)),
        ("TIMED_OUT", "The task did not start before the maintenance window's cutoff.", at(4, 30), at(4, 30)),
    ]
    assert invocations(ssm, execution["WindowExecutionId"], listed[1]["TaskExecutionId"]) == []
    assert timeline([execution]) == [
        (
            "TIMED_OUT",
            "One or more tasks did not finish before the maintenance window's cutoff.",
            at(2),
            at(4, 30),
        )
    ]


def test_cutoff_task_ready_exactly_at_the_cutoff_does_not_start(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)  # the first task ends at 04:00, the cutoff instant itself
    target_id = target(ssm, window_id, I1)
    run_command(ssm, window_id, target_id, priority=1)
    run_command(ssm, window_id, target_id, priority=2)
    mw.on_invocation(lambda inv: Outcome(duration=timedelta(hours=2)))
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    listed = tasks(ssm, execution["WindowExecutionId"])

    assert timeline(listed) == [
        ("SUCCESS", None, at(2), at(4)),
        ("TIMED_OUT", "The task did not start before the maintenance window's cutoff.", at(4), at(4)),
    ]
    assert invocations(ssm, execution["WindowExecutionId"], listed[1]["TaskExecutionId"]) == []
    assert (execution["Status"], execution["EndTime"]) == ("TIMED_OUT", at(4))


def test_cutoff_cancel_task_stopped_at_the_cutoff_lets_no_later_group_start(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1)
    run_command(ssm, window_id, target_id, priority=1, CutoffBehavior="CANCEL_TASK")
    run_command(ssm, window_id, target_id, priority=2)
    started: list[str] = []

    def five_hours(invocation: Invocation) -> Outcome:
        started.append(invocation.window_task_id)
        return Outcome(duration=timedelta(hours=5))

    mw.on_invocation(five_hours)
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    listed = tasks(ssm, execution["WindowExecutionId"])

    assert len(started) == 1  # only the first task's one invocation ever reached the hook
    assert timeline(listed) == [
        ("TIMED_OUT", "The task was stopped at the maintenance window's cutoff.", at(2), at(4)),
        ("TIMED_OUT", "The task did not start before the maintenance window's cutoff.", at(4), at(4)),
    ]
    assert invocations(ssm, execution["WindowExecutionId"], listed[1]["TaskExecutionId"]) == []
    assert (execution["Status"], execution["EndTime"]) == ("TIMED_OUT", at(4))


def test_cutoff_continue_task_keeps_starting_invocations(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, I1, I2, I3), CutoffBehavior="CONTINUE_TASK")
    mw.on_invocation(lambda inv: Outcome(duration=timedelta(hours=1, minutes=30)))
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    task = tasks(ssm, execution["WindowExecutionId"])[0]
    found = invocations(ssm, execution["WindowExecutionId"], task["TaskExecutionId"])

    assert [i["StartTime"] for i in found] == [at(2), at(3, 30), at(5)]
    assert (task["Status"], task["EndTime"], execution["Status"]) == ("SUCCESS", at(6, 30), "SUCCESS")


def test_cutoff_cancel_task_cancels_run_command_and_starts_nothing(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1, I2, I3)
    run_command(ssm, window_id, target_id, CutoffBehavior="CANCEL_TASK")
    mw.on_invocation(lambda inv: Outcome(duration=timedelta(hours=1, minutes=30)))
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    task = tasks(ssm, execution["WindowExecutionId"])[0]
    found = invocations(ssm, execution["WindowExecutionId"], task["TaskExecutionId"])

    assert [(instance_of(i), *timeline([i])[0]) for i in found] == [
        (I1, "SUCCESS", "Success", at(2), at(3, 30)),
        (I2, "CANCELLED", "Cancelled at the maintenance window's cutoff.", at(3, 30), at(4)),
    ]
    assert timeline([task]) == [
        ("TIMED_OUT", "The task was stopped at the maintenance window's cutoff.", at(2), at(4))
    ]
    assert (execution["Status"], execution["EndTime"]) == ("TIMED_OUT", at(4))


def test_cutoff_cancel_task_lets_a_lambda_finish(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="arn:aws:lambda:us-east-1:123456789012:function:notify",
        TaskType="LAMBDA",
        CutoffBehavior="CANCEL_TASK",
    )
    mw.on_invocation(lambda inv: Outcome(duration=timedelta(hours=3)))
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    task = tasks(ssm, execution["WindowExecutionId"])[0]
    found = invocations(ssm, execution["WindowExecutionId"], task["TaskExecutionId"])

    assert timeline(found) == [("SUCCESS", "Success", at(2), at(5))]
    assert timeline([task]) == [
        ("TIMED_OUT", "The task was stopped at the maintenance window's cutoff.", at(2), at(5))
    ]
    assert execution["Status"] == "TIMED_OUT"


# Cancel


def test_cancel_mid_run_lets_the_running_invocation_finish(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1, I2, I3)
    run_command(ssm, window_id, target_id, priority=1)
    run_command(ssm, window_id, target_id, priority=2)
    mw.on_invocation(lambda inv: Outcome(duration=timedelta(minutes=10)))
    mw.clock.set("2024-03-04T02:15:00Z")
    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    running = tasks(ssm, execution_id)
    assert timeline(running) == [("IN_PROGRESS", None, at(2), None), ("PENDING", None, None, None)]
    first_id = running[0]["TaskExecutionId"]
    assert timeline(
        invocations(ssm, execution_id, first_id, Filters=[{"Key": "STATUS", "Values": ["IN_PROGRESS"]}])
    ) == [("IN_PROGRESS", None, at(2, 10), None)]

    answer = ssm.cancel_maintenance_window_execution(WindowExecutionId=execution_id)

    assert answer["WindowExecutionId"] == execution_id
    assert ssm.get_maintenance_window_execution(WindowExecutionId=execution_id)["Status"] == "CANCELLING"
    mw.clock.set("2024-03-04T02:19:59Z")
    assert ssm.get_maintenance_window_execution(WindowExecutionId=execution_id)["Status"] == "CANCELLING"

    mw.clock.set("2024-03-04T03:00:00Z")

    got = ssm.get_maintenance_window_execution(WindowExecutionId=execution_id)
    assert timeline([got]) == [
        ("CANCELLED", "The maintenance window execution was cancelled.", at(2), at(2, 20))
    ]
    listed = tasks(ssm, execution_id)
    assert timeline(listed) == [
        ("CANCELLED", "The task was cancelled.", at(2), at(2, 20)),
        ("CANCELLED", "The task was cancelled before it started.", at(2, 15), at(2, 15)),
    ]
    assert [
        (instance_of(i), i["Status"], i["EndTime"]) for i in invocations(ssm, execution_id, first_id)
    ] == [
        (I1, "SUCCESS", at(2, 10)),
        (I2, "SUCCESS", at(2, 20)),
    ]
    assert invocations(ssm, execution_id, listed[1]["TaskExecutionId"]) == []


def test_cancel_from_the_hook_stops_tasks_of_the_same_priority_not_yet_started(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1, I2)
    run_command(ssm, window_id, target_id, priority=1)
    run_command(ssm, window_id, target_id, priority=1)
    cancelled: list[str] = []

    def hook(invocation: Invocation) -> Outcome:
        if not cancelled:
            cancelled.append(invocation.window_execution_id)
            ssm.cancel_maintenance_window_execution(WindowExecutionId=invocation.window_execution_id)
        return Outcome(duration=timedelta(minutes=10))

    mw.on_invocation(hook)
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    listed = tasks(ssm, execution["WindowExecutionId"])
    assert cancelled == [execution["WindowExecutionId"]]
    assert timeline([execution]) == [
        ("CANCELLED", "The maintenance window execution was cancelled.", at(2), at(2, 10))
    ]
    assert timeline(listed) == [
        ("CANCELLED", "The task was cancelled.", at(2), at(2, 10)),
        ("CANCELLED", "The task was cancelled before it started.", at(2), at(2)),
    ]
    assert [
        instance_of(i) for i in invocations(ssm, execution["WindowExecutionId"], listed[0]["TaskExecutionId"])
    ] == [I1]
    assert invocations(ssm, execution["WindowExecutionId"], listed[1]["TaskExecutionId"]) == []


def test_cancel_a_finished_execution_changes_nothing(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    mw.clock.advance(days=1)
    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]

    answer = ssm.cancel_maintenance_window_execution(WindowExecutionId=execution_id)

    assert answer["WindowExecutionId"] == execution_id
    assert timeline([only_execution(ssm, window_id)]) == [("SUCCESS", "No tasks to execute.", at(2), at(2))]


def test_cancel_unknown_execution_does_not_exist(ssm: Any) -> None:
    assert error(ssm.cancel_maintenance_window_execution, WindowExecutionId=MISSING) == (
        "DoesNotExistException",
        f"Maintenance window execution {MISSING} does not exist",
    )


# Overlap


def test_overlapping_run_is_skipped(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm, Schedule="cron(0 2,3,5 ? * MON *)")
    run_command(ssm, window_id, target(ssm, window_id, I1))
    mw.on_invocation(lambda inv: Outcome(duration=timedelta(minutes=90)))
    mw.clock.advance(days=1)

    found = executions(ssm, window_id)

    assert timeline(found) == [
        ("SUCCESS", None, at(5), at(6, 30)),
        (
            "SKIPPED_OVERLAPPING",
            "The previous execution of this maintenance window is still running.",
            at(3),
            at(3),
        ),
        ("SUCCESS", None, at(2), at(3, 30)),
    ]
    assert tasks(ssm, found[1]["WindowExecutionId"]) == []


# Outcomes from the hook


def test_outcome_sets_status_duration_and_details(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, I1, I2, I3), errors="3")
    outcomes = {
        I1: Outcome("FAILED", timedelta(minutes=3), "exit status 2"),
        I2: Outcome(duration=timedelta(seconds=42)),
        I3: Outcome("TIMED_OUT"),
    }
    mw.on_invocation(lambda inv: outcomes[inv.target_id or ""])
    mw.clock.advance(days=1)

    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task = tasks(ssm, execution_id)[0]

    assert timeline(invocations(ssm, execution_id, task["TaskExecutionId"])) == [
        ("FAILED", "exit status 2", at(2), at(2, 3)),
        ("SUCCESS", "Success", at(2, 3), at(2, 3, 42)),
        ("TIMED_OUT", "Timed out", at(2, 3, 42), at(2, 3, 47)),
    ]
    assert task["Status"] == "FAILED"


def test_outcome_status_string_and_timed_out_task(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, I1))
    mw.on_invocation(lambda inv: "TIMED_OUT")
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    task = tasks(ssm, execution["WindowExecutionId"])[0]
    detail = ssm.get_maintenance_window_execution_task(
        WindowExecutionId=execution["WindowExecutionId"], TaskId=task["TaskExecutionId"]
    )

    assert (detail["Status"], detail["StatusDetails"]) == ("TIMED_OUT", "One or more invocations timed out.")
    assert execution["Status"] == "TIMED_OUT"


def test_outcome_hook_raising_invocation_failed_fails_the_invocation_with_its_reason(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, I1, I2), errors="1")

    def hook(invocation: Invocation) -> None:
        if invocation.target_id == I2:
            raise InvocationFailed("disk full on /var")

    mw.on_invocation(hook)
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    task = tasks(ssm, execution["WindowExecutionId"])[0]
    found = invocations(ssm, execution["WindowExecutionId"], task["TaskExecutionId"])

    assert timeline(found) == [
        ("SUCCESS", "Success", at(2), at(2, 0, 5)),
        ("FAILED", "disk full on /var", at(2, 0, 5), at(2, 0, 10)),
    ]
    only_failed = invocations(
        ssm,
        execution["WindowExecutionId"],
        task["TaskExecutionId"],
        Filters=[{"Key": "STATUS", "Values": ["FAILED"]}],
    )
    assert [instance_of(i) for i in only_failed] == [I2]
    assert (execution["Status"], execution["StatusDetails"]) == (
        "FAILED",
        "One or more tasks in the orchestration failed.",
    )


def test_outcome_hook_exception_stops_the_move_and_reaches_the_caller(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    """Regression (#12.3): a bug in the hook used to become a FAILED invocation, hiding it."""
    window_id = window(ssm)
    task_id = run_command(ssm, window_id, target(ssm, window_id, I1, I2), errors="1")
    calls: list[str | None] = []

    def hook(invocation: Invocation) -> None:
        calls.append(invocation.target_id)
        if invocation.target_id == I2 and calls.count(I2) == 1:
            raise KeyError("no such host")

    mw.on_invocation(hook)
    with pytest.raises(HookError) as caught:
        mw.clock.advance(days=1)

    error = caught.value
    assert isinstance(error.__cause__, KeyError)
    execution = only_execution(ssm, window_id)
    assert str(error) == (
        f"on_invocation failed deciding the invocation of task {task_id} on {I2} (window {window_id}, "
        f"execution {execution['WindowExecutionId']}, at {at(2, 0, 5).isoformat()}): KeyError: 'no such host'"
    )
    assert (error.window_id, error.window_task_id, error.target_id) == (window_id, task_id, I2)
    # The move stopped at that invocation: the clock stands there, the invocation was never recorded.
    assert mw.clock.now() == at(2, 0, 5)
    task = tasks(ssm, execution["WindowExecutionId"])[0]
    assert task["Status"] == "IN_PROGRESS"
    assert [
        i["Status"] for i in invocations(ssm, execution["WindowExecutionId"], task["TaskExecutionId"])
    ] == ["SUCCESS"]
    # The next move starts it again (the hook is asked again) and carries on.
    mw.clock.advance(days=1)
    assert calls == [I1, I2, I2]
    found = invocations(ssm, execution["WindowExecutionId"], task["TaskExecutionId"])
    assert timeline(found) == [
        ("SUCCESS", "Success", at(2), at(2, 0, 5)),
        ("SUCCESS", "Success", at(2, 0, 5), at(2, 0, 10)),
    ]
    assert [e["Status"] for e in executions(ssm, window_id)] == ["SUCCESS"]  # weekly: one run


def test_outcome_hook_answer_that_is_not_an_outcome_stops_the_move(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, I1))
    mw.on_invocation(lambda inv: 42)  # type: ignore[arg-type,return-value]
    with pytest.raises(HookError) as caught:
        mw.clock.advance(days=1)

    assert isinstance(caught.value.__cause__, TypeError)
    assert str(caught.value.__cause__) == (
        "on_invocation returned 42; return None, a status (CANCELLED, FAILED, SUCCESS, TIMED_OUT) "
        "or an ssm_mw_mock.Outcome"
    )
    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task = tasks(ssm, execution_id)[0]
    assert invocations(ssm, execution_id, task["TaskExecutionId"]) == []


def test_outcome_rejects_a_status_that_is_not_an_invocation_result() -> None:
    with pytest.raises(ValueError) as info:
        Outcome("PENDING")

    assert str(info.value) == (
        "Outcome(status='PENDING') is not an invocation status; "
        "use one of CANCELLED, FAILED, SUCCESS, TIMED_OUT"
    )


def test_outcome_hook_removed_restores_success(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, I1))
    mw.on_invocation(fail_all)
    mw.on_invocation(None)
    mw.clock.advance(days=1)

    assert only_execution(ssm, window_id)["Status"] == "SUCCESS"
    assert timedelta(seconds=5) == DEFAULT_DURATION


# What an invocation sees and shows


def test_invocation_parameters_substitute_pseudo_parameters(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1)
    commands = [
        "echo {{WINDOW_ID}} {{WINDOW_TASK_ID}} {{WINDOW_TARGET_ID}}",
        "echo {{WINDOW_EXECUTION_ID}} {{TASK_EXECUTION_ID}} {{INVOCATION_ID}}",
        "echo {{TARGET_ID}} {{TARGET_TYPE}}",  # not offered to Run Command tasks: left as written
    ]
    task_id = run_command(ssm, window_id, target_id, commands=commands)
    seen: list[Invocation] = []
    mw.on_invocation(seen.append)
    mw.clock.advance(days=1)

    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task_execution_id = tasks(ssm, execution_id)[0]["TaskExecutionId"]
    listed = invocations(ssm, execution_id, task_execution_id)
    invocation_id = listed[0]["InvocationId"]
    expected = [
        f"echo {window_id} {task_id} {target_id}",
        f"echo {execution_id} {task_execution_id} {invocation_id}",
        "echo {{TARGET_ID}} {{TARGET_TYPE}}",
    ]

    assert len(seen) == 1
    invocation = seen[0]
    assert invocation.parameters == {"Parameters": {"commands": expected}}
    assert (
        invocation.invocation_id,
        invocation.execution_id,
        invocation.window_id,
        invocation.window_execution_id,
        invocation.task_execution_id,
        invocation.window_task_id,
        invocation.window_target_id,
        invocation.task_type,
        invocation.task_arn,
        invocation.target_id,
        invocation.target_type,
        invocation.start_time,
    ) == (
        invocation_id,
        listed[0]["ExecutionId"],
        window_id,
        execution_id,
        task_execution_id,
        task_id,
        target_id,
        "RUN_COMMAND",
        "AWS-RunShellScript",
        I1,
        "INSTANCE",
        at(2),
    )
    got = ssm.get_maintenance_window_execution_task_invocation(
        WindowExecutionId=execution_id, TaskId=task_execution_id, InvocationId=invocation_id
    )
    del got["ResponseMetadata"]
    assert got == {
        "WindowExecutionId": execution_id,
        "TaskExecutionId": task_execution_id,
        "InvocationId": invocation_id,
        "ExecutionId": listed[0]["ExecutionId"],
        "TaskType": "RUN_COMMAND",
        "Parameters": json.dumps(
            {
                "comment": "",
                "documentName": "AWS-RunShellScript",
                "instanceIds": [I1],
                "maxConcurrency": "1",
                "maxErrors": "1",
                "parameters": {"commands": expected},
                "timeoutSeconds": 600,
            },
            separators=(",", ":"),
        ),
        "Status": "SUCCESS",
        "StatusDetails": "Success",
        "StartTime": at(2),
        "EndTime": at(2, 0, 5),
        "WindowTargetId": target_id,
    }
    assert listed == [{k: v for k, v in got.items() if k != "OwnerInformation"}]


def test_invocation_parameters_show_comment_timeout_and_document_version(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        TaskArn="AWS-RunPatchBaseline",
        TaskType="RUN_COMMAND",
        MaxConcurrency="2",
        MaxErrors="0",
        TaskInvocationParameters={
            "RunCommand": {
                "Comment": "patch {{WINDOW_ID}}",
                "DocumentVersion": "$LATEST",
                "TimeoutSeconds": 3600,
                "Parameters": {"Operation": ["Install"]},
            }
        },
    )
    mw.clock.advance(days=1)

    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task_execution_id = tasks(ssm, execution_id)[0]["TaskExecutionId"]

    assert invocations(ssm, execution_id, task_execution_id)[0]["Parameters"] == (
        f'{{"comment":"patch {window_id}","documentName":"AWS-RunPatchBaseline","documentVersion":"$LATEST",'
        f'"instanceIds":["{I1}"],"maxConcurrency":"2","maxErrors":"0","parameters":{{"Operation":["Install"]}},'
        '"timeoutSeconds":3600}'
    )


def test_invocation_automation_with_targets_gets_target_id_and_type(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1, I2)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        TaskArn="AWS-RestartEC2Instance",
        TaskType="AUTOMATION",
        MaxConcurrency="2",
        MaxErrors="1",
        TaskInvocationParameters={
            "Automation": {"Parameters": {"InstanceId": ["{{TARGET_ID}}"], "Kind": ["{{TARGET_TYPE}}"]}}
        },
    )
    seen: list[dict[str, Any]] = []
    mw.on_invocation(lambda inv: seen.append(inv.parameters))
    mw.clock.advance(days=1)

    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task_execution_id = tasks(ssm, execution_id)[0]["TaskExecutionId"]

    assert seen == [
        {"Parameters": {"InstanceId": [I1], "Kind": ["INSTANCE"]}},
        {"Parameters": {"InstanceId": [I2], "Kind": ["INSTANCE"]}},
    ]
    assert [i["Parameters"] for i in invocations(ssm, execution_id, task_execution_id)] == [
        f'{{"Parameters":{{"InstanceId":["{I1}"],"Kind":["INSTANCE"]}}}}',
        f'{{"Parameters":{{"InstanceId":["{I2}"],"Kind":["INSTANCE"]}}}}',
    ]


def test_invocation_targetless_lambda_automation_and_step_functions_run_once(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    function = "arn:aws:lambda:us-east-1:123456789012:function:notify"
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:patch-report"
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn=function,
        TaskType="LAMBDA",
        Priority=1,
        TaskInvocationParameters={"Lambda": {"Payload": b'{"window": "{{WINDOW_ID}}"}', "Qualifier": "live"}},
    )
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-CreateSnapshot",
        TaskType="AUTOMATION",
        Priority=1,
        TaskInvocationParameters={"Automation": {"Parameters": {"Note": ["{{WINDOW_EXECUTION_ID}}"]}}},
    )
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn=machine,
        TaskType="STEP_FUNCTIONS",
        Priority=1,
        TaskInvocationParameters={
            "StepFunctions": {"Input": '{"task": "{{TASK_EXECUTION_ID}}"}', "Name": "run"}
        },
    )
    payloads: list[Any] = []
    mw.on_invocation(lambda inv: payloads.append(inv.parameters))
    mw.clock.advance(days=1)

    execution = only_execution(ssm, window_id)
    execution_id = execution["WindowExecutionId"]
    listed = tasks(ssm, execution_id)
    lambda_task, automation_task, machine_task = listed
    found = [invocations(ssm, execution_id, t["TaskExecutionId"]) for t in listed]

    assert [(t["TaskType"], t["TaskArn"], t["StartTime"]) for t in listed] == [
        ("LAMBDA", function, at(2)),
        ("AUTOMATION", "AWS-CreateSnapshot", at(2)),
        ("STEP_FUNCTIONS", machine, at(2)),
    ]
    assert [len(f) for f in found] == [1, 1, 1]
    assert all("WindowTargetId" not in f[0] for f in found)
    assert [f[0]["TaskType"] for f in found] == ["LAMBDA", "AUTOMATION", "STEP_FUNCTIONS"]
    assert (
        found[0][0]["Parameters"] == f'{{"Payload":"{{\\"window\\": \\"{window_id}\\"}}","Qualifier":"live"}}'
    )
    assert found[1][0]["Parameters"] == f'{{"Parameters":{{"Note":["{execution_id}"]}}}}'
    task_execution_id = machine_task["TaskExecutionId"]
    assert json.loads(found[2][0]["Parameters"]) == {
        "Input": f'{{"task": "{task_execution_id}"}}',
        "Name": "run",
    }
    assert found[2][0]["ExecutionId"] == "arn:aws:states:us-east-1:123456789012:execution:patch-report:run"
    assert payloads[0] == {"Payload": f'{{"window": "{window_id}"}}'.encode(), "Qualifier": "live"}
    got = ssm.get_maintenance_window_execution_task(
        WindowExecutionId=execution_id, TaskId=lambda_task["TaskExecutionId"]
    )
    del got["ResponseMetadata"]
    assert got == {
        "WindowExecutionId": execution_id,
        "TaskExecutionId": lambda_task["TaskExecutionId"],
        "TaskArn": function,
        "ServiceRole": SERVICE_LINKED_ROLE,
        "Type": "LAMBDA",
        "TaskParameters": [],
        "Priority": 1,
        "MaxConcurrency": "1",
        "MaxErrors": "1",
        "Status": "SUCCESS",
        "StartTime": at(2),
        "EndTime": at(2, 0, 5),
    }
    assert automation_task["Status"] == "SUCCESS"
    assert (execution["Status"], execution["EndTime"]) == ("SUCCESS", at(2, 0, 5))


def test_execution_task_shows_type_task_parameters_role_and_limits(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1, I2)
    run_command(ssm, window_id, target_id, priority=4, concurrency="50%", errors="25%", commands=["df -h"])
    mw.clock.advance(days=1)

    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task_execution_id = tasks(ssm, execution_id)[0]["TaskExecutionId"]
    got = ssm.get_maintenance_window_execution_task(WindowExecutionId=execution_id, TaskId=task_execution_id)
    del got["ResponseMetadata"]

    assert got == {
        "WindowExecutionId": execution_id,
        "TaskExecutionId": task_execution_id,
        "TaskArn": "AWS-RunShellScript",
        "ServiceRole": ROLE,
        "Type": "RUN_COMMAND",
        "TaskParameters": [{"aws:InstanceId": {"Values": [I1, I2]}, "commands": {"Values": ["df -h"]}}],
        "Priority": 4,
        "MaxConcurrency": "50%",
        "MaxErrors": "25%",
        "Status": "SUCCESS",
        "StartTime": at(2),
        "EndTime": at(2, 0, 10),  # 50% of 2 targets: one at a time,
    }


def test_tag_targets_resolve_through_the_inventory(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    mw.add_instance(I1, {"Patch Group": "web", "Env": "prod"})
    mw.add_instance(I2, {"Patch Group": "db", "Env": "prod"})
    mw.add_instance(I3, {"Patch Group": "web", "Env": "dev"})
    window_id = window(ssm)
    target_id = target(ssm, window_id, targets=[{"Key": "tag:Env", "Values": ["prod"]}])
    run_command(ssm, window_id, target_id)
    mw.clock.advance(days=1)
    mw.add_instance(I4, {"Env": "prod"})  # found by the next run
    mw.add_instance(I1, {"Env": "retired"})  # no longer a member
    mw.clock.advance(days=7)

    found = executions(ssm, window_id)
    members = []
    for execution in reversed(found):
        task = tasks(ssm, execution["WindowExecutionId"])[0]
        members.append(
            [
                instance_of(i)
                for i in invocations(ssm, execution["WindowExecutionId"], task["TaskExecutionId"])
            ]
        )

    assert members == [[I1, I2], [I2, I4]]


# Unknown ids


def test_unknown_execution_task_and_invocation_do_not_exist(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, I1))
    mw.clock.advance(days=1)
    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task_execution_id = tasks(ssm, execution_id)[0]["TaskExecutionId"]
    no_execution = ("DoesNotExistException", f"Maintenance window execution {MISSING} does not exist")
    no_task = ("DoesNotExistException", f"Maintenance window execution task {MISSING} does not exist")

    assert error(ssm.get_maintenance_window_execution, WindowExecutionId=MISSING) == no_execution
    assert error(ssm.describe_maintenance_window_execution_tasks, WindowExecutionId=MISSING) == no_execution
    assert error(ssm.get_maintenance_window_execution_task, WindowExecutionId=MISSING, TaskId=MISSING) == (
        no_execution
    )
    assert error(
        ssm.get_maintenance_window_execution_task, WindowExecutionId=execution_id, TaskId=MISSING
    ) == (no_task)
    assert (
        error(
            ssm.describe_maintenance_window_execution_task_invocations,
            WindowExecutionId=execution_id,
            TaskId=MISSING,
        )
        == no_task
    )
    assert error(
        ssm.get_maintenance_window_execution_task_invocation,
        WindowExecutionId=execution_id,
        TaskId=task_execution_id,
        InvocationId=MISSING,
    ) == ("DoesNotExistException", f"Maintenance window execution task invocation {MISSING} does not exist")


def test_unknown_status_filter_key_is_refused(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    mw.clock.advance(days=1)
    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]

    assert error(
        ssm.describe_maintenance_window_execution_tasks,
        WindowExecutionId=execution_id,
        Filters=[{"Key": "TaskType", "Values": ["LAMBDA"]}],
    ) == ("ValidationException", "The filter key TaskType is not supported; supported keys: STATUS")


# Pagination of tasks and invocations


def test_invocations_paginate_in_start_order(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    instances = [f"i-{n:017x}" for n in range(1, 24)]
    window_id = window(ssm)
    run_command(ssm, window_id, target(ssm, window_id, *instances), concurrency="100%")
    mw.clock.advance(days=1)
    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]
    task_execution_id = tasks(ssm, execution_id)[0]["TaskExecutionId"]

    paginator = ssm.get_paginator("describe_maintenance_window_execution_task_invocations")
    pages = list(
        paginator.paginate(
            WindowExecutionId=execution_id, TaskId=task_execution_id, PaginationConfig={"PageSize": 10}
        )
    )

    assert [len(p["WindowExecutionTaskInvocationIdentities"]) for p in pages] == [10, 10, 3]
    assert [instance_of(i) for p in pages for i in p["WindowExecutionTaskInvocationIdentities"]] == instances


def test_execution_tasks_paginate_in_start_order(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    target_id = target(ssm, window_id, I1)
    registered = [run_command(ssm, window_id, target_id, priority=n) for n in range(1, 13)]
    mw.clock.advance(days=1)
    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]

    paginator = ssm.get_paginator("describe_maintenance_window_execution_tasks")
    pages = list(paginator.paginate(WindowExecutionId=execution_id, PaginationConfig={"PageSize": 10}))

    assert [len(p["WindowExecutionTaskIdentities"]) for p in pages] == [10, 2]
    starts = [t["StartTime"] for p in pages for t in p["WindowExecutionTaskIdentities"]]
    assert starts == [at(2, 0, 5 * n) for n in range(12)]
    assert len(registered) == 12


# Deleting the window


def test_deleting_a_window_removes_its_history(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    other_id = window(ssm, Name="other-window")
    run_command(ssm, window_id, target(ssm, window_id, I1))
    mw.clock.advance(days=8)
    execution_id = executions(ssm, window_id)[0]["WindowExecutionId"]

    ssm.delete_maintenance_window(WindowId=window_id)

    assert error(ssm.get_maintenance_window_execution, WindowExecutionId=execution_id) == (
        "DoesNotExistException",
        f"Maintenance window execution {execution_id} does not exist",
    )
    assert len(executions(ssm, other_id)) == 2
    assert error(ssm.describe_maintenance_window_executions, WindowId=window_id)[0] == "DoesNotExistException"


def test_deleting_a_window_mid_run_stops_it(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = window(ssm)
    other_id = window(ssm, Name="other-window")
    run_command(ssm, window_id, target(ssm, window_id, I1, I2))
    mw.on_invocation(lambda inv: Outcome(duration=timedelta(minutes=30)))
    mw.clock.set("2024-03-04T02:10:00Z")
    execution_id = only_execution(ssm, window_id)["WindowExecutionId"]

    ssm.delete_maintenance_window(WindowId=window_id)
    mw.clock.advance(days=7)

    assert error(ssm.get_maintenance_window_execution, WindowExecutionId=execution_id)[0] == (
        "DoesNotExistException"
    )
    assert [e["StartTime"] for e in executions(ssm, other_id)] == [at(2, day=11), at(2)]
