"""Tag-based discovery: the Resource Groups Tagging API's ``GetResources`` for maintenance windows.

Code that finds its windows by tag calls ``resourcegroupstaggingapi.get_resources(ResourceTypeFilters=
["ssm:maintenancewindow"], TagFilters=[...])``. moto's Tagging API cannot see our windows, so the front
door hands us a ``GetResources`` whose ``ResourceTypeFilters`` name maintenance windows and nothing else
(``routing.is_discovery``); every other ``GetResources`` stays moto's. This answers it from the caller's
(account, region), with or without moto.

- A window matches when it meets every tag filter: it has the filter's key and, if the filter lists
  values, one of them (AWS's documented rule for ``TagFilters``).
- Windows come in creation order; ``ResourcesPerPage`` (1-100, default 100) pages them with a
  ``PaginationToken`` of ours; the last page has ``PaginationToken: ""``, as AWS's.

Known differences from AWS: docs/known-differences.md#tag-based-discovery-getresources.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidParameterException
from ..model.resources import Window
from ..model.store import RegionState

#: The resource type of a maintenance window in the Tagging API's ``service:resourceType`` form.
WINDOW_TYPE = "ssm:maintenancewindow"
#: The ``GetResources`` members this answers; a request with others stays moto's.
SUPPORTED = frozenset(
    {"ResourceTypeFilters", "TagFilters", "ResourcesPerPage", "PaginationToken", "TagsPerPage"}
)
MAX_PER_PAGE = 100


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def window_arn(state: RegionState, window_id: str) -> str:
    return f"arn:{partition(state.region)}:ssm:{state.region}:{state.account}:maintenancewindow/{window_id}"


def get_resources(state: RegionState, params: Mapping[str, Any]) -> dict[str, Any]:
    """``GetResources`` over the windows of ``state``."""
    filters = params.get("TagFilters") or []
    per_page = params.get("ResourcesPerPage", MAX_PER_PAGE)
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidParameterException(
            f"ResourcesPerPage must be between 1 and {MAX_PER_PAGE}; got {per_page!r}."
        )
    found = [window for window in state.windows.values() if all(_meets(window, f) for f in filters)]
    start = _read_token(params.get("PaginationToken") or "", found)
    page = found[start : start + per_page]
    more = start + per_page < len(found)
    return {
        "ResourceTagMappingList": [
            {
                "ResourceARN": window_arn(state, window.window_id),
                "Tags": [{"Key": key, "Value": value} for key, value in window.tags.items()],
            }
            for window in page
        ],
        "PaginationToken": _make_token(page[-1].window_id) if more else "",
    }


def _meets(window: Window, tag_filter: Mapping[str, Any]) -> bool:
    key = tag_filter.get("Key")
    if key not in window.tags:
        return False
    values = tag_filter.get("Values") or []
    return not values or window.tags[key] in values


def _make_token(last_window_id: str) -> str:
    return base64.urlsafe_b64encode(f"windows:{last_window_id}".encode()).decode()


def _read_token(token: str, found: list[Window]) -> int:
    if not token:
        return 0
    try:
        name, _, window_id = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
    except (binascii.Error, UnicodeError, ValueError):
        name, window_id = "", ""
    if name == "windows":
        for index, window in enumerate(found):
            if window.window_id == window_id:
                return index + 1
    raise InvalidParameterException(f"The PaginationToken {token} is not valid.")
