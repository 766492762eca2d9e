"""report.html: a self-contained page (inline CSS, no scripts, no external assets) that convinces
a reader: verdict first, then per-operation and per-check summaries, every failure with expected
vs actual, the response excerpt and a curl reproduction, infrastructure issues, jobs, all cases."""

from __future__ import annotations

from html import escape

from specforge.check.model import CaseStatus, CheckResult

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
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def render_report_html(result: CheckResult) -> str:
    data = result.to_dict()
    summary = data["summary"]
    budget = "unlimited" if result.budget is None else str(result.budget)
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>specforge check — {_e(result.verdict.value)} — {_e(result.base_url)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f'<h1>specforge check <span class="verdict {_e(result.verdict.value)}" id="verdict">{_e(result.verdict.value)}</span></h1>',
        "<table>",
        f"<tr><th>endpoint</th><td><code>{_e(result.base_url)}</code></td></tr>",
        f"<tr><th>spec</th><td><code>{_e(result.spec_name)}</code>"
        + (f" (variant <code>{_e(result.variant)}</code>)" if result.variant else "")
        + f" sha256 <code>{_e(result.spec_hash[:16])}</code></td></tr>",
        f"<tr><th>run</th><td><code>{_e(result.run_id)}</code> ({_e(result.mode)}) {_e(result.started)} → {_e(result.finished)}, {result.duration:.1f} s</td></tr>",
        f"<tr><th>budget</th><td>{result.creates_used} job-creating request(s) sent of {_e(budget)}"
        + (f"; {result.creates_blocked} blocked" if result.creates_blocked else "")
        + (" (--no-create)" if result.no_create else "")
        + "</td></tr>",
        f"<tr><th>cases</th><td>{summary['cases']} total: <span class=ok>{summary['passed']} passed</span>, "
        f"<span class={'bad' if summary['failed'] else 'ok'}>{summary['failed']} failed</span>, {summary['errors']} errors, "
        f"{summary['skipped']} skipped</td></tr>",
        "<tr><th>tools</th><td>" + ", ".join(f"{_e(k)} {_e(v)}" for k, v in sorted(result.tool_versions.items())) + "</td></tr>",
        "</table>",
    ]
    if result.aborted:
        out.append(f'<p class="note"><strong>Run aborted:</strong> {_e(result.aborted)}. This report is partial.</p>')
    if result.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{_e(note)}</li>" for note in result.notes) + "</ul>")

    out += ['<h2 id="operations">Operations</h2><table><tr><th>operation</th><th>creates job</th><th>cases</th>'
            "<th>passed</th><th>failed</th><th>errors</th><th>skipped</th></tr>"]
    for op in result.operations:
        cls = ' class="bad"' if op.failed else ""
        out.append(
            f"<tr><td><code>{_e(op.label)}</code></td><td>{'yes' if op.creates_job else 'no'}</td>"
            f'<td class="num">{op.cases}</td><td class="num">{op.passed}</td><td class="num"{cls}>{op.failed}</td>'
            f'<td class="num">{op.errors}</td><td class="num">{op.skipped}</td></tr>'
        )
    out.append("</table>")

    out += ['<h2 id="checks">Checks</h2><table><tr><th>check</th><th>origin</th><th>passed</th><th>failed</th></tr>']
    for check in result.checks:
        cls = ' class="bad"' if check.failed else ""
        out.append(
            f"<tr><td><code>{_e(check.name)}</code></td><td>{_e(check.origin)}</td>"
            f'<td class="num">{check.passed}</td><td class="num"{cls}>{check.failed}</td></tr>'
        )
    out.append("</table>")

    if result.sdk:
        out.append(f'<h2 id="sdk">OpenAI SDK compatibility ({_e(result.sdk[0].sdk or "openai-python")})</h2>'
                   "<table><tr><th>SDK call</th><th>operation</th><th>result</th><th>why</th></tr>")
        for call in result.sdk:
            cls = {"works": "ok", "fails": "bad"}.get(call.outcome, "")
            out.append(f"<tr><td><code>client.{_e(call.call)}</code></td><td><code>{_e(call.operation or '-')}</code></td>"
                       f'<td class="{cls}">{_e(call.outcome)}</td><td>{_e(call.why or "-")}</td></tr>')
        out.append("</table>")
    out.append(f'<h2 id="failures">Failures ({len(result.failures)})</h2>')
    if not result.failures:
        out.append("<p>None: every check passed on every response.</p>")
    for i, failure in enumerate(result.failures, 1):
        d = failure.diagnostic
        out.append(f'<div class="failure" id="failure-{i}"><h3>{i}. <code>{_e(failure.check)}</code> on <code>{_e(failure.operation)}</code></h3>')
        out.append(f"<p>{_e(d.message)}</p>")
        facts = []
        if d.pointer:
            facts.append(f"at <code>{_e(d.pointer)}</code>")
        if failure.status_code is not None:
            facts.append(f"HTTP {failure.status_code}")
        if failure.case_id:
            facts.append(f"case <code>{_e(failure.case_id)}</code>")
        if facts:
            out.append("<p>" + " · ".join(facts) + "</p>")
        out.append(
            '<div class="cmp"><div><strong>expected</strong><br>'
            + (_e(failure.expected) or "<em>see message</em>")
            + "</div><div><strong>actual</strong><br>"
            + (_e(failure.actual) or "<em>see response</em>")
            + "</div></div>"
        )
        if d.hint:
            out.append(f"<p><strong>hint:</strong> {_e(d.hint)}</p>")
        if failure.response_excerpt:
            out.append(f"<p><strong>response excerpt</strong></p><pre>{_e(failure.response_excerpt)}</pre>")
        if failure.curl:
            out.append(f"<p><strong>reproduce</strong></p><pre>{_e(failure.curl)}</pre>")
        out.append("</div>")

    out.append(f'<h2 id="infrastructure">Infrastructure ({len(result.infrastructure)})</h2>')
    if not result.infrastructure:
        out.append("<p>None.</p>")
    else:
        out.append("<p>Problems reaching the endpoint; they are not conformance failures.</p>")
        out.append("<table><tr><th>kind</th><th>operation</th><th>count</th><th>message</th></tr>")
        for issue in result.infrastructure:
            out.append(
                f"<tr><td>{_e(issue.kind)}</td><td><code>{_e(issue.operation)}</code></td>"
                f'<td class="num">{issue.count}</td><td>{_e(issue.message)}</td></tr>'
            )
        out.append("</table>")

    if result.jobs:
        out.append('<h2 id="jobs">Jobs</h2><table><tr><th>job</th><th>outcome</th><th>statuses</th><th>progress</th>'
                   "<th>polls</th><th>seconds</th><th>content</th></tr>")
        for job in result.jobs:
            content = f"{_e(job.content_type)} ({job.content_bytes} B)" if job.content_type else "-"
            out.append(
                f"<tr><td><code>{_e(job.job_id)}</code></td><td>{_e(job.outcome)}</td><td>{_e(' → '.join(job.statuses))}</td>"
                f"<td>{_e(', '.join(map(str, job.progress)))}</td><td class=num>{job.polls}</td>"
                f"<td class=num>{job.duration:.1f}</td><td>{content}</td></tr>"
            )
        out.append("</table>")

    out.append(f'<h2 id="cases">All cases ({len(result.cases)})</h2><details><summary>show every case</summary>')
    out.append("<table><tr><th>case</th><th>phase</th><th>operation</th><th>status</th><th>checks</th></tr>")
    for case in result.cases:
        cls = {CaseStatus.FAILED: "bad", CaseStatus.PASSED: "ok"}.get(case.status, "")
        out.append(
            f"<tr><td><code>{_e(case.id)}</code></td><td>{_e(case.phase)}</td><td><code>{_e(case.operation)}</code></td>"
            f'<td class="{cls}">{_e(case.status.value)}</td><td>{_e(", ".join(case.checks))}'
            + (f"<br>{_e(case.message)}" if case.message else "")
            + "</td></tr>"
        )
    out.append("</table></details>")
    if result.cassette:
        out.append(f"<p>Every exchange is recorded in <code>{_e(result.cassette)}</code> (token redacted).</p>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"
