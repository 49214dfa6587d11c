"""The HTTP server: one mock's SSM on a port, for the AWS CLI, other SDKs, Terraform and plain HTTP.

``python -m ssm_mw_mock serve`` and :class:`ThreadedServer` run a ``ThreadingHTTPServer`` whose handler
hands SSM requests (``POST /`` with ``X-Amz-Target``) to :func:`endpoint.answer` — the same wire layer and
backend the botocore front door uses — and ``/_mw/...`` requests to the control API (:mod:`.control`).

The server reads the mock's ``backend`` and ``clock`` but does not *start* the mock: starting it would
patch botocore in this process, and a boto3 client given the server's ``endpoint_url`` would then be
answered in-process without ever reaching the server. (If the mock is started later anyway, the server
follows it to its fresh state.)

Robustness, because a test endpoint must never be the thing that hangs or dies: every answer is JSON,
including malformed HTTP; a body over :data:`MAX_BODY` gets 413 without being held in memory; an idle or
stalled connection times out; ``stop()`` stops accepting, wakes idle keep-alive connections, lets
requests in flight finish and joins every thread. It binds to loopback unless told otherwise.

Known differences from AWS: docs/known-differences.md#server-mode.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import socket
import socketserver
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from . import __version__, control
from .doors import endpoint
from .doors.endpoint import Reply
from .engine.outcomes import HookError
from .loopback import ExposedServerWarning as ExposedServerWarning  # raised here, so importable from here
from .loopback import exposed_warning, host_name, is_ipv6, is_loopback, names_this_server
from .mock import MaintenanceWindowsMock

logger = logging.getLogger(__name__)

#: The largest request body read. SSM's own requests stay far below it (its largest maintenance-window
#: members are task parameters of a few KiB each); the cap keeps one runaway or hostile client from
#: filling the memory of the test process, and still leaves room for any plausible test payload.
MAX_BODY = 10 * 1024 * 1024
#: Seconds a connection may sit idle (or stall mid-request) before the server drops it.
IDLE_TIMEOUT = 30.0
#: After a 413, how much of the unread body to swallow (and how long to wait for each piece) so the
#: client sees the answer instead of a connection reset.
_DRAIN_LIMIT = 4 * MAX_BODY
_DRAIN_TIMEOUT = 0.5
_MAX_TRAILERS = 100


class _Rejected(Exception):
    """A request whose body cannot be read: answer ``reply`` and close the connection."""

    def __init__(self, reply: Reply, unread: int | None = 0) -> None:
        super().__init__(reply.status)
        self.reply = reply
        self.unread = unread  # body bytes still on the wire (None: unknown), swallowed after answering


def _foreign_host(host: str | None, bound_host: str) -> Reply | None:
    """Refuse an SSM call whose ``Host`` names another machine while the server listens on loopback.

    A page whose name an attacker points at 127.0.0.1 (DNS rebinding) is same-origin with the server, so
    the browser sends it ``X-Amz-Target`` without a pre-flight; its requests still name the page's host.
    Loopback names, the bound address and SSM's own host names (a hosts-file entry sending
    ``ssm.<region>.amazonaws.com`` here) are served; a request with no ``Host`` (never a browser's) too.
    A server bound beyond loopback serves every name: other machines reach it by theirs.
    """
    if not host or not is_loopback(bound_host) or names_this_server(host, bound_host):
        return None
    if endpoint.SSM_HOST.fullmatch(host_name(host)):
        return None
    return endpoint.json_reply(
        403,
        "Forbidden",
        f"This ssm_mw_mock server listens on {bound_host} and answers only requests for this machine "
        f"(localhost, 127.0.0.1, [::1]) or SSM's own host names; this one is for {host!r}. To serve other "
        "names, listen on another address (--host).",
    )


class MaintenanceWindowsHTTPServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` over one mock that can close its open connections on shutdown."""

    daemon_threads = True
    block_on_close = True

    def __init__(
        self,
        mock: MaintenanceWindowsMock,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str | None = None,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be from 0 to 65535, not {port}")
        if token is not None and not token:
            raise ValueError("token must not be empty: give a secret string, or None for no token")
        if not is_loopback(host):
            warnings.warn(exposed_warning(host, token), ExposedServerWarning, stacklevel=3)
        self.mock = mock
        self.token = token
        self.bound_host = host.strip("[]")
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        if is_ipv6(host):
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall on a machine with slow DNS;
        # nothing here uses it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property
    def endpoint_url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host!s}]" if self.address_family == socket.AF_INET6 else str(host)
        return f"http://{shown}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake every handler waiting for a next request; a request being answered still gets its answer."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # SHUT_RD: a handler blocked reading sees end-of-stream and returns; one writing an answer
            # finishes writing it.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RD)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up mid-answer is not news; anything else is a bug of ours worth a traceback.
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as AWS clients expect
    timeout = IDLE_TIMEOUT
    server: MaintenanceWindowsHTTPServer

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except _Rejected as rejected:
            self.close_connection = True
            self._send(rejected.reply)
            self._drain(rejected.unread)
            return
        except (TimeoutError, ConnectionError):
            self.close_connection = True  # the client stalled or left mid-body; nobody to answer
            return
        try:
            reply = self._answer(body)
        except HookError as error:  # the Python hook set on this server's mock failed during a move
            reply = endpoint.json_reply(500, "HookError", f"{error} The clock stands at that instant.")
        except Exception:  # a bug of ours; the client still gets an HTTP answer
            logger.exception("ssm_mw_mock failed on %s %s", self.command, self.path)
            reply = endpoint.json_reply(500, "InternalServerError", "ssm_mw_mock failed on this request.")
        self._send(reply)

    def _answer(self, body: bytes) -> Reply:
        mock = self.server.mock
        if control.is_control(self.path):
            refused = control.guard(
                self.command,
                self.path,
                self.headers,
                token=self.server.token,
                bound_host=self.server.bound_host,
            )
            if refused is not None:
                return refused
            reply = control.handle(mock, self.command, self.path, body)
        else:
            refused = _foreign_host(self.headers.get("Host"), self.server.bound_host)
            if refused is not None:
                return refused
            reply = endpoint.answer(
                mock.backend,
                mock.account_id,
                method=self.command,
                path=self.path,
                target=self.headers.get("X-Amz-Target"),
                authorization=self.headers.get("Authorization"),
                host=self.headers.get("Host"),
                body=body,
            )
        return reply

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        declared = self.headers.get("Content-Length")
        if declared is None:
            return b""
        try:
            length = int(declared)
            if length < 0:
                raise ValueError
        except ValueError:
            raise _Rejected(_bad_request(f"Content-Length {declared!r} is not a byte count.")) from None
        if length > MAX_BODY:
            raise _Rejected(_too_large(f"{length} bytes"), unread=length)
        body = self.rfile.read(length)
        if len(body) < length:
            raise ConnectionError("the client closed the connection mid-body")
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            digits = line.split(b";", 1)[0].strip()
            if not digits or not all(c in b"0123456789abcdefABCDEF" for c in digits):
                raise _Rejected(_bad_request("The chunked request body is malformed."), unread=None)
            size = int(digits, 16)
            if size == 0:
                for _ in range(_MAX_TRAILERS):  # trailers, up to the blank line
                    if not self.rfile.readline(1024).strip():
                        return b"".join(chunks)
                raise _Rejected(_bad_request("The chunked request body has too many trailers."), unread=None)
            total += size
            if total > MAX_BODY:
                raise _Rejected(_too_large("a chunked body"), unread=None)
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                raise ConnectionError("the client closed the connection mid-body")
            chunks.append(chunk)
            self.rfile.readline(1024)  # the CRLF after the chunk

    def handle_expect_100(self) -> bool:
        # A client that waits for "100 Continue" before a huge body hears "413" instead, and never sends it.
        declared = self.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            self.close_connection = True
            self._send(_too_large(f"{declared} bytes"))
            return False
        return super().handle_expect_100()

    def setup(self) -> None:
        super().setup()
        # Answers go out in one write (see _send), so Nagle's algorithm has nothing to wait for; turning it
        # off anyway keeps a kept-alive connection from stalling on the client's delayed ACK (~40 ms).
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        # Status line, headers and body in one write: two writes on a kept-alive connection meet the
        # client's delayed ACK under Nagle's algorithm and stall each answer by ~40 ms.
        head = b"".join(self._headers_buffer) + b"\r\n"
        self._headers_buffer: list[bytes] = []
        self.wfile.write(head if self.command == "HEAD" else head + reply.body)

    def _drain(self, unread: int | None) -> None:
        """Swallow what is left of a refused body, so the client reads our answer rather than a reset."""
        remaining = _DRAIN_LIMIT if unread is None else min(unread, _DRAIN_LIMIT)
        with contextlib.suppress(OSError):
            self.connection.settimeout(_DRAIN_TIMEOUT)
            while remaining > 0:
                piece = self.rfile.read1(min(remaining, 1 << 16))
                if not piece:
                    break
                remaining -= len(piece)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server calls this for HTTP it cannot parse (bad request line, oversized headers, an
        # unknown method); answer in JSON like everything else, then hang up.
        self.close_connection = True
        if code == 501:  # http.server's answer to a method with no do_<METHOD>: a 405, as documented
            self._send(self._method_not_allowed())
            return
        if self.request_version == "HTTP/0.9":  # a garbled request line; answer with a real status line
            self.request_version = "HTTP/1.1"
        reason = self.responses.get(code, ("Error",))[0]
        text = message or reason
        if explain:
            text = f"{text}: {explain}"
        self._send(endpoint.json_reply(code, reason.replace(" ", ""), text))

    def _method_not_allowed(self) -> Reply:
        if control.is_control(self.path):
            allowed = ", ".join(control.allowed_methods(self.path)) or "GET, POST"
        else:
            allowed = "POST"
        return endpoint.json_reply(
            405,
            "MethodNotAllowed",
            f"{self.command} is not allowed on {self.path.split('?', 1)[0]}; use {allowed}",
            {"Allow": allowed},
        )

    def version_string(self) -> str:
        return f"ssm_mw_mock/{__version__}"

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header tells the fake time, like every other timestamp the mock gives out.
        return email.utils.format_datetime(self.server.mock.clock.now(), usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)


def _bad_request(message: str) -> Reply:
    return endpoint.json_reply(400, "BadRequest", message)


def _too_large(what: str) -> Reply:
    return endpoint.json_reply(
        413,
        "RequestEntityTooLarge",
        f"The request body ({what}) is over ssm_mw_mock's limit of {MAX_BODY} bytes.",
    )


class ThreadedServer:
    """The HTTP server on a background thread; a context manager.

    ``with ThreadedServer(now="2024-03-04T00:00:00Z") as server:`` gives ``server.endpoint_url`` (a free
    loopback port unless ``port`` is given) and ``server.mock`` (its ``clock``, ``reset()``, ``backend``).

    Args:
        mock: the mock to serve; by default a new one (``now`` is passed to it).
        host: where to listen; loopback unless you choose otherwise.
        port: 0 picks a free port.
        now: the fake clock's start, for a new mock.
        token: a secret every control-API call (``/_mw/``) must then carry, as ``X-Mw-Token: <token>`` or
            ``Authorization: Bearer <token>``.

    Binding anything but loopback warns (:class:`ExposedServerWarning`).
    """

    def __init__(
        self,
        mock: MaintenanceWindowsMock | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        now: str | None = None,
        token: str | None = None,
    ) -> None:
        if mock is not None and now is not None:
            raise ValueError("give ThreadedServer a mock or now=, not both: now= is for the mock it creates")
        self.mock = mock if mock is not None else MaintenanceWindowsMock(now=now)
        self._host = host
        self._port = port
        self._token = token
        self._httpd: MaintenanceWindowsHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ThreadedServer:
        """Bind and serve; ``RuntimeError`` if already serving, ``OSError`` if the port is taken."""
        if self._httpd is not None:
            raise RuntimeError("this ThreadedServer is already serving at " + self.endpoint_url)
        self._httpd = MaintenanceWindowsHTTPServer(self.mock, self._host, self._port, token=self._token)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"ssm_mw_mock server {self._httpd.endpoint_url}",
            daemon=True,
        )
        self._thread.start()
        return self

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``, for ``endpoint_url=`` or ``--endpoint-url``."""
        if self._httpd is None:
            raise RuntimeError("the server is not running: call start() or use it in a with block")
        return self._httpd.endpoint_url

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running: call start() or use it in a with block")
        return int(self._httpd.server_address[1])

    def stop(self) -> None:
        """Stop accepting, finish requests in flight, close connections and join every thread. Idempotent."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._httpd = self._thread = None
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()  # joins the handler threads (block_on_close)
        thread.join()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
