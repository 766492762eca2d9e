from __future__ import annotations

from specforge.check.model import (
    CaseRecord,
    CaseStatus,
    CheckResult,
    CheckSummary,
    Failure,
    InfraIssue,
    JobTrace,
    OperationSummary,
    Verdict,
)
from specforge.core import Diagnostic, Severity


def sample_result() -> CheckResult:
    failure = Failure(
        diagnostic=Diagnostic(
            "timestamps_are_unix_seconds", Severity.ERROR, "created_at is in milliseconds", "/created_at"
        ),
        operation="GET /v1/videos/{video_id}",
        check="timestamps_are_unix_seconds",
        expected="Unix seconds (10 digits)",
        actual="1700000000000",
        status_code=200,
        response_excerpt='{"created_at": 1700000000000}',
        curl="curl -H 'Authorization: Bearer ***' http://127.0.0.1/v1/videos/v1",
        case_id="c1",
    )
    return CheckResult(
        run_id="r1",
        base_url="http://127.0.0.1:1",
        spec_name="canonical",
        spec_hash="abc",
        verdict=Verdict.NON_CONFORMANT,
        budget=None,
        creates_used=2,
        operations=[OperationSummary("POST /v1/videos", creates_job=True, cases=2, passed=1, failed=1)],
        checks=[CheckSummary("timestamps_are_unix_seconds", passed=1, failed=1)],
        failures=[failure],
        infrastructure=[InfraIssue("timeout", "read timed out", "GET /v1/videos", count=3)],
        cases=[CaseRecord("c1", "POST /v1/videos", "lifecycle", CaseStatus.FAILED, ("a",), ("a",), 0.1)],
        jobs=[JobTrace("v1", "POST /v1/videos", ("queued", "completed"), (0, 100), 2, "completed", 0.5)],
    )


def test_result_round_trips_through_dict() -> None:
    result = sample_result()
    again = CheckResult.from_dict(result.to_dict())
    assert again.to_dict() == result.to_dict()
    assert again.failures[0].diagnostic.code == "timestamps_are_unix_seconds"


def test_verdict_rules() -> None:
    result = sample_result()
    assert result.decide_verdict() is Verdict.NON_CONFORMANT
    result.failures.clear()
    # infrastructure issues alone, with nothing checked: no verdict possible
    assert result.decide_verdict() is Verdict.ERROR
    result.cases.append(CaseRecord("c2", "GET /v1/videos", "examples", CaseStatus.PASSED))
    assert result.decide_verdict() is Verdict.CONFORMANT
    result.aborted = "server stopped responding"
    assert result.decide_verdict() is Verdict.ERROR
    assert Verdict.ERROR.exit_code == 3 and Verdict.NON_CONFORMANT.exit_code == 1


def test_infra_issue_is_a_warning_diagnostic() -> None:
    diag = InfraIssue("timeout", "read timed out", count=2).to_diagnostic()
    assert (
        diag.code == "infrastructure.timeout" and diag.severity is Severity.WARNING and "x2" in diag.message
    )


def test_an_unknown_phase_is_one_error_with_a_suggestion_and_the_choices() -> None:
    from pathlib import Path

    import pytest

    from specforge.check.model import CheckOptions
    from specforge.check.runner import plan_check
    from specforge.core import InputError

    with pytest.raises(
        InputError, match=r"unknown phase\(s\): lifecyle \(did you mean `lifecycle`\?\)"
    ) as info:
        plan_check(
            CheckOptions(
                base_url="http://127.0.0.1:9",
                spec=Path(__file__).parent.parent / "fixtures" / "check" / "videos.yaml",
                phases=("lifecyle",),
            )
        )
    assert (
        info.value.hint
        == "choose from: auth, lifecycle, sdk, invalid-input, examples, coverage, fuzzing, stateful"
    )
