"""What the Run Command and Automation records cost: the simulator per invocation, and the reads.

A month of an hourly window with 3 Run Command tasks x 10 targets (about 21,600 invocations) is played in a
fresh process, without a hook, with a hook that returns a plain ``Outcome``, and with one that returns
standard output too; then the first ``ListCommands`` (which builds the index over the month), a second one,
and a ``GetCommandInvocation`` are timed. With ``--baseline PATH`` (another checkout of the package) the
same runs are made against it, alternating, and each figure is given as a ratio to the baseline's, measured
in the same run::

    python bench/bench_runs.py --baseline ../main --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _play(kind: str, days: int = 30) -> dict[str, float]:
    """In a fresh process: ``days`` of the hourly window, timed in CPU seconds."""
    import boto3  # type: ignore[import-untyped]
    from workloads import hourly_window  # beside this script

    from ssm_mw_mock import MaintenanceWindowsMock, Outcome

    with MaintenanceWindowsMock(now="2024-01-01T00:00:00Z") as mw:
        ssm = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="b", aws_secret_access_key="b")
        hourly_window(ssm)
        if kind == "hook":
            mw.on_invocation(lambda invocation: Outcome())
        elif kind == "output":
            try:
                plain = Outcome(standard_output="ok\n")  # type: ignore[call-arg]
            except TypeError:  # a baseline without the keyword
                plain = Outcome(output="ok")
            mw.on_invocation(lambda invocation: plain)
        cpu = time.process_time()
        mw.clock.advance(days=days)
        figures = {"advance": time.process_time() - cpu}
        if hasattr(ssm, "list_commands") and hasattr(mw.backend, "list_commands"):
            cpu = time.process_time()
            first = ssm.list_commands(MaxResults=50)
            figures["first_list"] = time.process_time() - cpu
            cpu = time.process_time()
            ssm.list_commands(MaxResults=50)
            figures["second_list"] = time.process_time() - cpu
            command = first["Commands"][-1]
            cpu = time.process_time()
            ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=command["InstanceIds"][0])
            figures["get"] = time.process_time() - cpu
    return figures


def run(root: Path, kind: str, days: int = 30) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(root))
    code = f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.bench_runs import _play; "
    code += f"print(json.dumps(_play({kind!r}, {days})))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--days", type=int, default=30, help="how much of the window to play")
    args = parser.parse_args()
    roots = {"this": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    samples: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(args.rounds):
        for kind in ("none", "hook", "output"):
            for name, root in roots.items():
                samples.setdefault((name, kind), []).append(run(root, kind, args.days))

    def median(name: str, kind: str, figure: str) -> float:
        return statistics.median(s[figure] for s in samples[(name, kind)] if figure in s)

    report: dict[str, Any] = {}
    for kind in ("none", "hook", "output"):
        line = {f: round(median("this", kind, f), 4) for f in samples[("this", kind)][0]}
        if args.baseline:
            line["advance_vs_baseline"] = round(
                median("this", kind, "advance") / median("baseline", kind, "advance"), 3
            )
        report[kind] = line
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
