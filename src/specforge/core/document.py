"""Load JSON/YAML documents into plain Python data plus a position index.

Speed matters (the official OpenAI spec is 2.97 MB): YAML is composed by ruamel.yaml's C parser
and turned into plain data by one iterative-enough walk over the node tree; the node tree is kept
so that any JSON pointer can later be mapped to ``file:line:col``. JSON is parsed by the stdlib
and composed only when a position is first asked for.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from specforge.core import pointer as jp
from specforge.core.diagnostics import Diagnostic, Location, Severity
from specforge.core.errors import InputError


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


def _yaml() -> YAML:
    return YAML(typ="safe", pure=False)


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag, node.value
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
        if text.endswith(".inf"):
            return -math.inf if text.startswith("-") else math.inf
        if text.endswith(".nan"):
            return math.nan
        return float(text)
    if tag == _BOOL:
        return value.lower() in ("true", "yes", "on")
    if tag == _NULL:
        return None
    # timestamps, binary and custom tags stay text: OpenAPI is a JSON data model
    return value


class _Builder:
    """Turns a composed node tree into plain data, enforcing the limits and collecting
    duplicate-key diagnostics. Aliased nodes become shared Python objects (never copies)."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []
        self._built: dict[int, Any] = {}
        self._active: set[int] = set()
        self._sizes: dict[int, int] = {}

    def build(self, root: Node) -> Any:
        self._check_expansion(root)
        return self._node(root, "", 0)

    def _error(self, node: Node, message: str, hint: str) -> InputError:
        mark = node.start_mark
        return InputError(message, file=self.file, line=mark.line + 1, col=mark.column + 1, hint=hint)

    def _check_expansion(self, root: Node) -> None:
        """Count nodes as a consumer walking the data would see them (aliases expanded), with
        memoisation so that the count itself stays linear in the document size."""
        limit = self.limits.max_nodes
        sizes = self._sizes
        stack: list[tuple[Node, bool]] = [(root, False)]
        on_path: set[int] = set()
        while stack:
            node, done = stack.pop()
            key = id(node)
            if done:
                on_path.discard(key)
                if isinstance(node, MappingNode):
                    total = 1 + sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
                elif isinstance(node, SequenceNode):
                    total = 1 + sum(sizes[id(v)] for v in node.value)
                else:
                    total = 1
                if total > limit:
                    raise self._error(
                        node,
                        f"document expands to more than {limit:,} nodes through YAML aliases",
                        "remove the recursive or exponential anchors/aliases (a 'billion laughs' document)",
                    )
                sizes[key] = total
                continue
            if key in sizes:
                continue
            if key in on_path:
                raise self._error(node, "recursive YAML alias", "an anchor may not contain an alias to itself")
            if isinstance(node, ScalarNode):
                sizes[key] = 1
                continue
            on_path.add(key)
            stack.append((node, True))
            children: list[Node] = []
            if isinstance(node, MappingNode):
                for k, v in node.value:
                    children.extend((k, v))
            else:
                children.extend(node.value)
            stack.extend((c, False) for c in children if id(c) not in sizes)

    def _node(self, node: Node, pointer: str, depth: int) -> Any:
        if isinstance(node, ScalarNode):
            return _scalar(node)
        if depth > self.limits.max_depth:
            raise self._error(
                node,
                f"document nests deeper than {self.limits.max_depth} levels",
                "flatten the document or split it with $ref",
            )
        key = id(node)
        built = self._built.get(key)
        if built is not None:
            return built
        if isinstance(node, SequenceNode):
            out_list: list[Any] = []
            self._built[key] = out_list
            for index, item in enumerate(node.value):
                out_list.append(self._node(item, f"{pointer}/{index}", depth + 1))
            return out_list
        out: dict[Any, Any] = {}
        self._built[key] = out
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise self._error(
                    key_node,
                    "YAML merge keys ('<<') are not part of the JSON data model OpenAPI uses",
                    "write the merged keys out, or use $ref",
                )
            if isinstance(key_node, ScalarNode):
                name = key_node.value if key_node.tag == _STR else _scalar(key_node)
                # JSON object keys are strings: YAML `200:` is the status code "200"
                name = name if isinstance(name, str) else json.dumps(name) if not isinstance(name, int) else str(name)
            else:
                raise self._error(key_node, "mapping keys must be plain scalars", "quote the key")
            child = f"{pointer}/{jp.escape(name)}"
            if name in out:
                mark = key_node.start_mark
                self.diagnostics.append(
                    Diagnostic(
                        code="duplicate-key",
                        severity=Severity.ERROR,
                        message=f"duplicate key {name!r}: the later value silently wins",
                        pointer=child,
                        file=self.file,
                        line=mark.line + 1,
                        col=mark.column + 1,
                        hint="remove one of the two keys",
                    )
                )
            out[name] = self._node(value_node, child, depth + 1)
        return out


@dataclass
class Document:
    """A loaded document: plain ``data`` plus positions for any JSON pointer into it."""

    path: str
    data: Any
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _root: Node | None = field(default=None, repr=False)
    _key_index: dict[int, dict[str, tuple[Node, Node]]] = field(default_factory=dict, repr=False)

    def _root_node(self) -> Node | None:
        if self._root is None:
            try:
                self._root = _yaml().compose(self.text)
            except YAMLError:
                return None
        return self._root

    def _walk(self, pointer: str) -> Iterator[tuple[Node | None, Node]]:
        """Yield (key node, value node) along ``pointer``."""
        node = self._root_node()
        if node is None:
            return
        yield None, node
        for token in jp.parts(pointer):
            if isinstance(node, MappingNode):
                index = self._key_index.get(id(node))
                if index is None:
                    index = {}
                    for k, v in node.value:
                        index.setdefault(str(k.value), (k, v))
                    self._key_index[id(node)] = index
                pair = index.get(token)
                if pair is None:
                    return
                key_node, node = pair
                yield key_node, node
            elif isinstance(node, SequenceNode) and token.isdigit() and int(token) < len(node.value):
                node = node.value[int(token)]
                yield None, node
            else:
                return

    def locate(self, pointer: str, *, key: bool = False) -> Location | None:
        """Where ``pointer``'s value starts (or its key, with ``key=True``). A pointer that goes
        past the document's end resolves to its deepest existing ancestor."""
        best: Node | None = None
        for key_node, value_node in self._walk(pointer):
            best = key_node if key and key_node is not None else value_node
        if best is None:
            return None
        mark = best.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1, pointer)

    def diagnostic_at(self, diagnostic: Diagnostic) -> Diagnostic:
        """``diagnostic`` with this document's file and the line of its pointer filled in."""
        if diagnostic.line is not None:
            return diagnostic
        location = self.locate(diagnostic.pointer)
        return diagnostic.at(location) if location else diagnostic.at(Location(self.path, 1, 1))


def _read(path: Path, limits: Limits) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("file not found", file=str(path), hint="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    if path.is_dir():
        raise InputError("is a directory, not a document", file=str(path), hint="name a .yaml or .json file")
    if size > limits.max_bytes:
        raise InputError(
            f"file is {size:,} bytes, over the {limits.max_bytes:,}-byte limit",
            file=str(path),
            hint="split the document, or raise the limit deliberately",
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("file is not UTF-8 text", file=str(path), line=line, hint="re-save it as UTF-8") from None


def load_text(text: str, path: str = "<string>", *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Parse ``text`` (YAML or JSON, decided by ``path``'s suffix and then by content)."""
    if len(text) > limits.max_bytes:
        raise InputError(f"document is over the {limits.max_bytes:,}-byte limit", file=path)
    stripped = text.lstrip()
    if not stripped:
        raise InputError("document is empty", file=path, hint="an OpenAPI or Overlay document is a mapping")
    if path.endswith(".json") or stripped[0] in "{[":
        document = _load_json(text, path, limits)
        if document is not None:
            return document
    return _load_yaml(text, path, limits)


def _load_json(text: str, path: str, limits: Limits) -> Document | None:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                duplicates.append(k)
            out[k] = v
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        if path.endswith(".json"):
            raise InputError(
                f"invalid JSON: {exc.msg}", file=path, line=exc.lineno, col=exc.colno, hint="fix the JSON syntax"
            ) from None
        return None  # a YAML flow document: let the YAML loader judge it
    except RecursionError:
        raise InputError(f"document nests deeper than {limits.max_depth} levels", file=path) from None
    document = Document(path=path, data=data, text=text)
    if duplicates or _depth_exceeds(data, limits.max_depth):
        # positions are needed now: compose (rare path) and report through the YAML builder
        return _load_yaml(text, path, limits)
    return document


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return False


def _load_yaml(text: str, path: str, limits: Limits) -> Document:
    try:
        root = _yaml().compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            f"invalid YAML: {problem}",
            file=path,
            line=mark.line + 1 if mark else None,
            col=mark.column + 1 if mark else None,
            hint="fix the YAML syntax at that position",
        ) from None
    except YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=path) from None
    if root is None:
        raise InputError("document is empty", file=path, hint="an OpenAPI or Overlay document is a mapping")
    builder = _Builder(path, limits)
    try:
        data = builder.build(root)
    except RecursionError:
        raise InputError(f"document nests deeper than {limits.max_depth} levels", file=path) from None
    return Document(path=path, data=data, text=text, diagnostics=builder.diagnostics, _root=root)


def load_document(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> Document:
    """Load a JSON or YAML file. ``display`` is the name findings use (default: the path given)."""
    p = Path(path)
    text = _read(p, limits)
    return load_text(text, display or str(path), limits=limits)


def load_mapping(path: str | Path, what: str = "document", **kwargs: Any) -> Document:
    """``load_document`` that insists the top level is a mapping (every OpenAPI/Overlay is)."""
    document = load_document(path, **kwargs)
    if not isinstance(document.data, dict):
        raise InputError(
            f"{what} must be a mapping at the top level, not {type(document.data).__name__}",
            file=document.path,
            line=1,
            hint=f"check that this file is an {what}",
        )
    return document
