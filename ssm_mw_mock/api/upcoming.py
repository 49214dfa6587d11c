"""What runs next, and where: DescribeMaintenanceWindowSchedule and DescribeMaintenanceWindowsForTarget.

The schedule of one window (``WindowId``) or of every window that names a node or tag (``Targets`` +
``ResourceType``), in time order with windows interleaved, from the fake clock's present onwards. The
windows a query names come from the region's naming index (``model/naming.py``) in creation order and
grouped by schedule, read lazily: a page costs the windows it lists (plus the combined targets checked on
the way) and one first run per distinct schedule, not every window of the region.

Known differences from AWS: docs/known-differences.md#the-schedule-listing-and-windows-for-a-target.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import itertools
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import attrgetter, itemgetter
from typing import Any

from ..errors import InvalidNextToken, ValidationException
from ..model.inventory import selecting_entries, selects_any
from ..model.naming import Members, Streams
from ..model.resources import Window
from ..model.store import RegionState, filter_instant, filters, make_token, page_result, read_token
from ..timing.clock import Clock
from ..timing.schedule import format_execution_time

Params = dict[str, Any]
Result = dict[str, Any]

DEFAULT_PAGE = 50
#: The most runs one answer holds, whatever MaxResults asks: a schedule can list runs until 2199, and one
#: request must not cost more memory than a bounded answer. The rest comes with NextToken.
MAX_PAGE = 1000
_FILTER_KEYS = ("ScheduledAfter", "ScheduledBefore")
_TICK = timedelta(microseconds=1)
_SEQ = attrgetter("seq")
_ORDER = itemgetter(0, 1)
_FOR_TARGET = "DescribeMaintenanceWindowsForTarget"
Lists = list[tuple[int, Members]]  # lists of the naming index, each marked 0 (sure) or 1 (to be checked)


class ScheduleOperations:
    """``DescribeMaintenanceWindowSchedule`` and ``DescribeMaintenanceWindowsForTarget``; mixed into
    ``Backend``."""

    clock: Clock

    def describe_maintenance_windows_for_target(self, state: RegionState, params: Params) -> Result:
        naming = windows_naming(state, params["Targets"], params["ResourceType"])
        limit = params.get("MaxResults") or 50
        token = params.get("NextToken")
        after = read_token(token, _FOR_TARGET) if token else 0
        page: list[Window] = []
        more = False
        for window in naming.in_order(naming.every_stream(), after):
            if len(page) == limit:
                more = True
                break
            page.append(window)
        return page_result(
            "WindowIdentities",
            [{"WindowId": w.window_id, "Name": w.name} for w in page],
            make_token(_FOR_TARGET, page[-1].seq) if more and page else None,
        )

    def describe_maintenance_window_schedule(self, state: RegionState, params: Params) -> Result:
        window: Window | None = None
        naming: Naming | None = None
        if params.get("WindowId"):
            window = state.window(params["WindowId"])
        elif params.get("Targets"):
            if not params.get("ResourceType"):
                raise ValidationException("ResourceType must be specified together with Targets")
            naming = windows_naming(state, params["Targets"], params["ResourceType"])
        else:
            raise ValidationException("Either WindowId or Targets and ResourceType must be specified")
        after, before = _bounds(params)
        start = max(self.clock.now() + _TICK, after) if after else self.clock.now() + _TICK
        resume: tuple[datetime, int] | None = None
        if params.get("NextToken"):
            resume = _read_token(params["NextToken"])
            start = max(start, resume[0])
        limit = min(params.get("MaxResults") or DEFAULT_PAGE, MAX_PAGE)
        runs: Iterator[tuple[datetime, int, Window]]
        if naming is not None:
            runs = _merged_runs(naming, start - _TICK, resume)
        elif window is not None and window.enabled:  # one window: its own runs, with no merge
            runs = _window_runs(window, start - _TICK, resume)
        else:
            runs = iter(())
        if before is not None:
            runs = itertools.takewhile(lambda run: run[0] <= before, runs)
        page = list(itertools.islice(runs, limit + 1))
        result: Result = {
            "ScheduledWindowExecutions": [
                {
                    "WindowId": window.window_id,
                    "Name": window.name,
                    "ExecutionTime": format_execution_time(instant, window.schedule_timezone),
                }
                for instant, _, window in page[:limit]
            ]
        }
        if len(page) > limit:
            last = page[limit - 1]
            result["NextToken"] = _make_token(last[0], last[1])
        return result


@dataclass(slots=True)
class Naming:
    """Where the windows a query names are: lists of the naming index, read lazily.

    Windows found through ``sure`` match; those found only through ``unsure`` (window targets combining
    several selectors) match if ``check`` says so, asked once per window and query.
    """

    sure: list[Streams]
    unsure: list[Streams]
    check: Callable[[Window], bool] | None
    checked: dict[Window, bool] = field(default_factory=dict)

    def every_stream(self) -> Lists:
        """Every list, each marked 0 (sure) or 1 (to be checked)."""
        return [(0, m) for s in self.sure for m in s.values()] + [
            (1, m) for s in self.unsure for m in s.values()
        ]

    def by_stream(self, enabled_only: bool) -> list[Lists]:
        """The lists grouped by schedule (windows of one group run at the same instants)."""
        groups: dict[Hashable, Lists] = {}
        for mark, found in ((0, self.sure), (1, self.unsure)):
            for streams in found:
                for key, members in streams.items():
                    if not enabled_only or (isinstance(key, tuple) and key[0]):
                        groups.setdefault(key, []).append((mark, members))
        return list(groups.values())

    def in_order(self, found: Iterable[tuple[int, Members]], after: int) -> Iterator[Window]:
        """The matching windows of ``found`` with ``seq`` above ``after``, in creation order, once each."""
        lists = [
            (mark, members, start)
            for mark, members in found
            if (start := bisect_right(members, after, key=_SEQ)) < len(members)
        ]
        last = after
        if len(lists) == 1 and lists[0][0] == 0:  # the common case: one list, nothing to check
            for window in itertools.islice(lists[0][1], lists[0][2], None):
                if window.seq != last:  # a window holding the entry in several targets
                    last = window.seq
                    yield window
            return
        streams = [_marked(members, start, mark) for mark, members, start in lists]
        merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=_ORDER)
        for seq, mark, window in merged:
            if seq == last:
                continue  # a window holding the entry in several targets, or named twice
            last = seq
            if mark == 0 or self._checked(window):
                yield window

    def _checked(self, window: Window) -> bool:
        known = self.checked.get(window)
        if known is None:
            known = self.checked[window] = self.check is not None and self.check(window)
        return known


def _marked(members: Members, start: int, mark: int) -> Iterator[tuple[int, int, Window]]:
    for window in itertools.islice(members, start, None):
        yield window.seq, mark, window


def windows_naming(state: RegionState, query: list[Params], resource_type: str) -> Naming:
    """Where the windows are whose targets (of ``resource_type``) or tasks name a node or tag of ``query``.

    A window target matches when it has an entry with the same key and a common value, or — for
    instance ids — when its tags or resource group select that instance in the fake inventory; a task
    matches when its ``InstanceIds`` name a queried instance. The inventory is read live, once.
    """
    if any(entry.get("Key") is None for entry in query):
        raise ValidationException("Each of Targets needs a Key, such as InstanceIds or tag:<key>")
    index = state.naming
    wanted = list(
        dict.fromkeys((entry["Key"], value) for entry in query for value in entry.get("Values") or ())
    )
    sure = index.named(resource_type, wanted)
    instances = [value for key, value in wanted if key == "InstanceIds"]
    if not (instances and index.selectors.get(resource_type)):
        return Naming(sure, [], None)
    inventory = state.live_inventory()[0]  # read once: moto's view is built anew
    selected, unsure = index.selecting(
        resource_type, sorted(selecting_entries(instances, inventory, index.groups))
    )

    def check(window: Window) -> bool:
        return any(
            target.resource_type == resource_type and selects_any(target.targets, instances, inventory)
            for target in window.targets.values()
        )

    return Naming(sure + selected, unsure, check)


def _window_runs(
    window: Window, after: datetime, resume: tuple[datetime, int] | None
) -> Iterator[tuple[datetime, int, Window]]:
    """The runs of one window strictly after ``after``, without the run ``resume`` names (the last of the
    page before), as :func:`_merged_runs` gives them for a single window."""
    seq = window.seq
    for instant in window.compiled.iter_after(after):
        if resume is None or instant != resume[0] or seq > resume[1]:
            yield instant, seq, window


def _merged_runs(
    naming: Naming, after: datetime, resume: tuple[datetime, int] | None
) -> Iterator[tuple[datetime, int, Window]]:
    """The runs of the enabled windows of ``naming`` strictly after ``after`` and after ``resume``'s run,
    in (time, creation order), computed only as far as they are read.

    Each group of windows that run at the same instants has one stream of instants; at each instant its
    windows are read in creation order, so the cost is one first run per group, then about a heap step
    per run listed.
    """
    heap: list[tuple[datetime, int, int, Window, Iterator[Window], Iterator[datetime], Lists]] = []
    for n, lists in enumerate(naming.by_stream(enabled_only=True)):
        runs = lists[0][1][0].compiled.iter_after(after)
        instant = next(runs, None)
        if instant is None:
            continue
        skip = resume[1] if resume is not None and instant == resume[0] else 0
        members = naming.in_order(lists, skip)
        first = next(members, None)
        if first is None and skip:  # the page before ended with this group's last window at that instant
            instant = next(runs, None)
            if instant is None:
                continue
            members = naming.in_order(lists, 0)
            first = next(members, None)
        if first is not None:
            heap.append((instant, first.seq, n, first, members, runs, lists))
    heapq.heapify(heap)
    while heap:
        instant, seq, n, window, members, runs, lists = heap[0]
        yield instant, seq, window
        if len(heap) == 1:  # one group left: its windows at this instant follow each other
            for window in members:
                yield instant, window.seq, window
        following = next(members, None)
        if following is not None:
            heapq.heapreplace(heap, (instant, following.seq, n, following, members, runs, lists))
            continue
        instant_after = next(runs, None)  # the group's next run: its windows again from the first
        members = naming.in_order(lists, 0)
        first = next(members, None) if instant_after is not None else None
        if instant_after is None or first is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (instant_after, first.seq, n, first, members, runs, lists))


def _bounds(params: Params) -> tuple[datetime | None, datetime | None]:
    bounds = {key: filter_instant(key, values) for key, values in filters(params, _FILTER_KEYS)}
    return bounds.get("ScheduledAfter"), bounds.get("ScheduledBefore")


def _make_token(instant: datetime, seq: int) -> str:
    return base64.urlsafe_b64encode(f"schedule:{instant.isoformat()}:{seq}".encode()).decode()


def _read_token(token: str) -> tuple[datetime, int]:
    try:
        name, _, rest = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        text, _, seq = rest.rpartition(":")
        if name == "schedule" and seq.isdigit():
            instant = datetime.fromisoformat(text)
            if instant.utcoffset() is not None:  # ours always carry one; a naive time cannot be compared
                return instant.astimezone(UTC), int(seq)
    except (binascii.Error, UnicodeError, ValueError, OverflowError):
        pass
    raise InvalidNextToken("The specified token is not valid.")
