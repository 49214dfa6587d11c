"""Running one task of a window execution: its invocations, at most ``MaxConcurrency`` at a time.

A task fans out to one invocation per resolved target and stops starting new ones once ``MaxErrors`` is
exceeded; each invocation's outcome comes from the test's hook (``outcomes.decide``), or, without a hook,
all succeed after ``DEFAULT_DURATION``, started and ended in batches. This is the half of the simulator
below the window execution; :class:`~ssm_mw_mock.engine.simulator.Simulator` builds on it.

A task registered with several window targets runs them one after another, in the order its ``Targets``
name their ``WindowTargetIds`` (SSM: "its task invocations occur sequentially and not in parallel"): the
invocations of the next window target start when every invocation of the previous one has ended.
``MaxConcurrency`` applies within each window target (a percentage of that window target's instances);
``MaxErrors`` counts the errors of the whole task (a percentage of all its instances), so once it is
exceeded no later window target starts.

A task with an ``AlarmConfiguration`` reads its alarms when it starts and, while it runs, whenever their
states may have changed (``Simulator.alarm_changed``, and at each instant a move plays while moto's
CloudWatch is the source). An alarm in ``ALARM``, or one whose state cannot be read unless
``IgnorePollAlarmFailure`` is set, stops the task: nothing more starts, running Run Command and Automation
invocations are cancelled at that instant, Lambda and Step Functions invocations finish, and the task ends
``CANCELLED`` with the alarms in ``TriggeredAlarms``. Tasks without alarms pay nothing for this.

Known differences from AWS: docs/known-differences.md#executions,
docs/known-differences.md#cloudwatch-alarms.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from ..model.history import (
    ALARM,
    CANCELLED,
    FINAL,
    IN_PROGRESS,
    STOP_ALARM,
    STOP_ERRORS,
    SUCCESS,
    UNKNOWN,
    Invocation,
    TargetRef,
    TaskPlan,
    task_result,
)
from ..model.ids import number_of
from .events import END, RESUME, Event, InvocationsEnd, Resume, TaskRun, WindowRun
from .notify import Notifier
from .outcomes import DEFAULT_DURATION, DETAILS, OutcomeHook, decide

_new_tuple = tuple.__new__
_SUCCESS_DETAILS = DETAILS[SUCCESS]
#: Task types whose running invocations an alarm cancels (Run Command and Automation watch alarms
#: themselves); a Lambda function or a state machine already invoked runs to its end.
_CANCELLED_BY_ALARM = frozenset({"RUN_COMMAND", "AUTOMATION"})
_ALARM_CANCELLED = "Cancelled because a CloudWatch alarm of the task stopped it."


class TaskRunner:
    """Starts, fills and ends the tasks of running executions; the simulator's lower half."""

    _events: list[Event]
    _order: Iterator[int]
    _ids: Iterator[str]
    #: The counter behind ``_ids``: an invocation keeps its ids as numbers (``Invocation.seq``).
    _numbers: Iterator[int]
    #: The end instant last given to an invocation started one at a time: an equal one reuses it.
    _last_end: datetime | None = None
    _hook: OutcomeHook | None
    notifier: Notifier
    #: ``notifier`` while something listens to events, else None: every emission checks this once.
    _listener: Notifier | None
    #: Bring a run up to date at an instant: the simulator's, which owns the execution's priority groups.
    _settle: Callable[[WindowRun, datetime], None]
    #: An alarm's state in a region (``"ALARM"``, ``"OK"``, ``"INSUFFICIENT_DATA"``), None if unreadable.
    _alarm_state: Callable[[Any, str], str | None]
    #: The running tasks that have alarms to watch.
    _alarmed: set[TaskRun]

    def _never_started(self, task: TaskRun, now: datetime, status: str, details: str) -> None:
        task.record.status = status
        task.record.status_details = details
        task.record.start_time = task.record.end_time = now
        self.notifier.task_never_started(task.record)  # rare: events must not show it starting
        if self._listener is not None:
            self._listener.task_changed(task.run.region, task.run.record.seq, task.record, now)

    def _start_task(self, task: TaskRun, now: datetime) -> None:
        plan = task.plan
        record = task.record
        record.status = IN_PROGRESS
        record.start_time = now
        if self._listener is not None:
            self._listener.task_changed(task.run.region, task.run.record.seq, record, now)
        if plan.task.alarm_configuration is not None:
            triggered = self._triggered(task)
            if triggered:
                record.triggered_alarms = triggered
                task.stop_reason = STOP_ALARM
                self._finish_task(task, now)
                return
            self._alarmed.add(task)
        targets = plan.targets if plan.targets is not None else (TargetRef(None, None),)
        task.pending.extend(targets)
        task.group_left = 0  # _fill opens the first window target
        task.threshold = _amount(plan.max_errors, len(targets))
        self._fill(task, now)
        if not task.running:
            self._finish_task(task, now)

    def _fill(self, task: TaskRun, now: datetime) -> None:
        pending = task.pending
        if not task.group_left and pending:
            if task.running:
                return  # the next window target waits for every invocation of this one to end
            _open_group(task)
        if self._hook is not None:
            # The hook decides each outcome and may cancel the execution meanwhile: one at a time.
            while pending and task.group_left and len(task.running) < task.concurrency:
                task.group_left -= 1
                self._start_invocation(task, now)
            return
        # Without a hook every invocation succeeds after DEFAULT_DURATION, and no test code can run before
        # they end: the invocations started together end together, as one END event for the batch. They
        # are created, and later ended, in the order one event per invocation would give.
        count = min(len(pending), task.group_left, task.concurrency - len(task.running))
        if count <= 0:
            return
        task.group_left -= count
        record = task.record
        numbers, base = self._numbers, number_of(record.window_execution_id)
        popleft = pending.popleft
        if task.step_functions:
            batch = [
                Invocation(next(numbers) - base, record, popleft(), now, self._execution_id(task.plan))
                for _ in range(count)
            ]
        else:
            # Each invocation draws two ids, its own and then its command's: the batch draws 2 * count.
            first = next(numbers) - base
            next(islice(numbers, 2 * count - 2, None))
            seqs = range(first, first + 2 * count, 2)
            batch = [Invocation(seq, record, popleft(), now, None) for seq in seqs]
        record.invocations.extend(batch)
        task.running.update(batch)
        if self._listener is not None:
            self._listener.invocations_changed(task.run.region, task.run.record.seq, batch, now)
        # tuple.__new__ builds the named tuple without its Python-level __new__: this is the hot event.
        end = (now + DEFAULT_DURATION, END, next(self._order), task, batch, SUCCESS, _SUCCESS_DETAILS)
        heapq.heappush(self._events, _new_tuple(InvocationsEnd, end))

    def _start_invocation(self, task: TaskRun, now: datetime) -> None:
        target = task.pending.popleft()
        record = task.record
        seq = next(self._numbers) - number_of(record.window_execution_id)
        invocation = Invocation(seq, record, target, now, self._execution_id(task.plan))
        # Registered before the hook runs: a hook that cancels the execution sees it running.
        record.invocations.append(invocation)
        task.running.add(invocation)
        hook = self._hook
        if hook is None:  # a previous hook of this move turned hooks off
            status, duration, details = SUCCESS, DEFAULT_DURATION, DETAILS[SUCCESS]
        else:
            try:
                status, duration, details = decide(hook, invocation)
            except BaseException:
                self._take_back(task, invocation, target, now)
                raise
        end = now + duration
        last = self._last_end
        if last is not None and end == last and end.tzinfo is last.tzinfo:
            end = last  # invocations that end together share their end_time, as a batch's do
        else:
            self._last_end = end
        if self._listener is not None:
            self._listener.invocations_changed(task.run.region, task.run.record.seq, [invocation], now)
        heapq.heappush(
            self._events, InvocationsEnd(end, END, next(self._order), task, [invocation], status, details)
        )

    def _take_back(self, task: TaskRun, invocation: Invocation, target: TargetRef, now: datetime) -> None:
        """Undo the start of an invocation whose hook failed, and carry on from there at the next move."""
        invocations = task.record.invocations
        if invocations and invocations[-1] is invocation:
            invocations.pop()
        task.running.discard(invocation)
        if task.stop_reason is None and task.record.status == IN_PROGRESS:
            task.pending.appendleft(target)  # still to start (unless the hook cancelled meanwhile)
            task.group_left += 1
        heapq.heappush(self._events, Resume(now, RESUME, next(self._order), task.run))

    def _execution_id(self, plan: TaskPlan) -> str | None:
        """The execution id of an invocation whose own id was just drawn; None for the plain form.

        The plain form is the id drawn right after the invocation's: it is drawn here but formatted only
        when read (``Invocation.execution_id``), and the batch path of ``_fill`` draws it the same way.
        """
        if plan.task_type == "STEP_FUNCTIONS":
            # arn:aws:states:<region>:<account>:stateMachine:<machine> runs as
            # arn:aws:states:<region>:<account>:execution:<machine>:<name>, the name being
            # StepFunctions.Name when the task gives one (as registered), else a fresh id.
            prefix, _, machine = plan.task_arn.rpartition(":")
            given = plan.template.get("Name")
            name = given if isinstance(given, str) and given else next(self._ids)
            return f"{prefix.replace(':stateMachine', ':execution')}:{machine}:{name}"
        next(self._numbers)
        return None

    def _end_invocations(self, event: InvocationsEnd) -> None:
        """One invocation ends (with a hook), or a batch that all succeed (without)."""
        now, _, _, task, invocations, status, details = event
        if task.run.dead:
            return  # its window was deleted
        running = task.running
        ended = False
        listener = self._listener
        if listener is not None:
            fresh = [invocation for invocation in invocations if invocation.status not in FINAL]
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
        if listener is not None:
            listener.invocations_changed(task.run.region, task.run.record.seq, fresh, now)
        if status != SUCCESS:  # only ever a batch of one
            task.errors += len(invocations)
            if task.threshold is not None and task.errors > task.threshold and task.pending:
                task.pending.clear()
                task.stop_reason = task.stop_reason or STOP_ERRORS
        self._fill(task, now)
        if task.running:
            return  # nothing else of the execution changes while this task still runs
        self._settle(task.run, now)

    def _finish_task(self, task: TaskRun, now: datetime) -> None:
        record = task.record
        record.status, record.status_details = task_result(record, task.stop_reason)
        record.end_time = now
        if self._listener is not None:
            self._listener.task_changed(task.run.region, task.run.record.seq, record, now)
        if self._alarmed:
            self._alarmed.discard(task)

    # Alarms.

    def _triggered(self, task: TaskRun) -> list[dict[str, str]]:
        """The task's alarms that stop it now: in ALARM, or unreadable unless the task ignores that."""
        config = task.plan.task.alarm_configuration or {}
        ignore_failure = bool(config.get("IgnorePollAlarmFailure"))
        triggered = []
        for alarm in config.get("Alarms") or ():
            state = self._alarm_state(task.run.region, alarm["Name"])
            if state == ALARM:
                triggered.append({"Name": alarm["Name"], "State": ALARM})
            elif state is None and not ignore_failure:
                triggered.append({"Name": alarm["Name"], "State": UNKNOWN})
        return triggered

    def _check_alarms(self, task: TaskRun, now: datetime) -> bool:
        """Stop ``task`` at ``now`` if one of its alarms says so; whether it did. The caller settles."""
        if task.run.dead or task.record.status in FINAL:
            self._alarmed.discard(task)
            return False
        triggered = self._triggered(task)
        if not triggered:
            return False
        self._alarmed.discard(task)
        task.record.triggered_alarms = triggered
        task.pending.clear()
        if task.stop_reason in (None, STOP_ERRORS):
            task.stop_reason = STOP_ALARM
        if task.plan.task_type in _CANCELLED_BY_ALARM:
            cancelled = list(task.running)
            for invocation in cancelled:
                invocation.status = CANCELLED
                invocation.status_details = _ALARM_CANCELLED
                invocation.end_time = now
                task.running.discard(invocation)
            if self._listener is not None:
                self._listener.invocations_changed(task.run.region, task.run.record.seq, cancelled, now)
        return True


def _open_group(task: TaskRun) -> None:
    """Let the next window target's instances (those at the head of ``pending``) start.

    It walks that window target's instances once, so a task costs one walk of its targets in all.
    """
    pending = task.pending
    window_target_id = pending[0].window_target_id
    if window_target_id is not None and pending[-1].window_target_id == window_target_id:
        # A window target's instances are contiguous (planning adds them together, each instance once):
        # the same window target first and last means it is the only one left. The usual case, in O(1).
        size = len(pending)
    else:
        same = itertools.takewhile(lambda ref: ref.window_target_id == window_target_id, pending)
        size = sum(1 for _ in same)
    task.group_left = size
    task.concurrency = max(1, _amount(task.plan.max_concurrency, size))


def _amount(limit: str, total: int) -> int:
    """A MaxConcurrency/MaxErrors value (``"3"`` or ``"10%"``) as a count of ``total`` targets."""
    if limit.endswith("%"):
        return int(limit[:-1]) * total // 100
    return int(limit)
