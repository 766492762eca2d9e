"""Options and helpers shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from specforge.core.config import Config, load_config
from specforge.core.output import write_atomic

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Project file (default: the nearest specforge.toml).",
)


def project(config_path: Path | None) -> Config:
    return load_config(config_path)


def exit_with(code: int) -> Any:
    """Leave with ``code`` (non-standalone click mode turns this into sys.exit in ``main``)."""
    raise click.exceptions.Exit(code)


def write_output(text: str, output: Path | None, wrote: str | None = None) -> None:
    """``text`` to standard output, or atomically to ``output`` and then ``wrote`` (default
    "wrote PATH") on stderr, so that stdout carries nothing but the document."""
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text)
    click.echo(wrote or f"wrote {output}", err=True)
