"""Fuzzing the Run Command and Automation reads with requests built from botocore's service model.

The same strategies and check as ``test_fuzz_operations``: each answer is a well-formed success (checked
against the output shape) or a ``ClientError`` with an SSM code the operation declares, and nothing
changes. The seeded world's command (its one invocation) and node are offered as existing ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssm_mw_mock.api.operations import RUN_READS

from . import test_fuzz_operations as fuzz
from .test_fuzz_operations import Worlds, check_one, request, resolve, worlds  # noqa: F401 (fixture)

NODE = "i-0123456789abcdef0"


def test_fuzz_covers_every_run_read() -> None:
    assert sorted(RUN_READS) == [
        "DescribeAutomationExecutions",
        "GetAutomationExecution",
        "GetCommandInvocation",
        "ListCommandInvocations",
        "ListCommands",
    ]


@pytest.fixture(scope="module", autouse=True)
def _bad_filter_values_are_declared() -> Iterator[None]:
    # A bad filter value is InvalidFilterValue for every one of these reads (a documented choice); the
    # Run Command listings' model declares only InvalidFilterKey.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fuzz, "GENERIC_CODES", fuzz.GENERIC_CODES | {"InvalidFilterValue"})
        yield


@pytest.mark.parametrize("operation", sorted(RUN_READS))
@given(data=st.data(), validate=st.booleans(), known=st.booleans())
def test_fuzz_run_read_answers_well_formed_or_ssm_error(
    worlds: Worlds,  # noqa: F811
    operation: str,
    data: st.DataObject,
    validate: bool,
    known: bool,
) -> None:
    world = worlds.get()
    params: dict[str, Any] = resolve(
        data.draw(request(operation), label="params"), world.known_ids(operation)
    )
    if known and "CommandId" in params:
        params["CommandId"] = world.invocation.execution_id
        if "InstanceId" in params:
            params["InstanceId"] = NODE
    try:
        changed = check_one(world, operation, params, validate)
    except BaseException:
        worlds.spoil()
        raise
    assert not changed or operation.startswith(("Get", "List", "Describe"))
