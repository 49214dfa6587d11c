"""The timeline's picture: valid standalone SVG, one bar per record, marks where the window says."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import boto3
import pytest

from ssm_mw_mock import Outcome, mock_maintenance_windows
from ssm_mw_mock.timeline import Timeline
from ssm_mw_mock.timeline_svg import _LEFT, _RIGHT, COLOURS
from tests.docs_figures import nightly_run

SVG = "{http://www.w3.org/2000/svg}"


def _bars(root: ET.Element, kind: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar" and e.get("data-kind") == kind]


def _marks(root: ET.Element, kind: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}line") if e.get("data-mark") == kind]


@pytest.fixture
def timeline() -> Timeline:
    with mock_maintenance_windows(now="2024-03-04T00:00:00Z") as mw:
        nightly_run(mw)
        return mw.timeline()


def test_svg_has_one_bar_per_record_coloured_by_status(timeline: Timeline) -> None:
    root = ET.fromstring(timeline.to_svg())

    assert root.tag == f"{SVG}svg"
    executions = timeline.executions
    started_tasks = [t for t in timeline.tasks if t.start_time is not None]
    started = [i for i in timeline.invocations if i.start_time is not None]
    assert (len(executions), len(timeline.tasks), len(started_tasks), len(started)) == (4, 8, 7, 15)
    assert [b.get("data-status") for b in _bars(root, "run")] == [e.status for e in executions]
    assert [b.get("data-status") for b in _bars(root, "execution")] == [e.status for e in executions]
    assert [b.get("data-status") for b in _bars(root, "task")] == [t.status for t in started_tasks]
    assert [b.get("data-status") for b in _bars(root, "invocation")] == [i.status for i in started]
    for bar in _bars(root, "invocation"):
        assert bar.get("fill") == COLOURS[bar.get("data-status") or ""]
        assert _LEFT <= float(bar.get("x") or 0) <= _RIGHT
    assert {"SUCCESS", "FAILED", "TIMED_OUT", "IN_PROGRESS"} <= {
        b.get("data-status") for b in _bars(root, "task")
    }


def test_svg_shows_upcoming_runs_dashed_after_now(timeline: Timeline) -> None:
    root = ET.fromstring(timeline.to_svg())

    upcoming = _bars(root, "upcoming")
    assert len(upcoming) == len(timeline.windows[0].upcoming) == 3
    assert all(bar.get("stroke-dasharray") and bar.get("fill") == "none" for bar in upcoming)
    [now] = [m for m in _marks(root, "now") if m.get("y1") == _marks(root, "now")[0].get("y1")]
    assert all(float(bar.get("x") or 0) > float(now.get("x1") or 0) for bar in upcoming)
    tips = [bar.findtext(f"{SVG}title") for bar in upcoming]
    assert tips == ["upcoming 2024-03-08T02:00Z", "upcoming 2024-03-09T02:00Z", "upcoming 2024-03-10T02:00Z"]


def test_svg_marks_cutoff_and_window_end_per_execution(timeline: Timeline) -> None:
    root = ET.fromstring(timeline.to_svg())

    cutoffs, ends = _marks(root, "cutoff"), _marks(root, "window-end")
    assert len(cutoffs) == len(ends) == 4
    # Duration 2 h, cutoff 1 h: each panel's axis runs 2 h, so the cutoff sits half way.
    for cutoff, end in zip(cutoffs, ends, strict=True):
        assert float(end.get("x1") or 0) == pytest.approx(_RIGHT)
        assert float(cutoff.get("x1") or 0) == pytest.approx((_LEFT + _RIGHT) / 2, abs=0.1)
    assert next(c.findtext(f"{SVG}title") for c in cutoffs) == "cutoff 2024-03-04 03:00:00Z"


def test_svg_is_self_contained_and_has_a_legend(timeline: Timeline) -> None:
    svg = timeline.to_svg()
    root = ET.fromstring(svg)

    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert not list(root.iter(f"{SVG}script"))
    assert not list(root.iter(f"{SVG}image"))
    legend = [e.get("fill") for e in root.iter(f"{SVG}rect") if e.get("class") == "legend"]
    assert legend[: len(COLOURS)] == list(COLOURS.values())
    texts = [e.text for e in root.iter(f"{SVG}text")]
    assert set(COLOURS) <= set(texts)


def test_svg_panels_only_for_the_newest_executions(timeline: Timeline) -> None:
    root = ET.fromstring(timeline.to_svg(details=1))

    assert len(_bars(root, "run")) == 4  # the overview shows every run
    assert [b.get("data-status") for b in _bars(root, "execution")] == ["IN_PROGRESS"]
    assert "(3 older execution(s) without a panel)" in [e.text for e in root.iter(f"{SVG}text")]
    with pytest.raises(ValueError, match=r"^details= is how many executions get a panel, 0 or more; got -1$"):
        timeline.to_svg(details=-1)


def test_svg_escapes_text_and_draws_an_empty_mock() -> None:
    with mock_maintenance_windows(now="2024-03-04T00:00:00Z") as mw:
        assert "No maintenance windows." in mw.timeline().to_svg()
        ssm = boto3.client("ssm", region_name="us-east-1")
        window_id = ssm.create_maintenance_window(
            Name="daily", Schedule="rate(1 day)", Duration=1, Cutoff=0, AllowUnassociatedTargets=True
        )["WindowId"]
        ssm.register_task_with_maintenance_window(
            WindowId=window_id, TaskType="LAMBDA", TaskArn="arn:aws:lambda:us-east-1:123456789012:function:f"
        )
        mw.on_invocation(lambda invocation: Outcome("FAILED", output='exit <1> & "2"'))
        mw.clock.advance(timedelta(days=2))
        svg = mw.timeline().to_svg()
    root = ET.fromstring(svg)
    invocation = _bars(root, "invocation")[0]
    assert (invocation.findtext(f"{SVG}title") or "").startswith('(no target) FAILED 0m05s: exit <1> & "2" (')
    assert [b.get("data-status") for b in _bars(root, "execution")] == ["FAILED", "IN_PROGRESS"]


def test_html_page_holds_the_picture_and_the_text(timeline: Timeline) -> None:
    page = timeline.to_html()

    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg ") == 1
    assert "Timeline at 2024-03-07 02:10:00Z: 1 window(s), 4 execution(s)" in page
    assert "<script" not in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
