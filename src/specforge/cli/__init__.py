"""The command line: a thin shell over the Python API. This package is the only place that
prints or exits, and the only importer of click. Commands load lazily so that ``specforge lint``
does not pay for importing schemathesis."""

from __future__ import annotations

import errno
import importlib
import sys
from typing import Any

import click

from specforge import __version__
from specforge.core.errors import InputError, SpecforgeError

#: command name -> "module:attribute" under specforge.cli; one line per command.
COMMANDS: dict[str, str] = {
    "check": "specforge.cli.check:command",
    "diff": "specforge.cli.diff:command",
    "fingerprint": "specforge.cli.fingerprint:command",
    "history": "specforge.cli.history:history",
    "ingest": "specforge.cli.ingest:command",
    "lint": "specforge.cli.lint:lint",
    "merge": "specforge.cli.merge:command",
    "mock": "specforge.cli.mock:command",
    "nightly": "specforge.cli.nightly:nightly",
    "overlay": "specforge.cli.overlay:overlay",
    "relay-check": "specforge.cli.relay:command",
    "run": "specforge.cli.run:command",
    "sources": "specforge.cli.sources:command",
    "variant": "specforge.cli.variant:command",
}


def _report(exc: SpecforgeError) -> int:
    """The one line a user error becomes on stderr; returns its exit code."""
    from specforge.render.terminal import error_line

    line = error_line(exc)
    click.echo(line.text, err=line.err)
    return exc.exit_code


#: errno -> (what happened, fix) for failures the environment causes while reading or writing
_OS_ERRORS = {
    errno.ENOSPC: ("no space left on device", "free disk space, or write elsewhere (-o / --report-dir)"),
    errno.EDQUOT: ("disk quota exceeded", "free disk space, or write elsewhere (-o / --report-dir)"),
    errno.EROFS: ("read-only file system", "write elsewhere (-o / --report-dir)"),
    errno.EACCES: ("permission denied", "check the permissions, or write elsewhere (-o / --report-dir)"),
    errno.EPERM: ("operation not permitted", "check the permissions, or write elsewhere (-o / --report-dir)"),
    errno.ENOENT: ("no such file or directory", "check the path (its parent folders must be creatable)"),
    errno.ENOTDIR: ("a path component is not a directory", "check the path"),
    errno.EISDIR: ("is a directory", "name a file, not a folder"),
    errno.ENAMETOOLONG: ("file name too long", "use a shorter path"),
}


def translate(exc: BaseException) -> SpecforgeError | None:
    """The user-facing error for an exception the environment or an input caused (full disk,
    unwritable folder, text that cannot be encoded, a file that is not a database), or None for a
    real bug (which keeps its traceback). The one mapping every command goes through."""
    if isinstance(exc, SpecforgeError):
        return exc
    if isinstance(exc, OSError) and exc.errno is not None:
        what, fix = _OS_ERRORS.get(
            exc.errno, (exc.strerror or type(exc).__name__, "check the path and the disk")
        )
        name = exc.filename2 or exc.filename
        return InputError(what, file=str(name) if name is not None else None, hint=fix)
    if isinstance(exc, UnicodeEncodeError):
        bad = exc.object[exc.start : exc.end]
        return InputError(
            f"text contains {bad!r}, which cannot be written as {exc.encoding} "
            "(a lone UTF-16 surrogate escape such as \\ud800 in a JSON input?)",
            hint="replace the escape with the character it stands for, or remove it",
        )
    if type(exc).__module__ == "sqlite3" and type(exc).__name__ in ("DatabaseError", "OperationalError"):
        return InputError(
            f"SQLite: {exc}", hint="pass an SQLite database file made by specforge, or a new path"
        )
    if isinstance(exc, MemoryError):
        return InputError(
            "out of memory", hint="check the input's size; split it or raise the limits deliberately"
        )
    return None


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """User errors become one line on stderr and their exit code here, so that every caller
        (the console script, ``python -m specforge``, click's CliRunner in tests) sees the same."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:
            error = translate(exc)
            if error is None:
                raise
            ctx.exit(_report(error))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            from specforge.core.config import suggest

            raise click.UsageError(f"No such command {name!r}{suggest(name, COMMANDS)}.", ctx)
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="specforge")
def cli() -> None:
    """specforge: ingest vendor docs of OpenAI-compatible video APIs, merge them into one canonical
    OpenAPI 3.1 spec with per-variant overlays, lint them, mock them, and check live endpoints.

    \b
    Example:
      specforge run            # the whole pipeline on this project, report in reports/
    """


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: user errors become one line on stderr and exit code 2 or 3."""
    try:
        result = cli.main(args=argv, prog_name="specforge", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except SpecforgeError as exc:  # raised before a command runs (the group maps the rest)
        sys.exit(_report(exc))
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    # in non-standalone mode click returns the exit code of `ctx.exit(code)` instead of exiting
    if isinstance(result, int) and not isinstance(result, bool):
        sys.exit(result)
    return result
