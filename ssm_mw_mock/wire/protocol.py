"""SSM's wire protocol, awsJson1.1, in both directions.

A request is an ``X-Amz-Target: AmazonSSM.<Operation>`` header and a JSON body; a result is a JSON body
with timestamps as epoch seconds (milliseconds kept) and blobs as base64; an error is HTTP 400 with
``{"__type": <code>, "message": <text>}``, which botocore turns into a ``ClientError`` and the modelled
exception classes (``client.exceptions.DoesNotExistException``). This module only translates; which
calls are answered, and by whom, is ``doors.routing``'s.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from ..errors import SerializationException, SsmError

TARGET_PREFIX = "AmazonSSM."
CONTENT_TYPE = "application/x-amz-json-1.1"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return round(value.timestamp(), 3)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot put {type(value).__name__} on the wire")


def request_id() -> str:
    return str(uuid.uuid4())


def encode(result: dict[str, Any]) -> bytes:
    return json.dumps(result, default=_encode, separators=(",", ":")).encode()


def error_body(error: SsmError) -> bytes:
    return json.dumps({"__type": error.code, "message": error.message}).encode()


def operation_from_target(target: str | None) -> str | None:
    """The operation named by an ``X-Amz-Target`` header, or None if it is not an SSM target."""
    if target and target.startswith(TARGET_PREFIX):
        return target[len(TARGET_PREFIX) :]
    return None


def decode(body: bytes | str | None) -> dict[str, Any]:
    """The request members; an empty body is an empty request, as in awsJson1.1."""
    if not body:
        return {}
    try:
        params = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SerializationException("The request body is not valid JSON.") from None
    if not isinstance(params, dict):
        raise SerializationException("The request body must be a JSON object.")
    return params
