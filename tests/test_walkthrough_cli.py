"""The seed walkthrough through the AWS CLI, in-process: create → targets → task → wait → executions → delete.

The AWS CLI (v1) prints timestamps as the wire sends them: seconds since the epoch.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from awscli.clidriver import create_clidriver

from ssm_mw_mock import MaintenanceWindowsMock

WEB_1 = "i-02573cafcf0000001"
WEB_2 = "i-02573cafcf0000002"
TEST_BOX = "i-0471e04240000003"
TUESDAY_16 = datetime(2024, 3, 5, 16, tzinfo=UTC).timestamp()


@pytest.fixture
def aws(
    mw: MaintenanceWindowsMock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Any:
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_OUTPUT", raising=False)

    driver = create_clidriver()

    def run(*args: str) -> Any:
        capsys.readouterr()
        code = driver.main(["ssm", *args, "--region", "us-east-1", "--output", "json"])
        out, err = capsys.readouterr()
        assert (code, err) == (0, "")
        return json.loads(out) if out.strip() else None

    return run


def test_walkthrough_through_the_aws_cli(aws: Any, mw: MaintenanceWindowsMock) -> None:
    mw.add_instance(WEB_1, {"Environment": "Production", "Role": "web"})
    mw.add_instance(TEST_BOX, {"Environment": "Test"})
    mw.add_instance(WEB_2, {"Environment": "Production", "Role": "web"})

    window_id = aws(
        "create-maintenance-window",
        "--name",
        "My-First-Maintenance-Window",
        "--schedule",
        "cron(0 16 ? * TUE *)",
        "--duration",
        "4",
        "--cutoff",
        "1",
        "--no-allow-unassociated-targets",
    )["WindowId"]
    assert re.fullmatch(r"mw-0[0-9a-f]{16}", window_id)

    window = aws("get-maintenance-window", "--window-id", window_id)
    assert (window["NextExecutionTime"], window["Enabled"]) == ("2024-03-05T16:00Z", True)

    target_id = aws(
        "register-target-with-maintenance-window",
        "--window-id",
        window_id,
        "--resource-type",
        "INSTANCE",
        "--targets",
        "Key=tag:Environment,Values=Production",
        "--owner-information",
        "web servers",
        "--name",
        "Production",
    )["WindowTargetId"]

    task_id = aws(
        "register-task-with-maintenance-window",
        "--window-id",
        window_id,
        "--task-arn",
        "AWS-RunShellScript",
        "--task-type",
        "RUN_COMMAND",
        "--targets",
        f"Key=WindowTargetIds,Values={target_id}",
        "--max-concurrency",
        "1",
        "--max-errors",
        "1",
        "--priority",
        "10",
        "--service-role-arn",
        "arn:aws:iam::123456789012:role/MaintenanceWindowRole",
        "--task-invocation-parameters",
        json.dumps({"RunCommand": {"Parameters": {"commands": ["df"]}, "TimeoutSeconds": 600}}),
    )["WindowTaskId"]
    registered = aws("describe-maintenance-window-tasks", "--window-id", window_id)["Tasks"]
    assert [(t["WindowTaskId"], t["Type"], t["Priority"], t["Targets"]) for t in registered] == [
        (task_id, "RUN_COMMAND", 10, [{"Key": "WindowTargetIds", "Values": [target_id]}])
    ]

    mw.clock.advance(days=2)  # past Tuesday 16:00 UTC

    runs = aws("describe-maintenance-window-executions", "--window-id", window_id)["WindowExecutions"]
    assert len(runs) == 1
    execution_id = runs[0]["WindowExecutionId"]
    assert runs == [
        {
            "WindowId": window_id,
            "WindowExecutionId": execution_id,
            "Status": "SUCCESS",
            "StartTime": TUESDAY_16,
            "EndTime": TUESDAY_16 + 10,
        }
    ]
    assert aws("get-maintenance-window", "--window-id", window_id)["NextExecutionTime"] == "2024-03-12T16:00Z"

    task_runs = aws("describe-maintenance-window-execution-tasks", "--window-execution-id", execution_id)[
        "WindowExecutionTaskIdentities"
    ]
    assert len(task_runs) == 1
    task_execution_id = task_runs[0]["TaskExecutionId"]
    assert task_runs == [
        {
            "WindowExecutionId": execution_id,
            "TaskExecutionId": task_execution_id,
            "Status": "SUCCESS",
            "StartTime": TUESDAY_16,
            "EndTime": TUESDAY_16 + 10,
            "TaskArn": "AWS-RunShellScript",
            "TaskType": "RUN_COMMAND",
        }
    ]

    task_run = aws(
        "get-maintenance-window-execution-task",
        "--window-execution-id",
        execution_id,
        "--task-id",
        task_execution_id,
    )
    assert task_run == {
        "WindowExecutionId": execution_id,
        "TaskExecutionId": task_execution_id,
        "TaskArn": "AWS-RunShellScript",
        "ServiceRole": "arn:aws:iam::123456789012:role/MaintenanceWindowRole",
        "Type": "RUN_COMMAND",
        "TaskParameters": [{"aws:InstanceId": {"Values": [WEB_1, WEB_2]}, "commands": {"Values": ["df"]}}],
        "Priority": 10,
        "MaxConcurrency": "1",
        "MaxErrors": "1",
        "Status": "SUCCESS",
        "StartTime": TUESDAY_16,
        "EndTime": TUESDAY_16 + 10,
    }

    found = aws(
        "describe-maintenance-window-execution-task-invocations",
        "--window-execution-id",
        execution_id,
        "--task-id",
        task_execution_id,
    )["WindowExecutionTaskInvocationIdentities"]
    assert len(found) == 2
    for offset, (invocation, instance) in enumerate(zip(found, [WEB_1, WEB_2], strict=True)):
        assert invocation == {
            "WindowExecutionId": execution_id,
            "TaskExecutionId": task_execution_id,
            "InvocationId": invocation["InvocationId"],
            "ExecutionId": invocation["ExecutionId"],
            "TaskType": "RUN_COMMAND",
            "Parameters": (
                f'{{"comment":"","documentName":"AWS-RunShellScript","instanceIds":["{instance}"],'
                '"maxConcurrency":"1","maxErrors":"1","parameters":{"commands":["df"]},"timeoutSeconds":600}'
            ),
            "Status": "SUCCESS",
            "StatusDetails": "Success",
            "StartTime": TUESDAY_16 + 5 * offset,
            "EndTime": TUESDAY_16 + 5 * offset + 5,
            "OwnerInformation": "web servers",
            "WindowTargetId": target_id,
        }
    assert len({i["InvocationId"] for i in found} | {i["ExecutionId"] for i in found}) == 4

    one = aws(
        "get-maintenance-window-execution-task-invocation",
        "--window-execution-id",
        execution_id,
        "--task-id",
        task_execution_id,
        "--invocation-id",
        found[1]["InvocationId"],
    )
    assert one == found[1]

    assert aws("delete-maintenance-window", "--window-id", window_id) == {"WindowId": window_id}
    assert aws("describe-maintenance-windows")["WindowIdentities"] == []
