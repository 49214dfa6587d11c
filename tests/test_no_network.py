"""Nothing leaves the process while a mock is active, including what botocore sends outside any client.

botocore asks the EC2 instance-metadata service (IMDS) on its own HTTP session, not through a client's
endpoint: for the region when ``AWS_DEFAULTS_MODE=auto``, and for instance-role credentials. The tests
point IMDS at a listener on loopback and count the connections it accepts.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import boto3
import pytest

from ssm_mw_mock import mock_maintenance_windows

NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Listener:
    """A loopback TCP listener that counts connections and answers each with an HTTP 404."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with connection:
                connection.settimeout(1)
                try:
                    connection.recv(65536)
                    connection.sendall(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def imds(monkeypatch: pytest.MonkeyPatch) -> Iterator[Listener]:
    listener = Listener()
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", f"http://127.0.0.1:{listener.port}/")
    monkeypatch.setenv("AWS_DEFAULTS_MODE", "auto")
    monkeypatch.setenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1")
    for name in ("AWS_EXECUTION_ENV", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    yield listener
    listener.close()


def test_defaults_mode_auto_asks_imds_without_the_mock(imds: Listener) -> None:
    # The listener really sees botocore's lookup, so the test below counts something that happens.
    boto3.session.Session().client("ssm", region_name="us-east-1")
    assert imds.connections >= 1


def test_defaults_mode_auto_asks_no_imds_under_the_mock(imds: Listener) -> None:
    with mock_maintenance_windows():
        ssm = boto3.session.Session().client("ssm", region_name="us-east-1")
        assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    assert imds.connections == 0


def test_instance_role_credentials_are_not_fetched_under_the_mock(imds: Listener) -> None:
    from botocore.utils import InstanceMetadataFetcher

    fetcher = InstanceMetadataFetcher(timeout=1, num_attempts=1, base_url=f"http://127.0.0.1:{imds.port}/")
    with mock_maintenance_windows():
        assert fetcher.retrieve_iam_role_credentials() == {}
    assert imds.connections == 0
    fetcher.retrieve_iam_role_credentials()  # without the mock it does ask
    assert imds.connections >= 1
