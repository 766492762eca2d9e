"""What a rendered vendor page states about its API, as facts with page lines: routes, fields
(from parameter tables, rendered field lists, ``name: type`` lines and ```` ```text ```` blocks),
status values, servers, auth and media types. Nothing here guesses: a field named without a
type has ``schema`` None, and every fact says how it was learned (``table``, ``field-list``,
``example``, ``prose``). ``draft`` turns these facts into an OpenAPI source."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from specforge.core import load_text
from specforge.ingest.page import SHELL_LANGS, Curl, curl_commands, url_path
from specforge.ingest.reader import Code, Line, Table, Unit
from specforge.openapi.operations import HTTP_METHODS

#: the methods a page names a route by (OpenAPI's, less the ones no video API documents)
METHODS = tuple(m.upper() for m in HTTP_METHODS if m not in ("options", "head", "trace"))
_METHOD = f"(?:{'|'.join(METHODS)})"
_PATH_CHARS = r"[A-Za-z0-9_{}\-.~/]"
_ROUTE = re.compile(
    rf"(?<![A-Za-z])(?P<method>{_METHOD})\s*[:：]?\s*`?(?P<url>(?:https?://[^\s/\"'`<>]+|\$\{{?\w+\}}?|\{{\{{?\w+\}}\}}?)?/{_PATH_CHARS}*)"
)
_GLUED_METHOD = re.compile(rf"(?<=[a-z0-9}}])(?={_METHOD}\b|{_METHOD}(?=\s|/))")
_NAME = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\])*$")


@cache
def vocabulary() -> dict[str, Any]:
    text = resources.files("specforge.ingest").joinpath("vocabulary.yaml").read_text(encoding="utf-8")
    return dict(load_text(text, "specforge/ingest/vocabulary.yaml").data)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().strip("*`_").strip().rstrip(":：").strip().strip("*`")).lower()


@cache
def _words(*path: str) -> frozenset[str]:
    node: Any = vocabulary()
    for key in path:
        node = node[key]
    return frozenset(str(w).lower() for w in node)


# --- types ------------------------------------------------------------------------------------

_BASE_TYPES = {
    "string": "string", "str": "string", "text": "string", "uri": "string", "url": "string",
    "integer": "integer", "int": "integer", "int32": "integer", "int64": "integer", "long": "integer",
    "number": "number", "float": "number", "double": "number", "decimal": "number",
    "boolean": "boolean", "bool": "boolean", "object": "object", "dict": "object", "map": "object",
    "json": "object", "array": "array", "list": "array", "file": "file", "binary": "file", "null": "null",
}  # fmt: skip


def _base(word: str) -> str | None:
    word = word.strip().strip("`").strip()
    low = word.lower()
    if low in _BASE_TYPES:
        return _BASE_TYPES[low]
    return vocabulary()["types"].get(word) or vocabulary()["types"].get(low)


def parse_type(text: str) -> dict[str, Any] | None:
    """The JSON Schema a page's type word means (``string``, ``enum<string>``, ``string[]``,
    ``array<object>``, ``integer | string``, ``file``, 字符串 …), or None when it is not a type."""
    text = text.strip().strip("`").strip()
    if not text or len(text) > 40:
        return None
    text = re.sub(r"\s*\((?:optional|required|nullable)\)$", "", text, flags=re.IGNORECASE)
    parts = [p for p in re.split(r"\s*(?:\||/|,|\bor\b)\s*", text) if p]
    if len(parts) > 1:
        schemas = [parse_type(p) for p in parts]
        if any(s is None for s in schemas):
            return None
        types = []
        for s in schemas:
            assert s is not None
            if set(s) != {"type"} or not isinstance(s["type"], str):
                return {"oneOf": schemas}  # `file / object`: a multipart upload or a JSON object
            types.append(s["type"])
        return {"type": list(dict.fromkeys(types))}
    low = text.lower()
    words = re.fullmatch(r"(?:array|list)\s+of\s+(\w+?)s?", low)
    if words:
        inner = parse_type(words.group(1))
        return {"type": "array", "items": inner} if inner is not None else {"type": "array"}
    enum = re.fullmatch(r"enum\s*<\s*(\w+)\s*>", low)
    if enum:
        inner = parse_type(enum.group(1))
        return {**(inner or {}), "x-specforge-enum-type": True}
    if low == "enum":
        return {"x-specforge-enum-type": True}
    array = re.fullmatch(r"(?:array|list)\s*[<\[(]\s*(.+?)\s*[>\])]|(.+?)\s*\[\]", text, flags=re.IGNORECASE)
    if array:
        inner = parse_type(array.group(1) or array.group(2))
        return {"type": "array", "items": inner} if inner is not None else None
    base = _base(text)
    if base is None:
        typed = re.fullmatch(r"(\w+)\s*[<(]\s*[\w-]+\s*[>)]", text)  # string<uri>, string(date-time)
        base = _base(typed.group(1)) if typed else None
    if base is None:
        return None
    if base == "file":
        return {"type": "string", "format": "binary"}
    return {"type": base}


# --- facts ------------------------------------------------------------------------------------


@dataclass
class Route:
    method: str
    path: str
    line: int
    evidence: str  # "prose" (a route line, pill or section) or "example" (a curl command)
    not_offered: bool = False
    summary: str | None = None
    #: set by a heading or a method pill: what follows documents this route (a route named in
    #: passing, in a sentence or a list, does not take the body fields after it)
    anchored: bool = False


@dataclass
class Field:
    name: str
    line: int
    evidence: str  # table | field-list | prose | example
    section: str  # request | response | header | unknown
    route: int | None  # index into Evidence.routes (None: before any route)
    schema: dict[str, Any] | None = None  # None: the page states no type
    type_text: str | None = None
    required: bool | None = None
    location: str | None = None
    description: str | None = None
    enum: list[Any] | None = None
    enum_line: int | None = None
    default: Any = None
    has_default: bool = False
    examples: list[Any] = field(default_factory=list)
    example_line: int | None = None
    media: str | None = None
    parent: str | None = None  # dotted path of the parent field (nested tables)


@dataclass
class StatusValue:
    value: str
    line: int
    evidence: str
    route: int | None = None  # the route whose section lists it (None: the page at large)


@dataclass
class Evidence:
    routes: list[Route] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    statuses: list[StatusValue] = field(default_factory=list)
    servers: list[tuple[str, int]] = field(default_factory=list)
    auth: list[tuple[str, str, int]] = field(default_factory=list)  # (header name, value/description, line)
    media: list[tuple[int | None, str, str, int]] = field(
        default_factory=list
    )  # (route, section, media, line)
    curls: list[tuple[Curl, int | None]] = field(default_factory=list)  # (curl, route index)
    title: tuple[str, int] | None = None
    #: route index (None: before any route) -> the line a response section opens with
    response_notes: dict[int | None, tuple[str, int]] = field(default_factory=dict)
    #: line -> (section, route index) for everything after it, in page order
    context: list[tuple[int, str, int | None]] = field(default_factory=list)

    def context_at(self, line: int) -> tuple[str, int | None]:
        section, route = "unknown", None
        for at, sec, rt in self.context:
            if at > line:
                break
            section, route = sec, rt
        return section, route


_CELL_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)


def _clean_cell(text: str) -> str:
    """A table cell as one line of text (its ``<br>`` line breaks as spaces), without markup."""
    return _CELL_BREAK.sub(" ", text).strip().strip("`*").strip()


def _value(text: str) -> Any:
    """A value as the page prints it: JSON when it parses, else the text without quotes/backticks."""
    text = text.strip().rstrip(",;，；").strip()
    if text.startswith("`") and text.endswith("`") and len(text) > 1:
        text = text[1:-1]
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return text.strip("'\"“”")


#: a range cell (``1-10``, ``0 ~ 100``, ``4 to 8``): bounds, not a list of values
_NUMERIC_RANGE = re.compile(r"-?\d+(?:\.\d+)?\s*(?:-|~|～|–|to|至|到)\s*-?\d+(?:\.\d+)?")


def _split_values(text: str) -> list[Any]:
    """A list of option values as pages print them: ``a, b``, ```a` / `b```, ``"4" | "8"``,
    ``a<br>b`` (one per line inside a table cell)."""
    ticked = re.findall(r"`([^`]+)`", text)
    if ticked:
        return [_value(t) for t in ticked]
    text = text.strip().rstrip(".。")  # the sentence's full stop is not part of the last value
    parts = [
        p for p in re.split(r"\s*(?:,|，|、|\||/|;|<br\s*/?>)\s*", text, flags=re.IGNORECASE) if p.strip()
    ]
    return [_value(p) for p in parts]


class _Walker:
    """Walks the units once, keeping the current section and route."""

    def __init__(self, doc_lines: list[str]) -> None:
        self.ev = Evidence()
        self.section = "unknown"
        self.route: int | None = None
        self.not_offered: tuple[int, int] = (0, 0)
        self.page_media: str | None = None
        self.doc_lines = doc_lines

    # context ------------------------------------------------------------------
    def _mark(self, line: int) -> None:
        self.ev.context.append((line, self.section, self.route))

    def section_of(self, text: str, heading: bool) -> str | None:
        norm = _norm(text)
        if not norm or len(norm) > 60:
            return None
        sections = vocabulary()["sections"]
        if self.section == "response" and norm in _words("sections", "neutral"):
            return "response"  # "Body" under "Responses" is the response's body
        for kind in ("header", "response", "request"):
            if norm in _words("sections", kind):
                return kind
        if heading:
            for kind in ("header", "response", "request", "status"):
                if any(w.lower() in norm for w in sections["contains"][kind]):
                    return kind
        return None

    def add_route(self, method: str, url: str, line: int, evidence: str, summary: str | None = None) -> int:
        path = url_path(url)
        if "://" in url:
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in [s for s, _ in self.ev.servers]:
                self.ev.servers.append((origin, line))
        path = path.rstrip(".,;:)")
        if path != "/" and path.endswith("/"):
            path = path.rstrip("/")
        if evidence == "example":
            path = self.templated(path)
        key = _template_key(path)
        for index, known in enumerate(self.ev.routes):
            if known.method == method and _template_key(known.path) == key:
                if self.not_offered[0] <= line <= self.not_offered[1]:
                    known.not_offered = True
                return index
        self.ev.routes.append(
            Route(method, path, line, evidence, self.not_offered[0] <= line <= self.not_offered[1], summary)
        )
        return len(self.ev.routes) - 1

    def templated(self, path: str) -> str:
        """A curl URL's concrete id (``/v1/videos/video_q1``) as the route template the page
        uses for that collection (``{video_id}``), or ``{<singular>_id}`` when it names none."""
        segments = path.split("/")
        known = [r.path for r in self.ev.routes]
        for index in range(2, len(segments)):
            segment = segments[index]
            collection = "/".join(segments[:index])
            if (
                segment.startswith("{")
                or not re.search(r"\d", segment)
                or not re.fullmatch(r"[\w.-]+", segment)
            ):
                continue
            if re.fullmatch(r"v\d+(?:\.\d+)*|\d{4}-\d\d-\d\d", segment):
                continue  # a version, not an id
            if not any(k == collection or k.startswith(collection + "/{") for k in known):
                continue
            spelled = next(
                (
                    k.split("/")[index]
                    for k in known
                    if k.startswith(collection + "/{") and len(k.split("/")) > index
                ),
                None,
            )
            name = spelled or "{" + _singular_word(segments[index - 1]) + "_id}"
            segments[index] = name
        return "/".join(segments)

    def routes_probe(self, text: str) -> bool:
        return bool(_ROUTE.search(_GLUED_METHOD.sub(" ", text)))

    def routes_in(self, text: str, line: int) -> list[int]:
        text = _GLUED_METHOD.sub(" ", text)
        found = []
        for match in _ROUTE.finditer(text):
            url = match["url"]
            url = re.split(rf"(?<=[a-z0-9}}]){_METHOD}", url)[0]
            if not url_path(url).strip("/"):
                continue
            rest = text[match.end() :]
            following = _ROUTE.search(rest)
            if following:
                rest = rest[: following.start()]
            rest = rest.strip(" :：-—|`")
            summary = rest if rest and len(rest) <= 80 else None
            found.append(self.add_route(match["method"], url, line, "prose", summary))
        return found

    def set_route(self, index: int | None, anchored: bool = False) -> None:
        if index != self.route:
            self.page_media = None
        self.route = index
        if index is not None and anchored:
            self.ev.routes[index].anchored = True


def _singular_word(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _template_key(path: str) -> str:
    return re.sub(r"\{[^}]*\}|:\w+|<[^>]+>", "{}", path)


# --- field lists ------------------------------------------------------------------------------

_INLINE_FIELD = re.compile(
    r"^[-*•]?\s*`?(?P<name>[A-Za-z_$][\w$.\[\]]*)`?(?P<opt>\?)?\s*(?::|：)\s*(?P<type>[A-Za-z<>\[\]|\s]+?)\s*(?:[;,]|$)"
)
_TS_FIELD = re.compile(
    r"^\s*(?P<name>[A-Za-z_$][\w$]*)(?P<opt>\?)?\s*:\s*(?P<type>[^;/]+?)\s*;?\s*(?://\s*(?P<desc>.*))?$"
)
_GLUED_FIELDS = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<type>(?:string|number|integer|boolean|object|array|file)(?:\s*\|\s*(?:string|number|integer|boolean|object|array|file))*)\s*[:：]"
)
_LIST_FIELD = re.compile(
    r"^[-*•]?\s*`(?P<name>[A-Za-z_$][\w$.\[\]]*)`\s*(?:[(（](?P<paren>[^)）]*)[)）])?\s*(?:[:：\-—]\s*(?P<desc>.*))?$"
)


def _keyword(text: str, kind: str) -> tuple[bool, str]:
    """Whether ``text`` starts with a ``kind`` keyword (options/example/default); the rest."""
    stripped = text.strip().strip("*_")
    low = stripped.lower()
    for word in sorted(_words("keywords", kind), key=len, reverse=True):
        if low == word and word in _words("required_no") | _words("required_yes"):
            continue  # `可选` alone is a required marker, not an options list
        if low.startswith(word):
            rest = stripped[len(word) :]
            if (
                not rest
                or rest[0] in ":："
                or (rest[0] == " " and kind != "example" and rest.strip()[:1] in (":", "："))
            ):
                return True, rest.lstrip(" ").lstrip(":：").strip()
            if word == low:
                return True, ""
    return False, ""


def _required_word(text: str) -> bool | None:
    norm = _norm(text)
    if norm in _words("required_yes") and norm not in ("是", "y", "x"):
        return True
    if norm in _words("required_no") and norm not in ("否", "n", "-"):
        return False
    return None


def _location_word(text: str) -> str | None:
    return vocabulary()["locations"].get(_norm(text))


def _type_line(text: str) -> dict[str, Any] | None:
    """A type line of a rendered field list, maybe with a location/required marker after it
    (``string · header · required``)."""
    parts = [p for p in re.split(r"\s*[·•|]\s*|\s{2,}", text.strip()) if p]
    return parse_type(parts[0]) if parts else None


class FieldListReader:
    """Rendered field lists: a name line, then a type line, location, required marker,
    description, options, default and example lines (Mintlify, Fumadocs, GitBook renders)."""

    def __init__(self, walker: _Walker) -> None:
        self.w = walker

    def starts(self, lines: list[Line], i: int) -> tuple[Field, int] | None:
        """A field starting at ``lines[i]`` and how many lines its head took."""
        line = lines[i]
        text = line.text.strip()
        name_text = text.strip("`").rstrip("?*").strip()
        head = re.split(r"\s+", text, maxsplit=3)
        # name line + type line
        if _NAME.match(name_text) and i + 1 < len(lines) and lines[i + 1].line - line.line <= 2:
            nxt = lines[i + 1].text
            schema = _type_line(nxt)
            if (
                schema is not None
                and _required_word(name_text) is None
                and (
                    parse_type(name_text) is None
                    or i + 2 >= len(lines)
                    or _type_line(lines[i + 2].text) is None
                )
            ):
                f = self._field(name_text, line.line, schema, nxt, optional=text.endswith("?"))
                self._markers(f, nxt)
                return f, 2
        # "name*type" / "name?type" (Fumadocs renders run the marker and the type together)
        marked = re.fullmatch(r"(?P<name>[A-Za-z_$][\w$]*)(?P<mark>[*?])(?P<type>\S.*)", text)
        if marked and parse_type(marked["type"]) is not None:
            f = self._field(
                marked["name"], line.line, parse_type(marked["type"]), marked["type"], optional=False
            )
            f.required = marked["mark"] == "*"
            return f, 1
        # "name type [location] [required]" on one line
        if (
            len(head) >= 2
            and _NAME.match(head[0].strip("`").rstrip("?*"))
            and parse_type(head[0].strip("`")) is None
        ):
            rest = text.split(None, 1)[1]
            tokens = [t for t in re.split(r"\s*[·•|,]\s*|\s+", rest) if t]
            schema = parse_type(tokens[0]) if tokens else None
            others = tokens[1:]
            if schema is not None and all(
                _required_word(t) is not None or _location_word(t) is not None for t in others
            ):
                name = head[0].strip("`").rstrip("?*")
                f = self._field(
                    name, line.line, schema, tokens[0], optional=head[0].rstrip("`").endswith("?")
                )
                self._markers(f, rest)
                return f, 1
        # name?: type / name: type
        match = _INLINE_FIELD.match(text)
        if match and parse_type(match["type"]) is not None and not match["name"].lower().startswith("http"):
            schema = parse_type(match["type"])
            f = self._field(
                match["name"], line.line, schema, match["type"].strip(), optional=bool(match["opt"])
            )
            if match["opt"]:
                f.required = False
            return f, 1
        return None

    def _field(
        self, name: str, line: int, schema: dict[str, Any] | None, type_text: str, optional: bool
    ) -> Field:
        section = self.w.section
        if name.lower() == "authorization":
            section = "header"  # the auth header, wherever the page lists it
        return Field(
            name=name,
            line=line,
            evidence="field-list",
            section=section,
            route=self.w.route,
            schema=schema,
            type_text=type_text.strip(),
            required=False if optional else None,
            media=self.w.page_media,
        )

    def _markers(self, f: Field, text: str) -> None:
        for token in re.split(r"\s*[·•|,]\s*|\s{2,}|\s+(?=\S)", text):
            req = _required_word(token)
            if req is not None:
                f.required = req
            loc = _location_word(token)
            if loc:
                f.location = loc

    def attributes(self, f: Field, lines: list[Line], i: int) -> int:
        """Read the lines after a field head until the next field; returns the next index."""
        description: list[str] = []
        while i < len(lines):
            line = lines[i]
            text = line.text.strip()
            if line.heading or "\t" in text or self.w.section_of(text, False) or self.starts(lines, i):
                break
            if self.w.routes_probe(text) or _ends_description(text):
                break
            req = _required_word(text)
            loc = _location_word(text)
            if req is not None and not description:
                f.required = req
                i += 1
                continue
            if loc is not None and not description:
                f.location = loc
                i += 1
                continue
            is_options, rest = _keyword(text, "options")
            if is_options:
                values: list[Any] = []
                f.enum_line = line.line
                chunk = rest
                i += 1
                one_per_line = not chunk
                while True:
                    if chunk:
                        values += _split_values(chunk)
                    comma = chunk.rstrip().endswith((",", "，", "、"))
                    if (
                        (not chunk or comma or one_per_line)
                        and i < len(lines)
                        and self._option_line(lines, i)
                    ):
                        nxt = lines[i].text.strip()
                        if (
                            one_per_line
                            and not comma
                            and values
                            and (" " in nxt.strip("\"'`") or len(nxt) > 40)
                        ):
                            break
                        chunk = nxt
                        one_per_line = one_per_line and not comma and "," not in nxt
                        i += 1
                        continue
                    break
                f.enum = [v for v in values if v != ""]
                continue
            is_example, rest = _keyword(text, "example")
            if is_example:
                f.example_line = line.line
                if not rest and i + 1 < len(lines) and not self.starts(lines, i + 1):
                    i += 1
                    rest = lines[i].text.strip()
                    f.example_line = lines[i].line
                if rest:
                    f.examples.append(_value(rest))
                i += 1
                continue
            is_default, rest = _keyword(text, "default")
            if is_default:
                if not rest and i + 1 < len(lines):
                    i += 1
                    rest = lines[i].text.strip()
                value, said = _leading_value(rest)
                f.default, f.has_default = _value(value), True
                if said:  # "Default: true. Set false to …": the value, then a sentence about it
                    description.append(said)
                i += 1
                continue
            description.append(text)
            i += 1
        labelled = _labelled_values(description)
        if labelled and f.enum is None:
            f.enum, f.enum_line = [_value(v) for v, _ in labelled], f.line
        if description:
            f.description = " ".join(description)
            _description_facts(f, f.description, f.line)
            _ticked_enum(f, f.description, f.line)
        return i

    def _option_line(self, lines: list[Line], i: int) -> bool:
        text = lines[i].text.strip()
        if lines[i].heading or self.starts(lines, i):
            return False
        if any(_keyword(text, k)[0] for k in ("options", "example", "default")):
            return False
        return bool(text) and len(text) <= 80


_SENTENCE_END = re.compile(r"(?<=\S)(?:[.;,](?:\s+|$)|[。；，])")


def _leading_value(text: str) -> tuple[str, str]:
    """A keyword's value and what the line says after it: ``true. Set false to …`` ->
    (``true``, ``Set false to …``); a value with no sentence after it is the whole text."""
    match = _SENTENCE_END.search(text)
    if match is None:
        return text, ""
    return text[: match.start()].strip(), text[match.end() :].strip()


#: ``portrait Vertical`` / ``small ≈ 720p``: a lower-case value, then its label
_VALUE_LABEL = re.compile(r"^(?P<value>[a-z0-9][a-z0-9_.:-]*)\s+(?P<label>[^\sa-z].*)$")


def _labelled_values(description: list[str]) -> list[tuple[str, str]] | None:
    """A description made only of two or more ``value Label`` lines (rendered enum lists put
    each allowed value on its own line, followed by what it means): the values and labels."""
    if len(description) < 2:
        return None
    matches = [_VALUE_LABEL.match(line.strip()) for line in description]
    if not all(matches):
        return None
    pairs = [(m["value"], m["label"]) for m in matches if m]
    values = [v for v, _ in pairs]
    return pairs if len(set(values)) == len(values) else None


def _ends_description(text: str) -> bool:
    """A line no field description runs into: a code-tab label (``cURL``, ``Python``), a shell
    command, the start of a JSON body or a bare status code (the response sample that follows)."""
    low = text.strip().lower()
    return (
        low in _words("code_labels")
        or re.match(r"^(?:\$\s*)?curl\s", low) is not None
        or low in ("{", "[")
        or re.fullmatch(r"[1-5]\d\d", low) is not None
    )


def _is_chrome(text: str) -> bool:
    """A docs site's button or tab label (``Try it``), never a summary or title."""
    return text.strip().lower().rstrip(".…") in _words("chrome") or text.strip().lower() in _words("chrome")


# --- tables -----------------------------------------------------------------------------------


def _column_roles(header: tuple[str, ...]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, cell in enumerate(header):
        norm = _norm(cell)
        for role in ("name", "type", "required", "description", "default", "example", "options", "location"):
            if role in roles:
                continue
            words = _words("columns", role)
            if norm in words or (
                len(norm) <= 12 and any(len(w) > 1 and w in norm for w in words if role != "name")
            ):
                roles[role] = index
                break
    if "name" not in roles and roles and 0 not in roles.values():
        roles["name"] = 0
    return roles


def _infer_roles(rows: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    """Column roles of a table without a (recognised) header, from its cells."""
    if not rows:
        return {}
    width = max(len(r) for r in rows)
    roles: dict[str, int] = {}
    for index in range(width):
        cells = [_clean_cell(r[index]) for r in rows if index < len(r) and r[index].strip()]
        if not cells:
            continue

        def share(test: Any, cells: list[str] = cells) -> float:
            return sum(1 for c in cells if test(c)) / len(cells)

        if "type" not in roles and share(lambda c: parse_type(c) is not None) >= 0.6:
            roles["type"] = index
        elif "required" not in roles and share(lambda c: _required_cell(c) is not None) >= 0.8:
            roles["required"] = index
        elif "name" not in roles and share(lambda c: bool(_NAME.match(_strip_nesting(c)[0]))) >= 0.8:
            roles["name"] = index
        elif "description" not in roles and "name" in roles:
            roles["description"] = index
    return roles if "name" in roles and ("type" in roles or "required" in roles) else {}


def _required_cell(text: str) -> bool | None:
    norm = _norm(text)
    if norm in _words("required_yes"):
        return True
    if norm in _words("required_no"):
        return False
    return None


def _strip_nesting(cell: str) -> tuple[str, int]:
    """A table name cell without nesting marks (``»``, ``└─``, leading dashes), and its depth."""
    text = cell.strip()
    depth = 0
    match = re.match(r"^((?:»|>|└─*|├─*|│|-{1,2}|—|\u3000|\s)+)", text)
    if match:
        marks = match.group(1)
        depth = max(1, marks.count("»") + marks.count(">") + marks.count("└") + marks.count("├"))
        if marks.strip() in ("-", "--"):
            depth = len(marks.strip())
        text = text[match.end() :]
    text = text.strip().strip("`*").strip()
    text = re.sub(r"\s*[（(](?:必填|required|可选|optional|必須|필수)[)）]$", "", text, flags=re.IGNORECASE)
    return text, depth


def _description_facts(f: Field, text: str, line: int) -> None:
    """Options, default and example stated inside a description cell."""
    for kind in ("options", "default", "example"):
        for word in sorted(_words("keywords", kind), key=len, reverse=True):
            pattern = re.compile(
                rf"(?:^|[\s,;。，；(（])({re.escape(word)})(?:\s*[:：]\s*|\s+(?=`))(?P<rest>[^。；;\n)）]+)",
                re.IGNORECASE,
            )
            match = pattern.search(text)
            if not match:
                continue
            rest = match["rest"].strip().rstrip(")）")
            if kind == "options":
                rest = _before_keyword(rest, ("default", "example"))
                values = _split_values(rest)
                if values and f.enum is None:
                    f.enum, f.enum_line = values, line
            elif kind == "default" and not f.has_default:
                ticked = re.findall(r"`([^`]+)`", rest)
                if ticked:
                    rest = ticked[0]
                defaults = _split_values(rest)[:1]
                if defaults:
                    f.default, f.has_default = defaults[0], True
            elif kind == "example" and not f.examples:
                first = re.split(r"\s*(?:,|，|;|；)\s*", rest)[0] if "`" not in rest else rest
                values = _split_values(first)[:1] if "`" in first else [_value(first)]
                if values:
                    f.examples, f.example_line = values, line
            break


def _before_keyword(text: str, kinds: tuple[str, ...]) -> str:
    """``text`` up to the first of the given keyword kinds (an options clause ``4、8、12，默认 4``
    ends where the default begins)."""
    cut = len(text)
    for kind in kinds:
        for word in _words("keywords", kind):
            match = re.search(rf"(?:^|[\s,;，；、(（]){re.escape(word)}(?=$|[\s:：`])", text, re.IGNORECASE)
            if match:
                cut = min(cut, match.start())
    return text[:cut].rstrip(" ,;，；、")


_TICKED_CLAUSE = re.compile(
    r"^(?:[^`:：]{0,24}(?:[:：，,]|支持|可选|可用|可選|支援|supports?|accepts?|one of|either|soit|hỗ trợ|지원)\s*)?(?P<values>`[^`]+`(?:\s*(?:,|，|、|/|\||or|ou|o|或|或者|または|또는|hoặc)\s*`[^`]+`)+)"
    r"\s*(?:のいずれか|之一|中的一个|중 하나|のどれか)?\s*$",
    re.IGNORECASE,
)


_NUMBER = r"\d+(?:\.\d+)?"
#: ``Supports 10 and 15`` / ``支持 5、10 秒``: a clause listing only numbers after a "supports" word
_SUPPORTED_NUMBERS = re.compile(
    rf"^(?:supports?|supported(?:\s+values)?(?:\s+are)?|accepts?|支持|支援|可选|可選|지원|hỗ trợ|prend en charge)\s*[:：]?\s*"
    rf"(?P<values>{_NUMBER}(?:\s*(?:,|，|、|/|\band\b|\bor\b|和|或|及|및|và|et|ou)\s*{_NUMBER})+)"
    r"\s*(?:s|sec|seconds?|秒|초|giây)?$",
    re.IGNORECASE,
)


def _ticked_enum(f: Field, text: str, line: int) -> None:
    """A description clause made only of backticked values (``model: `a` or `b```, ```4`、`8`
    のいずれか``), or only of numbers after a "supports" word (``Supports 10 and 15``), lists the
    field's values."""
    if f.enum is not None:
        return
    for clause in re.split(r"[。;；]\s*|\.\s+|\s[—–-]\s", text):
        clause = clause.strip().rstrip(".")
        match = _TICKED_CLAUSE.match(clause)
        if match:
            f.enum, f.enum_line = [_value(v) for v in re.findall(r"`([^`]+)`", match["values"])], line
            return
        numbers = _SUPPORTED_NUMBERS.match(clause)
        if numbers:
            f.enum, f.enum_line = [_value(v) for v in re.findall(_NUMBER, numbers["values"])], line
            return


def table_fields(walker: _Walker, table: Table) -> list[Field] | None:
    """Fields of a parameter table (None when it is not one)."""
    header = table.header
    rows = table.rows
    lines = table.lines
    roles = _column_roles(header) if header else {}
    if header and ("name" not in roles or len(roles) < 2):
        inferred = _infer_roles(((*header,), *rows))
        if inferred:
            roles = inferred
            rows = ((*header,), *rows)
            lines = (table.line, *lines)
    elif not header:
        roles = _infer_roles(rows)
    if "name" not in roles or len(roles) < 2:
        return None
    out: list[Field] = []
    parents: list[str] = []
    wrapper = False
    for row, line in zip(rows, lines, strict=False):

        def cell(role: str, row: tuple[str, ...] = row) -> str:
            text = row[roles[role]] if role in roles and roles[role] < len(row) else ""
            if role in ("options", "default", "example"):
                return text  # a line break inside a value cell separates values
            return _CELL_BREAK.sub(" ", text).strip()

        raw_name = cell("name")
        name, depth = _strip_nesting(raw_name)
        if not _NAME.match(name):
            continue
        if depth == 0 and name.lower() in ("body", "root", "requestbody", "request_body"):
            wrapper = True  # Apifox lists the body itself as a row; its `»` children are the fields
            continue
        if wrapper and depth:
            depth -= 1
        elif wrapper:
            wrapper = False
        parent = None
        if "." in name and not name.endswith("[]"):
            parent, name = name.rsplit(".", 1)
        elif depth and parents:
            parent = ".".join(parents[:depth]) if len(parents) >= depth else ".".join(parents)
        type_text = _clean_cell(cell("type"))
        schema = parse_type(type_text) if type_text else None
        f = Field(
            name=name,
            line=line,
            evidence="table",
            section=walker.section,
            route=walker.route,
            schema=schema,
            type_text=type_text or None,
            required=_required_cell(cell("required")) if "required" in roles else None,
            location=_location_word(cell("location")) if "location" in roles else None,
            description=cell("description").strip() or None,
            media=walker.page_media,
            parent=parent,
        )
        if f.required is None and "required" not in roles:
            req = re.search(r"[（(](必填|required|必須|필수|obligatoire)[)）]", raw_name, re.IGNORECASE)
            if req:
                f.required = True
        options = cell("options").strip() if "options" in roles else ""
        if options not in ("", "-", "—", "无", "無") and not _NUMERIC_RANGE.fullmatch(options):
            f.enum, f.enum_line = _split_values(options), line
        if "default" in roles and cell("default").strip() not in ("", "-", "—", "无", "無"):
            f.default, f.has_default = _value(cell("default")), True
        if "example" in roles and cell("example").strip() not in ("", "-", "—"):
            f.examples, f.example_line = [_value(cell("example"))], line
        if f.description:
            _description_facts(f, f.description, line)
            _ticked_enum(f, f.description, line)
        full = f"{parent}.{name}" if parent else name
        depth_now = full.count(".")
        parents = [*full.split(".")][: depth_now + 1]
        out.append(f)
    return out


def route_table(table: Table) -> list[tuple[str, str, int, str | None]]:
    """Routes listed in a table: a cell that is a method and a cell that is a path, per row."""
    out: list[tuple[str, str, int, str | None]] = []
    for row, line in zip(table.rows, table.lines, strict=False):
        cells = [_clean_cell(c) for c in row]
        method = next((c.upper() for c in cells if c.upper() in METHODS and c == c.upper()), None)
        path = next(
            (c for c in cells if re.fullmatch(rf"(?:https?://[^\s/]+)?/{_PATH_CHARS}*", c) and c.strip("/")),
            None,
        )
        if method and path:
            rest = [c for c in cells if c not in (method, path) and c]
            out.append((method, path, line, rest[0] if rest and len(rest[0]) <= 80 else None))
    return out if len(out) == len(table.rows) else []


def status_table(table: Table, heading_is_status: bool) -> list[StatusValue] | None:
    """Status values listed in a table whose first column is headed 状态/Status/… (or that sits
    under a status heading)."""
    header = table.header
    first = _norm(header[0]) if header else ""
    status_words = [w.lower() for w in vocabulary()["sections"]["contains"]["status"]]
    headed = bool(header) and any(w in first for w in status_words) and len(first) <= 20
    if not (headed or (heading_is_status and header is not None and len(header) <= 3)):
        return None
    values = []
    for row, line in zip(table.rows, table.lines, strict=False):
        if not row:
            continue
        value = _clean_cell(row[0])
        if re.fullmatch(r"[A-Za-z][\w-]*", value):
            values.append(StatusValue(value, line, "table"))
    return values or None


# --- text blocks ------------------------------------------------------------------------------


def code_fields(walker: _Walker, code: Code) -> list[Field]:
    """```text field blocks (``name  type  required  description`` rows) and TypeScript-style
    ``name?: type`` declarations."""
    out: list[Field] = []
    if code.lang not in ("", "text", "txt", "plain", "plaintext", "ts", "typescript", "typescriptreact"):
        return out
    for offset, raw in enumerate(code.text.splitlines()):
        line = code.start + offset
        text = raw.strip()
        if not text or text.startswith(("//", "#", "{", "}", "interface", "type ", "export")):
            continue
        ts = _TS_FIELD.match(text)
        if ts:
            type_text = ts["type"].strip()
            schema = parse_type(type_text)
            enum = None
            literals = re.findall(r"""(["'])(.*?)\1|(?<![\w.])(-?\d+(?:\.\d+)?)(?![\w.])""", type_text)
            if schema is None and literals and re.fullmatch(r"""[\s|"'\w.\-:]+""", type_text):
                enum = [lit[1] if lit[0] else json.loads(lit[2]) for lit in literals]
                kinds = {type(v).__name__ for v in enum}
                schema = (
                    {"type": "string"}
                    if kinds == {"str"}
                    else ({"type": "integer"} if kinds == {"int"} else None)
                )
            if schema is None and enum is None:
                continue
            f = Field(
                ts["name"],
                line,
                "field-list",
                walker.section,
                walker.route,
                schema,
                type_text,
                required=not ts["opt"],
                description=(ts["desc"] or "").strip() or None,
                media=walker.page_media,
            )
            if enum:
                f.enum, f.enum_line = enum, line
            out.append(f)
            continue
        columns = re.split(r"\s{2,}|\t", text)
        if len(columns) >= 2 and _NAME.match(columns[0].rstrip("?")) and parse_type(columns[1]) is not None:
            f = Field(
                columns[0].rstrip("?"),
                line,
                "field-list",
                walker.section,
                walker.route,
                parse_type(columns[1]),
                columns[1],
                media=walker.page_media,
            )
            rest = columns[2:]
            if rest and _required_cell(rest[0]) is not None:
                f.required = _required_cell(rest[0])
                rest = rest[1:]
            if rest:
                f.description = " ".join(rest)
                _description_facts(f, f.description, line)
            out.append(f)
    return out


# --- the walk ---------------------------------------------------------------------------------


_MEDIA = re.compile(
    r"\b(application/json|multipart/form-data|application/x-www-form-urlencoded|application/octet-stream|video/mp4)\b",
    re.IGNORECASE,
)


_KV = re.compile(r"^[^:：]{1,24}[:：]\s*`?(?P<value>[^`]+?)`?\s*$")


_ADDRESS = re.compile(rf"(?:https?://\S+|/{_PATH_CHARS}*)")


def _stated_value(text: str) -> str | None:
    """The value of a labelled line (``路径: /v1/videos``), or the whole line when it is only an
    address (`` `https://host/v1/videos` ``: its ``https:`` is no label)."""
    bare = text.strip().strip("`").strip()
    if _ADDRESS.fullmatch(bare):
        return bare
    match = _KV.match(text.strip())
    return match["value"].strip() if match else None


def _stated_route(lines: list[Line], i: int) -> tuple[str, str, int] | None:
    """A route given as two lines, a method and an address, labelled or not, either order
    (``方法: POST`` then ``路径: /v1/videos``; `` `https://host/v1/videos/{id}` `` then ``请求方式：GET``)."""
    if i + 1 >= len(lines):
        return None
    a, b = _stated_value(lines[i].text), _stated_value(lines[i + 1].text)
    if a is None or b is None or (_ADDRESS.fullmatch(a) and _ADDRESS.fullmatch(b)):
        return None
    if a.upper() in METHODS and _ADDRESS.fullmatch(b):
        return a.upper(), b, 2
    if b.upper() in METHODS and _ADDRESS.fullmatch(a):
        return b.upper(), a, 2
    return None


def _pill(lines: list[Line], i: int) -> tuple[str, str, int] | None:
    """A method pill: a line that is only a method, then the path in pieces (``/``, ``v1``, …)."""
    if lines[i].text.strip().upper() not in METHODS or lines[i].text.strip() != lines[i].text.strip().upper():
        return None
    parts: list[str] = []
    j = i + 1
    while j < len(lines) and lines[j].line - lines[j - 1].line <= 1 and len(parts) < 30:
        piece = lines[j].text.strip()
        if not re.fullmatch(rf"{_PATH_CHARS}+|https?://\S+", piece):
            break
        parts.append(piece)
        j += 1
    path = "".join(parts)
    if path.startswith(("/", "http")) and path.strip("/"):
        return lines[i].text.strip(), path, j - i
    return None


_STATUS_BULLET = re.compile(r"^(?:[-*•]\s*)?`(?P<value>[a-z][a-z0-9_-]*)`\s*(?:[:：\-—–]|$)")
_STATUS_WORD = re.compile(r"(?i)status|状态|狀態|ステータス|상태|trạng thái|statut")


def _status_list(lines: list[Line], i: int) -> list[StatusValue]:
    """Status values a prose line lists: a line naming the status (``VideoStatus``, 状态…)
    followed by ``a, b, c`` on the same line after a colon, or on the next line."""
    text = lines[i].text
    if not _STATUS_WORD.search(text):
        return []
    candidates: list[tuple[str, int]] = []
    pieces = re.split(r"[:：]", text)
    after = pieces[-1] if len(pieces) > 1 else ""
    if after.strip():
        candidates.append((after, lines[i].line))
    if i + 1 < len(lines) and lines[i + 1].line - lines[i].line <= 2:
        candidates.append((lines[i + 1].text, lines[i + 1].line))
    for chunk, line in candidates:
        parts = [p.strip() for p in re.split(r"[,，、|/]|→|->", chunk) if p.strip()]
        values = []
        for part in parts:
            match = re.match(r"`?([a-z][a-z0-9_-]*)`?", part)
            if not match:
                break
            values.append(match.group(1))
        if len(values) >= 3 and len(values) >= len(parts) - 1:
            return [StatusValue(v, line, "prose") for v in dict.fromkeys(values)]
    return []


def gather(units: list[Unit], text: str) -> Evidence:
    """Every fact the page states, in page order."""
    walker = _Walker(text.splitlines())
    ev = walker.ev
    reader = FieldListReader(walker)
    heading_status = False
    index = 0
    lines_run: list[Line] = []

    def flush_lines() -> None:
        nonlocal heading_status
        status_mode = heading_status
        note_due = False
        i = 0
        while i < len(lines_run):
            line = lines_run[i]
            t = line.text.strip()
            if ev.title is None and line.heading == 1 and t:
                ev.title = (t, line.line)
            if line.heading:
                sec = walker.section_of(t, True)
                heading_status = status_mode = sec == "status"
                if sec in ("header", "response", "request"):
                    walker.section = sec
                routes = walker.routes_in(t, line.line)
                if routes:
                    walker.set_route(routes[0], anchored=True)
                    if sec is None:
                        walker.section = "request" if ev.routes[routes[0]].method != "GET" else "unknown"
                media = _MEDIA.search(t)
                if media and media.group(1).lower() not in ("video/mp4", "application/octet-stream"):
                    walker.page_media = media.group(1).lower()
                    ev.media.append((walker.route, "request", walker.page_media, line.line))
                walker._mark(line.line)
                i += 1
                continue
            low = t.lower()
            if any(w in low for w in _words("not_offered")):
                walker.not_offered = (line.line, line.line + 1)
            if "\t" in t and i + 1 < len(lines_run) and "\t" in lines_run[i + 1].text:
                # a table printed as tab-separated lines (its pipes lost)
                width = t.count("\t")
                j = i
                while j < len(lines_run) and lines_run[j].text.strip().count("\t") == width:
                    j += 1
                cells = [tuple(c.strip() for c in lines_run[k].text.strip().split("\t")) for k in range(i, j)]
                table = Table(
                    cells[0], tuple(cells[1:]), line.line, tuple(lines_run[k].line for k in range(i + 1, j))
                )
                handle_table(table)
                i = j
                continue
            stated = _stated_route(lines_run, i)
            if stated:
                walker.set_route(walker.add_route(stated[0], stated[1], line.line, "prose"), anchored=True)
                walker._mark(line.line)
                i += stated[2]
                continue
            pill = _pill(lines_run, i)
            if pill:
                walker.set_route(walker.add_route(pill[0], pill[1], line.line, "prose"), anchored=True)
                after = pill[2] + i
                labels = []
                if after < len(lines_run) and lines_run[after].line - lines_run[after - 1].line <= 1:
                    labels.append(lines_run[after].text.strip())
                if i > 0 and line.line - lines_run[i - 1].line <= 1:
                    labels.append(lines_run[i - 1].text.strip())  # Mintlify: the title sits above the pill
                for label in labels:
                    if (
                        0 < len(label) <= 60
                        and not walker.section_of(label, False)
                        and not _is_chrome(label)
                        and label.upper() not in METHODS
                    ):
                        current = ev.routes[walker.route] if walker.route is not None else None
                        if current is not None:
                            current.summary = current.summary or label
                        break
                walker._mark(line.line)
                i += pill[2]
                continue
            sec = walker.section_of(t, False)
            if sec and reader.starts(lines_run, i) is None:
                walker.section = sec
                walker._mark(line.line)
                note_due = sec == "response"
                i += 1
                continue
            if note_due and (re.fullmatch(r"[1-5]\d\d", t) or (_MEDIA.search(t) and len(t) <= 40)):
                pass  # a response's status pill or media type: its description may follow
            elif note_due:
                note_due = False
                if reader.starts(lines_run, i) is None and not _MEDIA.search(t) and 0 < len(t) <= 120:
                    current = ev.routes[walker.route] if walker.route is not None else None
                    passing = current is not None and current.method == "GET" and not current.anchored
                    ev.response_notes.setdefault(None if passing else walker.route, (t, line.line))
                    i += 1
                    continue
            routes = walker.routes_in(t, line.line)
            if routes:
                if len(routes) == 1 and len(t) <= 120:
                    walker.set_route(routes[0])
                    walker._mark(line.line)
                i += 1
                continue
            media = _MEDIA.search(t)
            if media and (re.match(r"(?i)content-type\s*[:：]", t) or len(t) <= 40):
                kind = media.group(1).lower()
                if kind in ("video/mp4", "application/octet-stream"):
                    ev.media.append((walker.route, "response", kind, line.line))
                else:
                    walker.page_media = kind
                    ev.media.append((walker.route, walker.section, kind, line.line))
                i += 1
                continue
            auth = re.match(r"(?i)^(?:.*?[:：]\s*)?(authorization)\s*[:：]\s*(bearer\s+\S+)", t)
            if auth:
                ev.auth.append(("Authorization", t, line.line))
            bullet = _STATUS_BULLET.match(t)
            if status_mode and bullet:
                ev.statuses.append(StatusValue(bullet["value"], line.line, "prose", walker.route))
                i += 1
                continue
            status_mode = False
            started = reader.starts(lines_run, i)
            if not started and len(t) <= 40 and _STATUS_WORD.search(t) and not _NAME.match(t):
                status_mode = True
            if started:
                f, used = started
                i = reader.attributes(f, lines_run, i + used)
                ev.fields.append(f)
                continue
            glued = list(_GLUED_FIELDS.finditer(t))
            if glued:
                for n, match in enumerate(glued):
                    tail = t[match.end() : glued[n + 1].start() if n + 1 < len(glued) else len(t)].strip()
                    f = Field(
                        match["name"],
                        line.line,
                        "prose",
                        walker.section,
                        walker.route,
                        parse_type(match["type"]),
                        match["type"],
                        media=walker.page_media,
                    )
                    head, _, rest = tail.partition(",") if "," in tail else tail.partition("，")
                    marker = _required_word(head) if rest else None
                    if marker is not None:
                        f.required = marker
                        tail = rest.strip()
                    f.description = tail or None
                    ev.fields.append(f)
                i += 1
                continue
            listed_statuses = _status_list(lines_run, i)
            if listed_statuses:
                ev.statuses += listed_statuses
            listed = _LIST_FIELD.match(t)
            if listed and walker.section in ("request", "response") and len(t) <= 400:
                paren = listed["paren"] or ""
                bits = [b.strip() for b in re.split(r"[,，、;；]", paren) if b.strip()]
                schema = next((parse_type(b) for b in bits if parse_type(b) is not None), None)
                f = Field(
                    listed["name"],
                    line.line,
                    "prose",
                    walker.section,
                    walker.route,
                    schema,
                    next((b for b in bits if parse_type(b) is not None), None),
                    media=walker.page_media,
                )
                for b in bits:
                    if _required_cell(b) is not None:
                        f.required = _required_cell(b)
                f.description = (listed["desc"] or "").strip() or None
                if f.description:
                    _description_facts(f, f.description, line.line)
                    _ticked_enum(f, f.description, line.line)
                ev.fields.append(f)
            i += 1
        lines_run.clear()

    def handle_table(unit: Table) -> None:
        routes = route_table(unit)
        if routes:
            for method, path, line, summary in routes:
                walker.add_route(method, path, line, "table", summary)
            return
        statuses = status_table(unit, heading_status)
        if statuses:
            for status in statuses:
                status.route = walker.route
            ev.statuses += statuses
            return
        found = table_fields(walker, unit)
        if found:
            if walker.section == "unknown":
                for f in found:
                    f.section = "request"
            ev.fields += found

    while index < len(units):
        unit = units[index]
        index += 1
        if isinstance(unit, Line):
            lines_run.append(unit)
            continue
        flush_lines()
        if isinstance(unit, Table):
            handle_table(unit)
            continue
        if isinstance(unit, Code):
            if unit.lang in ("", "text", "txt", "plain", "plaintext") and not unit.text.lstrip().startswith(
                ("{", "[", "curl")
            ):
                # a rendered field list kept in a text block (Apifox exports)
                lines_run.extend(
                    Line(raw.strip(), unit.start + n)
                    for n, raw in enumerate(unit.text.splitlines())
                    if raw.strip()
                )
                flush_lines()
                continue
            ev.fields += code_fields(walker, unit)
    flush_lines()
    for f in ev.fields:
        if f.name == "status" and f.section == "response" and f.description and not f.enum:
            ev.statuses += [
                StatusValue(s.value, f.line, f.evidence)
                for s in _status_list([Line("status: " + f.description, f.line)], 0)
            ]
    _curls(ev, units, text, walker)
    return ev


def _curls(ev: Evidence, units: list[Unit], text: str, walker: _Walker) -> None:
    """curl commands in code blocks and in prose; each names a route (its method and URL)."""
    found: list[Curl] = []
    code_lines: set[int] = set()
    for unit in units:
        if isinstance(unit, Code):
            code_lines.update(range(unit.start - 1, unit.end + 2))
            if unit.lang in SHELL_LANGS or unit.lang in ("", "text", "http") or "curl " in unit.text[:200]:
                for curl in curl_commands(unit.text):
                    curl.line += unit.start - 1
                    curl.end += unit.start - 1
                    if curl.data_line is not None:
                        curl.data_line += unit.start - 1
                    if curl.form_line is not None:
                        curl.form_line += unit.start - 1
                    found.append(curl)
    prose = {n for n in range(1, text.count("\n") + 2) if n not in code_lines}
    if not any(isinstance(u, Code) and u.start in prose for u in units):
        found += list(curl_commands(text, prose))
    found.sort(key=lambda c: c.line)
    for curl in found:
        if not curl.url:
            continue
        section, route = ev.context_at(curl.line)
        index = walker.add_route(curl.method, curl.url, curl.line, "example")
        ev.curls.append((curl, index))
        if curl.form:
            ev.media.append((index, "request", "multipart/form-data", curl.form_line or curl.line))
        elif curl.data is not None:
            media = curl.content_type or ("application/json" if curl.data.lstrip()[:1] in "{[" else None)
            if media:
                ev.media.append((index, "request", media, curl.data_line or curl.line))
        for name, value in curl.headers.items():
            if name.lower() == "authorization":
                ev.auth.append((name, value, curl.line))
