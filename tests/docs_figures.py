"""The figures in docs/, made from real runs of the mock: ``python -m tests.docs_figures`` rewrites them.

- ``docs/images/timeline.svg``: ``mw.timeline().to_svg()`` of :func:`nightly_run` (three nights of a patch
  window, one failed and one timed-out invocation, the fourth night in progress, the next runs ahead).
- The status diagram in docs/executions.md (between its ``statuses`` markers): every status change of
  executions, tasks and invocations seen while the clock steps through :func:`status_tour`.

Ids are random in every run, so they are replaced by stable ones (in order of appearance) before a figure is
written or compared; tests/test_docs_figures.py fails when a committed figure differs from a fresh one.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3

from ssm_mw_mock import Invocation, MaintenanceWindowsMock, Outcome, mock_maintenance_windows

ROOT = Path(__file__).resolve().parent.parent
TIMELINE_SVG = ROOT / "docs" / "images" / "timeline.svg"
EXECUTIONS_MD = ROOT / "docs" / "executions.md"
BEGIN, END = "<!-- statuses:begin (tests/docs_figures.py writes this) -->", "<!-- statuses:end -->"

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_WINDOW = re.compile(r"mw-0[0-9a-f]{16}")
_TARGET_TASK = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def stable_ids(text: str) -> str:
    """Replace each window id and UUID by a fixed one, numbered in order of first appearance."""
    seen: dict[str, str] = {}

    def window(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(), f"mw-0{len(seen) + 1:016x}")

    def uuid(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(), f"00000000-0000-4000-8000-{len(seen) + 1:012d}")

    return _TARGET_TASK.sub(uuid, _WINDOW.sub(window, text))


def _client() -> Any:
    return boto3.client("ssm", region_name="us-east-1")


def nightly_run(mw: MaintenanceWindowsMock) -> str:
    """A nightly patch window over three instances, run for three nights and into the fourth."""
    ssm = _client()
    instances = ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002", "i-0a1b2c3d4e5f60003"]
    for instance_id in instances:
        mw.add_instance(instance_id, {"Patch Group": "web"})
    window_id: str = ssm.create_maintenance_window(
        Name="nightly-patching",
        Schedule="cron(0 2 ? * * *)",
        Duration=2,
        Cutoff=1,
        AllowUnassociatedTargets=False,
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "tag:Patch Group", "Values": ["web"]}]
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskType="RUN_COMMAND",
        TaskArn="AWS-RunPatchBaseline",
        Priority=1,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="2",
        MaxErrors="1",
    )
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        TaskType="LAMBDA",
        TaskArn="arn:aws:lambda:us-east-1:123456789012:function:patch-report",
        Priority=2,
    )

    def outcome(invocation: Invocation) -> Outcome | None:
        if invocation.task_type != "RUN_COMMAND":
            return None
        night = invocation.start_time.day - 4
        minutes = {instances[0]: 12, instances[1]: 9, instances[2]: 21}[invocation.target_id or ""]
        if night == 2 and invocation.target_id == instances[1]:
            return Outcome("FAILED", timedelta(minutes=3), "yum: Cannot retrieve repository metadata")
        if night == 1 and invocation.target_id == instances[2]:
            return Outcome("TIMED_OUT", timedelta(minutes=40), "Command timed out after 40 minutes")
        return Outcome(duration=timedelta(minutes=minutes))

    mw.on_invocation(outcome)
    mw.clock.advance(days=3, hours=2, minutes=10)  # into the fourth night's run
    return window_id


def timeline_svg() -> str:
    with mock_maintenance_windows(now="2024-03-04T00:00:00Z") as mw:
        nightly_run(mw)
        return stable_ids(mw.timeline().to_svg())


# The status diagram.


def status_tour(mw: MaintenanceWindowsMock) -> Iterator[None]:
    """Runs that pass through every status; yields after each step of the clock, for a snapshot."""
    ssm = _client()
    for instance_id in ("i-00000000000000001", "i-00000000000000002", "i-00000000000000003"):
        mw.add_instance(instance_id, {"Role": "app"})

    def window(name: str, schedule: str, duration: int, cutoff: int, **task: Any) -> str:
        window_id: str = ssm.create_maintenance_window(
            Name=name, Schedule=schedule, Duration=duration, Cutoff=cutoff, AllowUnassociatedTargets=False
        )["WindowId"]
        target = ssm.register_target_with_maintenance_window(
            WindowId=window_id, ResourceType="INSTANCE", Targets=[{"Key": "tag:Role", "Values": ["app"]}]
        )["WindowTargetId"]
        for priority in (1, 2):
            ssm.register_task_with_maintenance_window(
                WindowId=window_id,
                TaskType="RUN_COMMAND",
                TaskArn="AWS-RunShellScript",
                Priority=priority,
                Targets=[{"Key": "WindowTargetIds", "Values": [target]}],
                **{"MaxConcurrency": "1", "MaxErrors": "0", **task},
            )
        return window_id

    # Succeeds, fails, times out; runs past its cutoff (the second task never starts); overlaps itself.
    names = {
        window("passes", "cron(0 1 ? * * *)", 4, 1): "passes",
        window("fails-and-times-out", "cron(0 1 ? * * *)", 4, 1, MaxErrors="5"): "fails-and-times-out",
        window(
            "runs-past-cutoff", "cron(0 1 ? * * *)", 2, 1, CutoffBehavior="CANCEL_TASK"
        ): "runs-past-cutoff",
        window("overlaps", "rate(1 hour)", 6, 1): "overlaps",
    }
    cancelled = window("gets-cancelled", "cron(0 1 ? * * *)", 4, 1)

    def outcome(invocation: Invocation) -> Outcome | None:
        name = names.get(invocation.window_id, "")
        if name == "fails-and-times-out":
            status = "FAILED" if invocation.target_id == "i-00000000000000001" else "TIMED_OUT"
            return Outcome(status, timedelta(minutes=10))
        if name in ("runs-past-cutoff", "overlaps"):
            return Outcome(duration=timedelta(minutes=50))
        return Outcome(duration=timedelta(minutes=10))

    mw.on_invocation(outcome)
    mw.clock.set("2024-03-04T00:59:00Z")
    for minute in range(5 * 60):
        mw.clock.advance(minutes=1)
        if minute == 15:
            [run] = ssm.describe_maintenance_window_executions(WindowId=cancelled)["WindowExecutions"]
            ssm.cancel_maintenance_window_execution(WindowExecutionId=run["WindowExecutionId"])
        yield


def _statuses(mw: MaintenanceWindowsMock) -> dict[tuple[str, str], str]:
    """The status of every execution, task and invocation the mock reports now, keyed by (kind, id)."""
    timeline = mw.timeline(upcoming=0)
    seen: dict[tuple[str, str], str] = {}
    for execution in timeline.executions:
        seen["execution", execution.window_execution_id] = execution.status
        for task in execution.tasks:
            seen["task", task.task_execution_id] = task.status
            for invocation in task.invocations:
                seen["invocation", invocation.invocation_id] = invocation.status
    return seen


def observed_transitions() -> dict[str, set[tuple[str, str]]]:
    """Every (from, to) status change seen per kind; ``[*]`` is "first seen as"."""
    edges: dict[str, set[tuple[str, str]]] = {"execution": set(), "task": set(), "invocation": set()}
    with mock_maintenance_windows(now="2024-03-04T00:00:00Z") as mw:
        before: dict[tuple[str, str], str] = {}
        for _ in status_tour(mw):
            now = _statuses(mw)
            for key, status in now.items():
                old = before.get(key, "[*]")
                if old != status:
                    edges[key[0]].add((old, status))
            before = now
    return edges


def status_diagram() -> str:
    """The Mermaid state diagrams of docs/executions.md, one per kind, edges in a stable order."""
    lines = []
    for kind, edges in observed_transitions().items():
        final = {to for _, to in edges} - {old for old, _ in edges}
        lines += ["", f"**{kind.capitalize()} statuses**", "", "```mermaid", "stateDiagram-v2"]
        lines += [f"    {old} --> {to}" for old, to in sorted(edges)]
        lines += [f"    {status} --> [*]" for status in sorted(final)]
        lines.append("```")
    return "\n".join(lines[1:])


def executions_md_with(diagram: str) -> str:
    text = EXECUTIONS_MD.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{diagram}\n{END}{tail}"


def main() -> None:
    TIMELINE_SVG.parent.mkdir(parents=True, exist_ok=True)
    TIMELINE_SVG.write_text(timeline_svg(), encoding="utf-8")
    EXECUTIONS_MD.write_text(executions_md_with(status_diagram()), encoding="utf-8")
    print(
        f"wrote {TIMELINE_SVG.relative_to(ROOT)} and the status diagram of {EXECUTIONS_MD.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
    sys.exit(0)
