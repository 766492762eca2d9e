"""The video-job vocabulary every stage speaks: the lifecycle states, the status words vendors
use for each stage, the terminal set, the names a job id goes by, and the one threshold that
tells a millisecond timestamp from a second one. lint flags, mock emits, check judges and the
compatibility matrix reports by these; there is no other copy."""

from __future__ import annotations

from typing import Any

#: the OpenAI job lifecycle: ``queued -> in_progress -> completed | failed``
LIFECYCLE: tuple[str, ...] = ("queued", "in_progress", "completed", "failed")

#: the words vendors use for each lifecycle state, most common first: the mock answers in the
#: first one a variant's spec lists, check reads an endpoint's status by the sets below (a
#: cancelled, expired or rejected job has ended without a video: ``failed``)
STATE_WORDS: dict[str, tuple[str, ...]] = {
    "queued": (
        "queued",
        "pending",
        "submitted",
        "waiting",
        "queueing",
        "not_started",
        "not_start",
        "created",
    ),
    "in_progress": ("in_progress", "processing", "running", "generating", "in-progress", "started"),
    "completed": ("completed", "succeeded", "success", "done", "finished", "complete"),
    "failed": (
        "failed",
        "failure",
        "error",
        "errored",
        "fail",
        "cancelled",
        "canceled",
        "expired",
        "rejected",
    ),
}

#: status words by stage (lower case), from :data:`STATE_WORDS`
QUEUED = frozenset(STATE_WORDS["queued"])
RUNNING = frozenset(STATE_WORDS["in_progress"])
TERMINAL_OK = frozenset(STATE_WORDS["completed"])
TERMINAL_FAILED = frozenset(STATE_WORDS["failed"])
TERMINAL = TERMINAL_OK | TERMINAL_FAILED

#: keys a job object's id goes by (OpenAI's ``id``, task-style vendors' ``task_id``)
ID_KEYS: tuple[str, ...] = ("id", "task_id")

#: a Unix timestamp at or above this is milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973
MS_THRESHOLD = 100_000_000_000


def stage(status: str) -> int:
    """0 queued, 1 running, 2 terminal, -1 unknown."""
    s = status.lower()
    if s in QUEUED:
        return 0
    if s in RUNNING:
        return 1
    if s in TERMINAL:
        return 2
    return -1


def is_milliseconds(value: Any) -> bool:
    """Whether a numeric timestamp is in milliseconds (booleans and non-numbers are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= MS_THRESHOLD


def job_id(job: dict[str, Any]) -> Any:
    """The job's id under whichever of :data:`ID_KEYS` it uses (``None`` when it has none)."""
    return next((job[key] for key in ID_KEYS if key in job), None)
