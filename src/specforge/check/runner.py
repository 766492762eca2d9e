"""``run_check``: resolve the spec, budget and token, run specforge's scenarios and schemathesis'
phases through one Gate, and fold everything into a ``CheckResult``. Endpoint faults never raise:
they end up in ``result.infrastructure`` / ``result.aborted``."""

from __future__ import annotations

import dataclasses
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

from specforge import MOCK_HEADER, __version__
from specforge.check.causes import signature
from specforge.check.events import CaseJudged, EventStream, FailureFound, Finished, PhaseStarted, Planned
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
)
from specforge.check.redact import Redactor, require_redactable, url_secrets
from specforge.check.registry import REGISTRY
from specforge.check.spec import LoadedSpec, SpecModel, load_spec, with_implicit_errors, with_implied_bodies
from specforge.check.transport import GATEWAY_STATUSES, Budget, Cassette, Gate, default_budget
from specforge.core import Diagnostic, InputError, Severity
from specforge.core.interrupt import interruptible

CASSETTE_NAME = "cassette.jsonl"
SPECFORGE_PHASES = ("auth", "lifecycle", "sdk", "invalid-input")


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def resolve_budget(options: CheckOptions, mock: str | None = None) -> int | None:
    """--no-create, else --budget, else the default: unlimited only when the endpoint answered
    with the mock's ``x-specforge-mock`` header (``mock``), else 1."""
    if options.no_create:
        return 0
    if options.budget is not None:
        if options.budget < 0:
            raise InputError(
                "--budget must be 0 or more", hint="use --budget 0 or --no-create to send no create"
            )
        return options.budget
    return default_budget(mock)


def budget_source(options: CheckOptions, mock: str | None) -> str:
    if options.no_create:
        return "--no-create"
    if options.budget is not None:
        return "--budget"
    if mock:
        return f"default: the endpoint identifies as the specforge mock ({MOCK_HEADER}: {mock})"
    return f"default: not a specforge mock (no {MOCK_HEADER} header), so 1"


def read_token(token_env: str) -> str | None:
    """The token comes from the environment only (never a flag, never a file); one too short
    to be kept out of the reports is refused before anything is sent."""
    token = os.environ.get(token_env) or None
    require_redactable(token, f"the token in ${token_env}", f"set {token_env} to the full API key")
    return token


def run_redactor(options: CheckOptions) -> Redactor:
    """The run's one redactor: the token and the credentials of the endpoint URL."""
    for secret in url_secrets(options.base_url):
        require_redactable(
            secret,
            "the password in the endpoint URL",
            "pass the credentials in the environment (--token-env) instead of the URL",
        )
    extra = tuple(secret for _, secret in options.secrets)  # relay-check: the relay's upstream key
    return Redactor(read_token(options.token_env), secrets=(*url_secrets(options.base_url), *extra))


def _validate_options(options: CheckOptions) -> None:
    from specforge.core.urls import check_url

    check_url(options.base_url)
    if options.max_examples < 1:
        raise InputError("--max-examples must be at least 1")
    if options.workers < 1:
        raise InputError("--workers must be at least 1")
    if options.job_timeout <= 0 or options.poll_interval < 0:
        raise InputError("--job-timeout must be positive and --poll-interval not negative")
    from specforge.check.model import PHASES

    unknown = [p for p in options.phases if p not in PHASES]
    if unknown:
        from specforge.core.tomlconf import suggest

        raise InputError(
            f"unknown phase(s): {', '.join(unknown)}{suggest(unknown[0], PHASES)}",
            hint=f"choose from: {', '.join(PHASES)}",
        )


def _load(options: CheckOptions) -> LoadedSpec:
    """The spec ``options`` name (a file, a variant, data in memory or the canonical spec)."""
    return load_spec(
        spec=options.spec,
        variant=options.variant,
        spec_data=options.spec_data,
        spec_name=options.spec_name,
        config=options.config,
    )


def run_check(options: CheckOptions, *, report_dir: Path | None = None) -> CheckResult:
    """Check ``options.base_url`` against the chosen spec. Raises ``InputError`` only for bad
    input (spec, flags); endpoint problems are in the result. When ``report_dir`` is given the
    cassette is streamed to ``report_dir/cassette.jsonl`` while the run goes."""
    _validate_options(options)
    loaded = _load(options)
    redactor = run_redactor(options)
    budget = Budget(resolve_budget(options))
    events = EventStream(options.handlers)
    cassette = Cassette(
        report_dir / CASSETTE_NAME if report_dir else None, redactor, options.secrets, events=events
    )
    gate = Gate(
        budget=budget,
        cassette=cassette,
        redactor=redactor,
        no_create=options.no_create,
        deadline=options.request_timeout,
    )
    run = CheckRun(options, loaded, gate, redactor, events)
    try:
        schema = run.load_schema()  # a spec schemathesis refuses is bad input (exit 2), not an aborted run
    except BaseException:
        cassette.close()
        raise
    events.emit(Planned(run.result.run_id, loaded.name, options.phases))
    try:
        # the handler runs in the main thread, which may hold the very locks interrupt() takes:
        # the abandoning happens in a thread of its own
        with interruptible(
            on_signal=lambda: threading.Thread(target=run.interrupt, daemon=True).start()
        ) as interruption:
            try:
                run.execute(schema)
            except KeyboardInterrupt:
                run.interrupt()
            if interruption.signal or run.stop.is_set():  # schemathesis may have swallowed the interrupt
                run.result.aborted = interruption.reason or "interrupted by the user"
    except KeyboardInterrupt:  # outside the main thread: a plain Ctrl-C
        run.result.aborted = "interrupted by the user"
    except Exception as exc:  # noqa: BLE001 - an engine crash still yields a (partial) report
        run.result.aborted = redactor.text(f"internal error: {type(exc).__name__}: {exc}")
    finally:
        gate.abort()  # no request outlives its run (e.g. a thread still waiting on a trickling server)
        cassette.close()
    run.finish(cassette.entries)
    run.result.exchanges = cassette.entries
    if report_dir is not None:
        run.result.cassette = CASSETTE_NAME
    events.emit(Finished(run.result))
    return run.result


def _wants_sdk(options: CheckOptions, loaded: LoadedSpec) -> bool:
    """Whether the OpenAI-SDK phase runs: ``--sdk``/``--no-sdk``, else only against the OpenAI
    contract (the canonical spec or the openai variant, not a ``--spec`` file)."""
    if options.sdk is not None:
        return options.sdk
    return options.spec is None and options.spec_data is None and loaded.variant in (None, "openai")


class CheckRun:
    """One check's state: its spec, Gate and the ``CheckResult`` cases are folded into (live runs
    and ``replay`` fold through the same ``add_case`` and ``finish``)."""

    def __init__(
        self,
        options: CheckOptions,
        loaded: LoadedSpec,
        gate: Gate,
        redactor: Redactor,
        events: EventStream | None = None,
    ) -> None:
        from specforge.check import engine

        self.options = options
        self.events = events if events is not None else gate.cassette.events
        self.loaded = loaded
        self.gate = gate
        self.redactor = redactor
        document, implied = with_implied_bodies(loaded.data)
        self.implicit: list[str] = []
        if not options.strict_statuses:
            document, self.implicit = with_implicit_errors(document)
        self.document = document
        self.spec = SpecModel.of(document)
        notes = []
        if implied:
            notes.append(
                "request body treated as required (the spec marks it optional, but every documented "
                "body schema requires fields, so a request without one is invalid): " + ", ".join(implied)
            )
        if self.implicit:
            notes.append(
                "4xx answers allowed on operations documenting no client error (implicit; --strict-statuses "
                "turns this off): " + ", ".join(sorted(set(self.implicit)))
            )
        if self.spec.find("create") is not None and self.spec.find("retrieve") is None:
            notes.append(
                "the spec documents no operation to poll a job: the lifecycle stops after the create"
            )
        if self.spec.find("create") is None:
            notes.append("the spec documents no create operation: no lifecycle scenario")
        self.started = time.monotonic()
        self.lock = threading.Lock()
        #: set on SIGINT/SIGTERM: background polling and schemathesis' phases stop
        self.stop = threading.Event()
        self.result = CheckResult(
            run_id=options.run_id or new_run_id(),
            base_url=redactor.text(options.base_url),
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
        self.result.budget_source = budget_source(options, None)
        self.result.notes.extend(notes)
        self.case_checks: Counter[tuple[str, str]] = Counter()
        self.origins: dict[str, str] = {}
        self.kinds = {op.label: op.kind for op in self.spec.operations}
        #: (operation, signature) of a kept failure -> the requests it was seen on (cassette lookup)
        self.evidence: dict[tuple[str, Any], set[tuple[str, str, int | None, str]]] = defaultdict(set)

    def interrupt(self) -> None:
        """SIGINT/SIGTERM: polling and schemathesis' phases stop, requests in flight are abandoned."""
        self.stop.set()
        self.gate.abort()

    def phase(self, phase: str, message: str) -> None:
        self.events.emit(PhaseStarted(phase, self.redactor.text(message)))

    # -- phases --------------------------------------------------------------------------------

    def load_schema(self) -> Any:
        from specforge.check import engine

        options = self.options
        headers = {"Authorization": f"Bearer {self._token()}"} if self._token() else {}
        engine_phases = tuple(p for p in options.phases if p in engine.ENGINE_PHASES)
        return engine.load_schema(
            self.document,
            options.base_url,
            spec=self.spec,
            headers=headers,
            max_examples=options.max_examples,
            seed=options.seed,
            workers=options.workers,
            request_timeout=options.request_timeout,
            phases=engine_phases or engine.ENGINE_PHASES,
        )

    def execute(self, schema: Any) -> None:
        from specforge.check import engine
        from specforge.check.lifecycle import Scenario

        options = self.options
        engine_phases = tuple(p for p in options.phases if p in engine.ENGINE_PHASES)
        if not self._reachable(engine.api_base_url(options.base_url, self.spec)):
            return
        scenario = Scenario(
            spec=self.spec,
            gate=self.gate,
            base_url=engine.api_base_url(options.base_url, self.spec),
            token=self._token(),
            validate=lambda response, body: engine.validate(schema, response, red=self.redactor, body=body),
            poll_interval=options.poll_interval,
            job_timeout=options.job_timeout,
            request_timeout=options.request_timeout,
            on_case=self.add_case,
            stop=self.stop,
        )
        followers: list[threading.Thread] = []

        def background(work: Callable[[], None]) -> None:
            def guarded() -> None:
                try:
                    work()
                except Exception as exc:  # noqa: BLE001 - a crash while polling must not lose the run
                    self._infra(
                        InfraIssue(
                            "engine_error",
                            self.redactor.text(f"lifecycle polling failed: {type(exc).__name__}: {exc}"),
                        )
                    )

            thread = threading.Thread(target=guarded, name="specforge-lifecycle", daemon=True)
            thread.start()
            followers.append(thread)

        steps: list[tuple[str, Callable[[], None]]] = [
            ("auth", scenario.auth),
            ("lifecycle", lambda: scenario.lifecycle(background=background)),
            ("sdk", lambda: self._sdk(scenario)),
            ("invalid-input", scenario.invalid_inputs),
        ]
        try:
            for phase, step in steps:
                if phase in options.phases and not self.result.aborted and not self.stop.is_set():
                    self.phase(phase, f"{phase} scenario")
                    step()
                    self._check_gone()
            if engine_phases and not self.result.aborted and not self.stop.is_set():
                self._engine(schema, engine_phases)
        finally:
            interrupted = False
            for thread in followers:  # the job being followed finishes (or times out) first
                while thread.is_alive():
                    try:
                        thread.join()
                    except KeyboardInterrupt:  # stop polling, but keep the traces for the report
                        self.interrupt()
                        interrupted = True
            for trace in scenario.jobs:
                self.result.jobs.append(JobTrace.from_dict(trace))
            if interrupted:
                raise KeyboardInterrupt

    def _sdk(self, scenario: Any) -> None:
        """The OpenAI-SDK compatibility phase, through the same Gate (budget, cassette)."""
        if not _wants_sdk(self.options, self.loaded):
            if self.options.sdk is None:
                self.result.notes.append(
                    f"the OpenAI-SDK phase did not run: `{self.loaded.name}` is not the OpenAI contract (check against the "
                    "canonical spec or --variant openai, or pass --sdk, to see what an OpenAI-SDK client gets)"
                )
            return
        from specforge.check import engine
        from specforge.check.sdk import SdkPhase, sdk_api_root  # the OpenAI SDK: only when it runs

        api_root = sdk_api_root(engine.api_base_url(self.options.base_url, self.spec), self.spec)
        known = next((j["job_id"] for j in scenario.jobs if j.get("outcome") == "completed"), None)
        phase = SdkPhase(
            spec=self.spec,
            gate=self.gate,
            api_root=api_root,
            token=self._token(),
            job_timeout=self.options.job_timeout,
            request_timeout=self.options.request_timeout,
            on_case=self.add_case,
            known_job=known,
        )
        self.result.sdk = phase.run()

    def _engine(self, schema: Any, engine_phases: tuple[str, ...]) -> None:
        from specforge.check import engine

        self.phase("schemathesis", "schemathesis phases: " + ", ".join(engine_phases))
        exclude: tuple[str, ...] = ()
        if self.gate.no_create or self.gate.budget.remaining == 0:
            # planning: nothing that can create a job is generated once the budget is spent
            # (the Gate still blocks anything that slips through, e.g. a shrink or a replay)
            exclude = ("POST", "PUT", "PATCH")
            for op in self.spec.operations:
                if op.creates_job:
                    self.add_skipped(
                        op.label,
                        "schemathesis",
                        "not generated: the create budget is spent"
                        if not self.gate.no_create
                        else "not generated: --no-create",
                    )
        outcome = engine.run_engine(
            schema,
            gate=self.gate,
            spec=self.spec,
            exclude_methods=exclude,
            on_case=self.add_case,
            stop=self.stop,
        )
        for kind, label, message in outcome.errors:
            if kind == "server_gone":
                self.result.aborted = "the server stopped responding during schemathesis' phases"
            elif kind == "engine_error":
                self._infra(InfraIssue("engine_error", message, label))
        if outcome.fatal:
            self.result.aborted = f"schemathesis stopped: {outcome.fatal}"
        if not self.result.aborted:
            self._check_gone()

    def _token(self) -> str | None:
        return self.redactor.token

    def _reachable(self, api_url: str) -> bool:
        """One cheap GET: an unreachable endpoint aborts the run before anything is generated."""
        from specforge.check.transport import LimitedAdapter

        session = requests.Session()
        adapter = LimitedAdapter(deadline=min(self.options.request_timeout, 10.0))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            probe = session.get(api_url, timeout=min(self.options.request_timeout, 10.0))
            self._settle_budget(probe.headers.get(MOCK_HEADER))
        except requests.RequestException as exc:
            from specforge.check.transport import classify

            kind = classify(exc)
            if kind in ("connection_refused", "timeout", "network_error") or "Name or service" in str(exc):
                self._infra(
                    InfraIssue(
                        kind,
                        self.redactor.text(f"cannot reach {api_url}: {exc}"),
                        url=self.redactor.text(api_url),
                    )
                )
                self.result.aborted = f"endpoint unreachable ({kind.replace('_', ' ')})"
                return False
        finally:
            session.close()
        return True

    def _settle_budget(self, mock: str | None) -> None:
        """The default budget depends on what answered the probe (see ``resolve_budget``)."""
        limit = resolve_budget(self.options, mock)
        self.gate.budget.limit = limit
        self.result.budget = limit
        self.result.budget_source = budget_source(self.options, mock)
        if mock and self.options.budget is None and not self.options.no_create:
            self.result.notes.append(
                f"the endpoint identifies as the specforge mock of `{mock}`: create budget unlimited"
            )

    def _check_gone(self) -> None:
        recent = self.gate.issues[-3:]
        if len(recent) == 3 and all(i.kind == "connection_refused" for i in recent):
            self.result.aborted = "the server stopped responding (connection refused)"
        elif self.gate.unresponsive is not None:
            self.result.aborted = self.gate.unresponsive + " (raise --request-timeout if it is only slow)"

    # -- results -------------------------------------------------------------------------------

    def add_case(self, case: Any) -> None:
        from specforge.check.engine import EngineCase

        assert isinstance(case, EngineCase)
        if case.status_code in GATEWAY_STATUSES or case.status_code == 429:
            # an overloaded gateway or rate limit says nothing about conformance: infrastructure
            case.failures = []
            case.error = case.error or f"HTTP {case.status_code} (infrastructure, see report)"
        found: list[Failure] = []  # failures new to this run, announced once the lock is released
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
            request = _request_key(case.method, case.url, case.status_code, case.request_body, self.redactor)
            for f in {(f.check, f.pointer, f.message): f for f in case.failures}.values():
                self.case_checks[(f.check, "failed")] += 1
                self.origins.setdefault(f.check, f.origin)
                # every distinct signature is kept (per operation); repeats only add occurrences
                new = Failure(
                    diagnostic=Diagnostic(
                        code=f.check,
                        severity=Severity.ERROR,
                        message=f.message,
                        pointer=f.pointer,
                        file=self.loaded.name,
                        variants=(self.loaded.variant,) if self.loaded.variant else (),
                        hint=f.hint,
                    ),
                    operation=case.operation,
                    check=f.check,
                    expected=f.expected,
                    actual=f.actual,
                    status_code=case.status_code,
                    response_excerpt=case.response_excerpt,
                    curl=case.curl,
                    case_id=case.id,
                    kind=self.kinds.get(case.operation, "other"),
                    keyword=f.keyword,
                    cassette=tuple(case.cassette),
                    source="sdk" if case.phase == "sdk" else "check",
                )
                kept = self.result.add_failure(new, refresh=False)
                if kept is new:
                    found.append(kept)
                if not case.cassette:
                    self.evidence[(kept.operation, signature(kept))].add(request)
            message = case.error or "; ".join(f"{f.check}: {f.message}" for f in case.failures)
            self.result.cases.append(
                CaseRecord(
                    id=case.id,
                    operation=case.operation,
                    phase=case.phase,
                    status=status,
                    checks=checks,
                    failed_checks=tuple(dict.fromkeys(f.check for f in case.failures)),
                    duration=round(case.elapsed, 4),
                    message=self.redactor.text(message)[:500],
                )
            )
        self.events.emit(
            CaseJudged(case.phase, self.redactor.text(f"{case.operation} {status.value}"), status.value)
        )
        for failure in found:
            self.events.emit(FailureFound(self.redactor.data(failure)))

    def _link_cassette(self, exchanges: list[dict[str, Any]]) -> None:
        """Give every kept failure the cassette seqs of the exchanges it was seen on."""
        exact: dict[tuple[str, str, int | None, str], list[int]] = defaultdict(list)
        loose: dict[tuple[str, str, int | None], list[int]] = defaultdict(list)
        for entry in exchanges:
            req, resp = entry.get("request") or {}, entry.get("response")
            status = resp.get("status") if isinstance(resp, dict) else None
            body = req.get("body") if req.get("body_encoding", "utf-8") == "utf-8" else ""
            key = (
                str(req.get("method", "")).upper(),
                str(req.get("url", "")),
                status,
                str(body or "")[:2048],
            )
            exact[key].append(int(entry.get("seq", 0)))
            loose[key[:3]].append(int(entry.get("seq", 0)))
        for i, failure in enumerate(self.result.failures):
            seqs = set(failure.cassette)
            for request in self.evidence.get((failure.operation, signature(failure)), ()):
                seqs.update(exact.get(request) or loose.get(request[:3], []))
            if seqs != set(failure.cassette):
                self.result.failures[i] = dataclasses.replace(failure, cassette=tuple(sorted(seqs)))

    def _prevented(self) -> None:
        """What the budget (or --no-create) kept from running, and the budget that would run it:
        scenario requests the Gate refused, and creating operations schemathesis did not generate
        (estimated at max-examples per engine phase)."""
        result = self.result
        engine_phases = [p for p in self.options.phases if p not in SPECFORGE_PHASES]
        groups: Counter[tuple[str, str]] = Counter()
        for case in result.cases:
            if case.status is CaseStatus.SKIPPED:
                groups[(case.phase, case.operation)] += 1
        result.prevented = []
        for (phase, operation), count in groups.items():
            estimate = phase == "schemathesis"
            requests_ = self.options.max_examples * max(1, len(engine_phases)) if estimate else count
            what = f"{phase} {operation}: " + (
                f"up to {requests_} generated create(s)" if estimate else f"{requests_} request(s)"
            )
            result.prevented.append(
                {
                    "phase": phase,
                    "operation": operation,
                    "requests": requests_,
                    "estimated": estimate,
                    "what": what,
                }
            )
        result.budget_needed = (
            result.creates_used + sum(p["requests"] for p in result.prevented) if result.prevented else None
        )

    def add_skipped(self, label: str, phase: str, why: str) -> None:
        with self.lock:
            self.result.cases.append(
                CaseRecord(
                    id=f"skipped-{label}",
                    operation=label,
                    phase=phase,
                    status=CaseStatus.SKIPPED,
                    message=why,
                )
            )

    def _infra(self, issue: InfraIssue) -> None:
        with self.lock:
            self._merge_infra(issue)

    def _merge_infra(self, issue: InfraIssue) -> None:
        for i, existing in enumerate(self.result.infrastructure):
            if (existing.kind, existing.operation) == (issue.kind, issue.operation):
                self.result.infrastructure[i] = InfraIssue(
                    existing.kind, existing.message, existing.operation, existing.url, existing.count + 1
                )
                return
        self.result.infrastructure.append(issue)

    def finish(self, exchanges: list[dict[str, Any]] | None = None) -> None:
        result = self.result
        if exchanges:
            self._link_cassette(exchanges)
        result.refresh_causes()
        # transport-level issues (timeouts, resets, 5xx, 429, oversized), one entry per kind+operation
        for issue in self.gate.issues:
            op = self.spec.operation_for(issue.method, _path(issue.url))
            self._infra(
                InfraIssue(
                    issue.kind,
                    issue.message,
                    op.label if op else f"{issue.method} {_path(issue.url)}",
                    issue.url,
                )
            )
        if self.gate.auth_never_succeeded:
            # a revoked or wrong key: every answer was 401/403, so nothing about the API was
            # observed and the run proves nothing (never "conformant")
            self._infra(
                InfraIssue(
                    "auth_failed",
                    f"authentication never succeeded: all {self.gate.credentialed} request(s) "
                    "sent with the run's credentials were answered 401/403 (is the token in "
                    f"${self.options.token_env} valid and not revoked?)",
                )
            )
        if not result.aborted and not any(
            c.status in (CaseStatus.PASSED, CaseStatus.FAILED) for c in result.cases
        ):
            self._infra(
                InfraIssue(
                    "no_cases",
                    "no case was exercised: nothing about the endpoint was checked "
                    "(every request was skipped, refused or unanswered)",
                )
            )
        # creates the server refused (4xx: no job was made) are not "used"; the budget itself
        # still counts every create sent, since it must be enforced before the answer is known
        result.creates_used = max(0, self.gate.budget.used - self.gate.creates_refused)
        result.creates_blocked = self.gate.budget.blocked
        per_op: dict[str, Counter[str]] = defaultdict(Counter)
        for case in result.cases:
            per_op[case.operation][case.status.value] += 1
        creating = {op.label for op in self.spec.operations if op.creates_job}
        labels = [op.label for op in self.spec.operations] + sorted(
            set(per_op) - {op.label for op in self.spec.operations}
        )
        result.operations = [
            OperationSummary(
                label,
                label in creating,
                sum(per_op[label].values()),
                per_op[label]["passed"],
                per_op[label]["failed"],
                per_op[label]["error"],
                per_op[label]["skipped"],
                kind=self.kinds.get(label, "undocumented"),
            )
            for label in labels
        ]
        names = sorted({name for name, _ in self.case_checks})
        result.checks = [
            CheckSummary(
                name,
                self.origins.get(name, "specforge"),
                self.case_checks[(name, "passed")],
                self.case_checks[(name, "failed")],
            )
            for name in names
        ]
        self._prevented()
        result.finished = _now()
        result.duration = round(time.monotonic() - self.started, 3)
        result.verdict = result.decide_verdict()
        # the one last pass before anything is rendered: whatever a check, an exception or the
        # engine copied from a response, no secret leaves the run (the cassette is redacted as written)
        self.redactor.scrub(result, skip=("exchanges",))


def _request_key(
    method: str, url: str, status: int | None, body: bytes | str | None, red: Redactor
) -> tuple[str, str, int | None, str]:
    """How a case's exchange is found in the cassette: method, redacted URL, status and the start
    of the redacted request body (the cassette stores bodies redacted too)."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            body = ""
    return (method.upper(), url, status, red.text(body or "")[:2048])


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def plan_check(options: CheckOptions) -> list[dict[str, Any]]:
    """What a run would send, without sending anything (``--plan``): one row per scenario
    request and per operation schemathesis would exercise, with whether it can create a job."""
    _validate_options(options)
    loaded = _load(options)
    document = with_implied_bodies(loaded.data)[0]
    document = document if options.strict_statuses else with_implicit_errors(document)[0]
    spec = SpecModel.of(document)
    budget = resolve_budget(options)
    from specforge.check.lifecycle import invalid_variants

    rows: list[dict[str, Any]] = []

    def row(phase: str, label: str, kind: str, creates: int, note: str) -> None:
        rows.append(
            {
                "phase": phase,
                "operation": label,
                "kind": kind,
                "creates_job": creates > 0,
                "creates": creates,
                "note": note,
            }
        )

    auth_op = spec.find("list") or spec.find("retrieve")
    if "auth" in options.phases and auth_op is not None:
        row("auth", auth_op.label, auth_op.kind, 0, "without a token, then with a wrong token")
    create = spec.find("create")
    if "lifecycle" in options.phases and create is not None:
        row(
            "lifecycle",
            create.label,
            "create",
            1,
            "one valid job, the cheapest the spec allows (shortest seconds, smallest size)",
        )
        for kind, note in (
            ("retrieve", "poll until terminal or --job-timeout"),
            ("content", "download the MP4 once completed"),
        ):
            op = spec.find(kind)
            if op is not None:
                row("lifecycle", op.label, kind, 0, note)
        _, schema = spec.request_schema(create)
        if spec.property_schema(schema, "input_reference") is not None:
            row(
                "lifecycle",
                create.label,
                "create",
                1,
                "a second job with input_reference (round-trip of its shape)",
            )
    if "sdk" in options.phases and _wants_sdk(options, loaded):
        from specforge.check.sdk import CALLS, CREATING

        for name, kind in CALLS:
            op = spec.find(kind)
            if op is not None:
                row("sdk", op.label, kind, 1 if name in CREATING else 0, f"OpenAI SDK client.{name}")
    if "invalid-input" in options.phases and create is not None:
        row(
            "invalid-input",
            create.label,
            "create",
            len(invalid_variants(spec, create)),
            "missing prompt, bad seconds/size, wrong input_reference shape",
        )
    from specforge.check import engine

    schema = engine.load_schema(document, options.base_url, spec=spec, max_examples=options.max_examples)
    phases = [p for p in options.phases if p in engine.ENGINE_PHASES]
    if phases:
        for method, _path, label in engine.plan(schema):
            op = spec.operation_for(method, _path) or next(
                (o for o in spec.operations if o.label == label), None
            )
            creates = method not in ("GET", "HEAD", "OPTIONS", "DELETE", "TRACE")
            note = f"up to {options.max_examples} examples per phase ({', '.join(phases)})"
            row(
                "schemathesis",
                label,
                op.kind if op else "other",
                options.max_examples * len(phases) if creates else 0,
                note,
            )
    # the budget goes to the rows in this order: the job-following lifecycle first
    left = budget
    for r in rows:
        if not r["creates"]:
            continue
        if options.no_create or left == 0:
            r["prevented"] = True
            r["budget_note"] = "not sent: " + (
                "--no-create" if options.no_create else f"budget {budget} spent by the rows above"
            )
        elif left is not None:
            if r["creates"] > left:
                r["budget_note"] = f"only {left} of {r['creates']} create(s) within the budget"
                r["prevented"] = True
            left = max(0, left - r["creates"])
    for r in rows:
        r["budget_needed"] = sum(x["creates"] for x in rows)
    return rows


#: `[check]` keys of specforge.toml -> CheckOptions field
CONFIG_KEYS: dict[str, str] = {
    name.replace("_", "-"): name
    for name in (
        "max_examples",
        "workers",
        "budget",
        "seed",
        "poll_interval",
        "job_timeout",
        "request_timeout",
        "token_env",
        "strict_statuses",
    )
}


def config_defaults(config: Any) -> dict[str, Any]:
    """CheckOptions defaults from ``[check]`` in specforge.toml, validated by the options'
    JSON Schema (``model.OPTION_SCHEMAS``); command-line flags win."""
    from specforge.check.model import options_schema

    table = config.section("check", schema=options_schema(CONFIG_KEYS.values(), hyphens=True))
    seconds = {"poll_interval", "job_timeout", "request_timeout"}
    return {
        CONFIG_KEYS[key]: float(raw) if CONFIG_KEYS[key] in seconds else raw for key, raw in table.items()
    }
