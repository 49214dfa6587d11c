"""Shared fixtures: a boto3 SSM client talking to an active mock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from ssm_mw_mock import MaintenanceWindowsMock

NOW = "2024-03-04T00:00:00Z"  # a Monday


@pytest.fixture
def mw() -> Iterator[MaintenanceWindowsMock]:
    with MaintenanceWindowsMock(now=NOW) as mock:
        yield mock


@pytest.fixture
def ssm(mw: MaintenanceWindowsMock) -> Any:
    return boto3.client("ssm", region_name="us-east-1")


def make_window(ssm: Any, **overrides: Any) -> str:
    """Create a window with sensible defaults; returns its id."""
    params: dict[str, Any] = {
        "Name": "nightly-patching",
        "Schedule": "cron(0 2 ? * * *)",
        "Duration": 3,
        "Cutoff": 1,
        "AllowUnassociatedTargets": False,
    }
    params.update(overrides)
    window_id: str = ssm.create_maintenance_window(**params)["WindowId"]
    return window_id
