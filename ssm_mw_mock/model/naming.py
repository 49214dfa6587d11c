"""Which windows a queried node or tag can name: the index behind the listings by ``Targets``.

``DescribeMaintenanceWindowsForTarget`` and ``DescribeMaintenanceWindowSchedule`` by ``Targets`` ask which
windows name a node or tag. :class:`NamingIndex` answers from what the targets and tasks say, kept up to
date as they are registered, updated and deregistered and as windows are rescheduled or deleted, so a
query looks only at the windows that can match it instead of every window of the region.

It keeps three maps from one :data:`Entry` ``(resource type, Key, value)`` to the windows holding it (a
task's entries have no resource type):

- ``literal``: every entry of every window target and task, for a query naming the same key and value;
- ``sure``: the entries of window targets that select instances by one tag, tag key or resource group
  alone, so that an instance selected by the entry (:func:`~.inventory.selecting_entries`) is one the
  target selects;
- ``unsure``: targets that combine several selectors, under one of them: every selector must select the
  instance, so a window found there is only a candidate, to be checked against the inventory.

Under an entry, windows are grouped by :func:`stream_key` (windows whose runs fall at the same instants)
and kept in creation order, so a listing reads them lazily, a page at a time, and computes the runs of
each distinct schedule once. Nothing of the inventory is kept: tags and groups are read live at query time
(moto's EC2 instances change without a call to the mock).
"""

from __future__ import annotations

from bisect import bisect_left, insort_right
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from ..timing.schedule import RateSpec, parse_expression
from .inventory import SELECTOR_KEYS
from .resources import Target, Task, Window

#: ``(resource type, or None for a task's targets; Key; one of its Values)``.
Entry = tuple[str | None, str, str]
#: Windows in creation order; a window appears once per target or task of it that holds the entry.
Members = list[Window]
#: The members of one entry by :func:`stream_key`.
Streams = dict[Hashable, Members]
Filing = tuple[dict[Entry, Streams], Entry, Hashable]

#: The selector a combined target is filed under: the most selective one it has (lowest rank).
_RANK = {"tag-key": 1, "resource-groups:ResourceTypeFilters": 2}
_SEQ = attrgetter("seq")


def stream_key(window: Window) -> Hashable:
    """Equal for two windows whose runs fall at the same instants; its first item is ``enabled``.

    The creation time of a schedule matters only as the anchor of a ``rate()`` without ``StartDate`` and
    as the reference of ``ScheduleOffset`` (``timing.schedule.WindowSchedule``).
    """
    schedule = window.compiled
    anchored = schedule.offset_days or (
        schedule.start is None and isinstance(parse_expression(schedule.expression), RateSpec)
    )
    return (
        window.enabled,
        schedule.expression,
        schedule.timezone,
        schedule.offset_days,
        schedule.start,
        schedule.end,
        schedule.created if anchored else None,
    )


@dataclass(slots=True)
class NamingIndex:
    """From an entry a query can name to the windows whose targets or tasks hold it."""

    literal: dict[Entry, Streams] = field(default_factory=dict)
    sure: dict[Entry, Streams] = field(default_factory=dict)
    unsure: dict[Entry, Streams] = field(default_factory=dict)
    #: How many indexed selectors each resource type has: with none, a query need not read the inventory.
    selectors: dict[str, int] = field(default_factory=dict)
    #: The group names of ``resource-groups:Name`` selectors, with how many selectors name each.
    groups: dict[str, int] = field(default_factory=dict)
    # What each target or task (by id) filed, and for which window; removed when it changes.
    _filed: dict[str, tuple[Window, list[Filing]]] = field(default_factory=dict)

    def put_target(self, window: Window, target: Target) -> None:
        """File a window target (again, after an update)."""
        self._put(window, target.window_target_id, target.resource_type, target.targets)

    def put_task(self, window: Window, task: Task) -> None:
        """File a task's targets (again, after an update or after one of its window targets went)."""
        self._put(window, task.window_task_id, None, task.targets or [])

    def rescheduled(self, window: Window) -> None:
        """File a window's targets and tasks again if its schedule or ``Enabled`` changed their stream."""
        key = stream_key(window)
        for item_id in [*window.targets, *window.tasks]:
            filed = self._filed.get(item_id)
            if filed is None or all(stream == key for _, _, stream in filed[1]):
                continue
            self._refile(item_id, key)

    def drop(self, item_id: str) -> None:
        """Forget a deregistered target or task."""
        filed = self._filed.pop(item_id, None)
        if filed is None:
            return
        window, filings = filed
        for where, entry, stream in filings:
            streams = where[entry]
            members = streams[stream]
            del members[members.index(window, bisect_left(members, window.seq, key=_SEQ))]
            if not members:
                del streams[stream]
                if not streams:
                    del where[entry]
            if where is not self.literal:
                self._count(entry, -1)

    def drop_window(self, window: Window) -> None:
        """Forget a deleted window: the cost is its own targets and tasks."""
        for item_id in [*window.targets, *window.tasks]:
            self.drop(item_id)

    def named(self, resource_type: str, pairs: Sequence[tuple[str, str]]) -> list[Streams]:
        """Where the windows are that hold one of ``pairs`` literally: in a target of ``resource_type``
        or in a task."""
        found = []
        for key, value in pairs:
            for scope in (resource_type, None):
                streams = self.literal.get((scope, key, value))
                if streams:
                    found.append(streams)
        return found

    def selecting(
        self, resource_type: str, pairs: Sequence[tuple[str, str]]
    ) -> tuple[list[Streams], list[Streams]]:
        """For the selector entries ``pairs`` that select a queried instance: where the windows are whose
        target of ``resource_type`` surely selects it, and where those are whose combined targets may."""
        sure, unsure = [], []
        for key, value in pairs:
            entry = (resource_type, key, value)
            if entry in self.sure:
                sure.append(self.sure[entry])
            if entry in self.unsure:
                unsure.append(self.unsure[entry])
        return sure, unsure

    def _put(
        self, window: Window, item_id: str, scope: str | None, targets: Sequence[Mapping[str, Any]]
    ) -> None:
        self.drop(item_id)
        stream = stream_key(window)
        filings: list[Filing] = []
        for target in targets:
            for value in dict.fromkeys(target.get("Values") or ()):
                filings.append((self.literal, (scope, target["Key"], value), stream))
        if scope is not None:
            filings.extend((where, entry, stream) for where, entry in self._selector_entries(scope, targets))
        self._file(window, item_id, filings)

    def _refile(self, item_id: str, stream: Hashable) -> None:
        window, filings = self._filed[item_id]
        self.drop(item_id)
        self._file(window, item_id, [(where, entry, stream) for where, entry, _ in filings])

    def _file(self, window: Window, item_id: str, filings: list[Filing]) -> None:
        for where, entry, stream in filings:
            streams = where.get(entry)
            if streams is None:
                streams = where[entry] = {}
            members = streams.get(stream)
            if members is None:
                members = streams[stream] = []
            insort_right(members, window, key=_SEQ)
            if where is not self.literal:
                self._count(entry, 1)
        self._filed[item_id] = (window, filings)

    def _selector_entries(
        self, scope: str, targets: Sequence[Mapping[str, Any]]
    ) -> list[tuple[dict[Entry, Streams], Entry]]:
        selectors = [target for target in targets if target["Key"] != "InstanceIds"]
        if not selectors or not all(
            target["Key"] in SELECTOR_KEYS or target["Key"].startswith("tag:") for target in selectors
        ):
            return []  # only instance ids (literal), or a key that selects nothing
        chosen = min(selectors, key=lambda target: _RANK.get(target["Key"], 0))
        where = self.sure if len(selectors) == 1 else self.unsure
        return [(where, (scope, chosen["Key"], value)) for value in dict.fromkeys(chosen["Values"])]

    def _count(self, entry: Entry, step: int) -> None:
        scope, key, value = entry
        if scope is not None:  # always so: selectors are filed for window targets only
            self.selectors[scope] = self.selectors.get(scope, 0) + step
        if key == "resource-groups:Name":
            self.groups[value] = self.groups.get(value, 0) + step
            if not self.groups[value]:
                del self.groups[value]
