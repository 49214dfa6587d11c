"""Every front door answers the Run Command and Automation reads the same: boto3, the HTTP server,
``requests`` and aiobotocore, with and without moto."""

from __future__ import annotations

import json
from contextlib import nullcontext
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.server import ThreadedServer
from tests.aio_support import REGION, Guard, guard, make_client, no_network  # noqa: F401 (fixtures)
from tests.conftest import command_window
from tests.test_requests import signed_call

NOW = "2024-03-04T00:00:00Z"
I1 = "i-00000000000000001"
MISSING = "00000000-0000-4000-8000-000000000000"


def run_window(ssm: Any, advance: Any) -> str:
    """A window that sends one command to I1 at 02:00; returns that command's id."""
    command_window(ssm, I1)
    advance()
    [command] = ssm.list_commands()["Commands"]
    command_id: str = command["CommandId"]
    return command_id


def test_the_server_answers_the_reads() -> None:
    with ThreadedServer(now=NOW) as server:
        ssm = boto3.client(
            "ssm",
            endpoint_url=server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        command_id = run_window(ssm, lambda: server.mock.clock.advance(hours=3))
        answer = ssm.get_command_invocation(CommandId=command_id, InstanceId=I1)
        assert (answer["Status"], answer["PluginName"]) == ("Success", "aws:runShellScript")
        with pytest.raises(ssm.exceptions.InvalidCommandId):
            ssm.get_command_invocation(CommandId=MISSING, InstanceId=I1)
        ssm.close()


@pytest.mark.parametrize("with_moto", [False, True])
def test_the_requests_door_answers_the_reads(with_moto: bool) -> None:
    with mock_aws() if with_moto else nullcontext(), MaintenanceWindowsMock(now=NOW) as mw:
        ssm = boto3.client("ssm", region_name="us-east-1")
        command_id = run_window(ssm, lambda: mw.clock.advance(hours=3))
        reply = signed_call("GetCommandInvocation", {"CommandId": command_id, "InstanceId": I1})
        assert reply.status_code == 200
        assert json.loads(reply.content)["Status"] == "Success"
        listed = signed_call("ListCommands", {})
        assert [c["CommandId"] for c in json.loads(listed.content)["Commands"]] == [command_id]
        missing = signed_call("GetCommandInvocation", {"CommandId": MISSING, "InstanceId": I1})
        # Without moto the mock answers SSM's error; with moto, moto answers for an id the mock lacks.
        assert missing.status_code == 400
        assert json.loads(missing.content)["__type"] == "InvalidCommandId"


@pytest.mark.asyncio
async def test_aiobotocore_answers_the_reads(make_client: Any, no_network: Guard) -> None:  # noqa: F811
    with MaintenanceWindowsMock(now=NOW) as mw:
        command_id = run_window(boto3.client("ssm", region_name=REGION), lambda: mw.clock.advance(hours=3))
        async with make_client() as client:
            answer = await client.get_command_invocation(CommandId=command_id, InstanceId=I1)
            listed = await client.list_commands()
            with mock_aws():  # moto cannot answer aiobotocore, but the windows' commands are ours
                under_moto = await client.get_command_invocation(CommandId=command_id, InstanceId=I1)
        assert answer["Status"] == under_moto["Status"] == "Success"
        assert [c["CommandId"] for c in listed["Commands"]] == [command_id]
