"""The indexed listings answer exactly what a plain filter-and-sort of the whole region would.

Pure layers are checked on constructed records (``WindowLog``, ``paginate`` with a filter, and
``selects_any`` against ``resolve``); the execution listing is also checked end to end, on histories
made by the real clock through a boto3 client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from hypothesis import given, settings
from hypothesis import strategies as st

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.model.history import WindowExecution
from ssm_mw_mock.model.inventory import Inventory, resolve, selects_any
from ssm_mw_mock.model.ledger import WindowLog
from ssm_mw_mock.model.store import make_token, paginate

T0 = datetime(2024, 3, 4, tzinfo=UTC)
ACCOUNT, REGION = "123456789012", "us-east-1"


def _log(gaps: list[int]) -> WindowLog:
    log = WindowLog()
    when = T0
    for seq, gap in enumerate(gaps, start=1):
        when += timedelta(minutes=gap)  # a gap of 0: two executions at one instant
        log.add(WindowExecution(f"e-{seq}", "mw-0", when, seq * 3))
    return log


# On a 5-minute grid, so bounds often fall exactly on a start.
instants = st.none() | st.integers(-1, 80).map(lambda m: T0 + timedelta(minutes=5 * m))


@settings(max_examples=300)
@given(
    gaps=st.lists(st.integers(0, 6).map(lambda g: 5 * g), max_size=40),
    after=instants,
    before=instants,
    below=st.none() | st.integers(0, 130),
    limit=st.integers(1, 12),
)
def test_window_log_page_is_the_plain_filter_and_sort(
    gaps: list[int], after: datetime | None, before: datetime | None, below: int | None, limit: int
) -> None:
    log = _log(gaps)
    plain = sorted(
        (
            e
            for e in log.executions
            if (after is None or e.start_time >= after)
            and (before is None or e.start_time <= before)
            and (below is None or e.seq < below)
        ),
        key=lambda e: e.seq,
        reverse=True,
    )
    page, more = log.newest_first(after, before, below, limit)
    assert page == plain[:limit]
    assert more == (len(plain) > limit)


@dataclass
class Item:
    seq: int
    status: str


@settings(max_examples=300)
@given(
    statuses=st.lists(st.sampled_from("ABC"), max_size=40),
    wanted=st.sets(st.sampled_from("ABC")),
    after=st.integers(0, 45),
    limit=st.integers(1, 8),
)
def test_filtered_page_is_the_plain_filter_then_page(
    statuses: list[str], wanted: set[str], after: int, limit: int
) -> None:
    items = [Item(seq, status) for seq, status in enumerate(statuses, start=1)]
    params: dict[str, Any] = {"MaxResults": limit}
    if after:
        params["NextToken"] = make_token("L", after)
    plain = [i for i in items if i.status in wanted and i.seq > after]
    page, token = paginate(items, params, "L", 50, keep=lambda i: i.status in wanted)
    assert page == plain[:limit]
    assert token == (make_token("L", plain[limit - 1].seq) if len(plain) > limit else None)


KEYS = ("tag:Env", "tag:Role", "tag-key", "resource-groups:Name", "resource-groups:ResourceTypeFilters")
names = st.sampled_from(["i-1", "i-2", "i-3", "i-4", "i-5"])
entries = st.builds(
    lambda key, values: {"Key": key, "Values": values},
    st.sampled_from(("InstanceIds", *KEYS)),
    st.lists(st.sampled_from(["prod", "web", "Env", "g1", "AWS::EC2::Instance", "i-1", "i-3"]), max_size=3),
)


@settings(max_examples=300)
@given(
    tags=st.dictionaries(
        names, st.dictionaries(st.sampled_from(["Env", "Role"]), st.sampled_from(["prod", "web"]))
    ),
    stopped=st.sets(names),
    group=st.lists(names, max_size=3),
    targets=st.lists(entries, min_size=1, max_size=3),
    queried=st.sets(names, max_size=3),
)
def test_selects_any_agrees_with_resolve(
    tags: dict[str, dict[str, str]],
    stopped: set[str],
    group: list[str],
    targets: list[dict[str, Any]],
    queried: set[str],
) -> None:
    inventory = Inventory()
    for instance_id, instance_tags in tags.items():
        inventory.add_instance(instance_id, instance_tags).state = (
            "stopped" if instance_id in stopped else "running"
        )
    inventory.add_resource_group("g1", group)
    expected = not queried.isdisjoint(resolve(targets, inventory))
    assert selects_any(targets, queried, inventory) == expected


# End to end: histories made by the clock, listed through boto3.


def _all_pages(ssm: Any, window_id: str, filters: list[dict[str, Any]], size: int) -> list[str]:
    ids: list[str] = []
    params: dict[str, Any] = {"WindowId": window_id, "MaxResults": size}
    if filters:
        params["Filters"] = filters
    while True:
        answer = ssm.describe_maintenance_window_executions(**params)
        ids += [e["WindowExecutionId"] for e in answer["WindowExecutions"]]
        if "NextToken" not in answer:
            return ids
        params["NextToken"] = answer["NextToken"]


@settings(max_examples=25, deadline=None)
@given(
    rates=st.lists(st.sampled_from([2, 3, 5]), min_size=1, max_size=3),
    hours=st.integers(1, 200),
    after=st.none() | st.integers(0, 200),
    before=st.none() | st.integers(0, 200),
    size=st.integers(10, 40),
    doomed=st.booleans(),
)
def test_execution_listing_is_the_plain_filter_and_sort(
    rates: list[int],
    hours: int,
    after: int | None,
    before: int | None,
    size: int,
    doomed: bool,
) -> None:
    with MaintenanceWindowsMock(now=T0) as mock:
        _check_listing(mock, rates, hours, after, before, size, doomed)


def _check_listing(
    mock: MaintenanceWindowsMock,
    rates: list[int],
    hours: int,
    after: int | None,
    before: int | None,
    size: int,
    doomed: bool,
) -> None:
    ssm = boto3.client("ssm", region_name=REGION)
    start = mock.clock.now()
    windows = [
        ssm.create_maintenance_window(
            Name=f"window-{n}",
            Schedule=f"rate({rate} hours)",
            Duration=1,
            Cutoff=0,
            AllowUnassociatedTargets=True,
        )["WindowId"]
        for n, rate in enumerate(rates)
    ]
    mock.clock.advance(timedelta(hours=hours))
    state = mock.backend.state(ACCOUNT, REGION)
    if doomed:  # deleting one window leaves the others' histories whole
        ssm.delete_maintenance_window(WindowId=windows.pop(0))
    assert sum(len(log.executions) for log in state.logs.values()) == len(state.executions)
    filters = []
    if after is not None:
        filters.append({"Key": "ExecutedAfter", "Values": [(start + timedelta(hours=after)).isoformat()]})
    if before is not None:
        filters.append({"Key": "ExecutedBefore", "Values": [(start + timedelta(hours=before)).isoformat()]})
    for window_id in windows:
        plain = sorted(
            (
                e
                for e in state.executions.values()
                if e.window_id == window_id
                and (after is None or e.start_time >= start + timedelta(hours=after))
                and (before is None or e.start_time <= start + timedelta(hours=before))
            ),
            key=lambda e: (e.start_time, e.seq),
            reverse=True,
        )
        assert _all_pages(ssm, window_id, filters, size) == [e.window_execution_id for e in plain]


# Costs, counted: the calls that must not read the whole region are given a region that refuses to be read.


class Unlistable(dict[str, Any]):
    """A dict whose items can be looked up one by one but not walked: walking it fails the test."""

    def _walked(self, *args: Any) -> Any:
        raise AssertionError("the whole collection was walked")

    __iter__ = values = items = keys = _walked  # type: ignore[assignment]


def test_listing_and_deleting_never_walk_the_regions_executions(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    params: dict[str, Any] = {"Duration": 1, "Cutoff": 0, "AllowUnassociatedTargets": True}
    busy = ssm.create_maintenance_window(Name="busy", Schedule="rate(5 minutes)", **params)["WindowId"]
    daily = ssm.create_maintenance_window(Name="daily", Schedule="cron(0 2 ? * * *)", **params)["WindowId"]
    mw.clock.advance(days=3)
    state = mw.backend.state(ACCOUNT, REGION)
    assert (len(state.logs[busy].executions), len(state.logs[daily].executions)) == (864, 3)
    state.executions = Unlistable(dict.items(state.executions))
    page = ssm.describe_maintenance_window_executions(WindowId=busy, MaxResults=10)
    assert len(page["WindowExecutions"]) == 10
    later = ssm.describe_maintenance_window_executions(
        WindowId=busy, MaxResults=10, NextToken=page["NextToken"]
    )
    assert later["WindowExecutions"][0]["StartTime"] < page["WindowExecutions"][-1]["StartTime"]
    ssm.delete_maintenance_window(WindowId=daily)
    assert dict.__len__(state.executions) == 864  # the daily window's 3 are gone, by id
    assert list(state.logs) == [busy]


def test_windows_for_target_never_walks_the_inventory(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    for k in range(5):
        mw.add_instance(f"i-{k:017x}", tags={"Env": "prod" if k % 2 else "dev"})
    window_id = ssm.create_maintenance_window(
        Name="tagged", Schedule="cron(0 2 ? * * *)", Duration=1, Cutoff=0, AllowUnassociatedTargets=False
    )["WindowId"]
    ssm.register_target_with_maintenance_window(
        WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "tag:Env", "Values": ["prod"]}]
    )
    inventory = mw.backend.state(ACCOUNT, REGION).inventory
    inventory.instances = Unlistable(dict.items(inventory.instances))

    def found(instance_id: str) -> list[str]:
        query = {"Targets": [{"Key": "InstanceIds", "Values": [instance_id]}], "ResourceType": "INSTANCE"}
        answer = ssm.describe_maintenance_windows_for_target(**query)
        ssm.describe_maintenance_window_schedule(**query)
        return [w["WindowId"] for w in answer["WindowIdentities"]]

    assert (found(f"i-{1:017x}"), found(f"i-{2:017x}")) == ([window_id], [])
