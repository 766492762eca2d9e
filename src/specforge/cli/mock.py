"""``specforge mock``: run one variant's mock provider in the foreground."""

from __future__ import annotations

import os
from pathlib import Path

import click

from specforge.cli.common import config_option, echo_lines, finite, project


@click.command("mock")
@click.option("--variant", default="openai", show_default=True, help="Variant whose contract to serve.")
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Serve this OpenAPI file instead of the variant's spec (canonical + overlay, or its source).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=4010,
    show_default=True,
    help="Port (Prism's default); 0 picks a free one.",
)
@click.option("--token", default=None, help="Bearer token clients must send (default: sk-test).")
@click.option(
    "--token-env", default=None, metavar="VAR", help="Read the bearer token from this environment variable."
)
@click.option("--no-auth", is_flag=True, help="Accept requests without a bearer token.")
@click.option(
    "--job-seconds",
    type=finite(0, 3600),
    default=None,
    help="Time a job takes from queued to completed [default: [mock] job-seconds, else 10].",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep jobs in this SQLite file so a restart loses nothing (default: in memory).",
)
@click.option(
    "--record",
    is_flag=True,
    help="Keep what the mock receives; GET /__specforge__/exchanges serves it (for `specforge relay-check --upstream-url`).",
)
@config_option
def command(
    variant: str,
    spec_path: Path | None,
    host: str,
    port: int,
    token: str | None,
    token_env: str | None,
    no_auth: bool,
    job_seconds: float | None,
    state: Path | None,
    record: bool,
    config_path: Path | None,
) -> None:
    """Serve a variant as a stateful mock provider: jobs go queued -> in_progress -> completed
    (a prompt containing `[fail]` fails), `/content` returns a small MP4, bodies are validated
    against the variant's spec. Prints the base URL, runs until Ctrl-C / SIGTERM.
    `GET /__specforge__/stats` reports {"creates": N, "requests": N}. Defaults and limits can be
    set in specforge.toml under [mock]: job-seconds, max-body-bytes, max-jobs, body-timeout.

    \b
    Example:
      specforge mock --port 8080 --job-seconds 2          # the official contract
      curl -H 'Authorization: Bearer sk-test' -F prompt='a cat' http://127.0.0.1:8080/v1/videos
      specforge mock --variant aiid --state jobs.sqlite   # another vendor; jobs survive restarts
    """
    from specforge.core import InputError
    from specforge.mock import DEFAULT_TOKEN, MockServer, create_app, load_spec, settings_from_config
    from specforge.render.mock_text import render_mock_start

    if token is not None and token_env is not None:
        raise click.UsageError("give either --token or --token-env, not both")
    if token_env is not None:
        token = os.environ.get(token_env)
        if not token:
            raise InputError(
                f"environment variable {token_env} is not set", hint=f"export {token_env}=... or use --token"
            )
    config = project(config_path)
    configured_seconds, limits = settings_from_config(config)
    if job_seconds is None:
        job_seconds = 10.0 if configured_seconds is None else configured_seconds
    if spec_path is None:
        config.variant(variant)  # unknown names fail with a suggestion before anything loads
    source = load_spec(variant, config, spec_path)
    effective = None if no_auth else (token or DEFAULT_TOKEN)
    app = create_app(
        source.spec,
        variant=variant,
        token=effective,
        job_seconds=job_seconds,
        state=state,
        limits=limits,
        record=record,
    )
    server = MockServer(app, host=host, port=port)
    echo_lines(
        render_mock_start(
            server.url,
            variant=variant,
            origin=str(source.origin),
            profile=app.profile,
            auth=effective is not None,
            state=str(state) if state else None,
            record=record,
        )
    )
    server.run()
