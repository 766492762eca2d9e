"""Terminal output of ``specforge relay-check``: every relay finding with both sides, the other
check failures, the abort reason, where the reports went and one summary line. The CLI only
echoes this string."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from specforge.relay.harness import RelayResult


def render_relay_outcome(relay: RelayResult, reports: Path, written: Sequence[Path], *, quiet: bool) -> str:
    result, join = relay.check, relay.join
    lines: list[str] = []
    if not quiet:
        for f in join.findings:
            lines.append(
                f"RELAY {f.severity} [{f.check}] {f.message}" + (f" (x{f.count})" if f.count > 1 else "")
            )
            lines.append(f"    client:   {f.client}")
            lines.append(f"    upstream: {f.upstream}")
        for failure in (f for f in result.failures if not f.check.startswith("relay_")):
            lines.append(
                f"FAIL {failure.operation} [{failure.check}] {failure.diagnostic.message.splitlines()[0][:160]}"
            )
        if result.aborted:
            lines.append(f"ABORTED {result.aborted}")
        lines.append(
            f"reports: {reports} ({', '.join(p.name for p in written)}, relay.json, relay.md, upstream.jsonl)"
        )
    lines.append(
        f"{result.verdict.value}: {len(join.findings)} relay finding(s), "
        f"{len(result.failures) - len(join.findings)} check failure(s); "
        f"creates: {join.client_creates} client, {join.upstream_creates} upstream ({join.retried_creates} multiplied)"
    )
    return "\n".join(lines) + "\n"
