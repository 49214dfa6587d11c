"""Beside moto: window targets find moto's EC2 instances, each caller has its own account, windows are
discoverable by tag, and a target that finds nothing says why.

Counts are of invocations made (instances reached), windows seen per account, and resources listed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from ssm_mw_mock import MaintenanceWindowsMock

ROOT = Path(__file__).resolve().parent.parent
NOW = "2024-03-04T00:00:00Z"
REGION = "us-east-1"


@pytest.fixture(params=["moto outside", "moto inside"])
def both(request: pytest.FixtureRequest) -> Iterator[MaintenanceWindowsMock]:
    mw = MaintenanceWindowsMock(now=NOW)
    outer, inner = (mock_aws(), mw) if request.param == "moto outside" else (mw, mock_aws())
    with outer, inner:
        yield mw


def _launch(ec2: Any, count: int, tags: dict[str, str]) -> list[str]:
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    extra = {"TagSpecifications": spec} if tags else {}
    launched = ec2.run_instances(ImageId="ami-12345678", MinCount=count, MaxCount=count, **extra)
    return [instance["InstanceId"] for instance in launched["Instances"]]


def _window_with(ssm: Any, targets: list[dict[str, Any]], resource_type: str = "INSTANCE") -> tuple[str, str]:
    window_id = ssm.create_maintenance_window(
        Name="patching", Schedule="cron(0 2 ? * * *)", Duration=3, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id, ResourceType=resource_type, Targets=targets
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskType="RUN_COMMAND",
        TaskArn="AWS-RunShellScript",
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="10",
        MaxErrors="0",
    )
    return window_id, target_id


def sorted_ids(ids: list[str | None]) -> list[str | None]:
    """Instance ids in order (every invocation of these tests has a target)."""
    return sorted(ids, key=str)


def _reached(mw: MaintenanceWindowsMock) -> list[str | None]:
    reached: list[str | None] = []
    mw.on_invocation(lambda invocation: reached.append(invocation.target_id))
    mw.clock.advance(days=1)
    return reached


@pytest.mark.parametrize(
    "targets",
    [
        [{"Key": "tag:Patch", "Values": ["yes"]}],
        [{"Key": "tag-key", "Values": ["Patch"]}],
    ],
    ids=["tag", "tag-key"],
)
def test_tag_targets_reach_motos_running_instances(both: MaintenanceWindowsMock, targets: Any) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    tagged = _launch(ec2, 3, {"Patch": "yes"})
    _launch(ec2, 2, {"Other": "x"})
    ec2.stop_instances(InstanceIds=[tagged[0]])
    both.add_instance("i-0000000000000aaaa", tags={"Patch": "yes"})
    _window_with(boto3.client("ssm", region_name=REGION), targets)
    assert sorted_ids(_reached(both)) == sorted([*tagged[1:], "i-0000000000000aaaa"])
    assert both.unresolved_targets == []


def test_instance_ids_skip_a_stopped_moto_instance(both: MaintenanceWindowsMock) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    ids = _launch(ec2, 2, {})
    ec2.stop_instances(InstanceIds=[ids[0]])
    _window_with(boto3.client("ssm", region_name=REGION), [{"Key": "InstanceIds", "Values": ids}])
    assert _reached(both) == [ids[1]]


def test_state_and_tags_are_read_at_each_run(both: MaintenanceWindowsMock) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    [first] = _launch(ec2, 1, {"Patch": "yes"})
    _window_with(boto3.client("ssm", region_name=REGION), [{"Key": "tag:Patch", "Values": ["yes"]}])
    assert _reached(both) == [first]
    [second] = _launch(ec2, 1, {"Patch": "yes"})
    ec2.stop_instances(InstanceIds=[first])
    assert _reached(both) == [second]
    ec2.delete_tags(Resources=[second], Tags=[{"Key": "Patch"}])
    assert _reached(both) == []
    [unresolved] = both.unresolved_targets
    assert (
        unresolved.reason
        == f"the instances it selects are not running ({first} is stopped); SSM reaches only running nodes."
    )


def test_resource_group_targets_read_motos_tag_query_groups(both: MaintenanceWindowsMock) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    web = _launch(ec2, 2, {"Role": "web"})
    _launch(ec2, 1, {"Role": "db"})
    query = {
        "ResourceTypeFilters": ["AWS::EC2::Instance"],
        "TagFilters": [{"Key": "Role", "Values": ["web"]}],
    }
    boto3.client("resource-groups", region_name=REGION).create_group(
        Name="web-servers", ResourceQuery={"Type": "TAG_FILTERS_1_0", "Query": json.dumps(query)}
    )
    _window_with(
        boto3.client("ssm", region_name=REGION),
        [{"Key": "resource-groups:Name", "Values": ["web-servers"]}],
        "RESOURCE_GROUP",
    )
    assert sorted_ids(_reached(both)) == sorted(web)


def test_instances_of_other_regions_and_accounts_are_not_targets(both: MaintenanceWindowsMock) -> None:
    _launch(boto3.client("ec2", region_name="eu-west-1"), 2, {"Patch": "yes"})
    window_id, target_id = _window_with(
        boto3.client("ssm", region_name=REGION), [{"Key": "tag:Patch", "Values": ["yes"]}]
    )
    assert _reached(both) == []
    [unresolved] = both.unresolved_targets
    assert (unresolved.window_id, unresolved.window_target_id) == (window_id, target_id)
    assert unresolved.message == (
        f"Window target {target_id} of {window_id} (tag:Patch=yes) matched no running instance in account "
        "123456789012, us-east-1: there is no inventory at all: mw.add_instance() added none and moto's EC2 "
        "holds none in this account and region."
    )


def test_a_target_without_matching_tags_says_so(both: MaintenanceWindowsMock) -> None:
    _launch(boto3.client("ec2", region_name=REGION), 2, {"Patch": "no"})
    ssm = boto3.client("ssm", region_name=REGION)
    window_id, _ = _window_with(ssm, [{"Key": "tag:Patch", "Values": ["yes"]}])
    assert _reached(both) == []
    [unresolved] = both.unresolved_targets
    assert unresolved.reason == "none of the 2 instances has those tags."
    # SSM's answer is unchanged: the run succeeds with no invocations.
    [execution] = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
    assert execution["Status"] == "SUCCESS"


def test_without_moto_the_added_instances_are_the_inventory(tmp_path: Path) -> None:
    code = """
import json, sys, boto3
from ssm_mw_mock import mock_maintenance_windows
with mock_maintenance_windows(now="2024-03-04T00:00:00Z") as mw:
    ssm = boto3.client("ssm", region_name="us-east-1")
    w = ssm.create_maintenance_window(Name="patching", Schedule="cron(0 2 ? * * *)", Duration=3, Cutoff=1,
                                      AllowUnassociatedTargets=False)["WindowId"]
    t = ssm.register_target_with_maintenance_window(WindowId=w, ResourceType="INSTANCE",
        Targets=[{"Key": "tag:Patch", "Values": ["yes"]}])["WindowTargetId"]
    ssm.register_task_with_maintenance_window(WindowId=w, TaskType="RUN_COMMAND",
        TaskArn="AWS-RunShellScript", Targets=[{"Key": "WindowTargetIds", "Values": [t]}],
        MaxConcurrency="1", MaxErrors="0")
    mw.clock.advance(days=1)
    reasons = [u.reason for u in mw.unresolved_targets]
    mw.add_instance("i-1", tags={"Patch": "yes"})
    reached = []
    mw.on_invocation(lambda inv: reached.append(inv.target_id))
    mw.clock.advance(days=1)
moto = any(name.startswith("moto") for name in sys.modules)
print(json.dumps({"reached": reached, "reasons": reasons, "moto": moto}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "reached": ["i-1"],
        "reasons": [
            "there is no inventory at all: mw.add_instance() added none (and moto's mock_aws is not active) "
            "in this account and region."
        ],
        "moto": False,
    }


# Accounts.


def _assumed_ssm(account: str) -> Any:
    sts = boto3.client("sts", region_name=REGION)
    role = f"arn:aws:iam::{account}:role/patcher"
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="patching")["Credentials"]
    return boto3.client(
        "ssm",
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_assumed_role_keys_see_their_own_accounts_windows(both: MaintenanceWindowsMock) -> None:
    default = boto3.client("ssm", region_name=REGION)
    other = _assumed_ssm("111111111111")
    default_window, _ = _window_with(default, [{"Key": "InstanceIds", "Values": ["i-1"]}])
    other_window, _ = _window_with(other, [{"Key": "InstanceIds", "Values": ["i-2"]}])
    assert [w["WindowId"] for w in default.describe_maintenance_windows()["WindowIdentities"]] == [
        default_window
    ]
    assert [w["WindowId"] for w in other.describe_maintenance_windows()["WindowIdentities"]] == [other_window]
    with pytest.raises(ClientError) as missing:
        other.get_maintenance_window(WindowId=default_window)
    assert missing.value.response["Error"]["Code"] == "DoesNotExistException"
    assert set(both.backend.state("111111111111", REGION).windows) == {other_window}
    tagging = boto3.client(
        "resourcegroupstaggingapi",
        region_name=REGION,
        aws_access_key_id=other._request_signer._credentials.access_key,
        aws_secret_access_key=other._request_signer._credentials.secret_key,
        aws_session_token=other._request_signer._credentials.token,
    )
    listed = tagging.get_resources(ResourceTypeFilters=["ssm:maintenancewindow"])["ResourceTagMappingList"]
    assert [m["ResourceARN"] for m in listed] == [
        f"arn:aws:ssm:{REGION}:111111111111:maintenancewindow/{other_window}"
    ]


def test_assumed_role_windows_target_that_accounts_instances(both: MaintenanceWindowsMock) -> None:
    ssm = _assumed_ssm("222222222222")
    session = ssm._request_signer._credentials
    ec2 = boto3.client(
        "ec2",
        region_name=REGION,
        aws_access_key_id=session.access_key,
        aws_secret_access_key=session.secret_key,
        aws_session_token=session.token,
    )
    theirs = _launch(ec2, 2, {"Patch": "yes"})
    _launch(boto3.client("ec2", region_name=REGION), 1, {"Patch": "yes"})  # the default account's
    _window_with(ssm, [{"Key": "tag:Patch", "Values": ["yes"]}])
    assert sorted_ids(_reached(both)) == sorted(theirs)


def test_moto_account_id_sets_the_account(
    monkeypatch: pytest.MonkeyPatch, both: MaintenanceWindowsMock
) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "333333333333")
    ssm = boto3.client("ssm", region_name=REGION)
    window_id, _ = _window_with(ssm, [{"Key": "InstanceIds", "Values": ["i-1"]}])
    assert set(both.backend.state("333333333333", REGION).windows) == {window_id}
    assert both.backend.state("123456789012", REGION).windows == {}
    task = ssm.get_maintenance_window_task(
        WindowId=window_id,
        WindowTaskId=ssm.describe_maintenance_window_tasks(WindowId=window_id)["Tasks"][0]["WindowTaskId"],
    )
    assert task["ServiceRoleArn"].startswith("arn:aws:iam::333333333333:role/")


# Tag-based discovery.


def test_get_resources_lists_windows_by_tag(both: MaintenanceWindowsMock) -> None:
    ssm = boto3.client("ssm", region_name=REGION)
    made = []
    for index, team in enumerate(["blue", "green", "blue"]):
        made.append(
            ssm.create_maintenance_window(
                Name=f"w{index}x",
                Schedule="rate(1 day)",
                Duration=2,
                Cutoff=1,
                AllowUnassociatedTargets=True,
                Tags=[{"Key": "team", "Value": team}],
            )["WindowId"]
        )
    boto3.client("sqs", region_name=REGION).create_queue(QueueName="q", tags={"team": "blue"})
    tagging = boto3.client("resourcegroupstaggingapi", region_name=REGION)
    blue = tagging.get_resources(
        ResourceTypeFilters=["ssm:maintenancewindow"], TagFilters=[{"Key": "team", "Values": ["blue"]}]
    )
    assert blue["PaginationToken"] == ""
    assert blue["ResourceTagMappingList"] == [
        {
            "ResourceARN": f"arn:aws:ssm:{REGION}:123456789012:maintenancewindow/{made[i]}",
            "Tags": [{"Key": "team", "Value": "blue"}],
        }
        for i in (0, 2)
    ]
    pages = tagging.get_paginator("get_resources").paginate(
        ResourceTypeFilters=["ssm:maintenancewindow"], ResourcesPerPage=2
    )
    assert [len(page["ResourceTagMappingList"]) for page in pages] == [2, 1]
    # Any other GetResources stays moto's: it knows the queue, not our windows.
    everything = tagging.get_resources(TagFilters=[{"Key": "team"}])["ResourceTagMappingList"]
    assert [m["ResourceARN"].split(":")[2] for m in everything] == ["sqs"]
    with pytest.raises(ClientError) as bad:
        tagging.get_resources(ResourceTypeFilters=["ssm:maintenancewindow"], PaginationToken="bogus")
    assert bad.value.response["Error"] == {
        "Code": "InvalidParameterException",
        "Message": "The PaginationToken bogus is not valid.",
    }


def test_windows_for_target_finds_a_moto_instance_by_its_tags(both: MaintenanceWindowsMock) -> None:
    [instance] = _launch(boto3.client("ec2", region_name=REGION), 1, {"Patch": "yes"})
    ssm = boto3.client("ssm", region_name=REGION)
    window_id, _ = _window_with(ssm, [{"Key": "tag:Patch", "Values": ["yes"]}])
    _window_with(ssm, [{"Key": "tag:Patch", "Values": ["no"]}])
    found = ssm.describe_maintenance_windows_for_target(
        Targets=[{"Key": "InstanceIds", "Values": [instance]}], ResourceType="INSTANCE"
    )["WindowIdentities"]
    assert [w["WindowId"] for w in found] == [window_id]


def test_listings_by_target_follow_motos_tags_changed_after_the_targets(both: MaintenanceWindowsMock) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    [instance] = _launch(ec2, 1, {"Patch": "yes"})
    ssm = boto3.client("ssm", region_name=REGION)
    yes, _ = _window_with(ssm, [{"Key": "tag:Patch", "Values": ["yes"]}])
    no, _ = _window_with(ssm, [{"Key": "tag:Patch", "Values": ["no"]}])
    query = {"Targets": [{"Key": "InstanceIds", "Values": [instance]}], "ResourceType": "INSTANCE"}

    def named() -> tuple[list[str], list[str]]:
        found = ssm.describe_maintenance_windows_for_target(**query)["WindowIdentities"]
        runs = ssm.describe_maintenance_window_schedule(**query, MaxResults=2)["ScheduledWindowExecutions"]
        return [w["WindowId"] for w in found], [run["WindowId"] for run in runs]

    assert named() == ([yes], [yes, yes])
    ec2.create_tags(Resources=[instance], Tags=[{"Key": "Patch", "Value": "no"}])  # no call to the mock
    assert named() == ([no], [no, no])
    ec2.stop_instances(InstanceIds=[instance])
    assert named() == ([], [])


TEAMS = st.sampled_from(["blue", "green", "red"])


@settings(max_examples=30, deadline=None)
@given(
    teams=st.lists(st.one_of(st.none(), TEAMS), max_size=7),
    wanted=st.lists(TEAMS, max_size=2, unique=True),
    per_page=st.integers(1, 4),
)
def test_get_resources_pages_are_the_filtered_windows(
    teams: list[str | None], wanted: list[str], per_page: int
) -> None:
    with MaintenanceWindowsMock():
        ssm = boto3.client("ssm", region_name=REGION)
        made = []
        for index, team in enumerate(teams):
            tags = [] if team is None else [{"Key": "team", "Value": team}]
            window_id = ssm.create_maintenance_window(
                Name=f"w-{index}",
                Schedule="rate(1 day)",
                Duration=2,
                Cutoff=1,
                AllowUnassociatedTargets=True,
                Tags=tags,
            )["WindowId"]
            made.append((window_id, team))
        tagging = boto3.client("resourcegroupstaggingapi", region_name=REGION)
        pages = list(
            tagging.get_paginator("get_resources").paginate(
                ResourceTypeFilters=["ssm:maintenancewindow"],
                TagFilters=[{"Key": "team", "Values": wanted}],
                ResourcesPerPage=per_page,
            )
        )
        listed = [
            m["ResourceARN"].rsplit("/", 1)[1] for page in pages for m in page["ResourceTagMappingList"]
        ]
        expected = [w for w, team in made if team is not None and (not wanted or team in wanted)]
        assert listed == expected
        assert all(len(page["ResourceTagMappingList"]) <= per_page for page in pages)
        assert len(pages) == max(1, -(-len(expected) // per_page))


@pytest.mark.parametrize("per_page", [0, 101])
def test_get_resources_refuses_a_page_size_out_of_range(per_page: int) -> None:
    with MaintenanceWindowsMock():
        tagging = boto3.client("resourcegroupstaggingapi", region_name=REGION)
        with pytest.raises(ClientError) as bad:
            tagging.get_resources(ResourceTypeFilters=["ssm:maintenancewindow"], ResourcesPerPage=per_page)
    assert bad.value.response["Error"] == {
        "Code": "InvalidParameterException",
        "Message": f"ResourcesPerPage must be between 1 and 100; got {per_page}.",
    }
