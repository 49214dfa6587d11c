"""A Hypothesis state machine over the maintenance-window API and the fake clock.

Rules interleave create/update/delete of windows, register/update/deregister of targets and tasks, tag
calls and clock moves, all through a real boto3 client. After every step the invariants of
``invariants.check_invariants`` hold (task targets exist, describe == get, NextExecutionTime is the first
run of the schedule listing, nothing of a deleted window remains); around every clock move, the executions
that appear are exactly the runs the schedule listing announced for enabled windows, and every invocation
that ended has the status the outcome hook gave it (instance 2 fails, the others succeed).

Clock moves are also made faulty (a hook that raises, raises a BaseException, raises an exception whose
``str()`` raises, answers an absurd outcome or moves the clock itself) and concurrent (several threads
moving at once); after each, no run was recorded twice, nothing is stuck ``IN_PROGRESS``, and the next
move plays exactly the announced runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)

from ssm_mw_mock import HookError, Invocation, MaintenanceWindowsMock, Outcome

from .conftest import NOW
from .invariants import check_invariants, execution_time, make_client, pages

SCHEDULES = [
    "cron(0 2 ? * * *)",
    "cron(30 */6 ? * * *)",
    "cron(0 9 ? * MON-FRI *)",
    "rate(5 hours)",
    "rate(1 day)",
    "at(2024-03-05T10:00:00)",
]
TIMEZONES = [None, "UTC", "America/New_York", "Asia/Kolkata"]
INSTANCES = ["i-0123456789abcdef0", "i-0fedcba9876543210"]
MAX_WINDOWS = 4


MISSING = "00000000-0000-4000-8000-000000000000"  # a target or task id that never existed


def model_outcome(invocation: Invocation) -> str | None:
    """The hook the model knows: instance 2 fails, every other invocation succeeds."""
    return "FAILED" if invocation.target_id == INSTANCES[1] else None


class Interrupt(BaseException):
    """Stands for KeyboardInterrupt, SystemExit and pytest's outcomes: not an Exception."""


class BrokenText(Exception):
    def __str__(self) -> str:
        raise RuntimeError("str() raised")


def _raiser(error: Callable[[], BaseException]) -> Callable[[Invocation], None]:
    def hook(invocation: Invocation) -> None:
        raise error()

    return hook


# A faulty hook per fault class, and what the move that meets it raises.
FAULTS: dict[str, tuple[Callable[[MaintenanceWindowsMock], Any], type[BaseException]]] = {
    "exception": (lambda mw: _raiser(lambda: LookupError("bug in the hook")), HookError),
    "base exception": (lambda mw: _raiser(Interrupt), Interrupt),
    "str() raises": (lambda mw: _raiser(BrokenText), HookError),
    "absurd outcome": (lambda mw: lambda inv: Outcome(duration=timedelta(days=3_000_000)), HookError),
    "unknown status": (lambda mw: lambda inv: "DONE", HookError),
    "moves the clock": (lambda mw: lambda inv: mw.clock.advance(minutes=1), HookError),
}


def attempt(call: Any, **params: Any) -> tuple[dict[str, Any] | None, str | None]:
    """``(answer, None)``, or ``(None, error code)`` if SSM refused the call."""
    try:
        return call(**params), None
    except ClientError as error:
        code: str = error.response["Error"]["Code"]
        return None, code


class MaintenanceWindowsMachine(RuleBasedStateMachine):
    windows = Bundle("windows")
    targets = Bundle("targets")  # (window id, target id)
    tasks = Bundle("tasks")  # (window id, task id)

    def __init__(self) -> None:
        super().__init__()
        self.mw = MaintenanceWindowsMock(now=NOW).start()
        self.mw.on_invocation(model_outcome)
        self.ssm = make_client()
        self.live: set[str] = set()
        self.deleted: dict[str, set[str]] = {}  # window id -> the execution ids it had
        self.executions_seen: dict[str, set[str]] = {}
        self.after_fault = False  # the last move failed: runs due at the instant it stopped may follow

    def teardown(self) -> None:
        self.mw.stop()

    # -- windows -------------------------------------------------------------------------------------------

    @initialize(target=windows, schedule=st.sampled_from(SCHEDULES[:5]))
    def first_window(self, schedule: str) -> Any:
        """A window that runs a task on both instances, so clock moves have executions to check."""
        window_id = self.ssm.create_maintenance_window(
            Name="first", Schedule=schedule, Duration=2, Cutoff=1, AllowUnassociatedTargets=False
        )["WindowId"]
        self.live.add(window_id)
        target_id = self.ssm.register_target_with_maintenance_window(
            WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "InstanceIds", "Values": INSTANCES}]
        )["WindowTargetId"]
        self._register_task((window_id, target_id), 1, None)
        return window_id

    @precondition(lambda self: len(self.live) < MAX_WINDOWS)
    @rule(
        target=windows,
        schedule=st.sampled_from(SCHEDULES),
        timezone=st.sampled_from(TIMEZONES),
        duration=st.integers(1, 6),
        cutoff=st.integers(0, 6),
        unassociated=st.booleans(),
    )
    def create_window(
        self, schedule: str, timezone: str | None, duration: int, cutoff: int, unassociated: bool
    ) -> Any:
        params: dict[str, Any] = {
            "Name": f"window-{len(self.live) + len(self.deleted)}",
            "Schedule": schedule,
            "Duration": duration,
            "Cutoff": cutoff,
            "AllowUnassociatedTargets": unassociated,
        }
        if timezone:
            params["ScheduleTimezone"] = timezone
        answer, code = attempt(self.ssm.create_maintenance_window, **params)
        if answer is None:
            assert cutoff >= duration
            assert code == "ValidationException"
            return "mw-00000000000000000"  # a window that never existed: every call on it is refused
        assert cutoff < duration
        self.live.add(answer["WindowId"])
        return answer["WindowId"]

    @rule(
        window=windows,
        enabled=st.none() | st.booleans(),
        schedule=st.none() | st.sampled_from(SCHEDULES),
        duration=st.none() | st.integers(1, 6),
    )
    def update_window(
        self, window: str, enabled: bool | None, schedule: str | None, duration: int | None
    ) -> None:
        params: dict[str, Any] = {"WindowId": window}
        if enabled is not None:
            params["Enabled"] = enabled
        if schedule is not None:
            params["Schedule"] = schedule
        if duration is not None:
            params["Duration"] = duration
        answer, code = attempt(self.ssm.update_maintenance_window, **params)
        if answer is None:
            assert code == ("ValidationException" if window in self.live else "DoesNotExistException")
            return
        assert window in self.live
        if enabled is not None:
            assert answer["Enabled"] == enabled

    @rule(window=consumes(windows))
    def delete_window(self, window: str) -> None:
        had = self._execution_ids(window)
        self.ssm.delete_maintenance_window(WindowId=window)
        if window in self.live:
            self.live.discard(window)
            self.deleted[window] = had

    # -- targets and tasks ---------------------------------------------------------------------------------

    @rule(target=targets, window=windows, instance=st.sampled_from(INSTANCES))
    def register_target(self, window: str, instance: str) -> Any:
        answer, code = attempt(
            self.ssm.register_target_with_maintenance_window,
            WindowId=window,
            ResourceType="INSTANCE",
            Targets=[{"Key": "InstanceIds", "Values": [instance]}],
        )
        if answer is None:
            assert window not in self.live
            assert code == "DoesNotExistException"
            return (window, MISSING)
        assert window in self.live
        return (window, answer["WindowTargetId"])

    @rule(window_target=consumes(targets), safe=st.booleans())
    def deregister_target(self, window_target: tuple[str, str], safe: bool) -> None:
        window, target_id = window_target
        _, code = attempt(
            self.ssm.deregister_target_from_maintenance_window,
            WindowId=window,
            WindowTargetId=target_id,
            Safe=safe,
        )
        assert code in (None, "DoesNotExistException", "TargetInUseException")
        assert code != "TargetInUseException" or safe

    @rule(
        target=tasks,
        window_target=targets,
        priority=st.integers(0, 3),
        cutoff_behavior=st.sampled_from([None, "CONTINUE_TASK", "CANCEL_TASK"]),
    )
    def register_task(
        self, window_target: tuple[str, str], priority: int, cutoff_behavior: str | None
    ) -> Any:
        return self._register_task(window_target, priority, cutoff_behavior)

    def _register_task(
        self, window_target: tuple[str, str], priority: int, cutoff_behavior: str | None
    ) -> Any:
        window, target_id = window_target
        params: dict[str, Any] = {
            "WindowId": window,
            "TaskArn": "AWS-RunShellScript",
            "TaskType": "RUN_COMMAND",
            "Targets": [{"Key": "WindowTargetIds", "Values": [target_id]}],
            "MaxConcurrency": "2",
            "MaxErrors": "1",
            "Priority": priority,
        }
        if cutoff_behavior:
            params["CutoffBehavior"] = cutoff_behavior
        answer, code = attempt(self.ssm.register_task_with_maintenance_window, **params)
        if answer is None:
            assert code == "DoesNotExistException"
            return (window, MISSING)
        return (window, answer["WindowTaskId"])

    @rule(task=tasks, priority=st.integers(0, 3), max_errors=st.sampled_from(["0", "1", "50%"]))
    def update_task(self, task: tuple[str, str], priority: int, max_errors: str) -> None:
        window, task_id = task
        answer, code = attempt(
            self.ssm.update_maintenance_window_task,
            WindowId=window,
            WindowTaskId=task_id,
            Priority=priority,
            MaxErrors=max_errors,
        )
        if answer is None:
            # A Run Command task whose only target was deregistered without Safe is left with no targets;
            # any update of it is refused until it gets targets again.
            assert code in ("DoesNotExistException", "ValidationException")
            return
        assert answer["Priority"] == priority

    @rule(task=consumes(tasks))
    def deregister_task(self, task: tuple[str, str]) -> None:
        window, task_id = task
        _, code = attempt(
            self.ssm.deregister_task_from_maintenance_window, WindowId=window, WindowTaskId=task_id
        )
        assert code in (None, "DoesNotExistException")

    # -- tags ----------------------------------------------------------------------------------------------

    @rule(window=windows, key=st.sampled_from(["team", "env", "owner"]), value=st.text("abc", max_size=3))
    def tag(self, window: str, key: str, value: str) -> None:
        _, code = attempt(
            self.ssm.add_tags_to_resource,
            ResourceType="MaintenanceWindow",
            ResourceId=window,
            Tags=[{"Key": key, "Value": value}],
        )
        if code is not None:
            assert window not in self.live
            assert code == "InvalidResourceId"
            return
        tags = self.ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=window)["TagList"]
        assert {"Key": key, "Value": value} in tags

    @rule(window=windows, key=st.sampled_from(["team", "env", "owner"]))
    def untag(self, window: str, key: str) -> None:
        _, code = attempt(
            self.ssm.remove_tags_from_resource,
            ResourceType="MaintenanceWindow",
            ResourceId=window,
            TagKeys=[key],
        )
        if code is not None:
            assert window not in self.live
            assert code == "InvalidResourceId"
            return
        tags = self.ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=window)["TagList"]
        assert key not in {tag["Key"] for tag in tags}

    # -- the clock -----------------------------------------------------------------------------------------

    @rule(hours=st.integers(1, 72))
    def advance_hours(self, hours: int) -> None:
        self.advance(hours * 60)

    @rule(minutes=st.integers(1, 3 * 24 * 60))
    def advance(self, minutes: int) -> None:
        """Move the clock; the new executions are exactly the announced runs of enabled windows."""
        self._checked_move(minutes, lambda: self.mw.clock.advance(minutes=minutes))

    @rule(threads=st.integers(2, 3), minutes=st.integers(1, 12 * 60))
    def concurrent_advance(self, threads: int, minutes: int) -> None:
        """Several threads move the clock at once: together they move it by the sum, playing it once."""
        failures: list[BaseException] = []
        start_line = threading.Barrier(threads)

        def mover() -> None:
            try:
                start_line.wait()
                self.mw.clock.advance(minutes=minutes)
            except BaseException as error:
                failures.append(error)

        def move() -> None:
            movers = [threading.Thread(target=mover) for _ in range(threads)]
            for thread in movers:
                thread.start()
            for thread in movers:
                thread.join()

        self._checked_move(threads * minutes, move)
        assert failures == []

    @rule(fault=st.sampled_from(sorted(FAULTS)), minutes=st.integers(1, 3 * 24 * 60))
    def faulty_advance(self, fault: str, minutes: int) -> None:
        """The hook fails at its first invocation: the move stops there, and says so."""
        make, raised = FAULTS[fault]
        faulty = make(self.mw)
        calls: list[Invocation] = []

        def hook(invocation: Invocation) -> Any:
            calls.append(invocation)
            return faulty(invocation) if len(calls) == 1 else model_outcome(invocation)

        start = self.mw.clock.now()
        self.mw.on_invocation(hook)
        try:
            self.mw.clock.advance(minutes=minutes)
        except raised:
            assert calls, "a move that called no hook raised"
            assert calls[0].start_time == self.mw.clock.now()
            assert start <= self.mw.clock.now() <= start + timedelta(minutes=minutes)
            self.after_fault = True
            event(f"fault: {fault}")
        else:
            assert not calls
            assert self.mw.clock.now() == start + timedelta(minutes=minutes)
        finally:
            self.mw.on_invocation(model_outcome)

    def _checked_move(self, minutes: int, move: Callable[[], object]) -> None:
        start = self.mw.clock.now()
        until = start + timedelta(minutes=minutes)
        expected: dict[str, list[Any]] = {}
        for window in self.live:
            runs = pages(
                self.ssm.describe_maintenance_window_schedule,
                "ScheduledWindowExecutions",
                WindowId=window,
                Filters=[{"Key": "ScheduledBefore", "Values": [until.isoformat()]}],
            )
            expected[window] = sorted(execution_time(run["ExecutionTime"]) for run in runs)
        before = {window: self._execution_ids(window) for window in self.live}
        move()
        assert self.mw.clock.now() == until
        for window in self.live:
            executions = pages(
                self.ssm.describe_maintenance_window_executions, "WindowExecutions", WindowId=window
            )
            new = sorted(e["StartTime"] for e in executions if e["WindowExecutionId"] not in before[window])
            if self.after_fault:  # runs due at the instant the failed move stopped at start now
                new = [when for when in new if when != start]
            assert new == expected[window], (window, new, expected[window])
            for when in new:
                assert start < when <= until
            event("a window ran" if new else "no run")
        self.after_fault = False

    def _execution_ids(self, window: str) -> set[str]:
        if window not in self.live:
            return set()
        executions = pages(
            self.ssm.describe_maintenance_window_executions, "WindowExecutions", WindowId=window
        )
        return {e["WindowExecutionId"] for e in executions}

    # -- after every step ----------------------------------------------------------------------------------

    @invariant()
    def executions_are_consistent(self) -> None:
        """No run recorded twice, nothing stuck IN_PROGRESS, every ended invocation as the hook said."""
        now = self.mw.clock.now()
        for window in self.live:
            executions = pages(
                self.ssm.describe_maintenance_window_executions, "WindowExecutions", WindowId=window
            )
            starts = [e["StartTime"] for e in executions]
            assert len(starts) == len(set(starts)), (window, starts)
            for execution in executions:
                if execution["Status"] in ("IN_PROGRESS", "PENDING"):
                    # Every invocation takes 5 seconds: a run still going an hour later is stuck.
                    assert now - execution["StartTime"] < timedelta(hours=1), execution
                self._check_invocations(execution["WindowExecutionId"])

    def _check_invocations(self, execution_id: str) -> None:
        tasks = pages(
            self.ssm.describe_maintenance_window_execution_tasks,
            "WindowExecutionTaskIdentities",
            WindowExecutionId=execution_id,
        )
        for task in tasks:
            invocations = pages(
                self.ssm.describe_maintenance_window_execution_task_invocations,
                "WindowExecutionTaskInvocationIdentities",
                WindowExecutionId=execution_id,
                TaskId=task["TaskExecutionId"],
            )
            for invocation in invocations:
                if invocation["Status"] == "IN_PROGRESS":
                    continue
                failing = INSTANCES[1] in invocation["Parameters"]
                assert invocation["Status"] == ("FAILED" if failing else "SUCCESS"), invocation
                if failing:
                    event("an invocation failed")

    @invariant()
    def api_invariants(self) -> None:
        check_invariants(self.ssm, self.deleted)
        listed = {w["WindowId"] for w in pages(self.ssm.describe_maintenance_windows, "WindowIdentities")}
        assert listed == self.live


TestMaintenanceWindowsMachine = MaintenanceWindowsMachine.TestCase
