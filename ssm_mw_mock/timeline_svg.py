"""The timeline as a picture: one standalone SVG (no fonts, scripts or links to fetch), and an HTML page.

For each window, an overview on one time axis — every execution as a bar coloured by its status, the next
scheduled runs as dashed outlines ahead of "now" — then a panel per execution (the newest ``details`` of
the whole timeline) on its own axis from its start to the window's end: the execution, each task and
each invocation as a bar, with the cutoff (start + Duration - Cutoff) and the window's end (start +
Duration) marked. Cutoff and end come from the window's *current* settings, which is all SSM shows. A task
or invocation that has not started has no bar; one still running ends at "now".

Every bar is a ``<rect class="bar" data-kind="…" data-status="…">`` with a ``<title>`` (the tooltip), so
tests and the dashboard can find them: kinds ``run`` (overview), ``upcoming``, ``execution``, ``task`` and
``invocation``; marks are ``<line data-mark="now|cutoff|window-end">``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape

from .timeline import Timeline, TimelineExecution, TimelineWindow
from .timeline_text import format_duration, render_text

#: The colour of each status SSM gives executions, tasks and invocations, in the legend's order.
COLOURS = {
    "PENDING": "#9ec5f0",
    "IN_PROGRESS": "#2f6fd6",
    "SUCCESS": "#2e9d4b",
    "FAILED": "#d33a2c",
    "TIMED_OUT": "#e08a00",
    "CANCELLING": "#b8b8b8",
    "CANCELLED": "#6f6f6f",
    "SKIPPED_OVERLAPPING": "#a26bd0",
}
_UNKNOWN = "#000000"
_UPCOMING = "#2f6fd6"
_MARKS = {"now": "#111111", "cutoff": "#e08a00", "window-end": "#d33a2c"}

WIDTH = 980
_LEFT = 250  # where the time axis starts; labels live left of it
_RIGHT = WIDTH - 20
_ROW = 17
_BAR = 11
_MIN_BAR = 2.0
_FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"  # local fonts only: nothing is fetched
_STEPS = [
    timedelta(minutes=m)
    for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200)
]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _hms(moment: datetime | None) -> str:
    return "…" if moment is None else _utc(moment).strftime("%Y-%m-%d %H:%M:%SZ")


class _Canvas:
    """SVG elements under construction, and the running height."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.y = 0.0

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(
        self, x: float, y: float, content: str, *, size: int = 11, weight: str = "normal", **attrs: str
    ) -> None:
        extra = "".join(f' {key.replace("_", "-")}="{escape(value)}"' for key, value in attrs.items())
        where = f'x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}"'
        self.add(f"<text {where}{extra}>{escape(content)}</text>")


class _Axis:
    """A time interval mapped onto the plot's width."""

    def __init__(self, low: datetime, high: datetime) -> None:
        if high <= low:
            high = low + timedelta(minutes=1)
        self.low, self.high = low, high
        self.scale = (_RIGHT - _LEFT) / (high - low).total_seconds()

    def x(self, moment: datetime) -> float:
        seconds = (min(max(moment, self.low), self.high) - self.low).total_seconds()
        return _LEFT + seconds * self.scale

    def draw(self, canvas: _Canvas, top: float, bottom: float) -> None:
        span = self.high - self.low
        step = next((s for s in _STEPS if span / s <= 8), _STEPS[-1])
        seconds = step.total_seconds()
        moment = datetime.fromtimestamp(-(-self.low.timestamp() // seconds) * seconds, UTC)
        shape = "%H:%M" if step < timedelta(days=1) else "%Y-%m-%d"
        if span > timedelta(days=1) and step < timedelta(days=1):
            shape = "%m-%d %H:%M"
        canvas.add(f'<line x1="{_LEFT}" y1="{bottom:.1f}" x2="{_RIGHT}" y2="{bottom:.1f}" stroke="#999999"/>')
        while moment <= self.high:
            x = self.x(moment)
            canvas.add(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="#e4e4e4"/>')
            canvas.text(x, bottom + 11, moment.strftime(shape), size=9, text_anchor="middle", fill="#555555")
            moment += step

    def mark(self, canvas: _Canvas, kind: str, moment: datetime, top: float, bottom: float) -> None:
        if not self.low <= moment <= self.high:
            return
        x = self.x(moment)
        dash = ' stroke-dasharray="3 2"' if kind != "now" else ""
        canvas.add(
            f'<line class="mark" data-mark="{kind}" x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" '
            f'y2="{bottom:.1f}" stroke="{_MARKS[kind]}" stroke-width="1.5"{dash}>'
            f"<title>{escape(kind)} {_hms(moment)}</title></line>"
        )


def _bar(
    canvas: _Canvas,
    axis: _Axis,
    kind: str,
    status: str,
    start: datetime,
    end: datetime,
    y: float,
    tip: str,
) -> None:
    x1, x2 = axis.x(start), axis.x(end)
    width = max(x2 - x1, _MIN_BAR)
    if kind == "upcoming":
        paint = f'fill="none" stroke="{_UPCOMING}" stroke-width="1.2" stroke-dasharray="4 3"'
    else:
        paint = f'fill="{COLOURS.get(status, _UNKNOWN)}" stroke="#333333" stroke-width="0.4"'
    canvas.add(
        f'<rect class="bar" data-kind="{kind}" data-status="{escape(status)}" x="{x1:.1f}" '
        f'y="{y - _BAR + 2:.1f}" width="{width:.1f}" height="{_BAR}" rx="1.5" {paint}>'
        f"<title>{escape(tip)}</title></rect>"
    )


def _legend(canvas: _Canvas) -> None:
    x = 10.0
    y = canvas.y + 14
    for status, colour in COLOURS.items():
        canvas.add(
            f'<rect class="legend" x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}" '
            'stroke="#333333" stroke-width="0.4"/>'
        )
        canvas.text(x + 14, y, status, size=10)
        x += 24 + 6.2 * len(status)
    canvas.add(
        f'<rect class="legend" x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="none" '
        f'stroke="{_UPCOMING}" stroke-dasharray="3 2"/>'
    )
    canvas.text(x + 14, y, "upcoming", size=10)
    y += 16
    x = 10.0
    for kind, colour in _MARKS.items():
        dash = ' stroke-dasharray="3 2"' if kind != "now" else ""
        canvas.add(
            f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 14:.1f}" y2="{y - 4:.1f}" stroke="{colour}" '
            f'stroke-width="1.5"{dash}/>'
        )
        canvas.text(x + 18, y, kind, size=10)
        x += 30 + 6.2 * len(kind)
    canvas.y = y + 10


def _overview(canvas: _Canvas, timeline: Timeline, window: TimelineWindow) -> None:
    length = timedelta(hours=window.duration_hours)
    starts = [e.start_time for e in window.executions] + [r.execution_time for r in window.upcoming]
    ends = [e.end_time or timeline.now for e in window.executions]
    ends += [r.execution_time + length for r in window.upcoming]
    low = min([*starts, timeline.now])
    high = max([*ends, timeline.now])
    pad = (high - low) * 0.02
    axis = _Axis(low - pad, high + pad)
    zone = f" ({window.schedule_timezone})" if window.schedule_timezone else ""
    canvas.text(
        10,
        canvas.y + 14,
        f"Window {window.window_id} {window.name!r}  {window.region}",
        size=12,
        weight="bold",
    )
    canvas.text(
        10,
        canvas.y + 28,
        f"{window.schedule}{zone}, {window.duration_hours} h, cutoff {window.cutoff_hours} h"
        + ("" if window.enabled else ", disabled"),
        size=10,
        fill="#444444",
    )
    top = canvas.y + 34
    row = top + _ROW
    canvas.text(_LEFT - 8, row, "runs", size=10, text_anchor="end")
    bottom = row + 8
    axis.draw(canvas, top, bottom)
    for execution in window.executions:
        end = execution.end_time or timeline.now
        tip = (
            f"{execution.window_execution_id} {execution.status} "
            f"{_hms(execution.start_time)} → {_hms(execution.end_time)}"
        )
        _bar(canvas, axis, "run", execution.status, execution.start_time, end, row, tip)
    for run in window.upcoming:
        tip = f"upcoming {run.execution_time_text}"
        _bar(canvas, axis, "upcoming", "SCHEDULED", run.execution_time, run.execution_time + length, row, tip)
    axis.mark(canvas, "now", timeline.now, top, bottom)
    canvas.y = bottom + 20


def _panel(canvas: _Canvas, timeline: Timeline, window: TimelineWindow, execution: TimelineExecution) -> None:
    start = execution.start_time
    window_end = start + timedelta(hours=window.duration_hours)
    cutoff = window_end - timedelta(hours=window.cutoff_hours)
    axis = _Axis(start, max(window_end, execution.end_time or timeline.now))
    rows: list[tuple[str, str, str, datetime | None, datetime | None, str]] = [
        (
            "execution",
            "execution",
            execution.status,
            execution.start_time,
            execution.end_time,
            f"execution {execution.window_execution_id} {execution.status} "
            + format_duration(execution.duration)
            + (f": {execution.status_details}" if execution.status_details else ""),
        )
    ]
    for task in execution.tasks:
        tip = f"{task.task_type} {task.task_arn} {task.status}" + (
            f": {task.status_details}" if task.status_details else ""
        )
        rows.append((f"  {task.name}", "task", task.status, task.start_time, task.end_time, tip))
        for invocation in task.invocations:
            target = invocation.target or "(no target)"
            tip = f"{target} {invocation.status} {format_duration(invocation.duration)}" + (
                f": {invocation.status_details}" if invocation.status_details else ""
            )
            rows.append(
                (
                    f"    {target}",
                    "invocation",
                    invocation.status,
                    invocation.start_time,
                    invocation.end_time,
                    tip,
                )
            )
    canvas.text(
        10,
        canvas.y + 12,
        f"{_hms(start)}  {execution.window_execution_id}  {execution.status}"
        + (f" — {execution.status_details}" if execution.status_details else ""),
        size=10,
        fill="#444444",
    )
    top = canvas.y + 16
    y = top
    for label, kind, status, begin, end, tip in rows:
        y += _ROW
        canvas.text(_LEFT - 8, y, label if len(label) <= 34 else label[:33] + "…", size=10, text_anchor="end")
        if begin is not None:
            _bar(
                canvas,
                axis,
                kind,
                status,
                begin,
                end or timeline.now,
                y,
                f"{tip} ({_hms(begin)} → {_hms(end)})",
            )
    bottom = y + 6
    axis.draw(canvas, top, bottom)
    axis.mark(canvas, "cutoff", cutoff, top, bottom)
    axis.mark(canvas, "window-end", window_end, top, bottom)
    axis.mark(canvas, "now", timeline.now, top, bottom)
    canvas.y = bottom + 22


def render(timeline: Timeline, *, details: int = 12) -> str:
    """The SVG document: legend, then per window its overview and the panels of its newest executions."""
    if details < 0:
        raise ValueError(f"details= is how many executions get a panel, 0 or more; got {details}")
    newest = {e.window_execution_id for e in timeline.executions[::-1][:details]} if details else set()
    canvas = _Canvas()
    canvas.text(10, 16, f"ssm_mw_mock timeline at {_hms(timeline.now)}", size=13, weight="bold")
    canvas.y = 20
    _legend(canvas)
    if not timeline.windows:
        canvas.text(10, canvas.y + 14, "No maintenance windows.", size=11)
        canvas.y += 24
    for window in timeline.windows:
        _overview(canvas, timeline, window)
        for execution in window.executions:
            if execution.window_execution_id in newest:
                _panel(canvas, timeline, window, execution)
        shown = sum(e.window_execution_id in newest for e in window.executions)
        if shown < len(window.executions):
            canvas.text(
                10,
                canvas.y,
                f"({len(window.executions) - shown} older execution(s) without a panel)",
                size=10,
            )
            canvas.y += 16
    height = int(canvas.y + 10)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{_FONT}" role="img">\n'
        f"<title>ssm_mw_mock timeline at {_hms(timeline.now)}</title>\n"
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>\n' + "\n".join(canvas.parts) + "\n</svg>\n"
    )


def render_html(timeline: Timeline, *, details: int = 12) -> str:
    """A standalone page: the picture, then the text timeline."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>ssm_mw_mock timeline at {escape(_hms(timeline.now))}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1em}pre{font-size:12px;background:#f6f6f6;"
        "padding:.6em;overflow-x:auto}</style></head><body>\n"
        f"{render(timeline, details=details)}<pre>{escape(render_text(timeline))}</pre>\n</body></html>\n"
    )
