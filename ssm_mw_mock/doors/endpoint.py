"""SSM's HTTP endpoint: one raw HTTP request in, one HTTP answer out, for the front doors that see HTTP.

The HTTP server and the ``requests`` front door receive what a real SSM endpoint receives: a method, a
path, headers and a body. :func:`answer` checks the HTTP envelope (``POST /``, an ``X-Amz-Target``
naming a maintenance-window operation), picks the region, and hands the rest to :func:`routing.dispatch` —
the same call the botocore front door makes, so there is one implementation of each operation.

The region comes from the SigV4 credential scope of the ``Authorization`` header
(``Credential=AKID/20240101/<region>/ssm/aws4_request``), else from an AWS host name
(``ssm.<region>.amazonaws.com``), else it is ``us-east-1``.

Known differences from AWS: docs/known-differences.md#server-mode,
docs/known-differences.md#the-requests-front-door.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..api.operations import ssm_operations
from ..lazy_re import LazyPattern
from ..wire import protocol as wire
from . import routing
from .routing import REFUSED_CODE, Route

if TYPE_CHECKING:
    from ..api.backend import Backend

DEFAULT_REGION = "us-east-1"
UNKNOWN_OPERATION_CODE = "UnknownOperationException"

_SCOPE_REGION = LazyPattern(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")
#: The DNS suffixes of botocore's partitions (``botocore/data/partitions.json``: ``dnsSuffix`` and
#: ``dualStackDnsSuffix``), which SSM's endpoint rules put after ``ssm.<region>.`` / ``ssm-fips.<region>.``.
DNS_SUFFIXES = (
    "amazonaws.com",
    "amazonaws.com.cn",
    "amazonaws.eu",
    "c2s.ic.gov",
    "sc2s.sgov.gov",
    "cloud.adc-e.uk",
    "csp.hci.ic.gov",
)
DUAL_STACK_SUFFIXES = (
    "api.aws",
    "api.amazonwebservices.com.cn",
    "api.amazonwebservices.eu",
    "api.aws.ic.gov",
    "api.aws.scloud",
    "api.cloud-aws.adc-e.uk",
    "api.aws.hci.ic.gov",
)
_SUFFIX = "|".join(
    re.escape(suffix) for suffix in sorted({*DNS_SUFFIXES, *DUAL_STACK_SUFFIXES}, key=len)[::-1]
)
_VPCE_SUFFIX = "|".join(re.escape(suffix) for suffix in sorted(DNS_SUFFIXES, key=len)[::-1])
#: SSM's host names, region in the one group that matched: ``ssm.<region>.amazonaws.com``, ``ssm-fips.…``,
#: dual-stack ``ssm.<region>.api.aws``, the other partitions' (``….amazonaws.com.cn``), and an interface
#: VPC endpoint's regional or zonal name, ``vpce-0a1b…-5e6f[-us-east-1a].ssm.<region>.vpce.amazonaws.com``.
SSM_HOST_PATTERN = (
    rf"(?:ssm(?:-fips)?\.([a-z0-9-]+)\.(?:{_SUFFIX})"
    rf"|vpce-[a-z0-9-]+\.ssm\.([a-z0-9-]+)\.vpce\.(?:{_VPCE_SUFFIX}))(?::\d+)?"
)
SSM_HOST = LazyPattern(SSM_HOST_PATTERN, re.IGNORECASE)
#: How deep request JSON may nest. SSM's deepest maintenance-window members (task invocation parameters: a
#: map of lists) nest four or five levels; the limit answers a hostile body before the parser recurses.
MAX_NESTING = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer: status, JSON body and the headers that go with it."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    """An error in SSM's envelope, ``{"__type": code, "message": message}``."""
    body = json.dumps({"__type": code, "message": message}).encode()
    return Reply(status, body, {**_headers(), **(headers or {})})


def _headers() -> dict[str, str]:
    return {"Content-Type": wire.CONTENT_TYPE, "x-amzn-RequestId": wire.request_id()}


def region_of(authorization: str | None, host: str | None) -> str:
    """The region a request is for: SigV4 credential scope, else an AWS host name, else ``us-east-1``."""
    if authorization:
        scope = _SCOPE_REGION.search(authorization)
        if scope:
            return scope.group(1)
    if host:
        named = SSM_HOST.fullmatch(host.strip())
        if named:
            return (named.group(1) or named.group(2)).lower()
    return DEFAULT_REGION


def nests_too_deep(body: bytes, limit: int = MAX_NESTING) -> bool:
    """Whether JSON text opens more than ``limit`` arrays and objects inside one another (strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub(b"", body)):
        if bracket in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def too_deep_reply(code: str) -> Reply:
    """The answer to a body :func:`nests_too_deep`: ``code`` is the door's error code for a bad body."""
    return json_reply(
        400, code, f"The request body nests JSON arrays and objects more than {MAX_NESTING} levels deep."
    )


def claims(target: str | None, body: bytes | None, owner: routing.Owner | None = None) -> bool:
    """Whether a request to SSM is ours: a maintenance-window call (tag calls only on a maintenance
    window), or a Run Command or Automation read of a run ``owner`` knows (``routing.route``)."""
    operation = wire.operation_from_target(target)
    return operation is not None and routing.route("ssm", operation, body, owner).route is Route.OURS


def answer(
    backend: Backend,
    account: str,
    *,
    method: str,
    path: str,
    target: str | None,
    authorization: str | None,
    host: str | None,
    body: bytes,
) -> Reply:
    """Answer one HTTP request to the SSM endpoint. Never raises for a bad request."""
    if path.split("?", 1)[0] != "/":
        return json_reply(
            404, "NotFound", f"No such resource: {path}. SSM's API is POST / with an X-Amz-Target header."
        )
    if method != "POST":
        return json_reply(
            405,
            "MethodNotAllowed",
            f"{method} is not allowed on /; SSM's API is POST / with an X-Amz-Target header.",
            {"Allow": "POST"},
        )
    operation = wire.operation_from_target(target)
    if operation is None:
        what = f"X-Amz-Target {target!r}" if target else "a request without an X-Amz-Target header"
        return json_reply(
            400,
            UNKNOWN_OPERATION_CODE,
            f"ssm_mw_mock cannot serve {what}: an SSM request names its operation as "
            f"X-Amz-Target: {wire.TARGET_PREFIX}<Operation>.",
        )
    if nests_too_deep(body):
        return too_deep_reply("SerializationException")
    decision = routing.route("ssm", operation, body, backend.owns_run)
    if decision.route is not Route.OURS:
        if operation not in ssm_operations():
            return json_reply(
                400,
                UNKNOWN_OPERATION_CODE,
                f"SSM has no operation {operation!r} (from X-Amz-Target {target!r}).",
            )
        return json_reply(400, REFUSED_CODE, routing.refusal("ssm", operation, moto_can_help=False))
    region = region_of(authorization, host)
    status, payload = routing.dispatch(backend, operation, decision, region, account)
    return Reply(status, payload, _headers())
