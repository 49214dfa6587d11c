"""Scalar values against their constraints: the JSON type check and the all-constraints test.

The evaluator (``evaluator``) uses these for every scalar: ``coercer`` refuses a value whose JSON type does
not fit the model type (``SerializationException``), ``predicate`` answers whether a scalar meets every
constraint of its ``Constraints`` without building a message.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from ssm_mw_mock.errors import SerializationException

from .constraints import JAVA_RANGES, Constraints

__all__ = ["Predicate", "coercer", "predicate"]

#: True when a value meets every constraint.
Predicate = Callable[[Any], bool]


def coercer(kind: str, label: str) -> Callable[[Any], Any]:
    """A type check returning the value to measure (decoded bytes for blobs); raises on a bad type."""

    def fail(expected: str) -> SerializationException:
        return SerializationException(f"Expected {expected} for '{label}'")

    if kind == "string":

        def as_string(value: Any) -> Any:
            if type(value) is not str:
                raise fail("a string")
            return value

        return as_string
    if kind in JAVA_RANGES:
        smallest, largest = JAVA_RANGES[kind]
        bits = "32" if kind == "integer" else "64"

        def as_integer(value: Any) -> Any:
            if type(value) is not int:
                raise fail("an integer")
            if not smallest <= value <= largest:
                raise fail(f"an integer of at most {bits} bits, not {value}")
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


def predicate(limits: Constraints, label: str, pattern: Callable[[str], Predicate]) -> Predicate:
    """A test that a scalar meets all its constraints (for list elements and map entries)."""
    coerce = coercer(limits.kind, label)
    kind = limits.kind
    low, high = limits.low, limits.high
    matches = pattern(limits.pattern) if limits.pattern is not None else None
    enum = frozenset(limits.enum) if limits.enum else None
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
    if kind in JAVA_RANGES:
        # One comparison for the common case: a JSON integer inside both the constraints and Java's range.
        inner_low, inner_high = max(low, JAVA_RANGES[kind][0]), min(high, JAVA_RANGES[kind][1])

        def int_ok(value: Any) -> bool:
            if type(value) is int and inner_low <= value <= inner_high:
                return True
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
