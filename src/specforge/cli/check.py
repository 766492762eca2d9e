"""``specforge check``: conformance-check a live endpoint (or replay a cassette) against a spec."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click

from specforge.cli.common import (
    EndpointURL,
    check_options,
    config_option,
    exit_with,
    project,
    run_options,
    target_options,
)

FORMATS = ("json", "md", "html", "junit")
#: specforge.check.severity.LEVELS, spelled out so the CLI starts without importing the engine
LEVELS = ("blocking", "major", "minor")


def _progress_printer(quiet: bool) -> tuple[Any, Any]:
    """(handler of the run's events, closer): a rich progress bar on a TTY, else the lines
    ``render_event`` gives, nothing if quiet."""
    from specforge.check.events import CaseJudged, PhaseStarted

    if quiet:
        return None, lambda: None
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed} cases"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        progress.start()
        task = progress.add_task("starting", total=None)

        def on_event(event: Any) -> None:
            if isinstance(event, PhaseStarted):
                progress.update(task, description=event.message)
            elif isinstance(event, CaseJudged):
                progress.advance(task)

        return on_event, progress.stop

    from specforge.render.report_text import render_event

    def plain(event: Any) -> None:
        line = render_event(event)
        if line is not None:
            click.echo(line, err=True)

    return plain, lambda: None


@click.command("check")
@click.argument("base_url", required=False, type=EndpointURL())
@target_options
@click.option(
    "--budget",
    type=click.IntRange(min=0),
    default=None,
    help="Job-creating requests allowed (default: unlimited for specforge's own mock, detected by its "
    "x-specforge-mock header; 1 for anything else).",
)
@run_options
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Concurrent schemathesis workers (default: 1).",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Report formats (repeatable; default: all).",
)
@click.option(
    "--plan", "plan_only", is_flag=True, help="Print the requests the check would send and send nothing."
)
@click.option(
    "--replay",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Re-validate a recorded cassette offline instead of calling an endpoint.",
)
@click.option(
    "--strict-statuses",
    is_flag=True,
    help="Hold operations that document no 4xx to their documented statuses.",
)
@click.option(
    "--sdk/--no-sdk",
    "sdk",
    default=None,
    help="Run the OpenAI-SDK phase (default: only against the canonical spec or --variant openai).",
)
@click.option(
    "--fail-on",
    type=click.Choice(LEVELS),
    default=None,
    help="Exit 1 only for a cause at this severity or worse (default: any failure).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only the final verdict line.")
@config_option
def command(
    base_url: str | None,
    variant: str | None,
    spec_file: Path | None,
    token_env: str | None,
    budget: int | None,
    no_create: bool,
    max_examples: int | None,
    seed: int | None,
    workers: int | None,
    poll_interval: float | None,
    job_timeout: float | None,
    request_timeout: float | None,
    report_dir: Path | None,
    formats: tuple[str, ...],
    plan_only: bool,
    replay: Path | None,
    strict_statuses: bool,
    sdk: bool | None,
    fail_on: str | None,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Check that an endpoint behaves as its spec says: schemathesis (examples, coverage, fuzzing,
    stateful) with all built-in checks plus specforge's lifecycle, timestamp, round-trip, auth and
    invalid-input checks, under a job-creation budget. Reports go to reports/<run-id>/
    (report.json, report.md, report.html, junit.xml, cassette.jsonl); the token is read from
    $SPECFORGE_TOKEN (see --token-env) and never written anywhere. Defaults for the numeric
    options can be set in a [check] table of specforge.toml (max-examples, workers, budget, seed,
    poll-interval, job-timeout, request-timeout, token-env, strict-statuses).

    Exit codes: 0 conformant, 1 non-conformant (with --fail-on: a cause at that severity or worse),
    2 bad input, 3 endpoint unreachable or run aborted.

    \b
    Example:
      SPECFORGE_TOKEN=sk-... specforge check https://api.example.com --variant newapi
      specforge check http://127.0.0.1:8000 --spec openapi.yaml --max-examples 5 --plan
      specforge check --replay reports/<run-id>/cassette.jsonl --variant aiid
    """
    from specforge.check import run_check
    from specforge.core import InputError
    from specforge.render.reports import ReportWriter

    if variant and spec_file:
        raise click.UsageError("give --variant or --spec, not both")
    config = project(config_path)
    writer = ReportWriter(report_dir or config.reports, formats or FORMATS)
    if replay is not None:
        if base_url:
            raise click.UsageError("--replay works offline: drop BASE_URL")
        from specforge.check.replay import replay_check

        result = replay_check(
            replay,
            variant=variant,
            spec=spec_file,
            config=config,
            strict_statuses=strict_statuses,
            handlers=(writer,),
        )
    else:
        if not base_url:
            raise click.UsageError("missing BASE_URL (or --replay CASSETTE)")
        flags = {
            "token_env": token_env,
            "budget": budget,
            "max_examples": max_examples,
            "seed": seed,
            "workers": workers,
            "poll_interval": poll_interval,
            "job_timeout": job_timeout,
            "request_timeout": request_timeout,
            "strict_statuses": strict_statuses or None,
        }
        options = check_options(
            config, flags, base_url=base_url, spec=spec_file, variant=variant, no_create=no_create, sdk=sdk
        )
        if plan_only:
            from specforge.check.runner import budget_source, plan_check, resolve_budget
            from specforge.render.report_text import render_plan

            source = budget_source(options, None) + (
                " unless the endpoint identifies as the specforge mock"
                if options.budget is None and not options.no_create
                else ""
            )
            click.echo(
                render_plan(base_url, plan_check(options), resolve_budget(options), budget_source=source),
                nl=False,
            )
            return
        from specforge.check.runner import new_run_id

        printer, close = _progress_printer(quiet)
        run_id = new_run_id()
        handlers = (writer,) if printer is None else (printer, writer)
        options = dataclasses.replace(options, run_id=run_id, handlers=handlers)
        try:
            result = run_check(options, report_dir=writer.folder(run_id))
        finally:
            close()
    target = writer.folder(result.run_id)
    if writer.error is not None:
        raise InputError(
            f"cannot write reports: {writer.error.strerror or writer.error}",
            file=str(target),
            hint="pass a writable --report-dir",
        )
    from specforge.render.report_text import render_outcome

    click.echo(render_outcome(result, reports=target, written=writer.written, quiet=quiet), nl=False)
    exit_with(result.exit_code_for(fail_on))
