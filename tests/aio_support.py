"""What the aiobotocore tests share: a network guard, client factories, and small helpers.

The guard clears the AWS environment (no credentials anywhere, no config files) and proves that nothing
left the process: a listening socket on 127.0.0.1, set as the clients' endpoint_url, whose pending
connections are counted (must be 0), and a guard on ``socket.socket.connect``, ``socket.getaddrinfo`` and
the event loop's ``create_connection`` that records (and refuses) every attempt.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def _aiobotocore_session() -> Any:
    import aiobotocore.session

    return aiobotocore.session


REGION = "eu-west-1"
NO_RETRIES = Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=1)
WINDOW = {"Schedule": "rate(1 day)", "Duration": 2, "Cutoff": 1, "AllowUnassociatedTargets": True}
REFUSED = (
    "ssm_mw_mock is active and does not serve ssm:GetParameter. It answers the maintenance-window "
    "operations of SSM, tag calls on maintenance windows, and the Run Command and Automation reads of what "
    "windows ran (ResourceType=MaintenanceWindow)."
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
        client: AbstractAsyncContextManager[Any] = (
            _aiobotocore_session().get_session().create_client(service, **kwargs)
        )
        return client

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
            client: AbstractAsyncContextManager[Any] = (
                _aiobotocore_session().get_session().create_client(service, config=config, **kwargs)
            )
            return client

        factories.append(pytest.param(httpx_client, id="aiobotocore-httpx"))
    try:
        import aioboto3
    except ImportError:
        reason = (
            "aioboto3 is not installed: its releases pin an older aiobotocore than the test extras' "
            "(aioboto3 15.5 pins aiobotocore 2.25.1); .ci/run and `tox -e aioboto3` run these tests with it"
        )
        factories.append(pytest.param(None, id="aioboto3", marks=pytest.mark.skip(reason=reason)))
    else:

        def aioboto3_client(service: str, **kwargs: Any) -> AbstractAsyncContextManager[Any]:
            client: AbstractAsyncContextManager[Any] = aioboto3.Session().client(service, **kwargs)
            return client

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


def error_of(error: ClientError) -> tuple[str, str, int | None]:
    """Code, message and HTTP status (None for a call refused before any answer was made)."""
    response: Any = error.response
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return response["Error"]["Code"], response["Error"]["Message"], status
