"""Reading and cancelling what windows did: the seven execution operations and the cancel.

The records come from the simulator (``history``); these operations only look them up, filter, page
and project them onto SSM's output shapes.

Known differences from AWS: docs/known-differences.md#executions, docs/known-differences.md#error-messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from ..engine.simulator import Simulator
from ..errors import DoesNotExistException
from ..model.history import Invocation, TaskExecution, WindowExecution
from ..model.store import RegionState, filter_instant, filters, make_token, page_result, paginate, read_token
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
        after: datetime | None = None
        before: datetime | None = None
        for key, values in filters(params, ("ExecutedAfter", "ExecutedBefore")):
            bound = filter_instant(key, values)
            if key == "ExecutedAfter":
                after = bound if after is None else max(after, bound)
            else:
                before = bound if before is None else min(before, bound)
        listing = "DescribeMaintenanceWindowExecutions"
        below = read_token(params["NextToken"], listing) if params.get("NextToken") else None
        log = state.logs.get(window.window_id)
        limit = params.get("MaxResults") or 50
        # Newest first, as SSM lists them; found by bisection in the window's own history.
        page, more = log.newest_first(after, before, below, limit) if log else ([], False)
        token = make_token(listing, page[-1].seq) if more and page else None
        items = [shapes.view(e, "MaintenanceWindowExecution") for e in page]
        return page_result("WindowExecutions", items, token)

    def get_maintenance_window_execution(self, state: RegionState, params: Params) -> Result:
        execution = _execution(state, params["WindowExecutionId"])
        return shapes.view(execution, shapes.output_shape("GetMaintenanceWindowExecution"))

    def describe_maintenance_window_execution_tasks(self, state: RegionState, params: Params) -> Result:
        execution = _execution(state, params["WindowExecutionId"])
        page, token = paginate(
            execution.tasks, params, "DescribeMaintenanceWindowExecutionTasks", 50, keep=_by_status(params)
        )
        items = [shapes.view(t, "MaintenanceWindowExecutionTaskIdentity") for t in page]
        return page_result("WindowExecutionTaskIdentities", items, token)

    def get_maintenance_window_execution_task(self, state: RegionState, params: Params) -> Result:
        task = _task(_execution(state, params["WindowExecutionId"]), params["TaskId"])
        return shapes.view(task, shapes.output_shape("GetMaintenanceWindowExecutionTask"))

    def describe_maintenance_window_execution_task_invocations(
        self, state: RegionState, params: Params
    ) -> Result:
        task = _task(_execution(state, params["WindowExecutionId"]), params["TaskId"])
        listing = "DescribeMaintenanceWindowExecutionTaskInvocations"
        page, token = paginate(task.invocations, params, listing, 50, keep=_by_status(params))
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
    state.forget_window(window_id)


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


def _by_status(params: Params) -> Callable[[TaskExecution | Invocation], bool] | None:
    """The ``STATUS`` filters (ANDed) as one test, or None without filters."""
    wanted = [set(values) for _, values in filters(params, ("STATUS",))]
    if not wanted:
        return None
    return lambda item: all(item.status in values for values in wanted)
