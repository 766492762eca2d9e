"""The compatibility matrix: rows are capabilities and fields, columns are variants, each cell
says what that variant documents. Built from :func:`extract_fields` of the sources, so every cell
traces back to a line of a vendor's document."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from specforge.merge.fields import FieldInfo, VariantFields
from specforge.normalize import ALIASES
from specforge.openapi.operations import KIND_ORDER, kind_sort_key, operation_kind, split_server_url
from specforge.openapi.videojob import LIFECYCLE, is_milliseconds

_KIND_LABEL = {
    "create": "create",
    "retrieve": "retrieve (poll)",
    "content": "download content",
    "list": "list",
    "delete": "delete",
    "remix": "remix",
    "edit": "edit",
    "extend": "extend",
    "create_character": "create character",
    "retrieve_character": "retrieve character",
}


Scope = Callable[[Any], bool]

_NUMBERS = re.compile(r"\d+(?:\s*[、,/]\s*\d+)+")
ABSENT = "—"


def _request_fields(fields: VariantFields) -> list[tuple[str, dict[str, FieldInfo]]]:
    operation = fields.operations.get("create")
    if operation is None:
        return []
    out = []
    for key in ("request json", "request multipart", "request form"):
        body = operation.bodies.get(key)
        if body is not None:
            out.append((key.split()[1], body.fields))
    return out


def _per_body(fields: VariantFields, name: str, render: Any) -> str:
    parts = []
    for media, body in _request_fields(fields):
        info = body.get(name)
        if info is not None:
            parts.append(f"{_MEDIA[media]}: {render(info)}")
    return "; ".join(parts) if parts else ABSENT


_MEDIA = {"json": "JSON", "multipart": "multipart", "form": "form"}


def _reference(info: FieldInfo) -> str:
    return info.with_prose_bounds().describe().replace(" URLs", " image URLs")


def _seconds(info: FieldInfo) -> str:
    text = info.describe()
    if not info.enum and info.description:
        values = _NUMBERS.search(info.description)
        if values:
            numbers = re.findall(r"\d+", values.group(0))
            text += f" ({', '.join(numbers)} per its description)"
    return text


def _sizes(info: FieldInfo) -> str:
    if info.enum:
        return ", ".join(str(v) for v in info.enum)
    return f"{info.describe()} (no list of values)"


def _timestamp(fields: VariantFields) -> str:
    for kind in ("retrieve", "create"):
        info = fields.field(kind, "response json", "created_at")
        if info is None:
            continue
        numbers = [e for e in info.examples if isinstance(e, int | float) and not isinstance(e, bool)]
        if numbers and is_milliseconds(max(numbers)):
            return f"milliseconds (example {max(numbers)})"
        if info.format == "unixtime" or (info.description and "second" in info.description.lower()):
            return "seconds (documented)"
        if numbers:
            return f"seconds (example {max(numbers)})"
        return f"{info.describe()}, unit unstated"
    return ABSENT


def _error_shape(fields: VariantFields) -> str:
    parts = []
    for kind in fields.kinds():
        body = fields.operations[kind].bodies.get("response error")
        if body is None:
            continue
        outer = ", ".join(body.fields)
        inner = body.fields.get("error")
        keys = ""
        if inner is not None and isinstance(inner.schema.get("properties"), dict):
            keys = "{" + ", ".join(inner.schema["properties"]) + "}"
        parts.append(f"HTTP {body.status}: {{{outer}{': ' + keys if keys else ''}}}")
        break
    job = fields.field("retrieve", "response json", "error") or fields.field(
        "create", "response json", "error"
    )
    if job is not None:
        props = job.schema.get("properties")
        if not isinstance(props, dict):
            for alternative in job.schema.get("anyOf") or job.schema.get("oneOf") or []:
                alternative = fields.resolve(alternative)
                if isinstance(alternative, dict) and isinstance(alternative.get("properties"), dict):
                    props = alternative["properties"]
        keys = ", ".join(props) if isinstance(props, dict) and props else "unstated fields"
        parts.append(f"job.error: {{{keys}}}")
    return "; ".join(parts) if parts else "not documented"


def _auth(fields: VariantFields) -> str:
    names: list[str] = []
    for operation in fields.operations.values():
        names.extend(n for n in operation.security if n not in names)
    parts = []
    for name in names:
        scheme = fields.security_schemes.get(name, {})
        kind = scheme.get("type", "?")
        detail = scheme.get("scheme") or scheme.get("in") or ""
        parts.append(f"{kind} {detail}".strip())
    return ", ".join(dict.fromkeys(parts)) if parts else "not documented"


def _status(fields: VariantFields) -> str:
    for kind in ("retrieve", "create"):
        info = fields.field(kind, "response json", "status")
        if info is not None:
            if not info.enum:
                return f"{info.describe()} (no values listed)"
            extra = [str(v) for v in info.enum if v not in LIFECYCLE]
            text = ", ".join(str(v) for v in info.enum)
            return text + (f" (not statuses: {', '.join(extra)})" if extra else "")
    return ABSENT


def _models(fields: VariantFields) -> str:
    values: list[Any] = []
    for _, body in _request_fields(fields):
        info = body.get("model")
        if info is not None and info.enum:
            values.extend(v for v in info.enum if v not in values)
    if not values:
        return "free string" if any("model" in b for _, b in _request_fields(fields)) else ABSENT
    head = ", ".join(map(str, values[:4]))
    return f"{len(values)} listed: {head}{', …' if len(values) > 4 else ''}"


def _aliases(fields: VariantFields, canonical: str) -> str:
    present = []
    for _, body in _request_fields(fields):
        for alias in ALIASES[canonical]:
            if alias in body and alias not in present:
                present.append(alias)
    return ", ".join(present) if present else ABSENT


def _video_url(fields: VariantFields) -> str:
    for kind in ("retrieve", "create"):
        if fields.field(kind, "response json", "video_url") is not None:
            return f"yes ({kind} response)"
    return ABSENT


def _root(field: str) -> str:
    return field.split(".")[0].split("[")[0]


def _request(name: str | tuple[str, ...]) -> Scope:
    names = (name,) if isinstance(name, str) else name
    return lambda c: c.op_kind == "create" and c.direction == "request" and _root(c.field) in names


def _response(name: str) -> Scope:
    return lambda c: (
        c.direction == "response" and c.op_kind in ("create", "retrieve") and _root(c.field) == name
    )


#: row name -> which changes (``specforge.diff.Change``) the row is about
_SCOPES: dict[str, Scope] = {
    "body media types": lambda c: (
        c.op_kind == "create" and c.direction == "request" and c.kind.startswith("media-type")
    ),
    "input_reference forms": _request("input_reference"),
    "seconds: type and values": _request("seconds"),
    "size values": _request("size"),
    "model values": _request("model"),
    "aliases of seconds": _request(ALIASES["seconds"]),
    "aliases of size": _request(ALIASES["size"]),
    "aliases of input_reference": _request(ALIASES["input_reference"]),
    "status values": _response("status"),
    "timestamp unit (created_at)": _response("created_at"),
    "seconds type": _response("seconds"),
    "progress type": _response("progress"),
    "video_url in job": _response("video_url"),
    "error shape": lambda c: (
        c.direction == "response" and (_root(c.field) == "error" or not str(c.status).startswith("2"))
    ),
    "auth": lambda c: c.kind.startswith("security-"),
}


def _effect(changes: list[Any], scope: Scope | None) -> str | None:
    if scope is None:
        return None
    from specforge.diff import worst

    found = worst([c for c in changes if scope(c)])
    return found.value if found is not None else None


def build_matrix(
    fields: dict[str, VariantFields],
    raw: dict[str, dict[str, Any]],
    changes: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """{variants, groups: [{name, rows: [{name, cells: {variant: {value, state, effect}}}]}]}.
    ``state`` compares each cell with the first variant's (the reference): same / differs / absent;
    ``effect`` is what moving a client of the reference to that variant does there (the worst of
    ``changes[variant]``, ``specforge.diff.diff(reference, variant)``, the row is about: breaking /
    potentially-breaking / compatible, None when nothing changed there)."""
    variants = list(fields)
    changes = changes or {}
    groups: list[tuple[str, list[tuple[str, dict[str, str]]]]] = []
    scopes: dict[str, Scope] = dict(_SCOPES)
    kinds = sorted({k for f in fields.values() for k in f.operations}, key=kind_sort_key)
    endpoint_rows = []
    for kind in kinds:
        cells = {}
        for variant in variants:
            operation = fields[variant].operations.get(kind)
            if operation is not None:
                cells[variant] = f"{operation.method.upper()} {operation.path}"
            elif _not_offered(raw.get(variant, {}), kind):
                cells[variant] = "not offered (page says so)"
            else:
                cells[variant] = ABSENT
        label = _KIND_LABEL.get(kind, kind) if kind in KIND_ORDER else kind
        endpoint_rows.append((label, cells))
        scopes[label] = (lambda k: lambda c: c.op_kind == k)(kind)
    groups.append(("Endpoints", endpoint_rows))
    create_bodies = {
        v: ", ".join(_MEDIA[m] for m, _ in _request_fields(fields[v])) or ABSENT for v in variants
    }
    groups.append(
        (
            "Request (POST /v1/videos)",
            [
                ("body media types", create_bodies),
                (
                    "input_reference forms",
                    {v: _per_body(fields[v], "input_reference", _reference) for v in variants},
                ),
                (
                    "seconds: type and values",
                    {v: _per_body(fields[v], "seconds", _seconds) for v in variants},
                ),
                ("size values", {v: _per_body(fields[v], "size", _sizes) for v in variants}),
                ("model values", {v: _models(fields[v]) for v in variants}),
                ("aliases of seconds", {v: _aliases(fields[v], "seconds") for v in variants}),
                ("aliases of size", {v: _aliases(fields[v], "size") for v in variants}),
                ("aliases of input_reference", {v: _aliases(fields[v], "input_reference") for v in variants}),
            ],
        )
    )
    groups.append(
        (
            "Response (video job)",
            [
                ("status values", {v: _status(fields[v]) for v in variants}),
                ("timestamp unit (created_at)", {v: _timestamp(fields[v]) for v in variants}),
                ("seconds type", {v: _response_type(fields[v], "seconds") for v in variants}),
                ("progress type", {v: _response_type(fields[v], "progress") for v in variants}),
                ("video_url in job", {v: _video_url(fields[v]) for v in variants}),
                ("error shape", {v: _error_shape(fields[v]) for v in variants}),
            ],
        )
    )
    groups.append(
        (
            "Access",
            [
                ("auth", {v: _auth(fields[v]) for v in variants}),
                ("server", {v: _server(fields[v]) for v in variants}),
            ],
        )
    )
    reference = variants[0] if variants else None
    if changes:
        groups.append(
            (
                "Moving a client of the reference",
                [("effect (specforge diff)", {v: _verdict(changes, v, reference) for v in variants})],
            )
        )
        scopes["effect (specforge diff)"] = lambda c: True
    out_groups = []
    for name, rows in groups:
        out_rows = []
        for row_name, cells in rows:
            out_cells: dict[str, dict[str, str | None]] = {}
            for variant in variants:
                value = cells[variant]
                if value == ABSENT or value.startswith("not offered"):
                    state = "absent"
                elif (
                    reference is None
                    or variant == reference
                    or _key(row_name, value) == _key(row_name, cells[reference])
                ):
                    state = "same"
                else:
                    state = "differs"
                out_cells[variant] = {"value": value, "state": state}
                if changes and variant != reference:
                    out_cells[variant]["effect"] = _effect(changes.get(variant, []), scopes.get(row_name))
            out_rows.append({"name": row_name, "cells": out_cells})
        out_groups.append({"name": name, "rows": out_rows})
    return {"variants": variants, "reference": reference, "groups": out_groups}


def _verdict(changes: dict[str, list[Any]], variant: str, reference: str | None) -> str:
    if variant == reference:
        return "reference"
    found = changes.get(variant, [])
    if not found:
        return "no changes"
    counts: dict[str, int] = {}
    for change in found:
        counts[change.effect.value] = counts.get(change.effect.value, 0) + 1
    order = ("breaking", "potentially-breaking", "compatible")
    return ", ".join(f"{counts[e]} {e}" for e in order if e in counts)


def _key(row: str, value: str) -> str:
    """What a cell is compared on: for the timestamp unit, the unit alone (not its evidence)."""
    return value.split(" (")[0] if row.startswith("timestamp unit") else value


def _response_type(fields: VariantFields, name: str) -> str:
    for kind in ("retrieve", "create"):
        info = fields.field(kind, "response json", name)
        if info is not None:
            return info.describe()
    return ABSENT


def _server(fields: VariantFields) -> str:
    if not fields.servers:
        return "not documented"
    return ", ".join(split_server_url(url)[0] or url for url in fields.servers)


def _not_offered(raw: dict[str, Any], kind: str) -> bool:
    for entry in raw.get("x-specforge-not-offered") or []:
        text = entry.get("operation") if isinstance(entry, dict) else entry
        if isinstance(text, str) and " " in text:
            method, path = text.split(" ", 1)
            if operation_kind(method, path.strip()) == kind:
                return True
    return False
