"""Run the whole pipeline on a project and write one report folder."""

from __future__ import annotations

import multiprocessing
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specforge.core import Config, InputError, Severity, dump_json, write_atomic

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
                variant: {**_brief(r, f"check-{variant}"), "fails_run": self.fails(r)}
                for variant, r in self.checks.items()
            },
            "compat": {
                variant: _brief(r, f"check-{variant}/vs-canonical") for variant, r in self.compat.items()
            },
        }


def _brief(result: CheckResult, folder: str) -> dict[str, Any]:
    from specforge.check.causes import counts as causes_by_severity

    return {
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
    try:
        _ingest(config, result, say)
        if result.stages[-1].status != "failed":
            _merge(config, result, say)
        _lint(config, result, say)
        if all(s.status != "failed" for s in result.stages):
            left = [name for name in names if name not in result.skipped]
            _check(config, result, left, max_examples, seed, job_seconds, say)
    finally:
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


def _check(
    config: Config,
    result: PipelineResult,
    names: list[str],
    max_examples: int,
    seed: int,
    job_seconds: float,
    say: Callable[[str], None],
) -> None:
    """Check every variant's mock, independent variants in parallel worker processes (the checks
    are CPU-bound Python: threads would share one core). Stages are reported in variant order."""
    settings = (max_examples, seed, job_seconds)
    with _private_token() as token:
        if len(names) <= 1:
            outcomes = [
                _check_variant(config, result.directory, result.run_id, name, token, settings)
                for name in names
            ]
            _record_checks(config, result, names, iter(outcomes), say)
            return
        context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
        workers = min(len(names), os.cpu_count() or 1)
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [
                pool.submit(_check_variant, config, result.directory, result.run_id, name, token, settings)
                for name in names
            ]
            _record_checks(config, result, names, (f.result() for f in futures), say)


#: what one variant's check returns to the run: (mock vs its spec, vs canonical, files written,
#: seconds), or the InputError's text when the variant could not be checked
_Outcome = tuple["CheckResult", "CheckResult", list[Path], float] | str


def _record_checks(
    config: Config,
    result: PipelineResult,
    names: list[str],
    outcomes: Iterator[_Outcome],
    say: Callable[[str], None],
) -> None:
    for name, outcome in zip(names, outcomes, strict=True):
        with _stage(result, "check", say) as stage:
            if isinstance(outcome, str):
                stage.status, stage.summary = "failed", outcome
                continue
            own, against, written, stage.seconds = outcome
            result.checks[name] = own
            result.compat[name] = against
            stage.outputs = [config.display(p) for p in written]
            differs = ", ".join(sorted({f.check for f in against.failures})) or "none"
            stage.summary = (
                f"{name} mock vs its spec: {own.verdict.value} ({len(own.cases)} cases, {len(own.failures)} "
                f"failures); vs canonical: {against.verdict.value} (failed checks: {differs})"
            )
            if own.verdict.value != "conformant":
                stage.status = "findings"


def _check_variant(
    config: Config, directory: Path, run_id: str, name: str, token: str, settings: tuple[int, int, float]
) -> _Outcome:
    """One variant: serve its mock, check it against its own spec and against the canonical one,
    write both report folders. Runs in a worker process (the token comes as an argument, never
    through a command line)."""
    from specforge.check import CheckOptions, run_check
    from specforge.mock import serve
    from specforge.render.reports import write_reports

    started = time.perf_counter()
    os.environ[TOKEN_ENV] = token
    max_examples, seed, job_seconds = settings
    folder = directory / f"check-{name}"
    canonical_folder = folder / "vs-canonical"
    canonical_folder.mkdir(parents=True, exist_ok=True)
    common: dict[str, Any] = {
        "config": config,
        "token_env": TOKEN_ENV,
        "max_examples": max_examples,
        "seed": seed,
        "poll_interval": 0.05,
        "job_timeout": 30.0,
    }
    try:
        with serve(name, config=config, token=token, job_seconds=job_seconds) as url:
            own = run_check(
                CheckOptions(base_url=url, variant=name, run_id=f"{run_id}-{name}", **common),
                report_dir=folder,
            )
            against = run_check(
                CheckOptions(
                    base_url=url, spec=config.canonical, run_id=f"{run_id}-{name}-canonical", **common
                ),
                report_dir=canonical_folder,
            )
        written = write_reports(own, folder) + write_reports(against, canonical_folder)
    except InputError as error:
        return str(error)
    return own, against, written, time.perf_counter() - started


def _summary(config: Config, result: PipelineResult) -> None:
    from specforge.render.pipeline import pipeline_markdown

    data = result.to_dict(config)
    write_atomic(result.directory / "summary.json", dump_json(data))
    write_atomic(result.directory / "summary.md", pipeline_markdown(data))
