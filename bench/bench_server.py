"""Requests per second through HTTP: ssm_mw_mock's server against moto's, on the same workload, in one run.

Run by hand (not a test), after ``pip install -e '.[bench]'`` (moto's server extra)::

    .venv/bin/python bench/bench_server.py [--rounds 150] [--clients 1 8]

Each server runs in its own process on a free loopback port, so neither shares the GIL with the boto3
clients. Each client thread has its own boto3 session and client (kept-alive connections, as real users
have) and does a fixed number of rounds of: create a window, get it, describe windows (one page of 10),
delete it — four requests, state bounded. The figure is requests answered per second of wall time, and
the ratio ours / moto's for each client count.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
REQUESTS_PER_ROUND = 4
START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # an HTTP answer, even an error status, means the server is accepting
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server at {url} did not come up within {START_TIMEOUT} s")


@contextlib.contextmanager
def _serving(command: list[str], url: str, probe: str) -> Iterator[str]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        _wait_until_up(url + probe, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ours() -> contextlib.AbstractContextManager[str]:
    port = _free_port()
    command = [sys.executable, "-m", "ssm_mw_mock", "serve", "--port", str(port)]
    return _serving(command, f"http://127.0.0.1:{port}", "/_mw/health")


def motos() -> contextlib.AbstractContextManager[str]:
    port = _free_port()
    moto_server = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or "moto_server"
    return _serving([moto_server, "-H", "127.0.0.1", "-p", str(port)], f"http://127.0.0.1:{port}", "/")


def _client(url: str) -> object:
    session = boto3.session.Session()  # one per thread: boto3's default session is not thread-safe
    return session.client(
        "ssm",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _rounds(ssm: object, rounds: int, tag: str, errors: list[BaseException]) -> None:
    try:
        for number in range(rounds):
            window = ssm.create_maintenance_window(  # type: ignore[attr-defined]
                Name=f"bench-{tag}-{number}",
                Schedule="cron(0 2 ? * * *)",
                Duration=3,
                Cutoff=1,
                AllowUnassociatedTargets=True,
            )["WindowId"]
            ssm.get_maintenance_window(WindowId=window)  # type: ignore[attr-defined]
            ssm.describe_maintenance_windows(MaxResults=10)  # type: ignore[attr-defined]
            ssm.delete_maintenance_window(WindowId=window)  # type: ignore[attr-defined]
    except BaseException as error:  # reported by the main thread
        errors.append(error)


def requests_per_second(url: str, clients: int, rounds: int) -> float:
    ssms = [_client(url) for _ in range(clients)]
    _rounds(ssms[0], 2, "warm", [])  # connections open, the server's lazy parts loaded
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_rounds, args=(ssm, rounds, str(index), errors))
        for index, ssm in enumerate(ssms)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return clients * rounds * REQUESTS_PER_ROUND / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=150, help="rounds per client (4 requests each)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    arguments = parser.parse_args()
    results: dict[str, dict[int, float]] = {}
    for name, serving in (("ssm_mw_mock", ours), ("moto_server", motos)):
        with serving() as url:
            results[name] = {n: requests_per_second(url, n, arguments.rounds) for n in arguments.clients}
    print(f"{'clients':>7}  {'ssm_mw_mock req/s':>17}  {'moto_server req/s':>17}  {'ratio':>6}")
    for n in arguments.clients:
        mine, theirs = results["ssm_mw_mock"][n], results["moto_server"][n]
        print(f"{n:>7}  {mine:>17.0f}  {theirs:>17.0f}  {mine / theirs:>5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
