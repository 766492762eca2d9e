"""Job lifecycle by the clock, and the two stores."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from specforge.mock.store import Job, MemoryStore, SqliteStore, state_at

ORDER = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}


def job(prompt: str = "a cat", duration: float = 10.0, created: float = 1000.0, **extra: object) -> Job:
    return Job(
        id="video_1",
        created_at=created,
        model="sora-2",
        prompt=prompt,
        seconds="4",
        size="720x1280",
        duration=duration,
        **extra,
    )  # type: ignore[arg-type]


@given(
    duration=st.floats(0, 1000, allow_nan=False),
    times=st.lists(st.floats(-10, 3000, allow_nan=False), min_size=2, max_size=20),
    fails=st.booleans(),
)
def test_status_and_progress_never_go_backwards(duration: float, times: list[float], fails: bool) -> None:
    the_job = job("x [fail]" if fails else "x", duration=duration, created=0.0)
    states = [state_at(the_job, t) for t in sorted(times)]
    assert [ORDER[s.status] for s in states] == sorted(ORDER[s.status] for s in states)
    assert [s.progress for s in states] == sorted(s.progress for s in states)
    for state in states:
        assert isinstance(state.progress, int) and 0 <= state.progress <= 100
        assert (state.status == "completed") == (state.progress == 100)
        assert (state.error is not None) == (state.status == "failed")
        assert (state.completed_at is not None) == (state.status in ("completed", "failed"))
        assert state.status != ("completed" if fails else "failed")


def test_the_phases_over_time() -> None:
    the_job = job(duration=10.0, created=0.0)
    assert state_at(the_job, 0.5).status == "queued"
    middle = state_at(the_job, 5.0)
    assert (middle.status, middle.progress) == ("in_progress", 50)
    done = state_at(the_job, 10.0)
    assert (done.status, done.progress, done.completed_at) == ("completed", 100, 10.0)
    failed = state_at(job("[fail] it", duration=10.0, created=0.0), 6.0)
    assert (
        failed.status == "failed" and failed.error is not None and failed.error["code"] == "generation_failed"
    )
    assert state_at(job(duration=0.0), 1000.0).status == "completed"


def test_memory_and_sqlite_stores_agree(tmp_path: Path) -> None:
    path = tmp_path / "state" / "jobs.sqlite"
    for store in (MemoryStore(), SqliteStore(path)):
        jobs = [Job(f"video_{i}", float(i), "m", None, "4", "s", 1.0, None) for i in range(3)]
        for item in jobs:
            store.add(item)
        assert store.get("video_1") == jobs[1] and store.get("nope") is None
        assert store.delete("video_1") and not store.delete("video_1")
        assert [j.id for j in store.all()] == ["video_0", "video_2"] and store.count() == 2
        store.close()
    reopened = SqliteStore(path)
    assert [j.id for j in reopened.all()] == ["video_0", "video_2"]
    reopened.close()
