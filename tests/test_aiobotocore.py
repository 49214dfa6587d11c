"""aiobotocore (and aioboto3) clients under the mock: answered in process, with botocore's state and errors.

Every test runs with the AWS environment cleared, so no credentials can be found, and with two guards
that prove nothing left the process: a listening socket on 127.0.0.1, set as the clients' endpoint_url,
whose pending connections are counted (must be 0), and a guard on ``socket.socket.connect``,
``socket.getaddrinfo`` and the event loop's ``create_connection`` that records (and refuses) every
attempt. ``test_guard_sees_a_call_outside_the_mock`` shows that the guards do see a call that is sent.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from ssm_mw_mock import MaintenanceWindowsMock, mock_maintenance_windows
from ssm_mw_mock.doors import aio

aiobotocore_session = pytest.importorskip("aiobotocore.session")

REGION = "eu-west-1"
NO_RETRIES = Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=1)
WINDOW = {"Schedule": "rate(1 day)", "Duration": 2, "Cutoff": 1, "AllowUnassociatedTargets": True}
REFUSED = (
    "ssm_mw_mock is active and does not serve ssm:GetParameter. It answers the maintenance-window "
    "operations of SSM and tag calls on maintenance windows (ResourceType=MaintenanceWindow)."
)


class Guard:
    """Records, and refuses, every attempt to resolve a name or open a connection."""

    def __init__(self, listener: socket.socket) -> None:
        self.listener = listener
        self.attempts: list[str] = []

    @property
    def url(self) -> str:
        host, port = self.listener.getsockname()
        return f"http://{host}:{port}"

    def accepted(self) -> int:
        """Connections that reached the listener (the kernel queues them even though nobody accepts)."""
        self.listener.setblocking(False)
        count = 0
        while True:
            try:
                connection, _ = self.listener.accept()
            except BlockingIOError:
                return count
            connection.close()
            count += 1

    def record(self, what: str) -> None:
        self.attempts.append(what)
        raise OSError(f"socket guard: {what} attempted while the test forbids the network")


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Guard]:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    # No files to find either: the user's ~/.aws must not lend credentials to the test.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    watch = Guard(listener)
    # Taken now, so the guard does not see the listener's own bind; anything after this is the client's.
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: watch.record(f"connect {address}"))
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: watch.record(f"connect {address}"))
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *args, **kwargs: watch.record(f"resolve {host}"))

    async def create_connection(
        self: Any, protocol_factory: Any, host: Any = None, port: Any = None, **kwargs: Any
    ) -> Any:
        watch.record(f"connect {(host, port)}" if host is not None else f"connect {kwargs.get('sock')}")

    monkeypatch.setattr(asyncio.BaseEventLoop, "create_connection", create_connection)
    yield watch
    listener.close()


def _httpx_transport() -> str | None:
    """The httpx package that this aiobotocore's ``HttpxSession`` uses without a warning, if installed."""
    if find_spec("aiobotocore.httpxsession") is None:
        return None
    # aiobotocore 3 prefers httpx2 (plain httpx is deprecated there); aiobotocore 2 knows only httpx.
    wanted = "httpx2" if find_spec("aiobotocore._httpx") is not None else "httpx"
    return wanted if find_spec(wanted) is not None else None


def client_factories() -> list[Any]:
    """How users make async clients: aiobotocore's session, and aioboto3's when it is installed."""

    def aiobotocore_client(service: str, **kwargs: Any) -> AbstractAsyncContextManager[Any]:
        return aiobotocore_session.get_session().create_client(service, **kwargs)

    factories = [pytest.param(aiobotocore_client, id="aiobotocore")]
    transport = _httpx_transport()
    if transport is None:
        reason = "no httpx transport for this aiobotocore (httpx2 for aiobotocore 3, httpx for 2)"
        factories.append(pytest.param(None, id="aiobotocore-httpx", marks=pytest.mark.skip(reason=reason)))
    else:
        from aiobotocore.config import AioConfig
        from aiobotocore.httpxsession import HttpxSession

        def httpx_client(service: str, **kwargs: Any) -> AbstractAsyncContextManager[Any]:
            # aiobotocore's other transport: httpx on anyio (the AnyioEndpoint of aiobotocore 3).
            config = AioConfig(http_session_cls=HttpxSession).merge(kwargs.pop("config"))
            return aiobotocore_session.get_session().create_client(service, config=config, **kwargs)

        factories.append(pytest.param(httpx_client, id="aiobotocore-httpx"))
    try:
        import aioboto3
    except ImportError:
        reason = (
            "aioboto3 is not installed: its releases pin an older aiobotocore than the test extras' "
            "(aioboto3 15.5 pins aiobotocore 2.25.1); `tox -e aioboto3` runs these tests with it"
        )
        factories.append(pytest.param(None, id="aioboto3", marks=pytest.mark.skip(reason=reason)))
    else:

        def aioboto3_client(service: str, **kwargs: Any) -> AbstractAsyncContextManager[Any]:
            return aioboto3.Session().client(service, **kwargs)

        factories.append(pytest.param(aioboto3_client, id="aioboto3"))
    return factories


@pytest.fixture(params=client_factories())
def make_client(request: pytest.FixtureRequest, guard: Guard) -> Callable[..., Any]:
    factory = request.param

    @asynccontextmanager
    async def make(service: str = "ssm", **kwargs: Any) -> AsyncIterator[Any]:
        kwargs.setdefault("region_name", REGION)
        kwargs.setdefault("endpoint_url", guard.url)
        kwargs.setdefault("config", NO_RETRIES)
        async with factory(service, **kwargs) as client:
            yield client

    return make


@pytest.fixture
def no_network(guard: Guard) -> Iterator[Guard]:
    """The guard, checked after the test: nothing resolved, nothing connected."""
    yield guard
    assert guard.attempts == []
    assert guard.accepted() == 0


async def create_window(client: Any, name: str = "nightly") -> str:
    window_id: str = (await client.create_maintenance_window(Name=name, **WINDOW))["WindowId"]
    return window_id


@pytest.mark.asyncio
async def test_client_made_inside_the_mock_is_answered(make_client: Any, no_network: Guard) -> None:
    with mock_maintenance_windows() as mw:
        async with make_client() as client:
            window_id = await create_window(client)
            got = await client.get_maintenance_window(WindowId=window_id)
        assert got["Name"] == "nightly"
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert list(mw.backend.state(mw.account_id, REGION).windows) == [window_id]


@pytest.mark.asyncio
async def test_client_made_before_the_mock_is_answered(
    make_client: Any, no_network: Guard, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outside the mock the real credential chain runs; keep it off the metadata endpoint for this test.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    async with make_client() as client:
        assert client._request_signer._credentials is None  # nothing to sign with
        with mock_maintenance_windows() as mw:
            window_id = await create_window(client)
            listed = await client.describe_maintenance_windows()
        assert [w["WindowId"] for w in listed["WindowIdentities"]] == [window_id]
        assert list(mw.backend.state(mw.account_id, REGION).windows) == [window_id]


@pytest.mark.asyncio
async def test_client_with_credentials_sends_nothing(make_client: Any, no_network: Guard) -> None:
    """The reported leak: a client holding credentials had its call signed and sent to its endpoint."""
    with mock_maintenance_windows():
        async with make_client(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="s") as client:
            window_id = await create_window(client)
            assert (await client.get_maintenance_window(WindowId=window_id))["Name"] == "nightly"


@pytest.mark.asyncio
async def test_credentials_inside_the_mock_are_fake_and_not_cached(no_network: Guard) -> None:
    session = aiobotocore_session.get_session()
    with mock_maintenance_windows():
        credentials = await session.get_credentials()
        frozen = await credentials.get_frozen_credentials()
    assert (frozen.access_key, credentials.method) == ("ssm-mw-mock-access-key", "ssm-mw-mock")
    assert session._credentials is None  # after the mock, the session resolves its own as usual


@pytest.mark.asyncio
async def test_explicit_credentials_are_kept(no_network: Guard) -> None:
    session = aiobotocore_session.get_session()
    session.set_credentials("AKIDEXAMPLE", "secret")
    with mock_maintenance_windows():
        credentials = await session.get_credentials()
    assert credentials.access_key == "AKIDEXAMPLE"


@pytest.mark.asyncio
async def test_state_is_shared_with_boto3_both_ways(make_client: Any, no_network: Guard) -> None:
    with mock_maintenance_windows() as mw:
        sync_client = boto3.client("ssm", region_name=REGION)
        from_boto3 = sync_client.create_maintenance_window(Name="from-boto3", **WINDOW)["WindowId"]
        async with make_client() as client:
            from_aio = await create_window(client, "from-aio")
            seen_by_aio = await client.get_maintenance_window(WindowId=from_boto3)
        seen_by_boto3 = sync_client.get_maintenance_window(WindowId=from_aio)
        assert (seen_by_aio["Name"], seen_by_boto3["Name"]) == ("from-boto3", "from-aio")
        assert sorted(mw.backend.state(mw.account_id, REGION).windows) == sorted([from_boto3, from_aio])


def _error(error: ClientError) -> tuple[str, str, int | None]:
    """Code, message and HTTP status (None for a call refused before any answer was made)."""
    response: Any = error.response
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return response["Error"]["Code"], response["Error"]["Message"], status


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (
            {"Name": "bad", **WINDOW, "Cutoff": 2},
            "ValidationException",
            "Cuttoff was 2 but must be smaller than 1 (Duration - 1 )",
        ),
        (
            {"Name": "bad", **WINDOW, "Schedule": "cron(0 2 * * * *)"},
            "ValidationException",
            "Invalid cron expression 'cron(0 2 * * * *)': one of day-of-month and day-of-week must be '?'",
        ),
    ],
)
async def test_bad_input_gets_the_same_error_as_boto3(
    make_client: Any, no_network: Guard, params: dict[str, Any], code: str, message: str
) -> None:
    with mock_maintenance_windows() as mw:
        with pytest.raises(ClientError) as from_boto3:
            boto3.client("ssm", region_name=REGION).create_maintenance_window(**params)
        async with make_client() as client:
            with pytest.raises(ClientError) as from_aio:
                await client.create_maintenance_window(**params)
            with pytest.raises(client.exceptions.DoesNotExistException) as missing:
                await client.get_maintenance_window(WindowId="mw-0123456789abcdef0")
        assert mw.backend.state(mw.account_id, REGION).windows == {}
    assert _error(from_aio.value)[:2] == (code, message)
    assert _error(from_aio.value) == _error(from_boto3.value)
    assert _error(missing.value) == (
        "DoesNotExistException",
        "Maintenance window mw-0123456789abcdef0 does not exist",
        400,
    )


@pytest.mark.asyncio
async def test_other_calls_are_refused(make_client: Any, no_network: Guard) -> None:
    with mock_maintenance_windows():
        async with make_client() as client:
            with pytest.raises(ClientError) as refused:
                await client.get_parameter(Name="/app/db")
        async with make_client("sts") as sts:
            with pytest.raises(ClientError) as sts_refused:
                await sts.get_caller_identity()
    assert _error(refused.value) == ("NotMockedByMaintenanceWindowsMock", REFUSED, None)
    assert _error(sts_refused.value)[1] == REFUSED.replace("ssm:GetParameter", "sts:GetCallerIdentity")


@pytest.mark.asyncio
async def test_moto_active_too_is_refused_naming_moto(make_client: Any, no_network: Guard) -> None:
    from moto import mock_aws

    with mock_aws(), mock_maintenance_windows():
        async with make_client() as client:
            window_id = await create_window(client)  # still ours
            with pytest.raises(ClientError) as refused:
                await client.get_parameter(Name="/app/db")
        ssm = boto3.client("ssm", region_name=REGION)
        assert ssm.get_maintenance_window(WindowId=window_id)["Name"] == "nightly"
    code, message, _ = _error(refused.value)
    assert code == "NotMockedByMaintenanceWindowsMock"
    assert message == (
        "ssm_mw_mock is active and does not serve ssm:GetParameter. moto's mock_aws is active too, but moto "
        "cannot answer aiobotocore clients (it hands back a synchronous response that aiobotocore cannot "
        "await), so the call was stopped before it left the process; make this call with a boto3 client."
    )


@pytest.mark.asyncio
async def test_moto_alone_cannot_answer_aiobotocore(no_network: Guard) -> None:
    """Why the door refuses instead of handing over to moto; if moto learns aiobotocore, revisit that."""
    from moto import mock_aws

    with mock_aws():
        async with aiobotocore_session.get_session().create_client(
            "sts", region_name=REGION, config=NO_RETRIES, aws_access_key_id="a", aws_secret_access_key="b"
        ) as sts:
            with pytest.raises(TypeError, match="can't be used in 'await' expression"):
                await sts.get_caller_identity()


@pytest.mark.asyncio
async def test_send_is_refused_too(make_client: Any, no_network: Guard) -> None:
    """The last seam before the wire: even a request that reached it is stopped there."""
    request = AWSRequest(method="POST", url=no_network.url + "/", data=b"{}").prepare()
    with mock_maintenance_windows():
        async with make_client() as client:
            with pytest.raises(ClientError) as refused:
                await client._endpoint._send(request)
    assert _error(refused.value) == (
        "NotMockedByMaintenanceWindowsMock",
        f"ssm_mw_mock is active: the aiobotocore request to {no_network.url}/ was stopped before it left "
        "the process. Nothing reaches the network while the mock is active.",
        None,
    )


@pytest.mark.asyncio
async def test_paginator_walks_every_page(make_client: Any, no_network: Guard) -> None:
    with mock_maintenance_windows():
        async with make_client() as client:
            created = [await create_window(client, f"window-{n:02}") for n in range(12)]
            pages = [
                page
                async for page in client.get_paginator("describe_maintenance_windows").paginate(
                    PaginationConfig={"PageSize": 10}
                )
            ]
    assert [len(page["WindowIdentities"]) for page in pages] == [10, 2]
    assert sorted(w["WindowId"] for page in pages for w in page["WindowIdentities"]) == sorted(created)


@pytest.mark.asyncio
@mock_maintenance_windows
async def test_decorator_on_async_test_under_pytest_asyncio(no_network: Guard) -> None:
    async with aiobotocore_session.get_session().create_client("ssm", region_name=REGION) as client:
        window_id = await create_window(client)
        assert (await client.get_maintenance_window(WindowId=window_id))["Name"] == "nightly"


@pytest.mark.asyncio
async def test_fixture_in_async_test_under_pytest_asyncio(
    mw_mock: MaintenanceWindowsMock, no_network: Guard
) -> None:
    async with aiobotocore_session.get_session().create_client("ssm", region_name=REGION) as client:
        window_id = await create_window(client)
    assert list(mw_mock.backend.state(mw_mock.account_id, REGION).windows) == [window_id]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # aiobotocore's default HTTP client, aiohttp, runs on asyncio only


@pytest.mark.anyio
@mock_maintenance_windows
async def test_decorator_on_async_test_under_anyio(no_network: Guard) -> None:
    async with aiobotocore_session.get_session().create_client("ssm", region_name=REGION) as client:
        window_id = await create_window(client)
        assert (await client.get_maintenance_window(WindowId=window_id))["Name"] == "nightly"


@pytest.mark.anyio
async def test_fixture_in_async_test_under_anyio(mw_mock: MaintenanceWindowsMock, no_network: Guard) -> None:
    async with aiobotocore_session.get_session().create_client("ssm", region_name=REGION) as client:
        window_id = await create_window(client)
    assert list(mw_mock.backend.state(mw_mock.account_id, REGION).windows) == [window_id]


@pytest.mark.asyncio
async def test_guard_sees_a_call_outside_the_mock(make_client: Any, guard: Guard) -> None:
    """The guards are not vacuous: the same call without the mock is caught trying to connect."""
    async with make_client(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret") as client:
        with pytest.raises(EndpointConnectionError, match="Could not connect to the endpoint URL"):
            await create_window(client)
    host, port = guard.listener.getsockname()
    assert f"connect ('{host}', {port})" in guard.attempts


def test_patches_are_removed_when_the_last_mock_stops() -> None:
    endpoint_class = sys.modules["aiobotocore.endpoint"].AioEndpoint
    original = endpoint_class.__dict__["_send_request"]
    with MaintenanceWindowsMock(), MaintenanceWindowsMock():
        assert aio.patched() == [
            "AioEndpoint._send",
            "AioEndpoint._send_request",
            "AioSession.get_credentials",
        ]
    assert aio.patched() == []
    assert endpoint_class.__dict__["_send_request"] is original


def test_aiobotocore_imported_after_the_mock_started() -> None:
    """In a fresh interpreter: the mock never imports aiobotocore, and patches it when the caller does."""
    script = textwrap.dedent(
        """
        import asyncio, os, sys
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            del os.environ[name]
        os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        from ssm_mw_mock import mock_maintenance_windows
        from ssm_mw_mock.doors import aio

        async def calls():
            from aiobotocore.session import get_session
            async with get_session().create_client("ssm", region_name="eu-west-1") as client:
                made = await client.create_maintenance_window(
                    Name="late", Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=True
                )
                return (await client.get_maintenance_window(WindowId=made["WindowId"]))["Name"]

        with mock_maintenance_windows():
            print("imported by the mock:", "aiobotocore" in sys.modules)
            print("answered:", asyncio.run(calls()))
            print("patched:", aio.patched())
        print("patched after stop:", aio.patched())
        print("finder left:", any(type(f).__name__ == "_PatchOnImport" for f in sys.meta_path))
        with mock_maintenance_windows():
            print("answered again:", asyncio.run(calls()))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "imported by the mock: False",
        "answered: late",
        "patched: ['AioEndpoint._send', 'AioEndpoint._send_request', 'AioSession.get_credentials']",
        "patched after stop: []",
        "finder left: False",
        "answered again: late",
    ]
