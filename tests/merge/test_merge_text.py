"""specforge.render.merge_text: merge's terminal lines and their streams, from a MergeResult."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specforge.core import InputError, load_config
from specforge.core.diagnostics import Diagnostic, Severity
from specforge.merge import MergeResult
from specforge.render.merge_text import (
    merge_errors,
    render_merge_check,
    render_merge_skipped,
    render_merge_written,
)
from specforge.render.terminal import Line


def _result(tmp: Path, **fields: Any) -> MergeResult:
    (tmp / "specforge.toml").write_text('[project]\nsources = "specs/sources"\n', encoding="utf-8")
    base: dict[str, Any] = {
        "config": load_config(tmp / "specforge.toml"),
        "policy": None,
        "canonical": {"paths": {"/videos": {"get": {}, "post": {}}, "/videos/{id}": {"get": {}}}},
        "overlays": {"openai": {"actions": [1, 2]}, "aiid": {"actions": [1, 2, 3]}},
        "sources": {},
        "normalized": {"openai": {}, "aiid": {}},
        "fields": {},
        "conflicts": [object()],
        "support": {},
        "matrix": {},
    }
    return MergeResult(**(base | fields))


def test_written_lines_name_counts_and_files_relative_to_the_project(tmp_path: Path) -> None:
    result = _result(tmp_path)
    written = [tmp_path / "specs" / "canonical.yaml", tmp_path / "specs" / "compat.md"]
    assert render_merge_written(result, written, 9) == [
        Line("merged 2 variants: 3 operations, 1 conflicts resolved by policy (see specs/merge-report.md)"),
        Line("overlay actions: openai 2, aiid 3"),
        Line("wrote specs/canonical.yaml"),
        Line("wrote specs/compat.md"),
    ]
    assert render_merge_written(result, [], 9)[-1] == Line("unchanged: all 9 outputs already up to date")


def test_check_lists_stale_files_on_stdout_and_the_count_on_stderr(tmp_path: Path) -> None:
    result = _result(tmp_path)
    stale = [tmp_path / "specs" / "compat.json"]
    assert render_merge_check(result, stale, 11, quiet=True) == [
        Line("stale: specs/compat.json"),
        Line("1 of 11 merge outputs are stale (fix: run `specforge merge`)", err=True),
    ]
    assert render_merge_check(result, [], 11, quiet=False) == [
        Line("up to date: all 11 merge outputs match the sources")
    ]
    assert render_merge_check(result, [], 11, quiet=True) == []


def test_errors_go_to_stderr_and_warnings_are_not_shown(tmp_path: Path) -> None:
    bad = Diagnostic("SF-MERGE", Severity.ERROR, "broken", file="specs/canonical.yaml", line=3, col=1)
    mild = Diagnostic("SF-MERGE", Severity.WARNING, "odd", file="specs/canonical.yaml", line=4, col=1)
    result = _result(tmp_path, diagnostics=[mild, bad], skipped={"newapi": InputError("cannot read")})
    assert merge_errors(result) == [
        Line("specforge: error: newapi: cannot read", err=True),
        Line("specs/canonical.yaml:3:1: error: broken [SF-MERGE]", err=True),
        Line("specforge: the merged spec is not valid OpenAPI 3.1; nothing written", err=True),
    ]
    assert merge_errors(_result(tmp_path, diagnostics=[mild])) == []


def test_skipped_variants_are_named_last_on_stderr() -> None:
    assert render_merge_skipped({}) == []
    assert render_merge_skipped({"newapi": None, "aiid": None}) == [
        Line(
            "specforge: merged without 2 variant(s) whose source could not be read: newapi, aiid "
            "(their overlays were not rewritten)",
            err=True,
        )
    ]
