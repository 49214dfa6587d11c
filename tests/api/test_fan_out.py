"""How a task fans out to its targets, through a real boto3 client: window targets one after another,
the pseudo parameters each invocation gets, and the execution ids of Step Functions invocations.

NOW is Monday 2024-03-04T00:00Z; the window runs every Monday at 02:00 UTC for 3 hours, cutoff 1 hour.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ssm_mw_mock import Invocation, MaintenanceWindowsMock, Outcome
from tests.conftest import make_window, window_target

WEEKLY = "cron(0 2 ? * MON *)"
I1, I2, I3, I4, I5 = (f"i-{n:017x}" for n in range(1, 6))
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:patch-report"
UUID_LENGTH = 36


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 3, 4, hour, minute, second, tzinfo=UTC)


def run_command(ssm: Any, window_id: str, target_ids: list[str], concurrency: str, errors: str = "5") -> str:
    task_id: str = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": target_ids}],
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        MaxConcurrency=concurrency,
        MaxErrors=errors,
        TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": ["uptime"]}}},
    )["WindowTaskId"]
    return task_id


def invocations_of_the_run(ssm: Any, window_id: str) -> list[dict[str, Any]]:
    executions = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    assert len(executions) == 1
    execution_id = executions[0]["WindowExecutionId"]
    found: list[dict[str, Any]] = []
    for task in ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution_id)[
        "WindowExecutionTaskIdentities"
    ]:
        found += ssm.describe_maintenance_window_execution_task_invocations(
            WindowExecutionId=execution_id, TaskId=task["TaskExecutionId"]
        )["WindowExecutionTaskInvocationIdentities"]
    return found


def instance_of(invocation: dict[str, Any]) -> str:
    instance_ids: list[str] = json.loads(invocation["Parameters"])["instanceIds"]
    return instance_ids[0]


# Window targets run one after another.


@pytest.mark.parametrize("hooked", [False, True], ids=["no-hook", "hook"])
def test_fan_out_runs_window_targets_one_after_another_in_task_order(
    ssm: Any, mw: MaintenanceWindowsMock, hooked: bool
) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    first = window_target(ssm, window_id, I1, I2, I3)
    second = window_target(ssm, window_id, I4, I5)
    run_command(ssm, window_id, [second, first], concurrency="10")  # the task names `second` first
    calls: list[str | None] = []

    def one_minute(invocation: Invocation) -> Outcome:
        calls.append(invocation.target_id)
        return Outcome(duration=timedelta(minutes=1))

    if hooked:
        mw.on_invocation(one_minute)
    mw.clock.advance(days=1)

    found = invocations_of_the_run(ssm, window_id)
    step = timedelta(minutes=1) if hooked else timedelta(seconds=5)

    assert [(instance_of(i), i["WindowTargetId"], i["StartTime"]) for i in found] == [
        (I4, second, at(2)),
        (I5, second, at(2)),
        (I1, first, at(2) + step),
        (I2, first, at(2) + step),
        (I3, first, at(2) + step),
    ]
    assert calls == ([I4, I5, I1, I2, I3] if hooked else [])


def test_fan_out_next_window_target_waits_for_the_slowest_invocation(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    first = window_target(ssm, window_id, I1, I2)
    second = window_target(ssm, window_id, I3)
    run_command(ssm, window_id, [first, second], concurrency="2")
    minutes = {I1: 3, I2: 10, I3: 1}
    mw.on_invocation(lambda inv: Outcome(duration=timedelta(minutes=minutes[inv.target_id or ""])))
    mw.clock.advance(days=1)

    found = invocations_of_the_run(ssm, window_id)

    assert [(instance_of(i), i["StartTime"], i["EndTime"]) for i in found] == [
        (I1, at(2), at(2, 3)),
        (I2, at(2), at(2, 10)),
        (I3, at(2, 10), at(2, 11)),
    ]


def test_fan_out_max_concurrency_percentage_is_of_each_window_target(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    first = window_target(ssm, window_id, I1, I2, I3, I4)  # 50% of 4: two at a time
    second = window_target(ssm, window_id, I5)  # 50% of 1 rounds to 0: at least one
    run_command(ssm, window_id, [first, second], concurrency="50%")
    mw.clock.advance(days=1)

    found = invocations_of_the_run(ssm, window_id)

    assert [(instance_of(i), i["StartTime"]) for i in found] == [
        (I1, at(2)),
        (I2, at(2)),
        (I3, at(2, 0, 5)),
        (I4, at(2, 0, 5)),
        (I5, at(2, 0, 10)),
    ]


def test_fan_out_errors_count_across_window_targets(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    first = window_target(ssm, window_id, I1, I2)
    second = window_target(ssm, window_id, I3, I4)
    run_command(ssm, window_id, [first, second], concurrency="1", errors="2")
    asked: list[str | None] = []

    def fail_all(invocation: Invocation) -> str:
        asked.append(invocation.target_id)
        return "FAILED"

    mw.on_invocation(fail_all)
    mw.clock.advance(days=1)

    found = invocations_of_the_run(ssm, window_id)
    task = ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=found[0]["WindowExecutionId"])[
        "WindowExecutionTaskIdentities"
    ][0]

    # Two errors are allowed; the third (the first of `second`) exceeds MaxErrors, so I4 never starts.
    assert asked == [I1, I2, I3]
    assert [(instance_of(i), i["Status"]) for i in found] == [(I1, "FAILED"), (I2, "FAILED"), (I3, "FAILED")]
    assert (task["Status"], task["StatusDetails"]) == ("FAILED", "One or more invocations failed.")


def test_fan_out_instance_in_two_window_targets_runs_once_with_the_first(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    first = window_target(ssm, window_id, I1, I2)
    second = window_target(ssm, window_id, I2, I3)
    run_command(ssm, window_id, [first, second], concurrency="5")
    mw.clock.advance(days=1)

    found = invocations_of_the_run(ssm, window_id)

    assert [(instance_of(i), i["WindowTargetId"], i["StartTime"]) for i in found] == [
        (I1, first, at(2)),
        (I2, first, at(2)),
        (I3, second, at(2, 0, 5)),
    ]


# Pseudo parameters and execution ids of the other task types.


def test_pseudo_parameters_resource_group_target_id_is_the_resource_arn(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    mw.add_instance(I1)
    mw.add_instance(I2)
    mw.add_resource_group("web", [I1, I2])
    group_target = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="RESOURCE_GROUP",
        Targets=[{"Key": "resource-groups:Name", "Values": ["web"]}],
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [group_target]}],
        TaskArn="arn:aws:lambda:us-east-1:123456789012:function:SSMpatch",
        TaskType="LAMBDA",
        MaxConcurrency="2",
        MaxErrors="1",
        TaskInvocationParameters={
            "Lambda": {
                "Payload": b'{"id": "{{TARGET_ID}}", "short": "{{RESOURCE_ID}}", "type": "{{TARGET_TYPE}}"}'
            }
        },
    )
    payloads: list[Any] = []
    mw.on_invocation(lambda inv: payloads.append(json.loads(inv.parameters["Payload"])))
    mw.clock.advance(days=1)

    arn = "arn:aws:ec2:us-east-1:123456789012:instance/"
    assert payloads == [
        {"id": arn + I1, "short": I1, "type": "RESOURCE_GROUP"},
        {"id": arn + I2, "short": I2, "type": "RESOURCE_GROUP"},
    ]
    found = invocations_of_the_run(ssm, window_id)
    assert [json.loads(json.loads(i["Parameters"])["Payload"])["id"] for i in found] == [arn + I1, arn + I2]


def test_pseudo_parameters_instance_target_id_stays_the_instance_id(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    target_id = window_target(ssm, window_id, I1)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        TaskArn=MACHINE,
        TaskType="STEP_FUNCTIONS",
        MaxConcurrency="1",
        MaxErrors="1",
        TaskInvocationParameters={
            "StepFunctions": {"Input": '{"node": "{{TARGET_ID}}", "run": "{{INVOCATION_ID}}"}'}
        },
    )
    seen: list[Invocation] = []
    mw.on_invocation(seen.append)
    mw.clock.advance(days=1)

    assert len(seen) == 1
    assert json.loads(seen[0].parameters["Input"]) == {"node": I1, "run": seen[0].invocation_id}


def test_step_functions_execution_id_ends_in_the_given_name(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn=MACHINE,
        TaskType="STEP_FUNCTIONS",
        TaskInvocationParameters={"StepFunctions": {"Name": "nightly-report", "Input": "{}"}},
    )
    execution_ids: list[str] = []
    mw.on_invocation(lambda inv: execution_ids.append(inv.execution_id))
    mw.clock.advance(days=1)

    found = invocations_of_the_run(ssm, window_id)
    expected = "arn:aws:states:us-east-1:123456789012:execution:patch-report:nightly-report"
    assert [i["ExecutionId"] for i in found] == [expected]
    assert execution_ids == [expected]


def test_step_functions_execution_id_without_a_name_ends_in_a_fresh_id(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn=MACHINE,
        TaskType="STEP_FUNCTIONS",
        TaskInvocationParameters={"StepFunctions": {"Input": "{}"}},
    )
    mw.clock.advance(days=8)  # two runs: each execution gets its own name

    executions = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    ids = []
    for execution in executions:
        execution_id = execution["WindowExecutionId"]
        task = ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution_id)[
            "WindowExecutionTaskIdentities"
        ][0]
        ids += [
            i["ExecutionId"]
            for i in ssm.describe_maintenance_window_execution_task_invocations(
                WindowExecutionId=execution_id, TaskId=task["TaskExecutionId"]
            )["WindowExecutionTaskInvocationIdentities"]
        ]
    prefix = "arn:aws:states:us-east-1:123456789012:execution:patch-report:"
    assert len(ids) == 2
    assert all(i.startswith(prefix) and len(i) == len(prefix) + UUID_LENGTH for i in ids)
    assert ids[0] != ids[1]


def test_lambda_execution_id_is_a_request_id_and_payload_is_substituted(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="arn:aws:lambda:us-east-1:123456789012:function:SSMnotify",
        TaskType="LAMBDA",
        TaskInvocationParameters={"Lambda": {"Payload": b'{"execution": "{{WINDOW_EXECUTION_ID}}"}'}},
    )
    seen: list[Invocation] = []
    mw.on_invocation(seen.append)
    mw.clock.advance(days=1)

    found = invocations_of_the_run(ssm, window_id)
    assert len(seen) == 1 == len(found)
    assert seen[0].parameters == {"Payload": f'{{"execution": "{seen[0].window_execution_id}"}}'.encode()}
    assert found[0]["ExecutionId"] == seen[0].execution_id
    assert len(seen[0].execution_id) == UUID_LENGTH
    assert not seen[0].execution_id.startswith("arn:")
