"""TOML configuration files (``specforge.toml``, ``providers.toml``): read through the guarded
reader, validated by JSON Schema (jsonschema), every error placed at its ``file:line`` by one
line locator and given a fix, with did-you-mean hints for misspelt keys and values.

Why JSON Schema: each package declares the shape of its table once, as data (types, ranges,
enums, patterns, allowed keys), instead of an if-chain per key that forgets a line here and a
fix there; the messages below are written once for every table. ``tomllib`` reports no
positions, so :class:`TomlLines` finds them by scanning the text for table headers, array-of-
tables headers (counted), ``key =`` lines, dotted keys and inline tables.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from specforge.core.errors import InputError
from specforge.core.guard import read_text

Key = str | int

#: the biggest config file anyone writes by hand is far below this
MAX_CONFIG_BYTES = 4 * 1024 * 1024


def suggest(name: str, choices: Iterable[str]) -> str:
    """' (did you mean `x`?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""


class TomlLines:
    """Line numbers of tables and keys in TOML text, by path: ``("lint", "fail-on")``,
    ``("providers", 1, "check", "max_examples")`` (arrays of tables are indexed)."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
    _KEY = re.compile(
        r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
    )
    _INLINE_KEY = re.compile(r"""[{,]\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=""")
    _PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[Key, ...], int] = {}
        counters: dict[tuple[Key, ...], int] = {}
        current: tuple[Key, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header and not self._KEY.match(line):
                names = self._indexed(self._parts(header.group(2)), counters)
                if header.group(1) == "[[":
                    index = counters[names] = counters.get(names, -1) + 1
                    current = (*names, index)
                    self.lines.setdefault(names, number)
                else:
                    current = names
                self.lines.setdefault(current, number)
                continue
            key = self._KEY.match(line)
            if not key:
                continue
            path = (*current, *self._parts(key.group(1)))
            self.lines.setdefault(path, number)
            rest = line[key.end() :]
            if "{" in rest:  # an inline table: its keys are on this line too
                for inner in self._INLINE_KEY.finditer(rest):
                    self.lines.setdefault((*path, *self._parts(inner.group(1))), number)

    @staticmethod
    def _indexed(names: tuple[Key, ...], counters: dict[tuple[Key, ...], int]) -> tuple[Key, ...]:
        """``[providers.check]`` after ``[[providers]]`` belongs to the latest providers entry."""
        out: tuple[Key, ...] = ()
        for i, name in enumerate(names):
            out = (*out, name)
            if out in counters and i < len(names) - 1:
                out = (*out, counters[out])
        return out

    @classmethod
    def _parts(cls, dotted: str) -> tuple[str, ...]:
        return tuple(p[1:-1] if p[:1] in "\"'" else p for p in cls._PART.findall(dotted))

    def line(self, path: Sequence[Key]) -> int | None:
        """The line of ``path``, or of its nearest enclosing table/key that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def load_toml(path: Path, what: str) -> tuple[dict[str, Any], TomlLines, bytes]:
    """Parse a TOML file (read through the guarded reader): (data, line locator, raw bytes);
    InputError with file:line:col for a syntax error."""
    name = str(path)
    text = read_text(path, max_bytes=MAX_CONFIG_BYTES, display=name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's message ends with "(at line L, column C)"; move that into the location
        message = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        found = re.search(r"line (\d+)", message)
        raise InputError(
            f"invalid TOML: {message[: where.start()].rstrip() if where else message}",
            file=name,
            line=int(where.group(1)) if where else int(found.group(1)) if found else None,
            col=int(where.group(2)) if where else None,
            hint=f"fix the TOML syntax at that position ({what})",
        ) from None
    return data, TomlLines(text), text.encode("utf-8")


# -- validation ---------------------------------------------------------------------------------

#: name pattern for things that become file or folder names (variants, providers)
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
NAME_FIX = "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names files)"


def _checker() -> Any:
    from jsonschema import FormatChecker

    from specforge.core.urls import url_problem

    checker = FormatChecker(formats=())
    checker.checks("finite")(lambda v: not isinstance(v, float) or math.isfinite(v))
    checker.checks("http-url")(lambda v: not isinstance(v, str) or url_problem(v) is None)
    return checker


def strict_table(keys: Iterable[str]) -> dict[str, Any]:
    """The schema of a table that allows exactly ``keys`` (any values)."""
    return {"type": "object", "properties": {k: {} for k in keys}, "additionalProperties": False}


def validate(
    data: Any, schema: Mapping[str, Any], *, file: str, lines: TomlLines | None, at: Sequence[Key] = ()
) -> None:
    """InputError for the first problem (in file order) of ``data`` (found at path ``at`` of
    the file) against ``schema``, with file:line, what is wrong and a fix."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(dict(schema), format_checker=_checker())
    errors = list(validator.iter_errors(data))
    if not errors:
        return
    found: list[tuple[int, int, tuple[Key, ...], str, str, int | None]] = []
    for error in errors:
        path, message, hint = _describe(error, tuple(at))
        line = lines.line(path) if lines is not None else None
        found.append((line if line is not None else 10**9, len(found), path, message, hint, line))
    _, _, path, message, hint, line = min(found)
    more = f" (and {len(found) - 1} more problem(s) in this file)" if len(found) > 1 else ""
    raise InputError(message + more, file=file, line=line, hint=hint)


_TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list",
    "object": "a table",
}


def _table_name(path: Sequence[Key]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "top level"


def _expect(schema: Mapping[str, Any]) -> str:
    """What a value must be, in words, from its schema (``x-expect`` wins)."""
    if "x-expect" in schema:
        return str(schema["x-expect"])
    if "enum" in schema:
        values = [str(v) if isinstance(v, int) else f'"{v}"' for v in schema["enum"]]
        return " or ".join(values) if len(values) <= 2 else "one of " + ", ".join(values)
    kind = schema.get("type")
    words = _TYPE_WORDS.get(kind, "a value") if isinstance(kind, str) else "a value"
    if "minimum" in schema:
        words += f" >= {schema['minimum']:g}"
    if "exclusiveMinimum" in schema:
        words += f" > {schema['exclusiveMinimum']:g}"
    if "maximum" in schema:
        words += f" <= {schema['maximum']:g}"
    if schema.get("format") == "finite":
        words += " (not nan or inf)"
    return words


def _shown(value: Any) -> str:
    """``value`` as TOML writes it (shortened)."""
    if isinstance(value, dict):
        text = "{...}"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and not math.isfinite(value):
        text = "nan" if value != value else ("inf" if value > 0 else "-inf")
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(error: Any, at: tuple[Key, ...]) -> tuple[tuple[Key, ...], str, str]:
    """(path of the offending key, message, fix) for one jsonschema error."""
    path = (*at, *error.absolute_path)
    schema = error.schema
    value = error.instance
    if error.validator == "additionalProperties":
        allowed = sorted(str(k) for k in schema.get("properties", {}))
        extra = [k for k in value if k not in schema.get("properties", {})]
        key = str(extra[0]) if extra else "?"
        return (
            (*path, key),
            f"unknown key `{key}` in [{_table_name(path)}]{suggest(key, allowed)}",
            f"allowed keys: {', '.join(allowed)}",
        )
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        key = missing.group(1) if missing else "?"
        return (
            path,
            f"[{_table_name(path)}] has no `{key}`",
            str(schema.get("x-fix-required", {}).get(key, f"add `{key} = ...`")),
        )
    if error.validator == "type" and schema.get("type") == "object":
        return (
            path,
            f"[{_table_name(path)}] must be a table, not {type(value).__name__}",
            f"write it as a `[{_table_name(path)}]` table with `key = value` lines",
        )
    if schema.get("x-what"):  # a name (propertyNames): the offending name is the instance
        name = str(value)
        return (
            (*path, name),
            f"{schema['x-what']} {name!r} in [{_table_name(path)}] is not valid",
            str(schema.get("x-fix", "rename it")),
        )
    key = str(path[-1]) if path else "value"
    where = _table_name(path[:-1])
    if len(path) > 1 and isinstance(path[-1], int):  # an item of a list: name the list
        key, where = f"{path[-2]}[{path[-1]}]", _table_name(path[:-2])
    expect = _expect(schema)
    detail = ""
    if error.validator == "format" and schema.get("format") == "http-url":
        from specforge.core.urls import shown, url_problem

        expect = "an http(s) URL"
        detail = f" (it {url_problem(value)})"
        value = shown(value) if isinstance(value, str) else value
    if error.validator == "enum":
        detail = suggest(str(value), [str(v) for v in schema["enum"]])
    if error.validator in ("uniqueItems", "minItems", "maxItems"):
        detail = f" ({error.message})"
    message = f"[{where}] `{key}` must be {expect} (found `{key} = {_shown(value)}`){detail}"
    fix = schema.get("x-fix") or f"set `{key}` to {expect}"
    return path, message, str(fix)
