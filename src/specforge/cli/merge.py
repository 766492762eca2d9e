"""``specforge merge``: sources -> canonical spec, overlays, merge report, compatibility matrix."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from specforge.cli.common import config_option, echo_lines, exit_with, project


@click.command("merge")
@config_option
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and list the files that are missing or differ from what merge would write.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
def command(config_path: Path | None, check: bool, quiet: bool) -> None:
    """Merge the variants' sources into one canonical OpenAPI 3.1 spec plus one OAI Overlay per
    variant, and write the merge report and the compatibility matrix.

    Writes specs/canonical.yaml, specs/overlays/<variant>.overlay.yaml, specs/merge-report.md and
    specs/compat.{md,html,json}. The merge policy is the [merge] table of specforge.toml. Output is
    deterministic: a re-run with unchanged inputs rewrites nothing.

    \b
    Example:
      specforge merge
      specforge merge --check      # CI / pre-commit: exit 1 when committed outputs are stale
    """
    from specforge.merge import merge_project
    from specforge.render.merge_files import merge_outputs, stale_outputs, write_merge
    from specforge.render.merge_text import (
        merge_errors,
        render_merge_check,
        render_merge_written,
    )

    config = project(config_path)
    result = merge_project(config)
    echo_lines(merge_errors(result))
    if any(d.severity.value == "error" for d in result.diagnostics):
        exit_with(1)

    if check:
        outputs = merge_outputs(result)
        stale = stale_outputs(result)
        echo_lines(render_merge_check(result, stale, len(outputs), quiet=quiet))
        _skipped_exit(result.skipped)
        if stale:
            exit_with(1)
        return
    outputs = merge_outputs(result)
    written = write_merge(result)
    if not quiet:
        echo_lines(render_merge_written(result, written, len(outputs)))
    _skipped_exit(result.skipped)


def _skipped_exit(skipped: Mapping[str, object]) -> None:
    """The merge went on without the variants it could not read; the exit code still says so."""
    from specforge.render.merge_text import render_merge_skipped

    echo_lines(render_merge_skipped(skipped))
    if skipped:
        exit_with(2)
