"""The aiobotocore front door: class-level patches on aiobotocore's own classes, while any mock is active.

aiobotocore (and aioboto3, which is built on it) subclasses botocore and overrides, as coroutines, every
method that the botocore door patches, so that door never sees an aiobotocore client. This one patches
aiobotocore's classes the same way:

- ``AioEndpoint._send_request``: every request of every aiobotocore client. Maintenance-window calls are
  routed by ``routing.route`` and answered by ``routing.dispatch`` from the innermost active mock, the same
  backend the botocore clients reach, so state, validation and errors are shared. Anything else is refused
  with ``NotMockedByMaintenanceWindowsMock``; with moto's ``mock_aws`` active too, the refusal says that
  moto cannot answer aiobotocore clients (it hands botocore a synchronous response, which aiobotocore
  cannot await: aiobotocore issue #755), rather than letting the call fall through to the network.
- ``AioEndpoint._send``: refuses, so nothing reaches the network even by another path.
- ``AioBaseClient._make_request``: leaves the client's request signer in the request context, as the
  botocore door does, so that while moto's ``mock_aws`` is active a maintenance-window call gets the
  account moto gives the client's access key (``doors/moto.account_of``), the same account a boto3
  client with those credentials gets: both see the same windows.
- ``AioBaseClient._convert_to_request_dict``: leaves the ``User-Agent`` header out of a maintenance-window
  call's request dict, as the botocore door does (the request is answered before it is built, so the
  header botocore composes for every call would never be sent).
- ``AioSession.get_credentials``: a session that has not loaded credentials yet gets fake ones (not
  cached) instead of running aiobotocore's credential chain, which reads the user's files and probes the
  EC2 instance-metadata endpoint. Credentials a session already holds are kept.

Requests are answered before they are signed, so ``AioRequestSigner.sign`` needs no patch: a maintenance-
window call of a client holding real credentials is never signed, and nothing else is sent.

aiobotocore is optional and is never imported by this module. If it is already imported when the first
mock starts, its classes are patched then; otherwise a finder on ``sys.meta_path`` (present only while a
mock is active) patches ``aiobotocore.endpoint``, ``aiobotocore.session`` and ``aiobotocore.client`` as
soon as they are first imported. The last mock's stop restores the classes and removes the finder.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from botocore.endpoint import Endpoint
from botocore.exceptions import ClientError

from ..wire import protocol
from . import moto, patching, routing
from .routing import REFUSED_CODE, Route

if TYPE_CHECKING:
    from importlib.abc import Loader
    from importlib.machinery import ModuleSpec

    from botocore.model import OperationModel

ENDPOINT_MODULE = "aiobotocore.endpoint"
SESSION_MODULE = "aiobotocore.session"
CLIENT_MODULE = "aiobotocore.client"
#: The modules patched, the class in each, and what replaces which of its attributes (filled below).
_PATCHES: dict[str, tuple[str, dict[str, Callable[..., Any]]]] = {}

_lock = threading.RLock()
_installed = False
#: (class, attribute) -> the attribute as it was in the class's ``__dict__`` before the patch.
_originals: dict[tuple[type, str], Any] = {}
_fake_credentials: list[Any] = []


def install() -> None:
    """Patch what is imported now, and what is imported later while a mock is active."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        for name in _PATCHES:
            module = sys.modules.get(name)
            if module is not None:
                _patch(name, module)
        sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    """Put every patched class back as it was, and stop watching imports."""
    global _installed
    with _lock:
        _installed = False
        if _FINDER in sys.meta_path:
            sys.meta_path.remove(_FINDER)
        for (cls, attribute), original in _originals.items():
            setattr(cls, attribute, original)
        _originals.clear()


def patched() -> list[str]:
    """The patched attributes (``Class.attribute``); none while no mock is active or aiobotocore unused."""
    with _lock:
        return sorted(f"{cls.__name__}.{attribute}" for cls, attribute in _originals)


def _patch(name: str, module: ModuleType) -> None:
    """Patch one freshly imported aiobotocore module, if a mock is still active."""
    with _lock:
        if not _installed:
            return
        class_name, replacements = _PATCHES[name]
        cls = getattr(module, class_name, None)
        if cls is None:  # a module still half-imported by another thread; nothing to patch yet
            return
        for attribute, replacement in replacements.items():
            if attribute not in cls.__dict__:  # an aiobotocore without it: botocore's, which the door patches
                continue
            if (cls, attribute) not in _originals:
                _originals[cls, attribute] = cls.__dict__[attribute]
                setattr(cls, attribute, replacement)


class _PatchOnImport:  # an importlib.abc.MetaPathFinder; not subclassed, to keep importlib.abc unimported
    """Finds aiobotocore's endpoint and session modules through the other finders; patches them once run."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in _PATCHES:
            return None
        for finder in list(sys.meta_path):
            find_spec = getattr(finder, "find_spec", None)
            if finder is self or find_spec is None:
                continue
            spec: ModuleSpec | None = find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = cast("Loader", _PatchingLoader(spec.loader, fullname))
                return spec
        return None


class _PatchingLoader:  # an importlib.abc.Loader
    """Runs the real loader, then patches the module and gives it its real loader back."""

    def __init__(self, loader: Any, name: str) -> None:
        self._loader = loader
        self._name = name

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self._loader.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        _patch(self._name, module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


_FINDER = _PatchOnImport()


async def _send_request(self: Any, request_dict: dict[str, Any], operation_model: OperationModel) -> Any:
    mock = patching.current()
    if mock is None:  # a request racing the last stop
        return await _original(ENDPOINT_MODULE, "AioEndpoint", "_send_request")(
            self, request_dict, operation_model
        )
    name = operation_model.name
    service_model = operation_model.service_model
    decision = routing.route(
        service_model.endpoint_prefix, name, request_dict.get("body"), mock.backend.owns_run
    )
    if decision.route is Route.OURS:
        context = request_dict["context"]
        region = context.get("client_region") or patching.DEFAULT_REGION
        account = mock.account_id
        if moto.active():
            account = moto.account_of(await _access_key(context.get(patching.SIGNER_KEY)))
        status, body = routing.dispatch(mock.backend, name, decision, region, account)
        return _respond(self, request_dict, operation_model, status, body)
    if decision.route is Route.MOTO:
        message = (
            f"ssm_mw_mock is active and does not serve {service_model.service_name}:{name}. moto's mock_aws "
            "is active too, but moto cannot answer aiobotocore clients (it hands back a synchronous "
            "response that aiobotocore cannot await), so the call was stopped before it left the process; "
            "make this call with a boto3 client."
        )
    else:
        message = routing.refusal(service_model.service_name, name, moto_can_help=False)
    raise ClientError({"Error": {"Code": REFUSED_CODE, "Message": message}}, name)


def _respond(
    endpoint: Any, request_dict: dict[str, Any], operation_model: OperationModel, status: int, body: bytes
) -> tuple[Any, dict[str, Any]]:
    """What ``AioEndpoint._send_request`` returns for an HTTP answer: the response and its parsed form.

    The body is parsed by botocore's own (synchronous) JSON parser, so the result is exactly what a
    botocore client gets; the response is aiobotocore's, whose ``content`` is awaitable, for any
    ``after-call`` hook that reads it.
    """
    response_class = sys.modules["aiobotocore.awsrequest"].AioAWSResponse
    headers = {"x-amzn-RequestId": protocol.request_id(), "Content-Type": protocol.CONTENT_TYPE}
    http = response_class(request_dict.get("url", ""), status, headers, None)
    http._content = body
    response_dict = {
        "headers": http.headers,
        "status_code": status,
        "body": body,
        "context": {"operation_name": operation_model.name},
    }
    from botocore.parsers import create_parser  # imported by then: aiobotocore's parsers import it

    parser = create_parser("json")
    parsed: dict[str, Any] = parser.parse(response_dict, operation_model.output_shape)
    if status >= 300:
        # botocore's synchronous version (aiobotocore's is a coroutine around an awaiting parser).
        Endpoint._add_modeled_error_fields(endpoint, response_dict, parsed, operation_model, parser)
    parsed["ResponseMetadata"]["RetryAttempts"] = 0
    return http, parsed


async def _access_key(signer: Any) -> str | None:
    """The access key id an aiobotocore ``AioRequestSigner`` would sign with, or None.

    aiobotocore's refreshable credentials give their keys only through the coroutine
    ``get_frozen_credentials`` (which refreshes them first, as signing would).
    """
    credentials = getattr(signer, "_credentials", None)
    if credentials is None:
        return None
    frozen = await credentials.get_frozen_credentials()
    key: str | None = frozen.access_key
    return key


async def _make_request(
    self: Any, operation_model: OperationModel, request_dict: dict[str, Any], request_context: dict[str, Any]
) -> Any:
    # The endpoint knows nothing of the client; its credentials are on its signer (as in doors/patching).
    request_context[patching.SIGNER_KEY] = self._request_signer
    return await _original(CLIENT_MODULE, "AioBaseClient", "_make_request")(
        self, operation_model, request_dict, request_context
    )


async def _convert_to_request_dict(
    self: Any,
    api_params: dict[str, Any],
    operation_model: OperationModel,
    endpoint_url: str,
    context: dict[str, Any] | None = None,
    headers: dict[str, Any] | None = None,
    set_user_agent_header: bool = True,
) -> Any:
    wanted = patching.user_agent_wanted(set_user_agent_header, operation_model)
    return await _original(CLIENT_MODULE, "AioBaseClient", "_convert_to_request_dict")(
        self, api_params, operation_model, endpoint_url, context, headers, wanted
    )


async def _send(self: Any, request: Any) -> Any:
    if patching.current() is None:
        return await _original(ENDPOINT_MODULE, "AioEndpoint", "_send")(self, request)
    raise ClientError(
        {
            "Error": {
                "Code": REFUSED_CODE,
                "Message": f"ssm_mw_mock is active: the aiobotocore request to {request.url} was stopped "
                "before it left the process. Nothing reaches the network while the mock is active.",
            }
        },
        "Send",
    )


async def _get_credentials(self: Any) -> Any:
    if patching.current() is not None:
        return self._credentials if self._credentials is not None else _fake()
    return await _original(SESSION_MODULE, "AioSession", "get_credentials")(self)


def _original(module: str, class_name: str, attribute: str) -> Any:
    """The unpatched method, whether or not the patch is still in place (a call racing the last stop)."""
    cls = getattr(sys.modules[module], class_name)
    return _originals.get((cls, attribute)) or cls.__dict__[attribute]


def _fake() -> Any:
    """aiobotocore's kind of credentials (``get_frozen_credentials`` is a coroutine), made once."""
    if not _fake_credentials:
        credentials_class = sys.modules["aiobotocore.credentials"].AioCredentials
        fake = patching.FAKE_CREDENTIALS
        _fake_credentials.append(credentials_class(fake.access_key, fake.secret_key, method=fake.method))
    return _fake_credentials[0]


_PATCHES.update(
    {
        ENDPOINT_MODULE: ("AioEndpoint", {"_send_request": _send_request, "_send": _send}),
        SESSION_MODULE: ("AioSession", {"get_credentials": _get_credentials}),
        CLIENT_MODULE: (
            "AioBaseClient",
            {"_make_request": _make_request, "_convert_to_request_dict": _convert_to_request_dict},
        ),
    }
)
patching.add_companion(install, uninstall)
