"""report.json: the CheckResult as versioned JSON (layout in specforge/check/report.schema.json)."""

from __future__ import annotations

import json

from specforge.check.model import CheckResult


def render_report_json(result: CheckResult) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
