"""The in-memory SSM: one object per mock, holding every (account, region) and answering operations.

``Backend.call`` is the single entry for every front door (botocore, ``requests``, the HTTP server): it
validates the request against botocore's model, then runs the method named after the operation in
snake_case (``CreateMaintenanceWindow`` → ``create_maintenance_window``) on that region's state, under one
lock, so concurrent clients never see half an operation. A method raises an ``SsmError`` before it changes
anything, so a rejected call leaves the state as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from ..engine.planning import plan_tasks
from ..engine.simulator import Simulator
from ..errors import UnsupportedOperation
from ..model.history import TaskPlan, WindowExecution
from ..model.ids import IdSource
from ..model.inventory import Inventory, InventorySource, UnresolvedTarget, describe, explain
from ..model.resources import Window
from ..model.runs import AUTOMATION, RUN_COMMAND, RunIndex
from ..model.store import RegionState
from ..timing.clock import Clock
from ..wire.validation import default_validator
from . import discovery
from .automation import AutomationOperations
from .commands import CommandOperations
from .executions import ExecutionOperations
from .operations import AUTOMATION_READS, RUN_READS, method_name, served_operations
from .targets import TargetOperations
from .tasks import TaskOperations
from .upcoming import ScheduleOperations
from .windows import WindowOperations

Params = dict[str, Any]
Result = dict[str, Any]
Operation = Callable[[RegionState, Params], Result]

DEFAULT_ACCOUNT = "123456789012"
_READ_ONLY = ("Describe", "Get", "List")
#: CloudWatch's alarm states (its ``StateValue``).
ALARM_STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")


class AlarmSource(Protocol):
    """Somewhere else CloudWatch alarms live (moto's CloudWatch), read when a task's alarms are checked."""

    def active(self) -> bool:
        """Whether the source is there now (its states may then change at any time)."""
        ...

    def alarm_state(self, account: str, region: str, name: str) -> str | None:
        """The alarm's state, or None if the source does not know the alarm."""
        ...


class Backend(
    WindowOperations,
    TargetOperations,
    TaskOperations,
    ScheduleOperations,
    ExecutionOperations,
    CommandOperations,
    AutomationOperations,
):
    """All of SSM's maintenance-window state for one mock."""

    def __init__(
        self,
        clock: Clock,
        inventory_source: InventorySource | None = None,
        seed: int | None = None,
        alarm_source: AlarmSource | None = None,
    ) -> None:
        self.clock = clock
        self.inventory_source = inventory_source
        self.alarm_source = alarm_source
        #: Alarm states given with ``mw.set_alarm``, per (account, region): name -> state.
        self.alarms: dict[tuple[str, str], dict[str, str]] = {}
        #: Window targets that selected no running instance when a task ran, first seen first.
        self.unresolved: dict[tuple[str, str, str, str], UnresolvedTarget] = {}
        self.lock = clock.lock
        #: Every id this backend makes comes from here: random, or reproducible with ``seed``.
        self.ids = IdSource(seed)
        self._states: dict[tuple[str, str], RegionState] = {}
        self._ranks: dict[tuple[str, str], int] = {}  # each stored region's place in ``_states``
        self.simulator = Simulator(self, self.ids)
        # Bumped by every change that could alter a task plan: plans are built once per change, not per run.
        self.generation = 0
        self._plans: dict[str, tuple[int, list[TaskPlan]]] = {}
        self._next_times = {}  # NextExecutionTime per window id (api/windows.py)
        #: The Run Command and Automation index of each region that has one (api/runs.py).
        self.run_indexes: dict[tuple[str, str], RunIndex] = {}
        clock.subscribe(self._play)

    def _play(self, old: datetime, new: datetime, step: Callable[[datetime], None]) -> None:
        with self.lock:
            self.simulator.advance(old, new, step)
            # The move is played: say so before other threads' operations may run, or they would read the
            # old time and act as if the runs up to ``new`` were still to come.
            step(new)

    # The simulator's view of the backend (simulator.Source).

    def order(self, region: RegionState, window: Window) -> tuple[int, int]:
        # The order a walk over every window would take: regions as first used, windows as created.
        return self._ranks[region.account, region.region], window.seq

    def still_exists(self, region: RegionState, window: Window) -> bool:
        return region.windows.get(window.window_id) is window

    def plan(self, region: RegionState, window: Window) -> list[TaskPlan]:
        cached = self._plans.get(window.window_id)
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        if cached is None and len(self._plans) >= len(self._states) * 64:
            # Plans of deleted windows would stay forever; every stale one is rebuilt anyway.
            self._plans = {k: v for k, v in self._plans.items() if v[0] == self.generation}
        inventory, live = region.live_inventory()
        plans = plan_tasks(window, inventory, region.account, region.region)
        self._note_unresolved(region, window, inventory)
        if live:  # moto's EC2 may change between runs without a call to us
            self._plans.pop(window.window_id, None)
        else:
            self._plans[window.window_id] = (self.generation, plans)
        return plans

    def _note_unresolved(self, region: RegionState, window: Window, inventory: Inventory) -> None:
        """Remember the window targets the window's tasks name that select no running instance."""
        named = (
            value
            for task in window.tasks.values()
            for entry in task.targets or ()
            if entry["Key"] == "WindowTargetIds"
            for value in entry["Values"]
        )
        for target_id in dict.fromkeys(named):
            target = window.targets.get(target_id)
            reason = None if target is None else explain(target.targets, inventory)
            if target is not None and reason is not None:
                key = (region.account, region.region, window.window_id, target_id)
                self.unresolved[key] = UnresolvedTarget(*key, targets=describe(target.targets), reason=reason)

    def record(self, region: RegionState, execution: WindowExecution) -> None:
        region.add_execution(execution)

    def alarm_state(self, region: RegionState, name: str) -> str | None:
        """A state given with ``set_alarm`` wins; else the alarm source's (moto); else None (unreadable)."""
        given = self.alarms.get((region.account, region.region))
        if given is not None and name in given:
            return given[name]
        if self.alarm_source is not None:
            return self.alarm_source.alarm_state(region.account, region.region, name)
        return None

    def alarms_live(self) -> bool:
        return self.alarm_source is not None and self.alarm_source.active()

    def set_alarm(self, account: str, region: str, name: str, state: str) -> None:
        """Set an alarm's state, and stop at once the running tasks of (account, region) it stops."""
        with self.lock:
            self.alarms.setdefault((account, region), {})[name] = state
            self.simulator.alarm_changed(self.state(account, region), name, self.clock.now())

    def state(self, account: str, region: str) -> RegionState:
        """The region's state, created on first use."""
        key = (account, region)
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = RegionState(
                account=account, region=region, source=self.inventory_source
            )
            self._ranks[key] = len(self._ranks)
        return state

    def scopes(self) -> list[tuple[str, str]]:
        """The (account, region) pairs that hold state, in the order they were first used."""
        with self.lock:
            return list(self._states)

    def read_state(self, account: str, region: str) -> RegionState:
        """The region's state for a read: an unknown region answers as an empty one and is not stored,
        so reads (whatever region string a request is signed for) never make the mock grow."""
        stored = self._states.get((account, region))
        return stored or RegionState(account=account, region=region, source=self.inventory_source)

    def reset(self) -> None:
        with self.lock:
            self.simulator.reset()  # first: it refuses while a move is played
            self._states.clear()
            self._ranks.clear()
            self._plans.clear()
            self._next_times.clear()
            self.unresolved.clear()
            self.run_indexes.clear()
            self.alarms.clear()

    def call(self, operation: str, params: Params, region: str, account: str = DEFAULT_ACCOUNT) -> Result:
        """Answer one request; raises ``SsmError`` for anything SSM would refuse."""
        default_validator().validate(operation, params)  # the model is loaded on the first call
        if self.clock.following:
            self.clock.now()  # catch up with the followed time before answering
        method: Operation | None = getattr(self, method_name(operation), None)
        if method is None:
            raise UnsupportedOperation(
                f"ssm_mw_mock does not support {operation} yet. Supported: " + ", ".join(self.supported())
            )
        with self.lock:
            if operation.startswith(_READ_ONLY):
                return method(self.read_state(account, region), params)
            self.generation += 1
            return method(self.state(account, region), params)

    def owns_run(self, operation: str, execution_id: str) -> bool:
        """Whether ``execution_id`` is a command (or, for the Automation reads, an automation execution)
        a window of this mock ran, in any account and region: how routing tells ours from moto's."""
        task_type = AUTOMATION if operation in AUTOMATION_READS else RUN_COMMAND
        with self.lock:
            return any(
                self.runs(state).find(execution_id, task_type) is not None for state in self._states.values()
            )

    def discover(self, params: Params, region: str, account: str = DEFAULT_ACCOUNT) -> Result:
        """The Tagging API's ``GetResources`` for maintenance windows (``api/discovery.py``)."""
        with self.lock:
            return discovery.get_resources(self.read_state(account, region), params)

    def supported(self) -> list[str]:
        """Every operation the mock answers: the window and tag operations, and the reads of what ran."""
        return sorted(op for op in served_operations() | RUN_READS if hasattr(self, method_name(op)))
