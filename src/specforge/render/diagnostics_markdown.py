"""Markdown for pull-request comments and job summaries: a summary line, then one table per file
(line, rule, severity, message)."""

from __future__ import annotations

from specforge.render.findings_model import FindingsReport, summary_line
from specforge.render.markdown import code, table_cell


def render_markdown(report: FindingsReport) -> str:
    out = [f"## {report.title or report.tool + ' lint'}", "", summary_line(report), ""]
    for file, diagnostics in report.by_file().items():
        out += [f"### {code(file)}", "", "| Line | Rule | Severity | Message |", "|---:|---|---|---|"]
        for d in diagnostics:
            where = f"{d.line}:{d.col}" if d.line is not None else ""
            rule = f"[{d.code}]({report.help_uri(d.code)})" if report.help_uri(d.code) else d.code
            message = d.message
            if d.related:
                message += " — also " + ", ".join(code(r) for r in d.related)
            out.append(f"| {where} | {rule} | {d.severity.value} | {table_cell(message)} |")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
