"""``specforge fingerprint``: which known variant does an endpoint (or a cassette) behave like?"""

from __future__ import annotations

from pathlib import Path

import click

from specforge.cli.common import EndpointURL, config_option, exit_with, finite, project


@click.command("fingerprint")
@click.argument("base_url", required=False, type=EndpointURL())
@click.option(
    "--replay",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Rank variants from a recorded cassette (offline, no requests).",
)
@click.option(
    "--variant", "variants", multiple=True, help="Only rank these variants (repeatable; default: all)."
)
@click.option(
    "--token-env",
    default="SPECFORGE_TOKEN",
    show_default=True,
    help="Environment variable holding the API token.",
)
@click.option(
    "--budget",
    type=click.IntRange(min=0),
    default=None,
    help="Job-creating requests allowed (default: 1 for a remote host, unlimited for localhost).",
)
@click.option("--no-create", is_flag=True, help="Send no request that could create a job.")
@click.option("--max-examples", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--seed", type=int, default=None)
@click.option("--job-timeout", type=finite(min=0, min_open=True), default=600.0, show_default=True)
@click.option("--poll-interval", type=finite(min=0), default=2.0, show_default=True)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the live run's reports and cassette go (default: the project's reports folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
@config_option
def command(
    base_url: str | None,
    replay: Path | None,
    variants: tuple[str, ...],
    token_env: str,
    budget: int | None,
    no_create: bool,
    max_examples: int,
    seed: int | None,
    job_timeout: float,
    poll_interval: float,
    report_dir: Path | None,
    as_json: bool,
    config_path: Path | None,
) -> None:
    """Rank the known variants by how well an endpoint matches what each documents: one live check
    against the canonical spec (under the usual budget), then its cassette re-validated offline
    against every variant. Ties are ranked by resemblance to each variant's own examples.

    \b
    Example:
      specforge fingerprint http://127.0.0.1:8000
      specforge fingerprint --replay reports/<run-id>/cassette.jsonl --json
    """
    from specforge.check.replay import fingerprint, read_cassette
    from specforge.render.report_text import render_fingerprint

    config = project(config_path)
    for name in variants:
        config.variant(name)
    if replay is not None:
        if base_url:
            raise click.UsageError("--replay works offline: drop BASE_URL")
        entries = read_cassette(replay)
        source = str(replay)
    else:
        if not base_url:
            raise click.UsageError("missing BASE_URL (or --replay CASSETTE)")
        from specforge.check import CheckOptions, run_check
        from specforge.check.runner import new_run_id
        from specforge.core import InputError
        from specforge.render.reports import ReportWriter

        writer = ReportWriter(report_dir or config.reports)
        options = CheckOptions(
            base_url=base_url,
            config=config,
            token_env=token_env,
            budget=budget,
            no_create=no_create,
            max_examples=max_examples,
            seed=seed,
            job_timeout=job_timeout,
            poll_interval=poll_interval,
            run_id=new_run_id(),
            handlers=(writer,),
        )
        target = writer.folder(str(options.run_id))
        result = run_check(options, report_dir=target)
        if writer.error is not None:
            raise InputError(
                f"cannot write reports: {writer.error.strerror or writer.error}",
                file=str(target),
                hint="pass a writable --report-dir",
            )
        if result.aborted and not result.exchanges:
            from specforge.render.report_text import render_unreachable

            click.echo(render_unreachable(result.aborted), err=True)
            exit_with(3)
        entries = result.exchanges
        source = f"{base_url} (cassette: {target / 'cassette.jsonl'})"
    matches = fingerprint(entries, config, list(variants) or None)
    click.echo(render_fingerprint(source, matches, as_json=as_json), nl=False)
