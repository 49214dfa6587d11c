"""What botocore's model demands of one shape, read once into a value, and how AWS words a violation.

:func:`constraints_of` turns a shape's metadata (``min``, ``max``, ``pattern``, ``enum``, ``sensitive``)
into a :class:`Constraints`; the evaluator (``validation``) never reads shape metadata itself. The clause
texts are AWS's (``Member must have length less than or equal to 128``), and values are rendered as Java's
``toString`` would: lists ``[a, b]``, maps ``{k=v}``, booleans ``true``/``false``, never truncated.

Known differences from AWS: docs/known-differences.md#validation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import botocore.model

__all__ = ["Constraints", "constraints_of", "format_value", "null_violation", "violation"]

NUMERIC: Final = frozenset({"integer", "long", "float", "double"})
#: The values a Java ``int`` and ``long`` hold: a JSON number outside them does not fit the member at all.
JAVA_RANGES: Final = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


@dataclass(frozen=True, slots=True)
class Constraints:
    """One shape's constraints. ``low``/``high`` bound the length (strings, blobs, lists, maps) or the value
    (numbers); an absent bound is infinite, so it never fails and never needs a clause."""

    kind: str
    low: float = -math.inf
    high: float = math.inf
    pattern: str | None = None
    enum: tuple[str, ...] = ()
    sensitive: bool = False

    @property
    def unit(self) -> str:
        return "value" if self.kind in NUMERIC else "length"

    @property
    def low_clause(self) -> str:
        return f"Member must have {self.unit} greater than or equal to {self.low}"

    @property
    def high_clause(self) -> str:
        return f"Member must have {self.unit} less than or equal to {self.high}"

    @property
    def pattern_clause(self) -> str:
        return f"Member must satisfy regular expression pattern: {self.pattern}"

    @property
    def enum_clause(self) -> str:
        return f"Member must satisfy enum value set: [{', '.join(self.enum)}]"

    @property
    def bounded(self) -> bool:
        return self.low != -math.inf or self.high != math.inf

    @property
    def any(self) -> bool:
        """True when the shape constrains more than its JSON type."""
        return self.bounded or self.pattern is not None or bool(self.enum)

    def element_clauses(self) -> list[str]:
        """All clauses, in the order AWS lists them inside ``[...]``: max, min, pattern, enum."""
        clauses = []
        if self.high != math.inf:
            clauses.append(self.high_clause)
        if self.low != -math.inf:
            clauses.append(self.low_clause)
        if self.pattern is not None:
            clauses.append(self.pattern_clause)
        if self.enum:
            clauses.append(self.enum_clause)
        return clauses


def constraints_of(shape: botocore.model.Shape) -> Constraints:
    """The constraints botocore's model puts on ``shape`` itself (not on its members)."""
    meta = shape.metadata
    return Constraints(
        kind=shape.type_name,
        low=meta.get("min", -math.inf),
        high=meta.get("max", math.inf),
        pattern=meta.get("pattern"),
        enum=tuple(getattr(shape, "enum", None) or ()),
        sensitive=bool(meta.get("sensitive")),
    )


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


def violation(value: Any, path: str, clause: str, sensitive: bool) -> str:
    """One violation, as AWS words it; a sensitive value is left out."""
    if sensitive:
        return f"Value at '{path}' failed to satisfy constraint: {clause}"
    return f"Value '{format_value(value)}' at '{path}' failed to satisfy constraint: {clause}"


def null_violation(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"
