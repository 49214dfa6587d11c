"""The control API: what a Python test does through ``mw.clock`` and ``mw.reset()``, as JSON over HTTP.

The HTTP server answers it on its own port under ``/_mw/``, so a test written in any language (a shell
script driving the AWS CLI, a Go or Terraform test) can move the fake clock and reset state:

- ``GET /_mw/`` → the dashboard, an HTML page; ``GET /_mw/view`` → its changing part (:mod:`.dashboard`)
- ``GET /_mw/health`` → ``{"status": "ok", "now", "account", "operations"}``
- ``GET /_mw/clock`` → ``{"now"}``
- ``POST /_mw/clock/advance`` with any of ``{"days", "hours", "minutes", "seconds"}`` → ``{"now"}``
- ``POST /_mw/clock/set`` with ``{"now": "2024-03-05T16:10:00Z"}`` (forward only) → ``{"now"}``
- ``POST /_mw/reset`` (forget every window; the clock keeps its time) → ``{"now"}``
- ``POST /_mw/outcomes`` with ``{"rules": [{"match": {...}, "status", "duration_seconds", "output"}]}``:
  what ``mw.on_invocation`` does in Python. Each invocation takes the first rule whose ``match`` (any of
  ``target_id``, ``window_id``, ``window_task_id``, ``task_arn``, ``task_type``; all given keys must equal)
  fits it; with no fitting rule it succeeds. A new post replaces the rules; ``{"rules": []}`` clears them.
  → ``{"rules": <count>}``; ``GET /_mw/outcomes`` → ``{"rules": <count>}`` (``null`` for a Python hook)

Every request passes :func:`guard` first, because a browser on the developer's machine can reach a
loopback port (see docs/server.md for the threat model): a ``Host`` that is not a loopback name or address
is refused (DNS rebinding) unless a token is set; an ``Origin`` other than the server's own is refused; a
POST must say ``Content-Type: application/json``, so a cross-origin page cannot send one without a CORS
pre-flight, and pre-flights (``OPTIONS``) are refused; with a token set, every call must carry it as
``X-Mw-Token: <token>`` or ``Authorization: Bearer <token>`` — except ``GET /_mw/``, the dashboard's
shell, which holds no state (what it shows comes from ``GET /_mw/view``, which needs the token).

``now`` is ISO-8601 in UTC (``2024-03-04T00:00:00Z``). Errors use SSM's envelope,
``{"__type": code, "message": text}``: 400 ``BadRequest`` (bad JSON, unknown keys, moving the clock
backwards — the message is the clock's own), 401 ``Unauthorized``, 403 ``Forbidden``, 404 ``NotFound``,
405 ``MethodNotAllowed``, 415 ``UnsupportedMediaType``.

This is not an AWS API, so there is nothing to differ from; it mirrors the Python handle.
"""

from __future__ import annotations

import hmac
import json
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from . import dashboard
from .doors.endpoint import Reply, nests_too_deep
from .engine.outcomes import Outcome
from .loopback import names_this_server
from .mock import MaintenanceWindowsMock
from .model.history import Invocation

PREFIX = "/_mw"
_ADVANCE_KEYS = ("days", "hours", "minutes", "seconds")
_MATCH_KEYS = ("target_id", "window_id", "window_task_id", "task_arn", "task_type")
_RULE_KEYS = ("match", "status", "duration_seconds", "output")
#: The longest outcome duration a rule may give. SSM ends a window within 24 hours and caps a Run Command
#: execution at 48; a year is far past both, and keeps every end time inside what the clock can hold.
MAX_OUTCOME_SECONDS = 366 * 24 * 3600
TOKEN_HEADER = "X-Mw-Token"


class Headers(Protocol):
    """Request headers, looked up case-insensitively (``http.client``'s and ``requests``' are)."""

    def get(self, name: str, /) -> str | None: ...


class _BadRequest(Exception):
    pass


def is_control(path: str) -> bool:
    """Whether ``path`` belongs to the control API rather than to SSM."""
    path = path.split("?", 1)[0]
    return path == PREFIX or path.startswith(PREFIX + "/")


def iso(moment: datetime) -> str:
    """A fake-clock instant as the control API writes it: ISO-8601, UTC, ``Z``."""
    return moment.isoformat().replace("+00:00", "Z")


def _ok(result: dict[str, Any]) -> Reply:
    return Reply(200, json.dumps(result).encode(), {"Content-Type": "application/json"})


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps({"__type": code, "message": message}).encode()
    return Reply(status, body, {"Content-Type": "application/json", **(headers or {})})


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    if nests_too_deep(body):
        raise _BadRequest("The request body nests JSON more deeply than any control call needs.")
    try:
        # parse_constant: Python reads Infinity and NaN, which JSON does not have.
        value = json.loads(body, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _BadRequest("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise _BadRequest("The request body must be a JSON object.")
    return value


def _health(mock: MaintenanceWindowsMock, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "ok",
        "now": iso(mock.clock.now()),
        "account": mock.account_id,
        "operations": mock.backend.supported(),
    }


def _now(mock: MaintenanceWindowsMock, body: dict[str, Any]) -> dict[str, Any]:
    return {"now": iso(mock.clock.now())}


def _advance(mock: MaintenanceWindowsMock, body: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - set(_ADVANCE_KEYS))
    if unknown or not body:
        raise _BadRequest(
            "clock/advance takes one or more of days, hours, minutes, seconds, such as "
            '{"hours": 3}' + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
    amounts: dict[str, float] = {}
    for key, value in body.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _BadRequest(f"clock/advance: {key} must be a number, not {json.dumps(value)}")
        amounts[key] = value
    try:
        mock.clock.advance(
            days=amounts.get("days", 0),
            hours=amounts.get("hours", 0),
            minutes=amounts.get("minutes", 0),
            seconds=amounts.get("seconds", 0),
        )
    except OverflowError:
        raise _BadRequest(f"clock/advance: {body} is too far to move the clock") from None
    return {"now": iso(mock.clock.now())}


def _set(mock: MaintenanceWindowsMock, body: dict[str, Any]) -> dict[str, Any]:
    if set(body) != {"now"} or not isinstance(body["now"], str):
        raise _BadRequest('clock/set takes {"now": "<ISO-8601 date-time with an offset>"}')
    try:
        mock.clock.set(body["now"])
    except OverflowError:
        raise _BadRequest(
            f"clock/set: {body['now']} is outside the dates the clock can hold (years 1 to 9999, in UTC)"
        ) from None
    return {"now": iso(mock.clock.now())}


def _reset(mock: MaintenanceWindowsMock, body: dict[str, Any]) -> dict[str, Any]:
    mock.reset()
    return {"now": iso(mock.clock.now())}


_Route = Callable[[MaintenanceWindowsMock, dict[str, Any]], dict[str, Any]]


class OutcomeRules:
    """An outcome hook made of JSON rules: the first rule whose ``match`` fits an invocation decides."""

    def __init__(self, rules: list[tuple[dict[str, str], Outcome]]) -> None:
        self.rules = rules

    def __call__(self, invocation: Invocation) -> Outcome | None:
        for match, outcome in self.rules:
            if all(getattr(invocation, key) == value for key, value in match.items()):
                return outcome
        return None


def _outcome_rules(body: dict[str, Any]) -> OutcomeRules:
    if set(body) != {"rules"} or not isinstance(body["rules"], list):
        raise _BadRequest('the body must be {"rules": [...]}')
    rules: list[tuple[dict[str, str], Outcome]] = []
    for number, rule in enumerate(body["rules"], 1):
        if not isinstance(rule, dict) or set(rule) - set(_RULE_KEYS):
            raise _BadRequest(f"rule {number} must be an object with keys among {', '.join(_RULE_KEYS)}")
        match = rule.get("match", {})
        if not isinstance(match, dict) or set(match) - set(_MATCH_KEYS):
            raise _BadRequest(f"rule {number}: match takes keys among {', '.join(_MATCH_KEYS)}")
        if not all(isinstance(value, str) for value in match.values()):
            raise _BadRequest(f"rule {number}: match values must be strings")
        seconds = rule.get("duration_seconds")
        if seconds is not None and (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not math.isfinite(seconds)
            or not 0 <= seconds <= MAX_OUTCOME_SECONDS
        ):
            raise _BadRequest(
                f"rule {number}: duration_seconds must be a number from 0 to {MAX_OUTCOME_SECONDS} "
                f"(366 days), not {json.dumps(seconds)}"
            )
        output = rule.get("output")
        if output is not None and not isinstance(output, str):
            raise _BadRequest(f"rule {number}: output must be a string")
        status = rule.get("status", "SUCCESS")
        duration = None if seconds is None else timedelta(seconds=seconds)
        rules.append((match, Outcome(status=status, duration=duration, output=output)))
    return OutcomeRules(rules)


def _outcomes(mock: MaintenanceWindowsMock, body: dict[str, Any]) -> dict[str, Any]:
    rules = _outcome_rules(body)  # every rule checked before the mock's hook is touched
    mock.on_invocation(rules if rules.rules else None)
    return {"rules": len(rules.rules)}


def _outcome_count(mock: MaintenanceWindowsMock, body: dict[str, Any]) -> dict[str, Any]:
    hook = mock.outcome_hook
    if hook is None:
        return {"rules": 0}
    return {"rules": len(hook.rules) if isinstance(hook, OutcomeRules) else None}


_ROUTES: dict[str, dict[str, _Route]] = {
    f"{PREFIX}/health": {"GET": _health},
    f"{PREFIX}/clock": {"GET": _now},
    f"{PREFIX}/clock/advance": {"POST": _advance},
    f"{PREFIX}/clock/set": {"POST": _set},
    f"{PREFIX}/reset": {"POST": _reset},
    f"{PREFIX}/outcomes": {"GET": _outcome_count, "POST": _outcomes},
}


def handle(mock: MaintenanceWindowsMock, method: str, path: str, body: bytes) -> Reply:
    """Answer one control-API request. Never raises for a bad request."""
    path = path.split("?", 1)[0].rstrip("/") or "/"
    if path in dashboard.PATHS:  # the dashboard's page and its view
        if method in ("GET", "HEAD"):
            return dashboard.answer(mock, path)
        shown = f"{path}/" if path == PREFIX else path
        return _error(
            405, "MethodNotAllowed", f"{method} is not allowed on {shown}; use GET", {"Allow": "GET"}
        )
    methods = _ROUTES.get(path)
    if methods is None:
        known = ", ".join([f"{PREFIX}/", *dashboard.PATHS[1:], *_ROUTES])
        return _error(404, "NotFound", f"No control endpoint {path}. The control API has: {known}")
    route = methods.get(method)
    if route is None:
        allowed = ", ".join(methods)
        return _error(
            405, "MethodNotAllowed", f"{method} is not allowed on {path}; use {allowed}", {"Allow": allowed}
        )
    try:
        return _ok(route(mock, _object(body)))
    except (_BadRequest, ValueError, TypeError) as error:
        return _error(400, "BadRequest", str(error))
    except OverflowError:
        return _error(400, "BadRequest", f"{path}: a number in the request is too large for the clock")


def allowed_methods(path: str) -> list[str]:
    """The methods a control path answers (empty for an unknown path)."""
    return list(_ROUTES.get(path.split("?", 1)[0].rstrip("/") or "/", {}))


def guard(method: str, path: str, headers: Headers, *, token: str | None, bound_host: str) -> Reply | None:
    """Refuse a control call a browser could have been tricked into sending; None lets it through."""
    host = headers.get("Host") or ""
    # No Host at all cannot come from a browser (they always send one), so only a named host is checked.
    if token is None and host and not names_this_server(host, bound_host):
        return _error(
            403,
            "Forbidden",
            f"The control API answers only requests for a loopback host (localhost, 127.0.0.1, [::1]); "
            f"this one is for {host!r}. Set a token (--token, SSM_MW_MOCK_TOKEN) to reach it by another "
            "name.",
        )
    origin = headers.get("Origin")
    if origin is not None and origin != f"http://{host}":
        return _error(
            403, "Forbidden", f"The control API does not answer cross-origin requests (Origin: {origin})."
        )
    if token is not None and not dashboard.is_shell(method, path):  # the page's shell holds no state
        given = headers.get(TOKEN_HEADER)
        authorization = headers.get("Authorization") or ""
        if given is None and authorization[:7].lower() == "bearer ":
            given = authorization[7:].strip()
        if given is None or not hmac.compare_digest(given.encode(), token.encode()):
            return _error(
                401,
                "Unauthorized",
                f"This server's control API needs its token: send {TOKEN_HEADER}: <token> "
                "or Authorization: Bearer <token>.",
                {"WWW-Authenticate": "Bearer"},
            )
    if method == "POST" and "POST" in allowed_methods(path):
        content_type = (headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if content_type != "application/json":
            return _error(
                415,
                "UnsupportedMediaType",
                "Control POSTs must send Content-Type: application/json "
                f"(this one sent {content_type or 'none'}), e.g. curl -H 'Content-Type: application/json'.",
            )
    return None
