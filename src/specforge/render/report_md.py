"""report.md: the conformance report as Markdown (reads well in a PR comment or a terminal)."""

from __future__ import annotations

from specforge.check.model import CaseStatus, CheckResult
from specforge.render import markdown as md

_ICON = {"conformant": "PASS", "non-conformant": "FAIL", "error": "ERROR"}


_cell = md.table_cell  # every server- or vendor-supplied text goes through render.markdown
_fence = md.fence


def causes_md(result: CheckResult) -> list[str]:
    """The causes, most severe first: the part of the report to act on."""
    by = result.to_dict()["summary"]["causes_by_severity"]
    lines = ["", f"## Causes ({len(result.causes)})", ""]
    if not result.causes:
        return [*lines, "None."]
    lines += [
        ", ".join(f"{n} {level}" for level, n in by.items())
        + f" — from {len(result.failures)} failure details. "
        "Severity rules: docs/severity.md.",
        "",
        "| # | severity | check | statement | operations | count |",
        "|---|---|---|---|---|---|",
    ]
    for number, cause in enumerate(result.causes, 1):
        lines.append(
            f"| {number} | **{cause.severity.value}** | {md.code(cause.check, cell=True)} | {_cell(cause.statement)} | "
            f"{len(cause.operations)} | {cause.count} |"
        )
    for number, cause in enumerate(result.causes, 1):
        lines += [
            "",
            f"### Cause {number}: {cause.severity.value} — {md.code(cause.check)}",
            "",
            md.text(cause.statement),
            "",
            "- operations: " + ", ".join(md.code(op) for op in cause.operations),
            f"- seen: {cause.count} time(s); cassette entries: "
            + (", ".join(map(str, cause.cassette)) or "none"),
            "- details: " + ", ".join(f"#{i + 1}" for i in cause.failures),
        ]
        if cause.expected:
            lines.append(f"- expected: {_cell(cause.expected)}")
        if cause.actual:
            lines.append(f"- actual: {_cell(cause.actual)}")
        if cause.hint:
            lines.append(f"- hint: {_cell(cause.hint)}")
        if cause.reproduction:
            lines += ["", _fence(cause.reproduction)]
    return lines


def budget_md(result: CheckResult) -> list[str]:
    lines = [
        "",
        "## Score",
        "",
        f"Score **{result.score:g}** of index **{result.index:g}** (index: how much of the contract this run could "
        "exercise given the spec and the budget; score: the passed share, never above the index).",
    ]
    if result.prevented:
        lines += ["", f"## Not run with budget {'unlimited' if result.budget is None else result.budget}", ""]
        lines += [f"- {md.text(p['what'])}" for p in result.prevented]
        lines += [
            "",
            f"A budget of {result.budget_needed} would have run them (`--budget {result.budget_needed}`).",
        ]
    return lines


def render_report_md(result: CheckResult) -> str:
    data = result.to_dict()
    summary = data["summary"]
    budget = "unlimited" if result.budget is None else str(result.budget)
    lines = [
        f"# specforge check: {_ICON[result.verdict.value]} — {result.verdict.value}",
        "",
        f"- endpoint: {md.code(result.base_url)}",
        f"- spec: {md.code(result.spec_name)}"
        + (f" (variant {md.code(result.variant)})" if result.variant else "")
        + f", sha256 `{result.spec_hash[:12]}`",
        f"- run: `{result.run_id}` ({result.mode}), {result.started} → {result.finished}, {result.duration:.1f} s",
        f"- creates used: {result.creates_used} of budget {budget}"
        + (f", {result.creates_blocked} blocked" if result.creates_blocked else "")
        + (" (--no-create)" if result.no_create else "")
        + (f" — {result.budget_source}" if result.budget_source else ""),
        f"- cases: {summary['cases']} ({summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['errors']} errors, {summary['skipped']} skipped); failures: {summary['failures']}; "
        f"infrastructure issues: {summary['infrastructure']}",
        "- tools: " + ", ".join(f"{k} {v}" for k, v in sorted(result.tool_versions.items())),
    ]
    if result.aborted:
        lines += ["", f"> **Run aborted:** {md.text(result.aborted)}. This report is partial."]
    if result.notes:
        lines += ["", "Notes:", ""] + [f"- {md.text(note)}" for note in result.notes]
    lines += causes_md(result)
    lines += budget_md(result)
    lines += [
        "",
        "## Operations",
        "",
        "| operation | creates job | cases | passed | failed | errors | skipped | index | score |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for op in result.operations:
        lines.append(
            f"| {md.code(op.label, cell=True)} | {'yes' if op.creates_job else 'no'} | {op.cases} | {op.passed} | {op.failed} | "
            f"{op.errors} | {op.skipped} | {op.index:g} | {op.score:g} |"
        )
    lines += ["", "## Checks", "", "| check | origin | passed | failed |", "|---|---|---|---|"]
    for check in result.checks:
        lines.append(
            f"| {md.code(check.name, cell=True)} | {check.origin} | {check.passed} | {check.failed} |"
        )
    if result.sdk:
        lines += [
            "",
            f"## OpenAI SDK compatibility ({md.text(result.sdk[0].sdk or 'openai-python')})",
            "",
            "| SDK call | operation | result | why |",
            "|---|---|---|---|",
        ]
        for call in result.sdk:
            lines.append(
                f"| {md.code('client.' + call.call, cell=True)} | {md.code(call.operation or '-', cell=True)} | "
                f"{_cell(call.outcome)} | {_cell(call.why or '-')} |"
            )
    lines += ["", f"## Failures ({len(result.failures)} details)", ""]
    if not result.failures:
        lines.append("None.")
    for i, failure in enumerate(result.failures, 1):
        d = failure.diagnostic
        seen = f" (seen {failure.occurrences} times)" if failure.occurrences > 1 else ""
        lines += [
            f"### {i}. {md.code(failure.check)} on {md.code(failure.operation)}{seen}",
            "",
            md.text(d.message),
            "",
        ]
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
        lines.append(
            f"- **{md.text(issue.kind)}** {md.text(issue.operation)}: {md.text(issue.message)}"
            + (f" (x{issue.count})" if issue.count > 1 else "")
        )
    if result.jobs:
        lines += [
            "",
            "## Jobs",
            "",
            "| job | outcome | statuses | progress | polls | seconds | content |",
            "|---|---|---|---|---|---|---|",
        ]
        for job in result.jobs:
            content = f"{job.content_type} ({job.content_bytes} B)" if job.content_type else "-"
            lines.append(
                f"| {md.code(job.job_id, cell=True)} | {_cell(job.outcome)} | {_cell(' → '.join(job.statuses))} | {', '.join(map(str, job.progress))} | {job.polls} | {job.duration:.1f} | {content} |"
            )
    skipped = [c for c in result.cases if c.status is CaseStatus.SKIPPED]
    if skipped:
        lines += ["", f"## Skipped ({len(skipped)})", ""]
        lines += [
            f"- {md.code(c.operation)} ({md.text(c.phase)}): {md.text(c.message)}" for c in skipped[:50]
        ]
    return "\n".join(lines).rstrip() + "\n"
