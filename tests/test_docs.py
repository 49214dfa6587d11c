"""The examples in README.md and docs/*.md run, as written.

Every ```python block is executed in a fresh namespace. A block may define tests the way a user would
write them: ``test_*`` functions (plain, ``async``, or taking the ``mw_mock`` fixture, with an optional
``@pytest.mark.mw_mock(...)``) and ``unittest.TestCase`` classes; those are run too. A block whose first
line is ``# not run`` is a fragment and is skipped.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import unittest
import warnings
from pathlib import Path
from typing import Any

import pytest

from ssm_mw_mock import MaintenanceWindowsMock

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SKIP_MARK = "# not run"


def _blocks() -> list[Any]:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    params = []
    for page in pages:
        if not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            code = match.group(1)
            name = f"{page.relative_to(ROOT)}:{line}"
            marks = [pytest.mark.skip(reason="marked '# not run'")] if code.startswith(SKIP_MARK) else []
            params.append(pytest.param(code, id=name, marks=marks))
    return params


def _run_fixture_test(function: Any) -> None:
    """Call a ``test_x(mw_mock)`` the way the plugin would: a fresh mock, options from the marker."""
    options: dict[str, Any] = {}
    for mark in getattr(function, "pytestmark", []):
        if mark.name == "mw_mock":
            options.update(mark.kwargs)
    with MaintenanceWindowsMock(**options) as mock:
        result = function(mock)
        if inspect.iscoroutine(result):  # an ``async def test_x(mw_mock)``, as pytest-asyncio runs it
            asyncio.run(result)


def _run_defined_tests(namespace: dict[str, Any]) -> None:
    for name, value in list(namespace.items()):
        if isinstance(value, type) and issubclass(value, unittest.TestCase) and value.__module__ == "docs":
            result = unittest.TextTestRunner(verbosity=0, stream=_Discard()).run(
                unittest.defaultTestLoader.loadTestsFromTestCase(value)
            )
            assert result.wasSuccessful(), (result.failures, result.errors)
        elif name.startswith("test") and inspect.isfunction(value):
            required = list(inspect.signature(value).parameters)
            if required == ["mw_mock"]:
                _run_fixture_test(value)
            elif inspect.iscoroutinefunction(value) and not required:
                asyncio.run(value())
            elif not required:
                value()
            else:
                raise AssertionError(f"{name}{inspect.signature(value)}: no way to supply those arguments")


class _Discard:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("code", _blocks())
def test_docs_example_runs(code: str) -> None:
    namespace: dict[str, Any] = {"__name__": "docs"}
    with warnings.catch_warnings():
        # Without an installed package (tests run from a bare checkout) the plugin's marker is unregistered.
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        exec(compile(code, "<docs example>", "exec"), namespace)
    _run_defined_tests(namespace)


def test_docs_examples_found() -> None:
    assert len(_blocks()) >= 10
