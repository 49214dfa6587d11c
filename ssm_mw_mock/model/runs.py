"""What Run Command and Automation keep of a window's invocations: their output, and a lazy index.

A ``RUN_COMMAND`` invocation is a command whose id is the invocation's ``execution_id``, and an
``AUTOMATION`` invocation is an automation execution of that id. The mock makes no second record for
them: the Run Command and Automation reads (``api/commands.py``, ``api/automation.py``) derive their
answers from the window's own records (``history``) when they are read.

- :class:`RunOutput` is what the test's outcome hook said an invocation printed or returned (standard
  output and error, response code, automation outputs). It is stored only for invocations whose hook gave
  any of it, on the task execution (``TaskExecution.run_outputs``, made on first use), so the simulator's
  path without a hook stores nothing.
- :class:`RunIndex` finds commands and automation executions by id, and lists them in the order they
  started, for one region. It is built on the first read and brought up to date on each later read from
  the executions started since, so a read costs what ran since the last one. Executions still running
  are looked through on each read rather than indexed, as their invocations still change. A deleted
  window's commands and automation executions go with its executions.

Known differences from AWS: docs/known-differences.md#run-command-and-automation.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from .history import FINAL, Invocation, WindowExecution

if TYPE_CHECKING:
    from .store import RegionState

#: The task types whose invocations Run Command and Automation answer for.
RUN_COMMAND, AUTOMATION = "RUN_COMMAND", "AUTOMATION"
_ORDER = attrgetter("order")


@dataclass(frozen=True, slots=True)
class RunOutput:
    """What an invocation printed or returned, as the outcome hook gave it (``None``: not given)."""

    standard_output: str | None = None
    standard_error: str | None = None
    response_code: int | None = None
    automation_outputs: dict[str, list[str]] | None = None


def run_output(invocation: Invocation) -> RunOutput | None:
    """The output the hook gave for ``invocation``, if it gave any."""
    outputs = invocation.task.run_outputs
    return None if outputs is None else outputs.get(invocation.invocation_id)


class RunIndex:
    """The commands and automation executions of one region's window executions, by id and in order."""

    __slots__ = ("_by_id", "_last_seq", "_lists", "_open", "_seen", "state")

    def __init__(self, state: RegionState) -> None:
        self.state = state
        self._clear()

    def _clear(self) -> None:
        self._by_id: dict[str, Invocation] = {}
        self._lists: dict[str, list[Invocation]] = {RUN_COMMAND: [], AUTOMATION: []}
        self._open: list[WindowExecution] = []
        self._last_seq = -1
        self._seen = 0

    def sync(self) -> None:
        """Index the executions that started, or ended, since the last read."""
        executions = self.state.executions
        new: list[WindowExecution] = []
        for execution in reversed(executions.values()):
            if execution.seq <= self._last_seq:
                break
            new.append(execution)
        if len(executions) != self._seen + len(new):  # a window was deleted: forget its runs too
            self._clear()
            self.sync()
            return
        self._seen += len(new)
        if new:
            self._last_seq = new[0].seq
        still_open = []
        for execution in self._open + new[::-1]:
            if execution.status in FINAL:
                self._add(execution)
            else:
                still_open.append(execution)
        self._open = still_open

    def _add(self, execution: WindowExecution) -> None:
        for task in execution.tasks:
            kind = self._lists.get(task.task_type)
            if kind is None or not task.invocations:
                continue
            for invocation in task.invocations:
                self._by_id[invocation.execution_id] = invocation
            if kind and kind[-1].order > task.invocations[0].order:  # ended after a later execution did
                for invocation in task.invocations:
                    bisect.insort(kind, invocation, key=_ORDER)
            else:
                kind.extend(task.invocations)

    def _running(self, task_type: str) -> Iterator[Invocation]:
        for execution in self._open:
            for task in execution.tasks:
                if task.task_type == task_type:
                    yield from task.invocations

    def find(self, execution_id: str, task_type: str) -> Invocation | None:
        """The invocation of ``task_type`` whose execution id is ``execution_id``, if any."""
        found = self._by_id.get(execution_id)
        if found is not None:
            return found if found.task_type == task_type else None
        for invocation in self._running(task_type):
            if invocation.execution_id == execution_id:
                return invocation
        return None

    def newest_first(self, task_type: str, below: int | None = None) -> Iterator[Invocation]:
        """The invocations of ``task_type``, newest first, from just below the order ``below`` if given."""
        done = self._lists[task_type]
        running = sorted(self._running(task_type), key=_ORDER, reverse=True)
        hi = len(done) if below is None else bisect.bisect_left(done, below, key=_ORDER)
        index = hi - 1
        for invocation in running:
            if below is not None and invocation.order >= below:
                continue
            while index >= 0 and done[index].order > invocation.order:
                yield done[index]
                index -= 1
            yield invocation
        while index >= 0:
            yield done[index]
            index -= 1
