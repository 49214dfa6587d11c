"""A refused call changes nothing: every get/describe answer is identical before and after."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_window

INSTANCE = "i-0123456789abcdef0"
MISSING = "00000000-0000-4000-8000-000000000000"


def snapshot(ssm: Any, window_id: str) -> dict[str, Any]:
    """Everything the API tells about the window, its targets and its tasks."""

    def strip(response: dict[str, Any]) -> dict[str, Any]:
        response.pop("ResponseMetadata", None)
        return response

    tasks = ssm.describe_maintenance_window_tasks(WindowId=window_id, MaxResults=100)["Tasks"]
    return {
        "window": strip(ssm.get_maintenance_window(WindowId=window_id)),
        "targets": ssm.describe_maintenance_window_targets(WindowId=window_id, MaxResults=100)["Targets"],
        "tasks": tasks,
        "task details": [
            strip(ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=t["WindowTaskId"]))
            for t in tasks
        ],
    }


@pytest.fixture
def world(ssm: Any) -> dict[str, str]:
    window_id = make_window(ssm, AllowUnassociatedTargets=False)
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": [INSTANCE]}],
        Name="web",
        OwnerInformation="owner",
    )["WindowTargetId"]
    run_command = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="2",
        MaxErrors="1",
        Name="disk-free",
        TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": ["df"]}}},
    )["WindowTaskId"]
    targetless = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="arn:aws:lambda:us-east-1:123456789012:function:f",
        TaskType="LAMBDA",
        TaskInvocationParameters={"Lambda": {"Payload": b"{}"}},
    )["WindowTaskId"]
    return {"window": window_id, "target": target_id, "run_command": run_command, "targetless": targetless}


def failing_calls(w: dict[str, str]) -> list[tuple[str, dict[str, Any], str]]:
    """(method, params, expected error code) for calls that must be refused."""
    window, target, run_command, targetless = w["window"], w["target"], w["run_command"], w["targetless"]
    window_targets = [{"Key": "WindowTargetIds", "Values": [target]}]
    limits = {"MaxConcurrency": "1", "MaxErrors": "1"}
    return [
        (
            "register_target_with_maintenance_window",
            {"WindowId": window, "ResourceType": "INSTANCE", "Targets": [{"Key": "tag:Env", "Values": []}]},
            "ValidationException",
        ),
        (
            "register_target_with_maintenance_window",
            {
                "WindowId": window,
                "ResourceType": "INSTANCE",
                "Targets": [{"Key": "Env", "Values": ["x"]}],
                "ClientToken": "t1",
            },
            "ValidationException",
        ),
        (
            "update_maintenance_window_target",
            {
                "WindowId": window,
                "WindowTargetId": target,
                "Name": "renamed",
                "Targets": [{"Key": "resource-groups:Name", "Values": ["g"]}],
            },
            "ValidationException",
        ),
        (
            "update_maintenance_window_target",
            {"WindowId": window, "WindowTargetId": target, "Name": "renamed", "Replace": True},
            "ValidationException",
        ),
        (
            "update_maintenance_window_target",
            {"WindowId": window, "WindowTargetId": MISSING, "Name": "abc"},
            "DoesNotExistException",
        ),
        (
            "deregister_target_from_maintenance_window",
            {"WindowId": window, "WindowTargetId": target, "Safe": True},
            "TargetInUseException",
        ),
        (
            "deregister_target_from_maintenance_window",
            {"WindowId": window, "WindowTargetId": MISSING},
            "DoesNotExistException",
        ),
        (
            "register_task_with_maintenance_window",
            {
                "WindowId": window,
                "TaskArn": "AWS-RunShellScript",
                "TaskType": "RUN_COMMAND",
                "ClientToken": "t2",
            },
            "ValidationException",
        ),
        (
            "register_task_with_maintenance_window",
            {"WindowId": window, "TaskArn": "AWS-X", "TaskType": "AUTOMATION", "MaxErrors": "1"},
            "ValidationException",
        ),
        (
            "register_task_with_maintenance_window",
            {
                "WindowId": window,
                "TaskArn": "AWS-X",
                "TaskType": "AUTOMATION",
                "Targets": [{"Key": "InstanceIds", "Values": [INSTANCE]}],
                **limits,
            },
            "ValidationException",
        ),
        (
            "register_task_with_maintenance_window",
            {
                "WindowId": window,
                "TaskArn": "AWS-X",
                "TaskType": "AUTOMATION",
                "Targets": [{"Key": "WindowTargetIds", "Values": [MISSING]}],
                **limits,
            },
            "DoesNotExistException",
        ),
        (
            "register_task_with_maintenance_window",
            {
                "WindowId": window,
                "TaskArn": "AWS-X",
                "TaskType": "AUTOMATION",
                "Targets": window_targets,
                "TaskInvocationParameters": {"Lambda": {"Qualifier": "1"}},
                **limits,
            },
            "ValidationException",
        ),
        (
            "update_maintenance_window_task",
            {
                "WindowId": window,
                "WindowTaskId": run_command,
                "Name": "renamed",
                "Priority": 9,
                "Targets": [],
            },
            "ValidationException",
        ),
        (
            "update_maintenance_window_task",
            {
                "WindowId": window,
                "WindowTaskId": run_command,
                "Name": "renamed",
                "TaskInvocationParameters": {"StepFunctions": {"Name": "x"}},
            },
            "ValidationException",
        ),
        (
            "update_maintenance_window_task",
            {"WindowId": window, "WindowTaskId": run_command, "Name": "renamed", "MaxErrors": "lots"},
            "ValidationException",
        ),
        (
            "update_maintenance_window_task",
            {"WindowId": window, "WindowTaskId": run_command, "Name": "renamed", "Replace": True},
            "ValidationException",
        ),
        (
            "update_maintenance_window_task",
            {"WindowId": window, "WindowTaskId": targetless, "Name": "renamed", "MaxConcurrency": "3"},
            "ValidationException",
        ),
        (
            "update_maintenance_window_task",
            {
                "WindowId": window,
                "WindowTaskId": targetless,
                "Description": "new",
                "Targets": [{"Key": "tag:Env", "Values": ["prod"]}],
            },
            "ValidationException",
        ),
        (
            "update_maintenance_window_task",
            {"WindowId": window, "WindowTaskId": MISSING, "Priority": 2},
            "DoesNotExistException",
        ),
        (
            "deregister_task_from_maintenance_window",
            {"WindowId": window, "WindowTaskId": MISSING},
            "DoesNotExistException",
        ),
    ]


def test_every_refused_call_leaves_the_window_exactly_as_it_was(ssm: Any, world: dict[str, str]) -> None:
    before = snapshot(ssm, world["window"])
    for method, params, code in failing_calls(world):
        with pytest.raises(ClientError) as info:
            getattr(ssm, method)(**params)
        assert info.value.response["Error"]["Code"] == code, (method, params)
        assert snapshot(ssm, world["window"]) == before, (method, params)


def test_a_refused_call_does_not_use_up_its_client_token(ssm: Any, world: dict[str, str]) -> None:
    for method, params, _ in failing_calls(world):
        with pytest.raises(ClientError):
            getattr(ssm, method)(**params)
    # The tokens of the refused registrations are free for a different, valid request.
    ssm.register_target_with_maintenance_window(
        WindowId=world["window"],
        ResourceType="INSTANCE",
        Targets=[{"Key": "tag:Env", "Values": ["prod"]}],
        ClientToken="t1",
    )
    ssm.register_task_with_maintenance_window(
        WindowId=world["window"], TaskArn="AWS-X", TaskType="AUTOMATION", ClientToken="t2"
    )


def test_quota_refusals_change_nothing(ssm: Any) -> None:
    window_id = make_window(ssm)
    for _ in range(20):
        ssm.register_task_with_maintenance_window(WindowId=window_id, TaskArn="AWS-X", TaskType="AUTOMATION")
    before = snapshot(ssm, window_id)
    with pytest.raises(ClientError, match="ResourceLimitExceededException"):
        ssm.register_task_with_maintenance_window(WindowId=window_id, TaskArn="AWS-X", TaskType="AUTOMATION")
    assert snapshot(ssm, window_id) == before
