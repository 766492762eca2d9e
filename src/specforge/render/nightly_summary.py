"""Nightly summary renderers: ``NightlySummary`` -> JSON, Markdown, self-contained HTML (with an
inline SVG trend chart per provider). Pure functions: same summary in, same text out."""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from specforge.history.model import NightlySummary, ProviderRow, TrendPoint

SUMMARY_SCHEMA_VERSION = "1.0"

_COLOURS = {
    "conformant": "#2e7d32",
    "non-conformant": "#c62828",
    "error": "#757575",
    "timeout": "#8d6e63",
    "crashed": "#6a1b9a",
}
_STATUS_WORDS = {
    "baseline": "baseline",
    "not-compared": "not compared",
    "regressed": "REGRESSED",
    "fixed": "fixed",
    "changed": "changed",
    "unchanged": "unchanged",
}


def _row_dict(row: ProviderRow) -> dict[str, Any]:
    run = row.run
    return {
        "provider": run.provider,
        "run_id": run.run_id,
        "base_url": run.base_url,
        "variant": run.variant,
        "tags": list(run.tags),
        "verdict": run.verdict,
        "status": row.diff.status,
        "previous_run": row.diff.previous,
        "previous_verdict": row.diff.previous_verdict,
        "regressions": [_finding(row, key) for key in row.diff.regressions],
        "fixes": [_finding(row, key) for key in row.diff.fixes],
        "known_failures": len(row.diff.unchanged),
        "spec_drift": list(row.diff.spec_drift),
        "spec_changes": [d.to_dict() for d in row.diff.spec_changes],
        "spec": {"name": run.spec_name, "sha256": run.spec_hash, "source_sha256": run.source_hash},
        "creates_used": run.creates_used,
        "budget": run.budget,
        "duration": round(run.duration, 3),
        "errors": list(run.errors),
        "counts": run.counts(),
        "report": row.report_link,
        "trend": [
            {"run_id": p.run_id, "started_at": p.started_at, "verdict": p.verdict, "failures": p.failures}
            for p in row.trend
        ],
    }


def _finding(row: ProviderRow, key: str) -> dict[str, Any]:
    diagnostic = row.diff.details.get(key)
    data: dict[str, Any] = {"key": key}
    if diagnostic is not None:
        data["message"] = diagnostic.message
        data["code"] = diagnostic.code
    return data


def render_summary_json(summary: NightlySummary) -> str:
    data = {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "batch": summary.batch,
        "date": summary.date,
        "generated_at": summary.generated_at,
        "trend_runs": summary.trend_runs,
        "totals": summary.totals(),
        "regressed": list(summary.regressed),
        "unreachable": list(summary.unreachable),
        "providers": [_row_dict(row) for row in summary.rows],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _trend_text(points: tuple[TrendPoint, ...]) -> str:
    marks = {"conformant": "✓", "non-conformant": "✗", "error": "?", "timeout": "⌛", "crashed": "!"}
    return " ".join(f"{marks.get(p.verdict, '?')}{p.failures if p.verdict == 'non-conformant' else ''}" for p in points)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_summary_markdown(summary: NightlySummary) -> str:
    totals = summary.totals()
    lines = [
        f"# Nightly compatibility run {summary.date}",
        "",
        f"Batch `{summary.batch}` · {totals['providers']} provider(s) · "
        f"**{totals['regressions']} regression(s)** in {totals['regressed_providers']} provider(s) · "
        f"{totals['fixes']} fix(es) · {totals['unreachable_providers']} unreachable · "
        f"{totals['spec_drift']} with spec drift",
        "",
        f"| Provider | Variant | Verdict | Change | Regressions | Fixes | Known failures | Spec drift | Trend (last {summary.trend_runs}) | Report |",
        "|---|---|---|---|---:|---:|---:|---|---|---|",
    ]
    for row in summary.rows:
        run, diff = row.run, row.diff
        report = f"[report]({row.report_link})" if row.report_link else "—"
        lines.append(
            f"| {_md(run.provider)} | {_md(run.variant or 'canonical')} | {run.verdict} | "
            f"{_STATUS_WORDS.get(diff.status, diff.status)} | {len(diff.regressions)} | {len(diff.fixes)} | "
            f"{len(diff.unchanged)} | {'yes' if diff.spec_drift else '—'} | {_trend_text(row.trend)} | {report} |"
        )
    details = [row for row in summary.rows
               if row.diff.regressions or row.diff.fixes or row.diff.spec_drift or row.diff.spec_changes or row.run.errors]
    if details:
        lines += ["", "## Details"]
    for row in details:
        lines += ["", f"### {row.run.provider}", ""]
        for key in row.diff.regressions:
            d = row.diff.details.get(key)
            lines.append(f"- **regression** `{key}`" + (f": {_md(d.message)}" if d else ""))
        for key in row.diff.fixes:
            lines.append(f"- fixed `{key}`")
        for drift in row.diff.spec_drift:
            lines.append(f"- spec drift: {_md(drift)}")
        for change in row.diff.spec_changes:
            if change.severity.value != "error":  # breaking changes are regressions, listed above
                lines.append(f"- spec change `{change.code}`: {_md(change.message)}")
        for error in row.run.errors:
            lines.append(f"- error: {_md(error.splitlines()[0] if error else error)}")
    lines += ["", "Trend legend: ✓ conformant, ✗N non-conformant with N failures, ? error, ⌛ timeout, ! crashed.",
              f"Generated {summary.generated_at} by specforge nightly.", ""]
    return "\n".join(lines)


def trend_svg(points: tuple[TrendPoint, ...] | list[TrendPoint], *, width: int = 120, height: int = 28) -> str:
    """A small bar chart: one bar per run (oldest left), height = failures, colour = verdict;
    unreachable runs are short grey bars. Each bar has a tooltip."""
    points = list(points)
    if not points:
        return ""
    slot = width / max(len(points), 1)
    bar = max(slot - 2, 2)
    peak = max([p.failures for p in points] + [1])
    parts = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="failures over the last {len(points)} runs">'
    ]
    for index, point in enumerate(points):
        if point.verdict in ("conformant",):
            h = 3.0
        elif point.verdict == "non-conformant":
            h = 4 + (height - 6) * point.failures / peak
        else:
            h = height / 2
        x = index * slot + 1
        colour = _COLOURS.get(point.verdict, "#757575")
        label = f"{point.started_at} {point.verdict}, {point.failures} failure(s) — {point.run_id}"
        parts.append(
            f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{escape(label)}</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#212121}
h1{font-size:1.5rem;margin:0 0 .25rem}
.meta{color:#616161;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e0e0e0;padding:.35rem .6rem;text-align:left;vertical-align:middle}
th{background:#fafafa;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;color:#fff;font-size:.85em}
.regressed{background:#ffebee}
.status-regressed{color:#c62828;font-weight:700}
.status-fixed{color:#2e7d32;font-weight:600}
.cards{display:flex;gap:1rem;margin:1rem 0;flex-wrap:wrap}
.card{border:1px solid #e0e0e0;border-radius:.5rem;padding:.5rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.4rem}
details{margin:.5rem 0}
code{font-size:.9em;background:#f5f5f5;padding:0 .2rem;border-radius:.2rem}
li{margin:.15rem 0}
"""


def render_summary_html(summary: NightlySummary) -> str:
    totals = summary.totals()
    cards = [
        ("providers", totals["providers"]),
        ("regressions", totals["regressions"]),
        ("fixes", totals["fixes"]),
        ("unreachable", totals["unreachable_providers"]),
        ("spec drift", totals["spec_drift"]),
    ]
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>specforge nightly {escape(summary.date)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Nightly compatibility run {escape(summary.date)}</h1>",
        f'<div class="meta">batch <code>{escape(summary.batch)}</code> · generated {escape(summary.generated_at)}</div>',
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{value}</b>{escape(label)}</div>' for label, value in cards)
        + "</div>",
        "<table><thead><tr><th>Provider</th><th>Variant</th><th>Verdict</th><th>Change</th>"
        "<th>Regressions</th><th>Fixes</th><th>Known failures</th><th>Spec drift</th>"
        f"<th>Trend (last {summary.trend_runs})</th><th>Creates</th><th>Duration</th><th>Report</th></tr></thead><tbody>",
    ]
    for row in summary.rows:
        run, diff = row.run, row.diff
        colour = _COLOURS.get(run.verdict, "#757575")
        link = (
            f'<a href="{escape(row.report_link)}">report</a>' if row.report_link else "—"
        )
        out.append(
            f'<tr class="{"regressed" if diff.regressions else ""}">'
            f'<td><a href="#p-{escape(run.provider)}">{escape(run.provider)}</a></td>'
            f"<td>{escape(run.variant or 'canonical')}</td>"
            f'<td><span class="badge" style="background:{colour}">{escape(run.verdict)}</span></td>'
            f'<td class="status-{escape(diff.status)}">{escape(_STATUS_WORDS.get(diff.status, diff.status))}</td>'
            f'<td class="n">{len(diff.regressions)}</td><td class="n">{len(diff.fixes)}</td>'
            f'<td class="n">{len(diff.unchanged)}</td>'
            f"<td>{'yes' if diff.spec_drift else '—'}</td>"
            f"<td>{trend_svg(row.trend)}</td>"
            f'<td class="n">{run.creates_used}{"" if run.budget is None else f"/{run.budget}"}</td>'
            f'<td class="n">{run.duration:.1f} s</td><td>{link}</td></tr>'
        )
    out.append("</tbody></table>")
    for row in summary.rows:
        run, diff = row.run, row.diff
        items: list[str] = []
        for key in diff.regressions:
            d = diff.details.get(key)
            items.append(
                f'<li class="status-regressed">regression <code>{escape(key)}</code>'
                + (f": {escape(d.message)}" if d else "")
                + "</li>"
            )
        for key in diff.fixes:
            items.append(f'<li class="status-fixed">fixed <code>{escape(key)}</code></li>')
        for key in diff.unchanged:
            d = diff.details.get(key)
            items.append(f"<li>known <code>{escape(key)}</code>" + (f": {escape(d.message)}" if d else "") + "</li>")
        for drift in diff.spec_drift:
            items.append(f"<li>spec drift: {escape(drift)}</li>")
        for change in diff.spec_changes:
            if change.severity.value != "error":  # breaking changes are regressions, listed above
                items.append(f"<li>spec change <code>{escape(change.code)}</code>: {escape(change.message)}</li>")
        for error in run.errors:
            items.append(f"<li>error: <code>{escape(error)}</code></li>")
        open_attr = " open" if diff.regressions or run.errors else ""
        out.append(
            f'<details id="p-{escape(run.provider)}"{open_attr}><summary><b>{escape(run.provider)}</b> '
            f"— {escape(run.base_url)} · run <code>{escape(run.run_id)}</code>"
            + (f" · previous <code>{escape(diff.previous)}</code>" if diff.previous else " · first run (baseline)")
            + "</summary>"
            + (f"<ul>{''.join(items)}</ul>" if items else "<p>No findings.</p>")
            + "</details>"
        )
    out.append(f'<p class="meta">Generated by specforge nightly · {escape(summary.generated_at)}</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"
