"""SARIF regions and code-frame carets are the finding's exact node span (the loader's end
marks), in block YAML, flow YAML and JSON (tests/fixtures/positions/expected.yaml)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from specforge.cli import cli
from specforge.core import load_document

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
EXPECTED = load_document(ROOT / "positions" / "expected.yaml").data
SCHEMA = json.loads((ROOT / "lint" / "sarif-2.1.0-rtm.5.json").read_text())


def _lint(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> str:
    shutil.copy(ROOT / "positions" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    select = [arg for rule in EXPECTED[name]["findings"] for arg in ("--select", rule)]
    result = CliRunner().invoke(
        cli, ["lint", name, *select, "--fail-on", "info", "--format", fmt], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output
    return result.output


@pytest.mark.parametrize("name", list(EXPECTED))
def test_sarif_regions_are_exact_node_spans(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = json.loads(_lint(name, tmp_path, monkeypatch, "sarif"))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    regions = {}
    for result in document["runs"][0]["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        regions[result["ruleId"]] = [region[k] for k in ("startLine", "startColumn", "endLine", "endColumn")]
    assert regions == EXPECTED[name]["findings"]


def test_code_frame_underlines_the_span(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = _lint("spans.json", tmp_path, monkeypatch, "text")
    assert (
        '20 |                     "missing"\n     |                     ^^^^^^^^^ SF-REQUIRED-UNDEFINED'
        in output
    )
    assert "^^^^^^^^^^^ SF-NO-ERROR-RESPONSE" in output  # "responses", quotes included
    output = _lint("block.yaml", tmp_path, monkeypatch, "text")
    # a value over three lines: carets to the end of its first line
    assert (
        "24 |                     example: >-\n     |                              ^^ SF-SCHEMA-EXAMPLE-INVALID"
        in output
    )


@pytest.mark.parametrize("name", list(EXPECTED))
def test_github_annotations_carry_the_span(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``endLine``/``endColumn`` as GitHub's workflow commands take them: columns only for a span
    on one line (GitHub refuses ``col`` when ``line`` and ``endLine`` differ)."""
    spans = {}
    for command in _lint(name, tmp_path, monkeypatch, "github").splitlines():
        props = dict(p.split("=", 1) for p in command.split(" ", 1)[1].split("::", 1)[0].split(","))
        spans[props["title"]] = [int(props[k]) for k in ("line", "col", "endLine", "endColumn") if k in props]
    expected = {
        rule: span if span[0] == span[2] else [span[0], span[2]]
        for rule, span in EXPECTED[name]["findings"].items()
    }
    assert spans == expected
