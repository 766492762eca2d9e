"""report.html: a self-contained page (inline CSS, no scripts, no external assets) that convinces
a reader: verdict and score first, then the causes most severe first, what the budget prevented,
per-operation and per-check summaries, the SDK table, every failure detail with expected vs actual,
the response excerpt and a curl reproduction, infrastructure issues, jobs, all cases. The page is
the autoescaped Jinja2 template ``templates/check_report.html.j2``."""

from __future__ import annotations

from specforge.check.model import CheckResult
from specforge.render.jinja import render_template

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dde3;padding-bottom:4px}
.verdict{display:inline-block;padding:4px 12px;border-radius:14px;font-weight:600;color:#fff}
.conformant{background:#1a7f37}.non-conformant{background:#cf222e}.error{background:#9a6700}
table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0}
th,td{border:1px solid #d8dde3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4} td.num{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#cf222e;font-weight:600}.ok{color:#1a7f37}
pre{background:#0d1117;color:#e6edf3;padding:8px 10px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.failure{background:#fff;border:1px solid #d8dde3;border-left:4px solid #cf222e;border-radius:6px;padding:10px 14px;margin:10px 0}
.failure h3{font-size:15px;margin:0 0 6px}
.cmp{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.cmp div{background:#f6f8fa;border:1px solid #d8dde3;border-radius:6px;padding:6px 8px;overflow-wrap:anywhere}
.note{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
details{margin:6px 0} summary{cursor:pointer}
.sev{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;font-weight:600;color:#fff}
.sev.blocking{background:#cf222e}.sev.major{background:#bc4c00}.sev.minor{background:#6e7781}
.failure.major{border-left-color:#bc4c00}.failure.minor{border-left-color:#6e7781}
"""


def render_report_html(result: CheckResult) -> str:
    data = result.to_dict()
    return render_template(
        "check_report.html.j2",
        r=result,
        css=_CSS,
        summary=data["summary"],
        by_severity=data["summary"]["causes_by_severity"],
        budget="unlimited" if result.budget is None else str(result.budget),
        tools=sorted(result.tool_versions.items()),
    )
