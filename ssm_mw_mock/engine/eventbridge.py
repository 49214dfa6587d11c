"""EventBridge events as values: the five kinds SSM sends for maintenance windows, built from records.

SSM sends ``aws.ssm`` events for five kinds of change of a window (the user guide's *Amazon EventBridge
event examples for Systems Manager*): an execution, a task execution and a task's invocation on one
target changed state, a target was registered, and the window was enabled or disabled. This module
holds :class:`MaintenanceWindowEvent` (one event, shaped as EventBridge delivers it), :class:`EventLog`
(what ``mw.events`` returns) and the functions that build an event from an execution record, with the
documented ``detail-type``, ``resources`` and ``detail`` names. When they are made and in which order is
``engine/notify.py``'s business.

Known differences from AWS: docs/known-differences.md#eventbridge-events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, overload

from ..model.history import FINAL, Invocation, TaskExecution, WindowExecution
from ..model.store import RegionState

SOURCE = "aws.ssm"
EXECUTION = "Maintenance Window Execution State-change Notification"
TASK_EXECUTION = "Maintenance Window Task Execution State-change Notification"
INVOCATION = "Maintenance Window Task Target Invocation State-change Notification"
TARGET_REGISTRATION = "Maintenance Window Target Registration Notification"
WINDOW_STATE = "Maintenance Window State-change Notification"
DETAIL_TYPES = (EXECUTION, TASK_EXECUTION, INVOCATION, TARGET_REGISTRATION, WINDOW_STATE)
CANCELLING = "CANCELLING"


@dataclass(frozen=True, slots=True)
class MaintenanceWindowEvent:
    """One EventBridge event of a maintenance window, as EventBridge delivers it (``to_dict()``).

    ``detail`` holds the documented fields under their documented names (``window-id``, ``status``...);
    ``time`` is an aware UTC datetime here and ISO-8601 text (whole seconds, ``Z``) in ``to_dict()``.
    ``change`` names the change the event reports; ``id`` is made from it when asked (hashing is most of
    the cost of reading a year of events back).
    """

    detail_type: str
    account: str
    time: datetime
    region: str
    resources: tuple[str, ...]
    detail: Mapping[str, str]
    change: str = field(repr=False)
    source: str = SOURCE
    version: str = "0"

    @property
    def id(self) -> str:
        """The event's id, UUID-shaped: the same change always gets the same id."""
        return _event_id(self.change)

    @property
    def window_id(self) -> str:
        return self.detail["window-id"]

    @property
    def status(self) -> str:
        return self.detail["status"]

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data, with EventBridge's member names and order."""
        return {
            "version": self.version,
            "id": self.id,
            "detail-type": self.detail_type,
            "source": self.source,
            "account": self.account,
            "time": self.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": list(self.resources),
            "detail": dict(self.detail),
        }


class EventLog(Sequence[MaintenanceWindowEvent]):
    """Events in time order (a read-only sequence), with :meth:`where` to pick some of them."""

    __slots__ = ("_events",)

    def __init__(self, events: Iterable[MaintenanceWindowEvent] = ()) -> None:
        self._events = list(events)

    @overload
    def __getitem__(self, index: int) -> MaintenanceWindowEvent: ...
    @overload
    def __getitem__(self, index: slice) -> EventLog: ...
    def __getitem__(self, index: int | slice) -> MaintenanceWindowEvent | EventLog:
        if isinstance(index, slice):
            return EventLog(self._events[index])
        return self._events[index]

    def __len__(self) -> int:
        return len(self._events)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventLog):
            return self._events == other._events
        if isinstance(other, list):
            return self._events == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EventLog({len(self._events)} events)"

    def where(
        self,
        *,
        detail_type: str | None = None,
        window_id: str | None = None,
        status: str | None = None,
        window_execution_id: str | None = None,
    ) -> EventLog:
        """The events that match every criterion given (``detail_type`` is the full ``detail-type``)."""
        if detail_type is not None and detail_type not in DETAIL_TYPES:
            raise ValueError(
                f"detail_type must be one of {', '.join(map(repr, DETAIL_TYPES))}; got {detail_type!r}"
            )
        wanted = {
            key: value
            for key, value in (
                ("window-id", window_id),
                ("status", status),
                ("window-execution-id", window_execution_id),
            )
            if value is not None
        }
        return EventLog(
            event
            for event in self._events
            if (detail_type is None or event.detail_type == detail_type)
            and all(event.detail.get(key) == value for key, value in wanted.items())
        )

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every event as EventBridge delivers it."""
        return [event.to_dict() for event in self._events]


# Building events from records (shared by the live stream and ``derive``).


@lru_cache(maxsize=1024)  # an instant is stamped for each record that starts or ends at it
def stamp(moment: datetime) -> str:
    """``2024-03-04T02:00:05.000Z``: the times in ``detail``, in UTC with milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:23] + "Z"


def _event_id(change: str) -> str:
    """A stable id: the same change always gets the same id (so reading twice, or live, agrees).

    UUID-shaped, version 4 and RFC 4122 variant, from a hash of the change.
    """
    h = hashlib.blake2b(change.encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {digit: "89ab"[int(digit, 16) % 4] for digit in "0123456789abcdef"}


def window_arn(region: RegionState, window_id: str) -> str:
    return f"arn:aws:ssm:{region.region}:{region.account}:maintenancewindow/{window_id}"


def _times(start: datetime | None, end: datetime | None, final: bool) -> dict[str, str]:
    times = {}
    if start is not None:
        times["start-time"] = stamp(start)
    if final and end is not None:
        times["end-time"] = stamp(end)
    return times


def make(
    region: RegionState,
    detail_type: str,
    when: datetime,
    resources: tuple[str, ...],
    detail: dict[str, str],
    *id_parts: str,
) -> MaintenanceWindowEvent:
    return MaintenanceWindowEvent(
        detail_type,
        region.account,
        when,
        region.region,
        resources,
        detail,
        "\0".join((detail_type, *id_parts, detail["status"])),
    )


def execution_event(
    region: RegionState, record: WindowExecution, status: str, when: datetime
) -> MaintenanceWindowEvent:
    final = status in FINAL
    detail = _times(record.start_time, record.end_time, final)
    detail["window-id"] = record.window_id
    detail["window-execution-id"] = record.window_execution_id
    detail["status"] = status
    resources = (window_arn(region, record.window_id),)
    return make(region, EXECUTION, when, resources, detail, record.window_execution_id)


def task_event(
    region: RegionState, record: TaskExecution, status: str, when: datetime
) -> MaintenanceWindowEvent:
    final = status in FINAL
    detail = _times(record.start_time, record.end_time, final)
    detail["task-execution-id"] = record.task_execution_id
    detail["window-id"] = record.window_id
    detail["window-execution-id"] = record.window_execution_id
    detail["status"] = status
    resources = (window_arn(region, record.window_id),)
    return make(region, TASK_EXECUTION, when, resources, detail, record.task_execution_id)


def invocation_event(
    region: RegionState, record: Invocation, status: str, when: datetime
) -> MaintenanceWindowEvent:
    final = status in FINAL
    detail = _times(record.start_time, record.end_time, final)
    task = record.task
    detail["window-id"] = task.window_id
    detail["window-execution-id"] = task.window_execution_id
    detail["task-execution-id"] = task.task_execution_id
    target = record.target
    if target.window_target_id is not None:
        detail["window-target-id"] = target.window_target_id
    detail["status"] = status
    if target.owner_information is not None:
        detail["owner-information"] = target.owner_information
    resources = (window_arn(region, task.window_id),)
    return make(region, INVOCATION, when, resources, detail, record.invocation_id)
