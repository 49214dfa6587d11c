"""What running a window leaves behind: window executions, task executions and invocations.

These are the records the seven execution operations read, and an ``Invocation`` is also what the
outcome hook (``mw.on_invocation``) receives. Attributes follow SSM's member names in snake_case, like
every model, so results are projections onto the output shapes. The simulator creates and moves them;
nothing else changes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..lazy_re import LazyPattern

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

    invocation_id: str
    execution_id: str
    task: TaskExecution = field(repr=False)
    target: TargetRef
    start_time: datetime
    seq: int
    status: str = IN_PROGRESS
    status_details: str | None = None
    end_time: datetime | None = None
    _parameters: dict[str, Any] | None = field(default=None, repr=False)

    # What the invocation shares with its task execution and target is read from them, not copied: a
    # simulated year holds hundreds of thousands of invocations.

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
        # SSM does not offer TARGET_ID, TARGET_TYPE or RESOURCE_ID to Run Command tasks.
        if self.target_id is not None and self.task_type != "RUN_COMMAND":
            values["TARGET_ID"] = self.target_id
            values["RESOURCE_ID"] = self.target_id
            values["TARGET_TYPE"] = self.target_type or "INSTANCE"
        return values

    @property
    def wire_parameters(self) -> str:
        """``Parameters`` as SSM shows it: a JSON string (for Run Command, the command it sent)."""
        params = self.parameters
        if self.task_type == "RUN_COMMAND":
            run = params
            command: dict[str, Any] = {
                "comment": run.get("Comment", ""),
                "documentName": self.task_arn,
                "instanceIds": [self.target_id] if self.target_id else [],
                "maxConcurrency": self.task.max_concurrency,
                "maxErrors": self.task.max_errors,
                "parameters": run.get("Parameters", {}),
                "timeoutSeconds": run.get("TimeoutSeconds", 600),
            }
            if run.get("DocumentVersion"):
                command["documentVersion"] = run["DocumentVersion"]
            return json.dumps(command, sort_keys=True, separators=(",", ":"), default=str)
        return json.dumps(params, sort_keys=True, separators=(",", ":"), default=_blob_text)


@dataclass(frozen=True, slots=True)
class TargetRef:
    """One resolved target of a task: the node it runs on, and the window target that named it."""

    window_target_id: str | None
    target_id: str | None
    target_type: str | None = None
    owner_information: str | None = None


@dataclass(slots=True, eq=False)
class TaskExecution:
    task_execution_id: str
    window_id: str
    window_execution_id: str
    window_task_id: str
    task_arn: str
    task_type: str
    priority: int
    max_concurrency: str
    max_errors: str
    service_role: str | None
    task_parameters: list[dict[str, Any]]
    cutoff_behavior: str
    alarm_configuration: dict[str, Any] | None
    template: dict[str, Any] = field(repr=False)  # the task's invocation parameters, before substitution
    seq: int
    status: str = PENDING
    status_details: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    invocations: list[Invocation] = field(default_factory=list)


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


def _blob_text(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot show {type(value).__name__} in invocation parameters")
