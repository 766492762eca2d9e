"""Terminal output of ``specforge check``: the plan (``--plan``), progress lines of the run's
event stream (``render_event``) and the outcome — every cause,
most severe first (never truncated: details stay in the report), infrastructure issues, the
abort reason, where the reports went and one summary line; and ``specforge fingerprint``'s
ranking. The CLI only echoes these strings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specforge.check.events import CaseJudged, Event, PhaseStarted
from specforge.check.model import CheckResult

if TYPE_CHECKING:
    from specforge.check.replay import Match


def budget_text(limit: int | None) -> str:
    return "unlimited" if limit is None else str(limit)


def render_event(event: Event) -> str | None:
    """The progress line of one run event, or None for events the terminal does not show: a phase
    starting, and cases that failed or errored (the rest is in the reports)."""
    if isinstance(event, PhaseStarted):
        return f"[check] {event.message}"
    if isinstance(event, CaseJudged) and event.status in ("failed", "error"):
        return f"[check] {event.phase}: {event.message}"
    return None


def render_plan(
    base_url: str, rows: Sequence[dict[str, Any]], limit: int | None, *, budget_source: str = ""
) -> str:
    """The ``--plan`` listing: one line per request group, budgeted creates first."""
    source = f", {budget_source}" if budget_source else ""
    lines = [
        f"Plan for {base_url} (nothing is sent; job-creating requests allowed: {budget_text(limit)}{source})"
    ]
    for r in rows:
        creates = "CREATES JOB" if r["creates_job"] else "read-only  "
        budget = f" — {r['budget_note']}" if r.get("budget_note") else ""
        lines.append(f"  {r['phase']:<13} {r['operation']:<45} {r['kind']:<9} {creates}  {r['note']}{budget}")
    prevented = [r for r in rows if r.get("prevented")]
    if prevented:
        lines.append(
            f"Not run with this budget ({len(prevented)}): "
            + "; ".join(f"{r['phase']} {r['operation']}" for r in prevented)
        )
        needed = max((r.get("budget_needed") or 0) for r in rows)
        lines.append(f"A budget of {needed} would run every planned create (--budget {needed}).")
    return "\n".join(lines) + "\n"


def summary_line(result: CheckResult) -> str:
    """One line, verdict first (also printed with --quiet)."""
    by = result.to_dict()["summary"]["causes_by_severity"]
    levels = ", ".join(f"{n} {level}" for level, n in by.items() if n)
    causes = f"{len(result.causes)} cause(s)" + (f" ({levels})" if levels else "")
    return (
        f"{result.verdict.value}: {causes} from {len(result.failures)} failure(s), {len(result.infrastructure)} infrastructure "
        f"issue(s), {len(result.cases)} case(s); score {result.score:g} of index {result.index:g}; "
        f"creates used {result.creates_used}/{budget_text(result.budget)}"
    )


def render_outcome(
    result: CheckResult, *, reports: Path | None = None, written: Sequence[Path] = (), quiet: bool = False
) -> str:
    """Everything the terminal shows after a run."""
    if quiet:
        return summary_line(result) + "\n"
    lines: list[str] = []
    width = max((len(c.severity.value) for c in result.causes), default=0)
    for number, cause in enumerate(result.causes, 1):
        ops = cause.operations
        where = ops[0] if len(ops) == 1 else f"{len(ops)} operations"
        times = f", {cause.count}x" if cause.count > 1 else ""
        lines.append(
            f"{cause.severity.value.upper():<{width}} #{number} [{cause.check}] {cause.statement} — {where}{times}"
        )
        if len(ops) > 1:
            lines.append(" " * (width + 1) + "on: " + ", ".join(ops))
        if cause.reproduction:
            lines.append(" " * (width + 1) + "reproduce: " + cause.reproduction)
    for issue in result.infrastructure:
        lines.append(
            f"INFRA {issue.kind} {issue.operation}: {issue.message}"
            + (f" (x{issue.count})" if issue.count > 1 else "")
        )
    if result.prevented:
        lines.append(
            f"NOT RUN ({len(result.prevented)}, budget {budget_text(result.budget)}): "
            + "; ".join(p["what"] for p in result.prevented)
            + (f" — --budget {result.budget_needed} would run them" if result.budget_needed else "")
        )
    if result.aborted:
        lines.append(f"ABORTED {result.aborted}")
    if reports is not None:
        lines.append(f"reports: {reports} ({', '.join(p.name for p in written)})")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def render_fingerprint(source: str, matches: Sequence[Match], *, as_json: bool = False) -> str:
    """The ranking, best first; variants whose first three rank keys tie share a rank."""
    if as_json:
        return json.dumps({"source": source, "ranking": [m.to_dict() for m in matches]}, indent=2) + "\n"
    lines = [f"Fingerprint of {source}:"]
    rank = 0
    previous: tuple[float, int, float] | None = None
    for position, match in enumerate(matches, 1):
        key = match.rank_key()[:3]
        if key != previous:
            rank, previous = position, key
        tie = " (tie, by name)" if sum(1 for m in matches if m.rank_key()[:3] == key) > 1 else ""
        lines.append(f"  {rank}. behaves like {match.variant}{tie}: {match.why()}")
    return "\n".join(lines) + "\n"


def render_unreachable(aborted: str) -> str:
    """What ``fingerprint`` says when the live check reached nothing (exit 3)."""
    return f"specforge: endpoint unreachable: {aborted}"
