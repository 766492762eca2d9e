"""specforge.render.lint_text: lint's rule list, baseline and skipped-variant lines, from a
LintResult and rules."""

from __future__ import annotations

from pathlib import Path

from specforge.core import Diagnostic, InputError, Severity
from specforge.lint import REGISTRY
from specforge.lint.project import LintResult
from specforge.lint.registry import Rule
from specforge.render.lint_text import render_baseline_written, render_lint_skipped, render_rule_list
from specforge.render.terminal import Line


def _rule(rule_id: str, severity: Severity, title: str) -> Rule:
    return Rule(rule_id, title, severity, "document", "why", "fix", function=lambda *_: ())


def test_rule_list_is_one_padded_line_per_rule() -> None:
    rules = [_rule("SF-A", Severity.ERROR, "first"), _rule("SF-EXAMPLE-LONG-NAME", Severity.INFO, "second")]
    assert render_rule_list(rules) == (
        f"{'SF-A':<28} error    first\n{'SF-EXAMPLE-LONG-NAME':<28} info     second\n"
    )
    assert render_rule_list([]) == ""
    assert render_rule_list(REGISTRY).count("\n") == len(list(REGISTRY))


def test_baseline_and_skipped_lines_go_to_stderr() -> None:
    finding = Diagnostic("SF-A", Severity.WARNING, "odd", file="a.yaml", line=1, col=1)
    result = LintResult(
        diagnostics=[],
        all_diagnostics=[finding, finding],
        skipped={"newapi": InputError("no such file"), "aiid": InputError("bad YAML")},
    )
    assert render_baseline_written(result, Path("lint-baseline.json")) == Line(
        "Wrote 2 finding(s) to the baseline lint-baseline.json", err=True
    )
    assert render_lint_skipped(result) == [
        Line("specforge: error: newapi: no such file (not linted; the other variants were)", err=True),
        Line("specforge: error: aiid: bad YAML (not linted; the other variants were)", err=True),
    ]
    assert render_lint_skipped(LintResult(diagnostics=[])) == []
