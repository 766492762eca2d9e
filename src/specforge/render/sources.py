"""``specforge sources`` output: the variant table as plain text, JSON, or a rich table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol


class _Row(Protocol):
    """What a row must offer (``specforge.ingest.sources.SourceInfo`` does)."""

    @property
    def variant(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def openapi(self) -> str | None: ...
    @property
    def operations(self) -> list[str]: ...
    @property
    def extraction(self) -> str | None: ...
    @property
    def doc(self) -> str | None: ...
    @property
    def validation(self) -> str | None: ...
    @property
    def error(self) -> str | None: ...

    def to_dict(self) -> dict[str, Any]: ...


COLUMNS = ("variant", "openapi", "operations", "extraction", "doc", "validation")


def _cells(row: _Row) -> list[str]:
    validation = row.validation or "-"
    if row.status != "ok":
        validation = f"{row.status}: {row.error}" if row.error else row.status
    return [
        row.variant,
        row.openapi or "-",
        ", ".join(row.operations) or "-",
        row.extraction or "-",
        row.doc or "-",
        validation,
    ]


def sources_text(rows: Sequence[_Row]) -> str:
    """Aligned plain-text table (no colour), one line per variant; operations wrap onto
    continuation lines so the table stays readable in logs."""
    table = [list(COLUMNS)]
    for row in rows:
        cells = _cells(row)
        ops = row.operations or ["-"]
        table.append([cells[0], cells[1], ops[0], *cells[3:]])
        table += [["", "", op, "", "", ""] for op in ops[1:]]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip() for r in table
    ]
    return "\n".join(lines) + "\n"


def sources_json(rows: Sequence[_Row]) -> str:
    return json.dumps([row.to_dict() for row in rows], indent=2, ensure_ascii=False) + "\n"


def sources_rich(rows: Sequence[_Row]) -> Any:
    """A ``rich.table.Table`` of the rows (the CLI prints it on a terminal)."""
    from rich.table import Table

    table = Table(title="specforge sources", show_lines=True)
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for row in rows:
        cells = _cells(row)
        cells[2] = "\n".join(row.operations) or "-"
        style = None if row.status == "ok" and (row.validation or "").startswith("valid") else "yellow"
        table.add_row(*cells, style=style)
    return table
