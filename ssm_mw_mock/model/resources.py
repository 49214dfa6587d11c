"""The resources a maintenance window is made of, as plain dataclasses.

Attributes are the snake_case forms of SSM's member names (see ``wire.shapes``): the members a request
stores are read from the operation's input shape, and results are built by projecting an object onto an
output shape, so a member SSM adds to its model needs one field here (plus its behaviour, if it has any).
Only what SSM stores lives here; derived values such as ``NextExecutionTime`` are computed by the
operations from the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..timing.schedule import WindowSchedule


@dataclass(slots=True, eq=False)
class Window:
    window_id: str
    name: str
    schedule: str
    duration: int
    cutoff: int
    allow_unassociated_targets: bool
    created_date: datetime
    modified_date: datetime
    seq: int
    compiled: WindowSchedule  # when it runs, built from the members below
    description: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    schedule_timezone: str | None = None
    schedule_offset: int | None = None
    enabled: bool = True
    tags: dict[str, str] = field(default_factory=dict)
    # A window owns its targets and tasks: deleting the window deletes them.
    targets: dict[str, Target] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Target:
    """A registered window target. ``targets`` is the wire list ``[{"Key": ..., "Values": [...]}]``."""

    window_id: str
    window_target_id: str
    resource_type: str
    targets: list[dict[str, Any]]
    seq: int
    owner_information: str | None = None
    name: str | None = None
    description: str | None = None


@dataclass(slots=True, eq=False)
class Task:
    """A registered window task; nested members (invocation parameters, logging, alarms) stay wire dicts."""

    window_id: str
    window_task_id: str
    task_arn: str
    task_type: str
    seq: int
    service_role_arn: str
    priority: int
    targets: list[dict[str, Any]] | None = None
    # SSM lists ``"TaskParameters": {}`` even for tasks that never set the deprecated member.
    task_parameters: dict[str, Any] = field(default_factory=dict)
    task_invocation_parameters: dict[str, Any] | None = None
    max_concurrency: str | None = None
    max_errors: str | None = None
    logging_info: dict[str, Any] | None = None
    name: str | None = None
    description: str | None = None
    cutoff_behavior: str | None = None
    alarm_configuration: dict[str, Any] | None = None
