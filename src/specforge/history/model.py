"""Plain data records of the nightly history: one provider's run, the comparison with its previous
run, and the summary of one nightly batch. Renderers take these; nothing here does I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specforge.core.diagnostics import Diagnostic

#: verdicts a run can have; the last three mean "nothing could be compared"
CONFORMANT = "conformant"
NON_CONFORMANT = "non-conformant"
ERROR = "error"  # the check ran but could not reach / finish against the endpoint
TIMEOUT = "timeout"  # the provider's run exceeded its timeout and was stopped
CRASHED = "crashed"  # the runner itself died (exception, killed worker)
VERDICTS = (CONFORMANT, NON_CONFORMANT, ERROR, TIMEOUT, CRASHED)
UNREACHABLE = frozenset({ERROR, TIMEOUT, CRASHED})

#: statuses of one check on one operation
CHECK_STATUSES = ("passed", "failed", "skipped", "error")


@dataclass(frozen=True)
class CheckOutcome:
    """One check on one operation in one run; ``failures`` are its findings."""

    check: str
    operation: str
    status: str
    failures: tuple[Diagnostic, ...] = ()


def failure_key(check: str, operation: str, diagnostic: Diagnostic | None) -> str:
    """Stable identity of a failure across runs: what failed where, without the message (messages
    carry ids, timestamps and response excerpts that change every night)."""
    parts = [operation or "*", check or "*"]
    if diagnostic is not None:
        if diagnostic.code != check:  # check's findings are coded by the check's own name
            parts.append(diagnostic.code)
        if diagnostic.pointer:
            parts.append(diagnostic.pointer)
    return " · ".join(parts)


@dataclass(frozen=True)
class RunRecord:
    """Everything the history keeps about one provider's run."""

    run_id: str
    batch: str
    provider: str
    base_url: str
    variant: str | None
    verdict: str
    started_at: str  # ISO 8601, UTC, millisecond precision (runs order by it)
    finished_at: str
    duration: float
    spec_name: str = ""
    spec_hash: str = ""
    source_hash: str = ""
    creates_used: int = 0
    budget: int | None = None
    checks: tuple[CheckOutcome, ...] = ()
    errors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    report_dir: str | None = None
    check_run_id: str | None = None
    shard: str | None = None

    @property
    def comparable(self) -> bool:
        """Did the check actually run, so that its failures mean something?"""
        return self.verdict not in UNREACHABLE

    def failures(self) -> dict[str, Diagnostic | None]:
        """Failure key -> one representative finding (None when the check gave no detail)."""
        found: dict[str, Diagnostic | None] = {}
        for outcome in self.checks:
            if outcome.status != "failed":
                continue
            if not outcome.failures:
                found.setdefault(failure_key(outcome.check, outcome.operation, None), None)
            for diagnostic in outcome.failures:
                found.setdefault(failure_key(outcome.check, outcome.operation, diagnostic), diagnostic)
        return found

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(CHECK_STATUSES, 0)
        for outcome in self.checks:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "batch": self.batch,
            "provider": self.provider,
            "base_url": self.base_url,
            "variant": self.variant,
            "verdict": self.verdict,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration": round(self.duration, 3),
            "spec_name": self.spec_name,
            "spec_hash": self.spec_hash,
            "source_hash": self.source_hash,
            "creates_used": self.creates_used,
            "budget": self.budget,
            "errors": list(self.errors),
            "tags": list(self.tags),
            "report_dir": self.report_dir,
            "check_run_id": self.check_run_id,
            "shard": self.shard,
            "counts": self.counts(),
            "failures": [
                {"key": key, **({"diagnostic": d.to_dict()} if d else {})}
                for key, d in self.failures().items()
            ],
        }


@dataclass(frozen=True)
class RunDiff:
    """A run compared with an earlier one of the same provider.

    ``status``: "baseline" (no earlier comparable run), "not-compared" (this run could not check
    anything), "regressed", "fixed" (fixes only), "changed" (drift only) or "unchanged"."""

    provider: str
    current: str
    previous: str | None
    status: str
    regressions: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    spec_drift: tuple[str, ...] = ()
    #: the spec's classified changes between the two runs (``specforge.diff``; breaking = error)
    spec_changes: tuple[Diagnostic, ...] = ()
    previous_verdict: str | None = None
    current_verdict: str | None = None
    details: dict[str, Diagnostic | None] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "current": self.current,
            "previous": self.previous,
            "status": self.status,
            "previous_verdict": self.previous_verdict,
            "current_verdict": self.current_verdict,
            "regressions": list(self.regressions),
            "fixes": list(self.fixes),
            "unchanged": list(self.unchanged),
            "spec_drift": list(self.spec_drift),
            "spec_changes": [d.to_dict() for d in self.spec_changes],
        }


@dataclass(frozen=True)
class TrendPoint:
    run_id: str
    started_at: str
    verdict: str
    failures: int


@dataclass(frozen=True)
class ProviderRow:
    """One provider's line in the nightly summary."""

    run: RunRecord
    diff: RunDiff
    trend: tuple[TrendPoint, ...]
    report_link: str | None = None  # relative to the summary's folder


@dataclass(frozen=True)
class NightlySummary:
    """One nightly batch (possibly merged from several shards)."""

    batch: str
    date: str
    generated_at: str
    rows: tuple[ProviderRow, ...]
    trend_runs: int = 10

    @property
    def regressions(self) -> int:
        return sum(len(row.diff.regressions) for row in self.rows)

    @property
    def fixes(self) -> int:
        return sum(len(row.diff.fixes) for row in self.rows)

    @property
    def unreachable(self) -> tuple[str, ...]:
        return tuple(row.run.provider for row in self.rows if not row.run.comparable)

    @property
    def regressed(self) -> tuple[str, ...]:
        return tuple(row.run.provider for row in self.rows if row.diff.regressions)

    def totals(self) -> dict[str, int]:
        verdicts: dict[str, int] = {}
        for row in self.rows:
            verdicts[row.run.verdict] = verdicts.get(row.run.verdict, 0) + 1
        return {
            "providers": len(self.rows),
            "regressions": self.regressions,
            "fixes": self.fixes,
            "regressed_providers": len(self.regressed),
            "unreachable_providers": len(self.unreachable),
            "spec_drift": sum(1 for row in self.rows if row.diff.spec_drift),
            **{f"verdict_{k}": v for k, v in sorted(verdicts.items())},
        }
