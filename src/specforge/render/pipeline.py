"""The summary page of a `specforge run` (pure: plain data in, Markdown out)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specforge.render.markdown import table_cell


def pipeline_markdown(data: dict[str, Any]) -> str:
    verdict = {0: "completed", 1: "completed: a mock does not conform to its spec", 2: "failed"}
    lines = [
        f"# specforge run {data['run_id']}",
        "",
        f"Result: **{verdict.get(data['exit_code'], 'failed')}** (exit code {data['exit_code']}).",
        "",
        *(
            [
                f"Gate `--fail-on {data['fail_on']}`: a mock that does not conform fails the run only "
                f"with a cause at {data['fail_on']} or worse.",
                "",
            ]
            if data.get("fail_on")
            else []
        ),
        "| stage | status | summary | seconds |",
        "|---|---|---|---|",
    ]
    for stage in data["stages"]:
        summary = stage["summary"].replace("|", "\\|")
        lines.append(f"| {stage['name']} | {stage['status']} | {summary} | {stage['seconds']:.2f} |")
    if data.get("skipped"):
        lines += [
            "",
            "## Skipped variants",
            "",
            "These could not be read; every other variant went on through the run.",
            "",
            "| variant | why |",
            "|---|---|",
        ]
        for variant, reason in data["skipped"].items():
            lines.append(f"| {variant} | {table_cell(reason)} |")
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
            "## Conformance",
            "",
            "Each variant's built-in mock, checked against that variant's own spec (it should conform)",
            "and against the canonical contract (how OpenAI-compatible the vendor is as documented).",
            "",
            "| variant | vs own spec | own causes (blocking/major/minor) | score/index | vs canonical | checks that fail against the canonical | reports |",
            "|---|---|---|---|---|---|---|",
        ]
        compat = data.get("compat", {})
        for variant, check in data["checks"].items():
            other = compat.get(variant)
            own = f"{check['verdict']} ({check['failures']} failures / {check['cases']} cases)"
            versus = f"{other['verdict']} ({other['failures']} failures)" if other else "—"
            failing = (
                ", ".join(f"`{c}`" for c in other["failed_checks"])
                if other and other["failed_checks"]
                else "—"
            )
            links = f"[own]({check['report']})" + (f", [canonical]({other['report']})" if other else "")
            causes = check.get("causes_by_severity") or {}
            levels = "/".join(str(causes.get(level, 0)) for level in ("blocking", "major", "minor"))
            if check.get("fails_run"):
                levels += " (fails the run)"
            score = f"{check.get('score', 0):g}/{check.get('index', 0):g}"
            lines.append(f"| {variant} | {own} | {levels} | {score} | {versus} | {failing} | {links} |")
    return "\n".join(lines) + "\n"


def render_report_line(summary: Path, cwd: Path) -> str:
    """``report: <summary.md>``, relative to ``cwd`` when the report lies under it."""
    try:
        shown = summary.resolve().relative_to(cwd.resolve())
    except ValueError:
        shown = summary
    return f"report: {shown}"
