"""The simulator on its own: a fake source of windows and task plans, a real clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssm_mw_mock.engine.outcomes import DEFAULT_DURATION, HookError, InvocationFailed, Outcome
from ssm_mw_mock.engine.simulator import Simulator
from ssm_mw_mock.model.history import Invocation, TargetRef, TaskPlan, WindowExecution
from ssm_mw_mock.model.resources import Task
from ssm_mw_mock.timing.clock import Clock
from ssm_mw_mock.timing.schedule import WindowSchedule

START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday


@dataclass
class FakeWindow:
    window_id: str
    compiled: WindowSchedule
    duration: int = 4
    cutoff: int = 1
    enabled: bool = True
    plans: list[TaskPlan] = field(default_factory=list)


class Windows(list[FakeWindow]):
    """The fake source's windows: appending one tells the simulator, as creating a window does."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock
        self.simulator: Simulator | None = None

    def append(self, window: FakeWindow) -> None:
        super().append(window)
        if self.simulator is not None:
            self.simulator.window_scheduled(None, window, self.clock.now())


class FakeSource:
    def __init__(self, clock: Clock) -> None:
        self.windows = Windows(clock)
        self.executions: list[WindowExecution] = []
        self.alarms: dict[str, str] = {}  # name -> state; an alarm not here cannot be read
        self.live = False  # whether alarm states are read at every instant (as with moto)
        self.alarm_reads = 0

    def order(self, region: Any, window: Any) -> tuple[int, int]:
        return 0, self.windows.index(window)

    def still_exists(self, region: Any, window: Any) -> bool:
        return window in self.windows

    def plan(self, region: Any, window: Any) -> list[TaskPlan]:
        return sorted(window.plans, key=lambda plan: plan.priority)

    def record(self, region: Any, execution: WindowExecution) -> None:
        self.executions.append(execution)

    def alarm_state(self, region: Any, name: str) -> str | None:
        self.alarm_reads += 1
        return self.alarms.get(name)

    def alarms_live(self) -> bool:
        return self.live


def plan(
    task_id: str = "task-a",
    *,
    priority: int = 1,
    targets: int | None = 3,
    max_concurrency: str = "1",
    max_errors: str = "1",
    task_type: str = "RUN_COMMAND",
    cutoff_behavior: str = "CONTINUE_TASK",
    alarm: dict[str, Any] | None = None,
) -> TaskPlan:
    refs = None if targets is None else tuple(TargetRef("wt-1", f"i-{n:017x}") for n in range(targets))
    task = Task(
        window_id="mw-1",
        window_task_id=task_id,
        task_arn="AWS-RunShellScript",
        task_type=task_type,
        seq=0,
        service_role_arn="arn:aws:iam::123456789012:role/mw",
        priority=priority,
        max_concurrency=max_concurrency,
        max_errors=max_errors,
        cutoff_behavior=cutoff_behavior,
        alarm_configuration=alarm,
    )
    template = {"Parameters": {"commands": ["echo {{WINDOW_EXECUTION_ID}}"]}}
    return TaskPlan(task=task, targets=refs, template=template, task_parameters=[])


@pytest.fixture
def world() -> tuple[Clock, FakeSource, Simulator]:
    clock = Clock(START)
    source = FakeSource(clock)
    simulator = Simulator(source)
    source.windows.simulator = simulator
    clock.subscribe(simulator.advance)
    return clock, source, simulator


def weekly(created: datetime = START) -> WindowSchedule:
    return WindowSchedule.build("cron(0 2 ? * TUE *)", created=created)


def test_simulator_weekly_window_runs_three_times_in_three_weeks(world: Any) -> None:
    clock, source, _ = world
    source.windows.append(FakeWindow("mw-1", weekly()))
    clock.advance(weeks_to_days(3))
    assert [e.start_time for e in source.executions] == [
        datetime(2024, 3, 5, 2, tzinfo=UTC),
        datetime(2024, 3, 12, 2, tzinfo=UTC),
        datetime(2024, 3, 19, 2, tzinfo=UTC),
    ]
    assert {(e.status, e.status_details) for e in source.executions} == {("SUCCESS", "No tasks to execute.")}


def weeks_to_days(weeks: int) -> timedelta:
    return timedelta(days=7 * weeks)


def test_simulator_disabled_window_never_runs(world: Any) -> None:
    clock, source, _ = world
    source.windows.append(FakeWindow("mw-1", weekly(), enabled=False))
    clock.advance(days=30)
    assert source.executions == []


def test_simulator_invocations_run_one_at_a_time_and_take_default_duration(world: Any) -> None:
    clock, source, _ = world
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=3)]))
    clock.set("2024-03-05T03:00:00Z")
    (execution,) = source.executions
    (task,) = execution.tasks
    starts = [i.start_time - execution.start_time for i in task.invocations]
    assert starts == [timedelta(0), timedelta(seconds=5), timedelta(seconds=10)]
    assert task.status == "SUCCESS"
    assert execution.status == "SUCCESS"
    assert execution.end_time == execution.start_time + timedelta(seconds=15)


def test_simulator_status_is_in_progress_mid_run(world: Any) -> None:
    clock, source, _ = world
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=3)]))
    clock.set("2024-03-05T02:00:07Z")
    (execution,) = source.executions
    assert execution.status == "IN_PROGRESS"
    assert [i.status for i in execution.tasks[0].invocations] == ["SUCCESS", "IN_PROGRESS"]


def test_simulator_priorities_run_in_order_equal_ones_together(world: Any) -> None:
    clock, source, _ = world
    plans = [
        plan("late", priority=5, targets=1),
        plan("b", priority=1, targets=2),
        plan("c", priority=1, targets=1),
    ]
    source.windows.append(FakeWindow("mw-1", weekly(), plans=plans))
    clock.set("2024-03-05T03:00:00Z")
    tasks = {t.window_task_id: t for t in source.executions[0].tasks}
    base = source.executions[0].start_time
    assert tasks["b"].start_time == tasks["c"].start_time == base
    assert tasks["late"].start_time == base + timedelta(seconds=10)  # after b's two invocations


def test_simulator_max_concurrency_percent_and_count(world: Any) -> None:
    clock, source, _ = world
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=10, max_concurrency="50%")]))
    clock.set("2024-03-05T03:00:00Z")
    invocations = source.executions[0].tasks[0].invocations
    offsets = sorted({(i.start_time - invocations[0].start_time).seconds for i in invocations})
    assert offsets == [0, 5]


def test_simulator_max_errors_stops_starting_new_invocations(world: Any) -> None:
    clock, source, simulator = world
    simulator.on_invocation(lambda invocation: "FAILED")
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=10, max_errors="2")]))
    clock.set("2024-03-05T03:00:00Z")
    (execution,) = source.executions
    assert len(execution.tasks[0].invocations) == 3  # stops at the 3rd error
    assert execution.tasks[0].status == "FAILED"
    assert (execution.status, execution.status_details) == (
        "FAILED",
        "One or more tasks in the orchestration failed.",
    )


def test_simulator_outcome_hook_sees_substituted_parameters(world: Any) -> None:
    clock, source, simulator = world
    seen: list[Invocation] = []

    def hook(invocation: Invocation) -> Outcome:
        seen.append(invocation)
        return Outcome(duration=timedelta(minutes=1), output="patched")

    simulator.on_invocation(hook)
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=1)]))
    clock.set("2024-03-05T03:00:00Z")
    (invocation,) = seen
    command = invocation.parameters["Parameters"]["commands"][0]
    assert command == f"echo {invocation.window_execution_id}"
    assert invocation.status_details == "patched"
    assert invocation.end_time == invocation.start_time + timedelta(minutes=1)


def test_simulator_hook_raising_invocation_failed_fails_the_invocation(world: Any) -> None:
    clock, source, simulator = world

    def hook(invocation: Invocation) -> None:
        raise InvocationFailed("disk full")

    simulator.on_invocation(hook)
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=1)]))
    clock.set("2024-03-05T03:00:00Z")
    (invocation,) = source.executions[0].tasks[0].invocations
    assert (invocation.status, invocation.status_details) == ("FAILED", "disk full")
    assert invocation.end_time == invocation.start_time + DEFAULT_DURATION


class BrokenText(Exception):
    def __str__(self) -> str:
        raise RuntimeError("str() is broken too")


class BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr() is broken")


class Interrupt(BaseException):
    """Stands for KeyboardInterrupt, SystemExit and pytest's outcomes: not an Exception."""


def _raise(error: BaseException) -> Any:
    def hook(invocation: Invocation) -> None:
        raise error

    return hook


# Each fault of a hook, and what reaches the caller: (hook, exception type, its cause's type or None).
FAULTS: dict[str, tuple[Any, type[BaseException], type[BaseException] | None]] = {
    "exception": (_raise(RuntimeError("boom")), HookError, RuntimeError),
    "base exception": (_raise(Interrupt()), Interrupt, None),
    "str() raises": (_raise(BrokenText()), HookError, BrokenText),
    "absurd duration": (lambda inv: Outcome(duration=timedelta(days=3_000_000)), HookError, ValueError),
    "unknown status": (lambda inv: "DONE", HookError, ValueError),
    "repr() of the answer raises": (lambda inv: BrokenRepr(), HookError, TypeError),
    "moves the clock": (None, HookError, RuntimeError),  # filled in by the test: it needs the clock
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_simulator_failed_hook_leaves_a_consistent_state(world: Any, fault: str) -> None:
    """Regression (#13.2): the events popped by a failed move stayed popped and the clock stayed mid-move,
    so the execution stayed IN_PROGRESS for ever and other windows' runs were played again."""
    clock, source, simulator = world
    hook, raised, cause = FAULTS[fault]
    if hook is None:
        hook = lambda invocation: clock.advance(minutes=1)  # noqa: E731
    fail_once = [True]

    def once(invocation: Invocation) -> Any:
        if invocation.target_id == "i-00000000000000001" and fail_once.pop() if fail_once else False:
            return hook(invocation)
        return None

    simulator.on_invocation(once)
    hourly = WindowSchedule.build("rate(1 hour)", created=START)
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=3)]))
    source.windows.append(FakeWindow("mw-2", hourly))  # a window without tasks, to count its runs
    with pytest.raises(raised) as caught:
        clock.set("2024-03-05T03:00:00Z")
    assert type(caught.value.__cause__) is cause if cause else caught.value.__cause__ is None
    # The move stopped at the failed invocation's instant.
    assert clock.now() == datetime(2024, 3, 5, 2, 0, 5, tzinfo=UTC)
    [execution] = [e for e in source.executions if e.window_id == "mw-1"]
    assert [i.target_id for i in execution.tasks[0].invocations] == ["i-00000000000000000"]
    # The next move carries on as if the failed one had been asked for up to that instant.
    clock.set("2024-03-05T03:00:00Z")
    assert [i.target_id for i in execution.tasks[0].invocations] == [f"i-{n:017x}" for n in range(3)]
    assert (execution.status, execution.end_time) == ("SUCCESS", datetime(2024, 3, 5, 2, 0, 15, tzinfo=UTC))
    hourly_runs = [e.start_time for e in source.executions if e.window_id == "mw-2"]
    assert hourly_runs == [START + timedelta(hours=n) for n in range(1, 28)]  # each once, none lost
    assert {e.status for e in source.executions} == {"SUCCESS"}


def test_simulator_failed_move_plays_other_windows_due_at_that_instant_once(world: Any) -> None:
    clock, source, simulator = world
    failures = [RuntimeError("first invocation")]

    def hook(invocation: Invocation) -> None:
        if failures:
            raise failures.pop()

    simulator.on_invocation(hook)
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=1)]))
    source.windows.append(FakeWindow("mw-2", weekly()))  # due at the same instants, after mw-1
    with pytest.raises(HookError):
        clock.advance(days=21)
    tuesday = datetime(2024, 3, 5, 2, tzinfo=UTC)
    assert clock.now() == tuesday
    assert [e.window_id for e in source.executions] == ["mw-1"]  # mw-2's run at that instant is still due
    clock.advance(days=21)
    runs = sorted((e.window_id, e.start_time) for e in source.executions)
    weeks = [tuesday + timedelta(days=7 * n) for n in range(4)]  # 5 March to 26 March
    assert runs == [("mw-1", when) for when in weeks] + [("mw-2", when) for when in weeks]


def test_simulator_hook_may_turn_hooks_off_mid_move(world: Any) -> None:
    clock, source, simulator = world
    seen: list[str | None] = []

    def hook(invocation: Invocation) -> str:
        seen.append(invocation.target_id)
        simulator.on_invocation(None)
        return "FAILED"

    simulator.on_invocation(hook)
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=2, max_concurrency="2")]))
    clock.set("2024-03-05T03:00:00Z")
    (task,) = source.executions[0].tasks
    assert [i.status for i in task.invocations] == ["FAILED", "SUCCESS"]
    assert len(seen) == 1


def test_simulator_hook_may_read_and_cancel_but_not_reset(world: Any) -> None:
    clock, source, simulator = world
    errors: list[str] = []

    def hook(invocation: Invocation) -> None:
        assert clock.now() == invocation.start_time
        try:
            simulator.reset()
        except RuntimeError as error:
            errors.append(str(error))

    simulator.on_invocation(hook)
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=1)]))
    clock.set("2024-03-05T03:00:00Z")
    assert errors == [
        "reset() cannot be called while the clock moves (from an on_invocation hook): the move is playing "
        "the state it would forget. Reset after the move returns."
    ]
    assert source.executions[0].status == "SUCCESS"


def test_simulator_overlapping_run_is_skipped(world: Any) -> None:
    clock, source, simulator = world
    simulator.on_invocation(lambda invocation: Outcome(duration=timedelta(minutes=7)))
    every_5 = WindowSchedule.build("rate(5 minutes)", created=START)
    source.windows.append(FakeWindow("mw-1", every_5, plans=[plan(targets=1)]))
    clock.advance(minutes=15)
    assert [e.status for e in source.executions] == ["SUCCESS", "SKIPPED_OVERLAPPING", "IN_PROGRESS"]


def test_simulator_cutoff_keeps_later_tasks_from_starting(world: Any) -> None:
    clock, source, simulator = world
    simulator.on_invocation(lambda invocation: Outcome(duration=timedelta(hours=2)))
    plans = [plan("first", priority=1, targets=2), plan("second", priority=2, targets=1)]
    source.windows.append(FakeWindow("mw-1", weekly(), duration=4, cutoff=1, plans=plans))
    clock.set("2024-03-05T12:00:00Z")
    first, second = source.executions[0].tasks
    assert first.status == "SUCCESS"  # started before the cutoff (05:00) and ran on (CONTINUE_TASK)
    assert first.end_time == datetime(2024, 3, 5, 6, tzinfo=UTC)
    assert second.status == "TIMED_OUT"
    assert source.executions[0].status == "TIMED_OUT"


def test_simulator_cancel_task_at_cutoff_cancels_run_command(world: Any) -> None:
    clock, source, simulator = world
    simulator.on_invocation(lambda invocation: Outcome(duration=timedelta(hours=2)))
    plans = [plan(targets=3, cutoff_behavior="CANCEL_TASK")]
    source.windows.append(FakeWindow("mw-1", weekly(), duration=4, cutoff=1, plans=plans))
    clock.set("2024-03-05T12:00:00Z")
    (task,) = source.executions[0].tasks
    assert [(i.status, i.end_time) for i in task.invocations] == [
        ("SUCCESS", datetime(2024, 3, 5, 4, tzinfo=UTC)),
        ("CANCELLED", datetime(2024, 3, 5, 5, tzinfo=UTC)),
    ]
    assert task.status == "TIMED_OUT"


def test_simulator_cancel_mid_run_lets_running_work_finish(world: Any) -> None:
    clock, source, simulator = world
    plans = [plan("a", priority=1, targets=3), plan("b", priority=2, targets=1)]
    source.windows.append(FakeWindow("mw-1", weekly(), plans=plans))
    clock.set("2024-03-05T02:00:02Z")
    (execution,) = source.executions
    simulator.cancel(execution, clock.now())
    assert execution.status == "CANCELLING"
    clock.set("2024-03-05T03:00:00Z")
    a, b = execution.tasks
    assert [i.status for i in a.invocations] == ["SUCCESS"]
    assert (a.status, b.status, execution.status) == ("CANCELLED", "CANCELLED", "CANCELLED")
    assert execution.end_time == datetime(2024, 3, 5, 2, 0, 5, tzinfo=UTC)


def test_simulator_targetless_task_runs_once_without_target(world: Any) -> None:
    clock, source, _ = world
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=None, task_type="LAMBDA")]))
    clock.set("2024-03-05T03:00:00Z")
    (invocation,) = source.executions[0].tasks[0].invocations
    assert invocation.target_id is None
    assert invocation.status == "SUCCESS"


def test_outcome_rejects_unknown_status() -> None:
    with pytest.raises(ValueError, match=r"Outcome\(status='DONE'\) is not an invocation status"):
        Outcome(status="DONE")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Outcome(status=1),  # type: ignore[arg-type]
            "Outcome(status=...) must be one of CANCELLED, FAILED, SUCCESS, TIMED_OUT, not int",
        ),
        (
            lambda: Outcome(duration=5),  # type: ignore[arg-type]
            "Outcome(duration=...) must be a datetime.timedelta or None, not int",
        ),
        (
            lambda: Outcome(duration=timedelta(seconds=-1)),
            "Outcome(duration=-1 day, 23:59:59) must not be negative",
        ),
        (
            lambda: Outcome(output=b"done"),  # type: ignore[arg-type]
            "Outcome(output=...) must be text (str) or None, not bytes",
        ),
        (lambda: InvocationFailed(3), "InvocationFailed(reason) must be text (str), not int"),  # type: ignore[arg-type]
    ],
)
def test_outcome_refuses_what_is_not_an_outcome(make: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError)) as caught:
        make()
    assert str(caught.value) == message


# Alarms.


def test_simulator_tasks_without_alarms_never_read_an_alarm(world: Any) -> None:
    clock, source, simulator = world
    source.live = True
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=3)]))
    clock.advance(weeks_to_days(2))
    assert [e.status for e in source.executions] == ["SUCCESS", "SUCCESS"]
    assert source.alarm_reads == 0
    assert simulator._alarmed == set()


@given(
    state=st.sampled_from(["ALARM", "OK", "INSUFFICIENT_DATA", None]),
    ignore=st.booleans(),
    task_type=st.sampled_from(["RUN_COMMAND", "AUTOMATION", "LAMBDA", "STEP_FUNCTIONS"]),
)
def test_simulator_alarm_read_at_task_start_decides_whether_it_runs(
    state: str | None, ignore: bool, task_type: str
) -> None:
    clock = Clock(START)
    source = FakeSource(clock)
    simulator = Simulator(source)
    source.windows.simulator = simulator
    clock.subscribe(simulator.advance)
    if state is not None:
        source.alarms["cpu-high"] = state
    config = {"Alarms": [{"Name": "cpu-high"}], "IgnorePollAlarmFailure": ignore}
    source.windows.append(
        FakeWindow("mw-1", weekly(), plans=[plan(targets=2, task_type=task_type, alarm=config)])
    )
    clock.set("2024-03-05T03:00:00Z")

    (execution,) = source.executions
    (task,) = execution.tasks
    stops = state == "ALARM" or (state is None and not ignore)
    if stops:
        assert task.invocations == []
        assert task.status == execution.status == "CANCELLED"
        assert task.triggered_alarms == [{"Name": "cpu-high", "State": "ALARM" if state else "UNKNOWN"}]
    else:
        assert [i.status for i in task.invocations] == ["SUCCESS", "SUCCESS"]
        assert task.status == execution.status == "SUCCESS"
        assert task.triggered_alarms is None
    assert source.alarm_reads == 1
    assert simulator._alarmed == set()


def test_simulator_live_alarms_are_read_at_every_instant_played(world: Any) -> None:
    clock, source, simulator = world
    source.live = True
    source.alarms["cpu-high"] = "OK"
    config = {"Alarms": [{"Name": "cpu-high"}]}
    source.windows.append(FakeWindow("mw-1", weekly(), plans=[plan(targets=3, alarm=config)]))
    clock.set("2024-03-05T02:00:07Z")  # instants played: 02:00:00 (start), 02:00:05 (first end)
    reads = source.alarm_reads
    assert reads == 2  # at the task's start, and at 02:00:05
    source.alarms["cpu-high"] = "ALARM"
    clock.advance(seconds=1)  # read at the move's start, 02:00:07: the second invocation is cancelled there

    (execution,) = source.executions
    (task,) = execution.tasks
    assert source.alarm_reads == reads + 1
    assert [(i.status, i.end_time) for i in task.invocations] == [
        ("SUCCESS", datetime(2024, 3, 5, 2, 0, 5, tzinfo=UTC)),
        ("CANCELLED", datetime(2024, 3, 5, 2, 0, 7, tzinfo=UTC)),
    ]
    assert (task.status, execution.status) == ("CANCELLED", "CANCELLED")
    assert simulator._alarmed == set()


def test_simulator_alarm_changed_stops_only_tasks_of_that_region_and_alarm(world: Any) -> None:
    clock, source, simulator = world
    watched = {"Alarms": [{"Name": "cpu-high"}]}
    other = {"Alarms": [{"Name": "disk-full"}]}
    source.alarms.update({"cpu-high": "OK", "disk-full": "OK"})
    plans = [plan("task-a", targets=3, alarm=watched), plan("task-b", targets=3, alarm=other)]
    source.windows.append(FakeWindow("mw-1", weekly(), plans=plans))
    clock.set("2024-03-05T02:00:07Z")
    source.alarms["cpu-high"] = "ALARM"
    simulator.alarm_changed("another region", "cpu-high", clock.now())
    (execution,) = source.executions
    assert [t.status for t in execution.tasks] == ["IN_PROGRESS", "IN_PROGRESS"]

    simulator.alarm_changed(None, "cpu-high", clock.now())  # FakeSource's windows are in region None

    assert [t.status for t in execution.tasks] == ["CANCELLED", "IN_PROGRESS"]
    clock.advance(minutes=1)
    assert [t.status for t in execution.tasks] == ["CANCELLED", "SUCCESS"]
    assert [len(t.invocations) for t in execution.tasks] == [2, 3]
