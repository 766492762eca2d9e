"""Fast YAML in/out for ``overlay apply``, where no positions are needed.

``core.load_document`` composes a node tree so that any pointer maps to ``file:line:col``; on the
3 MB OpenAI description that costs about a second, and ruamel's dumper another second. Applying
an overlay needs neither: this module drives libyaml's C parser and C emitter (through PyYAML's
binding) event by event and builds/walks plain data in one tight loop, which is ~8x faster.

Scalars follow the YAML 1.2 core schema like ``core`` does (timestamps, binary and custom tags
stay text). Anything unusual — syntax errors, duplicate keys, anchors/aliases, merge keys,
complex keys — falls back to ``core.load_text`` so the user gets the same precise diagnostics and
limits as everywhere else. Without libyaml the functions fall back to ``core`` entirely.
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

from specforge.core import DEFAULT_LIMITS, Document, dump_yaml, load_document, load_text
from specforge.core.output import YAML_WIDTH

try:  # PyYAML's libyaml binding; optional (pure-Python installs fall back to core)
    from yaml import _yaml as _libyaml
    from yaml import events as _ev

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on the platform build
    HAVE_LIBYAML = False

_INT = re.compile(r"[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = {
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf,
    "+.inf": math.inf, "+.Inf": math.inf, "+.INF": math.inf,
    "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
}  # fmt: skip
_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
#: first characters a non-string plain scalar can start with (YAML 1.2 core schema)
_FIRST = frozenset("-+.0123456789~nNtTfF")
#: strings that YAML 1.1 readers (PyYAML, older tools) would not read back as strings when plain
_YAML11 = re.compile(
    r"""(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|=|<<
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
    |[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*|[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?)
    |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)\Z""",
    re.X,
)
_STR_TAG = "tag:yaml.org,2002:str"


class _Fallback(Exception):
    """The fast path met something only the positions loader handles well."""


def _plain(value: str) -> Any:
    """The data a plain (unquoted, untagged) scalar stands for."""
    if value and value[0] not in _FIRST:
        return value
    if value in _NULL:
        return None
    flag = _BOOL.get(value)
    if flag is not None:
        return flag
    if _INT.match(value):
        text = value.lstrip("+-")
        sign = -1 if value.startswith("-") else 1
        if text.startswith("0o"):
            return sign * int(text[2:], 8)
        if text.startswith("0x"):
            return sign * int(text[2:], 16)
        return sign * int(text)
    if _FLOAT.match(value):
        return float(value)
    special = _SPECIAL_FLOAT.get(value)
    if special is not None:
        return special
    return value


def _tagged(tag: str, value: str) -> Any:
    if tag in ("!", _STR_TAG):
        return value
    if tag.startswith("tag:yaml.org,2002:") and tag[18:] in ("int", "float", "bool", "null"):
        resolved = _plain(value)
        return value if isinstance(resolved, str) else resolved
    return value  # timestamps, binary and custom tags stay text: OpenAPI is a JSON data model


def _key(value: Any) -> str:
    """JSON object keys are strings (same rule as ``core``: YAML ``200:`` is "200")."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


def _load_events(text: str) -> Any:
    parser = _libyaml.CParser(text)
    get = parser.get_event
    scalar, mapping_start, sequence_start = _ev.ScalarEvent, _ev.MappingStartEvent, _ev.SequenceStartEvent
    mapping_end, sequence_end = _ev.MappingEndEvent, _ev.SequenceEndEvent
    no_key = _NO_KEY
    stack: list[tuple[Any, Any]] = []
    current: Any = None
    key: Any = no_key
    root: Any = no_key
    documents = 0
    try:
        while True:
            event = get()
            kind = event.__class__
            if kind is scalar:
                if event.anchor is not None:
                    raise _Fallback
                if event.tag is not None:
                    value: Any = _tagged(event.tag, event.value)
                elif event.implicit[0] and not event.style:
                    value = _plain(event.value)
                else:
                    value = event.value
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor is not None:
                    raise _Fallback
                value = {} if kind is mapping_start else []
            elif kind is mapping_end or kind is sequence_end:
                current, key = stack.pop()
                continue
            elif kind is _ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Fallback
                continue
            elif kind is _ev.StreamEndEvent:
                break
            elif kind is _ev.AliasEvent:
                raise _Fallback
            else:
                continue
            if current is None:
                root = value
            elif current.__class__ is list:
                current.append(value)
            elif key is no_key:
                if kind is not scalar:
                    raise _Fallback  # complex key
                key = _key(value)
                if key in current or (key == "<<" and event.implicit[0] and not event.style):
                    raise _Fallback  # duplicate or merge key: let core report it with a position
                continue
            else:
                current[key] = value
                key = no_key
            if kind is not scalar:
                stack.append((current, key))
                current, key = value, no_key
    except _libyaml.YAMLError:
        raise _Fallback from None
    if root is no_key:
        raise _Fallback
    return root


_NO_KEY: Any = object()


def load(text: str, path: str = "<string>") -> Document:
    """Parse YAML or JSON ``text`` into a ``Document`` whose positions are computed lazily."""
    stripped = text.lstrip()
    if HAVE_LIBYAML and stripped and not (path.endswith(".json") or stripped[0] in "{["):
        try:
            data = _load_events(text)
        except (_Fallback, RecursionError, ValueError):
            pass
        else:
            if isinstance(data, dict | list):
                return Document(path=path, data=data, text=text)
    return load_text(text, path)


def load_path(path: str | Path) -> Document:
    """``load`` for a file; unreadable, oversized or non-UTF-8 files get ``core``'s precise errors."""
    try:
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return load_document(path)
    if len(raw) > DEFAULT_LIMITS.max_bytes:
        return load_document(path)
    return load(text, str(path))


def _needs_quotes(value: str) -> bool:
    """Whether a plain ``value`` would be read back as something other than this string."""
    if not value:
        return True
    if value[0] not in _FIRST and value[0] not in "yYoO=<":
        return False
    return not isinstance(_plain(value), str) or _YAML11.match(value) is not None or value in _SPECIAL_FLOAT


def _float_text(value: float) -> str:
    if value != value:
        return ".nan"
    if value in (math.inf, -math.inf):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:  # YAML 1.1 floats need a dot: 1e+100 -> 1.0e+100
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def dump(data: Any) -> str:
    """Block-style YAML for ``data`` (insertion key order, UTF-8, width 100, literal blocks for
    multi-line strings), readable back by YAML 1.1 and 1.2 readers to the same data."""
    if not HAVE_LIBYAML:
        return dump_yaml(data)
    buffer = io.StringIO()
    emitter = _libyaml.CEmitter(buffer, allow_unicode=True, width=YAML_WIDTH, indent=2)
    emit = emitter.emit
    scalar = _ev.ScalarEvent
    # implicit = (may be plain, may be quoted without a tag); strings are always tag-free when quoted
    plain_ok, quoted, string = (True, False), (False, True), (True, True)
    mapping_start, mapping_end = _ev.MappingStartEvent, _ev.MappingEndEvent
    sequence_start, sequence_end = _ev.SequenceStartEvent, _ev.SequenceEndEvent
    emit(_ev.StreamStartEvent(encoding=None))
    emit(_ev.DocumentStartEvent(explicit=False))
    # explicit stack instead of recursion: documents may nest deeper than Python's frame limit
    stack: list[Any] = [iter((data,))]
    ends: list[Any] = [None]
    while stack:
        try:
            item = next(stack[-1])
        except StopIteration:
            stack.pop()
            end = ends.pop()
            if end is not None:
                emit(end())
            continue
        if isinstance(item, tuple):  # (key, value) of a mapping
            key, item = item
            emit(scalar(None, None, quoted if _needs_quotes(key) else string, key))
        kind = item.__class__
        if kind is str:
            style = "|" if "\n" in item else None
            emit(scalar(None, None, quoted if style is None and _needs_quotes(item) else string, item, style=style))
        elif kind is dict:
            emit(mapping_start(None, None, True, flow_style=not item))
            stack.append(iter(item.items()))
            ends.append(mapping_end)
        elif kind is list:
            emit(sequence_start(None, None, True, flow_style=not item))
            stack.append(iter(item))
            ends.append(sequence_end)
        elif item is None:
            emit(scalar(None, None, plain_ok, "null"))
        elif kind is bool:
            emit(scalar(None, None, plain_ok, "true" if item else "false"))
        elif kind is int:
            emit(scalar(None, None, plain_ok, str(item)))
        elif kind is float:
            emit(scalar(None, None, plain_ok, _float_text(item)))
        elif isinstance(item, str):
            emit(scalar(None, None, quoted, str(item)))
        elif isinstance(item, dict | list | bool | int | float):
            stack.append(iter((_plain_copy(item),)))
            ends.append(None)
        else:
            emit(scalar(None, None, quoted, str(item)))
    emit(_ev.DocumentEndEvent(explicit=False))
    emit(_ev.StreamEndEvent())
    return buffer.getvalue()


def _plain_copy(value: Any) -> Any:
    """Subclasses of the JSON types (e.g. ruamel's commented maps) as the plain types."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    return float(value)
