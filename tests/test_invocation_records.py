"""Compact invocation records (issue #17.5): at most 200 bytes each, with every id read back as it was drawn.

An invocation keeps its ids as one small int and formats them on read (``model/history.py``). These tests
hold the size bound over a few thousand invocations made by each path of the simulator (in batches without
a hook, one at a time with one), and check through boto3 that the ids read back are exactly the
consecutive draws of the mock's id source that were formatted at creation before.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssm_mw_mock import Invocation, MaintenanceWindowsMock
from ssm_mw_mock.model.ids import IdSource, following, number_of

from .conftest import NOW

BOUND = 200  # bytes per invocation; the records took 362 to 413 before they were made compact
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:patch-report"


def client() -> Any:
    return boto3.client("ssm", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")


def hourly_window(ssm: Any, targets: int, tasks: int = 3, concurrency: str = "5") -> str:
    """The workload of ``bench/run_all.py``'s year: hourly, ``tasks`` Run Command tasks on ``targets``."""
    window_id: str = ssm.create_maintenance_window(
        Name="hourly", Schedule="cron(0 * * * ? *)", Duration=1, Cutoff=0, AllowUnassociatedTargets=False
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": [f"i-{n:017x}" for n in range(targets)]}],
    )["WindowTargetId"]
    for priority in range(1, tasks + 1):
        ssm.register_task_with_maintenance_window(
            WindowId=window_id,
            Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
            TaskArn="AWS-RunShellScript",
            TaskType="RUN_COMMAND",
            TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": ["uptime"]}}},
            Priority=priority,
            MaxConcurrency=concurrency,
            MaxErrors="1",
        )
    return window_id


def all_invocations(mw: MaintenanceWindowsMock) -> list[Invocation]:
    region = mw.backend.state("123456789012", "us-east-1")
    return [i for e in region.executions.values() for t in e.tasks for i in t.invocations]


@given(seed=st.integers(0, 2**64), before=st.integers(0, 300), draws=st.integers(0, 600))
def test_following_formats_the_id_of_a_later_draw(seed: int, before: int, draws: int) -> None:
    source = IdSource(seed)
    for _ in range(before):
        next(source.executions)
    drawn = [next(source.executions) for _ in range(draws + 1)]
    assert following(drawn[0], draws) == drawn[-1]
    assert number_of(drawn[-1]) - number_of(drawn[0]) == draws


@pytest.mark.parametrize("path", ["batch", "hook"])
def test_an_invocation_record_keeps_under_200_bytes(path: str) -> None:
    with MaintenanceWindowsMock(now=NOW) as mw:
        hourly_window(client(), targets=10)
        decided: list[str] = []
        if path == "hook":
            mw.on_invocation(lambda invocation: decided.append(invocation.invocation_id))
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            mw.clock.advance(days=5)
            decided.clear()  # the test's own list of ids is no record
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        made = len(all_invocations(mw))
        region = mw.backend.state("123456789012", "us-east-1")
    assert len(region.executions) == 5 * 24
    assert made == (5 * 24 - 1) * 3 * 10 + 5  # the run at the end of the move has just started
    assert grown / made <= BOUND, f"{grown / made:.1f} bytes per invocation"


def read_back(ssm: Any, window_id: str) -> list[str]:
    """Every id of the window's one execution, in draw order, each invocation's read by Describe and Get."""
    (execution,) = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    execution_id = execution["WindowExecutionId"]
    ids = [execution_id]
    tasks = ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution_id)
    for task in tasks["WindowExecutionTaskIdentities"]:
        task_id = task["TaskExecutionId"]
        ids.append(task_id)
        listed = ssm.describe_maintenance_window_execution_task_invocations(
            WindowExecutionId=execution_id, TaskId=task_id
        )["WindowExecutionTaskInvocationIdentities"]
        for invocation in listed:
            got = ssm.get_maintenance_window_execution_task_invocation(
                WindowExecutionId=execution_id, TaskId=task_id, InvocationId=invocation["InvocationId"]
            )
            assert (got["InvocationId"], got["ExecutionId"]) == (
                invocation["InvocationId"],
                invocation["ExecutionId"],
            )
            ids.extend([invocation["InvocationId"], invocation["ExecutionId"]])
    return ids


def one_run(seed: int | None, targets: int, concurrency: int, hook: bool) -> tuple[list[str], list[str]]:
    """The first run (01:00) of a window with one task: the ids read back, and those the hook saw (if any)."""
    with MaintenanceWindowsMock(now=NOW, seed=seed) as mw:
        ssm = client()
        window_id = hourly_window(ssm, targets=targets, tasks=1, concurrency=str(concurrency))
        seen: list[str] = []
        if hook:
            mw.on_invocation(lambda i: seen.extend([i.invocation_id, i.execution_id]))
        mw.clock.advance(minutes=90)
        return read_back(ssm, window_id), seen


@settings(max_examples=15)
@given(
    seed=st.integers(0, 2**32),
    targets=st.integers(1, 12),
    concurrency=st.integers(1, 5),
    hook=st.booleans(),
)
def test_seeded_ids_read_back_as_the_consecutive_draws_of_the_source(
    seed: int, targets: int, concurrency: int, hook: bool
) -> None:
    ids, seen = one_run(seed, targets, concurrency, hook)
    # The execution, its task, then each invocation's own id and its command's: one draw each, in order.
    source = IdSource(seed)
    assert ids == [next(source.executions) for _ in range(2 + 2 * targets)]
    assert seen == (ids[2:] if hook else [])


@pytest.mark.parametrize("hook", [False, True])
def test_unseeded_ids_read_back_as_consecutive_draws_of_one_random_source(hook: bool) -> None:
    ids, seen = one_run(None, targets=7, concurrency=3, hook=hook)
    other, _ = one_run(None, targets=7, concurrency=3, hook=hook)
    prefix, first = ids[0][:24], int(ids[0][24:], 16)
    assert ids == [f"{prefix}{first + n:012x}" for n in range(2 + 2 * 7)]
    assert seen == (ids[2:] if hook else [])
    assert len(set(ids)) == len(ids)
    assert not set(ids) & set(other)


@pytest.mark.parametrize("name", [None, "run"])
@pytest.mark.parametrize("hook", [False, True])
def test_a_step_functions_execution_ends_in_its_name_or_the_id_drawn_after_the_invocations(
    hook: bool, name: str | None
) -> None:
    with MaintenanceWindowsMock(now=NOW, seed=7) as mw:
        ssm = client()
        window_id = hourly_window(ssm, targets=1, tasks=0)
        parameters = {"Input": "{}"} if name is None else {"Input": "{}", "Name": name}
        ssm.register_task_with_maintenance_window(
            WindowId=window_id,
            TaskArn=MACHINE,
            TaskType="STEP_FUNCTIONS",
            Priority=1,
            TaskInvocationParameters={"StepFunctions": parameters},
        )
        seen: list[str] = []
        if hook:
            mw.on_invocation(lambda i: seen.extend([i.invocation_id, i.execution_id]))
        mw.clock.advance(minutes=90)
        ids = read_back(ssm, window_id)
    source = IdSource(7)
    drawn = [next(source.executions) for _ in range(4)]
    # The execution is named after StepFunctions.Name when the task gives one, else after a fresh draw.
    arn = f"arn:aws:states:us-east-1:123456789012:execution:patch-report:{name or drawn[3]}"
    assert ids == [*drawn[:3], arn]
    assert seen == (ids[2:] if hook else [])
