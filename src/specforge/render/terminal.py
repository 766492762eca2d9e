"""One terminal line and the stream it belongs to: commands that write both standard output and
standard error get their lines, in order, from render; the CLI only echoes them."""

from __future__ import annotations

from typing import NamedTuple


class Line(NamedTuple):
    text: str
    #: standard error (problems, advice) rather than standard output (results)
    err: bool = False


def out(text: str) -> Line:
    return Line(text)


def err(text: str) -> Line:
    return Line(text, err=True)


def error_line(error: object) -> Line:
    """The one line a user error (an ``InputError``/``EndpointError``: message, file:line, fix)
    becomes on stderr."""
    return err(f"specforge: error: {error}")
