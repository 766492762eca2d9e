"""Run the whole pipeline on a project and write one report folder."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specforge.check.model import PHASES
from specforge.core import Config, InputError, Severity, dump_json, write_atomic
from specforge.core.guard import read_regular
from specforge.history.adapter import NIGHTLY_PRELOAD, WARM_MODULE

if TYPE_CHECKING:
    from specforge.check import CheckResult

#: the private environment variable the run passes its throwaway mock token through (check reads
#: tokens from the environment only, so that they never appear on a command line)
TOKEN_ENV = "SPECFORGE_RUN_MOCK_TOKEN"
LINT_FORMATS = {"json": "lint.json", "sarif": "lint.sarif", "markdown": "lint.md"}


@dataclass
class StageResult:
    """One step of the run: ``status`` is "ok", "findings" (it worked and found problems),
    "partial" (it worked for every variant but those in ``skipped``, which later stages leave
    out) or "failed" (it could not do its job; later stages that need it are skipped)."""

    name: str
    status: str
    summary: str
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: variant -> why this stage could not read it
    skipped: dict[str, str] = field(default_factory=dict)

    def skip(self, variant: str, error: object) -> None:
        self.skipped[variant] = str(error)
        self.status = "partial"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "summary": self.summary,
            "outputs": self.outputs,
            "seconds": round(self.seconds, 3),
            "skipped": self.skipped,
        }


@dataclass
class PipelineResult:
    run_id: str
    directory: Path
    stages: list[StageResult] = field(default_factory=list)
    lint_counts: dict[str, int] = field(default_factory=dict)
    #: each variant's mock against that variant's own spec (should conform: it gates the exit code)
    checks: dict[str, CheckResult] = field(default_factory=dict)
    #: each variant's mock against the canonical contract: how OpenAI-compatible the vendor is as
    #: documented (informational: vendors differing from the canonical is what specforge reports)
    compat: dict[str, CheckResult] = field(default_factory=dict)
    #: ``--fail-on LEVEL``: a mock that does not conform fails the run only with a cause at LEVEL
    #: or worse (``CheckResult.exit_code_for``); None: any failure does
    fail_on: str | None = None
    #: seconds each check took ("<variant>", "<variant>/vs-canonical"): the next run's schedule
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def skipped(self) -> dict[str, str]:
        """Variants some stage could not read (the first reason given), left out of the rest."""
        out: dict[str, str] = {}
        for stage in self.stages:
            for variant, reason in stage.skipped.items():
                out.setdefault(variant, f"{stage.name}: {reason}")
        return out

    @property
    def exit_code(self) -> int:
        """0 when every stage ran and every variant's mock conforms to its own spec; 1 when a mock
        does not conform (a specforge bug or a contradictory spec) — under ``fail_on`` only when
        its check has a cause at that severity or worse, or could not finish; 2 when a stage
        failed on input or a variant was skipped because it could not be read (the others still
        ran). Lint findings in vendor sources are the expected output, not a failure."""
        if any(s.status in ("failed", "partial") for s in self.stages):
            return 2
        if any(self.fails(r) for r in self.checks.values()):
            return 1
        return 0

    def fails(self, check: CheckResult) -> bool:
        """Does this variant's own check fail the run (see ``exit_code``)?"""
        if check.verdict.value == "conformant":
            return False
        return self.fail_on is None or check.exit_code_for(self.fail_on) != 0

    def to_dict(self, config: Config) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "directory": config.display(self.directory),
            "exit_code": self.exit_code,
            "fail_on": self.fail_on,
            "stages": [s.to_dict() for s in self.stages],
            "skipped": self.skipped,
            "lint": self.lint_counts,
            "checks": {
                variant: {
                    **_brief(r, f"check-{variant}", self.seconds.get(variant)),
                    "fails_run": self.fails(r),
                }
                for variant, r in self.checks.items()
            },
            "compat": {
                variant: _brief(
                    r, f"check-{variant}/vs-canonical", self.seconds.get(f"{variant}/vs-canonical")
                )
                for variant, r in self.compat.items()
            },
        }


def _brief(result: CheckResult, folder: str, seconds: float | None) -> dict[str, Any]:
    from specforge.check.causes import counts as causes_by_severity

    return {
        "seconds": round(seconds, 3) if seconds is not None else None,
        "verdict": result.verdict.value,
        "failures": len(result.failures),
        "failed_checks": sorted({f.check for f in result.failures}),
        "causes_by_severity": causes_by_severity(result.causes),
        "score": result.score,
        "index": result.index,
        "infrastructure": len(result.infrastructure),
        "cases": len(result.cases),
        "creates_used": result.creates_used,
        "report": f"{folder}/report.html",
    }


@contextmanager
def _stage(result: PipelineResult, name: str, say: Callable[[str], None]) -> Iterator[StageResult]:
    stage = StageResult(name=name, status="ok", summary="")
    started = time.perf_counter()
    try:
        yield stage
    except InputError as error:
        stage.status = "failed"
        stage.summary = str(error)
    finally:
        stage.seconds = stage.seconds or time.perf_counter() - started
        result.stages.append(stage)
        say(f"{name:<7} {stage.status:<8} {stage.summary}")


@contextmanager
def _private_token() -> Iterator[str]:
    token = "sk-run-" + secrets.token_urlsafe(18)
    previous = os.environ.get(TOKEN_ENV)
    os.environ[TOKEN_ENV] = token
    try:
        yield token
    finally:
        if previous is None:
            os.environ.pop(TOKEN_ENV, None)
        else:
            os.environ[TOKEN_ENV] = previous


def run_pipeline(
    config: Config,
    *,
    variants: Sequence[str] | None = None,
    report_root: Path | None = None,
    max_examples: int = 10,
    seed: int = 0,
    job_seconds: float = 0.2,
    run_id: str | None = None,
    fail_on: str | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> PipelineResult:
    """Ingest, merge, lint, then check every variant's built-in mock against that variant's spec.
    Writes ``<report_root>/<run_id>/`` (summary.md, summary.json, lint.*, check-<variant>/...)
    even when a stage fails; ``say`` receives one progress line per stage. ``fail_on`` is
    ``--fail-on`` (see ``PipelineResult.exit_code``)."""
    names = list(variants) if variants else list(config.variants)
    for name in names:
        config.variant(name)  # InputError with a suggestion for an unknown name
    run_id = run_id or datetime.now(UTC).strftime("run-%Y%m%d-%H%M%S")
    directory = (report_root or config.reports) / run_id
    directory.mkdir(parents=True, exist_ok=True)
    result = PipelineResult(run_id=run_id, directory=directory, fail_on=fail_on)
    checks = _Checks(min(2 * len(names), os.cpu_count() or 1))
    try:
        _ingest(config, result, say)
        if result.stages[-1].status != "failed":
            _merge(config, result, say)
        with _private_token() as token:
            pending = None
            if all(s.status != "failed" for s in result.stages):
                left = [name for name in names if name not in result.skipped]
                pending = _start_checks(
                    config, result, left, checks, token, (max_examples, seed, job_seconds)
                )
            # in this process, while the fork server preloads and the workers check
            _lint(config, result, say)
            if pending is not None:
                _record_checks(config, result, left, pending(), say)
    finally:
        checks.close()
        _summary(config, result)
    return result


def _ingest(config: Config, result: PipelineResult, say: Callable[[str], None]) -> None:
    from specforge.ingest.api import ingest_variants

    with _stage(result, "ingest", say) as stage:
        outcomes = ingest_variants(config, keep_going=True)
        errors = [o for o in outcomes if o.action == "error"]
        changed = [o for o in outcomes if o.action in ("wrote", "page-changed")]
        stage.outputs = [config.display(o.target) for o in outcomes if o.target is not None]
        stage.summary = f"{len(outcomes)} doc pages -> {len(stage.outputs)} sources ({len(changed)} changed)"
        for outcome in errors:
            stage.skip(outcome.variant, outcome.error)
        if errors:
            stage.summary += "; skipped " + "; ".join(f"{o.variant}: {o.error}" for o in errors)


def _merge(config: Config, result: PipelineResult, say: Callable[[str], None]) -> None:
    from specforge.merge import merge_project
    from specforge.render.merge_files import merge_outputs, write_merge

    with _stage(result, "merge", say) as stage:
        merged = merge_project(config, exclude=result.skipped)
        for variant, error in merged.skipped.items():
            stage.skip(variant, error)
        errors = [d for d in merged.diagnostics if d.severity is Severity.ERROR]
        if errors:
            stage.status = "failed"
            stage.summary = f"merged spec invalid: {errors[0]}"
            return
        outputs = merge_outputs(merged)
        write_merge(merged)
        stage.outputs = sorted(config.display(p) for p in outputs)
        actions = ", ".join(f"{v} {n}" for v, n in merged.action_counts.items())
        stage.summary = f"canonical + {len(merged.overlays)} overlays, {len(merged.conflicts)} conflicts; actions: {actions}"
        if merged.skipped:
            stage.summary += "; skipped " + "; ".join(f"{v}: {e}" for v, e in merged.skipped.items())


def _lint(config: Config, result: PipelineResult, say: Callable[[str], None]) -> None:
    from specforge.lint import lint_project, load_settings
    from specforge.render.findings import render_findings
    from specforge.render.lint_report import findings_report

    with _stage(result, "lint", say) as stage:
        linted = lint_project(config, settings=load_settings(config), exclude=result.skipped)
        report = findings_report(linted, config.root)
        for fmt, name in LINT_FORMATS.items():
            write_atomic(result.directory / name, render_findings(report, fmt))
            stage.outputs.append(config.display(result.directory / name))
        result.lint_counts = linted.counts()
        counts = result.lint_counts
        stage.summary = (
            f"{counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, "
            f"{counts.get('info', 0)} info in {len(linted.files)} files"
        )
        if linted.diagnostics:
            stage.status = "findings"
        for variant, error in linted.skipped.items():
            stage.skip(variant, error)
        if linted.skipped:
            stage.summary += "; skipped " + "; ".join(f"{v}: {e}" for v, e in linted.skipped.items())


#: modules every check worker needs, imported once by the fork server (``set_forkserver_preload``)
#: so that the workers start warm: the nightly's list, the mock, the report writer and the OpenAI
#: SDK (the openai variant's check drives it), plus what a check run imports on first use
#: (measured by diffing ``sys.modules`` around one check of each kind: ~170 modules, about a third
#: of a canonical check's CPU when each worker imports them itself). The fork server skips a
#: module that does not exist, so a renamed internal costs speed, never correctness.
CHECK_PRELOAD = (
    *(module for module in NIGHTLY_PRELOAD if module != WARM_MODULE),
    "specforge.check.sdk",
    "specforge.mock",
    "specforge.render.reports",
    "specforge.render.diagnostics_text",
    "schemathesis.engine.core",
    "schemathesis.engine.run.stateful._executor",
    "schemathesis.engine.run.unit._hypothesis_executor",
    "schemathesis.specs.openapi.coverage._operation",
    "schemathesis.specs.openapi.auth_inference",
    "schemathesis.specs.openapi.object_authorization",
    "schemathesis.specs.openapi.stateful.link_calibration",
    "schemathesis.python._constants.orchestrator",
    "schemathesis.transport.asgi",
    "schemathesis.transport.wsgi",
    "hypothesis.strategies._internal.flatmapped",
    "uvicorn.lifespan.on",
    "uvicorn.loops.asyncio",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.auto",
    "starlette.applications",
    "openai",
    "openai.resources.videos",
    "rich.console",
    "rich.text",
    WARM_MODULE,
)


#: the phases of a check against the canonical spec: the scenario checks and schemathesis'
#: deterministic phases (documented examples, coverage of every keyword's boundaries). That check
#: answers "which promises of the contract does this vendor break", and its answer must be the same
#: every run; the random exploration (fuzzing, stateful) belongs to the check against the
#: variant's own spec. Measured on the bundled project, fuzzing and stateful found no failed check
#: there that the deterministic phases miss, but made each compat check 2-3x as expensive and
#: now and then added a check that the next run did not repeat.
COMPAT_PHASES = tuple(phase for phase in PHASES if phase not in ("fuzzing", "stateful"))


@dataclass(frozen=True)
class _Task:
    """One check of the run: a variant's mock against its own spec, or against the canonical one."""

    variant: str
    canonical: bool

    @property
    def key(self) -> str:
        return f"{self.variant}/vs-canonical" if self.canonical else self.variant


class _Checks:
    """The run's check workers: a fork-server pool started when the run starts, so the preload
    (schemathesis, hypothesis, the SDK: ~3 CPU-s; hypothesis' caches in a fresh folder: ~4 CPU-s)
    overlaps ingest, merge and lint in this process. Each variant's two checks are separate
    tasks, longest first by the previous run's measured seconds (``summary.json``; by spec size
    when there is none), so that the 2 × N tasks spread evenly over the cores (the critical path
    is one task, not one variant)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        if workers > 1:
            context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
            if sys.platform != "win32":
                context.set_forkserver_preload(list(CHECK_PRELOAD))
            self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            # start the fork server and the workers now, in the background: they import while the
            # run ingests and merges (a submit blocks until the fork server has preloaded)
            self._warm = threading.Thread(target=self._start, name="specforge-warm", daemon=True)
            self._warm.start()

    def _start(self) -> None:
        assert self.pool is not None
        for future in [self.pool.submit(os.getpid) for _ in range(self.workers)]:
            with contextlib.suppress(Exception):
                future.result()

    def start(
        self,
        tasks: list[_Task],
        run: PipelineResult,
        config: Config,
        token: str,
        settings: tuple[int, int, float],
    ) -> Callable[[], dict[_Task, _Outcome]]:
        """Submit every task; returns the call that waits for them all (without workers, that
        call runs them here). Submitting waits until the fork server has preloaded, so it happens
        in a thread of its own: the caller lints meanwhile."""
        where = (config, run.directory, run.run_id)
        pool = self.pool
        if pool is None:
            return lambda: {task: _check_task(*where, task, token, settings) for task in tasks}
        futures: dict[_Task, Future[_Outcome]] = {}
        failed: list[BaseException] = []

        def submit() -> None:
            self._warm.join()
            try:
                for task in tasks:
                    futures[task] = pool.submit(_check_task, *where, task, token, settings)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread by wait()
                failed.append(exc)

        submitter = threading.Thread(target=submit, name="specforge-submit", daemon=True)
        submitter.start()

        def wait() -> dict[_Task, _Outcome]:
            submitter.join()
            if failed:
                raise failed[0]
            return {task: future.result() for task, future in futures.items()}

        return wait

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _start_checks(
    config: Config,
    result: PipelineResult,
    names: list[str],
    checks: _Checks,
    token: str,
    settings: tuple[int, int, float],
) -> Callable[[], dict[_Task, _Outcome]]:
    """Start checking every variant's mock against its own spec and against the canonical one:
    all 2 × N checks in parallel worker processes (they are CPU-bound Python: threads would
    share one core). Returns the call that waits for the outcomes."""
    tasks = _longest_first(config, [_Task(name, canonical) for name in names for canonical in (False, True)])
    return checks.start(tasks, result, config, token, settings)


def _longest_first(config: Config, tasks: list[_Task]) -> list[_Task]:
    """``tasks`` ordered by expected cost, longest first (the classic greedy schedule): the
    seconds each took in the newest previous run's ``summary.json``, else the size of its spec
    (unknown tasks first: they may be the long ones)."""
    measured = _previous_seconds(config.reports)

    def cost(task: _Task) -> tuple[float, float]:
        spec = config.canonical if task.canonical else config.variant(task.variant).source
        try:
            size = float(spec.stat().st_size)
        except OSError:
            size = 0.0
        return (measured.get(task.key, float("inf")), size)

    return sorted(tasks, key=cost, reverse=True)


def _previous_seconds(reports: Path) -> dict[str, float]:
    """Task key -> seconds, from the newest ``<reports>/run-*/summary.json`` that records them
    (an unreadable or foreign file is no information)."""
    try:
        summaries = sorted(reports.glob("run-*/summary.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return {}
    for path in summaries[:5]:
        try:
            data = json.loads(read_regular(path, max_bytes=4 << 20))
            seconds = {
                f"{variant}{suffix}": float(brief["seconds"])
                for section, suffix in (("checks", ""), ("compat", "/vs-canonical"))
                for variant, brief in data.get(section, {}).items()
                if isinstance(brief, dict) and isinstance(brief.get("seconds"), int | float)
            }
        except (OSError, ValueError, AttributeError, InputError):
            continue
        if seconds:
            return seconds
    return {}


#: what one check returns to the run: (the result, files written, seconds), or the InputError's
#: text when the check could not run
_Outcome = tuple["CheckResult", list[Path], float] | str


def _record_checks(
    config: Config,
    result: PipelineResult,
    names: list[str],
    outcomes: dict[_Task, _Outcome],
    say: Callable[[str], None],
) -> None:
    for name in names:
        own, against = outcomes[_Task(name, False)], outcomes[_Task(name, True)]
        with _stage(result, "check", say) as stage:
            failed = next((o for o in (own, against) if isinstance(o, str)), None)
            if failed is not None or isinstance(own, str) or isinstance(against, str):
                stage.status, stage.summary = "failed", str(failed)
                continue
            result.checks[name], written, own_seconds = own
            result.compat[name], canonical_written, canonical_seconds = against
            result.seconds[name] = own_seconds
            result.seconds[f"{name}/vs-canonical"] = canonical_seconds
            stage.seconds = own_seconds + canonical_seconds
            stage.outputs = [config.display(p) for p in written + canonical_written]
            checked, compat = result.checks[name], result.compat[name]
            differs = ", ".join(sorted({f.check for f in compat.failures})) or "none"
            stage.summary = (
                f"{name} mock vs its spec: {checked.verdict.value} ({len(checked.cases)} cases, "
                f"{len(checked.failures)} failures); vs canonical: {compat.verdict.value} (failed checks: {differs})"
            )
            if checked.verdict.value != "conformant":
                stage.status = "findings"


def _check_task(
    config: Config, directory: Path, run_id: str, task: _Task, token: str, settings: tuple[int, int, float]
) -> _Outcome:
    """One check: serve the variant's mock, check it against its own spec (``check-<variant>/``)
    or against the canonical one (``check-<variant>/vs-canonical/``), write the report folder.
    Runs in a worker process (the token comes as an argument, never through a command line)."""
    from specforge.check import CheckOptions, run_check
    from specforge.mock import serve
    from specforge.render.reports import ReportWriter

    started = time.perf_counter()
    os.environ[TOKEN_ENV] = token
    max_examples, seed, job_seconds = settings
    folder = directory / f"check-{task.variant}"
    if task.canonical:
        folder = folder / "vs-canonical"
    folder.mkdir(parents=True, exist_ok=True)
    target: dict[str, Any] = (
        {"spec": config.canonical, "run_id": f"{run_id}-{task.variant}-canonical", "phases": COMPAT_PHASES}
        if task.canonical
        else {"variant": task.variant, "run_id": f"{run_id}-{task.variant}"}
    )
    writer = ReportWriter(folder, per_run=False)
    try:
        with serve(task.variant, config=config, token=token, job_seconds=job_seconds) as url:
            checked = run_check(
                CheckOptions(
                    base_url=url,
                    config=config,
                    token_env=TOKEN_ENV,
                    max_examples=max_examples,
                    seed=seed,
                    poll_interval=0.05,
                    job_timeout=30.0,
                    handlers=(writer,),
                    **target,
                ),
                report_dir=folder,
            )
    except InputError as error:
        return str(error)
    except OSError as error:  # the cassette, streamed into the folder while the check runs
        return _unwritable(config, folder, error)
    if writer.error is not None:
        return _unwritable(config, folder, writer.error)
    return checked, writer.written, time.perf_counter() - started


def _unwritable(config: Config, folder: Path, error: OSError) -> str:
    return (
        f"{config.display(folder)}: cannot write the check's reports: {error.strerror or error} "
        "(fix: free disk space, or make the reports folder writable)"
    )


def _summary(config: Config, result: PipelineResult) -> None:
    from specforge.render.pipeline import pipeline_markdown

    data = result.to_dict(config)
    write_atomic(result.directory / "summary.json", dump_json(data))
    write_atomic(result.directory / "summary.md", pipeline_markdown(data))
