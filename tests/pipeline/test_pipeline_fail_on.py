"""`specforge run --fail-on`: the run's exit code over every variant's own check, with
`CheckResult.exit_code_for` semantics (cases in tests/fixtures/pipeline/fail-on.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from specforge.check.model import CheckResult, Failure, Verdict
from specforge.cli import cli
from specforge.core.diagnostics import Diagnostic, Severity
from specforge.pipeline import PipelineResult, StageResult
from specforge.render.pipeline import pipeline_markdown

CASES = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "fixtures" / "pipeline" / "fail-on.yaml").read_text(
        encoding="utf-8"
    )
)


def check(spec: dict[str, Any]) -> CheckResult:
    """A variant's own check: its verdict, aborted or not, and one failure per severity listed."""
    result = CheckResult(run_id="c", base_url="http://127.0.0.1:1", spec_name="s", spec_hash="h")
    result.verdict = Verdict(spec.get("verdict", "conformant"))
    result.aborted = spec.get("aborted")
    for n, level in enumerate(spec.get("causes", [])):
        result.add_failure(
            Failure(
                diagnostic=Diagnostic(code=f"c{n}", severity=Severity.ERROR, message=f"defect {n}"),
                operation="POST /v1/videos",
                check=f"c{n}",
                severity=level,
            )
        )
    return result


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_run_exit_code_under_fail_on(tmp_path: Path, case: dict[str, Any]) -> None:
    checks = {name: check(spec) for name, spec in case["checks"].items()}
    for fail_on, expected in case["exit"].items():
        result = PipelineResult(
            run_id="r",
            directory=tmp_path,
            stages=[StageResult("check", "ok", "")],
            checks=checks,
            fail_on=None if fail_on == "default" else fail_on,
        )
        assert result.exit_code == expected, (fail_on, case["name"])


def test_summary_names_the_gate_and_the_causes(tmp_path: Path) -> None:
    from specforge.core import load_config

    (tmp_path / "specforge.toml").write_text("[project]\n", encoding="utf-8")
    own = check({"verdict": "non-conformant", "causes": ["minor", "major"]})
    result = PipelineResult(
        run_id="r",
        directory=tmp_path,
        stages=[StageResult("check", "ok", "")],
        checks={"x": own},
        fail_on="blocking",
    )
    md = pipeline_markdown(result.to_dict(load_config(tmp_path / "specforge.toml")))
    assert "(exit code 0)" in md and "Gate `--fail-on blocking`" in md
    assert "| x | non-conformant (2 failures / 0 cases) | 0/1/1 |" in md
    result.fail_on = "major"
    md = pipeline_markdown(result.to_dict(load_config(tmp_path / "specforge.toml")))
    assert "(exit code 1)" in md and "| 0/1/1 (fails the run) |" in md


def test_cli_passes_fail_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import specforge.pipeline

    seen: dict[str, Any] = {}

    def fake(config: Any, **options: Any) -> PipelineResult:
        seen.update(options)
        own = check({"verdict": "non-conformant", "causes": ["minor"]})
        return PipelineResult(run_id="r", directory=tmp_path, checks={"x": own}, fail_on=options["fail_on"])

    monkeypatch.setattr(specforge.pipeline, "run_pipeline", fake)
    (tmp_path / "specforge.toml").write_text("[project]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["run", "-q", "--fail-on", "major"]).exit_code == 0
    assert seen["fail_on"] == "major"
    assert CliRunner().invoke(cli, ["run", "-q", "--fail-on", "minor"]).exit_code == 1
    assert CliRunner().invoke(cli, ["run", "-q"]).exit_code == 1 and seen["fail_on"] is None
