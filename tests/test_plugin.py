"""The pytest plugin: the ``mw_mock`` fixture and the ``mw_mock`` marker, run in a pytester sandbox."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "ssm_mw_mock.pytest_plugin"


@pytest.fixture(autouse=True)
def _importable(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sandboxed pytest runs in a subprocess from a temporary directory: let it import this checkout.
    monkeypatch.setenv("PYTHONPATH", str(ROOT))


def _entry_point() -> importlib.metadata.EntryPoint | None:
    for entry in importlib.metadata.entry_points(group="pytest11"):
        if entry.value == PLUGIN:
            return entry
    return None


def _plugin_args() -> list[str]:
    # Installed, the entry point loads the plugin; loading it with -p as well would register it twice.
    return [] if _entry_point() is not None else ["-p", PLUGIN]


def _run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(source)
    return pytester.runpytest_subprocess(*_plugin_args(), "-p", "no:cacheprovider", *args)


def test_fixture_is_an_active_mock_serving_boto3(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import boto3
        from ssm_mw_mock import MaintenanceWindowsMock

        def test_window(mw_mock):
            assert isinstance(mw_mock, MaintenanceWindowsMock)
            assert mw_mock.active
            ssm = boto3.client("ssm", region_name="us-east-1")
            window_id = ssm.create_maintenance_window(
                Name="abc", Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=True
            )["WindowId"]
            assert ssm.get_maintenance_window(WindowId=window_id)["Name"] == "abc"
        """,
    )
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_fixture_is_fresh_for_each_test_and_stopped_after(pytester: pytest.Pytester, order: str) -> None:
    # The check after the tests is a module fixture's teardown, so it holds in any order the tests run in
    # (pytest-randomly's, xdist's); the inner conftest runs them reversed to prove it.
    if order == "reversed":
        pytester.makeconftest(
            """
            def pytest_collection_modifyitems(items):
                items.reverse()
            """
        )
    result = _run(
        pytester,
        """
        import boto3
        import pytest
        from botocore.endpoint import Endpoint

        ORIGINAL = Endpoint.__dict__["_send_request"]
        seen = []

        def names():
            ssm = boto3.client("ssm", region_name="us-east-1")
            return [w["Name"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]]

        @pytest.fixture(scope="module", autouse=True)
        def afterwards():
            yield
            assert Endpoint.__dict__["_send_request"] is ORIGINAL
            assert len({id(m) for m in seen}) == 3
            assert not any(m.active for m in seen)
            print("checked after", len(seen), "tests")

        @pytest.mark.parametrize("name", ["first", "second", "third"])
        def test_each(mw_mock, name):
            assert names() == []
            boto3.client("ssm", region_name="us-east-1").create_maintenance_window(
                Name=name, Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=True
            )
            assert names() == [name]
            seen.append(mw_mock)
        """,
        "-s",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*checked after 3 tests*"])


def test_marker_sets_now_and_account(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        from datetime import datetime, timezone
        import boto3
        import pytest

        @pytest.mark.mw_mock(now="2024-03-04T00:00:00Z", account_id="111122223333")
        def test_marked(mw_mock):
            assert mw_mock.clock.now() == datetime(2024, 3, 4, tzinfo=timezone.utc)
            assert mw_mock.account_id == "111122223333"
            ssm = boto3.client("ssm", region_name="us-east-1")
            window_id = ssm.create_maintenance_window(
                Name="abc", Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=True
            )["WindowId"]
            created = ssm.get_maintenance_window(WindowId=window_id)["CreatedDate"]
            assert created == datetime(2024, 3, 4, tzinfo=timezone.utc)

        @pytest.mark.mw_mock(now="2030-01-01T12:00:00+02:00")
        class TestClassMarker:
            def test_inherits(self, mw_mock):
                assert mw_mock.clock.now() == datetime(2030, 1, 1, 10, tzinfo=timezone.utc)

        def test_unmarked_uses_real_time(mw_mock):
            assert abs((mw_mock.clock.now() - datetime.now(timezone.utc)).total_seconds()) < 60
        """,
        "--strict-markers",
    )
    result.assert_outcomes(passed=3)


def test_marker_seed_makes_ids_reproducible(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import boto3
        import pytest

        SEEN = []

        @pytest.mark.mw_mock(seed=3)
        @pytest.mark.parametrize("run", [1, 2])
        def test_seeded(mw_mock, run):
            ssm = boto3.client("ssm", region_name="us-east-1")
            SEEN.append(ssm.create_maintenance_window(
                Name="abc", Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=True
            )["WindowId"])

        def test_same_ids():
            assert len(SEEN) == 2 and SEEN[0] == SEEN[1]
        """,
        "--strict-markers",
        "-p",
        "no:randomly",
    )
    result.assert_outcomes(passed=3)


def test_marker_with_bad_now_errors_the_test(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import pytest

        @pytest.mark.mw_mock(now="tomorrow")
        def test_bad(mw_mock):
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ValueError: now= must be an ISO-8601 date-time with an offset, "
            "such as '2024-03-04T00:00:00Z'; got 'tomorrow'"
        ]
    )


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("")
    result = pytester.runpytest_subprocess(*_plugin_args(), "--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.mw_mock(now=None, account_id=None, follow_time=False, seed=None): "
            "options for the mw_mock*"
        ]
    )


def test_entry_point_is_declared_in_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {PLUGIN: PLUGIN}


@pytest.mark.skipif(_entry_point() is None, reason="ssm_mw_mock is not installed: no pytest11 entry point")
def test_entry_point_is_installed_and_auto_loaded(pytester: pytest.Pytester) -> None:
    entry = _entry_point()
    assert entry is not None
    # Named after the module, so `-p ssm_mw_mock.pytest_plugin` on top of the entry point is harmless.
    assert entry.name == PLUGIN
    pytester.makepyfile(
        """
        def test_auto(mw_mock):
            assert mw_mock.active
        """
    )
    # No -p: the fixture must come from the entry point alone.
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    pytester.runpytest_subprocess("-p", PLUGIN).assert_outcomes(passed=1)
