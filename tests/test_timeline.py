"""``mw.timeline()``: records that match SSM's Describe answers, filters, regions, and the text layout."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssm_mw_mock import Invocation, MaintenanceWindowsMock, Outcome, mock_maintenance_windows
from ssm_mw_mock.timeline import Timeline, TimelineExecution
from ssm_mw_mock.timeline_text import _table, format_duration

START = "2024-03-04T00:00:00Z"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:notify"


def _window(ssm: Any, *, schedule: str = "cron(0 2 ? * * *)", instances: int = 2) -> str:
    window_id: str = ssm.create_maintenance_window(
        Name="nightly", Schedule=schedule, Duration=3, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    ids = [f"i-{n:017d}" for n in range(1, instances + 1)]
    target = ssm.register_target_with_maintenance_window(
        WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "InstanceIds", "Values": ids}]
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskType="RUN_COMMAND",
        TaskArn="AWS-RunShellScript",
        Priority=1,
        Targets=[{"Key": "WindowTargetIds", "Values": [target]}],
        MaxConcurrency="1",
        MaxErrors="5",
    )
    ssm.register_task_with_maintenance_window(
        WindowId=window_id, TaskType="LAMBDA", TaskArn=LAMBDA, Priority=2
    )
    return window_id


def _fail_second(invocation: Invocation) -> Outcome | None:
    if invocation.task_type == "LAMBDA":
        return None
    if invocation.target_id == "i-00000000000000002":
        return Outcome("FAILED", timedelta(minutes=2), "exit status 1")
    return Outcome(duration=timedelta(minutes=10))


def test_timeline_records_are_what_the_describe_calls_answer() -> None:
    with mock_maintenance_windows(now=START) as mw:
        ssm = boto3.client("ssm", region_name="us-east-1")
        window_id = _window(ssm)
        mw.on_invocation(_fail_second)
        mw.clock.advance(days=2)

        timeline = mw.timeline()

        [window] = timeline.windows
        assert (window.window_id, window.name, window.region, window.account) == (
            window_id,
            "nightly",
            "us-east-1",
            "123456789012",
        )
        runs = ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
        assert [e.window_execution_id for e in window.executions] == [
            r["WindowExecutionId"] for r in runs[::-1]
        ]
        assert [(e.status, e.start_time, e.end_time) for e in window.executions] == [
            (r["Status"], r["StartTime"], r["EndTime"]) for r in runs[::-1]
        ]
        for execution in window.executions:
            tasks = ssm.describe_maintenance_window_execution_tasks(
                WindowExecutionId=execution.window_execution_id
            )["WindowExecutionTaskIdentities"]
            assert [(t.task_execution_id, t.status, t.task_arn) for t in execution.tasks] == [
                (t["TaskExecutionId"], t["Status"], t["TaskArn"]) for t in tasks
            ]
        # 2 runs x (2 Run Command invocations + 1 Lambda invocation).
        assert len(timeline.executions) == 2
        assert len(timeline.tasks) == 4
        assert [(i.target, i.status, i.status_details, i.duration) for i in timeline.invocations] == 2 * [
            ("i-00000000000000001", "SUCCESS", "Success", timedelta(minutes=10)),
            ("i-00000000000000002", "FAILED", "exit status 1", timedelta(minutes=2)),
            (None, "SUCCESS", "Success", timedelta(seconds=5)),
        ]
        assert [t.name for t in timeline.tasks[:2]] == ["AWS-RunShellScript", "notify"]
        assert [r.execution_time_text for r in window.upcoming] == [
            "2024-03-06T02:00Z",
            "2024-03-07T02:00Z",
            "2024-03-08T02:00Z",
        ]
        assert window.upcoming[0].execution_time == datetime(2024, 3, 6, 2, tzinfo=UTC)


def test_timeline_records_are_frozen() -> None:
    with mock_maintenance_windows(now=START) as mw:
        _window(boto3.client("ssm", region_name="us-east-1"))
        mw.clock.advance(days=1)
        execution = mw.timeline().executions[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        execution.status = "FAILED"  # type: ignore[misc]


def test_timeline_since_until_and_window_filter() -> None:
    with mock_maintenance_windows(now=START) as mw:
        ssm = boto3.client("ssm", region_name="us-east-1")
        first, other = _window(ssm), _window(ssm, schedule="cron(0 5 ? * * *)")
        mw.clock.advance(days=4)

        assert len(mw.timeline().executions) == 8
        only = mw.timeline(first)
        assert [w.window_id for w in only.windows] == [first]
        assert len(only.executions) == 4
        assert mw.timeline("mw-0000000000000000f").windows == ()
        # Inclusive bounds on StartTime, like ExecutedAfter / ExecutedBefore.
        middle = mw.timeline(since="2024-03-05T02:00:00Z", until="2024-03-06T05:00:00Z")
        assert [e.start_time.isoformat() for e in middle.executions] == [
            "2024-03-05T02:00:00+00:00",
            "2024-03-05T05:00:00+00:00",
            "2024-03-06T02:00:00+00:00",
            "2024-03-06T05:00:00+00:00",
        ]
        # Upcoming runs past `until` are left out; upcoming=0 asks for none.
        assert all(w.upcoming == () for w in middle.windows)
        assert [len(w.upcoming) for w in mw.timeline(upcoming=1).windows] == [1, 1]
        assert [len(w.upcoming) for w in mw.timeline(upcoming=0).windows] == [0, 0]
        assert {w.window_id for w in mw.timeline().windows} == {first, other}


def test_timeline_covers_every_region_or_one() -> None:
    with mock_maintenance_windows(now=START) as mw:
        _window(boto3.client("ssm", region_name="us-east-1"))
        _window(boto3.client("ssm", region_name="eu-west-1"))
        boto3.client("ssm", region_name="ap-south-1").describe_maintenance_windows()  # state, no window

        assert [w.region for w in mw.timeline().windows] == ["us-east-1", "eu-west-1"]
        assert [w.region for w in mw.timeline(region="eu-west-1").windows] == ["eu-west-1"]
        assert mw.timeline(region="ap-south-1").windows == ()


def test_timeline_counts_describe_calls_not_records(monkeypatch: pytest.MonkeyPatch) -> None:
    # Built through Backend.call only: every record comes from one of SSM's read operations.
    with mock_maintenance_windows(now=START) as mw:
        _window(boto3.client("ssm", region_name="us-east-1"))
        mw.clock.advance(days=2)
        calls: list[str] = []
        original = mw.backend.call

        def counting(operation: str, params: dict[str, Any], region: str, account: str = "") -> Any:
            calls.append(operation)
            return original(operation, params, region, account)

        monkeypatch.setattr(mw.backend, "call", counting)
        mw.timeline()

    assert sorted(set(calls)) == [
        "DescribeMaintenanceWindowExecutionTaskInvocations",
        "DescribeMaintenanceWindowExecutionTasks",
        "DescribeMaintenanceWindowExecutions",
        "DescribeMaintenanceWindowSchedule",
        "DescribeMaintenanceWindows",
        "GetMaintenanceWindow",
    ]
    assert calls.count("DescribeMaintenanceWindowExecutionTasks") == 2
    assert calls.count("DescribeMaintenanceWindowExecutionTaskInvocations") == 4


def test_timeline_pages_through_long_listings() -> None:
    # More executions than one page of DescribeMaintenanceWindowExecutions (50).
    with mock_maintenance_windows(now=START) as mw:
        ssm = boto3.client("ssm", region_name="us-east-1")
        window_id = ssm.create_maintenance_window(
            Name="hourly", Schedule="rate(1 hour)", Duration=1, Cutoff=0, AllowUnassociatedTargets=True
        )["WindowId"]
        mw.clock.advance(hours=120)

        timeline = mw.timeline(window_id)

    assert len(timeline.executions) == 120
    assert {e.status_details for e in timeline.executions} == {"No tasks to execute."}


def test_timeline_text_of_a_run_in_progress() -> None:
    with mock_maintenance_windows(now=START) as mw:
        window_id = _window(boto3.client("ssm", region_name="us-east-1"))
        mw.on_invocation(_fail_second)
        mw.clock.advance(hours=2, minutes=5)

        text = str(mw.timeline())

    lines = text.splitlines()
    assert lines[:3] == [
        "Timeline at 2024-03-04 02:05:00Z: 1 window(s), 1 execution(s)",
        f"Window {window_id} 'nightly' (us-east-1, account 123456789012)",
        "  cron(0 2 ? * * *), 3 h, cutoff 1 h",
    ]
    execution_id = mw.timeline().executions[0].window_execution_id
    assert lines[3] == f"  Execution {execution_id}  2024-03-04 02:00:00Z → …  IN_PROGRESS"
    assert lines[4:] == [
        "    RUN_COMMAND AWS-RunShellScript  02:00:00 → …  IN_PROGRESS",
        "      i-00000000000000001           02:00:00 → …  IN_PROGRESS",
        "    LAMBDA      notify              not started   PENDING",
        "  Upcoming: 2024-03-05T02:00Z, 2024-03-06T02:00Z, 2024-03-07T02:00Z",
    ]


def test_timeline_text_of_an_empty_mock_and_a_disabled_window() -> None:
    with mock_maintenance_windows(now=START) as mw:
        assert str(mw.timeline()) == "Timeline at 2024-03-04 00:00:00Z: 0 window(s), 0 execution(s)"
        ssm = boto3.client("ssm", region_name="us-east-1")
        window_id = _window(ssm)
        ssm.update_maintenance_window(WindowId=window_id, Enabled=False)
        assert str(mw.timeline()).splitlines()[2:] == [
            "  cron(0 2 ? * * *), 3 h, cutoff 1 h, disabled",
            "  no executions",
        ]


def test_timeline_refuses_bad_arguments() -> None:
    mw = MaintenanceWindowsMock(now=START)
    with pytest.raises(
        ValueError, match=r"^upcoming= is how many next runs to list per window, 0 or more; got -1$"
    ):
        mw.timeline(upcoming=-1)
    with pytest.raises(ValueError, match=r"^since= must be an ISO-8601 date-time with an offset"):
        mw.timeline(since="yesterday")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0m00s"),
        (5, "0m05s"),
        (754, "12m34s"),
        (3723, "1h02m03s"),
        (3 * 86400 + 4 * 3600 + 60, "3d04h01m"),
    ],
)
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text
    assert format_duration(None) == ""


def test_timeline_is_a_plain_value() -> None:
    timeline = Timeline(now=datetime(2024, 3, 4, tzinfo=UTC), windows=())
    assert timeline.executions == ()
    assert timeline.tasks == ()
    assert timeline.invocations == ()
    execution = TimelineExecution(
        "e", "mw-0", "IN_PROGRESS", None, datetime(2024, 3, 4, tzinfo=UTC), None, ()
    )
    assert execution.duration is None


@given(st.integers(min_value=0, max_value=400 * 86400))
def test_format_duration_reads_back(seconds: int) -> None:
    text = format_duration(timedelta(seconds=seconds))

    match = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(\d+)m(?:(\d+)s)?", text)
    assert match is not None, text
    days, hours, minutes, rest = (int(part or 0) for part in match.groups())
    # Under a day the text is exact; from a day on it is whole minutes.
    expected = seconds if seconds < 86400 else seconds - seconds % 60
    assert days * 86400 + hours * 3600 + minutes * 60 + rest == expected


_CELL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-:0123456789", min_size=1, max_size=12)


@given(st.lists(st.tuples(_CELL, _CELL, _CELL, _CELL, _CELL), min_size=1, max_size=8))
def test_table_columns_line_up(rows: list[tuple[str, ...]]) -> None:
    lines = _table(rows)

    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    duration_at = widths[0] + 2 + widths[1] + 2
    status_at = duration_at + widths[2] + 2
    assert len(lines) == len(rows)
    for line, row in zip(lines, rows, strict=True):
        assert line[: widths[0]] == row[0].ljust(widths[0])
        assert line[duration_at : duration_at + widths[2]] == row[2].rjust(widths[2])
        assert line[status_at : status_at + len(row[3])] == row[3]
        assert line.endswith(row[4])
