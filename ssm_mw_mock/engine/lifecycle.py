"""A window execution from its start to its end: priority groups, the cutoff, a cancel, alarms.

:class:`ExecutionRunner` is the middle of the simulator: above :class:`~ssm_mw_mock.engine.tasks.TaskRunner`
(one task's invocations) and below :class:`~ssm_mw_mock.engine.simulator.Simulator` (which windows run
when, and the clock move itself). It starts an execution at its scheduled instant, runs its tasks group by
group in priority order, stops starting tasks at the cutoff, carries out ``CancelMaintenanceWindowExecution``
and the stop of a task by a CloudWatch alarm, and ends the execution with its rolled-up status. The
``Source`` protocol is how the engine reads the backend's windows, plans and alarms.

Known differences from AWS: docs/known-differences.md#executions, docs/known-differences.md#cloudwatch-alarms.
"""

from __future__ import annotations

import heapq
import itertools
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..model.history import (
    CANCELLED,
    CANCELLING,
    FINAL,
    IN_PROGRESS,
    PENDING,
    SKIPPED_OVERLAPPING,
    STOP_CANCEL,
    STOP_CUTOFF,
    TIMED_OUT,
    TaskExecution,
    TaskPlan,
    WindowExecution,
    execution_result,
)
from ..model.ids import number_of
from ..timing.schedule import WindowSchedule
from .events import CUTOFF, RESUME, Cutoff, Resume, TaskRun, WindowRun
from .tasks import TaskRunner


class RunnableWindow(Protocol):
    @property
    def window_id(self) -> str: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def duration(self) -> int: ...
    @property
    def cutoff(self) -> int: ...
    @property
    def compiled(self) -> WindowSchedule: ...


class Source(Protocol):
    """What the simulator needs from the backend (which also calls ``window_scheduled`` for every window
    it creates or reschedules, and ``window_deleted`` for every window it deletes)."""

    def order(self, region: Any, window: Any) -> tuple[int, int]:
        """The window's place in the listing of every window (the region first used first, then creation
        order): runs of several windows due at one instant start in this order."""

    def still_exists(self, region: Any, window: Any) -> bool: ...

    def plan(self, region: Any, window: Any) -> list[TaskPlan]:
        """The window's tasks, lowest priority number first."""

    def record(self, region: Any, execution: WindowExecution) -> None:
        """Keep a new window execution so the execution operations can read it."""

    def alarm_state(self, region: Any, name: str) -> str | None:
        """A CloudWatch alarm's state (``ALARM``, ``OK``, ``INSUFFICIENT_DATA``); None: unreadable."""

    def alarms_live(self) -> bool:
        """Whether alarm states may change without the simulator being told (moto's CloudWatch)."""


class ExecutionRunner(TaskRunner):
    """Carries window executions from their start to their end; the simulator's middle layer."""

    _source: Source
    _live: dict[str, WindowRun]  # window id -> its running execution
    _runs: dict[str, WindowRun]  # execution id -> run, while it runs
    _until: datetime | None

    @property
    def moving(self) -> bool:
        """Whether a move is being played (so the caller is a hook, or another listener)."""
        return self._until is not None

    def cancel(self, execution: WindowExecution, now: datetime) -> None:
        """CancelMaintenanceWindowExecution: nothing new starts; running work finishes."""
        run = self._runs.get(execution.window_execution_id)
        if run is None or run.cancelled:
            return
        run.cancelled = True
        run.record.status = CANCELLING
        listener, self._listener = self._listener, None  # its events are told below, as the cancel's own
        open_tasks = [
            task.record
            for task in itertools.chain(run.active, *run.groups)
            if task.record.status not in FINAL
        ]
        try:
            self._cancel(run, now)
        finally:
            self._listener = listener
        ended = [task for task in open_tasks if task.status in FINAL]
        self.notifier.cancelled(run.region, run.record, now, ended, self.notifier.listening())

    def _cancel(self, run: WindowRun, now: datetime) -> None:
        for task in run.active:
            if task.record.status not in FINAL and task.pending:
                task.pending.clear()
                task.stop_reason = STOP_CANCEL
        # A hook may cancel while its group is still starting: tasks of that group not yet started never will.
        not_started = [task for task in run.active if task.record.status == PENDING]
        for task in itertools.chain(not_started, *run.groups):
            self._never_started(task, now, CANCELLED, "The task was cancelled before it started.")
        run.groups.clear()
        for task in run.active:
            if task.record.status not in FINAL and not task.running:
                self._finish_task(task, now)
        if all(task.record.status in FINAL for task in run.active):
            self._finish_run(run, now)

    def alarm_changed(self, region: Any, name: str, now: datetime) -> None:
        """Alarm ``name`` of ``region`` changed state (``mw.set_alarm``): stop the running tasks it stops."""
        for task in list(self._alarmed):
            config = task.plan.task.alarm_configuration or {}
            if task.run.region is not region or all(a["Name"] != name for a in config.get("Alarms") or ()):
                continue
            if self.moving:  # from a hook: the work in progress finishes first, then the run settles
                if self._check_alarms(task, now):
                    heapq.heappush(self._events, Resume(now, RESUME, next(self._order), task.run))
                continue
            # Between moves: what the stop changes is told to whatever listens now, at once.
            self._listener = self.notifier if self.notifier.listening() else None
            try:
                if self._check_alarms(task, now):
                    self._settle(task.run, now)
                if self._listener is not None:
                    self._listener.flush()
            finally:
                self._listener = None

    def _poll_alarms(self, now: datetime) -> None:
        for task in list(self._alarmed):
            if self._check_alarms(task, now):
                self._settle(task.run, now)

    def _start_run(self, region: Any, window: RunnableWindow, when: datetime) -> None:
        record = WindowExecution(
            window_execution_id=next(self._ids),
            window_id=window.window_id,
            start_time=when,
            seq=next(self._order),
        )
        self._source.record(region, record)
        if window.window_id in self._live:
            record.status = SKIPPED_OVERLAPPING
            record.status_details = "The previous execution of this maintenance window is still running."
            record.end_time = when
            if self._listener is not None:
                self._listener.execution_changed(region, record, SKIPPED_OVERLAPPING, when)
            return
        plans = self._source.plan(region, window)  # in priority order
        run = WindowRun(region, record, when + timedelta(hours=window.duration - window.cutoff))
        for _, same_priority in itertools.groupby(plans, key=lambda plan: plan.priority):
            group = [TaskRun(run, plan, self._task_record(record, plan)) for plan in same_priority]
            run.groups.append(group)
            record.tasks.extend(task.record for task in group)
        self._live[window.window_id] = run
        self._runs[record.window_execution_id] = run
        if self._listener is not None:
            self._listener.execution_changed(region, record, IN_PROGRESS, when)
        if any(plan.cutoff_behavior == "CANCEL_TASK" for plan in plans):
            heapq.heappush(self._events, Cutoff(run.cutoff_at, CUTOFF, next(self._order), run))
        self._settle(run, when)

    def _task_record(self, execution: WindowExecution, plan: TaskPlan) -> TaskExecution:
        seq = next(self._numbers) - number_of(execution.window_execution_id)  # its id, formatted on read
        return TaskExecution(execution.window_id, execution.window_execution_id, plan, seq)

    def _settle(self, run: WindowRun, now: datetime) -> None:
        """Bring ``run`` up to date at ``now``: start what may start, finish what has ended.

        It reads only the state of the run, so it is also how a move carries on work that a failed hook
        interrupted (a ``Resume`` event).
        """
        while not run.dead and run.record.status not in FINAL:
            for task in run.active:
                status = task.record.status
                if status == PENDING:  # not cancelled by a hook meanwhile
                    self._start_task(task, now)
                elif status == IN_PROGRESS:
                    self._fill(task, now)
                    if not task.running:
                        self._finish_task(task, now)
            if not all(task.record.status in FINAL for task in run.active):
                return
            if run.groups and now >= run.cutoff_at:
                for group in run.groups:
                    for task in group:
                        self._never_started(
                            task,
                            now,
                            TIMED_OUT,
                            "The task did not start before the maintenance window's cutoff.",
                        )
                run.groups.clear()
            if not run.groups:
                self._finish_run(run, now)
                return
            run.active = run.groups.popleft()

    def _cutoff(self, now: datetime, run: WindowRun) -> None:
        if run.dead or run.record.status in FINAL:
            return
        for task in run.active:
            if task.plan.cutoff_behavior != "CANCEL_TASK" or task.record.status in FINAL:
                continue
            task.pending.clear()
            task.stop_reason = STOP_CUTOFF
            if task.plan.task_type == "RUN_COMMAND":
                cancelled = list(task.running)
                for invocation in cancelled:
                    invocation.status = CANCELLED
                    invocation.status_details = "Cancelled at the maintenance window's cutoff."
                    invocation.end_time = now
                    task.running.discard(invocation)
                if self._listener is not None:
                    self._listener.invocations_changed(run.region, run.record.seq, cancelled, now)
            if not task.running:
                self._finish_task(task, now)
        if run.active and all(task.record.status in FINAL for task in run.active):
            self._settle(run, now)

    def _finish_run(self, run: WindowRun, now: datetime) -> None:
        record = run.record
        record.status, record.status_details = execution_result(record, run.cancelled)
        record.end_time = now
        if self._listener is not None:
            self._listener.execution_changed(run.region, record, record.status, now)
        self._live.pop(record.window_id, None)
        self._runs.pop(record.window_execution_id, None)
        run.active = []  # break the run <-> task cycle: reference counting frees them, no GC needed
