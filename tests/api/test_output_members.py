"""Every output member of every served operation is produced, or listed in ``shapes.NOT_MODELLED``.

One scenario sets every optional member SSM stores (window, targets, tasks of all four types), runs the
window, and calls each served operation (listings with their smallest ``MaxResults``, so ``NextToken``
shows up). Then every structure reachable from each operation's output shape is walked: a member that
no answer carried is a member the mock drops, unless ``NOT_MODELLED`` says why it is never returned.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.model import ListShape, MapShape, Shape, StructureShape

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.api.operations import served_operations
from ssm_mw_mock.wire import shapes
from tests.conftest import make_window

INSTANCES = [f"i-0{n:016x}" for n in range(11)]
ROLE = "arn:aws:iam::123456789012:role/mw-role"
ALARMS = {"IgnorePollAlarmFailure": True, "Alarms": [{"Name": "cpu-high"}]}
FROZEN = {"IgnorePollAlarmFailure": True, "Alarms": [{"Name": "change-freeze"}]}  # the first task's
LOGGING = {"S3BucketName": "logs", "S3KeyPrefix": "mw/", "S3Region": "us-east-1"}
INVOCATION_PARAMETERS = {
    "RUN_COMMAND": {
        "RunCommand": {
            "Comment": "patch",
            "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "mw", "CloudWatchOutputEnabled": True},
            "DocumentHash": "a" * 64,
            "DocumentHashType": "Sha256",
            "DocumentVersion": "$LATEST",
            "NotificationConfig": {
                "NotificationArn": "arn:aws:sns:us-east-1:123456789012:mw",
                "NotificationEvents": ["All"],
                "NotificationType": "Command",
            },
            "OutputS3BucketName": "out",
            "OutputS3KeyPrefix": "run/",
            "Parameters": {"commands": ["echo {{TARGET_ID}}"]},
            "ServiceRoleArn": ROLE,
            "TimeoutSeconds": 600,
        }
    },
    "AUTOMATION": {"Automation": {"DocumentVersion": "1", "Parameters": {"InstanceId": ["{{TARGET_ID}}"]}}},
    "LAMBDA": {
        "Lambda": {"ClientContext": base64.b64encode(b"{}").decode(), "Qualifier": "1", "Payload": b"{}"}
    },
    "STEP_FUNCTIONS": {"StepFunctions": {"Input": "{}", "Name": "run"}},
}
ARNS = {
    "RUN_COMMAND": "AWS-RunShellScript",
    "AUTOMATION": "AWS-RestartEC2Instance",
    "LAMBDA": "arn:aws:lambda:us-east-1:123456789012:function:patch",
    "STEP_FUNCTIONS": "arn:aws:states:us-east-1:123456789012:stateMachine:patch",
}
TYPES = ["RUN_COMMAND"] * 8 + ["AUTOMATION", "LAMBDA", "STEP_FUNCTIONS"]


def _answers(mw: MaintenanceWindowsMock, ssm: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(operation, answer) for every served operation, on a scenario that sets every stored member."""
    for instance in INSTANCES:
        mw.add_instance(instance, tags={"Patch": "yes"})
    window_id = make_window(
        ssm,
        Name="everything",
        Description="all members",
        Schedule="cron(0 * ? * * *)",
        ScheduleTimezone="Europe/Berlin",
        ScheduleOffset=1,
        StartDate="2024-03-01T00:00:00Z",
        EndDate="2030-01-01T00:00:00Z",
        Tags=[{"Key": "team", "Value": "ops"}],
    )
    yield "CreateMaintenanceWindow", {"WindowId": window_id}
    others = [make_window(ssm, Name=f"other-{n}") for n in range(10)]
    targets = []
    for n in range(11):
        register = ssm.register_target_with_maintenance_window(
            WindowId=window_id,
            ResourceType="INSTANCE",
            Targets=[{"Key": "InstanceIds", "Values": INSTANCES}]
            if n == 0
            else [{"Key": "tag:Patch", "Values": ["yes"]}],
            OwnerInformation=f"owner-{n}",
            Name=f"target-{n}",
            Description="a target",
        )
        targets.append(register["WindowTargetId"])
    yield "RegisterTargetWithMaintenanceWindow", register
    ssm.register_target_with_maintenance_window(
        WindowId=others[0], ResourceType="INSTANCE", Targets=[{"Key": "InstanceIds", "Values": INSTANCES[:1]}]
    )
    tasks = []
    for n, task_type in enumerate(TYPES):
        register = ssm.register_task_with_maintenance_window(
            WindowId=window_id,
            Targets=[{"Key": "WindowTargetIds", "Values": [targets[0]]}],
            TaskArn=ARNS[task_type],
            ServiceRoleArn=ROLE,
            TaskType=task_type,
            TaskParameters={"commands": {"Values": ["echo deprecated"]}},
            TaskInvocationParameters=INVOCATION_PARAMETERS[task_type],
            Priority=n,
            MaxConcurrency="2",
            MaxErrors="1",
            LoggingInfo=LOGGING,
            Name=f"task-{n}",
            Description="a task",
            CutoffBehavior="CANCEL_TASK",
            AlarmConfiguration=FROZEN if n == 0 else ALARMS,
        )
        tasks.append(register["WindowTaskId"])
    yield "RegisterTaskWithMaintenanceWindow", register
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("GetMaintenanceWindow", lambda: ssm.get_maintenance_window(WindowId=window_id)),
        (
            "UpdateMaintenanceWindow",
            lambda: ssm.update_maintenance_window(WindowId=window_id, Description="still all members"),
        ),
        ("DescribeMaintenanceWindows", lambda: ssm.describe_maintenance_windows(MaxResults=10)),
        (
            "UpdateMaintenanceWindowTarget",
            lambda: ssm.update_maintenance_window_target(
                WindowId=window_id, WindowTargetId=targets[0], Description="changed"
            ),
        ),
        (
            "DescribeMaintenanceWindowTargets",
            lambda: ssm.describe_maintenance_window_targets(WindowId=window_id, MaxResults=10),
        ),
        (
            "DescribeMaintenanceWindowTasks",
            lambda: ssm.describe_maintenance_window_tasks(WindowId=window_id, MaxResults=10),
        ),
        (
            "DescribeMaintenanceWindowSchedule",
            lambda: ssm.describe_maintenance_window_schedule(WindowId=window_id, MaxResults=1),
        ),
        (
            "DescribeMaintenanceWindowsForTarget",
            lambda: ssm.describe_maintenance_windows_for_target(
                Targets=[{"Key": "InstanceIds", "Values": INSTANCES[:1]}],
                ResourceType="INSTANCE",
                MaxResults=1,
            ),
        ),
        (
            "ListTagsForResource",
            lambda: ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=window_id),
        ),
    ]
    for operation, call in calls:
        yield operation, call()
    for task_id in tasks:
        yield (
            "GetMaintenanceWindowTask",
            ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id),
        )
        yield (
            "UpdateMaintenanceWindowTask",
            ssm.update_maintenance_window_task(
                WindowId=window_id, WindowTaskId=task_id, Description="changed"
            ),
        )
    # A failure somewhere, so that StatusDetails (set for what did not simply succeed) shows up; and the
    # first task's alarm in ALARM, so that its TriggeredAlarms shows up.
    mw.on_invocation(lambda invocation: "FAILED" if invocation.target_id == INSTANCES[0] else None)
    mw.set_alarm("change-freeze", "ALARM")
    mw.clock.advance(days=1, hours=13)
    executions = ssm.describe_maintenance_window_executions(WindowId=window_id, MaxResults=10)
    yield "DescribeMaintenanceWindowExecutions", executions
    execution_id = executions["WindowExecutions"][-1]["WindowExecutionId"]
    yield (
        "GetMaintenanceWindowExecution",
        ssm.get_maintenance_window_execution(WindowExecutionId=execution_id),
    )
    listed = ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution_id, MaxResults=10)
    yield "DescribeMaintenanceWindowExecutionTasks", listed
    for task_execution_id in ssm.get_maintenance_window_execution(WindowExecutionId=execution_id)["TaskIds"]:
        yield (
            "GetMaintenanceWindowExecutionTask",
            ssm.get_maintenance_window_execution_task(
                WindowExecutionId=execution_id, TaskId=task_execution_id
            ),
        )
        invocations = ssm.describe_maintenance_window_execution_task_invocations(
            WindowExecutionId=execution_id, TaskId=task_execution_id, MaxResults=10
        )
        yield "DescribeMaintenanceWindowExecutionTaskInvocations", invocations
        for invocation in invocations["WindowExecutionTaskInvocationIdentities"]:
            yield (
                "GetMaintenanceWindowExecutionTaskInvocation",
                ssm.get_maintenance_window_execution_task_invocation(
                    WindowExecutionId=execution_id,
                    TaskId=task_execution_id,
                    InvocationId=invocation["InvocationId"],
                ),
            )
    yield (
        "CancelMaintenanceWindowExecution",
        ssm.cancel_maintenance_window_execution(WindowExecutionId=execution_id),
    )
    yield (
        "AddTagsToResource",
        ssm.add_tags_to_resource(
            ResourceType="MaintenanceWindow", ResourceId=window_id, Tags=[{"Key": "k", "Value": "v"}]
        ),
    )
    yield (
        "RemoveTagsFromResource",
        ssm.remove_tags_from_resource(ResourceType="MaintenanceWindow", ResourceId=window_id, TagKeys=["k"]),
    )
    yield (
        "DeregisterTaskFromMaintenanceWindow",
        ssm.deregister_task_from_maintenance_window(WindowId=window_id, WindowTaskId=tasks[-1]),
    )
    yield (
        "DeregisterTargetFromMaintenanceWindow",
        ssm.deregister_target_from_maintenance_window(WindowId=window_id, WindowTargetId=targets[-1]),
    )
    yield "DeleteMaintenanceWindow", ssm.delete_maintenance_window(WindowId=others[-1])


def _record(value: Any, shape: Shape, seen: dict[str, set[str]]) -> None:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        present = seen.setdefault(shape.name, set())
        for name, member in shape.members.items():
            if name in value:
                present.add(name)
                _record(value[name], member, seen)
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for item in value:
            _record(item, shape.member, seen)
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for item in value.values():
            _record(item, shape.value, seen)


def _expected(shape: Shape, owner: str, expected: dict[str, tuple[str, set[str]]]) -> None:
    """Every structure reachable from ``shape`` with the members it should carry (NOT_MODELLED aside)."""
    if isinstance(shape, StructureShape):
        if shape.name in expected:
            return
        members = expected[shape.name] = (owner, set())
        for name, member in shape.members.items():
            if name in shapes.NOT_MODELLED:
                continue
            members[1].add(name)
            _expected(member, owner, expected)
    elif isinstance(shape, ListShape):
        _expected(shape.member, owner, expected)
    elif isinstance(shape, MapShape):
        _expected(shape.value, owner, expected)


@pytest.fixture
def answers(mw: MaintenanceWindowsMock, ssm: Any) -> list[tuple[str, dict[str, Any]]]:
    return list(_answers(mw, ssm))


def test_every_served_operation_is_called(answers: list[tuple[str, dict[str, Any]]]) -> None:
    assert {operation for operation, _ in answers} == set(served_operations())


def test_every_output_member_is_produced_or_listed_as_not_modelled(
    answers: list[tuple[str, dict[str, Any]]],
) -> None:
    seen: dict[str, set[str]] = {}
    expected: dict[str, tuple[str, set[str]]] = {}
    for operation, answer in answers:
        output = shapes.operation(operation).output_shape
        assert output is not None
        _record(answer, output, seen)
        _expected(output, operation, expected)
    missing = {
        f"{owner}: {shape}.{name}"
        for shape, (owner, names) in expected.items()
        for name in names - seen.get(shape, set())
    }
    assert sorted(missing) == [], "\n".join(sorted(missing))


def test_not_modelled_members_exist_in_served_outputs_and_give_a_reason() -> None:
    everywhere: set[str] = set()
    expected: dict[str, tuple[str, set[str]]] = {}
    for operation in served_operations():
        output = shapes.operation(operation).output_shape
        assert output is not None
        _expected(output, operation, expected)
    for shape_name in expected:
        everywhere.update(shapes.ssm_model().shape_for(shape_name).members)
    for name, reason in shapes.NOT_MODELLED.items():
        assert name in everywhere, name
        assert len(reason) > 40, name


def test_not_modelled_members_are_never_returned(answers: list[tuple[str, dict[str, Any]]]) -> None:
    def names(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from names(item)
        elif isinstance(value, list):
            for item in value:
                yield from names(item)

    returned = {name for _, answer in answers for name in names(answer)}
    assert returned.isdisjoint(shapes.NOT_MODELLED)
