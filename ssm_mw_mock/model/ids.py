"""The one source of every identifier a mock makes: window ids, target and task ids, execution ids.

Each mock (each start of it) owns one ``IdSource``. Without a seed its ids are random, as SSM's are;
with ``seed=`` (``mock_maintenance_windows(seed=3)``) the same calls give the same ids, run after run,
the way moto's seeded random does. Nothing else in the mock draws random numbers for an id.

Window ids are ``mw-0`` and 16 hex digits; target and task ids are random UUIDs (version 4).
Execution, task-execution, invocation and command ids are UUID-shaped too (version 4) but share a
random prefix within one source and end in a counter, so making hundreds of thousands of them in a
simulated year stays cheap. The records made by the hundred thousand (task executions, invocations) keep
only how many draws their id came after their window execution's, and format it on read with
:func:`following`.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterator


class IdSource:
    """Ids for one mock: random by default, reproducible with ``seed``."""

    __slots__ = ("_random", "executions", "numbers")

    def __init__(self, seed: int | None = None) -> None:
        given: object = seed
        if given is not None and (isinstance(given, bool) or not isinstance(given, int)):
            raise TypeError(f"seed must be an int or None, not {type(given).__name__}")
        self._random = random.Random(seed)
        bits = f"{self._random.getrandbits(72):018x}"
        template = f"{bits[:8]}-{bits[8:12]}-4{bits[12:15]}-a{bits[15:18]}-{{:012x}}"
        #: The counter behind the execution-record ids: drawing from it uses up the id of that number,
        #: unformatted (:func:`following` formats it later).
        self.numbers: Iterator[int] = itertools.count(self._random.getrandbits(40))
        #: Execution-record ids, one ``next()`` each: ``map`` over the counter formats them with no
        #: Python-level call per id.
        self.executions: Iterator[str] = map(template.format, self.numbers)

    def window_id(self) -> str:
        # Every real window id seen starts with "mw-0"; the rest is 16 random lowercase hex digits.
        return f"mw-0{self._random.getrandbits(64):016x}"

    def uuid(self) -> str:
        """A version-4 UUID, for window targets and tasks."""
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))


#: Where the counter starts in an execution-record id: after the source's shared prefix.
_COUNTER_AT = len("01234567-89ab-4cde-af01-")


def number_of(execution_id: str) -> int:
    """The counter value an execution-record id was formatted from."""
    return int(execution_id[_COUNTER_AT:], 16)


def following(execution_id: str, draws: int) -> str:
    """The id the same source formatted ``draws`` draws after ``execution_id``."""
    return f"{execution_id[:_COUNTER_AT]}{int(execution_id[_COUNTER_AT:], 16) + draws:012x}"
