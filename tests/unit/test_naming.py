"""The naming index kept up to date is the index built afresh, and forgets everything it was told.

``NamingIndex`` is checked directly on constructed windows, targets and tasks: after any sequence of
puts, updates, reschedules and drops, its maps are exactly those of a new index given only what is left,
and once everything is dropped it holds nothing (no empty lists, no stale counts).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ssm_mw_mock.model.naming import NamingIndex, stream_key
from ssm_mw_mock.model.resources import Target, Task, Window
from ssm_mw_mock.timing.schedule import WindowSchedule

T0 = datetime(2024, 3, 4, tzinfo=UTC)
SCHEDULES = ["cron(0 2 ? * * *)", "rate(1 day)", "cron(0 2 ? * * *)"]


def _window(seq: int, schedule: str) -> Window:
    return Window(
        window_id=f"mw-{seq}",
        name=f"window-{seq}",
        schedule=schedule,
        duration=2,
        cutoff=1,
        allow_unassociated_targets=True,
        created_date=T0,
        modified_date=T0,
        seq=seq,
        compiled=WindowSchedule.build(schedule, created=T0),
    )


entries = st.lists(
    st.builds(
        lambda key, values: {"Key": key, "Values": values},
        st.sampled_from(
            ["tag:Env", "tag-key", "resource-groups:Name", "resource-groups:ResourceTypeFilters"]
        ),
        st.lists(st.sampled_from(["prod", "web", "g1"]), min_size=1, max_size=2),
    ),
    min_size=1,
    max_size=3,
) | st.lists(st.sampled_from(["i-1", "i-2"]), min_size=1, max_size=2).map(
    lambda ids: [{"Key": "InstanceIds", "Values": ids}]
)
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("target"), st.integers(0, 3), st.sampled_from(["INSTANCE", "RESOURCE_GROUP"]), entries
        ),
        st.tuples(st.just("task"), st.integers(0, 3), st.none() | entries),
        st.tuples(st.just("update"), st.integers(0, 20), entries),
        st.tuples(st.just("drop"), st.integers(0, 20)),
        st.tuples(st.just("reschedule"), st.integers(0, 3), st.sampled_from(SCHEDULES), st.booleans()),
        st.tuples(st.just("delete"), st.integers(0, 3)),
    ),
    max_size=25,
)


def _snapshot(index: NamingIndex) -> dict[str, Any]:
    """The maps as comparable values: windows by id, empty counts left out."""
    maps: dict[str, Any] = {
        name: {
            entry: {stream: [w.window_id for w in members] for stream, members in streams.items()}
            for entry, streams in getattr(index, name).items()
        }
        for name in ("literal", "sure", "unsure")
    }
    maps["selectors"] = {scope: n for scope, n in index.selectors.items() if n}
    maps["groups"] = dict(index.groups)
    return maps


@settings(max_examples=300)
@given(plan=steps)
def test_kept_index_is_the_index_built_afresh_and_forgets_everything(plan: list[tuple[Any, ...]]) -> None:
    windows = [_window(seq, SCHEDULES[seq % 3]) for seq in range(1, 5)]
    items: list[tuple[Window, Target | Task]] = []
    index = NamingIndex()
    seq = 100
    for kind, *args in plan:
        seq += 1
        if kind == "target":
            window = windows[args[0]]
            target = Target(window.window_id, f"t-{seq}", args[1], args[2], seq)
            window.targets[target.window_target_id] = target
            index.put_target(window, target)
            items.append((window, target))
        elif kind == "task":
            window = windows[args[0]]
            task = Task(
                window.window_id, f"k-{seq}", "AWS-RunShellScript", "RUN_COMMAND", seq, "role", 1, args[1]
            )
            window.tasks[task.window_task_id] = task
            index.put_task(window, task)
            items.append((window, task))
        elif kind == "update" and items:
            window, item = items[args[0] % len(items)]
            item.targets = args[1]
            if isinstance(item, Target):
                index.put_target(window, item)
            else:
                index.put_task(window, item)
        elif kind == "drop" and items:
            window, item = items.pop(args[0] % len(items))
            item_id = item.window_target_id if isinstance(item, Target) else item.window_task_id
            window.targets.pop(item_id, None)
            window.tasks.pop(item_id, None)
            index.drop(item_id)
        elif kind == "reschedule":
            window = windows[args[0]]
            window.compiled = WindowSchedule.build(args[1], created=T0)
            window.enabled = args[2]
            index.rescheduled(window)
        elif kind == "delete":
            window = windows[args[0]]
            index.drop_window(window)
            window.targets.clear()
            window.tasks.clear()
            items = [(w, item) for w, item in items if w is not window]

    fresh = NamingIndex()
    for window, item in items:
        if isinstance(item, Target):
            fresh.put_target(window, item)
        else:
            fresh.put_task(window, item)
    assert _snapshot(index) == _snapshot(fresh)
    for maps in (index.literal, index.sure, index.unsure):
        for streams in maps.values():
            for stream, members in streams.items():
                assert members  # no empty list is kept
                assert all(stream_key(window) == stream for window in members)
                assert [w.seq for w in members] == sorted(w.seq for w in members)

    for window in windows:
        index.drop_window(window)
    assert _snapshot(index) == _snapshot(NamingIndex())
