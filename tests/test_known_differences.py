"""Known differences from AWS are stated in one place: docs/known-differences.md.

A module may name its differences only through a pointer to that page's sections, a paragraph of its own::

    Known differences from AWS: docs/known-differences.md#targets, docs/known-differences.md#idempotency.

Any other sentence or list after a "Known difference(s)" phrase, in any docstring of the package, fails the
test, and so does a pointer to a section the page does not have.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ssm_mw_mock"
PAGE = ROOT / "docs" / "known-differences.md"


PHRASE = re.compile(r"known\s+differences?\b", re.IGNORECASE)
POINTER = r"docs/known-differences\.md#[\w-]+"
#: The one allowed form: the phrase, whom from, a colon, pointers separated by commas, a full stop, and
#: then the end of the paragraph.
STATEMENT = re.compile(
    rf"Known differences from [^:.]{{1,80}}:\s+{POINTER}(?:,\s+{POINTER})*\.(?=[ \t]*(?:\n[ \t]*\n|\s*\Z))"
)
ANCHOR = re.compile(r"docs/known-differences\.md#([\w-]+)")
BULLET = re.compile(r"\s*[-*] ")


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if ".venv" not in p.parts)


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def docstrings(path: Path) -> list[str]:
    """Every docstring of a module: its own, its classes' and its functions'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            text = ast.get_docstring(node, clean=True)
            if text:
                found.append(text)
    return found


def violations(text: str) -> list[str]:
    """Each place in ``text`` where known differences are stated other than by a pointer paragraph."""
    found = []
    for phrase in PHRASE.finditer(text):
        statement = STATEMENT.match(text, phrase.start())
        if statement is None:
            found.append(text[phrase.start() : phrase.start() + 80])
            continue
        rest = text[statement.end() :].lstrip("\n \t")
        if BULLET.match(rest):  # a list straight after the pointer is a list of differences
            found.append(text[phrase.start() : statement.end()] + " + a list after it")
    return found


def anchors_named(text: str) -> list[str]:
    return ANCHOR.findall(text)


def page_anchors(page: Path = PAGE) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


def problems(path: Path, sections: set[str]) -> list[str]:
    """What is wrong with one module: differences stated in place, and pointers to missing sections."""
    found = []
    for text in docstrings(path):
        found += [f"stated in place: {v!r}" for v in violations(text)]
        found += [f"no section #{a}" for a in anchors_named(text) if a not in sections]
    return found


CHECKED = _modules()


@pytest.mark.parametrize("module", CHECKED, ids=_relative)
def test_module_states_known_differences_only_by_pointing_at_the_page(module: Path) -> None:
    assert problems(module, page_anchors()) == []


def test_modules_do_point_at_the_page() -> None:
    pointing = {_relative(p) for p in CHECKED if any(anchors_named(t) for t in docstrings(p))}
    # The modules that had their own lists before the page became the one source.
    assert {"api/targets.py", "api/tasks.py", "timing/schedule.py", "wire/validation.py"} <= pointing
    assert {"server.py", "doors/endpoint.py", "doors/requests_door.py", "engine/simulator.py"} <= pointing


def test_page_has_the_sections_the_checker_expects() -> None:
    sections = page_anchors()
    assert {"targets", "the-inventory-which-instances-a-target-finds"} <= sections
    assert {"tag-based-discovery-getresources", "the-requests-front-door"} <= sections


SAYS = "Known differences from AWS: "
TO = "docs/known-differences.md#"


def _module(doc: str) -> str:
    return f'"""Thing.\n\n{doc}\n"""\n'


PLANTED = {
    "a list": _module("Known differences from AWS:\n\n- it differs."),
    "a sentence": _module("Known difference from AWS: we never check it."),
    "no colon": _module("Known differences from AWS are many."),
    "other case": _module(f"known differences: {TO}targets."),
    "a pointer then more prose": _module(f"{SAYS}{TO}targets, and also it is slow."),
    "a pointer then a list": _module(f"{SAYS}{TO}targets.\n\n- and this one."),
    "a function's docstring": '"""Thing."""\n\n\ndef f() -> None:\n    """Known differences: none."""\n',
    "an unknown section": _module(f"{SAYS}{TO}no-such-section."),
}


@pytest.mark.parametrize("source", PLANTED.values(), ids=PLANTED.keys())
def test_checker_catches_a_planted_violation(source: str, tmp_path: Path) -> None:
    module = tmp_path / "planted.py"
    module.write_text(source, encoding="utf-8")
    assert len(problems(module, page_anchors())) == 1


@pytest.mark.parametrize(
    "source",
    [
        _module(f"{SAYS}{TO}targets."),
        _module(f"{SAYS}{TO}targets,\n{TO}idempotency.\n\nMore about the thing."),
        _module(
            f"Known differences from AWS and from the botocore front door:\n{TO}the-requests-front-door."
        ),
    ],
)
def test_checker_accepts_pointer_paragraphs(source: str, tmp_path: Path) -> None:
    module = tmp_path / "fine.py"
    module.write_text(source, encoding="utf-8")
    assert problems(module, page_anchors()) == []
