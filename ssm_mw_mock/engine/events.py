"""What is in flight while windows run: the running executions and the events the simulator plays.

An event is a small named tuple, one type per kind, ordered by ``(when, rank, seq)``: by instant, then
by kind (``RANK``), then by creation. ``seq`` is unique, so two events never compare their payloads.
At one instant the kinds play in rank order: the rest of an interrupted invocation start first, then work
that ends (freeing its window), then cutoffs, then new runs of windows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

from ..model.history import Invocation, TargetRef, TaskExecution, TaskPlan, WindowExecution
from ..timing.schedule import WindowSchedule

RESUME, END, CUTOFF, RUN = 0, 1, 2, 3


class Resume(NamedTuple):
    """Carry on starting the work of ``run`` that a failed hook interrupted at ``when``."""

    when: datetime
    rank: int
    seq: int
    run: WindowRun


class InvocationsEnd(NamedTuple):
    """One invocation ends (with a hook), or a batch that all succeed (without)."""

    when: datetime
    rank: int
    seq: int
    task: TaskRun
    invocations: list[Invocation]
    status: str
    details: str


class Cutoff(NamedTuple):
    """The cutoff of an execution with a ``CANCEL_TASK`` task."""

    when: datetime
    rank: int
    seq: int
    run: WindowRun


class RunDue(NamedTuple):
    """A scheduled run of a window; ``runs`` yields its following runs within the move being played."""

    when: datetime
    rank: int
    seq: int
    region: Any
    window: Any  # a RunnableWindow
    compiled: WindowSchedule
    runs: Iterator[datetime]


Event = Resume | InvocationsEnd | Cutoff | RunDue


class TaskRun:
    """A task execution while it runs: targets still to start, invocations running, errors so far."""

    __slots__ = (
        "concurrency",
        "errors",
        "group_left",
        "pending",
        "plan",
        "record",
        "run",
        "running",
        "step_functions",
        "stop_reason",
        "threshold",
    )

    def __init__(self, run: WindowRun, plan: TaskPlan, record: TaskExecution) -> None:
        self.run = run
        self.plan = plan
        self.record = record
        self.pending: deque[TargetRef] = deque()
        self.running: set[Invocation] = set()
        self.errors = 0
        # The targets of the current window target not yet started (window targets run one at a time).
        self.group_left = 0
        self.concurrency = 1
        self.threshold: int | None = None
        self.stop_reason: str | None = None  # history.STOP_ERRORS, STOP_CUTOFF or STOP_CANCEL
        self.step_functions = plan.task_type == "STEP_FUNCTIONS"  # its command ids are execution ARNs


class WindowRun:
    """A window execution while it runs: its priority groups still to start, and the one running."""

    __slots__ = ("active", "cancelled", "cutoff_at", "dead", "groups", "record", "region")

    def __init__(self, region: Any, record: WindowExecution, cutoff_at: datetime) -> None:
        self.region = region
        self.record = record
        self.cutoff_at = cutoff_at
        self.groups: deque[list[TaskRun]] = deque()
        self.active: list[TaskRun] = []
        self.cancelled = False
        self.dead = False
