"""Human output like ruff's: findings grouped by file, each with a code frame of the offending
lines and carets under the finding's span (its node, when the loader knows where it ends), then
a summary. Colour (rich) only when asked for, which
the CLI does on a TTY; the plain path never imports rich."""

from __future__ import annotations

from specforge.core.diagnostics import Diagnostic
from specforge.render.findings_model import FindingsReport, summary_line

_BEFORE = 2
_AFTER = 1
_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "bold blue"}


def token_width(line: str, col: int) -> int:
    """How many characters the YAML/JSON token starting at 1-based ``col`` spans (for findings
    that carry no end)."""
    rest = line[col - 1 :] if 0 < col <= len(line) else ""
    if not rest:
        return 1
    if rest[0] in "\"'":
        end = rest.find(rest[0], 1)
        return end + 1 if end > 0 else len(rest.rstrip())
    if rest[0] in "{[":
        return len(rest.rstrip())
    for stop in (": ", ":\t", " #", ","):
        cut = rest.find(stop)
        if cut > 0:
            rest = rest[:cut]
    if rest.endswith(":"):
        rest = rest[:-1]
    return max(1, len(rest.rstrip()))


def _span_width(text: str, col: int, d: Diagnostic) -> int:
    """Carets for ``d`` on its first line: its span up to its end or the end of the line."""
    if d.end_line is None or d.end_col is None:
        return token_width(text, col)
    end = d.end_col if d.end_line == d.line else len(text) + 1
    return max(1, min(end, len(text) + 1) - col)


def _frame(lines: list[str], d: Diagnostic) -> list[tuple[str, str]]:
    """(text, style) rows of the code frame for ``d``."""
    if d.line is None or not lines or d.line > len(lines):
        return []
    first = max(1, d.line - _BEFORE)
    last = min(len(lines), d.line + _AFTER)
    gutter = len(str(last))
    rows: list[tuple[str, str]] = [(f"{' ' * gutter} |", "blue")]
    for number in range(first, last + 1):
        text = lines[number - 1].rstrip("\n").expandtabs(1)
        rows.append((f"{number:>{gutter}} | {text}", "bold" if number == d.line else ""))
        if number == d.line:
            col = d.col or 1
            width = _span_width(text, col, d)
            rows.append(
                (f"{' ' * gutter} | {' ' * (col - 1)}{'^' * width} {d.code}", _STYLES[d.severity.value])
            )
    rows.append((f"{' ' * gutter} |", "blue"))
    return rows


def _rows(report: FindingsReport) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    split: dict[str, list[str]] = {}
    for file, diagnostics in report.by_file().items():
        rows.append((file, "bold underline"))
        text = report.texts.get(file)
        lines = split.setdefault(file, text.splitlines() if text else [])
        for d in diagnostics:
            where = f"{d.line}:{d.col}" if d.line is not None else "-"
            rows.append((f"  {where}: {d.code} {d.severity.value}: {d.message}", _STYLES[d.severity.value]))
            rows.extend((f"  {t}", s) for t, s in _frame(lines, d))
            if d.variants and (d.related or len(d.variants) > 1):
                rows.append((f"  = variants: {', '.join(d.variants)}", "cyan"))
            for related in d.related:
                rows.append(
                    (f"  = also: {related}" + (f" ({related.pointer})" if related.pointer else ""), "cyan")
                )
            if d.hint:
                rows.append((f"  = help: {d.hint}", "green"))
            rows.append(("", ""))
    rows.append((summary_line(report), "bold"))
    return rows


def render_text(report: FindingsReport, *, color: bool = False, width: int = 120) -> str:
    rows = _rows(report)
    if not color:
        return "\n".join(text for text, _ in rows) + "\n"
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        width=max(width, 40),
        soft_wrap=True,
        highlight=False,
    )
    for text, style in rows:
        console.print(Text(text, style=style or ""))
    return buffer.getvalue()
