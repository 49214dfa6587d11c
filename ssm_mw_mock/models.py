"""The resources a maintenance window is made of, as plain dataclasses.

Attributes are the snake_case forms of SSM's member names (see ``shapes``), so results are built by
projecting an object onto an output shape. Only what SSM stores lives here; derived values such as
``NextExecutionTime`` are computed by the operations from the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .schedule import WindowSchedule


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
