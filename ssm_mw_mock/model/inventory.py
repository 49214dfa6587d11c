"""A fake inventory of managed instances and resource groups, and what a window target resolves to.

Real SSM finds the members of a tag or resource-group target among the account's managed nodes. The mock has
no EC2, so tests declare the nodes they want on the handle — ``mw.add_instance("i-…", tags={...})`` and
``mw.add_resource_group("web", instance_ids=[...])`` — per (account, region), and :func:`resolve` turns a
window target's ``Targets`` into instance ids. ``resolve`` is pure: it reads an :class:`Inventory` and
changes nothing, for the execution simulator and for anything else that needs a target's members.

Known differences from AWS: docs/known-differences.md#the-inventory-which-instances-a-target-finds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

INSTANCE_RESOURCE_TYPE = "AWS::EC2::Instance"
RUNNING = "running"
#: The keys of a window target that select instances, besides ``tag:<key>``.
SELECTOR_KEYS = frozenset({"tag-key", "resource-groups:Name", "resource-groups:ResourceTypeFilters"})


@dataclass(slots=True)
class Instance:
    instance_id: str
    tags: dict[str, str] = field(default_factory=dict)
    #: EC2's instance state name; instances added with ``mw.add_instance`` are always running.
    state: str = RUNNING


@dataclass(slots=True)
class ResourceGroup:
    name: str
    instance_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Inventory:
    """The instances and resource groups of one (account, region), in the order they were added."""

    instances: dict[str, Instance] = field(default_factory=dict)
    groups: dict[str, ResourceGroup] = field(default_factory=dict)
    #: Whether moto's EC2 was consulted for this view (for the wording of :func:`explain`).
    from_moto: bool = False

    def add_instance(self, instance_id: str, tags: Mapping[str, str] | None = None) -> Instance:
        """Add an instance, or replace the tags of one already added."""
        if not instance_id:
            raise ValueError("add_instance() needs an instance id, such as 'i-0123456789abcdef0'")
        given: object = tags  # checked at run time too: callers may not be type-checked
        if given is not None and not isinstance(given, Mapping):
            raise TypeError(
                f"tags must be a mapping of strings to strings, such as {{'Env': 'prod'}}; "
                f"got {type(given).__name__} {given!r}"
            )
        entries: list[tuple[object, object]] = list((tags or {}).items())
        for key, value in entries:
            if not (isinstance(key, str) and isinstance(value, str)):
                raise TypeError(
                    f"tags must map strings to strings, such as {{'Env': 'prod'}}; got {key!r}: {value!r}"
                )
        instance = self.instances[instance_id] = Instance(instance_id, dict(tags or {}))
        return instance

    def add_resource_group(self, name: str, instance_ids: Iterable[str] = ()) -> ResourceGroup:
        """Add a resource group holding ``instance_ids``, or replace the members of one already added."""
        if not name:
            raise ValueError("add_resource_group() needs the group's name")
        if isinstance(instance_ids, str):
            raise TypeError("instance_ids must be a list of instance ids, not one string")
        group = self.groups[name] = ResourceGroup(name, list(dict.fromkeys(instance_ids)))
        return group


class InventorySource(Protocol):
    """Somewhere else instances live (moto's EC2): merged into the mock's own inventory when asked."""

    def merged(self, own: Inventory, account: str, region: str) -> Inventory | None:
        """``own`` with this source's instances of (account, region); None when it has none to add."""
        ...


@dataclass(frozen=True, slots=True)
class UnresolvedTarget:
    """A window target whose tags or resource group selected no running instance when a task ran."""

    account: str
    region: str
    window_id: str
    window_target_id: str
    targets: tuple[str, ...]  # "tag:Patch=yes", "resource-groups:Name=web"
    reason: str

    @property
    def message(self) -> str:
        return (
            f"Window target {self.window_target_id} of {self.window_id} ({', '.join(self.targets)}) "
            f"matched no running instance in account {self.account}, {self.region}: {self.reason}"
        )


def resolve(targets: Sequence[Mapping[str, Any]], inventory: Inventory) -> list[str]:
    """The instance ids a window target's ``Targets`` (``[{"Key": ..., "Values": [...]}]``) stand for.

    ``InstanceIds`` come back as listed; tag and resource-group keys select the running instances of
    ``inventory`` in the order they were added, keeping those that satisfy every entry of ``targets``.
    """
    listed = [value for target in targets if target["Key"] == "InstanceIds" for value in target["Values"]]
    selectors = [target for target in targets if target["Key"] != "InstanceIds"]
    if not selectors:
        return [instance_id for instance_id in dict.fromkeys(listed) if _reachable(instance_id, inventory)]
    return [instance.instance_id for instance in _selected(selectors, inventory) if instance.state == RUNNING]


def selects_any(
    targets: Sequence[Mapping[str, Any]], instance_ids: Iterable[str], inventory: Inventory
) -> bool:
    """Whether :func:`resolve` would return any of ``instance_ids``, found by testing only those instances.

    It costs the queried instances times the entries, not the inventory, and reads the inventory as it is
    now (moto's live view included), so nothing can go stale.
    """
    selectors = [target for target in targets if target["Key"] != "InstanceIds"]
    if not selectors:
        listed = {value for target in targets for value in target["Values"]}
        return any(i in listed and _reachable(i, inventory) for i in instance_ids)
    for instance_id in instance_ids:
        instance = inventory.instances.get(instance_id)
        if (
            instance is not None
            and instance.state == RUNNING
            and all(_selects(t["Key"], t["Values"], instance, inventory) for t in selectors)
        ):
            return True
    return False


def selecting_entries(
    instance_ids: Iterable[str], inventory: Inventory, group_names: Iterable[str]
) -> set[tuple[str, str]]:
    """Every ``(Key, value)`` selector entry that selects one of the running ``instance_ids`` on its own.

    A target made of one such entry selects the instance; a target of several selects it only if each of
    its entries is here. Resource groups are looked for among ``group_names`` (the groups targets name),
    so the cost is the queried instances' tags plus those groups' members, not the inventory. Read as the
    inventory is now: nothing is kept.
    """
    running = [
        instance
        for instance in map(inventory.instances.get, instance_ids)
        if instance is not None and instance.state == RUNNING
    ]
    found: set[tuple[str, str]] = set()
    if not running:
        return found
    found.add(("resource-groups:ResourceTypeFilters", INSTANCE_RESOURCE_TYPE))
    for instance in running:
        for key, value in instance.tags.items():
            found.add(("tag:" + key, value))
            found.add(("tag-key", key))
    ids = {instance.instance_id for instance in running}
    for name in group_names:
        group = inventory.groups.get(name)
        if group is not None and not ids.isdisjoint(group.instance_ids):
            found.add(("resource-groups:Name", name))
    return found


def _reachable(instance_id: str, inventory: Inventory) -> bool:
    """A listed instance is reached unless the inventory knows it and it is not running."""
    known = inventory.instances.get(instance_id)
    return known is None or known.state == RUNNING


def _selected(selectors: Sequence[Mapping[str, Any]], inventory: Inventory) -> list[Instance]:
    """Every instance of ``inventory`` that the tag and resource-group entries pick, running or not."""
    return [
        instance
        for instance in inventory.instances.values()
        if all(_selects(target["Key"], target["Values"], instance, inventory) for target in selectors)
    ]


def explain(targets: Sequence[Mapping[str, Any]], inventory: Inventory) -> str | None:
    """Why ``targets`` select no running instance, or None if they select one (or only list ids)."""
    selectors = [target for target in targets if target["Key"] != "InstanceIds"]
    if not selectors:
        listed = [value for target in targets for value in target["Values"]]
        stopped = [inventory.instances[i] for i in listed if not _reachable(i, inventory)]
        if not listed or len(stopped) < len(set(listed)):
            return None
        return _not_running(stopped)
    matched = _selected(selectors, inventory)
    if any(instance.state == RUNNING for instance in matched):
        return None
    if inventory.from_moto:
        where = "mw.add_instance() added none and moto's EC2 holds none"
    else:
        where = "mw.add_instance() added none (and moto's mock_aws is not active)"
    if not inventory.instances:
        return f"there is no inventory at all: {where} in this account and region."
    if matched:
        return _not_running(matched)
    groups = [v for t in targets if t["Key"] == "resource-groups:Name" for v in t["Values"]]
    missing = [name for name in groups if name not in inventory.groups]
    if missing:
        return f"there is no resource group named {', '.join(missing)}."
    if groups:
        return "its resource group holds no instance that meets the other keys."
    return f"none of the {len(inventory.instances)} instances has those tags."


def _not_running(instances: Sequence[Instance]) -> str:
    states = ", ".join(f"{instance.instance_id} is {instance.state}" for instance in instances)
    return f"the instances it selects are not running ({states}); SSM reaches only running nodes."


def describe(targets: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """``Targets`` as short text, ``("tag:Patch=yes,maybe", ...)``, for messages."""
    return tuple(f"{target['Key']}={','.join(target['Values'])}" for target in targets)


def _selects(key: str, values: Sequence[str], instance: Instance, inventory: Inventory) -> bool:
    if key.startswith("tag:"):
        return instance.tags.get(key[len("tag:") :]) in values
    if key == "tag-key":
        return any(tag in instance.tags for tag in values)
    if key == "resource-groups:Name":
        return any(
            instance.instance_id in inventory.groups[name].instance_ids
            for name in values
            if name in inventory.groups
        )
    if key == "resource-groups:ResourceTypeFilters":
        return INSTANCE_RESOURCE_TYPE in values
    return False
