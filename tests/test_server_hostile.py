"""Hostile HTTP: every request gets an HTTP answer, a refused control call changes nothing, and the control
API cannot be driven by a web page the developer happens to have open."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.doors import endpoint
from ssm_mw_mock.server import ExposedServerWarning, ThreadedServer
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
JSON = {"Content-Type": "application/json"}
DEEP = b'{"a":' * 1000 + b"1" + b"}" * 1000  # ~6 KB of objects nested 1,000 deep
DEEP_LISTS = b'{"Filters": ' + b"[" * 5000 + b"]" * 5000 + b"}"  # 10 KB, 5,000 deep
TOO_DEEP_SSM = {
    "__type": "SerializationException",
    "message": "The request body nests JSON arrays and objects more than 64 levels deep.",
}
TOKEN = "s3cret-token"


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(now=NOW) as running:
        yield running


def exchange(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    payload = response.read()
    return response.status, dict(response.headers), json.loads(payload) if payload else None


def call(
    server: ThreadedServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        return exchange(connection, method, path, body, headers)
    finally:
        connection.close()


def clock(server: ThreadedServer) -> str:
    return str(call(server, "GET", "/_mw/clock")[2]["now"])


def rule_count(server: ThreadedServer) -> Any:
    return call(server, "GET", "/_mw/outcomes")[2]["rules"]


# Deep JSON


@pytest.mark.parametrize("body", [DEEP, DEEP_LISTS], ids=["objects", "lists"])
def test_ssm_api_deep_json_is_400_and_the_connection_stays(server: ThreadedServer, body: bytes) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    target = {"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"}
    try:
        status, _, payload = exchange(connection, "POST", "/", body, target)
        again = exchange(connection, "POST", "/", b"{}", target)  # the same connection still answers
    finally:
        connection.close()

    assert (status, payload) == (400, TOO_DEEP_SSM)
    assert (again[0], again[2]) == (200, {"WindowIdentities": []})


def test_ssm_api_json_nested_to_the_limit_is_parsed(server: ThreadedServer) -> None:
    body = b'{"Filters": ' + b"[" * 63 + b"]" * 63 + b"}"  # 64 levels with the outer object
    status, _, payload = call(
        server, "POST", "/", body, {"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"}
    )

    assert status == 400  # Filters' members are wrong, but the body was read
    assert payload != TOO_DEEP_SSM


def test_ssm_api_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert not endpoint.nests_too_deep(b'{"Name": "' + b"[" * 500 + b'"}')
    assert not endpoint.nests_too_deep(b'{"Name": "\\"' + b"{" * 500 + b'"}')
    assert endpoint.nests_too_deep(b"[" * 65 + b"]" * 65)


def test_control_deep_json_is_400_and_changes_nothing(server: ThreadedServer) -> None:
    status, _, payload = call(server, "POST", "/_mw/clock/advance", DEEP, JSON)

    assert (status, payload) == (
        400,
        {
            "__type": "BadRequest",
            "message": "The request body nests JSON more deeply than any control call needs.",
        },
    )
    assert clock(server) == "2024-03-04T00:00:00Z"


def test_requests_door_deep_json_is_400_not_recursion_error() -> None:
    with MaintenanceWindowsMock(now=NOW):
        response = requests.post(
            "https://ssm.us-east-1.amazonaws.com/",
            data=DEEP,
            headers={"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"},
            timeout=10,
        )

    assert (response.status_code, response.json()) == (400, TOO_DEEP_SSM)


# Values past what the clock can hold


def test_control_clock_set_before_year_one_in_utc_is_400_and_changes_nothing(server: ThreadedServer) -> None:
    body = json.dumps({"now": "0001-01-01T00:00:00+14:00"}).encode()
    status, _, payload = call(server, "POST", "/_mw/clock/set", body, JSON)

    assert (status, payload) == (
        400,
        {
            "__type": "BadRequest",
            "message": "clock/set: 0001-01-01T00:00:00+14:00 is outside the dates the clock can hold "
            "(years 1 to 9999, in UTC)",
        },
    )
    assert clock(server) == "2024-03-04T00:00:00Z"


@pytest.mark.parametrize(
    ("duration", "shown"),
    [(b"1e20", "1e+20"), (b"3e11", "300000000000.0"), (b"-1", "-1")],
)
def test_control_outcome_duration_out_of_range_is_400_and_keeps_the_rules(
    server: ThreadedServer, duration: bytes, shown: str
) -> None:
    kept = {"rules": [{"status": "FAILED", "duration_seconds": 60}]}
    assert call(server, "POST", "/_mw/outcomes", json.dumps(kept).encode(), JSON)[0] == 200
    hook = server.mock.outcome_hook
    body = b'{"rules": [{"status": "SUCCESS"}, {"status": "FAILED", "duration_seconds": ' + duration + b"}]}"

    status, _, payload = call(server, "POST", "/_mw/outcomes", body, JSON)

    assert (status, payload) == (
        400,
        {
            "__type": "BadRequest",
            "message": "rule 2: duration_seconds must be a number from 0 to 31622400 (366 days), "
            f"not {shown}",
        },
    )
    assert rule_count(server) == 1
    assert server.mock.outcome_hook is hook


@pytest.mark.parametrize("constant", [b"Infinity", b"-Infinity", b"NaN"])
def test_control_non_json_numbers_are_400_and_keep_the_rules(server: ThreadedServer, constant: bytes) -> None:
    body = b'{"rules": [{"status": "FAILED", "duration_seconds": ' + constant + b"}]}"

    status, _, payload = call(server, "POST", "/_mw/outcomes", body, JSON)

    assert (status, payload) == (
        400,
        {"__type": "BadRequest", "message": "The request body is not valid JSON."},
    )
    assert rule_count(server) == 0
    assert server.mock.outcome_hook is None


def test_control_outcome_duration_within_range_is_accepted(server: ThreadedServer) -> None:
    body = json.dumps({"rules": [{"status": "FAILED", "duration_seconds": 31622400}]}).encode()

    assert call(server, "POST", "/_mw/outcomes", body, JSON)[:3:2] == (200, {"rules": 1})
    assert rule_count(server) == 1


# The command line


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ssm_mw_mock", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--now", "0001-01-01T00:00:00+14:00"],
            "ssm_mw_mock: error: --now 0001-01-01T00:00:00+14:00 is outside the dates the clock can hold "
            "(years 1 to 9999, in UTC)",
        ),
        (["--port", "70000"], "ssm_mw_mock: error: --port must be from 0 to 65535, not 70000"),
        (["--port", "-1"], "ssm_mw_mock: error: --port must be from 0 to 65535, not -1"),
    ],
)
def test_cli_out_of_range_values_print_one_line_and_exit_2(args: list[str], line: str) -> None:
    done = run_cli("serve", *args)

    assert (done.returncode, done.stdout, done.stderr) == (2, "", line + "\n")


def test_cli_non_loopback_host_is_warned_about_once() -> None:
    # 192.0.2.1 (TEST-NET-1) is assigned to no machine: the warning comes first, then the bind fails.
    done = run_cli("serve", "--host", "192.0.2.1", "--port", "0")

    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0] == (
        "ssm_mw_mock: warning: ssm_mw_mock is listening on 192.0.2.1, beyond this machine: the SSM API has "
        "no authentication and no token is set, so anyone who reaches it can use it"
    )
    assert len(lines) == 2
    assert lines[1].startswith("ssm_mw_mock: error: ")


def test_threaded_server_non_loopback_host_warns_before_binding() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExposedServerWarning)
        with pytest.raises(ExposedServerWarning, match=r"listening on 192\.0\.2\.1, beyond this machine"):
            ThreadedServer(host="192.0.2.1").start()


def test_threaded_server_out_of_range_port_is_value_error() -> None:
    with pytest.raises(ValueError, match="port must be from 0 to 65535, not 70000"):
        ThreadedServer(port=70000).start()


# The control API and a web page on the developer's machine


def test_control_foreign_host_is_403_and_changes_nothing(server: ThreadedServer) -> None:
    headers = {**JSON, "Host": "attacker.example:8765"}
    status, _, payload = call(server, "POST", "/_mw/clock/advance", b'{"days": 1}', headers)

    assert status == 403
    assert payload == {
        "__type": "Forbidden",
        "message": "The control API answers only requests for a loopback host (localhost, 127.0.0.1, "
        "[::1]); this one is for 'attacker.example:8765'. Set a token (--token, SSM_MW_MOCK_TOKEN) to "
        "reach it by another name.",
    }
    assert clock(server) == "2024-03-04T00:00:00Z"


@pytest.mark.parametrize("host", ["localhost", "localhost:8765", "127.0.0.1:1", "127.8.9.10", "[::1]:8765"])
def test_control_loopback_hosts_are_answered(server: ThreadedServer, host: str) -> None:
    assert call(server, "GET", "/_mw/clock", headers={"Host": host})[0] == 200


def test_control_request_without_a_host_header_is_answered(server: ThreadedServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b"GET /_mw/clock HTTP/1.0\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk

    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b'{"now": "2024-03-04T00:00:00Z"}')


SSM_CREATE = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "AmazonSSM.CreateMaintenanceWindow",
}
WINDOW_BODY = json.dumps(
    {
        "Name": "rebound",
        "Schedule": "rate(1 day)",
        "Duration": 2,
        "Cutoff": 1,
        "AllowUnassociatedTargets": True,
    }
).encode()


def _windows(server: ThreadedServer) -> list[str]:
    state = server.mock.backend.read_state(server.mock.account_id, "us-east-1")
    return list(state.windows)


def test_ssm_api_foreign_host_on_a_loopback_server_is_403_and_changes_nothing(server: ThreadedServer) -> None:
    """DNS rebinding: a page whose name now resolves to 127.0.0.1 is same-origin with the server, so its
    browser sends X-Amz-Target without a pre-flight; the Host it names is the page's."""
    headers = {**SSM_CREATE, "Host": "attacker.example:8765", "Origin": "http://attacker.example:8765"}
    status, _, payload = call(server, "POST", "/", WINDOW_BODY, headers)

    assert status == 403
    assert payload == {
        "__type": "Forbidden",
        "message": "This ssm_mw_mock server listens on 127.0.0.1 and answers only requests for this machine "
        "(localhost, 127.0.0.1, [::1]) or SSM's own host names; this one is for 'attacker.example:8765'. "
        "To serve other names, listen on another address (--host).",
    }
    assert _windows(server) == []


@pytest.mark.parametrize(
    "host",
    [
        "localhost:8765",
        "127.0.0.1",
        "[::1]:8765",
        "ssm.eu-west-1.amazonaws.com",
        "ssm.us-east-1.amazonaws.com:443",
    ],
)
def test_ssm_api_hosts_of_this_machine_and_of_ssm_are_answered(server: ThreadedServer, host: str) -> None:
    status, _, payload = call(server, "POST", "/", WINDOW_BODY, {**SSM_CREATE, "Host": host})
    assert status == 200
    assert (
        payload["WindowId"] in server.mock.backend.read_state(server.mock.account_id, _region(host)).windows
    )


def _region(host: str) -> str:
    return "eu-west-1" if "eu-west-1" in host else "us-east-1"


def test_ssm_api_beyond_loopback_serves_every_host_name() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExposedServerWarning)
        with ThreadedServer(now=NOW, host="0.0.0.0") as exposed:
            status, _, payload = call(exposed, "POST", "/", WINDOW_BODY, {**SSM_CREATE, "Host": "mock:8765"})
            assert status == 200
            assert _windows(exposed) == [payload["WindowId"]]


def test_control_foreign_origin_is_403_and_changes_nothing(server: ThreadedServer) -> None:
    headers = {**JSON, "Origin": "http://attacker.example"}
    status, _, payload = call(server, "POST", "/_mw/reset", b"{}", headers)
    ssm = boto3.client(
        "ssm",
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ssm.create_maintenance_window(
        Name="kept", Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=True
    )
    again = call(server, "POST", "/_mw/reset", b"{}", headers)

    assert (status, payload) == (
        403,
        {
            "__type": "Forbidden",
            "message": "The control API does not answer cross-origin requests (Origin: http://attacker.example).",
        },
    )
    assert again[0] == 403
    assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 1
    ssm.close()


def test_control_own_origin_is_answered(server: ThreadedServer) -> None:
    own = server.endpoint_url
    host = own.removeprefix("http://")
    status, _, _ = call(
        server, "POST", "/_mw/clock/advance", b'{"hours": 1}', {**JSON, "Origin": own, "Host": host}
    )

    assert status == 200
    assert clock(server) == "2024-03-04T01:00:00Z"


@pytest.mark.parametrize(
    ("content_type", "shown"),
    [
        (None, "none"),
        ("text/plain", "text/plain"),
        ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
    ],
)
def test_control_post_without_json_content_type_is_415_and_changes_nothing(
    server: ThreadedServer, content_type: str | None, shown: str
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    status, _, payload = call(server, "POST", "/_mw/clock/advance", b'{"days": 1}', headers)

    assert (status, payload) == (
        415,
        {
            "__type": "UnsupportedMediaType",
            "message": f"Control POSTs must send Content-Type: application/json (this one sent {shown}), "
            "e.g. curl -H 'Content-Type: application/json'.",
        },
    )
    assert clock(server) == "2024-03-04T00:00:00Z"


def test_control_json_content_type_with_charset_is_accepted(server: ThreadedServer) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}

    assert call(server, "POST", "/_mw/clock/advance", b'{"days": 1}', headers)[0] == 200


def test_control_cors_preflight_is_refused(server: ThreadedServer) -> None:
    headers = {
        "Origin": "http://attacker.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    status, answer_headers, payload = call(server, "OPTIONS", "/_mw/reset", None, headers)

    assert status == 403
    assert payload["__type"] == "Forbidden"
    assert not any(name.lower().startswith("access-control-") for name in answer_headers)


def test_control_options_from_no_origin_is_405(server: ThreadedServer) -> None:
    status, answer_headers, payload = call(server, "OPTIONS", "/_mw/reset")

    assert (status, answer_headers["Allow"], payload["__type"]) == (405, "POST", "MethodNotAllowed")
    assert not any(name.lower().startswith("access-control-") for name in answer_headers)


# The token


@pytest.fixture
def guarded() -> Iterator[ThreadedServer]:
    with ThreadedServer(now=NOW, token=TOKEN) as running:
        yield running


UNAUTHORIZED = {
    "__type": "Unauthorized",
    "message": "This server's control API needs its token: send X-Mw-Token: <token> or Authorization: "
    "Bearer <token>.",
}


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Mw-Token": "wrong"}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}],
    ids=["none", "wrong-header", "wrong-bearer", "not-bearer"],
)
def test_control_without_the_token_is_401_and_changes_nothing(
    guarded: ThreadedServer, headers: dict[str, str]
) -> None:
    status, answer_headers, payload = call(
        guarded, "POST", "/_mw/clock/advance", b'{"days": 1}', {**JSON, **headers}
    )

    assert (status, payload, answer_headers["WWW-Authenticate"]) == (401, UNAUTHORIZED, "Bearer")
    assert guarded.mock.clock.now().isoformat() == "2024-03-04T00:00:00+00:00"


@pytest.mark.parametrize("headers", [{"X-Mw-Token": TOKEN}, {"Authorization": f"Bearer {TOKEN}"}])
def test_control_with_the_token_is_answered(guarded: ThreadedServer, headers: dict[str, str]) -> None:
    status, _, payload = call(guarded, "POST", "/_mw/clock/advance", b'{"days": 1}', {**JSON, **headers})

    assert (status, payload) == (200, {"now": "2024-03-05T00:00:00Z"})


def test_control_with_the_token_may_use_another_host_name(guarded: ThreadedServer) -> None:
    headers = {"X-Mw-Token": TOKEN, "Host": "mock.internal:8765"}

    assert call(guarded, "GET", "/_mw/clock", headers=headers)[0] == 200


def test_token_does_not_touch_the_ssm_api(guarded: ThreadedServer) -> None:
    status, _, payload = call(
        guarded, "POST", "/", b"{}", {"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"}
    )

    assert (status, payload) == (200, {"WindowIdentities": []})


def test_threaded_server_empty_token_is_value_error() -> None:
    with pytest.raises(ValueError, match="token must not be empty"):
        ThreadedServer(token="").start()


def test_cli_token_from_the_environment_guards_the_control_api() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ssm_mw_mock", "serve", "--port", "0", "--now", NOW],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SSM_MW_MOCK_TOKEN": TOKEN},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().removeprefix("ssm_mw_mock listening on ")
        refused = requests.get(f"{url}/_mw/clock", timeout=10)
        answered = requests.get(f"{url}/_mw/clock", headers={"X-Mw-Token": TOKEN}, timeout=10)
    finally:
        process.terminate()
        process.communicate(timeout=20)

    assert (refused.status_code, refused.json()) == (401, UNAUTHORIZED)
    assert (answered.status_code, answered.json()) == (200, {"now": "2024-03-04T00:00:00Z"})


# SSM's other host names, through the requests door


@pytest.mark.parametrize(
    ("host", "region"),
    [
        ("ssm.eu-west-1.api.aws", "eu-west-1"),
        ("ssm-fips.us-east-2.api.aws", "us-east-2"),
        ("ssm.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1"),
        ("vpce-0a1b2c3d4e5f67890-abcd1234.ssm.ap-south-1.vpce.amazonaws.com", "ap-south-1"),
        ("vpce-0a1b2c3d4e5f67890-abcd1234-ap-south-1a.ssm.ap-south-1.vpce.amazonaws.com", "ap-south-1"),
        ("vpce-0a1b2c3d-5e6f.ssm.cn-northwest-1.vpce.amazonaws.com.cn", "cn-northwest-1"),
    ],
)
def test_requests_door_answers_dual_stack_and_vpc_endpoint_hosts(host: str, region: str) -> None:
    with MaintenanceWindowsMock(now=NOW) as mock:
        response = requests.post(
            f"https://{host}/",
            data=json.dumps(
                {
                    "Name": "dual-stack",
                    "Schedule": "rate(1 day)",
                    "Duration": 2,
                    "Cutoff": 1,
                    "AllowUnassociatedTargets": True,
                }
            ),
            headers={"X-Amz-Target": "AmazonSSM.CreateMaintenanceWindow"},
            timeout=10,
        )
        ssm = boto3.client("ssm", region_name=region)
        listed = ssm.describe_maintenance_windows()["WindowIdentities"]
        assert mock.clock.now().isoformat() == "2024-03-04T00:00:00+00:00"

    assert response.status_code == 200
    assert [window["WindowId"] for window in listed] == [response.json()["WindowId"]]


def test_ssm_host_forms_cover_every_botocore_partition() -> None:
    import botocore.loaders

    partitions = botocore.loaders.Loader().load_data("partitions")["partitions"]
    for partition in partitions:
        outputs = partition["outputs"]
        assert outputs["dnsSuffix"] in endpoint.DNS_SUFFIXES, partition["id"]
        assert outputs["dualStackDnsSuffix"] in endpoint.DUAL_STACK_SUFFIXES, partition["id"]


def test_ssm_host_lookalikes_are_not_ssm() -> None:
    for host in (
        "ssm.us-east-1.api.aws.attacker.example",
        "vpce-1.ec2.us-east-1.vpce.amazonaws.com",
        "ssmx.us-east-1.api.aws",
    ):
        assert endpoint.SSM_HOST.fullmatch(host) is None, host
