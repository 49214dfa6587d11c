"""The pytest plugin: the ``mw_mock`` fixture, a fresh active mock for each test.

Registered through the ``pytest11`` entry point, so installing ssm_mw_mock is enough. The start instant
can be set per test with ``@pytest.mark.mw_mock(now="2024-03-04T00:00:00Z")``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .mock import MaintenanceWindowsMock


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "mw_mock(now=None, account_id=None): options for the mw_mock fixture of ssm_mw_mock"
    )


@pytest.fixture
def mw_mock(request: pytest.FixtureRequest) -> Iterator[MaintenanceWindowsMock]:
    """An active maintenance-windows mock, fresh for this test; stopped when the test ends."""
    marker = request.node.get_closest_marker("mw_mock")
    options = dict(marker.kwargs) if marker else {}
    with MaintenanceWindowsMock(**options) as mock:
        yield mock
