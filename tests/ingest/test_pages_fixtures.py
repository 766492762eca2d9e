"""The vendor page corpus (tests/fixtures/pages/) is well formed: every page has an expected-facts
file that the schema accepts, and every fact it records is visible in its page, so the extraction
test measures the extractor, not a typo in the expectations."""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
SCHEMA = PAGES / "expected.schema.json"
NOT_PAGES = {"README.md", SCHEMA.name}
STEM = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def page_files() -> list[Path]:
    return sorted(
        p for p in PAGES.iterdir() if p.is_file() and p.name not in NOT_PAGES and not p.name.endswith(".json")
    )


def expected_files() -> list[Path]:
    return sorted(PAGES.glob("*.expected.json"))


@cache
def expected(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAGES / f"{stem}.expected.json").read_text(encoding="utf-8"))
    return data


@cache
def page_text(name: str) -> str:
    """The page as written plus, for HTML, its entity-decoded form (facts may be in either)."""
    raw = (PAGES / name).read_text(encoding="utf-8")
    return raw + "\n" + html.unescape(raw) if name.endswith((".html", ".htm")) else raw


def route_pattern(path: str) -> re.Pattern[str]:
    """A template path as the page may spell it: the template itself or a concrete id."""
    parts = re.split(r"(\{[^}]+\})", path)
    body = "".join(r"(?:\{[^}]+\}|[\w.-]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(body + r"(?![\w/])")


STEMS = [p.name.removesuffix(".expected.json") for p in expected_files()]


def test_every_page_has_exactly_one_expected_file() -> None:
    pages = {p.stem for p in page_files()}
    assert pages == set(STEMS), "pages without expected file / expected files without page"
    assert len(pages) == len(page_files()), "two pages share a stem"
    for stem in pages:
        assert STEM.match(stem), f"{stem}: a page stem must be a valid variant name"


@pytest.mark.parametrize("stem", STEMS)
def test_expected_file_is_valid(stem: str) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    facts = expected(stem)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(facts), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
    assert facts["page"].rsplit(".", 1)[0] == stem
    assert (PAGES / facts["page"]).is_file()


_TYPES: dict[str, type | tuple[type, ...]] = {"string": str, "integer": int, "number": (int, float)}


@pytest.mark.parametrize("stem", STEMS)
def test_every_recorded_fact_is_on_the_page(stem: str) -> None:
    facts = expected(stem)
    text = page_text(facts["page"])
    create = facts["create"]
    assert route_pattern(create["path"]).search(text), create["path"]
    for route in facts["other_routes"] + facts.get("not_offered", []):
        assert route_pattern(route["path"]).search(text), route["path"]
    for server in facts["servers"]:
        assert server in text, server
    for name, field in {**facts["fields"], **facts.get("path_parameters", {})}.items():
        assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), f"field {name}"
        for value in field["enum"] or []:
            assert str(value) in text, f"{name}: enum value {value!r}"
            kind = field["type"]
            if isinstance(kind, str) and kind in _TYPES:
                assert isinstance(value, _TYPES[kind]) and not isinstance(value, bool), (
                    f"{name}: {value!r} is not {kind}"
                )
        for prop in field.get("properties", []):
            assert prop in text, f"{name}.{prop}"
    for status in facts["status_values"]["listed"]:
        assert status in text, status
    for status in facts["status_values"]["examples"]:
        assert re.search(rf"""["']?status["']?\s*:\s*["']?{re.escape(status)}\b""", text), (
            f"status example {status}"
        )
    for item in facts["contradictions"]:
        for snippet in item["evidence"]:
            assert snippet in text, f"{item['kind']}: evidence {snippet!r} not on the page"


@pytest.mark.parametrize("stem", STEMS)
def test_facts_agree_with_each_other(stem: str) -> None:
    facts = expected(stem)
    fields = facts["fields"]
    assert bool(facts["input_reference"]) == ("input_reference" in fields)
    for item in facts["contradictions"]:
        if item["kind"] == "example-value":
            assert item["example"] not in item["listed"], (
                "an example inside the listed values is no contradiction"
            )
        if item["kind"] == "status-example":
            assert item["example"] in facts["status_values"]["examples"]
            assert item["example"] not in facts["status_values"]["listed"]
        if item["kind"] == "auth-optional":
            assert facts["auth"]["required"] is False
        if item["kind"] == "body-required-omitted":
            assert facts["create"]["body_required"] is None and facts["embedded_openapi"] > 0
        if item["kind"] == "field-name":
            assert item["field"] in fields and item["example"] in fields
    if facts["auth"]["scheme"] == "none":
        assert facts["auth"]["required"] is False


def test_corpus_covers_the_styles_languages_and_hostile_shapes() -> None:
    all_facts = [expected(stem) for stem in STEMS]
    assert len(all_facts) >= 16
    assert len({f["style"] for f in all_facts}) >= 7
    assert len({lang for f in all_facts for lang in f["languages"]}) >= 6
    kinds = {c["kind"] for f in all_facts for c in f["contradictions"]}
    assert {
        "field-name",
        "example-value",
        "status-example",
        "auth-optional",
        "body-required-omitted",
    } <= kinds
    assert any(f["embedded_openapi"] >= 2 for f in all_facts), "a page with two OpenAPI documents"
    assert any(len(f["languages"]) > 1 for f in all_facts), "a mixed-language page"
    assert any("pending" in f["status_values"]["listed"] for f in all_facts), "pending as a vendor status"
    assert any(f["auth"]["scheme"] == "none" for f in all_facts), "security: []"
    assert {"object", "array", "file", "url"} <= {form for f in all_facts for form in f["input_reference"]}
    assert {"retrieve", "content", "list", "delete", "remix"} <= {
        r["kind"] for f in all_facts for r in f["other_routes"]
    }
