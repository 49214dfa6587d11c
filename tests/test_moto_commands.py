"""Run Command and Automation reads beside moto's ``mock_aws``: ours for the windows' runs, moto's for theirs.

Each check counts the calls that reached moto's SSM backend, so an answer given twice, or by the wrong
mock, shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.ssm.models import SimpleSystemManagerBackend

from ssm_mw_mock import MaintenanceWindowsMock
from tests.conftest import command_window

NOW = "2024-03-04T00:00:00Z"
I1 = "i-00000000000000001"


@pytest.fixture
def reached(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many calls of each Run Command read reached moto's SSM backend."""
    calls: Counter[str] = Counter()
    for name in ("list_commands", "get_command_invocation", "send_command"):
        original = getattr(SimpleSystemManagerBackend, name)

        def counted(
            self: Any, *args: Any, _name: str = name, _original: Any = original, **kwargs: Any
        ) -> Any:
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(SimpleSystemManagerBackend, name, counted)
    return calls


@pytest.fixture
def both() -> Iterator[MaintenanceWindowsMock]:
    with mock_aws(), MaintenanceWindowsMock(now=NOW) as mw:
        yield mw


def run_window(ssm: Any, mw: MaintenanceWindowsMock) -> str:
    """A window that sends one command to I1 at 02:00; returns that command's id."""
    window_id = command_window(ssm, I1)
    mw.clock.advance(hours=3)
    [execution] = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    [task] = ssm.describe_maintenance_window_execution_tasks(
        WindowExecutionId=execution["WindowExecutionId"]
    )["WindowExecutionTaskIdentities"]
    [invocation] = ssm.describe_maintenance_window_execution_task_invocations(
        WindowExecutionId=execution["WindowExecutionId"], TaskId=task["TaskExecutionId"]
    )["WindowExecutionTaskInvocationIdentities"]
    command_id: str = invocation["ExecutionId"]
    return command_id


def test_list_commands_shows_moto_and_window_commands(
    both: MaintenanceWindowsMock, reached: Counter[str]
) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    theirs = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[I1])["Command"]["CommandId"]
    ours = run_window(ssm, both)
    listed = ssm.list_commands()["Commands"]
    assert [c["CommandId"] for c in listed] == [theirs, ours]  # moto's first, then the windows'
    assert reached == Counter({"send_command": 1, "list_commands": 1})


def test_a_read_goes_to_whoever_ran_the_command(both: MaintenanceWindowsMock, reached: Counter[str]) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    theirs = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[I1])["Command"]["CommandId"]
    ours = run_window(ssm, both)
    mine = ssm.get_command_invocation(CommandId=ours, InstanceId=I1)
    assert (mine["CommandId"], mine["PluginName"]) == (ours, "aws:runShellScript")
    assert reached["get_command_invocation"] == 0
    moto_s = ssm.get_command_invocation(CommandId=theirs, InstanceId=I1)
    assert moto_s["CommandId"] == theirs
    assert reached["get_command_invocation"] == 1
    [only_ours] = ssm.list_commands(CommandId=ours)["Commands"]
    assert only_ours["CommandId"] == ours
    assert reached["list_commands"] == 0
    [only_theirs] = ssm.list_commands(CommandId=theirs)["Commands"]
    assert only_theirs["CommandId"] == theirs
    assert reached["list_commands"] == 1


def test_an_id_nobody_ran_gets_motos_answer(both: MaintenanceWindowsMock, reached: Counter[str]) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    run_window(ssm, both)
    with pytest.raises(ClientError) as excinfo:
        ssm.list_commands(CommandId="00000000-0000-4000-8000-000000000000")
    assert excinfo.value.response["Error"]["Code"] == "InvalidCommandId"
    assert reached["list_commands"] == 1  # moto answered it, not the mock


def test_listings_moto_lacks_answer_with_the_windows_runs(
    both: MaintenanceWindowsMock, reached: Counter[str]
) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    ours = run_window(ssm, both)
    [invocation] = ssm.list_command_invocations()["CommandInvocations"]  # moto has no such action
    assert invocation["CommandId"] == ours
    assert ssm.describe_automation_executions()["AutomationExecutionMetadataList"] == []
    assert sum(reached.values()) == 0


def test_the_other_run_command_calls_go_to_moto(both: MaintenanceWindowsMock, reached: Counter[str]) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[I1])
    assert reached == Counter({"send_command": 1})
