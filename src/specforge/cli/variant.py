"""``specforge variant NAME``: one variant's full spec = canonical + its overlay."""

from __future__ import annotations

from pathlib import Path

import click

from specforge.cli.common import config_option, project, write_output
from specforge.core import dump_for


@click.command("variant")
@click.argument("name")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here (.json for JSON, anything else YAML) instead of standard output.",
)
@config_option
def command(name: str, output: Path | None, config_path: Path | None) -> None:
    """Render a variant's full OpenAPI spec: the canonical spec with the variant's overlay applied.

    \b
    Example:
      specforge variant hingnet-veo -o hingnet-veo.yaml
    """
    from specforge.overlay import load_variant

    config = project(config_path)
    document = load_variant(config, name)
    header = (
        f"specforge variant {name}: {config.canonical.name} + overlays/{name}.overlay.yaml applied.\n"
        "Generated; re-run `specforge variant` after `specforge merge`."
    )
    write_output(dump_for(output or Path("variant.yaml"), document, header=header), output)
