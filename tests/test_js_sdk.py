"""The AWS SDK for JavaScript v3 (``@aws-sdk/client-ssm``) against the HTTP server.

``tests/js/mw_client.mjs`` creates a window, reads its ``NextExecutionTime``, registers a target and a
task, moves the clock through the control API, lists the execution that ran, pages through 25 windows and
catches a modelled error by name; this test checks the JSON it prints. The SDK is installed with
``npm ci`` into ``tests/js/node_modules`` (git-ignored) from the committed lock file, once. Skipped where
node or npm is missing; ``.ci/run`` sets ``SSM_MW_MOCK_REQUIRE_NODE=1`` where both exist, which turns the
skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

from ssm_mw_mock.server import ThreadedServer
from tests.conftest import NOW

JS = Path(__file__).resolve().parent / "js"
SDK = JS / "node_modules" / "@aws-sdk" / "client-ssm"


@pytest.fixture(scope="module")
def node() -> str:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not on PATH"
        if os.environ.get("SSM_MW_MOCK_REQUIRE_NODE") == "1":
            pytest.fail(f"SSM_MW_MOCK_REQUIRE_NODE=1 but {reason}")
        pytest.skip(reason)
    if not SDK.is_dir():
        installed = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=JS,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert installed.returncode == 0, f"npm ci failed:\n{installed.stdout}\n{installed.stderr}"
    return str(shutil.which("node"))


def test_js_sdk_drives_the_server(node: str) -> None:
    with ThreadedServer(now=NOW) as server:
        done = subprocess.run(
            [node, "mw_client.mjs"],
            cwd=JS,
            env={**os.environ, "SSM_MW_MOCK_ENDPOINT": server.endpoint_url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        ssm = boto3.client(
            "ssm",
            endpoint_url=server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        windows = len(ssm.describe_maintenance_windows(MaxResults=50)["WindowIdentities"])
        ssm.close()

    printed = json.loads(done.stdout)
    assert printed == {
        "window": {"name": "js-nightly", "nextExecutionTime": "2024-03-04T02:00Z", "duration": 3},
        "registered": {"target": "string", "task": "string"},
        "clock": {"now": "2024-03-05T00:00:00Z"},
        "executions": [{"status": "SUCCESS", "startTime": "2024-03-04T02:00:00.000Z"}],
        "pages": [10, 10, 5],
        "error": {
            "name": "DoesNotExistException",
            "modelled": True,
            "message": "Maintenance window mw-0123456789abcdef0 does not exist",
            "status": 400,
        },
    }
    assert windows == 25
