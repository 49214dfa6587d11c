"""The agenda: each window's next run, known between clock moves, so a move with nothing due costs O(log n).

Every window with a run still to come has exactly one *carrier* of its runs: either a ``NextRun`` entry
on the agenda's heap (between moves, or when its next run lies past the move being played) or the
``RunDue`` event the simulator is playing (``engine/events.py``). The agenda remembers each window's
carrier by identity; the heap holds only small keys of the entries. An entry whose window was
rescheduled or deleted is no longer its window's carrier: its key stays in the heap, stale, until it comes
due and is skipped, or until stale keys outnumber live ones and the heap is rebuilt without them. A window
that never runs again (an ``EndDate`` passed, an ``at()`` that ran) has no carrier and no entry.

Entries are ordered by ``(when, order, seq)``: ``order`` is the window's place in the backend's listing
(the region first used first, then the windows in creation order), so runs due at the same instant are
queued, and start, in that order whatever the order the windows were armed in.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple, TypeGuard

from ..timing.schedule import WindowSchedule
from .events import RunDue

#: Stale keys tolerated in the heap before it is rebuilt: this many, plus as many as there are live ones.
_SLACK = 16

#: What the heap holds for an entry: ``(when, order, seq, window id)``. A key refers to nothing else, so a
#: stale one keeps no deleted window alive.
_Key = tuple[datetime, tuple[int, int], int, str]


class NextRun(NamedTuple):
    """A window's next run, not yet queued for a move."""

    when: datetime
    order: tuple[int, int]
    seq: int
    region: Any
    window: Any  # a simulator.RunnableWindow
    compiled: WindowSchedule


class Agenda:
    """The windows' next runs: a heap of their keys and each window's current carrier."""

    __slots__ = ("_carriers", "_heap", "_order", "_seq")

    def __init__(self, order: Callable[[Any, Any], tuple[int, int]]) -> None:
        self._order = order  # (region, window) -> the window's place in the listing (Source.order)
        self._heap: list[_Key] = []
        self._carriers: dict[str, object] = {}  # window id -> its NextRun, or the RunDue playing its runs
        self._seq = itertools.count()

    def __len__(self) -> int:
        """How many windows have a run still to come."""
        return len(self._carriers)

    @property
    def size(self) -> int:
        """How many keys the heap holds, stale ones included."""
        return len(self._heap)

    def carries(self, window_id: str, carrier: object) -> bool:
        """Whether ``carrier`` (a ``NextRun`` or a ``RunDue``) is the one carrying the window's runs now."""
        return self._carriers.get(window_id) is carrier

    def hand_over(self, window_id: str, carrier: object) -> None:
        """``carrier`` (a ``RunDue`` being queued) carries the window's runs from now on."""
        self._carriers[window_id] = carrier

    def arm(self, region: Any, window: Any, compiled: WindowSchedule, when: datetime | None) -> None:
        """Keep ``when`` as the window's next run (None: it never runs again); earlier carriers go stale."""
        window_id: str = window.window_id
        if when is None:
            self._carriers.pop(window_id, None)
            return
        entry = NextRun(when, self._order(region, window), next(self._seq), region, window, compiled)
        self._carriers[window_id] = entry
        heapq.heappush(self._heap, (when, entry.order, entry.seq, window_id))
        self._compact()

    def keep(self, event: RunDue, when: datetime) -> None:
        """If ``event`` still carries its window's runs, keep ``when`` as the window's next run."""
        if self._carriers.get(event.window.window_id) is event:
            self.arm(event.region, event.window, event.compiled, when)

    def keep_after(self, event: RunDue, instant: datetime | None) -> None:
        """If ``event`` still carries its window's runs, keep the window's first run after ``instant``:
        the runs it carried up to ``instant`` are played, and it will queue no more."""
        if instant is not None and self._carriers.get(event.window.window_id) is event:
            self.arm(event.region, event.window, event.compiled, event.compiled.next_after(instant))

    def pop_due(self, until: datetime) -> NextRun | None:
        """The earliest live entry due at or before ``until``, taken off the heap; stale ones are dropped."""
        heap, carriers = self._heap, self._carriers
        while heap and heap[0][0] <= until:
            key = heapq.heappop(heap)
            entry = carriers.get(key[3])
            if _live(entry, key):
                return entry
        return None

    def put_back(self, entry: NextRun) -> None:
        """Return an entry ``pop_due`` took, when a failed move stopped before it was handed over."""
        window_id: str = entry.window.window_id
        if self._carriers.get(window_id) is entry:
            heapq.heappush(self._heap, (entry.when, entry.order, entry.seq, window_id))

    def forget(self, window_id: str) -> None:
        """The window was deleted: its carrier, wherever it is, is stale."""
        self._carriers.pop(window_id, None)
        self._compact()

    def clear(self) -> None:
        self._heap.clear()
        self._carriers.clear()

    def _compact(self) -> None:
        heap = self._heap
        if len(heap) > 2 * len(self._carriers) + _SLACK:
            carriers = self._carriers
            heap[:] = [key for key in heap if _live(carriers.get(key[3]), key)]
            heapq.heapify(heap)


def _live(carrier: object, key: _Key) -> TypeGuard[NextRun]:
    """Whether ``key`` is the heap key of ``carrier``, its window's carrier."""
    return type(carrier) is NextRun and carrier.seq == key[2]
