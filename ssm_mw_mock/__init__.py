"""ssm_mw_mock: test code that drives AWS Systems Manager Maintenance Windows through boto3, without AWS."""

from __future__ import annotations

from .engine.eventbridge import EventLog, MaintenanceWindowEvent
from .engine.notify import EventHookError
from .engine.outcomes import DEFAULT_DURATION, HookError, InvocationFailed, Outcome
from .errors import SsmError
from .mock import MaintenanceWindowsMock, mock_maintenance_windows
from .model.history import Invocation
from .model.inventory import UnresolvedTarget
from .timing.clock import Clock

__all__ = [
    "DEFAULT_DURATION",
    "Clock",
    "EventHookError",
    "EventLog",
    "HookError",
    "Invocation",
    "InvocationFailed",
    "MaintenanceWindowEvent",
    "MaintenanceWindowsMock",
    "Outcome",
    "SsmError",
    "UnresolvedTarget",
    "mock_maintenance_windows",
]
__version__ = "0.1.0"
