"""Maintenance windows themselves: create, get, update, describe, delete, and their tags.

Known differences from AWS: docs/known-differences.md#maintenance-windows,
docs/known-differences.md#error-messages, docs/known-differences.md#idempotency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from ..engine import eventbridge as notify
from ..engine.simulator import Simulator
from ..errors import (
    InvalidResourceId,
    InvalidResourceType,
    ResourceLimitExceededException,
    TooManyTagsError,
    ValidationException,
)
from ..model.ids import IdSource
from ..model.resources import Window
from ..model.store import RegionState, filters, page_result, paginate
from ..timing.clock import Clock
from ..timing.schedule import ScheduleError, WindowSchedule, format_execution_time
from ..wire import shapes
from ..wire.shapes import output_shape
from .executions import forget_history

Params = dict[str, Any]
Result = dict[str, Any]

WINDOWS_PER_REGION = 50
TAGS_PER_RESOURCE = 50

_NEXT = frozenset({"NextExecutionTime"})  # computed from the clock, not stored


@cache
def _create_settings() -> frozenset[str]:
    """What Create stores: every input member but the idempotency token and the tags."""
    return shapes.settings("CreateMaintenanceWindow", Window, frozenset({"ClientToken", "Tags"}))


@cache
def _update_settings() -> frozenset[str]:
    return shapes.settings("UpdateMaintenanceWindow", Window, frozenset({"WindowId", "Replace"}))


@cache
def _replace_rules() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What Replace=True demands (Create's required members) and clears when not sent (the others)."""
    demanded = shapes.required("CreateMaintenanceWindow")
    return demanded, tuple(sorted(_create_settings() - set(demanded)))


_WINDOW_FILTERS = ("Name", "Enabled")


# Members that decide when a window runs; changing one rebuilds its schedule.
_SCHEDULE_MEMBERS = ("Schedule", "ScheduleTimezone", "ScheduleOffset", "StartDate", "EndDate")


def compile_schedule(
    *,
    schedule: str,
    created: datetime,
    schedule_timezone: str | None = None,
    schedule_offset: int | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
) -> WindowSchedule:
    """The window's run instants, or SSM's ``ValidationException`` for an invalid schedule."""
    for member, value in (("startDate", start_date), ("endDate", end_date)):
        # SSM enforces a minimum length the botocore model does not carry.
        if value == "":
            raise ValidationException(
                f"1 validation error detected: Value '' at '{member}' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1"
            )
    try:
        built = WindowSchedule.build(
            schedule,
            created=created,
            timezone=schedule_timezone,
            offset_days=schedule_offset,
            start_date=start_date,
            end_date=end_date,
        )
    except ScheduleError as error:
        raise ValidationException(str(error)) from None
    if schedule.lstrip().startswith("rate(") and built.start is not None and built.start < created:
        # A rate window whose StartDate has passed starts its cadence now (API reference, StartDate).
        built = WindowSchedule(built.expression, created, built.timezone, None, None, built.end)
    return built


def next_execution_time(window: Window, now: datetime) -> str | None:
    """``NextExecutionTime`` as SSM shows it; None while disabled or when the window never runs again."""
    if not window.enabled:
        return None
    instant = window.compiled.next_after(now)
    return None if instant is None else format_execution_time(instant, window.schedule_timezone)


@dataclass(slots=True)
class _NextTime:
    """A window's ``NextExecutionTime`` and the instants it holds for: ``since <= now < until``.

    ``next_after`` answers the first run strictly after ``now``; computed at ``since`` it is ``until``,
    and no run lies between them, so any ``now`` in ``[since, until)`` gets the same answer (and a window
    that never runs again after ``since`` never will after a later ``now``). The window object, its
    compiled schedule and its timezone are kept to tell a changed or recreated window from this one.
    """

    window: Window
    compiled: WindowSchedule
    timezone: str | None
    since: datetime
    until: datetime | None
    text: str | None


#: Entries beyond the region's windows (others' regions, windows gone by reset) are pruned past this slack.
_NEXT_TIME_SLACK = 1024


def check_cutoff(duration: int, cutoff: int) -> None:
    """SSM's rule: the cutoff must leave at least one hour of the window to start tasks in."""
    if cutoff >= duration:
        # The misspelling and the arithmetic are SSM's own.
        raise ValidationException(
            f"Cuttoff was {cutoff} but must be smaller than {duration - 1} (Duration - 1 )"
        )


class WindowOperations:
    """The window and tagging operations; mixed into ``Backend``."""

    clock: Clock
    simulator: Simulator
    ids: IdSource
    #: ``NextExecutionTime`` per window id (listings would compute it per item per call); the backend's.
    _next_times: dict[str, _NextTime]

    def _now(self) -> datetime:
        return self.clock.now()

    def _next_execution_time(self, state: RegionState, window: Window) -> str | None:
        """:func:`next_execution_time` now, from the cache while the window and the answer still hold."""
        if not window.enabled:
            return None
        now = self._now()
        cache = self._next_times
        entry = cache.get(window.window_id)
        if (
            entry is not None
            and entry.window is window
            and entry.compiled is window.compiled
            and entry.timezone == window.schedule_timezone
            and entry.since <= now
            and (entry.until is None or now < entry.until)
        ):
            return entry.text
        instant = window.compiled.next_after(now)
        text = None if instant is None else format_execution_time(instant, window.schedule_timezone)
        if len(cache) > len(state.windows) + _NEXT_TIME_SLACK:
            live = state.windows
            for key in [k for k, e in cache.items() if live.get(k) is not e.window]:
                del cache[key]
        cache[window.window_id] = _NextTime(
            window, window.compiled, window.schedule_timezone, now, instant, text
        )
        return text

    def _window_result(self, state: RegionState, window: Window, operation: str) -> Result:
        """Get's answer, or a Describe item (the output members of ``operation`` decide which)."""
        shape = (
            "MaintenanceWindowIdentity"
            if operation == "DescribeMaintenanceWindows"
            else output_shape(operation)
        )
        result = shapes.view(window, shape, _NEXT)
        upcoming = self._next_execution_time(state, window)
        if upcoming is not None:
            result["NextExecutionTime"] = upcoming
        return result

    def create_maintenance_window(self, state: RegionState, params: Params) -> Result:
        check_cutoff(params["Duration"], params["Cutoff"])
        tags = _tag_dict(params.get("Tags", ()))
        settings = shapes.from_wire(params, _create_settings())
        compiled = compile_schedule(created=self._now(), **_schedule_settings(settings))

        def create() -> str:
            if len(state.windows) >= WINDOWS_PER_REGION:
                raise ResourceLimitExceededException(
                    f"You have reached the limit of {WINDOWS_PER_REGION} maintenance windows "
                    f"in account {state.account} and region {state.region}."
                )
            now = self._now()
            window = Window(
                window_id=self.ids.window_id(),
                created_date=now,
                modified_date=now,
                seq=state.next_seq(),
                tags=tags,
                compiled=compiled,
                **settings,
            )
            state.windows[window.window_id] = window
            self.simulator.window_scheduled(state, window, now)
            return window.window_id

        return {"WindowId": state.idempotent("CreateMaintenanceWindow", params, create, self.clock.now())}

    def get_maintenance_window(self, state: RegionState, params: Params) -> Result:
        return self._window_result(state, state.window(params["WindowId"]), "GetMaintenanceWindow")

    def update_maintenance_window(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])
        changes = shapes.from_wire(params, _update_settings())
        if params.get("Replace"):
            demanded, cleared = _replace_rules()
            missing = [name for name in demanded if params.get(name) is None]
            if missing:
                raise ValidationException(
                    "Replace requires every required field of the maintenance window; missing: "
                    + ", ".join(missing)
                )
            for name in cleared:
                changes.setdefault(shapes.attribute_name(name), None)
        check_cutoff(changes.get("duration", window.duration), changes.get("cutoff", window.cutoff))
        now = self._now()
        if any(shapes.attribute_name(name) in changes for name in _SCHEDULE_MEMBERS):
            merged = {attr: changes.get(attr, getattr(window, attr)) for attr in _SCHEDULE_ATTRS}
            changes["compiled"] = compile_schedule(created=now, **merged)
        was_enabled = window.enabled
        for attr, value in changes.items():
            setattr(window, attr, value)
        window.modified_date = now
        state.naming.rescheduled(window)
        if bool(window.enabled) != bool(was_enabled):
            status = "ENABLED" if window.enabled else "DISABLED"
            detail = {"window-id": window.window_id, "status": status}
            self.simulator.notifier.api_event(state, notify.WINDOW_STATE, now, detail)
        if "compiled" in changes:
            self.simulator.window_scheduled(state, window, now)
        return shapes.view(window, output_shape("UpdateMaintenanceWindow"))

    def delete_maintenance_window(self, state: RegionState, params: Params) -> Result:
        window = state.windows.pop(params["WindowId"], None)
        if window is not None:
            self._next_times.pop(params["WindowId"], None)
            state.naming.drop_window(window)
            self.simulator.window_deleted(params["WindowId"])
            forget_history(state, params["WindowId"])
        return {"WindowId": params["WindowId"]}

    def describe_maintenance_windows(self, state: RegionState, params: Params) -> Result:
        prefixes: list[tuple[str, ...]] = []
        allowed = {True, False}  # the Enabled values every Enabled filter accepts
        filtered = False
        for key, values in filters(params, _WINDOW_FILTERS):
            filtered = True
            if key == "Name":
                prefixes.append(tuple(values))
            else:
                allowed &= {_read_bool(v) for v in values}

        def passes(window: Window) -> bool:
            return window.enabled in allowed and all(map(window.name.startswith, prefixes))

        keep = passes if filtered else None
        listing = "DescribeMaintenanceWindows"
        page, token = paginate(state.windows.values(), params, listing, default_max=50, keep=keep)
        items = [self._window_result(state, w, "DescribeMaintenanceWindows") for w in page]
        return page_result("WindowIdentities", items, token)

    # Tagging. Only ResourceType=MaintenanceWindow reaches the mock; the front door hands other
    # resource types to moto, or refuses them.

    def add_tags_to_resource(self, state: RegionState, params: Params) -> Result:
        window = _tagged_window(state, params)
        tags = dict(window.tags)
        tags.update(_tag_dict(params["Tags"]))
        if len(tags) > TAGS_PER_RESOURCE:
            raise TooManyTagsError(
                f"The resource {window.window_id} would have {len(tags)} tags; "
                f"the limit is {TAGS_PER_RESOURCE}."
            )
        window.tags = tags
        return {}

    def remove_tags_from_resource(self, state: RegionState, params: Params) -> Result:
        window = _tagged_window(state, params)
        window.tags = {k: v for k, v in window.tags.items() if k not in set(params["TagKeys"])}
        return {}

    def list_tags_for_resource(self, state: RegionState, params: Params) -> Result:
        window = _tagged_window(state, params)
        return {"TagList": [{"Key": k, "Value": v} for k, v in window.tags.items()]}


_SCHEDULE_ATTRS = tuple(shapes.attribute_name(name) for name in _SCHEDULE_MEMBERS)


def _schedule_settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {attr: settings[attr] for attr in _SCHEDULE_ATTRS if attr in settings}


def _tag_dict(tags: Any) -> dict[str, str]:
    result = {tag["Key"]: tag["Value"] for tag in tags}
    if len(result) > TAGS_PER_RESOURCE:
        raise TooManyTagsError(
            f"A resource can have at most {TAGS_PER_RESOURCE} tags; {len(result)} were given."
        )
    return result


def _tagged_window(state: RegionState, params: Params) -> Window:
    if params["ResourceType"] != "MaintenanceWindow":
        raise InvalidResourceType(f"The resource type {params['ResourceType']} is not served by this mock.")
    window = state.windows.get(params["ResourceId"])
    if window is None:
        raise InvalidResourceId(
            f"The resource ID {params['ResourceId']} is not valid. Verify the ID and try again."
        )
    return window


def _read_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise ValidationException(f"The value {value} of filter Enabled must be true or false")
    return lowered == "true"
