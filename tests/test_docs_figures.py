"""The figures committed in docs/ are what the project makes today (``python -m tests.docs_figures``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests import docs_figures

FIX = "run `python -m tests.docs_figures` and commit the result"


def test_timeline_svg_in_docs_is_current() -> None:
    fresh = docs_figures.timeline_svg()

    ET.fromstring(fresh)
    committed = docs_figures.TIMELINE_SVG.read_text(encoding="utf-8")
    assert committed == fresh, f"docs/images/timeline.svg is stale: {FIX}"


def test_timeline_svg_is_deterministic() -> None:
    assert docs_figures.timeline_svg() == docs_figures.timeline_svg()


def test_status_diagram_in_docs_is_current() -> None:
    text = docs_figures.EXECUTIONS_MD.read_text(encoding="utf-8")

    assert docs_figures.BEGIN in text
    assert docs_figures.END in text
    assert text == docs_figures.executions_md_with(docs_figures.status_diagram()), (
        f"the status diagram of docs/executions.md is stale: {FIX}"
    )


def test_status_diagram_covers_every_status() -> None:
    edges = docs_figures.observed_transitions()

    reached = {kind: {to for _, to in pairs} for kind, pairs in edges.items()}
    assert reached["execution"] == {
        "IN_PROGRESS",
        "SUCCESS",
        "FAILED",
        "TIMED_OUT",
        "CANCELLING",
        "CANCELLED",
        "SKIPPED_OVERLAPPING",
    }
    assert reached["task"] == {"PENDING", "IN_PROGRESS", "SUCCESS", "FAILED", "TIMED_OUT", "CANCELLED"}
    assert reached["invocation"] == {"IN_PROGRESS", "SUCCESS", "FAILED", "TIMED_OUT", "CANCELLED"}
