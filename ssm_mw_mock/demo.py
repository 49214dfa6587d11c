"""The demo (``python -m ssm_mw_mock demo``): a weekly patch window runs for three weeks on the fake clock.

It is the seed walkthrough as a test would write it: a window, three tagged instances, a tag target, a Run
Command patch task and a Lambda notification after it, and a hook that fails one instance in the second week.
Everything it prints comes back through boto3 calls and ``mw.timeline()`` (SSM's Describe answers), as a
test would see it; only the ids change between runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import boto3

from .engine.outcomes import Outcome
from .mock import mock_maintenance_windows
from .model.history import Invocation

START = "2024-03-04T00:00:00Z"  # a Monday
INSTANCES = {
    "i-0a1b2c3d4e5f60001": "web-1",
    "i-0a1b2c3d4e5f60002": "web-2",
    "i-0a1b2c3d4e5f60003": "db-1",
}
#: How long patching takes on each instance, as the hook says.
PATCH_MINUTES = {"i-0a1b2c3d4e5f60001": 12, "i-0a1b2c3d4e5f60002": 9, "i-0a1b2c3d4e5f60003": 21}
NOTIFY = "arn:aws:lambda:us-east-1:123456789012:function:patch-report"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _hook(week_two: datetime) -> Callable[[Invocation], Outcome | None]:
    def decide(invocation: Invocation) -> Outcome | None:
        if invocation.task_type != "RUN_COMMAND" or invocation.target_id is None:
            return None  # the notification always succeeds, in the default 5 seconds
        minutes = timedelta(minutes=PATCH_MINUTES[invocation.target_id])
        if invocation.target_id == "i-0a1b2c3d4e5f60002" and invocation.start_time.date() == week_two.date():
            return Outcome("FAILED", timedelta(minutes=3), "yum: Cannot retrieve repository metadata")
        return Outcome(duration=minutes)

    return decide


def run_demo() -> None:
    """Build the walkthrough's window, run it for three simulated weeks, and print what SSM would report."""
    say = print
    with mock_maintenance_windows(now=START) as mw:
        ssm = boto3.client("ssm", region_name="us-east-1")
        for instance_id, name in INSTANCES.items():
            mw.add_instance(instance_id, {"Name": name, "Patch Group": "prod-linux"})

        window_id = ssm.create_maintenance_window(
            Name="weekly-patching",
            Schedule="cron(0 3 ? * SUN *)",
            ScheduleTimezone="Europe/Berlin",
            Duration=4,
            Cutoff=1,
            AllowUnassociatedTargets=False,
        )["WindowId"]
        target_id = ssm.register_target_with_maintenance_window(
            WindowId=window_id,
            ResourceType="INSTANCE",
            Targets=[{"Key": "tag:Patch Group", "Values": ["prod-linux"]}],
            Name="prod-linux",
        )["WindowTargetId"]
        ssm.register_task_with_maintenance_window(
            WindowId=window_id,
            Name="patch",
            TaskArn="AWS-RunPatchBaseline",
            TaskType="RUN_COMMAND",
            Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
            Priority=1,
            MaxConcurrency="2",
            MaxErrors="1",
            TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Install"]}}},
        )
        ssm.register_task_with_maintenance_window(
            WindowId=window_id,
            Name="notify",
            TaskArn=NOTIFY,
            TaskType="LAMBDA",
            Priority=10,
            TaskInvocationParameters={"Lambda": {"Payload": b'{"execution": "{{WINDOW_EXECUTION_ID}}"}'}},
        )

        window = ssm.get_maintenance_window(WindowId=window_id)
        say(f"Window {window_id} {window['Name']!r}: {window['Schedule']} in {window['ScheduleTimezone']},")
        say(f"  {window['Duration']} h long, no task starts in the last {window['Cutoff']} h")
        say("Instances: " + ", ".join(f"{name} {instance_id}" for instance_id, name in INSTANCES.items()))
        for target in ssm.describe_maintenance_window_targets(WindowId=window_id)["Targets"]:
            rules = " and ".join(f"{t['Key']}={','.join(t['Values'])}" for t in target["Targets"])
            say(f"Target {target['Name']!r}: {rules}")
        for task in ssm.describe_maintenance_window_tasks(WindowId=window_id)["Tasks"]:
            limits = f", {task['MaxConcurrency']} at a time, stops past {task['MaxErrors']} error(s)"
            say(
                f"Task {task['Priority']:>2} {task['Type']:<11} {task['TaskArn']}"
                + (limits if task.get("Targets") else "")
            )
        say(f"Clock: {_utc(mw.clock.now())}   NextExecutionTime: {window['NextExecutionTime']}")
        upcoming = ssm.describe_maintenance_window_schedule(WindowId=window_id, MaxResults=3)
        say("Upcoming: " + ", ".join(run["ExecutionTime"] for run in upcoming["ScheduledWindowExecutions"]))

        week_two = datetime.fromisoformat(upcoming["ScheduledWindowExecutions"][1]["ExecutionTime"])
        mw.on_invocation(_hook(week_two))
        mw.clock.advance(timedelta(weeks=3))
        say("")
        say(f"Clock advanced three weeks to {_utc(mw.clock.now())}")
        next_time = ssm.get_maintenance_window(WindowId=window_id)["NextExecutionTime"]
        say(f"NextExecutionTime: {next_time}")

        say("")
        say(str(mw.timeline(window_id)))  # what every Describe call reports, as one aligned timeline


if __name__ == "__main__":
    run_demo()
