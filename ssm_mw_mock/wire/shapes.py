"""botocore's SSM service model, read once, as the single source of every field name.

Models are dataclasses with snake_case attributes; the wire uses the model's member names. Rather than
spelling each field again for requests and results, the operations convert mechanically: a wire member
``WindowId`` is the attribute ``window_id`` (botocore's own ``xform_name``), and the members a result
carries are read from the operation's output shape.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.model import OperationModel, ServiceModel, StructureShape


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


@cache
def members(shape_name: str) -> tuple[tuple[str, str], ...]:
    """``(wire name, attribute name)`` for each member of a structure shape, in model order."""
    shape = ssm_model().shape_for(shape_name)
    assert isinstance(shape, StructureShape)
    return tuple((name, attribute_name(name)) for name in shape.members)


@cache
def output_members(operation_name: str) -> tuple[tuple[str, str], ...]:
    shape = operation(operation_name).output_shape
    if shape is None:
        return ()
    return members(shape.name)


def view(obj: object, fields: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The wire dict of ``obj``: each field whose attribute exists and is not None."""
    result: dict[str, Any] = {}
    for wire, attr in fields:
        value = getattr(obj, attr, None)
        if value is not None:
            result[wire] = value
    return result


def from_wire(params: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Keyword arguments for a model from the request members in ``allowed``."""
    return {attribute_name(k): v for k, v in params.items() if k in allowed}
