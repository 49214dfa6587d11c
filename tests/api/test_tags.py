"""Tags on maintenance windows through a real boto3 client: Add/Remove/ListTagsForResource."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_window

WINDOW = "MaintenanceWindow"
TAG_PATTERN = "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$"


def tags_of(ssm: Any, window_id: str) -> dict[str, str]:
    listed = ssm.list_tags_for_resource(ResourceType=WINDOW, ResourceId=window_id)["TagList"]
    return {tag["Key"]: tag["Value"] for tag in listed}


def add(ssm: Any, window_id: str, **tags: str) -> None:
    ssm.add_tags_to_resource(
        ResourceType=WINDOW, ResourceId=window_id, Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, str]:
    error: dict[str, str] = excinfo.value.response["Error"]
    return error


def test_a_new_window_has_no_tags(ssm: Any) -> None:
    answer = ssm.list_tags_for_resource(ResourceType=WINDOW, ResourceId=make_window(ssm))
    assert answer["TagList"] == []


def test_add_list_overwrite_and_remove(ssm: Any) -> None:
    window_id = make_window(ssm, Tags=[{"Key": "team", "Value": "ops"}])
    answer = ssm.add_tags_to_resource(
        ResourceType=WINDOW,
        ResourceId=window_id,
        Tags=[
            {"Key": "env", "Value": "prod"},
            {"Key": "team", "Value": "sre"},
            {"Key": "empty", "Value": ""},
        ],
    )
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {}
    assert tags_of(ssm, window_id) == {"team": "sre", "env": "prod", "empty": ""}
    ssm.remove_tags_from_resource(ResourceType=WINDOW, ResourceId=window_id, TagKeys=["team", "absent"])
    assert tags_of(ssm, window_id) == {"env": "prod", "empty": ""}


def test_tags_are_per_window(ssm: Any) -> None:
    first, second = make_window(ssm, Name="first"), make_window(ssm, Name="second")
    add(ssm, first, owner="a")
    add(ssm, second, owner="b")
    assert (tags_of(ssm, first), tags_of(ssm, second)) == ({"owner": "a"}, {"owner": "b"})


def test_unicode_letters_and_spaces_match_javas_p_classes(ssm: Any) -> None:
    window_id = make_window(ssm)
    add(ssm, window_id, **{"ключ": "значение 1", "キー": "値", "a:b/c=d+e-f@g_h.i": "x"})
    assert tags_of(ssm, window_id) == {"ключ": "значение 1", "キー": "値", "a:b/c=d+e-f@g_h.i": "x"}


@pytest.mark.parametrize(
    "call", ["add_tags_to_resource", "remove_tags_from_resource", "list_tags_for_resource"]
)
@pytest.mark.parametrize("resource_id", ["mw-0123456789abcdef0", "not-a-window"])
def test_unknown_window_is_invalid_resource_id(ssm: Any, call: str, resource_id: str) -> None:
    extras: dict[str, dict[str, Any]] = {
        "add_tags_to_resource": {"Tags": [{"Key": "a", "Value": "b"}]},
        "remove_tags_from_resource": {"TagKeys": ["a"]},
        "list_tags_for_resource": {},
    }
    extra = extras[call]
    with pytest.raises(ClientError) as excinfo:
        getattr(ssm, call)(ResourceType=WINDOW, ResourceId=resource_id, **extra)
    assert error_of(excinfo) == {
        "Code": "InvalidResourceId",
        "Message": f"The resource ID {resource_id} is not valid. Verify the ID and try again.",
    }
    assert isinstance(excinfo.value, ssm.exceptions.InvalidResourceId)


def test_fifty_tags_fit_and_the_fifty_first_is_too_many(ssm: Any) -> None:
    window_id = make_window(ssm)
    add(ssm, window_id, **{f"k{n:02d}": str(n) for n in range(50)})
    before = tags_of(ssm, window_id)
    assert len(before) == 50
    add(ssm, window_id, k00="overwritten")  # replacing a key does not count as another tag
    before["k00"] = "overwritten"
    with pytest.raises(ClientError) as excinfo:
        add(ssm, window_id, k00="changed", extra="one-too-many")
    assert error_of(excinfo) == {
        "Code": "TooManyTagsError",
        "Message": f"The resource {window_id} would have 51 tags; the limit is 50.",
    }
    assert isinstance(excinfo.value, ssm.exceptions.TooManyTagsError)
    assert tags_of(ssm, window_id) == before


def test_fifty_one_tags_in_one_call_are_too_many(ssm: Any) -> None:
    window_id = make_window(ssm)
    with pytest.raises(ClientError) as excinfo:
        add(ssm, window_id, **{f"k{n:02d}": "v" for n in range(51)})
    assert error_of(excinfo) == {
        "Code": "TooManyTagsError",
        "Message": "A resource can have at most 50 tags; 51 were given.",
    }
    assert tags_of(ssm, window_id) == {}


def test_create_with_fifty_one_tags_creates_nothing(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        make_window(ssm, Tags=[{"Key": f"k{n:02d}", "Value": "v"} for n in range(51)])
    assert error_of(excinfo)["Code"] == "TooManyTagsError"
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []


TAGGABLE = botocore.session.get_session().get_service_model("ssm").shape_for("ResourceTypeForTagging").enum


def test_resource_type_outside_the_enum_is_a_validation_error(ssm: Any) -> None:
    window_id = make_window(ssm)
    for call, extra in (
        (ssm.add_tags_to_resource, {"Tags": [{"Key": "a", "Value": "b"}]}),
        (ssm.remove_tags_from_resource, {"TagKeys": ["a"]}),
        (ssm.list_tags_for_resource, {}),
    ):
        with pytest.raises(ClientError) as excinfo:
            call(ResourceType="FOO", ResourceId=window_id, **extra)
        assert error_of(excinfo) == {
            "Code": "ValidationException",
            # The enum is read from the installed botocore's model (newer models add resource types).
            "Message": "1 validation error detected: Value 'FOO' at 'resourceType' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(TAGGABLE)}]",
        }
    assert tags_of(ssm, window_id) == {}


def test_other_resource_types_are_not_ours(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.add_tags_to_resource(
            ResourceType="Parameter", ResourceId="/app/x", Tags=[{"Key": "a", "Value": "b"}]
        )
    assert error_of(excinfo)["Code"] == "NotMockedByMaintenanceWindowsMock"
    assert error_of(excinfo)["Message"].startswith(
        "ssm_mw_mock is active and does not serve ssm:AddTagsToResource."
    )


def test_tag_key_and_value_patterns_are_checked_together(ssm: Any) -> None:
    window_id = make_window(ssm)
    with pytest.raises(ClientError) as excinfo:
        ssm.add_tags_to_resource(
            ResourceType=WINDOW,
            ResourceId=window_id,
            Tags=[{"Key": "fine", "Value": "ok"}, {"Key": "bad*key", "Value": "v*"}],
        )
    assert error_of(excinfo) == {
        "Code": "ValidationException",
        "Message": "2 validation errors detected: "
        f"Value 'bad*key' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular "
        f"expression pattern: {TAG_PATTERN}; "
        f"Value 'v*' at 'tags.2.member.value' failed to satisfy constraint: Member must satisfy regular "
        f"expression pattern: {TAG_PATTERN}",
    }
    assert tags_of(ssm, window_id) == {}


def test_tag_keys_to_remove_are_reported_as_one_list(ssm: Any) -> None:
    window_id = make_window(ssm, Tags=[{"Key": "ok", "Value": "kept"}])
    long_key = "k" * 129
    with pytest.raises(ClientError) as excinfo:
        ssm.remove_tags_from_resource(
            ResourceType=WINDOW, ResourceId=window_id, TagKeys=["ok", "bad*", long_key]
        )
    assert error_of(excinfo)["Message"] == (
        f"1 validation error detected: Value '[ok, bad*, {long_key}]' at 'tagKeys' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, "
        f"Member must have length greater than or equal to 1, Member must satisfy regular expression "
        f"pattern: {TAG_PATTERN}]"
    )
    assert tags_of(ssm, window_id) == {"ok": "kept"}
