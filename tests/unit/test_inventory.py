"""The fake inventory and the pure resolution of window targets to instance ids."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.model.inventory import Inventory, resolve


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
