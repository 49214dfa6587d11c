"""Which files a test may open: its data comes from the repository, never from beside or above it.

A checkout must pass its tests on a machine that has nothing but the checkout (a fresh clone, CI). A test
that reads project data from outside the repository — above all from a ``shared/`` folder next to the
checkout, where the project keeps its research — passes on a developer's machine and fails everywhere
else. ``tests/conftest.py`` installs :func:`install` as an audit hook, so every ``open()``, ``os.open()``
and directory listing made by the test process is classified by :func:`is_outside_read`, and a test that
made such a read fails naming the paths.

The rule, in order:

1. Anything under a ``shared`` folder that sits in the repository root or in one of its ancestors is
   project data kept outside the checkout: refused, even where a later rule would allow it (a clone under
   ``/tmp`` with a ``/tmp/shared`` beside it).
2. Anything inside the repository root is allowed.
3. pytest's temporary directories (``tmp_path``, ``pytester``) are allowed: ``<temp>/pytest-of-<user>``,
   or the ``--basetemp`` given.
4. Anything beside the repository, in the folder that holds it, is refused: other checkouts, data next to
   the clone. This rule is skipped when that folder is the temporary directory itself or ``/``, where
   everything would be "beside" it.
5. What the interpreter and the libraries legitimately read is allowed: the Python installation and the
   virtual environment (``sys.prefix``, ``sys.base_prefix`` and the install paths of ``sysconfig``,
   site-packages included), the temporary directory and the system's own files: ``/dev``, ``/proc``,
   ``/sys``, ``/etc`` (time zone, TLS certificates, host name lookup, MIME types), ``/usr/share/zoneinfo``
   and ``/usr/lib/ssl``.
6. Everything else is an outside read.

Only the test process is watched: a subprocess (the CLI tests, a sandboxed pytest) is not.
"""

from __future__ import annotations

import getpass
import os
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = os.path.normpath(str(Path(__file__).resolve().parent.parent))

SYSTEM_ROOTS = ("/dev", "/proc", "/sys", "/etc", "/usr/share/zoneinfo", "/usr/lib/ssl")
WATCHED_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _shared_folders(root: str) -> tuple[str, ...]:
    folders = []
    here = root
    while True:
        folders.append(os.path.join(here, "shared"))
        parent = os.path.dirname(here)
        if parent == here:
            return tuple(folders)
        here = parent


def _python_roots() -> tuple[str, ...]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for name in ("stdlib", "platstdlib", "purelib", "platlib", "include", "scripts", "data"):
        path = sysconfig.get_paths().get(name)
        if path:
            roots.add(path)
    return tuple(sorted(os.path.normpath(os.path.realpath(p)) for p in roots if p))


def _pytest_temp_roots() -> list[str]:
    try:
        user = getpass.getuser()
    except (ImportError, KeyError, OSError):
        user = "unknown"  # what pytest itself falls back to
    return [os.path.join(os.path.realpath(tempfile.gettempdir()), f"pytest-of-{user}")]


def _beside(root: str) -> str | None:
    parent = os.path.dirname(root)
    if parent in (os.path.realpath(tempfile.gettempdir()), os.path.dirname(parent)):  # /tmp, or "/"
        return None
    return parent


SHARED = _shared_folders(ROOT)
PYTEST_TEMP = _pytest_temp_roots()
BESIDE = _beside(ROOT)
ALLOWED = (
    *_python_roots(),
    os.path.normpath(os.path.realpath(tempfile.gettempdir())),
    *SYSTEM_ROOTS,
)


def is_outside_read(path: str) -> bool:
    """Whether opening ``path`` (absolute or relative to the working directory) reads outside the rules."""
    path = os.path.normpath(os.path.join(os.getcwd(), path))
    if _under(path, SHARED):
        return True
    if _under(path, (ROOT,)):
        return False
    if _under(path, PYTEST_TEMP):
        return False
    if BESIDE is not None and _under(path, (BESIDE,)):
        return True
    return not _under(path, ALLOWED)


def allow_pytest_basetemp(path: str) -> None:
    """Allow pytest's ``--basetemp`` folder when one is given (rule 3)."""
    PYTEST_TEMP.append(os.path.normpath(os.path.abspath(path)))


class Recorder:
    """The outside reads seen so far, in order; thread-safe, because tests run threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: list[str] = []
        self._busy = threading.local()

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if event not in WATCHED_EVENTS or not args:
            return
        target = args[0]
        if isinstance(target, bytes):
            target = os.fsdecode(target)
        elif isinstance(target, os.PathLike):
            target = os.fspath(target)
        if not isinstance(target, str):  # a file descriptor, or os.listdir() of the working directory
            return
        if getattr(self._busy, "on", False):  # the check itself must not be checked
            return
        self._busy.on = True
        try:
            if is_outside_read(target):
                with self._lock:
                    self._paths.append(os.path.normpath(os.path.join(os.getcwd(), target)))
        finally:
            self._busy.on = False

    def mark(self) -> int:
        with self._lock:
            return len(self._paths)

    def since(self, mark: int) -> list[str]:
        with self._lock:
            return list(self._paths[mark:])

    def forget_since(self, mark: int) -> None:
        with self._lock:
            del self._paths[mark:]


RECORDER = Recorder()
_installed: list[bool] = []


def install() -> Recorder:
    """Install the audit hook once per process (an audit hook cannot be removed) and return its recorder."""
    if not _installed:
        sys.addaudithook(RECORDER)
        _installed.append(True)
    return RECORDER


def describe(paths: list[str]) -> str:
    unique = list(dict.fromkeys(paths))
    listing = "\n".join(f"  {p}" for p in unique[:20])
    more = f"\n  ... and {len(unique) - 20} more" if len(unique) > 20 else ""
    return (
        f"read {len(unique)} path(s) outside the repository ({ROOT}):\n{listing}{more}\n"
        "Keep the data the tests need in the repository (tests/data/) and read it from there; "
        "see tests/outside_reads.py for what is allowed."
    )
