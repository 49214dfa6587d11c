"""Terraform's AWS provider against the HTTP server: apply, plan, update, drift, import and destroy.

Runs the ``hcl`` example of docs/server.md as written (with the server's port) through the real
``terraform`` binary and the hashicorp/aws provider from an offline filesystem mirror — no network. It is
skipped where ``terraform`` or the mirror is missing; ``.ci/run`` sets ``SSM_MW_MOCK_REQUIRE_TERRAFORM=1``
where both exist, which turns that skip into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from ssm_mw_mock.server import ThreadedServer
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
MIRROR = Path(os.environ.get("SSM_MW_MOCK_TF_MIRROR", "/opt/tf-plugins"))
PROVIDER = MIRROR / "registry.terraform.io" / "hashicorp" / "aws"
DOCS_ENDPOINT = "http://127.0.0.1:8765"
HCL = re.compile(r"^```hcl[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
TIMEOUT = 300

# The in-place update: optional fields removed, others changed.
UPDATE = [
    ('  description       = "second Tuesday, two days later"\n', ""),
    ('  end_date          = "2025-04-01T00:00:00Z"\n', ""),
    ("  schedule_offset   = 2\n", ""),
    ("  duration          = 3\n", "  duration          = 4\n"),
    ('  tags = {\n    Team = "platform"\n  }\n', ""),
    ('  owner_information = "db"\n', '  owner_information = "database"\n'),
    ('      comment         = "patch"\n', ""),
    ('  max_concurrency  = "2"\n', '  max_concurrency  = "3"\n'),
    ('      qualifier = "$LATEST"\n', ""),
    ('      name  = "report"\n', ""),
]
# A second window, deleted behind Terraform's back.
SCRATCH = """
resource "aws_ssm_maintenance_window" "scratch" {
  name     = "scratch"
  schedule = "rate(7 days)"
  duration = 2
  cutoff   = 1
}
"""


def _missing() -> str | None:
    if shutil.which("terraform") is None:
        return "terraform is not on PATH"
    if not PROVIDER.is_dir():  # a stat, not a listing: the suite watches reads outside the repository
        return f"no hashicorp/aws provider in the filesystem mirror {MIRROR} (set SSM_MW_MOCK_TF_MIRROR)"
    return None


@pytest.fixture(scope="module")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    missing = _missing()
    if missing is not None:
        if os.environ.get("SSM_MW_MOCK_REQUIRE_TERRAFORM") == "1":
            pytest.fail(f"SSM_MW_MOCK_REQUIRE_TERRAFORM=1 but {missing}")
        pytest.skip(missing)
    home = tmp_path_factory.mktemp("terraform-home")
    config = home / "cli.tfrc"
    # The provider comes from the mirror only; anything else would need the network and is refused.
    config.write_text(
        f"""provider_installation {{
  filesystem_mirror {{
    path    = "{MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }}
}}
""",
        encoding="utf-8",
    )
    keep = {"PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    return {
        **{name: value for name, value in os.environ.items() if name in keep},
        "HOME": str(home),
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        # Nothing from the developer's own AWS setup may leak in.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(now=NOW) as running:
        yield running


def docs_example() -> str:
    blocks = HCL.findall((ROOT / "docs" / "server.md").read_text(encoding="utf-8"))
    assert len(blocks) == 1, "docs/server.md should have one hcl block: the Terraform example"
    assert DOCS_ENDPOINT in blocks[0]
    return str(blocks[0])


def edited(text: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"the docs example no longer has exactly one {old!r}"
        text = text.replace(old, new)
    return text


def terraform(
    env: dict[str, str], workdir: Path, *args: str, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    started = time.perf_counter()
    done = subprocess.run(
        ["terraform", *args, "-no-color", "-input=false"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    print(f"terraform {args[0]}: {time.perf_counter() - started:.1f} s")
    assert done.returncode == expect, (
        f"terraform {' '.join(args)} exited {done.returncode}, not {expect}\n{done.stdout}\n{done.stderr}"
    )
    return done


def plan_shows_no_changes(env: dict[str, str], workdir: Path) -> None:
    # -detailed-exitcode: 0 is "no changes", 2 is "changes" (shown in the assertion message).
    done = terraform(env, workdir, "plan", "-detailed-exitcode", expect=0)
    assert "No changes." in done.stdout


def ssm_client(server: ThreadedServer) -> Any:
    return boto3.client(
        "ssm",
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_terraform_lifecycle(terraform_env: dict[str, str], server: ThreadedServer, tmp_path: Path) -> None:
    env = terraform_env
    config = docs_example().replace(DOCS_ENDPOINT, server.endpoint_url)
    first, second = tmp_path / "first", tmp_path / "imported"
    first.mkdir()
    second.mkdir()
    (first / "main.tf").write_text(config + SCRATCH, encoding="utf-8")
    terraform(env, first, "init")

    applied = terraform(env, first, "apply", "-auto-approve")
    assert "Apply complete! Resources: 8 added, 0 changed, 0 destroyed." in applied.stdout
    plan_shows_no_changes(env, first)
    ssm = ssm_client(server)
    window = ssm.describe_maintenance_windows(Filters=[{"Key": "Name", "Values": ["patching"]}])
    (identity,) = window["WindowIdentities"]
    got = ssm.get_maintenance_window(WindowId=identity["WindowId"])
    assert (got["Schedule"], got["ScheduleOffset"], got["ScheduleTimezone"]) == (
        "cron(0 2 ? * TUE#2 *)",
        2,
        "Europe/Paris",
    )
    assert "NextExecutionTime" in got
    tasks = ssm.describe_maintenance_window_tasks(WindowId=identity["WindowId"])["Tasks"]
    assert sorted(task["Type"] for task in tasks) == ["AUTOMATION", "LAMBDA", "RUN_COMMAND", "STEP_FUNCTIONS"]

    # In place: the state is fresh from the plan above, so the apply need not refresh it again.
    updated = edited(config, UPDATE)
    (first / "main.tf").write_text(updated + SCRATCH, encoding="utf-8")
    applied = terraform(env, first, "apply", "-auto-approve", "-refresh=false")
    assert "Apply complete! Resources: 0 added, 5 changed, 0 destroyed." in applied.stdout
    # One plan checks two things (a plan is ~8 s of the provider's CPU): the update converged — none of
    # the 7 updated resources changes — and a window deleted out of band is planned for re-creation.
    (scratch,) = ssm.describe_maintenance_windows(Filters=[{"Key": "Name", "Values": ["scratch"]}])[
        "WindowIdentities"
    ]
    ssm.delete_maintenance_window(WindowId=scratch["WindowId"])
    planned = terraform(env, first, "plan", "-detailed-exitcode", expect=2)
    assert re.findall(r"# (\S+) will be (\w+)", planned.stdout) == [
        ("aws_ssm_maintenance_window.scratch", "created")
    ]
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in planned.stdout
    got = ssm.get_maintenance_window(WindowId=identity["WindowId"])
    assert got["Duration"] == 4
    assert not {"Description", "EndDate", "ScheduleOffset"} & set(got)
    tags = ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=identity["WindowId"])
    assert tags["TagList"] == []

    # Import every resource of the updated example into a fresh state (import blocks, Terraform >= 1.5).
    resources = [("aws_ssm_maintenance_window.patching", identity["WindowId"])]
    for target in ssm.describe_maintenance_window_targets(WindowId=identity["WindowId"])["Targets"]:
        name = "by_tag" if target["Targets"][0]["Key"].startswith("tag:") else "by_id"
        resources.append(
            (
                f"aws_ssm_maintenance_window_target.{name}",
                f"{identity['WindowId']}/{target['WindowTargetId']}",
            )
        )
    names = {"RUN_COMMAND": "run_command", "AUTOMATION": "automation", "LAMBDA": "lambda"}
    for task in ssm.describe_maintenance_window_tasks(WindowId=identity["WindowId"])["Tasks"]:
        name = names.get(task["Type"], "step_functions")
        resources.append(
            (f"aws_ssm_maintenance_window_task.{name}", f"{identity['WindowId']}/{task['WindowTaskId']}")
        )
    imports = "".join(f'\nimport {{\n  to = {to}\n  id = "{id_}"\n}}\n' for to, id_ in resources)
    (second / "main.tf").write_text(updated + imports, encoding="utf-8")
    terraform(env, second, "init")
    applied = terraform(env, second, "apply", "-auto-approve")
    assert "Apply complete! Resources: 7 imported, 0 added, 0 changed, 0 destroyed." in applied.stdout
    plan_shows_no_changes(env, second)

    destroyed = terraform(env, first, "destroy", "-auto-approve")
    assert "Destroy complete! Resources: 7 destroyed." in destroyed.stdout
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    ssm.close()
