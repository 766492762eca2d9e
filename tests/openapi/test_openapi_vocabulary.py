"""The one operation classifier and the one video-job vocabulary every stage shares."""

from __future__ import annotations

import pytest

from specforge.openapi.operations import base_path, job_kind, operation_kind, path_pattern
from specforge.openapi.videojob import (
    MS_THRESHOLD,
    QUEUED,
    RUNNING,
    STATE_WORDS,
    TERMINAL,
    TERMINAL_FAILED,
    TERMINAL_OK,
    is_milliseconds,
    job_id,
    stage,
)


def test_stage_order() -> None:
    assert stage("queued") < stage("in_progress") < stage("completed") == stage("failed")
    assert stage("banana") == -1


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("post", "/v1/videos", "create"),
        ("post", "/api/v2/videos", "create"),  # any prefix before the /videos segment
        ("get", "/videos/{video_id}", "retrieve"),
        ("delete", "/v1/videos/{id}", "delete"),
        ("get", "/v1/videos/{id}/content", "content"),
        ("post", "/videos/{id}/remix", "remix"),
        ("post", "/videos/edits", "edit"),
        ("get", "/videos/characters/{c}", "retrieve_character"),
        ("put", "/videos/{id}", "put_videos_x"),
    ],
)
def test_operation_kind(method: str, path: str, kind: str) -> None:
    assert operation_kind(method, path) == kind


@pytest.mark.parametrize(
    ("method", "path", "guess", "kind"),
    [
        ("post", "/v1/videos", False, "create"),
        ("post", "/videos/edits", True, "other"),  # not a lifecycle operation, even when guessing
        ("get", "/videos/characters/{c}", True, "other"),
        ("post", "/v2/generations", False, "other"),
        ("post", "/v2/generations", True, "create"),  # task-style APIs: check reads them by shape
        ("get", "/v2/tasks/{id}", True, "retrieve"),
        ("get", "/v2/tasks", True, "list"),
        ("delete", "/v2/tasks/{id}", True, "delete"),
        ("post", "/v2/tasks/{id}/remix", True, "remix"),
    ],
)
def test_job_kind(method: str, path: str, guess: bool, kind: str) -> None:
    assert job_kind(method, path, guess=guess) == kind


def test_base_path_and_pattern() -> None:
    assert base_path({"servers": [{"url": "https://api.openai.com/v1/"}]}) == "/v1"
    assert base_path({"servers": [{"url": "/v1"}]}) == "/v1"
    assert base_path({}) == ""
    found = path_pattern("/v1/videos/{video_id}/content").fullmatch("/v1/videos/abc/content")
    assert found is not None and found.groupdict() == {"p1": "abc"}
    assert path_pattern("/v1/videos/{id}").fullmatch("/v1/videos/a/b") is None


def test_one_millisecond_threshold() -> None:
    assert is_milliseconds(1_700_000_000_123) and is_milliseconds(MS_THRESHOLD)
    assert not is_milliseconds(1_700_000_000) and not is_milliseconds(True) and not is_milliseconds("1e13")


def test_job_id_aliases() -> None:
    assert job_id({"id": "a", "task_id": "b"}) == "a"
    assert job_id({"task_id": "b"}) == "b"
    assert job_id({"status": "queued"}) is None


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("queueing", 0),  # words the mock speaks are words check reads: one table
        ("not_start", 0),
        ("complete", 2),
        ("errored", 2),
        ("CANCELLED", 2),
        ("expired", 2),
    ],
)
def test_every_word_the_mock_may_answer_is_a_word_check_reads(word: str, expected: int) -> None:
    assert stage(word) == expected


def test_the_stage_sets_are_the_state_words() -> None:
    assert {w for words in STATE_WORDS.values() for w in words} == QUEUED | RUNNING | TERMINAL
    assert set(STATE_WORDS["completed"]) == TERMINAL_OK and set(STATE_WORDS["failed"]) == TERMINAL_FAILED


def test_the_mock_answers_failed_in_a_documented_terminal_word() -> None:
    """A vendor whose enum ends in `cancelled` (and has no `failed`) gets failed jobs answered in
    that word, with no assumption note about a missing word."""
    from specforge.mock.profile import FieldSpec, _status_words

    notes: list[str] = []
    status = FieldSpec("status", frozenset({"string"}), enum=("pending", "running", "complete", "cancelled"))
    words = _status_words((status,), [], [], lambda said, fix: notes.append(said))
    assert words == {
        "queued": "pending",
        "in_progress": "running",
        "completed": "complete",
        "failed": "cancelled",
    }
    assert notes == []
