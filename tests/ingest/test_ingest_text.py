"""specforge.render.ingest_text: ingest's terminal lines and their streams, from IngestOutcomes."""

from __future__ import annotations

import json
from pathlib import Path

from specforge.core import InputError
from specforge.core.diagnostics import Diagnostic, Severity
from specforge.ingest.api import IngestOutcome
from specforge.render.ingest_text import render_ingest_outcomes, render_observed
from specforge.render.terminal import Line


def _outcomes(root: Path) -> list[IngestOutcome]:
    stale = Diagnostic(
        "SF-INGEST-HASH", Severity.WARNING, "page changed", file="specs/docs/a.md", line=1, col=1
    )
    return [
        IngestOutcome(
            "openai",
            "specs/docs/openai.md",
            root / "specs" / "sources" / "openai.yaml",
            "wrote",
            "fenced",
            "4 ops",
        ),
        IngestOutcome("aiid", "specs/docs/aiid.md", None, "page-changed", "hand", diagnostics=[stale]),
        IngestOutcome(
            "newapi", "specs/docs/newapi.md", None, "error", "auto", error=InputError("unreadable")
        ),
    ]


def test_text_lines_per_page_with_errors_and_findings_on_stderr(tmp_path: Path) -> None:
    assert render_ingest_outcomes(_outcomes(tmp_path), tmp_path, "text") == [
        Line("wrote        specs/sources/openai.yaml (openai: 4 ops)"),
        Line("specs/docs/a.md:1:1: warning: page changed [SF-INGEST-HASH]", err=True),
        Line("page-changed specs/docs/aiid.md"),
        Line("specforge: error: newapi: unreadable", err=True),
        Line("error        specs/docs/newapi.md (newapi: skipped, see the error above)"),
        Line("specforge: 1 of 3 pages could not be ingested and were skipped: newapi", err=True),
    ]


def test_json_is_one_stdout_document_and_problems_stay_on_stderr(tmp_path: Path) -> None:
    lines = render_ingest_outcomes(_outcomes(tmp_path), tmp_path, "json")
    assert [line.err for line in lines] == [False, True, True, True]
    pages = json.loads(lines[0].text)
    assert [p["target"] for p in pages] == ["specs/sources/openai.yaml", None, None]
    assert render_ingest_outcomes(_outcomes(tmp_path)[:1], tmp_path, "json")[1:] == []


def test_observed_names_the_file_and_counts(tmp_path: Path) -> None:
    document = {"info": {"x-specforge-observed": {"exchanges": 7}}, "paths": {"/a": {}, "/b": {}}}
    assert render_observed(tmp_path / "obs" / "observed.yaml", document, tmp_path) == (
        "wrote obs/observed.yaml (7 exchanges, 2 paths)"
    )
