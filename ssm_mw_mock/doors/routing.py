"""Routing: which calls the mock answers, who answers the rest, and SSM's error envelope.

Every front door — the botocore patch, the ``requests`` door and the HTTP server — asks :func:`route`
what to do with a request and answers ours through :func:`dispatch`, so the rules live here once:

- a maintenance-window operation of SSM is always ours;
- a tag call is ours when it names ``ResourceType=MaintenanceWindow``, or a value SSM does not have (so
  the caller gets SSM's ``ValidationException`` rather than moto's answer for some other resource);
- the Resource Groups Tagging API's ``GetResources`` is ours when its ``ResourceTypeFilters`` name
  maintenance windows only (``ssm:maintenancewindow``), so tag-based discovery finds our windows;
- the Run Command reads (``ListCommands``, ``ListCommandInvocations``, ``GetCommandInvocation``) and the
  Automation reads (``GetAutomationExecution``, ``DescribeAutomationExecutions``) are ours without moto,
  so an unknown id gets SSM's error. With moto, a call that names a run (``CommandId``,
  ``AutomationExecutionId``) is ours when a window of the mock ran it (the door passes an ``owner``
  lookup, the backend's ``owns_run``) and moto's otherwise; a listing that names none is ours, with
  moto's items put in front of ours (:func:`merge`) by the doors that can ask moto;
- anything else goes to moto when its ``mock_aws`` is active, and is refused otherwise with
  ``NotMockedByMaintenanceWindowsMock``, naming the operation and what the mock does serve.

Known differences from AWS: docs/known-differences.md#run-command-and-automation.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api import discovery
from ..api.operations import (
    RUN_ID_MEMBERS,
    RUN_LISTINGS,
    RUN_READS,
    TAG_OPERATIONS,
    taggable_types,
    window_operations,
)
from ..engine.outcomes import HookError
from ..errors import InternalServerError, SsmError
from ..wire import protocol
from . import moto

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from ..api.backend import Backend

logger = logging.getLogger(__name__)

#: The Tagging API operation that lists resources by type and tag (answered for maintenance windows).
DISCOVERY = "GetResources"
#: The error code of a call the mock does not serve, from every front door.
REFUSED_CODE = "NotMockedByMaintenanceWindowsMock"

#: Whether a window of the mock ran the run an operation names: ``owner(operation, id)``.
Owner = Callable[[str, str], bool]


class Route(enum.Enum):
    """Who answers a request."""

    OURS = "ours"
    MOTO = "moto"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Decision:
    """Where a request goes; for ours, its decoded members, or the error its body already earned."""

    route: Route
    params: dict[str, Any] | None = None
    error: SsmError | None = None
    #: Ours, and moto's items belong in the answer too (a Run Command or Automation listing under moto).
    merge: bool = False


def is_ours(operation: str, params: dict[str, Any] | None) -> bool:
    """Whether the mock answers ``operation`` with these request members."""
    if operation in window_operations():
        return True
    if operation not in TAG_OPERATIONS or params is None:
        return False
    resource_type = params.get("ResourceType")
    if not isinstance(resource_type, str):
        return True  # not even a string (a list, a number): ours to refuse with SerializationException
    return resource_type == "MaintenanceWindow" or resource_type not in taggable_types()


def always_ours(operation_model: OperationModel) -> bool:
    """Whether botocore's ``operation_model`` is one the mock answers whatever its members say: a
    maintenance-window operation of SSM (a tag call or a Run Command read may go to moto)."""
    return (
        operation_model.service_model.endpoint_prefix == "ssm" and operation_model.name in window_operations()
    )


def is_discovery(params: dict[str, Any] | None) -> bool:
    """Whether a Tagging API ``GetResources`` asks for maintenance windows only (and nothing we lack)."""
    if not isinstance(params, dict) or not set(params) <= discovery.SUPPORTED:
        return False
    types = params.get("ResourceTypeFilters")
    return isinstance(types, list) and bool(types) and all(t == discovery.WINDOW_TYPE for t in types)


def route(service: str, operation: str, body: bytes | str | None, owner: Owner | None = None) -> Decision:
    """Decide who answers ``operation`` of ``service`` (botocore's endpoint prefix, e.g. ``"ssm"``).

    ``owner`` tells the runs of the mock's windows from moto's; without it, under moto, every Run
    Command or Automation read that names a run goes to moto.
    """
    if service == "ssm" and operation in RUN_READS:
        return _run_read(operation, body, owner)
    if service == "tagging" and operation == DISCOVERY:
        try:
            wanted = protocol.decode(body)
        except SsmError:
            wanted = None  # not JSON we can read: not a request for our windows
        if is_discovery(wanted):
            return Decision(Route.OURS, params=wanted)
    if service == "ssm" and (operation in window_operations() or operation in TAG_OPERATIONS):
        try:
            params = protocol.decode(body)
        except SsmError as error:
            return Decision(Route.OURS, error=error)
        if is_ours(operation, params):
            return Decision(Route.OURS, params=params)
    if moto.active():
        return Decision(Route.MOTO)
    return Decision(Route.REFUSED)


def _run_read(operation: str, body: bytes | str | None, owner: Owner | None) -> Decision:
    """Who answers a Run Command or Automation read (see the module's docstring)."""
    try:
        params = protocol.decode(body)
    except SsmError as error:
        return Decision(Route.MOTO) if moto.active() else Decision(Route.OURS, error=error)
    if not moto.active():
        return Decision(Route.OURS, params=params)
    named = params.get(RUN_ID_MEMBERS.get(operation, ""))
    if isinstance(named, str):
        ours = owner is not None and owner(operation, named)
        return Decision(Route.OURS, params=params) if ours else Decision(Route.MOTO)
    if operation in RUN_LISTINGS:
        return Decision(Route.OURS, params=params, merge=True)
    return Decision(Route.MOTO)


def merge(
    operation: str, params: dict[str, Any], ours: dict[str, Any], theirs: bytes | None
) -> dict[str, Any]:
    """Our listing's result with moto's items (``theirs``, moto's answer to the same call) in front.

    moto's items come on the first page only (a request without ``NextToken``): moto neither pages nor
    filters them. An answer of moto's that is not a listing (an error) adds nothing.
    """
    key = RUN_LISTINGS[operation]
    if theirs is None or params.get("NextToken"):
        return ours
    try:
        their_items = json.loads(theirs).get(key)
    except (ValueError, AttributeError):
        return ours
    if not isinstance(their_items, list) or not their_items:
        return ours
    return {**ours, key: their_items + ours.get(key, [])}


def refusal(service: str, operation: str, *, moto_can_help: bool = True) -> str:
    """The message of a refused call: what was asked, what the mock serves, and how to serve the rest."""
    message = (
        f"ssm_mw_mock is active and does not serve {service}:{operation}. It answers the "
        "maintenance-window operations of SSM, tag calls on maintenance windows, and the Run Command and "
        "Automation reads of what windows ran"
    )
    if moto_can_help:
        return message + "; start moto's mock_aws as well to serve other calls."
    return message + " (ResourceType=MaintenanceWindow)."


def dispatch(
    backend: Backend,
    operation: str,
    decision: Decision,
    region: str,
    account: str,
    moto_body: Callable[[], bytes | None] | None = None,
) -> tuple[int, bytes]:
    """Answer a request routed to us: ``(HTTP status, JSON body)``. Never raises for a bad request.

    ``moto_body`` gives moto's answer to the same request, for a decision that merges (a door that
    cannot ask moto passes none, and answers with ours alone).
    """
    status, result = answer(backend, operation, decision, region, account, moto_body)
    return (status, result) if isinstance(result, bytes) else encoded(operation, result)


def answer(
    backend: Backend,
    operation: str,
    decision: Decision,
    region: str,
    account: str,
    moto_body: Callable[[], bytes | None] | None = None,
) -> tuple[int, dict[str, Any] | bytes]:
    """Like :func:`dispatch`, but a success is the result dict itself, for a door that skips the JSON
    (:func:`encoded` makes the body :func:`dispatch` would have answered)."""
    try:
        if decision.error is not None:
            raise decision.error
        params = decision.params or {}
        if operation == DISCOVERY:
            return 200, backend.discover(params, region, account)
        result = backend.call(operation, params, region, account)
        if decision.merge and moto_body is not None:
            result = merge(operation, params, result, moto_body())
        return 200, result
    except SsmError as error:
        return error.status, protocol.error_body(error)
    except HookError:
        raise  # the test's own hook failed in a move this call made (follow_time): the caller must see it
    except Exception:  # a bug of ours: answer as AWS would, and keep the traceback for the report
        return _failure(operation)


def encoded(operation: str, result: dict[str, Any]) -> tuple[int, bytes]:
    """``(200, JSON body)`` of a successful result; a result that cannot be put on the wire is our bug."""
    try:
        return 200, protocol.encode(result)
    except Exception:
        return _failure(operation)


def _failure(operation: str) -> tuple[int, bytes]:
    logger.exception("ssm_mw_mock failed on %s", operation)
    failure = InternalServerError(
        f"ssm_mw_mock failed on {operation}; this is a bug in the mock, see the log."
    )
    return failure.status, protocol.error_body(failure)
