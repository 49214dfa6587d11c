"""The seam between botocore and the mock: class-level patches, installed while any mock is active.

botocore sends every request of every client through ``Endpoint._send_request``; replacing that class
attribute catches clients created before the mock started, or before ``ssm_mw_mock`` was imported, and
goes back to normal when the last mock stops. While a mock is active:

- maintenance-window operations (and tag calls on a maintenance window) are answered by the innermost
  active mock, whichever of ssm_mw_mock and moto's ``mock_aws`` started first; they are never signed, so
  no credentials are needed;
- anything else goes to moto if its ``mock_aws`` is active, and is otherwise refused with a ``ClientError``
  that names the operation. moto answers it exactly once: from its ``before-send`` hook where the client
  has it (clients made after moto was imported), else from ``Endpoint._send``, which a request reaches
  only when no hook answered (clients made before); the hook is never registered a second time;
- the account of a maintenance-window call is the one moto gives the client's credentials while moto is
  active (``doors/moto.py``), else the mock's ``account_id``. The credentials are the client's request
  signer's: ``BaseClient._make_request`` leaves the signer in the request context for ``_send_request``;
- nothing else reaches the network: ``Endpoint._send`` refuses, and botocore's instance-metadata
  fetchers (the region ``AWS_DEFAULTS_MODE=auto`` looks up, instance-role credentials) act as if
  ``AWS_EC2_METADATA_DISABLED`` were set;
- ``AWS_DEFAULT_REGION`` is set to ``us-east-1`` if no region is configured, so ``boto3.client("ssm")``
  works on a bare machine (a client given a region keeps it);
- a botocore session that has not loaded credentials yet hands out fake ones instead of running its
  credential chain, which would read the user's files and probe the EC2 instance-metadata endpoint over
  the network (a second or so on a machine without credentials). The fake ones are not cached on the
  session, so clients made after the mock stops resolve credentials as usual.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.credentials import Credentials
from botocore.endpoint import Endpoint, convert_to_response_dict
from botocore.exceptions import ClientError
from botocore.session import Session
from botocore.signers import RequestSigner
from botocore.utils import IMDSFetcher

from ..wire import protocol
from . import moto, routing
from .parsed import respond as respond_parsed
from .routing import REFUSED_CODE, Route

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from ..api.backend import Backend

DEFAULT_REGION = "us-east-1"
FAKE_CREDENTIALS = Credentials("ssm-mw-mock-access-key", "ssm-mw-mock-secret-key", method="ssm-mw-mock")
#: Where ``_make_request`` leaves the client's request signer in botocore's request context.
SIGNER_KEY = "ssm_mw_mock_signer"


class Serving(Protocol):
    """What the seam needs of an active mock."""

    @property
    def backend(self) -> Backend: ...

    @property
    def account_id(self) -> str: ...


_lock = threading.RLock()
_active: list[Serving] = []
_originals: dict[str, Any] = {}
_saved_region: list[str | None] = []
#: Doors for other clients (``doors.aio``): (install, uninstall), run with this door's own, under its lock.
_companions: list[tuple[Callable[[], None], Callable[[], None]]] = []


def add_companion(install: Callable[[], None], uninstall: Callable[[], None]) -> None:
    """Install and uninstall another door whenever this one is (now too, if a mock is active)."""
    with _lock:
        if (install, uninstall) not in _companions:
            _companions.append((install, uninstall))
            if _active:
                install()


def activate(mock: Serving) -> None:
    """Make ``mock`` the one that answers; installs the patches on first use."""
    with _lock:
        if not _active:
            _install()
        _active.append(mock)


def deactivate(mock: Serving) -> None:
    """Stop ``mock`` answering; the previously active mock (if any) answers again."""
    with _lock:
        for index in range(len(_active) - 1, -1, -1):
            if _active[index] is mock:
                del _active[index]
                break
        if not _active:
            _uninstall()


def current() -> Serving | None:
    """The innermost active mock, if any."""
    return _active[-1] if _active else None


def _install() -> None:
    _originals["_send_request"] = Endpoint.__dict__["_send_request"]
    _originals["_send"] = Endpoint.__dict__["_send"]
    _originals["sign"] = RequestSigner.__dict__["sign"]
    _originals["get_credentials"] = Session.__dict__["get_credentials"]
    _originals["_make_request"] = BaseClient.__dict__["_make_request"]
    _originals["_convert_to_request_dict"] = BaseClient.__dict__["_convert_to_request_dict"]
    _originals["_assert_enabled"] = IMDSFetcher.__dict__["_assert_enabled"]
    BaseClient._make_request = _make_request
    BaseClient._convert_to_request_dict = _convert_to_request_dict
    IMDSFetcher._assert_enabled = _imds_disabled
    Endpoint._send_request = _send_request
    Endpoint._send = _send
    RequestSigner.sign = _sign
    Session.get_credentials = _get_credentials
    for install, _ in _companions:
        install()
    _saved_region.append(os.environ.get("AWS_DEFAULT_REGION"))
    if not os.environ.get("AWS_DEFAULT_REGION") and not os.environ.get("AWS_REGION"):
        os.environ["AWS_DEFAULT_REGION"] = DEFAULT_REGION


def _uninstall() -> None:
    for _, uninstall in reversed(_companions):
        uninstall()
    Endpoint._send_request = _originals.pop("_send_request")
    Endpoint._send = _originals.pop("_send")
    RequestSigner.sign = _originals.pop("sign")
    Session.get_credentials = _originals.pop("get_credentials")
    BaseClient._make_request = _originals.pop("_make_request")
    BaseClient._convert_to_request_dict = _originals.pop("_convert_to_request_dict")
    IMDSFetcher._assert_enabled = _originals.pop("_assert_enabled")
    saved = _saved_region.pop()
    if saved is None:
        os.environ.pop("AWS_DEFAULT_REGION", None)
    else:
        os.environ["AWS_DEFAULT_REGION"] = saved


def _imds_disabled(self: IMDSFetcher) -> None:
    # botocore asks the EC2 instance-metadata service outside any client (the region for
    # AWS_DEFAULTS_MODE=auto, instance-role credentials), over its own HTTP session. While a mock is active
    # every fetcher behaves as if AWS_EC2_METADATA_DISABLED were set: the error botocore raises then is one
    # each of its callers already handles, so nothing is sent and nothing waits for a timeout.
    if current() is not None:
        raise self._RETRIES_EXCEEDED_ERROR_CLS()
    _originals.get("_assert_enabled", IMDSFetcher._assert_enabled)(self)


def _send_request(self: Endpoint, request_dict: dict[str, Any], operation_model: OperationModel) -> Any:
    mock = current()
    if mock is None:  # a request racing the last stop
        return _originals.get("_send_request", Endpoint._send_request)(self, request_dict, operation_model)
    name = operation_model.name
    service_model = operation_model.service_model
    decision = routing.route(
        service_model.endpoint_prefix, name, request_dict.get("body"), owner=mock.backend.owns_run
    )
    if decision.route is Route.OURS:
        context = request_dict["context"]
        region = context.get("client_region") or DEFAULT_REGION
        account = mock.account_id
        if moto.active():
            account = moto.account_of(moto.credentials_key(context.get(SIGNER_KEY)))

        def moto_body() -> bytes | None:  # a Run Command or Automation listing: moto's part of it
            try:
                answer = moto.answer(self.create_request(request_dict, operation_model))
            except NotImplementedError:  # moto's answer to an action it lacks: it has no part
                return None
            return None if answer is None or answer.status_code >= 300 else bytes(answer.content)

        status, answer = routing.answer(mock.backend, name, decision, region, account, moto_body)
        return _respond(self, request_dict, operation_model, status, answer)
    if decision.route is Route.MOTO:
        # moto's hook answers (clients made after moto's import have it), or ``_send`` asks moto.
        return _originals["_send_request"](self, request_dict, operation_model)
    raise ClientError(
        {"Error": {"Code": REFUSED_CODE, "Message": routing.refusal(service_model.service_name, name)}}, name
    )


def _respond(
    endpoint: Endpoint,
    request_dict: dict[str, Any],
    operation_model: OperationModel,
    status: int,
    answer: dict[str, Any] | bytes,
) -> tuple[AWSResponse, dict[str, Any]]:
    """What ``Endpoint._send_request`` returns for an HTTP answer: the response and its parsed form.

    A successful result is handed to botocore already parsed (``doors/parsed.py``) when the client's
    parser can be reproduced; otherwise, and for errors, the JSON body goes through botocore's parser.
    """
    if not isinstance(answer, bytes):
        direct = respond_parsed(
            endpoint._response_parser_factory, request_dict.get("url", ""), operation_model, answer
        )
        if direct is not None:
            return direct
        status, answer = routing.encoded(operation_model.name, answer)
    body = answer
    headers = {"x-amzn-RequestId": protocol.request_id(), "Content-Type": protocol.CONTENT_TYPE}
    http = AWSResponse(request_dict.get("url", ""), status, headers, None)
    http._content = body
    response_dict = convert_to_response_dict(http, operation_model)
    parser = endpoint._response_parser_factory.create_parser("json")
    parsed: dict[str, Any] = parser.parse(response_dict, operation_model.output_shape)
    if status >= 300:
        endpoint._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
    parsed["ResponseMetadata"]["RetryAttempts"] = 0
    return http, parsed


def _make_request(
    self: BaseClient, operation_model: OperationModel, request_dict: dict[str, Any], context: dict[str, Any]
) -> Any:
    # The endpoint knows nothing of the client; its credentials are on its signer.
    context[SIGNER_KEY] = self._request_signer
    return _originals["_make_request"](self, operation_model, request_dict, context)


def _convert_to_request_dict(
    self: BaseClient,
    api_params: dict[str, Any],
    operation_model: OperationModel,
    endpoint_url: str,
    context: dict[str, Any] | None = None,
    headers: dict[str, Any] | None = None,
    set_user_agent_header: bool = True,
) -> dict[str, Any]:
    convert = _originals.get("_convert_to_request_dict", BaseClient._convert_to_request_dict)
    wanted = user_agent_wanted(set_user_agent_header, operation_model)
    request_dict: dict[str, Any] = convert(
        self, api_params, operation_model, endpoint_url, context, headers, wanted
    )
    return request_dict


def user_agent_wanted(asked: bool, operation_model: OperationModel) -> bool:
    """Whether a request dict gets the User-Agent header botocore composes for every call (about a fifth
    of a simple call's cost through the door): not for a maintenance-window operation while a mock is
    active, as it is answered before a request is built and the header would never be sent."""
    return asked and not (current() is not None and routing.always_ours(operation_model))


def _send(self: Endpoint, request: Any) -> Any:
    if current() is None:
        return _originals.get("_send", Endpoint._send)(self, request)
    # No before-send hook answered: a client made before moto was imported has none. moto answers here,
    # once; a client that has the hook never gets here with a request moto answers.
    answer = moto.answer(request)
    if answer is not None:
        return answer
    raise ClientError(
        {
            "Error": {
                "Code": REFUSED_CODE,
                "Message": f"ssm_mw_mock is active: the request to {request.url} was stopped before it left "
                "the process. Nothing reaches the network while the mock is active.",
            }
        },
        "Send",
    )


def _sign(self: RequestSigner, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
    # Maintenance-window calls never get here (they are answered before a request is built). Calls handed
    # to moto are signed as usual, except by a client that has no credentials at all: moto doesn't need a
    # signature, and the mock promises to work on a machine with no AWS set-up.
    if current() is not None and self._credentials is None:
        return None
    return _originals["sign"](self, operation_name, request, *args, **kwargs)


def _get_credentials(self: Session) -> Any:
    # Credentials a session already holds (set explicitly, or loaded before the mock started) are kept:
    # moto tells accounts apart by access key. Otherwise fake ones, not cached, so nothing is read or probed.
    if current() is not None:
        return self._credentials if self._credentials is not None else FAKE_CREDENTIALS
    return _originals.get("get_credentials", Session.get_credentials)(self)
