"""The aiobotocore door's set-up: credentials, async test plugins, and patching in either import order.

``@mock_maintenance_windows`` on ``async def`` tests and the ``mw_mock`` fixture are run under both
pytest-asyncio and anyio's pytest plugin. The import-order test runs in a fresh interpreter, where
aiobotocore is imported only after the mock started.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ssm_mw_mock import MaintenanceWindowsMock, mock_maintenance_windows
from ssm_mw_mock.doors import aio
from tests.aio_support import REGION, Guard, create_window, guard, no_network  # noqa: F401 (fixtures)

aiobotocore_session = pytest.importorskip("aiobotocore.session")


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


def test_patches_are_removed_when_the_last_mock_stops() -> None:
    endpoint_class = sys.modules["aiobotocore.endpoint"].AioEndpoint
    client_class = sys.modules["aiobotocore.client"].AioBaseClient
    original = endpoint_class.__dict__["_send_request"]
    original_make_request = client_class.__dict__["_make_request"]
    with MaintenanceWindowsMock(), MaintenanceWindowsMock():
        assert aio.patched() == [
            "AioBaseClient._convert_to_request_dict",
            "AioBaseClient._make_request",
            "AioEndpoint._send",
            "AioEndpoint._send_request",
            "AioSession.get_credentials",
        ]
    assert aio.patched() == []
    assert endpoint_class.__dict__["_send_request"] is original
    assert client_class.__dict__["_make_request"] is original_make_request


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
        "patched: ['AioBaseClient._convert_to_request_dict', 'AioBaseClient._make_request', "
        "'AioEndpoint._send', 'AioEndpoint._send_request', 'AioSession.get_credentials']",
        "patched after stop: []",
        "finder left: False",
        "answered again: late",
    ]
