"""aiobotocore (and aioboto3) clients under the mock: answered in process, with botocore's state and errors.

Every test runs with the network guard of ``tests.aio_support``: the AWS environment cleared, and every
connection attempt recorded and refused. ``test_guard_sees_a_call_outside_the_mock`` shows that the guard
does see a call that is sent.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError, EndpointConnectionError

from ssm_mw_mock import mock_maintenance_windows
from tests.aio_support import (  # noqa: F401 (fixtures)
    NO_RETRIES,
    REFUSED,
    REGION,
    WINDOW,
    Guard,
    create_window,
    error_of,
    guard,
    make_client,
    no_network,
)

aiobotocore_session = pytest.importorskip("aiobotocore.session")


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
    assert error_of(from_aio.value)[:2] == (code, message)
    assert error_of(from_aio.value) == error_of(from_boto3.value)
    assert error_of(missing.value) == (
        "DoesNotExistException",
        "Maintenance window mw-0123456789abcdef0 does not exist",
        400,
    )


@pytest.mark.asyncio
async def test_user_agent_is_left_out_of_maintenance_window_requests_only(
    make_client: Any, no_network: Guard
) -> None:
    """As in the botocore door: a ``before-call`` handler sees no User-Agent in a window call's request."""
    seen: list[tuple[str, str | None]] = []

    def spy(model: Any, params: dict[str, Any], **kwargs: Any) -> None:
        seen.append((model.name, params["headers"].get("User-Agent")))

    with mock_maintenance_windows():
        async with make_client() as client:
            client.meta.events.register("before-call", spy)
            await create_window(client)
            with pytest.raises(ClientError):
                await client.get_parameter(Name="/app/db")
    assert [name for name, _ in seen] == ["CreateMaintenanceWindow", "GetParameter"]
    assert seen[0][1] is None
    assert "aiobotocore/" in str(seen[1][1])


@pytest.mark.asyncio
async def test_other_calls_are_refused(make_client: Any, no_network: Guard) -> None:
    with mock_maintenance_windows():
        async with make_client() as client:
            with pytest.raises(ClientError) as refused:
                await client.get_parameter(Name="/app/db")
        async with make_client("sts") as sts:
            with pytest.raises(ClientError) as sts_refused:
                await sts.get_caller_identity()
    assert error_of(refused.value) == ("NotMockedByMaintenanceWindowsMock", REFUSED, None)
    assert error_of(sts_refused.value)[1] == REFUSED.replace("ssm:GetParameter", "sts:GetCallerIdentity")


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
    code, message, _ = error_of(refused.value)
    assert code == "NotMockedByMaintenanceWindowsMock"
    assert message == (
        "ssm_mw_mock is active and does not serve ssm:GetParameter. moto's mock_aws is active too, but moto "
        "cannot answer aiobotocore clients (it hands back a synchronous response that aiobotocore cannot "
        "await), so the call was stopped before it left the process; make this call with a boto3 client."
    )


@pytest.mark.asyncio
async def test_beside_moto_the_account_is_the_one_moto_gives_the_keys(
    make_client: Any, no_network: Guard
) -> None:
    """An aiobotocore client with a role's keys sees that account's windows, as a boto3 client does."""
    from moto import mock_aws

    with mock_aws(), mock_maintenance_windows() as mw:
        sts = boto3.client("sts", region_name=REGION)
        role = "arn:aws:iam::111111111111:role/patcher"
        keys = sts.assume_role(RoleArn=role, RoleSessionName="patching")["Credentials"]
        assumed = {
            "aws_access_key_id": keys["AccessKeyId"],
            "aws_secret_access_key": keys["SecretAccessKey"],
            "aws_session_token": keys["SessionToken"],
        }
        async with make_client(**assumed) as theirs, make_client() as default:
            their_window = await create_window(theirs, "theirs")
            default_window = await create_window(default, "default")
            seen = [w["WindowId"] for w in (await theirs.describe_maintenance_windows())["WindowIdentities"]]
        ssm = boto3.client("ssm", region_name=REGION, **assumed)
        assert [w["WindowId"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]] == seen
        assert seen == [their_window]
        assert set(mw.backend.state("111111111111", REGION).windows) == {their_window}
        assert set(mw.backend.state("123456789012", REGION).windows) == {default_window}


@pytest.mark.asyncio
async def test_beside_moto_moto_account_id_names_the_account(
    make_client: Any, no_network: Guard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import mock_aws

    monkeypatch.setenv("MOTO_ACCOUNT_ID", "333333333333")
    with mock_aws(), mock_maintenance_windows() as mw:
        async with make_client() as client:
            window_id = await create_window(client)
        assert set(mw.backend.state("333333333333", REGION).windows) == {window_id}
        assert boto3.client("ssm", region_name=REGION).get_maintenance_window(WindowId=window_id)["Name"] == (
            "nightly"
        )
    with mock_maintenance_windows() as alone:  # without moto the mock's own account, whatever the variable
        async with make_client() as client:
            window_id = await create_window(client)
        assert set(alone.backend.state(alone.account_id, REGION).windows) == {window_id}


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
    assert error_of(refused.value) == (
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
async def test_guard_sees_a_call_outside_the_mock(make_client: Any, guard: Guard) -> None:
    """The guards are not vacuous: the same call without the mock is caught trying to connect."""
    async with make_client(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret") as client:
        with pytest.raises(EndpointConnectionError, match="Could not connect to the endpoint URL"):
            await create_window(client)
    host, port = guard.listener.getsockname()
    assert f"connect ('{host}', {port})" in guard.attempts
