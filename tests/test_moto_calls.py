"""Beside moto's ``mock_aws``: every call is answered once, by one mock, in every order of start and stop.

The checks count side effects — messages in a queue, instances launched, items written, windows made —
because a call answered twice reads back the same values as one answered once.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import unittest
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.endpoint import Endpoint
from botocore.exceptions import ClientError
from moto import mock_aws

from ssm_mw_mock import MaintenanceWindowsMock, mock_maintenance_windows

ROOT = Path(__file__).resolve().parent.parent
NOW = "2024-03-04T00:00:00Z"
REGION = "us-east-1"


def _window(ssm: Any, name: str = "nightly") -> str:
    window_id: str = ssm.create_maintenance_window(
        Name=name, Schedule="cron(0 2 ? * * *)", Duration=3, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    return window_id


def _moto_windows() -> int:
    from moto.ssm.models import ssm_backends

    by_region = dict.get(ssm_backends, "123456789012") or {}
    backend = dict.get(by_region, REGION)
    return 0 if backend is None else len(backend.windows)


def _counts_once(session: dict[str, Any], tag: str) -> dict[str, int]:
    """One call of each kind through moto; the side effects each left, counted."""
    sqs, ec2, dynamodb = session["sqs"], session["ec2"], session["dynamodb"]
    url = sqs.create_queue(QueueName=f"q-{tag}")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    messages = int(attributes["Attributes"]["ApproximateNumberOfMessages"])
    before = sum(len(r["Instances"]) for r in ec2.describe_instances()["Reservations"])
    [instance] = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"]
    after = sum(len(r["Instances"]) for r in ec2.describe_instances()["Reservations"])
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    table = f"t-{tag}"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": "k"}},
        UpdateExpression="ADD hits :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    hits = int(dynamodb.get_item(TableName=table, Key={"pk": {"S": "k"}})["Item"]["hits"]["N"])
    # Deletes: a second run of the same delete would raise (the queue or table is already gone).
    sqs.delete_queue(QueueUrl=url)
    dynamodb.delete_table(TableName=table)
    return {"messages": messages, "instances": after - before, "hits": hits}


def _clients(**credentials: str) -> dict[str, Any]:
    names = ("sqs", "ec2", "dynamodb", "ssm")
    return {name: boto3.client(name, region_name=REGION, **credentials) for name in names}


EVENTS = ("start ours", "start moto", "stop ours", "stop moto")


def _orders() -> list[tuple[str, ...]]:
    """Every interleaving of the two mocks' start and stop, each mock starting before it stops."""
    return [
        order
        for order in itertools.permutations(EVENTS)
        if order.index("start ours") < order.index("stop ours")
        and order.index("start moto") < order.index("stop moto")
    ]


@pytest.mark.parametrize("order", _orders(), ids=" / ".join)
def test_every_call_is_answered_once_in_every_interleaving(order: tuple[str, ...]) -> None:
    # Made before either mock started; given keys, since moto alone cannot serve a client without any.
    early = _clients(aws_access_key_id="testing", aws_secret_access_key="testing")
    originals = (BaseClient.__dict__["_make_request"], Endpoint.__dict__["_send"])
    ours = MaintenanceWindowsMock(now=NOW)
    moto = mock_aws()
    active: set[str] = set()
    seen: list[tuple[frozenset[str], dict[str, int]]] = []
    for step, event in enumerate(order):
        verb, who = event.split()
        mock: Any = ours if who == "ours" else moto
        if verb == "start":
            mock.start()
            active.add(who)
        else:
            mock.stop()
            active.discard(who)
        for name, session in (("early", early), ("late", _clients())):
            if active == {"ours", "moto"}:
                seen.append((frozenset(active), _counts_once(session, f"{step}-{name}")))
                windows = len(ours.backend.state("123456789012", REGION).windows)
                _window(session["ssm"], f"w-{step}-{name}")
                assert len(ours.backend.state("123456789012", REGION).windows) == windows + 1
                assert _moto_windows() == 0  # the window is ours alone
            elif active == {"moto"}:
                seen.append((frozenset(active), _counts_once(session, f"{step}-{name}")))
            elif active == {"ours"}:
                with pytest.raises(ClientError) as refused:
                    session["sqs"].list_queues()
                assert refused.value.response["Error"]["Code"] == "NotMockedByMaintenanceWindowsMock"
    assert seen, "no step had moto active"
    assert (BaseClient.__dict__["_make_request"], Endpoint.__dict__["_send"]) == originals
    assert all(counts == {"messages": 1, "instances": 1, "hits": 1} for _, counts in seen), seen


@pytest.mark.parametrize("moto_first", [True, False], ids=["moto outside", "moto inside"])
def test_moto_errors_stay_moto_and_bad_input_stays_ssm(moto_first: bool) -> None:
    outer, inner = (
        (mock_aws(), mock_maintenance_windows()) if moto_first else (mock_maintenance_windows(), mock_aws())
    )
    with outer, inner:
        sqs = boto3.client("sqs", region_name=REGION)
        with pytest.raises(ClientError) as missing:
            sqs.get_queue_url(QueueName="nope")
        assert missing.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
        ssm = boto3.client("ssm", region_name=REGION)
        with pytest.raises(ClientError) as bad:
            ssm.get_maintenance_window(WindowId="mw-0000000000000000z")
        assert bad.value.response["Error"] == {
            "Code": "ValidationException",
            "Message": "1 validation error detected: Value 'mw-0000000000000000z' at 'windowId' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: ^mw-[0-9a-f]{17}$",
        }


def test_clients_made_before_moto_was_imported_are_answered_once(tmp_path: Path) -> None:
    code = """
import json, sys, boto3
early = boto3.client("sqs", region_name="us-east-1")
assert "moto" not in sys.modules
from moto import mock_aws
from ssm_mw_mock import mock_maintenance_windows
counts = []
for moto_first in (True, False):
    pair = [mock_aws(), mock_maintenance_windows()]
    outer, inner = pair if moto_first else pair[::-1]
    with outer, inner:
        url = early.create_queue(QueueName="q")["QueueUrl"]
        early.send_message(QueueUrl=url, MessageBody="x")
        early.send_message(QueueUrl=url, MessageBody="y")
        attrs = early.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        counts.append(int(attrs["Attributes"]["ApproximateNumberOfMessages"]))
        early.delete_queue(QueueUrl=url)
print(json.dumps(counts))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [2, 2]


def _queue_count(sqs: Any) -> int:
    url = sqs.create_queue(QueueName="decorated")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


@mock_aws
@mock_maintenance_windows
class TestMotoOutsideOnTheClass(unittest.TestCase):
    def test_one_message(self) -> None:
        assert _queue_count(boto3.client("sqs", region_name=REGION)) == 1
        _window(boto3.client("ssm", region_name=REGION))


@mock_maintenance_windows
@mock_aws
class TestMotoInsideOnTheClass(unittest.TestCase):
    def test_one_message(self) -> None:
        assert _queue_count(boto3.client("sqs", region_name=REGION)) == 1
        _window(boto3.client("ssm", region_name=REGION))


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def test_fixture_after_moto_fixture(aws: None, mw_mock: MaintenanceWindowsMock) -> None:
    assert _queue_count(boto3.client("sqs", region_name=REGION)) == 1
    _window(boto3.client("ssm", region_name=REGION))
    assert len(mw_mock.backend.state("123456789012", REGION).windows) == 1


def test_fixture_before_moto_fixture(mw_mock: MaintenanceWindowsMock, aws: None) -> None:
    assert _queue_count(boto3.client("sqs", region_name=REGION)) == 1
    _window(boto3.client("ssm", region_name=REGION))
    assert len(mw_mock.backend.state("123456789012", REGION).windows) == 1


@mock_aws
@mock_maintenance_windows
class TestPlainClassMotoOutside:
    def test_one_message(self) -> None:
        assert _queue_count(boto3.client("sqs", region_name=REGION)) == 1


@mock_maintenance_windows
@mock_aws
class TestPlainClassMotoInside:
    def test_one_message(self) -> None:
        assert _queue_count(boto3.client("sqs", region_name=REGION)) == 1
