"""The lazy Run Command / Automation index agrees with a plain scan of the records, whatever happens between
reads: runs that start, runs still going, windows deleted, reads at any moment (``model/runs.py``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ssm_mw_mock import Invocation, MaintenanceWindowsMock, Outcome
from ssm_mw_mock.model.runs import AUTOMATION, RUN_COMMAND, RunIndex
from ssm_mw_mock.model.store import RegionState

REGION, ACCOUNT = "us-east-1", "123456789012"
NODES = [f"i-{n:017x}" for n in range(1, 4)]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.integers(min_value=0, max_value=150)),
        st.tuples(st.just("read"), st.integers(min_value=1, max_value=4)),
        st.tuples(st.just("delete"), st.integers(min_value=0, max_value=1)),
    ),
    min_size=2,
    max_size=12,
)


def make_window(mw: MaintenanceWindowsMock, task_type: str, arn: str) -> str:
    call = mw.backend.call
    window_id: str = call(
        "CreateMaintenanceWindow",
        {
            "Name": f"w-{task_type.lower()}",
            "Schedule": "rate(1 hour)",
            "Duration": 2,
            "Cutoff": 0,
            "AllowUnassociatedTargets": True,
        },
        REGION,
    )["WindowId"]
    call(
        "RegisterTaskWithMaintenanceWindow",
        {
            "WindowId": window_id,
            "TaskArn": arn,
            "TaskType": task_type,
            "Targets": [{"Key": "InstanceIds", "Values": NODES}],
            "MaxConcurrency": "2",
            "MaxErrors": "3",
        },
        REGION,
    )
    return window_id


def scanned(state: RegionState, task_type: str) -> list[str]:
    """Every run of ``task_type`` in the region, newest first, by a scan of all its records."""
    found = [
        invocation
        for execution in state.executions.values()
        for task in execution.tasks
        if task.task_type == task_type
        for invocation in task.invocations
    ]
    return [i.execution_id for i in sorted(found, key=lambda i: i.order, reverse=True)]


def paged(mw: MaintenanceWindowsMock, operation: str, key: str, size: int, id_key: str) -> list[str]:
    ids: list[str] = []
    params: dict[str, Any] = {"MaxResults": size}
    while True:
        answer = mw.backend.call(operation, params, REGION)
        ids += [item[id_key] for item in answer[key]]
        if "NextToken" not in answer:
            return ids
        params = {"MaxResults": size, "NextToken": answer["NextToken"]}


@settings(max_examples=40, deadline=None)
@given(steps=steps, durations=st.lists(st.integers(min_value=1, max_value=90), min_size=1, max_size=5))
def test_the_index_agrees_with_a_scan(steps: list[tuple[str, int]], durations: list[int]) -> None:
    with MaintenanceWindowsMock(now="2024-03-04T00:00:00Z", seed=1) as mw:
        windows = [
            make_window(mw, RUN_COMMAND, "AWS-RunShellScript"),
            make_window(mw, AUTOMATION, "AWS-RestartEC2Instance"),
        ]
        count = iter(range(10**6))

        def hook(invocation: Invocation) -> Outcome:
            return Outcome(duration=timedelta(minutes=durations[next(count) % len(durations)]))

        mw.on_invocation(hook)
        for action, value in [*steps, ("read", 3)]:
            if action == "advance":
                mw.clock.advance(minutes=value)
            elif action == "delete" and windows[value]:
                mw.backend.call("DeleteMaintenanceWindow", {"WindowId": windows[value]}, REGION)
                windows[value] = ""
            elif action == "read":
                state = mw.backend.state(ACCOUNT, REGION)
                commands = paged(mw, "ListCommands", "Commands", value, "CommandId")
                assert commands == scanned(state, RUN_COMMAND)
                automations = paged(
                    mw,
                    "DescribeAutomationExecutions",
                    "AutomationExecutionMetadataList",
                    value,
                    "AutomationExecutionId",
                )
                assert automations == scanned(state, AUTOMATION)
                index = mw.backend.runs(state)
                for command_id in commands:
                    found = index.find(command_id, RUN_COMMAND)
                    assert found is not None
                    assert found.execution_id == command_id
                    assert index.find(command_id, AUTOMATION) is None


def test_a_run_read_while_it_runs_is_read_again_once_it_has_more() -> None:
    with MaintenanceWindowsMock(now="2024-03-04T00:00:00Z") as mw:
        make_window(mw, RUN_COMMAND, "AWS-RunShellScript")  # 3 nodes, 2 at a time
        mw.on_invocation(lambda invocation: Outcome(duration=timedelta(minutes=30)))
        mw.clock.advance(minutes=70)  # the 01:00 run has started two of its three commands
        state = mw.backend.state(ACCOUNT, REGION)
        assert len(paged(mw, "ListCommands", "Commands", 50, "CommandId")) == 2
        mw.clock.advance(minutes=30)  # the third has started; the run still runs
        assert paged(mw, "ListCommands", "Commands", 50, "CommandId") == scanned(state, RUN_COMMAND)
        assert len(scanned(state, RUN_COMMAND)) == 3


def test_an_empty_regions_index_is_not_kept() -> None:
    with MaintenanceWindowsMock(now="2024-03-04T00:00:00Z") as mw:
        answer = mw.backend.call("ListCommands", {}, "eu-west-3")
        assert answer == {"Commands": []}
        assert mw.backend.run_indexes == {}
        assert mw.backend.scopes() == []  # the read made no region either


def test_sync_reads_only_what_started_since_the_last_read() -> None:
    with MaintenanceWindowsMock(now="2024-03-04T00:00:00Z") as mw:
        make_window(mw, RUN_COMMAND, "AWS-RunShellScript")
        mw.clock.advance(hours=3)
        state = mw.backend.state(ACCOUNT, REGION)
        index = RunIndex(state)
        index.sync()
        executions = len(state.executions)
        walked: list[int] = []
        original = reversed

        def counted(values: Any) -> Any:
            for item in original(values):
                walked.append(1)
                yield item

        import ssm_mw_mock.model.runs as runs_module

        runs_module.reversed = counted  # type: ignore[attr-defined]
        try:
            index.sync()  # nothing new: one execution looked at, to see it is not new
            assert len(walked) == 1
            mw.clock.advance(hours=2)
            walked.clear()
            index.sync()
            assert len(walked) == 3  # the two new executions, and the one that shows where to stop
        finally:
            del runs_module.reversed  # type: ignore[attr-defined]
        assert len(state.executions) == executions + 2
