"""Corpus test over the real vendor sources (specs/sources/*.yaml, from the seed doc pages):
every defect the issue names is found, by its rule, at the right line. Lines are checked by the
text on them (so a re-ingested source with shifted lines still passes, and a finding one line
off fails)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from specforge.core import Diagnostic, load_config
from specforge.lint import LintSettings
from specforge.lint.project import lint_project

ROOT = Path(__file__).resolve().parents[2]

# (rule, file, message substring, regex the finding's line must match, related file or None)
DEFECTS = [
    # hingnet-sora: the embedded (Veo) spec contradicts its own (Sora) page
    ("SF-EXAMPLE-INVALID", "hingnet-sora", "object is not of type array", r"^\s+input_reference:$", None),
    ("SF-EXAMPLE-INVALID", "hingnet-sora", '"sora-2" is not one of', r"^\s+model: sora-2$", None),
    (
        "SF-DOC-CONTRADICTION",
        "hingnet-sora",
        "`model`: the page",
        r"^\s+enum:$",
        "specs/docs/000_3d37b2a42296e405.txt",
    ),
    (
        "SF-DOC-CONTRADICTION",
        "hingnet-sora",
        "`seconds`: the page",
        r"description: 视频时长（秒）：4、6、8",
        "specs/docs/000_3d37b2a42296e405.txt",
    ),
    (
        "SF-DOC-CONTRADICTION",
        "hingnet-sora",
        "the page's 12 is not in the schema; the schema's 6 is not on the page",
        r"4、6、8",
        "specs/docs/000_3d37b2a42296e405.txt",
    ),
    # the page's own response example says seconds "8"; the pasted schema says integer
    ("SF-EXAMPLE-INVALID", "hingnet-sora", '"8" is not of type integer', r"^\s+seconds: '8'$", None),
    # seconds integer vs string across variants (the 000/001 response schema vs the official string)
    (
        "SF-TYPE-DIVERGENCE",
        "hingnet-sora",
        "`seconds` (create response json) has different JSON types across variants: integer in hingnet-sora, "
        "hingnet-veo; string in",
        r"^\s+seconds:$",
        "specs/sources/openai.yaml",
    ),
    (
        "SF-TYPE-DIVERGENCE",
        "newapi",
        "`seconds` (create request json)",
        r"^\s+seconds:$",
        "specs/sources/openai.yaml",
    ),
    # input_reference forms across variants
    (
        "SF-SHAPE-DIVERGENCE",
        "hingnet-sora",
        "`input_reference` (create request json) has different shapes across variants: array of URLs in "
        "hingnet-sora, hingnet-veo; object in openai",
        r"^\s+input_reference:$",
        "specs/sources/openai.yaml",
    ),
    (
        "SF-SHAPE-DIVERGENCE",
        "aiid",
        "`input_reference` (create request multipart) has different shapes",
        r"^\s+input_reference:$",
        "specs/sources/openai.yaml",
    ),
    # aiid: created_at example in milliseconds, status enum with non-status values
    (
        "SF-TIMESTAMP-MS",
        "aiid",
        "1764347090922 is a Unix time in milliseconds",
        r"created_at: 1764347090922",
        None,
    ),
    ("SF-STATUS-ENUM", "aiid", "'video_url'", r"^\s+- video_url$", None),
    ("SF-STATUS-ENUM", "aiid", "'url'", r"^\s+- url$", None),
    ("SF-STATUS-ENUM", "aiid", "'completed_at'", r"^\s+- completed_at$", None),
    # xiexus: optional body on a create, width/height instead of size
    ("SF-BODY-OPTIONAL", "xiexus", "declares its request body optional", r"required: false", None),
    (
        "SF-FIELD-ALIAS",
        "xiexus",
        "`width` + `height` in xiexus",
        r'^\s*"?width"?:',
        "specs/sources/openai.yaml",
    ),
    (
        "SF-FIELD-ALIAS",
        "xiexus",
        "duration (create request) is named differently across variants: `duration` in xiexus;",
        r'^\s*"?duration"?:',
        "specs/sources/openai.yaml",
    ),
]


@cache
def _findings() -> tuple[Diagnostic, ...]:
    config = load_config(ROOT / "specforge.toml")
    result = lint_project(config, settings=LintSettings())
    return tuple(result.diagnostics)


def _line(file: str, number: int) -> str:
    return (ROOT / file).read_text(encoding="utf-8").splitlines()[number - 1]


@pytest.mark.parametrize(
    ("rule_id", "variant", "text", "line_pattern", "related"),
    DEFECTS,
    ids=[f"{d[0]}@{d[1]}: {d[2][:40]}" for d in DEFECTS],
)
def test_real_defect_is_found_at_its_line(
    rule_id: str,
    variant: str,
    text: str,
    line_pattern: str,
    related: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    file = f"specs/sources/{variant}.yaml"

    def lines_in_file(d: Diagnostic) -> list[int | None]:
        """The variant's place: the primary location or, for cross-variant findings, a related one."""
        places = [(d.file, d.line), *((r.file, r.line) for r in d.related)]
        return [line for f, line in places if f is not None and Path(f) == Path(file)]

    matches = [d for d in _findings() if d.code == rule_id and text in d.message and lines_in_file(d)]
    assert matches, f"{rule_id} not reported in {file} with {text!r}"
    finding = matches[0]
    lines = lines_in_file(finding)
    assert lines[0] is not None and re.search(line_pattern, _line(file, lines[0])), (
        f"{finding} points at {_line(file, lines[0] or 1)!r}"
    )
    if related is not None:
        assert any(Path(r.file) == Path(related) for r in finding.related), finding.related
        for r in finding.related:
            assert r.line >= 1


def test_official_contract_has_no_type_or_shape_findings_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference is where the others are compared to: cross-variant findings start at a
    deviating vendor, never at the official contract."""
    monkeypatch.chdir(ROOT)
    for d in _findings():
        if d.code in ("SF-TYPE-DIVERGENCE", "SF-SHAPE-DIVERGENCE", "SF-ENUM-DIVERGENCE"):
            assert d.file != str(Path("specs/sources/openai.yaml")), str(d)
