"""Every speed figure of ssm_mw_mock in one run: ``python bench/run_all.py [--write]``.

Prints a table of each figure next to its target (issue 6 item 5, the executions and schedule issues):

- per call (create/get/delete loop) against the canned-reply floor and against moto, as ratios of medians
  of interleaved rounds (``bench_calls.py``);
- ``import ssm_mw_mock`` on top of ``import boto3``, median of fresh interpreters importing from bytecode
  (as an installed package does), and what the first mocked call then costs (the service model is loaded
  lazily, on first use);
- start+stop of a mock;
- one simulated year (2024) of (a) an hourly window with 3 tasks x 10 targets (263,495 invocations: the
  run of 2025-01-01T00:00Z has just started) and (b) a ``rate(5 minutes)`` window without tasks: wall and
  CPU time of ``clock.advance`` and peak RSS, each in a fresh subprocess (``VmHWM``, else
  ``resource.getrusage``; tracemalloc would slow the run 4x), median of several;
- the schedule engine (``bench_schedule.py``): the slowest median ``next_after`` of its cases, and every
  run of ``cron(0/5 * * * ? *)`` in America/New_York over a year.

The machine may be shared: every figure is a median of repeated rounds, and ratios are taken within one
run. ``--write`` puts the table, with the date and this command, into ``docs/performance.md`` (between
its ``figures`` markers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

DOC = ROOT / "docs" / "performance.md"
START_MARK = "<!-- figures:start -->"
END_MARK = "<!-- figures:end -->"
YEAR_START = "2024-01-01T00:00:00Z"


# ------------------------------------------------------------------------------ simulated year (child)


def _simulate(kind: str) -> dict[str, float]:
    """In a fresh process: build the window through boto3, then time one ``clock.advance`` over 2024."""
    import boto3  # type: ignore[import-untyped]
    from workloads import hourly_window

    from ssm_mw_mock import MaintenanceWindowsMock

    with MaintenanceWindowsMock(now=YEAR_START) as mw:
        ssm = boto3.client(
            "ssm", region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench"
        )
        if kind == "hourly":
            hourly_window(ssm)
        else:
            ssm.create_maintenance_window(
                Name="rate5", Schedule="rate(5 minutes)", Duration=1, Cutoff=0, AllowUnassociatedTargets=True
            )
        before = peak_rss_mb()
        start, cpu = time.perf_counter(), time.process_time()
        mw.clock.advance(days=366)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = peak_rss_mb()
        region = mw.backend.state("123456789012", "us-east-1")
        executions = list(region.executions.values())
        invocations = sum(len(task.invocations) for execution in executions for task in execution.tasks)
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,  # steadier than wall time on a shared machine
        "peak_mb": peak,
        "before_mb": before,
        "executions": len(executions),
        "invocations": invocations,
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size.

    ``getrusage``'s ``ru_maxrss`` survives ``execve``: a child started by a big parent (this script, moto
    loaded) would report the parent's peak. Linux's ``VmHWM`` belongs to the new process image, so it is
    preferred where it exists.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def simulate(kind: str, rounds: int) -> dict[str, float]:
    samples = []
    for _ in range(rounds):
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind], capture_output=True, text=True, check=True, cwd=ROOT
        )
        samples.append(json.loads(done.stdout))
    result = {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}
    result["min_seconds"] = min(sample["seconds"] for sample in samples)
    result["max_seconds"] = max(sample["seconds"] for sample in samples)
    return result


# ------------------------------------------------------------------------------------- first call


def _first_call() -> dict[str, float]:
    """In a fresh process: the cost of the first mocked call (it may load what the import did not)."""
    t0 = time.perf_counter()
    import boto3

    t1 = time.perf_counter()
    import ssm_mw_mock

    t2 = time.perf_counter()
    ssm = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="b", aws_secret_access_key="b")
    with ssm_mw_mock.MaintenanceWindowsMock(now=YEAR_START):
        t3 = time.perf_counter()
        ssm.describe_maintenance_windows()
        t4 = time.perf_counter()
        ssm.describe_maintenance_windows()
        t5 = time.perf_counter()
    return {
        "boto3_ms": (t1 - t0) * 1e3,
        "import_ms": (t2 - t1) * 1e3,
        "first_ms": (t4 - t3) * 1e3,
        "second_ms": (t5 - t4) * 1e3,
    }


def first_call(rounds: int, env: dict[str, str]) -> dict[str, float]:
    samples = []
    for _ in range(rounds):
        done = subprocess.run(
            [sys.executable, __file__, "--child", "first-call"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
        )
        samples.append(json.loads(done.stdout))
    return {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}


# ------------------------------------------------------------------------------------------ import

_IMPORT_CODE = (
    "import time; t0 = time.perf_counter(); import boto3; t1 = time.perf_counter(); "
    "import ssm_mw_mock; t2 = time.perf_counter(); print((t1 - t0) * 1e3, (t2 - t1) * 1e3)"
)


def bytecode_env() -> dict[str, str]:
    """The environment of an import measurement: imports from bytecode, as of an installed package.

    The bytecode is written once to a private ``PYTHONPYCACHEPREFIX`` (so the checkout stays clean), even
    where ``PYTHONDONTWRITEBYTECODE`` is set: without it, every import of a checkout compiles our modules
    from source (some 70 ms more on the machine of docs/performance.md), which no installed copy does.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="ssm_mw_mock-bench-")
    subprocess.run([sys.executable, "-c", _IMPORT_CODE], env=env, cwd=ROOT, check=True, capture_output=True)
    return env


def import_cost(runs: int, env: dict[str, str]) -> tuple[float, float]:
    """(median ms to import boto3 alone, median extra ms for ssm_mw_mock on top), from fresh interpreters."""
    base, extra = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT_CODE],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
        ).stdout.split()
        base.append(float(out[0]))
        extra.append(float(out[1]))
    return statistics.median(base), statistics.median(extra)


# ----------------------------------------------------------------------------------------- the run


def per_call(rounds: int, loops: int) -> dict[str, float]:
    import bench_calls

    samples: dict[str, list[float]] = {name: [] for name in bench_calls.CONTENDERS}
    for _ in range(rounds):
        order = list(bench_calls.CONTENDERS)
        random.shuffle(order)
        for name in order:
            samples[name].append(bench_calls.per_call_us(name, loops))
    return {name: statistics.median(values) for name, values in samples.items()}


def schedule_figures() -> tuple[float, str, float, int]:
    import bench_schedule

    from ssm_mw_mock.timing.schedule import WindowSchedule

    worst, worst_case = 0.0, ""
    for expression, zone, offset, after in bench_schedule.CASES:
        schedule = WindowSchedule.build(
            expression, created=bench_schedule.CREATED, timezone=zone, offset_days=offset
        )
        cost = bench_schedule.median_us(schedule, after)
        if cost > worst:
            worst, worst_case = cost, f"{expression} {zone or 'UTC'}"
    year_ms, count = bench_schedule.one_year_ms()
    return worst, worst_case, year_ms, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="interleaved per-call rounds")
    parser.add_argument("--loops", type=int, default=200, help="create/get/delete loops per round")
    parser.add_argument("--sim-rounds", type=int, default=3, help="subprocesses per simulated year")
    parser.add_argument("--write", action="store_true", help=f"write the table into {DOC.relative_to(ROOT)}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = _first_call() if args.child == "first-call" else _simulate(args.child)
        print(json.dumps(result))
        return

    import bench_calls

    rows: list[tuple[str, str, str, bool]] = []  # figure, value, target, met

    def row(name: str, value: str, target: str, met: bool) -> None:
        rows.append((name, value, target, met))
        print(f"{'ok  ' if met else 'MISS'} {name:58} {value:>24}   target {target}", flush=True)

    calls = per_call(args.rounds, args.loops)
    detail = f"({calls['mw']:.0f} / {calls['floor']:.0f} us)"
    row(
        "per call: ssm_mw_mock / canned-reply floor",
        f"{calls['mw'] / calls['floor']:.2f} {detail}",
        "<= 1.20",
        calls["mw"] / calls["floor"] <= 1.2,
    )
    detail = f"({calls['mw']:.0f} / {calls['moto']:.0f} us)"
    row(
        "per call: ssm_mw_mock / moto",
        f"{calls['mw'] / calls['moto']:.2f} {detail}",
        "<= 0.33",
        calls["mw"] / calls["moto"] <= 0.33,
    )
    detail = f"({calls['mw+moto']:.0f} / {calls['mw']:.0f} us)"
    row(
        "per call: ssm_mw_mock beside moto / ssm_mw_mock alone",
        f"{calls['mw+moto'] / calls['mw']:.2f} {detail}",
        "<= 1.05",
        calls["mw+moto"] / calls["mw"] <= 1.05,
    )

    cached = bytecode_env()
    base, extra = import_cost(9, cached)
    row(
        f"import ssm_mw_mock over import boto3 ({base:.0f} ms), from bytecode",
        f"{extra:.1f} ms ({extra / base:.2f}x boto3)",
        "<= 50 ms",
        extra <= 50,
    )
    first = first_call(5, cached)
    row(
        "first mocked call after import (then the second call)",
        f"{first['first_ms']:.1f} ms ({first['second_ms']:.2f} ms)",
        "-",
        True,
    )
    stop = bench_calls.start_stop_us(200)
    row("start+stop of a mock", f"{stop:.0f} us", "<= 1000 us", stop <= 1000)

    hourly = simulate("hourly", args.sim_rounds)
    row(
        f"year, hourly, 3 tasks x 10 targets ({hourly['invocations']:.0f} invocations)",
        f"{hourly['seconds']:.2f} s (CPU {hourly['cpu_seconds']:.2f})",
        "<= 5 s",
        hourly["seconds"] <= 5,
    )
    row(
        "  peak RSS of that process (before the advance)",
        f"{hourly['peak_mb']:.0f} MB ({hourly['before_mb']:.0f})",
        "<= 300 MB",
        hourly["peak_mb"] <= 300,
    )
    rate = simulate("rate", args.sim_rounds)
    row(
        f"year, rate(5 minutes), no tasks ({rate['executions']:.0f} executions)",
        f"{rate['seconds']:.2f} s (CPU {rate['cpu_seconds']:.2f})",
        "<= 1 s",
        rate["seconds"] <= 1,
    )
    row("  peak RSS of that process", f"{rate['peak_mb']:.0f} MB", "-", True)

    worst, case, year_ms, count = schedule_figures()
    row(f"next occurrence, slowest median ({case})", f"{worst:.1f} us", "<= 100 us", worst <= 100)
    row(
        f"year of cron(0/5 * * * ? *), New York ({count} runs)",
        f"{year_ms:.1f} ms",
        "<= 100 ms",
        year_ms <= 100,
    )

    if args.write:
        write(rows, args)


def write(rows: list[tuple[str, str, str, bool]], args: Any) -> None:
    command = "python bench/run_all.py --write"
    lines = [
        START_MARK,
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `{command}` (Python {platform.python_version()}, "
        f"{platform.machine()}, per-call rounds {args.rounds} x {args.loops} loops, "
        f"{args.sim_rounds} subprocesses per simulated year):",
        "",
        "| figure | value | target | met |",
        "|---|---:|---|---|",
    ]
    for name, value, target, met in rows:
        lines.append(f"| {name.strip()} | {value} | {target} | {'yes' if met else '**no**'} |")
    lines.append(END_MARK)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{START_MARK}\n{END_MARK}\n"
    head, _, rest = text.partition(START_MARK)
    _, _, tail = rest.partition(END_MARK)
    DOC.write_text(head + "\n".join(lines) + tail, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
