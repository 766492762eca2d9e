"""The compatibility matrix marks each cell with what `specforge diff REFERENCE VARIANT` says
about that row: the committed specs/compat.json (merge --check keeps it current) is the evidence."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _cells() -> dict[str, dict[str, dict]]:
    matrix = json.loads((ROOT / "specs" / "compat.json").read_text(encoding="utf-8"))
    return {row["name"]: row["cells"] for group in matrix["groups"] for row in group["rows"]}


def test_hingnet_veo_cells_are_breaking_where_the_sdk_breaks() -> None:
    cells = _cells()
    assert cells["input_reference forms"]["hingnet-veo"]["effect"] == "breaking"
    assert cells["seconds type"]["hingnet-veo"]["effect"] == "breaking"
    assert cells["timestamp unit (created_at)"]["aiid"]["effect"] == "breaking"  # milliseconds
    assert cells["auth"]["xiexus"]["effect"] is None  # bearer everywhere: nothing changed there
    assert "effect" not in cells["seconds type"]["openai"]  # the reference column


def test_markdown_shows_the_marks() -> None:
    text = (ROOT / "specs" / "compat.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| **seconds type**"))
    assert "integer ≠ ✗" in row
    assert "## Moving a client of the reference" in text
