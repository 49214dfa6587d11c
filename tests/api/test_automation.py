"""Automation's reads answer for the automation executions windows started, through a real boto3 client.

Each invocation of an AUTOMATION task is one automation execution whose id is the invocation's ExecutionId.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ssm_mw_mock import MaintenanceWindowsMock, Outcome
from tests.conftest import make_window, window_target

WEEKLY = "cron(0 2 ? * MON *)"
ROLE = "arn:aws:iam::123456789012:role/MaintenanceWindowRole"
I1, I2, I3 = (f"i-{n:017x}" for n in range(1, 4))
MISSING = "00000000-0000-4000-8000-000000000000"


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 3, 4, hour, minute, second, tzinfo=UTC)


def setup(
    ssm: Any, *instances: str, runbook: str = "AWS-RestartEC2Instance", version: str | None = None
) -> str:
    window_id = make_window(ssm, Schedule=WEEKLY)
    target_id = window_target(ssm, window_id, *instances)
    automation: dict[str, Any] = {"Parameters": {"InstanceId": ["{{TARGET_ID}}"], "Note": ["{{WINDOW_ID}}"]}}
    if version:
        automation["DocumentVersion"] = version
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn=runbook,
        TaskType="AUTOMATION",
        ServiceRoleArn=ROLE,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="1",
        MaxErrors="5",
        TaskInvocationParameters={"Automation": automation},
    )
    return window_id


def execution_ids(ssm: Any, window_id: str) -> dict[str, str]:
    """The window's automation execution ids by target, from the maintenance-window records."""
    found = {}
    for execution in ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]:
        execution_id = execution["WindowExecutionId"]
        tasks = ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution_id)
        for task in tasks["WindowExecutionTaskIdentities"]:
            listed = ssm.describe_maintenance_window_execution_task_invocations(
                WindowExecutionId=execution_id, TaskId=task["TaskExecutionId"]
            )["WindowExecutionTaskInvocationIdentities"]
            for invocation in listed:
                target = next(i for i in (I1, I2, I3) if i in invocation["Parameters"])
                found[target] = invocation["ExecutionId"]
    return found


def test_get_automation_execution_shows_the_run(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1, version="3")
    mw.on_invocation(
        lambda i: Outcome(duration=timedelta(minutes=2), automation_outputs={"State": ["running"]})
    )
    mw.clock.set(at(3))
    execution_id = execution_ids(ssm, window_id)[I1]
    answer = ssm.get_automation_execution(AutomationExecutionId=execution_id)
    assert answer["AutomationExecution"] == {
        "AutomationExecutionId": execution_id,
        "DocumentName": "AWS-RestartEC2Instance",
        "DocumentVersion": "3",
        "ExecutionStartTime": at(2),
        "ExecutionEndTime": at(2, 2),
        "AutomationExecutionStatus": "Success",
        "StepExecutions": [],
        "StepExecutionsTruncated": False,
        "Parameters": {"InstanceId": [I1], "Note": [window_id]},
        "Outputs": {"State": ["running"]},
        "Mode": "Auto",
        "ExecutedBy": ROLE,
    }


def test_describe_automation_executions_lists_metadata(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1, I2)
    mw.on_invocation(lambda i: Outcome("FAILED", output="instance not found") if i.target_id == I2 else None)
    mw.clock.set(at(3))
    ids = execution_ids(ssm, window_id)
    listed = ssm.describe_automation_executions()["AutomationExecutionMetadataList"]
    assert listed == [
        {
            "AutomationExecutionId": ids[I2],
            "DocumentName": "AWS-RestartEC2Instance",
            "DocumentVersion": "$DEFAULT",
            "AutomationExecutionStatus": "Failed",
            "ExecutionStartTime": at(2, 0, 5),
            "ExecutionEndTime": at(2, 0, 10),
            "ExecutedBy": ROLE,
            "LogFile": "",
            "FailureMessage": "instance not found",
            "Mode": "Auto",
            "AutomationType": "Local",
        },
        {
            "AutomationExecutionId": ids[I1],
            "DocumentName": "AWS-RestartEC2Instance",
            "DocumentVersion": "$DEFAULT",
            "AutomationExecutionStatus": "Success",
            "ExecutionStartTime": at(2),
            "ExecutionEndTime": at(2, 0, 5),
            "ExecutedBy": ROLE,
            "LogFile": "",
            "Mode": "Auto",
            "AutomationType": "Local",
        },
    ]


def test_a_running_execution_shows_no_outputs_yet(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1)
    mw.on_invocation(lambda i: Outcome(duration=timedelta(minutes=30), automation_outputs={"A": ["b"]}))
    mw.clock.set(at(2, 10))
    execution_id = execution_ids(ssm, window_id)[I1]
    running = ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
    assert running["AutomationExecutionStatus"] == "InProgress"
    assert "Outputs" not in running
    assert "ExecutionEndTime" not in running
    mw.clock.set(at(2, 30))
    ended = ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
    assert (ended["AutomationExecutionStatus"], ended["Outputs"]) == ("Success", {"A": ["b"]})


def test_filters_select_executions(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    restart = setup(ssm, I1, I2)
    stop = setup(ssm, I3, runbook="AWS-StopEC2Instance")
    mw.on_invocation(lambda i: "FAILED" if i.target_id == I2 else None)
    mw.clock.set(at(3))
    ids = execution_ids(ssm, restart) | execution_ids(ssm, stop)

    def listed(*filters: tuple[str, list[str]]) -> set[str]:
        params = {"Filters": [{"Key": k, "Values": v} for k, v in filters]} if filters else {}
        answer = ssm.describe_automation_executions(**params)["AutomationExecutionMetadataList"]
        return {m["AutomationExecutionId"] for m in answer}

    everything = set(ids.values())
    assert listed() == everything
    assert listed(("DocumentNamePrefix", ["AWS-Restart"])) == {ids[I1], ids[I2]}
    assert listed(("DocumentNamePrefix", ["AWS-Stop", "Nope"])) == {ids[I3]}
    assert listed(("ExecutionStatus", ["Failed"])) == {ids[I2]}
    assert listed(("ExecutionStatus", ["Success", "Failed"]), ("DocumentNamePrefix", ["AWS-Stop"])) == {
        ids[I3]
    }
    assert listed(("ExecutionId", [ids[I1], MISSING])) == {ids[I1]}
    assert listed(("StartTimeAfter", ["2024-03-04T02:00:00Z"])) == everything
    assert listed(("StartTimeBefore", ["2024-03-04T01:00:00Z"])) == set()
    assert listed(("AutomationType", ["Local"])) == everything
    assert listed(("AutomationType", ["CrossAccount"])) == set()
    assert listed(("TagKey", ["Owner"])) == set()


def test_executions_page_newest_first(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1, I2, I3)
    mw.clock.set(at(3))
    ids = execution_ids(ssm, window_id)
    first = ssm.describe_automation_executions(MaxResults=2)
    assert [m["AutomationExecutionId"] for m in first["AutomationExecutionMetadataList"]] == [
        ids[I3],
        ids[I2],
    ]
    rest = ssm.describe_automation_executions(MaxResults=2, NextToken=first["NextToken"])
    assert [m["AutomationExecutionId"] for m in rest["AutomationExecutionMetadataList"]] == [ids[I1]]
    assert "NextToken" not in rest


def test_unknown_and_bad_requests_get_ssms_errors(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    with pytest.raises(ssm.exceptions.AutomationExecutionNotFoundException) as excinfo:
        ssm.get_automation_execution(AutomationExecutionId=MISSING)
    assert excinfo.value.response["Error"]["Message"] == f"Automation execution {MISSING} does not exist."
    with pytest.raises(ClientError) as bad_time:
        ssm.describe_automation_executions(Filters=[{"Key": "StartTimeAfter", "Values": ["soon"]}])
    assert bad_time.value.response["Error"] == {
        "Code": "InvalidFilterValue",
        "Message": "The value soon of the filter StartTimeAfter is not a date and time in ISO 8601 format, "
        "such as 2024-03-04T00:00:00Z.",
    }
    with pytest.raises(ClientError) as bad_key:
        ssm.describe_automation_executions(Filters=[{"Key": "Colour", "Values": ["red"]}])
    assert bad_key.value.response["Error"]["Code"] == "ValidationException"


def test_a_run_commands_id_is_no_automation_execution(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = make_window(ssm, Schedule=WEEKLY, AllowUnassociatedTargets=True)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "InstanceIds", "Values": [I1]}],
        MaxConcurrency="1",
        MaxErrors="1",
    )
    mw.clock.set(at(3))
    [command] = ssm.list_commands()["Commands"]
    with pytest.raises(ssm.exceptions.AutomationExecutionNotFoundException):
        ssm.get_automation_execution(AutomationExecutionId=command["CommandId"])
    assert ssm.describe_automation_executions()["AutomationExecutionMetadataList"] == []
