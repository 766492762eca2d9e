"""``specforge nightly``: check every provider in providers.toml, record the runs, report what
got worse."""

from __future__ import annotations

import importlib
import sqlite3
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from specforge.cli.common import echo_lines, exit_with
from specforge.core.errors import InputError

#: specforge.history.model.FAIL_ON_LEVELS, spelled out so the CLI starts without the history package
FAIL_ON_LEVELS = ("blocking", "major", "minor", "never")


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    from specforge.history.providers import parse_shard

    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def load_runner(ref: str) -> Any:
    """``module:function`` -> the function (a custom runner for ``--runner``)."""
    module_name, _, attribute = ref.partition(":")
    if not module_name or not attribute:
        raise InputError(f"--runner {ref!r} is not MODULE:FUNCTION", hint="e.g. --runner mypkg.checks:run")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InputError(f"--runner: cannot import {module_name!r}: {exc}") from None
    runner = getattr(module, attribute, None)
    if not callable(runner):
        raise InputError(f"--runner: {module_name!r} has no function {attribute!r}")
    return runner


def providers_file(explicit: Path | None, project_root: Path) -> Path:
    if explicit is not None:
        return explicit
    for candidate in (Path.cwd() / "providers.toml", project_root / "providers.toml"):
        if candidate.is_file():
            return candidate
    return Path("providers.toml")


def write_summary(summary: Any, directory: Path) -> list[Path]:
    from specforge.core.output import write_atomic
    from specforge.render.nightly_summary import (
        render_summary_html,
        render_summary_json,
        render_summary_markdown,
    )

    return [
        write_atomic(directory / "summary.json", render_summary_json(summary)),
        write_atomic(directory / "summary.md", render_summary_markdown(summary)),
        write_atomic(directory / "summary.html", render_summary_html(summary)),
    ]


def echo_totals(summary: Any, written: list[Path], fail_on: str = "blocking") -> None:
    from specforge.render.nightly_text import render_totals

    echo_lines(render_totals(summary, written, fail_on))


@click.command("nightly")
@click.option(
    "--config",
    "providers_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Providers file (default: providers.toml here or next to specforge.toml).",
)
@click.option(
    "--project",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Project file with the variants (default: [nightly] project, else the nearest specforge.toml).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="History database (default: <reports>/history.sqlite).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=None,
    help="Providers checked at once (default: [nightly] concurrency, else 4).",
)
@click.option(
    "--shard",
    callback=_shard,
    default=None,
    metavar="I/N",
    help="Run only the I-th of N shares of the providers (CI matrix); merge with `history merge`.",
)
@click.option(
    "--only", multiple=True, metavar="TAG", help="Only providers with this tag (repeatable: any of them)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Summary and provider reports folder (default: <reports>/nightly/<date>).",
)
@click.option(
    "--batch",
    default=None,
    metavar="ID",
    help="Batch id (default: generated); give all shards of one CI run the same id.",
)
@click.option(
    "--unreachable-exit",
    type=click.Choice(["0", "3"]),
    default=None,
    help="Exit code when providers were unreachable and nothing regressed (default 3).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_LEVELS),
    default=None,
    help="Lowest cause severity that fails the run, for a first-seen provider or a new cause "
    "(default: [nightly] fail_on, else blocking; never: only the unreachable exit code).",
)
@click.option(
    "--trend", type=click.IntRange(1, 100), default=None, help="Runs shown in the trend chart (default 10)."
)
@click.option(
    "--isolation",
    type=click.Choice(["process", "thread"]),
    default=None,
    help="Run each check in a worker process (default; hung checks are killed) or a thread.",
)
@click.option(
    "--runner",
    "runner_ref",
    default=None,
    metavar="MODULE:FUNC",
    help="Custom runner called with each Provider instead of `specforge check`.",
)
@click.option("-q", "--quiet", is_flag=True, help="No per-provider progress lines.")
def nightly(
    providers_path: Path | None,
    project: Path | None,
    db: Path | None,
    concurrency: int | None,
    shard: tuple[int, int] | None,
    only: tuple[str, ...],
    out: Path | None,
    batch: str | None,
    unreachable_exit: str | None,
    fail_on: str | None,
    trend: int | None,
    isolation: str | None,
    runner_ref: str | None,
    quiet: bool,
) -> None:
    """Check every provider in providers.toml concurrently, store each run in the history
    database, compare every provider with its previous run and write
    <reports>/nightly/<date>/summary.{md,html,json}.

    Exit codes: 1 if a provider seen for the first time has a cause at --fail-on severity or
    worse (default blocking), a known provider has a new (or escalated) cause at that severity,
    or its spec changed in a breaking way; else 3 if a provider was unreachable (see
    --unreachable-exit); else 0. Known causes that did not change never fail the job; 2 is bad
    input. Runs stored without severities (custom runners, older databases) fail on any new
    failure, as before.

    \b
    Example:
      specforge nightly --config providers.toml --db reports/history.sqlite --concurrency 4
      specforge nightly --shard 2/4 --only tier1 --batch "$GITHUB_RUN_ID"
    """
    from specforge.core.config import load_config
    from specforge.history import exit_code, load_providers
    from specforge.render.nightly_text import (
        render_aborted,
        render_nightly_start,
        render_nothing_selected,
        render_progress_line,
    )

    base = load_config(project)
    path = providers_file(providers_path, base.root)

    def variants(project_file: Path | None) -> list[str]:
        return list((load_config(project_file) if project_file else base).variants)

    # the project file: --project, else [nightly] project in providers.toml, else the nearest one
    providers = load_providers(path, variants=variants, project=project)
    settings = providers.settings
    project_file = project or settings.project
    config = load_config(project_file) if project_file else base
    known_tags = providers.tags()
    for tag in only:
        if tag not in known_tags:
            from specforge.core.config import suggest

            raise InputError(
                f"--only {tag}: no provider has this tag{suggest(tag, known_tags)}",
                file=str(path),
                hint=f"tags in use: {', '.join(sorted(known_tags)) or 'none'}",
            )
    chosen = [
        p if p.project else replace(p, project=config.file) for p in providers.select(only=only, shard=shard)
    ]
    shard_label = f"{shard[0]}/{shard[1]}" if shard else None
    if not chosen:
        click.echo(render_nothing_selected(shard_label))
        return
    runner = load_runner(runner_ref) if runner_ref else None
    started = datetime.now(UTC)
    out_dir = (out or config.reports / "nightly" / started.strftime("%Y-%m-%d")).resolve()
    db_path = db or config.reports / "history.sqlite"
    total = len(chosen)
    done = 0

    def progress(run: Any) -> None:
        nonlocal done
        done += 1
        if not quiet:
            click.echo(render_progress_line(run, done, total))

    workers = concurrency or settings.concurrency or min(4, total)
    if not quiet:
        click.echo(render_nightly_start(total, workers, db_path, shard_label))
    level = fail_on or settings.fail_on
    try:
        summary, interrupted = _run(
            chosen,
            db_path,
            runner,
            workers,
            isolation or settings.isolation,
            batch,
            out_dir,
            shard_label,
            providers.sha256,
            progress,
            trend or settings.trend,
            level,
        )
    except sqlite3.Error as exc:
        raise InputError(
            f"history database error: {exc}",
            file=str(db_path),
            hint="is another program holding a long write lock, or is the disk full?",
        ) from None
    written = write_summary(summary, out_dir)
    echo_totals(summary, written, level)
    if interrupted:
        click.echo(render_aborted(interrupted, summary, total))
        sys.stdout.flush()
        exit_with(3)
    code = exit_code(
        summary,
        unreachable_exit=int(unreachable_exit) if unreachable_exit is not None else settings.unreachable_exit,
        fail_on=level,
    )
    sys.stdout.flush()
    if code:
        exit_with(code)


def _run(
    chosen: list[Any],
    db_path: Path,
    runner: Any,
    workers: int,
    isolation: str,
    batch: str | None,
    out_dir: Path,
    shard_label: str | None,
    config_hash: str,
    progress: Any,
    trend: int,
    fail_on: str,
) -> tuple[Any, str | None]:
    """(summary of the batch, why it was interrupted or None)."""
    from specforge.history import HistoryStore, build_summary, run_nightly
    from specforge.history.runner import NightlyInterrupted

    with HistoryStore(db_path) as store:
        try:
            result = run_nightly(
                chosen,
                store,
                runner=runner,
                concurrency=workers,
                isolation=isolation,
                batch=batch,
                report_root=out_dir,
                shard=shard_label,
                config_hash=config_hash,
                on_result=progress,
            )
        except NightlyInterrupted as stopped:  # the runs stored so far make a partial summary
            result = stopped.run
        summary = build_summary(store, result.batch, trend=trend, summary_dir=out_dir, fail_on=fail_on)
        return summary, result.interrupted
