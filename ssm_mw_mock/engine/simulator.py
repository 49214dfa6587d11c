"""The simulator: as the fake clock moves, windows run.

Moving the clock plays the interval in time order. Each due run of an enabled window starts an execution
at its scheduled instant; its tasks start in priority order (lower first, equal priorities together); a
task fans out to one invocation per resolved target, at most ``MaxConcurrency`` at a time, and stops
starting new ones once ``MaxErrors`` is exceeded. The outcome of each invocation (status, duration, output)
comes from the test's hook, ``mw.on_invocation(fn)``; by default every invocation succeeds after
``DEFAULT_DURATION``. Statuses, start and end times all come from this simulated timeline.

This module knows nothing of botocore or the wire: the backend hands it windows and task plans through
the small ``Source`` protocol, so it can be tested on its own.

Known differences from AWS: docs/known-differences.md#executions.

When the hook raises (or answers something that is not an outcome), the move stops at that invocation:
it is taken back (no record of it remains, its target is next again), a ``Resume`` event at that
instant carries on the interrupted work at the next move, and the runs of windows this move had queued
past that instant are dropped, to be queued again by the next move. The clock stands at that instant.

While something listens to EventBridge events (``mw.on_event``, moto's bus), each change of state is also
handed to the notifier (``engine/notify.py``), which delivers an instant's events before the clock leaves
it; otherwise the events are read back from the records when asked, and the moves pay one ``None`` check
per change. An ``on_event`` hook that raises stops the move the same way, before the clock leaves the
instant.

Between moves each window's next run is kept on the ``Agenda`` (``engine/agenda.py``): the backend says
when a window is created, rescheduled or deleted (``window_scheduled``, ``window_deleted``), and a move
takes off the agenda only the windows due within it, so a move with nothing due costs O(log windows).
"""

from __future__ import annotations

import gc
import heapq
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ..model.history import (
    IN_PROGRESS,
    SUCCESS,
    WindowExecution,
)
from ..model.ids import IdSource
from ..timing.schedule import WindowSchedule
from .agenda import Agenda, NextRun
from .events import (
    CUTOFF,
    END,
    RUN,
    Event,
    RunDue,
    TaskRun,
    WindowRun,
)
from .lifecycle import ExecutionRunner, RunnableWindow, Source
from .notify import Notifier
from .outcomes import OutcomeHook

_NO_TASKS = "No tasks to execute."
_NO_STREAM: Iterator[datetime] = iter(())


class Simulator(ExecutionRunner):
    """Plays clock moves: starts due runs and carries executions through to their end."""

    def __init__(self, source: Source, ids: IdSource | None = None) -> None:
        self._source = source
        self._events: list[Event] = []
        self._order = itertools.count()
        self._live: dict[str, WindowRun] = {}  # window id -> its running execution
        self._runs: dict[str, WindowRun] = {}  # execution id -> run, while it runs
        self._hook: OutcomeHook | None = None
        self._now: datetime | None = None
        self._until: datetime | None = None
        self._step: Callable[[datetime], None] = lambda _: None
        ids = ids or IdSource()
        self._ids: Iterator[str] = ids.executions
        self._numbers = ids.numbers
        #: Keeps the rare facts events need, and delivers events while something listens (engine/notify.py).
        self.notifier = Notifier(moving=lambda: self.moving)
        self._listener: Notifier | None = None  # the notifier while something listens: one cheap check
        self._agenda = Agenda(source.order)
        self._alarm_state = source.alarm_state
        self._alarmed: set[TaskRun] = set()

    # Control.

    def on_invocation(self, hook: OutcomeHook | None) -> None:
        self._hook = hook

    def reset(self) -> None:
        if self.moving:
            raise RuntimeError(
                "reset() cannot be called while the clock moves (from an on_invocation hook): the move "
                "is playing the state it would forget. Reset after the move returns."
            )
        self._events.clear()
        self._live.clear()
        self._runs.clear()
        self.notifier.reset()
        self._agenda.clear()
        self._alarmed.clear()

    def advance(self, old: datetime, new: datetime, step: Callable[[datetime], None]) -> None:
        """Play ``(old, new]``: the clock listener. If it raises, the clock stands where it stopped."""
        self._step = step  # (never nested: the clock refuses a move from inside a move)
        self._until = new
        self._now = old
        # A long move allocates hundreds of thousands of records that all stay alive; the cyclic GC would
        # traverse them again and again for nothing (the simulator's own cycles are broken by hand).
        # Collection resumes when the move ends.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        self._listener = self.notifier if self.notifier.listening() else None
        taken: NextRun | None = None
        event: Event | None = None
        try:
            # Only the windows due within the move leave the agenda (in (when, order) order, so runs due
            # at one instant are queued in the windows' listing order).
            pop_due = self._agenda.pop_due
            while (taken := pop_due(new)) is not None:
                self._push_runs(taken.region, taken.window, old, new)
            # moto's alarms can change between moves and between events: read at each instant played.
            polled = self._source.alarms_live()
            if polled and self._alarmed:
                self._poll_alarms(old)
            events = self._events
            while events and events[0][0] <= new:
                if self._listener is not None and events[0][0] > self._now:
                    # The instant's events go before the clock leaves it; if the hook raises, the next
                    # event stays queued, unplayed, for the next move.
                    self._listener.flush()
                event = heapq.heappop(events)
                when = event[0]
                if when > self._now:
                    self._now = when
                    step(when)
                    if polled and self._alarmed:
                        self._poll_alarms(when)
                rank = event[1]
                if rank == END:
                    self._end_invocations(event)  # type: ignore[arg-type]
                elif rank == RUN:
                    self._due(event)  # type: ignore[arg-type]
                elif rank == CUTOFF:
                    self._cutoff(when, event[3])  # type: ignore[arg-type]
                else:
                    self._settle(event[3], when)  # type: ignore[arg-type]
            if self._listener is not None:
                self._listener.flush()
        except BaseException:
            # The agenda entry being queued, or the run being played before its followers were queued,
            # keep their windows' next runs (after the instant the move stopped at).
            if taken is not None:
                self._agenda.put_back(taken)
            if isinstance(event, RunDue):
                self._agenda.keep_after(event, self._now)
            self._stop_runs_after(self._now)
            raise
        finally:
            if gc_was_enabled:
                gc.enable()
            self._until = None
            self._now = None

    def window_scheduled(self, region: Any, window: RunnableWindow, now: datetime) -> None:
        """A window was created or its schedule changed at ``now``: its runs after ``now`` are to come.

        During a move (from a hook) those up to the move's end are queued at once.
        """
        if self._until is not None:
            self._push_runs(region, window, now, self._until)
        else:
            compiled = window.compiled
            self._agenda.arm(region, window, compiled, compiled.next_after(now))

    def window_deleted(self, window_id: str) -> None:
        self._agenda.forget(window_id)
        run = self._live.pop(window_id, None)
        if run is not None:
            run.dead = True
            self._alarmed.difference_update(run.active)
            self._runs.pop(run.record.window_execution_id, None)
            run.active = []  # break the run <-> task cycle (see _finish_run)
            run.groups.clear()

    # Scheduling.

    def _push_runs(self, region: Any, window: RunnableWindow, after: datetime, until: datetime) -> None:
        """Queue the window's runs in ``(after, until]``; without any, keep its next run on the agenda."""
        compiled = window.compiled
        runs = compiled.between(after, until)
        first = next(runs, None)
        if first is None:
            self._agenda.arm(region, window, compiled, compiled.next_after(until))
        else:
            self._queue(first, region, window, compiled, runs)

    def _queue(
        self,
        when: datetime,
        region: Any,
        window: RunnableWindow,
        compiled: WindowSchedule,
        runs: Iterator[datetime],
    ) -> None:
        """Queue the window's run at ``when``; its event carries the window's runs from now on."""
        event = RunDue(when, RUN, next(self._order), region, window, compiled, runs)
        self._agenda.hand_over(window.window_id, event)
        heapq.heappush(self._events, event)

    def _stop_runs_after(self, instant: datetime) -> None:
        """After a failed move: forget the runs this move queued past ``instant`` (their windows' next
        runs go back on the agenda, for the next move to queue again), and let those due at ``instant``
        itself queue no followers (their windows' next runs after ``instant`` go on the agenda)."""
        kept: list[Event] = []
        for event in self._events:
            if isinstance(event, RunDue):
                if event.when > instant:
                    self._agenda.keep(event, event.when)
                    continue
                self._agenda.keep_after(event, instant)
                event = event._replace(runs=_NO_STREAM)
            kept.append(event)
        heapq.heapify(kept)
        self._events[:] = kept

    def _due(self, event: RunDue) -> None:
        when, _, _, region, window, compiled, runs = event
        if window.compiled is not compiled or not self._source.still_exists(region, window):
            return  # rescheduled (a fresh stream was pushed) or deleted
        if window.enabled and window.window_id not in self._live and not self._source.plan(region, window):
            if self._runs_without_tasks(region, window, when, compiled, runs):
                self._agenda.keep_after(event, self._until)
            return
        following = next(runs, None)
        if following is not None:
            self._queue(following, region, window, compiled, runs)
        else:
            self._agenda.keep_after(event, self._until)
        if window.enabled:
            self._start_run(region, window, when)

    def _runs_without_tasks(
        self,
        region: Any,
        window: RunnableWindow,
        when: datetime,
        compiled: WindowSchedule,
        runs: Iterator[datetime],
    ) -> bool:
        """Record the due run of a window without tasks, and its following runs while nothing else is due.

        Such a run only records a SUCCESS execution, at once, and runs no test code, so nothing can change
        the window, its tasks or the other events in between: the runs that fall strictly before the next
        other event (and within this move) are recorded in a tight loop, off the heap. The clock steps to
        the last of them, as playing them one by one would leave it. Returns whether ``runs`` ended.
        """
        events = self._events
        until = self._until
        assert until is not None  # only called while a move is played
        record = self._source.record
        window_id = window.window_id
        ids, order = self._ids, self._order
        listener = self._listener
        while True:
            execution = WindowExecution(next(ids), window_id, when, next(order), SUCCESS, _NO_TASKS, when)
            record(region, execution)
            if listener is not None:
                listener.execution_changed(region, execution, IN_PROGRESS, when)
                listener.execution_changed(region, execution, SUCCESS, when)
            following = next(runs, None)
            if following is None:
                break
            # While something listens, one run at a time: the clock steps to each before its events go.
            if following > until or (events and events[0][0] <= following) or listener is not None:
                self._queue(following, region, window, compiled, runs)
                break
            when = following
        assert self._now is not None
        if when > self._now:
            self._now = when
            self._step(when)
        return following is None
