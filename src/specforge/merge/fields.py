"""What each variant documents, field by field, read from its SOURCE document: operation kinds,
their request/response bodies, and for every field its JSON types, shape, enum, format, examples
and the JSON pointer where the source declares it (so findings can point at the vendor's line).

Body keys: "request json", "request multipart", "request form", "response json" (the first 2xx
JSON response), "response error" (the first 4xx/5xx/default JSON response) and "query"/"path"
for parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from specforge.core import Document
from specforge.core import pointer as jp
from specforge.core.document import json_type
from specforge.core.refs import follow_local
from specforge.openapi.operations import (
    full_path,
    iter_operations,
    kind_sort_key,
    operation_kind,
    server_prefix,
)
from specforge.openapi.schemas import is_binary, media_class

_BOUNDS = re.compile(r"[(（]\s*(\d+)\s*[-–~]\s*(\d+)\s*(?:张|張|个|個|items?|images?|URLs?)?\s*[)）]")
_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")


@dataclass(frozen=True)
class FieldInfo:
    """One field of one body as a variant documents it."""

    name: str
    types: tuple[str, ...]
    shape: str
    enum: tuple[Any, ...] | None = None
    required: bool = False
    format: str | None = None
    examples: tuple[Any, ...] = ()
    pointer: str = ""
    #: where the field's schema lives after following ``$ref`` (equals ``pointer`` when inline)
    schema_pointer: str = ""
    description: str | None = None
    #: shapes of the alternatives when the field accepts several forms (``oneOf``/``anyOf``/type list)
    forms: tuple[str, ...] = ()
    #: for arrays: the item shape and bounds
    items: str | None = None
    min_items: int | None = None
    max_items: int | None = None
    default: Any = None
    #: the field's schema with ``$ref``s followed (one level deep is enough for comparisons)
    schema: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def signature(self) -> tuple[Any, ...]:
        """What two variants must agree on for the field to mean the same thing."""
        enum = tuple(sorted(map(repr, self.enum))) if self.enum else None
        return (
            self.shape,
            tuple(sorted(self.types)),
            enum,
            self.format,
            tuple(sorted(self.forms)),
            self.items,
        )

    def with_prose_bounds(self) -> FieldInfo:
        """This field with array bounds its description states in prose ("URL 数组（1-3 张）") when
        the schema itself has none: what a vendor says, for reports; the schema facts stay apart."""
        if self.shape != "array" or self.min_items is not None or self.max_items is not None:
            return self
        bounds = _BOUNDS.search(self.description or "")
        if not bounds:
            return self
        return replace(self, min_items=int(bounds.group(1)), max_items=int(bounds.group(2)))

    def describe(self) -> str:
        """Human-readable shape, e.g. "array of 1–3 strings" or "integer or string (4, 6, 8)"."""
        if self.shape == "array":
            bounds = ""
            if self.min_items is not None and self.max_items is not None:
                bounds = f"{self.min_items}–{self.max_items} "
            elif self.max_items is not None:
                bounds = f"up to {self.max_items} "
            elif self.min_items:
                bounds = f"at least {self.min_items} "
            return f"array of {bounds}{_plural(self.items or 'value')}"
        if self.forms:
            text = " or ".join(dict.fromkeys("file (binary)" if f == "binary" else f for f in self.forms))
        elif self.shape == "binary":
            text = "file (binary)"
        elif self.shape == "any":
            text = "type unstated"
        else:
            text = self.shape
        if self.format and self.shape != "binary":
            text += f" ({self.format})"
        if self.enum:
            values = ", ".join(_value(v) for v in self.enum if v is not None)
            text += f": {values}"
        if "null" in self.types and self.shape not in ("null", "any"):
            text += " (nullable)"
        return text


def _plural(word: str) -> str:
    if word == "binary":
        return "files"
    return word if word.endswith("s") else word + "s"


def _value(value: Any) -> str:
    return "null" if value is None else f'"{value}"' if isinstance(value, str) else str(value)


@dataclass
class BodyFields:
    """The fields of one body (or one parameter location) of one operation."""

    key: str
    media_type: str | None
    pointer: str
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    status: str | None = None
    #: whole-body example values the source shows (media ``example``/``examples``)
    examples: tuple[Any, ...] = ()


@dataclass
class OperationFields:
    kind: str
    method: str
    path: str  # full path, server prefix folded in
    source_path: str  # the path key as the source writes it
    pointer: str
    operation_id: str | None
    bodies: dict[str, BodyFields] = field(default_factory=dict)
    media_types: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "request"/"<status>" -> types
    statuses: tuple[str, ...] = ()
    security: tuple[str, ...] = ()


@dataclass
class VariantFields:
    """Everything :func:`extract_fields` found in one variant's source."""

    variant: str
    file: str
    operations: dict[str, OperationFields] = field(default_factory=dict)
    security_schemes: dict[str, dict[str, Any]] = field(default_factory=dict)
    servers: tuple[str, ...] = ()
    #: the source's data, for following ``$ref``s inside a field's schema
    data: Any = field(default=None, repr=False, compare=False)

    def resolve(self, schema: Any) -> Any:
        """``schema`` with its own ``$ref`` (if any) followed inside this variant's source."""
        return _Resolver(self.data).follow(schema, "")[0]

    def body(self, kind: str, key: str) -> dict[str, FieldInfo]:
        operation = self.operations.get(kind)
        body = operation.bodies.get(key) if operation else None
        return body.fields if body else {}

    def field(self, kind: str, key: str, name: str) -> FieldInfo | None:
        return self.body(kind, key).get(name)

    def kinds(self) -> list[str]:
        return sorted(self.operations, key=kind_sort_key)


class _Resolver:
    """Follows local ``$ref``s (``#/...``) in one document, refusing cycles and remote refs."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def follow(self, node: Any, pointer: str) -> tuple[Any, str]:
        return follow_local(self.data, node, pointer)


def extract_fields(variant: str, document: Document) -> VariantFields:
    """Fields per operation kind and body, with pointers into ``document`` (the source)."""
    data = document.data if isinstance(document.data, dict) else {}
    resolver = _Resolver(data)
    result = VariantFields(variant=variant, file=document.path, data=data)
    prefix = server_prefix(data.get("servers"))
    result.servers = tuple(
        s["url"] for s in data.get("servers") or [] if isinstance(s, dict) and isinstance(s.get("url"), str)
    )
    components = data.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if isinstance(schemes, dict):
        for name, scheme in schemes.items():
            resolved, _ = resolver.follow(scheme, jp.join("components", "securitySchemes", name))
            if isinstance(resolved, dict):
                result.security_schemes[name] = resolved
    root_security = _security_names(data.get("security"))
    for path, method, operation in iter_operations(data):
        item = data["paths"][path]
        item_prefix = server_prefix(item.get("servers")) or prefix
        path_full = full_path(item_prefix, path)
        kind = operation_kind(method, path_full)
        if kind in result.operations:
            continue  # the first spelling of a kind wins, as in normalize
        op_pointer = jp.join("paths", path, method)
        security = _security_names(operation["security"]) if "security" in operation else root_security
        info = OperationFields(
            kind=kind,
            method=method,
            path=path_full,
            source_path=path,
            pointer=op_pointer,
            operation_id=operation.get("operationId")
            if isinstance(operation.get("operationId"), str)
            else None,
            security=security,
        )
        _parameters(info, resolver, item, operation, op_pointer, jp.join("paths", path))
        body, body_pointer = resolver.follow(operation.get("requestBody"), op_pointer + "/requestBody")
        if isinstance(body, dict) and isinstance(body.get("content"), dict):
            info.media_types["request"] = tuple(body["content"])
            for media_type, media in body["content"].items():
                key = f"request {media_class(str(media_type))}"
                if key in info.bodies or not isinstance(media, dict):
                    continue
                _body(
                    info,
                    resolver,
                    key,
                    str(media_type),
                    media,
                    jp.child(jp.child(body_pointer, "content"), media_type),
                )
        responses = operation.get("responses")
        if isinstance(responses, dict):
            info.statuses = tuple(str(s) for s in responses)
            for status in sorted(responses, key=str):
                response, response_pointer = resolver.follow(
                    responses[status], jp.child(op_pointer + "/responses", status)
                )
                if not isinstance(response, dict):
                    continue
                content = response.get("content")
                if not isinstance(content, dict):
                    continue
                info.media_types[str(status)] = tuple(content)
                status_text = str(status)
                if status_text.startswith("2"):
                    key = "response json"
                elif status_text[:1] in ("4", "5") or status_text == "default":
                    key = "response error"
                else:
                    continue
                if key in info.bodies:
                    continue
                for media_type, media in content.items():
                    if media_class(str(media_type)) == "json" and isinstance(media, dict):
                        pointer = jp.child(jp.child(response_pointer, "content"), media_type)
                        _body(info, resolver, key, str(media_type), media, pointer, status=status_text)
                        break
        result.operations[kind] = info
    return result


def _security_names(security: Any) -> tuple[str, ...]:
    if not isinstance(security, list):
        return ()
    names: list[str] = []
    for requirement in security:
        if isinstance(requirement, dict):
            names.extend(str(k) for k in requirement)
    return tuple(dict.fromkeys(names))


def _parameters(
    info: OperationFields,
    resolver: _Resolver,
    item: dict[str, Any],
    operation: dict[str, Any],
    op_pointer: str,
    item_pointer: str,
) -> None:
    found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for holder, base in ((item, item_pointer), (operation, op_pointer)):
        for index, raw in enumerate(holder.get("parameters") or []):
            parameter, pointer = resolver.follow(raw, f"{base}/parameters/{index}")
            if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
                found[(str(parameter.get("in")), parameter["name"])] = (parameter, pointer)
    for (location, name), (parameter, pointer) in found.items():
        body = info.bodies.setdefault(location, BodyFields(key=location, media_type=None, pointer=op_pointer))
        schema, schema_pointer = resolver.follow(parameter.get("schema", {}), pointer + "/schema")
        entry = _field(
            name,
            schema if isinstance(schema, dict) else {},
            pointer,
            schema_pointer,
            resolver,
            bool(parameter.get("required")),
        )
        if parameter.get("description") and not entry.description:
            entry = _replace(entry, description=parameter["description"])
        examples = _parameter_examples(parameter)
        if examples and not entry.examples:
            entry = _replace(entry, examples=examples)
        body.fields[name] = entry


def _parameter_examples(holder: dict[str, Any]) -> tuple[Any, ...]:
    out: list[Any] = []
    if "example" in holder:
        out.append(holder["example"])
    examples = holder.get("examples")
    if isinstance(examples, dict):
        out.extend(e["value"] for e in examples.values() if isinstance(e, dict) and "value" in e)
    return tuple(out)


def _replace(entry: FieldInfo, **changes: Any) -> FieldInfo:
    return replace(entry, **changes)


def _body(
    info: OperationFields,
    resolver: _Resolver,
    key: str,
    media_type: str,
    media: dict[str, Any],
    media_pointer: str,
    *,
    status: str | None = None,
) -> None:
    schema, schema_pointer = resolver.follow(media.get("schema"), media_pointer + "/schema")
    examples = _parameter_examples(media)
    body = BodyFields(
        key=key, media_type=media_type, pointer=schema_pointer, status=status, examples=examples
    )
    info.bodies[key] = body
    if not isinstance(schema, dict):
        return
    for name, (prop, prop_pointer, required) in _properties(schema, schema_pointer, resolver).items():
        target, target_pointer = resolver.follow(prop, prop_pointer)
        merged = _merge_ref_siblings(prop, target)
        entry = _field(name, merged, prop_pointer, target_pointer, resolver, required)
        shown = [
            e[name] for e in examples if isinstance(e, dict) and name in e and e[name] not in entry.examples
        ]
        if shown:
            entry = _replace(entry, examples=entry.examples + tuple(dict.fromkeys(map(_Key, shown)).keys()))
            entry = _replace(
                entry, examples=tuple(k.value if isinstance(k, _Key) else k for k in entry.examples)
            )
        body.fields[name] = entry


class _Key:
    """Hashable wrapper so example values (possibly dicts/lists) can be de-duplicated in order."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return hash(repr(self.value))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.value == self.value


def _properties(
    schema: dict[str, Any], pointer: str, resolver: _Resolver, depth: int = 0
) -> dict[str, tuple[Any, str, bool]]:
    """Properties of an object schema, ``allOf`` parts flattened, with their declaring pointers."""
    out: dict[str, tuple[Any, str, bool]] = {}
    if depth > 16:
        return out
    required = set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
    for index, part in enumerate(schema.get("allOf") or []):
        resolved, part_pointer = resolver.follow(part, f"{pointer}/allOf/{index}")
        if isinstance(resolved, dict):
            for name, value in _properties(resolved, part_pointer, resolver, depth + 1).items():
                out.setdefault(name, value)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, prop in properties.items():
            out[name] = (prop, jp.child(f"{pointer}/properties", name), name in required)
    return {name: (p, ptr, req or name in required) for name, (p, ptr, req) in out.items()}


def _merge_ref_siblings(prop: Any, target: Any) -> dict[str, Any]:
    """OpenAPI 3.1 allows keywords next to ``$ref`` (description, examples): they win."""
    if not isinstance(target, dict):
        return {}
    if isinstance(prop, dict) and "$ref" in prop:
        return {**target, **{k: v for k, v in prop.items() if k != "$ref"}}
    return target


def _types_of(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    types = (
        [kind]
        if isinstance(kind, str)
        else [t for t in kind if isinstance(t, str)]
        if isinstance(kind, list)
        else []
    )
    if schema.get("nullable") is True and "null" not in types:
        types.append("null")
    if not types and isinstance(schema.get("enum"), list):
        types = list(dict.fromkeys(json_type(v) for v in schema["enum"]))
    if not types and "const" in schema:
        types = [json_type(schema["const"])]
    if not types and isinstance(schema.get("properties"), dict):
        types = ["object"]
    return types


def _simple_shape(schema: dict[str, Any]) -> str:
    if is_binary(schema):
        return "binary"
    types = [t for t in _types_of(schema) if t != "null"]
    if len(types) == 1:
        return types[0]
    if not types:
        return "any"
    return " or ".join(types)


def _field(
    name: str,
    schema: dict[str, Any],
    pointer: str,
    schema_pointer: str,
    resolver: _Resolver,
    required: bool,
) -> FieldInfo:
    alternatives: list[dict[str, Any]] = []
    for key in ("oneOf", "anyOf"):
        for index, alt in enumerate(schema.get(key) or []):
            resolved, _ = resolver.follow(alt, f"{schema_pointer}/{key}/{index}")
            if isinstance(resolved, dict):
                alternatives.append(_merge_ref_siblings(alt, resolved))
    types = _types_of(schema)
    forms: list[str] = []
    enum: list[Any] = list(schema["enum"]) if isinstance(schema.get("enum"), list) else []
    fmt = schema.get("format") if isinstance(schema.get("format"), str) else None
    non_null = [a for a in alternatives if _types_of(a) != ["null"]]
    for alt in alternatives:
        for t in _types_of(alt):
            if t not in types:
                types.append(t)
    if len(non_null) > 1:
        forms = [_simple_shape(a) for a in non_null]
    for alt in non_null:
        if isinstance(alt.get("enum"), list):
            enum.extend(v for v in alt["enum"] if v not in enum)
        if fmt is None and isinstance(alt.get("format"), str) and len(non_null) == 1:
            fmt = alt["format"]
    if not types and isinstance(schema.get("type"), list):
        types = list(schema["type"])
    primary = non_null[0] if len(non_null) == 1 and not schema.get("type") else schema
    real_types = [t for t in types if t != "null"]
    if len(forms) > 1 and len(set(forms)) > 1:
        shape = "oneOf"
    elif is_binary(primary) or (forms and all(f == "binary" for f in forms)):
        shape = "binary"
    elif len(real_types) == 1:
        shape = real_types[0]
    elif len(real_types) > 1:
        shape = "oneOf"
        forms = forms or real_types
    else:
        shape = "any"
    items_shape = None
    min_items = max_items = None
    if shape == "array":
        items, _ = resolver.follow(primary.get("items"), schema_pointer + "/items")
        items_shape = _simple_shape(items) if isinstance(items, dict) else "any"
        if items_shape == "string" and isinstance(items, dict):
            said = f"{primary.get('description', '')} {items.get('description', '')}".lower()
            if items.get("format") in ("uri", "url", "iri") or "url" in said:
                items_shape = "URL"
        min_items = primary.get("minItems") if isinstance(primary.get("minItems"), int) else None
        max_items = primary.get("maxItems") if isinstance(primary.get("maxItems"), int) else None

    examples: list[Any] = []
    if "example" in schema:
        examples.append(schema["example"])
    if isinstance(schema.get("examples"), list):
        examples.extend(e for e in schema["examples"] if e not in examples)
    description = schema.get("description") if isinstance(schema.get("description"), str) else None
    return FieldInfo(
        name=name,
        types=tuple(types),
        shape=shape,
        enum=tuple(enum) if enum else None,
        required=required,
        format=fmt,
        examples=tuple(examples),
        pointer=pointer,
        schema_pointer=schema_pointer,
        description=description,
        forms=tuple(forms) if shape == "oneOf" else (),
        items=items_shape,
        min_items=min_items,
        max_items=max_items,
        default=schema.get("default"),
        schema=schema,
    )


def field_info(
    name: str, schema: Any, document: Any, pointer: str = "", *, required: bool = False
) -> FieldInfo:
    """The :class:`FieldInfo` of one property schema inside ``document`` (plain data), with its
    ``$ref`` followed; merge uses it to compare variants' versions of a field."""
    resolver = _Resolver(document)
    target, target_pointer = resolver.follow(schema, pointer)
    merged = _merge_ref_siblings(schema, target)
    return _field(name, merged, pointer, target_pointer, resolver, required)


__all__ = ["BodyFields", "FieldInfo", "OperationFields", "VariantFields", "extract_fields", "field_info"]
