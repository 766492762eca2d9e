"""The summary page of a `specforge run` (pure: plain data in, Markdown out)."""

from __future__ import annotations

from typing import Any


def pipeline_markdown(data: dict[str, Any]) -> str:
    verdict = {0: "completed", 1: "completed: a mock does not conform to its spec", 2: "failed"}
    lines = [
        f"# specforge run {data['run_id']}",
        "",
        f"Result: **{verdict.get(data['exit_code'], 'failed')}** (exit code {data['exit_code']}).",
        "",
        "| stage | status | summary | seconds |",
        "|---|---|---|---|",
    ]
    for stage in data["stages"]:
        summary = stage["summary"].replace("|", "\\|")
        lines.append(f"| {stage['name']} | {stage['status']} | {summary} | {stage['seconds']:.2f} |")
    if data["lint"]:
        counts = data["lint"]
        lines += [
            "",
            "## Lint",
            "",
            f"{counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, {counts.get('info', 0)} info: "
            "see [lint.md](lint.md) (also [lint.sarif](lint.sarif), [lint.json](lint.json)).",
        ]
    if data["checks"]:
        lines += [
            "",
            "## Conformance (each variant's built-in mock against that variant's spec)",
            "",
            "| variant | verdict | cases | failures | infrastructure | report |",
            "|---|---|---|---|---|---|",
        ]
        for variant, check in data["checks"].items():
            lines.append(
                f"| {variant} | {check['verdict']} | {check['cases']} | {check['failures']} | "
                f"{check['infrastructure']} | [{check['report']}]({check['report']}) |"
            )
    return "\n".join(lines) + "\n"
