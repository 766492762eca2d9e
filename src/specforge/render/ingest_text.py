"""Terminal output of ``specforge ingest``: one line per page (or the JSON list), each page's
error or findings on stderr, the closing line naming the pages that were skipped, and what
``ingest --cassette`` wrote. The CLI only echoes these lines and chooses the exit code."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from specforge.core.config import display_path
from specforge.ingest.api import IngestOutcome
from specforge.render.terminal import Line, err, out


def render_ingest_outcomes(outcomes: Sequence[IngestOutcome], root: Path, fmt: str) -> list[Line]:
    """Pages in order; ``fmt`` "text" adds the per-page lines, "json" the list as one document."""
    lines: list[Line] = []
    if fmt == "json":
        lines.append(out(json.dumps([o.to_dict(root) for o in outcomes], indent=2, ensure_ascii=False)))
    for outcome in outcomes:
        if outcome.error is not None:
            # the other pages go on; this one is named here and in the closing line
            lines.append(err(f"specforge: error: {outcome.variant}: {outcome.error}"))
            if fmt == "text":
                lines.append(
                    out(f"{'error':<12} {outcome.doc} ({outcome.variant}: skipped, see the error above)")
                )
            continue
        lines.extend(err(str(diagnostic)) for diagnostic in outcome.diagnostics)
        if fmt == "text":
            target = display_path(outcome.target, root) if outcome.target is not None else None
            detail = f" ({outcome.variant}: {outcome.summary})" if outcome.summary else ""
            lines.append(out(f"{outcome.action:<12} {target or outcome.doc}{detail}"))
    failed = [o.variant for o in outcomes if o.error is not None]
    if failed:
        lines.append(
            err(
                f"specforge: {len(failed)} of {len(outcomes)} pages could not be ingested and were skipped: "
                + ", ".join(failed)
            )
        )
    return lines


def render_observed(written: Path, document: Mapping[str, Any], root: Path) -> str:
    """``ingest --cassette``: the observed source written and how much it holds."""
    count = document["info"]["x-specforge-observed"]["exchanges"]
    return f"wrote {display_path(written, root)} ({count} exchanges, {len(document['paths'])} paths)"
