"""Seeded mocks: ``mock_maintenance_windows(seed=...)`` makes every generated id reproducible."""

from __future__ import annotations

from typing import Any

import pytest

from ssm_mw_mock import MaintenanceWindowsMock, mock_maintenance_windows
from ssm_mw_mock.model.ids import IdSource

from .invariants import make_client


def ids_of_a_scenario(mw: MaintenanceWindowsMock) -> list[str]:
    """Every id a short scenario makes: a window, its target and task, then a day of executions."""
    ssm: Any = make_client()
    window_id = ssm.create_maintenance_window(
        Name="nightly", Schedule="cron(0 2 ? * * *)", Duration=2, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0", "i-0123456789abcdef1"]}],
    )["WindowTargetId"]
    task_id = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="2",
        MaxErrors="1",
    )["WindowTaskId"]
    mw.clock.advance(days=1)
    ids = [window_id, target_id, task_id]
    for execution in ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]:
        ids.append(execution["WindowExecutionId"])
        for task in ssm.describe_maintenance_window_execution_tasks(
            WindowExecutionId=execution["WindowExecutionId"]
        )["WindowExecutionTaskIdentities"]:
            ids.append(task["TaskExecutionId"])
            for invocation in ssm.describe_maintenance_window_execution_task_invocations(
                WindowExecutionId=execution["WindowExecutionId"], TaskId=task["TaskExecutionId"]
            )["WindowExecutionTaskInvocationIdentities"]:
                ids.extend([invocation["InvocationId"], invocation["ExecutionId"]])
    return ids


def run(seed: int | None) -> list[str]:
    with mock_maintenance_windows(now="2024-03-04T00:00:00Z", seed=seed) as mw:
        return ids_of_a_scenario(mw)


def test_same_seed_gives_the_same_ids() -> None:
    first = run(3)
    assert len(first) == 3 + 1 + 1 + 2 * 2  # window, target, task, execution, task execution, 2 x 2
    assert len(set(first)) == len(first)
    assert run(3) == first


def test_different_seeds_and_no_seed_give_different_ids() -> None:
    seeded = run(3)
    for other in (run(4), run(None), run(None)):
        assert not set(other) & set(seeded)


def test_a_seeded_mock_repeats_its_ids_at_every_start() -> None:
    mw = MaintenanceWindowsMock(now="2024-03-04T00:00:00Z", seed=11)
    with mw:
        first = ids_of_a_scenario(mw)
    with mw:
        assert ids_of_a_scenario(mw) == first


def test_ids_have_ssm_formats() -> None:
    ids = IdSource(7)
    window_id = ids.window_id()
    assert window_id.startswith("mw-0")
    assert len(window_id) == 20
    generated = [ids.uuid(), next(ids.executions)]
    for value in generated:
        parts = value.split("-")
        assert [len(part) for part in parts] == [8, 4, 4, 4, 12]
        assert parts[2][0] == "4"


@pytest.mark.parametrize("seed", ["3", 1.5, True])
def test_seed_must_be_an_int(seed: Any) -> None:
    with pytest.raises(TypeError) as caught:
        MaintenanceWindowsMock(seed=seed)
    assert str(caught.value) == f"seed must be an int or None, not {type(seed).__name__}"
