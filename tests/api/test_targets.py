"""Window targets through a real boto3 client: register, update, describe, deregister and SSM's rules."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_window

INSTANCE = "i-0123456789abcdef0"
OTHER_INSTANCE = "i-0fedcba9876543210"
MISSING_TARGET = "00000000-0000-4000-8000-000000000000"
FORMATS = (
    'Targets must be specified in one of the following formats: 1) 1 target with "Key=InstanceIds" and '
    '"Values=" a list of up to 50 instance IDs, or 2) Up to 5 targets, each of which can be either '
    '"Key=tag:<key>,Values=<tag_values>" or "Key=tag-key,Values=<tag_keys>", and each with up to 5 unique '
    "tag keys/values."
)


def error(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**params)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def register(ssm: Any, window_id: str, targets: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    target_id: str = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType=extra.pop("ResourceType", "INSTANCE"),
        Targets=targets if targets is not None else [{"Key": "InstanceIds", "Values": [INSTANCE]}],
        **extra,
    )["WindowTargetId"]
    return target_id


def listed(ssm: Any, window_id: str, **params: Any) -> list[dict[str, Any]]:
    targets: list[dict[str, Any]] = ssm.describe_maintenance_window_targets(WindowId=window_id, **params)[
        "Targets"
    ]
    return targets


# Register


def test_register_target_instance_ids_is_described_with_every_field(ssm: Any) -> None:
    window_id = make_window(ssm)
    target_id = register(
        ssm,
        window_id,
        [{"Key": "InstanceIds", "Values": [INSTANCE, OTHER_INSTANCE]}],
        OwnerInformation="Two instances in a list",
        Name="web-servers",
        Description="the web tier",
    )
    assert len(target_id) == 36
    assert listed(ssm, window_id) == [
        {
            "WindowId": window_id,
            "WindowTargetId": target_id,
            "ResourceType": "INSTANCE",
            "Targets": [{"Key": "InstanceIds", "Values": [INSTANCE, OTHER_INSTANCE]}],
            "OwnerInformation": "Two instances in a list",
            "Name": "web-servers",
            "Description": "the web tier",
        }
    ]


def test_register_target_unset_optionals_are_absent(ssm: Any) -> None:
    window_id = make_window(ssm)
    target_id = register(ssm, window_id)
    assert listed(ssm, window_id) == [
        {
            "WindowId": window_id,
            "WindowTargetId": target_id,
            "ResourceType": "INSTANCE",
            "Targets": [{"Key": "InstanceIds", "Values": [INSTANCE]}],
        }
    ]


@pytest.mark.parametrize(
    "targets",
    [
        [{"Key": "tag:Environment", "Values": ["Prod"]}, {"Key": "tag:Role", "Values": ["Web", "Db"]}],
        [{"Key": "tag-key", "Values": ["Name", "Instance-Type", "CostCenter"]}],
        [{"Key": "tag:Patch Group", "Values": ["a", "b", "c", "d", "e"]}],
    ],
)
def test_register_target_tag_forms_are_accepted(ssm: Any, targets: list[dict[str, Any]]) -> None:
    window_id = make_window(ssm)
    register(ssm, window_id, targets)
    assert listed(ssm, window_id)[0]["Targets"] == targets


@pytest.mark.parametrize(
    "targets",
    [
        [{"Key": "resource-groups:Name", "Values": ["MyResourceGroup"]}],
        [
            {"Key": "resource-groups:Name", "Values": ["MyResourceGroup"]},
            {"Key": "resource-groups:ResourceTypeFilters", "Values": ["AWS::EC2::Instance", "AWS::EC2::VPC"]},
        ],
    ],
)
def test_register_target_resource_group(ssm: Any, targets: list[dict[str, Any]]) -> None:
    window_id = make_window(ssm)
    register(ssm, window_id, targets, ResourceType="RESOURCE_GROUP")
    [item] = listed(ssm, window_id)
    assert (item["ResourceType"], item["Targets"]) == ("RESOURCE_GROUP", targets)


def test_register_target_unknown_window(ssm: Any) -> None:
    assert error(
        ssm.register_target_with_maintenance_window,
        WindowId="mw-00000000000000000",
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": [INSTANCE]}],
    ) == ("DoesNotExistException", "Maintenance window mw-00000000000000000 does not exist")


@pytest.mark.parametrize("key", ["tag:Patch Group", "InstanceIds", "tag-key"])
def test_register_target_empty_values_is_refused_with_ssm_text(ssm: Any, key: str) -> None:
    window_id = make_window(ssm)
    assert error(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": key, "Values": []}],
    ) == (
        "ValidationException",
        f"Please specify at least one target.  Filter values can't be null and {key} is.",
    )


@pytest.mark.parametrize(
    "targets",
    [
        [{"Key": "instanceids", "Values": [INSTANCE]}],
        [{"Key": "Role", "Values": ["Web"]}],
        [{"Key": "tag:", "Values": ["Web"]}],
        [{"Key": "InstanceIds", "Values": [INSTANCE]}, {"Key": "tag:Role", "Values": ["Web"]}],
        [{"Key": "tag:Role", "Values": ["a", "b", "c", "d", "e", "f"]}],
    ],
    ids=["lowercase-key", "bare-key", "empty-tag-name", "instances-and-tags", "six-tag-values"],
)
def test_register_target_in_an_unknown_format_gets_ssm_format_text(
    ssm: Any, targets: list[dict[str, Any]]
) -> None:
    window_id = make_window(ssm)
    assert error(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=targets,
    ) == ("ValidationException", FORMATS)


def test_register_target_with_no_targets_gets_the_model_style_length_message(ssm: Any) -> None:
    window_id = make_window(ssm)
    assert error(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[],
    ) == (
        "ValidationException",
        "1 validation error detected: Value '[]' at 'targets' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )
    assert listed(ssm, window_id) == []


def test_register_target_more_than_50_instance_ids_is_refused_by_the_model(ssm: Any) -> None:
    window_id = make_window(ssm)
    ids = [f"i-{n:017x}" for n in range(51)]
    code, message = error(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": ids}],
    )
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value '[")
    assert message.endswith(
        "at 'targets.1.member.values' failed to satisfy constraint: "
        "Member must have length less than or equal to 50"
    )


def test_register_target_50_instance_ids_is_accepted(ssm: Any) -> None:
    window_id = make_window(ssm)
    ids = [f"i-{n:017x}" for n in range(50)]
    register(ssm, window_id, [{"Key": "InstanceIds", "Values": ids}])
    assert listed(ssm, window_id)[0]["Targets"][0]["Values"] == ids


def test_register_target_resource_group_keys_need_resource_group_type(ssm: Any) -> None:
    window_id = make_window(ssm)
    assert error(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "resource-groups:Name", "Values": ["web"]}],
    ) == (
        "ValidationException",
        "Targets with the keys resource-groups:Name or resource-groups:ResourceTypeFilters need "
        "ResourceType RESOURCE_GROUP.",
    )


@pytest.mark.parametrize(
    "targets",
    [
        [{"Key": "tag:Role", "Values": ["Web"]}],
        [{"Key": "resource-groups:ResourceTypeFilters", "Values": ["AWS::EC2::Instance"]}],
        [{"Key": "resource-groups:Name", "Values": ["web"]}, {"Key": "tag:Role", "Values": ["Web"]}],
    ],
)
def test_register_target_resource_group_type_needs_group_name(
    ssm: Any, targets: list[dict[str, Any]]
) -> None:
    window_id = make_window(ssm)
    assert error(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="RESOURCE_GROUP",
        Targets=targets,
    ) == (
        "ValidationException",
        'Targets of resource type RESOURCE_GROUP must be specified as "Key=resource-groups:Name,'
        'Values=<group name>", optionally with "Key=resource-groups:ResourceTypeFilters,'
        'Values=<resource types>".',
    )


def test_register_target_model_constraints_are_checked(ssm: Any) -> None:
    window_id = make_window(ssm)
    code, message = error(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="INSTANCES",
        Targets=[{"Key": "InstanceIds", "Values": [INSTANCE]}],
        Name="a b",
    )
    assert code == "ValidationException"
    assert message.startswith("2 validation errors detected: Value 'INSTANCES' at 'resourceType'")


def test_register_target_quota_is_100_per_window(ssm: Any) -> None:
    window_id = make_window(ssm)
    for _ in range(100):
        register(ssm, window_id)
    assert error(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": [INSTANCE]}],
    ) == (
        "ResourceLimitExceededException",
        f"The maintenance window {window_id} already has 100 targets, the most a window can have.",
    )
    assert len(ssm.describe_maintenance_window_targets(WindowId=window_id, MaxResults=100)["Targets"]) == 100
    # The quota is per window.
    register(ssm, make_window(ssm))


def test_register_target_client_token_is_idempotent(ssm: Any) -> None:
    window_id = make_window(ssm)
    first = register(ssm, window_id, ClientToken="token-1")
    assert register(ssm, window_id, ClientToken="token-1") == first
    assert len(listed(ssm, window_id)) == 1
    assert register(ssm, window_id, ClientToken="token-2") != first


def test_register_target_client_token_with_other_parameters_is_a_mismatch(ssm: Any) -> None:
    window_id = make_window(ssm)
    register(ssm, window_id, ClientToken="token-1")
    code, _ = error(
        ssm.register_target_with_maintenance_window,
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": [OTHER_INSTANCE]}],
        ClientToken="token-1",
    )
    assert code == "IdempotentParameterMismatch"
    assert len(listed(ssm, window_id)) == 1


def test_targets_belong_to_their_window_and_go_with_it(ssm: Any) -> None:
    first, second = make_window(ssm), make_window(ssm)
    target_id = register(ssm, first)
    assert listed(ssm, second) == []
    ssm.delete_maintenance_window(WindowId=first)
    assert error(ssm.describe_maintenance_window_targets, WindowId=first)[0] == "DoesNotExistException"
    assert error(
        ssm.deregister_target_from_maintenance_window, WindowId=second, WindowTargetId=target_id
    ) == (
        "DoesNotExistException",
        f"Maintenance window target {target_id} does not exist",
    )


# Update


def test_update_target_changes_only_what_is_sent(ssm: Any) -> None:
    window_id = make_window(ssm)
    target_id = register(ssm, window_id, OwnerInformation="owner", Name="old-name", Description="kept")
    answer = ssm.update_maintenance_window_target(
        WindowId=window_id, WindowTargetId=target_id, Name="NewName"
    )
    answer.pop("ResponseMetadata")
    expected = {
        "WindowId": window_id,
        "WindowTargetId": target_id,
        "Targets": [{"Key": "InstanceIds", "Values": [INSTANCE]}],
        "OwnerInformation": "owner",
        "Name": "NewName",
        "Description": "kept",
    }
    assert answer == expected
    assert listed(ssm, window_id) == [{**expected, "ResourceType": "INSTANCE"}]


def test_update_target_new_targets_are_checked(ssm: Any) -> None:
    window_id = make_window(ssm)
    target_id = register(ssm, window_id)
    new_targets = [{"Key": "tag:Role", "Values": ["Web"]}]
    answer = ssm.update_maintenance_window_target(
        WindowId=window_id, WindowTargetId=target_id, Targets=new_targets
    )
    assert answer["Targets"] == new_targets
    assert error(
        ssm.update_maintenance_window_target,
        WindowId=window_id,
        WindowTargetId=target_id,
        Targets=[{"Key": "tag:Role", "Values": []}],
    ) == (
        "ValidationException",
        "Please specify at least one target.  Filter values can't be null and tag:Role is.",
    )
    assert (
        error(
            ssm.update_maintenance_window_target,
            WindowId=window_id,
            WindowTargetId=target_id,
            Targets=[{"Key": "resource-groups:Name", "Values": ["g"]}],
        )[0]
        == "ValidationException"
    )
    assert listed(ssm, window_id)[0]["Targets"] == new_targets


def test_update_target_replace_drops_unsent_fields(ssm: Any) -> None:
    window_id = make_window(ssm)
    target_id = register(ssm, window_id, OwnerInformation="owner", Name="old-name", Description="gone")
    new_targets = [{"Key": "InstanceIds", "Values": [OTHER_INSTANCE]}]
    answer = ssm.update_maintenance_window_target(
        WindowId=window_id, WindowTargetId=target_id, Targets=new_targets, Name="only-name", Replace=True
    )
    answer.pop("ResponseMetadata")
    assert answer == {
        "WindowId": window_id,
        "WindowTargetId": target_id,
        "Targets": new_targets,
        "Name": "only-name",
    }
    assert listed(ssm, window_id) == [{**answer, "ResourceType": "INSTANCE"}]


def test_update_target_replace_needs_targets(ssm: Any) -> None:
    window_id = make_window(ssm)
    target_id = register(ssm, window_id, Name="kept-name")
    assert error(
        ssm.update_maintenance_window_target, WindowId=window_id, WindowTargetId=target_id, Replace=True
    ) == ("ValidationException", "Replace requires Targets, the required field of a window target.")
    assert listed(ssm, window_id)[0]["Name"] == "kept-name"


def test_update_target_unknown_ids(ssm: Any) -> None:
    window_id = make_window(ssm)
    assert error(
        ssm.update_maintenance_window_target, WindowId=window_id, WindowTargetId=MISSING_TARGET, Name="abc"
    ) == ("DoesNotExistException", f"Maintenance window target {MISSING_TARGET} does not exist")
    assert error(
        ssm.update_maintenance_window_target,
        WindowId="mw-00000000000000000",
        WindowTargetId=MISSING_TARGET,
        Name="abc",
    ) == ("DoesNotExistException", "Maintenance window mw-00000000000000000 does not exist")


# Describe: filters and pagination


@pytest.fixture
def three_targets(ssm: Any) -> tuple[str, list[str]]:
    window_id = make_window(ssm)
    ids = [
        register(ssm, window_id, OwnerInformation="CostCenter1"),
        register(ssm, window_id, [{"Key": "tag:Env", "Values": ["prod"]}], OwnerInformation="CostCenter2"),
        register(
            ssm, window_id, [{"Key": "resource-groups:Name", "Values": ["g"]}], ResourceType="RESOURCE_GROUP"
        ),
    ]
    return window_id, ids


def ids_of(items: list[dict[str, Any]]) -> list[str]:
    return [item["WindowTargetId"] for item in items]


def test_describe_targets_filter_by_type(ssm: Any, three_targets: tuple[str, list[str]]) -> None:
    window_id, ids = three_targets
    assert ids_of(listed(ssm, window_id, Filters=[{"Key": "Type", "Values": ["RESOURCE_GROUP"]}])) == ids[2:]
    assert ids_of(listed(ssm, window_id, Filters=[{"Key": "Type", "Values": ["INSTANCE"]}])) == ids[:2]


def test_describe_targets_filter_by_owner_information_any_value(
    ssm: Any, three_targets: tuple[str, list[str]]
) -> None:
    window_id, ids = three_targets
    flt = [{"Key": "OwnerInformation", "Values": ["CostCenter1", "CostCenter2"]}]
    assert ids_of(listed(ssm, window_id, Filters=flt)) == ids[:2]
    assert listed(ssm, window_id, Filters=[{"Key": "OwnerInformation", "Values": ["Cost"]}]) == []


def test_describe_targets_filter_by_window_target_id(ssm: Any, three_targets: tuple[str, list[str]]) -> None:
    window_id, ids = three_targets
    assert ids_of(listed(ssm, window_id, Filters=[{"Key": "WindowTargetId", "Values": [ids[1]]}])) == [ids[1]]


def test_describe_targets_filters_are_anded(ssm: Any, three_targets: tuple[str, list[str]]) -> None:
    window_id, ids = three_targets
    filters = [
        {"Key": "Type", "Values": ["INSTANCE"]},
        {"Key": "OwnerInformation", "Values": ["CostCenter2", "nobody"]},
    ]
    assert ids_of(listed(ssm, window_id, Filters=filters)) == [ids[1]]


def test_describe_targets_unknown_filter_key(ssm: Any, three_targets: tuple[str, list[str]]) -> None:
    window_id, _ = three_targets
    assert error(
        ssm.describe_maintenance_window_targets,
        WindowId=window_id,
        Filters=[{"Key": "Name", "Values": ["x"]}],
    ) == (
        "ValidationException",
        "The filter key Name is not supported; supported keys: Type, WindowTargetId, OwnerInformation",
    )


def test_describe_targets_pages_with_max_results_and_the_paginator(ssm: Any) -> None:
    window_id = make_window(ssm)
    ids = [register(ssm, window_id) for _ in range(25)]
    first = ssm.describe_maintenance_window_targets(WindowId=window_id, MaxResults=10)
    assert ids_of(first["Targets"]) == ids[:10]
    second = ssm.describe_maintenance_window_targets(
        WindowId=window_id, MaxResults=10, NextToken=first["NextToken"]
    )
    assert ids_of(second["Targets"]) == ids[10:20]
    third = ssm.describe_maintenance_window_targets(
        WindowId=window_id, MaxResults=10, NextToken=second["NextToken"]
    )
    assert ids_of(third["Targets"]) == ids[20:]
    assert "NextToken" not in third
    paginator = ssm.get_paginator("describe_maintenance_window_targets")
    pages = list(paginator.paginate(WindowId=window_id, PaginationConfig={"PageSize": 10}))
    assert [len(page["Targets"]) for page in pages] == [10, 10, 5]
    assert [t for page in pages for t in ids_of(page["Targets"])] == ids


def test_describe_targets_default_page_is_50(ssm: Any) -> None:
    window_id = make_window(ssm)
    for _ in range(51):
        register(ssm, window_id)
    page = ssm.describe_maintenance_window_targets(WindowId=window_id)
    assert len(page["Targets"]) == 50
    assert "NextToken" in page


def test_describe_targets_token_of_another_window_is_refused(ssm: Any) -> None:
    first, second = make_window(ssm), make_window(ssm)
    for _ in range(11):
        register(ssm, first)
    token = ssm.describe_maintenance_window_targets(WindowId=first, MaxResults=10)["NextToken"]
    assert error(ssm.describe_maintenance_window_targets, WindowId=second, NextToken=token) == (
        "InvalidNextToken",
        "The specified token is not valid.",
    )


def test_describe_targets_max_results_range_is_the_model(ssm: Any) -> None:
    window_id = make_window(ssm)
    code, message = error(ssm.describe_maintenance_window_targets, WindowId=window_id, MaxResults=101)
    assert (code, message) == (
        "ValidationException",
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    )


# Deregister


def register_task(ssm: Any, window_id: str, target_ids: list[str], **extra: Any) -> str:
    task_id: str = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "WindowTargetIds", "Values": target_ids}],
        MaxConcurrency="1",
        MaxErrors="1",
        **extra,
    )["WindowTaskId"]
    return task_id


def test_deregister_target_returns_ids_and_removes_it(ssm: Any) -> None:
    window_id = make_window(ssm)
    target_id = register(ssm, window_id)
    keep = register(ssm, window_id)
    answer = ssm.deregister_target_from_maintenance_window(WindowId=window_id, WindowTargetId=target_id)
    assert (answer["WindowId"], answer["WindowTargetId"]) == (window_id, target_id)
    assert ids_of(listed(ssm, window_id)) == [keep]
    assert error(
        ssm.deregister_target_from_maintenance_window, WindowId=window_id, WindowTargetId=target_id
    ) == (
        "DoesNotExistException",
        f"Maintenance window target {target_id} does not exist",
    )


def test_deregister_target_safe_refuses_a_target_in_use_and_removes_nothing(ssm: Any) -> None:
    window_id = make_window(ssm)
    target_id = register(ssm, window_id)
    task_id = register_task(ssm, window_id, [target_id])
    before = (
        listed(ssm, window_id),
        ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id),
    )
    assert error(
        ssm.deregister_target_from_maintenance_window, WindowId=window_id, WindowTargetId=target_id, Safe=True
    ) == (
        "TargetInUseException",
        f"The maintenance window target {target_id} is used by the task(s) {task_id}; deregister them first, "
        "or deregister the target without Safe.",
    )
    after = (
        listed(ssm, window_id),
        ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id),
    )
    before[1].pop("ResponseMetadata")
    after[1].pop("ResponseMetadata")
    assert after == before


def test_deregister_target_safe_succeeds_for_an_unused_target(ssm: Any) -> None:
    window_id = make_window(ssm)
    used, unused = register(ssm, window_id), register(ssm, window_id)
    register_task(ssm, window_id, [used])
    ssm.deregister_target_from_maintenance_window(WindowId=window_id, WindowTargetId=unused, Safe=True)
    assert ids_of(listed(ssm, window_id)) == [used]


def test_deregister_target_without_safe_removes_it_from_tasks(ssm: Any) -> None:
    window_id = make_window(ssm)
    gone, kept = register(ssm, window_id), register(ssm, window_id)
    both = register_task(ssm, window_id, [gone, kept])
    only = register_task(ssm, window_id, [gone])
    ssm.deregister_target_from_maintenance_window(WindowId=window_id, WindowTargetId=gone, Safe=False)
    get = ssm.get_maintenance_window_task
    assert get(WindowId=window_id, WindowTaskId=both)["Targets"] == [
        {"Key": "WindowTargetIds", "Values": [kept]}
    ]
    assert get(WindowId=window_id, WindowTaskId=only)["Targets"] == []
    assert ids_of(listed(ssm, window_id)) == [kept]
