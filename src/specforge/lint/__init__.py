"""Lint OpenAPI sources, the canonical spec and every variant: single-spec rules and rules that
compare variants, each finding a ``Diagnostic`` with ``file:line:col``."""

from specforge.lint import rules as _rules  # noqa: F401 - registers the built-in rules
from specforge.lint.engine import DocumentResult, LintContext, VariantsContext, lint_document, lint_variants
from specforge.lint.project import LintResult, lint_paths, lint_project
from specforge.lint.registry import REGISTRY, DuplicateRuleError, Finding, Place, Rule, RuleRegistry, rule
from specforge.lint.settings import LintSettings, load_settings

__all__ = [
    "REGISTRY",
    "DocumentResult",
    "DuplicateRuleError",
    "Finding",
    "LintContext",
    "LintResult",
    "LintSettings",
    "Place",
    "Rule",
    "RuleRegistry",
    "VariantsContext",
    "lint_document",
    "lint_paths",
    "lint_project",
    "lint_variants",
    "load_settings",
    "rule",
]
