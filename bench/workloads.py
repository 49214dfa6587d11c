"""The workloads the benchmarks share, built through a real boto3 client so they cost what a user's do.

``hourly_window`` is the simulated year of ``run_all.py`` and the period of ``bench_memory.py`` and
``bench_runs.py``: one window on ``cron(0 * * * ? *)`` with a window target of 10 instances and 3 Run
Command tasks (priorities 1, 2, 3; ``MaxConcurrency`` 5) on it.
"""

from __future__ import annotations

from typing import Any


def hourly_window(ssm: Any) -> str:
    """Create the hourly window with its target and three tasks; its id."""
    window_id: str = ssm.create_maintenance_window(
        Name="hourly", Schedule="cron(0 * * * ? *)", Duration=1, Cutoff=0, AllowUnassociatedTargets=False
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "InstanceIds", "Values": [f"i-{n:017x}" for n in range(10)]}],
    )["WindowTargetId"]
    for priority in (1, 2, 3):
        ssm.register_task_with_maintenance_window(
            WindowId=window_id,
            Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
            TaskArn="AWS-RunShellScript",
            TaskType="RUN_COMMAND",
            TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": ["uptime"]}}},
            Priority=priority,
            MaxConcurrency="5",
            MaxErrors="1",
        )
    return window_id
