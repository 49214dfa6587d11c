"""The listings by ``Targets`` through boto3, against a plain scan of every window.

``DescribeMaintenanceWindowsForTarget`` and ``DescribeMaintenanceWindowSchedule`` by ``Targets`` read the
region's naming index (``model/naming.py``). The oracle here is what they did before the index: test
every window of the region, then merge the runs of every matching enabled window. Random regions are
built and changed through boto3 (targets by instance id, tag, tag key and resource group, tasks with
instance targets, updates, deregistrations, deletions, reschedules and inventory changes made after the
targets), then both answers are compared page by page. The effects tests count the windows a query
examines.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.api import upcoming
from ssm_mw_mock.model.inventory import selects_any
from ssm_mw_mock.model.resources import Window
from ssm_mw_mock.model.store import RegionState
from ssm_mw_mock.timing.schedule import format_execution_time
from tests.conftest import NOW, make_window
from tests.invariants import make_client, pages

ACCOUNT, REGION = "123456789012", "us-east-1"
INSTANCES = ["i-00000000000000001", "i-00000000000000002", "i-00000000000000003", "i-00000000000000004"]
SCHEDULES = ["cron(0 2 ? * * *)", "cron(0 2 ? * * *)", "rate(7 hours)", "cron(30 1 ? * MON *)"]

# --- the oracle: the plain scan the index replaced ---------------------------------------------------


def scan(state: RegionState, query: list[dict[str, Any]], resource_type: str) -> list[Window]:
    """Every window of the region tested in turn, as windows_naming did before the index."""
    wanted = {(entry["Key"], value) for entry in query for value in entry["Values"]}
    instances = {value for key, value in wanted if key == "InstanceIds"}
    inventory = state.live_inventory()[0]

    def names(entries: list[dict[str, Any]], selecting: bool) -> bool:
        if any((entry["Key"], value) in wanted for entry in entries for value in entry["Values"]):
            return True
        return selecting and bool(instances) and selects_any(entries, instances, inventory)

    return [
        window
        for window in state.windows.values()
        if any(t.resource_type == resource_type and names(t.targets, True) for t in window.targets.values())
        or any(names(task.targets or [], False) for task in window.tasks.values())
    ]


def scanned_runs(windows: list[Window], after: datetime) -> Iterator[tuple[str, str]]:
    """Every enabled window's runs merged in (time, creation order), as the schedule listing did."""
    streams = [_runs(window, after) for window in windows if window.enabled]
    for instant, _, window in heapq.merge(*streams, key=lambda run: (run[0], run[1])):
        yield window.window_id, format_execution_time(instant, window.schedule_timezone)


def _runs(window: Window, after: datetime) -> Iterator[tuple[datetime, int, Window]]:
    for instant in window.compiled.iter_after(after):
        yield instant, window.seq, window


# --- random regions, built through boto3 -------------------------------------------------------------

tag_entries = st.lists(
    st.builds(
        lambda key, values: {"Key": key, "Values": values},
        st.sampled_from(["tag:Env", "tag:Role", "tag-key"]),
        st.lists(st.sampled_from(["prod", "web", "Env", "Role"]), min_size=1, max_size=2, unique=True),
    ),
    min_size=1,
    max_size=2,
    unique_by=lambda entry: entry["Key"],
)
instance_entries = st.lists(st.sampled_from(INSTANCES), min_size=1, max_size=2, unique=True).map(
    lambda ids: [{"Key": "InstanceIds", "Values": ids}]
)
group_entries = st.lists(st.sampled_from(["g1", "g2"]), min_size=1, max_size=2, unique=True).map(
    lambda names: [{"Key": "resource-groups:Name", "Values": names}]
) | st.just(
    [
        {"Key": "resource-groups:Name", "Values": ["g1"]},
        {"Key": "resource-groups:ResourceTypeFilters", "Values": ["AWS::EC2::Instance"]},
    ]
)
#: A target that selects by two tags: found under one, checked against the other.
combined = [{"Key": "tag:Env", "Values": ["prod"]}, {"Key": "tag:Role", "Values": ["web", "prod"]}]
window_targets = st.tuples(
    st.just("INSTANCE"), tag_entries | instance_entries | st.just(combined)
) | st.tuples(st.just("RESOURCE_GROUP"), group_entries)
tag_maps = st.dictionaries(st.sampled_from(["Env", "Role"]), st.sampled_from(["prod", "web"])) | st.just(
    {"Env": "prod", "Role": "web"}
)
index = st.integers(0, 30)
steps = st.one_of(
    st.tuples(st.just("window"), st.sampled_from(SCHEDULES), st.booleans()),
    st.tuples(st.just("target"), index, window_targets),
    st.tuples(st.just("task"), index, instance_entries | st.just("window-target")),
    st.tuples(st.just("update-target"), index, window_targets),
    st.tuples(st.just("update-task"), index, instance_entries),
    st.tuples(st.just("deregister-target"), index),
    st.tuples(st.just("deregister-task"), index),
    st.tuples(st.just("delete"), index),
    st.tuples(st.just("reschedule"), index, st.sampled_from(SCHEDULES), st.booleans()),
    st.tuples(st.just("instance"), st.sampled_from(INSTANCES), tag_maps),
    st.tuples(st.just("group"), st.sampled_from(["g1", "g2"]), st.lists(st.sampled_from(INSTANCES))),
)
queries = st.tuples(
    st.sampled_from(["INSTANCE", "RESOURCE_GROUP"]),
    instance_entries
    | tag_entries
    | group_entries
    | st.just([{"Key": "InstanceIds", "Values": INSTANCES}, {"Key": "tag:Env", "Values": ["web"]}]),
)


class Region:
    """What the steps made, to pick existing windows, targets and tasks by index."""

    def __init__(self, ssm: Any, mw: MaintenanceWindowsMock) -> None:
        self.ssm, self.mw = ssm, mw
        self.windows: list[str] = []
        self.targets: list[tuple[str, str, str]] = []  # window, target, resource type
        self.tasks: list[tuple[str, str]] = []

    def play(self, step: tuple[Any, ...]) -> None:
        kind, *args = step
        ssm = self.ssm
        if kind == "window":
            schedule, enabled = args
            self.windows.append(
                make_window(
                    ssm, Schedule=schedule, AllowUnassociatedTargets=True, Name=f"window-{len(self.windows)}"
                )
            )
            if not enabled:
                ssm.update_maintenance_window(WindowId=self.windows[-1], Enabled=False)
        elif kind == "instance":
            self.mw.add_instance(args[0], tags=args[1])
        elif kind == "group":
            self.mw.add_resource_group(args[0], instance_ids=args[1])
        elif kind == "target" and self.windows:
            window_id = self.windows[args[0] % len(self.windows)]
            resource_type, targets = args[1]
            target_id = ssm.register_target_with_maintenance_window(
                WindowId=window_id, ResourceType=resource_type, Targets=targets
            )["WindowTargetId"]
            self.targets.append((window_id, target_id, resource_type))
        elif kind == "task" and self.windows:
            window_id = self.windows[args[0] % len(self.windows)]
            targets = args[1]
            if targets == "window-target":
                own = [target for window, target, _ in self.targets if window == window_id]
                if not own:
                    return
                targets = [{"Key": "WindowTargetIds", "Values": own[:1]}]
            task_id = ssm.register_task_with_maintenance_window(
                WindowId=window_id,
                TaskArn="AWS-RunShellScript",
                TaskType="RUN_COMMAND",
                Targets=targets,
                MaxConcurrency="1",
                MaxErrors="1",
            )["WindowTaskId"]
            self.tasks.append((window_id, task_id))
        elif kind == "update-target" and self.targets:
            window_id, target_id, resource_type = self.targets[args[0] % len(self.targets)]
            wanted_type, targets = args[1]
            if wanted_type == resource_type:
                ssm.update_maintenance_window_target(
                    WindowId=window_id, WindowTargetId=target_id, Targets=targets
                )
        elif kind == "update-task" and self.tasks:
            window_id, task_id = self.tasks[args[0] % len(self.tasks)]
            ssm.update_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id, Targets=args[1])
        elif kind == "deregister-target" and self.targets:
            window_id, target_id, _ = self.targets.pop(args[0] % len(self.targets))
            ssm.deregister_target_from_maintenance_window(WindowId=window_id, WindowTargetId=target_id)
        elif kind == "deregister-task" and self.tasks:
            window_id, task_id = self.tasks.pop(args[0] % len(self.tasks))
            ssm.deregister_task_from_maintenance_window(WindowId=window_id, WindowTaskId=task_id)
        elif kind == "delete" and self.windows:
            window_id = self.windows.pop(args[0] % len(self.windows))
            ssm.delete_maintenance_window(WindowId=window_id)
            self.targets = [t for t in self.targets if t[0] != window_id]
            self.tasks = [t for t in self.tasks if t[0] != window_id]
        elif kind == "reschedule" and self.windows:
            window_id = self.windows[args[0] % len(self.windows)]
            ssm.update_maintenance_window(WindowId=window_id, Schedule=args[1], Enabled=args[2])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=st.lists(steps, max_size=30),
    asked=st.lists(queries, min_size=1, max_size=3),
    size=st.integers(1, 4),
)
@example(  # one window named by a task, one by a combined target that must be checked; then reordered
    plan=[
        ("window", SCHEDULES[0], True),
        ("window", SCHEDULES[0], True),
        ("window", SCHEDULES[2], True),
        ("instance", INSTANCES[0], {"Env": "prod", "Role": "web"}),
        ("target", 1, ("INSTANCE", combined)),
        ("task", 0, [{"Key": "InstanceIds", "Values": [INSTANCES[0]]}]),
        ("target", 2, ("INSTANCE", [{"Key": "tag-key", "Values": ["Role"]}])),
        ("reschedule", 0, SCHEDULES[3], True),
    ],
    asked=[("INSTANCE", [{"Key": "InstanceIds", "Values": [INSTANCES[0]]}])],
    size=1,
)
def test_listings_by_targets_answer_what_a_scan_of_every_window_answers(
    plan: list[tuple[Any, ...]], asked: list[tuple[str, list[dict[str, Any]]]], size: int
) -> None:
    with MaintenanceWindowsMock(now=NOW) as mw:
        ssm = make_client()
        region = Region(ssm, mw)
        refused: set[str] = set()
        for step in plan:
            try:
                region.play(step)
            except ClientError as error:  # a quota: the step is refused whole
                refused.add(error.response["Error"]["Code"])
        assert refused <= {"ResourceLimitExceededException"}
        state = mw.backend.state(ACCOUNT, REGION)
        for resource_type, targets in asked:
            expected = scan(state, targets, resource_type)
            found = pages(
                ssm.describe_maintenance_windows_for_target,
                "WindowIdentities",
                Targets=targets,
                ResourceType=resource_type,
                MaxResults=size,
            )
            assert found == [{"WindowId": w.window_id, "Name": w.name} for w in expected]
            runs = list(itertools.islice(scanned_runs(expected, mw.clock.now()), 3 * size + 1))
            listed: list[tuple[str, str]] = []
            params: dict[str, Any] = {"Targets": targets, "ResourceType": resource_type, "MaxResults": size}
            while len(listed) < len(runs):
                answer = ssm.describe_maintenance_window_schedule(**params)
                listed.extend(
                    (run["WindowId"], run["ExecutionTime"]) for run in answer["ScheduledWindowExecutions"]
                )
                if "NextToken" not in answer:
                    break
                params["NextToken"] = answer["NextToken"]
            assert listed[: len(runs)] == runs


# --- effects: what a query looks at ------------------------------------------------------------------


class CountingDict(dict[str, Window]):
    """The region's windows, counting every walk over them."""

    walks = 0

    def values(self) -> Any:
        CountingDict.walks += 1
        return super().values()

    def __iter__(self) -> Any:
        CountingDict.walks += 1
        return super().__iter__()


@pytest.fixture
def crowded(mw: MaintenanceWindowsMock, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    """45 windows: 2 aim at i-1 by a combined tag target, 1 by a task; 42 at tag:Env=other."""
    ssm = make_client()
    mw.add_instance(INSTANCES[0], tags={"Env": "prod", "Role": "web"})
    mw.add_instance(INSTANCES[1], tags={"Env": "other"})
    named: list[str] = []
    for k in range(45):
        window_id = make_window(ssm, Name=f"window-{k:02}", AllowUnassociatedTargets=True)
        if k in (10, 30):
            targets = [{"Key": "tag:Env", "Values": ["prod"]}, {"Key": "tag:Role", "Values": ["web"]}]
            named.append(window_id)
        else:
            targets = [{"Key": "tag:Env", "Values": ["other"]}]
        ssm.register_target_with_maintenance_window(
            WindowId=window_id, ResourceType="INSTANCE", Targets=targets
        )
        if k == 40:
            ssm.register_task_with_maintenance_window(
                WindowId=window_id,
                TaskArn="AWS-RunShellScript",
                TaskType="RUN_COMMAND",
                Targets=[{"Key": "InstanceIds", "Values": [INSTANCES[0]]}],
                MaxConcurrency="1",
                MaxErrors="1",
            )
            named.append(window_id)
    state = mw.backend.state(ACCOUNT, REGION)
    monkeypatch.setattr(state, "windows", CountingDict(state.windows))
    CountingDict.walks = 0
    return ssm, named


def test_windows_for_target_examines_only_the_windows_that_name_the_instance(
    crowded: tuple[Any, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ssm, named = crowded
    checked: list[str] = []
    real_check = selects_any

    def counting(targets: Any, instance_ids: Any, inventory: Any) -> bool:
        checked.append(targets[0]["Key"])
        return real_check(targets, instance_ids, inventory)

    monkeypatch.setattr(upcoming, "selects_any", counting)
    found = ssm.describe_maintenance_windows_for_target(
        Targets=[{"Key": "InstanceIds", "Values": [INSTANCES[0]]}], ResourceType="INSTANCE"
    )["WindowIdentities"]
    assert [w["WindowId"] for w in found] == named
    assert checked == ["tag:Env", "tag:Env"]  # the two combined targets, each checked once
    assert CountingDict.walks == 0  # no scan of the region's 45 windows


def test_schedule_by_targets_examines_only_the_windows_that_name_the_instance(
    crowded: tuple[Any, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ssm, named = crowded
    firsts: list[str] = []
    real_iter_after = upcoming.Naming.by_stream

    def counting(naming: upcoming.Naming, enabled_only: bool) -> Any:
        groups = real_iter_after(naming, enabled_only)
        firsts.extend(w.window_id for lists in groups for _, members in lists for w in members)
        return groups

    monkeypatch.setattr(upcoming.Naming, "by_stream", counting)
    runs = ssm.describe_maintenance_window_schedule(
        Targets=[{"Key": "InstanceIds", "Values": [INSTANCES[0]]}], ResourceType="INSTANCE", MaxResults=6
    )["ScheduledWindowExecutions"]
    assert [run["WindowId"] for run in runs] == named * 2
    assert sorted(firsts) == sorted(named)  # the candidates: three of the 45 windows
    assert CountingDict.walks == 0
