"""`specforge nightly --fail-on`: first-seen providers with blocking causes fail the run, known
unchanged causes stay green, new causes fail at or above the level (tests/fixtures/history/fail-on.yaml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_history_cli import nightly, setup, write_providers

from specforge.history.model import FAIL_ON_LEVELS

CASES = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "fixtures" / "history" / "fail-on.yaml").read_text(
        encoding="utf-8"
    )
)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_fail_on(tmp_path: Path, case: dict[str, Any]) -> None:
    settings = case.get("settings", "")
    setup(tmp_path, {}, settings)
    for night, step in enumerate(case["nights"], start=1):
        write_providers(tmp_path, {"acme": step["run"]}, settings)
        result: Any = nightly(tmp_path, *step.get("flags", ()))
        assert result.exit_code == step["exit"], (night, result.output)
        fail_lines = [line for line in result.output.splitlines() if line.startswith("FAIL acme")]
        if step.get("fail"):
            assert len(fail_lines) == 1 and step["fail"] in fail_lines[0], (night, result.output)
        else:
            assert not fail_lines, (night, result.output)


def test_summary_keeps_causes_score_and_index(tmp_path: Path) -> None:
    setup(tmp_path, {"acme": "graded/major:ms"})
    assert nightly(tmp_path).exit_code == 0
    write_providers(tmp_path, {"acme": "graded/major:ms,blocking:poll"})
    assert nightly(tmp_path).exit_code == 1
    row = json.loads((tmp_path / "out" / "summary.json").read_text())["providers"][0]
    assert row["status"] == "regressed" and row["score"] == 50.0 and row["index"] == 80.0
    assert [c["key"] for c in row["new_causes"]] == ["poll · poll"]
    assert row["new_causes"][0]["severity"] == "blocking"
    assert [c["key"] for c in row["known_causes"]] == ["ms · ms"]
    assert row["causes_by_severity"] == {"blocking": 1, "major": 1, "minor": 0}
    assert [(t["score"], t["index"]) for t in row["trend"]] == [(50.0, 80.0), (50.0, 80.0)]


def test_cli_levels_are_the_history_levels() -> None:
    from specforge.check.severity import LEVELS
    from specforge.cli.nightly import FAIL_ON_LEVELS as CLI_LEVELS

    assert CLI_LEVELS == FAIL_ON_LEVELS == (*LEVELS, "never")


def test_history_diff_exit_code_counts_new_causes(tmp_path: Path) -> None:
    from test_history_cli import history

    setup(tmp_path, {"acme": "graded/major:ms"})
    nightly(tmp_path)
    # the same failure keys, but the cause is now blocking: no failure is new, the cause is
    write_providers(tmp_path, {"acme": "graded/blocking:ms"})
    nightly(tmp_path)
    diffed: Any = history(tmp_path, "diff", "acme~1", "acme", "--exit-code")
    assert diffed.exit_code == 1, diffed.output
    assert "0 regression(s)" in diffed.output and "+ escalated  blocking ms · ms" in diffed.output
    same: Any = history(tmp_path, "diff", "acme", "acme", "--exit-code")
    assert same.exit_code == 0, same.output
