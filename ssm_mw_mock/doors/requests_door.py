"""The ``requests`` front door: code that signs and sends its own HTTP to SSM with ``requests``.

While a mock is active, a ``requests`` call to ``https://ssm.<region>.amazonaws.com/`` (or ``ssm-fips.…``, the
dual-stack ``ssm.<region>.api.aws``, another partition's such as ``….amazonaws.com.cn``, or an interface VPC
endpoint's ``vpce-….ssm.<region>.vpce.amazonaws.com``) is answered by :func:`endpoint.answer` — the same wire
layer and backend as the botocore front door and the HTTP server. It uses the ``responses`` library (an
optional extra, ``ssm_mw_mock[requests]``), which patches ``requests``' ``HTTPAdapter.send`` at class level,
so sessions made before the mock started are caught too. Every other ``requests`` call goes on to whatever
``HTTPAdapter.send`` was before the mock started: the network, the user's own ``responses`` mock, or moto's.

With moto: a maintenance-window call is ours; any other SSM call is passed on to moto when its
``mock_aws`` is active, and refused with ``NotMockedByMaintenanceWindowsMock`` when it is not, as for
botocore clients. While moto is active, a call's account is the one moto gives the access key of its SigV4
signature (``doors/moto.py``).

Known differences from AWS and from the botocore front door:
docs/known-differences.md#the-requests-front-door, docs/known-differences.md#server-mode.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import endpoint, moto

if TYPE_CHECKING:
    from .patching import Serving

#: Every URL of SSM's public endpoints; anything else is none of our business.
SSM_URL = re.compile(rf"https?://{endpoint.SSM_HOST_PATTERN}(?:[/?].*)?", re.IGNORECASE)
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


@cache
def available() -> bool:
    """Whether ``requests`` and ``responses`` can be imported (both are optional)."""
    return all(importlib.util.find_spec(name) is not None for name in ("requests", "responses"))


def _body(request: Any) -> bytes:
    body = request.body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    return bytes(body)


class RequestsDoor:
    """Answers ``requests`` calls to SSM for one mock, between ``start()`` and ``stop()``."""

    def __init__(self, mock: Serving) -> None:
        self._mock = mock
        self._responses: Any = None

    def start(self) -> None:
        import requests.adapters
        import responses

        # Whatever answers requests now (the network, or moto's or the user's responses mock) keeps
        # answering everything that is not ours.
        previous: Any = requests.adapters.HTTPAdapter.send
        mocker = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=previous)
        for method in _METHODS:
            mocker.add_callback(method, SSM_URL, callback=self._answer, match=[self._claims])
        mocker.add_passthru(re.compile(".*"))
        mocker.start()
        self._responses = mocker

    def stop(self) -> None:
        mocker, self._responses = self._responses, None
        if mocker is not None:
            mocker.stop(allow_assert=False)

    def _claims(self, request: Any) -> tuple[bool, str]:
        """A ``responses`` matcher: maintenance-window calls, and other SSM calls unless moto takes them."""
        body = _body(request)
        if endpoint.nests_too_deep(body):
            return True, ""  # refused by endpoint.answer before anything parses it
        if endpoint.claims(request.headers.get("X-Amz-Target"), body, self._mock.backend.owns_run):
            return True, ""
        if moto.active():
            return False, "not a maintenance-window call; passed on to moto"
        return True, ""  # refused by endpoint.answer, naming the operation

    def _answer(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(request.url)
        path = url.path or "/"
        if url.query:
            path = f"{path}?{url.query}"
        authorization = request.headers.get("Authorization")
        account = self._mock.account_id
        if moto.active():  # the account moto gives the signature's access key, as for botocore clients
            account = moto.account_of(moto.signed_key(authorization))
        reply = endpoint.answer(
            self._mock.backend,
            account,
            method=request.method,
            path=path,
            target=request.headers.get("X-Amz-Target"),
            authorization=authorization,
            host=url.netloc,
            body=_body(request),
        )
        return reply.status, reply.headers, reply.body
