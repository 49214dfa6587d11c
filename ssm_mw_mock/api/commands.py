"""Run Command's reads for the commands windows sent: ``ListCommands``, ``ListCommandInvocations`` and
``GetCommandInvocation`` (and so botocore's ``command_executed`` waiter).

Each invocation of a ``RUN_COMMAND`` task is one command sent to one node: its ``CommandId`` is the
invocation's ``ExecutionId``, its document the task's ``TaskArn``, its parameters the task's
``Parameters`` with the pseudo parameters substituted, and its status the invocation's, in Run
Command's words. What it printed and its response code come from the test's ``Outcome``
(``standard_output``, ``standard_error``, ``response_code``), with Run Command's usual values when the
outcome gives none. Nothing is recorded for this: each answer is derived from the window's records when
it is read (``model/runs.py``).

Known differences from AWS: docs/known-differences.md#run-command-and-automation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..errors import InvalidCommandId, InvalidFilterValue, InvalidPluginName, InvocationDoesNotExist
from ..model.history import FAILED, FINAL, SUCCESS, TIMED_OUT, Invocation
from ..model.runs import RUN_COMMAND, RunOutput, run_output
from ..model.store import RegionState, page_result
from ..timing.clock import Clock
from .runs import STATUS, RunIndexes, instant, iso, page

Params = dict[str, Any]
Result = dict[str, Any]

#: ``StatusDetails`` of a command and its invocation, by status, where it differs from the status.
DETAILS = {"TimedOut": "ExecutionTimedOut"}
#: ``ResponseCode`` when the outcome gives none: the script's exit code, -1 when it did not run to an end.
RESPONSE_CODE = {SUCCESS: 0, FAILED: 1}
#: The plugin (the document's one step) that runs the commands of the documents most windows send.
PLUGINS = {
    "AWS-RunShellScript": "aws:runShellScript",
    "AWS-RunPowerShellScript": "aws:runPowerShellScript",
}
#: What ``TimeoutSeconds`` is when the task does not set it (as ``Invocation.wire_parameters`` shows).
DEFAULT_TIMEOUT = 600
#: The most of each output ``GetCommandInvocation`` and a plugin's ``Output`` show, as SSM documents.
STDOUT_LIMIT, STDERR_LIMIT, PLUGIN_OUTPUT_LIMIT = 24_000, 8_000, 2_500


class CommandOperations(RunIndexes):
    """The Run Command reads; mixed into ``Backend``."""

    clock: Clock

    def list_commands(self, state: RegionState, params: Params) -> Result:
        runs = self.runs(state)
        keep = _filters(params)
        if params.get("CommandId"):
            found = _command(runs.find(params["CommandId"], RUN_COMMAND), params["CommandId"])
            items = [found] if keep(found) and _on(found, params.get("InstanceId")) else []
            return {"Commands": [_command_view(i, state.region) for i in items]}
        wanted = params.get("InstanceId")
        command_page, token = page(
            lambda below: runs.newest_first(RUN_COMMAND, below),
            params,
            "ListCommands",
            lambda invocation: _on(invocation, wanted) and keep(invocation),
        )
        return page_result("Commands", [_command_view(i, state.region) for i in command_page], token)

    def list_command_invocations(self, state: RegionState, params: Params) -> Result:
        runs = self.runs(state)
        keep = _filters(params)
        details = bool(params.get("Details"))
        wanted = params.get("InstanceId")
        if params.get("CommandId"):
            found = _command(runs.find(params["CommandId"], RUN_COMMAND), params["CommandId"])
            chosen = [found] if keep(found) and _on(found, wanted) else []
            return {"CommandInvocations": [self._invocation_view(i, state.region, details) for i in chosen]}
        invocation_page, token = page(
            lambda below: runs.newest_first(RUN_COMMAND, below),
            params,
            "ListCommandInvocations",
            lambda invocation: _on(invocation, wanted) and keep(invocation),
        )
        items = [self._invocation_view(i, state.region, details) for i in invocation_page]
        return page_result("CommandInvocations", items, token)

    def get_command_invocation(self, state: RegionState, params: Params) -> Result:
        command_id, instance_id = params["CommandId"], params["InstanceId"]
        invocation = self.runs(state).find(command_id, RUN_COMMAND)
        if invocation is None:
            raise InvalidCommandId(f"The command {command_id} does not exist.")
        if invocation.target_id != instance_id:
            raise InvocationDoesNotExist(
                f"The command {command_id} has no invocation on the managed node {instance_id}."
            )
        plugin = _plugin_name(invocation)
        if params.get("PluginName") not in (None, plugin):
            raise InvalidPluginName(
                f"The command {command_id} ran no plugin named {params['PluginName']}; "
                f"its plugin is {plugin}."
            )
        run = invocation.parameters
        output = run_output(invocation)
        end = invocation.end_time
        elapsed = (end or self.clock.now()) - invocation.start_time
        status = STATUS[invocation.status]
        return {
            "CommandId": command_id,
            "InstanceId": instance_id,
            "Comment": run.get("Comment", ""),
            "DocumentName": invocation.task_arn,
            "DocumentVersion": run.get("DocumentVersion") or "$DEFAULT",
            "PluginName": plugin,
            "ResponseCode": _response_code(invocation, output),
            "ExecutionStartDateTime": iso(invocation.start_time),
            "ExecutionElapsedTime": f"PT{elapsed.total_seconds():.3f}S",
            "ExecutionEndDateTime": iso(end) if end is not None else "",
            "Status": status,
            "StatusDetails": DETAILS.get(status, status),
            "StandardOutputContent": _text(output, "standard_output")[:STDOUT_LIMIT],
            "StandardOutputUrl": "",
            "StandardErrorContent": _text(output, "standard_error")[:STDERR_LIMIT],
            "StandardErrorUrl": "",
            "CloudWatchOutputConfig": _cloudwatch(run),
        }

    def _invocation_view(self, invocation: Invocation, region: str, details: bool) -> Result:
        run = invocation.parameters
        status = STATUS[invocation.status]
        view: Result = {
            "CommandId": invocation.execution_id,
            "InstanceId": invocation.target_id,
            "InstanceName": "",
            "Comment": run.get("Comment", ""),
            "DocumentName": invocation.task_arn,
            "DocumentVersion": run.get("DocumentVersion") or "$DEFAULT",
            "RequestedDateTime": invocation.start_time,
            "Status": status,
            "StatusDetails": DETAILS.get(status, status),
            "TraceOutput": "",
            "StandardOutputUrl": "",
            "StandardErrorUrl": "",
            "CommandPlugins": [_plugin_view(invocation, region)] if details else [],
            "CloudWatchOutputConfig": _cloudwatch(run),
        }
        _add_notification(view, run)
        return view


def _command(invocation: Invocation | None, command_id: str) -> Invocation:
    if invocation is None:
        raise InvalidCommandId(f"The command {command_id} does not exist.")
    return invocation


def _on(invocation: Invocation, instance_id: str | None) -> bool:
    return instance_id is None or invocation.target_id == instance_id


def _filters(params: Params) -> Callable[[Invocation], bool]:
    """The request's ``Filters`` (lower-case ``key``/``value``) as one test; every filter must pass.

    The validator has already refused a key outside the model's enum (``CommandFilterKey``).
    """
    after: list[datetime] = []
    before: list[datetime] = []
    statuses: list[str] = []
    stages: list[bool] = []
    documents: list[str] = []
    for flt in params.get("Filters") or ():
        key, value = flt["key"], flt["value"]
        if key == "InvokedAfter":
            after.append(instant(key, value))
        elif key == "InvokedBefore":
            before.append(instant(key, value))
        elif key == "Status":
            statuses.append(value)
        elif key == "ExecutionStage":
            stages.append(_stage(value))
        else:  # DocumentName
            documents.append(value)

    def keep(invocation: Invocation) -> bool:
        start = invocation.start_time
        return (
            all(start >= bound for bound in after)
            and all(start <= bound for bound in before)
            and all(STATUS[invocation.status] == status for status in statuses)
            and all((invocation.status in FINAL) is stage for stage in stages)
            and all(invocation.task_arn == name for name in documents)
        )

    return keep


def _stage(value: str) -> bool:
    """``ExecutionStage``'s value: whether it asks for the finished commands (``Complete``)."""
    if value not in ("Executing", "Complete"):
        raise InvalidFilterValue(
            f"The value {value} of the filter ExecutionStage must be Executing or Complete."
        )
    return value == "Complete"


def _plugin_name(invocation: Invocation) -> str:
    return PLUGINS.get(invocation.task_arn, invocation.task_arn)


def _text(output: RunOutput | None, name: str) -> str:
    value: str | None = None if output is None else getattr(output, name)
    return value or ""


def _response_code(invocation: Invocation, output: RunOutput | None) -> int:
    if output is not None and output.response_code is not None and invocation.status in FINAL:
        return output.response_code
    return RESPONSE_CODE.get(invocation.status, -1)


def _cloudwatch(run: dict[str, Any]) -> dict[str, Any]:
    given = run.get("CloudWatchOutputConfig")
    return dict(given) if given else {"CloudWatchOutputEnabled": False}


def _add_notification(view: Result, run: dict[str, Any]) -> None:
    if run.get("ServiceRoleArn"):
        view["ServiceRole"] = run["ServiceRoleArn"]
    if run.get("NotificationConfig"):
        view["NotificationConfig"] = run["NotificationConfig"]


def _add_output_location(view: Result, run: dict[str, Any], region: str) -> None:
    """The output S3 settings, when the task sends output to S3 (the model allows no empty bucket)."""
    if run.get("OutputS3BucketName"):
        view["OutputS3Region"] = region
        view["OutputS3BucketName"] = run["OutputS3BucketName"]
        view["OutputS3KeyPrefix"] = run.get("OutputS3KeyPrefix", "")


def _plugin_view(invocation: Invocation, region: str) -> Result:
    run = invocation.parameters
    output = run_output(invocation)
    status = STATUS[invocation.status]
    plugin: Result = {
        "Name": _plugin_name(invocation),
        "Status": status,
        "StatusDetails": DETAILS.get(status, status),
        "ResponseCode": _response_code(invocation, output),
        "ResponseStartDateTime": invocation.start_time,
        "Output": _text(output, "standard_output")[:PLUGIN_OUTPUT_LIMIT],
        "StandardOutputUrl": "",
        "StandardErrorUrl": "",
    }
    _add_output_location(plugin, run, region)
    if invocation.end_time is not None:
        plugin["ResponseFinishDateTime"] = invocation.end_time
    return plugin


def _command_view(invocation: Invocation, region: str) -> Result:
    run = invocation.parameters
    status = STATUS[invocation.status]
    finished = invocation.status in FINAL
    timeout = run.get("TimeoutSeconds") or DEFAULT_TIMEOUT
    requested: datetime = invocation.start_time
    view: Result = {
        "CommandId": invocation.execution_id,
        "DocumentName": invocation.task_arn,
        "DocumentVersion": run.get("DocumentVersion") or "$DEFAULT",
        "Comment": run.get("Comment", ""),
        "ExpiresAfter": requested + timedelta(seconds=timeout),
        "Parameters": run.get("Parameters") or {},
        "InstanceIds": [invocation.target_id] if invocation.target_id else [],
        "Targets": [],
        "RequestedDateTime": requested,
        "Status": status,
        "StatusDetails": DETAILS.get(status, status),
        "MaxConcurrency": invocation.task.max_concurrency,
        "MaxErrors": invocation.task.max_errors,
        "TargetCount": 1,
        "CompletedCount": 1 if finished else 0,
        "ErrorCount": 1 if invocation.status in (FAILED, TIMED_OUT) else 0,
        "DeliveryTimedOutCount": 0,
        "CloudWatchOutputConfig": _cloudwatch(run),
        "TimeoutSeconds": timeout,
    }
    _add_output_location(view, run, region)
    _add_notification(view, run)
    return view
