"""Schedules through boto3: NextExecutionTime, the schedule listing and ForTarget."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssm_mw_mock import MaintenanceWindowsMock
from tests.conftest import make_window


def next_time(ssm: Any, window_id: str) -> str | None:
    value: str | None = ssm.get_maintenance_window(WindowId=window_id).get("NextExecutionTime")
    return value


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"Schedule": "cron(0 16 ? * TUE *)"}, "2024-03-05T16:00Z"),
        (
            {"Schedule": "cron(0 16 ? * TUE *)", "ScheduleTimezone": "America/Los_Angeles"},
            "2024-03-05T16:00-08:00",
        ),
        ({"Schedule": "cron(30 9 ? * * *)", "ScheduleTimezone": "Asia/Kolkata"}, "2024-03-04T09:30+05:30"),
        ({"Schedule": "cron(15 10 ? * 6L *)"}, "2024-03-29T10:15Z"),
        ({"Schedule": "rate(7 days)", "StartDate": "2024-03-10T03:15:00+09:00"}, "2024-03-09T18:15Z"),
        ({"Schedule": "at(2024-05-01T12:00:00)"}, "2024-05-01T12:00Z"),
        ({"Schedule": "cron(24 30 09 ? * * *)"}, "2024-03-04T09:30:24Z"),
    ],
)
def test_next_execution_time_format(ssm: Any, overrides: dict[str, Any], expected: str) -> None:
    assert next_time(ssm, make_window(ssm, **overrides)) == expected


def test_next_execution_time_rate_keeps_creation_milliseconds() -> None:
    import boto3

    with MaintenanceWindowsMock(now="2024-03-04T10:11:12.345Z"):
        ssm = boto3.client("ssm", region_name="us-east-1")
        window_id = make_window(ssm, Schedule="rate(30 minutes)")
        assert next_time(ssm, window_id) == "2024-03-04T10:41:12.345Z"


def test_next_execution_time_across_spring_forward(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = make_window(ssm, Schedule="cron(0 16 ? * TUE *)", ScheduleTimezone="America/Los_Angeles")
    mw.clock.set("2024-03-06T00:00:01Z")  # just after the 5 March run (PST)
    assert next_time(ssm, window_id) == "2024-03-12T16:00-07:00"  # PDT from 10 March


def test_next_execution_time_absent_when_disabled(ssm: Any) -> None:
    window_id = make_window(ssm)
    ssm.update_maintenance_window(WindowId=window_id, Enabled=False)
    assert next_time(ssm, window_id) is None
    listed = ssm.describe_maintenance_windows()["WindowIdentities"][0]
    assert "NextExecutionTime" not in listed
    ssm.update_maintenance_window(WindowId=window_id, Enabled=True)
    assert next_time(ssm, window_id) == "2024-03-04T02:00Z"


def test_next_execution_time_absent_after_end_date(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = make_window(ssm, Schedule="cron(0 16 ? * TUE *)", EndDate="2024-03-10T00:00:00Z")
    assert next_time(ssm, window_id) == "2024-03-05T16:00Z"
    mw.clock.set("2024-03-06T00:00:00Z")
    assert next_time(ssm, window_id) is None


def test_next_execution_time_waits_for_future_start_date(ssm: Any) -> None:
    window_id = make_window(ssm, Schedule="cron(0 9 ? * WED *)", StartDate="2024-04-01T00:00:00Z")
    assert next_time(ssm, window_id) == "2024-04-03T09:00Z"


def test_next_execution_time_with_offset(ssm: Any) -> None:
    window_id = make_window(ssm, Schedule="cron(30 23 ? * TUE#3 *)", ScheduleOffset=2)
    assert next_time(ssm, window_id) == "2024-03-21T23:30Z"


def test_next_execution_time_moves_on_when_a_run_starts(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    window_id = make_window(ssm, Schedule="cron(0 16 ? * TUE *)")
    mw.clock.set("2024-03-05T16:00:00Z")
    assert next_time(ssm, window_id) == "2024-03-12T16:00Z"


def test_never_running_schedule_has_no_next_execution_time(ssm: Any) -> None:
    window_id = make_window(ssm, Schedule="at(2020-01-01T00:00:00)")
    assert next_time(ssm, window_id) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"Schedule": "cron(0 16 ? * 8 *)"},
            "Invalid cron expression 'cron(0 16 ? * 8 *)': day-of-week value 8 is out of range 1-7",
        ),
        (
            {"Schedule": "rate(1 hours)"},
            "Invalid rate expression 'rate(1 hours)': use the singular unit 'hour' when the value is 1",
        ),
        (
            {"Schedule": "weekly"},
            "Invalid schedule expression 'weekly': expected cron(...), rate(...) or at(...)",
        ),
        (
            {"Schedule": "rate(5 minutes)", "ScheduleOffset": 2},
            "Invalid schedule offset 2: ScheduleOffset can only be used with a cron expression, "
            "not 'rate(5 minutes)'",
        ),
        (
            {"StartDate": ""},
            "1 validation error detected: Value '' at 'startDate' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        ),
    ],
)
def test_invalid_schedule_is_refused_and_nothing_created(
    ssm: Any, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ClientError) as caught:
        make_window(ssm, **overrides)
    assert caught.value.response["Error"] == {"Code": "ValidationException", "Message": message}
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []


def test_invalid_time_zone_is_refused(ssm: Any) -> None:
    with pytest.raises(ClientError) as caught:
        make_window(ssm, ScheduleTimezone="Mars/Olympus")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Mars/Olympus" in caught.value.response["Error"]["Message"]


def test_update_with_invalid_schedule_changes_nothing(ssm: Any) -> None:
    window_id = make_window(ssm)
    before = ssm.get_maintenance_window(WindowId=window_id)
    with pytest.raises(ClientError):
        ssm.update_maintenance_window(WindowId=window_id, Schedule="cron(61 * * * ? *)", Name="renamed")
    after = ssm.get_maintenance_window(WindowId=window_id)
    before.pop("ResponseMetadata")
    after.pop("ResponseMetadata")
    assert after == before


def test_schedule_listing_pages_and_filters(ssm: Any) -> None:
    window_id = make_window(
        ssm, Name="tuesdays", Schedule="cron(0 16 ? * TUE *)", ScheduleTimezone="America/Los_Angeles"
    )
    pages = ssm.get_paginator("describe_maintenance_window_schedule").paginate(
        WindowId=window_id,
        Filters=[
            {"Key": "ScheduledAfter", "Values": ["2024-03-10T00:00:00Z"]},
            {"Key": "ScheduledBefore", "Values": ["2024-04-03T00:00:00Z"]},
        ],
        PaginationConfig={"PageSize": 2},
    )
    runs = [run for page in pages for run in page["ScheduledWindowExecutions"]]
    assert [run["ExecutionTime"] for run in runs] == [
        "2024-03-12T16:00-07:00",
        "2024-03-19T16:00-07:00",
        "2024-03-26T16:00-07:00",
        "2024-04-02T16:00-07:00",
    ]
    assert {(run["WindowId"], run["Name"]) for run in runs} == {(window_id, "tuesdays")}


def test_schedule_listing_unknown_window(ssm: Any) -> None:
    with pytest.raises(ssm.exceptions.DoesNotExistException) as caught:
        ssm.describe_maintenance_window_schedule(WindowId="mw-0123456789abcdef0")
    assert (
        caught.value.response["Error"]["Message"] == "Maintenance window mw-0123456789abcdef0 does not exist"
    )


def test_schedule_listing_needs_window_or_targets(ssm: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ssm.describe_maintenance_window_schedule()
    assert caught.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Either WindowId or Targets and ResourceType must be specified",
    }


def test_schedule_listing_by_target_interleaves_windows(ssm: Any, mw: MaintenanceWindowsMock) -> None:
    mw.add_instance("i-0123456789abcdef0", tags={"Env": "prod"})
    daily = make_window(ssm, Name="daily", Schedule="cron(0 10 ? * * *)")
    weekly = make_window(ssm, Name="weekly", Schedule="cron(0 9 ? * TUE *)")
    make_window(ssm, Name="unrelated", Schedule="cron(0 8 ? * * *)")
    for window_id in (daily, weekly):
        ssm.register_target_with_maintenance_window(
            WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "tag:Env", "Values": ["prod"]}]
        )
    runs = ssm.describe_maintenance_window_schedule(
        Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}],
        ResourceType="INSTANCE",
        MaxResults=4,
    )["ScheduledWindowExecutions"]
    assert [(run["Name"], run["ExecutionTime"]) for run in runs] == [
        ("daily", "2024-03-04T10:00Z"),
        ("weekly", "2024-03-05T09:00Z"),
        ("daily", "2024-03-05T10:00Z"),
        ("daily", "2024-03-06T10:00Z"),
    ]


def test_windows_for_target_by_tag_and_by_task_instance(ssm: Any) -> None:
    tagged = make_window(ssm, Name="tagged")
    direct = make_window(ssm, Name="direct", AllowUnassociatedTargets=True)
    make_window(ssm, Name="other")
    ssm.register_target_with_maintenance_window(
        WindowId=tagged, ResourceType="INSTANCE", Targets=[{"Key": "tag:Patch", "Values": ["Group1"]}]
    )
    ssm.register_task_with_maintenance_window(
        WindowId=direct,
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}],
        MaxConcurrency="1",
        MaxErrors="1",
    )
    by_tag = ssm.describe_maintenance_windows_for_target(
        Targets=[{"Key": "tag:Patch", "Values": ["Group1"]}], ResourceType="INSTANCE"
    )["WindowIdentities"]
    assert by_tag == [{"WindowId": tagged, "Name": "tagged"}]
    by_instance = ssm.describe_maintenance_windows_for_target(
        Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}], ResourceType="INSTANCE"
    )["WindowIdentities"]
    assert by_instance == [{"WindowId": direct, "Name": "direct"}]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    schedule=st.sampled_from(["cron(0 * ? * * *)", "rate(90 minutes)", "cron(30 2 ? * MON-FRI *)"]),
    zone=st.sampled_from([None, "America/New_York", "Asia/Kolkata"]),
    page_size=st.integers(min_value=1, max_value=7),
)
def test_schedule_listing_by_window_id_agrees_with_the_listing_by_its_target(
    ssm: Any, schedule: str, zone: str | None, page_size: int
) -> None:
    # By WindowId the listing reads the one window's runs directly; by Targets it merges the run streams
    # of every window naming the instance. For a window alone on its instance they must agree, page by page.
    extra = {"ScheduleTimezone": zone} if zone else {}
    window_id = make_window(ssm, Schedule=schedule, **extra)
    node = "i-0123456789abcdef0"  # each example deletes its window, so the node is named by one window
    ssm.register_target_with_maintenance_window(
        WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "InstanceIds", "Values": [node]}]
    )
    paginator = ssm.get_paginator("describe_maintenance_window_schedule")
    config = {"MaxItems": 25, "PageSize": page_size}
    by_id = paginator.paginate(WindowId=window_id, PaginationConfig=config)
    by_target = paginator.paginate(
        Targets=[{"Key": "InstanceIds", "Values": [node]}], ResourceType="INSTANCE", PaginationConfig=config
    )
    listed = [run for page in by_id for run in page["ScheduledWindowExecutions"]]
    assert len(listed) == 25
    assert listed == [run for page in by_target for run in page["ScheduledWindowExecutions"]]
    assert len({run["ExecutionTime"] for run in listed}) == 25  # each run once, none skipped at a page edge
    ssm.delete_maintenance_window(WindowId=window_id)


def test_schedule_listing_of_a_disabled_window_is_empty(ssm: Any) -> None:
    window_id = make_window(ssm)
    ssm.update_maintenance_window(WindowId=window_id, Enabled=False)
    answer = ssm.describe_maintenance_window_schedule(WindowId=window_id)
    assert answer["ScheduledWindowExecutions"] == []
    assert "NextToken" not in answer
