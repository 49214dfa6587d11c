"""The examples in README.md and docs/*.md run, as written, the way a user would run them.

Each ```python block is one of two kinds:

- a **test module**: it defines ``test_*`` functions (plain, ``async``, or taking a fixture) or test
  classes. It is written to ``test_example.py`` in an empty folder and run by ``python -m pytest`` in a
  subprocess, with nothing but the installed package and the project's ``test`` extras: no conftest, no
  configuration, no asyncio mode. Every test it defines must pass, and the run must give no warning.
- a **script**: anything else. It is written to ``example.py`` and run by ``python example.py``. It must
  exit 0 and write nothing to stderr (so a warning fails it too).

A block whose first line is ``# not run`` is a fragment and is skipped. A block whose first line is
``# file: NAME.py`` is a module of the user's own code: it is written as ``NAME.py`` beside every later
block of the same page (so a test module can ``import NAME``), and checked by importing it.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import ssm_mw_mock

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SKIP_MARK = "# not run"
TIMEOUT = 300


def _pages() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]


FILE_MARK = re.compile(r"\A# file: (\w+\.py)[ \t]*\n")


def _blocks() -> list[Any]:
    """One param per block: its code and the user's modules written before it on the same page."""
    params = []
    for page in _pages():
        if not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        modules: dict[str, str] = {}
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            code = match.group(1)
            name = f"{page.relative_to(ROOT)}:{line}"
            marks = [pytest.mark.skip(reason="marked '# not run'")] if code.startswith(SKIP_MARK) else []
            params.append(pytest.param(code, dict(modules), id=name, marks=marks))
            module = FILE_MARK.match(code)
            if module:
                modules[module.group(1)] = code
    return params


def count_tests(code: str) -> int:
    """How many tests pytest should collect from a block: its test functions and test-class methods."""
    count = 0
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            count += 1
        elif isinstance(node, ast.ClassDef) and _is_test_class(node):
            count += sum(
                1
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith("test")
            )
    return count


def _is_test_class(node: ast.ClassDef) -> bool:
    bases = {ast.unparse(base) for base in node.bases}
    return node.name.startswith("Test") or bool(bases & {"unittest.TestCase", "TestCase"})


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # A user's run: no options, plugins or paths of this suite leak into it.
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONPATH", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(args: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _summary(output: str) -> dict[str, int]:
    """pytest's closing line, ``3 passed, 1 warning in 0.52s``, as ``{"passed": 3, "warnings": 1}``."""
    last = output.strip().splitlines()[-1] if output.strip() else ""
    found = re.findall(r"(\d+) (\w+)", last.strip("= "))
    nouns = {"warning": "warnings", "error": "errors"}
    return {nouns.get(noun, noun): int(number) for number, noun in found if noun != "in"}


def run_test_module(code: str, folder: Path) -> None:
    (folder / "test_example.py").write_text(code, encoding="utf-8")
    result = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"], folder)
    expected = count_tests(code)
    assert _summary(result.stdout) == {"passed": expected}, result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr


def run_script(code: str, folder: Path) -> None:
    (folder / "example.py").write_text(code, encoding="utf-8")
    result = _run(["example.py"], folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "", result.stderr


def import_module(code: str, name: str, folder: Path) -> None:
    (folder / name).write_text(code, encoding="utf-8")
    result = _run(["-c", f"import {name.removesuffix('.py')}"], folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "", result.stderr


@pytest.mark.parametrize(("code", "modules"), _blocks())
def test_docs_example_runs(code: str, modules: dict[str, str], tmp_path: Path) -> None:
    for name, source in modules.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    module = FILE_MARK.match(code)
    if module:
        import_module(code, module.group(1), tmp_path)
    elif count_tests(code):
        run_test_module(code, tmp_path)
    else:
        run_script(code, tmp_path)


def test_docs_examples_found() -> None:
    blocks = _blocks()
    assert len(blocks) >= 25
    assert sum(1 for block in blocks if count_tests(block.values[0])) >= 8
    assert any(FILE_MARK.match(block.values[0]) for block in blocks)


def test_docs_runner_fails_an_async_test_without_the_marker(tmp_path: Path) -> None:
    # The reason this runner exists: under plain pytest an unmarked `async def` test is not run.
    code = "async def test_unmarked():\n    assert True\n"

    with pytest.raises(AssertionError):
        run_test_module(code, tmp_path)


def test_docs_runner_fails_a_script_that_warns(tmp_path: Path) -> None:
    code = "import warnings\nwarnings.warn('deprecated', DeprecationWarning, stacklevel=1)\n"

    with pytest.raises(AssertionError, match="DeprecationWarning: deprecated"):
        run_script(code, tmp_path)


def test_docs_runner_counts_the_tests_of_a_block() -> None:
    code = (
        "import unittest\n"
        "def test_a(): pass\n"
        "async def test_b(): pass\n"
        "def helper(): pass\n"
        "class WindowTests(unittest.TestCase):\n"
        "    def setUp(self): pass\n"
        "    def test_c(self): pass\n"
        "    def test_d(self): pass\n"
        "class TestPlain:\n"
        "    def test_e(self): pass\n"
    )
    assert count_tests(code) == 5
    assert count_tests("with open('x') as f:\n    pass\n") == 0


def _documented_output(page: str, command: str) -> Any:
    """The ``# ``-commented JSON shown under ``command`` in a page's shell session."""
    text = (ROOT / page).read_text(encoding="utf-8")
    after = text[text.index(command + "\n") + len(command) + 1 :]
    lines = []
    for line in after.splitlines():
        if not line.startswith("# "):
            break
        lines.append(line[2:])
    return json.loads("\n".join(lines))


def test_docs_server_session_shows_the_real_get_maintenance_window_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from awscli.clidriver import create_clidriver

    from ssm_mw_mock.server import ThreadedServer

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_OUTPUT", raising=False)
    driver = create_clidriver()

    with ThreadedServer(now="2024-03-04T00:00:00Z") as server:

        def aws(*args: str) -> Any:
            capsys.readouterr()
            code = driver.main(["ssm", *args, "--endpoint-url", server.endpoint_url, "--output", "json"])
            out, err = capsys.readouterr()
            assert (code, err) == (0, "")
            return json.loads(out)

        window_id = aws(
            "create-maintenance-window",
            "--name",
            "nightly-patching",
            "--schedule",
            "cron(0 2 ? * * *)",
            "--duration",
            "3",
            "--cutoff",
            "1",
            "--no-allow-unassociated-targets",
        )["WindowId"]
        server.mock.clock.advance(days=1, hours=2)  # what the session's POST /_mw/clock/advance does
        assert aws("update-maintenance-window", "--window-id", window_id, "--duration", "4")["Duration"] == 4
        shown = aws("get-maintenance-window", "--window-id", window_id)

    documented = _documented_output(
        "docs/server.md", "aws ssm get-maintenance-window --endpoint-url $EP --window-id $WID"
    )
    assert shown == {**documented, "WindowId": window_id}
    assert list(shown) == list(documented)  # the same members, in the order the CLI prints them


# ------------------------------------------------------------------------------ the API reference


def _api_reference() -> str:
    return (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def _headings(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.startswith("#"))


def _public_members(cls: type) -> set[str]:
    names = {name for name in dir(cls) if not name.startswith("_")}
    if dataclasses.is_dataclass(cls):
        names |= {field.name for field in dataclasses.fields(cls) if not field.name.startswith("_")}
    if issubclass(cls, BaseException):
        names -= set(dir(BaseException))
    return names


def _plugin_fixtures() -> set[str]:
    from ssm_mw_mock import pytest_plugin

    return {
        name
        for name, value in vars(pytest_plugin).items()
        # pytest >= 8.4 wraps a fixture in a FixtureFunctionDefinition; older versions mark the function.
        if hasattr(value, "_fixture_function_marker") or hasattr(value, "_pytestfixturefunction")
    }


def _cli_commands() -> set[str]:
    from ssm_mw_mock.__main__ import _parser

    [commands] = [action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction)]
    return set(commands.choices)


@pytest.mark.parametrize("name", ssm_mw_mock.__all__)
def test_api_reference_has_a_section_for_every_public_name(name: str) -> None:
    assert f"`{name}`" in _headings(_api_reference()), f"docs/api.md has no heading naming `{name}`"


@pytest.mark.parametrize(
    "cls",
    [
        getattr(ssm_mw_mock, name)
        for name in ssm_mw_mock.__all__
        if isinstance(getattr(ssm_mw_mock, name), type)
    ],
)
def test_api_reference_documents_every_public_member(cls: type) -> None:
    text = _api_reference()
    missing = sorted(name for name in _public_members(cls) if f"`{name}" not in text)
    assert missing == [], f"docs/api.md does not mention these members of {cls.__name__}: {missing}"


def test_api_reference_documents_the_threaded_server() -> None:
    from ssm_mw_mock.server import ThreadedServer

    text = _api_reference()
    assert "`ThreadedServer`" in _headings(text)
    members = _public_members(ThreadedServer) | {"mock"}
    assert sorted(name for name in members if f"`{name}" not in text) == []


def test_api_reference_documents_every_fixture_and_the_marker() -> None:
    fixtures = _plugin_fixtures()
    assert fixtures == {"mw_mock", "mw_server"}
    headings = _headings(_api_reference())
    for name in fixtures:
        assert f"`{name}`" in headings
    assert "`@pytest.mark.mw_mock`" in headings


def test_api_reference_documents_every_command() -> None:
    text = _api_reference()
    assert "`python -m ssm_mw_mock`" in _headings(text)
    commands = _cli_commands()
    assert commands == {"serve", "demo"}
    assert sorted(name for name in commands if f"python -m ssm_mw_mock {name}" not in text) == []


@pytest.mark.parametrize(
    "front_door", [ssm_mw_mock.mock_maintenance_windows, ssm_mw_mock.MaintenanceWindowsMock]
)
def test_api_reference_documents_every_mock_option(front_door: Any) -> None:
    text = _api_reference()
    options = [name for name in inspect.signature(front_door).parameters if name != "target"]
    assert options
    assert [name for name in options if f"`{name}`" not in text] == []
    assert all(f"{name}=" in text for name in options)


# ------------------------------------------------------------------------------ links between pages

LINK = re.compile(r"\]\(([^)\s]+\.md)(?:#([^)\s]+))?\)")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("page", [p for p in _pages() if p.exists()], ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_links_point_at_pages_and_sections_that_exist(page: Path) -> None:
    broken = []
    for target, anchor in LINK.findall(page.read_text(encoding="utf-8")):
        if "://" in target:
            continue
        linked = (page.parent / target).resolve()
        if not linked.is_file():
            broken.append(target)
        elif anchor and anchor not in _anchors(linked):
            broken.append(f"{target}#{anchor}")
    assert broken == []
