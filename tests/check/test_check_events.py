"""The run as an event stream: what a check emits, in what order, and that the terminal lines,
the cassette file and the reports are handlers of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from check_fakeserver import Behaviour, serve

from conftest import FIXTURE_SPEC, TOKEN
from specforge.check import CheckOptions, run_check
from specforge.check.events import (
    CaseJudged,
    ExchangeRecorded,
    FailureFound,
    Finished,
    PhaseStarted,
    Planned,
)
from specforge.check.registry import REGISTRY
from specforge.render.report_text import render_event
from specforge.render.reports import ReportWriter


def test_a_run_emits_plan_phases_exchanges_cases_failures_then_finished(tmp_path: Path, token: str) -> None:
    events: list[Any] = []
    writer = ReportWriter(tmp_path, ("json",))
    with serve(Behaviour(token=TOKEN, ms_timestamps=True, accept_garbage=True)) as (url, _):
        options = CheckOptions(
            base_url=url,
            spec=FIXTURE_SPEC,
            poll_interval=0.05,
            job_timeout=3,
            request_timeout=2,
            phases=("auth", "lifecycle", "invalid-input"),
            run_id="events-run",
            handlers=(events.append, writer),
        )
        result = run_check(options, report_dir=writer.folder("events-run"))
    assert isinstance(events[0], Planned) and events[0].phases == options.phases
    assert isinstance(events[-1], Finished) and events[-1].result is result
    assert [e.phase for e in events if isinstance(e, PhaseStarted)] == list(options.phases)
    # the cassette file is the ExchangeRecorded handler: the same entries, in order
    recorded = [e.entry for e in events if isinstance(e, ExchangeRecorded)]
    lines = (tmp_path / "events-run" / "cassette.jsonl").read_text(encoding="utf-8").splitlines()
    assert recorded == result.exchanges == [json.loads(line) for line in lines]
    assert len([e for e in events if isinstance(e, CaseJudged)]) == len(result.cases)
    found = [e.failure for e in events if isinstance(e, FailureFound)]
    assert result.failures and {(f.check, f.operation) for f in found} == {
        (f.check, f.operation) for f in result.failures
    }
    assert {"timestamps_are_unix_seconds", "invalid_input_is_rejected"} <= {f.check for f in found}
    assert writer.error is None and writer.written == [
        tmp_path / "events-run" / "cassette.jsonl",
        tmp_path / "events-run" / "report.json",
    ]
    assert all(TOKEN not in json.dumps(e.entry) for e in events if isinstance(e, ExchangeRecorded))


def test_terminal_lines_are_rendered_from_events() -> None:
    assert render_event(PhaseStarted("auth", "auth scenario")) == "[check] auth scenario"
    assert render_event(CaseJudged("lifecycle", "POST /v1/videos failed", "failed")) == (
        "[check] lifecycle: POST /v1/videos failed"
    )
    assert render_event(CaseJudged("lifecycle", "GET /v1/videos passed", "passed")) is None
    assert render_event(Planned("r", "spec", ("auth",))) is None


def test_every_scenario_check_is_a_registered_function() -> None:
    scenario = {c.name: c for c in REGISTRY.scenario_checks()}
    assert {
        "auth_is_enforced",
        "valid_create_is_accepted",
        "request_fields_round_trip",
        "lifecycle_transitions_are_legal",
        "progress_never_decreases",
        "completed_job_content_is_mp4",
        "invalid_input_is_rejected",
        "documented_operation_is_served",
        "openai_sdk_call_works",
    } <= set(scenario)
    assert all(callable(c.func) and c.description for c in scenario.values())
