"""Machine-readable findings: one JSON document with a summary and every finding (rule,
severity, message, file:line:col, JSON pointer, variants, related places)."""

from __future__ import annotations

import json
from typing import Any

from specforge.render.findings_model import FindingsReport


def render_json(report: FindingsReport) -> str:
    findings: list[dict[str, Any]] = []
    for index, d in enumerate(report.diagnostics):
        entry = d.to_dict()
        rule = report.rules.get(d.code)
        if rule is not None:
            entry["title"] = rule.title
            entry["docs"] = report.help_uri(d.code)
        if index < len(report.fingerprints):
            entry["fingerprint"] = report.fingerprints[index]
        findings.append(entry)
    document = {
        "tool": report.tool,
        "version": report.version,
        "summary": {
            **report.counts(),
            "files": len(report.files),
            "suppressed": report.suppressed,
            "baselined": report.baselined,
        },
        "files": list(report.files),
        "findings": findings,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
