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
botocore ``Shape`` objects, and regular-expression results are memoised per pattern.

Rules, with the evidence they rest on:

- Paths are member names with the first letter lowercased (``KMSKeyArn`` -> ``kMSKeyArn``, as Lambda
  prints it), joined with ``.``; a structure inside a list is at ``targets.1.member.key`` (1-based).
- Patterns are Java regexes checked with ``Matcher.matches()``: the whole value must match. Evidence:
  Lambda rejected ``'"arn:aws:kms:…"'`` for ``(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()``
  (highsource/bitcoin-a-day#1) and CloudFormation rejected a URL for
  ``[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*`` (humanmade/cf-to-tf#5); both would pass with a search.
  Java's ``\\w``, ``\\d``, ``\\s`` are ASCII-only and its ``.`` excludes every line terminator, so
  patterns are translated accordingly before being compiled with the ``regex`` package (which understands
  ``\\p{L}`` and possessive quantifiers).
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
- Values are rendered as Java would: lists ``[a, b]``, maps ``{k=v}``, booleans ``true``/``false``, and
  never truncated.

Known differences from AWS (choices made without evidence):

- Enum values are listed in the model's order; AWS's order for SSM is unverified (API Gateway prints
  ``[PRIVATE, EDGE, REGIONAL]`` for a model order of ``REGIONAL, EDGE, PRIVATE``).
- A structure, list or map inside a map value is checked at ``<map>.<key>.member`` (by analogy with
  lists); no AWS message for that case was found.
- Where no public message was found for SSM itself, sensitive values are hidden by the Cognito rule above.
- String length counts Unicode code points (Smithy's rule); Java's ``String.length()`` counts UTF-16 units.
- A ``null`` inside a list fails the element constraint, reported with ``Member must not be null``
  appended to the bracketed list.
- Java's ``$`` also matches before a final ``\\r`` or ``\\u2028`` terminator, Python's only before
  ``\\n``; with whole-string matching this matters only for a ``$`` followed by more pattern text.
- Floats are rendered with Python's ``str`` (``1e+20``, not Java's ``1.0E20``).
- Integers must be JSON integers and timestamps JSON numbers (epoch seconds, what botocore sends);
  anything else is a ``SerializationException`` with our own wording.
- Union structures are not checked for "exactly one member".
- Errors come in the model's member order, depth first; AWS's own order is not documented.
"""

from __future__ import annotations

import base64
import binascii
import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import botocore.model
import botocore.session

if TYPE_CHECKING:
    import regex

from ssm_mw_mock.errors import SerializationException, ValidationException

__all__ = ["RequestValidator", "compile_java_pattern", "default_validator", "format_value"]

#: A compiled checker: (value, parent path, errors) -> None. Appends messages; raises SerializationException.
Checker = Callable[[Any, str, list[str]], None]
#: An element predicate for scalars inside lists and maps: True when every constraint holds.
Predicate = Callable[[Any], bool]

_PATTERN_CACHE_SIZE: Final = 2048
_SCALARS: Final = frozenset({"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"})

# Java's predefined classes are ASCII-only; ``.`` excludes all of Java's line terminators.
_JAVA_CLASS_IN_SET: Final = {
    "w": "a-zA-Z0-9_",
    "d": "0-9",
    "s": " \\t\\n\\x0b\\f\\r",
    "W": "\\x00-/:-@\\[-\\^`\\{-\\U0010ffff",
    "D": "\\x00-/:-\\U0010ffff",
    "S": "\\x00-\\x08\\x0e-\\x1f\\x21-\\U0010ffff",
}
# The Python types json.loads produces for each model type (blobs are base64 text).
_JSON_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "string": (str,),
    "blob": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (int, float),
}
_TYPE_ONLY: Final = frozenset({"string", "boolean", "integer", "long", "float", "double", "timestamp"})
_JAVA_DOT: Final = "[^\\n\\r\\u0085\\u2028\\u2029]"


def _translate_java_regex(pattern: str) -> str:
    """Rewrite the constructs whose meaning differs between Java and the ``regex`` package."""
    out: list[str] = []
    in_set = False
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt in _JAVA_CLASS_IN_SET:
                body = _JAVA_CLASS_IN_SET[nxt]
                out.append(body if in_set else f"[{body}]")
                if in_set and pattern.startswith("-", i + 2) and not pattern.startswith("-]", i + 2):
                    # Java reads '-' after a class escape inside a set as a literal ([\w-./] = word
                    # characters, '-', '.', '/'); Python would read a range and fail.
                    out.append("\\-")
                    i += 1
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_set:
            if ch == "]":
                in_set = False
            out.append(ch)
        elif ch == "[":
            in_set = True
            out.append(ch)
            # A ']' (after an optional '^') right after '[' is a literal in Java.
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
            if pattern.startswith("]", i + 1):
                out.append("\\]")
                i += 1
        elif ch == ".":
            out.append(_JAVA_DOT)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def compile_java_pattern(pattern: str) -> regex.Pattern[str]:
    """Compile a model ``pattern`` (Java syntax) for whole-string matching with :meth:`fullmatch`."""
    import regex  # on first use: importing it costs ~15 ms, more than the rest of validation

    return regex.compile(_translate_java_regex(pattern), regex.V0)


def _pattern_predicate(pattern: str) -> Predicate:
    """A memoising ``fullmatch`` test: test suites repeat the same values, and the regex engine is slow."""
    fullmatch = compile_java_pattern(pattern).fullmatch
    cache: dict[str, bool] = {}

    def matches(value: str) -> bool:
        hit = cache.get(value)
        if hit is None:
            if len(cache) >= _PATTERN_CACHE_SIZE:
                cache.clear()
            hit = cache[value] = fullmatch(value) is not None
        return hit

    return matches


def _has_constraints(shape: botocore.model.Shape) -> bool:
    meta = shape.metadata
    return "min" in meta or "max" in meta or "pattern" in meta or bool(getattr(shape, "enum", None))


def format_value(value: Any) -> str:
    """Render a JSON value as AWS (Java ``toString``) prints it in a validation message."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _violation(value: Any, path: str, clause: str, sensitive: bool) -> str:
    if sensitive:
        return f"Value at '{path}' failed to satisfy constraint: {clause}"
    return f"Value '{format_value(value)}' at '{path}' failed to satisfy constraint: {clause}"


def _null_violation(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"


def _join(parent: str, name: str | None) -> str:
    if name is None:
        return parent
    return f"{parent}.{name}" if parent else name


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _length_clauses(meta: dict[str, Any], unit: str) -> tuple[str | None, str | None]:
    low = f"Member must have {unit} greater than or equal to {meta['min']}" if "min" in meta else None
    high = f"Member must have {unit} less than or equal to {meta['max']}" if "max" in meta else None
    return low, high


def _element_clauses(shape: botocore.model.Shape) -> list[str]:
    """All constraints of a scalar, in the order AWS lists them inside ``[...]``: max, min, pattern, enum."""
    meta = shape.metadata
    unit = "value" if shape.type_name in ("integer", "long", "float", "double") else "length"
    low, high = _length_clauses(meta, unit)
    clauses = [c for c in (high, low) if c is not None]
    if "pattern" in meta:
        clauses.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    if getattr(shape, "enum", None):
        clauses.append(f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    return clauses


class _Compiler:
    """Turns botocore shapes into checker closures, memoised by shape, path name and sensitivity."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str | None, str, bool], Checker] = {}
        self._patterns: dict[str, Predicate] = {}
        self._fast_memo: dict[tuple[str, str], Predicate] = {}

    def pattern(self, pattern: str) -> Predicate:
        pred = self._patterns.get(pattern)
        if pred is None:
            pred = self._patterns[pattern] = _pattern_predicate(pattern)
        return pred

    def checker(self, shape: botocore.model.Shape, name: str | None, label: str, sensitive: bool) -> Checker:
        """A checker for ``shape`` at path ``parent.name`` (``name`` None: the parent path itself)."""
        sensitive = sensitive or bool(shape.metadata.get("sensitive"))
        key = (shape.name, name, label, sensitive)
        found = self._memo.get(key)
        if found is not None:
            return found
        # Placeholder for recursive shapes: resolved through the memo once compilation finishes.
        memo = self._memo

        def forward(value: Any, parent: str, errors: list[str]) -> None:
            memo[key](value, parent, errors)

        memo[key] = forward
        kind = shape.type_name
        built: Checker
        if kind == "structure":
            assert isinstance(shape, botocore.model.StructureShape)
            built = self._structure(shape, name, label, sensitive)
        elif kind == "list":
            assert isinstance(shape, botocore.model.ListShape)
            built = self._list(shape, name, label, sensitive)
        elif kind == "map":
            assert isinstance(shape, botocore.model.MapShape)
            built = self._map(shape, name, label, sensitive)
        else:
            built = self._scalar(shape, name, label, sensitive)
        memo[key] = built
        return built

    # -- the fast path -------------------------------------------------------------------------------------

    def fast(self, shape: botocore.model.Shape, label: str) -> Predicate:
        """True when ``value`` violates nothing; no paths or messages are built (the common, valid case).

        Raises ``SerializationException`` like the reporting checkers. Structures visit only the keys present.
        """
        key = (shape.name, label)
        found = self._fast_memo.get(key)
        if found is not None:
            return found
        memo = self._fast_memo

        def forward(value: Any) -> bool:
            return memo[key](value)

        memo[key] = forward
        kind = shape.type_name
        built: Predicate
        if kind == "structure":
            built = self._fast_structure(shape, label)
        elif kind == "list":
            member_ok = self.fast(shape.member, label)
            low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 2**63)

            def list_ok(value: Any) -> bool:
                if type(value) is not list:
                    raise SerializationException(f"Expected a JSON array for '{label}'")
                if not low <= len(value) <= high:
                    return False
                # Plain loops, not all(<generator>): creating a generator costs more than the checks.
                for item in value:  # noqa: SIM110
                    if item is None or not member_ok(item):
                        return False
                return True

            built = list_ok
        elif kind == "map":
            key_ok = self.predicate(shape.key, label)
            value_ok = self.fast(shape.value, label)
            low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 2**63)

            def map_ok(value: Any) -> bool:
                if type(value) is not dict:
                    raise SerializationException(f"Expected a JSON object for '{label}'")
                if not low <= len(value) <= high:
                    return False
                for k, item in value.items():
                    if not key_ok(k) or item is None or not value_ok(item):
                        return False
                return True

            built = map_ok
        else:
            built = self.predicate(shape, label)
        memo[key] = built
        return built

    def _fast_structure(self, shape: botocore.model.StructureShape, label: str) -> Predicate:
        # wire name -> (JSON types allowed, predicate or None when the type is the only constraint).
        table: dict[str, tuple[tuple[type, ...], Predicate, bool]] = {}
        for wire, member in shape.members.items():
            ok = self.fast(member, wire)
            types = _JSON_TYPES[member.type_name]
            unconstrained = member.type_name in _TYPE_ONLY and not _has_constraints(member)
            table[wire] = (types, ok, unconstrained)
        required = tuple(shape.required_members)
        table_get = table.get

        def struct_ok(value: Any) -> bool:
            if type(value) is not dict:
                raise SerializationException(f"Expected a JSON object for '{label}'")
            for wire, item in value.items():
                entry = table_get(wire)
                # Unknown members are ignored, as AWS does; JSON null is an absent member.
                if entry is None or item is None:
                    continue
                types, ok, unconstrained = entry
                if type(item) in types:
                    if unconstrained:
                        continue
                elif unconstrained:
                    ok(item)  # raises SerializationException with the member's name
                if not ok(item):
                    return False
            for wire in required:  # noqa: SIM110 (a generator is slower here)
                if value.get(wire) is None:
                    return False
            return True

        return struct_ok

    # -- scalars -------------------------------------------------------------------------------------------

    def coerce(self, shape: botocore.model.Shape, label: str) -> Callable[[Any], Any]:
        """A type check returning the value to measure (decoded bytes for blobs); raises on a bad type."""
        kind = shape.type_name

        def fail(expected: str) -> SerializationException:
            return SerializationException(f"Expected {expected} for '{label}'")

        if kind == "string":

            def as_string(value: Any) -> Any:
                if type(value) is not str:
                    raise fail("a string")
                return value

            return as_string
        if kind in ("integer", "long"):

            def as_integer(value: Any) -> Any:
                if type(value) is not int:
                    raise fail("an integer")
                return value

            return as_integer
        if kind in ("float", "double", "timestamp"):

            def as_number(value: Any) -> Any:
                if type(value) not in (int, float):
                    raise fail("a number")
                return value

            return as_number
        if kind == "boolean":

            def as_boolean(value: Any) -> Any:
                if type(value) is not bool:
                    raise fail("a boolean")
                return value

            return as_boolean
        if kind == "blob":

            def as_blob(value: Any) -> Any:
                if type(value) is not str:
                    raise fail("a base64-encoded string")
                try:
                    return base64.b64decode(value, validate=True)
                except (binascii.Error, ValueError):
                    raise fail("a base64-encoded string") from None

            return as_blob
        raise TypeError(f"validation does not know the model type {kind!r} (member {label!r})")

    def predicate(self, shape: botocore.model.Shape, label: str) -> Predicate:
        """A test that a scalar meets all its constraints (for list elements and map entries)."""
        coerce = self.coerce(shape, label)
        meta = shape.metadata
        kind = shape.type_name
        low: int | float = meta.get("min", -(2**63))
        high: int | float = meta.get("max", 2**63)
        matches = self.pattern(meta["pattern"]) if "pattern" in meta else None
        enum = frozenset(shape.enum) if getattr(shape, "enum", None) else None
        if kind == "string":
            # The common shapes, specialised: every call here is on the hot path.
            if enum is not None and matches is None:

                def enum_ok(value: Any) -> bool:
                    if type(value) is not str:
                        coerce(value)
                    return value in enum and low <= len(value) <= high

                return enum_ok
            if matches is not None and enum is None:

                def pattern_ok(value: Any) -> bool:
                    if type(value) is not str:
                        coerce(value)
                    return low <= len(value) <= high and matches(value)

                return pattern_ok
            if matches is None and enum is None:

                def length_ok(value: Any) -> bool:
                    if type(value) is not str:
                        coerce(value)
                    return low <= len(value) <= high

                return length_ok
        if kind in ("integer", "long"):

            def int_ok(value: Any) -> bool:
                if type(value) is not int:
                    coerce(value)
                return bool(low <= value <= high)

            return int_ok
        measure_length = kind in ("string", "blob")

        def ok(value: Any) -> bool:
            measured = coerce(value)
            size = len(measured) if measure_length else measured
            if size < low or size > high:
                return False
            if matches is not None and not matches(measured):
                return False
            return enum is None or measured in enum

        return ok

    def _scalar(self, shape: botocore.model.Shape, name: str | None, label: str, sensitive: bool) -> Checker:
        coerce = self.coerce(shape, label)
        meta = shape.metadata
        kind = shape.type_name
        measure_length = kind in ("string", "blob")
        unit = "length" if measure_length else "value"
        low_clause, high_clause = _length_clauses(meta, unit)
        low: int | float = meta.get("min", -(2**63))
        high: int | float = meta.get("max", 2**63)
        pattern_clause = f"Member must satisfy regular expression pattern: {meta.get('pattern')}"
        matches = self.pattern(meta["pattern"]) if "pattern" in meta else None
        enum = frozenset(shape.enum) if getattr(shape, "enum", None) else None
        enum_clause = f"Member must satisfy enum value set: [{', '.join(getattr(shape, 'enum', []))}]"
        if matches is None and enum is None and "min" not in meta and "max" not in meta:

            def check_type(value: Any, parent: str, errors: list[str]) -> None:
                coerce(value)

            return check_type

        def check(value: Any, parent: str, errors: list[str]) -> None:
            measured = coerce(value)
            size = len(measured) if measure_length else measured
            if size < low:
                errors.append(_violation(value, _join(parent, name), str(low_clause), sensitive))
            elif size > high:
                errors.append(_violation(value, _join(parent, name), str(high_clause), sensitive))
            if matches is not None and not matches(measured):
                errors.append(_violation(value, _join(parent, name), pattern_clause, sensitive))
            if enum is not None and measured not in enum:
                errors.append(_violation(value, _join(parent, name), enum_clause, sensitive))

        return check

    # -- containers ----------------------------------------------------------------------------------------

    def _structure(
        self, shape: botocore.model.StructureShape, name: str | None, label: str, sensitive: bool
    ) -> Checker:
        required = set(shape.required_members)
        members = tuple(
            (
                wire,
                wire in required,
                _lower_camel(wire),
                self.checker(member, _lower_camel(wire), wire, sensitive),
            )
            for wire, member in shape.members.items()
        )

        def check(value: Any, parent: str, errors: list[str]) -> None:
            if type(value) is not dict:
                raise SerializationException(f"Expected a JSON object for '{label}'")
            path = _join(parent, name)
            get = value.get
            for wire, is_required, child, check_member in members:
                item = get(wire)
                if item is None:
                    if is_required:
                        errors.append(_null_violation(_join(path, child)))
                    continue
                check_member(item, path, errors)

        return check

    def _list(
        self, shape: botocore.model.ListShape, name: str | None, label: str, sensitive: bool
    ) -> Checker:
        meta = shape.metadata
        low_clause, high_clause = _length_clauses(meta, "length")
        low: int = meta.get("min", 0)
        high: int | float = meta.get("max", 2**63)
        member = shape.member
        elements_sensitive = sensitive or bool(member.metadata.get("sensitive"))
        if member.type_name in _SCALARS:
            element_ok = self.predicate(member, label)
            element_clauses = _element_clauses(member)
            element_check: Checker | None = None
        else:
            element_ok = None
            element_clauses = []
            element_check = self.checker(member, None, label, sensitive)

        def check(value: Any, parent: str, errors: list[str]) -> None:
            if type(value) is not list:
                raise SerializationException(f"Expected a JSON array for '{label}'")
            size = len(value)
            if size < low:
                errors.append(_violation(value, _join(parent, name), str(low_clause), sensitive))
            elif size > high:
                errors.append(_violation(value, _join(parent, name), str(high_clause), sensitive))
            if element_ok is not None:
                failed = False
                has_null = False
                for item in value:
                    if item is None:
                        has_null = True
                    elif not element_ok(item):
                        failed = True
                if failed or has_null:
                    clauses = [*element_clauses, "Member must not be null"] if has_null else element_clauses
                    clause = f"Member must satisfy constraint: [{', '.join(clauses)}]"
                    errors.append(_violation(value, _join(parent, name), clause, elements_sensitive))
            elif element_check is not None:
                path = _join(parent, name)
                for index, item in enumerate(value, 1):
                    item_path = f"{path}.{index}.member"
                    if item is None:
                        errors.append(_null_violation(item_path))
                    else:
                        element_check(item, item_path, errors)

        return check

    def _map(self, shape: botocore.model.MapShape, name: str | None, label: str, sensitive: bool) -> Checker:
        meta = shape.metadata
        low_clause, high_clause = _length_clauses(meta, "length")
        low: int = meta.get("min", 0)
        high: int | float = meta.get("max", 2**63)
        key_ok = self.predicate(shape.key, label)
        key_clause = f"Map keys must satisfy constraint: [{', '.join(_element_clauses(shape.key))}]"
        value_shape = shape.value
        value_sensitive = sensitive or bool(value_shape.metadata.get("sensitive"))
        if value_shape.type_name in _SCALARS:
            value_ok: Predicate | None = self.predicate(value_shape, label)
            value_clauses = _element_clauses(value_shape)
            value_check: Checker | None = None
        else:
            value_ok = None
            value_clauses = []
            value_check = self.checker(value_shape, None, label, sensitive)

        def check(value: Any, parent: str, errors: list[str]) -> None:
            if type(value) is not dict:
                raise SerializationException(f"Expected a JSON object for '{label}'")
            size = len(value)
            if size < low:
                errors.append(_violation(value, _join(parent, name), str(low_clause), sensitive))
            elif size > high:
                errors.append(_violation(value, _join(parent, name), str(high_clause), sensitive))
            keys_failed = False
            values_failed = False
            has_null = False
            for key, item in value.items():
                if not keys_failed and not key_ok(key):
                    keys_failed = True
                if item is None:
                    has_null = True
                elif value_ok is not None and not values_failed and not value_ok(item):
                    values_failed = True
            path = _join(parent, name)
            if keys_failed:
                errors.append(_violation(value, path, key_clause, sensitive))
            if value_ok is not None and (values_failed or has_null):
                clauses = [*value_clauses, "Member must not be null"] if has_null else value_clauses
                clause = f"Map value must satisfy constraint: [{', '.join(clauses)}]"
                errors.append(_violation(value, path, clause, value_sensitive))
            elif value_check is not None:
                for key, item in value.items():
                    item_path = f"{path}.{key}.member"
                    if item is None:
                        errors.append(_null_violation(item_path))
                    else:
                        value_check(item, item_path, errors)

        return check


class RequestValidator:
    """Checks request params (the decoded awsJson1.1 body, wire member names) against a service model."""

    def __init__(self, service_model: botocore.model.ServiceModel) -> None:
        self._model = service_model
        self._compiler = _Compiler()
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
