"""The ``requests`` front door: signed ``requests`` calls to SSM answered like boto3's, and nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest
import requests
import requests.adapters
import responses
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.doors import requests_door
from ssm_mw_mock.server import ThreadedServer
from tests.conftest import NOW, make_window

JSON = "application/x-amz-json-1.1"


def signed_call(
    operation: str, params: dict[str, Any], region: str = "us-east-1", host: str | None = None
) -> requests.Response:
    """What a hand-rolled SSM client does: build the awsJson1.1 request, sign it with SigV4, send it."""
    url = f"https://{host or f'ssm.{region}.amazonaws.com'}/"
    body = json.dumps(params)
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"X-Amz-Target": f"AmazonSSM.{operation}", "Content-Type": JSON},
    )
    SigV4Auth(Credentials("testing", "testing"), "ssm", region).add_auth(request)
    return requests.post(url, data=body, headers=dict(request.headers.items()), timeout=10)


def unsigned_call(
    url: str, target: str | None, params: Any = None, method: str = "POST"
) -> requests.Response:
    headers = {"Content-Type": JSON}
    if target:
        headers["X-Amz-Target"] = target
    data = None if params is None else json.dumps(params)
    return requests.request(method, url, data=data, headers=headers, timeout=10)


def epoch_seconds(result: dict[str, Any]) -> dict[str, Any]:
    """boto3's parsed result with datetimes back on the wire's epoch seconds."""
    return {
        key: value.timestamp() if isinstance(value, datetime) else value
        for key, value in result.items()
        if key != "ResponseMetadata"
    }


@pytest.fixture
def local_server() -> Iterator[ThreadedServer]:
    """A real HTTP endpoint on loopback: traffic that must not be intercepted goes here."""
    with ThreadedServer(now=NOW) as server:
        yield server


def test_requests_signed_call_gets_the_same_answer_as_boto3(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id = make_window(ssm)

    by_requests = signed_call("GetMaintenanceWindow", {"WindowId": window_id})
    by_boto3 = ssm.get_maintenance_window(WindowId=window_id)

    assert by_requests.status_code == 200
    assert by_requests.headers["Content-Type"] == JSON
    assert by_requests.json() == epoch_seconds(by_boto3)


def test_requests_errors_are_the_same_as_boto3s(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    response = signed_call("GetMaintenanceWindow", {"WindowId": "mw-0123456789abcdef0"})
    with pytest.raises(ssm.exceptions.DoesNotExistException) as raised:
        ssm.get_maintenance_window(WindowId="mw-0123456789abcdef0")

    assert response.status_code == 400
    assert response.json() == {
        "__type": "DoesNotExistException",
        "message": raised.value.response["Error"]["Message"],
    }


def test_requests_region_comes_from_the_signature_then_the_host(mw: MaintenanceWindowsMock) -> None:
    ireland = boto3.client("ssm", region_name="eu-west-1")
    window_id = make_window(ireland)

    signed = signed_call(
        "DescribeMaintenanceWindows", {}, region="eu-west-1", host="ssm.us-east-1.amazonaws.com"
    )
    by_host = unsigned_call(
        "https://ssm.eu-west-1.amazonaws.com/", "AmazonSSM.DescribeMaintenanceWindows", {}
    )
    fips = unsigned_call(
        "https://ssm-fips.us-east-1.amazonaws.com", "AmazonSSM.DescribeMaintenanceWindows", {}
    )

    assert [w["WindowId"] for w in signed.json()["WindowIdentities"]] == [window_id]
    assert [w["WindowId"] for w in by_host.json()["WindowIdentities"]] == [window_id]
    assert fips.json() == {"WindowIdentities": []}


def describe(session: Any) -> Any:
    return session.post(
        "https://ssm.us-east-1.amazonaws.com/",
        data="{}",
        headers={"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"},
        timeout=10,
    ).json()


def test_requests_a_session_made_before_the_mock_is_served() -> None:
    session = requests.Session()

    with MaintenanceWindowsMock(now=NOW) as mw:
        window_id = make_window(boto3.client("ssm", region_name="us-east-1"))
        answer = describe(session)
    session.close()

    assert [w["WindowId"] for w in answer["WindowIdentities"]] == [window_id]
    assert not mw.active


def test_requests_nested_mocks_the_innermost_answers(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    outer_window = make_window(ssm)

    with MaintenanceWindowsMock(now=NOW):
        inner_window = make_window(ssm)
        during = describe(requests)
    after = describe(requests)

    assert [w["WindowId"] for w in during["WindowIdentities"]] == [inner_window]
    assert [w["WindowId"] for w in after["WindowIdentities"]] == [outer_window]


def test_requests_non_window_ssm_calls_are_refused_naming_them(mw: MaintenanceWindowsMock) -> None:
    response = unsigned_call("https://ssm.us-east-1.amazonaws.com/", "AmazonSSM.GetParameter", {"Name": "p"})

    assert response.status_code == 400
    assert response.json()["__type"] == "NotMockedByMaintenanceWindowsMock"
    assert "ssm:GetParameter" in response.json()["message"]


def test_requests_bad_http_to_ssm_gets_json_errors(mw: MaintenanceWindowsMock) -> None:
    url = "https://ssm.us-east-1.amazonaws.com/"

    wrong_method = unsigned_call(url, None, method="GET")
    bad_json = requests.post(
        url, data=b"{", headers={"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"}, timeout=10
    )
    no_target = unsigned_call(url, None, {})

    assert (wrong_method.status_code, wrong_method.json()["__type"]) == (405, "MethodNotAllowed")
    assert (bad_json.status_code, bad_json.json()["__type"]) == (400, "SerializationException")
    assert (no_target.status_code, no_target.json()["__type"]) == (400, "UnknownOperationException")


def test_requests_other_traffic_is_left_alone(local_server: ThreadedServer) -> None:
    with MaintenanceWindowsMock(now="2030-01-01T00:00:00Z"):
        response = requests.get(f"{local_server.endpoint_url}/_mw/clock", timeout=10)

    assert response.json() == {"now": "2024-03-04T00:00:00Z"}  # the real server answered, not the mock


def test_requests_patch_is_removed_when_the_mock_stops() -> None:
    original = requests.adapters.HTTPAdapter.send

    with MaintenanceWindowsMock(now=NOW):
        patched = requests.adapters.HTTPAdapter.send

    assert patched is not original
    assert requests.adapters.HTTPAdapter.send is original


def test_requests_without_responses_installed_the_mock_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    original = requests.adapters.HTTPAdapter.send
    monkeypatch.setattr(requests_door, "available", lambda: False)

    with MaintenanceWindowsMock(now=NOW):
        untouched = requests.adapters.HTTPAdapter.send
        window_id = make_window(boto3.client("ssm", region_name="us-east-1"))

    assert untouched is original
    assert window_id.startswith("mw-")


def test_requests_the_users_own_responses_mock_keeps_working(mw: MaintenanceWindowsMock) -> None:
    # The user's responses mock started first (outside), the maintenance-windows mock inside it.
    mw.stop()
    with responses.RequestsMock() as users:
        users.get("https://example.com/api", json={"hello": "world"})
        with MaintenanceWindowsMock(now=NOW):
            theirs = requests.get("https://example.com/api", timeout=10)
            ours = unsigned_call(
                "https://ssm.us-east-1.amazonaws.com/", "AmazonSSM.DescribeMaintenanceWindows", {}
            )
    mw.start()

    assert theirs.json() == {"hello": "world"}
    assert ours.json() == {"WindowIdentities": []}


# With moto


def test_requests_moto_outside_answers_everything_but_maintenance_windows() -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        boto3.client("ssm", region_name="us-east-1").put_parameter(Name="p", Value="v", Type="String")
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="q")
        with MaintenanceWindowsMock(now=NOW):
            created = signed_call(
                "CreateMaintenanceWindow",
                {
                    "Name": "abc",
                    "Schedule": "rate(1 day)",
                    "Duration": 2,
                    "Cutoff": 1,
                    "AllowUnassociatedTargets": True,
                },
            )
            parameter = signed_call("GetParameter", {"Name": "p"})
            # A form POST: moto 5.2.6 no longer answers the query protocol's GET form for SQS.
            queues = requests.post(
                "https://sqs.us-east-1.amazonaws.com/", data={"Action": "ListQueues"}, timeout=10
            )

    assert created.status_code == 200
    assert created.json()["WindowId"].startswith("mw-")
    assert parameter.json()["Parameter"]["Value"] == "v"  # moto's
    assert queues.status_code == 200
    assert "/123456789012/q" in queues.text


def test_requests_moto_inside_answers_until_it_stops() -> None:
    moto = pytest.importorskip("moto")
    # A known limit (see requests_door): moto's requests hook started inside ours sits in front of it.
    with MaintenanceWindowsMock(now=NOW) as mw:
        with moto.mock_aws():
            during = signed_call("DescribeMaintenanceWindows", {})
        window_id = make_window(boto3.client("ssm", region_name="us-east-1"))
        after = signed_call("DescribeMaintenanceWindows", {})
        refused = signed_call("GetParameter", {"Name": "p"})

    assert during.status_code == 200  # answered (by moto), nothing crashed
    assert [w["WindowId"] for w in after.json()["WindowIdentities"]] == [window_id]
    assert mw.backend.state("123456789012", "us-east-1").windows.keys() == {window_id}
    assert refused.json()["__type"] == "NotMockedByMaintenanceWindowsMock"


def test_requests_moto_outside_the_signatures_key_picks_the_account() -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        assumed = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn="arn:aws:iam::111111111111:role/patcher", RoleSessionName="patching"
        )["Credentials"]
        with MaintenanceWindowsMock(now=NOW) as mw:
            url = "https://ssm.us-east-1.amazonaws.com/"
            body = json.dumps(
                {
                    "Name": "abc",
                    "Schedule": "rate(1 day)",
                    "Duration": 2,
                    "Cutoff": 1,
                    "AllowUnassociatedTargets": True,
                }
            )
            request = AWSRequest(
                method="POST",
                url=url,
                data=body,
                headers={"X-Amz-Target": "AmazonSSM.CreateMaintenanceWindow", "Content-Type": JSON},
            )
            keys = Credentials(assumed["AccessKeyId"], assumed["SecretAccessKey"], assumed["SessionToken"])
            SigV4Auth(keys, "ssm", "us-east-1").add_auth(request)
            created = requests.post(url, data=body, headers=dict(request.headers.items()), timeout=10)
            default = signed_call("CreateMaintenanceWindow", json.loads(body))
            assert list(mw.backend.state("111111111111", "us-east-1").windows) == [created.json()["WindowId"]]
            assert list(mw.backend.state("123456789012", "us-east-1").windows) == [default.json()["WindowId"]]
