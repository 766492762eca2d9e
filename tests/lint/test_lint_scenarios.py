"""End-to-end cases: each tests/scenarios/lint-*/ folder holds a project, the command line
(args.txt), the exact expected output (expected.txt) and exit code (exit_code.txt)."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from specforge.cli import cli

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("lint-*"))


@pytest.mark.parametrize("case", SCENARIOS, ids=[c.name for c in SCENARIOS])
def test_scenario(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / case.name
    shutil.copytree(case, work)
    monkeypatch.chdir(work)
    args = shlex.split((case / "args.txt").read_text())
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.output == (case / "expected.txt").read_text()
    assert result.exit_code == int((case / "exit_code.txt").read_text())
