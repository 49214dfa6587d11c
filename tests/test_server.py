"""The HTTP server: boto3, the AWS CLI and raw HTTP against a real loopback port; the control API; the CLI."""

from __future__ import annotations

import http.client
import importlib.metadata
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.doors import patching
from ssm_mw_mock.server import MAX_BODY, ThreadedServer
from tests.conftest import NOW

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "ssm_mw_mock.pytest_plugin"
JSON_CONTENT = {"Content-Type": "application/json"}
WINDOW = {
    "Name": "nightly-patching",
    "Schedule": "cron(0 2 ? * * *)",
    "Duration": 3,
    "Cutoff": 1,
    "AllowUnassociatedTargets": False,
}


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(now=NOW) as running:
        yield running


def client(server: ThreadedServer, region: str = "us-east-1") -> Any:
    return boto3.client(
        "ssm",
        endpoint_url=server.endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def ssm(server: ThreadedServer) -> Iterator[Any]:
    ssm_client = client(server)
    yield ssm_client
    ssm_client.close()


def raw(
    server: ThreadedServer,
    method: str = "POST",
    path: str = "/",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One request over a fresh connection: (status, headers, decoded JSON body or None)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        return response.status, dict(response.headers), json.loads(payload) if payload else None
    finally:
        connection.close()


def ssm_call(server: ThreadedServer, target: str | None, body: bytes) -> tuple[int, Any]:
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target is not None:
        headers["X-Amz-Target"] = target
    status, _, payload = raw(server, body=body, headers=headers)
    return status, payload


def socket_exchange(server: ThreadedServer, data: bytes) -> bytes:
    """Send raw bytes, read until the server closes: what a broken client sees."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


# boto3


def test_server_boto3_create_get_describe_delete(ssm: Any) -> None:
    window_id = ssm.create_maintenance_window(**WINDOW)["WindowId"]

    window = ssm.get_maintenance_window(WindowId=window_id)
    identities = ssm.describe_maintenance_windows()["WindowIdentities"]
    ssm.delete_maintenance_window(WindowId=window_id)

    assert window["Name"] == "nightly-patching"
    assert window["CreatedDate"] == datetime(2024, 3, 4, tzinfo=UTC)
    assert [identity["WindowId"] for identity in identities] == [window_id]
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []


def test_server_boto3_errors_are_modelled_exceptions(ssm: Any) -> None:
    with pytest.raises(ssm.exceptions.DoesNotExistException) as raised:
        ssm.get_maintenance_window(WindowId="mw-0123456789abcdef0")

    assert (
        raised.value.response["Error"]["Message"] == "Maintenance window mw-0123456789abcdef0 does not exist"
    )
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_server_boto3_non_window_call_names_the_operation(ssm: Any) -> None:
    with pytest.raises(ClientError) as raised:
        ssm.get_parameter(Name="/app/setting")

    assert raised.value.response["Error"]["Code"] == "NotMockedByMaintenanceWindowsMock"
    assert "ssm:GetParameter" in raised.value.response["Error"]["Message"]


def test_server_region_comes_from_the_signature(server: ThreadedServer) -> None:
    ireland, virginia = client(server, "eu-west-1"), client(server, "us-east-1")
    window_id = ireland.create_maintenance_window(**WINDOW)["WindowId"]

    assert [w["WindowId"] for w in ireland.describe_maintenance_windows()["WindowIdentities"]] == [window_id]
    assert virginia.describe_maintenance_windows()["WindowIdentities"] == []
    ireland.close()
    virginia.close()


def test_server_does_not_start_the_mock_so_boto3_goes_over_http(server: ThreadedServer, ssm: Any) -> None:
    response = ssm.describe_maintenance_windows()

    assert patching.current() is None
    assert response["ResponseMetadata"]["HTTPHeaders"]["server"].startswith("ssm_mw_mock/")


def test_server_date_header_tells_the_fake_time(ssm: Any) -> None:
    headers = ssm.describe_maintenance_windows()["ResponseMetadata"]["HTTPHeaders"]

    assert headers["date"] == "Mon, 04 Mar 2024 00:00:00 GMT"


def test_server_concurrent_clients_lose_nothing(server: ThreadedServer) -> None:
    created: list[str] = []
    failures: list[BaseException] = []

    clients = [client(server) for _ in range(8)]  # made here: boto3's default session is not thread-safe

    def create_some(worker: int) -> None:
        ssm_client = clients[worker]
        try:
            for index in range(5):
                params = {**WINDOW, "Name": f"window-{worker}-{index}"}
                created.append(ssm_client.create_maintenance_window(**params)["WindowId"])
        except BaseException as error:  # reported below, on the test's thread
            failures.append(error)
        finally:
            ssm_client.close()

    threads = [threading.Thread(target=create_some, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    ssm_client = client(server)
    listed = ssm_client.describe_maintenance_windows(MaxResults=100)["WindowIdentities"]
    ssm_client.close()
    assert len(created) == 40
    assert {identity["WindowId"] for identity in listed} == set(created)


def test_server_kept_alive_connection_answers_without_a_nagle_stall(server: ThreadedServer) -> None:
    # An answer sent in two writes (headers, then body) waits for the client's delayed ACK: ~40 ms each.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"}
    try:
        connection.request("POST", "/", body=b"{}", headers=headers)
        connection.getresponse().read()
        socket_before = connection.sock
        started = time.perf_counter()
        for _ in range(25):
            connection.request("POST", "/", body=b"{}", headers=headers)
            response = connection.getresponse()
            assert response.status == 200
            response.read()
        elapsed = time.perf_counter() - started
        assert connection.sock is socket_before  # one connection throughout
    finally:
        connection.close()

    assert elapsed < 0.9, f"25 kept-alive requests took {elapsed:.2f} s"


def test_server_stalled_client_does_not_block_another(server: ThreadedServer, ssm: Any) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as stalled:
        stalled.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{")
        started = time.perf_counter()
        for _ in range(5):
            ssm.describe_maintenance_windows()
        assert time.perf_counter() - started < 5


# The AWS CLI, in its own process


def aws(server: ThreadedServer, *args: str) -> Any:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.pop("AWS_PROFILE", None)
    command = [
        sys.executable,
        "-m",
        "awscli",
        *args,
        "--endpoint-url",
        server.endpoint_url,
        "--output",
        "json",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def cli_time(value: float | str) -> datetime:
    """A timestamp as the CLI prints it: epoch seconds (CLI v1's default) or ISO-8601 (v2's)."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(value)


def test_server_aws_cli_session_with_the_clock_moved_by_the_control_api(server: ThreadedServer) -> None:
    created = aws(
        server,
        "ssm",
        "create-maintenance-window",
        "--name",
        "nightly-patching",
        "--schedule",
        "cron(0 2 ? * * *)",
        "--duration",
        "3",
        "--cutoff",
        "1",
        "--no-allow-unassociated-targets",
    )
    window_id = created["WindowId"]
    moved = requests.post(
        f"{server.endpoint_url}/_mw/clock/advance", json={"days": 1, "hours": 2}, timeout=10
    )
    aws(server, "ssm", "update-maintenance-window", "--window-id", window_id, "--duration", "4")

    window = aws(server, "ssm", "get-maintenance-window", "--window-id", window_id)
    listed = aws(server, "ssm", "describe-maintenance-windows", "--region", "us-east-1")

    assert moved.json() == {"now": "2024-03-05T02:00:00Z"}
    assert cli_time(window["CreatedDate"]) == datetime(2024, 3, 4, tzinfo=UTC)
    assert cli_time(window["ModifiedDate"]) == datetime(2024, 3, 5, 2, tzinfo=UTC)
    assert window["Duration"] == 4
    assert [identity["WindowId"] for identity in listed["WindowIdentities"]] == [window_id]
    # The move played the window's runs of 4 and 5 March, 02:00: the CLI sees them, newest first.
    runs = aws(server, "ssm", "describe-maintenance-window-executions", "--window-id", window_id)
    assert [(cli_time(run["StartTime"]), run["Status"]) for run in runs["WindowExecutions"]] == [
        (datetime(2024, 3, 5, 2, tzinfo=UTC), "SUCCESS"),
        (datetime(2024, 3, 4, 2, tzinfo=UTC), "SUCCESS"),
    ]
    assert {run["StatusDetails"] for run in runs["WindowExecutions"]} == {"No tasks to execute."}


# Raw HTTP: nothing a client sends crashes or hangs the server


def test_server_malformed_json_is_a_serialization_exception(server: ThreadedServer) -> None:
    status, payload = ssm_call(server, "AmazonSSM.DescribeMaintenanceWindows", b'{"MaxResults": ')

    assert status == 400
    assert payload == {"__type": "SerializationException", "message": "The request body is not valid JSON."}


def test_server_json_that_is_not_an_object_is_a_serialization_exception(server: ThreadedServer) -> None:
    status, payload = ssm_call(server, "AmazonSSM.DescribeMaintenanceWindows", b"[1, 2]")

    assert status == 400
    assert payload["__type"] == "SerializationException"


def test_server_wrong_member_types_are_refused_like_ssm(server: ThreadedServer) -> None:
    status, payload = ssm_call(server, "AmazonSSM.GetMaintenanceWindow", b'{"WindowId": 12}')

    assert status == 400
    assert payload["__type"] in {"SerializationException", "ValidationException"}


@pytest.mark.parametrize(
    ("target", "code", "named"),
    [
        ("DynamoDB_20120810.ListTables", "UnknownOperationException", "DynamoDB_20120810.ListTables"),
        ("AmazonSSM.Frobnicate", "UnknownOperationException", "Frobnicate"),
        ("AmazonSSM.GetParameter", "NotMockedByMaintenanceWindowsMock", "ssm:GetParameter"),
        (None, "UnknownOperationException", "without an X-Amz-Target header"),
    ],
)
def test_server_other_targets_get_an_ssm_error_naming_them(
    server: ThreadedServer, target: str | None, code: str, named: str
) -> None:
    status, payload = ssm_call(server, target, b"{}")

    assert status == 400
    assert payload["__type"] == code
    assert named in payload["message"]


def test_server_tag_calls_only_on_maintenance_windows(server: ThreadedServer, ssm: Any) -> None:
    window_id = ssm.create_maintenance_window(**WINDOW)["WindowId"]
    on_window = json.dumps({"ResourceType": "MaintenanceWindow", "ResourceId": window_id}).encode()
    on_document = json.dumps({"ResourceType": "Document", "ResourceId": "my-doc"}).encode()

    window_status, window_tags = ssm_call(server, "AmazonSSM.ListTagsForResource", on_window)
    document_status, refusal = ssm_call(server, "AmazonSSM.ListTagsForResource", on_document)

    assert (window_status, window_tags) == (200, {"TagList": []})
    assert document_status == 400
    assert refusal["__type"] == "NotMockedByMaintenanceWindowsMock"


def test_server_wrong_method_is_405_with_allow(server: ThreadedServer) -> None:
    status, headers, payload = raw(server, "GET", "/")

    assert status == 405
    assert headers["Allow"] == "POST"
    assert payload["__type"] == "MethodNotAllowed"


def test_server_head_gets_a_status_and_no_body(server: ThreadedServer) -> None:
    status, _, payload = raw(server, "HEAD", "/")

    assert status == 405
    assert payload is None


def test_server_unknown_path_is_404(server: ThreadedServer) -> None:
    status, _, payload = raw(server, "POST", "/2015-03-31/functions", body=b"{}")

    assert status == 404
    assert payload["__type"] == "NotFound"
    assert "/2015-03-31/functions" in payload["message"]


def test_server_unknown_http_method_is_405(server: ThreadedServer) -> None:
    status, headers, payload = raw(server, "BREW", "/")

    assert (status, headers["Allow"]) == (405, "POST")
    assert payload == {"__type": "MethodNotAllowed", "message": "BREW is not allowed on /; use POST"}


def test_server_unknown_http_method_on_control_path_is_405(server: ThreadedServer) -> None:
    status, headers, payload = raw(server, "BREW", "/_mw/clock/set?x=1")

    assert (status, headers["Allow"]) == (405, "POST")
    assert payload == {
        "__type": "MethodNotAllowed",
        "message": "BREW is not allowed on /_mw/clock/set; use POST",
    }


def test_server_huge_declared_body_is_refused_before_it_is_read(server: ThreadedServer) -> None:
    head = (
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSSM.DescribeMaintenanceWindows\r\n"
        f"Content-Length: {100 * MAX_BODY}\r\n\r\n"
    )

    answer = socket_exchange_half_closed(server, head.encode())

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b'"RequestEntityTooLarge"' in answer
    assert b"Connection: close" in answer


def test_server_huge_body_awaiting_100_continue_gets_413_instead(server: ThreadedServer) -> None:
    head = (
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSSM.DescribeMaintenanceWindows\r\n"
        f"Expect: 100-continue\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n"
    )

    answer = socket_exchange(server, head.encode())

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"100 Continue" not in answer


def test_server_small_body_awaiting_100_continue_is_served(server: ThreadedServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSSM.DescribeMaintenanceWindows\r\n"
            b"Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
        )
        interim = sock.recv(1024)
        sock.sendall(b"{}")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)

    assert interim.startswith(b"HTTP/1.1 100 Continue")
    assert b"".join(chunks).endswith(b'{"WindowIdentities":[]}')


def socket_exchange_half_closed(server: ThreadedServer, data: bytes) -> bytes:
    """Send the headers of a request whose body never comes, then stop sending."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_server_huge_body_sent_in_full_gets_413(server: ThreadedServer) -> None:
    response = requests.post(
        server.endpoint_url,
        data=b"{" + b" " * (MAX_BODY + 1) + b"}",
        headers={"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"},
        timeout=30,
    )

    assert response.status_code == 413
    assert response.json()["__type"] == "RequestEntityTooLarge"
    assert health(server)["status"] == "ok"


def test_server_huge_chunked_body_gets_413(server: ThreadedServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(11):
            yield b" " * (1024 * 1024)

    response = requests.post(
        server.endpoint_url,
        data=chunks(),
        headers={"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"},
        timeout=30,
    )

    assert response.status_code == 413


def test_server_chunked_body_is_read(server: ThreadedServer) -> None:
    response = requests.post(
        server.endpoint_url,
        data=iter([b'{"MaxRes', b'ults": 10}']),
        headers={"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"},
        timeout=10,
    )

    assert response.status_code == 200
    assert response.json() == {"WindowIdentities": []}


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n{}\r\n0\r\n\r\n",
        b"POST / HTTP/7.0\r\n\r\n",
    ],
)
def test_server_malformed_http_gets_a_json_400(server: ThreadedServer, request_bytes: bytes) -> None:
    answer = socket_exchange(server, request_bytes)

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] in {b"400", b"505"}
    assert "__type" in json.loads(body)
    assert health(server)["status"] == "ok"


def test_server_client_that_leaves_mid_body_does_not_hurt(server: ThreadedServer) -> None:
    request_bytes = b"POST / HTTP/1.1\r\nContent-Length: 100\r\nX-Amz-Target: AmazonSSM.X\r\n\r\n{"

    assert socket_exchange_half_closed(server, request_bytes) == b""
    assert health(server)["status"] == "ok"


# The control API


def health(server: ThreadedServer) -> Any:
    return requests.get(f"{server.endpoint_url}/_mw/health", timeout=10).json()


def control(server: ThreadedServer, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = requests.request(
        method,
        f"{server.endpoint_url}/_mw/{path}",
        data=b"" if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    return response.status_code, response.json()


def test_control_health(server: ThreadedServer) -> None:
    answer = health(server)

    assert answer["status"] == "ok"
    assert answer["now"] == "2024-03-04T00:00:00Z"
    assert answer["account"] == "123456789012"
    assert "CreateMaintenanceWindow" in answer["operations"]


def test_control_clock_reads_and_advances(server: ThreadedServer) -> None:
    assert control(server, "GET", "clock") == (200, {"now": "2024-03-04T00:00:00Z"})
    assert control(server, "POST", "clock/advance", {"seconds": 90}) == (200, {"now": "2024-03-04T00:01:30Z"})
    assert control(server, "POST", "clock/advance", {"days": 1, "hours": 2, "minutes": 3}) == (
        200,
        {"now": "2024-03-05T02:04:30Z"},
    )
    assert server.mock.clock.now() == datetime(2024, 3, 5, 2, 4, 30, tzinfo=UTC)


def test_control_clock_set_forward(server: ThreadedServer) -> None:
    assert control(server, "POST", "clock/set", {"now": "2024-03-05T16:10:00+02:00"}) == (
        200,
        {"now": "2024-03-05T14:10:00Z"},
    )


def test_control_clock_set_backwards_is_400_with_the_clocks_message(server: ThreadedServer) -> None:
    status, answer = control(server, "POST", "clock/set", {"now": "2024-03-03T00:00:00Z"})

    assert status == 400
    assert answer == {
        "__type": "BadRequest",
        "message": "the clock only moves forward: it is 2024-03-04T00:00:00+00:00 and clock.set() was given "
        "2024-03-03T00:00:00+00:00; start a new mock to go back in time",
    }


@pytest.mark.parametrize(
    ("path", "body", "message_part"),
    [
        ("clock/advance", {}, "one or more of days, hours, minutes, seconds"),
        ("clock/advance", {"weeks": 1}, "unknown: weeks"),
        ("clock/advance", {"hours": "3"}, 'hours must be a number, not "3"'),
        ("clock/advance", {"hours": True}, "hours must be a number"),
        ("clock/advance", {"hours": -1}, "the clock only moves forward"),
        ("clock/advance", {"days": 1e300}, "too far"),
        ("clock/set", {}, '{"now": "<ISO-8601'),
        ("clock/set", {"now": "tomorrow"}, "must be an ISO-8601 date-time"),
        ("clock/set", {"now": "2024-03-05T00:00:00"}, "must be timezone-aware"),
    ],
)
def test_control_bad_requests_are_400_saying_why(
    server: ThreadedServer, path: str, body: Any, message_part: str
) -> None:
    status, answer = control(server, "POST", path, body)

    assert status == 400
    assert answer["__type"] == "BadRequest"
    assert message_part in answer["message"]
    assert server.mock.clock.now() == datetime(2024, 3, 4, tzinfo=UTC)


def test_control_bad_json_is_400(server: ThreadedServer) -> None:
    response = requests.post(
        f"{server.endpoint_url}/_mw/clock/advance", data=b"{nope", headers=JSON_CONTENT, timeout=10
    )

    assert response.status_code == 400
    assert response.json() == {"__type": "BadRequest", "message": "The request body is not valid JSON."}


def test_control_reset_forgets_windows_and_keeps_the_time(server: ThreadedServer, ssm: Any) -> None:
    ssm.create_maintenance_window(**WINDOW)
    control(server, "POST", "clock/advance", {"hours": 1})

    assert control(server, "POST", "reset") == (200, {"now": "2024-03-04T01:00:00Z"})
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []


def test_control_outcomes_rules_decide_invocations(server: ThreadedServer) -> None:
    ssm = client(server)
    window_id = ssm.create_maintenance_window(
        Name="rules", Schedule="cron(0 2 ? * * *)", Duration=3, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0", "i-0123456789abcdef1"]}],
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="2",
        MaxErrors="1",
    )
    rules = {
        "rules": [
            {
                "match": {"target_id": "i-0123456789abcdef1"},
                "status": "FAILED",
                "duration_seconds": 60,
                "output": "disk full",
            }
        ]
    }
    assert control(server, "POST", "outcomes", rules) == (200, {"rules": 1})
    control(server, "POST", "clock/advance", {"hours": 3})
    (execution,) = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    (task,) = ssm.describe_maintenance_window_execution_tasks(
        WindowExecutionId=execution["WindowExecutionId"]
    )["WindowExecutionTaskIdentities"]
    invocations = ssm.describe_maintenance_window_execution_task_invocations(
        WindowExecutionId=execution["WindowExecutionId"], TaskId=task["TaskExecutionId"]
    )["WindowExecutionTaskInvocationIdentities"]
    seen = {(i["Status"], i["StatusDetails"], (i["EndTime"] - i["StartTime"]).seconds) for i in invocations}
    assert seen == {("SUCCESS", "Success", 5), ("FAILED", "disk full", 60)}
    assert execution["Status"] == "FAILED"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "FAILED"}, 'the body must be {"rules": [...]}'),
        (
            {"rules": [{"colour": "red"}]},
            "rule 1 must be an object with keys among match, status, duration_seconds, output",
        ),
        (
            {"rules": [{"match": {"instance": "i-1"}}]},
            "rule 1: match takes keys among target_id, window_id, window_task_id, task_arn, task_type",
        ),
        (
            {"rules": [{"status": "DONE"}]},
            "Outcome(status='DONE') is not an invocation status; "
            "use one of CANCELLED, FAILED, SUCCESS, TIMED_OUT",
        ),
    ],
)
def test_control_outcomes_bad_rules_are_400(
    server: ThreadedServer, body: dict[str, Any], message: str
) -> None:
    assert control(server, "POST", "outcomes", body) == (400, {"__type": "BadRequest", "message": message})


def test_control_unknown_path_is_404_listing_the_api(server: ThreadedServer) -> None:
    status, answer = control(server, "GET", "clocks")

    assert status == 404
    assert "/_mw/clock/advance" in answer["message"]


@pytest.mark.parametrize(("method", "path"), [("POST", "clock"), ("GET", "reset"), ("DELETE", "outcomes")])
def test_control_wrong_method_is_405(server: ThreadedServer, method: str, path: str) -> None:
    status, answer = control(server, method, path)

    assert status == 405
    assert answer["__type"] == "MethodNotAllowed"


# ThreadedServer and the fixture


def test_threaded_server_stop_is_clean_with_idle_keepalive_connections() -> None:
    server = ThreadedServer(now=NOW).start()
    ssm_client = client(server)
    ssm_client.describe_maintenance_windows()  # leaves a keep-alive connection open
    idle = socket.create_connection(("127.0.0.1", server.port))  # connected, never sends
    before = time.monotonic()

    server.stop()

    assert time.monotonic() - before < 2
    assert not any(thread.name.startswith("ssm_mw_mock server") for thread in threading.enumerate())
    idle.close()
    ssm_client.close()
    server.stop()  # idempotent


def test_threaded_server_misuse_raises_saying_how() -> None:
    server = ThreadedServer(now=NOW)

    with pytest.raises(RuntimeError, match="not running"):
        _ = server.endpoint_url
    with server, pytest.raises(RuntimeError, match="already serving"):
        server.start()
    with pytest.raises(ValueError, match="a mock or now=, not both"):
        ThreadedServer(MaintenanceWindowsMock(), now=NOW)


def test_threaded_server_port_in_use_raises_oserror(server: ThreadedServer) -> None:
    with pytest.raises(OSError):
        ThreadedServer(port=server.port).start()


def test_threaded_server_serves_a_given_mock(server: ThreadedServer) -> None:
    mock = MaintenanceWindowsMock(now="2030-01-01T00:00:00Z", account_id="111122223333")

    with ThreadedServer(mock) as other:
        answer = health(other)

    assert other.mock is mock
    assert (answer["now"], answer["account"]) == ("2030-01-01T00:00:00Z", "111122223333")


def test_mw_server_fixture_serves_over_http(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the sandboxed pytest imports this checkout
    installed = any(e.value == PLUGIN for e in importlib.metadata.entry_points(group="pytest11"))
    pytester.makepyfile(
        """
        import boto3, pytest, requests
        from ssm_mw_mock.doors import patching

        @pytest.mark.mw_mock(now="2025-01-01T00:00:00Z")
        def test_endpoint(mw_server):
            ssm = boto3.client("ssm", endpoint_url=mw_server.endpoint_url, region_name="us-east-1",
                               aws_access_key_id="x", aws_secret_access_key="x")
            ssm.create_maintenance_window(Name="abc", Schedule="rate(1 day)", Duration=2, Cutoff=1,
                                          AllowUnassociatedTargets=True)
            ssm.close()
            assert patching.current() is None
            assert len(mw_server.mock.backend.state("123456789012", "us-east-1").windows) == 1
            clock = requests.get(mw_server.endpoint_url + "/_mw/clock", timeout=10).json()
            assert clock == {"now": "2025-01-01T00:00:00Z"}
        """
    )

    result = pytester.runpytest_subprocess(*([] if installed else ["-p", PLUGIN]), "-p", "no:cacheprovider")

    result.assert_outcomes(passed=1)


# python -m ssm_mw_mock serve


def start_cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "ssm_mw_mock", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_serve_prints_the_port_and_exits_cleanly_on_signal(stop_signal: signal.Signals) -> None:
    process = start_cli("serve", "--port", "0", "--now", NOW)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        prefix = "ssm_mw_mock listening on http://127.0.0.1:"
        assert line.startswith(prefix), line
        url = line.removeprefix("ssm_mw_mock listening on ")
        assert process.stdout.readline().strip() == f"ssm_mw_mock dashboard at {url}/_mw/"
        answer = requests.get(f"{url}/_mw/clock", timeout=10).json()

        process.send_signal(stop_signal)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert answer == {"now": "2024-03-04T00:00:00Z"}
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_cli_serve_bad_now_exits_2_saying_why() -> None:
    process = start_cli("serve", "--now", "next tuesday")
    _, stderr = process.communicate(timeout=20)

    assert process.returncode == 2
    assert "--now must be an ISO-8601 date-time with an offset" in stderr


def test_server_hook_error_in_a_control_move_is_an_http_answer(server: ThreadedServer, ssm: Any) -> None:
    window_id = ssm.create_maintenance_window(**WINDOW)["WindowId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id, TaskType="LAMBDA", TaskArn="arn:aws:lambda:us-east-1:123456789012:function:f"
    )
    asked: list[str] = []

    def broken(invocation: Any) -> None:
        asked.append(invocation.window_id)
        raise LookupError("bug in the hook")

    server.mock.on_invocation(broken)
    status, _, payload = raw(
        server,
        path="/_mw/clock/advance",
        body=json.dumps({"days": 1}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 500
    assert payload["__type"] == "HookError"
    assert window_id in payload["message"]
    assert "bug in the hook" in payload["message"]
    assert payload["message"].endswith("The clock stands at that instant.")
    assert asked == [window_id]
    # The move stopped at the run the hook was deciding, as in-process moves do.
    _, _, clock = raw(server, "GET", "/_mw/clock")
    assert clock["now"] == "2024-03-04T02:00:00Z"
