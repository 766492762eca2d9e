"""Terminal text and JSON for ``specforge history`` and ``specforge nightly``: progress lines,
the batch totals and the store's bookkeeping lines. Pure functions; the CLI only echoes them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from specforge.render.terminal import Line, err, out

if TYPE_CHECKING:
    from specforge.history.model import NightlySummary, RunDiff, RunRecord


def render_progress_line(run: RunRecord, done: int, total: int) -> str:
    """One line per finished provider while a nightly runs."""
    counts = run.counts()
    extra = f"{counts['failed']} failed check(s)" if run.verdict == "non-conformant" else ""
    if run.errors and not run.comparable:
        extra = run.errors[0].splitlines()[0]
    return f"[{done}/{total}] {run.provider}: {run.verdict} in {run.duration:.1f} s" + (
        f" — {extra}" if extra else ""
    )


def _when(stamp: str) -> str:
    """``2026-01-01T03:00:00.123Z`` -> ``2026-01-01 03:00:00``."""
    return stamp[:19].replace("T", " ")


def render_runs_table(runs: Sequence[RunRecord]) -> str:
    if not runs:
        return "no runs\n"
    header = ("RUN", "PROVIDER", "VARIANT", "VERDICT", "FAILURES", "STARTED", "BATCH")
    rows = [
        (
            r.run_id,
            r.provider,
            r.variant or "canonical",
            r.verdict,
            str(len(r.failures())),
            _when(r.started_at),
            r.batch,
        )
        for r in runs
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in (header, *rows)
    ]
    return "\n".join(lines) + "\n"


def render_runs_json(runs: Sequence[RunRecord]) -> str:
    return json.dumps([r.to_dict() for r in runs], indent=2, ensure_ascii=False) + "\n"


def render_run(run: RunRecord, diff: RunDiff | None = None) -> str:
    counts = run.counts()
    lines = [
        f"run       {run.run_id}",
        f"provider  {run.provider} ({run.base_url})",
        f"variant   {run.variant or 'canonical'}",
        f"verdict   {run.verdict}",
        f"started   {_when(run.started_at)} UTC  ({run.duration:.1f} s)",
        f"batch     {run.batch}" + (f"  shard {run.shard}" if run.shard else ""),
        f"spec      {run.spec_name or '?'} {run.spec_hash[:12]}",
        f"creates   {run.creates_used}" + ("" if run.budget is None else f" of budget {run.budget}"),
        "checks    " + ", ".join(f"{v} {k}" for k, v in counts.items() if v),
    ]
    if run.score is not None:
        lines.append(
            f"score     {run.score:g} of index {run.index if run.index is None else f'{run.index:g}'}"
        )
    if run.report_dir:
        lines.append(f"report    {run.report_dir}")
    if run.causes:
        lines += ["", f"causes ({len(run.causes)}):"]
        lines += [f"  - {c.severity:<8} {c.key}: {c.statement}" for c in run.causes]
    failures = run.failures()
    if failures:
        lines += ["", f"failures ({len(failures)}):"]
        for key, d in failures.items():
            lines.append(f"  - {key}" + (f": {d.message}" if d else ""))
    if run.errors:
        lines += ["", "errors:"]
        lines += [f"  - {e.splitlines()[0] if e else e}" for e in run.errors]
    if diff is not None:
        lines += ["", f"compared with previous run {diff.previous or '(none)'}: {diff.status}"]
        lines += _diff_lines(diff)
    return "\n".join(lines) + "\n"


def _diff_lines(diff: RunDiff) -> list[str]:
    lines = []
    for key in diff.new_causes:
        cause = diff.causes[key]
        word = "escalated" if key in diff.escalated else "new cause"
        lines.append(f"  + {word:<10} {cause.severity} {key}: {cause.statement}")
    for key in diff.gone_causes:
        lines.append(f"  - cause gone {key}: {diff.causes[key].statement}")
    for key in diff.regressions:
        d = diff.details.get(key)
        lines.append(f"  + regression {key}" + (f": {d.message}" if d else ""))
    for key in diff.fixes:
        lines.append(f"  - fixed      {key}")
    for drift in diff.spec_drift:
        lines.append(f"  ~ drift      {drift}")
    for change in diff.spec_changes:
        if change.severity.value != "error":  # breaking ones are listed as regressions above
            lines.append(f"  ~ spec       {change.code}: {change.message} ({change.location})")
    if diff.unchanged:
        lines.append(f"  = {len(diff.unchanged)} known failure(s) unchanged")
    return lines


def render_diff(diff: RunDiff) -> str:
    head = (
        f"{diff.previous} ({diff.previous_verdict}) → {diff.current} ({diff.current_verdict}): "
        f"{len(diff.regressions)} regression(s), {len(diff.fixes)} fix(es), {len(diff.unchanged)} unchanged"
    )
    if diff.status == "not-compared":
        head += " — the newer run could not check anything"
    return "\n".join([head, *_diff_lines(diff)]) + "\n"


def render_diff_json(diff: RunDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_nightly_start(total: int, workers: int, db_path: Path, shard: str | None) -> str:
    return (
        f"checking {total} provider(s)"
        + (f" (shard {shard})" if shard else "")
        + f", concurrency {workers}, history {db_path}"
    )


def render_nothing_selected(shard: str | None) -> str:
    return "no enabled providers selected" + (f" for shard {shard}" if shard else "") + "; nothing to do"


def render_totals(summary: NightlySummary, written: Sequence[Path], fail_on: str = "blocking") -> list[Line]:
    """A batch's closing lines (nightly and ``history report``): the totals and the summary page on
    stdout; regressed, failing (under ``--fail-on``) and unreachable providers on stderr."""
    totals = summary.totals()
    lines = [
        out(
            f"{totals['providers']} provider(s): {totals['regressions']} regression(s) in "
            f"{totals['regressed_providers']}, {totals['fixes']} fix(es), "
            f"{totals['unreachable_providers']} unreachable, {totals['spec_drift']} with spec drift"
        )
    ]
    lines.extend(err(f"REGRESSED: {provider}") for provider in summary.regressed)
    lines.extend(
        err(f"FAIL {provider} (--fail-on {fail_on}): {'; '.join(reasons)}")
        for provider, reasons in summary.failing(fail_on).items()
    )
    lines.extend(err(f"unreachable: {provider}") for provider in summary.unreachable)
    if written:
        lines.append(out(f"summary: {written[2]}"))
    return lines


def render_aborted(reason: str, summary: NightlySummary, total: int) -> str:
    return f"ABORTED {reason}: {len(summary.rows)} of {total} provider(s) recorded; the summary is partial"


def render_pruned(deleted: int, left: int) -> str:
    return f"deleted {deleted} run(s), {left} left"


def render_shard_merged(source: Path, added: int) -> str:
    return f"{source}: {added} run(s) added"


def render_store_count(total: int, db_path: Path) -> str:
    return f"{total} run(s) in {db_path}"
