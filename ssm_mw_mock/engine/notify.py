"""When EventBridge events happen, and who hears them: derived from the records, or live.

Events are cheap when nobody listens. Those of executions, task executions and invocations are not
stored: :func:`derive` reads them back from the execution records (``model/history.py``), which hold every
start, end and final status. Only what the records do not hold is kept here, and it is rare: the events
of API calls (target registration, window state), the cancels of executions (``CancelNote``) and the
tasks that never started. While something listens (``mw.on_event``, or moto's event bus), the simulator
also hands each change to the :class:`Notifier` as it happens, which delivers it at the end of its
instant. The events themselves are built in ``engine/eventbridge.py``.

Order: by time; within one instant, first what the simulator played, grouped by execution in the order
the executions started, each execution's changes in the order they happen (the execution starts, then
each task in priority order with its invocations, then the execution ends); then what API calls (and
hooks' calls) did, in the order of the calls. The live stream and :func:`derive` use the same sort key,
so both give the same events in the same order.

Known differences from AWS: docs/known-differences.md#eventbridge-events.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..model.history import FINAL, SKIPPED_OVERLAPPING, Invocation, TaskExecution, WindowExecution
from ..model.store import RegionState
from .eventbridge import (
    CANCELLING,
    MaintenanceWindowEvent,
    execution_event,
    invocation_event,
    make,
    stamp,
    task_event,
    window_arn,
)
from .outcomes import HookError

#: The sort key of an event: (time, tier, group, position). Tier 0 is what the simulator played (group:
#: the execution's ``seq``), tier 1 what API calls did (group: the call's ordinal).
Key = tuple[datetime, int, int, tuple[int, ...]]
EventHook = Callable[["MaintenanceWindowEvent"], object]


@dataclass(slots=True)
class CancelNote:
    """What a cancel did at once: the instant, its ordinal, and the records it ended then."""

    when: datetime
    ordinal: int
    tasks: frozenset[str]  # task execution ids it ended
    ended: bool  # whether it ended the execution


# Sort keys: the position of a change within its execution at one instant.

_EXEC_START: tuple[int, ...] = (0,)
_EXEC_END: tuple[int, ...] = (2,)
_CANCELLING: tuple[int, ...] = (-1,)


def _task_start(task: TaskExecution) -> tuple[int, ...]:
    return (1, task.seq, 0)


def _task_end(task: TaskExecution) -> tuple[int, ...]:
    return (1, task.seq, 2)


def _invocation_at(invocation: Invocation, end: int) -> tuple[int, ...]:
    return (1, invocation.task.seq, 1, invocation.seq, end)


# Reading events back from the records.


def derive(
    states: Iterable[RegionState],
    notes: Mapping[str, CancelNote],
    never_started: Iterable[str],
    logged: Iterable[tuple[Key, RegionState, MaintenanceWindowEvent]],
) -> list[MaintenanceWindowEvent]:
    """Every event of the windows the states hold, in order (see the module's docstring)."""
    not_started = set(never_started)
    keyed: list[tuple[Key, MaintenanceWindowEvent]] = []
    add = keyed.append
    for region in states:
        for record in list(region.executions.values()):
            for key, event in _execution_events(
                region, record, notes.get(record.window_execution_id), not_started
            ):
                add((key, event))
    for key, region, event in logged:
        if event.window_id in region.windows:
            add((key, event))
    keyed.sort(key=_first)
    return [event for _, event in keyed]


def _first(pair: tuple[Key, MaintenanceWindowEvent]) -> Key:
    return pair[0]


def _execution_events(
    region: RegionState, record: WindowExecution, note: CancelNote | None, not_started: set[str]
) -> Iterator[tuple[Key, MaintenanceWindowEvent]]:
    seq = record.seq
    start = record.start_time
    if record.status == SKIPPED_OVERLAPPING:
        yield (start, 0, seq, _EXEC_END), execution_event(region, record, SKIPPED_OVERLAPPING, start)
        return
    yield (start, 0, seq, _EXEC_START), execution_event(region, record, "IN_PROGRESS", start)
    if note is not None:
        yield (
            (note.when, 1, note.ordinal, _CANCELLING),
            execution_event(region, record, CANCELLING, note.when),
        )
    for task in record.tasks:
        by_cancel = note is not None and task.task_execution_id in note.tasks
        if task.start_time is not None and task.task_execution_id not in not_started:
            yield (
                (task.start_time, 0, seq, _task_start(task)),
                task_event(region, task, "IN_PROGRESS", task.start_time),
            )
        for invocation in task.invocations:
            yield (
                (invocation.start_time, 0, seq, _invocation_at(invocation, 0)),
                invocation_event(region, invocation, "IN_PROGRESS", invocation.start_time),
            )
            if invocation.status in FINAL and invocation.end_time is not None:
                yield (
                    (invocation.end_time, 0, seq, _invocation_at(invocation, 1)),
                    invocation_event(region, invocation, invocation.status, invocation.end_time),
                )
        if task.status in FINAL and task.end_time is not None:
            key: Key = (
                (task.end_time, 1, note.ordinal, _task_end(task))
                if by_cancel and note is not None
                else (task.end_time, 0, seq, _task_end(task))
            )
            yield key, task_event(region, task, task.status, task.end_time)
    if record.status in FINAL and record.end_time is not None:
        end_key: Key = (
            (record.end_time, 1, note.ordinal, _EXEC_END)
            if note is not None and note.ended
            else (record.end_time, 0, seq, _EXEC_END)
        )
        yield end_key, execution_event(region, record, record.status, record.end_time)


# The live stream.


@dataclass(slots=True)
class Sink:
    """Somewhere events go while ``active()`` says so (moto's event bus)."""

    active: Callable[[], bool]
    put: Callable[[list[MaintenanceWindowEvent]], None]


@dataclass(slots=True)
class Notifier:
    """Keeps what the records do not hold, and delivers events live while something listens.

    The simulator calls the ``*_changed`` methods (only while :meth:`listening`); API operations call
    :meth:`api_event`. Changes are buffered and delivered by :meth:`flush` at the end of their instant,
    sorted by the same key :func:`derive` uses.
    """

    moving: Callable[[], bool] = lambda: False
    hook: EventHook | None = None
    sinks: list[Sink] = field(default_factory=list)
    notes: dict[str, CancelNote] = field(default_factory=dict)
    never_started: set[str] = field(default_factory=set)
    logged: list[tuple[Key, RegionState, MaintenanceWindowEvent]] = field(default_factory=list)
    _buffer: list[tuple[Key, MaintenanceWindowEvent]] = field(default_factory=list)
    _ordinals: Iterator[int] = field(default_factory=itertools.count)

    def listening(self) -> bool:
        """Whether anything wants events now: a hook, or an active sink."""
        return self.hook is not None or any(sink.active() for sink in self.sinks)

    def reset(self) -> None:
        self.notes.clear()
        self.never_started.clear()
        self.logged.clear()
        self._buffer.clear()

    def events(self, states: Iterable[RegionState]) -> list[MaintenanceWindowEvent]:
        return derive(states, self.notes, self.never_started, self.logged)

    # What the simulator reports (only while listening).

    def execution_changed(
        self, region: RegionState, record: WindowExecution, status: str, when: datetime
    ) -> None:
        position = _EXEC_START if status == "IN_PROGRESS" else _EXEC_END
        self._buffer.append(((when, 0, record.seq, position), execution_event(region, record, status, when)))

    def task_changed(self, region: RegionState, seq: int, record: TaskExecution, when: datetime) -> None:
        """A task execution of the execution numbered ``seq`` started, or ended (never started, too)."""
        status = record.status
        position = _task_start(record) if status == "IN_PROGRESS" else _task_end(record)
        self._buffer.append(((when, 0, seq, position), task_event(region, record, status, when)))

    def invocations_changed(
        self, region: RegionState, seq: int, records: Iterable[Invocation], when: datetime
    ) -> None:
        """Invocations of the execution numbered ``seq`` started, or ended."""
        buffer = self._buffer
        for record in records:
            status = record.status
            position = _invocation_at(record, 0 if status == "IN_PROGRESS" else 1)
            buffer.append(((when, 0, seq, position), invocation_event(region, record, status, when)))

    # What the simulator records whether or not anything listens (rare).

    def task_never_started(self, record: TaskExecution) -> None:
        self.never_started.add(record.task_execution_id)

    def cancelled(
        self,
        region: RegionState,
        record: WindowExecution,
        when: datetime,
        tasks: list[TaskExecution],
        listening: bool,
    ) -> None:
        note = CancelNote(
            when, next(self._ordinals), frozenset(t.task_execution_id for t in tasks), record.status in FINAL
        )
        self.notes[record.window_execution_id] = note
        if not listening:
            return
        buffer = self._buffer
        buffer.append(
            ((when, 1, note.ordinal, _CANCELLING), execution_event(region, record, CANCELLING, when))
        )
        for task in tasks:
            buffer.append(
                ((when, 1, note.ordinal, _task_end(task)), task_event(region, task, task.status, when))
            )
        if note.ended:
            buffer.append(
                ((when, 1, note.ordinal, _EXEC_END), execution_event(region, record, record.status, when))
            )
        if not self.moving():
            self.flush()

    # API calls.

    def api_event(
        self, region: RegionState, detail_type: str, when: datetime, detail: dict[str, str], *extra: str
    ) -> None:
        """Record the event of an API call, and deliver it now if something listens (or with its instant)."""
        ordinal = next(self._ordinals)
        resources = (window_arn(region, detail["window-id"]), *extra)
        event = make(region, detail_type, when, resources, detail, str(ordinal), *detail.values())
        key: Key = (when, 1, ordinal, ())
        self.logged.append((key, region, event))
        if self.listening():
            self._buffer.append((key, event))
            if not self.moving():
                self.flush()

    # Delivery.

    def flush(self) -> None:
        """Deliver the buffered events in order: the hook first, then the active sinks.

        A hook that raises gets the same event again at the next flush (the rest wait with it), and the
        exception reaches whoever moved the clock or made the call, as a ``HookError``.
        """
        buffer = self._buffer
        if not buffer:
            return
        buffer.sort(key=_first)
        sinks = [sink for sink in self.sinks if sink.active()]
        delivered = 0
        try:
            for _, event in buffer:
                hook = self.hook
                if hook is not None:
                    try:
                        hook(event)
                    except Exception as exc:
                        message = (
                            f"the on_event hook raised {exc!r} for {event.detail_type} "
                            f"{event.status} of {event.window_id} at {stamp(event.time)}"
                        )
                        raise EventHookError(message, event) from exc
                for sink in sinks:
                    sink.put([event])
                delivered += 1
        finally:
            del buffer[:delivered]


class EventHookError(HookError):
    """The ``on_event`` hook raised: raised out of the move (or the API call) that made the event.

    The event stays first in line, so the hook gets it again at the next delivery; ``event`` is it.
    """

    # An event of an API call has no execution, and no event names a task or target: None there.
    window_execution_id: str | None  # type: ignore[assignment]
    window_task_id: str | None  # type: ignore[assignment]

    def __init__(self, message: str, event: MaintenanceWindowEvent) -> None:
        Exception.__init__(self, message)
        self.event = event
        self.window_id = event.window_id
        self.window_execution_id = event.detail.get("window-execution-id")
        self.window_task_id = None
        self.target_id = None
        self.start_time = event.time
