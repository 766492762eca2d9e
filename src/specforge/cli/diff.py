"""``specforge diff``: parse flags, call ``specforge.diff``, render, choose the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from specforge.cli.common import config_option, exit_with, report_output_option, write_output

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "potentially-breaking"]),
    default=None,
    help="Exit 1 when a change is at least this serious.",
)
@report_output_option
@config_option
def command(
    old: str, new: str, fmt: str, fail_on: str | None, output: Path | None, config_path: Path | None
) -> None:
    """What changed from OLD to NEW, and what it means for a client written against OLD: every
    change with its kind, effect (breaking / potentially-breaking / compatible; request and
    response side each in its own direction), JSON pointer and the file:line of both sides.
    Both sides are normalized first: OpenAPI 3.0 versus 3.1 of the same API is no change.

    OLD and NEW are each a file, `canonical`, a variant (its source), NAME@GIT-REV (that file as
    committed at a revision of the project), or a nightly history run (id, provider, provider~N).
    Kinds and their rules: docs/diff-kinds.md.

    Exit codes: 0 done, 1 a change at or above --fail-on, 2 bad input.

    \b
    Example:
      specforge diff canonical hingnet-veo               # moving OpenAI-SDK code to hingnet-veo
      specforge diff hingnet-veo@HEAD~1 hingnet-veo      # after re-ingesting a changed page
      specforge diff aiid observed/observed.yaml         # docs versus what the endpoint answered (ingest --cassette)
      specforge diff old.yaml new.yaml --format sarif -o diff.sarif --fail-on breaking
    """
    from specforge.core.config import load_config
    from specforge.diff import diff
    from specforge.diff.sources import load_spec
    from specforge.history.diff import recorded_spec
    from specforge.render.diff_report import diff_report, failed
    from specforge.render.findings import render_findings

    config = load_config(config_path)
    before, after = (load_spec(ref, config, history=recorded_spec) for ref in (old, new))
    changes = diff(before, after)
    color = output is None and fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text = render_findings(diff_report(changes, before, after), fmt, color=color)
    write_output(text, output)
    exit_with(1 if failed(changes, fail_on) else 0)
