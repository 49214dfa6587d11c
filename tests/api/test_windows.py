"""Maintenance windows through a real boto3 client: Create, Get, Update, Delete, Describe."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ssm_mw_mock import MaintenanceWindowsMock
from tests.conftest import make_window

START = datetime(2024, 3, 4, tzinfo=UTC)
WINDOW_ID = re.compile(r"^mw-0[0-9a-f]{16}$")
MISSING = "mw-0123456789abcdef0"

ALL_FIELDS: dict[str, Any] = {
    "Name": "all-fields",
    "Description": "every optional member",
    "StartDate": "2024-04-01T00:00:00-08:00",
    "EndDate": "2025-04-01T00:00:00Z",
    "Schedule": "cron(0 2 ? * TUE#2 *)",
    "ScheduleTimezone": "America/Los_Angeles",
    "ScheduleOffset": 2,
    "Duration": 24,
    "Cutoff": 23,
    "AllowUnassociatedTargets": True,
}
# What boto3 hands back for the metadata of every answer; compared away.
METADATA = "ResponseMetadata"


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, str]:
    error: dict[str, str] = excinfo.value.response["Error"]
    return error


def strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k not in (METADATA, "NextExecutionTime")}


def snapshot(ssm: Any) -> list[dict[str, Any]]:
    """Everything a caller can see of the windows, to prove a failed call changed nothing."""
    identities: list[dict[str, Any]] = ssm.describe_maintenance_windows()["WindowIdentities"]
    return [strip(ssm.get_maintenance_window(WindowId=w["WindowId"])) for w in identities] + identities


# Create.


def test_create_returns_an_id_in_ssms_format(ssm: Any) -> None:
    ids = {make_window(ssm) for _ in range(5)}
    assert len(ids) == 5
    assert all(WINDOW_ID.match(window_id) for window_id in ids)


def test_create_with_every_field_and_get_returns_them(ssm: Any) -> None:
    window_id = ssm.create_maintenance_window(**ALL_FIELDS)["WindowId"]
    assert strip(ssm.get_maintenance_window(WindowId=window_id)) == {
        "WindowId": window_id,
        **ALL_FIELDS,
        "Enabled": True,
        "CreatedDate": START,
        "ModifiedDate": START,
    }


def test_create_with_tags_stores_them(ssm: Any) -> None:
    tags = [{"Key": "team", "Value": "ops"}, {"Key": "env", "Value": "prod"}]
    window_id = make_window(ssm, Tags=tags)
    listed = ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=window_id)["TagList"]
    assert sorted(listed, key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])


def test_create_with_the_same_client_token_is_idempotent(ssm: Any) -> None:
    first = make_window(ssm, ClientToken="token-1")
    again = make_window(ssm, ClientToken="token-1")
    other = make_window(ssm, ClientToken="token-2")
    assert first == again != other
    assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 2


def test_create_with_a_reused_client_token_and_other_parameters_is_refused(ssm: Any) -> None:
    make_window(ssm, ClientToken="token-1")
    before = snapshot(ssm)
    with pytest.raises(ClientError) as excinfo:
        make_window(ssm, ClientToken="token-1", Duration=4)
    assert error_of(excinfo) == {
        "Code": "IdempotentParameterMismatch",
        "Message": "The ClientToken token-1 was already used with different parameters",
    }
    assert isinstance(excinfo.value, ssm.exceptions.IdempotentParameterMismatch)
    assert snapshot(ssm) == before


@pytest.mark.parametrize(("duration", "cutoff"), [(5, 5), (6, 12), (1, 2), (1, 1)])
def test_create_with_cutoff_not_below_duration_is_refused_with_ssms_message(
    ssm: Any, duration: int, cutoff: int
) -> None:
    with pytest.raises(ClientError) as excinfo:
        make_window(ssm, Duration=duration, Cutoff=cutoff)
    assert error_of(excinfo) == {
        "Code": "ValidationException",
        "Message": f"Cuttoff was {cutoff} but must be smaller than {duration - 1} (Duration - 1 )",
    }
    assert snapshot(ssm) == []


@pytest.mark.parametrize(("duration", "cutoff"), [(2, 1), (1, 0), (24, 23), (24, 0)])
def test_create_with_cutoff_below_duration_is_accepted(ssm: Any, duration: int, cutoff: int) -> None:
    window = ssm.get_maintenance_window(WindowId=make_window(ssm, Duration=duration, Cutoff=cutoff))
    assert (window["Duration"], window["Cutoff"]) == (duration, cutoff)


def test_create_beyond_50_windows_is_refused(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    for n in range(50):
        make_window(ssm, Name=f"window-{n:02d}")
    before = snapshot(ssm)
    with pytest.raises(ClientError) as excinfo:
        make_window(ssm, Name="one-too-many")
    assert error_of(excinfo) == {
        "Code": "ResourceLimitExceededException",
        "Message": "You have reached the limit of 50 maintenance windows in account 123456789012 "
        "and region us-east-1.",
    }
    assert isinstance(excinfo.value, ssm.exceptions.ResourceLimitExceededException)
    assert snapshot(ssm) == before
    # The quota is per region, and deleting makes room again.
    make_window(mw_client(mw, "eu-west-1"))
    ssm.delete_maintenance_window(WindowId=before[0]["WindowId"])
    make_window(ssm, Name="fits-again")


def mw_client(mw: MaintenanceWindowsMock, region: str) -> Any:
    import boto3

    assert mw.active
    return boto3.client("ssm", region_name=region)


def test_create_with_a_repeated_token_still_answers_at_the_quota(ssm: Any) -> None:
    first = make_window(ssm, ClientToken="kept")
    for n in range(49):
        make_window(ssm, Name=f"window-{n:02d}")
    assert make_window(ssm, ClientToken="kept") == first


# Get.


def test_get_returns_dates_from_the_fake_clock(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    mw.clock.advance(hours=5, minutes=30, seconds=1.5)
    window = ssm.get_maintenance_window(WindowId=make_window(ssm))
    moment = START + timedelta(hours=5, minutes=30, seconds=1.5)
    assert (window["CreatedDate"], window["ModifiedDate"]) == (moment, moment)
    assert "Description" not in window
    assert "StartDate" not in window


def test_get_of_a_missing_window_is_does_not_exist(ssm: Any) -> None:
    with pytest.raises(ssm.exceptions.DoesNotExistException) as excinfo:
        ssm.get_maintenance_window(WindowId=MISSING)
    assert error_of(excinfo) == {
        "Code": "DoesNotExistException",
        "Message": "Maintenance window mw-0123456789abcdef0 does not exist",
    }


# Update.


def test_update_changes_only_the_fields_sent(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = ssm.create_maintenance_window(**ALL_FIELDS)["WindowId"]
    mw.clock.advance(days=1)
    answer = strip(ssm.update_maintenance_window(WindowId=window_id, Description="new", Enabled=False))
    expected = {"WindowId": window_id, **ALL_FIELDS, "Description": "new", "Enabled": False}
    assert answer == expected
    assert strip(ssm.get_maintenance_window(WindowId=window_id)) == {
        **expected,
        "CreatedDate": START,
        "ModifiedDate": START + timedelta(days=1),
    }


def test_update_with_replace_requires_the_create_fields(ssm: Any) -> None:
    window_id = ssm.create_maintenance_window(**ALL_FIELDS)["WindowId"]
    before = snapshot(ssm)
    with pytest.raises(ClientError) as excinfo:
        ssm.update_maintenance_window(WindowId=window_id, Replace=True, Name="renamed")
    assert error_of(excinfo) == {
        "Code": "ValidationException",
        "Message": "Replace requires every required field of the maintenance window; missing: Schedule, "
        "Duration, Cutoff, AllowUnassociatedTargets",
    }
    assert snapshot(ssm) == before


def test_update_with_replace_clears_unsent_optionals(ssm: Any) -> None:
    window_id = ssm.create_maintenance_window(**ALL_FIELDS)["WindowId"]
    replacement = {
        "Name": "replaced",
        "Schedule": "rate(7 days)",
        "Duration": 4,
        "Cutoff": 0,
        "AllowUnassociatedTargets": False,
    }
    answer = strip(ssm.update_maintenance_window(WindowId=window_id, Replace=True, **replacement))
    assert answer == {"WindowId": window_id, **replacement, "Enabled": True}
    window = strip(ssm.get_maintenance_window(WindowId=window_id))
    for cleared in ("Description", "StartDate", "EndDate", "ScheduleTimezone", "ScheduleOffset"):
        assert cleared not in window


def test_update_with_replace_keeps_enabled_unless_sent(ssm: Any) -> None:
    window_id = make_window(ssm)
    ssm.update_maintenance_window(WindowId=window_id, Enabled=False)
    params = {"Name": "x-y-z", "Schedule": "rate(1 day)", "Duration": 2, "Cutoff": 1}
    ssm.update_maintenance_window(WindowId=window_id, Replace=True, AllowUnassociatedTargets=True, **params)
    assert ssm.get_maintenance_window(WindowId=window_id)["Enabled"] is False


def test_update_checks_cutoff_against_the_stored_duration(ssm: Any) -> None:
    window_id = make_window(ssm, Duration=3, Cutoff=1)
    before = snapshot(ssm)
    with pytest.raises(ClientError) as excinfo:
        ssm.update_maintenance_window(WindowId=window_id, Cutoff=3, Name="not-applied")
    assert error_of(excinfo) == {
        "Code": "ValidationException",
        "Message": "Cuttoff was 3 but must be smaller than 2 (Duration - 1 )",
    }
    assert snapshot(ssm) == before
    with pytest.raises(ClientError) as excinfo:
        ssm.update_maintenance_window(WindowId=window_id, Duration=1)
    assert error_of(excinfo)["Message"] == "Cuttoff was 1 but must be smaller than 0 (Duration - 1 )"
    ssm.update_maintenance_window(WindowId=window_id, Duration=24, Cutoff=20)


def test_update_of_a_missing_window_is_does_not_exist(ssm: Any) -> None:
    with pytest.raises(ssm.exceptions.DoesNotExistException) as excinfo:
        ssm.update_maintenance_window(WindowId=MISSING, Name="abc")
    assert error_of(excinfo)["Message"] == "Maintenance window mw-0123456789abcdef0 does not exist"


# Delete.


def test_delete_returns_the_id_and_removes_the_window_and_its_tags(ssm: Any) -> None:
    window_id = make_window(ssm, Tags=[{"Key": "a", "Value": "b"}])
    keep = make_window(ssm, Name="kept")
    assert strip(ssm.delete_maintenance_window(WindowId=window_id)) == {"WindowId": window_id}
    assert [w["WindowId"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]] == [keep]
    with pytest.raises(ssm.exceptions.DoesNotExistException):
        ssm.get_maintenance_window(WindowId=window_id)
    with pytest.raises(ClientError) as excinfo:
        ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=window_id)
    assert error_of(excinfo)["Code"] == "InvalidResourceId"


def test_delete_of_a_missing_window_succeeds(ssm: Any) -> None:
    assert strip(ssm.delete_maintenance_window(WindowId=MISSING)) == {"WindowId": MISSING}


# Describe.


def test_describe_lists_identities_in_creation_order(ssm: Any) -> None:
    first = ssm.create_maintenance_window(**ALL_FIELDS)["WindowId"]
    second = make_window(ssm, Name="second")
    ssm.update_maintenance_window(WindowId=second, Enabled=False)
    # NextExecutionTime belongs to the schedule work and is left out here.
    identities = [strip(w) for w in ssm.describe_maintenance_windows()["WindowIdentities"]]
    assert {"WindowIdentities": identities} == {
        "WindowIdentities": [
            {
                "WindowId": first,
                "Name": "all-fields",
                "Description": "every optional member",
                "Enabled": True,
                "Duration": 24,
                "Cutoff": 23,
                "Schedule": "cron(0 2 ? * TUE#2 *)",
                "ScheduleTimezone": "America/Los_Angeles",
                "ScheduleOffset": 2,
                "EndDate": "2025-04-01T00:00:00Z",
                "StartDate": "2024-04-01T00:00:00-08:00",
            },
            {
                "WindowId": second,
                "Name": "second",
                "Enabled": False,
                "Duration": 3,
                "Cutoff": 1,
                "Schedule": "cron(0 2 ? * * *)",
            },
        ]
    }


def _named(ssm: Any, **kwargs: Any) -> list[str]:
    return [w["Name"] for w in ssm.describe_maintenance_windows(**kwargs)["WindowIdentities"]]


def test_describe_filter_name_is_a_prefix(ssm: Any) -> None:
    for name in ("My-First-Window", "My-Second-Window", "my-lowercase", "Other"):
        make_window(ssm, Name=name)
    assert _named(ssm, Filters=[{"Key": "Name", "Values": ["My"]}]) == [
        "My-First-Window",
        "My-Second-Window",
    ]
    assert _named(ssm, Filters=[{"Key": "Name", "Values": ["Other", "my-"]}]) == ["my-lowercase", "Other"]
    assert _named(ssm, Filters=[{"Key": "Name", "Values": ["Nope"]}]) == []


def test_describe_filter_enabled_and_filters_combine(ssm: Any) -> None:
    for name in ("My-Enabled", "My-Disabled", "Other-Disabled"):
        window_id = make_window(ssm, Name=name)
        if "Disabled" in name:
            ssm.update_maintenance_window(WindowId=window_id, Enabled=False)
    assert _named(ssm, Filters=[{"Key": "Enabled", "Values": ["true"]}]) == ["My-Enabled"]
    assert _named(ssm, Filters=[{"Key": "Enabled", "Values": ["False"]}]) == [
        "My-Disabled",
        "Other-Disabled",
    ]
    both = [{"Key": "Enabled", "Values": ["false"]}, {"Key": "Name", "Values": ["My"]}]
    assert _named(ssm, Filters=both) == ["My-Disabled"]


def test_describe_with_bad_filters_is_refused(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.describe_maintenance_windows(Filters=[{"Key": "Owner", "Values": ["x"]}])
    assert error_of(excinfo) == {
        "Code": "ValidationException",
        "Message": "The filter key Owner is not supported; supported keys: Name, Enabled",
    }
    with pytest.raises(ClientError) as excinfo:
        ssm.describe_maintenance_windows(Filters=[{"Key": "Enabled", "Values": ["maybe"]}])
    assert error_of(excinfo) == {
        "Code": "ValidationException",
        "Message": "The value maybe of filter Enabled must be true or false",
    }


def test_describe_pages_with_max_results_and_next_token(ssm: Any) -> None:
    names = [f"window-{n:02d}" for n in range(25)]
    for name in names:
        make_window(ssm, Name=name)
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"MaxResults": 10}
    while True:
        answer = ssm.describe_maintenance_windows(**kwargs)
        pages += 1
        seen += [w["Name"] for w in answer["WindowIdentities"]]
        if "NextToken" not in answer:
            break
        kwargs["NextToken"] = answer["NextToken"]
    assert (pages, seen) == (3, names)


def test_describe_pages_survive_deletion_between_pages(ssm: Any) -> None:
    ids = [make_window(ssm, Name=f"window-{n:02d}") for n in range(15)]
    first = ssm.describe_maintenance_windows(MaxResults=10)
    ssm.delete_maintenance_window(WindowId=ids[9])
    ssm.delete_maintenance_window(WindowId=ids[10])
    rest = ssm.describe_maintenance_windows(MaxResults=10, NextToken=first["NextToken"])
    assert [w["WindowId"] for w in rest["WindowIdentities"]] == ids[11:]
    assert "NextToken" not in rest


def test_describe_exact_page_has_no_next_token(ssm: Any) -> None:
    for n in range(10):
        make_window(ssm, Name=f"window-{n:02d}")
    assert "NextToken" not in ssm.describe_maintenance_windows(MaxResults=10)


def test_describe_paginator(ssm: Any) -> None:
    names = [f"window-{n:02d}" for n in range(23)]
    for name in names:
        make_window(ssm, Name=name)
    paginator = ssm.get_paginator("describe_maintenance_windows")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 10}))
    assert [len(p["WindowIdentities"]) for p in pages] == [10, 10, 3]
    assert [w["Name"] for p in pages for w in p["WindowIdentities"]] == names
    limited = paginator.paginate(
        Filters=[{"Key": "Name", "Values": ["window-1"]}], PaginationConfig={"PageSize": 10, "MaxItems": 5}
    ).build_full_result()
    assert [w["Name"] for w in limited["WindowIdentities"]] == names[10:15]
    assert "NextToken" in limited


def test_describe_with_a_garbage_token_is_refused(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.describe_maintenance_windows(NextToken="garbage")
    assert error_of(excinfo) == {"Code": "InvalidNextToken", "Message": "The specified token is not valid."}


# Validation through the wire.


def test_several_violations_are_reported_together(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        make_window(ssm, Name="a b c", Duration=25, ScheduleOffset=7)
    assert error_of(excinfo) == {
        "Code": "ValidationException",
        "Message": "3 validation errors detected: "
        "Value 'a b c' at 'name' failed to satisfy constraint: Member must satisfy regular expression "
        "pattern: ^[a-zA-Z0-9_\\-.]{3,128}$; "
        "Value '7' at 'scheduleOffset' failed to satisfy constraint: Member must have value less than or "
        "equal to 6; "
        "Value '25' at 'duration' failed to satisfy constraint: Member must have value less than or equal "
        "to 24",
    }
    assert snapshot(ssm) == []


def test_validation_runs_before_the_cutoff_rule(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        make_window(ssm, Duration=25, Cutoff=23)
    assert error_of(excinfo)["Message"] == (
        "1 validation error detected: Value '25' at 'duration' failed to satisfy constraint: Member must "
        "have value less than or equal to 24"
    )


@pytest.mark.parametrize(
    ("window_id", "message"),
    [
        (
            "mw-0123456789abcdefZ",
            "1 validation error detected: Value 'mw-0123456789abcdefZ' at 'windowId' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: ^mw-[0-9a-f]{17}$",
        ),
        (
            "mw-0123456789abcdef01",
            "2 validation errors detected: Value 'mw-0123456789abcdef01' at 'windowId' failed to satisfy "
            "constraint: Member must have length less than or equal to 20; Value 'mw-0123456789abcdef01' "
            "at 'windowId' failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "^mw-[0-9a-f]{17}$",
        ),
    ],
)
def test_malformed_window_ids_are_validation_errors(ssm: Any, window_id: str, message: str) -> None:
    for call in (ssm.get_maintenance_window, ssm.delete_maintenance_window):
        with pytest.raises(ClientError) as excinfo:
            call(WindowId=window_id)
        assert error_of(excinfo) == {"Code": "ValidationException", "Message": message}


def test_sensitive_description_is_reported_without_its_value(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        make_window(ssm, Description="x" * 129)
    assert error_of(excinfo)["Message"] == (
        "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must "
        "have length less than or equal to 128"
    )


def test_max_results_above_the_model_maximum(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.describe_maintenance_windows(MaxResults=101)
    assert error_of(excinfo)["Message"] == (
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member "
        "must have value less than or equal to 100"
    )


def test_filter_violations_name_the_list_path(ssm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.describe_maintenance_windows(Filters=[{"Key": "Name", "Values": ["ok"]}, {"Key": "k" * 129}])
    assert error_of(excinfo)["Message"] == (
        f"1 validation error detected: Value '{'k' * 129}' at 'filters.2.member.key' failed to satisfy "
        "constraint: Member must have length less than or equal to 128"
    )


def test_a_failed_update_changes_nothing(ssm: Any) -> None:
    window_id = ssm.create_maintenance_window(**ALL_FIELDS)["WindowId"]
    before = snapshot(ssm)
    with pytest.raises(ClientError):
        ssm.update_maintenance_window(WindowId=window_id, Name="bad name", Description="changed", Duration=2)
    assert snapshot(ssm) == before
