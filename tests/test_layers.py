"""The package's layers: imports flow one way, from the front doors down to pure time.

Each subpackage may import only the layers listed for it (and itself). The top-level modules (the mock and
its handle, the server, the plugin, the command line) sit above everything; ``errors`` and ``lazy_re``
sit below everything. The test reads every module's imports with ``ast``, including imports inside
functions and under ``TYPE_CHECKING``, so a lazy import cannot sneak a cycle past it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ssm_mw_mock"

BASE = {"errors", "lazy_re"}
#: What each layer may import besides itself and BASE; anything not listed is above it.
ALLOWED: dict[str, set[str]] = {
    "timing": set(),
    "wire": set(),
    "model": {"timing"},
    "engine": {"model", "timing"},
    "api": {"engine", "model", "timing", "wire"},
    "doors": {"api", "engine", "model", "timing", "wire"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path) -> set[str]:
    """The ``ssm_mw_mock`` modules (or packages) that ``path`` imports, as dotted names."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names]
            found.update(name for name in [target, *names] if name.startswith("ssm_mw_mock"))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("ssm_mw_mock"))
    return found


def _layer(dotted: str) -> str:
    """The layer of a dotted name: its subpackage, ``base``, or ``top`` for the modules above the layers."""
    parts = dotted.split(".")
    if len(parts) < 2:
        return "top"
    if parts[1] in ALLOWED:
        return parts[1]
    return "base" if parts[1] in BASE else "top"


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _layer(_module_name(p)) in ALLOWED)


def test_layers_cover_the_package() -> None:
    layers = {_layer(_module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert layers == {*ALLOWED, "base", "top"}
    assert all((PACKAGE / name).is_dir() for name in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_layer_imports_only_layers_below(path: Path) -> None:
    layer = _layer(_module_name(path))
    allowed = {layer, "base", *ALLOWED[layer]}
    # "ssm_mw_mock" alone (``from .. import x``) is resolved through the names it imports.
    wrong = sorted(name for name in _imported(path) if name != "ssm_mw_mock" and _layer(name) not in allowed)
    module = _module_name(path)
    assert wrong == [], f"{module} ({layer}) imports {wrong}; {layer} may import {sorted(allowed)}"


def test_base_modules_import_nothing_of_the_package() -> None:
    for name in BASE:
        assert _imported(PACKAGE / f"{name}.py") == set(), name
