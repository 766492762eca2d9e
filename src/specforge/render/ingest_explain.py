"""``specforge ingest --explain``: what was found in a page and where, as aligned text or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol


class _Finding(Protocol):
    @property
    def route(self) -> str: ...
    @property
    def what(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def evidence(self) -> str: ...
    @property
    def section(self) -> str: ...


class _Explanation(Protocol):
    @property
    def doc(self) -> str: ...
    @property
    def variant(self) -> str: ...
    @property
    def extraction(self) -> str: ...
    @property
    def notes(self) -> tuple[str, ...]: ...
    @property
    def findings(self) -> Sequence[_Finding]: ...

    def to_dict(self) -> dict[str, Any]: ...


COLUMNS = ("line", "what", "route", "name", "type", "section", "evidence")


def explain_text(explanation: _Explanation) -> str:
    """One row per fact, in page order, under a header naming the page and how it was read."""
    rows = [
        [
            str(f.line) if f.line else "-",
            f.what,
            f.route or "-",
            f.name,
            f.type or "-",
            f.section or "-",
            f.evidence,
        ]
        for f in sorted(explanation.findings, key=lambda f: (f.line, f.what))
    ]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(COLUMNS)]
    lines = [f"{explanation.doc} -> variant {explanation.variant}: {explanation.extraction}"]
    lines += [f"  note: {note}" for note in explanation.notes]
    lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip())
    for row in rows:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    if not rows:
        lines.append("  (nothing found)")
    return "\n".join(lines) + "\n"


def explain_json(explanations: Sequence[_Explanation]) -> str:
    return json.dumps([e.to_dict() for e in explanations], indent=2, ensure_ascii=False) + "\n"
