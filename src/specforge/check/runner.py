"""``run_check``: resolve the spec, budget and token, run specforge's scenarios and schemathesis'
phases through one Gate, and fold everything into a ``CheckResult``. Endpoint faults never raise:
they end up in ``result.infrastructure`` / ``result.aborted``."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from specforge import __version__
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
    ProgressEvent,
)
from specforge.check.redact import Redactor
from specforge.check.registry import REGISTRY
from specforge.check.spec import LoadedSpec, SpecModel, load_spec
from specforge.check.transport import GATEWAY_STATUSES, Budget, Cassette, Gate, default_budget
from specforge.core import Diagnostic, InputError, Severity

CASSETTE_NAME = "cassette.jsonl"
SPECFORGE_PHASES = ("auth", "lifecycle", "invalid-input")


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def resolve_budget(options: CheckOptions) -> int | None:
    if options.no_create:
        return 0
    if options.budget is not None:
        if options.budget < 0:
            raise InputError("--budget must be 0 or more", hint="use --budget 0 or --no-create to send no create")
        return options.budget
    return default_budget(options.base_url)


def read_token(token_env: str) -> str | None:
    """The token comes from the environment only (never a flag, never a file)."""
    return os.environ.get(token_env) or None


def _validate_options(options: CheckOptions) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(options.base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"not an http(s) URL: {options.base_url!r}", hint="pass e.g. https://api.example.com")
    if options.max_examples < 1:
        raise InputError("--max-examples must be at least 1")
    if options.workers < 1:
        raise InputError("--workers must be at least 1")
    if options.job_timeout <= 0 or options.poll_interval < 0:
        raise InputError("--job-timeout must be positive and --poll-interval not negative")
    unknown = [p for p in options.phases if p not in ("auth", "lifecycle", "invalid-input", "examples", "coverage", "fuzzing", "stateful")]
    if unknown:
        raise InputError(f"unknown phase(s): {', '.join(unknown)}")


def run_check(options: CheckOptions, *, report_dir: Path | None = None) -> CheckResult:
    """Check ``options.base_url`` against the chosen spec. Raises ``InputError`` only for bad
    input (spec, flags); endpoint problems are in the result. When ``report_dir`` is given the
    cassette is streamed to ``report_dir/cassette.jsonl`` while the run goes."""
    _validate_options(options)
    loaded = load_spec(spec=options.spec, variant=options.variant, spec_data=options.spec_data,
                       spec_name=options.spec_name, config=options.config)
    token = read_token(options.token_env)
    redactor = Redactor(token)
    budget = Budget(resolve_budget(options))
    cassette = Cassette(report_dir / CASSETTE_NAME if report_dir else None, redactor)
    gate = Gate(budget=budget, cassette=cassette, redactor=redactor, no_create=options.no_create)
    run = _Run(options, loaded, gate, redactor)
    try:
        run.execute()
    except KeyboardInterrupt:
        run.result.aborted = "interrupted by the user"
    except Exception as exc:  # noqa: BLE001 - an engine crash still yields a (partial) report
        run.result.aborted = redactor.text(f"internal error: {type(exc).__name__}: {exc}")
    finally:
        cassette.close()
    run.finish()
    if report_dir is not None:
        run.result.cassette = CASSETTE_NAME
    return run.result


class _Run:
    def __init__(self, options: CheckOptions, loaded: LoadedSpec, gate: Gate, redactor: Redactor) -> None:
        from specforge.check import engine

        self.options = options
        self.loaded = loaded
        self.gate = gate
        self.redactor = redactor
        self.spec = SpecModel.of(loaded.data)
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.result = CheckResult(
            run_id=options.run_id or new_run_id(),
            base_url=options.base_url,
            spec_name=loaded.name,
            spec_hash=loaded.sha256,
            variant=loaded.variant,
            started=_now(),
            budget=gate.budget.limit,
            no_create=options.no_create,
            seed=options.seed,
            max_examples=options.max_examples,
            tool_versions={"specforge": __version__, "schemathesis": engine.VERSION},
        )
        self.case_checks: Counter[tuple[str, str]] = Counter()
        self.origins: dict[str, str] = {}

    def progress(self, kind: str, phase: str, message: str = "", status: str | None = None) -> None:
        callback: Callable[[ProgressEvent], None] | None = self.options.progress
        if callback is not None:
            callback(ProgressEvent(kind, phase, self.redactor.text(message), status))

    # -- phases --------------------------------------------------------------------------------

    def execute(self) -> None:
        from specforge.check import engine
        from specforge.check.lifecycle import Scenario

        options = self.options
        headers = {"Authorization": f"Bearer {self._token()}"} if self._token() else {}
        engine_phases = tuple(p for p in options.phases if p in engine.ENGINE_PHASES)
        schema = engine.load_schema(
            self.loaded.data, options.base_url, spec=self.spec, headers=headers, max_examples=options.max_examples,
            seed=options.seed, workers=options.workers, request_timeout=options.request_timeout,
            phases=engine_phases or engine.ENGINE_PHASES,
        )
        if not self._reachable(engine.api_base_url(options.base_url, self.spec)):
            return
        scenario = Scenario(
            spec=self.spec, gate=self.gate, base_url=engine.api_base_url(options.base_url, self.spec),
            token=self._token(), validate=lambda response, body: engine.validate(schema, response, red=self.redactor, body=body),
            poll_interval=options.poll_interval, job_timeout=options.job_timeout, request_timeout=options.request_timeout,
            on_case=self.add_case,
        )
        for phase, step in (("auth", scenario.auth), ("lifecycle", scenario.lifecycle), ("invalid-input", scenario.invalid_inputs)):
            if phase in options.phases and not self.result.aborted:
                self.progress("phase", phase, f"{phase} scenario")
                step()
                self._check_gone()
        for trace in scenario.jobs:
            self.result.jobs.append(JobTrace.from_dict(trace))
        if not engine_phases or self.result.aborted:
            return
        self.progress("phase", "schemathesis", "schemathesis phases: " + ", ".join(engine_phases))
        exclude: tuple[str, ...] = ()
        if self.gate.no_create or self.gate.budget.remaining == 0:
            # planning: nothing that can create a job is generated once the budget is spent
            # (the Gate still blocks anything that slips through, e.g. a shrink or a replay)
            exclude = ("POST", "PUT", "PATCH")
            for op in self.spec.operations:
                if op.creates_job:
                    self.add_skipped(op.label, "schemathesis", "not generated: the create budget is spent" if not self.gate.no_create else "not generated: --no-create")
        outcome = engine.run_engine(schema, gate=self.gate, spec=self.spec, exclude_methods=exclude, on_case=self.add_case)
        for kind, label, message in outcome.errors:
            if kind == "server_gone":
                self.result.aborted = "the server stopped responding during schemathesis' phases"
            elif kind == "engine_error":
                self._infra(InfraIssue("engine_error", message, label))
        if outcome.fatal:
            self.result.aborted = f"schemathesis stopped: {outcome.fatal}"

    def _token(self) -> str | None:
        return self.redactor.token

    def _reachable(self, api_url: str) -> bool:
        """One cheap GET: an unreachable endpoint aborts the run before anything is generated."""
        session = requests.Session()
        try:
            session.get(api_url, timeout=min(self.options.request_timeout, 10.0))
        except requests.RequestException as exc:
            from specforge.check.transport import classify

            kind = classify(exc)
            if kind in ("connection_refused", "timeout", "network_error") or "Name or service" in str(exc):
                self._infra(InfraIssue(kind, self.redactor.text(f"cannot reach {api_url}: {exc}"), url=api_url))
                self.result.aborted = f"endpoint unreachable ({kind.replace('_', ' ')})"
                return False
        finally:
            session.close()
        return True

    def _check_gone(self) -> None:
        recent = self.gate.issues[-3:]
        if len(recent) == 3 and all(i.kind == "connection_refused" for i in recent):
            self.result.aborted = "the server stopped responding (connection refused)"

    # -- results -------------------------------------------------------------------------------

    def add_case(self, case: Any) -> None:
        from specforge.check.engine import EngineCase

        assert isinstance(case, EngineCase)
        if case.status_code in GATEWAY_STATUSES or case.status_code == 429:
            # an overloaded gateway or rate limit says nothing about conformance: infrastructure
            case.failures = []
            case.error = case.error or f"HTTP {case.status_code} (infrastructure, see report)"
        with self.lock:
            if case.error_kind == "budget":
                status = CaseStatus.SKIPPED
            elif case.failures:
                status = CaseStatus.FAILED
            elif case.error or case.status_code in (429, 502, 503, 504):
                status = CaseStatus.ERROR
            else:
                status = CaseStatus.PASSED
            checks = tuple(dict.fromkeys([*case.passed, *(f.check for f in case.failures)]))
            for name in case.passed:
                self.case_checks[(name, "passed")] += 1
                self.origins.setdefault(name, "specforge" if name in REGISTRY else "schemathesis")
            seen: set[tuple[str, str, str]] = set()
            for f in case.failures:
                key = (f.check, f.pointer, f.message)
                if key in seen:
                    continue
                seen.add(key)
                self.case_checks[(f.check, "failed")] += 1
                self.origins.setdefault(f.check, f.origin)
                self.result.failures.append(Failure(
                    diagnostic=Diagnostic(
                        code=f.check, severity=Severity.ERROR, message=f.message, pointer=f.pointer,
                        file=self.loaded.name, variants=(self.loaded.variant,) if self.loaded.variant else (), hint=f.hint,
                    ),
                    operation=case.operation, check=f.check, expected=f.expected, actual=f.actual,
                    status_code=case.status_code, response_excerpt=case.response_excerpt, curl=case.curl, case_id=case.id,
                ))
            message = case.error or "; ".join(f"{f.check}: {f.message}" for f in case.failures)
            self.result.cases.append(CaseRecord(
                id=case.id, operation=case.operation, phase=case.phase, status=status, checks=checks,
                failed_checks=tuple(dict.fromkeys(f.check for f in case.failures)), duration=round(case.elapsed, 4),
                message=self.redactor.text(message)[:500],
            ))
        self.progress("case", case.phase, f"{case.operation} {status.value}", status.value)

    def add_skipped(self, label: str, phase: str, why: str) -> None:
        with self.lock:
            self.result.cases.append(CaseRecord(id=f"skipped-{label}", operation=label, phase=phase, status=CaseStatus.SKIPPED, message=why))

    def _infra(self, issue: InfraIssue) -> None:
        for i, existing in enumerate(self.result.infrastructure):
            if (existing.kind, existing.operation) == (issue.kind, issue.operation):
                self.result.infrastructure[i] = InfraIssue(existing.kind, existing.message, existing.operation, existing.url, existing.count + 1)
                return
        self.result.infrastructure.append(issue)

    def finish(self) -> None:
        result = self.result
        # transport-level issues (timeouts, resets, 5xx, 429, oversized), one entry per kind+operation
        for issue in self.gate.issues:
            op = self.spec.operation_for(issue.method, _path(issue.url))
            self._infra(InfraIssue(issue.kind, issue.message, op.label if op else f"{issue.method} {_path(issue.url)}", issue.url))
        result.creates_used = self.gate.budget.used
        result.creates_blocked = self.gate.budget.blocked
        per_op: dict[str, Counter[str]] = defaultdict(Counter)
        for case in result.cases:
            per_op[case.operation][case.status.value] += 1
        creating = {op.label for op in self.spec.operations if op.creates_job}
        labels = [op.label for op in self.spec.operations] + sorted(set(per_op) - {op.label for op in self.spec.operations})
        result.operations = [
            OperationSummary(label, label in creating, sum(per_op[label].values()), per_op[label]["passed"], per_op[label]["failed"],
                             per_op[label]["error"], per_op[label]["skipped"])
            for label in labels
        ]
        names = sorted({name for name, _ in self.case_checks})
        result.checks = [
            CheckSummary(name, self.origins.get(name, "specforge"), self.case_checks[(name, "passed")], self.case_checks[(name, "failed")])
            for name in names
        ]
        result.finished = _now()
        result.duration = round(time.monotonic() - self.started, 3)
        result.verdict = result.decide_verdict()


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path
