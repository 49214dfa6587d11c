"""Automation's reads for the automation executions windows started: ``GetAutomationExecution`` and
``DescribeAutomationExecutions``.

Each invocation of an ``AUTOMATION`` task is one automation execution: its ``AutomationExecutionId`` is
the invocation's ``ExecutionId``, its runbook the task's ``TaskArn``, its parameters the task's
``Parameters`` with the pseudo parameters substituted, its status the invocation's in Automation's
words, and its ``Outputs`` what the test's ``Outcome(automation_outputs=...)`` gave. Nothing is recorded
for this: each answer is derived from the window's records when it is read (``model/runs.py``).

Known differences from AWS: docs/known-differences.md#run-command-and-automation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..errors import AutomationExecutionNotFoundException
from ..model.history import FAILED, FINAL, TIMED_OUT, Invocation
from ..model.runs import AUTOMATION, run_output
from ..model.store import RegionState, page_result
from .runs import STATUS, RunIndexes, instant, page

Params = dict[str, Any]
Result = dict[str, Any]

#: ``AutomationType`` of every execution a window starts: in its own account and region.
LOCAL = "Local"


class AutomationOperations(RunIndexes):
    """The Automation reads; mixed into ``Backend``."""

    def get_automation_execution(self, state: RegionState, params: Params) -> Result:
        execution_id = params["AutomationExecutionId"]
        invocation = self.runs(state).find(execution_id, AUTOMATION)
        if invocation is None:
            raise AutomationExecutionNotFoundException(f"Automation execution {execution_id} does not exist.")
        view = _metadata(invocation)
        del view["LogFile"], view["AutomationType"]
        view["StepExecutions"] = []
        view["StepExecutionsTruncated"] = False
        parameters = invocation.parameters.get("Parameters")
        if parameters:
            view["Parameters"] = parameters
        return {"AutomationExecution": view}

    def describe_automation_executions(self, state: RegionState, params: Params) -> Result:
        runs = self.runs(state)
        executions, token = page(
            lambda below: runs.newest_first(AUTOMATION, below),
            params,
            "DescribeAutomationExecutions",
            _filters(params),
        )
        items = [_metadata(i) for i in executions]
        return page_result("AutomationExecutionMetadataList", items, token)


def _metadata(invocation: Invocation) -> Result:
    """The execution as ``AutomationExecutionMetadata``; ``GetAutomationExecution`` builds on it."""
    run = invocation.parameters
    view: Result = {
        "AutomationExecutionId": invocation.execution_id,
        "DocumentName": invocation.task_arn,
        "DocumentVersion": run.get("DocumentVersion") or "$DEFAULT",
        "AutomationExecutionStatus": STATUS[invocation.status],
        "ExecutionStartTime": invocation.start_time,
        "LogFile": "",
        "Mode": "Auto",
        "AutomationType": LOCAL,
    }
    if invocation.end_time is not None:
        view["ExecutionEndTime"] = invocation.end_time
    role = invocation.task.service_role
    if role:
        view["ExecutedBy"] = role
    output = run_output(invocation)
    if output is not None and output.automation_outputs and invocation.status in FINAL:
        view["Outputs"] = {k: list(v) for k, v in output.automation_outputs.items()}
    if invocation.status in (FAILED, TIMED_OUT):
        view["FailureMessage"] = invocation.status_details or STATUS[invocation.status]
    return view


def _filters(params: Params) -> Callable[[Invocation], bool]:
    """The request's ``Filters`` as one test: each filter passes an execution matching any of its
    values, and every filter must pass. Keys that name what windows never give an execution (tags,
    parents, resource groups, OpsItems, change requests, a current action) pass none."""
    # One list of accepted values per filter: an execution passes when each has one it matches.
    prefixes: list[list[str]] = []
    statuses: list[list[str]] = []
    ids: list[list[str]] = []
    before: list[list[datetime]] = []
    after: list[list[datetime]] = []
    types: list[list[str]] = []
    never = False
    for flt in params.get("Filters") or ():
        key, values = flt["Key"], list(flt["Values"])
        if key == "DocumentNamePrefix":
            prefixes.append(values)
        elif key == "ExecutionStatus":
            statuses.append(values)
        elif key == "ExecutionId":
            ids.append(values)
        elif key == "StartTimeBefore":
            before.append([instant(key, value) for value in values])
        elif key == "StartTimeAfter":
            after.append([instant(key, value) for value in values])
        elif key == "AutomationType":
            types.append(values)
        else:
            never = True

    def keep(invocation: Invocation) -> bool:
        start = invocation.start_time
        return (
            not never
            and all(any(invocation.task_arn.startswith(p) for p in wanted) for wanted in prefixes)
            and all(STATUS[invocation.status] in wanted for wanted in statuses)
            and all(invocation.execution_id in wanted for wanted in ids)
            and all(any(start <= bound for bound in wanted) for wanted in before)
            and all(any(start >= bound for bound in wanted) for wanted in after)
            and all(LOCAL in wanted for wanted in types)
        )

    return keep
