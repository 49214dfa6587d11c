"""Request validation: SSM's constraint checks, read from botocore's own service model.

SSM (an AWS "Coral" JSON 1.1 service) checks every request against the constraints of its model before
any business logic runs, and answers ``ValidationException`` listing every violation together::

    2 validation errors detected: Value 'a b c' at 'name' failed to satisfy constraint: Member must satisfy
    regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$; Value '25' at 'duration' failed to satisfy
    constraint: Member must have value less than or equal to 24

A body whose JSON types do not fit the model (a string where an integer belongs, a list where a structure
belongs) never reaches validation: it is a ``SerializationException``, raised at the first mismatch.

botocore's client already rejects missing members, wrong types and too-small values before sending, but
not ``max``, ``pattern`` or ``enum``; and requests may also arrive as raw HTTP. So every constraint of
the model is checked here, at any depth. Because this runs on every mocked call, each operation's input
shape is compiled once (lazily, then cached) into a tree of small closures; the hot path never touches
botocore ``Shape`` objects (each shape's ``Constraints`` is read once, in ``constraints``), and regular
expression results are memoised per pattern for short values.

Rules, with the evidence they rest on:

- Paths are member names with the first letter lowercased (``KMSKeyArn`` -> ``kMSKeyArn``, as Lambda
  prints it), joined with ``.``; a structure inside a list is at ``targets.1.member.key`` (1-based).
- Patterns are Java regexes checked with ``Matcher.matches()``: the whole value must match. Evidence:
  Lambda rejected ``'"arn:aws:kms:…"'`` for ``(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()``
  (highsource/bitcoin-a-day#1) and CloudFormation rejected a URL for
  ``[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*`` (humanmade/cf-to-tf#5); both would pass with a search.
  The translation from Java's syntax lives in ``java_regex``.
- Scalars inside a list, and map keys and scalar map values, are not reported one by one: AWS reports the
  whole list (or map) once, at its own path, listing all of the element's constraints, e.g. ``Value
  '[GetConnection]' at '….includeSocketInformation' failed to satisfy constraint: Member must satisfy
  constraint: [Member must satisfy enum value set: [GET_THING_CONNECTIVITY_DATA]]`` (IoT), ``Map keys
  must satisfy constraint: […]`` and ``Map value must satisfy constraint: [Member must have length less
  than or equal to 25, Member must have length greater than or equal to 1]`` (DynamoDB, Lambda) — keys
  first, maxima before minima, then pattern.
- Sensitive members (``sensitive: true`` on the shape or any enclosing shape) are reported without their
  value: ``Value at 'username' failed to satisfy constraint: …`` (Cognito's sensitive ``Username``,
  ks888/LambStatus#6).
- Values are rendered as Java would (``constraints.format_value``), never truncated.

Known differences from AWS: docs/known-differences.md#validation.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import botocore.model
import botocore.session

from ssm_mw_mock.errors import SerializationException, ValidationException

from .constraints import format_value
from .evaluator import Checker, Compiler, Predicate
from .java_regex import compile_java_pattern

__all__ = ["RequestValidator", "compile_java_pattern", "default_validator", "format_value"]


class RequestValidator:
    """Checks request params (the decoded awsJson1.1 body, wire member names) against a service model."""

    def __init__(self, service_model: botocore.model.ServiceModel) -> None:
        self._model = service_model
        self._compiler = Compiler()
        self._checkers: dict[str, tuple[Predicate, Checker]] = {}
        # Compiling puts placeholders for recursive shapes in the compiler's memo; two threads compiling at
        # once could leave one pointing at itself (RecursionError), so one operation compiles at a time.
        self._compiling = threading.Lock()

    def validate(self, operation_name: str, params: dict[str, Any]) -> None:
        """Raise ``ValidationException`` listing every constraint violation of the request.

        Raises:
            ValidationException: one or more constraints of the model are violated.
            SerializationException: a value has a JSON type the model does not allow.
            ValueError: ``operation_name`` is not an operation of the model.
        """
        compiled = self._checkers.get(operation_name)
        if compiled is None:
            compiled = self._compile(operation_name)
        valid, report = compiled
        if valid(params):
            return
        errors: list[str] = []
        report(params, "", errors)
        if errors:  # Both paths implement the same rules; the test suite checks that they agree.
            count = len(errors)
            noun = "validation error" if count == 1 else "validation errors"
            raise ValidationException(f"{count} {noun} detected: {'; '.join(errors)}")

    def _compile(self, operation_name: str) -> tuple[Predicate, Checker]:
        with self._compiling:
            done = self._checkers.get(operation_name)
            return done if done is not None else self._compile_once(operation_name)

    def _compile_once(self, operation_name: str) -> tuple[Predicate, Checker]:
        if operation_name not in self._model.operation_names:
            raise ValueError(
                f"{operation_name!r} is not an operation of the {self._model.service_name} model; "
                f"pass the AWS operation name, e.g. 'CreateMaintenanceWindow'"
            )
        shape = self._model.operation_model(operation_name).input_shape
        compiled: tuple[Predicate, Checker]
        if shape is None:

            def valid(value: Any) -> bool:
                if type(value) is not dict:
                    raise SerializationException("Expected a JSON object for the request body")
                return True

            compiled = (valid, lambda value, parent, errors: None)
        else:
            compiled = (
                self._compiler.fast(shape, operation_name),
                self._compiler.checker(shape, None, operation_name, False),
            )
        self._checkers[operation_name] = compiled
        return compiled


@functools.cache
def default_validator() -> RequestValidator:
    """The shared validator for botocore's ``ssm`` model (compiled lazily, one operation at a time)."""
    return RequestValidator(botocore.session.get_session().get_service_model("ssm"))
