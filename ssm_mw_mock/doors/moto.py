"""The bridge to moto: is its ``mock_aws`` active, which account a caller is, which instances it holds.

moto is never imported here. Everything is read from ``sys.modules``, and only while moto's ``mock_aws``
is active (its botocore hook is enabled), so a test without moto pays one dictionary lookup per call.

- **The hook.** moto answers botocore requests from a ``before-send`` handler, ``botocore_stubber``.
  moto appends it to botocore's ``BUILTIN_HANDLERS`` when ``moto.core.models`` is imported, so every
  client made after that import already runs it; a client made before has no such handler. The front
  door never registers it on a client (botocore runs every registered handler, so a second registration
  answers each call twice); :func:`answer` calls it only for a request that no handler answered.
- **The account.** moto gives a request the account in ``MOTO_ACCOUNT_ID`` if set, else the account its
  IAM knows the access key of (keys from ``sts.assume_role`` belong to the role's account), else
  ``123456789012``. :func:`account_of` gives the same answer for a botocore client's credentials.
- **The instances.** :class:`MotoInventory` merges the EC2 instances moto holds for an (account, region),
  with their current state and tags, and moto's tag-query resource groups, into the mock's own inventory
  (``mw.add_instance``). moto's backends are only read, never created: an account or region moto has not
  used has no instances.

- **The event bus.** :func:`put_events` puts the mock's EventBridge events (``engine/notify.py``) on
  moto's default event bus of the event's account and region: every enabled rule of that bus whose
  pattern matches sends it to its targets (SQS queues, log groups...), through moto's own rule objects,
  so no request is made and nothing reaches our patches again. A region where moto has no events
  backend has no rules, so nothing is delivered.
- **The alarms.** :class:`MotoAlarms` reads the state of a CloudWatch alarm moto holds for an (account,
  region), for the tasks' ``AlarmConfiguration``; an alarm moto does not hold cannot be read.

Known limits: resource groups of type ``CLOUDFORMATION_STACK_1_0`` have no members; moto's SSM records of
managed instances are not consulted, so every running EC2 instance counts as a managed node.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from ..engine.eventbridge import MaintenanceWindowEvent
from ..lazy_re import LazyPattern
from ..model.inventory import INSTANCE_RESOURCE_TYPE, Instance, Inventory, ResourceGroup

#: The account moto gives a caller it knows nothing about.
MOTO_DEFAULT_ACCOUNT = "123456789012"
_ALL_TYPES = "AWS::AllSupported"
_SIGNED_KEY = LazyPattern(r"Credential=([^/,\s]+)/")


def stubber() -> Any:
    """moto's before-send hook if its ``mock_aws`` is active, else None."""
    models = sys.modules.get("moto.core.models")
    hook = getattr(models, "botocore_stubber", None)
    return hook if getattr(hook, "enabled", False) else None


def active() -> bool:
    """Whether moto's ``mock_aws`` is active in this process."""
    return stubber() is not None


def answer(request: Any) -> Any:
    """moto's answer to a prepared botocore request (an ``AWSResponse``), or None if moto has none."""
    hook = stubber()
    if hook is None:
        return None
    return hook(event_name="before-send", request=request)


def account_of(access_key: str | None) -> str:
    """The account moto would give a request signed with ``access_key`` (None: no credentials)."""
    override = os.environ.get("MOTO_ACCOUNT_ID")
    if override:
        return override
    iam = sys.modules.get("moto.iam.models")
    backends = getattr(iam, "iam_backends", None)
    if not access_key or not isinstance(backends, dict):  # no IAM yet: moto knows no access key
        return MOTO_DEFAULT_ACCOUNT
    accounts = list(dict.items(backends))
    if len(accounts) == 1 and accounts[0][0] == MOTO_DEFAULT_ACCOUNT:
        return MOTO_DEFAULT_ACCOUNT  # found or not, every key is the default account's
    # moto's own lookup (iam.models.get_account_id_from) subscripts every partition, which creates the
    # backends it lacks; reading the ones that exist gives the same answer without creating any.
    for account, by_partition in accounts:
        for backend in list(dict.values(by_partition)):
            if access_key in getattr(backend, "access_keys", ()):
                return str(account)
    return MOTO_DEFAULT_ACCOUNT


def credentials_key(signer: Any) -> str | None:
    """The access key id a botocore ``RequestSigner`` would sign with, or None."""
    credentials = getattr(signer, "_credentials", None)
    if credentials is None:
        return None
    key: str | None = credentials.access_key
    return key


def signed_key(authorization: str | bytes | None) -> str | None:
    """The access key id of a SigV4 ``Authorization`` header, or None."""
    if isinstance(authorization, bytes):
        authorization = authorization.decode("latin-1")
    found = _SIGNED_KEY.search(authorization) if authorization else None
    return found.group(1) if found else None


def _backend(service: str, account: str, region: str) -> Any:
    """moto's backend of ``service`` for (account, region) if moto already made it, else None."""
    module = sys.modules.get(f"moto.{service}.models")
    backends = getattr(module, f"{service}_backends", None)
    if not isinstance(backends, dict):
        return None
    # dict.get, not []: moto's backend dicts create an account or region on first subscript.
    by_region = dict.get(backends, account)
    if not isinstance(by_region, dict):
        return None
    return dict.get(by_region, region)


def ec2_instances(account: str, region: str) -> list[Instance]:
    """moto's EC2 instances of (account, region), in launch order, with state and tags."""
    ec2 = _backend("ec2", account, region)
    if ec2 is None:
        return []
    tags: Mapping[str, Mapping[str, str]] = getattr(ec2, "tags", None) or {}  # resource id -> tags
    found = []
    for reservation in list(ec2.reservations.values()):
        for instance in reservation.instances:
            state = instance.instance_state.name
            found.append(Instance(instance.id, dict(tags.get(instance.id, {})), state=state))
    return found


def resource_groups(account: str, region: str, instances: list[Instance]) -> list[ResourceGroup]:
    """moto's resource groups of (account, region), with the instances their tag query selects."""
    backend = _backend("resourcegroups", account, region)
    if backend is None:
        return []
    groups = []
    for name, group in list(backend.groups.by_name.items()):
        groups.append(ResourceGroup(name, _members(group.resource_query, instances)))
    return groups


def _members(query: Mapping[str, Any] | None, instances: list[Instance]) -> list[str]:
    """The instances a ``TAG_FILTERS_1_0`` query selects: every tag filter met, one of its values each."""
    if not query or query.get("Type") != "TAG_FILTERS_1_0":
        return []
    try:
        body = json.loads(query.get("Query") or "{}")
    except ValueError:
        return []
    types = body.get("ResourceTypeFilters") or []
    if INSTANCE_RESOURCE_TYPE not in types and _ALL_TYPES not in types:
        return []
    filters = body.get("TagFilters") or []
    return [
        instance.instance_id
        for instance in instances
        if all(_meets(instance.tags, entry) for entry in filters)
    ]


def _meets(tags: Mapping[str, str], entry: Mapping[str, Any]) -> bool:
    key = entry.get("Key")
    if not isinstance(key, str) or key not in tags:
        return False
    values = entry.get("Values") or []
    return not values or tags[key] in values


def bus_listening() -> bool:
    """Whether moto's ``mock_aws`` is active and some default event bus has a rule: only then are events
    built as they happen for moto (a rule made later sees only later events, as in EventBridge)."""
    if not active():
        return False
    module = sys.modules.get("moto.events.models")
    backends = getattr(module, "events_backends", None)
    if not isinstance(backends, dict):
        return False
    for by_region in list(dict.values(backends)):
        if not isinstance(by_region, dict):
            continue
        for backend in list(dict.values(by_region)):
            bus = dict.get(getattr(backend, "event_buses", None) or {}, "default")
            if bus is not None and bus.rules:
                return True
    return False


def put_events(events: list[MaintenanceWindowEvent]) -> None:
    """Put ``events`` on moto's default event bus of their account and region, as EventBridge would."""
    for event in events:
        backend = _backend("events", event.account, event.region)
        buses = getattr(backend, "event_buses", None)
        bus = dict.get(buses, "default") if isinstance(buses, dict) else None
        if bus is None:
            continue
        for rule in list(bus.rules.values()):
            if getattr(rule, "state", "ENABLED") != "ENABLED":
                continue  # EventBridge does not route through a disabled rule
            message = event.to_dict()
            # moto's targets turn ``time`` from epoch seconds into EventBridge's text themselves.
            message["time"] = event.time.timestamp()
            # Without an input transformer EventBridge sends the whole event; moto's default template
            # would drop ``account``, so moto transforms only for rules whose targets ask for it.
            transform = any("InputTransformer" in target for target in rule.targets)
            if transform:
                message["ingestion-time"] = message["time"]
            rule.send_to_targets(message, transform_input=transform)


class MotoInventory:
    """The mock's inventory merged with moto's EC2 and resource groups, while moto is active."""

    def merged(self, own: Inventory, account: str, region: str) -> Inventory | None:
        """``own`` with moto's instances and groups of (account, region) added; None without moto."""
        if not active():
            return None
        instances = ec2_instances(account, region)
        merged = Inventory()
        for instance in instances:
            merged.instances[instance.instance_id] = instance
        merged.instances.update(own.instances)  # an instance added with mw.add_instance wins
        for group in resource_groups(account, region, instances):
            merged.groups[group.name] = group
        merged.groups.update(own.groups)
        merged.from_moto = True
        return merged


class MotoAlarms:
    """The states of moto's CloudWatch alarms, while moto is active (``api.backend.AlarmSource``)."""

    def active(self) -> bool:
        return active()

    def alarm_state(self, account: str, region: str, name: str) -> str | None:
        """The alarm's ``StateValue`` in moto's CloudWatch, or None (moto inactive, or no such alarm)."""
        if not active():
            return None
        cloudwatch = _backend("cloudwatch", account, region)
        alarms = getattr(cloudwatch, "alarms", None)
        alarm = dict.get(alarms, name) if isinstance(alarms, dict) else None
        state = getattr(alarm, "state_value", None)
        return state if isinstance(state, str) else None
