"""The command line: ``python -m ssm_mw_mock serve`` (an SSM endpoint for any AWS client) and ``demo``.

``serve`` runs :class:`~ssm_mw_mock.server.ThreadedServer` in the foreground: it prints
``ssm_mw_mock listening on http://127.0.0.1:PORT`` once the port is bound (``--port 0``, the default,
picks a free one), then the dashboard's address on a second line, and serves until SIGINT or SIGTERM,
then stops cleanly and exits 0. It listens on loopback unless ``--host`` says otherwise; the SSM API has
no authentication, so binding anywhere else is a deliberate choice and is warned about. ``--token`` (or
``$SSM_MW_MOCK_TOKEN``) makes every control-API call carry a secret.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from types import FrameType

from .api.backend import DEFAULT_ACCOUNT
from .loopback import ExposedServerWarning, exposed_warning, is_loopback
from .mock import MaintenanceWindowsMock
from .server import ThreadedServer
from .timing.clock import parse_moment

#: The environment variable ``serve`` reads its control-API token from when ``--token`` is not given.
TOKEN_ENV = "SSM_MW_MOCK_TOKEN"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ssm_mw_mock",
        description="ssm_mw_mock: AWS SSM maintenance windows without AWS.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve SSM's maintenance-window API over HTTP for the AWS CLI and other clients",
        description="Serve SSM's maintenance-window API (and the /_mw/ control API) over HTTP. "
        "Point a client at it with --endpoint-url http://127.0.0.1:PORT.",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; anything but loopback exposes an unauthenticated API)",
    )
    serve.add_argument("--port", type=int, default=0, help="port to listen on (default 0: a free port)")
    serve.add_argument(
        "--now",
        help="where the fake clock starts, ISO-8601 with an offset, such as 2024-03-04T00:00:00Z "
        "(default: the real time)",
    )
    serve.add_argument(
        "--account-id", default=None, help="the 12-digit account the mock's resources belong to"
    )
    serve.add_argument(
        "--token",
        default=None,
        help="a secret every control-API call must carry (X-Mw-Token or Authorization: Bearer); "
        f"default: ${TOKEN_ENV} if set",
    )
    serve.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    commands.add_parser("demo", help="run a short walkthrough of the mock", description="Run the demo.")
    return parser


def serve(host: str, port: int, now: str | None, account_id: str | None, token: str | None = None) -> int:
    """Serve until SIGINT or SIGTERM; returns the exit status."""
    mock = MaintenanceWindowsMock(now=now, account_id=account_id or DEFAULT_ACCOUNT)
    if not is_loopback(host):
        print(f"ssm_mw_mock: warning: {exposed_warning(host, token)}", file=sys.stderr, flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ExposedServerWarning)  # said above, in the CLI's own words
            server = ThreadedServer(mock, host=host, port=port, token=token).start()
        try:
            print(f"ssm_mw_mock listening on {server.endpoint_url}", flush=True)
            print(f"ssm_mw_mock dashboard at {server.endpoint_url}/_mw/", flush=True)
            while not stop.wait(0.2):  # a timed wait, so the signal handler gets to run promptly
                pass
        finally:
            server.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("ssm_mw_mock stopped", file=sys.stderr, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "demo":
        # Imported only when asked for, so serving never depends on the demo module.
        try:
            demo = importlib.import_module(f"{__package__}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{__package__}.demo":
                raise
            print("ssm_mw_mock: error: this copy of ssm_mw_mock has no demo module", file=sys.stderr)
            return 2
        status = demo.run_demo()
        return status if isinstance(status, int) else 0
    if arguments.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(message)s")
    token = arguments.token if arguments.token is not None else os.environ.get(TOKEN_ENV) or None
    if not 0 <= arguments.port <= 65535:
        print(f"ssm_mw_mock: error: --port must be from 0 to 65535, not {arguments.port}", file=sys.stderr)
        return 2
    try:
        if arguments.now is not None:
            parse_moment(arguments.now, what="--now")
        return serve(arguments.host, arguments.port, arguments.now, arguments.account_id, token)
    except OverflowError:
        print(
            f"ssm_mw_mock: error: --now {arguments.now} is outside the dates the clock can hold "
            "(years 1 to 9999, in UTC)",
            file=sys.stderr,
        )
        return 2
    except (ValueError, OSError) as error:
        print(f"ssm_mw_mock: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
