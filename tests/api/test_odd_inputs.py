"""Inputs boto3 accepts that once crashed the mock (HTTP 500): each now gets SSM's error code.

Regressions for issue #13: targets without ``Key``, a crafted schedule ``NextToken`` whose time has no
offset, and integers no Java ``int`` holds (which were refused with "failed to satisfy constraint: None").
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.api.targets import _FORMATS
from tests.conftest import make_window
from tests.invariants import make_client

INSTANCE = "i-0123456789abcdef0"
NO_KEY = [[{}], [{"Values": [INSTANCE]}]]
TASK_TARGET_TEXT = (
    "null is an invalid window task target type, use WindowTargetIds or InstanceIds. For Run Command tasks, "
    "you must specify at least one resource as the target of the task. You can specify between 1 and 50 "
    "instance IDs, or between 1 and 10 maintenance window target IDs"
)


def refusal(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture
def raw(mw: MaintenanceWindowsMock) -> Any:
    """A client that sends what it is given: no client-side parameter validation."""
    return make_client(validate=False)


@pytest.mark.parametrize("targets", NO_KEY)
def test_register_target_without_key_is_refused_in_ssm_words(ssm: Any, targets: list[Any]) -> None:
    window_id = make_window(ssm)
    assert refusal(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=targets,
    ) == ("ValidationException", _FORMATS)
    assert ssm.describe_maintenance_window_targets(WindowId=window_id)["Targets"] == []


@pytest.mark.parametrize("targets", NO_KEY)
def test_update_target_without_key_is_refused_and_changes_nothing(ssm: Any, targets: list[Any]) -> None:
    window_id = make_window(ssm)
    good = [{"Key": "InstanceIds", "Values": [INSTANCE]}]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id, ResourceType="INSTANCE", Targets=good
    )["WindowTargetId"]
    assert refusal(
        ssm.update_maintenance_window_target, WindowId=window_id, WindowTargetId=target_id, Targets=targets
    ) == ("ValidationException", _FORMATS)
    (stored,) = ssm.describe_maintenance_window_targets(WindowId=window_id)["Targets"]
    assert stored["Targets"] == good


@pytest.mark.parametrize("targets", NO_KEY)
def test_register_and_update_task_without_target_key_are_refused(ssm: Any, targets: list[Any]) -> None:
    window_id = make_window(ssm, AllowUnassociatedTargets=True)
    task = {"TaskArn": "AWS-RunShellScript", "MaxConcurrency": "1", "MaxErrors": "0"}
    assert refusal(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskType="RUN_COMMAND",
        Targets=targets,
        **task,
    ) == ("ValidationException", TASK_TARGET_TEXT)
    task_id = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "InstanceIds", "Values": [INSTANCE]}],
        **task,
    )["WindowTaskId"]
    assert refusal(
        ssm.update_maintenance_window_task, WindowId=window_id, WindowTaskId=task_id, Targets=targets
    ) == ("ValidationException", TASK_TARGET_TEXT)
    stored = ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id)
    assert stored["Targets"] == [{"Key": "InstanceIds", "Values": [INSTANCE]}]


@pytest.mark.parametrize("targets", NO_KEY)
def test_lookups_by_a_target_without_key_are_refused(ssm: Any, targets: list[Any]) -> None:
    make_window(ssm)
    expected = ("ValidationException", "Each of Targets needs a Key, such as InstanceIds or tag:<key>")
    assert (
        refusal(ssm.describe_maintenance_window_schedule, Targets=targets, ResourceType="INSTANCE")
        == expected
    )
    assert (
        refusal(ssm.describe_maintenance_windows_for_target, Targets=targets, ResourceType="INSTANCE")
        == expected
    )


@pytest.mark.parametrize(
    "text",
    [
        "schedule:2024-03-05T02:00:00:1",  # no offset
        "schedule:2024-03-05:1",  # a date only
        "schedule:0001-01-01T00:00:00+18:00:1",  # before the first instant in UTC
    ],
)
def test_schedule_token_with_a_crafted_time_is_an_invalid_token(ssm: Any, text: str) -> None:
    window_id = make_window(ssm)
    token = base64.urlsafe_b64encode(text.encode()).decode()
    assert refusal(ssm.describe_maintenance_window_schedule, WindowId=window_id, NextToken=token) == (
        "InvalidNextToken",
        "The specified token is not valid.",
    )


@pytest.mark.parametrize(
    ("operation", "member", "value", "bits"),
    [
        ("DescribeMaintenanceWindowSchedule", "MaxResults", 2**64, 32),
        ("DescribeMaintenanceWindowSchedule", "MaxResults", 2**31, 32),
        ("DescribeMaintenanceWindowsForTarget", "MaxResults", 2**63, 32),
    ],
)
def test_integer_beyond_java_int_is_a_serialization_error(
    ssm: Any, raw: Any, operation: str, member: str, value: int, bits: int
) -> None:
    window_id = make_window(ssm)
    params: dict[str, Any] = {member: value}
    if operation == "DescribeMaintenanceWindowSchedule":
        params["WindowId"] = window_id
    else:
        params |= {"Targets": [{"Key": "InstanceIds", "Values": [INSTANCE]}], "ResourceType": "INSTANCE"}
    code, message = refusal(raw._make_api_call, operation_name=operation, api_params=params)
    assert (code, message) == (
        "SerializationException",
        f"Expected an integer of at most {bits} bits, not {value} for '{member}'",
    )


def test_priority_beyond_java_int_is_refused_and_nothing_is_registered(ssm: Any) -> None:
    window_id = make_window(ssm, AllowUnassociatedTargets=True)
    code, message = refusal(
        ssm.register_task_with_maintenance_window,
        WindowId=window_id,
        TaskType="LAMBDA",
        TaskArn="arn:aws:lambda:us-east-1:123456789012:function:f",
        Priority=2**31,
    )
    assert code == "SerializationException"
    assert "constraint: None" not in message
    assert ssm.describe_maintenance_window_tasks(WindowId=window_id)["Tasks"] == []
