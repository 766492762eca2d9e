"""Markdown helpers shared by the Markdown renderers (lint findings, merge report, compat matrix)."""

from __future__ import annotations


def table_cell(text: str) -> str:
    """``text`` safe inside one GitHub-flavoured Markdown table cell: a ``|`` would end the cell
    and a newline the row."""
    return text.replace("|", "\\|").replace("\n", " ")
