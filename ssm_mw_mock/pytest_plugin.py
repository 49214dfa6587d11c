"""The pytest plugin: the ``mw_mock`` fixture, a fresh active mock for each test, and ``mw_server``.

Registered through the ``pytest11`` entry point, so installing ssm_mw_mock is enough. The start instant
and the other options of the mock can be set per test with
``@pytest.mark.mw_mock(now="2024-03-04T00:00:00Z", seed=3)``; ``mw_server`` reads the same marker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .mock import MaintenanceWindowsMock
from .server import ThreadedServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mw_mock(now=None, account_id=None, follow_time=False, seed=None): options for the mw_mock "
        "and mw_server fixtures of ssm_mw_mock",
    )


@pytest.fixture
def mw_mock(request: pytest.FixtureRequest) -> Iterator[MaintenanceWindowsMock]:
    """An active maintenance-windows mock, fresh for this test; stopped when the test ends."""
    with MaintenanceWindowsMock(**_options(request)) as mock:
        yield mock


@pytest.fixture
def mw_server(request: pytest.FixtureRequest) -> Iterator[ThreadedServer]:
    """An HTTP SSM endpoint on a free loopback port, fresh for this test: ``mw_server.endpoint_url``,
    ``mw_server.mock``. The mock is not started, so boto3 clients reach it over HTTP."""
    with ThreadedServer(MaintenanceWindowsMock(**_options(request))) as server:
        yield server


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("mw_mock")
    return dict(marker.kwargs) if marker else {}
