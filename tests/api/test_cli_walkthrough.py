"""The configuration part of the maintenance-window walkthrough, through the AWS CLI in-process.

The AWS CLI parses shorthand syntax (``--targets Key=WindowTargetIds,Values=<id>``) and JSON arguments
itself and sends ordinary botocore requests, which the mock answers; outputs are read back as the CLI
prints them (JSON, blobs in base64).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from awscli.clidriver import create_clidriver

from ssm_mw_mock import MaintenanceWindowsMock

SERVICE_LINKED_ROLE = (
    "arn:aws:iam::123456789012:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM"
)
ROLE = "arn:aws:iam::123456789012:role/MaintenanceWindowsRole"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:SSMTestLambda"
STATE_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:SSMTestStateMachine"
PAYLOAD = '{"InstanceId":"{{RESOURCE_ID}}","targetType":"{{TARGET_TYPE}}"}'


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.driver = create_clidriver()

    def run(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        rc = self.driver.main(["ssm", *args, "--region", "us-east-1", "--output", "json"])
        out = self.capsys.readouterr()
        return rc, out.out, out.err

    def __call__(self, *args: str) -> Any:
        rc, out, err = self.run(*args)
        assert rc == 0, err
        return json.loads(out) if out.strip() else None


@pytest.fixture
def aws(mw: MaintenanceWindowsMock, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def test_walkthrough_configuration_through_the_cli(aws: Cli) -> None:
    window_id = aws(
        "create-maintenance-window",
        "--name", "My-First-Maintenance-Window",
        "--schedule", "rate(5 minutes)",
        "--duration", "2",
        "--cutoff", "1",
        "--allow-unassociated-targets",
    )["WindowId"]  # fmt: skip

    # Three kinds of targets.
    instances = aws(
        "register-target-with-maintenance-window",
        "--window-id", window_id,
        "--resource-type", "INSTANCE",
        "--targets", "Key=InstanceIds,Values=i-02573cafcfEXAMPLE,i-0471e04240EXAMPLE",
        "--owner-information", "Two instances in a list",
        "--name", "My-Instances",
    )["WindowTargetId"]  # fmt: skip
    tagged = aws(
        "register-target-with-maintenance-window",
        "--window-id", window_id,
        "--resource-type", "INSTANCE",
        "--targets", "Key=tag:Environment,Values=Prod", "Key=tag:Role,Values=Web,Db",
        "--owner-information", "Production Web Servers",
        "--description", "prod web and db",
    )["WindowTargetId"]  # fmt: skip
    group = aws(
        "register-target-with-maintenance-window",
        "--window-id", window_id,
        "--resource-type", "RESOURCE_GROUP",
        "--targets", "Key=resource-groups:Name,Values=MyResourceGroup",
    )["WindowTargetId"]  # fmt: skip

    # Tasks of all four types, shorthand and JSON arguments.
    run_command = aws(
        "register-task-with-maintenance-window",
        "--window-id", window_id,
        "--targets", f"Key=WindowTargetIds,Values={instances}",
        "--task-arn", "AWS-RunShellScript",
        "--service-role-arn", ROLE,
        "--task-type", "RUN_COMMAND",
        "--task-invocation-parameters",
        '{"RunCommand":{"Comment":"","Parameters":{"commands":["df"]},"TimeoutSeconds":600}}',
        "--max-concurrency", "1",
        "--max-errors", "1",
        "--priority", "10",
        "--name", "Disk-Free",
    )["WindowTaskId"]  # fmt: skip
    automation = aws(
        "register-task-with-maintenance-window",
        "--window-id", window_id,
        "--targets", f"Key=WindowTargetIds,Values={tagged},{group}",
        "--task-arn", "AWS-RestartEC2Instance",
        "--task-type", "AUTOMATION",
        "--task-invocation-parameters",
        '{"Automation":{"DocumentVersion":"$LATEST","Parameters":{"InstanceId":["{{RESOURCE_ID}}"]}}}',
        "--priority", "0",
        "--max-concurrency", "10",
        "--max-errors", "5",
        "--name", "AutomationExample",
        "--description", "Restarting EC2 Instance for maintenance",
    )["WindowTaskId"]  # fmt: skip
    lambda_task = aws(
        "register-task-with-maintenance-window",
        "--window-id", window_id,
        "--targets", "Key=InstanceIds,Values=i-0471e04240EXAMPLE",
        "--task-arn", LAMBDA_ARN,
        "--task-type", "LAMBDA",
        "--task-invocation-parameters", json.dumps({"Lambda": {"Payload": PAYLOAD, "Qualifier": "$LATEST"}}),
        "--priority", "0",
        "--max-concurrency", "10",
        "--max-errors", "5",
        "--name", "Lambda_Example",
    )["WindowTaskId"]  # fmt: skip
    step_functions = aws(
        "register-task-with-maintenance-window",
        "--window-id", window_id,
        "--task-arn", STATE_MACHINE,
        "--task-type", "STEP_FUNCTIONS",
        "--task-invocation-parameters", '{"StepFunctions":{"Input":"{\\"InstanceId\\":\\"none\\"}"}}',
        "--priority", "2",
        "--cutoff-behavior", "CANCEL_TASK",
    )["WindowTaskId"]  # fmt: skip

    # Targets, field by field.
    targets = aws("describe-maintenance-window-targets", "--window-id", window_id)["Targets"]
    assert targets == [
        {
            "WindowId": window_id,
            "WindowTargetId": instances,
            "ResourceType": "INSTANCE",
            "Targets": [{"Key": "InstanceIds", "Values": ["i-02573cafcfEXAMPLE", "i-0471e04240EXAMPLE"]}],
            "OwnerInformation": "Two instances in a list",
            "Name": "My-Instances",
        },
        {
            "WindowId": window_id,
            "WindowTargetId": tagged,
            "ResourceType": "INSTANCE",
            "Targets": [
                {"Key": "tag:Environment", "Values": ["Prod"]},
                {"Key": "tag:Role", "Values": ["Web", "Db"]},
            ],
            "OwnerInformation": "Production Web Servers",
            "Description": "prod web and db",
        },
        {
            "WindowId": window_id,
            "WindowTargetId": group,
            "ResourceType": "RESOURCE_GROUP",
            "Targets": [{"Key": "resource-groups:Name", "Values": ["MyResourceGroup"]}],
        },
    ]
    filtered = aws(
        "describe-maintenance-window-targets", "--window-id", window_id,
        "--filters", "Key=OwnerInformation,Values=Production Web Servers",
    )["Targets"]  # fmt: skip
    assert [t["WindowTargetId"] for t in filtered] == [tagged]

    # Tasks, field by field: the listing says Type and lists TaskParameters {}.
    tasks = aws("describe-maintenance-window-tasks", "--window-id", window_id)["Tasks"]
    common = {"WindowId": window_id, "TaskParameters": {}}
    assert tasks == [
        {
            **common,
            "WindowTaskId": run_command,
            "TaskArn": "AWS-RunShellScript",
            "Type": "RUN_COMMAND",
            "Targets": [{"Key": "WindowTargetIds", "Values": [instances]}],
            "Priority": 10,
            "ServiceRoleArn": ROLE,
            "MaxConcurrency": "1",
            "MaxErrors": "1",
            "Name": "Disk-Free",
        },
        {
            **common,
            "WindowTaskId": automation,
            "TaskArn": "AWS-RestartEC2Instance",
            "Type": "AUTOMATION",
            "Targets": [{"Key": "WindowTargetIds", "Values": [tagged, group]}],
            "Priority": 0,
            "ServiceRoleArn": SERVICE_LINKED_ROLE,
            "MaxConcurrency": "10",
            "MaxErrors": "5",
            "Name": "AutomationExample",
            "Description": "Restarting EC2 Instance for maintenance",
        },
        {
            **common,
            "WindowTaskId": lambda_task,
            "TaskArn": LAMBDA_ARN,
            "Type": "LAMBDA",
            "Targets": [{"Key": "InstanceIds", "Values": ["i-0471e04240EXAMPLE"]}],
            "Priority": 0,
            "ServiceRoleArn": SERVICE_LINKED_ROLE,
            "MaxConcurrency": "10",
            "MaxErrors": "5",
            "Name": "Lambda_Example",
        },
        {
            **common,
            "WindowTaskId": step_functions,
            "TaskArn": STATE_MACHINE,
            "Type": "STEP_FUNCTIONS",
            "Priority": 2,
            "ServiceRoleArn": SERVICE_LINKED_ROLE,
            "MaxConcurrency": "1",
            "MaxErrors": "1",
            "CutoffBehavior": "CANCEL_TASK",
        },
    ]
    by_filters = aws(
        "describe-maintenance-window-tasks", "--window-id", window_id,
        "--filters", "Key=Priority,Values=0", "Key=TaskType,Values=LAMBDA",
    )["Tasks"]  # fmt: skip
    assert [t["WindowTaskId"] for t in by_filters] == [lambda_task]

    # Get says TaskType and carries the invocation parameters; the CLI prints the payload in base64.
    got = aws("get-maintenance-window-task", "--window-id", window_id, "--window-task-id", lambda_task)
    assert got["TaskType"] == "LAMBDA"
    assert "Type" not in got
    assert got["TaskInvocationParameters"] == {
        "Lambda": {"Payload": base64.b64encode(PAYLOAD.encode()).decode(), "Qualifier": "$LATEST"}
    }
    got = aws("get-maintenance-window-task", "--window-id", window_id, "--window-task-id", run_command)
    assert got["TaskInvocationParameters"] == {
        "RunCommand": {"Comment": "", "Parameters": {"commands": ["df"]}, "TimeoutSeconds": 600}
    }

    # Updates.
    updated = aws(
        "update-maintenance-window-target", "--window-id", window_id, "--window-target-id", instances,
        "--name", "NewName", "--no-replace",
    )  # fmt: skip
    assert updated == {
        "WindowId": window_id,
        "WindowTargetId": instances,
        "Targets": [{"Key": "InstanceIds", "Values": ["i-02573cafcfEXAMPLE", "i-0471e04240EXAMPLE"]}],
        "OwnerInformation": "Two instances in a list",
        "Name": "NewName",
    }
    updated = aws(
        "update-maintenance-window-task", "--window-id", window_id, "--window-task-id", run_command,
        "--priority", "3",
        "--task-invocation-parameters", '{"RunCommand":{"Parameters":{"commands":["uptime"]}}}',
    )  # fmt: skip
    assert (updated["Priority"], updated["TaskInvocationParameters"]) == (
        3,
        {"RunCommand": {"Parameters": {"commands": ["uptime"]}}},
    )
    assert "TaskType" not in updated

    # A target still used by a task cannot be removed safely; the CLI reports SSM's error.
    rc, _, err = aws.run(
        "deregister-target-from-maintenance-window", "--window-id", window_id,
        "--window-target-id", instances, "--safe",
    )  # fmt: skip
    assert rc != 0
    assert "TargetInUseException" in err
    assert aws(
        "deregister-task-from-maintenance-window", "--window-id", window_id, "--window-task-id", run_command
    ) == {
        "WindowId": window_id,
        "WindowTaskId": run_command,
    }
    aws(
        "deregister-target-from-maintenance-window",
        "--window-id",
        window_id,
        "--window-target-id",
        instances,
        "--safe",
    )
    remaining = aws("describe-maintenance-window-targets", "--window-id", window_id)["Targets"]
    assert [t["WindowTargetId"] for t in remaining] == [tagged, group]


def test_cli_reports_ssm_rules(aws: Cli) -> None:
    window_id = aws(
        "create-maintenance-window", "--name", "rules", "--schedule", "cron(0 2 ? * SUN *)",
        "--duration", "3", "--cutoff", "1", "--no-allow-unassociated-targets",
    )["WindowId"]  # fmt: skip
    rc, _, err = aws.run(
        "register-task-with-maintenance-window", "--window-id", window_id,
        "--task-arn", "AWS-RunShellScript", "--task-type", "RUN_COMMAND",
    )  # fmt: skip
    assert rc != 0
    assert "ValidationException" in err
    assert "For Run Command tasks, you must specify at least one resource as the target of the task." in err
    rc, _, err = aws.run(
        "register-task-with-maintenance-window", "--window-id", window_id,
        "--task-arn", "AWS-RestartEC2Instance", "--task-type", "AUTOMATION",
        "--max-concurrency", "1", "--max-errors", "1",
    )  # fmt: skip
    assert rc != 0
    assert (
        "Maintenance window tasks without targets do not support MaxErrors values. "
        "Maintenance window tasks without targets do not support MaxConcurrency values."
    ) in err
