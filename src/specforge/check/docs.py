"""``python -m specforge.check.docs [--check]``: write (or verify) docs/severity.md from the
severity rules, so the docs and the classifier cannot drift apart."""

from __future__ import annotations

import sys
from pathlib import Path

from specforge.check.severity import docs_markdown
from specforge.core import write_atomic


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path("docs/severity.md")
    text = docs_markdown()
    if "--check" in args:
        return 0 if target.is_file() and target.read_text(encoding="utf-8") == text else 1
    write_atomic(target, text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
