"""The evaluator: botocore shapes compiled into checks of request values against their ``Constraints``.

Each shape is compiled once into two closures: a fast predicate that only answers "valid?" (the common
case, no paths or messages built), and a reporting checker that appends every violation with its path
in AWS's words. Both read the same ``Constraints`` value and the same scalar tests (``scalars``), so they
agree by construction; the test suite checks that they do. ``validation`` documents the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import botocore.model

from ssm_mw_mock.errors import SerializationException

from .constraints import Constraints, constraints_of, null_violation, violation
from .java_regex import matcher
from .scalars import Predicate, coercer, predicate

__all__ = ["Checker", "Compiler", "Predicate"]

#: A compiled checker: (value, parent path, errors) -> None. Appends messages; raises SerializationException.
Checker = Callable[[Any, str, list[str]], None]

_SCALARS: Final = frozenset({"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"})
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
_TYPE_ONLY: Final = frozenset({"string", "boolean", "float", "double", "timestamp"})


def _join(parent: str, name: str | None) -> str:
    if name is None:
        return parent
    return f"{parent}.{name}" if parent else name


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


class Compiler:
    """Turns botocore shapes into checker closures, memoised by shape, path name and sensitivity."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str | None, str, bool], Checker] = {}
        self._patterns: dict[str, Predicate] = {}
        self._fast_memo: dict[tuple[str, str], Predicate] = {}
        self._constraints: dict[str, Constraints] = {}

    def constraints(self, shape: botocore.model.Shape) -> Constraints:
        found = self._constraints.get(shape.name)
        if found is None:
            found = self._constraints[shape.name] = constraints_of(shape)
        return found

    def pattern(self, pattern: str) -> Predicate:
        pred = self._patterns.get(pattern)
        if pred is None:
            pred = self._patterns[pattern] = matcher(pattern)
        return pred

    def checker(self, shape: botocore.model.Shape, name: str | None, label: str, sensitive: bool) -> Checker:
        """A checker for ``shape`` at path ``parent.name`` (``name`` None: the parent path itself)."""
        sensitive = sensitive or self.constraints(shape).sensitive
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
            assert isinstance(shape, botocore.model.StructureShape)
            built = self._fast_structure(shape, label)
        elif kind == "list":
            assert isinstance(shape, botocore.model.ListShape)
            member_ok = self.fast(shape.member, label)
            limits = self.constraints(shape)
            low, high = limits.low, limits.high

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
            assert isinstance(shape, botocore.model.MapShape)
            key_ok = self.predicate_of(shape.key, label)
            value_ok = self.fast(shape.value, label)
            limits = self.constraints(shape)
            low, high = limits.low, limits.high

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
            built = self.predicate_of(shape, label)
        memo[key] = built
        return built

    def _fast_structure(self, shape: botocore.model.StructureShape, label: str) -> Predicate:
        # wire name -> (JSON types allowed, predicate, True when the type is the only constraint).
        table: dict[str, tuple[tuple[type, ...], Predicate, bool]] = {}
        for wire, member in shape.members.items():
            ok = self.fast(member, wire)
            types = _JSON_TYPES[member.type_name]
            unconstrained = member.type_name in _TYPE_ONLY and not self.constraints(member).any
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

    def predicate_of(self, shape: botocore.model.Shape, label: str) -> Predicate:
        """A test that a scalar meets all its constraints (for list elements and map entries)."""
        return predicate(self.constraints(shape), label, self.pattern)

    def _scalar(self, shape: botocore.model.Shape, name: str | None, label: str, sensitive: bool) -> Checker:
        coerce = coercer(shape.type_name, label)
        limits = self.constraints(shape)
        measure_length = shape.type_name in ("string", "blob")
        low, high = limits.low, limits.high
        low_clause, high_clause = limits.low_clause, limits.high_clause
        pattern_clause, enum_clause = limits.pattern_clause, limits.enum_clause
        matches = self.pattern(limits.pattern) if limits.pattern is not None else None
        enum = frozenset(limits.enum) if limits.enum else None
        if not limits.any:

            def check_type(value: Any, parent: str, errors: list[str]) -> None:
                coerce(value)

            return check_type

        def check(value: Any, parent: str, errors: list[str]) -> None:
            measured = coerce(value)
            size = len(measured) if measure_length else measured
            if size < low:
                errors.append(violation(value, _join(parent, name), low_clause, sensitive))
            elif size > high:
                errors.append(violation(value, _join(parent, name), high_clause, sensitive))
            if matches is not None and not matches(measured):
                errors.append(violation(value, _join(parent, name), pattern_clause, sensitive))
            if enum is not None and measured not in enum:
                errors.append(violation(value, _join(parent, name), enum_clause, sensitive))

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
                        errors.append(null_violation(_join(path, child)))
                    continue
                check_member(item, path, errors)

        return check

    def _size_check(self, limits: Constraints, name: str | None, sensitive: bool) -> Checker:
        """The length check of a list or map, reported at its own path."""
        low, high = limits.low, limits.high
        low_clause, high_clause = limits.low_clause, limits.high_clause

        def check(value: Any, parent: str, errors: list[str]) -> None:
            size = len(value)
            if size < low:
                errors.append(violation(value, _join(parent, name), low_clause, sensitive))
            elif size > high:
                errors.append(violation(value, _join(parent, name), high_clause, sensitive))

        return check

    def _list(
        self, shape: botocore.model.ListShape, name: str | None, label: str, sensitive: bool
    ) -> Checker:
        check_size = self._size_check(self.constraints(shape), name, sensitive)
        member = shape.member
        elements_sensitive = sensitive or self.constraints(member).sensitive
        if member.type_name in _SCALARS:
            element_ok: Predicate | None = self.predicate_of(member, label)
            element_clauses = self.constraints(member).element_clauses()
            element_check: Checker | None = None
        else:
            element_ok = None
            element_clauses = []
            element_check = self.checker(member, None, label, sensitive)

        def check(value: Any, parent: str, errors: list[str]) -> None:
            if type(value) is not list:
                raise SerializationException(f"Expected a JSON array for '{label}'")
            check_size(value, parent, errors)
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
                    errors.append(violation(value, _join(parent, name), clause, elements_sensitive))
            elif element_check is not None:
                path = _join(parent, name)
                for index, item in enumerate(value, 1):
                    item_path = f"{path}.{index}.member"
                    if item is None:
                        errors.append(null_violation(item_path))
                    else:
                        element_check(item, item_path, errors)

        return check

    def _map(self, shape: botocore.model.MapShape, name: str | None, label: str, sensitive: bool) -> Checker:
        check_size = self._size_check(self.constraints(shape), name, sensitive)
        key_ok = self.predicate_of(shape.key, label)
        key_clause = (
            f"Map keys must satisfy constraint: [{', '.join(self.constraints(shape.key).element_clauses())}]"
        )
        value_shape = shape.value
        value_sensitive = sensitive or self.constraints(value_shape).sensitive
        if value_shape.type_name in _SCALARS:
            value_ok: Predicate | None = self.predicate_of(value_shape, label)
            value_clauses = self.constraints(value_shape).element_clauses()
            value_check: Checker | None = None
        else:
            value_ok = None
            value_clauses = []
            value_check = self.checker(value_shape, None, label, sensitive)

        def check(value: Any, parent: str, errors: list[str]) -> None:
            if type(value) is not dict:
                raise SerializationException(f"Expected a JSON object for '{label}'")
            check_size(value, parent, errors)
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
                errors.append(violation(value, path, key_clause, sensitive))
            if value_ok is not None and (values_failed or has_null):
                clauses = [*value_clauses, "Member must not be null"] if has_null else value_clauses
                clause = f"Map value must satisfy constraint: [{', '.join(clauses)}]"
                errors.append(violation(value, path, clause, value_sensitive))
            elif value_check is not None:
                for key, item in value.items():
                    item_path = f"{path}.{key}.member"
                    if item is None:
                        errors.append(null_violation(item_path))
                    else:
                        value_check(item, item_path, errors)

        return check
