"""Nightly summary renderers: ``NightlySummary`` -> JSON, Markdown, self-contained HTML (with an
inline SVG trend chart per provider, both autoescaped Jinja2 templates). Pure functions: same
summary in, same text out."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from specforge.render.jinja import render_template

if TYPE_CHECKING:
    from specforge.history.model import CauseRecord, NightlySummary, ProviderRow, RunRecord, TrendPoint

SUMMARY_SCHEMA_VERSION = "1.1"  # 1.1: score, index, causes by severity, fail_on/failing

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
        "score": run.score,
        "index": run.index,
        "graded": row.diff.graded or (row.diff.status == "baseline" and run.graded),
        "causes_by_severity": run.causes_by_severity(),
        "new_causes": [row.diff.causes[k].to_dict() for k in row.diff.new_causes],
        "known_causes": [row.diff.causes[k].to_dict() for k in row.diff.known_causes],
        "gone_causes": [row.diff.causes[k].to_dict() for k in row.diff.gone_causes],
        "report": row.report_link,
        "trend": [
            {
                "run_id": p.run_id,
                "started_at": p.started_at,
                "verdict": p.verdict,
                "failures": p.failures,
                "score": p.score,
                "index": p.index,
            }
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
        "fail_on": summary.fail_on,
        "failing": {
            provider: list(reasons) for provider, reasons in summary.failing(summary.fail_on).items()
        },
        "providers": [_row_dict(row) for row in summary.rows],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _trend_text(points: tuple[TrendPoint, ...]) -> str:
    marks = {"conformant": "✓", "non-conformant": "✗", "error": "?", "timeout": "⌛", "crashed": "!"}
    return " ".join(
        f"{marks.get(p.verdict, '?')}{p.failures if p.verdict == 'non-conformant' else ''}" for p in points
    )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _score_trend(points: tuple[TrendPoint, ...]) -> str:
    """Score/index of each run, oldest first (``—`` for runs that recorded none)."""
    if not any(p.score is not None for p in points):
        return "—"
    return " → ".join(
        f"{_percent(p.score)}/{_percent(p.index)}" if p.score is not None else "—" for p in points
    )


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
        f"| Provider | Variant | Verdict | Change | Regressions | Fixes | Known failures | Spec drift | Score | Index | Causes (blocking/major/minor) | Trend (last {summary.trend_runs}) | Score/index trend | Report |",
        "|---|---|---|---|---:|---:|---:|---|---:|---:|---|---|---|---|",
    ]
    for row in summary.rows:
        run, diff = row.run, row.diff
        report = f"[report]({row.report_link})" if row.report_link else "—"
        lines.append(
            f"| {_md(run.provider)} | {_md(run.variant or 'canonical')} | {run.verdict} | "
            f"{_STATUS_WORDS.get(diff.status, diff.status)} | {len(diff.regressions)} | {len(diff.fixes)} | "
            f"{len(diff.unchanged)} | {'yes' if diff.spec_drift else '—'} | {_percent(run.score)} | "
            f"{_percent(run.index)} | {_causes_text(run)} | {_trend_text(row.trend)} | "
            f"{_score_trend(row.trend)} | {report} |"
        )
    failing = summary.failing(summary.fail_on)
    if failing:
        lines += ["", f"**Fails the run** (`--fail-on {summary.fail_on}`):", ""]
        lines += [f"- {_md(provider)}: {_md('; '.join(reasons))}" for provider, reasons in failing.items()]
    details = [
        row
        for row in summary.rows
        if row.diff.regressions
        or row.diff.new_causes
        or row.diff.gone_causes
        or (row.diff.status == "baseline" and row.run.causes)
        or row.diff.fixes
        or row.diff.spec_drift
        or row.diff.spec_changes
        or row.run.errors
    ]
    if details:
        lines += ["", "## Details"]
    for row in details:
        lines += ["", f"### {row.run.provider}", ""]
        first = row.diff.status == "baseline"
        for key in row.diff.known_causes if first else row.diff.new_causes:
            cause = row.diff.causes[key]
            word = "cause" if first else ("escalated cause" if key in row.diff.escalated else "new cause")
            lines.append(f"- **{word}, {cause.severity}** `{key}`: {_md(_cause_text(cause))}")
        for key in row.diff.gone_causes:
            lines.append(f"- cause gone `{key}`: {_md(row.diff.causes[key].statement)}")
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
    lines += [
        "",
        "Trend legend: ✓ conformant, ✗N non-conformant with N failures, ? error, ⌛ timeout, ! crashed.",
        "Score: passed share (0–100), never above the index: how much of the contract the run could exercise.",
        f"Generated {summary.generated_at} by specforge nightly.",
        "",
    ]
    return "\n".join(lines)


def _causes_text(run: RunRecord) -> str:
    if not run.comparable:
        return "—"
    if not run.graded:
        return "not recorded"
    counts = run.causes_by_severity()
    return "/".join(str(counts[level]) for level in ("blocking", "major", "minor"))


def _cause_text(cause: CauseRecord) -> str:
    where = ", ".join(cause.operations)
    return cause.statement + (f" ({where})" if where else "")


def trend_svg(
    points: tuple[TrendPoint, ...] | list[TrendPoint], *, width: int = 120, height: int = 28
) -> str:
    """A small bar chart: one bar per run (oldest left), height = failures, colour = verdict;
    unreachable runs are short grey bars. Each bar has a tooltip. Runs that recorded a score
    are joined by a line at score/100 of the height (the score's history)."""
    points = list(points)
    if not points:
        return ""
    slot = width / max(len(points), 1)
    peak = max([p.failures for p in points] + [1])
    bars = []
    line = []
    for index, point in enumerate(points):
        if point.verdict in ("conformant",):
            h = 3.0
        elif point.verdict == "non-conformant":
            h = 4 + (height - 6) * point.failures / peak
        else:
            h = height / 2
        score = (
            f", score {_percent(point.score)} of index {_percent(point.index)}"
            if point.score is not None
            else ""
        )
        bars.append(
            {
                "x": index * slot + 1,
                "y": height - h,
                "width": max(slot - 2, 2),
                "height": h,
                "colour": _COLOURS.get(point.verdict, "#757575"),
                "label": f"{point.started_at} {point.verdict}, {point.failures} failure(s){score} — {point.run_id}",
            }
        )
        if point.score is not None:
            line.append(f"{index * slot + slot / 2:.1f},{1 + (height - 2) * (1 - point.score / 100):.1f}")
    return render_template(
        "trend.svg.j2", width=width, height=height, bars=bars, score_line=" ".join(line)
    ).strip()


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


def _items(row: ProviderRow) -> list[dict[str, str | None]]:
    """The findings list of one provider's details: (css class, word, code, text) per line."""
    run, diff = row.run, row.diff
    items: list[dict[str, str | None]] = []
    first = diff.status == "baseline"
    for key in diff.known_causes if first else diff.new_causes:
        cause = diff.causes[key]
        word = "cause" if first else ("escalated cause" if key in diff.escalated else "new cause")
        items.append(
            {
                "css": "status-regressed" if not first or cause.severity == "blocking" else None,
                "word": f"{word}, {cause.severity}",
                "code": key,
                "text": _cause_text(cause),
            }
        )
    for key in diff.gone_causes:
        items.append(
            {"css": "status-fixed", "word": "cause gone", "code": key, "text": diff.causes[key].statement}
        )
    for key in diff.regressions:
        d = diff.details.get(key)
        items.append(
            {"css": "status-regressed", "word": "regression", "code": key, "text": d.message if d else None}
        )
    for key in diff.fixes:
        items.append({"css": "status-fixed", "word": "fixed", "code": key, "text": None})
    for key in diff.unchanged:
        d = diff.details.get(key)
        items.append({"css": None, "word": "known", "code": key, "text": d.message if d else None})
    items += [{"css": None, "word": "spec drift:", "code": None, "text": drift} for drift in diff.spec_drift]
    items += [  # breaking changes are regressions, listed above
        {"css": None, "word": "spec change", "code": change.code, "text": change.message}
        for change in diff.spec_changes
        if change.severity.value != "error"
    ]
    items += [{"css": None, "word": "error:", "code": error, "text": None} for error in run.errors]
    return items


def render_summary_html(summary: NightlySummary) -> str:
    """The self-contained HTML page (template ``templates/nightly_summary.html.j2``, autoescaped)."""
    totals = summary.totals()
    cards = [
        ("providers", totals["providers"]),
        (f"failing --fail-on {summary.fail_on}", len(summary.failing(summary.fail_on))),
        ("regressions", totals["regressions"]),
        ("fixes", totals["fixes"]),
        ("unreachable", totals["unreachable_providers"]),
        ("spec drift", totals["spec_drift"]),
    ]
    rows = [
        {
            "row": row,
            "colour": _COLOURS.get(row.run.verdict, "#757575"),
            "status": _STATUS_WORDS.get(row.diff.status, row.diff.status),
            "trend": trend_svg(row.trend),  # markup from the autoescaped trend template
            "findings": _items(row),
            "score": _percent(row.run.score),
            "index": _percent(row.run.index),
            "causes": _causes_text(row.run),
            "failing": "; ".join(row.diff.gate(summary.fail_on)),
        }
        for row in summary.rows
    ]
    return render_template("nightly_summary.html.j2", summary=summary, css=_CSS, cards=cards, rows=rows)
