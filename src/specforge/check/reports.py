"""The JSON Schema report.json follows (shipped in the package; the writers are in
``specforge.render.reports``)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def report_schema() -> dict[str, Any]:
    """The JSON Schema report.json follows (shipped in the package)."""
    text = resources.files("specforge.check").joinpath("report.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
