"""A read-only view of one OpenAPI document for rules: its operations, media types and Schema
Objects with their JSON pointers, and local ``$ref`` resolution. Everything is computed once per
document (one walk) and shared by all rules, which keeps the 3 MB OpenAI spec fast."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from specforge.core import pointer as jp
from specforge.core.refs import follow_local, resolve_local
from specforge.openapi.operations import HTTP_METHODS
from specforge.openapi.schemas import SUBSCHEMA_LISTS, SUBSCHEMA_MAPS, SUBSCHEMA_ONE

#: keyword -> 1 (one subschema), 2 (map of subschemas), 3 (list of subschemas)
_KEYWORD_KIND = {
    **dict.fromkeys(SUBSCHEMA_ONE, 1),
    **dict.fromkeys(SUBSCHEMA_MAPS, 2),
    **dict.fromkeys(SUBSCHEMA_LISTS, 3),
}


def _escape(token: str) -> str:
    return token if "~" not in token and "/" not in token else jp.escape(token)


@dataclass(frozen=True, slots=True)
class Operation:
    pointer: str
    path: str
    method: str
    value: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Media:
    """A Media Type Object: ``where`` is "request" or "response"; ``status`` the response code."""

    pointer: str
    media_type: str
    value: dict[str, Any]
    where: str
    operation: Operation | None = None
    status: str | None = None


class SchemaNode(NamedTuple):
    """A Schema Object and where it is (a tuple: the walk creates thousands of them)."""

    pointer: str
    value: dict[str, Any]
    #: the property name this schema is the value of (``properties/<name>``), else None
    name: str | None = None


class Spec:
    """One OpenAPI document as rules see it."""

    def __init__(self, data: dict[str, Any], path: str = "<input>") -> None:
        self.data = data
        self.path = path

    @cached_property
    def version(self) -> str | None:
        """ "3.0" or "3.1" (None when the document is not OpenAPI 3.x)."""
        value = self.data.get("openapi")
        if isinstance(value, str):
            if value.startswith("3.0"):
                return "3.0"
            if value.startswith("3.1"):
                return "3.1"
        return None

    # --- references -------------------------------------------------------------------------
    def resolve_ref(self, ref: str) -> tuple[Any, str] | None:
        """The value a local ``#/...`` reference names, and its pointer; None when unresolvable
        (or not local)."""
        return resolve_local(self.data, ref)

    def deref(self, value: Any, pointer: str) -> tuple[Any, str]:
        """Follow local ``$ref`` chains from ``value`` (at ``pointer``); stops at cycles and at
        unresolvable references (returning the last value reached)."""
        return follow_local(self.data, value, pointer)

    def media_examples(self, media: Media) -> Iterator[tuple[str, str, Any]]:
        """(pointer relative to ``media``, label, value) of its ``example`` and each
        ``examples.*.value``; a shared component example (``$ref``) is placed where it is written
        (``#/components/examples/...``)."""
        if "example" in media.value:
            yield "/example", "example", media.value["example"]
        examples = media.value.get("examples")
        if isinstance(examples, dict):
            for name, example in examples.items():
                value, at = self.deref(example, f"{media.pointer}/examples/{jp.escape(name)}")
                if isinstance(value, dict) and "value" in value:
                    relative = at[len(media.pointer) :] if at.startswith(media.pointer + "/") else f"#{at}"
                    yield f"{relative}/value", f"example `{name}`", value["value"]

    # --- the walk ---------------------------------------------------------------------------
    @cached_property
    def refs(self) -> list[tuple[str, str]]:
        """Every ``$ref`` string in the document: (pointer of the object holding it, ref)."""
        found: list[tuple[str, str]] = []
        stack: list[tuple[Any, str]] = [(self.data, "")]
        pop, push, escape = stack.pop, stack.append, _escape
        while stack:
            node, here = pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    found.append((here, ref))
                for key, value in node.items():
                    if isinstance(value, dict | list):
                        push((value, f"{here}/{escape(key)}"))
            else:
                for index, value in enumerate(node):
                    if isinstance(value, dict | list):
                        push((value, f"{here}/{index}"))
        return found

    @cached_property
    def operations(self) -> list[Operation]:
        found: list[Operation] = []
        for base, paths in self._path_maps():
            for path, item in paths.items():
                if not isinstance(item, dict):
                    continue
                item_pointer = jp.child(base, path)
                for method in HTTP_METHODS:
                    op = item.get(method)
                    if isinstance(op, dict):
                        found.append(Operation(f"{item_pointer}/{method}", path, method, op))
        return found

    def _path_maps(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for top in ("paths", "webhooks"):
            paths = self.data.get(top)
            if isinstance(paths, dict):
                yield f"/{top}", paths

    @cached_property
    def media(self) -> list[Media]:
        """Every Media Type Object of every request body and response (operations and
        components), with the operation it belongs to when there is one."""
        found: list[Media] = []
        for op in self.operations:
            body = op.value.get("requestBody")
            if isinstance(body, dict):
                found.extend(self._content(body, f"{op.pointer}/requestBody", "request", op, None))
            responses = op.value.get("responses")
            if isinstance(responses, dict):
                for status, response in responses.items():
                    here = jp.child(f"{op.pointer}/responses", status)
                    found.extend(self._content(response, here, "response", op, str(status)))
        components = self.data.get("components")
        if isinstance(components, dict):
            for section, where in (("requestBodies", "request"), ("responses", "response")):
                table = components.get(section)
                if isinstance(table, dict):
                    for name, value in table.items():
                        found.extend(
                            self._content(value, jp.join("components", section, name), where, None, None)
                        )
        return found

    @staticmethod
    def _content(
        owner: Any, pointer: str, where: str, op: Operation | None, status: str | None
    ) -> list[Media]:
        if not isinstance(owner, dict) or not isinstance(owner.get("content"), dict):
            return []
        return [
            Media(jp.child(f"{pointer}/content", name), name, value, where, op, status)
            for name, value in owner["content"].items()
            if isinstance(value, dict)
        ]

    @cached_property
    def schemas(self) -> list[SchemaNode]:
        """Every Schema Object written in the document (not following ``$ref``), nested ones
        included, each once."""
        roots: list[tuple[Any, str]] = []
        components = self.data.get("components")
        if isinstance(components, dict):
            table = components.get("schemas")
            if isinstance(table, dict):
                roots.extend((v, jp.join("components", "schemas", k)) for k, v in table.items())
            for section in ("parameters", "headers"):
                entries = components.get(section)
                if isinstance(entries, dict):
                    for name, value in entries.items():
                        roots.extend(self._parameter_schemas(value, jp.join("components", section, name)))
        for media in self.media:
            if "schema" in media.value:
                roots.append((media.value["schema"], f"{media.pointer}/schema"))
            encoding = media.value.get("encoding")
            if isinstance(encoding, dict):
                for name, enc in encoding.items():
                    headers = enc.get("headers") if isinstance(enc, dict) else None
                    if isinstance(headers, dict):
                        for hname, header in headers.items():
                            here = f"{media.pointer}/encoding/{jp.escape(name)}/headers/{jp.escape(hname)}"
                            roots.extend(self._parameter_schemas(header, here))
        for base, paths in self._path_maps():
            for path, item in paths.items():
                if not isinstance(item, dict):
                    continue
                item_pointer = jp.child(base, path)
                for index, param in enumerate(item.get("parameters") or []):
                    roots.extend(self._parameter_schemas(param, f"{item_pointer}/parameters/{index}"))
        for op in self.operations:
            params = op.value.get("parameters")
            if isinstance(params, list):
                for index, param in enumerate(params):
                    roots.extend(self._parameter_schemas(param, f"{op.pointer}/parameters/{index}"))
            responses = op.value.get("responses")
            if isinstance(responses, dict):
                for status, response in responses.items():
                    headers = response.get("headers") if isinstance(response, dict) else None
                    if isinstance(headers, dict):
                        for hname, header in headers.items():
                            here = f"{op.pointer}/responses/{jp.escape(status)}/headers/{jp.escape(hname)}"
                            roots.extend(self._parameter_schemas(header, here))
        found: list[SchemaNode] = []
        seen: set[int] = set()
        esc = _escape
        kinds = _KEYWORD_KIND
        stack: list[tuple[Any, str, str | None]] = [(v, p, None) for v, p in reversed(roots)]
        pop, push, append = stack.pop, stack.append, found.append
        while stack:
            node, here, name = pop()
            if not isinstance(node, dict) or id(node) in seen:
                continue
            seen.add(id(node))
            append(SchemaNode(here, node, name))
            children: list[tuple[Any, str, str | None]] = []
            for keyword, value in node.items():
                kind = kinds.get(keyword)
                if kind is None:
                    continue
                if kind == 1:
                    if isinstance(value, dict):
                        children.append((value, f"{here}/{keyword}", None))
                    elif keyword == "items" and isinstance(value, list):
                        children.extend((v, f"{here}/items/{i}", None) for i, v in enumerate(value))
                elif kind == 2:
                    if isinstance(value, dict):
                        prefix = f"{here}/{esc(keyword)}/"
                        if keyword == "properties":
                            children.extend((v, prefix + esc(k), k) for k, v in value.items())
                        else:
                            children.extend((v, prefix + esc(k), None) for k, v in value.items())
                elif isinstance(value, list):
                    children.extend((v, f"{here}/{keyword}/{i}", None) for i, v in enumerate(value))
            for child in reversed(children):
                push(child)
        return found

    def schemas_having(self, keys: tuple[str, ...]) -> list[SchemaNode]:
        """The Schema Objects that have at least one of ``keys`` (rules that only look at
        ``example`` or ``required`` skip the rest), computed once per key set."""
        cache: dict[tuple[str, ...], list[SchemaNode]] = self.__dict__.setdefault("_having", {})
        if keys not in cache:
            if len(keys) == 1:
                key = keys[0]
                cache[keys] = [n for n in self.schemas if key in n.value]
            else:
                cache[keys] = [n for n in self.schemas if any(k in n.value for k in keys)]
        return cache[keys]

    def _parameter_schemas(self, param: Any, pointer: str) -> list[tuple[Any, str]]:
        if not isinstance(param, dict) or "$ref" in param:
            return []
        out: list[tuple[Any, str]] = []
        if "schema" in param:
            out.append((param["schema"], f"{pointer}/schema"))
        content = param.get("content")
        if isinstance(content, dict):
            for name, media in content.items():
                if isinstance(media, dict) and "schema" in media:
                    out.append((media["schema"], f"{pointer}/content/{jp.escape(name)}/schema"))
        return out

    # --- small helpers rules share ----------------------------------------------------------
    def schema_types(self, schema: Any, pointer: str = "", depth: int = 0) -> set[str]:
        """The JSON types a schema admits (following refs and oneOf/anyOf/allOf); empty = any."""
        schema, pointer = self.deref(schema, pointer)
        if not isinstance(schema, dict) or depth > 16:
            return set()
        kinds: set[str] = set()
        declared = schema.get("type")
        if isinstance(declared, str):
            kinds.add(declared)
        elif isinstance(declared, list):
            kinds.update(t for t in declared if isinstance(t, str))
        if schema.get("nullable") is True and kinds:
            kinds.add("null")
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list):
                for index, branch in enumerate(branches):
                    kinds |= self.schema_types(branch, f"{pointer}/{keyword}/{index}", depth + 1)
        if not kinds and isinstance(schema.get("allOf"), list):
            for index, branch in enumerate(schema["allOf"]):
                kinds |= self.schema_types(branch, f"{pointer}/allOf/{index}", depth + 1)
        if "integer" in kinds and "number" in kinds:
            kinds.discard("integer")
        return kinds

    def properties(self, schema: Any, pointer: str, depth: int = 0) -> dict[str, tuple[Any, str]]:
        """An object schema's properties (name -> (schema, pointer)), following refs and allOf."""
        schema, pointer = self.deref(schema, pointer)
        out: dict[str, tuple[Any, str]] = {}
        if not isinstance(schema, dict) or depth > 16:
            return out
        for index, branch in enumerate(schema.get("allOf") or []):
            out.update(self.properties(branch, f"{pointer}/allOf/{index}", depth + 1))
        props = schema.get("properties")
        if isinstance(props, dict):
            for name, value in props.items():
                out[name] = (value, f"{pointer}/properties/{jp.escape(name)}")
        return out
