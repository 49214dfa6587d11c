"""The mock and its three front doors: decorator, context manager and (in ``pytest_plugin``) a fixture.

All of them are thin shells over :class:`MaintenanceWindowsMock`'s ``start``/``stop``: the decorator wraps
the call in ``with mock:``, a ``unittest.TestCase`` class gets a fresh mock around every test method, and
the fixture is ``with mock_maintenance_windows() as mw: yield mw``. Starting is refcounted per mock, so the
same mock may be nested or started again; the outermost start begins with empty state and a fresh clock.
Different mocks may be nested too: the innermost active one answers, and the outer one answers again,
state intact, once the inner one stops.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from .api.backend import ALARM_STATES, DEFAULT_ACCOUNT, Backend
from .doors import aio as _aio_door  # noqa: F401 (importing it registers the aiobotocore door)
from .doors import moto, patching, requests_door
from .engine.eventbridge import EventLog
from .engine.notify import EventHook, Sink
from .engine.outcomes import OutcomeHook
from .model.inventory import Inventory, UnresolvedTarget
from .timing.clock import Clock, parse_moment, wall_clock_now

if TYPE_CHECKING:
    import unittest

    from .timeline import Timeline

_T = TypeVar("_T", bound=Callable[..., Any])


class MaintenanceWindowsMock:
    """An in-memory SSM for maintenance windows, serving every botocore client while active.

    Args:
        now: where the fake clock starts (aware datetime or ISO-8601 text with an offset); by default the
            real time when the mock starts.
        account_id: the account the mock's resources belong to.
        follow_time: make the fake clock catch up with ``datetime.now()`` whenever it is read (every
            mocked call reads it), so a test that moves time with freezegun or time-machine moves the
            mock's clock too. It never sleeps and never goes back; ``mw.clock`` still moves it forward.
        seed: make every id the mock generates (windows, targets, tasks, executions, invocations)
            reproducible: two mocks with the same seed give the same ids for the same calls, at every
            start. By default ids are random.
    """

    def __init__(
        self,
        *,
        now: datetime | str | None = None,
        account_id: str = DEFAULT_ACCOUNT,
        follow_time: bool = False,
        seed: int | None = None,
    ) -> None:
        self._seed = seed  # checked by IdSource, made by _fresh() below
        self._start_at = None if now is None else parse_moment(now, what="now=")
        self._follow_time = follow_time
        given: object = account_id  # checked at run time too: callers may not be type-checked
        if not (isinstance(given, str) and len(given) == 12 and given.isdigit()):
            raise ValueError(f"account_id must be 12 digits, such as '123456789012'; got {account_id!r}")
        #: The account of every call while moto's ``mock_aws`` is not active (with moto: moto's account).
        self.account_id = account_id
        self._depth = 0
        self._requests_door: requests_door.RequestsDoor | None = None
        self._lock = threading.RLock()
        self._hook: OutcomeHook | None = None
        self._event_hook: EventHook | None = None
        self._fresh()

    def _fresh(self) -> None:
        follow = wall_clock_now if self._follow_time else None
        self._clock = Clock(self._start_at or wall_clock_now(), follow=follow)
        self._backend = Backend(
            self._clock,
            inventory_source=moto.MotoInventory(),
            seed=self._seed,
            alarm_source=moto.MotoAlarms(),
        )
        self._backend.simulator.on_invocation(self._hook)
        notifier = self._backend.simulator.notifier
        notifier.hook = self._event_hook
        notifier.sinks.append(Sink(moto.bus_listening, moto.put_events))

    @property
    def clock(self) -> Clock:
        """The fake clock: ``now()``, ``advance(...)``, ``set(...)``."""
        return self._clock

    @property
    def backend(self) -> Backend:
        """The in-memory SSM behind the mock (the same one every front door reaches)."""
        return self._backend

    @property
    def active(self) -> bool:
        return self._depth > 0

    def start(self) -> MaintenanceWindowsMock:
        """Start answering; the outermost start begins with empty state and a fresh clock."""
        with self._lock:
            if self._depth == 0:
                self._fresh()
                patching.activate(self)
                if requests_door.available():
                    self._requests_door = requests_door.RequestsDoor(self)
                    self._requests_door.start()
            self._depth += 1
        return self

    def stop(self) -> None:
        """Stop answering (after as many stops as starts); a stop without a start raises ``RuntimeError``."""
        with self._lock:
            if self._depth == 0:
                raise RuntimeError("stop() was called on a maintenance-windows mock that is not started")
            self._depth -= 1
            if self._depth == 0:
                if self._requests_door is not None:
                    self._requests_door.stop()
                    self._requests_door = None
                patching.deactivate(self)

    def add_instance(
        self,
        instance_id: str,
        tags: Mapping[str, str] | None = None,
        *,
        region: str = patching.DEFAULT_REGION,
        account: str | None = None,
    ) -> None:
        """Add a managed instance with ``tags`` to the fake inventory, so tag targets find it.

        Adding an instance id again replaces its tags. The inventory belongs to ``account`` (by default
        the mock's ``account_id``, or moto's default account while moto's ``mock_aws`` is active) and
        ``region``, and is part of the state a start or ``reset()`` begins afresh. While moto is active,
        its EC2 instances are found too (docs/moto.md).
        """
        with self._backend.lock:
            self._inventory("add_instance", region, account).add_instance(instance_id, tags)

    def add_resource_group(
        self,
        name: str,
        instance_ids: Iterable[str] = (),
        *,
        region: str = patching.DEFAULT_REGION,
        account: str | None = None,
    ) -> None:
        """Add a resource group of instances to the fake inventory, for ``resource-groups:Name`` targets."""
        with self._backend.lock:
            self._inventory("add_resource_group", region, account).add_resource_group(name, instance_ids)

    def set_alarm(
        self,
        name: str,
        state: str,
        *,
        region: str = patching.DEFAULT_REGION,
        account: str | None = None,
    ) -> None:
        """Set the state of CloudWatch alarm ``name`` (``"ALARM"``, ``"OK"`` or ``"INSUFFICIENT_DATA"``).

        Tasks whose ``AlarmConfiguration`` names the alarm read it when they start; a running one that the
        new state stops is stopped at once, at the clock's current instant. The alarm belongs to ``account``
        (as for :meth:`add_instance`) and ``region``; a state set here wins over moto's CloudWatch. An alarm
        given neither here nor by moto cannot be read, which stops the task unless its
        ``IgnorePollAlarmFailure`` is true (docs/left-behind.md).
        """
        given: object = name  # checked at run time too: callers may not be type-checked
        if not isinstance(given, str) or not given.strip():
            raise ValueError(
                "set_alarm() needs the alarm's name, as the task's AlarmConfiguration gives it: "
                f"mw.set_alarm('cpu-high', 'ALARM'); got {name!r}"
            )
        if state not in ALARM_STATES:
            raise ValueError(
                f"set_alarm() state must be one of {', '.join(map(repr, ALARM_STATES))} (CloudWatch's "
                f"StateValue); got {state!r}"
            )
        if not self.active:
            raise RuntimeError(
                "set_alarm() needs a started mock: starting begins with empty state, so call it inside "
                "`with mock_maintenance_windows() as mw:` (or on the mw_mock fixture)"
            )
        if account is None:
            account = moto.account_of(None) if moto.active() else self.account_id
        self._backend.set_alarm(account, region, name, state)

    @property
    def unresolved_targets(self) -> list[UnresolvedTarget]:
        """Window targets whose tags or resource group selected no running instance when a task ran.

        SSM's answer stays as it is (the task runs with no invocations); this says which target found
        nothing and why, each (account, region, window, target) once, with the latest reason.
        """
        with self._backend.lock:
            return list(self._backend.unresolved.values())

    def _inventory(self, method: str, region: str, account: str | None) -> Inventory:
        self._backend.generation += 1  # tag targets may now find other instances
        if not self.active:
            raise RuntimeError(
                f"{method}() needs a started mock: starting begins with empty state, so call it inside "
                "`with mock_maintenance_windows() as mw:` (or on the mw_mock fixture)"
            )
        if account is None:
            account = moto.account_of(None) if moto.active() else self.account_id
        return self._backend.state(account, region).inventory

    def on_invocation(self, hook: OutcomeHook | None) -> None:
        """Decide each invocation's outcome.

        ``hook(invocation)`` returns None (success), a status (``"SUCCESS"``, ``"FAILED"``, ``"TIMED_OUT"``,
        ``"CANCELLED"``) or an ``Outcome``; raising ``InvocationFailed("reason")`` fails the invocation with
        that text. Any other exception, or any other answer, is a bug of the hook: it stops the move and
        reaches the caller that moved the clock as a ``HookError``. ``None`` restores the default (all
        succeed). The hook stays for the life of this mock, across starts and ``reset()``.
        """
        self._hook = hook
        self._backend.simulator.on_invocation(hook)

    def on_event(self, hook: EventHook | None) -> None:
        """See each EventBridge event as it happens, on the simulated clock, in :attr:`events` order.

        ``hook(event)`` gets a ``MaintenanceWindowEvent`` once its instant has been played (the clock reads
        that instant). Its answer is ignored. If it raises, the move (or the API call) stops with an
        ``EventHookError`` (a ``HookError``) and the hook gets the same event again at the next delivery.
        ``None`` removes it. The hook stays for the life of this mock, across starts and ``reset()``.
        """
        self._event_hook = hook
        self._backend.simulator.notifier.hook = hook

    @property
    def events(self) -> EventLog:
        """Every EventBridge event the mock's windows sent, in time order (see docs/left-behind.md).

        Read from the execution records when asked, so keeping them costs nothing while nobody reads.
        ``mw.events.where(detail_type=..., window_id=..., status=...)`` picks some.
        """
        backend = self._backend
        with backend.lock:
            states = [backend.read_state(account, region) for account, region in backend.scopes()]
            return EventLog(backend.simulator.notifier.events(states))

    def timeline(
        self,
        window_id: str | None = None,
        *,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        region: str | None = None,
        upcoming: int = 3,
    ) -> Timeline:
        """What the windows ran, as SSM's Describe operations report it: ``str()`` it, or read its records.

        Every account and region the mock holds, or only ``region``; executions started within ``since`` ..
        ``until``; the next ``upcoming`` runs of each window. See :mod:`ssm_mw_mock.timeline`.
        """
        from .timeline import build  # on first use: most tests never ask

        return build(
            self._backend, window_id=window_id, since=since, until=until, region=region, upcoming=upcoming
        )

    @property
    def outcome_hook(self) -> OutcomeHook | None:
        """The hook given to :meth:`on_invocation`, or None."""
        return self._hook

    def reset(self) -> None:
        """Forget every window, target, task and execution; the mock stays active and keeps its time."""
        self._backend.reset()

    # Front doors.

    def __enter__(self) -> MaintenanceWindowsMock:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> MaintenanceWindowsMock:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __call__(self, target: _T) -> _T:
        """Decorate a function, coroutine function, method or class so it runs with the mock active."""
        if isinstance(target, type):
            return cast(_T, self._decorate_class(target))
        if inspect.iscoroutinefunction(target):
            coroutine_function = cast(Callable[..., Awaitable[Any]], target)

            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await coroutine_function(*args, **kwargs)

            return cast(_T, run_async)
        if not callable(target):
            raise TypeError(
                f"mock_maintenance_windows decorates functions and classes, not {type(target).__name__}"
            )

        @functools.wraps(target)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return target(*args, **kwargs)

        return cast(_T, run)

    def _decorate_class(self, cls: type) -> type:
        # unittest is not imported for this (it would add ~10 ms to ``import ssm_mw_mock``): a class can
        # only be a TestCase if unittest was imported before it was defined.
        unittest_module = sys.modules.get("unittest")
        test_case: type[unittest.TestCase] | None = getattr(unittest_module, "TestCase", None)
        if test_case is not None and issubclass(cls, test_case):
            # A fresh mock around every test method, setUp and tearDown included.
            original_setup = cls.setUp

            @functools.wraps(original_setup)
            def set_up(test: unittest.TestCase) -> None:
                self.start()
                test.addCleanup(self.stop)
                original_setup(test)

            setattr(cls, "setUp", set_up)  # noqa: B010 (mypy refuses assigning to a method)
            return cls
        for name, value in list(vars(cls).items()):
            if name.startswith("test") and inspect.isfunction(value):
                setattr(cls, name, self(value))
        return cls


@overload
def mock_maintenance_windows(target: _T, /) -> _T: ...


@overload
def mock_maintenance_windows(
    *,
    now: datetime | str | None = None,
    account_id: str = DEFAULT_ACCOUNT,
    follow_time: bool = False,
    seed: int | None = None,
) -> MaintenanceWindowsMock: ...


def mock_maintenance_windows(
    target: Any = None,
    /,
    *,
    now: datetime | str | None = None,
    account_id: str = DEFAULT_ACCOUNT,
    follow_time: bool = False,
    seed: int | None = None,
) -> Any:
    """Mock SSM maintenance windows: ``@mock_maintenance_windows``, ``@mock_maintenance_windows(now=...)``
    or ``with mock_maintenance_windows(...) as mw:``; options as for :class:`MaintenanceWindowsMock`."""
    mock = MaintenanceWindowsMock(now=now, account_id=account_id, follow_time=follow_time, seed=seed)
    if target is None:
        return mock
    return mock(target)
