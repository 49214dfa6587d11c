"""Each window's executions, in the order they started: what the execution listings page through.

A region keeps its executions twice over: by id (``RegionState.executions``, for the Get operations) and
per window in start order (a :class:`WindowLog`), so that a page of one window's history costs the page
and a binary search in that window's own executions, whatever else the region ran, and deleting a window
forgets its own executions only.

Executions are recorded as they start and the fake clock never goes backwards, so within one window both
``seq`` and ``start_time`` only grow: ``ExecutedAfter`` / ``ExecutedBefore`` and ``NextToken`` are
found by bisection.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime
from operator import attrgetter

from .history import WindowExecution

_SEQ = attrgetter("seq")
_START = attrgetter("start_time")


class WindowLog:
    """One window's executions, oldest first."""

    __slots__ = ("executions",)

    def __init__(self) -> None:
        self.executions: list[WindowExecution] = []

    def add(self, execution: WindowExecution) -> None:
        self.executions.append(execution)

    def newest_first(
        self, after: datetime | None, before: datetime | None, below_seq: int | None, limit: int
    ) -> tuple[list[WindowExecution], bool]:
        """Up to ``limit`` executions started in ``[after, before]`` with ``seq < below_seq``, newest
        first, and whether older ones that qualify remain."""
        executions = self.executions
        lo, hi = 0, len(executions)
        if after is not None:
            lo = bisect_left(executions, after, key=_START)
        if before is not None:
            hi = bisect_right(executions, before, lo, hi, key=_START)
        if below_seq is not None and lo < hi:
            hi = bisect_left(executions, below_seq, lo, hi, key=_SEQ)
        if lo >= hi:
            return [], False
        first = max(lo, hi - limit)
        page = executions[first:hi]
        page.reverse()
        return page, first > lo
