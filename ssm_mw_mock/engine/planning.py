"""From a window's registered tasks to what the simulator runs: targets resolved, limits settled.

Each task becomes a ``TaskPlan``: its window targets resolved to instances through the fake inventory
(``WindowTargetIds``) or taken as listed (``InstanceIds``), each instance once, in the order the task names
them; its invocation parameters are the block of its own type (``RunCommand``, ``Automation``, ``Lambda``,
``StepFunctions``), or, for a Run Command task registered with the deprecated ``TaskParameters``, those
parameters. Targetless tasks run once with no target and the placeholder limits ``"1"``.
"""

from __future__ import annotations

from typing import Any

from ..model.history import TargetRef
from ..model.inventory import Inventory, resolve
from ..model.resources import Task, Window
from .simulator import TaskPlan

INVOCATION_BLOCKS = {
    "RUN_COMMAND": "RunCommand",
    "AUTOMATION": "Automation",
    "LAMBDA": "Lambda",
    "STEP_FUNCTIONS": "StepFunctions",
}


def plan_tasks(window: Window, inventory: Inventory) -> list[TaskPlan]:
    """The window's tasks as the simulator runs them, lowest priority number first."""
    plans = [_plan(window, task, inventory) for task in window.tasks.values()]
    return sorted(plans, key=lambda plan: plan.priority)


def _plan(window: Window, task: Task, inventory: Inventory) -> TaskPlan:
    targets = _targets(window, task, inventory) if task.targets else None
    template = _template(task)
    instance_ids = [ref.target_id for ref in targets or () if ref.target_id]
    task_parameters: list[dict[str, Any]] = []
    if task.task_type == "RUN_COMMAND":
        parameters = {"aws:InstanceId": {"Values": instance_ids}}
        parameters.update({k: {"Values": v} for k, v in (template.get("Parameters") or {}).items()})
        task_parameters.append(parameters)
    return TaskPlan(
        window_task_id=task.window_task_id,
        task_arn=task.task_arn,
        task_type=task.task_type,
        priority=task.priority,
        max_concurrency=task.max_concurrency or "1",
        max_errors=task.max_errors or "1",
        cutoff_behavior=task.cutoff_behavior or "CONTINUE_TASK",
        service_role=task.service_role_arn,
        template=template,
        task_parameters=task_parameters,
        alarm_configuration=task.alarm_configuration,
        targets=targets,
    )


def _targets(window: Window, task: Task, inventory: Inventory) -> tuple[TargetRef, ...]:
    refs: dict[str, TargetRef] = {}
    for entry in task.targets or ():
        if entry["Key"] == "InstanceIds":
            for instance_id in entry["Values"]:
                refs.setdefault(instance_id, TargetRef(None, instance_id, "INSTANCE"))
            continue
        for window_target_id in entry["Values"]:
            target = window.targets.get(window_target_id)
            if target is None:
                continue
            for instance_id in resolve(target.targets, inventory):
                refs.setdefault(
                    instance_id,
                    TargetRef(window_target_id, instance_id, target.resource_type, target.owner_information),
                )
    return tuple(refs.values())


def _template(task: Task) -> dict[str, Any]:
    block = (task.task_invocation_parameters or {}).get(INVOCATION_BLOCKS[task.task_type])
    if block is not None:
        return dict(block)
    if task.task_type == "RUN_COMMAND" and task.task_parameters:
        # The deprecated form: {"commands": {"Values": ["df"]}}.
        return {"Parameters": {k: v.get("Values", []) for k, v in task.task_parameters.items()}}
    return {}
