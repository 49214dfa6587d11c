"""EventBridge events: ``mw.events``, ``mw.on_event`` and moto's event bus.

Shapes are checked field by field against the user guide's *Amazon EventBridge event examples for Systems
Manager* (detail-type, source, resources, detail names). Counts are of events heard by a hook, events
read back, and messages that reached an SQS queue through an EventBridge rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from ssm_mw_mock import (
    EventHookError,
    HookError,
    MaintenanceWindowEvent,
    MaintenanceWindowsMock,
    Outcome,
)
from ssm_mw_mock.engine.notify import Notifier

from .conftest import NOW, make_window, window_target

ACCOUNT = "123456789012"
REGION = "us-east-1"
EXECUTION = "Maintenance Window Execution State-change Notification"
TASK = "Maintenance Window Task Execution State-change Notification"
INVOCATION = "Maintenance Window Task Target Invocation State-change Notification"
TARGET = "Maintenance Window Target Registration Notification"
WINDOW = "Maintenance Window State-change Notification"
I1, I2 = "i-0123456789abcdef0", "i-0123456789abcdef1"


def _arn(window_id: str) -> str:
    return f"arn:aws:ssm:{REGION}:{ACCOUNT}:maintenancewindow/{window_id}"


def _patch_window(
    ssm: Any, *, instances: tuple[str, ...] = (I1,), owner: str | None = "team-a", **task: Any
) -> tuple[str, str]:
    """A window at 02:00 daily with one target (``instances``) and one Run Command task on it."""
    window_id = make_window(ssm)
    extra = {"OwnerInformation": owner} if owner else {}
    target_id = window_target(ssm, window_id, *instances, **extra)
    params: dict[str, Any] = {
        "WindowId": window_id,
        "TaskArn": "AWS-RunShellScript",
        "TaskType": "RUN_COMMAND",
        "Targets": [{"Key": "WindowTargetIds", "Values": [target_id]}],
        "MaxConcurrency": "1",
        "MaxErrors": "0",
        "Priority": 1,
    }
    params.update(task)
    ssm.register_task_with_maintenance_window(**params)
    return window_id, target_id


def _second_target(ssm: Any, window_id: str, instance: str) -> str:
    target_id: str = ssm.register_target_with_maintenance_window(
        WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "InstanceIds", "Values": [instance]}]
    )["WindowTargetId"]
    return target_id


def _ids(ssm: Any, window_id: str) -> tuple[str, str]:
    """The window's only execution and its only task execution."""
    execution = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"][0]
    execution_id = execution["WindowExecutionId"]
    task = ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution_id)
    return execution_id, task["WindowExecutionTaskIdentities"][0]["TaskExecutionId"]


def _shape(event: MaintenanceWindowEvent) -> tuple[str, str]:
    return event.detail_type, event.status


# Shapes, field by field.


def test_target_registration_event_has_the_documented_shape(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id, target_id = _patch_window(ssm)
    (event,) = mw.events
    assert event.to_dict() == {
        "version": "0",
        "id": event.id,
        "detail-type": TARGET,
        "source": "aws.ssm",
        "account": ACCOUNT,
        "time": "2024-03-04T00:00:00Z",
        "region": REGION,
        "resources": [_arn(window_id), f"arn:aws:ssm:{REGION}:{ACCOUNT}:windowtarget/{target_id}"],
        "detail": {"window-target-id": target_id, "window-id": window_id, "status": "REGISTERED"},
    }
    assert list(event.to_dict()["detail"]) == ["window-target-id", "window-id", "status"]


def test_deregistering_a_target_sends_deregistered(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id, target_id = _patch_window(ssm)
    mw.clock.advance(minutes=1)
    ssm.deregister_target_from_maintenance_window(WindowId=window_id, WindowTargetId=target_id)
    assert [(e.detail["window-target-id"], e.status, e.to_dict()["time"]) for e in mw.events] == [
        (target_id, "REGISTERED", "2024-03-04T00:00:00Z"),
        (target_id, "DEREGISTERED", "2024-03-04T00:01:00Z"),
    ]


def test_window_state_change_events_follow_enabled(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id = make_window(ssm)
    ssm.update_maintenance_window(WindowId=window_id, Enabled=False)
    ssm.update_maintenance_window(WindowId=window_id, Enabled=False)  # no change: no event
    ssm.update_maintenance_window(WindowId=window_id, Name="renamed")  # not a state change
    ssm.update_maintenance_window(WindowId=window_id, Enabled=True)
    dicts = mw.events.to_dicts()
    assert [d["detail"] for d in dicts] == [
        {"window-id": window_id, "status": "DISABLED"},
        {"window-id": window_id, "status": "ENABLED"},
    ]
    assert {d["detail-type"] for d in dicts} == {WINDOW}
    assert all(d["resources"] == [_arn(window_id)] for d in dicts)


def test_a_run_sends_execution_task_and_invocation_events_with_documented_fields(
    mw: MaintenanceWindowsMock, ssm: Any
) -> None:
    window_id, target_id = _patch_window(ssm)
    mw.clock.set("2024-03-04T03:00:00Z")
    execution_id, task_id = _ids(ssm, window_id)
    events = [e.to_dict() for e in mw.events.where(window_id=window_id)][1:]  # after the registration
    start, end = "2024-03-04T02:00:00.000Z", "2024-03-04T02:00:05.000Z"
    common = {
        "version": "0",
        "source": "aws.ssm",
        "account": ACCOUNT,
        "region": REGION,
        "resources": [_arn(window_id)],
    }
    expected_details = [
        (
            EXECUTION,
            "2024-03-04T02:00:00Z",
            {
                "start-time": start,
                "window-id": window_id,
                "window-execution-id": execution_id,
                "status": "IN_PROGRESS",
            },
        ),
        (
            TASK,
            "2024-03-04T02:00:00Z",
            {
                "start-time": start,
                "task-execution-id": task_id,
                "window-id": window_id,
                "window-execution-id": execution_id,
                "status": "IN_PROGRESS",
            },
        ),
        (
            INVOCATION,
            "2024-03-04T02:00:00Z",
            {
                "start-time": start,
                "window-id": window_id,
                "window-execution-id": execution_id,
                "task-execution-id": task_id,
                "window-target-id": target_id,
                "status": "IN_PROGRESS",
                "owner-information": "team-a",
            },
        ),
        (
            INVOCATION,
            "2024-03-04T02:00:05Z",
            {
                "start-time": start,
                "end-time": end,
                "window-id": window_id,
                "window-execution-id": execution_id,
                "task-execution-id": task_id,
                "window-target-id": target_id,
                "status": "SUCCESS",
                "owner-information": "team-a",
            },
        ),
        (
            TASK,
            "2024-03-04T02:00:05Z",
            {
                "start-time": start,
                "end-time": end,
                "task-execution-id": task_id,
                "window-id": window_id,
                "window-execution-id": execution_id,
                "status": "SUCCESS",
            },
        ),
        (
            EXECUTION,
            "2024-03-04T02:00:05Z",
            {
                "start-time": start,
                "end-time": end,
                "window-id": window_id,
                "window-execution-id": execution_id,
                "status": "SUCCESS",
            },
        ),
    ]
    assert events == [
        {**common, "id": got["id"], "detail-type": kind, "time": time, "detail": detail}
        for got, (kind, time, detail) in zip(events, expected_details, strict=True)
    ]
    # Detail members in the documented order, and distinct ids.
    assert [list(d["detail"]) for d in events] == [list(detail) for _, _, detail in expected_details]
    assert len({d["id"] for d in events}) == len(events)


def test_an_invocation_without_owner_information_or_window_target_omits_them(
    mw: MaintenanceWindowsMock, ssm: Any
) -> None:
    window_id, _ = _patch_window(ssm, owner=None)
    targetless = make_window(ssm, Name="targetless", AllowUnassociatedTargets=True)
    ssm.register_task_with_maintenance_window(
        WindowId=targetless,
        TaskArn="arn:aws:lambda:us-east-1:123456789012:function:f",
        TaskType="LAMBDA",
        Priority=1,
    )
    mw.clock.set("2024-03-04T03:00:00Z")
    with_target = mw.events.where(window_id=window_id, detail_type=INVOCATION)
    without = mw.events.where(window_id=targetless, detail_type=INVOCATION)
    assert [sorted(e.detail) for e in with_target] == [
        ["start-time", "status", "task-execution-id", "window-execution-id", "window-id", "window-target-id"],
        [
            "end-time",
            "start-time",
            "status",
            "task-execution-id",
            "window-execution-id",
            "window-id",
            "window-target-id",
        ],
    ]
    assert [sorted(e.detail) for e in without] == [
        ["start-time", "status", "task-execution-id", "window-execution-id", "window-id"],
        ["end-time", "start-time", "status", "task-execution-id", "window-execution-id", "window-id"],
    ]


def test_a_window_without_tasks_sends_in_progress_and_success_at_once(
    mw: MaintenanceWindowsMock, ssm: Any
) -> None:
    window_id = make_window(ssm, AllowUnassociatedTargets=True)
    mw.clock.set("2024-03-06T00:00:00Z")
    events = mw.events
    assert [(_shape(e), e.time.isoformat()) for e in events] == [
        ((EXECUTION, "IN_PROGRESS"), "2024-03-04T02:00:00+00:00"),
        ((EXECUTION, "SUCCESS"), "2024-03-04T02:00:00+00:00"),
        ((EXECUTION, "IN_PROGRESS"), "2024-03-05T02:00:00+00:00"),
        ((EXECUTION, "SUCCESS"), "2024-03-05T02:00:00+00:00"),
    ]
    assert events[1].detail["end-time"] == "2024-03-04T02:00:00.000Z"
    assert {e.window_id for e in events} == {window_id}


def test_an_overlapping_run_sends_one_skipped_event(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id, _ = _patch_window(ssm, Priority=1)
    ssm.update_maintenance_window(WindowId=window_id, Schedule="rate(1 hour)")
    mw.on_invocation(lambda invocation: Outcome(duration=timedelta(minutes=90)))
    mw.clock.advance(hours=2, minutes=31)  # runs at 01:00 (until 02:30) and 02:00
    executions = mw.events.where(detail_type=EXECUTION)
    assert [e.status for e in executions] == ["IN_PROGRESS", "SKIPPED_OVERLAPPING", "SUCCESS"]
    skipped = executions[1]
    assert skipped.detail["start-time"] == skipped.detail["end-time"] == "2024-03-04T02:00:00.000Z"
    assert executions[2].detail["end-time"] == "2024-03-04T02:30:00.000Z"


def test_a_cancel_sends_cancelling_then_the_cancelled_ends(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id, _ = _patch_window(ssm, instances=(I1, I2))
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Priority=2,
        Targets=[{"Key": "WindowTargetIds", "Values": [_second_target(ssm, window_id, I1)]}],
        MaxConcurrency="1",
        MaxErrors="0",
    )
    mw.on_invocation(lambda invocation: Outcome(duration=timedelta(minutes=10)))
    mw.clock.set("2024-03-04T02:05:00Z")
    execution_id = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"][0][
        "WindowExecutionId"
    ]
    ssm.cancel_maintenance_window_execution(WindowExecutionId=execution_id)
    mw.clock.set("2024-03-04T03:00:00Z")
    run = [(_shape(e), e.time.strftime("%H:%M")) for e in mw.events.where(window_execution_id=execution_id)]
    assert run == [
        ((EXECUTION, "IN_PROGRESS"), "02:00"),
        ((TASK, "IN_PROGRESS"), "02:00"),
        ((INVOCATION, "IN_PROGRESS"), "02:00"),
        ((EXECUTION, "CANCELLING"), "02:05"),
        ((TASK, "CANCELLED"), "02:05"),  # priority 2, never started: no IN_PROGRESS
        ((INVOCATION, "SUCCESS"), "02:10"),  # the running one finishes; I2 never starts
        ((TASK, "CANCELLED"), "02:10"),
        ((EXECUTION, "CANCELLED"), "02:10"),
    ]


def test_a_task_still_waiting_at_the_cutoff_sends_only_timed_out(
    mw: MaintenanceWindowsMock, ssm: Any
) -> None:
    window_id, _ = _patch_window(ssm)
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Priority=2,
        Targets=[{"Key": "WindowTargetIds", "Values": [_second_target(ssm, window_id, I2)]}],
        MaxConcurrency="1",
        MaxErrors="0",
    )
    mw.on_invocation(lambda invocation: Outcome(duration=timedelta(hours=2, minutes=30)))
    mw.clock.set("2024-03-04T05:00:00Z")
    tasks = mw.events.where(detail_type=TASK)
    assert [(e.status, e.time.strftime("%H:%M")) for e in tasks] == [
        ("IN_PROGRESS", "02:00"),
        ("SUCCESS", "04:30"),
        ("TIMED_OUT", "04:30"),
    ]


# Order and filtering.


def test_events_are_in_time_order_and_causal_within_an_instant(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id, target_id = _patch_window(ssm, instances=(I1, I2), MaxConcurrency="2")
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Priority=2,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="1",
        MaxErrors="0",
    )
    mw.clock.set("2024-03-04T03:00:00Z")
    events = list(mw.events)[1:]
    assert [e.time for e in events] == sorted(e.time for e in events)
    assert [(_shape(e), e.time.strftime("%H:%M:%S")) for e in events] == [
        ((EXECUTION, "IN_PROGRESS"), "02:00:00"),
        ((TASK, "IN_PROGRESS"), "02:00:00"),
        ((INVOCATION, "IN_PROGRESS"), "02:00:00"),
        ((INVOCATION, "IN_PROGRESS"), "02:00:00"),
        ((INVOCATION, "SUCCESS"), "02:00:05"),
        ((INVOCATION, "SUCCESS"), "02:00:05"),
        ((TASK, "SUCCESS"), "02:00:05"),
        ((TASK, "IN_PROGRESS"), "02:00:05"),  # priority 2 starts once priority 1 ended
        ((INVOCATION, "IN_PROGRESS"), "02:00:05"),
        ((INVOCATION, "SUCCESS"), "02:00:10"),
        ((INVOCATION, "IN_PROGRESS"), "02:00:10"),
        ((INVOCATION, "SUCCESS"), "02:00:15"),
        ((TASK, "SUCCESS"), "02:00:15"),
        ((EXECUTION, "SUCCESS"), "02:00:15"),
    ]


def test_where_picks_by_detail_type_window_status_and_execution(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    first, _ = _patch_window(ssm)
    second, _ = _patch_window(ssm)
    mw.clock.set("2024-03-05T03:00:00Z")
    events = mw.events
    assert len(events) == 2 + 2 * 2 * 6
    assert len(events.where(window_id=first)) == 1 + 2 * 6
    assert len(events.where(detail_type=EXECUTION, status="SUCCESS")) == 4
    assert len(events.where(detail_type=EXECUTION, window_id=second, status="SUCCESS")) == 2
    execution_id = events.where(detail_type=EXECUTION, window_id=second)[0].detail["window-execution-id"]
    assert {e.detail["window-execution-id"] for e in events.where(window_execution_id=execution_id)} == {
        execution_id
    }
    assert len(events.where(window_execution_id=execution_id)) == 6
    assert events.where(status="FAILED") == []
    assert isinstance(events[1:3], type(events))
    assert len(events[1:3]) == 2
    with pytest.raises(ValueError) as raised:
        events.where(detail_type="Maintenance Window Execution")
    assert str(raised.value) == (
        "detail_type must be one of 'Maintenance Window Execution State-change Notification', "
        "'Maintenance Window Task Execution State-change Notification', "
        "'Maintenance Window Task Target Invocation State-change Notification', "
        "'Maintenance Window Target Registration Notification', "
        "'Maintenance Window State-change Notification'; got 'Maintenance Window Execution'"
    )


def test_reset_forgets_events_and_keeps_the_hook(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    heard: list[MaintenanceWindowEvent] = []
    mw.on_event(heard.append)
    _patch_window(ssm)
    mw.reset()
    assert list(mw.events) == []
    _patch_window(ssm)
    assert [e.status for e in heard] == ["REGISTERED", "REGISTERED"]
    assert len(mw.events) == 1


def test_deleting_a_window_forgets_its_events(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id, _ = _patch_window(ssm)
    mw.clock.set("2024-03-04T03:00:00Z")
    assert len(mw.events) == 7
    ssm.delete_maintenance_window(WindowId=window_id)
    assert list(mw.events) == []


# Live delivery.


def _counting(calls: list[str], name: str, original: Any) -> Any:
    def counted(self: Notifier, *args: Any) -> Any:
        calls.append(name)
        return original(self, *args)

    return counted


def test_nothing_is_built_live_while_nobody_listens(
    mw: MaintenanceWindowsMock, ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    for name in ("execution_changed", "task_changed", "invocations_changed", "flush"):
        monkeypatch.setattr(Notifier, name, _counting(calls, name, getattr(Notifier, name)))
    _patch_window(ssm, instances=(I1, I2))
    mw.clock.set("2024-03-06T00:00:00Z")
    assert calls == []
    assert len(mw.events) == 1 + 2 * 8
    mw.on_event(lambda event: None)
    mw.clock.set("2024-03-07T00:00:00Z")
    assert calls.count("execution_changed") == 2
    assert calls.count("invocations_changed") == 4


def test_the_hook_hears_each_event_at_its_instant(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    heard: list[tuple[datetime, MaintenanceWindowEvent]] = []
    mw.on_event(lambda event: heard.append((mw.clock.now(), event)))
    _patch_window(ssm, instances=(I1, I2))
    mw.clock.set("2024-03-06T00:00:00Z")
    assert [event for _, event in heard] == list(mw.events)
    assert all(now == event.time for now, event in heard)
    assert len(heard) == 1 + 2 * 8


def _scenario(
    listen: bool, durations: list[int], concurrency: str, cancel_at: int | None, priorities: list[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run one scenario on a seeded mock: (what a hook heard, what ``mw.events`` reads back)."""
    heard: list[dict[str, Any]] = []
    with MaintenanceWindowsMock(now=NOW, seed=7) as mw:
        if listen:
            mw.on_event(lambda event: heard.append(event.to_dict()))
        ssm = boto3.client("ssm", region_name=REGION)
        window_id = make_window(ssm, Schedule="rate(1 hour)", Duration=2, Cutoff=1)
        target_id = ssm.register_target_with_maintenance_window(
            WindowId=window_id,
            ResourceType="INSTANCE",
            Targets=[{"Key": "InstanceIds", "Values": [f"i-{n:017x}" for n in range(4)]}],
        )["WindowTargetId"]
        for priority in priorities:
            ssm.register_task_with_maintenance_window(
                WindowId=window_id,
                TaskArn="AWS-RunShellScript",
                TaskType="RUN_COMMAND",
                Priority=priority,
                Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
                MaxConcurrency=concurrency,
                MaxErrors="1",
                CutoffBehavior="CANCEL_TASK",
            )
        count = iter(range(10**6))
        mw.on_invocation(
            lambda invocation: Outcome(
                status="FAILED" if next(count) % 5 == 4 else "SUCCESS",
                duration=timedelta(minutes=durations[invocation.seq % len(durations)]),
            )
        )
        mw.clock.advance(minutes=75)
        if cancel_at is not None:
            executions = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
            ssm.cancel_maintenance_window_execution(
                WindowExecutionId=executions[cancel_at % len(executions)]["WindowExecutionId"]
            )
        ssm.update_maintenance_window(WindowId=window_id, Enabled=False)
        mw.clock.advance(minutes=30)
        ssm.update_maintenance_window(WindowId=window_id, Enabled=True)
        mw.clock.advance(hours=3)
        return heard, mw.events.to_dicts()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    durations=st.lists(st.integers(0, 90), min_size=1, max_size=4),
    concurrency=st.sampled_from(["1", "2", "50%"]),
    cancel_at=st.none() | st.integers(0, 3),
    priorities=st.lists(st.integers(1, 3), min_size=1, max_size=3),
)
def test_the_live_stream_and_the_derived_events_agree(
    durations: list[int], concurrency: str, cancel_at: int | None, priorities: list[int]
) -> None:
    heard, read_while_listening = _scenario(True, durations, concurrency, cancel_at, priorities)
    nobody_heard, read_alone = _scenario(False, durations, concurrency, cancel_at, priorities)
    assert nobody_heard == []
    assert heard == read_while_listening == read_alone
    assert [e["time"] for e in heard] == sorted(e["time"] for e in heard)


def test_a_hook_that_raises_stops_the_move_and_hears_the_event_again(
    mw: MaintenanceWindowsMock, ssm: Any
) -> None:
    _patch_window(ssm)
    heard: list[tuple[str, str]] = []

    def hook(event: MaintenanceWindowEvent) -> None:
        heard.append(_shape(event))
        if event.detail_type == INVOCATION and event.status == "SUCCESS" and len(heard) == 4:
            raise RuntimeError("boom")

    mw.on_event(hook)
    with pytest.raises(EventHookError) as raised:
        mw.clock.set("2024-03-04T03:00:00Z")
    error = raised.value
    assert isinstance(error, HookError)
    assert isinstance(error.__cause__, RuntimeError)
    assert str(error) == (
        f"the on_event hook raised RuntimeError('boom') for {INVOCATION} SUCCESS of {error.window_id} "
        "at 2024-03-04T02:00:05.000Z"
    )
    assert error.event.detail_type == INVOCATION
    assert error.window_execution_id == error.event.detail["window-execution-id"]
    assert mw.clock.now() == datetime.fromisoformat("2024-03-04T02:00:05+00:00")  # where the move stopped
    mw.clock.set("2024-03-04T03:00:00Z")
    assert heard == [
        (EXECUTION, "IN_PROGRESS"),
        (TASK, "IN_PROGRESS"),
        (INVOCATION, "IN_PROGRESS"),
        (INVOCATION, "SUCCESS"),  # raised
        (INVOCATION, "SUCCESS"),
        (TASK, "SUCCESS"),
        (EXECUTION, "SUCCESS"),  # again, then the rest
    ]
    assert len(mw.events) == 7


def test_a_hook_that_raises_on_an_api_event_fails_that_call(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id = make_window(ssm)
    heard: list[str] = []

    def hook(event: MaintenanceWindowEvent) -> None:
        heard.append(event.status)
        if len(heard) == 1:
            raise ValueError("not now")

    mw.on_event(hook)
    with pytest.raises(EventHookError) as raised:
        ssm.update_maintenance_window(WindowId=window_id, Enabled=False)
    assert raised.value.window_execution_id is None
    assert raised.value.event.detail == {"window-id": window_id, "status": "DISABLED"}
    # The call's change was made; the next delivery gives the hook that event again, then the new one.
    assert ssm.get_maintenance_window(WindowId=window_id)["Enabled"] is False
    ssm.update_maintenance_window(WindowId=window_id, Enabled=True)
    assert heard == ["DISABLED", "DISABLED", "ENABLED"]
    assert [e.status for e in mw.events] == ["DISABLED", "ENABLED"]


# moto's event bus.


@pytest.fixture
def with_moto() -> Iterator[MaintenanceWindowsMock]:
    with mock_aws(), MaintenanceWindowsMock(now=NOW) as mw:
        yield mw


def _queue_with_rule(
    pattern: dict[str, Any], name: str = "mw-events", state: str = "ENABLED"
) -> tuple[Any, str]:
    sqs = boto3.client("sqs", region_name=REGION)
    events = boto3.client("events", region_name=REGION)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventPattern=json.dumps(pattern), State=state)
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": arn}])
    return sqs, url


def _drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        bodies.extend(json.loads(message["Body"]) for message in messages)


def test_under_moto_a_rule_routes_the_events_to_an_sqs_queue(with_moto: MaintenanceWindowsMock) -> None:
    mw = with_moto
    sqs, everything = _queue_with_rule({"source": ["aws.ssm"]})
    _, finished = _queue_with_rule(
        {"source": ["aws.ssm"], "detail-type": [EXECUTION], "detail": {"status": ["SUCCESS", "FAILED"]}},
        name="ends",
    )
    _, disabled = _queue_with_rule({"source": ["aws.ssm"]}, name="off", state="DISABLED")
    ssm = boto3.client("ssm", region_name=REGION)
    _patch_window(ssm, instances=(I1, I2))
    mw.clock.set("2024-03-05T03:00:00Z")
    bodies = _drain(sqs, everything)
    assert len(bodies) == 1 + 2 * 8
    assert bodies == mw.events.to_dicts()
    assert [b["detail"]["status"] for b in _drain(sqs, finished)] == ["SUCCESS", "SUCCESS"]
    assert _drain(sqs, disabled) == []


def test_under_moto_without_a_rule_nothing_is_built_live(
    with_moto: MaintenanceWindowsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(Notifier, "flush", _counting(calls, "flush", Notifier.flush))
    ssm = boto3.client("ssm", region_name=REGION)
    _patch_window(ssm)
    with_moto.clock.set("2024-03-04T03:00:00Z")
    assert calls == []
    _queue_with_rule({"source": ["aws.ssm"]})
    with_moto.clock.set("2024-03-05T03:00:00Z")
    assert calls.count("flush") == 3  # 02:00:00, 02:00:05, and the end of the move


def test_under_moto_events_go_to_the_callers_region_only(with_moto: MaintenanceWindowsMock) -> None:
    mw = with_moto
    sqs, url = _queue_with_rule({"source": ["aws.ssm"]})
    west = boto3.client("ssm", region_name="us-west-2")
    _patch_window(west)
    mw.clock.set("2024-03-04T03:00:00Z")
    assert _drain(sqs, url) == []
    assert {e.region for e in mw.events} == {"us-west-2"}
    assert len(mw.events) == 7
