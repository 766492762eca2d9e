"""Jobs and where they live. A job stores only what its creation fixed (id, creation time, request
values); its status and progress are computed from the clock on every read, so nothing needs a
background task and a restarted server (``--state FILE``) resumes every job where it would be."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from specforge.core.errors import InputError

FAIL_MARKER = "[fail]"
#: share of the job's time spent queued before it starts
QUEUED_SHARE = 0.1
#: a failing job fails at this share of its time
FAIL_AT = 0.5


@dataclass(frozen=True)
class Job:
    id: str
    created_at: float  # epoch seconds
    model: str
    prompt: str | None
    seconds: str
    size: str
    duration: float  # seconds from queued to terminal
    remixed_from: str | None = None

    @property
    def fails(self) -> bool:
        return FAIL_MARKER in (self.prompt or "")


@dataclass(frozen=True)
class JobState:
    status: str
    progress: int
    completed_at: float | None
    error: dict[str, str] | None


def state_at(job: Job, now: float) -> JobState:
    """queued -> in_progress (progress rising 1..99) -> completed (100), or failed at FAIL_AT."""
    elapsed = max(0.0, now - job.created_at)
    share = 1.0 if job.duration <= 0 else elapsed / job.duration
    if job.fails and share >= FAIL_AT:
        return JobState(
            "failed",
            int(FAIL_AT * 100),
            job.created_at + job.duration * FAIL_AT,
            {"code": "generation_failed", "message": "The prompt asked the mock to fail ([fail])."},
        )
    if share >= 1.0:
        return JobState("completed", 100, job.created_at + job.duration, None)
    if share < QUEUED_SHARE:
        return JobState("queued", 0, None, None)
    return JobState("in_progress", min(99, max(1, int(share * 100))), None, None)


class JobStore(Protocol):
    def add(self, job: Job) -> None: ...
    def get(self, job_id: str) -> Job | None: ...
    def delete(self, job_id: str) -> bool: ...
    def all(self) -> list[Job]: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


class MemoryStore:
    """Jobs in a dict (insertion order is creation order)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def add(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def delete(self, job_id: str) -> bool:
        with self._lock:
            return self._jobs.pop(job_id, None) is not None

    def all(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def count(self) -> int:
        return len(self._jobs)

    def close(self) -> None:
        pass


class SqliteStore:
    """Jobs in one SQLite table (stdlib ``sqlite3``, WAL), so a restarted server loses nothing."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        try:
            with self._lock:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS jobs ("
                    " seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, job TEXT NOT NULL)"
                )
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise InputError(
                f"cannot use it as the mock's job store: {exc}",
                file=str(path),
                hint="pass a new path or an SQLite file written by `specforge mock --state`",
            ) from None

    def add(self, job: Job) -> None:
        with self._lock:
            self._db.execute("INSERT INTO jobs (id, job) VALUES (?, ?)", (job.id, json.dumps(asdict(job))))

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            row = self._db.execute("SELECT job FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else Job(**json.loads(row[0]))

    def delete(self, job_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount > 0

    def all(self) -> list[Job]:
        with self._lock:
            rows = self._db.execute("SELECT job FROM jobs ORDER BY seq").fetchall()
        return [Job(**json.loads(row[0])) for row in rows]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_store(state: Path | None) -> JobStore:
    return MemoryStore() if state is None else SqliteStore(Path(state))
