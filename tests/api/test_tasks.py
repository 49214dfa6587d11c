"""Window tasks through a real boto3 client: register, get, update, describe, deregister and SSM's rules."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ssm_mw_mock import MaintenanceWindowsMock
from tests.conftest import make_window

INSTANCE = "i-0123456789abcdef0"
ROLE = "arn:aws:iam::111122223333:role/MaintenanceWindows"
SERVICE_LINKED_ROLE = (
    "arn:aws:iam::123456789012:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM"
)
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:SSMTestLambda"
STATE_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:SSMTestStateMachine"
MISSING = "00000000-0000-4000-8000-000000000000"
TARGETLESS_BOTH = (
    "Maintenance window tasks without targets do not support MaxErrors values. "
    "Maintenance window tasks without targets do not support MaxConcurrency values."
)
RUN_COMMAND_NEEDS_TARGETS = (
    "For Run Command tasks, you must specify at least one resource as the target of the task."
)
ONLY_OWN_TYPE = (
    "Task Invocation Parameters must contain an entry only for the Task Type specified in the Window Task."
)

RUN_COMMAND_PARAMETERS = {
    "RunCommand": {
        "Comment": "",
        "OutputS3BucketName": "runcommandlogs",
        "Parameters": {"commands": ["df -h"], "executionTimeout": ["3600"]},
        "TimeoutSeconds": 600,
        "DocumentVersion": "$LATEST",
        "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "mw-logs", "CloudWatchOutputEnabled": True},
        "NotificationConfig": {
            "NotificationArn": "arn:aws:sns:us-east-1:123456789012:mw",
            "NotificationEvents": ["Failed"],
            "NotificationType": "Command",
        },
    }
}


def error(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**params)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def answer(response: dict[str, Any]) -> dict[str, Any]:
    response.pop("ResponseMetadata", None)
    return response


@pytest.fixture
def window_id(ssm: Any) -> str:
    return make_window(ssm)


@pytest.fixture
def target_id(ssm: Any, window_id: str) -> str:
    target: str = ssm.register_target_with_maintenance_window(
        WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "InstanceIds", "Values": [INSTANCE]}]
    )["WindowTargetId"]
    return target


def run_command(ssm: Any, window_id: str, target_id: str, **extra: Any) -> str:
    params: dict[str, Any] = {
        "WindowId": window_id,
        "TaskArn": "AWS-RunShellScript",
        "TaskType": "RUN_COMMAND",
        "Targets": [{"Key": "WindowTargetIds", "Values": [target_id]}],
        "MaxConcurrency": "1",
        "MaxErrors": "1",
    }
    params.update(extra)
    task_id: str = ssm.register_task_with_maintenance_window(**params)["WindowTaskId"]
    return task_id


def automation(ssm: Any, window_id: str, **extra: Any) -> str:
    task_id: str = ssm.register_task_with_maintenance_window(
        WindowId=window_id, TaskArn="AWS-RestartEC2Instance", TaskType="AUTOMATION", **extra
    )["WindowTaskId"]
    return task_id


def get(ssm: Any, window_id: str, task_id: str) -> dict[str, Any]:
    return answer(ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id))


def tasks(ssm: Any, window_id: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ssm.describe_maintenance_window_tasks(WindowId=window_id, **params)["Tasks"]
    return items


# Register and get, each task type


def test_register_run_command_task_every_field(ssm: Any, window_id: str, target_id: str) -> None:
    task_id = run_command(
        ssm,
        window_id,
        target_id,
        ServiceRoleArn=ROLE,
        TaskInvocationParameters=RUN_COMMAND_PARAMETERS,
        Priority=10,
        MaxConcurrency="10%",
        MaxErrors="0",
        Name="patch-linux",
        Description="df everywhere",
        CutoffBehavior="CANCEL_TASK",
        AlarmConfiguration={"IgnorePollAlarmFailure": True, "Alarms": [{"Name": "cpu-high"}]},
        LoggingInfo={"S3BucketName": "mw-logs", "S3KeyPrefix": "out", "S3Region": "us-east-1"},
    )
    assert get(ssm, window_id, task_id) == {
        "WindowId": window_id,
        "WindowTaskId": task_id,
        "Targets": [{"Key": "WindowTargetIds", "Values": [target_id]}],
        "TaskArn": "AWS-RunShellScript",
        "ServiceRoleArn": ROLE,
        "TaskType": "RUN_COMMAND",
        "TaskParameters": {},
        "TaskInvocationParameters": RUN_COMMAND_PARAMETERS,
        "Priority": 10,
        "MaxConcurrency": "10%",
        "MaxErrors": "0",
        "LoggingInfo": {"S3BucketName": "mw-logs", "S3KeyPrefix": "out", "S3Region": "us-east-1"},
        "Name": "patch-linux",
        "Description": "df everywhere",
        "CutoffBehavior": "CANCEL_TASK",
        "AlarmConfiguration": {"IgnorePollAlarmFailure": True, "Alarms": [{"Name": "cpu-high"}]},
    }


def test_register_task_defaults(ssm: Any, window_id: str, target_id: str) -> None:
    task_id = run_command(ssm, window_id, target_id)
    assert get(ssm, window_id, task_id) == {
        "WindowId": window_id,
        "WindowTaskId": task_id,
        "Targets": [{"Key": "WindowTargetIds", "Values": [target_id]}],
        "TaskArn": "AWS-RunShellScript",
        "ServiceRoleArn": SERVICE_LINKED_ROLE,
        "TaskType": "RUN_COMMAND",
        "TaskParameters": {},
        "Priority": 1,
        "MaxConcurrency": "1",
        "MaxErrors": "1",
    }


def test_register_task_deprecated_task_parameters_round_trip(
    ssm: Any, window_id: str, target_id: str
) -> None:
    parameters = {"commands": {"Values": ["df"]}, "workingDirectory": {"Values": ["/tmp"]}}
    task_id = run_command(ssm, window_id, target_id, TaskParameters=parameters)
    assert get(ssm, window_id, task_id)["TaskParameters"] == parameters
    assert tasks(ssm, window_id)[0]["TaskParameters"] == parameters


def test_register_automation_task_with_targets(ssm: Any, window_id: str, target_id: str) -> None:
    parameters = {
        "Automation": {"DocumentVersion": "$LATEST", "Parameters": {"InstanceId": ["{{RESOURCE_ID}}"]}}
    }
    task_id = automation(
        ssm,
        window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        TaskInvocationParameters=parameters,
        MaxConcurrency="5",
        MaxErrors="2",
    )
    task = get(ssm, window_id, task_id)
    assert (task["TaskType"], task["TaskInvocationParameters"]) == ("AUTOMATION", parameters)
    assert (task["MaxConcurrency"], task["MaxErrors"]) == ("5", "2")


@pytest.mark.parametrize("payload", [b'{"InstanceId":"{{RESOURCE_ID}}"}', b"\x00\xff binary"])
def test_register_lambda_task_payload_round_trips_as_bytes(ssm: Any, window_id: str, payload: bytes) -> None:
    parameters = {"Lambda": {"Payload": payload, "Qualifier": "$LATEST", "ClientContext": "eyJhIjoxfQ=="}}
    task_id = ssm.register_task_with_maintenance_window(
        WindowId=window_id, TaskArn=LAMBDA_ARN, TaskType="LAMBDA", TaskInvocationParameters=parameters
    )["WindowTaskId"]
    task = get(ssm, window_id, task_id)
    assert task["TaskInvocationParameters"] == parameters
    assert (task["MaxConcurrency"], task["MaxErrors"]) == ("1", "1")
    assert "Targets" not in task


def test_register_lambda_task_payload_is_stored_as_bytes(
    mw: MaintenanceWindowsMock, ssm: Any, window_id: str
) -> None:
    task_id = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn=LAMBDA_ARN,
        TaskType="LAMBDA",
        TaskInvocationParameters={"Lambda": {"Payload": '{"a": 1}'}},
    )["WindowTaskId"]
    stored = mw.backend.state(mw.account_id, "us-east-1").windows[window_id].tasks[task_id]
    assert stored.task_invocation_parameters == {"Lambda": {"Payload": b'{"a": 1}'}}


def test_register_step_functions_task(ssm: Any, window_id: str, target_id: str) -> None:
    parameters = {"StepFunctions": {"Input": json.dumps({"InstanceId": "{{RESOURCE_ID}}"}), "Name": "run-1"}}
    task_id = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn=STATE_MACHINE,
        TaskType="STEP_FUNCTIONS",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        TaskInvocationParameters=parameters,
        MaxConcurrency="10",
        MaxErrors="5",
    )["WindowTaskId"]
    task = get(ssm, window_id, task_id)
    assert (task["TaskType"], task["TaskInvocationParameters"]) == ("STEP_FUNCTIONS", parameters)


def test_register_task_unknown_window(ssm: Any) -> None:
    assert error(
        ssm.register_task_with_maintenance_window,
        WindowId="mw-00000000000000000",
        TaskArn="AWS-RestartEC2Instance",
        TaskType="AUTOMATION",
    ) == ("DoesNotExistException", "Maintenance window mw-00000000000000000 does not exist")


def test_register_task_model_constraints_are_checked(ssm: Any, window_id: str) -> None:
    code, message = error(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskArn="AWS-RestartEC2Instance",
        TaskType="SHELL",
    )
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value 'SHELL' at 'taskType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [RUN_COMMAND, AUTOMATION, STEP_FUNCTIONS, LAMBDA]"
    )


# Targets of a task


@pytest.mark.parametrize("targets", [None, []])
def test_run_command_needs_targets(ssm: Any, window_id: str, targets: list[Any] | None) -> None:
    params: dict[str, Any] = {
        "WindowId": window_id,
        "TaskArn": "AWS-RunShellScript",
        "TaskType": "RUN_COMMAND",
    }
    if targets is not None:
        params["Targets"] = targets
    assert error(ssm.register_task_with_maintenance_window, **params) == (
        "ValidationException",
        RUN_COMMAND_NEEDS_TARGETS,
    )


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"MaxConcurrency": "2", "MaxErrors": "1"}, TARGETLESS_BOTH),
        ({"MaxErrors": "1"}, "Maintenance window tasks without targets do not support MaxErrors values."),
        (
            {"MaxConcurrency": "2"},
            "Maintenance window tasks without targets do not support MaxConcurrency values.",
        ),
    ],
)
def test_targetless_task_refuses_limits(
    ssm: Any, window_id: str, limits: dict[str, str], message: str
) -> None:
    assert error(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskArn="AWS-RestartEC2Instance",
        TaskType="AUTOMATION",
        **limits,
    ) == ("ValidationException", message)
    assert tasks(ssm, window_id) == []


@pytest.mark.parametrize(
    ("task_type", "arn"),
    [("AUTOMATION", "AWS-RestartEC2Instance"), ("LAMBDA", LAMBDA_ARN), ("STEP_FUNCTIONS", STATE_MACHINE)],
)
def test_targetless_task_reports_placeholder_limits(
    ssm: Any, window_id: str, task_type: str, arn: str
) -> None:
    task_id = ssm.register_task_with_maintenance_window(WindowId=window_id, TaskArn=arn, TaskType=task_type)[
        "WindowTaskId"
    ]
    task = get(ssm, window_id, task_id)
    assert (task["MaxConcurrency"], task["MaxErrors"]) == ("1", "1")
    [item] = tasks(ssm, window_id)
    assert (item["MaxConcurrency"], item["MaxErrors"], item["Type"]) == ("1", "1", task_type)


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (
            {},
            "Max Errors must be a number of at least 0, or a percentage between 0 and 100 "
            "Max Concurrency must be a number greater than 0, or a percentage between 1 and 100",
        ),
        (
            {"MaxErrors": "1"},
            "Max Concurrency must be a number greater than 0, or a percentage between 1 and 100",
        ),
        (
            {"MaxConcurrency": "1"},
            "Max Errors must be a number of at least 0, or a percentage between 0 and 100",
        ),
    ],
)
def test_task_with_targets_needs_limits(
    ssm: Any, window_id: str, target_id: str, limits: dict[str, str], message: str
) -> None:
    assert error(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        **limits,
    ) == ("ValidationException", message)


@pytest.mark.parametrize("key", ["tag:Env", "windowtargetids", "instanceids", "resource-groups:Name"])
def test_task_target_key_must_be_window_target_ids_or_instance_ids(
    ssm: Any, window_id: str, key: str
) -> None:
    assert error(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskArn="AWS-RestartEC2Instance",
        TaskType="AUTOMATION",
        Targets=[{"Key": key, "Values": ["x"]}],
        MaxConcurrency="1",
        MaxErrors="1",
    ) == (
        "ValidationException",
        f"{key} is an invalid window task target type, use WindowTargetIds or InstanceIds. For Run Command "
        "tasks, you must specify at least one resource as the target of the task. You can specify between 1 "
        "and 50 instance IDs, or between 1 and 10 maintenance window target IDs",
    )


def test_task_target_empty_values(ssm: Any, window_id: str) -> None:
    assert error(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": []}],
        MaxConcurrency="1",
        MaxErrors="1",
    ) == (
        "ValidationException",
        "Please specify at least one target.  Filter values can't be null and WindowTargetIds is.",
    )


def test_task_window_target_ids_at_most_10(ssm: Any, window_id: str) -> None:
    ids = [
        ssm.register_target_with_maintenance_window(
            WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "tag:n", "Values": [str(n)]}]
        )["WindowTargetId"]
        for n in range(11)
    ]
    run_command(ssm, window_id, ids[0], Targets=[{"Key": "WindowTargetIds", "Values": ids[:10]}])
    assert error(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": ids}],
        MaxConcurrency="1",
        MaxErrors="1",
    ) == ("ValidationException", "The maximum number of window targets is 10")


def test_task_window_target_must_exist_in_this_window(ssm: Any, window_id: str, target_id: str) -> None:
    other_window = make_window(ssm)
    for missing in (MISSING, target_id):
        assert error(
            ssm.register_task_with_maintenance_window,
            WindowId=other_window if missing == target_id else window_id,
            TaskArn="AWS-RunShellScript",
            TaskType="RUN_COMMAND",
            Targets=[{"Key": "WindowTargetIds", "Values": [missing]}],
            MaxConcurrency="1",
            MaxErrors="1",
        ) == ("DoesNotExistException", f"Maintenance window target {missing} does not exist")


def test_task_instance_ids_need_unassociated_targets(ssm: Any, window_id: str) -> None:
    params: dict[str, Any] = {
        "TaskArn": "AWS-RunShellScript",
        "TaskType": "RUN_COMMAND",
        "Targets": [{"Key": "InstanceIds", "Values": [INSTANCE]}],
        "MaxConcurrency": "1",
        "MaxErrors": "1",
    }
    assert error(ssm.register_task_with_maintenance_window, WindowId=window_id, **params) == (
        "ValidationException",
        f"The maintenance window {window_id} does not allow unassociated targets: register the instances as "
        "window targets and use WindowTargetIds, or set AllowUnassociatedTargets to true.",
    )
    open_window = make_window(ssm, AllowUnassociatedTargets=True)
    task_id = ssm.register_task_with_maintenance_window(WindowId=open_window, **params)["WindowTaskId"]
    assert get(ssm, open_window, task_id)["Targets"] == params["Targets"]


def test_task_instance_ids_at_most_50(ssm: Any) -> None:
    window_id = make_window(ssm, AllowUnassociatedTargets=True)
    ids = [f"i-{n:017x}" for n in range(51)]
    base: dict[str, Any] = {
        "WindowId": window_id,
        "TaskArn": "AWS-RunShellScript",
        "TaskType": "RUN_COMMAND",
        "MaxConcurrency": "1",
        "MaxErrors": "1",
    }
    ssm.register_task_with_maintenance_window(Targets=[{"Key": "InstanceIds", "Values": ids[:50]}], **base)
    two_lists = [{"Key": "InstanceIds", "Values": ids[:25]}, {"Key": "InstanceIds", "Values": ids[25:]}]
    assert error(ssm.register_task_with_maintenance_window, Targets=two_lists, **base) == (
        "ValidationException",
        "The maximum number of instance IDs is 50",
    )
    code, message = error(
        ssm.register_task_with_maintenance_window, Targets=[{"Key": "InstanceIds", "Values": ids}], **base
    )
    assert code == "ValidationException"
    assert message.endswith("Member must have length less than or equal to 50")


# Invocation parameters


@pytest.mark.parametrize(
    "parameters",
    [
        {"Automation": {"DocumentVersion": "1"}},
        {"Lambda": {"Qualifier": "1"}},
        {"StepFunctions": {"Name": "x"}},
        {"RunCommand": {"Comment": "ok"}, "Lambda": {"Qualifier": "1"}},
    ],
)
def test_invocation_parameters_only_for_the_task_type(
    ssm: Any, window_id: str, target_id: str, parameters: dict[str, Any]
) -> None:
    assert error(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        TaskInvocationParameters=parameters,
        MaxConcurrency="1",
        MaxErrors="1",
    ) == ("ValidationException", ONLY_OWN_TYPE)


# Quota and idempotency


def test_register_task_quota_is_20_per_window(ssm: Any, window_id: str) -> None:
    for _ in range(20):
        automation(ssm, window_id)
    assert error(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskArn="AWS-RestartEC2Instance",
        TaskType="AUTOMATION",
    ) == (
        "ResourceLimitExceededException",
        f"The maintenance window {window_id} already has 20 tasks, the most a window can have.",
    )
    assert len(tasks(ssm, window_id)) == 20
    automation(ssm, make_window(ssm))


def test_register_task_client_token_is_idempotent(ssm: Any, window_id: str) -> None:
    first = automation(ssm, window_id, ClientToken="abc")
    assert automation(ssm, window_id, ClientToken="abc") == first
    assert len(tasks(ssm, window_id)) == 1
    code, _ = error(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskArn="AWS-StopEC2Instance",
        TaskType="AUTOMATION",
        ClientToken="abc",
    )
    assert code == "IdempotentParameterMismatch"
    assert len(tasks(ssm, window_id)) == 1


def test_register_task_client_token_survives_later_deregistration_of_its_target(
    ssm: Any, window_id: str, target_id: str
) -> None:
    # Removing the target from the task afterwards must not change what the token remembers.
    first = run_command(ssm, window_id, target_id, ClientToken="tok")
    ssm.deregister_target_from_maintenance_window(WindowId=window_id, WindowTargetId=target_id)
    assert run_command(ssm, window_id, target_id, ClientToken="tok") == first


# Get and deregister


def test_get_task_unknown_ids(ssm: Any, window_id: str) -> None:
    assert error(ssm.get_maintenance_window_task, WindowId=window_id, WindowTaskId=MISSING) == (
        "DoesNotExistException",
        f"Maintenance window task {MISSING} does not exist",
    )
    assert error(ssm.get_maintenance_window_task, WindowId="mw-00000000000000000", WindowTaskId=MISSING) == (
        "DoesNotExistException",
        "Maintenance window mw-00000000000000000 does not exist",
    )


def test_task_of_another_window_does_not_exist_here(ssm: Any, window_id: str) -> None:
    task_id = automation(ssm, window_id)
    other = make_window(ssm)
    assert (
        error(ssm.get_maintenance_window_task, WindowId=other, WindowTaskId=task_id)[0]
        == "DoesNotExistException"
    )


def test_deregister_task(ssm: Any, window_id: str) -> None:
    task_id, kept = automation(ssm, window_id), automation(ssm, window_id)
    assert answer(ssm.deregister_task_from_maintenance_window(WindowId=window_id, WindowTaskId=task_id)) == {
        "WindowId": window_id,
        "WindowTaskId": task_id,
    }
    assert [t["WindowTaskId"] for t in tasks(ssm, window_id)] == [kept]
    assert error(ssm.deregister_task_from_maintenance_window, WindowId=window_id, WindowTaskId=task_id) == (
        "DoesNotExistException",
        f"Maintenance window task {task_id} does not exist",
    )


def test_deleting_the_window_deletes_its_tasks(ssm: Any, window_id: str) -> None:
    task_id = automation(ssm, window_id)
    ssm.delete_maintenance_window(WindowId=window_id)
    assert error(ssm.get_maintenance_window_task, WindowId=window_id, WindowTaskId=task_id)[0] == (
        "DoesNotExistException"
    )


# Update


def test_update_task_changes_only_what_is_sent(ssm: Any, window_id: str, target_id: str) -> None:
    task_id = run_command(
        ssm,
        window_id,
        target_id,
        Name="old",
        Description="kept",
        TaskInvocationParameters=RUN_COMMAND_PARAMETERS,
    )
    before = get(ssm, window_id, task_id)
    updated = answer(
        ssm.update_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id, Name="new", Priority=5)
    )
    expected = {**before, "Name": "new", "Priority": 5}
    assert get(ssm, window_id, task_id) == expected
    del expected["TaskType"]  # Update's answer has every field but the task type
    assert updated == expected


def test_update_task_replaces_invocation_parameters_whole(ssm: Any, window_id: str, target_id: str) -> None:
    task_id = run_command(ssm, window_id, target_id, TaskInvocationParameters=RUN_COMMAND_PARAMETERS)
    new = {"RunCommand": {"Parameters": {"commands": ["uptime"]}}}
    updated = ssm.update_maintenance_window_task(
        WindowId=window_id, WindowTaskId=task_id, TaskInvocationParameters=new
    )
    assert updated["TaskInvocationParameters"] == new
    assert get(ssm, window_id, task_id)["TaskInvocationParameters"] == new


def test_update_task_replace_nulls_unsent_optionals(ssm: Any, window_id: str, target_id: str) -> None:
    task_id = run_command(
        ssm,
        window_id,
        target_id,
        Name="gone",
        Description="gone",
        Priority=7,
        ServiceRoleArn=ROLE,
        CutoffBehavior="CANCEL_TASK",
        TaskInvocationParameters=RUN_COMMAND_PARAMETERS,
        TaskParameters={"commands": {"Values": ["df"]}},
    )
    targets = [{"Key": "WindowTargetIds", "Values": [target_id]}]
    ssm.update_maintenance_window_task(
        WindowId=window_id,
        WindowTaskId=task_id,
        TaskArn="AWS-RunPowerShellScript",
        Targets=targets,
        MaxConcurrency="2",
        MaxErrors="3",
        Replace=True,
    )
    assert get(ssm, window_id, task_id) == {
        "WindowId": window_id,
        "WindowTaskId": task_id,
        "Targets": targets,
        "TaskArn": "AWS-RunPowerShellScript",
        "ServiceRoleArn": SERVICE_LINKED_ROLE,
        "TaskType": "RUN_COMMAND",
        "TaskParameters": {},
        "Priority": 1,
        "MaxConcurrency": "2",
        "MaxErrors": "3",
    }


def test_update_task_replace_needs_task_arn(ssm: Any, window_id: str) -> None:
    task_id = automation(ssm, window_id, Name="kept")
    assert error(
        ssm.update_maintenance_window_task, WindowId=window_id, WindowTaskId=task_id, Replace=True
    ) == (
        "ValidationException",
        "Replace requires TaskArn, the required field of a window task.",
    )


def test_update_task_replace_of_run_command_without_targets(ssm: Any, window_id: str, target_id: str) -> None:
    task_id = run_command(ssm, window_id, target_id)
    assert error(
        ssm.update_maintenance_window_task,
        WindowId=window_id,
        WindowTaskId=task_id,
        TaskArn="AWS-RunShellScript",
        Replace=True,
    ) == ("ValidationException", RUN_COMMAND_NEEDS_TARGETS)


def test_update_task_rules_apply_to_the_result(ssm: Any, window_id: str, target_id: str) -> None:
    task_id = run_command(ssm, window_id, target_id)
    update = ssm.update_maintenance_window_task
    assert error(update, WindowId=window_id, WindowTaskId=task_id, Targets=[]) == (
        "ValidationException",
        RUN_COMMAND_NEEDS_TARGETS,
    )
    assert error(
        update,
        WindowId=window_id,
        WindowTaskId=task_id,
        TaskInvocationParameters={"Automation": {"DocumentVersion": "1"}},
    ) == ("ValidationException", ONLY_OWN_TYPE)
    assert error(
        update,
        WindowId=window_id,
        WindowTaskId=task_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [MISSING]}],
    ) == ("DoesNotExistException", f"Maintenance window target {MISSING} does not exist")


def test_update_targetless_task_refuses_limits(ssm: Any, window_id: str) -> None:
    task_id = automation(ssm, window_id)
    assert error(
        ssm.update_maintenance_window_task,
        WindowId=window_id,
        WindowTaskId=task_id,
        MaxErrors="2",
        MaxConcurrency="3",
    ) == ("ValidationException", TARGETLESS_BOTH)


def test_update_task_to_targetless_reports_placeholders(ssm: Any, window_id: str, target_id: str) -> None:
    task_id = automation(
        ssm,
        window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="5",
        MaxErrors="4",
    )
    updated = ssm.update_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id, Targets=[])
    assert (updated["Targets"], updated["MaxConcurrency"], updated["MaxErrors"]) == ([], "1", "1")
    # And back: the placeholders count as limits once the task has targets again.
    targets = [{"Key": "WindowTargetIds", "Values": [target_id]}]
    updated = ssm.update_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id, Targets=targets)
    assert (updated["Targets"], updated["MaxConcurrency"], updated["MaxErrors"]) == (targets, "1", "1")


def test_update_lambda_payload_round_trips(ssm: Any, window_id: str) -> None:
    task_id = ssm.register_task_with_maintenance_window(
        WindowId=window_id, TaskArn=LAMBDA_ARN, TaskType="LAMBDA"
    )["WindowTaskId"]
    updated = ssm.update_maintenance_window_task(
        WindowId=window_id, WindowTaskId=task_id, TaskInvocationParameters={"Lambda": {"Payload": b"{}"}}
    )
    assert updated["TaskInvocationParameters"] == {"Lambda": {"Payload": b"{}"}}
    assert get(ssm, window_id, task_id)["TaskInvocationParameters"] == {"Lambda": {"Payload": b"{}"}}


def test_update_task_unknown_ids(ssm: Any, window_id: str) -> None:
    assert error(
        ssm.update_maintenance_window_task, WindowId=window_id, WindowTaskId=MISSING, Priority=1
    ) == (
        "DoesNotExistException",
        f"Maintenance window task {MISSING} does not exist",
    )


# Describe: the listing's shape, filters and pagination


def test_describe_tasks_item_uses_type_and_lists_empty_task_parameters(
    ssm: Any, window_id: str, target_id: str
) -> None:
    task_id = run_command(
        ssm,
        window_id,
        target_id,
        Name="MyTask",
        Description="d",
        TaskInvocationParameters=RUN_COMMAND_PARAMETERS,
        CutoffBehavior="CONTINUE_TASK",
        LoggingInfo={"S3BucketName": "mw-logs", "S3Region": "us-east-1"},
    )
    assert tasks(ssm, window_id) == [
        {
            "WindowId": window_id,
            "WindowTaskId": task_id,
            "TaskArn": "AWS-RunShellScript",
            "Type": "RUN_COMMAND",
            "Targets": [{"Key": "WindowTargetIds", "Values": [target_id]}],
            "TaskParameters": {},
            "Priority": 1,
            "LoggingInfo": {"S3BucketName": "mw-logs", "S3Region": "us-east-1"},
            "ServiceRoleArn": SERVICE_LINKED_ROLE,
            "MaxConcurrency": "1",
            "MaxErrors": "1",
            "Name": "MyTask",
            "Description": "d",
            "CutoffBehavior": "CONTINUE_TASK",
        }
    ]


@pytest.fixture
def four_tasks(ssm: Any, window_id: str, target_id: str) -> list[str]:
    return [
        run_command(ssm, window_id, target_id, Priority=1),
        run_command(ssm, window_id, target_id, Priority=3, TaskArn="AWS-RunPowerShellScript"),
        automation(ssm, window_id, Priority=3),
        automation(ssm, window_id, Priority=1),
    ]


def task_ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["WindowTaskId"] for item in items]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"Key": "Priority", "Values": ["3"]}], [1, 2]),
        ([{"Key": "TaskType", "Values": ["AUTOMATION"]}], [2, 3]),
        ([{"Key": "TaskArn", "Values": ["AWS-RunPowerShellScript", "AWS-RestartEC2Instance"]}], [1, 2, 3]),
        ([{"Key": "Priority", "Values": ["1"]}, {"Key": "TaskType", "Values": ["RUN_COMMAND"]}], [0]),
        ([{"Key": "Priority", "Values": ["2"]}], []),
    ],
    ids=["priority", "type", "arn-any-value", "anded", "nothing"],
)
def test_describe_tasks_filters(
    ssm: Any, window_id: str, four_tasks: list[str], filters: list[dict[str, Any]], expected: list[int]
) -> None:
    assert task_ids(tasks(ssm, window_id, Filters=filters)) == [four_tasks[i] for i in expected]


def test_describe_tasks_filter_by_window_task_id(ssm: Any, window_id: str, four_tasks: list[str]) -> None:
    flt = [{"Key": "WindowTaskId", "Values": [four_tasks[2]]}]
    assert task_ids(tasks(ssm, window_id, Filters=flt)) == [four_tasks[2]]


def test_describe_tasks_unknown_filter_key(ssm: Any, window_id: str) -> None:
    assert error(
        ssm.describe_maintenance_window_tasks,
        WindowId=window_id,
        Filters=[{"Key": "Type", "Values": ["LAMBDA"]}],
    ) == (
        "ValidationException",
        "The filter key Type is not supported; supported keys: WindowTaskId, TaskArn, Priority, TaskType",
    )


def test_describe_tasks_pagination_and_paginator(ssm: Any, window_id: str) -> None:
    ids = [automation(ssm, window_id) for _ in range(20)]
    first = ssm.describe_maintenance_window_tasks(WindowId=window_id, MaxResults=10)
    assert task_ids(first["Tasks"]) == ids[:10]
    second = ssm.describe_maintenance_window_tasks(
        WindowId=window_id, MaxResults=10, NextToken=first["NextToken"]
    )
    assert task_ids(second["Tasks"]) == ids[10:]
    assert "NextToken" not in second
    pages = list(
        ssm.get_paginator("describe_maintenance_window_tasks").paginate(
            WindowId=window_id, PaginationConfig={"PageSize": 15}
        )
    )
    assert [len(page["Tasks"]) for page in pages] == [15, 5]
    # Deleting a task between pages neither skips nor repeats one.
    page = ssm.describe_maintenance_window_tasks(WindowId=window_id, MaxResults=10)
    ssm.deregister_task_from_maintenance_window(WindowId=window_id, WindowTaskId=ids[9])
    rest = ssm.describe_maintenance_window_tasks(
        WindowId=window_id, MaxResults=10, NextToken=page["NextToken"]
    )
    assert task_ids(rest["Tasks"]) == ids[10:]


def test_describe_tasks_unknown_window(ssm: Any) -> None:
    assert (
        error(ssm.describe_maintenance_window_tasks, WindowId="mw-00000000000000000")[0]
        == "DoesNotExistException"
    )


def test_lambda_payload_travels_base64_on_the_wire(mw: MaintenanceWindowsMock) -> None:
    # A raw awsJson1.1 request (as the HTTP front door sees it) carries the payload as base64 text.
    window = mw.backend.call(
        "CreateMaintenanceWindow",
        {
            "Name": "raw",
            "Schedule": "rate(1 day)",
            "Duration": 2,
            "Cutoff": 1,
            "AllowUnassociatedTargets": True,
        },
        "us-east-1",
    )["WindowId"]
    encoded = base64.b64encode(b"payload").decode()
    task_id = mw.backend.call(
        "RegisterTaskWithMaintenanceWindow",
        {
            "WindowId": window,
            "TaskArn": LAMBDA_ARN,
            "TaskType": "LAMBDA",
            "TaskInvocationParameters": {"Lambda": {"Payload": encoded}},
        },
        "us-east-1",
    )["WindowTaskId"]
    got = mw.backend.call(
        "GetMaintenanceWindowTask", {"WindowId": window, "WindowTaskId": task_id}, "us-east-1"
    )
    assert got["TaskInvocationParameters"] == {"Lambda": {"Payload": b"payload"}}
