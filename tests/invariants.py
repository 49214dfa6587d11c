"""Helpers shared by the fuzz, stateful and concurrency tests: clients, a state snapshot, invariants.

``snapshot(mw)`` walks the backend's objects (``mw.backend``'s ``RegionState`` per account and region)
rather than the public describe/get calls, because a rejected call must leave *everything* as it was,
including what no call shows: ``ClientToken`` records, the id sequence, the inventory and the fields that
only the execution records hold. ``check_invariants`` goes the other way, through a real boto3 client
only, so it checks what a user can see.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import boto3
import botocore.config
from botocore.exceptions import ClientError

from ssm_mw_mock import MaintenanceWindowsMock

REGION = "us-east-1"


def make_client(*, validate: bool = True, region: str = REGION) -> Any:
    """A boto3 SSM client with its own session; ``validate=False`` lets invalid values reach the mock.

    Retries are off: an ``InternalServerError`` (HTTP 500) must surface at once, not after back-offs.
    """
    config = botocore.config.Config(
        parameter_validation=validate, retries={"total_max_attempts": 1, "mode": "standard"}
    )
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )
    return session.client("ssm", config=config)


def _plain(value: Any) -> Any:
    """A deep, comparable copy of a model object: dataclasses become dicts of their fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {"__class__": type(value).__name__}
        for item in dataclasses.fields(value):
            if item.name == "task" and type(value).__name__ == "Invocation":
                continue  # a back-reference to the task execution that holds it
            result[item.name] = _plain(getattr(value, item.name))
        return result
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(repr(item) for item in value)
    return value


def snapshot(mw: MaintenanceWindowsMock) -> dict[str, Any]:
    """Everything the mock holds, from its backend objects: windows (with their targets, tasks, tags and
    compiled schedule), executions (with task executions and invocations), ``ClientToken`` records, the
    next sequence number, the inventory, and the clock."""
    backend = mw.backend
    with backend.lock:
        regions = {}
        for key, state in backend._states.items():
            regions[key] = {
                "windows": _plain(state.windows),
                "executions": _plain(state.executions),
                # The per-window index of the listings (model/ledger.py), by id: it must move with them.
                "logs": {w: [e.window_execution_id for e in log.executions] for w, log in state.logs.items()},
                "tokens": _plain(state.tokens),
                "sequence": repr(state.sequence),  # itertools.count's repr shows the next value
                "inventory": _plain(state.inventory),
            }
            by_window: dict[str, list[str]] = {}
            for execution in state.executions.values():
                by_window.setdefault(execution.window_id, []).append(execution.window_execution_id)
            assert regions[key]["logs"] == by_window, "the per-window index disagrees with the executions"
        return {"now": mw.clock.now(), "regions": regions}


# -- invariants, through the public API ---------------------------------------------------------------------


def pages(call: Any, key: str, **params: Any) -> list[Any]:
    """Every item of a paged Describe call."""
    items: list[Any] = []
    while True:
        answer = call(**params)
        items.extend(answer[key])
        token = answer.get("NextToken")
        if not token:
            return items
        params["NextToken"] = token


def execution_time(text: str) -> datetime:
    """An ``ExecutionTime`` of the schedule listing (``2024-03-05T16:00Z``) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_invariants(ssm: Any, deleted: dict[str, set[str]] | None = None) -> None:
    """What must hold between any two calls, checked through ``ssm`` alone.

    ``deleted`` maps each deleted window id to the execution ids it had: none of them may remain.
    """
    identities = pages(ssm.describe_maintenance_windows, "WindowIdentities")
    for identity in identities:
        window_id = identity["WindowId"]
        got = ssm.get_maintenance_window(WindowId=window_id)
        got.pop("ResponseMetadata")
        # describe == get, for every field they share.
        for field_name, value in identity.items():
            assert got.get(field_name) == value, (window_id, field_name, value, got.get(field_name))
        # NextExecutionTime is the first run of the schedule listing (both absent when disabled).
        listing = ssm.describe_maintenance_window_schedule(WindowId=window_id, MaxResults=1)
        first = listing["ScheduledWindowExecutions"]
        assert got.get("NextExecutionTime") == (first[0]["ExecutionTime"] if first else None), (
            window_id,
            got.get("NextExecutionTime"),
            first,
        )
        if not got["Enabled"]:
            assert first == []
        target_ids = {
            t["WindowTargetId"]
            for t in pages(ssm.describe_maintenance_window_targets, "Targets", WindowId=window_id)
        }
        for task in pages(ssm.describe_maintenance_window_tasks, "Tasks", WindowId=window_id):
            # Every task's WindowTargetIds exist in its window.
            for entry in task.get("Targets") or ():
                if entry["Key"] == "WindowTargetIds":
                    assert set(entry["Values"]) <= target_ids, (window_id, entry, target_ids)
            detail = ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=task["WindowTaskId"])
            for field_name, value in task.items():
                other = "TaskType" if field_name == "Type" else field_name
                assert detail.get(other) == value, (
                    task["WindowTaskId"],
                    field_name,
                    value,
                    detail.get(other),
                )
    for window_id, execution_ids in (deleted or {}).items():
        for execution_id in execution_ids:
            assert error_code(ssm.get_maintenance_window_execution, WindowExecutionId=execution_id) == (
                "DoesNotExistException"
            ), f"execution {execution_id} of deleted window {window_id} remains"


def error_code(call: Any, **params: Any) -> str | None:
    """The error code ``call(**params)`` is refused with, or None if it succeeds."""
    try:
        call(**params)
    except ClientError as error:
        code: str = error.response["Error"]["Code"]
        return code
    return None
