"""The fake inventory and the pure resolution of window targets to instance ids."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.doors import moto as moto_bridge
from ssm_mw_mock.model.inventory import Instance, Inventory, explain, resolve


@pytest.fixture
def inventory() -> Inventory:
    inv = Inventory()
    inv.add_instance("i-web1", tags={"Env": "prod", "Role": "web", "Patch Group": "a"})
    inv.add_instance("i-web2", tags={"Env": "staging", "Role": "web"})
    inv.add_instance("i-db1", tags={"Env": "prod", "Role": "db", "CostCenter": "42"})
    inv.add_instance("i-bare")
    inv.add_resource_group("web-group", ["i-web2", "i-web1"])
    return inv


def T(key: str, *values: str) -> dict[str, Any]:
    return {"Key": key, "Values": list(values)}


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        ([T("InstanceIds", "i-zzz", "i-web1", "i-zzz")], ["i-zzz", "i-web1"]),
        ([T("tag:Env", "prod")], ["i-web1", "i-db1"]),
        ([T("tag:Env", "prod", "staging")], ["i-web1", "i-web2", "i-db1"]),
        ([T("tag:Env", "prod"), T("tag:Role", "web")], ["i-web1"]),
        ([T("tag:Patch Group", "a")], ["i-web1"]),
        ([T("tag:Env", "dev")], []),
        ([T("tag-key", "CostCenter", "Patch Group")], ["i-web1", "i-db1"]),
        ([T("tag-key", "Role"), T("tag:Env", "staging")], ["i-web2"]),
        ([T("resource-groups:Name", "web-group")], ["i-web1", "i-web2"]),
        ([T("resource-groups:Name", "no-such-group")], []),
        (
            [
                T("resource-groups:Name", "web-group"),
                T("resource-groups:ResourceTypeFilters", "AWS::EC2::Instance"),
            ],
            ["i-web1", "i-web2"],
        ),
        (
            [
                T("resource-groups:Name", "web-group"),
                T("resource-groups:ResourceTypeFilters", "AWS::S3::Bucket"),
            ],
            [],
        ),
        ([T("unknown", "x")], []),
    ],
    ids=[
        "instance-ids-as-listed",
        "tag",
        "tag-any-value",
        "tags-anded",
        "tag-key-with-space",
        "tag-no-match",
        "tag-key-any",
        "tag-key-and-tag",
        "group",
        "unknown-group",
        "group-instances-filter",
        "group-other-types-filter",
        "unknown-key",
    ],
)
def test_resolve(inventory: Inventory, targets: list[dict[str, Any]], expected: list[str]) -> None:
    assert resolve(targets, inventory) == expected


def test_resolve_changes_nothing(inventory: Inventory) -> None:
    targets = [T("tag:Env", "prod")]
    resolve(targets, inventory)
    assert targets == [T("tag:Env", "prod")]
    assert list(inventory.instances) == ["i-web1", "i-web2", "i-db1", "i-bare"]


def test_add_instance_again_replaces_its_tags(inventory: Inventory) -> None:
    inventory.add_instance("i-web1", tags={"Env": "dev"})
    assert resolve([T("tag:Env", "prod")], inventory) == ["i-db1"]
    assert resolve([T("tag:Env", "dev")], inventory) == ["i-web1"]


def test_add_instance_misuse() -> None:
    inv = Inventory()
    with pytest.raises(ValueError, match="needs an instance id"):
        inv.add_instance("")
    with pytest.raises(TypeError, match="tags must map strings to strings"):
        inv.add_instance("i-1", tags={"n": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError) as caught:
        inv.add_instance("i-1", tags=["a"])  # type: ignore[arg-type]
    assert str(caught.value) == (
        "tags must be a mapping of strings to strings, such as {'Env': 'prod'}; got list ['a']"
    )
    assert inv.instances == {}  # a refused instance is not added
    with pytest.raises(TypeError, match="not one string"):
        inv.add_resource_group("g", "i-1")
    with pytest.raises(ValueError, match="needs the group's name"):
        inv.add_resource_group("")


def test_handle_inventory_is_per_region_and_account() -> None:
    with MaintenanceWindowsMock() as mw:
        mw.add_instance("i-1", tags={"Env": "prod"})
        mw.add_instance("i-2", tags={"Env": "prod"}, region="eu-west-1")
        mw.add_resource_group("g", ["i-1"])
        east = mw.backend.state(mw.account_id, "us-east-1").inventory
        west = mw.backend.state(mw.account_id, "eu-west-1").inventory
        assert resolve([T("tag:Env", "prod")], east) == ["i-1"]
        assert resolve([T("tag:Env", "prod")], west) == ["i-2"]
        assert resolve([T("resource-groups:Name", "g")], east) == ["i-1"]
        assert resolve([T("resource-groups:Name", "g")], west) == []
        assert mw.backend.state("999999999999", "us-east-1").inventory.instances == {}


def test_handle_inventory_resolves_a_registered_window_target() -> None:
    with MaintenanceWindowsMock() as mw:
        mw.add_instance("i-a", tags={"Patch Group": "linux"})
        mw.add_instance("i-b", tags={"Patch Group": "windows"})
        ssm = boto3.client("ssm", region_name="us-east-1")
        window_id = ssm.create_maintenance_window(
            Name="window-1", Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=False
        )["WindowId"]
        target_id = ssm.register_target_with_maintenance_window(
            WindowId=window_id, ResourceType="INSTANCE", Targets=[T("tag:Patch Group", "linux")]
        )["WindowTargetId"]
        state = mw.backend.state(mw.account_id, "us-east-1")
        target = state.windows[window_id].targets[target_id]
        assert resolve(target.targets, state.inventory) == ["i-a"]


def test_handle_inventory_is_wiped_by_reset_and_needs_a_started_mock() -> None:
    mock = MaintenanceWindowsMock()
    with pytest.raises(RuntimeError, match=r"add_instance\(\) needs a started mock"):
        mock.add_instance("i-1")
    with pytest.raises(RuntimeError, match=r"add_resource_group\(\) needs a started mock"):
        mock.add_resource_group("g")
    with mock:
        mock.add_instance("i-1")
        mock.reset()
        assert mock.backend.state(mock.account_id, "us-east-1").inventory.instances == {}


# Instance state and the reasons a target resolves to nothing.


def _with_states() -> Inventory:
    inv = Inventory()
    inv.instances["i-up"] = Instance("i-up", {"Patch": "yes"})
    inv.instances["i-down"] = Instance("i-down", {"Patch": "yes", "Role": "db"}, state="stopped")
    inv.instances["i-new"] = Instance("i-new", {"Role": "db"}, state="pending")
    return inv


def test_resolve_reaches_only_running_instances() -> None:
    inv = _with_states()
    assert resolve([T("tag:Patch", "yes")], inv) == ["i-up"]
    assert resolve([T("tag-key", "Role")], inv) == []
    assert resolve([T("InstanceIds", "i-down", "i-up", "i-unknown")], inv) == ["i-up", "i-unknown"]


@pytest.mark.parametrize(
    ("targets", "reason"),
    [
        ([T("tag:Patch", "yes")], None),
        ([T("InstanceIds", "i-up")], None),
        ([T("InstanceIds", "i-unknown")], None),
        (
            [T("tag-key", "Role")],
            "the instances it selects are not running (i-down is stopped, i-new is pending); "
            "SSM reaches only running nodes.",
        ),
        (
            [T("InstanceIds", "i-down")],
            "the instances it selects are not running (i-down is stopped); SSM reaches only running nodes.",
        ),
        ([T("tag:Patch", "no")], "none of the 3 instances has those tags."),
        ([T("resource-groups:Name", "web")], "there is no resource group named web."),
    ],
)
def test_explain_names_the_reason(targets: list[dict[str, Any]], reason: str | None) -> None:
    assert explain(targets, _with_states()) == reason


def test_explain_an_empty_inventory() -> None:
    assert explain([T("tag:Patch", "yes")], Inventory()) == (
        "there is no inventory at all: mw.add_instance() added none (and moto's mock_aws is not active) "
        "in this account and region."
    )


def test_moto_tag_query_members() -> None:
    instances = [Instance("i-a", {"Role": "web", "Env": "prod"}), Instance("i-b", {"Role": "web"})]
    query = {
        "ResourceTypeFilters": ["AWS::EC2::Instance"],
        "TagFilters": [{"Key": "Role", "Values": ["web"]}, {"Key": "Env"}],
    }
    assert moto_bridge._members({"Type": "TAG_FILTERS_1_0", "Query": json.dumps(query)}, instances) == ["i-a"]
    query["ResourceTypeFilters"] = ["AWS::S3::Bucket"]
    assert moto_bridge._members({"Type": "TAG_FILTERS_1_0", "Query": json.dumps(query)}, instances) == []
    assert moto_bridge._members({"Type": "CLOUDFORMATION_STACK_1_0", "Query": "{}"}, instances) == []


def test_signed_key_reads_the_sigv4_credential() -> None:
    header = "AWS4-HMAC-SHA256 Credential=AKIAOTHER/20240304/us-east-1/ssm/aws4_request, Signature=x"
    assert moto_bridge.signed_key(header) == "AKIAOTHER"
    assert moto_bridge.signed_key(None) is None
    assert moto_bridge.signed_key("Bearer token") is None
