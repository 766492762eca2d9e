"""Terminal output of ``specforge merge``: the problems that stop it, ``--check``'s verdict, what
a merge wrote, and the closing note on skipped variants. The CLI only echoes these lines and
chooses the exit code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from specforge.merge import MergeResult
from specforge.render.terminal import Line, err, out


def merge_errors(result: MergeResult) -> list[Line]:
    """Unreadable sources, then the error diagnostics and, when there are any, why nothing was
    written."""
    lines = [err(f"specforge: error: {name}: {error}") for name, error in result.skipped.items()]
    errors = [str(d) for d in result.diagnostics if d.severity.value == "error"]
    lines.extend(err(text) for text in errors)
    if errors:
        lines.append(err("specforge: the merged spec is not valid OpenAPI 3.1; nothing written"))
    return lines


def render_merge_check(result: MergeResult, stale: Sequence[Path], total: int, *, quiet: bool) -> list[Line]:
    """``merge --check``: every stale output and the count, or that all ``total`` match."""
    shown = result.config.display
    if stale:
        return [out(f"stale: {shown(path)}") for path in stale] + [
            err(f"{len(stale)} of {total} merge outputs are stale (fix: run `specforge merge`)")
        ]
    return [] if quiet else [out(f"up to date: all {total} merge outputs match the sources")]


def render_merge_written(result: MergeResult, written: Sequence[Path], total: int) -> list[Line]:
    """What a merge produced: operations, conflicts, overlay actions and the files written."""
    config = result.config
    shown = config.display
    operations = sum(len(item) for item in result.canonical.get("paths", {}).values())
    lines = [
        out(
            f"merged {len(result.normalized)} variants: {operations} operations, {len(result.conflicts)} conflicts "
            f"resolved by policy (see {shown(config.canonical.parent / 'merge-report.md')})"
        ),
        out(
            "overlay actions: "
            + ", ".join(f"{variant} {count}" for variant, count in result.action_counts.items())
        ),
    ]
    if written:
        lines.extend(out(f"wrote {shown(path)}") for path in written)
    else:
        lines.append(out(f"unchanged: all {total} outputs already up to date"))
    return lines


def render_merge_skipped(skipped: Mapping[str, object]) -> list[Line]:
    """The merge went on without the variants it could not read; said last, on stderr."""
    if not skipped:
        return []
    return [
        err(
            f"specforge: merged without {len(skipped)} variant(s) whose source could not be read: "
            f"{', '.join(skipped)} (their overlays were not rewritten)"
        )
    ]
