"""``specforge lint``: parse flags, run ``specforge.lint``, render, choose the exit code."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from specforge.cli.common import config_option, echo_lines, exit_with, report_output_option

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
DEFAULT_BASELINE = "specforge-lint-baseline.json"


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))  # files or folders
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: [lint] fail-on, else error).",
)
@config_option
@click.option(
    "--baseline",
    "baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Baseline file: findings listed there are not reported (default: [lint] baseline).",
)
@click.option(
    "--update-baseline", is_flag=True, help="Write every current finding to the baseline file and exit 0."
)
@click.option(
    "--select", multiple=True, metavar="RULE", help="Run only these rules (id or prefix; repeatable)."
)
@click.option(
    "--ignore", multiple=True, metavar="RULE", help="Do not run these rules (id or prefix; repeatable)."
)
@report_output_option
@click.option("--list-rules", is_flag=True, help="List every rule (id, severity, title) and exit.")
def lint(
    paths: tuple[Path, ...],
    fmt: str,
    fail_on: str | None,
    config_path: Path | None,
    baseline: Path | None,
    update_baseline: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    output: Path | None,
    list_rules: bool,
) -> None:
    """Lint OpenAPI documents: structural validity, examples against schemas, video-job
    contract rules, and inconsistencies between variants (types, shapes, enums, aliases), each
    finding at file:line:col. Without PATHS lints the project: every variant's source, the
    canonical spec and every variant (when `specforge merge` has produced them).

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad input.

    \b
    Example:
      specforge lint                                  # the whole project
      specforge lint specs/sources/aiid.yaml --format sarif -o lint.sarif
      specforge lint specs/                           # every OpenAPI file under a folder
      specforge lint --select SF-EXAMPLE --fail-on warning
    """
    from specforge.lint import REGISTRY

    if list_rules:
        from specforge.render.lint_text import render_rule_list

        click.echo(render_rule_list(REGISTRY), nl=False)
        return
    from specforge.core.config import load_config
    from specforge.core.errors import InputError
    from specforge.core.output import write_atomic
    from specforge.lint import load_settings
    from specforge.lint.baseline import write_baseline
    from specforge.lint.project import lint_paths, lint_project
    from specforge.render.findings import render_findings
    from specforge.render.lint_report import findings_report
    from specforge.render.lint_text import render_baseline_written, render_lint_skipped

    with _no_gc():
        config = load_config(config_path)
        settings = load_settings(config, select=select, ignore=ignore, fail_on=fail_on, baseline=baseline)
        if baseline is not None and not update_baseline and not baseline.is_file():
            raise InputError(
                "baseline file not found",
                file=str(baseline),
                hint="create it with `specforge lint --update-baseline`",
            )
        if paths:
            result = lint_paths(list(paths), config=config, settings=settings)
        else:
            result = lint_project(config, settings=settings)
        root = config.root
        if update_baseline:
            target = settings.baseline or root / DEFAULT_BASELINE
            write_baseline(target, result.all_diagnostics, root)
            echo_lines([render_baseline_written(result, target)])
            return
        report = findings_report(result, root)
        color = output is None and fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = render_findings(report, fmt, color=color)
        if output is not None:
            write_atomic(output, text)
        else:
            click.echo(text, nl=False)
        echo_lines(render_lint_skipped(result))
        if result.skipped:
            exit_with(2)
        exit_with(1 if result.failed(settings.fail_on) else 0)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Loading a 3 MB spec allocates millions of objects and no cycles worth collecting; the
    cyclic GC's passes over them cost a third of the run. Paused for the command only."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
