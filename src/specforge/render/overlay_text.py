"""The terminal lines of ``specforge overlay validate`` and ``overlay apply``: one verdict line per
overlay on validate, and what each action matched on apply (the CLI only echoes them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from specforge.render.terminal import Line, err, out


def render_validated(path: str, problems: int, version: str, actions: int) -> Line:
    """``path: valid Overlay 1.0.0 (N action(s))`` on stdout, or the problem count on stderr."""
    if problems:
        return err(f"{path}: invalid ({problems} problem(s))")
    return out(f"{path}: valid Overlay {version} ({actions} action(s))")


def render_applied(
    path: str, actions: Sequence[dict[str, Any]], matches: Sequence[int], *, quiet: bool
) -> list[Line]:
    """Each action's target and match count (unless ``quiet``), then the overlay's totals; all on
    stderr, since stdout carries the resulting document."""
    lines = (
        []
        if quiet
        else [
            err(f"{path}: actions[{index}] {action['target']} -> {count} match(es)")
            for index, (action, count) in enumerate(zip(actions, matches, strict=True))
        ]
    )
    matched = sum(1 for count in matches if count)
    lines.append(
        err(
            f"{path}: {len(matches)} action(s), {matched} matched {sum(matches)} node(s), "
            f"{len(matches) - matched} matched nothing"
        )
    )
    return lines


NOT_WRITTEN = err("not written: the overlay did not apply cleanly")
