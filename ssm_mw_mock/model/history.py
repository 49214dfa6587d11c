"""What running a window leaves behind: window executions, task executions and invocations.

These are the records the seven execution operations read, and an ``Invocation`` is also what the
outcome hook (``mw.on_invocation``) receives. Attributes follow SSM's member names in snake_case, like
every model, so results are projections onto the output shapes. The simulator creates and moves them;
nothing else changes them.
"""

from __future__ import annotations

import dataclasses
import json
import operator
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any

from ..lazy_re import LazyPattern
from .ids import following, number_of
from .resources import Task

if TYPE_CHECKING:
    from .runs import RunOutput

PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
SUCCESS = "SUCCESS"
FAILED = "FAILED"
TIMED_OUT = "TIMED_OUT"
CANCELLING = "CANCELLING"
CANCELLED = "CANCELLED"
SKIPPED_OVERLAPPING = "SKIPPED_OVERLAPPING"
FINAL = frozenset({SUCCESS, FAILED, TIMED_OUT, CANCELLED, SKIPPED_OVERLAPPING})
#: What an outcome may say about an invocation.
INVOCATION_RESULTS = frozenset({SUCCESS, FAILED, TIMED_OUT, CANCELLED})

_PSEUDO = LazyPattern(r"\{\{([A-Z_]+)\}\}")


@dataclass(slots=True, eq=False)
class Invocation:
    """One task run against one target (or the one run of a targetless task).

    The outcome hook gets this object: ``parameters`` holds the task's invocation parameters — the block of
    its own type, e.g. ``{"Parameters": {"commands": [...]}, "TimeoutSeconds": 600}`` for Run Command or
    ``{"Payload": b"...", "Qualifier": "..."}`` for Lambda — with SSM's pseudo parameters
    (``{{WINDOW_EXECUTION_ID}}``, ``{{TARGET_ID}}``, …) substituted.
    """

    #: How many ids the id source drew after its window execution's id before this invocation's: the
    #: invocation id, formatted on read, and its place among the task's invocations (they draw in order).
    seq: int
    task: TaskExecution = field(repr=False)
    target: TargetRef
    start_time: datetime
    #: The execution id when it is not simply the next id drawn (a Step Functions execution ARN).
    _execution_id: str | None = field(repr=False)
    status: str = IN_PROGRESS
    status_details: str | None = None
    end_time: datetime | None = None
    _parameters: dict[str, Any] | None = field(default=None, repr=False)

    # A simulated year holds hundreds of thousands of invocations, so one keeps only what is its own, in
    # ints and shared objects (docs/performance.md#memory): its ids are formatted on read from ``seq``,
    # and what it shares with its task execution and target is read from them, not copied.

    @property
    def invocation_id(self) -> str:
        return following(self.task.window_execution_id, self.seq)

    @property
    def execution_id(self) -> str:
        """The command's id (Run Command), or the Automation, Lambda or Step Functions execution's."""
        if self._execution_id is not None:
            return self._execution_id
        return following(self.task.window_execution_id, self.seq + 1)

    @property
    def order(self) -> int:
        """Where this invocation stands among every record its mock made (the draw of its id): later
        invocations have larger orders, across windows and executions."""
        return number_of(self.task.window_execution_id) + self.seq

    def __repr__(self) -> str:
        return (
            f"Invocation(invocation_id={self.invocation_id!r}, execution_id={self.execution_id!r}, "
            f"target={self.target!r}, start_time={self.start_time!r}, status={self.status!r}, "
            f"status_details={self.status_details!r}, end_time={self.end_time!r})"
        )

    @property
    def window_id(self) -> str:
        return self.task.window_id

    @property
    def window_execution_id(self) -> str:
        return self.task.window_execution_id

    @property
    def window_task_id(self) -> str:
        return self.task.window_task_id

    @property
    def task_execution_id(self) -> str:
        return self.task.task_execution_id

    @property
    def task_type(self) -> str:
        return self.task.task_type

    @property
    def task_arn(self) -> str:
        return self.task.task_arn

    @property
    def window_target_id(self) -> str | None:
        return self.target.window_target_id

    @property
    def target_id(self) -> str | None:
        return self.target.target_id

    @property
    def target_type(self) -> str | None:
        return self.target.target_type

    @property
    def owner_information(self) -> str | None:
        return self.target.owner_information

    @property
    def parameters(self) -> dict[str, Any]:
        """The task's invocation parameters for this invocation, pseudo parameters substituted."""
        if self._parameters is None:
            self._parameters = substitute(self.task.template, self.pseudo_parameters())
        return self._parameters

    def pseudo_parameters(self) -> dict[str, str]:
        values = {
            "WINDOW_ID": self.window_id,
            "WINDOW_TASK_ID": self.window_task_id,
            "WINDOW_EXECUTION_ID": self.window_execution_id,
            "TASK_EXECUTION_ID": self.task_execution_id,
            "INVOCATION_ID": self.invocation_id,
        }
        if self.window_target_id is not None:
            values["WINDOW_TARGET_ID"] = self.window_target_id
        # SSM does not offer TARGET_ID, TARGET_TYPE or RESOURCE_ID to Run Command tasks. For a resource-group
        # target, TARGET_ID is the resource's full ARN and RESOURCE_ID its short id.
        target = self.target
        if target.target_id is not None and self.task_type != "RUN_COMMAND":
            values["TARGET_ID"] = target.arn or target.target_id
            values["RESOURCE_ID"] = target.target_id
            values["TARGET_TYPE"] = self.target_type or "INSTANCE"
        return values

    @property
    def wire_parameters(self) -> str:
        """``Parameters`` as SSM shows it: a JSON string (for Run Command, the command it sent)."""
        plan = self.task.plan
        if plan.command_parts is not None:  # the same command for every target but its instance id
            head, tail = plan.command_parts
            target_id = self.target_id
            return f"{head}[{encode_basestring_ascii(target_id)}]{tail}" if target_id else f"{head}[]{tail}"
        params = self.parameters
        if self.task_type == "RUN_COMMAND":
            return run_command_text(plan, params, self.target_id)
        return json.dumps(params, sort_keys=True, separators=(",", ":"), default=_blob_text)


@dataclass(frozen=True, slots=True)
class TargetRef:
    """One resolved target of a task: the node it runs on, and the window target that named it."""

    window_target_id: str | None
    target_id: str | None
    target_type: str | None = None
    owner_information: str | None = None
    #: The resource's ARN, for a member of a resource-group target: what ``{{TARGET_ID}}`` stands for there.
    arn: str | None = None


@dataclass(frozen=True, slots=True)
class TaskPlan:
    """A registered task as one execution runs it: a snapshot of the task, its targets resolved.

    ``task`` is a copy taken when the plan was made, so later updates of the task do not rewrite history.
    Any member of ``Task`` reads through a ``TaskExecution`` by its own name (see the end of this class's
    module): a new task member reaches the execution records by adding one field to ``Task``.
    """

    task: Task
    targets: tuple[TargetRef, ...] | None  # None: a targetless task, run once
    template: dict[str, Any] = field(repr=False)  # the task's invocation parameters, before substitution
    task_parameters: list[dict[str, Any]]  # TaskParameters as GetMaintenanceWindowExecutionTask shows them
    #: A Run Command task's command text before and after its ``instanceIds`` list, when no pseudo
    #: parameter makes one invocation's command differ from another's but in the instance: made with the
    #: plan, so a page of invocations writes no JSON.
    command_parts: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.task_type == "RUN_COMMAND" and not _mentions_pseudo(self.template):
            head, mark, tail = run_command_text(self, self.template, _MARK).partition(_MARKED)
            if mark:
                object.__setattr__(self, "command_parts", (head + '"instanceIds":', tail))

    @property
    def window_task_id(self) -> str:
        return self.task.window_task_id

    @property
    def task_arn(self) -> str:
        return self.task.task_arn

    @property
    def task_type(self) -> str:
        return self.task.task_type

    @property
    def priority(self) -> int:
        return self.task.priority

    @property
    def max_concurrency(self) -> str:
        return self.task.max_concurrency or "1"  # targetless tasks have none

    @property
    def max_errors(self) -> str:
        return self.task.max_errors or "1"

    @property
    def cutoff_behavior(self) -> str:
        return self.task.cutoff_behavior or "CONTINUE_TASK"

    @property
    def service_role(self) -> str | None:
        return self.task.service_role_arn


@dataclass(slots=True, eq=False)
class TaskExecution:
    """One run of a task within a window execution; what it ran is its ``plan``, not a copy of it."""

    window_id: str
    window_execution_id: str
    plan: TaskPlan = field(repr=False)
    #: How many ids the id source drew after the window execution's id before this task execution's: its
    #: id, formatted on read, and its place among the execution's tasks (they draw in order).
    seq: int
    status: str = PENDING
    status_details: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    invocations: list[Invocation] = field(default_factory=list)
    #: What the outcome hook said invocations printed, by invocation id (model/runs.py); made on first use.
    run_outputs: dict[str, RunOutput] | None = field(default=None, repr=False)
    #: The alarms that stopped the task, ``[{"Name": ..., "State": "ALARM" | "UNKNOWN"}]``; None if none did.
    triggered_alarms: list[dict[str, str]] | None = None

    @property
    def task_execution_id(self) -> str:
        return following(self.window_execution_id, self.seq)

    def __repr__(self) -> str:
        return (
            f"TaskExecution(task_execution_id={self.task_execution_id!r}, window_id={self.window_id!r}, "
            f"window_execution_id={self.window_execution_id!r}, status={self.status!r}, "
            f"status_details={self.status_details!r}, start_time={self.start_time!r}, "
            f"end_time={self.end_time!r}, invocations={self.invocations!r})"
        )

    @property
    def window_task_id(self) -> str:
        return self.plan.task.window_task_id

    @property
    def task_arn(self) -> str:
        return self.plan.task.task_arn

    @property
    def task_type(self) -> str:
        return self.plan.task.task_type

    @property
    def priority(self) -> int:
        return self.plan.task.priority

    @property
    def max_concurrency(self) -> str:
        return self.plan.max_concurrency

    @property
    def max_errors(self) -> str:
        return self.plan.max_errors

    @property
    def cutoff_behavior(self) -> str:
        return self.plan.cutoff_behavior

    @property
    def service_role(self) -> str | None:
        return self.plan.service_role

    @property
    def task_parameters(self) -> list[dict[str, Any]]:
        return self.plan.task_parameters

    @property
    def template(self) -> dict[str, Any]:
        return self.plan.template


def _read_through(name: str) -> property:
    return property(
        operator.attrgetter(f"plan.task.{name}"), doc=f"The task's ``{name}``, as this execution ran it."
    )


# Every other member of the task (alarm configuration, name, logging…) reads through the plan's snapshot,
# as a class attribute, so the output projections (``shapes.view``) find it: a new ``Task`` field reaches
# the execution records with no other change. Typed code reads ``execution.plan.task.<member>``.
for _field in dataclasses.fields(Task):
    if not hasattr(TaskExecution, _field.name):
        setattr(TaskExecution, _field.name, _read_through(_field.name))
del _field


@dataclass(slots=True, eq=False)
class WindowExecution:
    window_execution_id: str
    window_id: str
    start_time: datetime
    seq: int
    status: str = IN_PROGRESS
    status_details: str | None = None
    end_time: datetime | None = None
    tasks: list[TaskExecution] = field(default_factory=list)

    @property
    def task_ids(self) -> list[str]:
        return [task.task_execution_id for task in self.tasks]


# Status roll-up: a task's status from its invocations, an execution's from its tasks.

#: Why a task stopped starting invocations before its targets ran out.
STOP_ERRORS, STOP_CUTOFF, STOP_CANCEL, STOP_ALARM = "errors", "cutoff", "cancel", "alarm"
#: A CloudWatch alarm's state in ``TriggeredAlarms``: in alarm, or not readable.
ALARM, UNKNOWN = "ALARM", "UNKNOWN"
STOPPED_BY_ALARM = "The task was stopped because a CloudWatch alarm of the task is in the ALARM state."
STOPPED_UNREADABLE = (
    "The task was stopped because the state of a CloudWatch alarm of the task could not be read."
)


def task_result(task: TaskExecution, stop_reason: str | None) -> tuple[str, str | None]:
    """The final ``(Status, StatusDetails)`` of a task execution whose invocations have all ended."""
    statuses = {invocation.status for invocation in task.invocations}
    if FAILED in statuses:
        return FAILED, "One or more invocations failed."
    if stop_reason == STOP_CUTOFF:
        return TIMED_OUT, "The task was stopped at the maintenance window's cutoff."
    if stop_reason == STOP_ALARM:
        alarms = task.triggered_alarms or ()
        return CANCELLED, STOPPED_BY_ALARM if any(a["State"] == ALARM for a in alarms) else STOPPED_UNREADABLE
    if stop_reason == STOP_CANCEL or CANCELLED in statuses:
        return CANCELLED, "The task was cancelled."
    if TIMED_OUT in statuses:
        return TIMED_OUT, "One or more invocations timed out."
    return SUCCESS, None if task.invocations else "No invocations to execute."


def execution_result(execution: WindowExecution, cancelled: bool) -> tuple[str, str | None]:
    """The final ``(Status, StatusDetails)`` of a window execution whose tasks have all ended."""
    if cancelled:
        return CANCELLED, "The maintenance window execution was cancelled."
    statuses = {task.status for task in execution.tasks}
    if FAILED in statuses:
        return FAILED, "One or more tasks in the orchestration failed."
    if TIMED_OUT in statuses:
        return TIMED_OUT, "One or more tasks did not finish before the maintenance window's cutoff."
    if any(task.triggered_alarms and task.status == CANCELLED for task in execution.tasks):
        return CANCELLED, "One or more tasks were stopped by a CloudWatch alarm."
    return SUCCESS, None


def substitute(value: Any, pseudo: dict[str, str]) -> Any:
    """``value`` with ``{{NAME}}`` replaced wherever ``pseudo`` knows NAME, in every string at any depth."""
    if isinstance(value, str):
        if "{{" not in value:
            return value
        return _PSEUDO.sub(lambda m: pseudo.get(m.group(1), m.group(0)), value)
    if isinstance(value, bytes) and b"{{" in value:  # a Lambda payload
        try:
            return substitute(value.decode(), pseudo).encode()
        except UnicodeDecodeError:
            return value
    if isinstance(value, dict):
        return {k: substitute(v, pseudo) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, pseudo) for v in value]
    return value


#: A stand-in instance id, to find where ``instanceIds`` goes: only the members sorted before it (the
#: comment, document name and version, all strings, whose quotes JSON escapes) precede it.
_MARK = "mark"
_MARKED = f'"instanceIds":["{_MARK}"]'


def run_command_text(plan: TaskPlan, run: dict[str, Any], target_id: str | None) -> str:
    """The command a Run Command invocation sent, as its ``Parameters`` show it: sorted compact JSON."""
    command: dict[str, Any] = {
        "comment": run.get("Comment", ""),
        "documentName": plan.task_arn,
        "instanceIds": [target_id] if target_id else [],
        "maxConcurrency": plan.max_concurrency,
        "maxErrors": plan.max_errors,
        "parameters": run.get("Parameters", {}),
        "timeoutSeconds": run.get("TimeoutSeconds", 600),
    }
    if run.get("DocumentVersion"):
        command["documentVersion"] = run["DocumentVersion"]
    return json.dumps(command, sort_keys=True, separators=(",", ":"), default=str)


def _mentions_pseudo(value: Any) -> bool:
    """Whether :func:`substitute` could change ``value`` (a ``{{`` in any string or bytes of it)."""
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, bytes):
        return b"{{" in value
    if isinstance(value, dict):
        return any(_mentions_pseudo(v) for v in value.values())
    if isinstance(value, list):
        return any(_mentions_pseudo(v) for v in value)
    return False


def _blob_text(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot show {type(value).__name__} in invocation parameters")
