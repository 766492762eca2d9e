"""report.md: the conformance report as Markdown (reads well in a PR comment or a terminal)."""

from __future__ import annotations

from specforge.check.model import CaseStatus, CheckResult
from specforge.render import markdown as md

_ICON = {"conformant": "PASS", "non-conformant": "FAIL", "error": "ERROR"}


_cell = md.table_cell  # every server- or vendor-supplied text goes through render.markdown
_fence = md.fence


def render_report_md(result: CheckResult) -> str:
    data = result.to_dict()
    summary = data["summary"]
    budget = "unlimited" if result.budget is None else str(result.budget)
    lines = [
        f"# specforge check: {_ICON[result.verdict.value]} — {result.verdict.value}",
        "",
        f"- endpoint: {md.code(result.base_url)}",
        f"- spec: {md.code(result.spec_name)}" + (f" (variant {md.code(result.variant)})" if result.variant else "") + f", sha256 `{result.spec_hash[:12]}`",
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
        lines += ["", f"> **Run aborted:** {md.text(result.aborted)}. This report is partial."]
    if result.notes:
        lines += ["", "Notes:", ""] + [f"- {md.text(note)}" for note in result.notes]
    lines += ["", "## Operations", "", "| operation | creates job | cases | passed | failed | errors | skipped |", "|---|---|---|---|---|---|---|"]
    for op in result.operations:
        lines.append(f"| {md.code(op.label, cell=True)} | {'yes' if op.creates_job else 'no'} | {op.cases} | {op.passed} | {op.failed} | {op.errors} | {op.skipped} |")
    lines += ["", "## Checks", "", "| check | origin | passed | failed |", "|---|---|---|---|"]
    for check in result.checks:
        lines.append(f"| {md.code(check.name, cell=True)} | {check.origin} | {check.passed} | {check.failed} |")
    if result.sdk:
        lines += ["", f"## OpenAI SDK compatibility ({md.text(result.sdk[0].sdk or 'openai-python')})", "",
                  "| SDK call | operation | result | why |", "|---|---|---|---|"]
        for call in result.sdk:
            lines.append(f"| {md.code('client.' + call.call, cell=True)} | {md.code(call.operation or '-', cell=True)} | "
                         f"{_cell(call.outcome)} | {_cell(call.why or '-')} |")
    lines += ["", f"## Failures ({len(result.failures)})", ""]
    if not result.failures:
        lines.append("None.")
    for i, failure in enumerate(result.failures, 1):
        d = failure.diagnostic
        lines += [f"### {i}. {md.code(failure.check)} on {md.code(failure.operation)}", "", md.text(d.message), ""]
        if d.pointer:
            lines.append(f"- at: {md.code(d.pointer)}")
        if failure.status_code is not None:
            lines.append(f"- status: {failure.status_code}")
        if failure.expected:
            lines.append(f"- expected: {_cell(failure.expected)}")
        if failure.actual:
            lines.append(f"- actual: {_cell(failure.actual)}")
        if d.hint:
            lines.append(f"- hint: {md.text(d.hint)}")
        if failure.response_excerpt:
            lines += ["", "Response excerpt:", "", _fence(failure.response_excerpt)]
        if failure.curl:
            lines += ["", "Reproduce:", "", _fence(failure.curl)]
        lines.append("")
    lines += ["", f"## Infrastructure ({len(result.infrastructure)})", ""]
    if not result.infrastructure:
        lines.append("None.")
    for issue in result.infrastructure:
        lines.append(f"- **{md.text(issue.kind)}** {md.text(issue.operation)}: {md.text(issue.message)}" + (f" (x{issue.count})" if issue.count > 1 else ""))
    if result.jobs:
        lines += ["", "## Jobs", "", "| job | outcome | statuses | progress | polls | seconds | content |", "|---|---|---|---|---|---|---|"]
        for job in result.jobs:
            content = f"{job.content_type} ({job.content_bytes} B)" if job.content_type else "-"
            lines.append(f"| {md.code(job.job_id, cell=True)} | {_cell(job.outcome)} | {_cell(' → '.join(job.statuses))} | {', '.join(map(str, job.progress))} | {job.polls} | {job.duration:.1f} | {content} |")
    skipped = [c for c in result.cases if c.status is CaseStatus.SKIPPED]
    if skipped:
        lines += ["", f"## Skipped ({len(skipped)})", ""]
        lines += [f"- {md.code(c.operation)} ({md.text(c.phase)}): {md.text(c.message)}" for c in skipped[:50]]
    return "\n".join(lines).rstrip() + "\n"
