"""Load JSON/YAML documents into plain Python data plus a position index.

Speed matters (the official OpenAI spec is 2.97 MB): YAML is tokenised by libyaml (ruamel.yaml's
C extension) and the *event stream* is turned into plain data and a compact position index by one
iterative loop. That is ~5x faster than ruamel's C ``compose`` (which calls the Python resolver
for every scalar), has no recursion at all (``compose`` segfaults on ~30k nested brackets), and
lets every safety limit fail fast at the exact event that crosses it. JSON is parsed by the stdlib;
its positions are computed by the same loop only when one is first asked for.

Data model (decided for OpenAPI, which is JSON data written as YAML) — equal to ruamel.yaml's
``YAML(typ="safe").load`` (the C-backed one) except where noted:

* **YAML 1.2 core schema**, exactly ruamel's implicit resolvers: ``yes``/``no``/``on``/``off`` are
  strings; ``0o17`` is 15 and ``017`` is 17; ``1_000`` is 1000. A ``%YAML 1.1`` directive does not
  switch to 1.1 rules (ruamel's C loader ignores it too); PyYAML, a YAML 1.1 loader, differs here.
* **Timestamps stay strings** (``2024-10-01`` is ``"2024-10-01"``, not a ``date``): JSON has no
  date type and ``format: date`` examples must round-trip as text. *Differs from ruamel.*
* **Mapping keys are strings**, converted as ``json.dumps`` converts keys: ``200:`` is ``"200"``,
  ``true:`` is ``"true"``, ``null:`` is ``"null"``. *Differs from ruamel* (which keeps ``200``).
  Keys that are equal after conversion (``200`` and ``'200'``) are duplicates.
* ``!!binary`` and unknown tags (``!foo``) keep the scalar's text (ruamel: bytes / an error);
  ``!!int``/``!!float``/``!!bool``/``!!null`` on a value that is not one is an error.
* Duplicate keys are diagnostics (``duplicate-key``; the later value wins, as JSON parsers do);
  merge keys (``<<``), complex keys and more than one document per file are errors.
* An alias is the same Python object as its anchor (no copy), as with ruamel.
"""

from __future__ import annotations

import gc
import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import events as ev
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.resolver import implicit_resolvers

from specforge.core import pointer as jp
from specforge.core.diagnostics import Diagnostic, Location, Severity
from specforge.core.errors import InputError

try:  # libyaml via ruamel.yaml.clib (CPython); the pure-Python parser otherwise
    from _ruamel_yaml import CParser as _CParser
except ImportError:
    _CParser = None


@dataclass(frozen=True)
class Limits:
    """Safety limits applied to every document a user hands us."""

    max_bytes: int = 50 * 1024 * 1024
    max_depth: int = 256
    #: upper bound on nodes after alias expansion ("billion laughs" protection)
    max_nodes: int = 5_000_000


DEFAULT_LIMITS = Limits()

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"

#: first character -> [(tag, regexp)], ruamel's YAML 1.2 implicit resolvers
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _versions, _tag, _regexp, _first in implicit_resolvers:
    if (1, 2) in _versions:
        for _ch in _first:
            _RESOLVERS.setdefault(_ch, []).append((_tag, re.compile(_regexp.pattern, _regexp.flags)))

_BOOLS = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


#: the same for YAML 1.1 (PyYAML and older tools): used only to decide quoting when dumping
_RESOLVERS_1_1: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _versions, _tag, _regexp, _first in implicit_resolvers:
    if (1, 1) in _versions:
        for _ch in _first:
            _RESOLVERS_1_1.setdefault(_ch, []).append((_tag, re.compile(_regexp.pattern, _regexp.flags)))


def _resolve_plain(value: str, resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = _RESOLVERS) -> str:
    """The tag YAML 1.2 (or the given resolvers) gives an untagged plain scalar."""
    for tag, regexp in resolvers.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


def plain_is_string(value: str) -> bool:
    """Whether ``value`` written as a plain scalar reads back as this string in YAML 1.2 *and*
    YAML 1.1 (``yes``, ``on``, ``1:20`` are strings in 1.2 but not for 1.1 readers)."""
    return _resolve_plain(value) == _STR and _resolve_plain(value, _RESOLVERS_1_1) == _STR


def _convert(tag: str, value: str) -> Any:
    """Plain data for a scalar; ``ValueError`` when an explicit tag does not fit the text."""
    if tag == _STR:
        return value
    if tag == _INT:
        text = value.replace("_", "")
        sign = -1 if text.startswith("-") else 1
        text = text.lstrip("+-")
        if text.startswith("0o"):
            return sign * int(text[2:], 8)
        if text.startswith("0x"):
            return sign * int(text[2:], 16)
        if text.startswith("0b"):
            return sign * int(text[2:], 2)
        return sign * int(text)
    if tag == _FLOAT:
        text = value.replace("_", "").lower()
        fsign = -1.0 if text.startswith("-") else 1.0
        if text.lstrip("+-") == ".inf":
            return fsign * float("inf")
        if text.lstrip("+-") == ".nan":
            return float("nan")
        return float(text)
    if tag == _BOOL:
        return _BOOLS[value.lower()]
    if tag == _NULL:
        if value not in ("", "~", "null", "Null", "NULL"):
            raise ValueError(value)
        return None
    # timestamps, binary and custom tags stay text: OpenAPI is a JSON data model
    return value


def _key_text(value: Any) -> str:
    """A scalar as a JSON object key (what ``json.dumps`` would write)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return json.dumps(value)
    return str(value)


def json_type(value: Any) -> str:
    """The JSON Schema type name of a loaded value (``True`` is "boolean", not "integer")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


# A position entry. Mapping shadow: key -> (key line, key col, key end line, key end col, value
# line, value col, value end line, value end col, child shadow); sequence shadow: [(line, col, end
# line, end col, child shadow)]; scalars have no shadow (None). 0-based like libyaml; an end is the
# position just past the node's last character (libyaml's ``end_mark``), so a span is half-open.
# A block collection ends where its last entry ends (libyaml's end event sits at the next token).
_Shadow = (
    dict[str, tuple[int, int, int, int, int, int, int, int, Any]]
    | list[tuple[int, int, int, int, Any]]
    | None
)

_NOKEY = object()
_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")  # where YAML breaks lines
_BLANKS = frozenset(" \t").union(_BREAKS)


class _Frame:
    __slots__ = (
        "anchor",
        "col",
        "container",
        "count",
        "deepest",
        "flow",
        "is_map",
        "kcol",
        "kecol",
        "keline",
        "key",
        "kline",
        "line",
        "shadow",
    )

    def __init__(
        self,
        container: Any,
        shadow: Any,
        is_map: bool,
        anchor: str | None,
        line: int,
        col: int,
        flow: bool = True,
    ) -> None:
        self.container = container
        self.shadow = shadow
        self.is_map = is_map
        self.anchor = anchor
        self.line = line
        self.col = col
        self.flow = flow  # ends at its closing bracket (else: where its last entry ends)
        self.key: Any = _NOKEY
        self.kline = 0
        self.kcol = 0
        self.keline = 0
        self.kecol = 0
        self.count = 0  # anchored frames: the node count when it opened
        self.deepest = 0  # anchored frames: the deepest nesting seen inside


def _events(source: str | bytes) -> Callable[[], Any]:
    if _CParser is not None:
        return _CParser(source if isinstance(source, bytes) else source.encode("utf-8")).get_event
    from ruamel.yaml import YAML

    text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
    return iter(YAML(typ="safe", pure=True).parse(text)).__next__


class _Builder:
    """Turns libyaml's event stream into plain data and a position shadow in one iterative loop,
    enforcing the limits and collecting duplicate-key diagnostics.

    Alias accounting is O(1) per event: ``count`` is the number of nodes the data holds so far
    with every alias expanded (an alias adds its anchor's expanded size), and only frames with
    an anchor remember their size and height, so plain documents pay nothing for it."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []
        self.text, self.shift = "", 0

    def _error(self, line: int, col: int, message: str, hint: str) -> InputError:
        return InputError(message, file=self.file, line=line + 1, col=col + 1, hint=hint)

    def build(self, source: str | bytes, text: str) -> tuple[Any, tuple[int, int, int, int, _Shadow]]:
        """(data, (root line, col, end line, end col, shadow)) of ``source`` (``text`` is it
        decoded); ``InputError`` for an empty document."""
        get = _events(source)
        # libyaml's marks count characters from after a BOM
        self.text, self.shift = text, 1 if text.startswith("\ufeff") else 0
        limits = self.limits
        max_depth, max_nodes = limits.max_depth, limits.max_nodes
        stack: list[_Frame] = []
        anchored: list[_Frame] = []  # open frames with an anchor (usually none)
        # anchor -> (value, shadow, expanded size, height); None while its collection is open
        anchors: dict[str, tuple[Any, Any, int, int] | None] = {}
        root: tuple[Any, tuple[int, int, int, int, Any]] | None = None
        count = 0
        documents = 0
        scalar_t, alias_t = ev.ScalarEvent, ev.AliasEvent
        map_start, seq_start = ev.MappingStartEvent, ev.SequenceStartEvent
        map_end, seq_end = ev.MappingEndEvent, ev.SequenceEndEvent
        resolvers = _RESOLVERS
        nokey = _NOKEY
        top: _Frame | None = None
        while True:
            event = get()
            kind = type(event)
            if kind is scalar_t:
                count += 1
                mark = event.start_mark
                line, col = mark.line, mark.column
                mark = event.end_mark
                eline, ecol = mark.line, mark.column
                if ecol == 0 and eline != line:  # a block scalar: its end is past its line breaks
                    eline, ecol = self._text_end(event.start_mark.index, col, mark.index, eline)
                raw = event.value
                if event.implicit[0]:
                    value: Any = raw
                    candidates = resolvers.get(raw[:1])
                    if candidates is not None:
                        for rtag, regexp in candidates:
                            if regexp.match(raw):
                                value = _convert(rtag, raw) if rtag != _MERGE else raw
                                break
                else:
                    tag = event.tag
                    if tag is None or tag == "!" or tag == _STR:
                        value = raw
                    else:
                        try:
                            value = _convert(tag, raw)
                        except (ValueError, KeyError):
                            short = tag.replace("tag:yaml.org,2002:", "!!")
                            raise self._error(
                                line,
                                col,
                                f"`{raw}` is not a valid {short} value",
                                f"remove the {short} tag or quote the value as a string",
                            ) from None
                if event.anchor is not None:
                    anchors[event.anchor] = (value, None, 1, 0)
                shadow: Any = None
            elif kind is map_start or kind is seq_start:
                count += 1
                mark = event.start_mark
                if top is not None and top.is_map and top.key is nokey:
                    raise self._error(
                        mark.line,
                        mark.column,
                        "mapping keys must be scalars, not a collection",
                        "write the key as a plain string",
                    )
                depth = len(stack) + 1
                if depth > max_depth:
                    raise self._error(
                        mark.line,
                        mark.column,
                        f"document nests deeper than {max_depth} levels",
                        "flatten the document or split it with $ref",
                    )
                is_map = kind is map_start
                top = _Frame(
                    {} if is_map else [],
                    {} if is_map else [],
                    is_map,
                    event.anchor,
                    mark.line,
                    mark.column,
                    event.flow_style,
                )
                stack.append(top)
                if anchored:
                    for frame in anchored:
                        if depth > frame.deepest:
                            frame.deepest = depth
                if event.anchor is not None:
                    anchors[event.anchor] = None  # open: an alias to it now would recurse
                    top.count = count - 1
                    top.deepest = depth
                    anchored.append(top)
                continue
            elif kind is map_end or kind is seq_end:
                frame = stack.pop()
                top = stack[-1] if stack else None
                value, shadow, line, col = frame.container, frame.shadow, frame.line, frame.col
                if frame.flow or not shadow:
                    mark = event.end_mark
                    eline, ecol = mark.line, mark.column
                else:  # block: where its last entry's value ends
                    last = shadow[-1] if type(shadow) is list else shadow[next(reversed(shadow))]
                    eline, ecol = last[-3], last[-2]
                if frame.anchor is not None:
                    anchored.remove(frame)
                    height = frame.deepest - len(stack)
                    anchors[frame.anchor] = (value, shadow, count - frame.count, height)
            elif kind is alias_t:
                mark = event.start_mark
                line, col = mark.line, mark.column
                mark = event.end_mark
                eline, ecol = mark.line, mark.column
                name = event.anchor
                if name not in anchors:
                    raise self._error(
                        line,
                        col,
                        f"undefined YAML alias `*{name}`",
                        f"define the anchor `&{name}` before using it",
                    )
                target = anchors[name]
                if target is None:
                    raise self._error(
                        line,
                        col,
                        f"recursive YAML alias `*{name}` inside its own anchor",
                        "an anchor may not contain an alias to itself; use $ref for recursive schemas",
                    )
                value, shadow, size, height = target
                count += size
                if count > max_nodes:
                    raise self._error(
                        line,
                        col,
                        f"document expands to more than {max_nodes:,} nodes through YAML aliases",
                        "remove the exponentially nested anchors/aliases; this is a 'billion laughs' document",
                    )
                depth = len(stack) + height
                if depth > max_depth:
                    raise self._error(
                        line,
                        col,
                        f"document nests deeper than {max_depth} levels through YAML aliases",
                        "flatten the document or split it with $ref",
                    )
                for frame in anchored:
                    if depth > frame.deepest:
                        frame.deepest = depth
            elif kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    raise self._error(
                        mark.line,
                        mark.column,
                        "more than one YAML document in the file",
                        "keep one document per file: remove the extra `---` and what follows",
                    )
                continue
            elif kind is ev.StreamEndEvent:
                break
            else:
                continue
            # attach (value, shadow) at (line, col)-(eline, ecol) to the enclosing collection
            if top is None:
                root = (value, (line, col, eline, ecol, shadow))
                continue
            if not top.is_map:
                top.container.append(value)
                top.shadow.append((line, col, eline, ecol, shadow))
            elif top.key is nokey:
                if shadow is not None or isinstance(value, dict | list):
                    raise self._error(
                        line,
                        col,
                        "mapping keys must be scalars, not a collection",
                        "write the key as a plain string",
                    )
                if kind is scalar_t and event.implicit[0] and raw == "<<":
                    raise self._error(
                        line,
                        col,
                        "YAML merge keys (`<<`) are not part of the JSON data model OpenAPI uses",
                        "write the merged keys out, or use $ref",
                    )
                top.key = value if type(value) is str else _key_text(value)
                top.kline = line
                top.kcol = col
                top.keline = eline
                top.kecol = ecol
            else:
                key = top.key
                container = top.container
                if key in container:
                    self.diagnostics.append(
                        Diagnostic(
                            code="duplicate-key",
                            severity=Severity.ERROR,
                            message=f"duplicate key `{key}`: the later value silently wins",
                            pointer=f"{self._pointer(stack)}/{jp.escape(key)}",
                            file=self.file,
                            line=top.kline + 1,
                            col=top.kcol + 1,
                            end_line=top.keline + 1,
                            end_col=top.kecol + 1,
                            hint="remove one of the two keys",
                        )
                    )
                    del top.shadow[key]  # the shadow's last entry stays the one written last
                container[key] = value
                top.shadow[key] = (top.kline, top.kcol, top.keline, top.kecol, line, col, eline, ecol, shadow)
                top.key = nokey
        if root is None:
            raise InputError(
                "document is empty",
                file=self.file,
                line=1,
                col=1,
                hint="write the document's content, e.g. `openapi: 3.1.0`",
            )
        return root

    def _text_end(self, start: int, col: int, end: int, eline: int) -> tuple[int, int]:
        """(line, col) just past the last non-blank character of the block scalar at character
        offsets ``start``..``end`` (starting at column ``col``, ending at 0-based ``eline``,
        column 0), unless its trailing blank lines are content (``|+``, ``>+``)."""
        text, lo, hi = self.text, start + self.shift, end + self.shift
        if "+" in text[lo + 1 : lo + 3]:
            return eline, 0
        stop = hi
        while stop > lo and text[stop - 1] in _BLANKS:
            stop -= 1
        gap = text[stop:hi]
        eline -= sum(gap.count(b) for b in _BREAKS) - gap.count("\r\n")
        before = max(text.rfind(b, lo, stop) for b in _BREAKS)
        return eline, (stop - before - 1) if before >= 0 else col + stop - lo

    @staticmethod
    def _pointer(stack: list[_Frame]) -> str:
        """Pointer of the innermost open collection (only computed for diagnostics)."""
        tokens: list[str] = []
        for frame in stack[:-1]:
            if frame.is_map:
                tokens.append(jp.escape(frame.key))
            else:
                tokens.append(str(len(frame.container)))
        return "".join("/" + t for t in tokens)


@dataclass
class Document:
    """A loaded document: plain ``data`` plus positions for any JSON pointer into it."""

    path: str
    data: Any
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _positions: tuple[int, int, int, int, Any] | None = field(default=None, repr=False)
    _json: bool = field(default=False, repr=False)

    def _index(self) -> tuple[int, int, int, int, Any] | None:
        if self._positions is None:
            if not self.text:
                return None
            # JSON text (also in a Document built by hand from a loaded one) gets the JSON
            # scanner; anything it cannot read is YAML
            if self._json or self.text.lstrip()[:1] in ("{", "["):
                try:
                    self._positions = _json_index(self.text, self.path, DEFAULT_LIMITS, [])
                    return self._positions
                except (InputError, ValueError, IndexError):
                    pass
            try:
                _, self._positions = _Builder(self.path, DEFAULT_LIMITS).build(self.text, self.text)
            except (YAMLError, InputError):
                return None
        return self._positions

    def locate(self, pointer: str, *, key: bool = False) -> Location | None:
        """The span of ``pointer``'s value (or of its key, with ``key=True``): where it starts
        and, as ``end_line``/``end_col``, the position just past its last character. A pointer
        that goes past the document's end resolves to its deepest existing ancestor."""
        index = self._index()
        if index is None:
            return None
        line, col, eline, ecol, shadow = index
        for token in jp.parts(pointer):
            if isinstance(shadow, dict):
                entry = shadow.get(token)
                if entry is None:
                    break
                kline, kcol, keline, kecol, line, col, eline, ecol, shadow = entry
                if key:
                    line, col, eline, ecol = kline, kcol, keline, kecol
            elif isinstance(shadow, list) and token.isdigit() and int(token) < len(shadow):
                line, col, eline, ecol, shadow = shadow[int(token)]
            else:
                break
        return Location(self.path, line + 1, col + 1, pointer, eline + 1, ecol + 1)

    def diagnostic_at(self, diagnostic: Diagnostic) -> Diagnostic:
        """``diagnostic`` with this document's file and the line of its pointer filled in."""
        if diagnostic.line is not None:
            return diagnostic
        location = self.locate(diagnostic.pointer)
        return diagnostic.at(location) if location else diagnostic.at(Location(self.path, 1, 1))


def _read(path: Path, limits: Limits) -> bytes:
    from specforge.core.guard import read_regular

    return read_regular(path, max_bytes=limits.max_bytes)


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[start : exc.start].decode("utf-8", "replace")) + 1
        raise InputError(
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            file=path,
            line=line,
            col=col,
            hint="re-save it as UTF-8",
        ) from None


def load_text(text: str, path: str = "<string>", *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Parse ``text`` (YAML or JSON, decided by ``path``'s suffix and then by content)."""
    return _load(text, None, path, limits)


def _load(text: str, raw: bytes | None, path: str, limits: Limits) -> Document:
    # Building a large tree triggers the cyclic GC over and over while it can free nothing (the
    # loader makes no cycles: recursive aliases are refused); pausing it saves ~30% on big specs.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_unpaused(text, raw, path, limits)
    finally:
        if paused:
            gc.enable()


def _load_unpaused(text: str, raw: bytes | None, path: str, limits: Limits) -> Document:
    if len(text) > limits.max_bytes:
        raise InputError(
            f"document is over the {limits.max_bytes:,}-byte limit",
            file=path,
            hint="split the document, or raise the limit deliberately",
        )
    stripped = text.lstrip()
    if not stripped:
        raise InputError(
            "document is empty",
            file=path,
            line=1,
            col=1,
            hint="write the document's content, e.g. `openapi: 3.1.0`",
        )
    if path.endswith(".json") or stripped[0] in "{[":
        document = _load_json(text, path, limits)
        if document is not None:
            return document
    return _load_yaml(text, raw, path, limits)


def _load_json(text: str, path: str, limits: Limits) -> Document | None:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                duplicates.append(k)
            out[k] = v
        return out

    if "\\u" in text:
        _refuse_lone_surrogates(text, path)
    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        if path.endswith(".json"):
            raise InputError(
                f"invalid JSON: {exc.msg}",
                file=path,
                line=exc.lineno,
                col=exc.colno,
                hint=_JSON_HINTS.get(exc.msg, "fix the JSON syntax at that position"),
            ) from None
        return None  # a YAML flow document: let the YAML loader judge it
    except RecursionError:
        data = None
        duplicates.append("")  # far too deep: the scanner below finds and reports the place
    if duplicates or _depth_exceeds(data, limits.max_depth):
        # positions are needed now (rare path): the scanner reports with file:line:col
        diagnostics: list[Diagnostic] = []
        positions = _json_index(text, path, limits, diagnostics)
        return Document(
            path=path, data=data, text=text, diagnostics=diagnostics, _positions=positions, _json=True
        )
    return Document(path=path, data=data, text=text, _json=True)


_SURROGATE = re.compile(
    r"\\u([dD][89abAB][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _refuse_lone_surrogates(text: str, path: str) -> None:
    """A ``\\ud800`` escape with no partner decodes to a string no UTF-8 writer can write: refuse
    it here, at its line, rather than fail (with a traceback) when the result is written.
    (An escaped backslash before ``u`` is rare enough that it may be refused too.)"""
    for match in _SURROGATE.finditer(text):
        if match.group(1) and match.group(2):
            continue  # a high + low pair: one real character
        line = text.count("\n", 0, match.start()) + 1
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        raise InputError(
            f"`{match.group(0)}` is a lone UTF-16 surrogate escape: it stands for no character",
            file=path,
            line=line,
            col=col,
            hint="write the character itself, or a complete surrogate pair (e.g. \\ud83d\\ude00)",
        )


_JSON_HINTS = {
    "Expecting property name enclosed in double quotes": "JSON keys need double quotes, and a trailing comma is not allowed",
    "Expecting ',' delimiter": "add the missing comma, or close the bracket that is still open",
    "Expecting value": "put a value here; JSON allows no trailing commas and no comments",
    "Unterminated string starting at": "close the string with a double quote",
    "Extra data": "remove what follows the document's closing bracket",
}
_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_SCALAR = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null|NaN|-?Infinity"
)


def _json_index(
    text: str, path: str, limits: Limits, diagnostics: list[Diagnostic]
) -> tuple[int, int, int, int, Any]:
    """Positions (the same shadow the YAML builder makes) for *valid* JSON ``text``, by one
    iterative scan; duplicate keys are reported into ``diagnostics``, excess depth raised.
    Lines are counted on ``\\n`` only, as editors do (YAML would also break on U+2028)."""
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))

    def pos(index: int) -> tuple[int, int]:
        line = bisect_right(starts, index) - 1
        return line, index - starts[line]

    def ws(text: str, index: int) -> re.Match[str]:
        return _JSON_WS.match(text, index)  # type: ignore[return-value]  # `*` always matches

    scalar = _JSON_SCALAR.match
    scan = json.decoder.scanstring  # type: ignore[attr-defined]
    stack: list[_Frame] = []
    i = ws(text, 0).end()
    if text.startswith("\ufeff"):
        i = ws(text, 1).end()
    while True:
        c = text[i]
        top = stack[-1] if stack else None
        if top is not None and (c == "," or (top.is_map and top.key is _NOKEY and c == '"')):
            if c == ",":
                i = ws(text, i + 1).end()
                continue
            key, end = scan(text, i + 1)
            top.key = key
            top.kline, top.kcol = pos(i)
            top.keline, top.kecol = pos(end)
            i = ws(text, ws(text, end).end() + 1).end()  # past the ':'
            continue
        if top is not None and c in "]}":
            stack.pop()
            value_line, value_col, shadow = top.line, top.col, top.shadow
            i += 1
            end_line, end_col = pos(i)
        elif c in "[{":
            if len(stack) >= limits.max_depth:
                line, col = pos(i)
                raise InputError(
                    f"document nests deeper than {limits.max_depth} levels",
                    file=path,
                    line=line + 1,
                    col=col + 1,
                    hint="flatten the document or split it with $ref",
                )
            line, col = pos(i)
            is_map = c == "{"
            stack.append(_Frame(None, {} if is_map else [], is_map, None, line, col))
            i = ws(text, i + 1).end()
            continue
        else:
            value_line, value_col = pos(i)
            shadow = None
            if c == '"':
                _, i = scan(text, i + 1)
            else:
                match = scalar(text, i)
                if match is None:
                    raise ValueError(f"not JSON at {i}")
                i = match.end()
            end_line, end_col = pos(i)
        i = ws(text, i).end()
        if not stack:
            return value_line, value_col, end_line, end_col, shadow
        top = stack[-1]
        if top.is_map:
            key = top.key
            if key in top.shadow:
                diagnostics.append(
                    Diagnostic(
                        code="duplicate-key",
                        severity=Severity.ERROR,
                        message=f"duplicate key `{key}`: the later value silently wins",
                        pointer=f"{_json_pointer(stack)}/{jp.escape(key)}",
                        file=path,
                        line=top.kline + 1,
                        col=top.kcol + 1,
                        end_line=top.keline + 1,
                        end_col=top.kecol + 1,
                        hint="remove one of the two keys",
                    )
                )
            top.shadow[key] = (
                top.kline,
                top.kcol,
                top.keline,
                top.kecol,
                value_line,
                value_col,
                end_line,
                end_col,
                shadow,
            )
            top.key = _NOKEY
        else:
            top.shadow.append((value_line, value_col, end_line, end_col, shadow))


def _json_pointer(stack: list[_Frame]) -> str:
    tokens = [jp.escape(f.key) if f.is_map else str(len(f.shadow)) for f in stack[:-1]]
    return "".join("/" + t for t in tokens)


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return False


def _load_yaml(
    text: str, raw: bytes | None, path: str, limits: Limits, *, original: str | None = None
) -> Document:
    builder = _Builder(path, limits)
    try:
        data, positions = builder.build(raw if raw is not None else text, text)
    except MarkedYAMLError as exc:
        raise _syntax_error(exc, text, path) from None
    except YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=path, hint="fix the YAML syntax") from None
    return Document(
        path=path,
        data=data,
        text=original if original is not None else text,
        diagnostics=builder.diagnostics,
        _positions=positions,
    )


_UNCLOSED = {
    "while parsing a flow sequence": ("[", "add the closing `]` or the missing comma"),
    "while parsing a flow mapping": ("{", "add the closing `}` or the missing comma"),
}


def _syntax_error(exc: MarkedYAMLError, text: str, path: str) -> InputError:
    """libyaml's message, with a plainer one and a specific hint for the usual mistakes."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    hint = "fix the YAML syntax at that position"
    lines = text.splitlines()
    here = lines[mark.line] if mark and mark.line < len(lines) else ""
    if mark and "\t" in here[: mark.column + 1] and here[: mark.column + 1].strip(" \t") == "":
        problem, hint = "tab character used for indentation", "indent with spaces; YAML forbids tabs there"
    elif "found character '\\t'" in problem or (mark and here[mark.column : mark.column + 1] == "\t"):
        problem, hint = "tab character where YAML does not allow one", "replace the tab with spaces"
    elif "mapping values are not allowed" in problem:
        hint = "quote the value if it contains ': ', or fix the indentation"
    elif "could not find expected ':'" in problem:
        hint = "a key needs `key: value`; quote the text if it is a string"
    elif exc.context_mark is not None and exc.context == "while scanning a quoted scalar":
        # libyaml notices at the end of the file; the opening quote is the useful place
        problem = "quoted string opened here is never closed"
        line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
        hint = "add the closing quote"
    elif exc.context in _UNCLOSED:
        opener, hint = _UNCLOSED[exc.context]
        problem = f"{problem} (a `{opener}` before it is never closed, or a comma is missing)"
    elif "found unexpected end of stream" in problem:
        hint = "close the quote or bracket that is still open"
    elif "found undefined alias" in problem:
        hint = "define the anchor (&name) before using the alias (*name)"
    elif "expected <block end>" in problem or "did not find expected key" in problem:
        hint = "check the indentation of this line against the lines above"
    return InputError(f"invalid YAML: {problem}", file=path, line=line, col=col, hint=hint)


def load_document(
    path: str | Path, *, limits: Limits = DEFAULT_LIMITS, display: str | None = None
) -> Document:
    """Load a JSON or YAML file. ``display`` is the name findings use (default: the path given)."""
    p = Path(path)
    name = display or str(path)
    raw = _read(p, limits)
    text = _decode(raw, name)
    # libyaml reads the bytes directly (no re-encoding); a BOM is handled by libyaml as well
    return _load(text, raw, name, limits)


def load_mapping(path: str | Path, what: str = "document", **kwargs: Any) -> Document:
    """``load_document`` that insists the top level is a mapping (every OpenAPI/Overlay is)."""
    document = load_document(path, **kwargs)
    if not isinstance(document.data, dict):
        kind = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
            type(document.data), "null" if document.data is None else type(document.data).__name__
        )
        raise InputError(
            f"the top level of the {what} must be a mapping, not {kind}",
            file=document.path,
            line=1,
            col=1,
            hint=f"check that this is the right file: the {what} is made of `key: value` lines",
        )
    return document
