"""The main job end to end on a copy of the bundled project (what the Quickstart runs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from specforge.cli import cli
from specforge.core import load_config
from specforge.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "specforge.toml", tmp_path / "specforge.toml")
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    return tmp_path


def test_run_writes_sources_merge_lint_and_conformance_reports(project: Path) -> None:
    config = load_config(project / "specforge.toml")
    lines: list[str] = []
    result = run_pipeline(config, variants=["openai", "aiid"], max_examples=3, run_id="r1", say=lines.append)
    folder = project / "reports" / "r1"
    assert result.directory == folder
    assert [s.name for s in result.stages] == ["ingest", "merge", "lint", "check", "check"]
    assert result.exit_code == 0, [s.to_dict() for s in result.stages]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["checks"]["openai"]["verdict"] == "conformant"
    assert summary["checks"]["aiid"]["verdict"] == "conformant"
    # against the canonical contract, aiid's millisecond created_at is caught by the live check
    assert summary["compat"]["aiid"]["verdict"] == "non-conformant"
    assert "timestamps_are_unix_seconds" in summary["compat"]["aiid"]["failed_checks"]
    # the check against the canonical contract runs only the deterministic phases (the same answer
    # every run); the random exploration is the own-spec check's
    phases = {
        check: {case["phase"] for case in json.loads((folder / check / "report.json").read_text())["cases"]}
        for check in ("check-openai", "check-openai/vs-canonical")
    }
    assert {"fuzzing", "stateful"} <= phases["check-openai"]
    assert phases["check-openai/vs-canonical"] >= {"examples", "coverage", "lifecycle"}
    assert not phases["check-openai/vs-canonical"] & {"fuzzing", "stateful"}
    # the vendor defects are found (aiid's millisecond created_at among them), not treated as failure
    assert summary["lint"]["error"] > 0
    assert "SF-TIMESTAMP-MS" in (folder / "lint.json").read_text()
    for name in ("summary.md", "lint.md", "lint.sarif", "check-openai/report.html", "check-aiid/junit.xml"):
        assert (folder / name).is_file(), name
    assert "| check | ok |" in (folder / "summary.md").read_text()
    assert len(lines) == 5
    # the throwaway mock token never reaches a report
    token_free = [p for p in folder.rglob("*") if p.is_file() and "sk-run-" in p.read_text(errors="ignore")]
    assert token_free == []


def _hand_written(project: Path, variant_line: str) -> None:
    """Mark a variant extract = "hand" (its source is then read, never regenerated)."""
    toml = project / "specforge.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(variant_line, variant_line + '\nextract = "hand"')
    )


def test_one_unreadable_variant_never_blocks_the_others(project: Path) -> None:
    _hand_written(project, 'vendor = "api.aiid.edu.kg"')
    (project / "specs" / "sources" / "aiid.yaml").write_text("openapi: [unclosed\n")
    config = load_config(project / "specforge.toml")
    result = run_pipeline(config, variants=["openai", "aiid"], max_examples=2, run_id="broken")
    assert result.exit_code == 2
    assert [(s.name, s.status) for s in result.stages][:3] == [
        ("ingest", "partial"),
        ("merge", "ok"),
        ("lint", "findings"),
    ]
    assert list(result.skipped) == ["aiid"] and "aiid.yaml" in result.skipped["aiid"]
    assert "skipped aiid: specs/sources/aiid.yaml" in result.stages[0].summary
    # the other variant went all the way: merged, linted and its mock checked
    assert list(result.checks) == ["openai"] and result.checks["openai"].verdict.value == "conformant"
    assert not (project / "reports" / "broken" / "check-aiid").exists()
    summary = json.loads((project / "reports" / "broken" / "summary.json").read_text())
    assert summary["exit_code"] == 2 and list(summary["skipped"]) == ["aiid"]
    page = (project / "reports" / "broken" / "summary.md").read_text()
    assert "## Skipped variants" in page and "| aiid | ingest: specs/sources/aiid.yaml" in page


def test_a_failing_stage_still_writes_the_summary(project: Path) -> None:
    for source in (project / "specs" / "sources").iterdir():
        source.write_text("openapi: [unclosed\n")
    (project / "specs" / "docs" / "openai-videos.yaml").write_text("openapi: [unclosed\n")
    for doc in (project / "specs" / "docs").glob("00[0-4]_*.txt"):
        doc.unlink()
    config = load_config(project / "specforge.toml")
    result = run_pipeline(config, run_id="broken")
    assert result.exit_code == 2
    assert [s.status for s in result.stages if s.name == "merge"] == ["failed"]
    assert "check" not in [s.name for s in result.stages]
    summary = json.loads((project / "reports" / "broken" / "summary.json").read_text())
    assert summary["exit_code"] == 2 and len(summary["skipped"]) == 6


def test_a_report_that_cannot_be_written_fails_that_check_not_the_run(project: Path) -> None:
    """An OSError while a check writes its cassette or reports (here: a folder where the cassette
    goes) is that check's failed stage with the folder and a fix; the other checks and the summary
    are still written."""
    blocked = project / "reports" / "r2" / "check-aiid" / "vs-canonical" / "cassette.jsonl"
    blocked.mkdir(parents=True)
    config = load_config(project / "specforge.toml")
    result = run_pipeline(config, variants=["aiid", "xiexus"], max_examples=2, run_id="r2")
    checks = [s for s in result.stages if s.name == "check"]
    assert [s.status for s in checks] == ["failed", "ok"]
    assert "check-aiid/vs-canonical: cannot write the check's reports: Is a directory" in checks[0].summary
    assert result.exit_code != 0
    summary = json.loads((project / "reports" / "r2" / "summary.json").read_text())
    assert summary["checks"]["xiexus"]["verdict"] == "conformant"
    assert (project / "reports" / "r2" / "check-aiid" / "report.json").is_file()


def test_cli_run_unknown_variant_is_an_input_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["run", "--variant", "opnai"])
    assert result.exit_code == 2
    assert "specforge: error:" in result.stderr and "did you mean `openai`" in result.stderr


def test_cli_run_prints_one_line_per_stage_and_the_report(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["run", "--variant", "openai", "--max-examples", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("report: reports/run-")
    assert "check   ok       openai mock vs its spec: conformant" in result.output


def test_checks_are_scheduled_longest_first_by_the_previous_runs_seconds(project: Path) -> None:
    """Each variant's two checks are separate tasks; the run orders them by what each took last
    time (unknown tasks first), so the longest task starts first and the cores finish together."""
    from specforge.pipeline.run import _longest_first, _Task

    config = load_config(project / "specforge.toml")
    tasks = [_Task(name, canonical) for name in ("openai", "aiid", "xiexus") for canonical in (False, True)]
    older = project / "reports" / "run-old"
    older.mkdir(parents=True)
    (older / "summary.json").write_text(json.dumps({"checks": {"openai": {"seconds": 99.0}}}))
    newer = project / "reports" / "run-new"
    newer.mkdir()
    (newer / "summary.json").write_text(
        json.dumps(
            {
                "checks": {"openai": {"seconds": 9.0}, "aiid": {"seconds": 1.5}, "xiexus": {"seconds": 2.0}},
                "compat": {
                    "openai": {"seconds": 11.0},
                    "aiid": {"seconds": "n/a"},
                    "xiexus": {"seconds": 6.0},
                },
            }
        )
    )
    import os

    os.utime(older / "summary.json", (1, 1))
    order = [t.key for t in _longest_first(config, tasks)]
    # aiid/vs-canonical has no usable figure: unknown goes first; then longest first, newest run only
    assert order == [
        "aiid/vs-canonical",
        "openai/vs-canonical",
        "openai",
        "xiexus/vs-canonical",
        "xiexus",
        "aiid",
    ]


def test_without_a_previous_run_the_bigger_spec_goes_first(project: Path) -> None:
    from specforge.pipeline.run import _longest_first, _Task

    config = load_config(project / "specforge.toml")
    (project / "reports").mkdir()
    (project / "reports" / "run-broken").mkdir()
    (project / "reports" / "run-broken" / "summary.json").write_text("{not json")
    tasks = [_Task("xiexus", False), _Task("aiid", False), _Task("openai", True)]
    sizes = {
        t.key: (config.canonical if t.canonical else config.variant(t.variant).source).stat().st_size
        for t in tasks
    }
    order = [t.key for t in _longest_first(config, tasks)]
    assert order == sorted(sizes, key=sizes.__getitem__, reverse=True)


def test_summary_records_each_checks_seconds(project: Path) -> None:
    config = load_config(project / "specforge.toml")
    run_pipeline(config, variants=["aiid"], max_examples=2, run_id="timed")
    summary = json.loads((project / "reports" / "timed" / "summary.json").read_text())
    assert summary["checks"]["aiid"]["seconds"] > 0
    assert summary["compat"]["aiid"]["seconds"] > 0


def test_the_report_line_is_relative_to_the_working_folder(tmp_path: Path) -> None:
    from specforge.render.pipeline import render_report_line

    summary = tmp_path / "reports" / "r1" / "summary.md"
    assert render_report_line(summary, tmp_path) == "report: reports/r1/summary.md"
    assert render_report_line(summary, tmp_path / "elsewhere") == f"report: {summary}"
