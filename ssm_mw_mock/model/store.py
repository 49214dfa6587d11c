"""Where the mock keeps what it was told: one ``RegionState`` per (account, region).

Also the small mechanisms every operation shares: ``ClientToken`` idempotency, lookups that answer SSM's
``DoesNotExistException``, Describe filters and ``NextToken`` pagination. (Ids come from ``ids.IdSource``.)

Known differences from AWS: docs/known-differences.md#listings-and-pagination,
docs/known-differences.md#idempotency.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from ..errors import DoesNotExistException, IdempotentParameterMismatch, InvalidNextToken, ValidationException
from ..timing.schedule import ScheduleError, parse_instant
from .history import WindowExecution
from .inventory import Inventory, InventorySource
from .ledger import WindowLog
from .naming import NamingIndex
from .resources import Window

T = TypeVar("T")

#: How long a ClientToken is remembered, on the mock's clock. SSM documents no window; 24 hours is what
#: several AWS APIs document for theirs (SimSpace Weaver's StartApp, Oracle Database@AWS).
TOKEN_LIFETIME = timedelta(hours=24)
#: The most ClientTokens one region remembers at once; past it the oldest are forgotten.
TOKENS_PER_REGION = 10_000


@dataclass(slots=True)
class RegionState:
    """Everything one account holds in one region."""

    account: str
    region: str
    windows: dict[str, Window] = field(default_factory=dict)
    executions: dict[str, WindowExecution] = field(default_factory=dict)  # in start order
    #: Each window's executions in start order (model/ledger.py), for the listings.
    logs: dict[str, WindowLog] = field(default_factory=dict)
    # (operation, ClientToken) -> (digest of the request, the answer, when the token expires).
    tokens: dict[tuple[str, str], tuple[bytes, Any, datetime]] = field(default_factory=dict)
    sequence: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    inventory: Inventory = field(default_factory=Inventory)
    #: Where else instances live (moto's EC2 while its mock_aws is active); None: the inventory alone.
    source: InventorySource | None = None
    #: Which windows a node or tag can name (model/naming.py), kept by the target and task operations.
    naming: NamingIndex = field(default_factory=NamingIndex)

    def live_inventory(self) -> tuple[Inventory, bool]:
        """The instances targets resolve against now, and whether they came from a live source.

        A live view (moto's) can change without a call to the mock, so plans built from it are not kept.
        """
        if self.source is not None:
            merged = self.source.merged(self.inventory, self.account, self.region)
            if merged is not None:
                return merged, True
        return self.inventory, False

    def add_execution(self, execution: WindowExecution) -> None:
        self.executions[execution.window_execution_id] = execution
        log = self.logs.get(execution.window_id)
        if log is None:
            log = self.logs[execution.window_id] = WindowLog()
        log.add(execution)

    def forget_window(self, window_id: str) -> None:
        """Forget a deleted window's executions: the cost is that window's own history."""
        log = self.logs.pop(window_id, None)
        if log is not None:
            for execution in log.executions:
                del self.executions[execution.window_execution_id]

    def next_seq(self) -> int:
        return next(self.sequence)

    def window(self, window_id: str) -> Window:
        """The window, or SSM's ``DoesNotExistException``."""
        try:
            return self.windows[window_id]
        except KeyError:
            raise DoesNotExistException(f"Maintenance window {window_id} does not exist") from None

    def idempotent(self, operation: str, params: dict[str, Any], create: Callable[[], T], now: datetime) -> T:
        """Run ``create`` once per live ``ClientToken``; a repeat with other parameters is refused.

        A token lives for ``TOKEN_LIFETIME`` of the mock's clock from its first use, and a region keeps at
        most ``TOKENS_PER_REGION`` of them (the oldest go first), so tokens cost bounded memory. Only a
        call that succeeds records its token, and only then are old records dropped: a refused call
        changes nothing.
        """
        token = params.get("ClientToken")
        if token is None:
            return create()
        fingerprint = _fingerprint(params)
        key = (operation, token)
        known = self.tokens.get(key)
        if known is not None and known[2] > now:
            if known[0] != fingerprint:
                raise IdempotentParameterMismatch(
                    f"The ClientToken {token} was already used with different parameters"
                )
            result: T = known[1]
            return result
        result = create()
        self.tokens.pop(key, None)  # an expired record: the token starts a new life
        self.tokens[key] = (fingerprint, result, now + TOKEN_LIFETIME)
        # Records are in order of first use, and so of expiry: the expired and the surplus are in front.
        while self.tokens:
            oldest = next(iter(self.tokens))
            if self.tokens[oldest][2] > now and len(self.tokens) <= TOKENS_PER_REGION:
                break
            del self.tokens[oldest]
        return result


def _fingerprint(params: dict[str, Any]) -> bytes:
    """A digest of the request without its token: what a repeat must match (the request itself may be big)."""
    text = json.dumps({k: v for k, v in params.items() if k != "ClientToken"}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).digest()


class Sequenced(Protocol):
    @property
    def seq(self) -> int: ...


S = TypeVar("S", bound=Sequenced)
_SEQ = attrgetter("seq")


def paginate(
    items: Iterable[S],
    params: dict[str, Any],
    listing: str,
    default_max: int,
    *,
    keep: Callable[[S], bool] | None = None,
) -> tuple[list[S], str | None]:
    """One page of ``items`` (in ``seq`` order) after ``NextToken``, at most ``MaxResults`` long.

    The token names the listing and the last ``seq`` returned, so deleting items between pages never
    skips or repeats one. ``items`` may be a sequence or any iterable in ``seq`` order (a dict's values):
    a first page reads only the items it needs, and a page after a token finds its start by bisection
    (an iterable that is not a sequence is listed first). With ``keep`` (the listing's filters) the items
    are tested one by one only until the page and one more match are found, so a page costs the page
    plus the items scanned for it, never the whole listing.
    """
    limit = params.get("MaxResults") or default_max
    token = params.get("NextToken")
    if token:
        ordered = items if isinstance(items, Sequence) else list(items)
        start = bisect_right(ordered, read_token(token, listing), key=_SEQ)
        rest: Iterator[S] = map(ordered.__getitem__, range(start, len(ordered)))  # no walk to ``start``
    else:
        rest = iter(items)
    if keep is not None:
        rest = filter(keep, rest)
    page = list(itertools.islice(rest, limit))
    more = len(page) == limit and next(rest, None) is not None
    return page, (make_token(listing, page[-1].seq) if more and page else None)


def filters(params: dict[str, Any], supported: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """Each ``(key, values)`` of the request's ``Filters``; a key not in ``supported`` is refused."""
    for flt in params.get("Filters") or ():
        key = flt.get("Key")
        if key not in supported:
            raise ValidationException(
                f"The filter key {key} is not supported; supported keys: " + ", ".join(supported)
            )
        yield key, list(flt.get("Values") or ())


def filter_instant(key: str, values: list[str]) -> datetime:
    """The one ISO-8601 value of a time filter (``ScheduledAfter``, ``ExecutedBefore``, …)."""
    if len(values) != 1:
        raise ValidationException(f"The filter {key} takes exactly one value")
    try:
        return parse_instant(values[0])
    except ScheduleError as error:
        raise ValidationException(f"Invalid value for filter {key}: {error}") from None


def page_result(key: str, items: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    """A listing's answer: its items under ``key``, and ``NextToken`` when there is more."""
    result: dict[str, Any] = {key: items}
    if token:
        result["NextToken"] = token
    return result


def matcher(params: dict[str, Any], attributes: Mapping[str, str]) -> Callable[[Any], bool] | None:
    """A test passing the items that pass every filter of ``params`` (ANDed), or None without filters;
    a filter passes an item whose attribute, as text, is any of its values. ``attributes`` maps each
    supported filter key to its attribute. Unsupported keys are refused here, before any item is read.
    """
    tests = [(attrgetter(attributes[key]), set(values)) for key, values in filters(params, attributes)]
    if not tests:
        return None
    return lambda item: all(_text(get(item)) in wanted for get, wanted in tests)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def make_token(listing: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{listing}:{seq}".encode()).decode()


def read_token(token: str, listing: str) -> int:
    try:
        name, _, seq = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if name == listing and seq.isdigit():
            return int(seq)
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise InvalidNextToken("The specified token is not valid.")
