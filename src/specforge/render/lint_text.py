"""Terminal output of ``specforge lint`` besides the findings report (``render.findings``): the
rule list (``--list-rules``), the baseline written and the variants that could not be linted. The
CLI only echoes these lines and chooses the exit code."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from specforge.lint.project import LintResult
from specforge.lint.registry import Rule
from specforge.render.terminal import Line, err


def render_rule_list(rules: Iterable[Rule]) -> str:
    """One line per rule: id, default severity, title."""
    return "".join(f"{rule.id:<28} {rule.severity.value:<8} {rule.title}\n" for rule in rules)


def render_baseline_written(result: LintResult, target: Path) -> Line:
    """``--update-baseline``: how many findings went into which file (stderr: stdout stays empty)."""
    return err(f"Wrote {len(result.all_diagnostics)} finding(s) to the baseline {target}")


def render_lint_skipped(result: LintResult) -> list[Line]:
    """The project variants whose source could not be read, after the report."""
    return [
        err(f"specforge: error: {name}: {error} (not linted; the other variants were)")
        for name, error in result.skipped.items()
    ]
