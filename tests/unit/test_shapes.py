"""Tests for ssm_mw_mock.wire.shapes: request settings from input shapes, loud projections, aliases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ssm_mw_mock.model.resources import Target, Task, Window
from ssm_mw_mock.wire import shapes


@dataclass(slots=True)
class _TargetWithoutName:
    window_id: str
    window_target_id: str
    resource_type: str
    targets: list[object]
    owner_information: str | None = None
    description: str | None = None


def test_settings_are_the_input_members_less_the_handled_ones() -> None:
    chosen = shapes.settings(
        "UpdateMaintenanceWindowTarget", Target, frozenset({"WindowId", "WindowTargetId", "Replace"})
    )
    assert chosen == {"Targets", "OwnerInformation", "Name", "Description"}


def test_settings_of_create_window_cover_every_stored_member() -> None:
    chosen = shapes.settings("CreateMaintenanceWindow", Window, frozenset({"ClientToken", "Tags"}))
    assert chosen == {
        "Name",
        "Description",
        "StartDate",
        "EndDate",
        "Schedule",
        "ScheduleTimezone",
        "ScheduleOffset",
        "Duration",
        "Cutoff",
        "AllowUnassociatedTargets",
    }


def test_settings_refuse_a_member_the_model_class_cannot_store() -> None:
    with pytest.raises(AttributeError) as caught:
        shapes.settings(
            "UpdateMaintenanceWindowTarget", _TargetWithoutName, frozenset({"WindowId", "Replace"})
        )
    assert str(caught.value) == (
        "UpdateMaintenanceWindowTarget member Name has no field 'name' on _TargetWithoutName: "
        "add the field, or handle the member in the operation"
    )


def test_settings_refuse_a_handled_name_that_is_not_a_member() -> None:
    with pytest.raises(
        ValueError, match=r"^UpdateMaintenanceWindowTask has no input member\(s\) WindowTaskID$"
    ):
        shapes.settings(
            "UpdateMaintenanceWindowTask", Task, frozenset({"WindowId", "WindowTaskID", "Replace"})
        )


def test_view_fails_loudly_for_a_member_without_attribute() -> None:
    target = _TargetWithoutName("mw-0123456789abcdef0", "t", "INSTANCE", [])
    with pytest.raises(AttributeError) as caught:
        shapes.view(target, "MaintenanceWindowTarget")
    assert str(caught.value) == (
        "_TargetWithoutName has no attribute 'name' for MaintenanceWindowTarget.Name: add the field, "
        "an alias in shapes.ALIASES, or list the member in shapes.NOT_MODELLED with the reason"
    )


def test_view_reads_aliases_and_leaves_out_none() -> None:
    task = Task(
        window_id="mw-0123456789abcdef0",
        window_task_id="task",
        task_arn="AWS-RunShellScript",
        task_type="RUN_COMMAND",
        seq=1,
        service_role_arn="arn:aws:iam::123456789012:role/r",
        priority=1,
    )
    item = shapes.view(task, "MaintenanceWindowTask")
    assert item["Type"] == "RUN_COMMAND"
    assert "TaskType" not in item
    assert "Description" not in item
    assert item["TaskParameters"] == {}


def test_view_leaves_derived_members_to_the_caller() -> None:
    with pytest.raises(AttributeError):
        shapes.view(object(), "MaintenanceWindowIdentityForTarget")
    assert shapes.view(
        Target("mw-0123456789abcdef0", "t", "INSTANCE", [], 1), "MaintenanceWindowTarget", frozenset({"Name"})
    ) == {
        "WindowId": "mw-0123456789abcdef0",
        "WindowTargetId": "t",
        "ResourceType": "INSTANCE",
        "Targets": [],
    }


def test_aliases_name_members_of_their_shapes() -> None:
    for shape_name, aliases in shapes.ALIASES.items():
        assert set(aliases) <= {wire for wire, _ in shapes.members(shape_name)}, shape_name
