"""The OpenAPI 3.0 -> 3.1 upgrade, the one normalize and the mock share: ``nullable`` becomes a
type list (or ``anyOf`` with null), ``example`` becomes ``examples``, boolean exclusive bounds
become numbers, ``format: binary`` in multipart becomes ``contentMediaType``, and binary whole
bodies lose the schema their media type already states."""

from __future__ import annotations

import copy
from typing import Any

from specforge.openapi.operations import HTTP_METHODS
from specforge.openapi.schemas import (
    SUBSCHEMA_LISTS,
    SUBSCHEMA_MAPS,
    SUBSCHEMA_ONE,
    is_binary,
    media_class,
    reachable_schemas,
)


def upgrade(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` that means the same under OpenAPI 3.1 / JSON Schema 2020-12 (a 3.1
    document is returned as a copy, unchanged)."""
    doc = copy.deepcopy(document)
    if isinstance(doc, dict) and str(doc.get("openapi", "")).startswith("3.0"):
        doc["openapi"] = "3.1.0"
        upgrade_in_place(doc)
    return doc


def _form_components(doc: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """Schema components reachable from a multipart or urlencoded body: their ``format: binary``
    strings are file parts."""
    roots: list[Any] = []
    stack: list[Any] = [doc.get("paths"), doc.get("webhooks"), doc.get("components")]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "content" and isinstance(value, dict):
                    for media_type, media in value.items():
                        if media_class(str(media_type)) in ("multipart", "form") and isinstance(media, dict):
                            roots.append(media.get("schema"))
                if key != "schemas":
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return reachable_schemas(roots, schemas)


def upgrade_in_place(doc: dict[str, Any]) -> None:
    """Rewrite ``doc``'s 3.0 constructs in their 3.1 spelling (see :func:`upgrade`)."""
    components = doc.get("components")
    if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
        schemas = components["schemas"]
        forms = _form_components(doc, schemas)
        for name in list(schemas):
            schemas[name] = _schema(schemas[name], multipart=name in forms)
    if isinstance(components, dict):
        for section, fix in (
            ("parameters", _parameter),
            ("headers", _parameter),
            ("requestBodies", _body),
            ("responses", _response),
        ):
            table = components.get(section)
            if isinstance(table, dict):
                for value in table.values():
                    fix(value)
        for section in ("pathItems", "callbacks"):
            table = components.get(section)
            if isinstance(table, dict):
                for value in table.values():
                    if section == "pathItems":
                        _path_item(value)
                    elif isinstance(value, dict):
                        for item in value.values():
                            _path_item(item)
    for table_name in ("paths", "webhooks"):
        table = doc.get(table_name)
        if isinstance(table, dict):
            for item in table.values():
                _path_item(item)


def _path_item(item: Any) -> None:
    if not isinstance(item, dict):
        return
    for parameter in item.get("parameters") or []:
        _parameter(parameter)
    for method in HTTP_METHODS:
        operation = item.get(method)
        if not isinstance(operation, dict):
            continue
        for parameter in operation.get("parameters") or []:
            _parameter(parameter)
        _body(operation.get("requestBody"))
        responses = operation.get("responses")
        if isinstance(responses, dict):
            for response in responses.values():
                _response(response)
        callbacks = operation.get("callbacks")
        if isinstance(callbacks, dict):
            for callback in callbacks.values():
                if isinstance(callback, dict):
                    for sub in callback.values():
                        _path_item(sub)


def _example_to_examples(holder: dict[str, Any]) -> None:
    """Media types and parameters: ``example: x`` -> ``examples: {example: {value: x}}``."""
    if "example" not in holder:
        return
    value = holder.pop("example")
    examples = holder.get("examples")
    if not isinstance(examples, dict):
        examples = {}
    key = "example"
    index = 1
    while key in examples:
        index += 1
        key = f"example-{index}"
    holder["examples"] = {key: {"value": value}, **examples}


def _parameter(parameter: Any) -> None:
    if not isinstance(parameter, dict) or "$ref" in parameter:
        return
    _example_to_examples(parameter)
    if isinstance(parameter.get("schema"), dict):
        parameter["schema"] = _schema(parameter["schema"], multipart=False)
    _content(parameter.get("content"))


def _body(body: Any) -> None:
    if isinstance(body, dict) and "$ref" not in body:
        _content(body.get("content"))


def _response(response: Any) -> None:
    if not isinstance(response, dict) or "$ref" in response:
        return
    _content(response.get("content"))
    headers = response.get("headers")
    if isinstance(headers, dict):
        for header in headers.values():
            _parameter(header)


def _content(content: Any) -> None:
    if not isinstance(content, dict):
        return
    for media_type, media in content.items():
        if not isinstance(media, dict):
            continue
        _example_to_examples(media)
        kind = media_class(str(media_type))
        schema = media.get("schema")
        if isinstance(schema, dict):
            schema = _schema(schema, multipart=kind in ("multipart", "form"))
            if kind == "binary" and is_binary(schema):
                if set(schema) <= {"type", "format", "contentMediaType"}:
                    # OpenAPI 3.1: a binary body is described by its media type; the schema may go
                    del media["schema"]
                    continue
                schema = _binary_media(schema, str(media_type))
            media["schema"] = schema
        encoding = media.get("encoding")
        if isinstance(encoding, dict):
            for value in encoding.values():
                if isinstance(value, dict) and isinstance(value.get("headers"), dict):
                    for header in value["headers"].values():
                        _parameter(header)


def _binary_media(schema: dict[str, Any], media_type: str) -> dict[str, Any]:
    if schema.get("format") != "binary":
        return schema
    out = {k: v for k, v in schema.items() if k != "format"}
    if "*" not in media_type:
        out.setdefault("contentMediaType", media_type.split(";")[0].strip())
    return out


def _schema(schema: Any, *, multipart: bool) -> Any:
    """One schema and its subschemas, 3.1-style. Returns the (possibly new) schema object."""
    if not isinstance(schema, dict):
        return schema
    for key in SUBSCHEMA_MAPS:
        table = schema.get(key)
        if isinstance(table, dict):
            for name in list(table):
                table[name] = _schema(table[name], multipart=multipart)
    for key in SUBSCHEMA_LISTS:
        items = schema.get(key)
        if isinstance(items, list):
            schema[key] = [_schema(s, multipart=multipart) for s in items]
    for key in SUBSCHEMA_ONE:
        if isinstance(schema.get(key), dict):
            schema[key] = _schema(schema[key], multipart=multipart)
    return _schema_keywords(schema, multipart=multipart)


def _schema_keywords(schema: dict[str, Any], *, multipart: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "example":
            examples = schema.get("examples")
            merged = [value] + [e for e in examples if e != value] if isinstance(examples, list) else [value]
            out["examples"] = merged
        elif key == "examples" and "example" in schema:
            if "examples" not in out:
                out["examples"] = value
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if value and bound in schema:
                out[key] = schema[bound]
                out.pop(bound, None)
        elif key in ("minimum", "maximum") and schema.get(f"exclusive{key.title()}") is True:
            continue
        elif key == "format" and value == "binary" and multipart and schema.get("type") == "string":
            if "contentMediaType" not in schema:
                out["contentMediaType"] = "application/octet-stream"
        elif key == "nullable":
            continue
        else:
            out[key] = value
    if schema.get("nullable") is True:
        out = _nullable(out)
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        out = {k: ([v, "null"] if k == "type" else v) for k, v in schema.items()}
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    if isinstance(kind, list):
        if "null" not in kind:
            schema = {**schema, "type": [*kind, "null"]}
        return schema
    for key in ("anyOf", "oneOf"):
        alternatives = schema.get(key)
        if isinstance(alternatives, list):
            if not any(isinstance(a, dict) and a.get("type") == "null" for a in alternatives):
                schema = {**schema, key: [*alternatives, {"type": "null"}]}
            return schema
    if "$ref" in schema:
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return {"anyOf": [{"$ref": schema["$ref"]}, {"type": "null"}], **rest}
    return schema  # no type constraint: null is already allowed
