"""Table-driven rule tests: tests/fixtures/lint/rules/*.yaml hold (name, document, expected
findings) per rule; each document is linted with only that rule enabled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from specforge.core import load_document, load_text
from specforge.lint import REGISTRY, LintSettings, lint_document, lint_variants
from specforge.merge.fields import extract_fields

TABLES = Path(__file__).resolve().parent.parent / "fixtures" / "lint" / "rules"


def _cases(cross: bool) -> list[Any]:
    out = []
    for table in sorted(TABLES.glob("*.yaml")):
        for group in load_document(table).data:
            for case in group["cases"]:
                if ("variants" in case) == cross:
                    out.append(pytest.param(group["rule"], case, id=f"{group['rule']}: {case['name']}"))
    return out


@pytest.mark.parametrize(("rule_id", "case"), _cases(cross=False))
def test_single_spec_rule(rule_id: str, case: dict[str, Any]) -> None:
    assert rule_id in REGISTRY
    document = load_text(case["document"], "case.yaml")
    found = lint_document(document, settings=LintSettings(enable=(rule_id,))).diagnostics
    got = [(d.line, d.col) for d in found]
    assert got == [tuple(e[:2]) for e in case["expect"]], [str(d) for d in found]
    for diagnostic, (_, _, text) in zip(found, case["expect"], strict=True):
        assert diagnostic.code == rule_id
        assert text in diagnostic.message, diagnostic.message
        assert diagnostic.file == "case.yaml"
        assert diagnostic.hint


@pytest.mark.parametrize(("rule_id", "case"), _cases(cross=True))
def test_cross_variant_rule(rule_id: str, case: dict[str, Any]) -> None:
    documents = {name: load_text(text, f"{name}.yaml") for name, text in case["variants"].items()}
    fields = {name: extract_fields(name, doc) for name, doc in documents.items()}
    settings = LintSettings(enable=(rule_id,))
    found = lint_variants(documents, fields, settings=settings).diagnostics
    assert len(found) == len(case["expect"]), [str(d) for d in found]
    for diagnostic, (variant, line, text, related) in zip(found, case["expect"], strict=True):
        assert diagnostic.code == rule_id
        assert (diagnostic.file, diagnostic.line) == (f"{variant}.yaml", line), str(diagnostic)
        assert text in diagnostic.message, diagnostic.message
        assert [(r.file, r.line) for r in diagnostic.related] == [(f"{v}.yaml", n) for v, n in related]
        assert set(diagnostic.variants) == {variant, *(v for v, _ in related)}


def test_every_rule_has_a_table_case() -> None:
    covered = {group["rule"] for table in TABLES.glob("*.yaml") for group in load_document(table).data}
    # SF-DOC-CONTRADICTION needs a vendor page on disk: tests/lint/test_lint_real_defects.py covers it
    assert covered | {"SF-DOC-CONTRADICTION"} == set(REGISTRY.ids())
