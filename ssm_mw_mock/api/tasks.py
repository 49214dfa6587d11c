"""Window tasks: register, get, update, describe and deregister what a window runs, with SSM's rules.

A task is a Run Command document, an Automation runbook, a Lambda function or a Step Functions state machine,
aimed at window targets (``WindowTargetIds``) or, if the window allows unassociated targets, at instance ids
(``InstanceIds``). Since 2020 tasks other than Run Command may have no targets; such a task takes no
``MaxConcurrency``/``MaxErrors`` and SSM reports the placeholder ``"1"`` for both. Every rule is checked on
the task as it would be after the call, before anything is stored, so a refused call changes nothing.

Known differences from AWS: docs/known-differences.md#tasks, docs/known-differences.md#error-messages,
docs/known-differences.md#idempotency, docs/known-differences.md#maintenance-windows.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from ..errors import DoesNotExistException, ValidationException
from ..model.ids import IdSource
from ..model.resources import Task, Window
from ..model.store import RegionState, matcher, page_result, paginate
from ..timing.clock import Clock
from ..wire import shapes
from .targets import check_values_present, require_room, window_target

Params = dict[str, Any]
Result = dict[str, Any]

TASKS_PER_WINDOW = 20
WINDOW_TARGETS_PER_TASK = 10
INSTANCES_PER_TASK = 50
DEFAULT_PRIORITY = 1
PLACEHOLDER_LIMIT = "1"


@cache
def _update_settings() -> frozenset[str]:
    """What a task's settings are: everything Update may change (TaskType is fixed at registration)."""
    return shapes.settings(
        "UpdateMaintenanceWindowTask", Task, frozenset({"WindowId", "WindowTaskId", "Replace"})
    )


@cache
def _register_settings() -> frozenset[str]:
    return shapes.settings("RegisterTaskWithMaintenanceWindow", Task, frozenset({"WindowId", "ClientToken"}))


@cache
def _setting_attributes() -> tuple[str, ...]:
    return tuple(shapes.attribute_name(name) for name in sorted(_update_settings()))


@cache
def _replace_demands() -> tuple[str, ...]:
    """What Replace=True demands: the members registering requires that Update can set."""
    updatable = _update_settings()
    return tuple(name for name in shapes.required("RegisterTaskWithMaintenanceWindow") if name in updatable)


# The member of TaskInvocationParameters that belongs to each task type.
_INVOCATION_KEYS = {
    "RUN_COMMAND": "RunCommand",
    "AUTOMATION": "Automation",
    "LAMBDA": "Lambda",
    "STEP_FUNCTIONS": "StepFunctions",
}
_TASK_FILTERS = {
    "WindowTaskId": "window_task_id",
    "TaskArn": "task_arn",
    "Priority": "priority",
    "TaskType": "task_type",
}
_TASK_TARGET_KEYS = ("WindowTargetIds", "InstanceIds")
# SSM's texts: a task with targets needs both limits; a task without targets takes neither.
_LIMIT_TEXTS = (
    ("max_errors", "Max Errors must be a number of at least 0, or a percentage between 0 and 100"),
    ("max_concurrency", "Max Concurrency must be a number greater than 0, or a percentage between 1 and 100"),
)
_TARGETLESS_TEXT = "Maintenance window tasks without targets do not support {} values."


def service_linked_role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM"


def window_task(window: Window, task_id: str) -> Task:
    """The window's task, or ``DoesNotExistException``."""
    try:
        return window.tasks[task_id]
    except KeyError:
        raise DoesNotExistException(f"Maintenance window task {task_id} does not exist") from None


def _requested(params: Params, allowed: frozenset[str]) -> dict[str, Any]:
    """The task attributes a request sets, with the Lambda payload decoded to the bytes it stands for."""
    changes = shapes.from_wire(params, allowed)
    invocation: dict[str, Any] = changes.get("task_invocation_parameters") or {}
    lambda_parameters = invocation.get("Lambda")
    if lambda_parameters and isinstance(lambda_parameters.get("Payload"), str):
        # awsJson1.1 carries blobs as base64; validation has already checked that it decodes.
        payload = base64.b64decode(lambda_parameters["Payload"])
        lambda_parameters = {**lambda_parameters, "Payload": payload}
        changes["task_invocation_parameters"] = {**invocation, "Lambda": lambda_parameters}
    return changes


def _check_task_targets(window: Window, targets: list[dict[str, Any]]) -> None:
    for target in targets:
        if target.get("Key") not in _TASK_TARGET_KEYS:
            key = target.get("Key") or "null"  # SSM's service is Java: a missing key reads "null"
            raise ValidationException(
                f"{key} is an invalid window task target type, use WindowTargetIds or InstanceIds. "
                "For Run Command tasks, you must specify at least one resource as the target of the task. "
                f"You can specify between 1 and {INSTANCES_PER_TASK} instance IDs, or between 1 and "
                f"{WINDOW_TARGETS_PER_TASK} maintenance window target IDs"
            )
    check_values_present(targets)
    window_target_ids = [v for t in targets if t["Key"] == "WindowTargetIds" for v in t["Values"]]
    instance_ids = [v for t in targets if t["Key"] == "InstanceIds" for v in t["Values"]]
    if len(window_target_ids) > WINDOW_TARGETS_PER_TASK:
        raise ValidationException(f"The maximum number of window targets is {WINDOW_TARGETS_PER_TASK}")
    if len(instance_ids) > INSTANCES_PER_TASK:
        raise ValidationException(f"The maximum number of instance IDs is {INSTANCES_PER_TASK}")
    if instance_ids and not window.allow_unassociated_targets:
        raise ValidationException(
            f"The maintenance window {window.window_id} does not allow unassociated targets: register the "
            "instances as window targets and use WindowTargetIds, or set AllowUnassociatedTargets to true."
        )
    for target_id in window_target_ids:
        window_target(window, target_id)


def _settle(window: Window, task_type: str, task: dict[str, Any], params: Params, account: str) -> None:
    """Check ``task`` (every setting, as it would be stored) against SSM's rules; fill in SSM's defaults."""
    if task["targets"]:
        _check_task_targets(window, task["targets"])
        missing = [text for attr, text in _LIMIT_TEXTS if task[attr] is None]
        if missing:
            raise ValidationException(" ".join(missing))
    elif task_type == "RUN_COMMAND":
        raise ValidationException(
            "For Run Command tasks, you must specify at least one resource as the target of the task."
        )
    else:
        refused = [name for name in ("MaxErrors", "MaxConcurrency") if params.get(name) is not None]
        if refused:
            raise ValidationException(" ".join(_TARGETLESS_TEXT.format(name) for name in refused))
        task["max_concurrency"] = task["max_errors"] = PLACEHOLDER_LIMIT
    invocation = task["task_invocation_parameters"] or {}
    if any(value is not None for key, value in invocation.items() if key != _INVOCATION_KEYS[task_type]):
        raise ValidationException(
            "Task Invocation Parameters must contain an entry only for the Task Type specified in the "
            "Window Task."
        )
    if task["service_role_arn"] is None:
        task["service_role_arn"] = service_linked_role(account)
    if task["priority"] is None:
        task["priority"] = DEFAULT_PRIORITY
    if task["task_parameters"] is None:
        task["task_parameters"] = {}


class TaskOperations:
    """Register, get, update, describe and deregister window tasks; mixed into ``Backend``."""

    clock: Clock
    ids: IdSource

    def register_task_with_maintenance_window(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])
        task_type = params["TaskType"]

        def register() -> str:
            # Inside, so that a repeated ClientToken gets its answer even if the window changed since.
            settings: dict[str, Any] = dict.fromkeys(_setting_attributes())
            settings.update(_requested(params, _register_settings()))
            _settle(window, task_type, settings, params, state.account)
            require_room(window, len(window.tasks), TASKS_PER_WINDOW, "tasks")
            task = Task(
                window_id=window.window_id,
                window_task_id=self.ids.uuid(),
                seq=state.next_seq(),
                **settings,
            )
            window.tasks[task.window_task_id] = task
            state.naming.put_task(window, task)
            return task.window_task_id

        return {
            "WindowTaskId": state.idempotent(
                "RegisterTaskWithMaintenanceWindow", params, register, self.clock.now()
            )
        }

    def get_maintenance_window_task(self, state: RegionState, params: Params) -> Result:
        task = window_task(state.window(params["WindowId"]), params["WindowTaskId"])
        return shapes.view(task, shapes.output_shape("GetMaintenanceWindowTask"))

    def update_maintenance_window_task(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])
        task = window_task(window, params["WindowTaskId"])
        changes = _requested(params, _update_settings())
        if params.get("Replace"):
            missing = [name for name in _replace_demands() if params.get(name) is None]
            if missing:
                raise ValidationException(
                    f"Replace requires {', '.join(missing)}, the required field of a window task."
                )
            settings = dict.fromkeys(_setting_attributes())
        else:
            settings = {attr: getattr(task, attr) for attr in _setting_attributes()}
        settings.update(changes)
        _settle(window, task.task_type, settings, params, state.account)
        for attr, value in settings.items():
            setattr(task, attr, value)
        state.naming.put_task(window, task)
        return shapes.view(task, shapes.output_shape("UpdateMaintenanceWindowTask"))

    def describe_maintenance_window_tasks(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])
        keep = matcher(params, _TASK_FILTERS)
        listing = f"DescribeMaintenanceWindowTasks/{window.window_id}"
        page, token = paginate(window.tasks.values(), params, listing, 50, keep=keep)
        return page_result("Tasks", [shapes.view(t, "MaintenanceWindowTask") for t in page], token)

    def deregister_task_from_maintenance_window(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])
        task = window_task(window, params["WindowTaskId"])
        del window.tasks[task.window_task_id]
        state.naming.drop(task.window_task_id)
        return {"WindowId": window.window_id, "WindowTaskId": task.window_task_id}
