"""What EventBridge events cost the simulator: a simulated year, before and after, and with a listener.

``python bench/bench_events.py [--rounds N] [--before PATH]`` times one ``clock.advance(days=366)`` of the
two workloads of ``run_all.py`` (an hourly window with 3 tasks x 10 targets, and a ``rate(5 minutes)``
window without tasks) in fresh subprocesses, alternating between the tree at ``--before`` (a checkout
without events) and this one. This tree is also timed with an ``on_event`` hook that does nothing (every
event built and delivered live), and the time to read ``mw.events`` afterwards (every event derived from
the records) is printed. Figures are medians of CPU seconds; the ratios are taken within one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import json, sys, time
kind, listen, read_back = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"
import boto3
from ssm_mw_mock import MaintenanceWindowsMock
with MaintenanceWindowsMock(now="2024-01-01T00:00:00Z") as mw:
    ssm = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="b", aws_secret_access_key="b")
    if kind == "hourly":
        wid = ssm.create_maintenance_window(Name="hourly", Schedule="cron(0 * * * ? *)", Duration=1, Cutoff=0,
                                            AllowUnassociatedTargets=False)["WindowId"]
        tid = ssm.register_target_with_maintenance_window(
            WindowId=wid, ResourceType="INSTANCE",
            Targets=[{"Key": "InstanceIds", "Values": [f"i-{n:017x}" for n in range(10)]}])["WindowTargetId"]
        for priority in (1, 2, 3):
            ssm.register_task_with_maintenance_window(
                WindowId=wid, Targets=[{"Key": "WindowTargetIds", "Values": [tid]}],
                TaskArn="AWS-RunShellScript", TaskType="RUN_COMMAND", Priority=priority,
                MaxConcurrency="5", MaxErrors="1",
                TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": ["uptime"]}}})
    else:
        ssm.create_maintenance_window(Name="rate5", Schedule="rate(5 minutes)", Duration=1, Cutoff=0,
                                      AllowUnassociatedTargets=True)
    count = [0]
    if listen:
        def hook(event):
            count[0] += 1
        mw.on_event(hook)
    cpu = time.process_time()
    mw.clock.advance(days=366)
    cpu = time.process_time() - cpu
    read = None
    if read_back and hasattr(mw, "events"):
        read = time.process_time()
        events = len(mw.events)
        read = time.process_time() - read
    else:
        events = None
print(json.dumps({"cpu": cpu, "read": read, "events": events, "heard": count[0]}))
"""


def child(tree: Path, kind: str, listen: bool, read_back: bool = False) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, "1" if listen else "0", "1" if read_back else "0"],
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, default=Path("/work/wt/before"))
    parser.add_argument("--kinds", default="hourly,rate5")
    parser.add_argument("--no-listen", action="store_true", help="skip the runs with a hook")
    parser.add_argument("--no-read", action="store_true", help="do not time reading mw.events")
    args = parser.parse_args()
    started = time.time()
    for kind in args.kinds.split(","):
        figures: dict[str, list[float]] = {"before": [], "after": [], "listening": []}
        reads: list[float] = []
        info: dict[str, float] = {}
        for _ in range(args.rounds):
            figures["before"].append(child(args.before, kind, False)["cpu"])
            after = child(ROOT, kind, False, not args.no_read)
            figures["after"].append(after["cpu"])
            reads.append(after["read"] if after["read"] is not None else float("nan"))
            heard = -1.0
            if not args.no_listen:
                listening = child(ROOT, kind, True)
                figures["listening"].append(listening["cpu"])
                heard = listening["heard"]
            info = {"events": after["events"], "heard": heard}
        med = {name: statistics.median(values or [float("nan")]) for name, values in figures.items()}
        read = statistics.median(reads)
        print(
            f"{kind}: {info['events']} events (heard live: {info['heard']}); median CPU s of "
            f"{args.rounds} rounds: before {med['before']:.3f}, after {med['after']:.3f} "
            f"(x{med['after'] / med['before']:.3f}), listening {med['listening']:.3f} "
            f"(x{med['listening'] / med['before']:.3f}); reading mw.events {read:.3f} "
            f"(x{read / med['before']:.3f} of the year)"
        )
    print(f"({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
