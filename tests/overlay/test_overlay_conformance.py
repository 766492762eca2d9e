"""The official OAI Overlay conformance material (tests/fixtures/overlay-conformance, Apache-2.0):
every compliant set applies to its output, every schema test file validates as its folder says."""

from __future__ import annotations

from pathlib import Path

import pytest

from specforge.core import Severity, load_document
from specforge.overlay import apply, validate_overlay
from specforge.overlay.validate import _fast_validator, _validator, schema, schema_version

CONFORMANCE = Path(__file__).resolve().parent.parent / "fixtures" / "overlay-conformance"
SETS = sorted(p for p in (CONFORMANCE / "compliant-sets").iterdir() if p.is_dir())
SCHEMA_TESTS = sorted((CONFORMANCE / "tests").glob("v1.*/*/*.yaml"))


def test_fixtures_are_present_with_their_license() -> None:
    assert "Apache License" in (CONFORMANCE / "LICENSE").read_text()
    assert len(SETS) >= 8 and len(SCHEMA_TESTS) >= 60


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_compliant_set(folder: Path) -> None:
    source = load_document(folder / "openapi.yaml").data
    overlay = load_document(folder / "overlay.yaml").data
    expected = load_document(folder / "output.yaml").data
    result = apply(source, overlay, base_dir=folder)
    assert result.ok, result.diagnostics
    assert all(result.matches), result.matches
    assert result.document == expected
    assert load_document(folder / "openapi.yaml").data == source  # input untouched


#: schema-valid examples whose target is not RFC 9535 JSONPath (`@.x-oai-traits`: a shorthand name
#: cannot contain '-'; RFC 9535 needs `@['x-oai-traits']`): the semantic check rightly flags them.
KNOWN_INVALID_JSONPATH = {"actions-traits-example.yaml": 19}


@pytest.mark.parametrize("path", SCHEMA_TESTS, ids=lambda p: "/".join(p.parts[-3:]))
def test_schema_test_file(path: Path) -> None:
    document = load_document(path)
    findings = validate_overlay(document)
    errors = [d for d in findings if d.severity is Severity.ERROR and d.code == "overlay-schema"]
    if path.parent.name == "pass":
        assert errors == []
        semantic = [d for d in findings if d.severity is Severity.ERROR]
        if path.name in KNOWN_INVALID_JSONPATH:
            assert [d.code for d in semantic] == ["overlay-jsonpath"]
            assert f"at character {KNOWN_INVALID_JSONPATH[path.name]} ('-')" in semantic[0].message
            assert semantic[0].line == 6
        else:
            assert semantic == []
    else:
        assert errors, "should be invalid"
        assert all(d.file == str(path) and d.line for d in errors)


@pytest.mark.parametrize("path", SCHEMA_TESTS, ids=lambda p: "/".join(p.parts[-3:]))
def test_fast_and_reference_validators_agree(path: Path) -> None:
    data = load_document(path).data
    version = schema_version(data)
    reference = not list(_validator(version).iter_errors(data))
    fast = _fast_validator(version)
    if fast is not None:
        assert fast.is_valid(data) is reference


def test_shipped_schemas_are_the_official_ones() -> None:
    for version in ("1.0", "1.1"):
        official = load_document(CONFORMANCE / "schemas" / f"v{version}" / "schema.yaml").data
        assert schema(version) == official
