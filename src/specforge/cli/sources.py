"""``specforge sources``: the variant table (version, operations, provenance, validation)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from specforge.cli.common import config_option, project


@click.command("sources")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text is a rich table on a terminal and plain aligned text otherwise.",
)
@click.option(
    "--validate", is_flag=True, help="Re-run openapi-spec-validator instead of showing the recorded result."
)
@config_option
def command(fmt: str, validate: bool, config_path: Path | None) -> None:
    """List the configured variants and their sources: OpenAPI version, operations (METHOD path),
    how each was extracted, from which doc page, and whether it validates.

    \b
    Example:
      specforge sources
      specforge sources --format json --validate
    """
    from specforge.ingest.sources import list_sources
    from specforge.render.sources import sources_json, sources_rich, sources_text

    rows = list_sources(project(config_path), revalidate=validate)
    if fmt == "json":
        click.echo(sources_json(rows), nl=False)
    elif sys.stdout.isatty():
        from rich.console import Console

        Console().print(sources_rich(rows))
    else:
        click.echo(sources_text(rows), nl=False)
