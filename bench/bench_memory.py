"""Bytes per invocation: what the records of a simulated period keep alive, divided by the invocations made.

Run by hand::

    python bench/bench_memory.py                      # this tree, both workloads, 30 simulated days
    python bench/bench_memory.py --days 10 --tree /path/to/another/checkout

Each workload runs in a fresh subprocess: one window on ``cron(0 * * * ? *)`` with 3 Run Command tasks x 10
targets (MaxConcurrency 5), the workload of ``run_all.py``'s simulated year over a shorter period, played
by one ``clock.advance``:

- ``batch``: no hook, so invocations are made and ended in batches (the fast path);
- ``hook``: an ``on_invocation`` hook that reads the invocation's target and answers None, so every
  invocation is made, decided and ended one at a time.

The figure is ``tracemalloc``'s traced memory after the move minus before it, over the invocations the
move made: it counts exactly the Python objects the move leaves alive (records, their ids, the lists
holding them, the per-window index), deterministically, where an RSS delta would also count the
allocator's free lists and arenas and vary from run to run. tracemalloc reports the sizes asked of the
allocator (a 36-character id is 85 bytes, though pymalloc hands out 88), so the figure is a slight
under-estimate of the heap, the same for every tree. tracemalloc slows the move about 4x, hence the
shorter period.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = "2024-01-01T00:00:00Z"


def _child(kind: str, days: int) -> dict[str, float]:
    """In a fresh process: build the window through boto3, then trace one ``clock.advance``."""
    import gc
    import tracemalloc

    import boto3  # type: ignore[import-untyped]
    from workloads import hourly_window  # beside this script

    import ssm_mw_mock
    from ssm_mw_mock import MaintenanceWindowsMock

    with MaintenanceWindowsMock(now=START) as mw:
        ssm = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="b", aws_secret_access_key="b")
        hourly_window(ssm)
        seen: list[int] = []
        if kind == "hook":
            mw.on_invocation(lambda invocation: seen.append(len(invocation.target_id or "")) and None)
        region = mw.backend.state("123456789012", "us-east-1")
        gc.collect()
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        mw.clock.advance(days=days)
        seen.clear()  # the hook's own list is not a record
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        executions = list(region.executions.values())
        invocations = sum(len(task.invocations) for execution in executions for task in execution.tasks)
    return {
        "package": str(Path(ssm_mw_mock.__file__).parent),
        "executions": len(executions),
        "invocations": invocations,
        "bytes": after - before,
        "bytes_per_invocation": (after - before) / invocations,
    }


def measure(kind: str, days: int, tree: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--days", str(days), "--tree", str(tree)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30, help="simulated days per workload")
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="the checkout to measure")
    parser.add_argument("--child", choices=("batch", "hook"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    tree = args.tree.resolve()
    if args.child:
        sys.path.insert(0, str(tree))
        print(json.dumps(_child(args.child, args.days)))
        return
    for kind in ("batch", "hook"):
        result = measure(kind, args.days, tree)
        print(
            f"{kind:5}  {result['invocations']:>7} invocations  {result['executions']:>5} executions  "
            f"{result['bytes_per_invocation']:6.1f} B/invocation  ({result['package']})"
        )


if __name__ == "__main__":
    main()
