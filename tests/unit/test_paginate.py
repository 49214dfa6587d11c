"""``model.store.paginate``: every page walk, from a list or a dict's values, against a plain filter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ssm_mw_mock.model.store import paginate


@dataclass(frozen=True)
class Item:
    seq: int
    mark: int


def _walk(source: Callable[[], Any], limit: int, keep: Callable[[Item], bool] | None) -> list[list[Item]]:
    """Every page of a listing, following NextToken; the source is asked afresh for each page."""
    pages: list[list[Item]] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"MaxResults": limit}
        if token:
            params["NextToken"] = token
        page, token = paginate(source(), params, "Listing", 50, keep=keep)
        pages.append(page)
        assert len(pages) <= 1000, "the walk never ends"
        if token is None:
            return pages


@given(
    marks=st.lists(st.integers(0, 3), max_size=40),
    limit=st.integers(1, 7),
    wanted=st.none() | st.sets(st.integers(0, 3)),
    as_dict=st.booleans(),
)
def test_pages_walk_the_filtered_items_once_in_order(
    marks: list[int], limit: int, wanted: set[int] | None, as_dict: bool
) -> None:
    items = [Item(seq=3 * k + 1, mark=mark) for k, mark in enumerate(marks)]  # gaps, as after deletions
    by_id = {f"id-{item.seq}": item for item in items}
    keep = None if wanted is None else (lambda item: item.mark in wanted)
    pages = _walk((lambda: by_id.values()) if as_dict else (lambda: items), limit, keep)
    expected = [item for item in items if keep is None or keep(item)]
    assert [item for page in pages for item in page] == expected
    assert all(len(page) == limit for page in pages[:-1])
    assert len(pages[-1]) <= limit
    # A full last page ends the walk only when nothing passing the filter follows it.
    assert len(pages) == max(1, -(-len(expected) // limit))


def test_a_token_survives_deleting_the_item_it_names() -> None:
    items = {f"id-{k}": Item(seq=k, mark=0) for k in range(1, 8)}
    first, token = paginate(items.values(), {"MaxResults": 3}, "Listing", 50)
    assert [item.seq for item in first] == [1, 2, 3]
    assert token is not None
    del items["id-3"], items["id-4"]
    rest, after = paginate(items.values(), {"MaxResults": 3, "NextToken": token}, "Listing", 50)
    assert [item.seq for item in rest] == [5, 6, 7]
    assert after is None
