"""Markdown helpers shared by every Markdown renderer (lint findings, merge report, compat matrix,
check report, pipeline summary). Vendor and server text goes through them so that raw HTML in it
(``<script>``, ``<img onerror=…>``) is shown as text, never rendered by a Markdown viewer, and
control characters (NUL & co. from binary bodies) never reach the file."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TICKS = re.compile(r"`+")


def text(value: object) -> str:
    """``value`` as Markdown prose: ``&``, ``<`` and ``>`` become entities (shown, not parsed as
    HTML), control characters become U+FFFD."""
    out = _CONTROL.sub("\ufffd", str(value))
    return out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def table_cell(value: object) -> str:
    """``value`` safe inside one GitHub-flavoured Markdown table cell: no raw HTML (see ``text``),
    and a ``|`` would end the cell and a newline the row."""
    return text(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def code(value: object, *, cell: bool = False) -> str:
    """``value`` as an inline code span, whatever backticks it holds (the fence is longer than any
    run of them); code spans never render HTML. ``cell``: the span sits in a table row, where a
    ``|`` would end the cell even inside code."""
    body = _CONTROL.sub("\ufffd", str(value)).replace("\r", " ").replace("\n", " ")
    longest = max((len(m) for m in _TICKS.findall(body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    span = f"{fence}{pad}{body}{pad}{fence}"
    return span.replace("|", "\\|") if cell else span


def fence(value: str) -> str:
    """``value`` as a fenced code block (longer fence than any backtick run inside); fenced blocks
    never render HTML, and control characters are replaced."""
    body = _CONTROL.sub("\ufffd", value)
    marker = "```"
    while marker in body:
        marker += "`"
    return f"{marker}\n{body}\n{marker}"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """The lines of a GitHub-flavoured Markdown table; cells are Markdown already (escape
    untrusted text with :func:`table_cell` first)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return lines
