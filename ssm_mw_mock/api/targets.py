"""Window targets: register, update, describe and deregister what a window acts on.

A window target names its members by key: ``InstanceIds`` (a list of node ids, alone), ``tag:<key>``
(instances whose tag has one of the values), ``tag-key`` (instances carrying one of the keys), or, for
``ResourceType=RESOURCE_GROUP``, ``resource-groups:Name`` with optional
``resource-groups:ResourceTypeFilters``.
Which instances those are is decided later, from the mock's inventory (``inventory.resolve``).

Known differences from AWS: docs/known-differences.md#targets, docs/known-differences.md#error-messages,
docs/known-differences.md#idempotency, docs/known-differences.md#maintenance-windows.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..engine import eventbridge as notify
from ..engine.simulator import Simulator
from ..errors import (
    DoesNotExistException,
    ResourceLimitExceededException,
    TargetInUseException,
    ValidationException,
)
from ..model.ids import IdSource
from ..model.resources import Target, Task, Window
from ..model.store import RegionState, matcher, page_result, paginate
from ..timing.clock import Clock
from ..wire import shapes
from ..wire.constraints import violation

Params = dict[str, Any]
Result = dict[str, Any]

TARGETS_PER_WINDOW = 100
TAG_VALUES_PER_TARGET = 5


def require_room(window: Window, count: int, limit: int, what: str) -> None:
    """Refuse one more of ``what`` (targets, tasks) on a window that already holds ``limit``."""
    if count >= limit:
        raise ResourceLimitExceededException(
            f"The maintenance window {window.window_id} already has {limit} {what}, "
            "the most a window can have."
        )


@cache
def _register_settings() -> frozenset[str]:
    return shapes.settings(
        "RegisterTargetWithMaintenanceWindow", Target, frozenset({"WindowId", "ClientToken"})
    )


@cache
def _update_settings() -> frozenset[str]:
    return shapes.settings(
        "UpdateMaintenanceWindowTarget", Target, frozenset({"WindowId", "WindowTargetId", "Replace"})
    )


@cache
def _replace_rules() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What Replace=True demands (what registering requires) and clears when not sent (the rest)."""
    updatable = _update_settings()
    demanded = tuple(
        name for name in shapes.required("RegisterTargetWithMaintenanceWindow") if name in updatable
    )
    return demanded, tuple(sorted(updatable - set(demanded)))


# Filter key → the Target attribute it matches.
_TARGET_FILTERS = {
    "Type": "resource_type",
    "WindowTargetId": "window_target_id",
    "OwnerInformation": "owner_information",
}
_GROUP_KEYS = frozenset({"resource-groups:Name", "resource-groups:ResourceTypeFilters"})

# SSM's text (TF PR #9188); resource groups came to maintenance windows later and are not in it.
_FORMATS = (
    'Targets must be specified in one of the following formats: 1) 1 target with "Key=InstanceIds" and '
    '"Values=" a list of up to 50 instance IDs, or 2) Up to 5 targets, each of which can be either '
    '"Key=tag:<key>,Values=<tag_values>" or "Key=tag-key,Values=<tag_keys>", and each with up to 5 unique '
    "tag keys/values."
)


def check_values_present(targets: list[dict[str, Any]]) -> None:
    """SSM's rule for window and task targets alike: every key needs at least one value."""
    for target in targets:
        if not target.get("Values"):
            # The double space is SSM's.
            raise ValidationException(
                f"Please specify at least one target.  Filter values can't be null and {target['Key']} is."
            )


def check_window_targets(resource_type: str, targets: list[dict[str, Any]]) -> None:
    """The shapes SSM accepts for a window target of ``resource_type``."""
    if not targets or any(target.get("Key") is None for target in targets):
        raise ValidationException(_FORMATS)
    check_values_present(targets)
    keys = [target["Key"] for target in targets]
    if resource_type == "RESOURCE_GROUP":
        if "resource-groups:Name" not in keys or any(key not in _GROUP_KEYS for key in keys):
            raise ValidationException(
                'Targets of resource type RESOURCE_GROUP must be specified as "Key=resource-groups:Name,'
                'Values=<group name>", optionally with "Key=resource-groups:ResourceTypeFilters,'
                'Values=<resource types>".'
            )
        return
    if any(key in _GROUP_KEYS for key in keys):
        raise ValidationException(
            "Targets with the keys resource-groups:Name or resource-groups:ResourceTypeFilters need "
            "ResourceType RESOURCE_GROUP."
        )
    for target in targets:
        key = target["Key"]
        if key == "InstanceIds":
            fits = len(targets) == 1
        else:
            is_tag = (key.startswith("tag:") and len(key) > len("tag:")) or key == "tag-key"
            fits = is_tag and len(set(target["Values"])) <= TAG_VALUES_PER_TARGET
        if not fits:
            raise ValidationException(_FORMATS)


def window_target(window: Window, target_id: str) -> Target:
    """The window's target, or ``DoesNotExistException``."""
    try:
        return window.targets[target_id]
    except KeyError:
        raise DoesNotExistException(f"Maintenance window target {target_id} does not exist") from None


def _tasks_using(window: Window, target_id: str) -> list[Task]:
    return [
        task
        for task in window.tasks.values()
        if any(t["Key"] == "WindowTargetIds" and target_id in t["Values"] for t in task.targets or ())
    ]


def _without_target(targets: list[dict[str, Any]], target_id: str) -> list[dict[str, Any]]:
    """``targets`` minus ``target_id`` (new lists: stored values are never changed in place)."""
    result = []
    for target in targets:
        if target["Key"] == "WindowTargetIds":
            values = [v for v in target["Values"] if v != target_id]
            if values:
                result.append({"Key": "WindowTargetIds", "Values": values})
        else:
            result.append(target)
    return result


class TargetOperations:
    """Register, update, describe and deregister window targets; mixed into ``Backend``."""

    clock: Clock
    ids: IdSource
    simulator: Simulator

    def register_target_with_maintenance_window(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])

        def register() -> str:
            if not params["Targets"]:
                # botocore's model allows an empty list (min 0); SSM's own model says at least one.
                raise ValidationException(
                    "1 validation error detected: "
                    + violation([], "targets", "Member must have length greater than or equal to 1", False)
                )
            check_window_targets(params["ResourceType"], params["Targets"])
            require_room(window, len(window.targets), TARGETS_PER_WINDOW, "targets")
            target = Target(
                window_id=window.window_id,
                window_target_id=self.ids.uuid(),
                seq=state.next_seq(),
                **shapes.from_wire(params, _register_settings()),
            )
            window.targets[target.window_target_id] = target
            state.naming.put_target(window, target)
            self._registration(state, target.window_id, target.window_target_id, "REGISTERED")
            return target.window_target_id

        return {
            "WindowTargetId": state.idempotent(
                "RegisterTargetWithMaintenanceWindow", params, register, self.clock.now()
            )
        }

    def update_maintenance_window_target(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])
        target = window_target(window, params["WindowTargetId"])
        changes = shapes.from_wire(params, _update_settings())
        if params.get("Replace"):
            demanded, cleared = _replace_rules()
            missing = [name for name in demanded if params.get(name) is None]
            if missing:
                raise ValidationException(
                    f"Replace requires {', '.join(missing)}, the required field of a window target."
                )
            for name in cleared:
                changes.setdefault(shapes.attribute_name(name), None)
        if "targets" in changes:
            check_window_targets(target.resource_type, changes["targets"])
        for attr, value in changes.items():
            setattr(target, attr, value)
        state.naming.put_target(window, target)
        return shapes.view(target, shapes.output_shape("UpdateMaintenanceWindowTarget"))

    def describe_maintenance_window_targets(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])
        keep = matcher(params, _TARGET_FILTERS)
        listing = f"DescribeMaintenanceWindowTargets/{window.window_id}"
        page, token = paginate(window.targets.values(), params, listing, 50, keep=keep)
        return page_result("Targets", [shapes.view(t, "MaintenanceWindowTarget") for t in page], token)

    def deregister_target_from_maintenance_window(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])
        target_id = params["WindowTargetId"]
        window_target(window, target_id)
        users = _tasks_using(window, target_id)
        if users and params.get("Safe"):
            raise TargetInUseException(
                f"The maintenance window target {target_id} is used by the task(s) "
                + ", ".join(task.window_task_id for task in users)
                + "; deregister them first, or deregister the target without Safe."
            )
        for task in users:
            task.targets = _without_target(task.targets or [], target_id)
            state.naming.put_task(window, task)
        del window.targets[target_id]
        state.naming.drop(target_id)
        self._registration(state, window.window_id, target_id, "DEREGISTERED")
        return {"WindowId": window.window_id, "WindowTargetId": target_id}

    def _registration(self, state: RegionState, window_id: str, target_id: str, status: str) -> None:
        """The EventBridge event of a target's registration or deregistration (engine/notify.py)."""
        detail = {"window-target-id": target_id, "window-id": window_id, "status": status}
        target_arn = f"arn:aws:ssm:{state.region}:{state.account}:windowtarget/{target_id}"
        now = self.clock.now()
        self.simulator.notifier.api_event(state, notify.TARGET_REGISTRATION, now, detail, target_arn)
