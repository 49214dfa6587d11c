"""The text timeline: ``str(mw.timeline())``, aligned columns per window.

Each window: its schedule line, then each execution (start → end, duration, status; its status details on
the next line), its tasks and their invocations (start → end, duration, status, status details) in one
aligned table, then the upcoming runs. Times are UTC; a time on another day than its execution's start
shows its date too; "…" is a run not ended yet.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .timeline import Timeline, TimelineWindow


def format_duration(length: timedelta | None) -> str:
    """``12m00s``, ``1h02m03s``, ``3d04h00m``; empty for a run not ended."""
    if length is None:
        return ""
    seconds = int(length.total_seconds())
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    if days:
        return f"{days}d{hour:02d}h{minute:02d}m"
    if hours:
        return f"{hours}h{minute:02d}m{second:02d}s"
    return f"{minute}m{second:02d}s"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _clock(moment: datetime | None, day: datetime) -> str:
    if moment is None:
        return "…"
    moment = moment.astimezone(UTC)
    return moment.strftime("%H:%M:%S" if moment.date() == day.astimezone(UTC).date() else "%Y-%m-%d %H:%M:%S")


def _span(start: datetime | None, end: datetime | None, day: datetime) -> str:
    if start is None:
        return "not started"
    return f"{_clock(start, day)} → {_clock(end, day)}"


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows of cells, each column padded to its widest cell; the duration column (2) right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i == 2 else cell.ljust(widths[i])
            for i, cell in enumerate(row)
            if widths[i]  # a column empty in every row takes no room
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _window_lines(window: TimelineWindow) -> list[str]:
    zone = f" ({window.schedule_timezone})" if window.schedule_timezone else ""
    state = "" if window.enabled else ", disabled"
    lines = [
        f"Window {window.window_id} {window.name!r} ({window.region}, account {window.account})",
        f"  {window.schedule}{zone}, {window.duration_hours} h, cutoff {window.cutoff_hours} h{state}",
    ]
    if not window.executions:
        lines.append("  no executions")
    heads = _table(
        [
            (
                f"  Execution {e.window_execution_id}",
                f"{_stamp(e.start_time)} → {_clock(e.end_time, e.start_time)}",
                format_duration(e.duration),
                e.status,
            )
            for e in window.executions
        ]
    )
    body: list[tuple[str, ...]] = []
    for execution in window.executions:
        day = execution.start_time
        for task in execution.tasks:
            body.append(
                (
                    f"    {task.task_type:<11} {task.name}",
                    _span(task.start_time, task.end_time, day),
                    format_duration(task.duration),
                    task.status,
                    task.status_details or "",
                )
            )
            for invocation in task.invocations:
                body.append(
                    (
                        f"      {invocation.target or '(no target)'}",
                        _span(invocation.start_time, invocation.end_time, day),
                        format_duration(invocation.duration),
                        invocation.status,
                        invocation.status_details or "",
                    )
                )
    rows = iter(_table(body))
    for execution, head in zip(window.executions, heads, strict=True):
        lines.append(head)
        if execution.status_details:
            lines.append(f"    {execution.status_details}")
        for task in execution.tasks:
            lines.append(next(rows))
            lines.extend(next(rows) for _ in task.invocations)
    if window.upcoming:
        lines.append("  Upcoming: " + ", ".join(run.execution_time_text for run in window.upcoming))
    elif window.enabled:
        lines.append("  Upcoming: none")
    return lines


def render_text(timeline: Timeline) -> str:
    """The aligned text timeline: each window, then execution → task → invocation, then upcoming runs."""
    count = len(timeline.executions)
    lines = [f"Timeline at {_stamp(timeline.now)}: {len(timeline.windows)} window(s), {count} execution(s)"]
    for window in timeline.windows:
        lines.extend(_window_lines(window))
    return "\n".join(lines)
