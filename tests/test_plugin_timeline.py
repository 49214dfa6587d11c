"""The plugin adds what the mock ran to a failing test's report, and only there; an option turns it off."""

from __future__ import annotations

import pytest

from tests.test_plugin import _run

pytest_plugins = ["pytester"]

FAILING = """
import boto3
import pytest

@pytest.mark.mw_mock(now="2024-03-04T00:00:00Z")
def test_window_failed(mw_mock):
    ssm = boto3.client("ssm", region_name="eu-west-1")
    window_id = ssm.create_maintenance_window(
        Name="nightly", Schedule="cron(0 2 ? * * *)", Duration=3, Cutoff=1, AllowUnassociatedTargets=True
    )["WindowId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id, TaskType="LAMBDA", TaskArn="arn:aws:lambda:eu-west-1:123456789012:function:notify"
    )
    mw_mock.on_invocation(lambda invocation: "FAILED")
    mw_mock.clock.advance(days=1)
    assert ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"] == []

@pytest.mark.mw_mock(now="2024-03-04T00:00:00Z")
def test_passing(mw_mock):
    pass

def test_failing_without_the_fixture():
    assert False
"""

HEADER = "- mw_mock timeline -"


def test_failing_test_report_has_the_timeline(pytester: pytest.Pytester) -> None:
    result = _run(pytester, FAILING)

    result.assert_outcomes(passed=1, failed=2)
    output = result.stdout.str()
    assert output.count("mw_mock timeline") == 1  # only the failing test that used the fixture
    result.stdout.fnmatch_lines(
        [
            f"*{HEADER}*",
            "Timeline at 2024-03-05 00:00:00Z: 1 window(s), 1 execution(s)",
            "Window mw-* 'nightly' (eu-west-1, account 123456789012)",
            "  cron(0 2 ? * * *), 3 h, cutoff 1 h",
            "  Execution *  2024-03-04 02:00:00Z → 02:00:05  0m05s  FAILED",
            "    One or more tasks in the orchestration failed.",
            "    LAMBDA      notify  02:00:00 → 02:00:05  0m05s  FAILED  One or more invocations failed.",
            "      (no target)       02:00:00 → 02:00:05  0m05s  FAILED  Failed",
            "  Upcoming: 2024-03-05T02:00Z, 2024-03-06T02:00Z, 2024-03-07T02:00Z",
        ]
    )
    # The section sits in the failing test's own report, before the next test's.
    assert output.index(HEADER) < output.index("_ test_failing_without_the_fixture _")


@pytest.mark.parametrize(
    "how",
    [("--mw-no-timeline",), ("-o", "mw_mock_timeline=false")],
    ids=["option", "ini"],
)
def test_timeline_section_can_be_turned_off(pytester: pytest.Pytester, how: tuple[str, ...]) -> None:
    result = _run(pytester, FAILING, *how)

    result.assert_outcomes(passed=1, failed=2)
    assert "mw_mock timeline" not in result.stdout.str()
    assert "Timeline at" not in result.stdout.str()


def test_timeline_section_survives_a_mock_that_cannot_describe(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        def test_broken(mw_mock):
            def broken(*args, **kwargs):
                raise RuntimeError("backend gone")
            mw_mock.backend.call = broken
            mw_mock.backend.state("123456789012", "us-east-1")
            assert False, "the test's own failure"
        """,
    )

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*the test's own failure*",
            f"*{HEADER}*",
            "(the timeline could not be built: RuntimeError: backend gone)",
        ]
    )


def test_failing_test_with_the_server_fixture_gets_the_timeline(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
        import boto3

        def test_over_http(mw_server):
            ssm = boto3.client(
                "ssm", endpoint_url=mw_server.endpoint_url, region_name="us-east-1",
                aws_access_key_id="testing", aws_secret_access_key="testing",
            )
            ssm.create_maintenance_window(
                Name="over-http", Schedule="rate(1 day)", Duration=2, Cutoff=1, AllowUnassociatedTargets=True
            )
            assert False
        """,
    )

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [f"*{HEADER}*", "Timeline at *: 1 window(s), 0 execution(s)", "Window mw-* 'over-http' *"]
    )
