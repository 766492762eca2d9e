"""``specforge ingest``: vendor doc pages → OpenAPI sources with provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from specforge.cli.common import config_option, echo_lines, exit_with, project


@click.command("ingest")
@click.argument("docs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the sources (default: each variant's configured source, i.e. specs/sources/).",
)
@click.option("--variant", "variants", multiple=True, help="Only this configured variant (repeatable).")
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 if a source is stale or a hand-written page changed."
)
@click.option(
    "--explain",
    is_flag=True,
    help="Write nothing; print what was found in each page and where (route, field, type, line, evidence).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--cassette",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Infer an observed source from a check's cassette.jsonl instead: writes OUT/observed.yaml.",
)
@config_option
def command(
    docs: tuple[Path, ...],
    out: Path | None,
    variants: tuple[str, ...],
    check: bool,
    explain: bool,
    fmt: str,
    cassette: Path | None,
    config_path: Path | None,
) -> None:
    """Extract the OpenAPI document embedded in vendor doc pages into sources.

    Each DOC is a whole OpenAPI file, a page with a fenced ```yaml/```json block whose top level has
    `openapi:` (HTML pages: a <pre> block), or a page with an OpenAPI JSON object in its text. Every request/response example
    the page shows (curl -d/-F, response JSON) is added as an OpenAPI example citing its page line,
    and info.x-specforge-source records the page, vendor, extraction mode, sha256, line range and
    the openapi-spec-validator result. Output is deterministic: re-running changes nothing.

    A page without an OpenAPI document (extract = "auto", the default) becomes a DRAFT source built
    from its own evidence: routes, parameter tables, rendered field lists, curl commands and
    request/response examples, each fact citing its page line and how it was learned. --explain
    prints those facts instead of writing.

    Without DOC, every variant in specforge.toml is ingested. Hand-written sources (extract =
    "hand") are never overwritten; their recorded page hash is checked instead.

    \b
    Example:
      specforge ingest                                   # all configured variants -> specs/sources/
      specforge ingest specs/docs/* --out /tmp/sources   # regenerate into another folder
      specforge ingest --check                           # CI: fail when a source is stale
      specforge ingest --explain page.txt                # what was found where
      specforge ingest --cassette reports/<run>/cassette.jsonl --out observed/   # what the endpoint did
    """
    from specforge.ingest import ingest_variants
    from specforge.render.ingest_text import render_ingest_outcomes

    config = project(config_path)
    if cassette is not None:
        if docs or variants or check:
            raise click.UsageError("--cassette takes no DOC, --variant or --check")
        from specforge.ingest.observed import write_observed
        from specforge.render.ingest_text import render_observed

        written, document = write_observed(config, cassette, out or Path("."))
        click.echo(render_observed(written, document, config.root))
        return
    if docs and variants:
        raise click.UsageError("give DOC paths or --variant, not both")
    if explain:
        _explain(config, docs, variants, fmt)
        return
    outcomes = ingest_variants(
        config,
        names=list(variants) or None,
        docs=list(docs) or None,
        out=out,
        check=check,
        keep_going=True,
    )
    echo_lines(render_ingest_outcomes(outcomes, config.root, fmt))
    if any(o.error is not None for o in outcomes):
        exit_with(2)
    stale = any(o.diagnostics or o.action == "would-write" for o in outcomes)
    if check and stale:
        exit_with(1)


def _explain(config: Any, docs: tuple[Path, ...], variants: tuple[str, ...], fmt: str) -> None:
    from specforge.ingest import explain_page
    from specforge.render.ingest_explain import explain_json, explain_text

    if docs:
        explanations = [explain_page(doc, config=config) for doc in docs]
    else:
        names = list(variants) or list(config.variants)
        explanations = [
            explain_page(doc, config=config, variant=n)
            for n in names
            if (doc := config.variant(n).doc) is not None
        ]
    if fmt == "json":
        click.echo(explain_json(explanations), nl=False)
    else:
        click.echo("\n".join(explain_text(e) for e in explanations), nl=False)
