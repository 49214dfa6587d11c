"""Which windows a queried node or tag can name: the index behind the listings by ``Targets``.

``DescribeMaintenanceWindowsForTarget`` and ``DescribeMaintenanceWindowSchedule`` by ``Targets`` ask which
windows name a node or tag. :class:`NamingIndex` answers from what the targets and tasks say, kept up to
date as they are registered, updated and deregistered and as windows are deleted, so a query looks only
at the windows that can match it instead of every window of the region.

It keeps three maps from one ``(resource type, Key, value)`` to the windows with such an entry (a task's
entries have no resource type):

- ``literal``: every entry of every window target and task, for a query that names the same key and value;
- ``sure``: the entries of window targets that select instances by one tag, tag key or resource group
  alone, so that an instance selected by the entry (see :func:`~.inventory.selecting_entries`) is one the
  target selects;
- ``unsure``: targets that combine several selectors, under one of them: every selector must select the
  instance, so a window found there is only a candidate, checked against the inventory by the caller.

Nothing of the inventory is kept: tags and groups are read live at query time (moto's EC2 instances change
without a call to the mock), only what the targets and tasks say is indexed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .inventory import SELECTOR_KEYS
from .resources import Target, Task, Window

#: ``(resource type, or None for a task's targets; Key; one of its Values)``.
Entry = tuple[str | None, str, str]
Windows = dict[Window, int]  # a window and how many of its targets or tasks hold the entry

#: The selector a combined target is filed under: the most selective one it has (lowest rank).
_RANK = {"tag-key": 1, "resource-groups:ResourceTypeFilters": 2}


@dataclass(slots=True)
class NamingIndex:
    """From an entry a query can name to the windows whose targets or tasks hold it."""

    literal: dict[Entry, Windows] = field(default_factory=dict)
    sure: dict[Entry, Windows] = field(default_factory=dict)
    unsure: dict[Entry, Windows] = field(default_factory=dict)
    #: How many indexed selectors each resource type has: with none, a query need not read the inventory.
    selectors: dict[str, int] = field(default_factory=dict)
    #: The group names of ``resource-groups:Name`` selectors, with how many selectors name each.
    groups: dict[str, int] = field(default_factory=dict)
    # What each target or task (by id) put in: (the map, the entry) pairs, removed when it changes.
    _filed: dict[str, list[tuple[dict[Entry, Windows], Entry]]] = field(default_factory=dict)
    _windows: dict[str, Window] = field(default_factory=dict)

    def put_target(self, window: Window, target: Target) -> None:
        """File a window target (again, after an update)."""
        self._put(window, target.window_target_id, target.resource_type, target.targets)

    def put_task(self, window: Window, task: Task) -> None:
        """File a task's targets (again, after an update or after one of its window targets went)."""
        self._put(window, task.window_task_id, None, task.targets or [])

    def drop(self, item_id: str) -> None:
        """Forget a deregistered target or task."""
        window = self._windows.pop(item_id, None)
        if window is None:
            return
        for where, entry in self._filed.pop(item_id):
            holders = where[entry]
            holders[window] -= 1
            if not holders[window]:
                del holders[window]
                if not holders:
                    del where[entry]
            if where is not self.literal:
                self._count(entry, -1)

    def drop_window(self, window: Window) -> None:
        """Forget a deleted window: the cost is its own targets and tasks."""
        for item_id in [*window.targets, *window.tasks]:
            self.drop(item_id)

    def named(self, resource_type: str, pairs: Iterable[tuple[str, str]]) -> set[Window]:
        """The windows with a target of ``resource_type``, or a task, holding one of ``pairs`` literally."""
        found: set[Window] = set()
        for key, value in pairs:
            for scope in (resource_type, None):
                holders = self.literal.get((scope, key, value))
                if holders:
                    found.update(holders)
        return found

    def selecting(
        self, resource_type: str, pairs: Iterable[tuple[str, str]]
    ) -> tuple[set[Window], set[Window]]:
        """For the selector entries ``pairs`` that select a queried instance: the windows with a target
        that surely selects it, and those whose combined targets may (to be checked)."""
        sure: set[Window] = set()
        unsure: set[Window] = set()
        for key, value in pairs:
            entry = (resource_type, key, value)
            holders = self.sure.get(entry)
            if holders:
                sure.update(holders)
            holders = self.unsure.get(entry)
            if holders:
                unsure.update(holders)
        return sure, unsure

    def _put(
        self, window: Window, item_id: str, scope: str | None, targets: Sequence[Mapping[str, Any]]
    ) -> None:
        self.drop(item_id)
        filed: list[tuple[dict[Entry, Windows], Entry]] = []
        for target in targets:
            for value in dict.fromkeys(target.get("Values") or ()):
                filed.append((self.literal, (scope, target["Key"], value)))
        if scope is not None:
            filed.extend(self._selector_entries(scope, targets))
        for where, entry in filed:
            holders = where.get(entry)
            if holders is None:
                holders = where[entry] = {}
            holders[window] = holders.get(window, 0) + 1
            if where is not self.literal:
                self._count(entry, 1)
        self._filed[item_id] = filed
        self._windows[item_id] = window

    def _selector_entries(
        self, scope: str, targets: Sequence[Mapping[str, Any]]
    ) -> list[tuple[dict[Entry, Windows], Entry]]:
        keys = [target["Key"] for target in targets if target["Key"] != "InstanceIds"]
        if not keys or not all(key in SELECTOR_KEYS or key.startswith("tag:") for key in keys):
            return []  # only instance ids (literal), or a key that selects nothing
        selectors = [target for target in targets if target["Key"] != "InstanceIds"]
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
