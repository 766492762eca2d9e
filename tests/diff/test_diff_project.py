"""On the bundled project, and through the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from specforge.cli import cli
from specforge.core import load_config
from specforge.diff import Spec, diff, load_spec
from specforge.overlay import load_variant

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_config(ROOT / "specforge.toml")


def test_canonical_to_hingnet_veo_names_the_two_sdk_breakers() -> None:
    changes = diff(load_spec("canonical", CONFIG), load_spec("hingnet-veo", CONFIG))
    breaking = {(c.direction, c.field, c.kind, c.media_type) for c in changes if c.effect.value == "breaking"}
    assert ("request", "input_reference", "type-changed", "application/json") in breaking
    assert ("response", "seconds", "type-changed", "application/json") in breaking
    seconds = next(
        c for c in changes if c.direction == "response" and c.field == "seconds" and c.op_kind == "create"
    )
    assert seconds.old_value == ["string"] and seconds.new_value == ["integer"]
    assert seconds.old is not None and seconds.old.file == "specs/canonical.yaml"
    assert seconds.new is not None and seconds.new.file == "specs/sources/hingnet-veo.yaml"
    lines = (ROOT / seconds.new.file).read_text(encoding="utf-8").splitlines()
    assert lines[seconds.new.line - 1].strip() == "seconds:"


@pytest.mark.parametrize("variant", list(CONFIG.variants))
def test_a_variant_against_itself_and_its_overlay_is_no_change(variant: str) -> None:
    source = load_spec(variant, CONFIG)
    assert diff(source, source) == []
    # the source (OpenAPI 3.0 for the hingnet pages) against canonical + overlay (3.1): no change
    assert diff(source, Spec.of(load_variant(CONFIG, variant), "merged")) == []


def test_cli_formats_and_fail_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    text = runner.invoke(cli, ["diff", "canonical", "hingnet-veo"])
    assert text.exit_code == 0, text.output
    assert "specs/sources/hingnet-veo.yaml" in text.output and "^^^^^^^ type-changed" in text.output
    assert "= also: specs/canonical.yaml:" in text.output and " breaking," in text.output.splitlines()[-1]
    failing = runner.invoke(
        cli, ["diff", "canonical", "hingnet-veo", "--fail-on", "breaking", "--format", "json"]
    )
    assert failing.exit_code == 1
    report = json.loads(failing.output)
    assert any(f["code"] == "type-changed" and f["related"] for f in report["findings"])
    sarif = json.loads(runner.invoke(cli, ["diff", "canonical", "aiid", "--format", "sarif"]).output)
    assert sarif["runs"][0]["results"] and sarif["runs"][0]["tool"]["driver"]["rules"]
    assert all(
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in sarif["runs"][0]["results"]
    )
    github = runner.invoke(cli, ["diff", "canonical", "aiid", "--format", "github"]).output
    assert github.startswith("::") and "file=specs/" in github
    junit = runner.invoke(cli, ["diff", "canonical", "aiid", "--format", "junit"]).output
    assert "<testsuites" in junit and "specforge diff" in junit
    markdown = runner.invoke(cli, ["diff", "aiid", "aiid", "--format", "markdown"]).output
    assert "## specforge diff" in markdown and "No changes from aiid to aiid." in markdown
    same = runner.invoke(cli, ["diff", "openai", "openai", "--fail-on", "potentially-breaking"])
    assert same.exit_code == 0


def test_bad_input_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    unknown = runner.invoke(cli, ["diff", "canonical", "hingnet-ve0"])
    assert unknown.exit_code == 2 and "did you mean `hingnet-veo`" in unknown.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\npaths: {\n", encoding="utf-8")
    bad = runner.invoke(cli, ["diff", "canonical", str(broken)])
    assert bad.exit_code == 2 and "broken.yaml:" in bad.output and "Traceback" not in bad.output


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_variant_at_git_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs" / "sources").mkdir(parents=True)
    (tmp_path / "specforge.toml").write_text(
        '[variants.acme]\nsource = "specs/sources/acme.yaml"\n', encoding="utf-8"
    )
    source = tmp_path / "specs" / "sources" / "acme.yaml"
    page = (
        "openapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths:\n  /v1/videos:\n    post:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema:\n                type: object\n                properties:\n"
        "                  seconds: {type: %s}\n"
    )
    source.write_text(page % "string", encoding="utf-8")
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.test",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.test",
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "one"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, env=env)
    source.write_text(page % "integer", encoding="utf-8")  # the page was re-ingested
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["diff", "acme@HEAD", "acme", "--fail-on", "breaking"])
    assert result.exit_code == 1, result.output
    assert (
        "14:19: type-changed" in result.output
        and "= also: specs/sources/acme.yaml@HEAD:14:19" in result.output
    )
    missing = CliRunner().invoke(cli, ["diff", "acme@HEAD~5", "acme"])
    assert missing.exit_code == 2 and "HEAD~5" in missing.output
