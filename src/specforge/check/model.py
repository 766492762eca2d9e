"""The result of a conformance check as plain data: what ``run_check`` returns, what every report
renderer and the nightly history store consume, and what ``report.json`` serialises (see
``report.schema.json``). Nothing here imports schemathesis, so history can load old reports
without the engine.

Vocabulary:
- a *case* is one generated or hand-built request/response exchange and the checks run on it
  (one JUnit ``<testcase>``);
- a *failure* is a conformance finding about the endpoint: a ``Diagnostic`` plus the evidence
  (expected vs actual, response excerpt, curl reproduction);
- an *infrastructure issue* is a problem reaching the endpoint (refused, reset, timeout, 429
  after retries, 5xx storm, invalid or oversized body, server gone) — reported apart, never
  counted as non-conformance;
- a *job trace* is one created video job followed from create to a terminal state (or to the job
  timeout, when it stays *pending*).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from specforge.check.causes import Cause, cluster, signature
from specforge.check.causes import add_failure as _add_failure
from specforge.check.causes import counts as causes_by_severity
from specforge.core.diagnostics import Diagnostic

#: Version of the report.json layout; bump the major part on incompatible changes.
SCHEMA_VERSION = "1.2"


#: Phases a live run can go through, in order. The first four are specforge's own (``sdk`` is the
#: OpenAI-SDK compatibility phase);
#: the rest are schemathesis' engine phases.
PHASES = ("auth", "lifecycle", "sdk", "invalid-input", "examples", "coverage", "fuzzing", "stateful")

DEFAULT_TOKEN_ENV = "SPECFORGE_TOKEN"


@dataclass(frozen=True)
class CheckOptions:
    """What to check and how. Exactly one of ``spec`` (a file), ``variant`` (canonical + that
    variant's overlay) or ``spec_data`` (an already-loaded document) picks the spec; none of them
    means the canonical spec (``config.canonical``).

    ``budget``: how many job-creating requests may be sent; None picks the default (1 for a
    remote host, unlimited for 127.0.0.1/localhost/::1). ``no_create`` sends none at all.
    The token is read from the environment variable ``token_env`` only, never from a flag."""

    base_url: str
    spec: Path | None = None
    variant: str | None = None
    spec_data: dict[str, Any] | None = None
    spec_name: str | None = None
    config: Any = None  # specforge.core.Config; Any to keep this module import-light
    token_env: str = DEFAULT_TOKEN_ENV
    budget: int | None = None
    no_create: bool = False
    max_examples: int = 20
    seed: int | None = None
    workers: int = 1
    poll_interval: float = 2.0
    job_timeout: float = 600.0
    request_timeout: float = 30.0
    phases: tuple[str, ...] = PHASES
    #: hold operations that document no 4xx at all to their documented statuses (default: their
    #: error responses are implicit, see ``specforge.check.spec.with_implicit_errors``)
    strict_statuses: bool = False
    #: the OpenAI-SDK phase: None = only against the OpenAI contract (the canonical spec or
    #: ``variant="openai"``), True = always (e.g. a ``--spec`` file of an OpenAI-compatible API), False = never
    sdk: bool | None = None
    #: (label, secret) pairs masked like the token in every output; a response that carried one is
    #: marked in its cassette entry (``relay-check`` watches for the relay's upstream key)
    secrets: tuple[tuple[str, str], ...] = ()
    run_id: str | None = None
    #: subscribed to the run's event stream (``check.events``): terminal progress, report writers
    handlers: tuple[Callable[[Any], None], ...] = ()


_SECONDS = {"type": "number", "format": "finite"}
#: JSON Schema of every CheckOptions field a config file may set ([check] in specforge.toml with
#: hyphens, providers.toml ``check = {...}`` with underscores): one definition for both.
OPTION_SCHEMAS: dict[str, dict[str, Any]] = {
    "max_examples": {"type": "integer", "minimum": 1},
    "seed": {"type": "integer"},
    "workers": {"type": "integer", "minimum": 1, "maximum": 64},
    "budget": {"type": "integer", "minimum": 0},
    "no_create": {"type": "boolean"},
    "poll_interval": {**_SECONDS, "minimum": 0},
    "job_timeout": {**_SECONDS, "exclusiveMinimum": 0},
    "request_timeout": {**_SECONDS, "exclusiveMinimum": 0},
    "token_env": {
        "type": "string",
        "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
        "x-expect": "an environment variable name",
        "x-fix": "give the NAME of the variable holding the token (e.g. ACME_API_KEY), never the token",
    },
    "strict_statuses": {"type": "boolean"},
    "spec_name": {"type": "string"},
    "phases": {
        "type": "array",
        "items": {"enum": list(PHASES), "x-fix": f"choose from {', '.join(PHASES)}"},
        "minItems": 1,
        "uniqueItems": True,
        "x-fix": f"choose from {', '.join(PHASES)}",
    },
}


def options_schema(names: Any, *, hyphens: bool = False) -> dict[str, Any]:
    """The schema of a table setting the CheckOptions fields ``names`` (``max-examples`` style
    keys with ``hyphens``)."""
    key = (lambda n: n.replace("_", "-")) if hyphens else (lambda n: n)
    return {
        "type": "object",
        "properties": {key(n): OPTION_SCHEMAS.get(n, {}) for n in sorted(names)},
        "additionalProperties": False,
    }


class Verdict(StrEnum):
    CONFORMANT = "conformant"
    NON_CONFORMANT = "non-conformant"
    ERROR = "error"

    @property
    def exit_code(self) -> int:
        """0 conformant, 1 non-conformant, 3 endpoint unreachable or run aborted."""
        return {"conformant": 0, "non-conformant": 1, "error": 3}[self.value]


class CaseStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # infrastructure problem: no verdict on this case
    SKIPPED = "skipped"  # e.g. not sent because the create budget was spent


@dataclass(frozen=True, slots=True)
class Failure:
    """One conformance finding with its evidence. ``diagnostic.code`` is the check name
    (``response_schema_conformance``, ``timestamps_are_unix_seconds`` ...). One detail stands for
    every repeat of the same signature on its operation (``occurrences``, ``cassette`` seqs);
    ``specforge.check.causes`` clusters details into causes.

    ``kind`` is the operation kind (create, retrieve, content, ...), ``keyword`` the JSON Schema
    keyword of a schema failure, ``source`` who found it (check, sdk, relay) and ``severity`` an
    explicit level overriding the rules of ``specforge.check.severity``."""

    diagnostic: Diagnostic
    operation: str  # "POST /v1/videos"
    check: str
    expected: str = ""
    actual: str = ""
    status_code: int | None = None
    response_excerpt: str = ""
    curl: str = ""  # reproduction, token redacted as `Bearer ***`
    case_id: str = ""
    kind: str = ""
    keyword: str = ""
    source: str = "check"
    severity: str = ""
    occurrences: int = 1
    cassette: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "diagnostic": self.diagnostic.to_dict(),
            "kind": self.kind,
            "keyword": self.keyword,
            "source": self.source,
            "severity": self.severity,
            "occurrences": self.occurrences,
            "cassette": list(self.cassette),
            "operation": self.operation,
            "check": self.check,
            "expected": self.expected,
            "actual": self.actual,
            "status_code": self.status_code,
            "response_excerpt": self.response_excerpt,
            "curl": self.curl,
            "case_id": self.case_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Failure:
        return cls(
            diagnostic=Diagnostic.from_dict(data["diagnostic"]),
            operation=data["operation"],
            check=data["check"],
            expected=data.get("expected", ""),
            actual=data.get("actual", ""),
            status_code=data.get("status_code"),
            response_excerpt=data.get("response_excerpt", ""),
            curl=data.get("curl", ""),
            case_id=data.get("case_id", ""),
            kind=data.get("kind", ""),
            keyword=data.get("keyword", ""),
            source=data.get("source", "check"),
            severity=data.get("severity", ""),
            occurrences=int(data.get("occurrences", 1)),
            cassette=tuple(data.get("cassette", ())),
        )


#: infrastructure kinds that leave a run without evidence: its verdict cannot be "conformant"
NO_EVIDENCE = frozenset({"auth_failed", "no_cases"})


@dataclass(frozen=True, slots=True)
class InfraIssue:
    """A problem reaching the endpoint. ``kind`` is one of: connection_refused, connection_reset,
    timeout (including a request over its total deadline), rate_limited, server_errors,
    invalid_response, oversized_response, server_gone, aborted, engine_error, auth_failed
    (every answer to the run's credentials was 401/403), no_cases (nothing was exercised)."""

    kind: str
    message: str
    operation: str = ""
    url: str = ""
    count: int = 1

    def to_diagnostic(self) -> Diagnostic:
        """The same issue as a Diagnostic, for stores that take one input type."""
        from specforge.core.diagnostics import Severity

        return Diagnostic(
            code=f"infrastructure.{self.kind}",
            severity=Severity.WARNING,
            message=f"{self.message} (x{self.count})" if self.count > 1 else self.message,
            pointer=self.operation,
            file=self.url or None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "operation": self.operation,
            "url": self.url,
            "count": self.count,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InfraIssue:
        return cls(
            kind=data["kind"],
            message=data["message"],
            operation=data.get("operation", ""),
            url=data.get("url", ""),
            count=data.get("count", 1),
        )


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """One exchange and the checks run on it (a JUnit testcase; passed ones included)."""

    id: str
    operation: str
    phase: (
        str  # "lifecycle", "auth", "invalid-input", "examples", "coverage", "fuzzing", "stateful", "replay"
    )
    status: CaseStatus
    checks: tuple[str, ...] = ()
    failed_checks: tuple[str, ...] = ()
    duration: float = 0.0
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "operation": self.operation,
            "phase": self.phase,
            "status": self.status.value,
            "checks": list(self.checks),
            "failed_checks": list(self.failed_checks),
            "duration": self.duration,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseRecord:
        return cls(
            id=data["id"],
            operation=data["operation"],
            phase=data["phase"],
            status=CaseStatus(data["status"]),
            checks=tuple(data.get("checks", ())),
            failed_checks=tuple(data.get("failed_checks", ())),
            duration=data.get("duration", 0.0),
            message=data.get("message", ""),
        )


@dataclass(frozen=True, slots=True)
class OperationSummary:
    """Counts per API operation (``label`` is "METHOD /path"), with its index and score (see
    ``index`` and ``score``)."""

    label: str
    creates_job: bool = False
    cases: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    kind: str = "other"

    @property
    def planned(self) -> int:
        """Cases the run meant to judge: those sent and answered, plus those the budget (or
        --no-create) held back; infrastructure errors judge nothing and are left out."""
        return self.passed + self.failed + self.skipped

    @property
    def index(self) -> float:
        """Microcks-style conformance index, 0..100: how much of this operation the run could
        exercise (judged cases over planned ones); 0 when nothing was planned."""
        return round(100.0 * (self.passed + self.failed) / self.planned, 1) if self.planned else 0.0

    @property
    def score(self) -> float:
        """Passed share of the planned cases, 0..100: never above ``index``."""
        return round(100.0 * self.passed / self.planned, 1) if self.planned else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "creates_job": self.creates_job,
            "cases": self.cases,
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "skipped": self.skipped,
            "index": self.index,
            "score": self.score,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OperationSummary:
        return cls(
            **{
                k: data[k] for k in ("label", "creates_job", "cases", "passed", "failed", "errors", "skipped")
            },
            kind=data.get("kind", "other"),
        )


@dataclass(frozen=True, slots=True)
class CheckSummary:
    """Counts per check; ``origin`` is "schemathesis" (built-in) or "specforge"."""

    name: str
    origin: str = "specforge"
    passed: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "origin": self.origin, "passed": self.passed, "failed": self.failed}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckSummary:
        return cls(
            name=data["name"],
            origin=data.get("origin", "specforge"),
            passed=data["passed"],
            failed=data["failed"],
        )


@dataclass(frozen=True, slots=True)
class JobTrace:
    """One created job followed through its lifecycle. ``outcome``: completed, failed, pending
    (still queued/in_progress at the job timeout — not a failure), lost (polling failed, or the job
    vanished), deleted (this run's own DELETE, sent by schemathesis' phases, removed it mid-poll)."""

    job_id: str
    operation: str
    statuses: tuple[str, ...] = ()
    progress: tuple[int, ...] = ()
    polls: int = 0
    outcome: str = "pending"
    duration: float = 0.0
    content_type: str | None = None
    content_bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "operation": self.operation,
            "statuses": list(self.statuses),
            "progress": list(self.progress),
            "polls": self.polls,
            "outcome": self.outcome,
            "duration": self.duration,
            "content_type": self.content_type,
            "content_bytes": self.content_bytes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobTrace:
        return cls(
            job_id=data["job_id"],
            operation=data["operation"],
            statuses=tuple(data.get("statuses", ())),
            progress=tuple(data.get("progress", ())),
            polls=data.get("polls", 0),
            outcome=data.get("outcome", "pending"),
            duration=data.get("duration", 0.0),
            content_type=data.get("content_type"),
            content_bytes=data.get("content_bytes"),
        )


@dataclass(frozen=True, slots=True)
class SdkCall:
    """One call of an official OpenAI SDK (the ``sdk`` phase) and what became of it. ``outcome``:
    works, fails (``why`` says how), skipped (``why`` says why: budget, not documented, no job)."""

    call: str
    outcome: str
    why: str = ""
    operation: str = ""
    sdk: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "call": self.call,
            "outcome": self.outcome,
            "why": self.why,
            "operation": self.operation,
            "sdk": self.sdk,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SdkCall:
        return cls(
            data["call"], data["outcome"], data.get("why", ""), data.get("operation", ""), data.get("sdk", "")
        )


@dataclass
class CheckResult:
    """Everything one ``specforge check`` run found. ``budget`` None means unlimited."""

    run_id: str
    base_url: str
    spec_name: str
    spec_hash: str
    variant: str | None = None
    verdict: Verdict = Verdict.CONFORMANT
    started: str = ""  # ISO 8601 UTC
    finished: str = ""
    duration: float = 0.0
    budget: int | None = None
    budget_source: str = ""  # why this budget: --budget, --no-create, or the default and its reason
    creates_used: int = 0
    creates_blocked: int = 0
    #: what the budget kept from running: {phase, operation, requests, estimated, what}
    prevented: list[dict[str, Any]] = field(default_factory=list)
    budget_needed: int | None = None  # the budget that would have run everything prevented
    no_create: bool = False
    seed: int | None = None
    max_examples: int | None = None
    mode: str = "live"  # "live" or "replay"
    operations: list[OperationSummary] = field(default_factory=list)
    checks: list[CheckSummary] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    #: the failures clustered into causes, most severe first (``refresh_causes`` rebuilds them)
    causes: list[Cause] = field(default_factory=list)
    infrastructure: list[InfraIssue] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    jobs: list[JobTrace] = field(default_factory=list)
    #: the OpenAI-SDK compatibility phase: one entry per SDK call (empty when the phase did not run)
    sdk: list[SdkCall] = field(default_factory=list)
    aborted: str | None = None  # why the run stopped early, if it did
    notes: list[str] = field(default_factory=list)  # what the run assumed or could not do
    cassette: str | None = None  # file name of the cassette, relative to the report folder
    tool_versions: dict[str, str] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION
    #: the redacted cassette entries of a live run (not part of report.json; written as cassette.jsonl)
    exchanges: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)
    _index: dict[Any, int] = field(default_factory=dict, repr=False, compare=False)

    def add_failure(self, failure: Failure, *, refresh: bool = True) -> Failure:
        """The one way to add a finding (checks, the SDK phase, relay mismatches): a repeat of a
        kept detail (same operation, same signature) is folded into it, and the causes are
        rebuilt (``refresh=False`` defers that to one ``refresh_causes`` call). Returns the kept
        detail."""
        if len(self._index) != len(self.failures):  # the list was edited directly: re-index it
            self._index = {(f.operation, signature(f)): i for i, f in enumerate(self.failures)}
        kept = _add_failure(self.failures, failure, self._index)
        if refresh:
            self.refresh_causes()
        return kept

    def refresh_causes(self) -> list[Cause]:
        self.causes = cluster(self.failures)
        return self.causes

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every conformance failure as a Diagnostic (the history store's input type)."""
        return [f.diagnostic for f in self.failures]

    @property
    def exit_code(self) -> int:
        """The verdict's exit code, except that an aborted (e.g. interrupted) run exits 3 even
        when it found failures: its verdict still names them, but the run is incomplete."""
        return 3 if self.aborted else self.verdict.exit_code

    def exit_code_for(self, fail_on: str | None = None) -> int:
        """The exit code under ``--fail-on LEVEL``: a non-conformant run exits 1 only when a
        cause at LEVEL or worse was found (0 otherwise, 3 if it was also aborted). None keeps
        today's rule: any failure exits 1."""
        if fail_on is None or self.verdict is not Verdict.NON_CONFORMANT:
            return self.exit_code
        if any(c.severity.reaches(fail_on) for c in self.causes):
            return 1
        return 3 if self.aborted else 0

    @property
    def index(self) -> float:
        """How much of the contract this run could exercise, 0..100: the mean index over the
        spec's operations (an operation nothing was sent to counts 0)."""
        ops = [o for o in self.operations if o.kind != "undocumented"]
        return round(sum(o.index for o in ops) / len(ops), 1) if ops else 0.0

    @property
    def score(self) -> float:
        """Passed share, 0..100, averaged like ``index`` and so never above it."""
        ops = [o for o in self.operations if o.kind != "undocumented"]
        return round(min(self.index, sum(o.score for o in ops) / len(ops)), 1) if ops else 0.0

    def decide_verdict(self) -> Verdict:
        """Non-conformant when any failure was found (even in an aborted run: the finding is
        real); error when the run was aborted or there is no evidence (authentication never
        succeeded, or no case was exercised); else conformant. Never green without evidence."""
        if self.failures:
            return Verdict.NON_CONFORMANT
        if self.aborted:
            return Verdict.ERROR
        if any(i.kind in NO_EVIDENCE for i in self.infrastructure):
            return Verdict.ERROR
        if not any(c.status in (CaseStatus.PASSED, CaseStatus.FAILED) for c in self.cases):
            return Verdict.ERROR
        if self.infrastructure and not any(c.status == CaseStatus.PASSED for c in self.cases):
            return Verdict.ERROR
        return Verdict.CONFORMANT

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "run_id": self.run_id,
            "mode": self.mode,
            "base_url": self.base_url,
            "spec": {"name": self.spec_name, "sha256": self.spec_hash, "variant": self.variant},
            "verdict": self.verdict.value,
            "started": self.started,
            "finished": self.finished,
            "duration": self.duration,
            "budget": {
                "limit": self.budget,
                "source": self.budget_source,
                "creates_used": self.creates_used,
                "creates_blocked": self.creates_blocked,
                "no_create": self.no_create,
                "prevented": [dict(p) for p in self.prevented],
                "needed": self.budget_needed,
            },
            "seed": self.seed,
            "max_examples": self.max_examples,
            "aborted": self.aborted,
            "notes": list(self.notes),
            "cassette": self.cassette,
            "tool_versions": dict(self.tool_versions),
            "summary": {
                "cases": len(self.cases),
                "passed": sum(1 for c in self.cases if c.status == CaseStatus.PASSED),
                "failed": sum(1 for c in self.cases if c.status == CaseStatus.FAILED),
                "errors": sum(1 for c in self.cases if c.status == CaseStatus.ERROR),
                "skipped": sum(1 for c in self.cases if c.status == CaseStatus.SKIPPED),
                "failures": len(self.failures),
                "causes": len(self.causes),
                "causes_by_severity": causes_by_severity(self.causes),
                "index": self.index,
                "score": self.score,
                "infrastructure": len(self.infrastructure),
            },
            "operations": [o.to_dict() for o in self.operations],
            "checks": [c.to_dict() for c in self.checks],
            "causes": [c.to_dict() for c in self.causes],
            "failures": [f.to_dict() for f in self.failures],
            "infrastructure": [i.to_dict() for i in self.infrastructure],
            "jobs": [j.to_dict() for j in self.jobs],
            "sdk": [s.to_dict() for s in self.sdk],
            "cases": [c.to_dict() for c in self.cases],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        spec = data.get("spec", {})
        budget = data.get("budget", {})
        return cls(
            schema_version=data.get("schema_version", SCHEMA_VERSION),
            run_id=data["run_id"],
            mode=data.get("mode", "live"),
            base_url=data["base_url"],
            spec_name=spec.get("name", ""),
            spec_hash=spec.get("sha256", ""),
            variant=spec.get("variant"),
            verdict=Verdict(data["verdict"]),
            started=data.get("started", ""),
            finished=data.get("finished", ""),
            duration=data.get("duration", 0.0),
            budget=budget.get("limit"),
            budget_source=budget.get("source", ""),
            prevented=[dict(p) for p in budget.get("prevented", [])],
            budget_needed=budget.get("needed"),
            creates_used=budget.get("creates_used", 0),
            creates_blocked=budget.get("creates_blocked", 0),
            no_create=budget.get("no_create", False),
            seed=data.get("seed"),
            max_examples=data.get("max_examples"),
            aborted=data.get("aborted"),
            notes=list(data.get("notes", [])),
            cassette=data.get("cassette"),
            tool_versions=dict(data.get("tool_versions", {})),
            operations=[OperationSummary.from_dict(o) for o in data.get("operations", [])],
            checks=[CheckSummary.from_dict(c) for c in data.get("checks", [])],
            failures=[Failure.from_dict(f) for f in data.get("failures", [])],
            causes=[Cause.from_dict(c) for c in data["causes"]]
            if "causes" in data
            else cluster([Failure.from_dict(f) for f in data.get("failures", [])]),
            infrastructure=[InfraIssue.from_dict(i) for i in data.get("infrastructure", [])],
            jobs=[JobTrace.from_dict(j) for j in data.get("jobs", [])],
            sdk=[SdkCall.from_dict(s) for s in data.get("sdk", [])],
            cases=[CaseRecord.from_dict(c) for c in data.get("cases", [])],
        )
