"""engine/eventbridge.py on its own: event values, their EventBridge form, stamps and ids."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssm_mw_mock.engine.eventbridge import (
    EXECUTION,
    EventLog,
    MaintenanceWindowEvent,
    _event_id,
    stamp,
)

WHEN = datetime(2024, 3, 4, 2, 0, 5, 123456, tzinfo=UTC)


def _event(status: str = "SUCCESS", window_id: str = "mw-0123456789abcdef0") -> MaintenanceWindowEvent:
    return MaintenanceWindowEvent(
        detail_type=EXECUTION,
        account="123456789012",
        time=WHEN,
        region="eu-west-1",
        resources=(f"arn:aws:ssm:eu-west-1:123456789012:maintenancewindow/{window_id}",),
        detail={"window-id": window_id, "status": status},
        change=f"{window_id} {status}",
    )


def test_to_dict_is_eventbridges_envelope_in_its_order() -> None:
    event = _event()
    as_dict = event.to_dict()
    assert list(as_dict) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert as_dict == {
        "version": "0",
        "id": _event_id("mw-0123456789abcdef0 SUCCESS"),
        "detail-type": EXECUTION,
        "source": "aws.ssm",
        "account": "123456789012",
        "time": "2024-03-04T02:00:05Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:ssm:eu-west-1:123456789012:maintenancewindow/mw-0123456789abcdef0"],
        "detail": {"window-id": "mw-0123456789abcdef0", "status": "SUCCESS"},
    }
    assert (event.window_id, event.status) == ("mw-0123456789abcdef0", "SUCCESS")


def test_an_event_is_frozen() -> None:
    event = _event()
    # A frozen slots dataclass refuses with FrozenInstanceError, or on Python 3.11 with TypeError
    # (CPython's gh-90562: its __setattr__ calls super() on the class slots=True replaced).
    with pytest.raises((dataclasses.FrozenInstanceError, TypeError)):
        event.detail_type = "other"  # type: ignore[misc]
    assert event.detail_type == EXECUTION


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 31), timezones=st.just(UTC)))
def test_stamp_is_utc_with_milliseconds(moment: datetime) -> None:
    text = stamp(moment)
    assert len(text) == 24
    assert text.endswith("Z")
    assert datetime.fromisoformat(text) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def test_stamp_of_another_offset_is_converted_to_utc() -> None:
    assert stamp(WHEN.astimezone(timezone(timedelta(hours=-5)))) == "2024-03-04T02:00:05.123Z"


@given(st.lists(st.text(max_size=20), min_size=1, max_size=4))
def test_event_ids_are_version_4_uuids_and_stable(parts: list[str]) -> None:
    made = _event_id("\0".join(parts))
    parsed = uuid.UUID(made)
    assert str(parsed) == made
    assert parsed.version == 4
    assert parsed.variant == uuid.RFC_4122
    assert _event_id("\0".join(parts)) == made


def test_different_changes_get_different_ids() -> None:
    ids = {_event_id(f"exec {n} {status}") for n in range(500) for status in ("IN_PROGRESS", "SUCCESS")}
    assert len(ids) == 1000


def test_event_log_is_a_sequence_that_filters() -> None:
    log = EventLog([_event("IN_PROGRESS"), _event("SUCCESS"), _event("SUCCESS", "mw-0123456789abcdef1")])
    assert len(log) == 3
    assert log[0].status == "IN_PROGRESS"
    assert log[1:] == [log[1], log[2]]
    assert log.where(status="SUCCESS") == EventLog([log[1], log[2]])
    assert log.where(status="SUCCESS", window_id="mw-0123456789abcdef1") == [log[2]]
    assert log.where(window_execution_id="nope") == []
    assert log.count(log[1]) == 1
    assert log.index(log[2]) == 2
    assert log.to_dicts() == [event.to_dict() for event in log]
    assert repr(log) == "EventLog(3 events)"
    assert (log == "events") is False
