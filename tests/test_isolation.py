"""State never leaks: between decorated tests, fixture uses, ``TestCase`` methods, regions and accounts.

Every test here starts by asserting that nothing exists, then fills the mock (windows with a target, a
task, tags and executions) — so the tests pass in any order, alone, under ``pytest -n 2`` and in random
order: if any of them leaked, another would see it. Several reuse one mock object or one boto3 client made
by an earlier test, which is where a leak would come from.
"""

from __future__ import annotations

import importlib.metadata
import unittest
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ssm_mw_mock import MaintenanceWindowsMock, mock_maintenance_windows

from .conftest import NOW
from .invariants import make_client

# The mw_mock fixture and marker come from the plugin's entry point once the package is installed; from a
# bare checkout, load the plugin here (loading it both ways would register it twice).
if not any(e.value == "ssm_mw_mock.pytest_plugin" for e in importlib.metadata.entry_points(group="pytest11")):
    pytest_plugins = ["ssm_mw_mock.pytest_plugin"]

OTHER_ACCOUNT = "210987654321"
_CLIENTS: dict[str, Any] = {}


def client(region: str = "us-east-1") -> Any:
    """A client shared by every test of this module (made once, by whichever test runs first)."""
    if region not in _CLIENTS:
        _CLIENTS[region] = make_client(region=region)
    return _CLIENTS[region]


def assert_empty(ssm: Any) -> None:
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []


def fill(mw: MaintenanceWindowsMock, ssm: Any) -> str:
    """A window with a target, a task, a tag and a finished execution; returns its id."""
    window_id: str = ssm.create_maintenance_window(
        Name="leaky", Schedule="rate(1 hour)", Duration=2, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}],
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="1",
        MaxErrors="0",
    )
    ssm.add_tags_to_resource(
        ResourceType="MaintenanceWindow", ResourceId=window_id, Tags=[{"Key": "k", "Value": "v"}]
    )
    mw.clock.advance(hours=2)
    assert ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    return window_id


def _code(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    code: str = caught.value.response["Error"]["Code"]
    return code


# -- decorated tests ----------------------------------------------------------------------------------------

SHARED = MaintenanceWindowsMock(now=NOW)  # one mock object, decorating several tests


@SHARED
def test_shared_decorator_first_use_starts_empty() -> None:
    assert_empty(client())
    fill(SHARED, client())


@SHARED
def test_shared_decorator_second_use_starts_empty() -> None:
    assert_empty(client())
    fill(SHARED, client())


@pytest.mark.parametrize("run", range(3))
@SHARED
def test_shared_decorator_repeated_runs_start_empty_with_a_fresh_clock(run: int) -> None:
    assert SHARED.clock.now().isoformat() == "2024-03-04T00:00:00+00:00"
    assert_empty(client())
    fill(SHARED, client())


@mock_maintenance_windows
def test_bare_decorator_starts_empty() -> None:
    assert_empty(client())


# -- the fixture --------------------------------------------------------------------------------------------


def test_fixture_first_use_starts_empty(mw_mock: MaintenanceWindowsMock) -> None:
    assert_empty(client())
    fill(mw_mock, client())


def test_fixture_second_use_starts_empty(mw_mock: MaintenanceWindowsMock) -> None:
    assert_empty(client())
    fill(mw_mock, client())


def test_no_state_answers_after_the_mock_stops() -> None:
    with MaintenanceWindowsMock(now=NOW) as mw:
        fill(mw, client())
    with MaintenanceWindowsMock(now=NOW) as mw:
        assert_empty(client())


# -- TestCase methods ---------------------------------------------------------------------------------------

CASE_MOCK = MaintenanceWindowsMock(now=NOW)


@CASE_MOCK
class DecoratedTestCase(unittest.TestCase):
    def setUp(self) -> None:
        assert_empty(client())  # setUp runs inside the mock, before anything of this method

    def test_first_method_fills(self) -> None:
        fill(CASE_MOCK, client())

    def test_second_method_fills(self) -> None:
        fill(CASE_MOCK, client())


@mock_maintenance_windows(now=NOW)
class TestDecoratedPlainClass:
    def test_first_method_starts_empty(self) -> None:
        assert_empty(client())
        client().create_maintenance_window(
            Name="leaky", Schedule="rate(1 hour)", Duration=2, Cutoff=1, AllowUnassociatedTargets=False
        )

    def test_second_method_starts_empty(self) -> None:
        assert_empty(client())
        client().create_maintenance_window(
            Name="leaky", Schedule="rate(1 hour)", Duration=2, Cutoff=1, AllowUnassociatedTargets=False
        )


# -- regions and accounts -----------------------------------------------------------------------------------


def test_regions_do_not_see_each_other() -> None:
    with MaintenanceWindowsMock(now=NOW) as mw:
        east, west = client("us-east-1"), client("eu-west-1")
        assert_empty(east)
        assert_empty(west)
        window_id = fill(mw, east)
        assert_empty(west)
        assert _code(west.get_maintenance_window, WindowId=window_id) == "DoesNotExistException"
        code = _code(west.list_tags_for_resource, ResourceType="MaintenanceWindow", ResourceId=window_id)
        assert code == "InvalidResourceId"
        execution_id = east.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"][0][
            "WindowExecutionId"
        ]
        code = _code(west.get_maintenance_window_execution, WindowExecutionId=execution_id)
        assert code == "DoesNotExistException"
        # The same name in the other region is another window; deleting it leaves the first alone.
        other = fill(mw, west)
        west.delete_maintenance_window(WindowId=other)
        assert east.get_maintenance_window(WindowId=window_id)["Name"] == "leaky"


def test_accounts_do_not_see_each_other() -> None:
    ssm = client()
    with MaintenanceWindowsMock(now=NOW) as first:
        window_id = fill(first, ssm)
        with MaintenanceWindowsMock(now=NOW, account_id=OTHER_ACCOUNT) as second:
            assert_empty(ssm)  # the innermost mock answers, with its own state
            assert _code(ssm.get_maintenance_window, WindowId=window_id) == "DoesNotExistException"
            other = fill(second, ssm)
            task = ssm.describe_maintenance_window_tasks(WindowId=other)["Tasks"][0]
            assert f":{OTHER_ACCOUNT}:" in task["ServiceRoleArn"]
        # The outer mock answers again, its state intact and without the inner one's window.
        listed = [w["WindowId"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]]
        assert listed == [window_id]


def test_accounts_of_one_backend_do_not_see_each_other() -> None:
    with MaintenanceWindowsMock(now=NOW) as mw:
        backend = mw.backend
        created = backend.call(
            "CreateMaintenanceWindow",
            {
                "Name": "mine",
                "Schedule": "rate(1 hour)",
                "Duration": 2,
                "Cutoff": 1,
                "AllowUnassociatedTargets": False,
            },
            "us-east-1",
            OTHER_ACCOUNT,
        )
        assert backend.call("DescribeMaintenanceWindows", {}, "us-east-1")["WindowIdentities"] == []
        assert_empty(client())
        listed = backend.call("DescribeMaintenanceWindows", {}, "us-east-1", OTHER_ACCOUNT)[
            "WindowIdentities"
        ]
        assert [w["WindowId"] for w in listed] == [created["WindowId"]]


def test_reset_forgets_every_region() -> None:
    with MaintenanceWindowsMock(now=NOW) as mw:
        fill(mw, client("us-east-1"))
        fill(mw, client("eu-west-1"))
        mw.reset()
        assert_empty(client("us-east-1"))
        assert_empty(client("eu-west-1"))
