"""Eight threads with their own boto3 clients write and read while another thread moves the clock.

Each worker creates windows (with a target, a task and tags), updates, reads and deletes some of them, and
counts what it left behind; the clock thread moves time ten minutes at a time so windows run meanwhile, and
the outcome hook records which thread it runs on. At the end nothing raised, every write is there (per worker:
the windows it kept, each with its target, task and tags), the invariants hold, and hooks ran only on the
clock's thread.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import botocore.session

from ssm_mw_mock import Invocation, MaintenanceWindowsMock
from ssm_mw_mock.wire.validation import RequestValidator

from .conftest import NOW
from .invariants import check_invariants, error_code, make_client, pages

WORKERS = 8
ROUNDS = 6  # windows each worker creates; it deletes every third, so at most 8 * 4 = 32 stay (quota: 50)


class Worker(threading.Thread):
    def __init__(self, number: int, start_line: threading.Barrier) -> None:
        super().__init__(name=f"worker-{number}")
        self.number = number
        self.start_line = start_line
        self.kept: dict[str, tuple[str, str]] = {}  # window id -> (target id, task id)
        self.deleted: set[str] = set()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            ssm = make_client()  # its own session and client, made on this thread
            self.start_line.wait()
            for round_number in range(ROUNDS):
                self.one_round(ssm, round_number)
        except BaseException as error:  # reported by the test, on the main thread
            self.failure = error

    def one_round(self, ssm: Any, round_number: int) -> None:
        window_id = ssm.create_maintenance_window(
            Name=f"worker-{self.number}-{round_number}",
            Schedule="rate(1 hour)" if round_number % 2 else "cron(30 * ? * * *)",
            Duration=2,
            Cutoff=1,
            AllowUnassociatedTargets=False,
            Tags=[{"Key": "worker", "Value": str(self.number)}],
        )["WindowId"]
        target_id = ssm.register_target_with_maintenance_window(
            WindowId=window_id,
            ResourceType="INSTANCE",
            Targets=[{"Key": "InstanceIds", "Values": [f"i-{self.number:017x}"]}],
        )["WindowTargetId"]
        task_id = ssm.register_task_with_maintenance_window(
            WindowId=window_id,
            TaskArn="AWS-RunShellScript",
            TaskType="RUN_COMMAND",
            Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
            MaxConcurrency="1",
            MaxErrors="0",
        )["WindowTaskId"]
        ssm.add_tags_to_resource(
            ResourceType="MaintenanceWindow",
            ResourceId=window_id,
            Tags=[{"Key": "round", "Value": str(round_number)}],
        )
        ssm.update_maintenance_window(WindowId=window_id, Description=f"round {round_number}")
        ssm.update_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id, Priority=round_number)
        # Reads, of its own windows and of everybody's.
        assert ssm.get_maintenance_window(WindowId=window_id)["Description"] == f"round {round_number}"
        pages(ssm.describe_maintenance_windows, "WindowIdentities")
        ssm.describe_maintenance_window_schedule(WindowId=window_id, MaxResults=2)
        for execution in ssm.describe_maintenance_window_executions(WindowId=window_id)["WindowExecutions"]:
            ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution["WindowExecutionId"])
        if round_number % 3 == 2:
            ssm.delete_maintenance_window(WindowId=window_id)
            self.deleted.add(window_id)
        else:
            self.kept[window_id] = (target_id, task_id)


class ClockMover(threading.Thread):
    def __init__(self, mw: MaintenanceWindowsMock, workers: list[Worker]) -> None:
        super().__init__(name="clock")
        self.mw = mw
        self.workers = workers
        self.moves = 0
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while any(worker.is_alive() for worker in self.workers) or self.moves < 3:
                self.mw.clock.advance(minutes=10)
                self.moves += 1
                time.sleep(0.002)  # let the workers in: a bare loop would move years while they write
        except BaseException as error:
            self.failure = error


def test_concurrent_clients_and_clock_lose_nothing() -> None:
    hook_threads: set[str] = set()

    def hook(invocation: Invocation) -> None:
        hook_threads.add(threading.current_thread().name)

    with MaintenanceWindowsMock(now=NOW) as mw:
        mw.on_invocation(hook)
        start_line = threading.Barrier(WORKERS)
        workers = [Worker(number, start_line) for number in range(WORKERS)]
        clock = ClockMover(mw, workers)
        for worker in workers:
            worker.start()
        clock.start()
        for thread in [*workers, clock]:
            thread.join(timeout=120)
            assert not thread.is_alive(), f"{thread.name} is stuck"

        assert [w.failure for w in workers] == [None] * WORKERS
        assert clock.failure is None
        ssm = make_client()
        listed = {
            w["WindowId"]: w["Name"] for w in pages(ssm.describe_maintenance_windows, "WindowIdentities")
        }
        # No lost write: each worker's kept windows are all there, with their target, task and tags.
        for worker in workers:
            mine = {wid for wid, name in listed.items() if name.startswith(f"worker-{worker.number}-")}
            assert mine == set(worker.kept), worker.name
            assert len(worker.deleted) == ROUNDS // 3
            for window_id, (target_id, task_id) in worker.kept.items():
                targets = ssm.describe_maintenance_window_targets(WindowId=window_id)["Targets"]
                assert [t["WindowTargetId"] for t in targets] == [target_id]
                tasks = ssm.describe_maintenance_window_tasks(WindowId=window_id)["Tasks"]
                assert [t["WindowTaskId"] for t in tasks] == [task_id]
                tags = ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=window_id)
                assert {t["Key"] for t in tags["TagList"]} == {"worker", "round"}
            for window_id in worker.deleted:
                assert error_code(ssm.get_maintenance_window, WindowId=window_id) == "DoesNotExistException"
        assert len(listed) == sum(len(w.kept) for w in workers)
        check_invariants(ssm)
        # Windows ran while the workers wrote, and their hooks ran on the thread that moved the clock.
        assert clock.moves >= 3
        assert hook_threads == {"clock"}


def test_validator_compiles_safely_on_first_concurrent_use() -> None:
    """Regression: two threads compiling one operation's checks at once could leave a recursive-shape
    placeholder pointing at itself, and the next validation died with RecursionError (an
    InternalServerError to the client)."""
    model = botocore.session.get_session().get_service_model("ssm")
    request = {
        "WindowId": "mw-0123456789abcdef0",
        "TaskArn": "AWS-RunShellScript",
        "TaskType": "RUN_COMMAND",
        "Targets": [{"Key": "WindowTargetIds", "Values": ["00000000-0000-4000-8000-000000000000"]}],
        "TaskInvocationParameters": {"RunCommand": {"Parameters": {"commands": ["true"]}}},
    }
    failures: list[BaseException] = []
    for _ in range(30):  # the race needs luck: each round is a fresh validator, compiled by 8 threads at once
        validator = RequestValidator(model)
        start_line = threading.Barrier(WORKERS)

        def validate(
            validator: RequestValidator = validator, start_line: threading.Barrier = start_line
        ) -> None:
            start_line.wait()
            try:
                for _ in range(20):
                    validator.validate("RegisterTaskWithMaintenanceWindow", request)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=validate) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []


def test_clock_reads_new_time_once_the_backend_has_played_the_move() -> None:
    """Regression: the clock reported its new time only after the backend released its lock, so an
    operation on another thread in between saw the old time — a window created then would list as next a
    run that the move had already played without it (and that never executes). A listener subscribed after
    the backend runs exactly in that gap."""
    seen: list[Any] = []
    with MaintenanceWindowsMock(now=NOW) as mw:
        mw.clock.subscribe(lambda old, new, step: seen.append((mw.clock.now(), new)))
        mw.clock.advance(minutes=90)
    ((now, new),) = seen
    assert now == new


def test_threads_moving_the_clock_record_each_run_once_and_lose_no_time() -> None:
    """Regression (#13.1): 4 threads x 2,000 one-minute advances lost time about half the time and
    recorded hundreds of runs twice. Every door moves the clock through the same serialised move."""
    threads, moves = 4, 300
    with MaintenanceWindowsMock(now=NOW) as mw:
        ssm = make_client()
        window_id = ssm.create_maintenance_window(
            Name="every-hour", Schedule="rate(1 hour)", Duration=1, Cutoff=0, AllowUnassociatedTargets=True
        )["WindowId"]
        start = mw.clock.now()
        start_line = threading.Barrier(threads)
        failures: list[BaseException] = []

        def mover() -> None:
            try:
                start_line.wait()
                for _ in range(moves):
                    mw.clock.advance(minutes=1)
            except BaseException as error:
                failures.append(error)

        movers = [threading.Thread(target=mover) for _ in range(threads)]
        for thread in movers:
            thread.start()
        for thread in movers:
            thread.join(timeout=120)
        assert failures == []
        assert mw.clock.now() == start + timedelta(minutes=threads * moves)
        runs = pages(ssm.describe_maintenance_window_executions, "WindowExecutions", WindowId=window_id)
        starts = sorted(run["StartTime"] for run in runs)
        assert len(starts) == len(set(starts)) == threads * moves // 60  # 20 hours: 20 runs, each once
