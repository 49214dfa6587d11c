"""The pytest plugin: the ``mw_mock`` fixture, a fresh active mock for each test, and ``mw_server``.

Registered through the ``pytest11`` entry point, so installing ssm_mw_mock is enough. The start instant
and the other options of the mock can be set per test with
``@pytest.mark.mw_mock(now="2024-03-04T00:00:00Z", seed=3)``; ``mw_server`` reads the same marker.

When a test that used ``mw_mock`` (or ``mw_server``) fails, its report gets a section "mw_mock timeline":
``str(mw.timeline())``, what the mock ran. ``--mw-no-timeline`` or the ini setting
``mw_mock_timeline = false`` turns it off.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from .mock import MaintenanceWindowsMock
from .server import ThreadedServer

_MOCK = pytest.StashKey[MaintenanceWindowsMock]()
SECTION = "mw_mock timeline"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ssm_mw_mock")
    group.addoption(
        "--mw-no-timeline",
        action="store_true",
        default=False,
        help="do not add the mw_mock timeline (what the mock ran) to the report of a failing test",
    )
    parser.addini(
        "mw_mock_timeline",
        type="bool",
        default=True,
        help="add the mw_mock timeline to the report of a failing test that used mw_mock (default true)",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    mock = item.stash.get(_MOCK, None)
    if mock is not None and report.failed and call.when == "call" and _timeline_wanted(item.config):
        try:
            text = str(mock.timeline())
        except Exception as error:  # the report must never hide the test's own failure
            text = f"(the timeline could not be built: {type(error).__name__}: {error})"
        report.sections.append((SECTION, text))
    return report


def _timeline_wanted(config: pytest.Config) -> bool:
    return not config.getoption("mw_no_timeline") and bool(config.getini("mw_mock_timeline"))


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
        request.node.stash[_MOCK] = mock
        yield mock


@pytest.fixture
def mw_server(request: pytest.FixtureRequest) -> Iterator[ThreadedServer]:
    """An HTTP SSM endpoint on a free loopback port, fresh for this test: ``mw_server.endpoint_url``,
    ``mw_server.mock``. The mock is not started, so boto3 clients reach it over HTTP."""
    with ThreadedServer(MaintenanceWindowsMock(**_options(request))) as server:
        request.node.stash[_MOCK] = server.mock
        yield server


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("mw_mock")
    return dict(marker.kwargs) if marker else {}
