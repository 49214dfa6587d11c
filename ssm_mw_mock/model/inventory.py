"""A fake inventory of managed instances and resource groups, and what a window target resolves to.

Real SSM finds the members of a tag or resource-group target among the account's managed nodes. The mock has
no EC2, so tests declare the nodes they want on the handle — ``mw.add_instance("i-…", tags={...})`` and
``mw.add_resource_group("web", instance_ids=[...])`` — per (account, region), and :func:`resolve` turns a
window target's ``Targets`` into instance ids. ``resolve`` is pure: it reads an :class:`Inventory` and
changes nothing, for the execution simulator and for anything else that needs a target's members.

Known differences from AWS (each a documented choice where AWS's behaviour is not known):

- ``InstanceIds`` resolve to the ids as listed, whether or not the inventory knows them (SSM would skip
  nodes that are not managed); the other keys only find instances of the inventory.
- ``tag-key`` matches an instance carrying any of the keys; ``tag:<key>`` any of the values; several
  targets of one window target are ANDed (as the user guide says for tag pairs).
- Resource groups hold instances only (type ``AWS::EC2::Instance``); ``resource-groups:ResourceTypeFilters``
  keeps them only if it names that type. An unknown group resolves to no instances.
- moto's EC2 instances are not consulted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

INSTANCE_RESOURCE_TYPE = "AWS::EC2::Instance"


@dataclass(slots=True)
class Instance:
    instance_id: str
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ResourceGroup:
    name: str
    instance_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Inventory:
    """The instances and resource groups of one (account, region), in the order they were added."""

    instances: dict[str, Instance] = field(default_factory=dict)
    groups: dict[str, ResourceGroup] = field(default_factory=dict)

    def add_instance(self, instance_id: str, tags: Mapping[str, str] | None = None) -> Instance:
        """Add an instance, or replace the tags of one already added."""
        if not instance_id:
            raise ValueError("add_instance() needs an instance id, such as 'i-0123456789abcdef0'")
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


def resolve(targets: Sequence[Mapping[str, Any]], inventory: Inventory) -> list[str]:
    """The instance ids a window target's ``Targets`` (``[{"Key": ..., "Values": [...]}]``) stand for.

    ``InstanceIds`` come back as listed; tag and resource-group keys select instances of ``inventory`` in
    the order they were added, keeping those that satisfy every entry of ``targets``.
    """
    listed = [value for target in targets if target["Key"] == "InstanceIds" for value in target["Values"]]
    selectors = [target for target in targets if target["Key"] != "InstanceIds"]
    if not selectors:
        return list(dict.fromkeys(listed))
    return [
        instance.instance_id
        for instance in inventory.instances.values()
        if all(_selects(target["Key"], target["Values"], instance, inventory) for target in selectors)
    ]


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
