"""``specforge run``: the main job on a project (the README Quickstart's first command)."""

from __future__ import annotations

from pathlib import Path

import click

from specforge.cli.check import LEVELS
from specforge.cli.common import config_option, exit_with, project


@click.command("run")
@config_option
@click.option(
    "--variant", "variants", multiple=True, help="Check only this variant's mock (repeatable; default: all)."
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the run folder goes (default: [project] reports, i.e. reports/).",
)
@click.option(
    "--max-examples",
    type=click.IntRange(1, 1000),
    default=10,
    show_default=True,
    help="Generated cases per operation in each conformance check.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for reproducible checks.")
@click.option(
    "--fail-on",
    type=click.Choice(LEVELS),
    default=None,
    help="A mock that does not conform fails the run only with a cause at this severity or worse "
    "(default: any failure), as `specforge check --fail-on`.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the final line.")
def command(
    config_path: Path | None,
    variants: tuple[str, ...],
    report_dir: Path | None,
    max_examples: int,
    seed: int,
    fail_on: str | None,
    quiet: bool,
) -> None:
    """Run the whole pipeline on the project: ingest the vendor doc pages into sources, merge them
    into the canonical spec and per-variant overlays, lint everything, start each variant's
    built-in mock and check it against that variant's spec. Writes reports/<run-id>/ with
    summary.md, summary.json, lint.{md,sarif,json} and check-<variant>/report.{html,md,json},
    junit.xml and the cassette.

    Exit code 0 when every stage ran and every mock conforms; 1 when a mock does not (with
    --fail-on LEVEL: only when its check has a cause at LEVEL or worse, or could not finish); 2 on
    bad input. Lint findings in vendor sources are reported, not treated as a failure.

    \b
    Example:
      specforge run
      specforge run --variant openai --variant aiid --max-examples 5
      specforge run --fail-on blocking
    """
    from specforge.pipeline import run_pipeline

    config = project(config_path)
    say = (lambda line: None) if quiet else (lambda line: click.echo(line))
    result = run_pipeline(
        config,
        variants=variants or None,
        report_root=report_dir,
        max_examples=max_examples,
        seed=seed,
        fail_on=fail_on,
        say=say,
    )
    from specforge.render.pipeline import render_report_line

    click.echo(render_report_line(result.directory / "summary.md", Path.cwd()))
    exit_with(result.exit_code)
