"""Fuzzing every operation with requests built from botocore's service model.

For each of the 26 operations, Hypothesis builds requests from the operation's input shape: values within
the model's constraints, values on and past their boundaries, values of the wrong JSON type, missing
required members, unknown ids and the ids of resources that exist (a seeded window with a target, a task
and an execution). Each request goes through a real boto3 client — one that validates parameters and one
that does not, so invalid values reach the mock. The answer must be a well-formed success or a
``ClientError`` with an SSM error code, never ``InternalServerError`` nor a Python exception out of the
mock; and a refused call must leave the state exactly as it was (``invariants.snapshot``).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import functools
import os
import re
import string
import traceback
from collections.abc import Iterator
from typing import Any

import botocore.model
import botocore.session
import botocore.validate
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import event, given
from hypothesis import strategies as st

import ssm_mw_mock
from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.api.operations import TAG_OPERATIONS, taggable_types, window_operations
from ssm_mw_mock.doors.routing import REFUSED_CODE
from ssm_mw_mock.errors import SsmError

from .conftest import NOW
from .invariants import make_client, snapshot

MODEL = botocore.session.get_session().get_service_model("ssm")
OPERATIONS = sorted(window_operations() | TAG_OPERATIONS)

#: Error codes any operation may answer besides those its model declares: every request is validated
#: (ValidationException), decoded (SerializationException), listings page with our tokens, and an unknown
#: window id is DoesNotExistException even where the model forgets to declare it (a tested choice).
GENERIC_CODES = {"ValidationException", "SerializationException", "InvalidNextToken", "DoesNotExistException"}
SSM_CODES = {cls.code for cls in SsmError.__subclasses__()} - {"InternalServerError", "UnsupportedOperation"}


def test_fuzz_covers_every_operation() -> None:
    assert len(OPERATIONS) == 26
    assert "InternalServerError" not in SSM_CODES


# -- the world every request meets ---------------------------------------------------------------------------


class World:
    """A started mock, seeded with a window that has a target, a task, tags and one finished execution."""

    def __init__(self) -> None:
        self.mw = MaintenanceWindowsMock(now=NOW).start()
        call = self.call
        self.window_id = call(
            "CreateMaintenanceWindow",
            Name="seeded",
            Schedule="cron(0 2 ? * * *)",
            Duration=3,
            Cutoff=1,
            AllowUnassociatedTargets=True,
            Tags=[{"Key": "team", "Value": "ops"}],
        )["WindowId"]
        self.target_id = call(
            "RegisterTargetWithMaintenanceWindow",
            WindowId=self.window_id,
            ResourceType="INSTANCE",
            Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}],
        )["WindowTargetId"]
        self.task_id = call(
            "RegisterTaskWithMaintenanceWindow",
            WindowId=self.window_id,
            TaskArn="AWS-RunShellScript",
            TaskType="RUN_COMMAND",
            Targets=[{"Key": "WindowTargetIds", "Values": [self.target_id]}],
            MaxConcurrency="1",
            MaxErrors="0",
        )["WindowTaskId"]
        self.mw.clock.advance(hours=3)  # the 02:00 run, finished
        execution = self.mw.backend.state("123456789012", "us-east-1").executions
        (self.execution,) = execution.values()
        self.task_execution = self.execution.tasks[0]
        self.invocation = self.task_execution.invocations[0]
        self.mw.clock.advance(minutes=30)  # between runs: the next call runs nothing by itself

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        return self.mw.backend.call(operation, params, "us-east-1")

    def known_ids(self, operation: str) -> dict[str, list[Any]]:
        """Member name → values naming resources that exist: ids, and targets naming the seeded target."""
        ex = self.execution.window_execution_id
        extra: dict[str, list[Any]] = {}
        if operation in TAG_OPERATIONS:
            extra["ResourceType"] = ["MaintenanceWindow"]
        if "Task" in operation:
            extra["Targets"] = [
                [{"Key": "WindowTargetIds", "Values": [self.target_id]}],
                [{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}],
            ]
        return extra | {
            "WindowId": [self.window_id],
            "ResourceId": [self.window_id],
            "WindowTargetId": [self.target_id],
            "WindowTaskId": [self.task_id],
            "WindowExecutionId": [ex],
            "TaskId": [self.task_execution.task_execution_id],
            "InvocationId": [self.invocation.invocation_id],
        }

    def close(self) -> None:
        self.mw.stop()


# -- strategies from the model -------------------------------------------------------------------------------

_UUID = st.uuids().map(str)
_OFFSETS = st.sampled_from(["Z", "+18:00", "-18:00", "+05:30", "-00:00", ""])
#: Wall times anywhere in datetime's range, extremes included.
_WALLS = st.one_of(
    st.datetimes(),
    st.sampled_from([datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59)]),
)
#: ISO-8601 instants of any year, with offsets up to java.time's limit (or none).
_INSTANTS = st.builds(
    lambda wall, offset: wall.strftime("%Y-%m-%dT%H:%M:%S").zfill(19) + offset, _WALLS, _OFFSETS
)
_AT = _WALLS.map(lambda wall: "at(" + wall.strftime("%Y-%m-%dT%H:%M:%S").zfill(19) + ")")
_RATE = st.builds(
    lambda value, unit: f"rate({value} {unit}{'s' if value != 1 else ''})",
    st.one_of(st.integers(1, 100), st.integers(1, 10**10)),
    st.sampled_from(["minute", "hour", "day"]),
)


def _schedule_token(wall: datetime.datetime, offset: str, seq: int) -> str:
    text = f"schedule:{wall.isoformat()}{offset.replace('Z', '+00:00')}:{seq}"
    return base64.urlsafe_b64encode(text.encode()).decode()


_HINTS: dict[str, st.SearchStrategy[Any]] = {
    "Schedule": st.sampled_from(
        [
            "cron(0 2 ? * * *)",
            "cron(0 4 ? * SUN#1 *)",
            "cron(30 23 L * ? *)",
            "rate(1 day)",
            "rate(30 minutes)",
            "rate(0 days)",
            "at(2024-03-05T10:00:00)",
            "cron(99 * * * * *)",
            "cron(0 2 * * * *)",
            "",
            " ",
            "at(9999-12-31T23:00:00)",
            "at(0001-01-01T00:00:00)",
            "rate(2932896 days)",
        ]
    )
    | _AT
    | _RATE,
    "ScheduleTimezone": st.sampled_from(
        ["UTC", "America/New_York", "Asia/Kolkata", "Not/AZone", "", "America/Los_Angeles", "Asia/Tokyo"]
    ),
    "StartDate": st.sampled_from(
        ["2024-03-01T00:00:00Z", "2030-01-01T00:00:00+02:00", "yesterday", "", "9999-12-31T23:59:59-18:00"]
    )
    | _INSTANTS,
    "EndDate": st.sampled_from(
        [
            "2024-03-10T00:00:00Z",
            "2020-01-01T00:00:00Z",
            "2199-12-31T23:59:59Z",
            "x",
            "0001-01-01T00:00:00+18:00",
        ]
    )
    | _INSTANTS,
    "TaskArn": st.sampled_from(["AWS-RunShellScript", "arn:aws:lambda:us-east-1:123456789012:function:f"]),
    "ServiceRoleArn": st.just("arn:aws:iam::123456789012:role/MaintenanceWindowRole"),
    "MaxResults": st.integers(min_value=-1, max_value=101),
    "NextToken": st.one_of(
        st.text(max_size=8),
        st.sampled_from(["RGVzY3JpYmU6MQ==", "c2NoZWR1bGU6eDox"]),
        st.builds(_schedule_token, _WALLS, _OFFSETS, st.integers(0, 99)),
    ),
}
#: Filter values of the time filters: any instant, as ScheduledAfter/ExecutedBefore and the like take.
_TIME_FILTER_VALUES = st.lists(_INSTANTS, min_size=1, max_size=2)
_TARGET_ENTRIES = st.sampled_from(
    [
        {"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]},
        {"Key": "tag:Env", "Values": ["prod", "dev"]},
        {"Key": "tag-key", "Values": ["Env"]},
        {"Key": "resource-groups:Name", "Values": ["web"]},
        {"Key": "resource-groups:ResourceTypeFilters", "Values": ["AWS::EC2::Instance"]},
        {"Key": "WindowTargetIds", "Values": ["00000000-0000-4000-8000-000000000000"]},
        {"Key": "tag:", "Values": []},
        {"Key": "Unknown", "Values": ["x"]},
        {},
        {"Values": ["i-0123456789abcdef0"]},
        {"Key": "InstanceIds"},
    ]
) | st.fixed_dictionaries(  # entries with or without each member, as boto3 lets them through
    {},
    optional={
        "Key": st.sampled_from(
            ["InstanceIds", "WindowTargetIds", "tag:Env", "tag-key", "resource-groups:Name"]
        ),
        "Values": st.lists(st.sampled_from(["i-0123456789abcdef0", "prod", "Env", "web"]), max_size=2),
    },
)
_FILTER_KEYS = st.sampled_from(
    [
        "Name",
        "Enabled",
        "Type",
        "WindowTargetId",
        "OwnerInformation",
        "WindowTaskId",
        "TaskArn",
        "Priority",
        "TaskType",
        "ExecutedAfter",
        "ExecutedBefore",
        "ScheduledAfter",
        "ScheduledBefore",
        "STATUS",
        "Nope",
    ]
)
_FILTER_VALUES = st.lists(
    st.sampled_from(
        ["true", "FALSE", "seeded", "2024-03-04T00:00:00Z", "SUCCESS", "1", "RUN_COMMAND", "zz", ""]
    ),
    max_size=3,
)


def _json_junk() -> st.SearchStrategy[Any]:
    """A JSON value of some type (the wrong one, most of the time)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**40), 2**40),
        st.floats(allow_nan=False),
        st.text(max_size=5),
    )
    return st.one_of(
        scalars, st.lists(scalars, max_size=2), st.dictionaries(st.text(max_size=3), scalars, max_size=2)
    )


_HEX = "0123456789abcdef"
_UUID_PATTERN = r"^[0-9a-fA-F]{8}\-[0-9a-fA-F]{4}\-[0-9a-fA-F]{4}\-[0-9a-fA-F]{4}\-[0-9a-fA-F]{12}$"
#: Strings matching the model's patterns, drawn directly: ``st.from_regex`` is most of the run time otherwise.
_PATTERNS: dict[str, st.SearchStrategy[str]] = {
    _UUID_PATTERN: _UUID,
    "^mw-[0-9a-f]{17}$": st.text(_HEX, min_size=17, max_size=17).map(lambda digits: "mw-" + digits),
    "^[a-zA-Z0-9_\\-.]{3,128}$": st.text(
        string.ascii_letters + string.digits + "_-.", min_size=3, max_size=20
    ),
    "^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$": st.sampled_from(["1", "10", "99%", "5%", "100%", "250"]),
    "^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$": st.sampled_from(["0", "1", "0%", "50%", "100%", "7"]),
    "([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)": st.sampled_from(["$LATEST", "$DEFAULT", "1", "12"]),
}


def _regex(pattern: str) -> st.SearchStrategy[str] | None:
    if pattern in _PATTERNS:
        return _PATTERNS[pattern]
    if "\\p{" in pattern or "(?!" in pattern:
        return None  # Unicode classes and look-aheads: Python's re does not read these as Java does
    try:
        re.compile(pattern)
        return st.from_regex(pattern, fullmatch=True)
    except (re.error, ValueError):
        return None


def _string(shape: botocore.model.Shape, chaos: bool) -> st.SearchStrategy[str]:
    meta = shape.metadata
    low, high = meta.get("min", 0), min(meta.get("max", 40), 300)
    if getattr(shape, "enum", None):
        valid = st.sampled_from(shape.enum)
        return st.one_of(valid, st.sampled_from(["", "bogus", shape.enum[0].lower()])) if chaos else valid
    options = []
    matching = _regex(meta["pattern"]) if "pattern" in meta else None
    if matching is not None:
        options.append(matching)
    alphabet = string.ascii_letters + string.digits + "-_.:/@ "
    if matching is None or chaos:
        options.append(st.text(alphabet, min_size=low, max_size=min(high, 40)))
    # Boundaries: exactly the limits, and (in chaos) one past them.
    edges = {low, high} | ({max(low - 1, 0), high + 1} if chaos else set())
    if matching is None or chaos:
        options.append(st.sampled_from(sorted(edges)).map(lambda n: "a" * n))
    return st.one_of(options)


def _number(shape: botocore.model.Shape, chaos: bool) -> st.SearchStrategy[int]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    inside = st.integers(
        min_value=low if low is not None else -(2**31), max_value=high if high is not None else 2**31
    )
    edges = [
        v
        for bound in (low, high)
        if bound is not None
        for v in ((bound - 1, bound, bound + 1) if chaos else (bound,))
    ]
    if chaos:  # numbers a Java int (or long) cannot hold: boto3 sends them as they are
        edges += [2**31, -(2**31) - 1, 2**63, 2**64]
    return st.one_of(inside, st.sampled_from(edges)) if edges else inside


_SHAPES: dict[str, botocore.model.Shape] = {}


@functools.cache
def _valued(shape_name: str, member: str | None, chaos: bool) -> st.SearchStrategy[Any]:
    """Values of one shape (cached by shape name, the member it fills, which may carry a hint, and mode)."""
    base = _build(_SHAPES[shape_name], member, chaos)
    # In chaos, now and then a value of the wrong JSON type, to reach the mock through a client that does not
    # validate.
    return st.one_of(base, base, base, base, base, _json_junk()) if chaos else base


def _of(shape: botocore.model.Shape, member: str | None, chaos: bool) -> st.SearchStrategy[Any]:
    _SHAPES[shape.name] = shape
    return st.deferred(lambda: _valued(shape.name, member, chaos))


def _build(shape: botocore.model.Shape, member: str | None, chaos: bool) -> st.SearchStrategy[Any]:
    if member in _HINTS:
        return st.one_of(_HINTS[member], _HINTS[member], _build(shape, None, chaos))
    if member == "Targets" and shape.type_name == "list":
        return st.lists(_TARGET_ENTRIES, min_size=0 if chaos else 1, max_size=3)
    if shape.type_name == "structure" and set(shape.members) == {"Key", "Values"} and member != "Targets":
        return st.fixed_dictionaries({"Key": _FILTER_KEYS, "Values": _FILTER_VALUES | _TIME_FILTER_VALUES})
    kind = shape.type_name
    if kind == "string":
        return _string(shape, chaos)
    if kind in ("integer", "long"):
        return _number(shape, chaos)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(timezones=st.just(datetime.UTC))
    if kind == "blob":
        return st.binary(max_size=8)
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "list":
        meta = shape.metadata
        low = 0 if chaos else meta.get("min", 0)
        return st.lists(
            _of(shape.member, None, chaos), min_size=low, max_size=max(low, min(meta.get("max", 3), 3))
        )
    if kind == "map":
        return st.dictionaries(_of(shape.key, None, False), _of(shape.value, None, chaos), max_size=2)
    if kind == "structure":
        strategy: st.SearchStrategy[Any] = _structure(shape, (), chaos)
        return strategy
    raise AssertionError(f"no strategy for {kind}")


@dataclasses.dataclass(frozen=True)
class Known:
    """A placeholder for the ``index``-th existing value of member ``name``, filled in from the world."""

    name: str
    index: int


def _known_names(operation: str) -> dict[str, int]:
    """Member name → how many existing values ``World.known_ids`` offers for ``operation``."""
    names = dict.fromkeys(("WindowId", "ResourceId", "WindowTargetId", "WindowTaskId"), 1)
    names |= dict.fromkeys(("WindowExecutionId", "TaskId", "InvocationId"), 1)
    if operation in TAG_OPERATIONS:
        names["ResourceType"] = 1
    if "Task" in operation:
        names["Targets"] = 2
    return names


def resolve(value: Any, ids: dict[str, list[Any]]) -> Any:
    if isinstance(value, Known):
        return ids[value.name][value.index]
    if isinstance(value, dict):
        return {key: resolve(item, ids) for key, item in value.items()}
    return value


@functools.cache
def _structure(shape: botocore.model.StructureShape, known: tuple[tuple[str, int], ...], chaos: bool) -> Any:
    required = set(shape.required_members)
    existing = {name: st.sampled_from([Known(name, i) for i in range(count)]) for name, count in known}

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            if name == "ClientToken" and not draw(st.booleans()):
                continue
            # Required members are there (in chaos, almost always); optional ones half of the time.
            present = (not chaos or draw(st.integers(0, 19)) > 0) if name in required else draw(st.booleans())
            if not present:
                continue
            values = _of(member, name, chaos)
            if name in existing:  # a value naming what exists, more often than not
                values = st.one_of(existing[name], existing[name], values)
            result[name] = draw(values)
        return result

    return build()


@functools.cache
def request(operation: str) -> st.SearchStrategy[dict[str, Any]]:
    """A request: valid as far as the model can tell, or (``chaos``) with boundary, invalid and missing
    values.
    Existing ids are ``Known`` placeholders, filled in by ``resolve``."""
    shape = MODEL.operation_model(operation).input_shape
    known = tuple(sorted(_known_names(operation).items()))
    return st.one_of(_structure(shape, known, False), _structure(shape, known, True))


# -- the check -----------------------------------------------------------------------------------------------

_CLIENTS: dict[bool, Any] = {}


def _client(validate: bool) -> Any:
    if validate not in _CLIENTS:
        _CLIENTS[validate] = make_client(validate=validate)
    return _CLIENTS[validate]


def _well_formed(operation: str, answer: dict[str, Any]) -> None:
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    body = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    output = MODEL.operation_model(operation).output_shape
    assert set(body) <= set(output.members), (operation, set(body) - set(output.members))
    report = botocore.validate.ParamValidator().validate(body, output)
    assert not report.has_errors(), report.generate_report()


def _declared(operation: str) -> set[str]:
    return {shape.name for shape in MODEL.operation_model(operation).error_shapes} | GENERIC_CODES


# The package's own folder: a checkout is often named ssm_mw_mock too, and its .venv (botocore's frames)
# would match a bare "/ssm_mw_mock/" in the path.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(ssm_mw_mock.__file__)) + os.sep


#: The door's wrappers of botocore's own steps (``doors/patching.py``): botocore's serializer fails inside
#: ``_convert_to_request_dict``, which the door wraps only to leave out the User-Agent header.
_DELEGATING = {"_convert_to_request_dict", "_make_request"}


def _through_the_mock(error: BaseException) -> bool:
    """Whether ``error`` was raised in, or passed through, ssm_mw_mock's code (other than the door's
    wrappers that hand botocore's own steps back to botocore)."""
    return any(
        os.path.abspath(frame.filename).startswith(_PACKAGE_DIR)
        and not (frame.filename.endswith("patching.py") and frame.name in _DELEGATING)
        for frame in traceback.extract_tb(error.__traceback__)
    )


def check_one(world: World, operation: str, params: dict[str, Any], validate: bool) -> bool:
    """Send one request and check the answer; returns whether the call succeeded (and may have changed
    state)."""
    reached: list[str] = []
    real_call = world.mw.backend.call

    def spy(*args: Any, **kwargs: Any) -> Any:
        reached.append(args[0])
        return real_call(*args, **kwargs)

    world.mw.backend.call = spy  # type: ignore[method-assign]
    before = snapshot(world.mw)
    failure: Exception | None = None
    try:
        answer = _client(validate)._make_api_call(operation, params)
    except Exception as error:
        failure = error
    finally:
        del world.mw.backend.call
    if failure is None:
        event("success")
        assert reached == [operation]
        _well_formed(operation, answer)
        return True
    if isinstance(failure, ClientError):
        code = failure.response["Error"]["Code"]
        event(f"refused: {code}")
        assert code != "InternalServerError", failure
        if code == REFUSED_CODE:  # a tag call on another resource type is moto's, not ours
            assert operation in TAG_OPERATIONS, failure
            assert not reached
            assert params.get("ResourceType") in taggable_types() - {"MaintenanceWindow"}
        else:
            assert code in SSM_CODES, failure
            assert code in _declared(operation), (operation, code, failure)
    elif isinstance(failure, ParamValidationError):
        event("refused by botocore")
        assert validate  # botocore refused it before it left the client
        assert not reached
    else:  # botocore could not serialise a value of the wrong type; the mock must not be where it failed
        event("botocore could not serialise")
        assert not _through_the_mock(failure), f"{operation} raised {failure!r} from inside the mock"
        assert not validate
        assert not reached
    assert snapshot(world.mw) == before, f"{operation} was refused ({failure!r}) but changed the state"
    return False


class Worlds:
    """One seeded world at a time: kept while calls leave it as it was (reads, refusals), rebuilt after a
    call that changed it, so each example starts from the same seeded state."""

    def __init__(self) -> None:
        self._world: World | None = None

    def get(self) -> World:
        if self._world is None:
            self._world = World()
        return self._world

    def spoil(self) -> None:
        if self._world is not None:
            self._world.close()
            self._world = None


@pytest.fixture(scope="module")
def worlds() -> Iterator[Worlds]:
    keeper = Worlds()
    yield keeper
    keeper.spoil()


@pytest.mark.parametrize("operation", OPERATIONS)
@given(data=st.data(), validate=st.booleans())
def test_fuzz_operation_answers_well_formed_or_ssm_error(
    worlds: Worlds, operation: str, data: st.DataObject, validate: bool
) -> None:
    world = worlds.get()
    params = resolve(data.draw(request(operation), label="params"), world.known_ids(operation))
    try:
        changed = check_one(world, operation, params, validate)
    except BaseException:
        worlds.spoil()
        raise
    if changed:
        worlds.spoil()


@pytest.mark.parametrize("operation", sorted(TAG_OPERATIONS))
def test_tag_call_with_a_resource_type_of_the_wrong_json_type_is_refused(operation: str) -> None:
    """Regression: the front door looked a list up in the set of taggable types, and the TypeError
    escaped to the caller instead of SSM's SerializationException."""
    with MaintenanceWindowsMock(now=NOW), pytest.raises(ClientError) as caught:
        _client(False)._make_api_call(operation, {"ResourceType": [], "ResourceId": "mw-0123456789abcdef0"})
    assert caught.value.response["Error"]["Code"] == "SerializationException"
