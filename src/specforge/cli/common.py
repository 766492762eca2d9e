"""Options and helpers shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from specforge.core.config import Config, load_config

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
