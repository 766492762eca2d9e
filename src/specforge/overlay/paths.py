"""RFC 9535 JSONPath through the ``jsonpath-rfc9535`` library (no parser of our own), plus the two
things the library does not give: a fast path for singular queries and writing normalized-ish
paths for ``compare``.

Most overlay targets are singular (``$.components.schemas['Pet']``): for those we resolve the
name/index selectors the library parsed directly against the data instead of building node
objects, which keeps applying a 585-action overlay to a 3 MB description cheap. Everything else
(wildcards, filters, descendants, slices) is evaluated by the library.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonpath_rfc9535 as jsonpath
from jsonpath_rfc9535.selectors import IndexSelector, NameSelector

Location = tuple[str | int, ...]


class JSONPathError(ValueError):
    """An invalid JSONPath expression: ``position`` is the 0-based offending character index."""

    def __init__(self, expression: str, reason: str, position: int) -> None:
        self.expression = expression
        self.reason = reason
        self.position = position
        super().__init__(self.describe())

    @property
    def character(self) -> str:
        if self.position >= len(self.expression):
            return "end of expression"
        return repr(self.expression[self.position])

    def describe(self) -> str:
        return (
            f"invalid JSONPath {self.expression!r}: {self.reason} "
            f"at character {self.position + 1} ({self.character})"
        )


@dataclass(frozen=True)
class Query:
    """A compiled target: ``steps`` is set when the query is singular (only name/index selectors)."""

    expression: str
    compiled: Any
    steps: tuple[str | int, ...] | None

    def find(self, document: Any) -> list[tuple[Location, Any]]:
        """(location, value) of every node the query selects, in the library's order, once each."""
        if self.steps is not None:
            node = document
            location: list[str | int] = []
            for step in self.steps:
                if isinstance(step, str):
                    if node.__class__ is not dict and not isinstance(node, dict):
                        return []
                    if step not in node:
                        return []
                    node = node[step]
                else:
                    if not isinstance(node, list):
                        return []
                    index = step + len(node) if step < 0 else step
                    if not 0 <= index < len(node):
                        return []
                    node = node[index]
                    step = index
                location.append(step)
            return [(tuple(location), node)]
        seen: set[Location] = set()
        found: list[tuple[Location, Any]] = []
        for match in self.compiled.finditer(document):
            where = match.location
            if where not in seen:
                seen.add(where)
                found.append((where, match.value))
        return found


@lru_cache(maxsize=4096)
def compile_query(expression: str) -> Query:
    """Compile (cached); raises ``JSONPathError`` naming the offending character."""
    if not isinstance(expression, str):
        raise JSONPathError(str(expression), "a JSONPath expression must be a string", 0)
    try:
        compiled = jsonpath.compile(expression)
    except jsonpath.JSONPathError as exc:
        token = exc.token
        position = token.index if token is not None else 0
        reason = str(exc.args[0]) if exc.args else type(exc).__name__
        raise JSONPathError(expression, reason, max(position, 0)) from None
    except RecursionError:
        raise JSONPathError(expression, "expression nests too deeply", 0) from None
    steps: tuple[str | int, ...] | None = None
    if compiled.singular_query():
        collected: list[str | int] = []
        for segment in compiled.segments:
            selector = segment.selectors[0]
            if isinstance(selector, NameSelector):
                collected.append(selector.name)
            elif isinstance(selector, IndexSelector):
                collected.append(selector.index)
            else:  # pragma: no cover - singular_query() guarantees name/index selectors
                break
        else:
            steps = tuple(collected)
    return Query(expression, compiled, steps)


_SHORTHAND = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def quote_name(name: str) -> str:
    """A name as an RFC 9535 single-quoted string literal (escapes ``'``, ``\\`` and controls)."""
    body = json.dumps(name, ensure_ascii=False)[1:-1].replace('\\"', '"').replace("'", "\\'")
    return f"'{body}'"


def name_segment(name: str) -> str:
    """``.name`` when the shorthand is unambiguous ASCII, else ``['na-me']``."""
    if _SHORTHAND.match(name) and name not in ("true", "false", "null"):
        return f".{name}"
    return f"[{quote_name(name)}]"


def literal(value: Any) -> str:
    """A JSON literal usable in a filter comparison (strings single-quoted)."""
    if isinstance(value, str):
        return quote_name(value)
    return json.dumps(value)


def path_of(location: Location) -> str:
    """A JSONPath for a location: ``$.paths['/v1/videos'].get.parameters[0]``."""
    return "$" + "".join(name_segment(p) if isinstance(p, str) else f"[{p}]" for p in location)
