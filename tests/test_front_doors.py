"""The front doors (decorator, context manager) and the interception behind them, through real clients."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import unittest
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.endpoint import Endpoint
from botocore.exceptions import ClientError
from botocore.session import Session
from botocore.signers import RequestSigner

from ssm_mw_mock import MaintenanceWindowsMock, mock_maintenance_windows
from ssm_mw_mock.doors import patching

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2024, 3, 4, tzinfo=UTC)
ORIGINALS = (
    Endpoint.__dict__["_send_request"],
    Endpoint.__dict__["_send"],
    RequestSigner.__dict__["sign"],
    Session.__dict__["get_credentials"],
    BaseClient.__dict__["_make_request"],
    BaseClient.__dict__["_convert_to_request_dict"],
)


def _patched_now() -> tuple[Any, ...]:
    return (
        Endpoint.__dict__["_send_request"],
        Endpoint.__dict__["_send"],
        RequestSigner.__dict__["sign"],
        Session.__dict__["get_credentials"],
        BaseClient.__dict__["_make_request"],
        BaseClient.__dict__["_convert_to_request_dict"],
    )


def _client(region: str = "us-east-1") -> Any:
    return boto3.client("ssm", region_name=region)


def _create(ssm: Any, name: str = "nightly") -> str:
    window_id: str = ssm.create_maintenance_window(
        Name=name, Schedule="cron(0 2 ? * * *)", Duration=3, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    return window_id


def _names(ssm: Any) -> list[str]:
    return [w["Name"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]]


@pytest.fixture(autouse=True)
def _nothing_patched_after() -> Any:
    assert _patched_now() == ORIGINALS
    yield
    assert _patched_now() == ORIGINALS
    assert patching.current() is None


# Decorator.


@mock_maintenance_windows
def test_decorator_bare_on_function() -> None:
    ssm = _client()
    _create(ssm)
    assert _names(ssm) == ["nightly"]


@mock_maintenance_windows(now="2024-03-04T00:00:00Z")
def test_decorator_now_option_sets_created_date() -> None:
    ssm = _client()
    window = ssm.get_maintenance_window(WindowId=_create(ssm))
    assert window["CreatedDate"] == START
    assert window["ModifiedDate"] == START


def test_decorator_keeps_name_arguments_and_return_value() -> None:
    @mock_maintenance_windows
    def create(name: str, *, region: str) -> str:
        return _create(_client(region), name)

    assert create.__name__ == "create"
    assert create("abc", region="eu-west-1").startswith("mw-0")


def test_decorator_on_async_function() -> None:
    @mock_maintenance_windows(now="2024-03-04T00:00:00Z")
    async def body() -> datetime:
        await asyncio.sleep(0)
        ssm = _client()
        return ssm.get_maintenance_window(WindowId=_create(ssm))["CreatedDate"]  # type: ignore[no-any-return]

    assert asyncio.iscoroutinefunction(body)
    assert asyncio.run(body()) == START


def test_async_context_manager() -> None:
    async def body() -> list[str]:
        async with mock_maintenance_windows() as mw:
            assert mw.active
            ssm = _client()
            _create(ssm)
            return _names(ssm)

    assert asyncio.run(body()) == ["nightly"]


class TestDecoratedMethods:
    @mock_maintenance_windows
    def test_method(self) -> None:
        assert isinstance(self, TestDecoratedMethods)
        ssm = _client()
        _create(ssm)
        assert _names(ssm) == ["nightly"]


@mock_maintenance_windows(now="2024-03-04T00:00:00Z")
class TestDecoratedPlainClass:
    def test_first(self) -> None:
        ssm = _client()
        _create(ssm, "first")
        assert _names(ssm) == ["first"]

    def test_second_starts_empty(self) -> None:
        ssm = _client()
        assert _names(ssm) == []
        _create(ssm, "second")
        assert _names(ssm) == ["second"]

    def helper_not_wrapped(self) -> bool:
        return patching.current() is not None

    def test_helpers_are_not_wrapped(self) -> None:
        assert self.helper_not_wrapped()  # called from inside a wrapped test


def test_plain_class_helpers_are_left_alone() -> None:
    assert TestDecoratedPlainClass().helper_not_wrapped() is False


@mock_maintenance_windows(now="2024-03-04T00:00:00Z")
class DecoratedTestCase(unittest.TestCase):
    seen: list[tuple[str, bool]] = []  # noqa: RUF012 (shared on purpose: the order of events)

    def setUp(self) -> None:
        self.seen.append(("setUp", patching.current() is not None))
        self.ssm = _client()

    def tearDown(self) -> None:
        self.seen.append(("tearDown", patching.current() is not None))

    def test_a(self) -> None:
        assert _names(self.ssm) == []
        _create(self.ssm, "from-a")
        assert self.ssm.get_maintenance_window(WindowId=_create(self.ssm))["CreatedDate"] == START

    def test_b(self) -> None:
        assert _names(self.ssm) == []
        _create(self.ssm, "from-b")


def test_decorator_on_testcase_gives_fresh_state_with_setup_and_teardown_inside() -> None:
    DecoratedTestCase.seen.clear()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(DecoratedTestCase)
    result = unittest.TestResult()
    suite.run(result)
    assert (result.testsRun, result.errors, result.failures) == (2, [], [])
    assert DecoratedTestCase.seen == [("setUp", True), ("tearDown", True)] * 2


def test_decorator_refuses_what_it_cannot_decorate() -> None:
    with pytest.raises(TypeError) as excinfo:
        mock_maintenance_windows(now="2024-03-04T00:00:00Z")(42)  # type: ignore[type-var]
    assert str(excinfo.value) == "mock_maintenance_windows decorates functions and classes, not int"


# Context manager and handle.


def test_context_manager_yields_the_handle_with_clock() -> None:
    with mock_maintenance_windows(now="2024-03-04T00:00:00Z") as mw:
        assert isinstance(mw, MaintenanceWindowsMock)
        assert mw.clock.now() == START
        assert mw.clock.now().tzinfo is UTC
        ssm = _client()
        window_id = _create(ssm)
        assert mw.clock.advance(timedelta(hours=3)) == START + timedelta(hours=3)
        assert mw.clock.advance(days=1, minutes=30) == START + timedelta(days=1, hours=3, minutes=30)
        assert mw.clock.set("2024-03-05T16:10:00Z") == datetime(2024, 3, 5, 16, 10, tzinfo=UTC)
        ssm.update_maintenance_window(WindowId=window_id, Description="moved")
        window = ssm.get_maintenance_window(WindowId=window_id)
        assert window["CreatedDate"] == START
        assert window["ModifiedDate"] == datetime(2024, 3, 5, 16, 10, tzinfo=UTC)


def test_clock_set_backwards_raises_and_keeps_time() -> None:
    with mock_maintenance_windows(now="2024-03-04T00:00:00Z") as mw:
        ssm = _client()
        _create(ssm)
        with pytest.raises(ValueError) as excinfo:
            mw.clock.set("2024-03-03T23:59:59Z")
        assert str(excinfo.value) == (
            "the clock only moves forward: it is 2024-03-04T00:00:00+00:00 and clock.set() was given "
            "2024-03-03T23:59:59+00:00; start a new mock to go back in time"
        )
        with pytest.raises(ValueError) as excinfo:
            mw.clock.advance(seconds=-1)
        assert str(excinfo.value) == "the clock only moves forward; advance() was given -1 day, 23:59:59"
        assert mw.clock.now() == START
        assert _names(ssm) == ["nightly"]


def test_clock_set_accepts_aware_datetime_and_refuses_naive() -> None:
    with mock_maintenance_windows(now=START) as mw:
        mw.clock.set(datetime(2024, 3, 4, 1, tzinfo=UTC))
        assert mw.clock.now() == START + timedelta(hours=1)
        with pytest.raises(ValueError) as excinfo:
            mw.clock.set(datetime(2024, 3, 5))
        assert str(excinfo.value) == (
            "clock.set() must be timezone-aware: add an offset ('2024-03-04T00:00:00Z') "
            "or tzinfo=datetime.timezone.utc; got datetime.datetime(2024, 3, 5, 0, 0)"
        )


def test_now_option_is_validated() -> None:
    with pytest.raises(ValueError) as excinfo:
        mock_maintenance_windows(now="yesterday")
    assert str(excinfo.value) == (
        "now= must be an ISO-8601 date-time with an offset, such as '2024-03-04T00:00:00Z'; got 'yesterday'"
    )


def test_default_now_is_the_real_time() -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    with mock_maintenance_windows() as mw:
        assert before <= mw.clock.now() <= datetime.now(UTC)


def test_reset_wipes_state_and_keeps_mock_active_and_time() -> None:
    with mock_maintenance_windows(now="2024-03-04T00:00:00Z") as mw:
        ssm = _client()
        _create(ssm)
        _create(_client("eu-west-1"))
        mw.clock.advance(hours=1)
        mw.reset()
        assert mw.active
        assert _names(ssm) == []
        assert _names(_client("eu-west-1")) == []
        assert mw.clock.now() == START + timedelta(hours=1)
        _create(ssm, "after-reset")
        assert _names(ssm) == ["after-reset"]


# Nesting, restarting, failures.


def test_nesting_the_same_mock_keeps_state() -> None:
    mock = mock_maintenance_windows(now="2024-03-04T00:00:00Z")
    with mock:
        ssm = _client()
        _create(ssm, "outer")
        with mock as inner:
            assert inner is mock
            _create(ssm, "inner")
        assert mock.active
        assert _names(ssm) == ["outer", "inner"]
    assert not mock.active


def test_nesting_different_mocks_inner_serves_outer_intact_after() -> None:
    with mock_maintenance_windows(now="2024-03-04T00:00:00Z") as outer:
        ssm = _client()
        _create(ssm, "outer")
        with mock_maintenance_windows(now="2025-01-01T00:00:00Z") as inner:
            assert _names(ssm) == []
            window_id = _create(ssm, "inner")
            assert ssm.get_maintenance_window(WindowId=window_id)["CreatedDate"] == datetime(
                2025, 1, 1, tzinfo=UTC
            )
        assert not inner.active
        assert outer.active
        assert _names(ssm) == ["outer"]
        assert outer.clock.now() == START


def test_stopping_the_outer_mock_first_leaves_the_inner_serving() -> None:
    outer = mock_maintenance_windows().start()
    inner = mock_maintenance_windows().start()
    _create(_client(), "inner")
    outer.stop()
    assert _names(_client()) == ["inner"]
    inner.stop()


def test_repeated_start_stop_begins_fresh_each_time() -> None:
    mock = mock_maintenance_windows(now="2024-03-04T00:00:00Z")
    for round_ in range(3):
        with mock as mw:
            assert mw.clock.now() == START
            ssm = _client()
            assert _names(ssm) == []
            _create(ssm, f"round-{round_}")
            mw.clock.advance(hours=5)
        assert _patched_now() == ORIGINALS


def _is_active(mock: MaintenanceWindowsMock) -> bool:
    """``mock.active``, read afresh: mypy keeps ``mock.active`` narrowed to true across ``stop()``."""
    return mock.active


def test_start_and_stop_refcount() -> None:
    mock = mock_maintenance_windows()
    assert mock.start() is mock
    mock.start()
    mock.stop()
    assert mock.active
    assert patching.current() is mock
    mock.stop()
    assert not _is_active(mock)
    with pytest.raises(RuntimeError) as excinfo:
        mock.stop()
    assert str(excinfo.value) == "stop() was called on a maintenance-windows mock that is not started"


def test_exception_inside_context_manager_stops_the_mock() -> None:
    mock = mock_maintenance_windows()

    def body() -> None:
        with mock:
            _create(_client())
            raise KeyError("boom")

    with pytest.raises(KeyError):
        body()
    assert not mock.active
    assert _patched_now() == ORIGINALS


def test_exception_inside_decorated_function_stops_the_mock() -> None:
    @mock_maintenance_windows
    def failing() -> None:
        _create(_client())
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match=r"^boom$"):
        failing()
    assert _patched_now() == ORIGINALS


def test_after_stop_clients_are_not_mocked() -> None:
    with mock_maintenance_windows():
        ssm = _client()
        _create(ssm)
    seen: list[str] = []

    class Stopped(Exception):
        pass

    def no_network(request: Any, **kwargs: Any) -> Any:
        seen.append(request.url)
        raise Stopped

    ssm.meta.events.register("before-send", no_network)
    # The real path again: the request is built, signed (with the fake credentials the client got while
    # the mock was active) and handed to the HTTP layer, where the test stops it.
    with pytest.raises(Stopped):
        ssm.describe_maintenance_windows()
    assert seen[0] == "https://ssm.us-east-1.amazonaws.com/"


# Interception: clients made earlier, no AWS set-up, regions, accounts.


def _run_python(code: str, tmp_path: Path, *, clean_env: bool) -> dict[str, Any]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    if clean_env:
        env.update(
            HOME=str(tmp_path),
            AWS_CONFIG_FILE="/nonexistent",
            AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        )
    else:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_client_created_before_import_and_before_start_is_served(tmp_path: Path) -> None:
    code = """
import json, sys, boto3
early = boto3.client("ssm", region_name="eu-west-1", aws_access_key_id="AKIAREAL", aws_secret_access_key="x")
assert "ssm_mw_mock" not in sys.modules
from ssm_mw_mock import mock_maintenance_windows
with mock_maintenance_windows(now="2024-03-04T00:00:00Z"):
    window_id = early.create_maintenance_window(
        Name="early", Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=True
    )["WindowId"]
    created = early.get_maintenance_window(WindowId=window_id)["CreatedDate"].isoformat()
    listed = [w["Name"] for w in early.describe_maintenance_windows()["WindowIdentities"]]
print(json.dumps({"id": window_id, "created": created, "listed": listed}))
"""
    result = _run_python(code, tmp_path, clean_env=True)
    assert result["id"].startswith("mw-0")
    assert datetime.fromisoformat(result["created"]) == START
    assert result["listed"] == ["early"]


def test_works_without_credentials_config_or_region(tmp_path: Path) -> None:
    code = """
import json, os, boto3
from botocore.exceptions import NoRegionError
from ssm_mw_mock import mock_maintenance_windows
assert [k for k in os.environ if k.startswith("AWS_")] == ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"]
try:
    boto3.client("ssm")
    unmocked = "created"
except NoRegionError:
    unmocked = "NoRegionError"
early = boto3.client("ssm", region_name="us-east-1")  # made before the mock, holds no credentials
with mock_maintenance_windows():
    ssm = boto3.client("ssm")
    region = ssm.meta.region_name
    ssm.create_maintenance_window(
        Name="bare", Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=True
    )
    names = [w["Name"] for w in early.describe_maintenance_windows()["WindowIdentities"]]
    given = boto3.client("ssm", region_name="ap-south-1")
    other = [w["Name"] for w in given.describe_maintenance_windows()["WindowIdentities"]]
    given_region = given.meta.region_name
print(json.dumps({"unmocked": unmocked, "region": region, "names": names, "other": other,
                  "given_region": given_region, "region_after": os.environ.get("AWS_DEFAULT_REGION"),
                  "credentials_after": boto3.session.Session().get_credentials() is None}))
"""
    assert _run_python(code, tmp_path, clean_env=True) == {
        "unmocked": "NoRegionError",
        "region": "us-east-1",
        "names": ["bare"],
        "other": [],
        "given_region": "ap-south-1",
        "region_after": None,
        "credentials_after": True,
    }


def test_regions_are_isolated() -> None:
    with mock_maintenance_windows():
        east, west = _client("us-east-1"), _client("eu-west-1")
        east_id = _create(east, "east")
        _create(west, "west")
        assert _names(east) == ["east"]
        assert _names(west) == ["west"]
        with pytest.raises(ClientError) as excinfo:
            west.get_maintenance_window(WindowId=east_id)
        assert excinfo.value.response["Error"] == {
            "Code": "DoesNotExistException",
            "Message": f"Maintenance window {east_id} does not exist",
        }


def test_accounts_are_isolated() -> None:
    with mock_maintenance_windows(account_id="111111111111") as first:
        _create(_client(), "first")
        with mock_maintenance_windows(account_id="222222222222") as second:
            assert _names(_client()) == []
            _create(_client(), "second")
            assert list(second.backend._states) == [("222222222222", "us-east-1")]
        assert list(first.backend._states) == [("111111111111", "us-east-1")]
        assert _names(_client()) == ["first"]


def test_account_id_is_validated() -> None:
    with pytest.raises(ValueError) as excinfo:
        mock_maintenance_windows(account_id="12345")
    assert str(excinfo.value) == "account_id must be 12 digits, such as '123456789012'; got '12345'"


@pytest.mark.parametrize(
    ("service", "call", "kwargs", "operation"),
    [
        ("ssm", "put_parameter", {"Name": "p", "Value": "v", "Type": "String"}, "ssm:PutParameter"),
        (
            "ssm",
            "list_tags_for_resource",
            {"ResourceType": "Document", "ResourceId": "d"},
            "ssm:ListTagsForResource",
        ),
        ("ec2", "describe_instances", {}, "ec2:DescribeInstances"),
        ("sts", "get_caller_identity", {}, "sts:GetCallerIdentity"),
    ],
)
def test_calls_that_are_not_ours_are_refused_by_name(
    service: str, call: str, kwargs: dict[str, Any], operation: str
) -> None:
    with mock_maintenance_windows():
        client = boto3.client(service, region_name="us-east-1")
        with pytest.raises(ClientError) as excinfo:
            getattr(client, call)(**kwargs)
    name = operation.split(":")[1]
    assert excinfo.value.response["Error"] == {
        "Code": "NotMockedByMaintenanceWindowsMock",
        "Message": f"ssm_mw_mock is active and does not serve {operation}. It answers the "
        "maintenance-window operations of SSM, tag calls on maintenance windows, and the Run Command and "
        "Automation reads of what windows ran; start moto's mock_aws as well to serve other calls.",
    }
    assert excinfo.value.operation_name == name


def test_user_agent_is_left_out_of_maintenance_window_requests_only() -> None:
    """The door answers a maintenance-window call before a request is built, so it leaves out the
    User-Agent header botocore would compose for the wire; a ``before-call`` handler sees every other
    header, and every other call (refused here, or moto's) keeps its User-Agent."""
    seen: list[tuple[str, str | None]] = []

    def spy(model: Any, params: dict[str, Any], **kwargs: Any) -> None:
        seen.append((model.name, params["headers"].get("User-Agent")))

    with mock_maintenance_windows():
        ssm = _client()
        ssm.meta.events.register("before-call", spy)
        window_id = _create(ssm)
        ssm.describe_maintenance_windows()
        ssm.add_tags_to_resource(ResourceType="MaintenanceWindow", ResourceId=window_id, Tags=[])
        with pytest.raises(ClientError):
            ssm.get_parameter(Name="p")
    assert [name for name, _ in seen] == [
        "CreateMaintenanceWindow",
        "DescribeMaintenanceWindows",
        "AddTagsToResource",
        "GetParameter",
    ]
    assert [agent for _, agent in seen[:2]] == [None, None]
    assert all(agent is not None and agent.startswith("Boto3/") for _, agent in seen[2:]), seen
    # Stopped, the same client's maintenance-window requests carry it again (stopped before they leave).

    def stop(**kwargs: Any) -> None:
        raise RuntimeError("stopped before the network")

    ssm.meta.events.register("before-call", stop)
    with pytest.raises(RuntimeError, match="stopped before the network"):
        ssm.describe_maintenance_windows()
    assert seen[-1][0] == "DescribeMaintenanceWindows"
    assert str(seen[-1][1]).startswith("Boto3/")


def test_a_mocked_call_emits_botocore_events_up_to_before_call_and_after_call() -> None:
    """docs/architecture.md: the events of a request on its way to the network are not emitted."""
    events = [
        "provide-client-params",
        "before-parameter-build",
        "before-call",
        "request-created",
        "before-sign",
        "before-send",
        "needs-retry",
        "after-call",
    ]
    seen: list[str] = []
    with mock_maintenance_windows():
        ssm = _client()
        for event in events:
            ssm.meta.events.register(f"{event}.ssm", lambda event_name, **kwargs: seen.append(event_name))
        ssm.describe_maintenance_windows()
    assert [name.split(".")[0] for name in seen] == [
        "provide-client-params",
        "before-parameter-build",
        "before-call",
        "after-call",
    ]


def test_every_maintenance_window_and_tag_operation_is_served() -> None:
    from ssm_mw_mock.api.operations import RUN_READS, TAG_OPERATIONS, window_operations

    with mock_maintenance_windows() as mw:
        assert mw.backend.supported() == sorted(window_operations() | TAG_OPERATIONS | RUN_READS)
    assert len(window_operations()) == 23


def test_modelled_exception_classes_work() -> None:
    with mock_maintenance_windows():
        ssm = _client()
        with pytest.raises(ssm.exceptions.DoesNotExistException) as excinfo:
            ssm.get_maintenance_window(WindowId="mw-0123456789abcdef0")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (
        excinfo.value.response["Error"]["Message"] == "Maintenance window mw-0123456789abcdef0 does not exist"
    )


# Coexistence with moto.


def _moto_checks(mw: MaintenanceWindowsMock, early: Any) -> None:
    for ssm in (_client(), early):
        window_id = _create(ssm)
        # Ours: the window carries the mock's fake-clock date and lives in the mock's state.
        assert ssm.get_maintenance_window(WindowId=window_id)["CreatedDate"] == START
        assert window_id in mw.backend.state(mw.account_id, "us-east-1").windows
        # moto's: parameters and EC2.
        ssm.put_parameter(Name="/app/x", Value="42", Type="String", Overwrite=True)
        assert ssm.get_parameter(Name="/app/x")["Parameter"]["Value"] == "42"
        ssm.delete_maintenance_window(WindowId=window_id)
    assert boto3.client("ec2", region_name="us-east-1").describe_instances()["Reservations"] == []


def test_coexists_with_moto_started_first() -> None:
    from moto import mock_aws

    early = _client()
    env = dict(os.environ)
    with mock_aws(), mock_maintenance_windows(now=START) as mw:
        _moto_checks(mw, early)
    assert _patched_now() == ORIGINALS
    assert dict(os.environ) == env


def test_coexists_with_moto_started_second() -> None:
    from moto import mock_aws

    early = _client()
    env = dict(os.environ)
    with mock_maintenance_windows(now=START) as mw, mock_aws():
        _moto_checks(mw, early)
    assert _patched_now() == ORIGINALS
    assert dict(os.environ) == env


def test_after_moto_and_mock_stop_nothing_answers(tmp_path: Path) -> None:
    code = """
import json, boto3
from botocore.client import BaseClient
from botocore.endpoint import Endpoint
from moto import mock_aws
from ssm_mw_mock import mock_maintenance_windows
before = Endpoint.__dict__["_send_request"]
with mock_aws(), mock_maintenance_windows():
    boto3.client("ssm", region_name="us-east-1").put_parameter(Name="p", Value="v", Type="String")
with mock_maintenance_windows(), mock_aws():
    pass
from botocore.config import Config
ssm = boto3.client("ssm", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                   aws_access_key_id="a", aws_secret_access_key="b",
                   config=Config(retries={"total_max_attempts": 1}, connect_timeout=1))
try:
    ssm.describe_maintenance_windows()
    outcome = "answered"
except Exception as error:
    outcome = type(error).__name__
print(json.dumps({"outcome": outcome, "same": Endpoint.__dict__["_send_request"] is before}))
"""
    assert _run_python(code, tmp_path, clean_env=False) == {
        "outcome": "EndpointConnectionError",
        "same": True,
    }


# Threads.


def test_eight_threads_writing_tags_to_one_window_lose_nothing() -> None:
    with mock_maintenance_windows():
        window_id = _create(_client())
        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def write(worker: int) -> None:
            try:
                ssm = _client()
                barrier.wait()
                for i in range(6):
                    ssm.add_tags_to_resource(
                        ResourceType="MaintenanceWindow",
                        ResourceId=window_id,
                        Tags=[{"Key": f"w{worker}-t{i}", "Value": str(i)}],
                    )
            except BaseException as error:  # surfaced below
                errors.append(error)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        tags = _client().list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=window_id)
        assert {t["Key"] for t in tags["TagList"]} == {f"w{w}-t{i}" for w in range(8) for i in range(6)}
