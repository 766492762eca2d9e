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
