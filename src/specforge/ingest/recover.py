"""An OpenAPI YAML document printed as plain text: its fence missing, and often its indentation
lost too (a renderer that strips leading spaces turns ``paths:/  /v1/videos:/    post:`` into
flat lines). The lines are taken from ``openapi: 3.x`` to the first line that is not YAML-like;
when they do not load as an OpenAPI document as they are, their nesting is rebuilt from the
OpenAPI object model (which object may hold which key) and they are loaded again. JSON needs no
recovery: its braces carry the nesting (``embedded-json`` finds it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from specforge.core import Document, InputError, load_text
from specforge.openapi.operations import HTTP_METHODS

_START = re.compile(r"^\s*openapi\s*:\s*['\"]?3\.\d")
_YAMLISH = re.compile(r"""^\s*(?:-\s+.*|-\s*$|(?:'[^']*'|"[^"]*"|[^\s:#][^:#]*?)\s*:(?:\s.*|$))$""")

_SCALAR_SCHEMA = {
    "type", "format", "description", "title", "default", "example", "minimum", "maximum", "minLength", "maxLength",
    "pattern", "nullable", "readOnly", "writeOnly", "deprecated", "minItems", "maxItems", "uniqueItems", "const",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "$ref", "contentMediaType", "contentEncoding",
    "additionalProperties", "minProperties", "maxProperties",
}  # fmt: skip
_CONTAINER_SCHEMA = {
    "properties": "props", "items": "schema", "required": "scalars", "enum": "scalars", "oneOf": "schemas",
    "anyOf": "schemas", "allOf": "schemas", "not": "schema", "additionalProperties": "schema",
    "example": "free", "examples": "free", "default": "free", "discriminator": "free", "xml": "free",
}  # fmt: skip
#: mapping kinds: fixed keys -> child kind for an empty value ("" = scalar only)
_FIXED: dict[str, dict[str, str]] = {
    "root": {
        "openapi": "",
        "info": "info",
        "servers": "servers",
        "paths": "paths",
        "components": "components",
        "security": "security",
        "tags": "tags",
        "externalDocs": "free",
        "webhooks": "paths",
        "jsonSchemaDialect": "",
    },
    "info": {
        "title": "",
        "description": "",
        "version": "",
        "summary": "",
        "termsOfService": "",
        "contact": "free",
        "license": "free",
    },
    "server": {"url": "", "description": "", "variables": "free"},
    "pathitem": {
        **{m: "operation" for m in HTTP_METHODS},
        "parameters": "parameters",
        "summary": "",
        "description": "",
        "servers": "servers",
        "$ref": "",
    },
    "operation": {
        "tags": "scalars",
        "summary": "",
        "description": "",
        "operationId": "",
        "parameters": "parameters",
        "requestBody": "body",
        "responses": "responses",
        "security": "security",
        "deprecated": "",
        "callbacks": "free",
        "servers": "servers",
        "externalDocs": "free",
    },
    "parameter": {
        "name": "",
        "in": "",
        "required": "",
        "description": "",
        "schema": "schema",
        "example": "free",
        "examples": "free",
        "deprecated": "",
        "style": "",
        "explode": "",
        "content": "content",
        "$ref": "",
        "allowEmptyValue": "",
    },
    "body": {"description": "", "required": "", "content": "content", "$ref": ""},
    "media": {"schema": "schema", "example": "free", "examples": "free", "encoding": "free"},
    "response": {"description": "", "content": "content", "headers": "free", "links": "free", "$ref": ""},
    "components": {
        "schemas": "schemas",
        "securitySchemes": "secschemes",
        "parameters": "named-parameter",
        "responses": "named-response",
        "requestBodies": "named-body",
        "headers": "free",
        "examples": "free",
        "links": "free",
        "callbacks": "free",
    },
    "secscheme": {
        "type": "",
        "scheme": "",
        "bearerFormat": "",
        "name": "",
        "in": "",
        "description": "",
        "flows": "free",
        "openIdConnectUrl": "",
    },
    "tag": {"name": "", "description": "", "externalDocs": "free"},
}
_LISTS = {
    "servers": "server",
    "parameters": "parameter",
    "tags": "tag",
    "security": "free",
    "schemas": "schema",
    "scalars": "scalar",
}
_MAPS = {
    "paths": "pathitem",
    "content": "media",
    "responses": "response",
    "props": "schema",
    "schemas": "schema",
    "secschemes": "secscheme",
    "named-parameter": "parameter",
    "named-response": "response",
    "named-body": "body",
}


@dataclass
class _Ctx:
    kind: str
    indent: int  # indentation of this context's children
    is_list: bool = False
    #: a schema's stated ``type`` once its line is seen (keywords of other types then belong higher up)
    types: frozenset[str] = frozenset()


#: schema keywords that apply to one JSON type only: a ``required:`` after ``type: string`` is the
#: enclosing object's list, not the string property's
_TYPED_KEYWORDS = {
    "properties": "object", "required": "object", "additionalProperties": "object", "minProperties": "object",
    "maxProperties": "object", "items": "array", "minItems": "array", "maxItems": "array", "uniqueItems": "array",
}  # fmt: skip
#: keywords a 3.0 Schema Object does not have (``examples`` there belongs to the media type)
_NOT_IN_30_SCHEMA = {"examples", "const", "contentMediaType", "contentEncoding"}


def _split(line: str) -> tuple[bool, str, str]:
    """(is list item, key, value) of a stripped YAML line."""
    text = line.strip()
    item = text.startswith("-") and (len(text) == 1 or text[1] == " ")
    if item:
        text = text[1:].strip()
    match = re.match(r"""^('[^']*'|"[^"]*"|[^\s:#][^:#]*?)\s*:(?:\s+(.*)|$)""", text)
    if not match:
        return item, "", text
    return item, match.group(1).strip("'\""), (match.group(2) or "").strip()


def _accepts(ctx: _Ctx, key: str, value: str, oas30: bool = False) -> str | None:
    """The child kind when ``ctx`` can hold ``key`` ("" for a scalar), else None."""
    empty = value == "" or value in ("|", ">", "|-", ">-")
    flow = value.startswith(("[", "{"))
    kind = ctx.kind
    if ctx.is_list or kind == "scalar":
        return None
    if key.startswith("x-"):
        return "free" if empty else ""
    if kind == "free":
        return "free" if empty else ""
    if kind in _FIXED:
        child = _FIXED[kind].get(key)
        if child is None:
            return None
        return child if empty else ""
    if kind in _MAPS:
        ok = {
            "paths": key.startswith("/"),
            "content": "/" in key or key == "*",
            "responses": bool(re.fullmatch(r"[1-5](?:\d\d|XX)|default", key)),
        }.get(kind, True)
        if not ok or not empty:
            return None
        return _MAPS[kind]
    if kind == "schema":
        if oas30 and key in _NOT_IN_30_SCHEMA:
            return None
        applies_to = _TYPED_KEYWORDS.get(key)
        if applies_to and ctx.types and applies_to not in ctx.types:
            return None
        if key in _CONTAINER_SCHEMA and (empty or flow):
            return "" if flow else _CONTAINER_SCHEMA[key]
        if key in _SCALAR_SCHEMA and not empty:
            return ""
        return None
    return None


def reindent(lines: list[str]) -> list[str]:
    """``lines`` with their nesting rebuilt from the OpenAPI object model."""
    stack: list[_Ctx] = [_Ctx("root", 0)]
    out: list[str] = []
    oas30 = bool(lines) and re.match(r"^\s*openapi\s*:\s*['\"]?3\.0", lines[0]) is not None
    for raw in lines:
        if not raw.strip():
            out.append("")
            continue
        item, key, value = _split(raw)
        if item:
            while len(stack) > 1 and not stack[-1].is_list:
                stack.pop()
            ctx = stack[-1]
            if not ctx.is_list:
                out.append(raw.strip())
                continue
            element = _LISTS.get(ctx.kind, "free")
            prefix = " " * ctx.indent + "- "
            if key:
                out.append(prefix + raw.strip()[1:].strip())
                mapping = _Ctx(
                    element if element in _FIXED or element == "schema" else "free", ctx.indent + 2
                )
                stack.append(mapping)
                child = _accepts(mapping, key, value, oas30)
                if child:
                    _push(stack, child, ctx.indent + 4)
            else:
                out.append(prefix + value)
            continue
        if not key:
            out.append(" " * stack[-1].indent + raw.strip())
            continue
        depth = _owner(stack, key, value, oas30)
        del stack[depth + 1 :]
        ctx = stack[-1]
        child = _accepts(ctx, key, value, oas30)
        out.append(" " * ctx.indent + raw.strip())
        if ctx.kind == "schema" and key == "type" and value:
            ctx.types = frozenset(t.strip(" '\"") for t in value.strip("[]").split(","))
        if child:
            _push(stack, child, ctx.indent + 2)
    return out


#: keys that belong to the OpenAPI structure rather than to a property of the same name
_STRUCTURAL = {
    "paths",
    "components",
    "responses",
    "requestBody",
    "parameters",
    "schemas",
    "securitySchemes",
    "servers",
    "security",
    "info",
    "tags",
    *HTTP_METHODS,
}


def _owner(stack: list[_Ctx], key: str, value: str, oas30: bool = False) -> int:
    """Index of the context that holds ``key``: the nearest that accepts it, unless that is a
    map of names (properties, schemas) or a free-form value (an example) and an enclosing object
    has ``key`` as a fixed field (``security: []`` after a response example is the document's,
    ``required:`` after the last property is the object schema's list)."""
    nearest = None
    for depth in range(len(stack) - 1, -1, -1):
        if _accepts(stack[depth], key, value, oas30) is None:
            continue
        if nearest is None:
            nearest = depth
            if (
                key == "required"
                and stack[depth].kind == "props"
                and depth > 0
                and _accepts(stack[depth - 1], key, value, oas30) is not None
            ):
                return depth - 1  # the object schema that holds these properties
            if (stack[depth].kind not in _MAPS and stack[depth].kind != "free") or key not in _STRUCTURAL:
                return depth
        elif stack[depth].kind in _FIXED:
            return depth
    return nearest if nearest is not None else 0


def _push(stack: list[_Ctx], kind: str, indent: int) -> None:
    if kind in _LISTS or kind in ("scalars", "security", "tags", "servers", "parameters", "schemas"):
        stack.append(_Ctx(kind, indent, is_list=True))
    else:
        stack.append(_Ctx(kind, indent))


def recover_openapi(text: str, display: str, skip: set[int]) -> tuple[Document, int, int] | None:
    """An OpenAPI YAML document printed in the page's prose (outside ``skip`` lines), with its
    nesting rebuilt when it was lost: (document, first page line, last page line)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if index + 1 in skip or not _START.match(line):
            continue
        end = index + 1
        while (
            end < len(lines)
            and end + 1 not in skip
            and (not lines[end].strip() or _YAMLISH.match(lines[end]))
        ):
            end += 1
        while end > index + 1 and not lines[end - 1].strip():
            end -= 1
        block = lines[index:end]
        for attempt in (block, reindent(block)):
            body = "\n" * index + "\n".join(attempt) + "\n"
            try:
                document = load_text(body, display + ".yaml")
            except InputError:
                continue
            data = document.data
            paths = data.get("paths") if isinstance(data, dict) else None
            if isinstance(paths, dict) and paths and all(isinstance(v, dict) for v in paths.values()):
                return document, index + 1, end
    return None
