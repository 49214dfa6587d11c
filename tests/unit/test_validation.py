"""Tests for ssm_mw_mock.wire.validation: exact SSM messages, every model pattern, and property tests."""

from __future__ import annotations

import base64
import contextlib
import re
from typing import Any

import botocore.session
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ssm_mw_mock.errors import SerializationException, ValidationException
from ssm_mw_mock.wire.validation import (
    RequestValidator,
    compile_java_pattern,
    default_validator,
    format_value,
)

LENGTH_50 = (
    "Member must have length less than or equal to 50, Member must have length greater than or equal to 1"
)
LENGTH_255 = (
    "Member must have length less than or equal to 255, Member must have length greater than or equal to 1"
)
MODEL = botocore.session.get_session().get_service_model("ssm")
WINDOW_ID = "mw-0123456789abcdef0"
CREATE = {
    "Name": "nightly",
    "Schedule": "rate(1 day)",
    "Duration": 2,
    "Cutoff": 1,
    "AllowUnassociatedTargets": False,
}


def message(operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(ValidationException) as caught:
        default_validator().validate(operation, params)
    assert caught.value.code == "ValidationException"
    return caught.value.message


def one(value: str, path: str, clause: str) -> str:
    return f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: {clause}"


# -- valid requests ------------------------------------------------------------------------------------------


def test_validate_valid_create_passes() -> None:
    default_validator().validate("CreateMaintenanceWindow", dict(CREATE, Tags=[{"Key": "team", "Value": ""}]))


def test_validate_unknown_members_are_ignored() -> None:
    default_validator().validate("GetMaintenanceWindow", {"WindowId": WINDOW_ID, "Bogus": [1, {"x": None}]})


def test_validate_null_optional_member_is_absent() -> None:
    default_validator().validate("CreateMaintenanceWindow", dict(CREATE, Description=None))


def test_validate_operation_without_constraints_passes() -> None:
    default_validator().validate("DescribeMaintenanceWindows", {})


def test_validate_unknown_operation_names_the_fix() -> None:
    with pytest.raises(ValueError, match="'CreateWindow' is not an operation of the ssm model"):
        default_validator().validate("CreateWindow", {})


def test_default_validator_is_cached() -> None:
    assert default_validator() is default_validator()


# -- one clause of each kind ---------------------------------------------------------------------------------


def test_validate_min_length() -> None:
    assert message("CreateMaintenanceWindow", dict(CREATE, Schedule="")) == one(
        "", "schedule", "Member must have length greater than or equal to 1"
    )


def test_validate_max_length() -> None:
    assert message("CreateMaintenanceWindow", dict(CREATE, Schedule="x" * 257)) == one(
        "x" * 257, "schedule", "Member must have length less than or equal to 256"
    )


def test_validate_min_value() -> None:
    assert message("CreateMaintenanceWindow", dict(CREATE, Duration=0)) == one(
        "0", "duration", "Member must have value greater than or equal to 1"
    )


def test_validate_duration_25() -> None:
    assert message("CreateMaintenanceWindow", dict(CREATE, Duration=25)) == one(
        "25", "duration", "Member must have value less than or equal to 24"
    )


def test_validate_schedule_offset_7() -> None:
    assert message("CreateMaintenanceWindow", dict(CREATE, ScheduleOffset=7)) == one(
        "7", "scheduleOffset", "Member must have value less than or equal to 6"
    )


def test_validate_name_with_spaces_fails_pattern() -> None:
    assert message("CreateMaintenanceWindow", dict(CREATE, Name="a b c")) == one(
        "a b c", "name", r"Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\-.]{3,128}$"
    )


def test_validate_enum_resource_type() -> None:
    params = {"WindowId": WINDOW_ID, "ResourceType": "FOO", "Targets": [{"Key": "InstanceIds", "Values": []}]}
    assert message("RegisterTargetWithMaintenanceWindow", params) == one(
        "FOO", "resourceType", "Member must satisfy enum value set: [INSTANCE, RESOURCE_GROUP]"
    )


def test_validate_null_required_member() -> None:
    assert message("GetMaintenanceWindow", {"WindowId": None}) == (
        "1 validation error detected: Value null at 'windowId' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_validate_missing_required_members_are_each_reported() -> None:
    assert message("CreateMaintenanceWindow", {"Name": "nightly", "Duration": 2}) == (
        "3 validation errors detected: "
        "Value null at 'schedule' failed to satisfy constraint: Member must not be null; "
        "Value null at 'cutoff' failed to satisfy constraint: Member must not be null; "
        "Value null at 'allowUnassociatedTargets' failed to satisfy constraint: Member must not be null"
    )


# -- several violations, paths -------------------------------------------------------------------------------


def test_validate_malformed_window_id_reports_length_and_pattern() -> None:
    assert message("GetMaintenanceWindow", {"WindowId": "mw-123"}) == (
        "2 validation errors detected: "
        "Value 'mw-123' at 'windowId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 20; "
        "Value 'mw-123' at 'windowId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^mw-[0-9a-f]{17}$"
    )


def test_validate_several_violations_in_model_order() -> None:
    params = dict(CREATE, Duration=25, Name="a b c", ScheduleOffset=7)
    assert message("CreateMaintenanceWindow", params) == (
        "3 validation errors detected: "
        "Value 'a b c' at 'name' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\-.]{3,128}$; "
        "Value '7' at 'scheduleOffset' failed to satisfy constraint: "
        "Member must have value less than or equal to 6; "
        "Value '25' at 'duration' failed to satisfy constraint: "
        "Member must have value less than or equal to 24"
    )


def test_validate_nested_list_member_path() -> None:
    params = {
        "WindowId": WINDOW_ID,
        "ResourceType": "INSTANCE",
        "Targets": [{"Key": "InstanceIds", "Values": ["i-1"]}, {"Key": "bad key!", "Values": ["x"]}],
    }
    assert message("RegisterTargetWithMaintenanceWindow", params) == one(
        "bad key!",
        "targets.2.member.key",
        r"Member must satisfy regular expression pattern: ^[\p{L}\p{Z}\p{N}_.:/=\-@]*$"
        "|resource-groups:ResourceTypeFilters|resource-groups:Name",
    )


def test_validate_null_structure_in_list() -> None:
    params = {"WindowId": WINDOW_ID, "ResourceType": "INSTANCE", "Targets": [None]}
    assert message("RegisterTargetWithMaintenanceWindow", params) == (
        "1 validation error detected: Value null at 'targets.1.member' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_validate_list_length_renders_java_list() -> None:
    targets = [{"Key": "InstanceIds", "Values": [f"i-{n}"]} for n in range(6)]
    params = {"WindowId": WINDOW_ID, "ResourceType": "INSTANCE", "Targets": targets}
    rendered = ", ".join(f"{{Key=InstanceIds, Values=[i-{n}]}}" for n in range(6))
    assert message("RegisterTargetWithMaintenanceWindow", params) == one(
        f"[{rendered}]", "targets", "Member must have length less than or equal to 5"
    )


def test_validate_scalar_list_elements_reported_once_at_list_path() -> None:
    params = {"ResourceType": "MaintenanceWindow", "ResourceId": WINDOW_ID, "TagKeys": ["ok", "a|b", "c|d"]}
    assert message("RemoveTagsFromResource", params) == one(
        "[ok, a|b, c|d]",
        "tagKeys",
        "Member must satisfy constraint: [Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1, "
        r"Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$]",
    )


def test_validate_map_keys_and_nested_map_value_path() -> None:
    params = {
        "WindowId": WINDOW_ID,
        "TaskArn": "AWS-RestartEC2Instance",
        "TaskType": "AUTOMATION",
        "TaskInvocationParameters": {
            "Automation": {"Parameters": {"k" * 51: ["a"], "InstanceId": ["i"] * 51}},
        },
    }
    path = "taskInvocationParameters.automation.parameters"
    assert message("RegisterTaskWithMaintenanceWindow", params) == (
        "2 validation errors detected: "
        f"Value '{{{'k' * 51}=[a], InstanceId=[{', '.join(['i'] * 51)}]}}' at '{path}' "
        "failed to satisfy constraint: Map keys must satisfy constraint: "
        f"[{LENGTH_50}]; "
        f"Value '[{', '.join(['i'] * 51)}]' at '{path}.InstanceId.member' failed to satisfy constraint: "
        "Member must have length less than or equal to 50"
    )


# -- sensitive members ---------------------------------------------------------------------------------------


def test_validate_sensitive_value_is_not_printed() -> None:
    assert message("CreateMaintenanceWindow", dict(CREATE, Description="")) == (
        "1 validation error detected: Value at 'description' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_validate_sensitive_task_parameters_hide_values_at_depth() -> None:
    params = {
        "WindowId": WINDOW_ID,
        "TaskArn": "AWS-RunShellScript",
        "TaskType": "RUN_COMMAND",
        "TaskParameters": {"": {"Values": ["secret", ""]}},
    }
    assert message("RegisterTaskWithMaintenanceWindow", params) == (
        "2 validation errors detected: "
        "Value at 'taskParameters' failed to satisfy constraint: Map keys must satisfy constraint: "
        f"[{LENGTH_255}]; "
        "Value at 'taskParameters..member.values' failed to satisfy constraint: "
        f"Member must satisfy constraint: [{LENGTH_255}]"
    )


def test_validate_blob_length_counts_decoded_bytes() -> None:
    def task(payload: str) -> dict[str, Any]:
        return {
            "WindowId": WINDOW_ID,
            "TaskArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "TaskType": "LAMBDA",
            "TaskInvocationParameters": {"Lambda": {"Payload": payload}},
        }

    default_validator().validate(
        "RegisterTaskWithMaintenanceWindow", task(base64.b64encode(b"x" * 4096).decode())
    )
    assert message("RegisterTaskWithMaintenanceWindow", task(base64.b64encode(b"x" * 4097).decode())) == (
        "1 validation error detected: Value at 'taskInvocationParameters.lambda.payload' failed to satisfy "
        "constraint: Member must have length less than or equal to 4096"
    )
    with pytest.raises(SerializationException, match="Expected a base64-encoded string for 'Payload'"):
        default_validator().validate("RegisterTaskWithMaintenanceWindow", task("not base64!"))


# -- Unicode patterns ----------------------------------------------------------------------------------------


def test_validate_unicode_letters_satisfy_p_l_pattern() -> None:
    tags = [{"Key": "Ünïcödé-ключ", "Value": "日本語 テキスト"}]
    default_validator().validate(
        "AddTagsToResource", {"ResourceType": "MaintenanceWindow", "ResourceId": WINDOW_ID, "Tags": tags}
    )


def test_validate_p_l_pattern_rejects_punctuation() -> None:
    params = {
        "ResourceType": "MaintenanceWindow",
        "ResourceId": WINDOW_ID,
        "Tags": [{"Key": "ключ|x", "Value": ""}],
    }
    assert message("AddTagsToResource", params) == one(
        "ключ|x",
        "tags.1.member.key",
        r"Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$",
    )


# -- wrong JSON types ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (dict(CREATE, Duration="5"), "Expected an integer for 'Duration'"),
        (dict(CREATE, Duration=True), "Expected an integer for 'Duration'"),
        (dict(CREATE, Name=5), "Expected a string for 'Name'"),
        (dict(CREATE, AllowUnassociatedTargets="false"), "Expected a boolean for 'AllowUnassociatedTargets'"),
        (dict(CREATE, Tags={"Key": "a"}), "Expected a JSON array for 'Tags'"),
        (dict(CREATE, Tags=["a"]), "Expected a JSON object for 'Tags'"),
    ],
)
def test_validate_wrong_json_type_is_serialization_exception(params: dict[str, Any], expected: str) -> None:
    with pytest.raises(SerializationException) as caught:
        default_validator().validate("CreateMaintenanceWindow", params)
    assert caught.value.code == "SerializationException"
    assert caught.value.message == expected


def test_validate_body_must_be_object() -> None:
    with pytest.raises(SerializationException):
        default_validator().validate("CreateMaintenanceWindow", [])  # type: ignore[arg-type]


# -- rendering and Java regex semantics ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("a b", "a b"),
        (7, "7"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (["a", 1, False], "[a, 1, false]"),
        ({"Key": "k", "Values": ["v"]}, "{Key=k, Values=[v]}"),
    ],
)
def test_format_value_renders_like_java(value: Any, rendered: str) -> None:
    assert format_value(value) == rendered


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        # Matcher.matches(): the whole value, even where the pattern has no anchors.
        ("^(range|count|sum)", "rangex", False),
        ("[0-9]{12}", "123456789012x", False),
        ("(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()", '"arn:aws:kms:x:1:key/k"', False),
        # Java's \w, \d, \s are ASCII-only; \p{L} is Unicode.
        (r"\w+", "é", False),
        (r"\d", "٣", False),
        (r"[\s\S]*\S[\s\S]*", " é ", True),
        (r"\s", "\u00a0", False),
        (r"\p{L}+", "éß", True),
        # Java's '.' excludes every line terminator; '$' does not swallow a final newline under matches().
        ("^.{1,256}$", "a\rb", False),
        ("^.{1,256}$", "abc\n", False),
        ("(?i)all|[0-9]{12}", "ALL", True),
        ("[]a]", "]", True),
    ],
)
def test_compile_java_pattern_semantics(pattern: str, value: str, matches: bool) -> None:
    assert (compile_java_pattern(pattern).fullmatch(value) is not None) is matches


def _model_patterns() -> list[str]:
    return sorted(
        {
            MODEL.shape_for(n).metadata["pattern"]
            for n in MODEL.shape_names
            if "pattern" in MODEL.shape_for(n).metadata
        }
    )


MODEL_PATTERNS = _model_patterns()


def test_every_model_pattern_compiles() -> None:
    assert len(MODEL_PATTERNS) > 40
    for pattern in MODEL_PATTERNS:
        compile_java_pattern(pattern)


def test_every_operation_compiles() -> None:
    validator = RequestValidator(MODEL)
    for operation in MODEL.operation_names:
        with contextlib.suppress(ValidationException):
            validator.validate(operation, {})


def _python_re_compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:  # Java-only syntax, such as [\w-\/] (a literal '-' after a class escape)
        return False
    return True


GENERATABLE = [
    p
    for p in MODEL_PATTERNS
    if "\\p{" not in p and "(?!" not in p and "\\b" not in p and _python_re_compiles(p)
]

_JAVA_LINE_TERMINATORS = set("\n\r\u0085\u2028\u2029")


@pytest.mark.parametrize("pattern", GENERATABLE)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(data=st.data())
def test_strings_from_a_pattern_satisfy_it(pattern: str, data: st.DataObject) -> None:
    value = data.draw(st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True))
    # Hypothesis follows Python's '.', which admits \r and friends; Java's does not.
    assume(not _JAVA_LINE_TERMINATORS & set(value))
    assert compile_java_pattern(pattern).fullmatch(value) is not None


# -- property: random JSON never breaks the validator --------------------------------------------------------

MW_OPERATIONS = sorted(
    op
    for op in MODEL.operation_names
    if "MaintenanceWindow" in op
    or op in ("AddTagsToResource", "RemoveTagsFromResource", "ListTagsForResource")
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def request_params(draw: st.DrawFn, operation: str) -> dict[str, Any]:
    shape = MODEL.operation_model(operation).input_shape
    members = list(shape.members) if shape is not None else []
    keys = draw(
        st.lists(st.sampled_from(members) | st.text(max_size=8), max_size=6) if members else st.just([])
    )
    return {key: draw(json_values) for key in keys}


@pytest.mark.parametrize("operation", MW_OPERATIONS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_json_raises_only_validation_or_serialization(operation: str, data: st.DataObject) -> None:
    params = data.draw(request_params(operation))
    with contextlib.suppress(ValidationException, SerializationException):
        default_validator().validate(operation, params)


@pytest.mark.parametrize("operation", MW_OPERATIONS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_fast_path_agrees_with_reporting_path(operation: str, data: st.DataObject) -> None:
    """The fast path (valid requests) and the reporting path (messages) must reach the same verdict."""
    valid, report = RequestValidator(MODEL)._compile(operation)
    params = data.draw(request_params(operation))
    errors: list[str] = []
    try:
        report(params, "", errors)
    except SerializationException:
        # The fast path stops at the first violation, so it may not reach the wrong type; validate() then
        # runs the reporting path, which raises. Either way the request is never accepted.
        with contextlib.suppress(SerializationException):
            assert valid(params) is False
        return
    assert valid(params) is (not errors)


# -- absent bounds and Java's integer range (issue #13: "failed to satisfy constraint: None") ----------------


def test_a_member_without_max_has_no_upper_bound_and_no_none_clause() -> None:
    from ssm_mw_mock.wire.constraints import constraints_of

    shape = MODEL.operation_model("DescribeMaintenanceWindowSchedule").input_shape.members["MaxResults"]
    limits = constraints_of(shape)
    assert limits.high == float("inf")
    assert limits.element_clauses() == ["Member must have value greater than or equal to 1"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2**31, "Expected an integer of at most 32 bits, not 2147483648 for 'MaxResults'"),
        (-(2**31) - 1, "Expected an integer of at most 32 bits, not -2147483649 for 'MaxResults'"),
        (2**64, "Expected an integer of at most 32 bits, not 18446744073709551616 for 'MaxResults'"),
    ],
)
def test_integers_beyond_java_int_are_serialization_errors(value: int, text: str) -> None:
    with pytest.raises(SerializationException) as caught:
        default_validator().validate(
            "DescribeMaintenanceWindowSchedule", {"WindowId": WINDOW_ID, "MaxResults": value}
        )
    assert str(caught.value) == text


def test_largest_java_int_is_accepted_where_no_max_is_set() -> None:
    default_validator().validate(
        "DescribeMaintenanceWindowSchedule", {"WindowId": WINDOW_ID, "MaxResults": 2**31 - 1}
    )
