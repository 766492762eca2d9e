"""Fault injection: the run always completes, writes its (partial) report and says what happened;
infrastructure problems are never reported as conformance failures."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from check_fakeserver import Behaviour, free_port, serve

from conftest import TOKEN, quick_check
from specforge.check import CheckResult
from specforge.check.model import CaseStatus
from specforge.check.reports import report_schema

QUICK = ("auth", "lifecycle", "examples")


def B(**kw: object) -> Behaviour:  # noqa: N802 - reads like the class it builds
    return Behaviour(token=TOKEN, **kw)  # type: ignore[arg-type]


def run(url: str, tmp_path: Path, **kw: object) -> CheckResult:
    result: CheckResult = quick_check(url, tmp_path, **{"phases": QUICK, "request_timeout": 1.0, **kw})
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["verdict"] == result.verdict.value  # the partial report is always there
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    assert (tmp_path / "report.html").is_file() and (tmp_path / "junit.xml").is_file()
    return result


def kinds(result: CheckResult) -> set[str]:
    return {i.kind for i in result.infrastructure}


def test_connection_refused_aborts_with_exit_3(tmp_path: Path, token: str) -> None:
    result = run(f"http://127.0.0.1:{free_port()}", tmp_path)
    assert result.verdict.value == "error" and result.exit_code == 3
    assert "unreachable" in (result.aborted or "") and "connection_refused" in kinds(result)
    assert not result.failures


def test_connection_resets_are_infrastructure(tmp_path: Path, token: str) -> None:
    with serve(B(fault="reset", fault_paths=("/v1/videos/",))) as (url, _):
        result = run(url, tmp_path)
    assert "connection_reset" in kinds(result)
    assert not any(f.check == "not_a_server_error" for f in result.failures)
    assert any(c.status is CaseStatus.ERROR for c in result.cases)


def test_hanging_server_times_out(tmp_path: Path, token: str) -> None:
    with serve(B(fault="hang", fault_paths=("/v1/videos/",))) as (url, _):
        result = run(url, tmp_path, phases=("lifecycle",), request_timeout=0.3, job_timeout=1)
    assert "timeout" in kinds(result)
    assert result.jobs and result.jobs[0].outcome in ("pending", "lost")
    assert not result.failures


def test_5xx_storm_is_infrastructure_not_conformance(tmp_path: Path, token: str) -> None:
    with serve(B(fault="5xx")) as (url, _):
        result = run(url, tmp_path)
    assert "server_errors" in kinds(result)
    assert not result.failures
    assert result.verdict.value == "error" and result.exit_code == 3


def test_invalid_json_is_a_conformance_failure(tmp_path: Path, token: str) -> None:
    with serve(B(fault="invalid-json", fault_paths=("/v1/videos/",))) as (url, _):
        result = run(url, tmp_path, phases=("lifecycle",))
    assert result.verdict.value == "non-conformant"
    assert result.jobs and result.jobs[0].outcome == "lost"


def test_oversized_bodies_are_cut_off(tmp_path: Path, token: str) -> None:
    with serve(B(fault="oversized", fault_paths=("/v1/videos/",))) as (url, _):
        result = run(url, tmp_path, phases=("lifecycle",))
    assert "oversized_response" in kinds(result)
    assert (tmp_path / "cassette.jsonl").stat().st_size < 2_000_000


def test_server_dying_mid_run_still_reports(tmp_path: Path, token: str) -> None:
    with serve(B(fault="die-after:12")) as (url, state):
        result = run(url, tmp_path, phases=("auth", "lifecycle", "examples", "coverage"))
    assert state.requests >= 12
    assert result.infrastructure, "the outage is reported"
    assert result.cases, "work done before the outage is kept"
    assert result.exit_code in (1, 3)


def test_retry_after_is_honoured_while_polling(tmp_path: Path, token: str) -> None:
    with serve(B(retry_after="0.2", job_seconds=0.5)) as (url, _):
        result = run(url, tmp_path, phases=("lifecycle",), poll_interval=0.01)
    job = result.jobs[0]
    assert job.outcome == "completed"
    assert job.polls <= 5  # 0.2 s apart over a 0.5 s job, not 0.01 s apart


def test_faithful_fake_is_conformant_and_deviations_are_found(tmp_path: Path, token: str) -> None:
    with serve(B()) as (url, _):
        assert run(url, tmp_path / "a").verdict.value == "conformant"
    with serve(
        B(ms_timestamps=True, bad_status="processing", accept_garbage=True, echo_seconds_as_int=True)
    ) as (url, _):
        result = run(url, tmp_path / "b", phases=("lifecycle", "invalid-input"))
    checks = {f.check for f in result.failures}
    assert {
        "timestamps_are_unix_seconds",
        "lifecycle_statuses_are_legal",
        "invalid_input_is_rejected",
        "request_fields_round_trip",
    } <= checks


@pytest.mark.parametrize("budget", [0, 1])
def test_budget_holds_under_schemathesis_phases(tmp_path: Path, token: str, budget: int) -> None:
    with serve(B()) as (url, state):
        result = run(
            url,
            tmp_path,
            budget=budget,
            phases=("lifecycle", "invalid-input", "examples", "coverage", "fuzzing", "stateful"),
        )
    assert state.creates <= budget and result.creates_used <= budget


def test_rate_limiting_is_retried_then_reported(tmp_path: Path, token: str) -> None:
    with serve(B(fault="429", fault_paths=("/v1/videos/",))) as (url, state):
        result = run(url, tmp_path, phases=("lifecycle", "examples"))
    assert "rate_limited" in kinds(result)
    assert not any(f.check in ("status_code_conformance", "not_a_server_error") for f in result.failures)


def test_parallel_workers_keep_counts_consistent(tmp_path: Path, token: str) -> None:
    with serve(B()) as (url, state):
        result = run(url, tmp_path, workers=2, budget=3, phases=("lifecycle", "examples", "fuzzing"))
    assert result.verdict.value == "conformant"
    assert state.creates <= 3 and result.creates_used <= 3
    lines = (tmp_path / "cassette.jsonl").read_text().split("\n")
    assert [json.loads(line)["seq"] for line in lines if line] == list(
        range(1, len([x for x in lines if x]) + 1)
    )
