"""Conformance checking of live video-generation endpoints: schemathesis' engine with all its
built-in checks plus specforge's own registered checks (lifecycle, timestamps, round-trip, auth,
invalid input), under a job-creation budget, with a redacted cassette, offline replay and
variant fingerprinting. Only ``specforge.check.engine`` imports schemathesis."""

from specforge.check import events
from specforge.check.model import (
    CaseRecord,
    CaseStatus,
    CheckOptions,
    CheckResult,
    CheckSummary,
    Failure,
    InfraIssue,
    JobTrace,
    OperationSummary,
    Verdict,
)
from specforge.check.runner import run_check

__all__ = [
    "CaseRecord",
    "CaseStatus",
    "CheckOptions",
    "CheckResult",
    "CheckSummary",
    "Failure",
    "InfraIssue",
    "JobTrace",
    "OperationSummary",
    "events",
    "Verdict",
    "run_check",
]
