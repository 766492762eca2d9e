"""The rule registry, the generated rules reference, settings and fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from specforge.core import Severity, load_text
from specforge.core.config import load_config
from specforge.core.errors import InputError
from specforge.lint import (
    REGISTRY,
    DuplicateRuleError,
    Finding,
    LintSettings,
    RuleRegistry,
    lint_document,
    rule,
)
from specforge.lint.baseline import fingerprint
from specforge.lint.engine import ignored_codes
from specforge.lint.settings import load_settings
from specforge.render.diagnostics_text import token_width
from specforge.render.reference_docs import rules_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_registering_a_duplicate_id_fails_with_an_exact_message() -> None:
    registry = RuleRegistry()
    kwargs = {
        "title": "t",
        "severity": "error",
        "target": "document",
        "rationale": "r",
        "hint": "h",
        "registry": registry,
    }
    rule("SF-DEMO", **kwargs)(lambda ctx: iter(()))  # type: ignore[arg-type]
    with pytest.raises(DuplicateRuleError) as raised:
        rule("SF-DEMO", **kwargs)(lambda ctx: iter(()))  # type: ignore[arg-type]
    assert str(raised.value) == "rule 'SF-DEMO' is already registered"


def test_rule_ids_follow_one_scheme() -> None:
    registry = RuleRegistry()
    with pytest.raises(ValueError, match="must look like SF-UPPER-KEBAB"):
        rule(
            "shape-divergence",
            title="t",
            severity="error",
            target="document",
            rationale="r",
            hint="h",
            registry=registry,
        )(lambda ctx: iter(()))


def test_every_rule_is_documented_and_selectable_exactly() -> None:
    ids = REGISTRY.ids()
    assert len(ids) == len(set(ids)) >= 20
    for r in REGISTRY:
        assert r.title and r.rationale and r.hint and r.docs == f"docs/rules.md#{r.id.lower()}"
        # no id is a dash-prefix of another, so `--select ID` selects exactly one rule
        assert not [o for o in ids if o != r.id and o.startswith(r.id + "-")]


def test_committed_rules_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), (
        "run `python -m specforge.render.reference_docs` and commit docs/rules.md"
    )
    for r in REGISTRY:
        assert f"\n## {r.id}\n" in committed


def test_a_custom_rule_reports_relative_pointers_resolved_to_lines() -> None:
    registry = RuleRegistry()

    @rule(
        "SF-NO-SUMMARY",
        title="t",
        severity="info",
        target="operation",
        rationale="r",
        hint="h",
        registry=registry,
    )
    def no_summary(op, ctx):  # type: ignore[no-untyped-def]
        if "summary" not in op.value:
            yield Finding("/responses", f"{op.path} has no summary", key=True)

    document = load_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {}\n"
    )
    found = lint_document(document, settings=LintSettings(registry=registry)).diagnostics
    assert [(d.code, d.line, d.col, d.pointer, d.severity) for d in found] == [
        ("SF-NO-SUMMARY", 6, 7, "/paths/~1a/get/responses", Severity.INFO)
    ]


def test_settings_from_config_and_flags(tmp_path: Path) -> None:
    config_file = tmp_path / "specforge.toml"
    config_file.write_text(
        '[lint]\ndisable = ["SF-EXAMPLE"]\nseverity = { "SF-FIELD-ALIAS" = "info", "SF-PATH-PREFIX" = "off" }\n'
    )
    resolved = load_settings(load_config(config_file), ignore=["SF-NO-ERROR-RESPONSE"], fail_on="warning")
    ids = {r.id for r in resolved.rules()}
    assert "SF-EXAMPLE-INVALID" not in ids and "SF-SCHEMA-EXAMPLE-INVALID" in ids
    assert "SF-PATH-PREFIX" not in ids and "SF-NO-ERROR-RESPONSE" not in ids
    assert resolved.severity_of(REGISTRY["SF-FIELD-ALIAS"]) is Severity.INFO
    assert resolved.fail_on is Severity.WARNING
    config_file.write_text('[lint]\nseverity = { "SF-FIELD-ALIAS" = "loud" }\n')
    with pytest.raises(
        InputError,
        match=r'specforge.toml:2: \[lint.severity\] `SF-FIELD-ALIAS` must be .*found `SF-FIELD-ALIAS = "loud"`',
    ):
        load_settings(load_config(config_file))


def test_ignore_marker_applies_to_descendants_only() -> None:
    data = {"a": {"x-specforge-ignore": ["SF-X"], "b": {"c": 1}}, "d": {}}
    assert ignored_codes(data, "/a/b/c") == {"SF-X"}
    assert ignored_codes(data, "/d") == set()


_KEYS = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(
    shift=st.integers(min_value=0, max_value=30), names=st.lists(_KEYS, min_size=1, max_size=5, unique=True)
)
def test_fingerprints_do_not_depend_on_lines(shift: int, names: list[str]) -> None:
    """Prepending lines moves every finding but changes no fingerprint."""
    body = "".join(f"        {n}: {{type: string}}\n" for n in names)
    text = f"openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\ncomponents:\n  schemas:\n    A:\n      required: [missing]\n      properties:\n{body}"
    only = LintSettings(enable=("SF-REQUIRED-UNDEFINED",))
    before = lint_document(load_text(text, "a.yaml"), settings=only).diagnostics
    after = lint_document(load_text("#\n" * shift + text, "a.yaml"), settings=only).diagnostics
    assert [d.line for d in after] == [d.line + shift for d in before] != []  # type: ignore[operator]
    assert [fingerprint(d, ROOT) for d in after] == [fingerprint(d, ROOT) for d in before]


@given(st.text(alphabet="ab: '\"{}#", max_size=20), st.integers(min_value=1, max_value=25))
def test_caret_width_stays_on_the_line(line: str, col: int) -> None:
    width = token_width(line, col)
    assert 1 <= width <= max(1, len(line) - col + 1)


def test_a_crashing_rule_becomes_a_finding_not_a_traceback() -> None:
    registry = RuleRegistry()

    @rule(
        "SF-BROKEN",
        title="t",
        severity="warning",
        target="schema",
        rationale="r",
        hint="h",
        registry=registry,
    )
    def broken(node, ctx):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("boom")
        yield

    @rule(
        "SF-FINE", title="t", severity="info", target="document", rationale="r", hint="h", registry=registry
    )
    def fine(ctx):  # type: ignore[no-untyped-def]
        yield Finding("/info", "still reported")

    document = load_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents: {schemas: {A: {}}}\n")
    found = lint_document(document, settings=LintSettings(registry=registry)).diagnostics
    assert [(d.code, d.line) for d in found] == [("SF-BROKEN", 1), ("SF-FINE", 2)]
    assert "could not check this document (ZeroDivisionError: boom)" in found[0].message


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "properties",
                    "required",
                    "items",
                    "enum",
                    "example",
                    "default",
                    "$ref",
                    "allOf",
                    "oneOf",
                    "content",
                    "schema",
                    "examples",
                    "value",
                    "status",
                    "created_at",
                    "responses",
                    "requestBody",
                    "post",
                    "get",
                    "/v1/videos",
                    "application/json",
                    "multipart/form-data",
                    "x-specforge-ignore",
                    "200",
                    "components",
                    "schemas",
                    "paths",
                    "Video",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(
    body=st.dictionaries(
        st.sampled_from(["paths", "components", "info", "servers", "webhooks"]), _JSONISH, max_size=4
    )
)
# found by this test: `components` that is not an object, under an operation with security
@example(body={"components": True, "paths": {"/v1/videos": {"get": {"security": [{"a": []}]}}}})
def test_no_rule_crashes_on_arbitrary_documents(body: dict) -> None:  # type: ignore[type-arg]
    """Whatever shape a vendor's document has, every rule returns findings, never an exception."""
    import json

    from specforge.core import load_text as load

    document = load(json.dumps({"openapi": "3.1.0", **body}), "fuzz.json")
    for d in lint_document(document).diagnostics:
        assert "could not check this document" not in d.message, d.message
        assert d.line is not None and d.line >= 1
