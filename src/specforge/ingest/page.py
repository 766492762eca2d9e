"""Reading a vendor doc page as text: fenced code blocks, curl commands and bare JSON objects,
each with the 1-based page lines it came from, so every fact in a source can cite its line."""

from __future__ import annotations

import html
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_FENCE = re.compile(r"^(?P<indent>\s{0,3})(?P<fence>`{3,}|~{3,})\s*(?P<lang>[^\s`]*)(?P<info>[^`]*)$")
SHELL_LANGS = frozenset({"bash", "sh", "shell", "zsh", "console", "curl", "shellsession"})
JSON_LANGS = frozenset({"json", "jsonc", "json5"})
YAML_LANGS = frozenset({"yaml", "yml"})


@dataclass(frozen=True)
class Block:
    """One fenced code block. ``start``/``end`` are the page lines of its first/last content line."""

    lang: str
    info: str
    fence_line: int
    start: int
    end: int
    text: str

    @property
    def opener(self) -> str:
        return f"{self.lang} {self.info}".strip()


def fenced_blocks(text: str) -> list[Block]:
    """Every fenced block (```` ``` ````, ```` ```` ````, ``~~~``), closed by a fence of the same
    character at least as long; an unclosed block runs to the end of the page (CommonMark)."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence = match["fence"]
        closing = re.compile(rf"^\s{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            j += 1
        body = lines[i + 1 : j]
        last = len(body)
        while last > 0 and not body[last - 1].strip():
            last -= 1
        blocks.append(
            Block(
                lang=match["lang"].lower(),
                info=match["info"].strip(),
                fence_line=i + 1,
                start=i + 2,
                end=i + 1 + max(last, 1),
                text="\n".join(body) + "\n",
            )
        )
        i = j + 1
    return blocks


HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html\b)", re.IGNORECASE)
_PRE = re.compile(r"<pre\b(?P<attrs>[^>]*)>(?P<body>.*?)</pre\s*>", re.IGNORECASE | re.DOTALL)
_CODE_OPEN = re.compile(r"^\s*<code\b(?P<attrs>[^>]*)>", re.IGNORECASE)
_LANG = re.compile(r"""(?:language|lang)-([\w+-]+)|data-lang(?:uage)?=["']([\w+-]+)""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def is_html(text: str, suffix: str = "") -> bool:
    """A saved HTML page (by suffix, or by its first tag)."""
    return suffix.lower() in HTML_SUFFIXES or bool(_HTML_START.match(text[:1000]))


def html_blocks(text: str) -> list[Block]:
    """``<pre>`` blocks of an HTML page (``<pre><code class="language-yaml">`` as doc sites and
    highlighters write them) as ``Block``s: tags removed, entities decoded, page lines kept."""
    blocks: list[Block] = []
    for match in _PRE.finditer(text):
        body_start = match.start("body")
        body = match["body"]
        attrs = match["attrs"]
        code = _CODE_OPEN.match(body)
        if code:
            attrs += " " + code["attrs"]
            body_start += code.end()
            body = body[code.end() :]
        lang_match = _LANG.search(attrs)
        lang = (lang_match.group(1) or lang_match.group(2)).lower() if lang_match else ""
        if body.startswith("\n"):  # HTML drops a newline right after <pre>
            body_start += 1
            body = body[1:]
        content = html.unescape(_TAG.sub("", body))
        lines = content.splitlines()
        last = len(lines)
        while last > 0 and not lines[last - 1].strip():
            last -= 1
        start = line_of(text, body_start)
        blocks.append(
            Block(
                lang=lang,
                info="",
                fence_line=line_of(text, match.start()),
                start=start,
                end=start + max(last, 1) - 1,
                text="\n".join(lines) + "\n",
            )
        )
    return blocks


def code_blocks(text: str, *, html_page: bool = False) -> list[Block]:
    """Fenced blocks of a Markdown/text page, or ``<pre>`` blocks of an HTML page."""
    return html_blocks(text) if html_page else fenced_blocks(text)


def covered_lines(blocks: list[Block]) -> set[int]:
    """Page lines inside fences (fence lines included)."""
    lines: set[int] = set()
    for block in blocks:
        lines.update(range(block.fence_line, block.end + 2))
    return lines


def line_of(text: str, offset: int) -> int:
    """1-based line of character ``offset``."""
    return text.count("\n", 0, offset) + 1


@dataclass(frozen=True)
class JsonObject:
    value: dict[str, Any]
    start: int
    end: int
    glued: bool = False  # glued to the end of a curl command or another object on its line


#: a JSON object or a second curl glued to the end of a curl command (``…/videos"{"id": …``,
#: ``…/videos"curl -X GET …``), as pages whose renderer dropped the line breaks print them
GLUE = re.compile(r"""(?<=[^\s=\\])["'](?=\{|curl\s)|(?<=\})(?=\{)|(?<=[\w.\-/])(?=\{"|curl\s)""")


def bare_json_objects(text: str, skip: set[int]) -> Iterator[JsonObject]:
    """JSON objects that start a line in prose (outside ``skip`` lines), or that are glued to
    the command or object before them, decoded with ``raw_decode`` so trailing prose does not
    matter."""
    decoder = json.JSONDecoder()
    lines = text.splitlines(keepends=True)
    starts: list[tuple[int, int, bool]] = []
    offset = 0
    for number, line in enumerate(lines, start=1):
        here = offset
        offset += len(line)
        if number in skip:
            continue
        if line.lstrip().startswith("{"):
            starts.append((here + (len(line) - len(line.lstrip())), number, False))
        for glue in GLUE.finditer(line):
            at = here + glue.end()
            if text[at : at + 1] == "{":
                starts.append((at, number, True))
    resume = 0
    for start, number, glued in sorted(set(starts)):
        if start < resume:
            continue
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            resume = end
            yield JsonObject(value, number, line_of(text, end - 1), glued)
            # objects glued one after another (``}{``)
            while text[end : end + 1] == "{":
                try:
                    value, new_end = decoder.raw_decode(text, end)
                except json.JSONDecodeError:
                    break
                if isinstance(value, dict):
                    yield JsonObject(value, line_of(text, end), line_of(text, new_end - 1), True)
                end = resume = new_end


_ARG_OPTIONS = {
    "-X": "method", "--request": "method", "--url": "url",
    "-H": "header", "--header": "header",
    "-d": "data", "--data": "data", "--data-raw": "data", "--data-binary": "data", "--json": "json",
    "-F": "form", "--form": "form", "--form-string": "form",
    "-o": None, "--output": None, "-u": None, "--user": None, "-A": None, "--user-agent": None,
    "-e": None, "--referer": None, "-m": None, "--max-time": None, "-w": None, "--write-out": None,
    "--data-urlencode": "data",
}  # fmt: skip
_DATA_LINE = re.compile(r"(^|\s)(-d|--data(-raw|-binary|-urlencode)?|--json)(\s|=|$)")
_FORM_LINE = re.compile(r"(^|\s)(-F|--form(-string)?)(\s|=|$)")


@dataclass
class Curl:
    """A curl command shown in the page: what request it makes and where each part is."""

    line: int
    method: str
    url: str
    end: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    data: str | None = None
    data_line: int | None = None
    form: list[tuple[str, str]] = field(default_factory=list)
    form_line: int | None = None

    @property
    def path(self) -> str:
        return url_path(self.url)

    @property
    def content_type(self) -> str | None:
        for name, value in self.headers.items():
            if name.lower() == "content-type":
                return value.split(";")[0].strip()
        return None


def url_path(url: str) -> str:
    """The request path of a URL as docs write it (``$BASE_URL/v1/videos``, ``https://h/v1/x?q``)."""
    url = re.sub(r"^\$\{?\w+\}?", "", url.strip())
    if "://" in url:
        url = urlsplit(url).path or "/"
    url = url.split("?", 1)[0].split("#", 1)[0]
    return url if url.startswith("/") else "/" + url


_CURL_AT = re.compile(r"(?:^|(?<=[\"'}]))\s*curl\s")


def curl_commands(text: str, lines_allowed: set[int] | None = None) -> Iterator[Curl]:
    """curl commands (with ``\\`` continuations and multi-line quoted bodies) in ``text``, split
    into words the way a shell does (``shlex``). A command starts a line or is glued to the end
    of the one before it; a JSON response glued to its end is not part of it.
    ``lines_allowed`` restricts where a command may start (1-based page lines)."""
    lines = text.splitlines()
    i = 0
    column = 0
    while i < len(lines):
        if lines_allowed is not None and i + 1 not in lines_allowed:
            i, column = i + 1, 0
            continue
        match = _CURL_AT.search(lines[i], column)
        if match is None:
            i, column = i + 1, 0
            continue
        first = lines[i][match.start() :]
        tokens: list[str] | None = None
        j = i
        next_column = 0
        while j < len(lines) and j < i + 400:
            body = [first, *lines[i + 1 : j + 1]]
            chunk = "\n".join(body)
            cut = GLUE.search(chunk, 5)
            if cut is not None:
                chunk = chunk[: cut.start() + (1 if chunk[cut.start()] in "\"'" else 0)]
            continued = chunk.rstrip().endswith("\\")
            if not continued:
                try:
                    tokens = shlex.split(chunk.replace("\\\n", " "))
                    if cut is not None:
                        consumed = len(chunk) - sum(len(b) + 1 for b in body[:-1])
                        next_column = consumed + (match.start() if j == i else 0)
                    break
                except ValueError:
                    pass
            j += 1
        if tokens is None or not tokens or tokens[0] != "curl":
            i, column = i + 1, 0
            continue
        curl = _parse_curl(tokens, i + 1, [first, *lines[i + 1 : j + 1]])
        curl.end = j + 1
        yield curl
        if next_column:
            i, column = j, next_column
        else:
            i, column = j + 1, 0


def _parse_curl(tokens: list[str], line: int, raw: list[str]) -> Curl:
    method: str | None = None
    url = ""
    curl = Curl(line=line, method="GET", url="")
    k = 1
    while k < len(tokens):
        token = tokens[k]
        name, value = token, None
        if token.startswith("--") and "=" in token:
            name, value = token.split("=", 1)
        if name in _ARG_OPTIONS:
            if value is None:
                k += 1
                value = tokens[k] if k < len(tokens) else ""
            kind = _ARG_OPTIONS[name]
            if kind == "method":
                method = value.upper()
            elif kind == "url":
                url = value
            elif kind == "header" and ":" in value:
                key, _, header_value = value.partition(":")
                curl.headers[key.strip()] = header_value.strip()
            elif kind in ("data", "json"):
                curl.data = value if curl.data is None else f"{curl.data}&{value}"
                if kind == "json":
                    curl.headers.setdefault("Content-Type", "application/json")
            elif kind == "form":
                key, _, form_value = value.partition("=")
                curl.form.append((key, form_value))
        elif not token.startswith("-") and not url:
            url = token
        k += 1
    for offset, text in enumerate(raw):
        if curl.data is not None and curl.data_line is None and _DATA_LINE.search(text):
            curl.data_line = line + offset
        if curl.form and curl.form_line is None and _FORM_LINE.search(text):
            curl.form_line = line + offset
    curl.url = url
    curl.method = method or ("POST" if curl.data is not None or curl.form else "GET")
    return curl
