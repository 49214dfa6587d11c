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
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import InvalidNextToken, ValidationException
from ..model.inventory import Inventory, selects_any
from ..model.resources import Window
from ..model.store import RegionState, filter_instant, filters, page_result, paginate
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


class ScheduleOperations:
    """``DescribeMaintenanceWindowSchedule``; mixed into ``Backend``."""

    clock: Clock

    def describe_maintenance_windows_for_target(self, state: RegionState, params: Params) -> Result:
        windows = windows_naming(state, params["Targets"], params["ResourceType"])
        page, token = paginate(windows, params, "DescribeMaintenanceWindowsForTarget", default_max=50)
        return page_result(
            "WindowIdentities", [{"WindowId": w.window_id, "Name": w.name} for w in page], token
        )

    def describe_maintenance_window_schedule(self, state: RegionState, params: Params) -> Result:
        if params.get("WindowId"):
            windows = [state.window(params["WindowId"])]
        elif params.get("Targets"):
            if not params.get("ResourceType"):
                raise ValidationException("ResourceType must be specified together with Targets")
            windows = windows_naming(state, params["Targets"], params["ResourceType"])
        else:
            raise ValidationException("Either WindowId or Targets and ResourceType must be specified")
        after, before = _bounds(params)
        start = max(self.clock.now() + _TICK, after) if after else self.clock.now() + _TICK
        resume: tuple[datetime, int] | None = None
        if params.get("NextToken"):
            resume = _read_token(params["NextToken"])
            start = max(start, resume[0])
        limit = min(params.get("MaxResults") or DEFAULT_PAGE, MAX_PAGE)
        runs = _merged_runs([w for w in windows if w.enabled], start - _TICK)
        if resume is not None:
            runs = itertools.dropwhile(lambda run: (run[0], run[1]) <= resume, runs)
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


def windows_naming(state: RegionState, query: list[Params], resource_type: str) -> list[Window]:
    """Windows whose targets (of ``resource_type``) or tasks name a node or tag of ``query``.

    A window target matches when it has an entry with the same key and a common value, or — for
    instance ids — when its tags or resource group select that instance in the fake inventory; a task
    matches when its ``InstanceIds`` name a queried instance.
    """
    if any(entry.get("Key") is None for entry in query):
        raise ValidationException("Each of Targets needs a Key, such as InstanceIds or tag:<key>")
    wanted = {(entry["Key"], value) for entry in query for value in entry.get("Values") or ()}
    instances = {value for key, value in wanted if key == "InstanceIds"}
    inventory = state.live_inventory()[0] if instances else None  # read once: moto's view is built anew
    found: list[Window] = []
    for window in state.windows.values():
        if any(
            target.resource_type == resource_type and _names(target.targets, wanted, instances, inventory)
            for target in window.targets.values()
        ) or any(_names(task.targets or [], wanted, instances, None) for task in window.tasks.values()):
            found.append(window)
    return found


def _names(
    entries: list[Params], wanted: set[tuple[str, str]], instances: set[str], inventory: Inventory | None
) -> bool:
    if any((entry["Key"], value) in wanted for entry in entries for value in entry.get("Values") or ()):
        return True
    if instances and inventory is not None:
        return selects_any(entries, instances, inventory)
    return False


def _merged_runs(windows: Iterable[Window], after: datetime) -> Iterator[tuple[datetime, int, Window]]:
    """Every window's runs strictly after ``after``, merged in (time, creation order)."""
    streams = [_runs_of(window, after) for window in windows]
    return heapq.merge(*streams, key=lambda run: (run[0], run[1]))


def _runs_of(window: Window, after: datetime) -> Iterator[tuple[datetime, int, Window]]:
    for instant in window.compiled.iter_after(after):
        yield instant, window.seq, window


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
