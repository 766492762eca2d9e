"""``specforge history``: browse, compare, prune and merge the nightly history database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from specforge.cli.common import exit_with
from specforge.cli.nightly import FAIL_ON_LEVELS

_db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="History database (default: <reports>/history.sqlite of the project).",
)
_project_option = click.option(
    "--project",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Project file (default: the nearest specforge.toml).",
)
_format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def _db_path(db: Path | None, project: Path | None) -> Path:
    if db is not None:
        return db
    from specforge.core.config import load_config

    return load_config(project).reports / "history.sqlite"


def _open(db: Path | None, project: Path | None, *, create: bool = False) -> Any:
    from specforge.history import HistoryStore

    return HistoryStore(_db_path(db, project), create=create)


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    return _db_option(_project_option(func))


@click.group("history")
def history() -> None:
    """Browse and maintain the nightly history (reports/history.sqlite).

    RUN is a run id, a unique prefix of one, a provider name (its latest run) or PROVIDER~N
    (N runs before its latest).

    \b
    Example:
      specforge history list --provider acme
      specforge history diff acme~1 acme
      specforge history merge shard-1.sqlite shard-2.sqlite --db reports/history.sqlite
    """


@history.command("list")
@_common
@click.option("--provider", default=None, help="Only this provider's runs.")
@click.option("--batch", default=None, help="Only runs of this nightly batch.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@_format_option
def list_runs(
    db: Path | None, project: Path | None, provider: str | None, batch: str | None, limit: int, fmt: str
) -> None:
    """List runs, newest first.

    \b
    Example:
      specforge history list --provider acme --limit 10
    """
    from specforge.render.nightly_text import render_runs_json, render_runs_table

    with _open(db, project) as store:
        runs = store.list_runs(provider=provider, batch=batch, limit=limit)
    click.echo(render_runs_json(runs) if fmt == "json" else render_runs_table(runs), nl=False)


@history.command("show")
@click.argument("run")
@_common
@_format_option
def show(run: str, db: Path | None, project: Path | None, fmt: str) -> None:
    """Show one run: verdict, failures, errors and how it compares with the run before it.

    \b
    Example:
      specforge history show acme
    """
    import json

    from specforge.history import compare_runs
    from specforge.render.nightly_text import render_run

    with _open(db, project) as store:
        record = store.resolve(run)
        diff = compare_runs(store, store.previous(record), record)
    if fmt == "json":
        click.echo(
            json.dumps({**record.to_dict(), "comparison": diff.to_dict()}, indent=2, ensure_ascii=False)
        )
    else:
        click.echo(render_run(record, diff), nl=False)


@history.command("diff")
@click.argument("run_a")
@click.argument("run_b")
@_common
@_format_option
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when RUN_B has regressions (new failures or causes) against RUN_A.",
)
def diff(run_a: str, run_b: str, db: Path | None, project: Path | None, fmt: str, exit_code: bool) -> None:
    """Compare two runs: failures and causes new in RUN_B (regressions), gone (fixes), unchanged,
    and spec drift as classified changes of the spec between them (a breaking one is a regression).

    \b
    Example:
      specforge history diff acme~1 acme --exit-code
    """
    from specforge.history import compare_runs
    from specforge.render.nightly_text import render_diff, render_diff_json

    with _open(db, project) as store:
        older, newer = store.resolve(run_a), store.resolve(run_b)
        result = compare_runs(store, older, newer)
    click.echo(render_diff_json(result) if fmt == "json" else render_diff(result), nl=False)
    if exit_code and (result.regressions or result.new_causes):
        exit_with(1)


@history.command("prune")
@_common
@click.option("--keep", type=click.IntRange(0), required=True, help="Runs to keep per provider (the newest).")
@click.option("--provider", default=None, help="Only prune this provider's runs.")
def prune(db: Path | None, project: Path | None, keep: int, provider: str | None) -> None:
    """Delete all but the newest N runs of each provider.

    \b
    Example:
      specforge history prune --keep 30
    """
    from specforge.render.nightly_text import render_pruned

    with _open(db, project) as store:
        deleted = store.prune(keep, provider=provider)
        left = store.count()
    click.echo(render_pruned(deleted, left))


@history.command("merge")
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@_common
def merge(sources: tuple[Path, ...], db: Path | None, project: Path | None) -> None:
    """Merge shard databases (one per CI matrix job) into --db. Idempotent: merging the same
    shard twice adds nothing.

    \b
    Example:
      specforge history merge shards/*/history.sqlite --db reports/history.sqlite
    """
    from specforge.render.nightly_text import render_shard_merged, render_store_count

    with _open(db, project, create=True) as store:
        for source in sources:
            added = store.merge(source)
            click.echo(render_shard_merged(source, added))
        total = store.count()
    click.echo(render_store_count(total, _db_path(db, project)))


@history.command("report")
@_common
@click.option("--batch", default=None, help="Batch to summarise (default: the newest).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for summary.{md,html,json} (default: <reports>/nightly/<batch date>).",
)
@click.option("--trend", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--unreachable-exit", type=click.Choice(["0", "3"]), default="3", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_LEVELS),
    default="blocking",
    show_default=True,
    help="Lowest cause severity that fails the batch (as `specforge nightly --fail-on`).",
)
def report(
    db: Path | None,
    project: Path | None,
    batch: str | None,
    out: Path | None,
    trend: int,
    unreachable_exit: str,
    fail_on: str,
) -> None:
    """Write the nightly summary of a batch from the database (e.g. after merging shards), with
    the same exit code as `specforge nightly`.

    \b
    Example:
      specforge history report --batch "$GITHUB_RUN_ID" --out reports/nightly/today
    """
    from specforge.cli.nightly import echo_totals, write_summary
    from specforge.core.config import load_config
    from specforge.history import build_summary, exit_code

    with _open(db, project) as store:
        chosen = batch or store.latest_batch()
        started = store.batch_started(chosen) if chosen else None
        folder = out or load_config(project).reports / "nightly" / (started or "unknown")[:10]
        summary = build_summary(store, chosen, trend=trend, summary_dir=folder, fail_on=fail_on)
    written = write_summary(summary, folder)
    echo_totals(summary, written, fail_on)
    code = exit_code(summary, unreachable_exit=int(unreachable_exit), fail_on=fail_on)
    if code:
        exit_with(code)
