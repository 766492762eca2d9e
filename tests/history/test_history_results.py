from __future__ import annotations

from pathlib import Path

import pytest

from specforge.core.diagnostics import Diagnostic, Severity
from specforge.history import Provider
from specforge.history.results import normalize_result, record_from


def check_result():  # type: ignore[no-untyped-def]
    model = pytest.importorskip("specforge.check.model")
    ms = Diagnostic(
        code="timestamps_are_unix_seconds",
        severity=Severity.ERROR,
        message="created_at 1700000000000 looks like milliseconds",
        pointer="/created_at",
    )
    return model.CheckResult(
        run_id="check-1",
        base_url="http://127.0.0.1:1",
        spec_name="openai",
        spec_hash="abc",
        variant="openai",
        verdict=model.Verdict.NON_CONFORMANT,
        budget=2,
        creates_used=1,
        cases=[
            model.CaseRecord(
                id="1",
                operation="POST /v1/videos",
                phase="lifecycle",
                status=model.CaseStatus.FAILED,
                checks=("status_code", "timestamps_are_unix_seconds"),
                failed_checks=("timestamps_are_unix_seconds",),
            ),
            model.CaseRecord(
                id="2",
                operation="GET /v1/videos/{id}",
                phase="examples",
                status=model.CaseStatus.PASSED,
                checks=("status_code",),
            ),
            model.CaseRecord(
                id="3",
                operation="GET /v1/videos",
                phase="examples",
                status=model.CaseStatus.SKIPPED,
                checks=("status_code",),
            ),
        ],
        failures=[
            model.Failure(diagnostic=ms, operation="POST /v1/videos", check="timestamps_are_unix_seconds"),
            model.Failure(
                diagnostic=ms, operation="POST /v1/videos", check="timestamps_are_unix_seconds", case_id="9"
            ),
        ],
        infrastructure=[
            model.InfraIssue(kind="timeout", message="read timed out", operation="GET /v1/videos", count=2)
        ],
    )


def test_a_check_result_becomes_per_check_outcomes() -> None:
    data = normalize_result(check_result())
    assert (
        data["verdict"] == "non-conformant" and data["spec_hash"] == "abc" and data["spec_name"] == "openai"
    )
    assert data["budget"] == 2 and data["creates_used"] == 1 and data["check_run_id"] == "check-1"
    assert data["errors"] == ["timeout: read timed out (GET /v1/videos)"]
    outcomes = {(c["operation"], c["check"]): c["status"] for c in data["checks"]}
    assert outcomes == {
        ("POST /v1/videos", "status_code"): "passed",
        ("POST /v1/videos", "timestamps_are_unix_seconds"): "failed",
        ("GET /v1/videos/{id}", "status_code"): "passed",
        ("GET /v1/videos", "status_code"): "skipped",
    }
    failed = next(c for c in data["checks"] if c["status"] == "failed")
    assert len(failed["failures"]) == 1  # the same finding twice is one failure in the history
    record = record_from(
        data,
        provider=Provider(name="p", base_url="http://x"),
        run_id="r",
        batch="b",
        started_at="s",
        finished_at="f",
        duration=1.0,
    )
    assert list(record.failures()) == ["POST /v1/videos · timestamps_are_unix_seconds · /created_at"]


def test_to_dict_and_object_normalise_alike() -> None:
    result = check_result()
    assert normalize_result(result) == normalize_result(result.to_dict())


def test_failures_without_a_result(tmp_path: Path) -> None:
    provider = Provider(
        name="p", base_url="http://x", variant="aiid", budget=1, tags=("t",), report_dir=tmp_path / "nope"
    )
    record = record_from(
        None,
        provider=provider,
        run_id="r",
        batch="b",
        started_at="s",
        finished_at="f",
        duration=3.0,
        failure=("timeout", "stopped"),
    )
    assert record.verdict == "timeout" and record.errors == ("stopped",) and record.report_dir is None
    assert record.variant == "aiid" and record.budget == 1 and record.tags == ("t",) and not record.comparable


def test_compact_and_odd_inputs() -> None:
    data = normalize_result({"checks": {"auth": {"status": "fail", "failures": ["plain text finding"]}}})
    assert data["verdict"] == "non-conformant"
    assert data["checks"][0]["failures"][0]["message"] == "plain text finding"
    assert normalize_result({"errors": ["refused"]})["verdict"] == "error"
    assert normalize_result({})["verdict"] == "conformant"
    with pytest.raises(TypeError, match="expected a CheckResult"):
        normalize_result(42)


def test_causes_keep_their_severity_and_stable_key() -> None:
    model = pytest.importorskip("specforge.check.model")
    result = check_result()
    rejected = Diagnostic(code="valid_create_is_accepted", severity=Severity.ERROR, message="create rejected")
    for operation in ("POST /v1/videos", "POST /v1/videos/{id}/remix"):
        result.add_failure(
            model.Failure(
                diagnostic=rejected,
                operation=operation,
                check="valid_create_is_accepted",
                status_code=400,
                kind="create",
            )
        )
    result.operations = [model.OperationSummary("POST /v1/videos", passed=1, failed=1, skipped=2)]
    data = normalize_result(result)
    record = record_from(
        data,
        provider=Provider(name="p", base_url="http://x"),
        run_id="r",
        batch="b",
        started_at="s",
        finished_at="f",
        duration=1.0,
    )
    by_check = {c.check: c for c in record.causes}
    assert by_check["valid_create_is_accepted"].severity == "blocking"
    assert by_check["valid_create_is_accepted"].operations == (
        "POST /v1/videos",
        "POST /v1/videos/{id}/remix",
    )
    assert by_check["timestamps_are_unix_seconds"].severity == "major"
    cause = next(c for c in result.causes if c.check == "valid_create_is_accepted")
    assert by_check["valid_create_is_accepted"].key == f"valid_create_is_accepted · {cause.signature.id}"
    assert record.graded and (record.score, record.index) == (result.score, result.index) == (25.0, 50.0)
    # another night, other ids and timestamps in the messages: the same keys
    again = check_result()
    again.failures = [
        model.Failure(
            diagnostic=Diagnostic(
                code="timestamps_are_unix_seconds",
                severity=Severity.ERROR,
                message="created_at 1800000000000 looks like milliseconds",
                pointer="/created_at",
            ),
            operation="POST /v1/videos",
            check="timestamps_are_unix_seconds",
        )
    ]
    again.refresh_causes()
    assert [c["key"] for c in normalize_result(again)["causes"]] == [
        by_check["timestamps_are_unix_seconds"].key
    ]
