"""A vendor page as a flat sequence of units in page order — prose lines, tables and code blocks —
each carrying the 1-based page line it came from, so every drafted fact can cite its line.

Markdown (and plain text, which is Markdown without markup) is parsed with markdown-it-py: its
block tokens keep line maps, and its inline tokens give each rendered line without markup.
HTML is parsed with the stdlib ``html.parser``: it reports the source position of every tag
(``getpos``), needs no compiled dependency, and tolerates the unclosed tags saved pages have;
selectolax is faster but drops source positions, which provenance needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from specforge.ingest.page import is_html

_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|br|code|div|em|font|i|img|kbd|mark|p|pre|s|small|span|strong|sub|sup|u|table|tr|td|th|"
    r"ul|ol|li|h\d|details|summary|callout|note|tip|warning|info|tabs?|card|accordion)\b|<!--",
    re.IGNORECASE,
)
_LANG_CLASS = re.compile(r"(?:language|lang)-([\w+-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """One rendered line of prose (``heading`` is its level, 0 for body text)."""

    text: str
    line: int
    heading: int = 0


@dataclass(frozen=True)
class Table:
    """A table: ``header`` is None when the table has no header row; ``lines`` has one page line
    per row of ``rows``."""

    header: tuple[str, ...] | None
    rows: tuple[tuple[str, ...], ...]
    line: int
    lines: tuple[int, ...]


@dataclass(frozen=True)
class Code:
    """A code block; ``start`` is the page line of its first content line."""

    lang: str
    text: str
    start: int
    end: int


Unit = Line | Table | Code


def read_units(text: str, suffix: str = "") -> list[Unit]:
    """The page's units in page order."""
    if is_html(text, suffix):
        return html_units(text)
    return markdown_units(text)


# --- Markdown ---------------------------------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
#: what a ``<br>`` inside a table cell becomes: the cell's line break, kept so that a cell listing
#: one value per line (``4<br>8<br>12``) is not read as ``4812``
CELL_BREAK = "<br>"


def _inline_lines(token: Token, first: int, *, in_cell: bool = False) -> list[tuple[str, int]]:
    """The rendered lines of an inline token: text without markup, one entry per source line; a
    ``<br>`` starts a new line (in a table cell it stays, as :data:`CELL_BREAK`)."""
    out: list[tuple[str, int]] = []
    parts: list[str] = []
    number = first
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            out.append(("".join(parts), number))
            parts = []
            number += 1
        elif child.type == "text":
            parts.append(child.content)
        elif child.type == "code_inline":
            parts.append(f"`{child.content}`")  # kept: a backticked run is a name or a value
        elif child.type == "html_inline":
            if _BR.fullmatch(child.content.strip()):
                if in_cell:
                    parts.append(CELL_BREAK)
                else:
                    out.append(("".join(parts), number))
                    parts = []
            elif not _HTML_TAG.match(child.content):
                parts.append(child.content)  # `enum<string>`, `<token>`: text that looks like a tag
        elif child.type == "image":
            parts.append(child.content)
    out.append(("".join(parts), number))
    return [(t.strip(), n) for t, n in out if t.strip()]


def markdown_units(text: str) -> list[Unit]:
    tokens = _MD.parse(text)
    source = text.splitlines()
    units: list[Unit] = []
    heading = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            heading = int(token.tag[1:])
        elif token.type == "heading_close":
            heading = 0
        elif token.type == "inline" and token.map:
            for line_text, number in _inline_lines(token, token.map[0] + 1):
                units.append(Line(line_text, number, heading))
        elif token.type in ("fence", "code_block") and token.map:
            lang = token.info.split()[0].lower() if token.info.strip() else ""
            start = token.map[0] + (2 if token.type == "fence" else 1)
            body = token.content
            end = start + max(len(body.rstrip("\n").splitlines()), 1) - 1
            units.append(Code(lang, body, start, end))
        elif token.type == "html_block" and token.map:
            units += _shift_html(html_units(token.content), token.map[0])
        elif token.type == "table_open":
            i = _md_table(tokens, i, units, source)
        i += 1
    return units


def _md_table(tokens: list[Token], i: int, units: list[Unit], source: list[str]) -> int:
    """A GFM table; a following line without any pipe (GFM makes it a row) is prose again."""
    header: tuple[str, ...] | None = None
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    row: list[str] = []
    row_line = 0
    in_head = False
    trailing: list[Line] = []
    start = (tokens[i].map or [0])[0] + 1
    while i < len(tokens) and tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
            row_line = (token.map or [0])[0] + 1
        elif token.type == "inline":
            row.append(" ".join(t for t, _ in _inline_lines(token, row_line, in_cell=True)))
        elif token.type == "tr_close":
            if in_head:
                header = tuple(row)
            elif 0 < row_line <= len(source) and "|" not in source[row_line - 1]:
                trailing.append(Line(source[row_line - 1].strip(), row_line))
            else:
                rows.append(tuple(row))
                lines.append(row_line)
        i += 1
    if header is not None and not any(header):
        header = None
    units.append(Table(header, tuple(rows), start, tuple(lines)))
    units.extend(line for line in trailing if line.text)
    return i


def _shift_html(units: list[Unit], offset: int) -> list[Unit]:
    out: list[Unit] = []
    for unit in units:
        if isinstance(unit, Line):
            out.append(Line(unit.text, unit.line + offset, unit.heading))
        elif isinstance(unit, Table):
            out.append(
                Table(unit.header, unit.rows, unit.line + offset, tuple(n + offset for n in unit.lines))
            )
        else:
            out.append(Code(unit.lang, unit.text, unit.start + offset, unit.end + offset))
    return out


# --- HTML -------------------------------------------------------------------------------------

_BLOCK = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dt",
        "dd",
        "dl",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "nav",
        "aside",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "hr",
        "blockquote",
        "figure",
        "figcaption",
        "label",
        "summary",
        "details",
        "form",
        "fieldset",
        "legend",
        "caption",
        "tbody",
        "thead",
    ]
)
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
_VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}
)


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[Unit] = []
        self.text: list[str] = []
        self.text_line = 0
        self.heading = 0
        self.skip = 0
        self.pre: list[str] | None = None
        self.pre_lang = ""
        self.pre_line = 0
        self.table: dict[str, Any] | None = None
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.row_is_head = False

    # prose
    def flush(self) -> None:
        joined = re.sub(r"\s+", " ", "".join(self.text)).strip()
        if joined:
            self.units.append(Line(joined, self.text_line, self.heading))
        self.text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP and tag not in _VOID:
            self.skip += 1
            return
        if self.skip:
            return
        classes = " ".join(v or "" for k, v in attrs if k in ("class", "data-language", "data-lang", "lang"))
        if self.pre is not None:
            found = _LANG_CLASS.search(classes)
            if found and not self.pre_lang:
                self.pre_lang = found.group(1).lower()
            if tag == "br":
                self.pre.append("\n")
            return
        if tag == "pre":
            self.flush()
            self.pre = []
            found = _LANG_CLASS.search(classes)
            lang_attr = next((v for k, v in attrs if k in ("data-language", "data-lang") and v), "")
            self.pre_lang = (found.group(1) if found else lang_attr or "").lower()
            self.pre_line = self.getpos()[0]
            return
        if tag == "table":
            self.flush()
            self.table = {"header": None, "rows": [], "lines": [], "line": self.getpos()[0]}
            return
        if tag == "code" and self.pre is None:
            (self.cell if self.table is not None and self.cell is not None else self.text).append("`")
            return
        if self.table is not None:
            if tag == "tr":
                self.row = []
                self.row_is_head = True
                self.table["row_line"] = self.getpos()[0]
            elif tag in ("td", "th"):
                self.cell = []
                if tag == "td":
                    self.row_is_head = False
            elif tag == "br" and self.cell is not None:
                self.cell.append(CELL_BREAK)
            return
        if tag in _BLOCK:
            self.flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading = int(tag[1:])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and tag not in _VOID:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "pre" and self.pre is not None:
            body = "".join(self.pre)
            if body.startswith("\n"):
                body = body[1:]
                self.pre_line += 1
            lines = body.rstrip("\n").splitlines() or [""]
            self.units.append(Code(self.pre_lang, body, self.pre_line, self.pre_line + len(lines) - 1))
            self.pre = None
            return
        if self.pre is not None:
            return
        if tag == "code":
            (self.cell if self.table is not None and self.cell is not None else self.text).append("`")
            return
        if self.table is not None:
            if tag in ("td", "th") and self.cell is not None and self.row is not None:
                self.row.append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
                self.cell = None
            elif tag == "tr" and self.row is not None:
                if self.row_is_head and self.table["header"] is None and not self.table["rows"]:
                    self.table["header"] = tuple(self.row)
                elif any(self.row):
                    self.table["rows"].append(tuple(self.row))
                    self.table["lines"].append(self.table["row_line"])
                self.row = None
            elif tag == "table":
                t = self.table
                self.units.append(Table(t["header"], tuple(t["rows"]), t["line"], tuple(t["lines"])))
                self.table = None
            return
        if tag in _BLOCK:
            self.flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading = 0

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre is not None:
            self.pre.append(data)
            return
        if self.table is not None:
            if self.cell is not None:
                self.cell.append(data)
            return
        if data.strip() and not "".join(self.text).strip():
            line = self.getpos()[0]
            self.text_line = line + data[: len(data) - len(data.lstrip())].count("\n")
        self.text.append(data)

    def close(self) -> None:
        super().close()
        if self.pre is not None:
            self.handle_endtag("pre")
        if self.table is not None:
            self.handle_endtag("table")
        self.flush()


def html_units(text: str) -> list[Unit]:
    parser = _Html()
    parser.feed(text)
    parser.close()
    return parser.units
