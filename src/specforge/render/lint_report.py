"""The findings renderers' input for a lint result, shared by `specforge lint` and `specforge run`
(lint returns data; turning it into a report is render's job)."""

from __future__ import annotations

from pathlib import Path

from specforge.lint.project import LintResult
from specforge.render.findings_model import FindingsReport, RuleInfo


def findings_report(result: LintResult, root: Path) -> FindingsReport:
    """The renderers' input for a lint result (rule metadata, fingerprints, file texts); other
    commands that lint (e.g. a whole-pipeline run) render through this too."""
    from specforge import __version__
    from specforge.lint.baseline import fingerprint
    from specforge.lint.registry import REGISTRY

    return FindingsReport(
        diagnostics=tuple(result.diagnostics),
        files=tuple(result.files),
        texts=result.texts,
        rules={
            r.id: RuleInfo(r.id, r.title, r.severity.value, r.hint, r.rationale, r.docs) for r in REGISTRY
        },
        tool="specforge",
        version=__version__,
        suppressed=result.suppressed,
        baselined=result.baselined,
        fingerprints=tuple(fingerprint(d, root) for d in result.diagnostics),
    )
