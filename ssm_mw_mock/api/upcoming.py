"""What runs next, and where: DescribeMaintenanceWindowSchedule and DescribeMaintenanceWindowsForTarget.

The schedule of one window (``WindowId``) or of every window that names a node or tag (``Targets`` +
``ResourceType``), in time order with windows interleaved, from the fake clock's present onwards.

Known differences from AWS: docs/known-differences.md#the-schedule-listing-and-windows-for-a-target.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import itertools
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any

from ..errors import InvalidNextToken, ValidationException
from ..model.inventory import selecting_entries, selects_any
from ..model.resources import Window
from ..model.store import RegionState, filter_instant, filters, page_result, paginate
from ..timing.clock import Clock
from ..timing.schedule import RateSpec, WindowSchedule, format_execution_time, parse_expression

Params = dict[str, Any]
Result = dict[str, Any]

DEFAULT_PAGE = 50
#: The most runs one answer holds, whatever MaxResults asks: a schedule can list runs until 2199, and one
#: request must not cost more memory than a bounded answer. The rest comes with NextToken.
MAX_PAGE = 1000
_FILTER_KEYS = ("ScheduledAfter", "ScheduledBefore")
_TICK = timedelta(microseconds=1)
_SEQ = attrgetter("seq")


class ScheduleOperations:
    """``DescribeMaintenanceWindowSchedule``; mixed into ``Backend``."""

    clock: Clock

    def describe_maintenance_windows_for_target(self, state: RegionState, params: Params) -> Result:
        naming = windows_naming(state, params["Targets"], params["ResourceType"])
        keep = naming.matches if naming.check is not None else None
        page, token = paginate(
            naming.candidates, params, "DescribeMaintenanceWindowsForTarget", default_max=50, keep=keep
        )
        return page_result(
            "WindowIdentities", [{"WindowId": w.window_id, "Name": w.name} for w in page], token
        )

    def describe_maintenance_window_schedule(self, state: RegionState, params: Params) -> Result:
        if params.get("WindowId"):
            windows = [window for window in [state.window(params["WindowId"])] if window.enabled]
        elif params.get("Targets"):
            if not params.get("ResourceType"):
                raise ValidationException("ResourceType must be specified together with Targets")
            naming = windows_naming(state, params["Targets"], params["ResourceType"])
            windows = [w for w in naming.candidates if w.enabled and naming.matches(w)]
        else:
            raise ValidationException("Either WindowId or Targets and ResourceType must be specified")
        after, before = _bounds(params)
        start = max(self.clock.now() + _TICK, after) if after else self.clock.now() + _TICK
        resume: tuple[datetime, int] | None = None
        if params.get("NextToken"):
            resume = _read_token(params["NextToken"])
            start = max(start, resume[0])
        limit = min(params.get("MaxResults") or DEFAULT_PAGE, MAX_PAGE)
        runs = _merged_runs(windows, start - _TICK, resume)
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
    """The windows a query by ``Targets`` can name, from the region's naming index.

    ``candidates`` are in creation order; those in ``sure`` match, the others match if ``check`` says so
    (a window target combining several selectors, tested against the live inventory).
    """

    candidates: list[Window]
    sure: set[Window]
    check: Callable[[Window], bool] | None

    def matches(self, window: Window) -> bool:
        return window in self.sure or (self.check is not None and self.check(window))


def windows_naming(state: RegionState, query: list[Params], resource_type: str) -> Naming:
    """Windows whose targets (of ``resource_type``) or tasks name a node or tag of ``query``.

    A window target matches when it has an entry with the same key and a common value, or — for
    instance ids — when its tags or resource group select that instance in the fake inventory; a task
    matches when its ``InstanceIds`` name a queried instance. Only the windows the region's naming index
    files under what the query names are looked at; the inventory is read live, once.
    """
    if any(entry.get("Key") is None for entry in query):
        raise ValidationException("Each of Targets needs a Key, such as InstanceIds or tag:<key>")
    index = state.naming
    wanted = {(entry["Key"], value) for entry in query for value in entry.get("Values") or ()}
    sure = index.named(resource_type, wanted)
    unsure: set[Window] = set()
    check: Callable[[Window], bool] | None = None
    instances = {value for key, value in wanted if key == "InstanceIds"}
    if instances and index.selectors.get(resource_type):
        inventory = state.live_inventory()[0]  # read once: moto's view is built anew
        selected, unsure = index.selecting(
            resource_type, selecting_entries(instances, inventory, index.groups)
        )
        sure |= selected
        unsure -= sure

        def check(window: Window) -> bool:
            return any(
                target.resource_type == resource_type and selects_any(target.targets, instances, inventory)
                for target in window.targets.values()
            )

    return Naming(sorted(sure | unsure, key=_SEQ), sure, check if unsure else None)


def _merged_runs(
    windows: list[Window], after: datetime, resume: tuple[datetime, int] | None
) -> Iterator[tuple[datetime, int, Window]]:
    """The runs of ``windows`` (in creation order) strictly after ``after`` and after ``resume``'s run,
    merged in (time, creation order), computed only as far as they are read.

    Windows whose schedules run at the same instants share one stream of instants: the cost is one first
    run per distinct schedule, then a heap step per run listed.
    """
    streams: dict[Hashable, list[Window]] = {}
    for window in windows:
        streams.setdefault(_stream_key(window.compiled), []).append(window)
    heap: list[tuple[datetime, int, int, int, list[Window], Iterator[datetime]]] = []
    for n, members in enumerate(streams.values()):
        runs = members[0].compiled.iter_after(after)
        instant = next(runs, None)
        skip = 0
        if instant is not None and resume is not None and instant == resume[0]:
            skip = bisect_right(members, resume[1], key=_SEQ)
            if skip == len(members):
                instant, skip = next(runs, None), 0
        if instant is not None:
            heap.append((instant, members[skip].seq, n, skip, members, runs))
    heapq.heapify(heap)
    while heap:
        instant, seq, n, k, members, runs = heap[0]
        yield instant, seq, members[k]
        if k + 1 < len(members):
            heapq.heapreplace(heap, (instant, members[k + 1].seq, n, k + 1, members, runs))
            continue
        following = next(runs, None)
        if following is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (following, members[0].seq, n, 0, members, runs))


def _stream_key(schedule: WindowSchedule) -> Hashable:
    """Equal for two schedules that run at the same instants.

    The creation time matters only as the anchor of a ``rate()`` without ``StartDate`` and as the
    reference of ``ScheduleOffset`` (``timing.schedule.WindowSchedule``).
    """
    anchored = schedule.offset_days or (
        schedule.start is None and isinstance(parse_expression(schedule.expression), RateSpec)
    )
    return (
        schedule.expression,
        schedule.timezone,
        schedule.offset_days,
        schedule.start,
        schedule.end,
        schedule.created if anchored else None,
    )


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
