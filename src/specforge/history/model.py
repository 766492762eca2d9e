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
UNREACHABLE = frozenset({ERROR, TIMEOUT, CRASHED})

#: statuses of one check on one operation
CHECK_STATUSES = ("passed", "failed", "skipped", "error")

#: failure-key prefix of a breaking change in the provider's spec: a regression of its own
SPEC_KEY = "spec"

#: cause severities, most severe first (``specforge.check.severity``), and ``--fail-on`` levels
SEVERITIES = ("blocking", "major", "minor")
FAIL_ON_LEVELS = (*SEVERITIES, "never")


def reaches(severity: str, fail_on: str) -> bool:
    """Is ``severity`` at least as severe as ``fail_on``? (``never``: nothing is.)"""
    if fail_on not in SEVERITIES or severity not in SEVERITIES:
        return False
    return SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


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
class CauseRecord:
    """One cause of a run (``specforge.check.causes``) as the history keeps it. ``key`` is the
    check plus the cause's signature id (status, error code, message pattern, schema keyword and
    path, with ids and timestamps blanked), so the same defect has the same key every night."""

    key: str
    check: str
    severity: str  # blocking | major | minor
    statement: str = ""
    operations: tuple[str, ...] = ()
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "check": self.check,
            "severity": self.severity,
            "statement": self.statement,
            "operations": list(self.operations),
            "count": self.count,
        }


def cause_key(check: str, signature_id: str) -> str:
    return f"{check} · {signature_id}"


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
    #: the failures clustered into causes, each with its severity (empty for runners and
    #: databases that did not record them: see ``graded``)
    causes: tuple[CauseRecord, ...] = ()
    score: float | None = None  # passed share, 0..100 (``CheckResult.score``)
    index: float | None = None  # how much of the contract the run exercised, 0..100

    @property
    def comparable(self) -> bool:
        """Did the check actually run, so that its failures mean something?"""
        return self.verdict not in UNREACHABLE

    @property
    def graded(self) -> bool:
        """Do we know how severe this run's failures are? False for a run with failures but no
        recorded causes (a custom runner's compact result, a database older than schema v3)."""
        return bool(self.causes) or not any(o.status == "failed" for o in self.checks)

    def causes_by_severity(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for cause in self.causes:
            counts[cause.severity] = counts.get(cause.severity, 0) + 1
        return counts

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
            "score": self.score,
            "index": self.index,
            "counts": self.counts(),
            "causes": [c.to_dict() for c in self.causes],
            "failures": [
                {"key": key, **({"diagnostic": d.to_dict()} if d else {})}
                for key, d in self.failures().items()
            ],
        }


@dataclass(frozen=True)
class RunDiff:
    """A run compared with an earlier one of the same provider.

    ``status``: "baseline" (no earlier comparable run), "not-compared" (this run could not check
    anything), "regressed", "fixed" (fixes only), "changed" (drift only) or "unchanged".

    Failures are compared by failure key (operation, check, pointer); causes by cause key, when
    both runs recorded them (``graded``): ``new_causes`` are causes the earlier run did not
    have or had at a lower severity (``escalated``), ``gone_causes`` those it had and this one
    has not, ``known_causes`` the rest."""

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
    #: both runs recorded their causes with severities, so the cause lists below mean something
    graded: bool = False
    new_causes: tuple[str, ...] = ()
    escalated: tuple[str, ...] = ()  # among new_causes: known before, at a lower severity
    gone_causes: tuple[str, ...] = ()
    known_causes: tuple[str, ...] = ()
    #: cause key -> the cause (this run's; the earlier run's for gone ones)
    causes: dict[str, CauseRecord] = field(default_factory=dict, compare=False)

    def gate(self, fail_on: str) -> tuple[str, ...]:
        """Why this comparison fails a nightly run under ``--fail-on LEVEL`` (empty: it does
        not). A first-seen provider fails on its causes at LEVEL or worse, a known one on new
        (or escalated) causes at LEVEL or worse, and on a breaking change of its spec (clients
        written against the previous spec break) at any level but ``never``. Known, unchanged
        causes never fail. Where severities were not recorded the old gate applies: any new
        failure fails, a first run does not."""
        if fail_on == "never" or self.status == "not-compared":
            return ()
        reasons = []
        breaking = [k for k in self.regressions if k.startswith(f"{SPEC_KEY} · ")]
        if breaking:
            reasons.append(f"{len(breaking)} breaking spec change(s)")
        if self.status == "baseline":
            hits = [k for k, c in self.causes.items() if reaches(c.severity, fail_on)]
            if hits:
                reasons.append(f"first run with {len(hits)} cause(s) at {fail_on} or worse")
        elif self.graded:
            hits = [k for k in self.new_causes if reaches(self.causes[k].severity, fail_on)]
            if hits:
                reasons.append(f"{len(hits)} new cause(s) at {fail_on} or worse")
        else:
            new = [k for k in self.regressions if not k.startswith(f"{SPEC_KEY} · ")]
            if new:
                reasons.append(f"{len(new)} new failure(s), severity not recorded")
        return tuple(reasons)

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
            "graded": self.graded,
            "new_causes": [self._cause(k) for k in self.new_causes],
            "escalated": list(self.escalated),
            "gone_causes": [self._cause(k) for k in self.gone_causes],
            "known_causes": [self._cause(k) for k in self.known_causes],
        }

    def _cause(self, key: str) -> dict[str, Any]:
        cause = self.causes.get(key)
        return cause.to_dict() if cause else {"key": key}


@dataclass(frozen=True)
class TrendPoint:
    run_id: str
    started_at: str
    verdict: str
    failures: int
    score: float | None = None
    index: float | None = None


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
    fail_on: str = "blocking"  # the gate the summary reports (``--fail-on``)

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
        return tuple(row.run.provider for row in self.rows if row.diff.regressions or row.diff.new_causes)

    def failing(self, fail_on: str = "blocking") -> dict[str, tuple[str, ...]]:
        """Provider -> why it fails the run under ``--fail-on`` (see ``RunDiff.gate``)."""
        found = {row.run.provider: row.diff.gate(fail_on) for row in self.rows}
        return {provider: reasons for provider, reasons in found.items() if reasons}

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
