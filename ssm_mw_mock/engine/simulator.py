"""The simulator: as the fake clock moves, windows run.

Moving the clock plays the interval in time order. Each due run of an enabled window starts an execution
at its scheduled instant; its tasks start in priority order (lower first, equal priorities together); a
task fans out to one invocation per resolved target, at most ``MaxConcurrency`` at a time, and stops
starting new ones once ``MaxErrors`` is exceeded. The outcome of each invocation (status, duration, output)
comes from the test's hook, ``mw.on_invocation(fn)``; by default every invocation succeeds after
``DEFAULT_DURATION``. Statuses, start and end times all come from this simulated timeline.

This module knows nothing of botocore or the wire: the backend hands it windows and task plans through
the small ``Source`` protocol, so it can be tested on its own.

Known differences from AWS (SSM documents none of these; each is our policy):

- An invocation takes ``DEFAULT_DURATION`` (5 seconds, the length of the runs in AWS's tutorial) unless
  the outcome says otherwise.
- A percentage ``MaxConcurrency`` is rounded down, but is at least 1; a percentage ``MaxErrors`` is rounded
  down, so ``10%`` of 50 targets stops the task at the 6th error (as Run Command documents).
  Targets that were never started because the task stopped get no invocation.
- A failed task does not stop the tasks after it; the window execution ends ``FAILED`` with
  ``One or more tasks in the orchestration failed.``.
- A task that has not started when the cutoff (start + Duration - Cutoff hours) passes never starts: its
  task execution ends ``TIMED_OUT``, and so does the window execution. With ``CutoffBehavior=CANCEL_TASK`` a
  running task starts no new invocation at the cutoff, running Run Command invocations are cancelled
  (``CANCELLED``), other types finish, and the task ends ``TIMED_OUT``.
- Cancelling an execution lets running invocations finish and starts nothing new: tasks that had not
  started end ``CANCELLED``, as do tasks that had targets left; the execution is ``CANCELLING`` until its
  last invocation ends, then ``CANCELLED``. Cancelling a finished execution changes nothing.
- A run that falls due while the window's previous execution is still running is recorded as
  ``SKIPPED_OVERLAPPING`` at its instant, with no tasks. The quota of 5 concurrent executions per account
  is not enforced.
- A task whose targets resolve to no node succeeds with no invocations.
- Execution, task-execution, invocation and command ids are UUID-shaped (version 4) but share a random
  prefix within one mock and end in a counter, so making hundreds of thousands of them stays cheap.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..model.history import (
    CANCELLED,
    CANCELLING,
    FAILED,
    FINAL,
    IN_PROGRESS,
    INVOCATION_RESULTS,
    PENDING,
    SKIPPED_OVERLAPPING,
    SUCCESS,
    TIMED_OUT,
    Invocation,
    TargetRef,
    TaskExecution,
    WindowExecution,
)
from ..timing.schedule import WindowSchedule

DEFAULT_DURATION = timedelta(seconds=5)

_DETAILS = {SUCCESS: "Success", FAILED: "Failed", TIMED_OUT: "Timed out", CANCELLED: "Cancelled"}
_WINDOW_FAILED = "One or more tasks in the orchestration failed."
_NO_TASKS = "No tasks to execute."


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an invocation did: its final status, how long it ran, and an optional output text.

    ``output`` becomes the invocation's ``StatusDetails`` (default: ``Success``, ``Failed``, …).
    """

    status: str = SUCCESS
    duration: timedelta | None = None
    output: str | None = None

    def __post_init__(self) -> None:
        if self.status not in INVOCATION_RESULTS:
            raise ValueError(
                f"Outcome(status={self.status!r}) is not an invocation status; use one of "
                + ", ".join(sorted(INVOCATION_RESULTS))
            )
        if self.duration is not None and self.duration < timedelta(0):
            raise ValueError(f"Outcome(duration={self.duration}) must not be negative")


OutcomeHook = Callable[[Invocation], "Outcome | str | None"]


@dataclass(frozen=True, slots=True)
class TaskPlan:
    """A registered task as the simulator runs it, its targets already resolved."""

    window_task_id: str
    task_arn: str
    task_type: str
    priority: int
    max_concurrency: str
    max_errors: str
    cutoff_behavior: str
    service_role: str | None
    template: dict[str, Any]
    task_parameters: list[dict[str, Any]]
    alarm_configuration: dict[str, Any] | None
    targets: tuple[TargetRef, ...] | None  # None: a targetless task, run once


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
    """What the simulator needs from the backend."""

    def runnable_windows(self) -> Iterable[tuple[Any, RunnableWindow]]:
        """Every window of every (account, region), with an opaque key for its region."""

    def still_exists(self, region: Any, window: Any) -> bool: ...

    def plan(self, region: Any, window: Any) -> list[TaskPlan]:
        """The window's tasks, lowest priority number first."""

    def record(self, region: Any, execution: WindowExecution) -> None:
        """Keep a new window execution so the execution operations can read it."""


class _TaskRun:
    __slots__ = (
        "concurrency",
        "errors",
        "pending",
        "plan",
        "record",
        "run",
        "running",
        "stop_reason",
        "threshold",
    )

    def __init__(self, run: _WindowRun, plan: TaskPlan, record: TaskExecution) -> None:
        self.run = run
        self.plan = plan
        self.record = record
        self.pending: deque[TargetRef] = deque()
        self.running: set[Invocation] = set()
        self.errors = 0
        self.concurrency = 1
        self.threshold: int | None = None
        self.stop_reason: str | None = None  # "errors", "cutoff" or "cancel"


class _WindowRun:
    __slots__ = ("active", "cancelled", "cutoff_at", "dead", "groups", "record", "region")

    def __init__(self, region: Any, record: WindowExecution, cutoff_at: datetime) -> None:
        self.region = region
        self.record = record
        self.cutoff_at = cutoff_at
        self.groups: deque[list[_TaskRun]] = deque()
        self.active: list[_TaskRun] = []
        self.cancelled = False
        self.dead = False


# Event kinds, in the order they are played when due at the same instant: work that ends frees its
# window before a new run of that window is considered.
_END, _CUTOFF, _RUN = 0, 1, 2


class Simulator:
    """Plays clock moves: starts due runs and carries executions through to their end."""

    def __init__(self, source: Source) -> None:
        self._source = source
        self._events: list[tuple[datetime, int, int, Any]] = []
        self._order = itertools.count()
        self._live: dict[str, _WindowRun] = {}  # window id -> its running execution
        self._runs: dict[str, _WindowRun] = {}  # execution id -> run, while it runs
        self._hook: OutcomeHook | None = None
        self._now: datetime | None = None
        self._until: datetime | None = None
        self._step: Callable[[datetime], None] = lambda _: None
        # A simulated year makes hundreds of thousands of ids, so they are a random prefix per simulator
        # and a counter: UUID-shaped (version 4, variant a), unique, and one string format each. ``map``
        # over ``itertools.count`` formats them without a Python-level call per id.
        bits = f"{random.getrandbits(72):018x}"
        template = f"{bits[:8]}-{bits[8:12]}-4{bits[12:15]}-a{bits[15:18]}-{{:012x}}"
        self._ids: Iterator[str] = map(template.format, itertools.count(random.getrandbits(40)))

    # Control.

    def on_invocation(self, hook: OutcomeHook | None) -> None:
        self._hook = hook

    def reset(self) -> None:
        self._events.clear()
        self._live.clear()
        self._runs.clear()

    def advance(self, old: datetime, new: datetime, step: Callable[[datetime], None]) -> None:
        """Play ``(old, new]``: the clock listener."""
        self._step = step
        self._until = new
        self._now = old
        # A long move allocates hundreds of thousands of records that all stay alive; the cyclic GC would
        # traverse them again and again for nothing (the simulator's own cycles are broken by hand).
        # Collection resumes when the move ends.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for region, window in list(self._source.runnable_windows()):
                self._push_runs(region, window, old, new)
            events = self._events
            while events and events[0][0] <= new:
                when, kind, _, payload = heapq.heappop(events)
                if when > self._now:
                    self._now = when
                    step(when)
                if kind == _END:
                    self._end_invocations(when, *payload)
                elif kind == _RUN:
                    self._due(when, *payload)
                else:
                    self._cutoff(when, payload)
        finally:
            if gc_was_enabled:
                gc.enable()
            self._until = None
            self._now = None

    def window_scheduled(self, region: Any, window: RunnableWindow, now: datetime) -> None:
        """A window was created or its schedule changed while the clock is moving (from a hook)."""
        if self._until is not None:
            self._push_runs(region, window, now, self._until)

    def window_deleted(self, window_id: str) -> None:
        run = self._live.pop(window_id, None)
        if run is not None:
            run.dead = True
            self._runs.pop(run.record.window_execution_id, None)
            run.active = []  # break the run <-> task cycle (see _finish_run)
            run.groups.clear()

    def cancel(self, execution: WindowExecution, now: datetime) -> None:
        """CancelMaintenanceWindowExecution: nothing new starts; running work finishes."""
        run = self._runs.get(execution.window_execution_id)
        if run is None or run.cancelled:
            return
        run.cancelled = True
        run.record.status = CANCELLING
        for task in run.active:
            if task.record.status not in FINAL and task.pending:
                task.pending.clear()
                task.stop_reason = "cancel"
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

    # Scheduling.

    def _push_runs(self, region: Any, window: RunnableWindow, after: datetime, until: datetime) -> None:
        compiled = window.compiled
        runs = compiled.between(after, until)
        first = next(runs, None)
        if first is not None:
            self._push(first, _RUN, (region, window, compiled, runs))

    def _push(self, when: datetime, kind: int, payload: Any) -> None:
        heapq.heappush(self._events, (when, kind, next(self._order), payload))

    def _due(
        self,
        when: datetime,
        region: Any,
        window: RunnableWindow,
        compiled: WindowSchedule,
        runs: Iterator[datetime],
    ) -> None:
        if window.compiled is not compiled or not self._source.still_exists(region, window):
            return  # rescheduled (a fresh stream was pushed) or deleted
        if window.enabled and window.window_id not in self._live and not self._source.plan(region, window):
            self._runs_without_tasks(region, window, when, compiled, runs)
            return
        following = next(runs, None)
        if following is not None:
            self._push(following, _RUN, (region, window, compiled, runs))
        if window.enabled:
            self._start_run(region, window, when)

    def _runs_without_tasks(
        self,
        region: Any,
        window: RunnableWindow,
        when: datetime,
        compiled: WindowSchedule,
        runs: Iterator[datetime],
    ) -> None:
        """Record the due run of a window without tasks, and its following runs while nothing else is due.

        Such a run only records a SUCCESS execution, at once, and runs no test code, so nothing can change
        the window, its tasks or the other events in between: the runs that fall strictly before the next
        other event (and within this move) are recorded in a tight loop, off the heap. The clock steps to
        the last of them, as playing them one by one would leave it.
        """
        events = self._events
        until = self._until
        assert until is not None  # only called while a move is played
        record = self._source.record
        window_id = window.window_id
        ids, order = self._ids, self._order
        while True:
            record(
                region,
                WindowExecution(next(ids), window_id, when, next(order), SUCCESS, _NO_TASKS, when),
            )
            following = next(runs, None)
            if following is None:
                break
            if following > until or (events and events[0][0] <= following):
                self._push(following, _RUN, (region, window, compiled, runs))
                break
            when = following
        assert self._now is not None
        if when > self._now:
            self._now = when
            self._step(when)

    # Executions.

    def _new_id(self) -> str:
        return next(self._ids)

    def _start_run(self, region: Any, window: RunnableWindow, when: datetime) -> None:
        record = WindowExecution(
            window_execution_id=self._new_id(),
            window_id=window.window_id,
            start_time=when,
            seq=next(self._order),
        )
        self._source.record(region, record)
        if window.window_id in self._live:
            record.status = SKIPPED_OVERLAPPING
            record.status_details = "The previous execution of this maintenance window is still running."
            record.end_time = when
            return
        plans = self._source.plan(region, window)  # in priority order
        if not plans:
            record.status = SUCCESS
            record.status_details = _NO_TASKS
            record.end_time = when
            return
        run = _WindowRun(region, record, when + timedelta(hours=window.duration - window.cutoff))
        for _, same_priority in itertools.groupby(plans, key=lambda plan: plan.priority):
            group = [_TaskRun(run, plan, self._task_record(record, plan)) for plan in same_priority]
            run.groups.append(group)
            record.tasks.extend(task.record for task in group)
        self._live[window.window_id] = run
        self._runs[record.window_execution_id] = run
        if any(plan.cutoff_behavior == "CANCEL_TASK" for plan in plans):
            self._push(run.cutoff_at, _CUTOFF, run)
        self._next_group(run, when)

    def _task_record(self, execution: WindowExecution, plan: TaskPlan) -> TaskExecution:
        return TaskExecution(
            task_execution_id=self._new_id(),
            window_id=execution.window_id,
            window_execution_id=execution.window_execution_id,
            window_task_id=plan.window_task_id,
            task_arn=plan.task_arn,
            task_type=plan.task_type,
            priority=plan.priority,
            max_concurrency=plan.max_concurrency,
            max_errors=plan.max_errors,
            service_role=plan.service_role,
            task_parameters=plan.task_parameters,
            cutoff_behavior=plan.cutoff_behavior,
            alarm_configuration=plan.alarm_configuration,
            template=plan.template,
            seq=next(self._order),
        )

    def _next_group(self, run: _WindowRun, now: datetime) -> None:
        while run.groups:
            if now > run.cutoff_at:
                for group in run.groups:
                    for task in group:
                        self._never_started(
                            task,
                            now,
                            TIMED_OUT,
                            "The task did not start before the maintenance window's cutoff.",
                        )
                run.groups.clear()
                break
            run.active = run.groups.popleft()
            for task in run.active:
                if task.record.status == PENDING:  # not cancelled by a hook meanwhile
                    self._start_task(task, now)
            if not all(task.record.status in FINAL for task in run.active):
                return
        self._finish_run(run, now)

    def _never_started(self, task: _TaskRun, now: datetime, status: str, details: str) -> None:
        task.record.status = status
        task.record.status_details = details
        task.record.start_time = task.record.end_time = now

    def _start_task(self, task: _TaskRun, now: datetime) -> None:
        plan = task.plan
        record = task.record
        record.status = IN_PROGRESS
        record.start_time = now
        targets = plan.targets if plan.targets is not None else (TargetRef(None, None),)
        task.pending.extend(targets)
        total = len(targets)
        task.concurrency = max(1, _amount(plan.max_concurrency, total))
        task.threshold = _amount(plan.max_errors, total)
        self._fill(task, now)
        if not task.running:
            self._finish_task(task, now)

    def _fill(self, task: _TaskRun, now: datetime) -> None:
        if self._hook is not None:
            # The hook decides each outcome and may cancel the execution meanwhile: one at a time.
            while task.pending and len(task.running) < task.concurrency:
                self._start_invocation(task, task.pending.popleft(), now)
            return
        # Without a hook every invocation succeeds after DEFAULT_DURATION, and no test code can run before
        # they end: the invocations started together end together, as one END event for the batch. They
        # are created, and later ended, in the order one event per invocation would give.
        pending = task.pending
        count = min(len(pending), task.concurrency - len(task.running))
        if count <= 0:
            return
        record = task.record
        ids, order = self._ids, self._order
        popleft = pending.popleft
        if task.plan.task_type == "STEP_FUNCTIONS":
            batch = [
                Invocation(next(ids), self._execution_id(task.plan), record, popleft(), now, next(order))
                for _ in range(count)
            ]
        else:
            batch = [
                Invocation(next(ids), next(ids), record, popleft(), now, next(order)) for _ in range(count)
            ]
        record.invocations.extend(batch)
        task.running.update(batch)
        self._push(now + DEFAULT_DURATION, _END, (task, batch, SUCCESS, _DETAILS[SUCCESS]))

    def _start_invocation(self, task: _TaskRun, target: TargetRef, now: datetime) -> None:
        plan = task.plan
        record = task.record
        invocation = Invocation(
            self._new_id(), self._execution_id(plan), record, target, now, next(self._order)
        )
        record.invocations.append(invocation)
        task.running.add(invocation)
        status, duration, details = self._outcome(invocation)
        self._push(now + duration, _END, (task, [invocation], status, details))

    def _execution_id(self, plan: TaskPlan) -> str:
        if plan.task_type == "STEP_FUNCTIONS":
            # arn:aws:states:<region>:<account>:stateMachine:<name> runs as …:execution:<name>:<id>
            prefix, _, name = plan.task_arn.rpartition(":")
            return f"{prefix.replace(':stateMachine', ':execution')}:{name}:{self._new_id()}"
        return self._new_id()

    def _outcome(self, invocation: Invocation) -> tuple[str, timedelta, str]:
        if self._hook is None:
            return SUCCESS, DEFAULT_DURATION, _DETAILS[SUCCESS]
        try:
            answer: object = self._hook(invocation)
        except Exception as error:  # the documented way for a hook to fail an invocation
            return FAILED, DEFAULT_DURATION, str(error) or type(error).__name__
        if answer is None:
            return SUCCESS, DEFAULT_DURATION, _DETAILS[SUCCESS]
        if isinstance(answer, str):
            if answer not in INVOCATION_RESULTS:
                return FAILED, DEFAULT_DURATION, _bad_answer(answer)
            return answer, DEFAULT_DURATION, _DETAILS[answer]
        if isinstance(answer, Outcome):
            duration = DEFAULT_DURATION if answer.duration is None else answer.duration
            return (
                answer.status,
                duration,
                answer.output if answer.output is not None else _DETAILS[answer.status],
            )
        return FAILED, DEFAULT_DURATION, _bad_answer(answer)

    def _end_invocations(
        self, now: datetime, task: _TaskRun, invocations: list[Invocation], status: str, details: str
    ) -> None:
        """The END event of one invocation (with a hook), or of a batch that all succeed (without)."""
        if task.run.dead:
            return  # its window was deleted
        running = task.running
        ended = False
        for invocation in invocations:
            if invocation.status in FINAL:
                continue  # cancelled at the cutoff
            invocation.status = status
            invocation.status_details = details
            invocation.end_time = now
            running.discard(invocation)
            ended = True
        if not ended:
            return
        if status != SUCCESS:  # only ever a batch of one
            task.errors += len(invocations)
            if task.threshold is not None and task.errors > task.threshold and task.pending:
                task.pending.clear()
                task.stop_reason = task.stop_reason or "errors"
        self._fill(task, now)
        if not task.running:
            self._finish_task(task, now)
            run = task.run
            if all(other.record.status in FINAL for other in run.active):
                if run.cancelled:
                    self._finish_run(run, now)
                else:
                    self._next_group(run, now)

    def _cutoff(self, now: datetime, run: _WindowRun) -> None:
        if run.dead or run.record.status in FINAL:
            return
        for task in run.active:
            if task.plan.cutoff_behavior != "CANCEL_TASK" or task.record.status in FINAL:
                continue
            task.pending.clear()
            task.stop_reason = "cutoff"
            if task.plan.task_type == "RUN_COMMAND":
                for invocation in list(task.running):
                    invocation.status = CANCELLED
                    invocation.status_details = "Cancelled at the maintenance window's cutoff."
                    invocation.end_time = now
                    task.running.discard(invocation)
            if not task.running:
                self._finish_task(task, now)
        if run.active and all(task.record.status in FINAL for task in run.active):
            self._next_group(run, now)

    def _finish_task(self, task: _TaskRun, now: datetime) -> None:
        record = task.record
        statuses = {invocation.status for invocation in record.invocations}
        if FAILED in statuses:
            record.status, record.status_details = FAILED, "One or more invocations failed."
        elif task.stop_reason == "cutoff":
            record.status = TIMED_OUT
            record.status_details = "The task was stopped at the maintenance window's cutoff."
        elif task.stop_reason == "cancel" or CANCELLED in statuses:
            record.status, record.status_details = CANCELLED, "The task was cancelled."
        elif TIMED_OUT in statuses:
            record.status, record.status_details = TIMED_OUT, "One or more invocations timed out."
        else:
            record.status = SUCCESS
            record.status_details = None if record.invocations else "No invocations to execute."
        record.end_time = now

    def _finish_run(self, run: _WindowRun, now: datetime) -> None:
        record = run.record
        statuses = {task.status for task in record.tasks}
        if run.cancelled:
            record.status, record.status_details = (
                CANCELLED,
                "The maintenance window execution was cancelled.",
            )
        elif FAILED in statuses:
            record.status, record.status_details = FAILED, _WINDOW_FAILED
        elif TIMED_OUT in statuses:
            record.status = TIMED_OUT
            record.status_details = "One or more tasks did not finish before the maintenance window's cutoff."
        else:
            record.status, record.status_details = SUCCESS, None
        record.end_time = now
        self._live.pop(record.window_id, None)
        self._runs.pop(record.window_execution_id, None)
        run.active = []  # break the run <-> task cycle: reference counting frees them, no GC needed


def _amount(limit: str, total: int) -> int:
    """A MaxConcurrency/MaxErrors value (``"3"`` or ``"10%"``) as a count of ``total`` targets."""
    if limit.endswith("%"):
        return int(limit[:-1]) * total // 100
    return int(limit)


def _bad_answer(answer: object) -> str:
    return (
        f"on_invocation returned {answer!r}; return None, a status "
        f"({', '.join(sorted(INVOCATION_RESULTS))}) or an ssm_mw_mock.Outcome"
    )
