"""Per-call cost of a create/get/delete loop: ssm_mw_mock against the send-level floor and against moto.

Run by hand: ``python bench/bench_calls.py [--rounds 15] [--loops 200] [--profile]``.

The three contenders make the same calls through the same kind of boto3 client:

- ``mw``: ssm_mw_mock active (``mock_maintenance_windows``);
- ``floor``: no mock; a ``before-send`` handler registered on the client returns an ``AWSResponse`` with a
  fixed JSON body per operation. botocore still builds, signs and parses every request, so this is the
  least any mock answering at the send level can cost;
- ``moto``: moto's ``mock_aws``;
- ``mw+moto``: ssm_mw_mock inside moto's ``mock_aws``: the maintenance-window calls are still ours, and
  each also asks which account moto gives the client's credentials. ``mw+moto / mw`` is what having moto
  active costs a maintenance-window call.

Rounds are interleaved (the order of contenders is shuffled every round) and the medians reported, so a
slow patch of the machine hurts every contender alike. Also measured: the import cost of ssm_mw_mock on
top of boto3, and the cost of starting and stopping the mock.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.awsrequest import AWSResponse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ssm_mw_mock import MaintenanceWindowsMock, mock_maintenance_windows  # noqa: E402

WINDOW = {
    "Name": "bench-window",
    "Schedule": "cron(0 2 ? * * *)",
    "Duration": 3,
    "Cutoff": 1,
    "AllowUnassociatedTargets": False,
}
CANNED_ID = "mw-0123456789abcdef0"
CANNED = {
    "AmazonSSM.CreateMaintenanceWindow": {"WindowId": CANNED_ID},
    "AmazonSSM.GetMaintenanceWindow": {
        "WindowId": CANNED_ID,
        **WINDOW,
        "Enabled": True,
        "CreatedDate": 1709510400.0,
        "ModifiedDate": 1709510400.0,
    },
    "AmazonSSM.DeleteMaintenanceWindow": {"WindowId": CANNED_ID},
}
CANNED_BODIES = {target: json.dumps(body).encode() for target, body in CANNED.items()}
HEADERS = {
    "x-amzn-RequestId": "c0ffee00-0000-4000-8000-000000000000",
    "Content-Type": "application/x-amz-json-1.1",
}


def client() -> Any:
    return boto3.client(
        "ssm", region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench"
    )


def canned_reply(request: Any, **kwargs: Any) -> AWSResponse:
    target = request.headers["X-Amz-Target"]
    if isinstance(target, bytes):
        target = target.decode()
    response = AWSResponse(request.url, 200, HEADERS, None)
    response._content = CANNED_BODIES[target]
    return response


def floor_client() -> Any:
    ssm = client()
    ssm.meta.events.register("before-send", canned_reply)
    return ssm


def loop(ssm: Any, loops: int) -> None:
    for _ in range(loops):
        window_id = ssm.create_maintenance_window(**WINDOW)["WindowId"]
        ssm.get_maintenance_window(WindowId=window_id)
        ssm.delete_maintenance_window(WindowId=window_id)


@contextmanager
def moto_active() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


@contextmanager
def both_active() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws(), mock_maintenance_windows():
        # One call moto answers first, so its IAM (where access keys map to accounts) is loaded and
        # every maintenance-window call does the full account lookup.
        boto3.client("sts", region_name="us-east-1").get_caller_identity()
        yield


CONTENDERS: dict[str, tuple[Callable[[], AbstractContextManager[Any]], Callable[[], Any]]] = {
    "mw": (lambda: mock_maintenance_windows(), client),
    "floor": (nullcontext, floor_client),
    "moto": (moto_active, client),
    "mw+moto": (both_active, client),
}
CALLS_PER_LOOP = 3


def per_call_us(name: str, loops: int) -> float:
    active, make_client = CONTENDERS[name]
    with active():
        ssm = make_client()
        loop(ssm, 5)  # warm: first-call model loading, moto's backend creation
        start = time.perf_counter()
        loop(ssm, loops)
        elapsed = time.perf_counter() - start
    return elapsed / (loops * CALLS_PER_LOOP) * 1e6


def profile(name: str, loops: int) -> str:
    active, make_client = CONTENDERS[name]
    with active():
        ssm = make_client()
        loop(ssm, 5)
        profiler = cProfile.Profile()
        profiler.enable()
        loop(ssm, loops)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    return out.getvalue()


def import_cost(runs: int) -> tuple[float, float]:
    """(median ms to import boto3 alone, median extra ms for ssm_mw_mock on top), from fresh interpreters."""
    code = (
        "import time; t0 = time.perf_counter(); import boto3; t1 = time.perf_counter(); "
        "import ssm_mw_mock; t2 = time.perf_counter(); print((t1 - t0) * 1e3, (t2 - t1) * 1e3)"
    )
    base, extra = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.split()
        base.append(float(out[0]))
        extra.append(float(out[1]))
    return statistics.median(base), statistics.median(extra)


def import_time_report(threshold_ms: float = 5.0) -> list[tuple[str, float, float]]:
    """What ``import ssm_mw_mock`` spends after boto3, from ``python -X importtime``: (module, self ms,
    cumulative ms) for every module above the threshold, parents first, indented by depth."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import boto3; import ssm_mw_mock"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    lines = done.stderr.splitlines()
    first = next(i for i, line in enumerate(lines) if re.search(r"\|\s*boto3$", line))
    rows = []
    for line in lines[first + 1 :]:
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and int(match.group(2)) / 1e3 >= threshold_ms:
            rows.append(
                (match.group(3) + match.group(4), int(match.group(1)) / 1e3, int(match.group(2)) / 1e3)
            )
    return rows[::-1]


def start_stop_us(repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        mock = MaintenanceWindowsMock(now="2024-03-04T00:00:00Z")
        start = time.perf_counter()
        mock.start()
        mock.stop()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--loops", type=int, default=200, help="create/get/delete loops per round")
    parser.add_argument("--profile", action="store_true", help="cProfile ssm_mw_mock's loop")
    args = parser.parse_args()

    samples: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for _ in range(args.rounds):
        order = list(CONTENDERS)
        random.shuffle(order)
        for name in order:
            samples[name].append(per_call_us(name, args.loops))
    median = {name: statistics.median(values) for name, values in samples.items()}

    print(f"per call, median of {args.rounds} interleaved rounds of {args.loops} create/get/delete loops:")
    for name in CONTENDERS:
        spread = f"{min(samples[name]):.0f}-{max(samples[name]):.0f}"
        print(f"  {name:7} {median[name]:8.1f} us   (range {spread} us)")
    print(f"  ssm_mw_mock / floor = {median['mw'] / median['floor']:.2f}   (target <= 1.20)")
    print(f"  ssm_mw_mock / moto  = {median['mw'] / median['moto']:.2f}   (target <= 0.33)")
    print(f"  with moto / without = {median['mw+moto'] / median['mw']:.2f}   (target <= 1.05)")

    base, extra = import_cost(7)
    print(f"import: boto3 {base:.1f} ms, ssm_mw_mock on top {extra:.1f} ms (median of 7 fresh interpreters)")
    print("  -X importtime after boto3, modules over 5 ms:   self ms   cumulative ms")
    for module, own, cumulative in import_time_report():
        print(f"    {module:42} {own:7.1f} {cumulative:9.1f}")
    print(f"start+stop of a mock: {start_stop_us(200):.1f} us (median of 200)")

    if args.profile:
        print(profile("mw", args.loops))


if __name__ == "__main__":
    main()
