"""`specforge ingest` and `specforge sources` through click's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from specforge.cli import cli, main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
CONFIG = str(ROOT / "specforge.toml")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "specforge.toml", tmp_path / "specforge.toml")
    shutil.copytree(ROOT / "specs" / "docs", tmp_path / "specs" / "docs")
    shutil.copytree(ROOT / "specs" / "sources", tmp_path / "specs" / "sources")
    shutil.copytree(ROOT / "specs" / "patches", tmp_path / "specs" / "patches")
    return tmp_path


@pytest.mark.parametrize("command", ["ingest", "sources"])
def test_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def test_ingest_docs_into_a_folder(tmp_path: Path) -> None:
    docs = [str(p) for p in sorted((ROOT / "specs" / "docs").iterdir())]
    result = CliRunner().invoke(cli, ["ingest", *docs, "--out", str(tmp_path), "--config", CONFIG])
    assert result.exit_code == 0, result.output
    assert "hingnet-sora: fenced, lines 95-294, 3 examples, valid" in result.output
    for name in ("openai", "hingnet-sora", "hingnet-veo", "newapi", "xiexus", "aiid"):
        assert (tmp_path / f"{name}.yaml").read_bytes() == (
            ROOT / "specs" / "sources" / f"{name}.yaml"
        ).read_bytes()


def test_ingest_project_is_idempotent_and_check_passes(project: Path) -> None:
    config = str(project / "specforge.toml")
    result = CliRunner().invoke(cli, ["ingest", "--config", config])
    assert result.exit_code == 0, result.output
    actions = [line.split()[0] for line in result.output.splitlines()]
    assert actions == ["unchanged"] * 6
    assert CliRunner().invoke(cli, ["ingest", "--check", "--config", config]).exit_code == 0


def test_check_fails_on_a_stale_source_without_writing(project: Path) -> None:
    source = project / "specs" / "sources" / "xiexus.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("固定生产地址", "edited"), encoding="utf-8")
    stale = source.read_bytes()
    result = CliRunner().invoke(
        cli, ["ingest", "--check", "--variant", "xiexus", "--config", str(project / "specforge.toml")]
    )
    assert result.exit_code == 1
    assert "would-write  specs/sources/xiexus.yaml" in result.output
    assert source.read_bytes() == stale


def test_changed_hand_page_warns(project: Path) -> None:
    toml = project / "specforge.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'vendor = "api.aiid.edu.kg"', 'vendor = "api.aiid.edu.kg"\nextract = "hand"'
        ),
        encoding="utf-8",
    )
    shutil.copy(
        ROOT / "tests" / "fixtures" / "ingest" / "hand-aiid.yaml", project / "specs" / "sources" / "aiid.yaml"
    )
    page = project / "specs" / "docs" / "004_a933532f8a733072.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\nnew field\n", encoding="utf-8")
    args = ["ingest", "--variant", "aiid", "--config", str(project / "specforge.toml")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert (
        "specs/sources/aiid.yaml:18:13: warning: the page specs/docs/004_a933532f8a733072.txt changed"
        in result.output
    )
    assert CliRunner().invoke(cli, [*args, "--check"]).exit_code == 1


def test_bad_page_exits_2_with_location_and_keeps_going(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            str(FIXTURES / "two-blocks.md"),
            str(FIXTURES / "whole.yaml"),
            "--out",
            str(tmp_path),
            "--config",
            CONFIG,
        ],
    )
    assert result.exit_code == 2
    assert "tests/fixtures/ingest/two-blocks.md:8: 2 OpenAPI documents found" in result.output
    assert (tmp_path / "whole.yaml").is_file()


def test_unknown_variant_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["ingest", "--variant", "hingnet-soar", "--config", CONFIG])
    assert info.value.code == 2
    assert "unknown variant `hingnet-soar` (did you mean `hingnet-sora`?)" in capsys.readouterr().err


def test_ingest_json_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            str(FIXTURES / "embedded.txt"),
            "--out",
            str(tmp_path),
            "--format",
            "json",
            "--config",
            CONFIG,
        ],
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["action"] == "wrote" and row["extraction"] == "embedded-json"
    assert row["doc"] == "tests/fixtures/ingest/embedded.txt"


def test_sources_text_table() -> None:
    result = CliRunner().invoke(cli, ["sources", "--config", CONFIG])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["variant", "openapi", "operations", "extraction", "doc", "validation"]
    assert any(
        line.split()[:5] == ["hingnet-sora", "3.0.0", "POST", "/v1/videos", "fenced"] for line in lines
    )
    assert any(line.strip() == "GET /v1/videos/{video_id}/content" for line in lines)


def test_sources_json_with_revalidation() -> None:
    result = CliRunner().invoke(cli, ["sources", "--format", "json", "--validate", "--config", CONFIG])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["variant"] for r in rows] == [
        "openai",
        "hingnet-sora",
        "hingnet-veo",
        "newapi",
        "xiexus",
        "aiid",
    ]
    assert {r["validation"] for r in rows} == {"valid"}
    assert rows[3]["operations"] == [
        "POST /v1/videos",
        "GET /v1/videos/{video_id}",
        "GET /v1/videos/{video_id}/content",
    ]


def test_sources_reports_a_missing_source(project: Path) -> None:
    (project / "specs" / "sources" / "xiexus.yaml").unlink()
    result = CliRunner().invoke(cli, ["sources", "--config", str(project / "specforge.toml")])
    assert result.exit_code == 0
    assert "missing: run `specforge ingest`" in result.output


def test_one_unreadable_page_never_blocks_the_others(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    (project / "specs" / "docs" / "003_9c195aa9b3bea7d9.txt").unlink()  # xiexus's page
    (project / "specs" / "docs" / "drafts").mkdir()  # a folder among the pages
    out = project / "out"
    docs = sorted(str(p.relative_to(project)) for p in (project / "specs" / "docs").iterdir())
    result = CliRunner().invoke(cli, ["ingest", *docs, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "skipped      specs/docs/drafts (drafts: a folder, not a doc page)" in result.output
    result = CliRunner().invoke(cli, ["ingest", "--out", str(out)])
    assert result.exit_code == 2
    assert "error        specs/docs/003_9c195aa9b3bea7d9.txt (xiexus: skipped" in result.stdout
    assert "specforge: error: xiexus: specs/docs/003_9c195aa9b3bea7d9.txt" in result.stderr
    assert "1 of 6 pages could not be ingested and were skipped: xiexus" in result.stderr
    for name in ("openai", "hingnet-sora", "hingnet-veo"):
        assert (out / f"{name}.yaml").is_file(), name
