"""``specforge relay-check``: check a relay with a recording specforge mock as its upstream."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import click

from specforge.cli.common import (
    EndpointURL,
    check_options,
    config_option,
    exit_with,
    finite,
    project,
    run_options,
    target_options,
)

PHASE_NAMES = ("auth", "lifecycle", "sdk", "invalid-input", "examples", "coverage", "fuzzing", "stateful")


@click.command("relay-check")
@click.argument("relay_url", type=EndpointURL())
@click.option(
    "--upstream", "upstream", default="openai", show_default=True, help="Variant the upstream mock serves."
)
@click.option(
    "--upstream-url",
    type=EndpointURL(),
    default=None,
    help="Attach to a mock already running with `specforge mock --record` instead of starting one.",
)
@click.option(
    "--upstream-port",
    type=click.IntRange(0, 65535),
    default=4010,
    show_default=True,
    help="Port of the upstream mock started on 127.0.0.1 (the relay must forward there).",
)
@click.option(
    "--upstream-key-env",
    default="SPECFORGE_UPSTREAM_KEY",
    show_default=True,
    help="Environment variable with the key the relay sends upstream (unset: sk-specforge-upstream).",
)
@click.option(
    "--job-seconds",
    type=finite(min=0, max=3600),
    default=1.0,
    show_default=True,
    help="Upstream job duration.",
)
@target_options
@click.option(
    "--budget", type=click.IntRange(min=0), default=None, help="Job-creating requests allowed (default: 60)."
)
@click.option(
    "--phase",
    "phases",
    multiple=True,
    type=click.Choice(PHASE_NAMES),
    help="Only these check phases (repeatable; default: all).",
)
@run_options
@click.option("-q", "--quiet", is_flag=True, help="Only the final summary line.")
@config_option
def command(
    relay_url: str,
    upstream: str,
    upstream_url: str | None,
    upstream_port: int,
    upstream_key_env: str,
    job_seconds: float,
    variant: str | None,
    spec_file: Path | None,
    token_env: str | None,
    budget: int | None,
    no_create: bool,
    phases: tuple[str, ...],
    max_examples: int | None,
    seed: int | None,
    poll_interval: float | None,
    job_timeout: float | None,
    request_timeout: float | None,
    report_dir: Path | None,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Check a relay (LiteLLM, new-api, one-api, ...) with a specforge mock of UPSTREAM as the
    upstream it forwards to, and join both sides: fields the client sent vs what the upstream
    received, creates multiplied upstream (retries cost money), the client's token never sent
    upstream and the upstream key never returned, ids in the client's id space, headers such as
    openai-poll-after-ms passed through. The relay must already forward to the mock's URL
    (http://127.0.0.1:4010 by default) with the upstream key: docs/relays.md shows the config for
    LiteLLM, new-api and one-api. Reports (the check's, plus relay.json and relay.md) go to
    reports/<run-id>/.

    Exit codes: 0 no finding, 1 findings, 2 bad input, 3 relay unreachable or run aborted.

    \b
    Example:
      SPECFORGE_TOKEN=sk-litellm-master specforge relay-check http://127.0.0.1:4000 --upstream openai
      specforge relay-check http://127.0.0.1:3000 --upstream-url http://127.0.0.1:4010 --phase lifecycle --phase sdk
    """
    from specforge.check.runner import new_run_id
    from specforge.core import InputError
    from specforge.relay import DEFAULT_UPSTREAM_KEY, RelayOptions, run_relay_check
    from specforge.render.relay_text import render_relay_outcome
    from specforge.render.reports import write_reports

    if variant and spec_file:
        raise click.UsageError("give --variant or --spec, not both")
    config = project(config_path)
    config.variant(upstream)  # an unknown variant fails with a suggestion before anything starts
    flags = {
        "token_env": token_env,
        "budget": budget,
        "max_examples": max_examples,
        "seed": seed,
        "poll_interval": poll_interval,
        "job_timeout": job_timeout,
        "request_timeout": request_timeout,
    }
    check = check_options(
        config,
        flags,
        base_url=relay_url,
        spec=spec_file,
        variant=variant,
        no_create=no_create,
        run_id=new_run_id(),
    )
    if phases:
        check = dataclasses.replace(check, phases=tuple(p for p in PHASE_NAMES if p in phases))
    options = RelayOptions(
        check=check,
        upstream=upstream,
        upstream_url=upstream_url,
        upstream_port=upstream_port,
        upstream_key=os.environ.get(upstream_key_env) or DEFAULT_UPSTREAM_KEY,
        job_seconds=job_seconds,
    )
    target = (report_dir or config.reports) / str(check.run_id)
    relay = run_relay_check(options, report_dir=target)
    result = relay.check
    try:
        paths = write_reports(result, target)
    except OSError as exc:
        raise InputError(
            f"cannot write reports: {exc.strerror or exc}",
            file=str(target),
            hint="pass a writable --report-dir",
        ) from None
    click.echo(render_relay_outcome(relay, target, paths, quiet=quiet), nl=False)
    exit_with(result.exit_code)
