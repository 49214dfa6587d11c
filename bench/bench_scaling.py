"""How the cost of a call grows with the region: each row is measured at three sizes or more.

Run by hand: ``python bench/bench_scaling.py [--calls 30] [--rounds 3]`` (a few minutes).

For each row, every size's region is built first (histories by the fake clock, windows and instances
through the backend), each in its own mock. Then, ``--rounds`` times, the sizes in a shuffled order, a
size's mock alone answers a block of ``--calls`` calls through a real boto3 client, and right after it the
send-level *floor* of the same answer takes as many: a client with no mock whose ``before-send`` handler
returns the very bytes the mock answered (as ``bench/bench_calls.py`` measures it), so botocore still
builds, signs and parses everything. A figure is the median over the rounds of each block's median. The
blocks of every size and of the floor alternate within a few seconds, so a slow spell of the machine
(they last tens of seconds here) falls on all of them alike. ``growth`` is each size's time over the
smallest size's; ``/floor`` the ratio to the floor at that size. Targets (issue #17): first-page growth
from 2k to 100k executions <= 1.3x; windows-for-target at 1,000 instances <= 1.5x the 100-instance
figure; every listing <= 0.6x the floor; an idle clock move at 5,000 windows <= 2x the 50-window figure.

The clock rows time ``mw.clock.advance(seconds=1)`` itself (no boto3, so no floor), median of ``--moves``;
``--only-clock`` runs them alone (seconds).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.awsrequest import AWSResponse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ssm_mw_mock import MaintenanceWindowsMock  # noqa: E402
from ssm_mw_mock.api import targets as target_operations  # noqa: E402
from ssm_mw_mock.api import tasks as task_operations  # noqa: E402
from ssm_mw_mock.api import windows as window_operations  # noqa: E402
from ssm_mw_mock.doors import parsed, patching  # noqa: E402
from ssm_mw_mock.wire.protocol import encode  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "123456789012"
START = "2024-01-01T00:00:00Z"
HEADERS = {
    "x-amzn-RequestId": "c0ffee00-0000-4000-8000-000000000000",
    "Content-Type": "application/x-amz-json-1.1",
}


# SSM's quotas (50 windows a region, 100 targets and 20 tasks a window, 50 instances a task) are lifted
# here to see how costs grow past them.
window_operations.WINDOWS_PER_REGION = 1_000_000
target_operations.TARGETS_PER_WINDOW = 1_000_000
task_operations.TASKS_PER_WINDOW = 1_000_000
task_operations.INSTANCES_PER_TASK = 1_000_000
ROLE = "arn:aws:iam::123456789012:role/mw-role"


def client() -> Any:
    return boto3.client("ssm", region_name=REGION, aws_access_key_id="bench", aws_secret_access_key="bench")


@dataclass
class Case:
    """A call to time on a built region: the operation, its parameters, and what stands for n."""

    operation: str
    params: dict[str, Any]
    n: int
    setup_each: Callable[[], dict[str, Any]] | None = None  # fresh parameters before each timed call


def window(mw: MaintenanceWindowsMock, name: str, schedule: str) -> str:
    params = {"Name": name, "Schedule": schedule, "Duration": 1, "Cutoff": 0}
    params["AllowUnassociatedTargets"] = True
    window_id: str = mw.backend.call("CreateMaintenanceWindow", params, REGION)["WindowId"]
    return window_id


def busy_history(days: int) -> Callable[[MaintenanceWindowsMock], Case]:
    """The first page (50) of a rate(5 minutes) window's own executions after ``days``."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        window_id = window(mw, "busy", "rate(5 minutes)")
        mw.clock.advance(days=days)
        n = len(mw.backend.state(ACCOUNT, REGION).executions)
        return Case("DescribeMaintenanceWindowExecutions", {"WindowId": window_id}, n)

    return build


def filtered_history(days: int) -> Callable[[MaintenanceWindowsMock], Case]:
    """A page of the same window's executions in one day a month before the end (``ExecutedAfter/Before``)."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        case = busy_history(days)(mw)
        end = mw.clock.now()
        after, before = (end - _days(2)).isoformat(), (end - _days(1)).isoformat()
        case.params["Filters"] = [
            {"Key": "ExecutedAfter", "Values": [after]},
            {"Key": "ExecutedBefore", "Values": [before]},
        ]
        return case

    return build


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def daily_beside_busy(busy_windows: int) -> Callable[[MaintenanceWindowsMock], Case]:
    """A daily window's page (40 runs) while ``busy_windows`` rate(5 minutes) windows share its region."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        daily = window(mw, "daily", "cron(0 2 ? * * *)")
        for k in range(busy_windows):
            window(mw, f"busy-{k}", "rate(5 minutes)")
        mw.clock.advance(days=40)
        n = len(mw.backend.state(ACCOUNT, REGION).executions)
        return Case("DescribeMaintenanceWindowExecutions", {"WindowId": daily}, n)

    return build


def delete_empty(days: int) -> Callable[[MaintenanceWindowsMock], Case]:
    """DeleteMaintenanceWindow of a window that never ran, beside a rate(5 minutes) window's history."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        busy_history(days)(mw)
        n = len(mw.backend.state(ACCOUNT, REGION).executions)

        def fresh() -> dict[str, Any]:
            return {"WindowId": window(mw, "empty", "cron(0 2 ? * * *)")}

        return Case("DeleteMaintenanceWindow", {}, n, setup_each=fresh)

    return build


def tagged_windows(instances: int, operation: str) -> Callable[[MaintenanceWindowsMock], Case]:
    """1,000 windows, each targeting tag:Env=prod, over ``instances`` tagged instances; one instance asked."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        for k in range(instances):
            mw.add_instance(f"i-{k:017x}", tags={"Env": "prod"})
        for k in range(1000):
            window_id = window(mw, f"window-{k:04}", "cron(0 2 ? * * *)")
            mw.backend.call(
                "RegisterTargetWithMaintenanceWindow",
                {
                    "WindowId": window_id,
                    "ResourceType": "INSTANCE",
                    "Targets": [{"Key": "tag:Env", "Values": ["prod"]}],
                },
                REGION,
            )
        query = {"Targets": [{"Key": "InstanceIds", "Values": [f"i-{instances - 1:017x}"]}]}
        params: dict[str, Any] = {**query, "ResourceType": "INSTANCE"}
        if operation == "DescribeMaintenanceWindowSchedule":
            params["MaxResults"] = 50
        return Case(operation, params, instances)

    return build


def few_named(count: int, operation: str) -> Callable[[MaintenanceWindowsMock], Case]:
    """``count`` tag-target windows of which 10 select the one instance asked (by another tag)."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        mw.add_instance("i-00000000000000000", tags={"Env": "prod", "Role": "db"})
        for k in range(count):
            window_id = window(mw, f"window-{k:05}", "cron(0 2 ? * * *)")
            tag = {"Key": "tag:Role", "Values": ["db"]} if k % (count // 10) == 0 else None
            mw.backend.call(
                "RegisterTargetWithMaintenanceWindow",
                {
                    "WindowId": window_id,
                    "ResourceType": "INSTANCE",
                    "Targets": [tag or {"Key": "tag:Env", "Values": ["staging"]}],
                },
                REGION,
            )
        params = {
            "Targets": [{"Key": "InstanceIds", "Values": ["i-00000000000000000"]}],
            "ResourceType": "INSTANCE",
        }
        return Case(operation, params, count)

    return build


def many_windows(count: int, filtered: bool) -> Callable[[MaintenanceWindowsMock], Case]:
    """A page (50) of DescribeMaintenanceWindows among ``count`` windows, with or without filters."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        for k in range(count):
            window(mw, f"{'web' if k % 2 else 'db'}-{k:05}", "cron(0 2 ? * * *)")
        params: dict[str, Any] = {}
        if filtered:
            params["Filters"] = [
                {"Key": "Name", "Values": ["web-"]},
                {"Key": "Enabled", "Values": ["true"]},
            ]
        return Case("DescribeMaintenanceWindows", params, count)

    return build


def register_target(mw: MaintenanceWindowsMock, window_id: str, key: str, values: list[str]) -> str:
    params = {"WindowId": window_id, "ResourceType": "INSTANCE", "Targets": [{"Key": key, "Values": values}]}
    params["OwnerInformation"] = "bench"
    target_id: str = mw.backend.call("RegisterTargetWithMaintenanceWindow", params, REGION)["WindowTargetId"]
    return target_id


def register_task(mw: MaintenanceWindowsMock, window_id: str, target_id: str, priority: int) -> str:
    params = {
        "WindowId": window_id,
        "Targets": [{"Key": "WindowTargetIds", "Values": [target_id]}],
        "TaskArn": "AWS-RunShellScript",
        "TaskType": "RUN_COMMAND",
        "ServiceRoleArn": ROLE,
        "Priority": priority,
        "MaxConcurrency": "100%",
        "MaxErrors": "100%",
        "TaskInvocationParameters": {"RunCommand": {"Parameters": {"commands": ["yum -y update"]}}},
    }
    task_id: str = mw.backend.call("RegisterTaskWithMaintenanceWindow", params, REGION)["WindowTaskId"]
    return task_id


def window_targets(count: int) -> Callable[[MaintenanceWindowsMock], Case]:
    """A page (50) of DescribeMaintenanceWindowTargets of a window with ``count`` targets."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        window_id = window(mw, "targets", "cron(0 2 ? * * *)")
        for k in range(count):
            register_target(mw, window_id, "InstanceIds", [f"i-{k:017x}", f"i-{k + 1:017x}"])
        return Case("DescribeMaintenanceWindowTargets", {"WindowId": window_id}, count)

    return build


def window_tasks(count: int) -> Callable[[MaintenanceWindowsMock], Case]:
    """A page (50) of DescribeMaintenanceWindowTasks of a window with ``count`` Run Command tasks."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        window_id = window(mw, "tasks", "cron(0 2 ? * * *)")
        target_id = register_target(mw, window_id, "InstanceIds", ["i-00000000000000001"])
        for k in range(count):
            register_task(mw, window_id, target_id, k % 5)
        return Case("DescribeMaintenanceWindowTasks", {"WindowId": window_id}, count)

    return build


def execution_tasks(count: int) -> Callable[[MaintenanceWindowsMock], Case]:
    """A page (50) of DescribeMaintenanceWindowExecutionTasks of one run of ``count`` tasks."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        window_id = window(mw, "run", "cron(0 2 ? * * *)")
        mw.add_instance("i-00000000000000001", tags={"Env": "prod"})
        target_id = register_target(mw, window_id, "InstanceIds", ["i-00000000000000001"])
        for k in range(count):
            register_task(mw, window_id, target_id, k % 5)
        mw.clock.advance(days=1)
        state = mw.backend.state(ACCOUNT, REGION)
        execution = next(iter(state.executions.values()))
        return Case(
            "DescribeMaintenanceWindowExecutionTasks",
            {"WindowExecutionId": execution.window_execution_id},
            count,
        )

    return build


def invocations(instances: int) -> Callable[[MaintenanceWindowsMock], Case]:
    """A page (50) of DescribeMaintenanceWindowExecutionTaskInvocations of a task over ``instances``."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        window_id = window(mw, "fleet", "cron(0 2 ? * * *)")
        for k in range(instances):
            mw.add_instance(f"i-{k:017x}", tags={"Env": "prod"})
        target_id = register_target(mw, window_id, "tag:Env", ["prod"])
        register_task(mw, window_id, target_id, 1)
        mw.clock.advance(days=1)
        execution = next(iter(mw.backend.state(ACCOUNT, REGION).executions.values()))
        task = execution.tasks[0]
        params = {"WindowExecutionId": execution.window_execution_id, "TaskId": task.task_execution_id}
        return Case("DescribeMaintenanceWindowExecutionTaskInvocations", params, instances)

    return build


def window_schedule(count: int) -> Callable[[MaintenanceWindowsMock], Case]:
    """A page (50) of DescribeMaintenanceWindowSchedule by WindowId among ``count`` windows."""

    def build(mw: MaintenanceWindowsMock) -> Case:
        asked = window(mw, "hourly", "cron(0 * ? * * *)")
        for k in range(count - 1):
            window(mw, f"daily-{k:05}", "cron(0 2 ? * * *)")
        return Case("DescribeMaintenanceWindowSchedule", {"WindowId": asked, "MaxResults": 50}, count)

    return build


ROWS: list[tuple[str, str, list[Callable[[MaintenanceWindowsMock], Case]]]] = [
    (
        "Executions, first page, n = window's own executions",
        "n executions",
        [busy_history(d) for d in (7, 70, 366)],
    ),
    (
        "Executions, one day by ExecutedAfter/Before, n = own executions",
        "n executions",
        [filtered_history(d) for d in (7, 70, 366)],
    ),
    (
        "Executions of a daily window (40 runs), n = the region's executions",
        "n executions",
        [daily_beside_busy(b) for b in (1, 3, 9)],
    ),
    (
        "DeleteMaintenanceWindow of an empty window, n = the region's executions",
        "n executions",
        [delete_empty(d) for d in (7, 70, 366)],
    ),
    (
        "WindowsForTarget (instance id), 1,000 tag-target windows, n = instances",
        "n instances",
        [tagged_windows(m, "DescribeMaintenanceWindowsForTarget") for m in (100, 300, 1000)],
    ),
    (
        "Schedule by Targets (instance id), 1,000 tag-target windows, n = instances",
        "n instances",
        [tagged_windows(m, "DescribeMaintenanceWindowSchedule") for m in (100, 300, 1000)],
    ),
    (
        "WindowsForTarget (instance id), 10 of n tag-target windows name it, n = windows",
        "n windows",
        [few_named(c, "DescribeMaintenanceWindowsForTarget") for c in (100, 1000, 5000)],
    ),
    (
        "Schedule by Targets (instance id), 10 of n tag-target windows name it, n = windows",
        "n windows",
        [few_named(c, "DescribeMaintenanceWindowSchedule") for c in (100, 1000, 5000)],
    ),
    (
        "DescribeMaintenanceWindows page, no filter, n = windows",
        "n windows",
        [many_windows(c, False) for c in (100, 1000, 5000)],
    ),
    (
        "DescribeMaintenanceWindows page, Name + Enabled filters, n = windows",
        "n windows",
        [many_windows(c, True) for c in (100, 1000, 5000)],
    ),
    (
        "DescribeMaintenanceWindowTargets page, n = window's targets",
        "n targets",
        [window_targets(c) for c in (50, 200, 1000)],
    ),
    (
        "DescribeMaintenanceWindowTasks page, n = window's tasks",
        "n tasks",
        [window_tasks(c) for c in (50, 200, 1000)],
    ),
    (
        "DescribeMaintenanceWindowExecutionTasks page, n = the run's tasks",
        "n tasks",
        [execution_tasks(c) for c in (50, 100, 200)],
    ),
    (
        "DescribeMaintenanceWindowExecutionTaskInvocations page, n = the task's instances",
        "n instances",
        [invocations(c) for c in (50, 100, 200)],
    ),
    (
        "DescribeMaintenanceWindowSchedule page by WindowId, n = windows",
        "n windows",
        [window_schedule(c) for c in (10, 100, 1000)],
    ),
]


def idle_moves(count: int, moves: int) -> tuple[int, float]:
    """(n, median us of ``clock.advance(seconds=1)``) among ``count`` daily windows, with nothing due.

    The windows run at 02:00 and the clock starts at midnight: ``moves`` one-second moves stay before it.
    """
    with MaintenanceWindowsMock(now=START) as mw:
        for k in range(count):
            window(mw, f"daily-{k:05}", "cron(0 2 ? * * *)")
        advance = mw.clock.advance
        advance(seconds=1)  # warm
        gc.collect()
        times = []
        for _ in range(moves):
            start = time.perf_counter()
            advance(seconds=1)
            times.append(time.perf_counter() - start)
        assert not mw.backend.state(ACCOUNT, REGION).executions, "a run fell due: the row measures idle moves"
    return count, statistics.median(times) * 1e6


#: Rows timed without boto3 (so without a floor): (title, sizes).
CLOCK_ROWS = [("clock.advance(seconds=1), nothing due, n = daily windows", (50, 500, 5000))]


def clock_rows(rounds: int, moves: int) -> None:
    for title, sizes in CLOCK_ROWS:
        samples: dict[int, list[float]] = {size: [] for size in sizes}
        for _ in range(rounds):
            for size in random.sample(sizes, len(sizes)):
                samples[size].append(idle_moves(size, moves)[1])
        first = statistics.median(samples[sizes[0]])
        for size in sizes:
            us = statistics.median(samples[size])
            print(f"| {title} | {size:,} | {us:,.1f} us | {us / first:.2f}x | - |", flush=True)


def canned(body: bytes) -> Any:
    """A client with no mock whose ``before-send`` handler answers ``body``: the floor of that answer."""
    floor = client()

    def reply(request: Any, **kwargs: Any) -> AWSResponse:
        response = AWSResponse(request.url, 200, HEADERS, None)
        response._content = body
        return response

    floor.meta.events.register("before-send", reply)
    return floor


def method(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


@dataclass
class Sized:
    """One size of a row, built and ready: its mock (not active), the two clients, and the times taken."""

    mw: MaintenanceWindowsMock
    case: Case
    call: Callable[..., Any]
    floor_call: Callable[..., Any]
    probe: dict[str, Any]
    mock_us: list[float]
    floor_us: list[float]


def prepare(build: Callable[[MaintenanceWindowsMock], Case]) -> Sized:
    """Build one size's region in a started mock, then take that mock off the seam's stack (its state
    stays: only a mock's outermost start begins afresh); :func:`release` stops it."""
    mw = MaintenanceWindowsMock(now=START).start()
    case = build(mw)
    patching.deactivate(mw)
    probe = case.setup_each() if case.setup_each else case.params
    body = encode(mw.backend.call(case.operation, probe, REGION))
    floor_call = getattr(canned(body), method(case.operation))
    floor_call(**probe)  # warm
    sized = Sized(mw, case, getattr(client(), method(case.operation)), floor_call, probe, [], [])
    patching.activate(mw)
    try:
        sized.call(**(case.setup_each() if case.setup_each else case.params))  # warm
    finally:
        patching.deactivate(mw)
    return sized


def release(sizes: list[Sized]) -> None:
    """Stop the mocks :func:`prepare` started, the last started first."""
    for sized in reversed(sizes):
        patching.activate(sized.mw)
        sized.mw.stop()


def block(sized: Sized, calls: int, forget_instants: bool) -> None:
    """``calls`` calls through the mock, then ``calls`` of the floor with no mock active; each block's
    median is kept.

    Only this size's mock answers during its block: the mock is made active for the block alone (the
    seam's own stack, ``doors/patching.py``), so its state stays between blocks. With ``forget_instants``,
    the timestamps botocore's parser made for earlier answers are forgotten before each call
    (``doors/parsed.py`` remembers them), as for a page of instants never listed before.
    """
    case = sized.case
    times = []
    patching.activate(sized.mw)
    try:
        for _ in range(calls):
            params = case.setup_each() if case.setup_each else case.params
            if forget_instants:
                parsed._instants.clear()
            start = time.perf_counter()
            sized.call(**params)
            times.append(time.perf_counter() - start)
    finally:
        patching.deactivate(sized.mw)
    sized.mock_us.append(statistics.median(times) * 1e6)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        sized.floor_call(**sized.probe)
        times.append(time.perf_counter() - start)
    sized.floor_us.append(statistics.median(times) * 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30, help="timed calls per size (median)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per row, sizes shuffled (median)")
    parser.add_argument("--rows", default="", help="only the rows whose title contains this text")
    parser.add_argument(
        "--forget-instants", action="store_true", help="time pages of timestamps never parsed before"
    )
    parser.add_argument("--moves", type=int, default=1000, help="timed clock moves per size (median)")
    parser.add_argument("--only-clock", action="store_true", help="only the rows without boto3 (clock moves)")
    args = parser.parse_args()
    print(
        f"median of {args.rounds} rounds (sizes in shuffled order) of the median of {args.calls} calls; "
        "growth = time / time at the smallest size"
    )
    print("| row | n | time | growth | / floor |")
    print("|---|---:|---:|---:|---:|")
    for title, _, builds in [] if args.only_clock else ROWS:
        if args.rows not in title:
            continue
        sizes = [prepare(build) for build in builds]
        gc.collect()  # the builds' garbage is not the calls' cost
        for _ in range(args.rounds):
            for sized in random.sample(sizes, len(sizes)):
                block(sized, args.calls, args.forget_instants)
        first = statistics.median(sizes[0].mock_us)
        for sized in sizes:
            mock_us = statistics.median(sized.mock_us)
            floor_us = statistics.median(sized.floor_us)
            ratios = f"{mock_us / first:.2f}x | {mock_us / floor_us:.2f}"
            print(f"| {title} | {sized.case.n:,} | {mock_us:,.0f} us | {ratios} |", flush=True)
        release(sizes)
        del sizes
        gc.collect()
    clock_rows(args.rounds, args.moves)


if __name__ == "__main__":
    main()
