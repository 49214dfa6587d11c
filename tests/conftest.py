"""Shared fixtures: a boto3 SSM client talking to an active mock."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, settings

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.timing.schedule import WindowSchedule
from tests import outside_reads

# Installed first thing, so reads made while collecting (module-level data loads) are seen too.
_OUTSIDE_READS = outside_reads.install()
_COLLECTION_START = _OUTSIDE_READS.mark()

NOW = "2024-03-04T00:00:00Z"  # a Monday

# Hypothesis profiles for the tests that do not set their own example counts (the fuzz, stateful and
# concurrency tests): "ci" is bounded for the suite on a slow 2-core machine; "long" is for a run by hand:
#   HYPOTHESIS_PROFILE=long python -m pytest -p no:benchmark tests/test_fuzz_operations.py \
#       tests/test_stateful.py
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=_SLOW_IS_FINE
)
settings.register_profile(
    "long", max_examples=500, stateful_step_count=40, deadline=None, suppress_health_check=_SLOW_IS_FINE
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    if config.option.basetemp:
        outside_reads.allow_pytest_basetemp(str(config.option.basetemp))


def pytest_collection_finish(session: pytest.Session) -> None:
    paths = _OUTSIDE_READS.since(_COLLECTION_START)
    if paths:
        raise pytest.UsageError("collecting the tests " + outside_reads.describe(paths))


@pytest.fixture(autouse=True)
def _no_outside_reads() -> Iterator[None]:
    """Fail a test that opened a path outside the repository (see tests/outside_reads.py)."""
    start = _OUTSIDE_READS.mark()
    yield
    paths = _OUTSIDE_READS.since(start)
    _OUTSIDE_READS.forget_since(start)
    if paths:
        pytest.fail("this test " + outside_reads.describe(paths), pytrace=False)


@pytest.fixture
def mw() -> Iterator[MaintenanceWindowsMock]:
    with MaintenanceWindowsMock(now=NOW) as mock:
        yield mock


@pytest.fixture
def ssm(mw: MaintenanceWindowsMock) -> Any:
    return boto3.client("ssm", region_name="us-east-1")


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every call of the window schedule's look-ups (``between``, ``next_after``, ``iter_after``), by
    method name: what a clock move or a listing asked of the schedules."""
    counts: Counter[str] = Counter()
    for name in ("between", "next_after", "iter_after"):
        original = getattr(WindowSchedule, name)

        def counted(self: WindowSchedule, *args: Any, _name: str = name, _original: Any = original) -> Any:
            counts[_name] += 1
            return _original(self, *args)

        monkeypatch.setattr(WindowSchedule, name, counted)
    return counts


def window_target(ssm: Any, window_id: str, *instances: str, **extra: Any) -> str:
    """Register ``instances`` (by id) as one window target of ``window_id``; returns its id."""
    target_id: str = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": list(instances)}],
        **extra,
    )["WindowTargetId"]
    return target_id


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


def command_window(ssm: Any, instance: str) -> str:
    """A window that sends one Run Command command to ``instance`` every Monday at 02:00; its id."""
    window_id = make_window(
        ssm, Name="nightly", Schedule="cron(0 2 ? * MON *)", AllowUnassociatedTargets=True
    )
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "InstanceIds", "Values": [instance]}],
        MaxConcurrency="1",
        MaxErrors="1",
    )
    return window_id
