"""Lifecycle polling overlaps schemathesis' phases, which reuse ids seen in responses: they may
DELETE the very job the lifecycle scenario follows. The 404s that follow are the server being
right, not a conformance failure; a job the server loses on its own still is one.

These tests stage the race deterministically (the DELETE is sent through the run's Gate at the
exact moment schemathesis' phases could send it) instead of hoping the scheduler produces it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conftest import lifecycle_scenario as scenario
from specforge.check.lifecycle import Scenario


def delete_through_gate(sc: Scenario, job_id: str) -> None:
    """What schemathesis' phases do with an id they picked up from a list response."""
    op = sc.spec.find("delete")
    assert op is not None
    response = sc.gate.session().delete(sc.url(op, video_id=job_id), headers=sc.headers(), timeout=2)
    assert response.status_code == 200


def content_preceded_by(sc: Scenario, act: Callable[[str], None]) -> None:
    original = sc._content

    def content(job_id: str, trace: dict[str, Any]) -> None:
        act(job_id)  # the job completed; it disappears before its content is fetched
        original(job_id, trace)

    sc._content = content  # type: ignore[method-assign]


def failed(sc: Scenario) -> list[str]:
    return [f.check for case in sc.cases for f in case.failures]


def test_completed_job_deleted_by_the_run_before_its_content_is_not_a_failure() -> None:
    with scenario() as (sc, _):
        content_preceded_by(sc, lambda job_id: delete_through_gate(sc, job_id))
        sc.lifecycle()
    assert failed(sc) == []
    assert sc.jobs[0]["outcome"] == "completed" and sc.jobs[0]["content_type"] is None


def test_completed_job_the_server_loses_by_itself_is_still_a_failure() -> None:
    with scenario() as (sc, state):
        content_preceded_by(sc, lambda job_id: state.jobs.pop(job_id))  # no DELETE was ever sent
        sc.lifecycle()
    assert failed(sc) == ["completed_job_content_is_mp4"]


def test_job_deleted_by_the_run_while_polled_ends_the_follow_as_deleted() -> None:
    with scenario() as (sc, state):
        sc.lifecycle(background=lambda follow: (delete_through_gate(sc, next(iter(state.jobs))), follow()))
    trace = sc.jobs[0]
    assert failed(sc) == []
    assert trace["outcome"] == "deleted" and trace["polls"] == 1
    assert "None" not in trace["statuses"]  # the 404's error object is not a job state


def test_job_the_server_loses_while_polled_is_lost() -> None:
    with scenario() as (sc, state):
        sc.lifecycle(background=lambda follow: (state.jobs.clear(), follow()))
    assert sc.jobs[0]["outcome"] == "lost" and sc.jobs[0]["polls"] == 1
