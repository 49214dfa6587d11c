"""The demo runs and tells the story it promises: three weekly runs, the second with a failed instance."""

from __future__ import annotations

import re

import pytest

from ssm_mw_mock.demo import run_demo

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
WINDOW_ID = re.compile(r"mw-0[0-9a-f]{16}")


def test_demo_prints_the_three_week_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    run_demo()

    out = capsys.readouterr().out
    lines = [WINDOW_ID.sub("mw-…", UUID.sub("<id>", line)).rstrip() for line in out.splitlines()]

    assert len(lines) < 60
    assert lines[0] == "Window mw-… 'weekly-patching': cron(0 3 ? * SUN *) in Europe/Berlin,"
    assert "Target 'prod-linux': tag:Patch Group=prod-linux" in lines
    assert "Clock: 2024-03-04 00:00:00Z   NextExecutionTime: 2024-03-10T03:00+01:00" in lines
    assert "Upcoming: 2024-03-10T03:00+01:00, 2024-03-17T03:00+01:00, 2024-03-24T03:00+01:00" in lines
    assert "NextExecutionTime: 2024-03-31T03:00+02:00" in lines
    assert [line for line in lines if line.startswith("  Execution")] == [
        "  Execution <id>  2024-03-10 02:00:00Z → 02:30:05  30m05s  SUCCESS",
        "  Execution <id>  2024-03-17 02:00:00Z → 02:24:05  24m05s  FAILED",
        "  Execution <id>  2024-03-24 02:00:00Z → 02:30:05  30m05s  SUCCESS",
    ]
    week_two = lines[lines.index("  Execution <id>  2024-03-17 02:00:00Z → 02:24:05  24m05s  FAILED") :][:10]
    assert week_two == [
        "  Execution <id>  2024-03-17 02:00:00Z → 02:24:05  24m05s  FAILED",
        "    One or more tasks in the orchestration failed.",
        "    RUN_COMMAND AWS-RunPatchBaseline  02:00:00 → 02:24:00  24m00s  FAILED   "
        "One or more invocations failed.",
        "      i-0a1b2c3d4e5f60001             02:00:00 → 02:12:00  12m00s  SUCCESS  Success",
        "      i-0a1b2c3d4e5f60002             02:00:00 → 02:03:00   3m00s  FAILED   "
        "yum: Cannot retrieve repository metadata",
        "      i-0a1b2c3d4e5f60003             02:03:00 → 02:24:00  21m00s  SUCCESS  Success",
        "    LAMBDA      patch-report          02:24:00 → 02:24:05   0m05s  SUCCESS",
        "      (no target)                     02:24:00 → 02:24:05   0m05s  SUCCESS  Success",
        "  Execution <id>  2024-03-24 02:00:00Z → 02:30:05  30m05s  SUCCESS",
        "    RUN_COMMAND AWS-RunPatchBaseline  02:00:00 → 02:30:00  30m00s  SUCCESS",
    ]
    assert lines[-1] == "  Upcoming: 2024-03-31T03:00+02:00, 2024-04-07T03:00+02:00, 2024-04-14T03:00+02:00"


def test_demo_is_deterministic_except_for_ids(capsys: pytest.CaptureFixture[str]) -> None:
    run_demo()
    first = capsys.readouterr().out
    run_demo()
    second = capsys.readouterr().out

    def strip(text: str) -> str:
        return WINDOW_ID.sub("mw-…", UUID.sub("<id>", text))

    assert strip(first) == strip(second)
