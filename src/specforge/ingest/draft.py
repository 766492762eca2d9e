"""A DRAFT OpenAPI source built from a page's own evidence (``extract = "auto"`` when the page
carries no OpenAPI document). Every operation, property, enum and example cites its page line
(``x-specforge-source``) and says how it was learned (``x-specforge-evidence``: ``table``,
``field-list``, ``example`` or ``prose``); a property the page names without a type is marked
``x-specforge-type: unstated``. Contradictions inside the page (a table naming ``duration``
beside a curl sending ``seconds``) are kept as they are, for lint to report."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from genson import SchemaBuilder

from specforge.core import InputError
from specforge.ingest.evidence import Evidence, Field, Route, gather
from specforge.ingest.examples import PageExample, is_error_envelope, page_examples
from specforge.ingest.reader import read_units
from specforge.openapi.operations import base_path

DRAFT_MODE = "draft"
STATUS_KEY = "x-specforge-status-values"


@dataclass(frozen=True)
class Finding:
    """One row of ``ingest --explain``: what was found, where, and how."""

    route: str
    what: str  # route | field | enum | status | server | auth | example | media
    name: str
    type: str
    line: int
    evidence: str
    section: str = ""


@dataclass
class Draft:
    data: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    examples: list[PageExample] = field(default_factory=list)


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _camel(word: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", word) if part)


#: last path segments that are a verb, not a resource (``/v1/video/create``, ``/api/video/submit``)
_VERB_TAILS = frozenset({"create", "submit", "generate"})


def operation_id(method: str, path: str) -> str:
    """``createVideo``/``retrieveVideo``/``retrieveVideoContent``/``listVideos``/… from the
    route's shape (collection, item, item action); other shapes: method + path words."""
    segments = [s for s in path.strip("/").split("/") if s]
    words = [s for s in segments if not s.startswith("{") and not re.fullmatch(r"v\d+(\.\d+)?", s)]
    method = method.lower()
    if method == "post" and len(words) >= 2 and segments[-1].lower() in _VERB_TAILS:
        return f"create{_camel(_singular(words[-2]))}"  # task-style ``POST /v1/video/create``
    is_param = [s.startswith("{") for s in segments]
    resource = _camel(_singular(words[-1])) if words else "Resource"
    if segments and not is_param[-1] and (len(segments) < 2 or not is_param[-2]):
        collection = _camel(words[-1]) if words else "Resources"
        return {"post": f"create{resource}", "get": f"list{collection}"}.get(method, method + collection)
    if segments and is_param[-1]:
        return {
            "get": "retrieve",
            "delete": "delete",
            "put": "replace",
            "patch": "update",
            "post": "update",
        }.get(method, method) + resource
    if len(segments) >= 2 and is_param[-2]:
        owner = _camel(_singular(words[-2])) if len(words) >= 2 else "Resource"
        action = _camel(segments[-1])
        if method == "get":
            return f"retrieve{owner}{action}"
        return f"{segments[-1].lower()}{owner}" if method == "post" else f"{method}{owner}{action}"
    return method + "".join(_camel(w) for w in words)


def _strip_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip_required(v) for k, v in schema.items() if k not in ("required", "$schema")}
    if isinstance(schema, list):
        return [_strip_required(v) for v in schema]
    return schema


def infer_schema(values: list[Any]) -> dict[str, Any]:
    """The JSON Schema of example values (genson), without ``required`` (an example does not say
    what is required)."""
    builder = SchemaBuilder(schema_uri=None)
    for value in values:
        builder.add_object(value)
    return dict(_strip_required(builder.to_schema()))


class _Builder:
    def __init__(self, doc: str, ev: Evidence, examples: list[PageExample]) -> None:
        self.doc = doc
        self.ev = ev
        self.examples = examples
        self.findings: list[Finding] = []

    def src(self, line: int) -> str:
        return f"{self.doc}:{line}"

    # properties ---------------------------------------------------------------
    def prop(self, f: Field, route: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if f.schema is not None:
            out.update({k: copy.deepcopy(v) for k, v in f.schema.items() if k != "x-specforge-enum-type"})
        else:
            out["x-specforge-type"] = "unstated"
        if f.type_text and f.schema is None:
            out["x-specforge-type-text"] = f.type_text
        if f.description:
            out["description"] = f.description
        if f.enum:
            # a page listing a value twice lists it once (JSON Schema wants enum items unique)
            out["enum"] = _unique([_typed(v, out.get("type")) for v in f.enum])
            out["x-specforge-enum-source"] = self.src(f.enum_line or f.line)
            out["x-specforge-enum-evidence"] = f.evidence
            self.findings.append(
                Finding(
                    route,
                    "enum",
                    f.name,
                    ", ".join(map(str, f.enum))[:60],
                    f.enum_line or f.line,
                    f.evidence,
                    f.section,
                )
            )
        if f.has_default:
            out["default"] = _typed(f.default, out.get("type"))
        if f.description and out.get("type") in ("integer", "number"):
            out.update(_range(f.description))
        if f.description and any(w in f.description.lower() for w in _deprecated_words()):
            out["deprecated"] = True
        if f.examples:
            out["examples"] = list(f.examples)
            out["x-specforge-example-source"] = self.src(f.example_line or f.line)
        out["x-specforge-source"] = self.src(f.line)
        out["x-specforge-evidence"] = f.evidence
        self.findings.append(
            Finding(
                route,
                "field",
                f"{f.parent + '.' if f.parent else ''}{f.name}",
                _type_label(f.schema),
                f.line,
                f.evidence,
                f.section,
            )
        )
        return out

    def object_schema(self, fields: list[Field], route: str, line: int, evidence: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object", "properties": {}}
        merged: dict[str, Field] = {}
        order: list[str] = []
        for f in fields:
            key = f"{f.parent}.{f.name}" if f.parent else f.name
            if key not in merged:
                merged[key] = f
                order.append(key)
                continue
            first = merged[key]
            if first.schema is None and f.schema is not None:
                first.schema, first.type_text = f.schema, f.type_text
            if first.enum is None and f.enum:
                first.enum, first.enum_line = f.enum, f.enum_line
            if not first.description and f.description:
                first.description = f.description
            if not first.examples and f.examples:
                first.examples, first.example_line = f.examples, f.example_line
            if first.required is None and f.required is not None:
                first.required = f.required
        required: list[str] = []
        for key in order:
            f = merged[key]
            target: dict[str, Any] | None = schema
            if f.parent:
                target = self._parent(schema, f.parent)
            if target is None:
                continue
            target.setdefault("properties", {})[f.name] = self.prop(f, route)
            if f.required:
                target.setdefault("required", []).append(f.name) if target is not schema else required.append(
                    f.name
                )
        if required:
            schema["required"] = required
        schema["x-specforge-source"] = self.src(line)
        schema["x-specforge-evidence"] = evidence
        return schema

    def _parent(self, schema: dict[str, Any], dotted: str) -> dict[str, Any] | None:
        node: dict[str, Any] | None = schema
        for part in dotted.split("."):
            if node is None:
                return None
            props = node.get("properties", {})
            child = props.get(part.removesuffix("[]"))
            if not isinstance(child, dict):
                return None
            if child.get("type") == "array":
                items = child.setdefault("items", {})
                items.setdefault("type", "object")
                node = items
            else:
                if "type" not in child and child.get("x-specforge-type") == "unstated":
                    pass
                node = child
        return node

    def example_schema(
        self, values: list[tuple[Any, int, str]], route: str, section: str
    ) -> dict[str, Any] | None:
        """An object schema inferred from example values (the page lists no fields)."""
        objects = [(v, line, media) for v, line, media in values if isinstance(v, dict)]
        if not objects:
            return None
        props: dict[str, Any] = {}
        for value, line, media in objects:
            for name, item in value.items():
                if name in props:
                    continue
                if media == "multipart/form-data":
                    schema: dict[str, Any] = (
                        {"type": "string", "format": "binary"}
                        if isinstance(item, str) and item.startswith("@")
                        else {"x-specforge-type": "unstated"}
                    )
                else:
                    schema = infer_schema([item])
                    if isinstance(item, (str, int, float, bool)):
                        schema["examples"] = [item]  # the value the page shows
                schema["x-specforge-source"] = self.src(line)
                schema["x-specforge-evidence"] = "example"
                props[name] = schema
                self.findings.append(
                    Finding(route, "field", name, _type_label(schema), line, "example", section)
                )
        return {
            "type": "object",
            "properties": props,
            "x-specforge-source": self.src(objects[0][1]),
            "x-specforge-evidence": "example",
        }


def _deprecated_words() -> frozenset[str]:
    from specforge.ingest.evidence import _words

    return _words("deprecated")


def _typed(value: Any, kind: Any) -> Any:
    """A listed value as the field's stated type has it (``4`` of a string field is ``"4"``)."""
    if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if kind in ("integer", "number") and isinstance(value, str):
        try:
            return int(value) if kind == "integer" and re.fullmatch(r"-?\d+", value) else float(value)
        except ValueError:
            return value
    if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _type_label(schema: dict[str, Any] | None) -> str:
    if not schema:
        return "unstated"
    kind = schema.get("type", "unstated")
    if isinstance(kind, list):
        kind = "|".join(kind)
    if kind == "array":
        items = schema.get("items")
        return f"{_type_label(items) if isinstance(items, dict) else 'unstated'}[]"
    if schema.get("format") == "binary":
        return "file"
    return str(kind)


def _media_of(ev: Evidence, route_index: int, fields: list[Field]) -> list[tuple[str, int]]:
    found: dict[str, int] = {}
    for route, section, media, line in ev.media:
        if (
            route == route_index
            and section in ("request", "unknown")
            and media not in ("video/mp4", "application/octet-stream")
        ):
            found.setdefault(media, line)
    for f in fields:
        if f.media and f.media not in found:
            found[f.media] = f.line
    return sorted(found.items(), key=lambda kv: kv[1])


def build_draft(text: str, doc: str, suffix: str = "", *, html_page: bool = False) -> Draft:
    """The draft source of a page with no OpenAPI document; ``InputError`` when the page names
    no route at all (then nothing can be drafted without inventing one)."""
    units = read_units(text, suffix)
    ev = gather(units, text)
    offered = [r for r in ev.routes if not r.not_offered]
    if not offered:
        raise InputError(
            "no OpenAPI document and no route (`POST /v1/videos`, a curl URL) found in the page",
            file=doc,
            line=1,
            hint='if the page is prose only, write the source by hand and set extract = "hand" for its variant',
        )
    create_index = ev.routes.index(_create_route(offered))
    where = _context(ev)
    examples = page_examples(text, html_page=html_page, where=where)
    builder = _Builder(doc, ev, examples)
    data: dict[str, Any] = {"openapi": "3.1.0"}
    title = _title(ev, ev.routes[create_index], text, doc)
    data["info"] = {"title": title, "version": "draft"}
    if ev.servers:
        data["servers"] = [{"url": url, "x-specforge-source": builder.src(line)} for url, line in ev.servers]
        for url, line in ev.servers:
            builder.findings.append(Finding("", "server", url, "", line, "example"))
    auth = _auth(ev, builder)
    if auth:
        data["security"] = [{"BearerAuth": []}]
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for route in offered:
        index = ev.routes.index(route)
        op_id = operation_id(route.method, route.path)
        label = f"{route.method} {route.path}"
        builder.findings.append(Finding(label, "route", op_id, "", route.line, route.evidence))
        mine = [f for f in ev.fields if _owner(ev, f, create_index) == index]
        if route.method in ("GET", "DELETE", "HEAD"):
            for f in mine:
                if f.section in ("request", "unknown") and f.location in (None, "body"):
                    f.location = "path" if "{" + f.name + "}" in route.path else "query"
        request = [f for f in mine if f.section in ("request", "unknown") and f.location in (None, "body")]
        params = [
            f
            for f in mine
            if f.section in ("request", "unknown") and f.location in ("query", "path", "header")
        ]
        headers = [f for f in mine if f.section == "header" or f.location == "header"]
        params = [f for f in params if f.name.lower() != "authorization"]
        response = [f for f in mine if f.section == "response"]
        op: dict[str, Any] = {}
        if route.summary:
            op["summary"] = route.summary
        op["operationId"] = op_id
        op["x-specforge-source"] = builder.src(route.line)
        op["x-specforge-evidence"] = route.evidence
        parameters = _parameters(route, params, builder, label)
        if parameters:
            op["parameters"] = parameters
        for f in headers:
            if f.name.lower() == "authorization" and f.required is False:
                op["x-specforge-auth-optional"] = builder.src(f.line)
        body = _request_body(builder, ev, route, index, request, label, schemas, op_id)
        if body:
            op["requestBody"] = body
        op["responses"] = _responses(builder, ev, route, index, response, label, schemas, op_id)
        paths.setdefault(route.path, {})[route.method.lower()] = op
    data["paths"] = paths
    _status_enums(ev, schemas, paths, builder)
    statuses = _statuses(builder, ev, examples)
    if statuses:
        data[STATUS_KEY] = statuses
    not_offered = [r for r in ev.routes if r.not_offered]
    if not_offered:
        data["x-specforge-not-offered"] = [
            {
                "operation": f"{r.method} {r.path}",
                "x-specforge-source": builder.src(r.line),
                "x-specforge-evidence": "prose",
            }
            for r in not_offered
        ]
    components: dict[str, Any] = {}
    if auth:
        components["securitySchemes"] = {"BearerAuth": auth}
    if schemas:
        components["schemas"] = schemas
    if components:
        data["components"] = components
    for example in examples:
        builder.findings.append(
            Finding(
                f"{example.method or '?'} {example.path or '?'}",
                "example",
                example.name,
                example.media_type,
                example.line,
                "example",
                example.kind,
            )
        )
    return Draft(data, builder.findings, examples)


def _create_route(offered: list[Route]) -> Route:
    """The create call: a POST to a collection (no ``{id}`` in its path; the shortest such path),
    else the first POST, else the first route."""
    posts = [r for r in offered if r.method == "POST"]
    collections = [
        r for r in posts if "{" not in r.path.rsplit("/", 1)[-1] and not re.search(r"\{[^}]+\}/", r.path)
    ]
    if collections:
        return min(collections, key=lambda r: (r.path.count("/"), r.line))
    return posts[0] if posts else offered[0]


def _owner(ev: Evidence, f: Field, create_index: int) -> int:
    """The route a field documents: the route in force where it appears; body fields after a
    poll/download route named only in passing (not a heading) belong to the create call."""
    index = f.route if f.route is not None else create_index
    route = ev.routes[index]
    if route.not_offered:
        return create_index
    passing = route.method in ("GET", "DELETE", "HEAD") and not route.anchored
    if passing and f.section in ("request", "unknown", "response") and f.location in (None, "body"):
        return create_index
    return index


def _title(ev: Evidence, create: Route, text: str, doc: str) -> str:
    """The page's title: its first h1, the create route's label, its first heading, its first line."""
    if ev.title and ev.title[0]:
        return ev.title[0]
    if create.summary:
        return create.summary
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:80] if first else doc


def _context(ev: Evidence) -> Any:
    def where(line: int) -> tuple[str | None, str | None, str | None, int]:
        section, route = ev.context_at(line)
        kind = {"response": "response", "request": "request"}.get(section)
        if route is None:
            return kind, None, None, 0
        r = ev.routes[route]
        at = max((at for at, _s, rt in ev.context if rt == route and at <= line), default=r.line)
        return kind, r.method, r.path, at

    return where


def _auth(ev: Evidence, builder: _Builder) -> dict[str, Any] | None:
    header_fields = [
        f
        for f in ev.fields
        if (f.section == "header" or f.location == "header") and f.name.lower() == "authorization"
    ]
    if header_fields:
        f = header_fields[0]
        out: dict[str, Any] = {"type": "http", "scheme": "bearer"}
        if f.description:
            out["description"] = f.description
        out["x-specforge-source"] = builder.src(f.line)
        out["x-specforge-evidence"] = f.evidence
        if f.required is False:
            out["x-specforge-optional"] = True
        builder.findings.append(Finding("", "auth", "Authorization", "bearer", f.line, f.evidence))
        return out
    for name, value, line in ev.auth:
        if "bearer" in value.lower():
            out = {"type": "http", "scheme": "bearer", "description": value if len(value) < 200 else name}
            out["x-specforge-source"] = builder.src(line)
            out["x-specforge-evidence"] = "example" if value.lower().startswith("bearer") else "prose"
            builder.findings.append(Finding("", "auth", name, "bearer", line, out["x-specforge-evidence"]))
            return out
    return None


def _parameters(route: Route, params: list[Field], builder: _Builder, label: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    named = {f.name for f in params if f.location == "path"}
    for name in re.findall(r"\{([^}]+)\}", route.path):
        if name in named:
            continue
        out.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
                "x-specforge-source": builder.src(route.line),
                "x-specforge-evidence": "prose",
            }
        )
    for f in params:
        schema = {
            k: v
            for k, v in (f.schema or {"x-specforge-type": "unstated"}).items()
            if k != "x-specforge-enum-type"
        }
        if f.enum:
            schema["enum"] = _unique(list(f.enum))
        param: dict[str, Any] = {"name": f.name, "in": f.location, "schema": schema}
        if f.location == "path" or f.required:
            param["required"] = True
        if f.description:
            param["description"] = f.description
        param["x-specforge-source"] = builder.src(f.line)
        param["x-specforge-evidence"] = f.evidence
        builder.findings.append(
            Finding(
                label,
                "field",
                f.name,
                f"{_type_label(f.schema)} ({f.location})",
                f.line,
                f.evidence,
                "request",
            )
        )
        out.append(param)
    return out


def _request_body(
    builder: _Builder,
    ev: Evidence,
    route: Route,
    index: int,
    fields: list[Field],
    label: str,
    schemas: dict[str, Any],
    op_id: str,
) -> dict[str, Any] | None:
    examples = [e for e in builder.examples if e.kind == "request" and _same_route(e, route)]
    media = _media_of(ev, index, fields)
    for e in examples:
        if e.media_type not in [m for m, _ in media]:
            media.append((e.media_type, e.line))
    if not fields and not examples:
        return None
    if fields:
        line = min(f.line for f in fields)
        schema = builder.object_schema(fields, label, line, fields[0].evidence)
        # fields only the page's own examples send (a table says `duration`, the curl `seconds`)
        extra = builder.example_schema([(e.value, e.line, e.media_type) for e in examples], label, "request")
        for name, prop in (extra or {}).get("properties", {}).items():
            schema["properties"].setdefault(name, prop)
    else:
        inferred = builder.example_schema(
            [(e.value, e.line, e.media_type) for e in examples], label, "request"
        )
        if inferred is None:
            return None
        schema = inferred
    name = f"{op_id[:1].upper()}{op_id[1:]}Request"
    schemas[name] = schema
    body: dict[str, Any] = {}
    if schema.get("required"):
        body["required"] = True
        body["x-specforge-required-evidence"] = "a body field is marked required"
    content: dict[str, Any] = {}
    if not media:
        media = [("application/json", line if fields else route.line)]
        body["x-specforge-media"] = "unstated"
    for kind, line in media:
        content[kind] = {
            "schema": {"$ref": f"#/components/schemas/{name}"},
            "x-specforge-source": builder.src(line),
        }
        builder.findings.append(
            Finding(label, "media", kind, "", line, "prose" if fields else "example", "request")
        )
    body["content"] = content
    return body


def _same_route(example: PageExample, route: Route) -> bool:
    from specforge.ingest.examples import find_operation

    if example.method is None:
        return route.method == "POST"
    return (
        find_operation({"paths": {route.path: {route.method.lower(): {}}}}, example.method, example.path)
        is not None
    )


def _responses(
    builder: _Builder,
    ev: Evidence,
    route: Route,
    index: int,
    fields: list[Field],
    label: str,
    schemas: dict[str, Any],
    op_id: str,
) -> dict[str, Any]:
    shown = [e for e in builder.examples if e.kind == "response" and _same_route(e, route)]
    examples = [e for e in shown if not is_error_envelope(e.value)]
    errors = [e for e in shown if is_error_envelope(e.value)]
    note = ev.response_notes.get(index) or (ev.response_notes.get(None) if route.method == "POST" else None)
    described = "response shown in the page" if (fields or examples) else "not described in the page"
    response: dict[str, Any] = {"description": note[0] if note else described}
    schema: dict[str, Any] | None = None
    if fields:
        schema = builder.object_schema(fields, label, min(f.line for f in fields), fields[0].evidence)
    elif examples:
        schema = builder.example_schema(
            [(e.value, e.line, e.media_type) for e in examples], label, "response"
        )
    binary = [
        (m, line)
        for r, s, m, line in ev.media
        if r == index and m in ("video/mp4", "application/octet-stream")
    ]
    if schema is not None:
        name = f"{op_id[:1].upper()}{op_id[1:]}Response"
        schemas[name] = schema
        response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
    elif binary:
        kind, line = binary[0]
        response["content"] = {
            kind: {"schema": {"type": "string", "format": "binary"}, "x-specforge-source": builder.src(line)}
        }
    response["x-specforge-source"] = builder.src(
        fields[0].line if fields else (examples[0].line if examples else route.line)
    )
    out = {"200": response}
    if errors:  # `{"error": {...}}` samples document the error answer, not the success one
        name = f"{op_id[:1].upper()}{op_id[1:]}Error"
        schemas[name] = builder.example_schema(
            [(e.value, e.line, e.media_type) for e in errors], label, "response"
        )
        out["default"] = {
            "description": "error shown in the page",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
            "x-specforge-source": builder.src(errors[0].line),
        }
    return out


def _status_enums(ev: Evidence, schemas: dict[str, Any], paths: dict[str, Any], builder: _Builder) -> None:
    """A response ``status`` property the page gives no values for takes the values a status
    table lists in the same route's section (or on the page at large)."""
    listed = [s for s in ev.statuses if s.evidence == "table"]
    if not listed:
        return
    for path, item in paths.items():
        for method, op in item.items():
            index = next(
                (i for i, r in enumerate(ev.routes) if r.path == path and r.method.lower() == method), None
            )
            mine = [s for s in listed if s.route == index] or [s for s in listed if s.route is None]
            if not mine:
                continue
            for response in op.get("responses", {}).values():
                ref = (
                    response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                )
                schema = schemas.get(ref.rsplit("/", 1)[-1]) if ref else None
                status = schema.get("properties", {}).get("status") if isinstance(schema, dict) else None
                if isinstance(status, dict) and "enum" not in status:
                    status["enum"] = [s.value for s in mine]
                    status["x-specforge-enum-source"] = builder.src(mine[0].line)
                    status["x-specforge-enum-evidence"] = "table"


def _statuses(builder: _Builder, ev: Evidence, examples: list[PageExample]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}

    def add(value: Any, line: int, evidence: str) -> None:
        if (
            not isinstance(value, str)
            or value in seen
            or value.strip("<>").lower() in ("string", "str", "enum")
        ):
            return  # a renderer's placeholder (`"status": "string"`) is not a status
        seen[value] = {
            "value": value,
            "x-specforge-source": builder.src(line),
            "x-specforge-evidence": evidence,
        }
        builder.findings.append(Finding("", "status", value, "", line, evidence))

    for s in ev.statuses:
        add(s.value, s.line, s.evidence)
    for f in ev.fields:
        if f.name == "status" and f.section == "response" and f.enum:
            for value in f.enum:
                add(value, f.enum_line or f.line, f.evidence)
    for e in examples:
        if e.kind == "response" and isinstance(e.value, dict) and isinstance(e.value.get("status"), str):
            add(e.value["status"], e.line, "example")
    return list(seen.values())


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        out = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        for value in node.values():
            out += _refs(value)
        return out
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            k: (renames.get(v, v) if k == "$ref" and isinstance(v, str) else _rename_refs(v, renames))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def _as_30(schema: Any) -> Any:
    """A drafted schema in OpenAPI 3.0 terms (the page's own document is 3.0): ``examples: [v]``
    becomes ``example: v``, a type list becomes ``oneOf``."""
    if isinstance(schema, list):
        return [_as_30(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _as_30(v) for k, v in schema.items()}
    if isinstance(out.get("examples"), list) and out["examples"]:
        out["example"] = out.pop("examples")[0]
    if isinstance(out.get("type"), list):
        kinds = [k for k in out.pop("type") if k != "null"]
        if len(kinds) == 1:
            out["type"] = kinds[0]
        else:
            out["oneOf"] = [{"type": k} for k in kinds]
    return out


def add_page_operations(
    document: dict[str, Any],
    text: str,
    doc: str,
    suffix: str,
    skip: list[tuple[int, int]],
    *,
    html_page: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    """``document`` (a vendor's OpenAPI, kept verbatim) plus the operations its page documents
    outside it (a poll route in a curl, a download section), each drafted from the page and marked
    ``x-specforge-page-evidence: true``; also the page's status values and not-offered routes.
    Returns the new document and one note per addition."""
    from specforge.ingest.examples import find_operation

    lines = text.split("\n")
    for first, last in skip:
        for number in range(first, min(last, len(lines)) + 1):
            lines[number - 1] = ""
    try:
        draft = build_draft("\n".join(lines), doc, suffix, html_page=html_page)
    except InputError:
        return document, []
    out = copy.deepcopy(document)
    notes: list[str] = []
    prefix = base_path(out)
    paths = out.setdefault("paths", {}) if isinstance(out.get("paths", {}), dict) else None
    if paths is None:
        return document, []
    components = out.get("components") if isinstance(out.get("components"), dict) else None
    own_schemas = (components or {}).get("schemas", {}) if components is not None else {}
    drafted = draft.data.get("components", {}).get("schemas", {})
    for path, item in draft.data["paths"].items():
        for method, op in item.items():
            if find_operation(out, method, path) is not None:
                continue
            key = path[len(prefix) :] if prefix and path.startswith(prefix + "/") else path
            renames: dict[str, str] = {}
            for ref in _refs(op):
                name = ref.rsplit("/", 1)[-1]
                if name not in drafted:
                    continue
                new = name if name not in own_schemas else f"Page{name}"
                renames[ref] = f"#/components/schemas/{new}"
                if components is None:
                    components = out.setdefault("components", {})
                components.setdefault("schemas", {})[new] = copy.deepcopy(drafted[name])
                own_schemas = components["schemas"]
            added = _rename_refs(op, renames)
            added["x-specforge-page-evidence"] = True
            if components is not None and str(out.get("openapi", "")).startswith("3.0"):
                for new in renames.values():
                    name = new.rsplit("/", 1)[-1]
                    components["schemas"][name] = _as_30(components["schemas"][name])
            paths.setdefault(key, {})[method] = added
            notes.append(f"added {method.upper()} {key} from page evidence ({added['x-specforge-source']})")
    for extra in (STATUS_KEY, "x-specforge-not-offered"):
        if extra in draft.data and extra not in out:
            out[extra] = draft.data[extra]
    return out, notes


def _unique(values: list[Any]) -> list[Any]:
    """``values`` in page order without repeats (``1`` and ``"1"`` stay distinct)."""
    seen: list[tuple[str, Any]] = []
    out = []
    for value in values:
        key = (type(value).__name__, value if isinstance(value, str | int | float | bool) else repr(value))
        if key not in seen:
            seen.append(key)
            out.append(value)
    return out


_BOUND = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?)\s*(<=?)\s*(?=x\b)|\bx\s*(>=?|<=?)\s*(-?\d+(?:\.\d+)?)")


def _range(text: str) -> dict[str, Any]:
    """Bounds a rendered range states (Mintlify's ``Required range: 4 <= x <= 8``, ``x > 0``)."""
    out: dict[str, Any] = {}
    for match in _BOUND.finditer(text):
        if match.group(1) is not None:  # "4 <= x": a lower bound
            value, op = match.group(1), {"<=": ">=", "<": ">"}[match.group(2)]
        else:
            op, value = match.group(3), match.group(4)
        number: Any = float(value) if "." in value else int(value)
        key = {">=": "minimum", ">": "exclusiveMinimum", "<=": "maximum", "<": "exclusiveMaximum"}[op]
        out.setdefault(key, number)
    return out
