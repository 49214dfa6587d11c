"""A Run Command invocation's ``Parameters`` text: the plan's ready-made command parts against plain JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ssm_mw_mock.model.history import Invocation, TargetRef, TaskExecution, TaskPlan, run_command_text
from ssm_mw_mock.model.resources import Task

START = datetime(2024, 1, 1, 2, tzinfo=UTC)
EXECUTION_ID = "01234567-89ab-4cde-af01-000000000010"
# Text that would fool a search for the instance ids in the JSON if it were not escaped.
TRICKY = st.sampled_from(['"instanceIds":["mark"]', "mark", '"', "\\", "é", "\u2028", "{", "}"])
TEXT = st.one_of(st.text(max_size=12), TRICKY)


def _plan(template: dict[str, Any], task_type: str = "RUN_COMMAND") -> TaskPlan:
    task = Task(
        window_id="mw-0123456789abcdef0",
        window_task_id="5f2c1a9e-0000-4000-8000-000000000001",
        task_arn="AWS-RunShellScript",
        task_type=task_type,
        seq=0,
        service_role_arn="arn:aws:iam::123456789012:role/mw",
        priority=1,
        max_concurrency="2",
        max_errors="1",
    )
    return TaskPlan(task=task, targets=None, template=template, task_parameters=[])


def _invocation(plan: TaskPlan, target_id: str | None) -> Invocation:
    task = TaskExecution(window_id=plan.task.window_id, window_execution_id=EXECUTION_ID, plan=plan, seq=1)
    target = TargetRef("wt-1" if target_id else None, target_id, "INSTANCE" if target_id else None)
    return Invocation(seq=2, task=task, target=target, start_time=START, _execution_id=None)


templates = st.fixed_dictionaries(
    {},
    optional={
        "Comment": TEXT,
        "DocumentVersion": st.sampled_from(["$LATEST", "$DEFAULT", "3", ""]),
        "TimeoutSeconds": st.integers(30, 2_592_000),
        "Parameters": st.dictionaries(
            st.one_of(TEXT, st.just("instanceIds")), st.lists(TEXT, max_size=3), max_size=3
        ),
    },
)


@given(template=templates, target_id=st.one_of(st.none(), st.just(""), TEXT, st.just("i-0123456789abcdef0")))
def test_ready_made_command_equals_the_json_written_per_invocation(
    template: dict[str, Any], target_id: str | None
) -> None:
    plan = _plan(template)
    text = _invocation(plan, target_id).wire_parameters
    assert text == run_command_text(plan, template, target_id)
    command = json.loads(text)
    assert command["instanceIds"] == ([target_id] if target_id else [])
    assert command["parameters"] == template.get("Parameters", {})
    assert command["comment"] == template.get("Comment", "")
    assert command["maxConcurrency"] == "2"
    mentions = "{{" in json.dumps(template)
    assert (plan.command_parts is None) == mentions


def test_a_pseudo_parameter_makes_each_invocation_write_its_own_command() -> None:
    plan = _plan({"Parameters": {"commands": ["echo {{INVOCATION_ID}} {{WINDOW_EXECUTION_ID}}"]}})
    assert plan.command_parts is None
    invocation = _invocation(plan, "i-0123456789abcdef0")
    command = json.loads(invocation.wire_parameters)
    assert command["parameters"] == {
        "commands": [f"echo {invocation.invocation_id} {EXECUTION_ID}"],
    }
    assert command["instanceIds"] == ["i-0123456789abcdef0"]


def test_only_run_command_plans_carry_command_parts() -> None:
    assert _plan({"Parameters": {"commands": ["uptime"]}}).command_parts is not None
    automation = _plan({"Parameters": {"InstanceId": ["i-1"]}}, task_type="AUTOMATION")
    assert automation.command_parts is None
    assert json.loads(_invocation(automation, "i-1").wire_parameters) == {
        "Parameters": {"InstanceId": ["i-1"]}
    }
