"""botocore's SSM service model, read once, as the single source of every field name.

Models are dataclasses with snake_case attributes; the wire uses the model's member names. Rather than
spelling each field again for requests and results, the operations convert mechanically:

- Requests: the members an operation stores are its input shape's members, less the few the operation
  handles itself (identifiers, ``ClientToken``, ``Replace``); :func:`settings` reads them from the model and
  checks, once, that the model class has an attribute for each. A member botocore adds to the input shape is
  stored as soon as the class has its field; until then the first call fails loudly.
- Results: :func:`view` projects an object onto an output shape. A member ``WindowId`` is the attribute
  ``window_id`` (botocore's own ``xform_name``) unless :data:`ALIASES` names another; a member the mock
  never returns is listed, with the reason, in :data:`NOT_MODELLED`. Any other member without an attribute
  fails the first projection with ``AttributeError``: nothing is dropped silently.

``tests/api/test_output_members.py`` calls every served operation and fails for any output member that is
neither produced nor listed in :data:`NOT_MODELLED`.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any, Final

import botocore.session
from botocore import xform_name
from botocore.model import OperationModel, ServiceModel, StructureShape

__all__ = [
    "ALIASES",
    "NOT_MODELLED",
    "attribute_name",
    "from_wire",
    "members",
    "operation",
    "output_shape",
    "required",
    "settings",
    "ssm_model",
    "view",
]

#: Output members whose attribute is not the member's snake_case name, per output shape.
ALIASES: Final[dict[str, dict[str, str]]] = {
    # Two shapes say Type where the others say TaskType.
    "MaintenanceWindowTask": {"Type": "task_type"},
    "GetMaintenanceWindowExecutionTaskResult": {"Type": "task_type"},
    # An invocation's Parameters on the wire is the JSON text, not the dict the outcome hook sees.
    "MaintenanceWindowExecutionTaskInvocationIdentity": {"Parameters": "wire_parameters"},
    "GetMaintenanceWindowExecutionTaskInvocationResult": {"Parameters": "wire_parameters"},
}

#: Output members the mock never returns, by member name, with the reason.
NOT_MODELLED: Final[dict[str, str]] = {}


@cache
def ssm_model() -> ServiceModel:
    """The SSM service model of the installed botocore."""
    return botocore.session.get_session().get_service_model("ssm")


@cache
def operation(name: str) -> OperationModel:
    return ssm_model().operation_model(name)


@cache
def attribute_name(member: str) -> str:
    """The snake_case attribute for a wire member name (``WindowId`` → ``window_id``)."""
    return str(xform_name(member))


def _structure(shape_name: str) -> StructureShape:
    shape = ssm_model().shape_for(shape_name)
    if not isinstance(shape, StructureShape):
        raise TypeError(f"{shape_name} is not a structure shape of SSM's model")
    return shape


@cache
def members(shape_name: str) -> tuple[tuple[str, str], ...]:
    """``(wire name, attribute name)`` for each member of a structure shape, in model order."""
    return tuple((name, attribute_name(name)) for name in _structure(shape_name).members)


@cache
def output_shape(operation_name: str) -> str:
    """The name of an operation's output shape."""
    shape = operation(operation_name).output_shape
    if shape is None:
        raise ValueError(f"{operation_name} has no output shape")
    return str(shape.name)


def _input_members(operation_name: str) -> tuple[str, ...]:
    shape = operation(operation_name).input_shape
    return () if shape is None else tuple(shape.members)


@cache
def required(operation_name: str) -> tuple[str, ...]:
    """The input members the model requires, in model order."""
    shape = operation(operation_name).input_shape
    return () if shape is None else tuple(shape.required_members)


@cache
def settings(operation_name: str, model: type, handled: frozenset[str]) -> frozenset[str]:
    """The input members of ``operation_name`` that set attributes of ``model`` (a dataclass): every
    member except those in ``handled``, which the operation deals with itself.

    Raises:
        ValueError: a ``handled`` name is not a member (a typo would silently store it).
        AttributeError: a member has no field on ``model``: add the field, or handle the member.
    """
    names = _input_members(operation_name)
    unknown = sorted(handled - set(names))
    if unknown:
        raise ValueError(f"{operation_name} has no input member(s) {', '.join(unknown)}")
    fields = {f.name for f in dataclasses.fields(model)}
    chosen = frozenset(name for name in names if name not in handled)
    for name in sorted(chosen):
        if attribute_name(name) not in fields:
            raise AttributeError(
                f"{operation_name} member {name} has no field {attribute_name(name)!r} on {model.__name__}: "
                "add the field, or handle the member in the operation"
            )
    return chosen


def from_wire(params: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Keyword arguments for a model from the request members in ``allowed``."""
    return {attribute_name(k): v for k, v in params.items() if k in allowed}


@cache
def _plan(shape_name: str, model: type, derived: frozenset[str]) -> tuple[tuple[str, str], ...]:
    aliases = ALIASES.get(shape_name, {})
    plan = []
    for wire, attr in members(shape_name):
        if wire in NOT_MODELLED or wire in derived:
            continue
        attr = aliases.get(wire, attr)
        if not hasattr(model, attr):
            raise AttributeError(
                f"{model.__name__} has no attribute {attr!r} for {shape_name}.{wire}: add the field, an "
                "alias in shapes.ALIASES, or list the member in shapes.NOT_MODELLED with the reason"
            )
        plan.append((wire, attr))
    return tuple(plan)


def view(obj: object, shape_name: str, derived: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The wire dict of ``obj`` for the structure ``shape_name``: each member whose value is not None.

    Members in ``derived`` are left out: the caller computes them (``NextExecutionTime``).
    """
    result: dict[str, Any] = {}
    model: type = type(obj)
    for wire, attr in _plan(shape_name, model, derived):
        value = getattr(obj, attr)
        if value is not None:
            result[wire] = value
    return result
