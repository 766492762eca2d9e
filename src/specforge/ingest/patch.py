"""Reviewed per-variant patches: what no extractor can know about a page (names its renderer
glued together, a field list that lost its names), written once by a person as an OAI Overlay
(``specs/patches/<variant>.overlay.yaml``) and applied at ingest on top of the extracted or
drafted source. Every action must say why in its ``description``; provenance records the patch
file, its sha256 and each action (target, line, description), so a patched fact is never
mistaken for one the page states."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specforge.core import Config, InputError, load_mapping
from specforge.core.config import display_path

#: where patches live unless ``[ingest] patches`` says otherwise (relative to the project root)
DEFAULT_DIR = "specs/patches"
SUFFIX = ".overlay.yaml"


@dataclass(frozen=True)
class Patch:
    file: str  # as shown (relative to the project root)
    sha256: str
    data: dict[str, Any]
    lines: tuple[int | None, ...]  # page... patch-file line of each action


def patch_dir(config: Config) -> Path:
    table = config.section("ingest", allowed={"patches"})
    return config.root / str(table.get("patches", DEFAULT_DIR))


def find_patch(config: Config, variant: str) -> Patch | None:
    """The reviewed patch for ``variant``, or None when it has none."""
    path = patch_dir(config) / f"{variant}{SUFFIX}"
    if not path.is_file():
        return None
    document = load_mapping(path, "ingest patch (OAI Overlay)")
    shown = display_path(path, config.root)
    actions = document.data.get("actions")
    if not isinstance(actions, list):
        raise InputError(
            "an ingest patch is an OAI Overlay with an `actions` list",
            file=shown,
            line=1,
            hint="see specs/patches/README.md",
        )
    lines: list[int | None] = []
    for index, action in enumerate(actions):
        location = document.locate(f"/actions/{index}", key=False)
        line = location.line if location else None
        if not isinstance(action, dict) or not str(action.get("description", "")).strip():
            raise InputError(
                f"patch action {index} has no `description`",
                file=shown,
                line=line,
                hint="say why the page cannot give this fact (every patch action is reviewed)",
            )
        lines.append(line)
    raw = path.read_bytes()
    return Patch(shown, hashlib.sha256(raw).hexdigest(), document.data, tuple(lines))


def apply_patch(data: dict[str, Any], patch: Patch) -> tuple[dict[str, Any], dict[str, Any]]:
    """``data`` with the patch applied (strict: an action that matches nothing is an error) and
    the provenance entry describing it."""
    from specforge.overlay import apply

    result = apply(data, patch.data, strict=True)
    if result.errors:
        first = result.errors[0]
        raise InputError(
            f"patch no longer applies: {first.message}",
            file=patch.file,
            line=patch.lines[0] if patch.lines else None,
            hint="the page or the extractor changed: review the patch against the new source",
        )
    provenance = {
        "file": patch.file,
        "sha256": patch.sha256,
        "actions": [
            {
                "target": a.get("target"),
                "description": str(a.get("description")).strip(),
                **({"line": line} if line else {}),
            }
            for a, line in zip(patch.data["actions"], patch.lines, strict=True)
        ],
    }
    return result.document, provenance
