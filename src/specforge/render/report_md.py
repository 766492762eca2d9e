"""report.md: the conformance report as Markdown (reads well in a PR comment or a terminal)."""

from __future__ import annotations

from specforge.check.model import CaseStatus, CheckResult

_ICON = {"conformant": "PASS", "non-conformant": "FAIL", "error": "ERROR"}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}\n{text}\n{fence}"


def render_report_md(result: CheckResult) -> str:
    data = result.to_dict()
    summary = data["summary"]
    budget = "unlimited" if result.budget is None else str(result.budget)
    lines = [
        f"# specforge check: {_ICON[result.verdict.value]} — {result.verdict.value}",
        "",
        f"- endpoint: `{result.base_url}`",
        f"- spec: `{result.spec_name}`" + (f" (variant `{result.variant}`)" if result.variant else "") + f", sha256 `{result.spec_hash[:12]}`",
        f"- run: `{result.run_id}` ({result.mode}), {result.started} → {result.finished}, {result.duration:.1f} s",
        f"- creates used: {result.creates_used} of budget {budget}"
        + (f", {result.creates_blocked} blocked" if result.creates_blocked else "")
        + (" (--no-create)" if result.no_create else ""),
        f"- cases: {summary['cases']} ({summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['errors']} errors, {summary['skipped']} skipped); failures: {summary['failures']}; "
        f"infrastructure issues: {summary['infrastructure']}",
        "- tools: " + ", ".join(f"{k} {v}" for k, v in sorted(result.tool_versions.items())),
    ]
    if result.aborted:
        lines += ["", f"> **Run aborted:** {result.aborted}. This report is partial."]
    if result.notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in result.notes]
    lines += ["", "## Operations", "", "| operation | creates job | cases | passed | failed | errors | skipped |", "|---|---|---|---|---|---|---|"]
    for op in result.operations:
        lines.append(f"| `{_cell(op.label)}` | {'yes' if op.creates_job else 'no'} | {op.cases} | {op.passed} | {op.failed} | {op.errors} | {op.skipped} |")
    lines += ["", "## Checks", "", "| check | origin | passed | failed |", "|---|---|---|---|"]
    for check in result.checks:
        lines.append(f"| `{check.name}` | {check.origin} | {check.passed} | {check.failed} |")
    if result.sdk:
        lines += ["", f"## OpenAI SDK compatibility ({result.sdk[0].sdk or 'openai-python'})", "",
                  "| SDK call | operation | result | why |", "|---|---|---|---|"]
        for call in result.sdk:
            lines.append(f"| `client.{_cell(call.call)}` | `{_cell(call.operation or '-')}` | {call.outcome} | {_cell(call.why or '-')} |")
    lines += ["", f"## Failures ({len(result.failures)})", ""]
    if not result.failures:
        lines.append("None.")
    for i, failure in enumerate(result.failures, 1):
        d = failure.diagnostic
        lines += [f"### {i}. `{failure.check}` on `{failure.operation}`", "", d.message, ""]
        if d.pointer:
            lines.append(f"- at: `{d.pointer}`")
        if failure.status_code is not None:
            lines.append(f"- status: {failure.status_code}")
        if failure.expected:
            lines.append(f"- expected: {_cell(failure.expected)}")
        if failure.actual:
            lines.append(f"- actual: {_cell(failure.actual)}")
        if d.hint:
            lines.append(f"- hint: {d.hint}")
        if failure.response_excerpt:
            lines += ["", "Response excerpt:", "", _fence(failure.response_excerpt)]
        if failure.curl:
            lines += ["", "Reproduce:", "", _fence(failure.curl)]
        lines.append("")
    lines += ["", f"## Infrastructure ({len(result.infrastructure)})", ""]
    if not result.infrastructure:
        lines.append("None.")
    for issue in result.infrastructure:
        lines.append(f"- **{issue.kind}** {issue.operation}: {issue.message}" + (f" (x{issue.count})" if issue.count > 1 else ""))
    if result.jobs:
        lines += ["", "## Jobs", "", "| job | outcome | statuses | progress | polls | seconds | content |", "|---|---|---|---|---|---|---|"]
        for job in result.jobs:
            content = f"{job.content_type} ({job.content_bytes} B)" if job.content_type else "-"
            lines.append(f"| `{job.job_id}` | {job.outcome} | {' → '.join(job.statuses)} | {', '.join(map(str, job.progress))} | {job.polls} | {job.duration:.1f} | {content} |")
    skipped = [c for c in result.cases if c.status is CaseStatus.SKIPPED]
    if skipped:
        lines += ["", f"## Skipped ({len(skipped)})", ""]
        lines += [f"- `{c.operation}` ({c.phase}): {c.message}" for c in skipped[:50]]
    return "\n".join(lines).rstrip() + "\n"
