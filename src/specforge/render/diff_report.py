"""Changes as the findings renderers take them (``render.findings_model.FindingsReport``; diff
returns data, render makes the report): text with code frames, json, markdown, SARIF, JUnit and GitHub annotations all come from the same renderers lint
uses, with each change kind as a rule (its effect as severity, its rule text as help)."""

from __future__ import annotations

from collections.abc import Sequence

from specforge.diff import Change, Spec
from specforge.diff.kinds import KINDS, ChangeKind, Effect
from specforge.render.findings_model import FindingsReport, RuleInfo

DOCS_PAGE = "docs/diff-kinds.md"


def _rule(kind: ChangeKind) -> RuleInfo:
    effects = [e for e in (kind.request, kind.response) if e is not None]
    top = max(effects, key=lambda e: e.rank)
    sides = "; ".join(
        f"{side}: {e.value}" for side, e in (("request", kind.request), ("response", kind.response)) if e
    )
    return RuleInfo(
        kind.id,
        kind.title,
        top.severity.value,
        hint=sides,
        rationale=kind.why,
        docs=f"{DOCS_PAGE}#{kind.anchor}",
    )


def summary(changes: Sequence[Change], old: Spec, new: Spec) -> str:
    if not changes:
        return f"No changes from {old.name} to {new.name}."
    counts = {e: sum(1 for c in changes if c.effect is e) for e in Effect}
    parts = ", ".join(f"{n} {e.value}" for e, n in counts.items() if n)
    return f"{len(changes)} change{'s' if len(changes) != 1 else ''} from {old.name} to {new.name}: {parts}."


def diff_report(changes: Sequence[Change], old: Spec, new: Spec) -> FindingsReport:
    from specforge import __version__

    files = tuple(dict.fromkeys((old.file, new.file)))
    texts = {spec.file: spec.text for spec in (old, new) if spec.text is not None}
    return FindingsReport(
        diagnostics=tuple(c.to_diagnostic() for c in changes),
        files=files,
        texts=texts,
        rules={kind.id: _rule(kind) for kind in KINDS},
        tool="specforge",
        version=__version__,
        title="specforge diff",
        summary=summary(changes, old, new),
        fingerprints=tuple(f"{c.kind}:{c.direction or ''}:{c.pointer}" for c in changes),
    )


def failed(changes: Sequence[Change], fail_on: str | None) -> bool:
    """``--fail-on breaking`` / ``potentially-breaking``: any change at least that serious."""
    if not fail_on:
        return False
    threshold = Effect(fail_on).rank
    return any(c.effect.rank >= threshold for c in changes)
