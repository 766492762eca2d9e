"""A variant as the rest of specforge sees it: the canonical spec with the variant's overlay applied."""

from __future__ import annotations

from typing import Any

from specforge.core import Config, InputError, Severity, load_mapping
from specforge.overlay.engine import apply


def load_variant(config: Config, name: str) -> dict[str, Any]:
    """``config.canonical`` + ``config.overlays / f"{name}.overlay.yaml"`` applied.

    The result is a fresh document (loaded from disk on every call), so callers may keep it.
    Raises ``InputError`` when a file is missing, the overlay is invalid, or an action fails."""
    config.variant(name)  # unknown names fail with a "did you mean" suggestion
    overlay_path = config.overlays / f"{name}.overlay.yaml"
    for path, what in ((config.canonical, "canonical spec"), (overlay_path, f"overlay of variant `{name}`")):
        if not path.is_file():
            raise InputError(f"{what} not found", file=str(path), hint="run `specforge merge` to generate it")
    canonical = load_mapping(config.canonical, "canonical spec")
    overlay = load_mapping(overlay_path, "overlay")
    result = apply(canonical.data, overlay.data, base_dir=overlay_path.parent)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if errors:
        first = overlay.diagnostic_at(errors[0])
        raise InputError(
            f"overlay of variant `{name}` does not apply: {first.message}",
            file=first.file,
            line=first.line,
            col=first.col,
            hint="re-run `specforge merge`, or fix the overlay by hand",
        )
    document: dict[str, Any] = result.document
    return document
