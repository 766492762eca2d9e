"""Lint reads the facts of the vendor page corpus: every contradiction a page's expected-facts
file records is reported by a rule once the page is ingested (its OpenAPI kept verbatim, or the
draft ``extract = "auto"`` builds from the page's evidence), and statuses a page lists are never
reported as shown only in examples."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from specforge.core import Diagnostic, load_config, load_text
from specforge.ingest import extract_source
from specforge.lint import LintSettings, lint_document

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "pages"

#: contradiction kind -> the rules that may report it
RULES = {
    "auth-optional": {"SF-AUTH-OPTIONAL"},
    "body-required-omitted": {"SF-BODY-REQUIRED-OMITTED"},
    "example-value": {"SF-EXAMPLE-UNLISTED-VALUE", "SF-EXAMPLE-INVALID", "SF-SCHEMA-EXAMPLE-INVALID"},
    "example-type": {"SF-EXAMPLE-INVALID", "SF-SCHEMA-EXAMPLE-INVALID"},
    "status-example": {"SF-STATUS-ONLY-IN-EXAMPLE", "SF-EXAMPLE-INVALID"},
    "field-name": {"SF-EXAMPLE-UNDECLARED-FIELD", "SF-EXAMPLE-INVALID"},
    "input-form": {"SF-EXAMPLE-INVALID", "SF-BODY-DIVERGENCE"},
}

STEMS = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))


@cache
def _linted(stem: str) -> tuple[dict[str, Any], dict[str, Any], tuple[Diagnostic, ...]]:
    """(expected facts, the ingested source, its lint findings) of one corpus page."""
    facts = json.loads((PAGES / f"{stem}.expected.json").read_text(encoding="utf-8"))
    source = extract_source(PAGES / facts["page"], config=load_config(ROOT / "specforge.toml"))
    document = load_text(source.text(), f"{stem}.yaml")
    return facts, source.data, tuple(lint_document(document, settings=LintSettings(), root=ROOT).diagnostics)


def _states_optional_auth(data: dict[str, Any]) -> bool:
    """Whether the source carries the page's "Authorization is optional" at all (extraction's job)."""
    schemes = (data.get("components") or {}).get("securitySchemes") or {}
    if any(isinstance(s, dict) and s.get("x-specforge-optional") is True for s in schemes.values()):
        return True
    if any(r == {} for r in data.get("security") or []):
        return True
    for item in (data.get("paths") or {}).values():
        for op in item.values() if isinstance(item, dict) else []:
            for p in op.get("parameters") or [] if isinstance(op, dict) else []:
                if isinstance(p, dict) and str(p.get("name", "")).lower() == "authorization":
                    return p.get("required") is not True
    return False


@pytest.mark.parametrize("stem", STEMS)
def test_every_contradiction_of_a_page_is_reported(stem: str) -> None:
    facts, data, found = _linted(stem)
    codes = {d.code for d in found}
    for item in facts["contradictions"]:
        if item["kind"] == "auth-optional" and not _states_optional_auth(data):
            continue  # the draft lost the fact: extraction recall, not lint
        assert RULES[item["kind"]] & codes, (
            f"{item['kind']} ({item['field']}) not reported; found {sorted(codes)}"
        )
    if facts["auth"]["scheme"] == "none" or facts["auth"]["required"] is True:
        assert "SF-AUTH-OPTIONAL" not in codes
    if facts["create"]["body_required"] is True:
        assert "SF-BODY-REQUIRED-OMITTED" not in codes


@pytest.mark.parametrize("stem", STEMS)
def test_listed_statuses_are_never_reported_as_example_only(stem: str) -> None:
    facts, data, found = _linted(stem)
    reported = [d.message for d in found if d.code == "SF-STATUS-ONLY-IN-EXAMPLE"]
    for status in facts["status_values"]["listed"]:
        assert not [m for m in reported if m.startswith(f"status `{status}` ")], reported
    carried = {e.get("value") for e in data.get("x-specforge-status-values") or [] if isinstance(e, dict)}
    for status in set(facts["status_values"]["examples"]) - set(facts["status_values"]["listed"]):
        if status in carried:  # the source has the fact (a verbatim OpenAPI may hold it elsewhere)
            assert [m for m in reported if m.startswith(f"status `{status}` ")] or "SF-EXAMPLE-INVALID" in {
                d.code for d in found
            }, f"status {status} is shown only in examples; found {reported}"


def test_the_optional_authorization_facts_the_drafts_carry_are_reported() -> None:
    carried = [stem for stem in STEMS if _states_optional_auth(_linted(stem)[1])]
    assert "embedded-json-zh-tw" in carried
