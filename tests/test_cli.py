from __future__ import annotations

import click
from click.testing import CliRunner

from specforge import __version__
from specforge.cli import COMMANDS, cli


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_every_command_and_subcommand_has_help_with_an_example() -> None:
    runner = CliRunner()

    def check(path: list[str], command: click.Command) -> None:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, path
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                check([*path, name], sub)

    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        assert command is not None, name
        check([name], command)


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
