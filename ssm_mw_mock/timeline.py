"""What the mock ran, as a timeline: ``mw.timeline()``, for a failing test's report, the demo, the dashboard.

A :class:`Timeline` is built only from the answers any SSM client gets — ``DescribeMaintenanceWindows``,
``GetMaintenanceWindow``, ``DescribeMaintenanceWindowExecutions``, ``…ExecutionTasks``,
``…ExecutionTaskInvocations`` and ``DescribeMaintenanceWindowSchedule``, through ``Backend.call`` — never
from the simulator's records, so it shows what a test could have asked for, and the records' internals
may change without it noticing. It holds frozen records (windows → executions → tasks → invocations, plus
upcoming runs) for assertions, prints as an aligned text timeline (``str(timeline)``) and draws itself
(``to_svg()``, ``to_html()``, in :mod:`.timeline_svg`).

It covers every account and region the mock holds state for, unless ``region=`` narrows it. The target
of an invocation is the instance id of a Run Command invocation (from its ``Parameters``), else the
window target id, else None: SSM shows no other target in an invocation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .timing.clock import parse_moment

if TYPE_CHECKING:
    from .api.backend import Backend


@dataclass(frozen=True, slots=True)
class TimelineInvocation:
    """One invocation: what ``DescribeMaintenanceWindowExecutionTaskInvocations`` says of it."""

    invocation_id: str
    execution_id: str | None
    task_type: str
    target: str | None
    status: str
    status_details: str | None
    start_time: datetime | None
    end_time: datetime | None

    @property
    def duration(self) -> timedelta | None:
        return _duration(self.start_time, self.end_time)


@dataclass(frozen=True, slots=True)
class TimelineTask:
    """One task execution of a window execution, with its invocations in the order they started."""

    task_execution_id: str
    task_arn: str
    task_type: str
    status: str
    status_details: str | None
    start_time: datetime | None
    end_time: datetime | None
    invocations: tuple[TimelineInvocation, ...]

    @property
    def name(self) -> str:
        """The last part of the task's ARN (a document, function or state machine name)."""
        return self.task_arn.rpartition(":")[2].rpartition("/")[2] or self.task_arn

    @property
    def duration(self) -> timedelta | None:
        return _duration(self.start_time, self.end_time)


@dataclass(frozen=True, slots=True)
class TimelineExecution:
    """One window execution, with its task executions in the order they started."""

    window_execution_id: str
    window_id: str
    status: str
    status_details: str | None
    start_time: datetime
    end_time: datetime | None
    tasks: tuple[TimelineTask, ...]

    @property
    def duration(self) -> timedelta | None:
        return _duration(self.start_time, self.end_time)


@dataclass(frozen=True, slots=True)
class UpcomingRun:
    """A run ``DescribeMaintenanceWindowSchedule`` lists: when the window will next start."""

    window_id: str
    execution_time: datetime
    #: SSM's text, in the window's time zone (``2024-03-10T03:00+01:00``).
    execution_time_text: str


@dataclass(frozen=True, slots=True)
class TimelineWindow:
    """A window, its executions (oldest first) and its next runs."""

    account: str
    region: str
    window_id: str
    name: str
    schedule: str
    schedule_timezone: str | None
    duration_hours: int
    cutoff_hours: int
    enabled: bool
    executions: tuple[TimelineExecution, ...]
    upcoming: tuple[UpcomingRun, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    """What the mock ran, as of ``now``; ``str()`` is the text timeline."""

    now: datetime
    windows: tuple[TimelineWindow, ...]

    @property
    def executions(self) -> tuple[TimelineExecution, ...]:
        """Every execution of every window, in start order."""
        every = (e for w in self.windows for e in w.executions)
        return tuple(sorted(every, key=lambda e: e.start_time))

    @property
    def tasks(self) -> tuple[TimelineTask, ...]:
        return tuple(t for e in self.executions for t in e.tasks)

    @property
    def invocations(self) -> tuple[TimelineInvocation, ...]:
        return tuple(i for t in self.tasks for i in t.invocations)

    def __str__(self) -> str:
        from .timeline_text import render_text

        return render_text(self)

    def to_svg(self, *, details: int = 12) -> str:
        """The timeline as a standalone SVG document; see :func:`.timeline_svg.render`."""
        from .timeline_svg import render

        return render(self, details=details)

    def to_html(self, *, details: int = 12) -> str:
        """A standalone HTML page with the picture and the text timeline."""
        from .timeline_svg import render_html

        return render_html(self, details=details)


def build(
    backend: Backend,
    *,
    window_id: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    region: str | None = None,
    upcoming: int = 3,
) -> Timeline:
    """Ask the backend, as a client would, for the windows and what they ran.

    Executions are kept when their ``StartTime`` is within ``since`` .. ``until`` (inclusive); upcoming runs
    when they are before ``until``. ``window_id`` keeps one window (an unknown id gives no windows).
    """
    low = None if since is None else parse_moment(since, what="since=")
    high = None if until is None else parse_moment(until, what="until=")
    if upcoming < 0:
        raise ValueError(f"upcoming= is how many next runs to list per window, 0 or more; got {upcoming}")
    windows: list[TimelineWindow] = []
    with backend.lock:  # one consistent picture, even while another thread moves the clock
        now = backend.clock.now()
        for account, place in backend.scopes():
            if region is not None and place != region:
                continue
            client = RegionClient(backend, account, place)
            for identity in client.pages("DescribeMaintenanceWindows", {}, "WindowIdentities"):
                if window_id is not None and identity["WindowId"] != window_id:
                    continue
                windows.append(_window(client, identity["WindowId"], low, high, upcoming))
    return Timeline(now=now, windows=tuple(windows))


class RegionClient:
    """The backend as one account's client in one region sees it."""

    def __init__(self, backend: Backend, account: str, region: str) -> None:
        self.backend, self.account, self.region = backend, account, region

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        return self.backend.call(operation, params, self.region, self.account)

    def pages(self, operation: str, params: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            answer = self.call(operation, {**params, "NextToken": token} if token else params)
            yield from answer.get(key, [])
            token = answer.get("NextToken")
            if not token:
                return


def _window(
    client: RegionClient, window_id: str, low: datetime | None, high: datetime | None, upcoming: int
) -> TimelineWindow:
    settings = client.call("GetMaintenanceWindow", {"WindowId": window_id})
    runs = list(
        client.pages("DescribeMaintenanceWindowExecutions", {"WindowId": window_id}, "WindowExecutions")
    )
    runs.reverse()  # SSM lists the newest first
    executions = tuple(
        _execution(client, run)
        for run in runs
        if (low is None or run["StartTime"] >= low) and (high is None or run["StartTime"] <= high)
    )
    next_runs: list[UpcomingRun] = []
    if upcoming:
        scheduled = client.call(
            "DescribeMaintenanceWindowSchedule", {"WindowId": window_id, "MaxResults": upcoming}
        )
        for run in scheduled["ScheduledWindowExecutions"]:
            when = datetime.fromisoformat(run["ExecutionTime"]).astimezone(UTC)
            if high is None or when <= high:
                next_runs.append(UpcomingRun(window_id, when, run["ExecutionTime"]))
    return TimelineWindow(
        account=client.account,
        region=client.region,
        window_id=window_id,
        name=settings["Name"],
        schedule=settings["Schedule"],
        schedule_timezone=settings.get("ScheduleTimezone"),
        duration_hours=settings["Duration"],
        cutoff_hours=settings["Cutoff"],
        enabled=settings["Enabled"],
        executions=executions,
        upcoming=tuple(next_runs[:upcoming]),
    )


def _execution(client: RegionClient, run: dict[str, Any]) -> TimelineExecution:
    execution_id = run["WindowExecutionId"]
    tasks = []
    for task in client.pages(
        "DescribeMaintenanceWindowExecutionTasks",
        {"WindowExecutionId": execution_id},
        "WindowExecutionTaskIdentities",
    ):
        invocations = client.pages(
            "DescribeMaintenanceWindowExecutionTaskInvocations",
            {"WindowExecutionId": execution_id, "TaskId": task["TaskExecutionId"]},
            "WindowExecutionTaskInvocationIdentities",
        )
        tasks.append(
            TimelineTask(
                task_execution_id=task["TaskExecutionId"],
                task_arn=task["TaskArn"],
                task_type=task["TaskType"],
                status=task["Status"],
                status_details=task.get("StatusDetails"),
                start_time=task.get("StartTime"),
                end_time=task.get("EndTime"),
                invocations=tuple(_invocation(i) for i in invocations),
            )
        )
    return TimelineExecution(
        window_execution_id=execution_id,
        window_id=run["WindowId"],
        status=run["Status"],
        status_details=run.get("StatusDetails"),
        start_time=run["StartTime"],
        end_time=run.get("EndTime"),
        tasks=tuple(tasks),
    )


def _invocation(answer: dict[str, Any]) -> TimelineInvocation:
    return TimelineInvocation(
        invocation_id=answer["InvocationId"],
        execution_id=answer.get("ExecutionId"),
        task_type=answer["TaskType"],
        target=_target(answer),
        status=answer["Status"],
        status_details=answer.get("StatusDetails"),
        start_time=answer.get("StartTime"),
        end_time=answer.get("EndTime"),
    )


def _target(answer: dict[str, Any]) -> str | None:
    if answer["TaskType"] == "RUN_COMMAND":
        try:
            instances = json.loads(answer.get("Parameters") or "{}").get("instanceIds")
        except (ValueError, AttributeError):
            instances = None
        if isinstance(instances, list) and instances and isinstance(instances[0], str):
            return instances[0]
    target: str | None = answer.get("WindowTargetId")
    return target


def _duration(start: datetime | None, end: datetime | None) -> timedelta | None:
    return None if start is None or end is None else end - start
