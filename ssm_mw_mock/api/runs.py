"""What the Run Command and Automation reads share: the per-region index, statuses, filters, pages.

The index (``model/runs.RunIndex``) is made on a region's first read and kept while the region's state
is; a read of a region that holds nothing is answered from an empty index that is not kept, so reads
never make the mock grow. Listings are newest first, paged by ``NextToken`` with the ``order`` of the last
item returned, so a page costs the page and the items its filters skipped.

Known differences from AWS: docs/known-differences.md#run-command-and-automation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ..errors import InvalidFilterValue
from ..model.history import (
    CANCELLED,
    CANCELLING,
    FAILED,
    IN_PROGRESS,
    PENDING,
    SUCCESS,
    TIMED_OUT,
    Invocation,
)
from ..model.runs import RunIndex
from ..model.store import RegionState, make_token, read_token
from ..timing.instants import ScheduleError, parse_instant

Params = dict[str, Any]

#: A window status in the words Run Command and Automation use for it.
STATUS = {
    PENDING: "Pending",
    IN_PROGRESS: "InProgress",
    SUCCESS: "Success",
    FAILED: "Failed",
    TIMED_OUT: "TimedOut",
    CANCELLING: "Cancelling",
    CANCELLED: "Cancelled",
}


class RunIndexes:
    """Keeps one ``RunIndex`` per region that holds executions; mixed into ``Backend``."""

    run_indexes: dict[tuple[str, str], RunIndex]

    def runs(self, state: RegionState) -> RunIndex:
        """The region's index, brought up to date."""
        key = (state.account, state.region)
        index = self.run_indexes.get(key)
        if index is None or index.state is not state:
            index = RunIndex(state)
            if state.executions:  # an empty region's index is not kept: reads never make the mock grow
                self.run_indexes[key] = index
        index.sync()
        return index


def instant(key: str, value: str) -> datetime:
    """The moment a time filter names, or SSM's ``InvalidFilterValue``."""
    try:
        return parse_instant(value)
    except ScheduleError:
        raise InvalidFilterValue(
            f"The value {value} of the filter {key} is not a date and time in ISO 8601 format, "
            "such as 2024-03-04T00:00:00Z."
        ) from None


def page(
    newest_first: Callable[[int | None], Iterator[Invocation]],
    params: Params,
    listing: str,
    keep: Callable[[Invocation], bool],
) -> tuple[list[Invocation], str | None]:
    """One page, newest first, after ``NextToken``, at most ``MaxResults`` (default 50) long."""
    limit = params.get("MaxResults") or 50
    token = params.get("NextToken")
    below = read_token(token, listing) if token else None
    found: list[Invocation] = []
    for invocation in newest_first(below):
        if keep(invocation):
            if len(found) == limit:
                return found, make_token(listing, found[-1].order)
            found.append(invocation)
    return found, None


def iso(moment: datetime) -> str:
    """A moment as Run Command's ``StringDateTime``: ISO 8601 in UTC with milliseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
