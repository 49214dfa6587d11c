"""Reading and cancelling what windows did: the seven execution operations and the cancel.

The records come from the simulator (``history``); these operations only look them up, filter, page
and project them onto SSM's output shapes.

Known differences from AWS: docs/known-differences.md#executions, docs/known-differences.md#error-messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ..engine.simulator import Simulator
from ..errors import DoesNotExistException
from ..model.history import Invocation, TaskExecution, WindowExecution
from ..model.store import RegionState, filter_instant, filters, page_result, paginate
from ..timing.clock import Clock
from ..wire import shapes

Params = dict[str, Any]
Result = dict[str, Any]
T = TypeVar("T")


class ExecutionOperations:
    """The execution operations; mixed into ``Backend``."""

    clock: Clock
    simulator: Simulator

    def describe_maintenance_window_executions(self, state: RegionState, params: Params) -> Result:
        window = state.window(params["WindowId"])
        executions = [e for e in state.executions.values() if e.window_id == window.window_id]
        for key, values in filters(params, ("ExecutedAfter", "ExecutedBefore")):
            bound = filter_instant(key, values)
            if key == "ExecutedAfter":
                executions = [e for e in executions if e.start_time >= bound]
            else:
                executions = [e for e in executions if e.start_time <= bound]
        executions.reverse()  # newest first, as SSM lists them
        page, token = paginate(
            executions, params, "DescribeMaintenanceWindowExecutions", default_max=50, newest_first=True
        )
        items = [shapes.view(e, "MaintenanceWindowExecution") for e in page]
        return page_result("WindowExecutions", items, token)

    def get_maintenance_window_execution(self, state: RegionState, params: Params) -> Result:
        execution = _execution(state, params["WindowExecutionId"])
        return shapes.view(execution, shapes.output_shape("GetMaintenanceWindowExecution"))

    def describe_maintenance_window_execution_tasks(self, state: RegionState, params: Params) -> Result:
        execution = _execution(state, params["WindowExecutionId"])
        tasks = _by_status(execution.tasks, params)
        page, token = paginate(tasks, params, "DescribeMaintenanceWindowExecutionTasks", default_max=50)
        items = [shapes.view(t, "MaintenanceWindowExecutionTaskIdentity") for t in page]
        return page_result("WindowExecutionTaskIdentities", items, token)

    def get_maintenance_window_execution_task(self, state: RegionState, params: Params) -> Result:
        task = _task(_execution(state, params["WindowExecutionId"]), params["TaskId"])
        return shapes.view(task, shapes.output_shape("GetMaintenanceWindowExecutionTask"))

    def describe_maintenance_window_execution_task_invocations(
        self, state: RegionState, params: Params
    ) -> Result:
        task = _task(_execution(state, params["WindowExecutionId"]), params["TaskId"])
        invocations = _by_status(task.invocations, params)
        page, token = paginate(
            invocations, params, "DescribeMaintenanceWindowExecutionTaskInvocations", default_max=50
        )
        items = [shapes.view(i, "MaintenanceWindowExecutionTaskInvocationIdentity") for i in page]
        return page_result("WindowExecutionTaskInvocationIdentities", items, token)

    def get_maintenance_window_execution_task_invocation(self, state: RegionState, params: Params) -> Result:
        task = _task(_execution(state, params["WindowExecutionId"]), params["TaskId"])
        invocation = _find(
            task.invocations,
            lambda i: i.invocation_id == params["InvocationId"],
            f"Maintenance window execution task invocation {params['InvocationId']} does not exist",
        )
        return shapes.view(invocation, shapes.output_shape("GetMaintenanceWindowExecutionTaskInvocation"))

    def cancel_maintenance_window_execution(self, state: RegionState, params: Params) -> Result:
        execution = _execution(state, params["WindowExecutionId"])
        self.simulator.cancel(execution, self.clock.now())
        return {"WindowExecutionId": execution.window_execution_id}


def forget_history(state: RegionState, window_id: str) -> None:
    """Deleting a window deletes its executions."""
    for execution_id in [k for k, e in state.executions.items() if e.window_id == window_id]:
        del state.executions[execution_id]


def _execution(state: RegionState, execution_id: str) -> WindowExecution:
    execution = state.executions.get(execution_id)
    if execution is None:
        raise DoesNotExistException(f"Maintenance window execution {execution_id} does not exist")
    return execution


def _task(execution: WindowExecution, task_id: str) -> TaskExecution:
    return _find(
        execution.tasks,
        lambda t: t.task_execution_id == task_id,
        f"Maintenance window execution task {task_id} does not exist",
    )


def _find(items: Iterable[T], match: Callable[[T], bool], message: str) -> T:
    for item in items:
        if match(item):
            return item
    raise DoesNotExistException(message)


S = TypeVar("S", TaskExecution, Invocation)


def _by_status(items: list[S], params: Params) -> list[S]:
    for _, values in filters(params, ("STATUS",)):
        wanted = set(values)
        items = [item for item in items if item.status in wanted]
    return items
