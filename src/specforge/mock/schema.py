"""OpenAPI schemas as the mock needs them: JSON Schema 2020-12 validators that resolve local
``$ref`` against the whole document, small structural queries (types, properties, enums) that follow ``$ref``,
``allOf`` and ``anyOf``/``oneOf``, and coercion of multipart text fields to the types a schema
expects (a form carries only strings and files)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from specforge.core import pointer as jp
from specforge.core.document import json_type
from specforge.core.errors import InputError
from specforge.core.refs import resolve_local, rewrite_refs
from specforge.openapi.validation import RefGuard

#: the URI the whole OpenAPI document is registered under; refs are made absolute against it
ROOT_URI = "urn:specforge:mock:spec"
_MAX_DEPTH = 32


def local_refs_only(document: Any, file: str | None = None) -> None:
    """Refuse remote or relative-file ``$ref``: the mock never touches the network or disk for a ref."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                raise InputError(
                    f"`$ref: {ref}` at {where or '/'} is not a local reference",
                    file=file,
                    hint="bundle the spec first so every $ref starts with '#/'",
                )
            stack.extend((v, jp.child(where, str(k))) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, jp.child(where, str(i))) for i, v in enumerate(node))


class Schemas:
    """Validators and structural queries over one (upgraded) OpenAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = _absolute_refs(document)
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        # other files / URLs only through core's guard (which refuses them: a mock spec is one document)
        registry: Registry[Any] = RefGuard(None).registry()
        self._registry = registry.with_resource(ROOT_URI, resource)
        self._validators: dict[int, Draft202012Validator] = {}
        self._keep: list[Any] = []  # keeps cached schema nodes alive so their ids stay unique

    # -- validation -------------------------------------------------------------------------
    def validator(self, schema: Any) -> Draft202012Validator:
        """A validator for a schema node of this document (cached by identity; refs resolve
        against the whole document because they were made absolute)."""
        found = self._validators.get(id(schema))
        if found is None:
            found = Draft202012Validator(
                schema if isinstance(schema, dict | bool) else {},
                registry=self._registry,
                format_checker=FORMATS,
            )
            self._validators[id(schema)] = found
            self._keep.append(schema)
        return found

    def errors(self, schema: Any, instance: Any) -> list[str]:
        """Human-readable validation errors (empty when ``instance`` is valid), at most five."""
        try:
            found = sorted(self.validator(schema).iter_errors(instance), key=lambda e: list(map(str, e.path)))
        except RecursionError:
            return ["the value is nested too deeply"]
        except Exception as exc:  # noqa: BLE001 - an unresolvable schema is reported, not raised
            return [f"the schema cannot be applied: {exc}"]
        messages = []
        for error in found[:5]:
            where = "/".join(str(p) for p in error.absolute_path)
            text = error.message if len(error.message) <= 200 else error.message[:197] + "..."
            messages.append(f"{where}: {text}" if where else text)
        return messages

    def is_valid(self, schema: Any, instance: Any) -> bool:
        try:
            return bool(self.validator(schema).is_valid(instance))
        except Exception:  # noqa: BLE001 - RecursionError or an unresolvable schema: not valid
            return False

    # -- structure --------------------------------------------------------------------------
    def deref(self, node: Any) -> Any:
        """Follow a chain of local ``$ref`` (a ref next to other keywords is merged under them)."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"].removeprefix(ROOT_URI)
            found = resolve_local(self.document, ref) if ref not in seen else None
            if found is None:  # a cycle, remote or dangling ref means "no constraint" for shaping
                return {}
            seen.add(ref)
            target = found[0]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **siblings} if siblings and isinstance(target, dict) else target
        return node

    def branches(self, schema: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
        """The schema and every schema it is composed of (allOf/anyOf/oneOf), refs followed."""
        node = self.deref(schema)
        if not isinstance(node, dict) or depth > _MAX_DEPTH:
            return
        yield node
        for key in ("allOf", "anyOf", "oneOf"):
            subs = node.get(key)
            if isinstance(subs, list):
                for sub in subs:
                    yield from self.branches(sub, depth + 1)

    def types(self, schema: Any) -> frozenset[str]:
        """JSON types a schema admits (empty = unconstrained)."""
        found: set[str] = set()
        for node in self.branches(schema):
            kind = node.get("type")
            if isinstance(kind, str):
                found.add(kind)
            elif isinstance(kind, list):
                found.update(k for k in kind if isinstance(k, str))
            elif isinstance(node.get("enum"), list):
                found.update(json_type(v) for v in node["enum"])
            elif "const" in node:
                found.add(json_type(node["const"]))
            elif "properties" in node:
                found.add("object")
            elif "items" in node:
                found.add("array")
        return frozenset(found)

    def properties(self, schema: Any) -> dict[str, Any]:
        """Property name -> schema, merged over allOf/anyOf/oneOf branches (first one wins)."""
        merged: dict[str, Any] = {}
        for node in self.branches(schema):
            props = node.get("properties")
            if isinstance(props, dict):
                for name, sub in props.items():
                    merged.setdefault(str(name), sub)
        return merged

    def required(self, schema: Any) -> frozenset[str]:
        names: set[str] = set()
        for node in self.branches(schema):
            value = node.get("required")
            if isinstance(value, list):
                names.update(str(v) for v in value)
        return frozenset(names)

    def enum(self, schema: Any) -> tuple[Any, ...]:
        values: list[Any] = []
        for node in self.branches(schema):
            if isinstance(node.get("enum"), list):
                values.extend(v for v in node["enum"] if v not in values)
            elif "const" in node and node["const"] not in values:
                values.append(node["const"])
        return tuple(values)

    def samples(self, schema: Any) -> list[Any]:
        """Documented values of a schema: default, const, example(s), then enum members."""
        values: list[Any] = []
        for node in self.branches(schema):
            for key in ("default", "const", "example"):
                if key in node:
                    values.append(node[key])
            if isinstance(node.get("examples"), list):
                values.extend(node["examples"])
        values.extend(self.enum(schema))
        return values

    # -- multipart --------------------------------------------------------------------------
    def coerce_form(self, schema: Any, fields: dict[str, list[Any]]) -> dict[str, Any]:
        """Turn multipart fields (text or ``FormFile``) into the JSON value the schema expects.

        Each text value becomes the first reading (as text, integer, number, boolean, JSON) that the
        property's schema accepts; when none does, the text stays and validation reports it. A
        field repeated or declared as an array becomes a list."""
        props = self.properties(schema)
        result: dict[str, Any] = {}
        for name, values in fields.items():
            prop = props.get(name, {})
            if len(values) > 1:
                result[name] = [self._reading(self._items(prop), v) for v in values]
                continue
            reading = self._reading(prop, values[0])
            # one part for an array field is a one-item array, unless it is written as JSON (then
            # the reading is already a list/dict); text that merely starts with "[" is an item too
            if (
                "array" in self.types(prop)
                and not isinstance(reading, list | dict)
                and not self.is_valid(prop, reading)
            ):
                wrapped = [self._reading(self._items(prop), values[0])]
                if self.is_valid(prop, wrapped):
                    reading = wrapped
            result[name] = reading
        return result

    def _items(self, schema: Any) -> Any:
        return next((n.get("items") for n in self.branches(schema) if "items" in n), {})

    def _reading(self, schema: Any, value: Any) -> Any:
        if isinstance(value, FormFile):
            return value.placeholder
        text = str(value)
        candidates: list[Any] = [text]
        kinds = self.types(schema)
        try:
            number = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            number = None
        if kinds & {"integer", "number", "boolean", "object", "array", "null"} and number is not None:
            candidates.append(number)
        if "boolean" in kinds and text in ("True", "False"):
            candidates.append(text == "True")
        if not kinds or "string" in kinds:
            return text
        for candidate in candidates[1:]:
            if self.is_valid(schema, candidate):
                return candidate
        return candidates[-1] if len(candidates) > 1 else text


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]*$")

#: jsonschema's checkers (those whose libraries are installed) plus ``uri`` (RFC 3986 shape:
#: a scheme, a colon, no whitespace), which jsonschema only checks with the optional rfc3987
FORMATS = FormatChecker()


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI.match(value))


class FormFile:
    """A multipart file part: validated as the string its schema (``format: binary``) expects."""

    def __init__(self, filename: str | None, size: int) -> None:
        self.filename = filename
        self.size = size

    @property
    def placeholder(self) -> str:
        return f"<file {self.filename or 'upload'} ({self.size} bytes)>"


def _absolute_refs(document: dict[str, Any]) -> dict[str, Any]:
    """A copy whose local refs name the document's URI, so any sub-schema validates on its own."""
    doc = copy.deepcopy(document)
    rewrite_refs(doc, lambda ref: ROOT_URI + ref if ref.startswith("#") else ref)
    return doc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def parse_json(body: bytes) -> Any:
    """Strict JSON (no NaN/Infinity); ``ValueError`` for anything else, including deep nesting
    and a lone surrogate escape (``"\\ud800"``): such a string is not Unicode text, could never be
    answered as UTF-8 and, once stored, would break every list of jobs."""
    try:
        text = body.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except UnicodeDecodeError:
        raise ValueError("body is not UTF-8") from None
    if _SURROGATE_ESCAPE.search(text):
        _reject_lone_surrogates(value)
    return value


def _reject_lone_surrogates(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(
                    f"a string holds a lone surrogate (U+{ord(item[exc.start]):04X}), which is not Unicode text"
                ) from None
