"""The botocore door's parsed answers (``doors/parsed.py``) against botocore's parse of our JSON.

The door hands botocore the parsed form of a successful answer instead of JSON bytes. Whatever the
result, that form must be exactly what ``botocore.parsers.JSONParser`` makes of ``protocol.encode``'s
bytes — the same keys in the same order, the same types (datetimes with the same tzinfo), the same
``ResponseMetadata`` — with the client's own scalar parsers (botocore's defaults, the AWS CLI's), and a
caller mutating its answer must never reach the mock's state. Where the parser cannot be reproduced the
door steps aside, and botocore's parser runs as before.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import boto3
import botocore.session
import pytest
from botocore import parsers
from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.utils import parse_timestamp
from hypothesis import given, settings
from hypothesis import strategies as st

from ssm_mw_mock import MaintenanceWindowsMock
from ssm_mw_mock.api.operations import served_operations
from ssm_mw_mock.doors import parsed
from ssm_mw_mock.wire import protocol
from tests.api.test_output_members import _answers
from tests.conftest import make_window

MODEL = botocore.session.get_session().get_service_model("ssm")
OPERATIONS = sorted(served_operations())


def identity(value: Any) -> Any:
    return value


def same(direct: Any, expected: Any, where: str = "answer") -> None:
    """Equal values of the same types, dict keys in the same order, datetimes with equal tzinfo."""
    assert type(direct) is type(expected), f"{where}: {type(direct).__name__} != {type(expected).__name__}"
    if isinstance(expected, dict):
        assert list(direct) == list(expected), f"{where}: keys {list(direct)} != {list(expected)}"
        for key in expected:
            same(direct[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(direct) == len(expected), f"{where}: {len(direct)} items != {len(expected)}"
        for n, (one, other) in enumerate(zip(direct, expected, strict=True)):
            same(one, other, f"{where}[{n}]")
    elif isinstance(expected, datetime):
        assert direct == expected, where
        assert type(direct.tzinfo) is type(expected.tzinfo), where
        assert direct.tzinfo == expected.tzinfo, where
        assert direct.utcoffset() == expected.utcoffset(), where
    else:
        assert direct == expected, where


def parse_json(body: bytes, operation: OperationModel, factory: parsers.ResponseParserFactory) -> Any:
    """botocore's own parse of a 200 answer carrying ``body``, RetryAttempts as the endpoint sets it."""
    headers = HeadersDict({"x-amzn-RequestId": "r-1", "Content-Type": protocol.CONTENT_TYPE})
    response = {"headers": headers, "status_code": 200, "body": body, "context": {}}
    answer = factory.create_parser("json").parse(response, operation.output_shape)
    answer["ResponseMetadata"]["RetryAttempts"] = 0
    return answer


def direct_answer(result: dict[str, Any], operation: OperationModel, factory: Any) -> tuple[Any, Any]:
    responded = parsed.respond(factory, "https://ssm.us-east-1.amazonaws.com/", operation, result)
    assert responded is not None
    http, answer = responded
    answer["ResponseMetadata"]["RequestId"] = "r-1"
    answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] = "r-1"
    return http, answer


def factories() -> dict[str, parsers.ResponseParserFactory]:
    cli = parsers.ResponseParserFactory()
    cli.set_parser_defaults(timestamp_parser=identity, blob_parser=identity)
    iso = parsers.ResponseParserFactory()
    iso.set_parser_defaults(
        timestamp_parser=lambda value: parsers.DEFAULT_TIMESTAMP_PARSER(value).isoformat()
    )
    return {"botocore": parsers.ResponseParserFactory(), "cli": cli, "iso": iso}


FACTORIES = factories()


class Counting:
    """Counts the calls that reach botocore's JSON parser."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = parsers.JSONParser.parse

        def parse(parser: Any, response: Any, shape: Any) -> Any:
            self.calls += 1
            return original(parser, response, shape)

        monkeypatch.setattr(parsers.JSONParser, "parse", parse)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Counting:
    return Counting(monkeypatch)


# Every served operation, through a real client, on a scenario that sets every stored member.


def test_every_answer_is_botocores_parse_of_our_json(mw: MaintenanceWindowsMock, parses: Counting) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    factory = ssm._endpoint._response_parser_factory
    checked: list[str] = []

    def compare(http_response: Any, model: OperationModel, **kwargs: Any) -> None:
        answer = kwargs["parsed"]
        assert isinstance(http_response, parsed.LazyBodyResponse)
        before = parses.calls
        expected = parse_json(http_response.content, model, factory)
        assert parses.calls == before + 1
        expected["ResponseMetadata"]["RequestId"] = answer["ResponseMetadata"]["RequestId"]
        expected["ResponseMetadata"]["HTTPHeaders"] = dict(answer["ResponseMetadata"]["HTTPHeaders"])
        same(answer, expected, model.name)
        checked.append(model.name)

    ssm.meta.events.register("after-call.ssm", compare)
    answers = list(_answers(mw, ssm))
    assert {name for name, _ in answers} == set(OPERATIONS)
    assert sorted(set(checked)) == OPERATIONS
    assert parses.calls == len(checked)  # only the test's own parses: the door parsed nothing


def test_response_metadata_is_the_json_paths(ssm: Any) -> None:
    window_id = make_window(ssm)
    answer = ssm.get_maintenance_window(WindowId=window_id)
    metadata = answer["ResponseMetadata"]
    assert list(metadata) == ["RequestId", "HTTPStatusCode", "HTTPHeaders", "RetryAttempts"]
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RetryAttempts"] == 0
    assert metadata["HTTPHeaders"] == {
        "x-amzn-requestid": metadata["RequestId"],
        "content-type": "application/x-amz-json-1.1",
    }
    assert list(answer)[-1] == "ResponseMetadata"


def test_the_body_reads_as_the_json_we_would_have_sent(mw: MaintenanceWindowsMock, ssm: Any) -> None:
    window_id = make_window(ssm, Description="caf\u00e9 \U0001f600")
    bodies: list[tuple[bytes, str]] = []

    def keep(http_response: Any, **kwargs: Any) -> None:
        bodies.append((http_response.content, http_response.text))

    ssm.meta.events.register("after-call.ssm.GetMaintenanceWindow", keep)
    ssm.get_maintenance_window(WindowId=window_id)
    expected = protocol.encode(mw.backend.call("GetMaintenanceWindow", {"WindowId": window_id}, "us-east-1"))
    assert bodies == [(expected, expected.decode())]
    assert json.loads(bodies[0][1])["Description"] == "caf\u00e9 \U0001f600"


def test_the_body_is_logged_as_botocores_parser_logs_it(ssm: Any, caplog: pytest.LogCaptureFixture) -> None:
    window_id = make_window(ssm)
    with caplog.at_level(logging.DEBUG, logger="botocore.parsers"):
        ssm.get_maintenance_window(WindowId=window_id)
    logged = [r.getMessage() for r in caplog.records if r.name == "botocore.parsers"]
    assert len(logged) == 2
    assert logged[0].startswith("Response headers: {")
    assert logged[1].startswith('Response body:\nb\'{"WindowId":"' + window_id)


def test_mutating_an_answer_does_not_change_a_later_one(ssm: Any) -> None:
    window_id = make_window(ssm)
    ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": ["i-1", "i-2"]}],
    )
    ask = {"WindowId": window_id}
    first = ssm.describe_maintenance_window_targets(**ask)
    kept = copy.deepcopy(first)
    target = first["Targets"][0]
    target["Targets"][0]["Values"].append("i-3")
    target["Targets"][0]["Key"] = "tag:Env"
    target["Targets"].clear()
    target["WindowId"] = "mw-00000000000000000"
    first["Targets"].append({"WindowId": "mw-0"})
    windows = ssm.describe_maintenance_windows()
    windows["WindowIdentities"][0]["Name"] = "renamed"
    windows["WindowIdentities"].clear()
    again = ssm.describe_maintenance_window_targets(**ask)
    same(again["Targets"], kept["Targets"])
    assert ssm.describe_maintenance_windows()["WindowIdentities"][0]["Name"] == "nightly-patching"


def test_errors_keep_botocores_parser(ssm: Any, parses: Counting) -> None:
    with pytest.raises(ssm.exceptions.DoesNotExistException) as caught:
        ssm.get_maintenance_window(WindowId="mw-0123456789abcdef0")
    assert caught.value.response["Error"]["Code"] == "DoesNotExistException"
    assert parses.calls == 2  # the error, then its modelled fields (Endpoint._add_modeled_error_fields)
    make_window(ssm)
    assert parses.calls == 2


def test_a_factory_we_cannot_reproduce_gets_json_to_parse(
    mw: MaintenanceWindowsMock, parses: Counting
) -> None:
    class Custom(parsers.ResponseParserFactory):  # type: ignore[misc]
        pass

    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm._endpoint._response_parser_factory = Custom()
    plain = boto3.client("ssm", region_name="us-east-1")
    window_id = make_window(plain)
    assert parses.calls == 0
    answer = ssm.get_maintenance_window(WindowId=window_id)
    assert parses.calls == 1
    same(answer["CreatedDate"], plain.get_maintenance_window(WindowId=window_id)["CreatedDate"])
    assert parses.calls == 1


def test_scalar_parsers_are_reproduced_only_for_botocores_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parsed.scalar_parsers(parsers.ResponseParserFactory()) == (parsers.DEFAULT_TIMESTAMP_PARSER, None)
    assert parsed.scalar_parsers(FACTORIES["cli"]) == (identity, identity)
    assert parsed.scalar_parsers(object()) is None
    odd = parsers.ResponseParserFactory()
    odd._defaults["event_stream_parser"] = identity
    assert parsed.scalar_parsers(odd) is None
    monkeypatch.setitem(parsers.PROTOCOL_PARSERS, "json", type("Other", (parsers.JSONParser,), {}))
    assert parsed.scalar_parsers(parsers.ResponseParserFactory()) is None


def _model(shapes: dict[str, Any]) -> OperationModel:
    definition = {
        "metadata": {
            "protocol": "json",
            "serviceId": "Odd",
            "endpointPrefix": "odd",
            "apiVersion": "2024-01-01",
        },
        "operations": {
            "Odd": {"name": "Odd", "http": {"method": "POST", "requestUri": "/"}, "output": {"shape": "Out"}}
        },
        "shapes": {"Text": {"type": "string"}, **shapes},
    }
    return ServiceModel(definition, service_name="odd").operation_model("Odd")


@pytest.mark.parametrize(
    "shapes",
    [
        {
            "Out": {"type": "structure", "members": {"Doc": {"shape": "Doc"}}},
            "Doc": {"type": "structure", "members": {}, "document": True},
        },
        {
            "Out": {"type": "structure", "members": {"U": {"shape": "U"}}},
            "U": {"type": "structure", "union": True, "members": {"A": {"shape": "Text"}}},
        },
        {"Out": {"type": "structure", "members": {"Again": {"shape": "Out"}}}},
        {
            "Out": {"type": "structure", "members": {"M": {"shape": "M"}}},
            "M": {"type": "map", "key": {"shape": "N"}, "value": {"shape": "Text"}},
            "N": {"type": "integer"},
        },
    ],
    ids=["document", "tagged-union", "recursive", "integer-keys"],
)
def test_shapes_the_converters_do_not_model_fall_back(shapes: dict[str, Any]) -> None:
    operation = _model(shapes)
    factory = parsers.ResponseParserFactory()
    assert parsed.converter_for(operation, factory) is None
    assert parsed.respond(factory, "https://odd/", operation, {}) is None


def test_a_shape_is_compiled_once_per_pair_of_scalar_parsers(monkeypatch: pytest.MonkeyPatch) -> None:
    operation = _model({"Out": {"type": "structure", "members": {"A": {"shape": "Text"}}}})
    compiled: list[str] = []
    original = parsed._compile

    def counting(shape: Shape, *args: Any) -> Any:
        compiled.append(shape.name)
        return original(shape, *args)

    monkeypatch.setattr(parsed, "_compile", counting)
    monkeypatch.setattr(parsed, "_cache", {})
    for _ in range(3):
        for kind in ("botocore", "cli"):
            convert = parsed.converter_for(operation, FACTORIES[kind])
            assert convert is not None
            assert convert({"A": "x", "B": 1}) == {"A": "x"}
    assert compiled == ["Out", "Out"]


# Results of every shape, generated: unicode, empty lists, absent and None members, fractions, huge ints.

INSTANTS = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2199, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7, minutes=-30))]),
)


def value_of(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        members = {name: st.none() | value_of(member, depth + 1) for name, member in shape.members.items()}
        return st.fixed_dictionaries({}, optional=members).map(lambda d: {**d, "NotInTheModel": 1})
    if kind == "list":
        items = st.none() | value_of(shape.member, depth + 1)  # JSON null in a list stays None
        return st.lists(items, max_size=3 if depth < 3 else 0)
    if kind == "map":
        return st.dictionaries(st.text(max_size=5), value_of(shape.value, depth + 1), max_size=3)
    if kind == "timestamp":
        return INSTANTS
    if kind == "blob":
        return st.binary(max_size=20)
    if kind == "boolean":
        return st.booleans()
    if kind in {"integer", "long"}:
        return st.integers() | st.integers(min_value=2**63, max_value=2**80)
    if kind in {"double", "float"}:
        return st.floats(allow_nan=False, allow_infinity=False)
    return st.text()


@st.composite
def results(draw: st.DrawFn) -> tuple[OperationModel, dict[str, Any]]:
    operation = MODEL.operation_model(draw(st.sampled_from(OPERATIONS)))
    return operation, draw(value_of(operation.output_shape))


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@settings(max_examples=60, deadline=None)
@given(case=results())
def test_generated_results_convert_as_botocore_parses_them(
    kind: str, case: tuple[OperationModel, dict[str, Any]]
) -> None:
    operation, result = case
    factory = FACTORIES[kind]
    before = copy.deepcopy(result)
    http, answer = direct_answer(result, operation, factory)
    same(answer, parse_json(protocol.encode(result), operation, factory))
    assert http.content == protocol.encode(result)
    _scramble(answer)
    assert result == before  # the answer shares no list or dict with the result


def _scramble(value: Any) -> None:
    if isinstance(value, dict):
        for item in list(value.values()):
            _scramble(item)
        value.clear()
    elif isinstance(value, list):
        for item in value:
            _scramble(item)
        value.clear()


def test_a_fractional_timestamp_is_cut_to_milliseconds_as_on_the_wire() -> None:
    operation = MODEL.operation_model("GetMaintenanceWindow")
    instant = datetime(2024, 3, 4, 5, 6, 7, 891_234, tzinfo=UTC)
    result = {"WindowId": "mw-0123456789abcdef0", "CreatedDate": instant}
    _, answer = direct_answer(result, operation, FACTORIES["cli"])
    assert answer["CreatedDate"] == 1709528767.891
    _, answer = direct_answer(result, operation, FACTORIES["botocore"])
    assert answer["CreatedDate"] == instant.replace(microsecond=891_000)


def test_blobs_reach_the_parser_as_base64() -> None:
    operation = MODEL.operation_model("GetMaintenanceWindowTask")
    result = {"TaskInvocationParameters": {"Lambda": {"Payload": b"\x00\xff{}"}}}
    _, answer = direct_answer(result, operation, FACTORIES["cli"])
    assert answer["TaskInvocationParameters"]["Lambda"]["Payload"] == base64.b64encode(b"\x00\xff{}").decode()
    _, answer = direct_answer(result, operation, FACTORIES["botocore"])
    assert answer["TaskInvocationParameters"]["Lambda"]["Payload"] == b"\x00\xff{}"


# botocore's default timestamp parser is remembered per instant, for the local zone it was made in.


def test_an_instant_met_again_is_not_parsed_again(ssm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window_id = make_window(ssm)
    remembered: dict[float, datetime] = {}
    monkeypatch.setattr(parsed, "_instants", remembered)
    first = ssm.get_maintenance_window(WindowId=window_id)
    # CreatedDate and ModifiedDate are one instant: parsed once, by botocore's own parser.
    assert list(remembered) == [first["CreatedDate"].timestamp()]
    same(first["CreatedDate"], parse_timestamp(first["CreatedDate"].timestamp()))
    second = ssm.get_maintenance_window(WindowId=window_id)
    assert len(remembered) == 1
    assert second["ModifiedDate"] is first["CreatedDate"]


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    def move(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield move
    monkeypatch.undo()
    time.tzset()


def test_a_new_local_zone_forgets_the_remembered_instants(
    ssm: Any, local_zone: Callable[[str], None]
) -> None:
    window_id = make_window(ssm)
    local_zone("UTC")
    in_utc = ssm.get_maintenance_window(WindowId=window_id)["CreatedDate"]
    local_zone("America/New_York")
    in_new_york = ssm.get_maintenance_window(WindowId=window_id)["CreatedDate"]
    same(in_new_york, parse_timestamp(in_utc.timestamp()))
    assert in_new_york.utcoffset() == timedelta(hours=-5)
    assert in_utc.utcoffset() == timedelta(0)
    assert not parsed.local_zone_changed()  # the move was seen once, by the answer
