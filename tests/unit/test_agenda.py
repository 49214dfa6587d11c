"""Each window's next run, kept between clock moves (engine/agenda.py), and what a move costs because of it.

The agenda on its own; the simulator's schedule look-ups counted per move (an idle move asks none, a move
with runs due asks two per window due, whatever the number of windows); and a differential test: random
windows created, rescheduled, disabled and deleted between random moves, some of them failing in a hook,
played by the simulator and by a reference that looks at every window's schedule on every move, as the
simulator did before the agenda, must leave identical records (ids, instants, statuses, order).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssm_mw_mock.engine.agenda import Agenda
from ssm_mw_mock.engine.outcomes import HookError
from ssm_mw_mock.engine.simulator import Simulator
from ssm_mw_mock.model.history import Invocation
from ssm_mw_mock.model.ids import IdSource
from ssm_mw_mock.timing.clock import Clock
from ssm_mw_mock.timing.schedule import WindowSchedule

from .test_simulator import START, FakeSource, FakeWindow, plan

DAILY = "cron(0 2 ? * * *)"


def daily() -> WindowSchedule:
    return WindowSchedule.build(DAILY, created=START)


def listed(orders: dict[str, tuple[int, int]] | None = None) -> Agenda:
    """An agenda whose windows are listed by ``orders`` (window id -> place), else by their number."""
    return Agenda(lambda region, window: (orders or {}).get(window.window_id, (0, int(window.window_id[3:]))))


# The agenda on its own.


def test_agenda_pops_due_entries_by_instant_then_listing_order() -> None:
    agenda = listed({"mw-1": (1, 0), "mw-0": (0, 1)})  # mw-1 in a region listed after mw-0's and mw-2's
    windows = [FakeWindow(f"mw-{n}", daily()) for n in range(4)]
    t1, t2 = START + timedelta(hours=1), START + timedelta(hours=2)
    # Armed in an order unlike the listing order: the listing order decides ties.
    agenda.arm(None, windows[2], windows[2].compiled, t1)
    agenda.arm(None, windows[3], windows[3].compiled, t2)
    agenda.arm(None, windows[1], windows[1].compiled, t1)
    agenda.arm(None, windows[0], windows[0].compiled, t1)
    popped: list[str] = []
    while (entry := agenda.pop_due(t1)) is not None:
        popped.append(entry.window.window_id)
    assert popped == ["mw-0", "mw-2", "mw-1"]
    assert agenda.pop_due(t1) is None  # mw-3 is not due yet
    assert len(agenda) == 4  # the popped windows still have a carrier (their entries) until handed over
    assert agenda.size == 1


def test_agenda_rearmed_or_forgotten_windows_leave_stale_entries_that_never_pop() -> None:
    agenda = listed()
    kept, moved, deleted = (FakeWindow(f"mw-{n}", daily()) for n in range(3))
    t1 = START + timedelta(hours=1)
    for window in (kept, moved, deleted):
        agenda.arm(None, window, window.compiled, t1)
    agenda.arm(None, moved, moved.compiled, t1 + timedelta(days=1))
    agenda.forget(deleted.window_id)
    first = agenda.pop_due(t1 + timedelta(days=2))
    second = agenda.pop_due(t1 + timedelta(days=2))
    assert first is not None
    assert second is not None
    assert [(e.window.window_id, e.when) for e in (first, second)] == [
        ("mw-0", t1),
        ("mw-1", t1 + timedelta(days=1)),
    ]
    assert agenda.pop_due(t1 + timedelta(days=2)) is None
    assert agenda.size == 0


def test_agenda_window_that_never_runs_again_has_no_entry() -> None:
    agenda = listed()
    window = FakeWindow("mw-1", daily())
    agenda.arm(None, window, window.compiled, START)
    agenda.arm(None, window, window.compiled, None)
    assert len(agenda) == 0
    assert agenda.pop_due(START + timedelta(days=365)) is None


def test_agenda_put_back_returns_only_a_live_entry() -> None:
    agenda = listed()
    window = FakeWindow("mw-1", daily())
    agenda.arm(None, window, window.compiled, START)
    entry = agenda.pop_due(START)
    assert entry is not None
    agenda.put_back(entry)
    assert agenda.pop_due(START) is entry
    agenda.hand_over(window.window_id, "a RunDue")  # now carried elsewhere: putting back would run it twice
    agenda.put_back(entry)
    assert agenda.pop_due(START) is None


@given(st.lists(st.tuples(st.integers(0, 9), st.booleans()), max_size=400))
def test_agenda_holds_at_most_twice_its_live_windows_plus_slack(changes: list[tuple[int, bool]]) -> None:
    """Rescheduling or deleting a window between moves leaves a stale entry; they never pile up."""
    agenda = listed()
    windows = [FakeWindow(f"mw-{n}", daily()) for n in range(10)]
    for n, delete in changes:
        if delete:
            agenda.forget(windows[n].window_id)
        else:
            agenda.arm(None, windows[n], windows[n].compiled, START + timedelta(days=n))
        assert agenda.size <= 2 * len(agenda) + 16 + 1
    assert len(agenda) == len({n for n, delete in changes if not delete} - _deleted_last(changes))


def _deleted_last(changes: list[tuple[int, bool]]) -> set[int]:
    last: dict[int, bool] = dict(changes)
    return {n for n, delete in last.items() if delete}


# Schedule look-ups per move.


def world(windows: int, hourly: int = 0) -> tuple[Clock, FakeSource]:
    """``windows`` daily windows (02:00) and ``hourly`` windows on the half hour, none of them with tasks."""
    clock = Clock(START)
    source = FakeSource(clock)
    simulator = Simulator(source)
    source.windows.simulator = simulator
    clock.subscribe(simulator.advance)
    half_hourly = WindowSchedule.build("cron(30 * ? * * *)", created=START)
    for n in range(windows):
        source.windows.append(FakeWindow(f"mw-daily-{n}", daily()))
    for n in range(hourly):
        source.windows.append(FakeWindow(f"mw-hourly-{n}", half_hourly))
    return clock, source


@pytest.mark.parametrize("windows", [10, 1_000])
def test_idle_move_asks_no_schedule_whatever_the_number_of_windows(
    windows: int, lookups: Counter[str]
) -> None:
    clock, source = world(windows)
    lookups.clear()
    for _ in range(100):
        clock.advance(seconds=1)
    assert lookups == Counter()
    assert source.executions == []


@pytest.mark.parametrize("windows", [10, 1_000])
def test_move_with_runs_due_asks_the_schedule_of_the_due_windows_only(
    windows: int, lookups: Counter[str]
) -> None:
    clock, source = world(windows, hourly=3)
    lookups.clear()
    clock.set("2024-03-04T01:00:00Z")  # the hourly windows ran at 00:30, the daily ones are not due
    # Each due window: its runs within the move, then its next run after it.
    assert (lookups["between"], lookups["next_after"]) == (3, 3)
    assert len(source.executions) == 3
    lookups.clear()
    clock.set("2024-03-04T02:00:00Z")  # every window runs
    assert (lookups["between"], lookups["next_after"]) == (windows + 3, windows + 3)
    assert len(source.executions) == 3 + 3 + windows


def test_window_past_its_end_date_is_asked_no_more(lookups: Counter[str]) -> None:
    clock, source = world(0)
    ending = WindowSchedule.build(DAILY, created=START, end_date="2024-03-06T00:00:00Z")
    source.windows.append(FakeWindow("mw-ending", ending))
    clock.advance(days=3)
    assert [e.start_time.day for e in source.executions] == [4, 5]
    lookups.clear()
    clock.advance(days=30)
    assert lookups == Counter()
    assert len(source.executions) == 2


def test_disabled_window_keeps_its_place_and_runs_once_enabled_again() -> None:
    clock, source = world(0)
    window = FakeWindow("mw-1", daily(), enabled=False)
    source.windows.append(window)
    clock.advance(days=2)
    window.enabled = True  # Enabled is not part of the schedule: the backend tells the simulator nothing
    clock.advance(days=2)
    assert [e.start_time.day for e in source.executions] == [6, 7]


# The differential test: the agenda against a scan of every window on every move.


class ScanningSimulator(Simulator):
    """The reference: every move queues every window's runs within it, as before the agenda existed."""

    def advance(self, old: datetime, new: datetime, step: Callable[[datetime], None]) -> None:
        self._agenda.clear()
        windows: list[FakeWindow] = list(self._source.windows)  # type: ignore[attr-defined]
        for window in windows:
            self._push_runs(None, window, old, new)
        super().advance(old, new, step)


SCHEDULES: list[tuple[str, str | None]] = [
    (DAILY, None),
    ("cron(30 */6 ? * * *)", None),
    ("rate(5 hours)", None),
    ("rate(1 day)", None),
    ("at(2024-03-05T10:00:00)", None),
    ("cron(0 */4 ? * * *)", "2024-03-07T00:00:00Z"),
]
MOVES = [
    timedelta(seconds=1),
    timedelta(minutes=30),
    timedelta(hours=5),
    timedelta(days=1),
    timedelta(days=3),
]

add = st.tuples(st.just("add"), st.sampled_from(range(len(SCHEDULES))), st.booleans(), st.booleans())
change = st.tuples(st.sampled_from(["reschedule", "toggle", "delete"]), st.integers(0, 20), st.integers(0, 5))
move = st.tuples(st.just("move"), st.sampled_from(range(len(MOVES))), st.integers(0, 5))


@st.composite
def scenarios(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """A few windows, then rounds of changes each followed by a move."""
    played: list[tuple[Any, ...]] = list(draw(st.lists(add, min_size=1, max_size=6)))
    for changes, moved in draw(st.lists(st.tuples(st.lists(add | change, max_size=2), move), max_size=8)):
        played += [*changes, moved]
    return played


class Scenario:
    """One simulator on its own clock and source, told about changes as the backend tells the real one."""

    def __init__(self, simulator_type: type[Simulator], failing: frozenset[int]) -> None:
        self.clock = Clock(START)
        self.source = FakeSource(self.clock)
        self.simulator = simulator_type(self.source, IdSource(seed=7))
        self.source.windows.simulator = self.simulator
        self.clock.subscribe(self.simulator.advance)
        self.asked = itertools.count()
        self.failing = failing
        self.simulator.on_invocation(self.hook)
        self.names = itertools.count()

    def hook(self, invocation: Invocation) -> None:
        if next(self.asked) in self.failing:
            raise RuntimeError("the hook fails")

    def play(self, action: tuple[Any, ...]) -> str:
        kind, a, b, *rest = action
        windows = self.source.windows
        now = self.clock.now()
        if kind == "add":
            expression, end = SCHEDULES[a]
            compiled = WindowSchedule.build(expression, created=now, end_date=end)
            tasks = [plan(targets=2)] if rest[0] else []
            windows.append(FakeWindow(f"mw-{next(self.names)}", compiled, enabled=b, plans=tasks))
        elif kind == "move":
            try:
                self.clock.advance(MOVES[a])
            except HookError:
                return "failed"
        elif windows:
            window = windows[a % len(windows)]
            if kind == "reschedule":
                expression, end = SCHEDULES[b]
                window.compiled = WindowSchedule.build(expression, created=now, end_date=end)
                self.simulator.window_scheduled(None, window, now)
            elif kind == "toggle":
                window.enabled = not window.enabled
            else:
                windows.remove(window)
                self.simulator.window_deleted(window.window_id)
        return "done"

    def records(self) -> Iterator[tuple[Any, ...]]:
        for e in self.source.executions:
            tasks = [(t.status, [(i.start_time, i.status) for i in t.invocations]) for t in e.tasks]
            yield e.window_execution_id, e.window_id, e.start_time, e.status, e.end_time, e.seq, tasks


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.frozensets(st.integers(0, 12), max_size=4))
def test_agenda_plays_exactly_what_a_scan_of_every_window_plays(
    actions: list[tuple[Any, ...]], failing: frozenset[int]
) -> None:
    agenda, scan = Scenario(Simulator, failing), Scenario(ScanningSimulator, failing)
    for action in actions:
        assert agenda.play(action) == scan.play(action)
        assert agenda.clock.now() == scan.clock.now()
        assert list(agenda.records()) == list(scan.records())


def test_windows_due_at_one_instant_start_in_listing_order_not_arming_order() -> None:
    """A rescheduled window is armed again, later than the others, but keeps its place in the listing."""
    clock, source = world(3)
    first = source.windows[0]
    first.compiled = WindowSchedule.build(DAILY, created=clock.now())
    simulator = source.windows.simulator
    assert simulator is not None
    simulator.window_scheduled(None, first, clock.now())
    clock.advance(days=1)
    assert [e.window_id for e in source.executions] == ["mw-daily-0", "mw-daily-1", "mw-daily-2"]
    assert source.executions[0].start_time == datetime(2024, 3, 4, 2, tzinfo=UTC)


class FailingPlans(FakeSource):
    """A source whose first task plan raises, as a broken inventory source would."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.failures = [RuntimeError("the inventory is unreachable")]

    def plan(self, region: Any, window: Any) -> list[Any]:
        if self.failures:
            raise self.failures.pop()
        return super().plan(region, window)


@pytest.mark.parametrize("simulator_type", [Simulator, ScanningSimulator])
def test_window_whose_run_failed_before_its_next_runs_were_queued_keeps_running(
    simulator_type: type[Simulator],
) -> None:
    """The run being played when the move failed is lost (no record); the window's later runs are not."""
    clock = Clock(START)
    source = FailingPlans(clock)
    simulator = simulator_type(source)
    source.windows.simulator = simulator
    clock.subscribe(simulator.advance)
    source.windows.append(FakeWindow("mw-1", daily(), plans=[plan(targets=1)]))
    with pytest.raises(RuntimeError, match="the inventory is unreachable"):
        clock.set("2024-03-07T03:00:00Z")
    assert clock.now() == datetime(2024, 3, 4, 2, tzinfo=UTC)
    assert source.executions == []
    clock.set("2024-03-07T03:00:00Z")
    assert [e.start_time.day for e in source.executions] == [5, 6, 7]
    assert {e.status for e in source.executions} == {"SUCCESS"}


class Interrupt(BaseException):
    """Stands for KeyboardInterrupt: it can come at any bytecode, here while a move queues its windows."""


def test_window_taken_off_the_agenda_when_the_move_was_interrupted_goes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock, source = world(2)
    original = WindowSchedule.between
    interrupts = [Interrupt()]

    def between(self: WindowSchedule, t0: datetime, t1: datetime) -> Iterator[datetime]:
        if interrupts:
            raise interrupts.pop()
        return original(self, t0, t1)

    monkeypatch.setattr(WindowSchedule, "between", between)
    with pytest.raises(Interrupt):
        clock.set("2024-03-05T03:00:00Z")
    assert (clock.now(), source.executions) == (START, [])
    clock.set("2024-03-05T03:00:00Z")
    runs = [(e.window_id, e.start_time.day) for e in source.executions]
    assert runs == [("mw-daily-0", 4), ("mw-daily-1", 4), ("mw-daily-0", 5), ("mw-daily-1", 5)]
