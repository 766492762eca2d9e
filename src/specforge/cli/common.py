"""Options and helpers shared by several commands."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from specforge.core.config import Config, load_config
from specforge.core.output import write_atomic
from specforge.render.terminal import Line

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Project file (default: the nearest specforge.toml).",
)

#: ``-o/--output`` of the commands that print a findings report (lint, diff)
report_output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file instead of standard output.",
)


def project(config_path: Path | None) -> Config:
    return load_config(config_path)


def echo_lines(lines: Iterable[Line]) -> None:
    """Echo render's lines in order, each on the stream it belongs to."""
    for line in lines:
        click.echo(line.text, err=line.err)


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


class FiniteFloat(click.FloatRange):
    """A float option (with an optional range) that refuses ``nan`` and ``inf``: both pass every
    range comparison (``nan < 0`` is false) and then break timers and libraries far away."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(
                f"{value!r} is not a finite number (fix: pass a number of seconds; nan and inf are refused)",
                param,
                ctx,
            )
        return super().convert(number, param, ctx)


def finite(min: float | None = None, max: float | None = None, *, min_open: bool = False) -> FiniteFloat:  # noqa: A002
    """The float option type every command uses (``--poll-interval``, ``--job-timeout``, ...)."""
    return FiniteFloat(min=min, max=max, min_open=min_open)


class EndpointURL(click.ParamType):
    """An http(s) endpoint URL, checked by core's one URL check (malformed is exit 2)."""

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from specforge.core.urls import shown, url_problem

        problem = url_problem(value)
        if problem is not None:
            self.fail(
                f"{shown(str(value))!r} {problem} (fix: pass e.g. https://api.example.com/v1)", param, ctx
            )
        return value


def _together(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Several click options as one decorator (applied in the order given)."""

    def apply(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


#: what to check against and with which token: `check` and `relay-check` (one wording)
target_options = _together(
    click.option(
        "--variant",
        help="Check against what this vendor documents (canonical + its overlay; default: the canonical spec).",
    ),
    click.option(
        "--spec",
        "spec_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Check against this OpenAPI file.",
    ),
    click.option(
        "--token-env",
        default=None,
        help="Environment variable holding the endpoint's API token (default: SPECFORGE_TOKEN).",
    ),
)

#: how a check runs (generation, polling, timeouts, reports): `check` and `relay-check`
run_options = _together(
    click.option("--no-create", is_flag=True, help="Send no request that could create a job."),
    click.option(
        "--max-examples",
        type=click.IntRange(min=1),
        default=None,
        help="Examples per operation and phase (default: 20).",
    ),
    click.option("--seed", type=int, default=None, help="Seed for reproducible generation."),
    click.option(
        "--poll-interval",
        type=finite(min=0),
        default=None,
        help="Seconds between job polls (default: 2; grows 1.5x, Retry-After wins).",
    ),
    click.option(
        "--job-timeout",
        type=finite(min=0, min_open=True),
        default=None,
        help="Seconds a job may stay queued/in_progress before it is reported pending (default: 600).",
    ),
    click.option(
        "--request-timeout",
        type=finite(min=0, min_open=True),
        default=None,
        help="Seconds per request (default: 30).",
    ),
    click.option(
        "--report-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Reports go to REPORT_DIR/<run-id>/ (default: the project's reports folder).",
    ),
)


def check_options(config: Config, flags: dict[str, Any], **fixed: Any) -> Any:
    """A check's ``CheckOptions``: the project's ``[check]`` defaults, overridden by the flags
    given (``None``: not given), plus ``fixed`` (the URL, the spec, what the command decides)."""
    from specforge.check import CheckOptions
    from specforge.check.runner import config_defaults

    settings = {**config_defaults(config), **{k: v for k, v in flags.items() if v is not None}}
    return CheckOptions(config=config, **fixed, **settings)
