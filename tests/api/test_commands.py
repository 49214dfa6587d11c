"""Run Command's reads answer for the commands windows sent, through a real boto3 client.

NOW is Monday 2024-03-04T00:00Z; the windows here run every Monday at 02:00 UTC for 3 hours with a 1-hour
cutoff. Each invocation of a RUN_COMMAND task is one command to one node, whose CommandId is the
invocation's ExecutionId.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, WaiterError

from ssm_mw_mock import Invocation, MaintenanceWindowsMock, Outcome
from tests.conftest import make_window, window_target

WEEKLY = "cron(0 2 ? * MON *)"
I1, I2, I3, I4, I5 = (f"i-{n:017x}" for n in range(1, 6))
MISSING = "00000000-0000-4000-8000-000000000000"


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 4) -> datetime:
    return datetime(2024, 3, day, hour, minute, second, tzinfo=UTC)


def setup(
    ssm: Any,
    *instances: str,
    document: str = "AWS-RunShellScript",
    run: dict[str, Any] | None = None,
    concurrency: str = "1",
    errors: str = "5",
) -> str:
    """A weekly window with one RUN_COMMAND task on ``instances``; returns the window id."""
    window_id = make_window(ssm, Schedule=WEEKLY)
    target_id = window_target(ssm, window_id, *instances)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn=document,
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency=concurrency,
        MaxErrors=errors,
        TaskInvocationParameters={"RunCommand": run or {"Parameters": {"commands": ["uptime"]}}},
    )
    return window_id


def invocations(ssm: Any, window_id: str) -> list[dict[str, Any]]:
    """The window's invocations (all executions, all tasks), oldest first."""
    found = []
    executions = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    for execution in reversed(executions):
        execution_id = execution["WindowExecutionId"]
        tasks = ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution_id)
        for task in tasks["WindowExecutionTaskIdentities"]:
            found += ssm.describe_maintenance_window_execution_task_invocations(
                WindowExecutionId=execution_id, TaskId=task["TaskExecutionId"]
            )["WindowExecutionTaskInvocationIdentities"]
    return found


def strip(answer: dict[str, Any]) -> dict[str, Any]:
    answer.pop("ResponseMetadata", None)
    return answer


RUN = {
    "Comment": "patch {{WINDOW_EXECUTION_ID}}",
    "DocumentVersion": "2",
    "OutputS3BucketName": "patch-logs",
    "OutputS3KeyPrefix": "nightly/",
    "TimeoutSeconds": 900,
    "ServiceRoleArn": "arn:aws:iam::123456789012:role/notify",
    "NotificationConfig": {
        "NotificationArn": "arn:aws:sns:us-east-1:123456789012:patch",
        "NotificationEvents": ["Failed"],
        "NotificationType": "Invocation",
    },
    "Parameters": {"commands": ["echo {{WINDOW_EXECUTION_ID}} {{INVOCATION_ID}}"]},
}


def test_list_commands_shows_each_invocation_as_a_command(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1, run=RUN)
    mw.clock.set(at(3))
    [invocation] = invocations(ssm, window_id)
    [command] = ssm.list_commands()["Commands"]
    execution_id = invocation["WindowExecutionId"]
    assert command == {
        "CommandId": invocation["ExecutionId"],
        "DocumentName": "AWS-RunShellScript",
        "DocumentVersion": "2",
        "Comment": f"patch {execution_id}",
        "ExpiresAfter": at(2, 15),
        "Parameters": {"commands": [f"echo {execution_id} {invocation['InvocationId']}"]},
        "InstanceIds": [I1],
        "Targets": [],
        "RequestedDateTime": at(2),
        "Status": "Success",
        "StatusDetails": "Success",
        "OutputS3Region": "us-east-1",
        "OutputS3BucketName": "patch-logs",
        "OutputS3KeyPrefix": "nightly/",
        "MaxConcurrency": "1",
        "MaxErrors": "5",
        "TargetCount": 1,
        "CompletedCount": 1,
        "ErrorCount": 0,
        "DeliveryTimedOutCount": 0,
        "ServiceRole": "arn:aws:iam::123456789012:role/notify",
        "NotificationConfig": RUN["NotificationConfig"],
        "CloudWatchOutputConfig": {"CloudWatchOutputEnabled": False},
        "TimeoutSeconds": 900,
    }


def test_get_command_invocation_shows_the_outcome(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1, run=RUN)
    mw.on_invocation(
        lambda i: Outcome(
            duration=timedelta(seconds=90, milliseconds=250),
            standard_output="3 packages updated\n",
            standard_error="warning: mirror slow\n",
        )
    )
    mw.clock.set(at(3))
    [invocation] = invocations(ssm, window_id)
    answer = strip(ssm.get_command_invocation(CommandId=invocation["ExecutionId"], InstanceId=I1))
    assert answer == {
        "CommandId": invocation["ExecutionId"],
        "InstanceId": I1,
        "Comment": f"patch {invocation['WindowExecutionId']}",
        "DocumentName": "AWS-RunShellScript",
        "DocumentVersion": "2",
        "PluginName": "aws:runShellScript",
        "ResponseCode": 0,
        "ExecutionStartDateTime": "2024-03-04T02:00:00.000Z",
        "ExecutionElapsedTime": "PT90.250S",
        "ExecutionEndDateTime": "2024-03-04T02:01:30.250Z",
        "Status": "Success",
        "StatusDetails": "Success",
        "StandardOutputContent": "3 packages updated\n",
        "StandardOutputUrl": "",
        "StandardErrorContent": "warning: mirror slow\n",
        "StandardErrorUrl": "",
        "CloudWatchOutputConfig": {"CloudWatchOutputEnabled": False},
    }
    # The plugin named explicitly gives the same answer.
    named = ssm.get_command_invocation(
        CommandId=invocation["ExecutionId"], InstanceId=I1, PluginName="aws:runShellScript"
    )
    assert strip(named) == answer


@pytest.mark.parametrize(
    ("outcome", "status", "details", "code"),
    [
        (Outcome("FAILED", output="disk full"), "Failed", "Failed", 1),
        (Outcome("FAILED", response_code=28), "Failed", "Failed", 28),
        (Outcome("TIMED_OUT"), "TimedOut", "ExecutionTimedOut", -1),
        (Outcome("CANCELLED"), "Cancelled", "Cancelled", -1),
        (Outcome(response_code=3), "Success", "Success", 3),
    ],
)
def test_statuses_and_response_codes_are_run_commands(
    ssm: Any, mw: MaintenanceWindowsMock, outcome: Outcome, status: str, details: str, code: int
) -> None:
    window_id = setup(ssm, I1)
    mw.on_invocation(lambda i: outcome)
    mw.clock.set(at(3))
    [invocation] = invocations(ssm, window_id)
    command_id = invocation["ExecutionId"]
    answer = ssm.get_command_invocation(CommandId=command_id, InstanceId=I1)
    assert (answer["Status"], answer["StatusDetails"], answer["ResponseCode"]) == (status, details, code)
    [command] = ssm.list_commands(CommandId=command_id)["Commands"]
    assert (command["Status"], command["StatusDetails"]) == (status, details)
    assert command["ErrorCount"] == (1 if status in ("Failed", "TimedOut") else 0)
    [listed] = ssm.list_command_invocations(CommandId=command_id, Details=True)["CommandInvocations"]
    [plugin] = listed["CommandPlugins"]
    assert (plugin["Status"], plugin["StatusDetails"], plugin["ResponseCode"]) == (status, details, code)


def test_a_running_command_is_in_progress_on_the_clock(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1)
    mw.on_invocation(lambda i: Outcome(duration=timedelta(minutes=10), response_code=7))
    mw.clock.set(at(2, 4))
    [invocation] = invocations(ssm, window_id)
    command_id = invocation["ExecutionId"]
    answer = ssm.get_command_invocation(CommandId=command_id, InstanceId=I1)
    assert answer["Status"] == answer["StatusDetails"] == "InProgress"
    assert answer["ResponseCode"] == -1  # the hook's code shows once the command has ended
    assert (answer["ExecutionElapsedTime"], answer["ExecutionEndDateTime"]) == ("PT240.000S", "")
    [command] = ssm.list_commands()["Commands"]
    assert (command["Status"], command["CompletedCount"]) == ("InProgress", 0)
    mw.clock.set(at(2, 10))
    answer = ssm.get_command_invocation(CommandId=command_id, InstanceId=I1)
    assert (answer["Status"], answer["ResponseCode"]) == ("Success", 7)
    assert ssm.list_commands()["Commands"][0]["CompletedCount"] == 1


def test_list_command_invocations_details_adds_the_plugin(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1, run=RUN)
    mw.on_invocation(lambda i: Outcome(standard_output="x" * 3000))
    mw.clock.set(at(3))
    [invocation] = invocations(ssm, window_id)
    command_id = invocation["ExecutionId"]
    [plain] = ssm.list_command_invocations(CommandId=command_id)["CommandInvocations"]
    assert plain == {
        "CommandId": command_id,
        "InstanceId": I1,
        "InstanceName": "",
        "Comment": f"patch {invocation['WindowExecutionId']}",
        "DocumentName": "AWS-RunShellScript",
        "DocumentVersion": "2",
        "RequestedDateTime": at(2),
        "Status": "Success",
        "StatusDetails": "Success",
        "TraceOutput": "",
        "StandardOutputUrl": "",
        "StandardErrorUrl": "",
        "CommandPlugins": [],
        "ServiceRole": "arn:aws:iam::123456789012:role/notify",
        "NotificationConfig": RUN["NotificationConfig"],
        "CloudWatchOutputConfig": {"CloudWatchOutputEnabled": False},
    }
    [detailed] = ssm.list_command_invocations(CommandId=command_id, Details=True)["CommandInvocations"]
    assert detailed["CommandPlugins"] == [
        {
            "Name": "aws:runShellScript",
            "Status": "Success",
            "StatusDetails": "Success",
            "ResponseCode": 0,
            "ResponseStartDateTime": at(2),
            "ResponseFinishDateTime": at(2, 0, 5),
            "Output": "x" * 2500,  # a plugin's Output holds the first 2,500 characters
            "StandardOutputUrl": "",
            "StandardErrorUrl": "",
            "OutputS3Region": "us-east-1",
            "OutputS3BucketName": "patch-logs",
            "OutputS3KeyPrefix": "nightly/",
        }
    ]
    full = ssm.get_command_invocation(CommandId=command_id, InstanceId=I1)["StandardOutputContent"]
    assert full == "x" * 3000


def test_listings_are_newest_first_and_page(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1, I2, I3, I4, I5)
    mw.clock.set(at(3))
    ids = [i["ExecutionId"] for i in invocations(ssm, window_id)]
    assert len(ids) == 5
    pages = []
    answer = ssm.list_commands(MaxResults=2)
    pages.append([c["CommandId"] for c in answer["Commands"]])
    while "NextToken" in answer:
        answer = ssm.list_commands(MaxResults=2, NextToken=answer["NextToken"])
        pages.append([c["CommandId"] for c in answer["Commands"]])
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[:1]]
    listed = ssm.list_command_invocations(MaxResults=3)
    assert [i["CommandId"] for i in listed["CommandInvocations"]] == ids[4:1:-1]
    rest = ssm.list_command_invocations(MaxResults=3, NextToken=listed["NextToken"])
    assert [i["CommandId"] for i in rest["CommandInvocations"]] == ids[1::-1]
    assert "NextToken" not in rest
    # botocore's paginator walks the same pages.
    paged = ssm.get_paginator("list_commands").paginate(PaginationConfig={"PageSize": 2})
    assert [c["CommandId"] for page in paged for c in page["Commands"]] == ids[::-1]


def test_a_token_of_another_listing_is_refused(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    setup(ssm, I1, I2)
    mw.clock.set(at(3))
    token = ssm.list_commands(MaxResults=1)["NextToken"]
    with pytest.raises(ClientError) as excinfo:
        ssm.list_command_invocations(NextToken=token)
    assert excinfo.value.response["Error"] == {
        "Code": "InvalidNextToken",
        "Message": "The specified token is not valid.",
    }


def test_filters_select_commands(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1, I2, I3, concurrency="3")
    other = setup(ssm, I4, document="AWS-RunPowerShellScript")
    mw.on_invocation(
        lambda i: Outcome("FAILED") if i.target_id == I2 else Outcome(duration=timedelta(hours=2))
    )
    mw.clock.set(at(2, 30))
    mine = {i["ExecutionId"]: i for i in invocations(ssm, window_id)}
    [theirs] = [i["ExecutionId"] for i in invocations(ssm, other)]

    def listed(*filters: tuple[str, str], **extra: Any) -> set[str]:
        params = {"Filters": [{"key": k, "value": v} for k, v in filters], **extra} if filters else extra
        return {c["CommandId"] for c in ssm.list_commands(**params)["Commands"]}

    failed = {cid for cid, i in mine.items() if I2 in i["Parameters"]}
    running = set(mine) - failed
    assert listed(("Status", "Failed")) == failed
    assert listed(("Status", "InProgress")) == running | {theirs}
    assert listed(("ExecutionStage", "Complete")) == failed
    assert listed(("ExecutionStage", "Executing")) == running | {theirs}
    assert listed(("DocumentName", "AWS-RunPowerShellScript")) == {theirs}
    assert listed(("DocumentName", "AWS-RunShellScript"), ("Status", "Failed")) == failed
    assert listed(("InvokedAfter", "2024-03-04T02:00:00Z")) == set(mine) | {theirs}
    assert listed(("InvokedBefore", "2024-03-04T01:59:59Z")) == set()
    assert listed(InstanceId=I4) == {theirs}
    invoked = ssm.list_command_invocations(Filters=[{"key": "Status", "value": "Failed"}])
    assert {i["CommandId"] for i in invoked["CommandInvocations"]} == failed


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "InvokedAfter",
            "yesterday",
            "The value yesterday of the filter InvokedAfter is not a date and time in ISO 8601 format, "
            "such as 2024-03-04T00:00:00Z.",
        ),
        (
            "ExecutionStage",
            "Done",
            "The value Done of the filter ExecutionStage must be Executing or Complete.",
        ),
    ],
)
def test_a_bad_filter_value_is_refused(ssm: Any, key: str, value: str, message: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.list_commands(Filters=[{"key": key, "value": value}])
    assert excinfo.value.response["Error"] == {"Code": "InvalidFilterValue", "Message": message}


def test_unknown_ids_get_ssms_errors(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1)
    mw.clock.set(at(3))
    [invocation] = invocations(ssm, window_id)
    command_id = invocation["ExecutionId"]
    unknown = {"Code": "InvalidCommandId", "Message": f"The command {MISSING} does not exist."}
    calls: list[tuple[str, dict[str, str]]] = [
        ("get_command_invocation", {"CommandId": MISSING, "InstanceId": I1}),
        ("list_commands", {"CommandId": MISSING}),
        ("list_command_invocations", {"CommandId": MISSING}),
    ]
    for method, params in calls:
        with pytest.raises(ClientError) as excinfo:
            getattr(ssm, method)(**params)
        assert excinfo.value.response["Error"] == unknown
    with pytest.raises(ssm.exceptions.InvocationDoesNotExist) as not_there:
        ssm.get_command_invocation(CommandId=command_id, InstanceId=I2)
    assert not_there.value.response["Error"]["Message"] == (
        f"The command {command_id} has no invocation on the managed node {I2}."
    )
    with pytest.raises(ssm.exceptions.InvalidPluginName) as no_plugin:
        ssm.get_command_invocation(CommandId=command_id, InstanceId=I1, PluginName="aws:runPowerShellScript")
    assert no_plugin.value.response["Error"]["Message"] == (
        f"The command {command_id} ran no plugin named aws:runPowerShellScript; "
        "its plugin is aws:runShellScript."
    )
    # Another region has none of them.
    with pytest.raises(ClientError) as elsewhere:
        boto3.client("ssm", region_name="us-west-2").get_command_invocation(
            CommandId=command_id, InstanceId=I1
        )
    assert elsewhere.value.response["Error"]["Code"] == "InvalidCommandId"


def test_requests_are_validated_against_the_model(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.list_commands(MaxResults=51)
    assert excinfo.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 50",
    }


def test_other_run_command_calls_are_still_refused_without_moto(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[I1])
    assert excinfo.value.response["Error"]["Code"] == "NotMockedByMaintenanceWindowsMock"


def test_the_command_executed_waiter_returns_for_an_ended_command(
    ssm: Any, mw: MaintenanceWindowsMock
) -> None:
    window_id = setup(ssm, I1, I2, concurrency="2")
    mw.on_invocation(lambda i: "FAILED" if i.target_id == I2 else None)
    mw.clock.set(at(3))
    ids = {I1 if I1 in i["Parameters"] else I2: i["ExecutionId"] for i in invocations(ssm, window_id)}
    waiter = ssm.get_waiter("command_executed")
    started = time.monotonic()
    waiter.wait(CommandId=ids[I1], InstanceId=I1)
    with pytest.raises(WaiterError) as excinfo:
        waiter.wait(CommandId=ids[I2], InstanceId=I2)
    assert time.monotonic() - started < 2  # no poll slept: both commands had ended
    assert excinfo.value.last_response["Status"] == "Failed"


def test_the_waiter_sees_a_command_end_as_the_clock_moves(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1)
    mw.on_invocation(lambda i: Outcome(duration=timedelta(minutes=1)))
    mw.clock.set(at(2, 0, 30))
    [invocation] = invocations(ssm, window_id)
    polls = []

    def move(**kwargs: Any) -> None:
        polls.append(kwargs)
        mw.clock.advance(minutes=1)

    ssm.meta.events.register("before-call.ssm.GetCommandInvocation", move)
    ssm.get_waiter("command_executed").wait(
        CommandId=invocation["ExecutionId"], InstanceId=I1, WaiterConfig={"Delay": 0.01, "MaxAttempts": 5}
    )
    assert len(polls) == 1  # the first poll moved the clock past the end, and saw Success


def test_a_deleted_windows_commands_are_forgotten(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    kept = setup(ssm, I1)
    gone = setup(ssm, I2)
    mw.clock.set(at(3))
    [kept_id] = [i["ExecutionId"] for i in invocations(ssm, kept)]
    [gone_id] = [i["ExecutionId"] for i in invocations(ssm, gone)]
    assert {c["CommandId"] for c in ssm.list_commands()["Commands"]} == {kept_id, gone_id}  # index built
    ssm.delete_maintenance_window(WindowId=gone)
    assert [c["CommandId"] for c in ssm.list_commands()["Commands"]] == [kept_id]
    with pytest.raises(ClientError) as excinfo:
        ssm.get_command_invocation(CommandId=gone_id, InstanceId=I2)
    assert excinfo.value.response["Error"]["Code"] == "InvalidCommandId"
    mw.clock.set(at(3, day=11))  # the next week's run is indexed after the deletion too
    assert len(ssm.list_commands()["Commands"]) == 2


def test_outcome_extras_are_stored_only_when_given(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = setup(ssm, I1, I2, I3, concurrency="3")
    seen: list[Invocation] = []

    def hook(invocation: Invocation) -> Outcome | None:
        seen.append(invocation)
        return Outcome(standard_output="hi") if invocation.target_id == I2 else Outcome(output="plain")

    mw.on_invocation(hook)
    mw.clock.set(at(3))
    [task] = {invocation.task for invocation in seen}
    assert task.run_outputs is not None
    assert list(task.run_outputs) == [i.invocation_id for i in seen if i.target_id == I2]
    outputs = {
        i["InstanceId"]: ssm.get_command_invocation(CommandId=i["CommandId"], InstanceId=i["InstanceId"])[
            "StandardOutputContent"
        ]
        for i in ssm.list_command_invocations()["CommandInvocations"]
    }
    assert outputs == {I1: "", I2: "hi", I3: ""}
    assert len(invocations(ssm, window_id)) == 3


def test_without_a_hook_nothing_is_stored(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    setup(ssm, I1, I2)
    mw.clock.set(at(3))
    state = mw.backend.state("123456789012", "us-east-1")
    tasks = [task for execution in state.executions.values() for task in execution.tasks]
    assert [task.run_outputs for task in tasks] == [None]
    assert mw.backend.run_indexes == {}  # nothing is indexed before the first read
    assert len(ssm.list_commands()["Commands"]) == 2
    assert list(mw.backend.run_indexes) == [("123456789012", "us-east-1")]
    mw.reset()
    assert mw.backend.run_indexes == {}
