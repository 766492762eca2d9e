"""``specforge merge``: sources -> canonical spec, overlays, merge report, compatibility matrix."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from specforge.cli.common import config_option, exit_with, project


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

    config = project(config_path)
    result = merge_project(config)
    for name, error in result.skipped.items():
        click.echo(f"specforge: error: {name}: {error}", err=True)
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    for diagnostic in errors:
        click.echo(str(diagnostic), err=True)
    if errors:
        click.echo("specforge: the merged spec is not valid OpenAPI 3.1; nothing written", err=True)
        exit_with(1)

    shown = config.display
    if check:
        outputs = merge_outputs(result)
        stale = stale_outputs(result)
        if stale:
            for path in stale:
                click.echo(f"stale: {shown(path)}")
            click.echo(
                f"{len(stale)} of {len(outputs)} merge outputs are stale (fix: run `specforge merge`)",
                err=True,
            )
            _skipped_exit(result.skipped)
            exit_with(1)
        if not quiet:
            click.echo(f"up to date: all {len(outputs)} merge outputs match the sources")
        _skipped_exit(result.skipped)
        return
    outputs = merge_outputs(result)
    written = write_merge(result)
    if quiet:
        _skipped_exit(result.skipped)
        return
    operations = sum(len(item) for item in result.canonical.get("paths", {}).values())
    click.echo(
        f"merged {len(result.normalized)} variants: {operations} operations, {len(result.conflicts)} conflicts "
        f"resolved by policy (see {shown(config.canonical.parent / 'merge-report.md')})"
    )
    counts = ", ".join(f"{variant} {count}" for variant, count in result.action_counts.items())
    click.echo(f"overlay actions: {counts}")
    if written:
        for path in written:
            click.echo(f"wrote {shown(path)}")
    else:
        click.echo(f"unchanged: all {len(outputs)} outputs already up to date")
    _skipped_exit(result.skipped)


def _skipped_exit(skipped: Mapping[str, object]) -> None:
    """The merge went on without the variants it could not read; the exit code still says so."""
    if skipped:
        click.echo(
            f"specforge: merged without {len(skipped)} variant(s) whose source could not be read: "
            f"{', '.join(skipped)} (their overlays were not rewritten)",
            err=True,
        )
        exit_with(2)
