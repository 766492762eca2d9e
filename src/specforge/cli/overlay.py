"""``specforge overlay validate|apply|compare``: a thin shell over ``specforge.overlay``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from specforge.cli.common import echo_lines, exit_with, write_output
from specforge.core import Diagnostic, InputError, Severity, dump_for, load_mapping

_PATH = click.Path(dir_okay=False, path_type=Path)


def _show(diagnostics: Iterable[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


@click.group("overlay")
def overlay() -> None:
    """OAI Overlay 1.0/1.1: validate overlays, apply them to an OpenAPI document, or generate the
    overlay that turns one document into another.

    \b
    Example:
      specforge overlay apply specs/canonical.yaml specs/overlays/newapi.overlay.yaml -o newapi.yaml
    """


@overlay.command("validate")
@click.argument("overlays", nargs=-1, required=True, type=_PATH)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
def validate_command(overlays: tuple[Path, ...], strict: bool) -> None:
    """Validate overlays against the official Overlay 1.0/1.1 JSON Schemas, check that every
    target is valid RFC 9535 JSONPath and that update/remove/copy are not mixed. Findings are
    printed as file:line:col; exit 1 when there are errors (or warnings with --strict).

    \b
    Example:
      specforge overlay validate specs/overlays/*.overlay.yaml
    """
    from specforge.core import load_document
    from specforge.overlay import validate_overlay
    from specforge.overlay.validate import schema_version
    from specforge.render.overlay_text import render_validated

    failed = False
    for path in overlays:
        document = load_document(path)
        findings = validate_overlay(document)
        _show(findings)
        worst = [
            d for d in findings if d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING)
        ]
        failed = failed or bool(worst)
        actions = document.data.get("actions", []) if isinstance(document.data, dict) else []
        echo_lines([render_validated(str(path), len(worst), schema_version(document.data), len(actions))])
    if failed:
        exit_with(1)


@overlay.command("apply")
@click.argument("files", nargs=-1, required=True, type=_PATH)
@click.option(
    "-o",
    "--output",
    type=_PATH,
    default=None,
    help="Write here (.json: JSON, else YAML); default stdout YAML.",
)
@click.option(
    "--strict", is_flag=True, help="An action that matches or changes nothing is an error (exit 1)."
)
@click.option("-q", "--quiet", is_flag=True, help="No per-action match report, only findings.")
def apply_command(files: tuple[Path, ...], output: Path | None, strict: bool, quiet: bool) -> None:
    """Apply overlays, in order, to an OpenAPI document: SPEC OVERLAY... (or just OVERLAY when
    its `extends` names a local file). Each action's match count goes to stderr; an action that
    matches nothing is a warning (an error with --strict). Key order is preserved.

    \b
    Example:
      specforge overlay apply openapi.yaml sandbox.overlay.yaml -o openapi.sandbox.yaml
    """
    from specforge.overlay import OverlayError, apply
    from specforge.overlay.validate import place
    from specforge.render.overlay_text import NOT_WRITTEN, render_applied

    documents = [load_mapping(path) for path in files]
    if "overlay" in documents[0].data:
        spec: Any = None
        overlays = documents
    else:
        if len(documents) < 2:
            raise click.UsageError("give at least one OVERLAY after SPEC")
        spec = documents[0].data
        _show(documents[0].diagnostics)
        overlays = documents[1:]
    failed = False
    for document in overlays:
        try:
            result = apply(spec, document, strict=strict, base_dir=Path(document.path).parent)
        except OverlayError as exc:
            _show(place(document, d) for d in exc.diagnostics)
            raise InputError(f"{document.path}: invalid overlay, not applied", hint=exc.hint) from None
        spec = result.document
        lines = render_applied(str(document.path), document.data["actions"], result.matches, quiet=quiet)
        echo_lines(lines[:-1])
        _show(document.diagnostic_at(d) for d in result.diagnostics)
        echo_lines(lines[-1:])
        failed = failed or not result.ok
    if failed:
        echo_lines([NOT_WRITTEN])
        exit_with(1)
    write_output(dump_for(output or "-", spec), output)


@overlay.command("compare")
@click.argument("spec", type=_PATH)
@click.argument("target", type=_PATH)
@click.option(
    "-o",
    "--output",
    type=_PATH,
    default=None,
    help="Write the overlay here (.json: JSON, else YAML); default stdout.",
)
@click.option("--title", default=None, help="The overlay's info.title.")
def compare_command(spec: Path, target: Path, output: Path | None, title: str | None) -> None:
    """Generate the overlay that turns SPEC into TARGET (applying it to SPEC gives TARGET, as
    data): one action per changed subtree, each with a description; array elements with identity
    (parameters, tags, servers) are addressed by filter, not index.

    \b
    Example:
      specforge overlay compare specs/canonical.yaml specs/sources/newapi.yaml -o newapi.overlay.yaml
    """
    from specforge.overlay import compare

    source = load_mapping(spec)
    wanted = load_mapping(target)
    info = {"title": title or f"{spec.name} -> {target.name}", "version": "1.0.0"}
    generated = compare(source.data, wanted.data, info=info)
    write_output(
        dump_for(output or "-", generated), output, f"wrote {output} ({len(generated['actions'])} action(s))"
    )
