from __future__ import annotations

from click.testing import CliRunner

from specforge import __version__
from specforge.cli import COMMANDS, cli


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Example" in result.output, name


def test_unknown_command_suggests() -> None:
    result = CliRunner().invoke(cli, ["lnt"])
    assert result.exit_code == 2


def test_module_entry_point_propagates_exit_codes(tmp_path) -> None:
    import subprocess
    import sys

    page = tmp_path / "page.txt"
    page.write_text("no openapi here\n")
    proc = subprocess.run(
        [sys.executable, "-m", "specforge", "ingest", str(page), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2, proc.stderr
    assert "page.txt:1" in proc.stderr and "Traceback" not in proc.stderr
