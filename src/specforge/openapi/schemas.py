"""Schema Objects as every stage walks them: which keywords hold subschemas, which media types a
body is (JSON, multipart, form, text, binary), which schemas stand for file bytes, and which
components a set of schemas refers to."""

from __future__ import annotations

from typing import Any

from specforge.core import pointer as jp

#: keywords whose value is one subschema / a map of subschemas / a list of subschemas
SUBSCHEMA_ONE = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
    "additionalItems",
)
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")

SCHEMA_REF = "#/components/schemas/"


def is_binary(schema: Any) -> bool:
    """Whether a Schema Object stands for file bytes rather than text: 3.0's ``format: binary``
    (or base64 ``format: byte``), 3.1's ``contentMediaType``/``contentEncoding: base64``, or
    Swagger's ``type: file``. Its type, if any, must allow a string."""
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "file":
        return True
    if not (kind is None or kind == "string" or isinstance(kind, list) and "string" in kind):
        return False
    return (
        schema.get("format") in ("binary", "byte")
        or "contentMediaType" in schema
        or schema.get("contentEncoding") == "base64"
    )


def media_class(media_type: str) -> str:
    """ "json", "multipart", "form", "text" or "binary" for a media type."""
    base = media_type.split(";")[0].strip().lower()
    if base == "application/json" or base.endswith("+json"):
        return "json"
    if base.startswith("multipart/"):
        return "multipart"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("text/") or base.endswith("/xml") or base.endswith("+xml"):
        return "text"
    return "binary"


def _refs_in(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
                found.add(jp.unescape(ref[len(SCHEMA_REF) :].split("/")[0]))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def reachable_schemas(roots: Any, schemas: dict[str, Any]) -> set[str]:
    """Names in ``schemas`` (a ``components.schemas`` map) that ``roots`` refer to through
    ``#/components/schemas/...`` refs, directly or through other schemas."""
    seen: set[str] = set()
    todo = list(_refs_in(roots))
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(_refs_in(schemas[name]))
    return seen
