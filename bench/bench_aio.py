"""Per-call cost of a maintenance-window call from an aiobotocore client against a botocore one, both mocked.

Run by hand: ``python bench/bench_aio.py [--rounds 15] [--loops 200]``.

Each loop is create, get and delete of a window (three calls) through one client made once, with
ssm_mw_mock active. Rounds alternate the two clients (in shuffled order) and the medians are reported, so a
slow patch of the machine hurts both alike. The ratio is the aiobotocore call's cost over the botocore
call's: what aiobotocore's own machinery (async events, its request pipeline) adds, since both are
answered by the same backend.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from aiobotocore.session import get_session  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ssm_mw_mock import mock_maintenance_windows  # noqa: E402

WINDOW = {
    "Name": "bench-window",
    "Schedule": "cron(0 2 ? * * *)",
    "Duration": 3,
    "Cutoff": 1,
    "AllowUnassociatedTargets": False,
}
CALLS_PER_LOOP = 3


def botocore_round(client: Any, loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        window_id = client.create_maintenance_window(**WINDOW)["WindowId"]
        client.get_maintenance_window(WindowId=window_id)
        client.delete_maintenance_window(WindowId=window_id)
    return (time.perf_counter() - start) / (loops * CALLS_PER_LOOP)


async def aio_round(client: Any, loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        window_id = (await client.create_maintenance_window(**WINDOW))["WindowId"]
        await client.get_maintenance_window(WindowId=window_id)
        await client.delete_maintenance_window(WindowId=window_id)
    return (time.perf_counter() - start) / (loops * CALLS_PER_LOOP)


async def measure(rounds: int, loops: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"botocore": [], "aiobotocore": []}
    with mock_maintenance_windows():
        sync_client = boto3.client("ssm", region_name="us-east-1")
        async with get_session().create_client("ssm", region_name="us-east-1") as aio_client:
            botocore_round(sync_client, 5)  # warm-up: models loaded, validators compiled
            await aio_round(aio_client, 5)
            for _ in range(rounds):
                order = ["botocore", "aiobotocore"]
                random.shuffle(order)
                for name in order:
                    if name == "botocore":
                        times[name].append(botocore_round(sync_client, loops))
                    else:
                        times[name].append(await aio_round(aio_client, loops))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--loops", type=int, default=200)
    args = parser.parse_args()
    times = asyncio.run(measure(args.rounds, args.loops))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:12} {median * 1e6:8.1f} µs per call (median of {args.rounds} rounds)")
    print(f"aiobotocore / botocore: {medians['aiobotocore'] / medians['botocore']:.2f}x")


if __name__ == "__main__":
    main()
