"""The guard of tests/outside_reads.py: which paths a test may open, and that the audit hook sees opens."""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from tests import outside_reads
from tests.outside_reads import RECORDER, ROOT, is_outside_read

ABOVE = Path(ROOT).parent


@pytest.mark.parametrize(
    "path",
    [
        str(ABOVE / "shared" / "reference" / "cron-vectors.json"),
        str(ABOVE.parent / "shared" / "DESIGN.md"),
        pytest.param(
            str(ABOVE / "sibling-checkout" / "tests" / "data.json"),
            marks=pytest.mark.skipif(
                outside_reads.BESIDE is None, reason="the repository lies directly in the temp dir or /"
            ),
            id="beside-the-repository",
        ),
        os.path.join(ROOT, "..", "shared", "reference", "aws-behaviour.md"),
        os.path.join(ROOT, "shared", "notes.md"),  # a shared/ folder at the root is not project data either
    ],
)
def test_outside_reads_refuses_project_data_beside_or_above_the_repository(path: str) -> None:
    assert is_outside_read(path)


@pytest.mark.parametrize(
    "path",
    [
        os.path.join(ROOT, "tests", "data", "cron-vectors.json"),
        os.path.join(ROOT, "docs", "api.md"),
        os.__file__,
        sysconfig.get_paths()["purelib"],
        os.path.join(sys.prefix, "pyvenv.cfg"),
        os.path.join(outside_reads.PYTEST_TEMP[0], "pytest-1", "test_x0", "conftest.py"),
        "/usr/share/zoneinfo/Europe/Berlin",
        "/etc/ssl/certs/ca-certificates.crt",
        "/dev/null",
        "/proc/self/status",
    ],
)
def test_outside_reads_allows_the_repository_python_temp_and_system_files(path: str) -> None:
    assert not is_outside_read(path)


def _clone_at(monkeypatch: pytest.MonkeyPatch, clone: str) -> None:
    monkeypatch.setattr(outside_reads, "ROOT", clone)
    monkeypatch.setattr(outside_reads, "SHARED", outside_reads._shared_folders(clone))
    monkeypatch.setattr(outside_reads, "BESIDE", outside_reads._beside(clone))


def test_outside_reads_refuses_data_beside_a_clone_in_the_temp_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh clone in /tmp/x/ssm_mw_mock: the temp dir rule must not let in /tmp/x/shared or /tmp/x/data.
    temp = os.path.realpath(tempfile.gettempdir())
    clone = os.path.join(temp, "fresh", "ssm_mw_mock")
    _clone_at(monkeypatch, clone)

    assert is_outside_read(os.path.join(temp, "fresh", "shared", "reference", "x.json"))
    assert is_outside_read(os.path.join(temp, "fresh", "data", "vectors.json"))
    assert not is_outside_read(os.path.join(clone, "tests", "data", "cron-vectors.json"))
    assert not is_outside_read(os.path.join(outside_reads.PYTEST_TEMP[0], "pytest-3", "test_x0", "f.txt"))
    assert not is_outside_read(os.path.join(temp, "tmpab12cd", "scratch.txt"))  # elsewhere in the temp dir


def test_outside_reads_allows_the_temp_dir_around_a_clone_made_directly_in_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    temp = os.path.realpath(tempfile.gettempdir())
    _clone_at(monkeypatch, os.path.join(temp, "ssm_mw_mock"))

    assert not is_outside_read(os.path.join(temp, "tmpab12cd", "scratch.txt"))
    assert is_outside_read(os.path.join(temp, "shared", "reference", "x.json"))


def test_outside_reads_hook_records_an_open_outside_the_repository() -> None:
    missing = ABOVE / "shared" / "no-such-file.json"
    mark = RECORDER.mark()
    try:
        with pytest.raises(FileNotFoundError):
            missing.open(encoding="utf-8")  # the audit event comes before the open fails
        with pytest.raises(FileNotFoundError):
            os.listdir(ABOVE / "shared" / "no-such-folder")
        seen = RECORDER.since(mark)
    finally:
        RECORDER.forget_since(mark)  # or this test's own autouse guard would fail it
    assert seen == [str(missing), str(ABOVE / "shared" / "no-such-folder")]


def test_outside_reads_hook_ignores_reads_inside_the_repository(tmp_path: Path) -> None:
    mark = RECORDER.mark()
    (Path(ROOT) / "README.md").read_text(encoding="utf-8")
    (tmp_path / "scratch.txt").write_text("ok", encoding="utf-8")
    assert RECORDER.since(mark) == []


def test_outside_reads_message_names_the_paths_and_the_fix() -> None:
    message = outside_reads.describe(["/work/shared/a.json", "/work/shared/a.json", "/srv/b"])

    assert message.startswith(
        f"read 2 path(s) outside the repository ({ROOT}):\n  /work/shared/a.json\n  /srv/b\n"
    )
    assert "tests/data/" in message
