"""What a clock move costs through the real mock (issue #17.3): each window's next run is kept between moves.

Windows in several regions and accounts are created, updated and deleted through boto3; the schedule
look-ups of each move are counted. A move with nothing due asks none, whatever the number of windows; a
move with runs due asks two per window due (its runs within the move, then its next run after it).
Runs of several windows due at one instant still start in the order of a walk over every window: regions
as first used, then windows as created.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import boto3
import pytest

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.api import windows as window_operations

from .conftest import NOW, make_window

REGIONS = ("us-east-1", "eu-west-1", "ap-south-1")


@pytest.fixture
def mock(monkeypatch: pytest.MonkeyPatch) -> Iterator[MaintenanceWindowsMock]:
    monkeypatch.setattr(window_operations, "WINDOWS_PER_REGION", 1_000)
    with MaintenanceWindowsMock(now=NOW) as mw:
        yield mw


def executions(mw: MaintenanceWindowsMock) -> int:
    """Every execution record the mock holds, in every region of the default account."""
    return sum(len(mw.backend.read_state("123456789012", region).executions) for region in REGIONS)


@pytest.mark.parametrize("per_region", [2, 60])
def test_idle_moves_ask_no_schedule_whatever_the_number_of_windows(
    mock: MaintenanceWindowsMock, lookups: Counter[str], per_region: int
) -> None:
    clients = [boto3.client("ssm", region_name=region) for region in REGIONS]
    for client in clients:
        for _ in range(per_region):
            make_window(client)  # daily at 02:00; the clock starts at midnight
    lookups.clear()
    for _ in range(50):
        mock.clock.advance(seconds=1)
    assert lookups == Counter()
    assert executions(mock) == 0
    mock.clock.set("2024-03-04T02:00:00Z")
    windows = per_region * len(REGIONS)
    assert (lookups["between"], lookups["next_after"]) == (windows, windows)
    assert executions(mock) == windows
    lookups.clear()
    mock.clock.advance(hours=1)
    assert lookups == Counter()


def test_updated_and_deleted_windows_run_on_their_new_schedule_or_not_at_all(
    mock: MaintenanceWindowsMock, lookups: Counter[str]
) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    kept, moved, deleted = (make_window(ssm, Name=f"window-{n}") for n in range(3))
    ssm.update_maintenance_window(WindowId=moved, Schedule="cron(0 5 ? * * *)")
    ssm.update_maintenance_window(WindowId=kept, Enabled=False)
    ssm.update_maintenance_window(WindowId=kept, Enabled=True)  # not a schedule change: nothing re-armed
    ssm.delete_maintenance_window(WindowId=deleted)
    lookups.clear()
    mock.clock.set("2024-03-04T06:00:00Z")
    assert (lookups["between"], lookups["next_after"]) == (2, 2)  # the deleted window is not asked
    starts = {
        window_id: [
            e["StartTime"].hour
            for e in ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]
        ]
        for window_id in (kept, moved)
    }
    assert starts == {kept: [2], moved: [5]}
    assert executions(mock) == 2  # none of the deleted window


def test_windows_due_at_one_instant_start_in_the_order_regions_were_first_used(
    mock: MaintenanceWindowsMock,
) -> None:
    east = boto3.client("ssm", region_name="us-east-1")
    west = boto3.client("ssm", region_name="us-west-2")
    # A write that changes nothing still makes us-west-2 the first region used; its window is created last.
    west.delete_maintenance_window(WindowId="mw-0123456789abcdef0")
    first_created = make_window(east)
    last_created = make_window(west)
    mock.clock.set("2024-03-04T02:00:00Z")
    (east_run,) = east.describe_maintenance_window_executions(WindowId=first_created)["WindowExecutions"]
    (west_run,) = west.describe_maintenance_window_executions(WindowId=last_created)["WindowExecutions"]
    assert east_run["StartTime"] == west_run["StartTime"]
    # Execution ids count up in the order the runs start.
    order = sorted([east_run, west_run], key=lambda run: int(run["WindowExecutionId"].rsplit("-", 1)[1], 16))
    assert [run["WindowId"] for run in order] == [last_created, first_created]
