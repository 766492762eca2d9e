"""Findings renderers as pure functions of a FindingsReport."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from specforge.core import Diagnostic, Location, Severity
from specforge.render.findings import RENDERERS, FindingsReport, RuleInfo, render_findings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lint"
TEXT = "a: 1\nb:\n  c: 1764347090922\n"
FINDING = Diagnostic(
    code="SF-TIMESTAMP-MS",
    severity=Severity.ERROR,
    message="`c` is in milliseconds",
    pointer="/b/c",
    file="x.yaml",
    line=3,
    col=6,
    variants=("aiid", "openai"),
    hint="divide by 1000",
    related=(Location("y.yaml", 7, 3, "/b/c"),),
)
REPORT = FindingsReport(
    diagnostics=(FINDING,),
    files=("x.yaml", "y.yaml"),
    texts={"x.yaml": TEXT},
    rules={
        "SF-TIMESTAMP-MS": RuleInfo(
            "SF-TIMESTAMP-MS", "Timestamp in ms", "error", "divide", "why", "docs/rules.md#sf-timestamp-ms"
        )
    },
    version="1.0",
    fingerprints=("abc",),
)


def test_text_frame_and_caret() -> None:
    text = render_findings(REPORT, "text")
    assert "x.yaml\n  3:6: SF-TIMESTAMP-MS error: `c` is in milliseconds\n" in text
    assert "3 |   c: 1764347090922\n" in text
    assert "  |      ^^^^^^^^^^^^^ SF-TIMESTAMP-MS\n" in text
    assert "= also: y.yaml:7:3 (/b/c)" in text and "= help: divide by 1000" in text


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render_findings(REPORT, "text")
    coloured = render_findings(REPORT, "text", color=True)
    assert "\x1b[" in coloured and "SF-TIMESTAMP-MS" in coloured


def test_every_format_renders_an_empty_report() -> None:
    empty = FindingsReport(diagnostics=(), files=("x.yaml",))
    for name in RENDERERS:
        render_findings(empty, name)
    sarif = json.loads(render_findings(empty, "sarif"))
    jsonschema.Draft4Validator(json.loads((FIXTURES / "sarif-2.1.0-rtm.5.json").read_text())).validate(sarif)
    assert render_findings(empty, "text").strip() == "All checks passed! 1 file linted."


def test_json_carries_everything_a_tool_needs() -> None:
    finding = json.loads(render_findings(REPORT, "json"))["findings"][0]
    assert finding["code"] == "SF-TIMESTAMP-MS" and (finding["line"], finding["col"]) == (3, 6)
    assert finding["pointer"] == "/b/c" and finding["variants"] == ["aiid", "openai"]
    assert finding["related"] == [{"file": "y.yaml", "line": 7, "col": 3, "pointer": "/b/c"}]
    assert finding["fingerprint"] == "abc" and finding["docs"] == "docs/rules.md#sf-timestamp-ms"


def test_github_escapes_properties_and_data() -> None:
    odd = FindingsReport(
        diagnostics=(Diagnostic("SF-X", Severity.INFO, "50% done\nnext", file="a,b:c.yaml", line=1),)
    )
    assert (
        render_findings(odd, "github")
        == "::notice file=a%2Cb%3Ac.yaml,line=1,title=SF-X::50%25 done%0Anext\n"
    )


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render_findings(REPORT, "xml")
