"""ssm_mw_mock: test code that drives AWS Systems Manager Maintenance Windows through boto3, without AWS."""

from __future__ import annotations

from .clock import Clock
from .errors import SsmError
from .mock import MaintenanceWindowsMock, mock_maintenance_windows

__all__ = ["Clock", "MaintenanceWindowsMock", "SsmError", "mock_maintenance_windows"]
__version__ = "0.1.0"
