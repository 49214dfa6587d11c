"""Micro-benchmark: microseconds per ``RequestValidator.validate`` call for realistic requests.

Run with ``python bench/bench_validation.py``. Not a test: it prints figures for humans to compare, including
botocore's own client-side parameter validation of the same request as a yardstick.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path
from typing import Any

import botocore.session
from botocore.validate import ParamValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

from ssm_mw_mock.wire.validation import default_validator

CREATE: dict[str, Any] = {
    "Name": "patch-window",
    "Description": "Weekly patching of the web fleet",
    "StartDate": "2024-01-01T00:00:00Z",
    "Schedule": "cron(0 2 ? * SUN *)",
    "ScheduleTimezone": "Europe/Berlin",
    "ScheduleOffset": 2,
    "Duration": 4,
    "Cutoff": 1,
    "AllowUnassociatedTargets": False,
    "ClientToken": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "Tags": [{"Key": "team", "Value": "web"}, {"Key": "env", "Value": "prod"}],
}

REGISTER_TASK: dict[str, Any] = {
    "WindowId": "mw-0123456789abcdef0",
    "Targets": [{"Key": "WindowTargetIds", "Values": ["e32eecb2-646c-4f4b-8ed1-205fbEXAMPLE"]}],
    "TaskArn": "AWS-RunPatchBaseline",
    "ServiceRoleArn": "arn:aws:iam::123456789012:role/MaintenanceWindowRole",
    "TaskType": "RUN_COMMAND",
    "TaskInvocationParameters": {
        "RunCommand": {
            "Comment": "patch",
            "Parameters": {"Operation": ["Install"], "RebootOption": ["RebootIfNeeded"]},
            "TimeoutSeconds": 600,
            "CloudWatchOutputConfig": {"CloudWatchOutputEnabled": True},
        }
    },
    "Priority": 1,
    "MaxConcurrency": "10%",
    "MaxErrors": "1",
    "Name": "patch-task",
    "Description": "Install patches",
    "CutoffBehavior": "CONTINUE_TASK",
}


def per_call_us(func: Any, number: int = 20000) -> float:
    func()  # compile / warm caches
    best = min(timeit.repeat(func, number=number, repeat=5))
    return best / number * 1e6


def botocore_call_us() -> float:
    """botocore's own cost of one ssm call, with the HTTP send short-circuited (the mock's budget is 1.2x)."""
    from botocore.awsrequest import AWSResponse

    class _Raw:
        def stream(self, **kwargs: Any) -> Any:
            yield b""

    def reply(**kwargs: Any) -> AWSResponse:
        return AWSResponse("https://ssm", 200, {"Content-Type": "application/x-amz-json-1.1"}, _Raw())

    client = botocore.session.get_session().create_client(
        "ssm", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    client.meta.events.register("before-send.ssm", reply)
    return per_call_us(lambda: client.describe_maintenance_windows(), number=500)


def main() -> None:
    validator = default_validator()
    model = botocore.session.get_session().get_service_model("ssm")
    botocore_validator = ParamValidator()
    for operation, params in (
        ("CreateMaintenanceWindow", CREATE),
        ("RegisterTaskWithMaintenanceWindow", REGISTER_TASK),
    ):
        ours = per_call_us(lambda operation=operation, params=params: validator.validate(operation, params))
        shape = model.operation_model(operation).input_shape
        theirs = per_call_us(
            lambda shape=shape, params=params: botocore_validator.validate(params, shape), number=5000
        )
        print(f"{operation:36} validate(): {ours:6.2f} us   (botocore ParamValidator: {theirs:6.2f} us)")
    print(f"{'one botocore client call, HTTP send stubbed out':55} {botocore_call_us():8.1f} us")


if __name__ == "__main__":
    main()
