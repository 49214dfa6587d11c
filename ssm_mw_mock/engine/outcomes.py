"""The outcome contract: what a test's ``on_invocation`` hook may answer, and what happens when it fails.

A hook gets each :class:`~ssm_mw_mock.model.history.Invocation` as it starts and answers ``None``
(success after ``DEFAULT_DURATION``), a status string, or an :class:`Outcome`. To fail an invocation
on purpose it answers ``Outcome("FAILED", ...)`` or raises :class:`InvocationFailed`. Anything else it
raises, and any answer that is not one of these, is a bug in the test: it reaches the caller that moved
the clock as a :class:`HookError` (the original exception as ``__cause__``), naming the window, task and
target the hook was deciding. A ``BaseException`` that is not an ``Exception`` (``KeyboardInterrupt``,
``SystemExit``, pytest's ``skip``/``fail``) passes through unwrapped, so pytest still sees it.

This module holds no state; the simulator calls :func:`decide` once per invocation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta

from ..model.history import CANCELLED, FAILED, INVOCATION_RESULTS, SUCCESS, TIMED_OUT, Invocation
from ..model.runs import RunOutput

DEFAULT_DURATION = timedelta(seconds=5)

#: ``StatusDetails`` of an invocation whose outcome gives no ``output``.
DETAILS = {SUCCESS: "Success", FAILED: "Failed", TIMED_OUT: "Timed out", CANCELLED: "Cancelled"}

_STATUSES = ", ".join(sorted(INVOCATION_RESULTS))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an invocation did: its final status, how long it ran, and an optional output text.

    ``output`` becomes the invocation's ``StatusDetails`` (default: ``Success``, ``Failed``, …).
    The keyword-only fields are what Run Command and Automation show for the invocation (``None``: what
    they show when the command printed nothing; see docs/clock-and-outcomes.md):
    ``standard_output`` and ``standard_error`` (``GetCommandInvocation``'s ``StandardOutputContent``
    and ``StandardErrorContent``), ``response_code`` (its ``ResponseCode``), and ``automation_outputs``
    (an automation execution's ``Outputs``: names to lists of strings).

    Raises:
        ValueError: an unknown status or a negative duration.
        TypeError: a status or output that is not text, or a duration that is not a ``timedelta``, or
            an extra of the wrong type.
    """

    status: str = SUCCESS
    duration: timedelta | None = None
    output: str | None = None
    _: KW_ONLY
    standard_output: str | None = None
    standard_error: str | None = None
    response_code: int | None = None
    automation_outputs: dict[str, list[str]] | None = None

    def __post_init__(self) -> None:
        status: object = self.status  # checked at run time too: hooks are rarely type-checked
        if not isinstance(status, str):
            raise TypeError(f"Outcome(status=...) must be one of {_STATUSES}, not {type(status).__name__}")
        if status not in INVOCATION_RESULTS:
            raise ValueError(
                f"Outcome(status={status!r}) is not an invocation status; use one of {_STATUSES}"
            )
        duration: object = self.duration
        if duration is not None:
            if not isinstance(duration, timedelta):
                raise TypeError(
                    "Outcome(duration=...) must be a datetime.timedelta or None, "
                    f"not {type(duration).__name__}"
                )
            if duration < timedelta(0):
                raise ValueError(f"Outcome(duration={duration}) must not be negative")
        for name in ("output", "standard_output", "standard_error"):
            text: object = getattr(self, name)
            if text is not None and not isinstance(text, str):
                raise TypeError(f"Outcome({name}=...) must be text (str) or None, not {type(text).__name__}")
        code: object = self.response_code
        if code is not None and (isinstance(code, bool) or not isinstance(code, int)):
            raise TypeError(f"Outcome(response_code=...) must be an int or None, not {type(code).__name__}")
        outputs: object = self.automation_outputs
        if outputs is not None:
            if not isinstance(outputs, dict) or not all(
                isinstance(k, str) and isinstance(v, list) and all(isinstance(i, str) for i in v)
                for k, v in outputs.items()
            ):
                raise TypeError(
                    "Outcome(automation_outputs=...) must be a dict of names to lists of strings, such as "
                    f"{{'InstanceState': ['running']}}, or None; got {_repr(outputs)}"
                )
            # A copy: the hook's dict may change after it answered.
            object.__setattr__(self, "automation_outputs", {k: list(v) for k, v in outputs.items()})


OutcomeHook = Callable[[Invocation], "Outcome | str | None"]


class InvocationFailed(Exception):
    """Raise from an ``on_invocation`` hook to fail that invocation: ``raise InvocationFailed("disk full")``.

    The invocation ends ``FAILED`` after ``DEFAULT_DURATION`` with ``reason`` as its ``StatusDetails``;
    the clock move carries on. (``Outcome("FAILED", output=...)`` does the same and can set a duration.)
    """

    def __init__(self, reason: str = "Failed") -> None:
        given: object = reason
        if not isinstance(given, str):
            raise TypeError(f"InvocationFailed(reason) must be text (str), not {type(given).__name__}")
        super().__init__(reason)
        self.reason = reason


class HookError(Exception):
    """The ``on_invocation`` hook raised, or answered something that is not an outcome.

    Raised out of the call that moved the clock (``clock.advance``/``clock.set``, a control-API move, or
    the API call that caught up with ``follow_time``), with the hook's own exception as ``__cause__``. The
    move stops at the invocation the hook was deciding; see docs/clock-and-outcomes.md for the state
    the mock is left in. The attributes name what was being decided.
    """

    def __init__(self, message: str, invocation: Invocation) -> None:
        super().__init__(message)
        self.window_id = invocation.window_id
        self.window_execution_id = invocation.window_execution_id
        self.window_task_id = invocation.window_task_id
        self.target_id = invocation.target_id
        self.start_time = invocation.start_time


def decide(hook: OutcomeHook, invocation: Invocation) -> tuple[str, timedelta, str]:
    """Ask ``hook`` about ``invocation``: ``(status, duration, status details)``.

    Raises:
        HookError: the hook raised (other than ``InvocationFailed``) or gave an answer that is not one.
        BaseException: whatever non-``Exception`` the hook raised, unchanged.
    """
    try:
        answer: object = hook(invocation)
        if answer is None:
            return SUCCESS, DEFAULT_DURATION, DETAILS[SUCCESS]
        if isinstance(answer, Outcome):
            duration = DEFAULT_DURATION if answer.duration is None else answer.duration
            _check_end(invocation.start_time, duration)
            _keep_output(invocation, answer)
            return (
                answer.status,
                duration,
                answer.output if answer.output is not None else DETAILS[answer.status],
            )
        if isinstance(answer, str):
            if answer not in INVOCATION_RESULTS:
                raise ValueError(
                    f"on_invocation returned the status {answer!r}; a status is one of {_STATUSES}"
                )
            return answer, DEFAULT_DURATION, DETAILS[answer]
        raise TypeError(
            f"on_invocation returned {_repr(answer)}; return None, a status ({_STATUSES}) "
            "or an ssm_mw_mock.Outcome"
        )
    except InvocationFailed as failure:
        return FAILED, DEFAULT_DURATION, failure.reason
    except Exception as error:
        raise HookError(_describe(error, invocation), invocation) from error


def run_output(outcome: Outcome) -> RunOutput | None:
    """What Run Command or Automation show of ``outcome``, or None when it gives none of it."""
    if (
        outcome.standard_output is None
        and outcome.standard_error is None
        and outcome.response_code is None
        and outcome.automation_outputs is None
    ):
        return None
    return RunOutput(
        outcome.standard_output, outcome.standard_error, outcome.response_code, outcome.automation_outputs
    )


def _keep_output(invocation: Invocation, outcome: Outcome) -> None:
    """Store what the outcome says the invocation printed, for Run Command and Automation to show."""
    output = run_output(outcome)
    if output is None:
        return
    task = invocation.task
    if task.run_outputs is None:
        task.run_outputs = {}
    task.run_outputs[invocation.invocation_id] = output


def _check_end(start: datetime, duration: timedelta) -> None:
    try:
        start + duration
    except OverflowError:
        raise ValueError(
            f"Outcome(duration={duration.days} days) would end after the last instant a datetime holds "
            "(year 9999); give a duration that ends within the calendar"
        ) from None


def _describe(error: Exception, invocation: Invocation) -> str:
    target = invocation.target_id or "no target"
    return (
        f"on_invocation failed deciding the invocation of task {invocation.window_task_id} on {target} "
        f"(window {invocation.window_id}, execution {invocation.window_execution_id}, "
        f"at {invocation.start_time.isoformat()}): {type(error).__name__}: {_text(error)}"
    )


def _repr(value: object) -> str:
    try:
        return repr(value)
    except Exception as broken:
        return f"a {type(value).__name__} (whose repr() raised {type(broken).__name__})"


def _text(error: BaseException) -> str:
    """``str(error)``, even when that raises (the hook's own exception types may be broken)."""
    try:
        return str(error)
    except Exception as broken:
        return f"<str() of the exception raised {type(broken).__name__}>"
