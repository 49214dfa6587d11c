"""From a window's registered tasks to what the simulator runs: targets resolved, limits settled.

Each task becomes a ``TaskPlan``, a snapshot of the task and what is derived from it: its window targets
resolved to instances through the fake inventory (``WindowTargetIds``) or taken as listed
(``InstanceIds``), each instance once, in the order the task names them; its invocation parameters are
the block of its own type (``RunCommand``, ``Automation``, ``Lambda``, ``StepFunctions``), or, for a Run
Command task registered with the deprecated ``TaskParameters``, those parameters. Targetless tasks run
once with no target and the placeholder limits ``"1"`` (``TaskPlan`` supplies those defaults).
"""

from __future__ import annotations

import copy
from typing import Any

from ..model.history import TargetRef, TaskPlan
from ..model.inventory import Inventory, resolve
from ..model.resources import Task, Window

INVOCATION_BLOCKS = {
    "RUN_COMMAND": "RunCommand",
    "AUTOMATION": "Automation",
    "LAMBDA": "Lambda",
    "STEP_FUNCTIONS": "StepFunctions",
}


def plan_tasks(window: Window, inventory: Inventory, account: str = "", region: str = "") -> list[TaskPlan]:
    """The window's tasks as the simulator runs them, lowest priority number first.

    ``account`` and ``region`` are the window's: they make the ARNs of resource-group members.
    """
    plans = [_plan(window, task, inventory, (account, region)) for task in window.tasks.values()]
    return sorted(plans, key=lambda plan: plan.priority)


def _plan(window: Window, task: Task, inventory: Inventory, scope: tuple[str, str]) -> TaskPlan:
    targets = _targets(window, task, inventory, scope) if task.targets else None
    template = _template(task)
    instance_ids = [ref.target_id for ref in targets or () if ref.target_id]
    task_parameters: list[dict[str, Any]] = []
    if task.task_type == "RUN_COMMAND":
        parameters = {"aws:InstanceId": {"Values": instance_ids}}
        parameters.update({k: {"Values": v} for k, v in (template.get("Parameters") or {}).items()})
        task_parameters.append(parameters)
    # A snapshot: updating the task replaces its members (never mutates them), so a shallow copy keeps
    # what this plan's executions ran.
    return TaskPlan(task=copy.copy(task), targets=targets, template=template, task_parameters=task_parameters)


def _targets(
    window: Window, task: Task, inventory: Inventory, scope: tuple[str, str]
) -> tuple[TargetRef, ...]:
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
            in_group = target.resource_type == "RESOURCE_GROUP"
            for instance_id in resolve(target.targets, inventory):
                arn = _instance_arn(scope, instance_id) if in_group else None
                refs.setdefault(
                    instance_id,
                    TargetRef(
                        window_target_id, instance_id, target.resource_type, target.owner_information, arn
                    ),
                )
    return tuple(refs.values())


def _instance_arn(scope: tuple[str, str], instance_id: str) -> str:
    account, region = scope
    return f"arn:aws:ec2:{region}:{account}:instance/{instance_id}"


def _template(task: Task) -> dict[str, Any]:
    block = (task.task_invocation_parameters or {}).get(INVOCATION_BLOCKS[task.task_type])
    if block is not None:
        return dict(block)
    if task.task_type == "RUN_COMMAND" and task.task_parameters:
        # The deprecated form: {"commands": {"Values": ["df"]}}.
        return {"Parameters": {k: v.get("Values", []) for k, v in task.task_parameters.items()}}
    return {}
