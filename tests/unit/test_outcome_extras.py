"""``Outcome``'s Run Command and Automation extras check their types where the hook builds them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssm_mw_mock import Outcome
from ssm_mw_mock.engine.outcomes import run_output
from ssm_mw_mock.model.runs import RunOutput

not_text = st.one_of(st.integers(), st.floats(allow_nan=False), st.binary(), st.lists(st.text(), max_size=2))


@given(value=not_text, name=st.sampled_from(["standard_output", "standard_error"]))
def test_outputs_must_be_text(value: Any, name: str) -> None:
    with pytest.raises(TypeError) as excinfo:
        Outcome(**{name: value})
    assert str(excinfo.value) == f"Outcome({name}=...) must be text (str) or None, not {type(value).__name__}"


@pytest.mark.parametrize("value", [True, 1.5, "0"])
def test_a_response_code_must_be_an_int(value: Any) -> None:
    with pytest.raises(TypeError) as excinfo:
        Outcome(response_code=value)
    assert str(excinfo.value) == (
        f"Outcome(response_code=...) must be an int or None, not {type(value).__name__}"
    )


@pytest.mark.parametrize("value", [["a"], {"A": "b"}, {"A": [1]}, {1: ["b"]}])
def test_automation_outputs_must_map_names_to_lists_of_text(value: Any) -> None:
    with pytest.raises(TypeError) as excinfo:
        Outcome(automation_outputs=value)
    assert str(excinfo.value) == (
        "Outcome(automation_outputs=...) must be a dict of names to lists of strings, such as "
        f"{{'InstanceState': ['running']}}, or None; got {value!r}"
    )


def test_the_extras_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Outcome("SUCCESS", None, None, "printed")  # type: ignore[call-arg]


def test_automation_outputs_are_copied() -> None:
    given_outputs = {"A": ["b"]}
    outcome = Outcome(automation_outputs=given_outputs)
    given_outputs["A"].append("c")
    assert outcome.automation_outputs == {"A": ["b"]}


@given(
    stdout=st.none() | st.text(max_size=5),
    stderr=st.none() | st.text(max_size=5),
    code=st.none() | st.integers(min_value=-1, max_value=255),
)
def test_run_output_is_none_only_without_extras(
    stdout: str | None, stderr: str | None, code: int | None
) -> None:
    outcome = Outcome(
        "FAILED", output="details", standard_output=stdout, standard_error=stderr, response_code=code
    )
    if stdout is None and stderr is None and code is None:
        assert run_output(outcome) is None
    else:
        assert run_output(outcome) == RunOutput(stdout, stderr, code, None)
