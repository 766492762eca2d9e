"""The in-memory canonical form of any source, so that two documents that say the same thing
compare equal as data: OpenAPI 3.0 constructs become their 3.1 spelling, every path carries the
server's path prefix (``/v1/videos…``), the schemas operations use get the same component names in
every document, and merge-only annotations are dropped. Pure (never mutates its input),
deterministic and idempotent: ``normalize(normalize(d)) == normalize(d)``.
"""

from __future__ import annotations

import copy
from typing import Any

from specforge.core import pointer as jp
from specforge.core.refs import rewrite_refs
from specforge.openapi.operations import (
    full_path,
    iter_operations,
    kind_sort_key,
    operation_kind,
    server_prefix,
    split_server_url,
)
from specforge.openapi.schemas import SCHEMA_REF, media_class
from specforge.openapi.upgrade import upgrade_in_place

__all__ = [
    "ALIASES",
    "ANNOTATIONS",
    "ROLE_NAMES",
    "body_role",
    "role_name",
    "normalize",
    "strip_annotations",
]

#: bookkeeping keys that are not API content: who documents what (merge) and which page line a
#: fragment came from (ingest); overlays carry provenance in their own ``info``
ANNOTATIONS = ("x-specforge-variants", "x-specforge-source")

_TOP_ORDER = (
    "openapi",
    "info",
    "jsonSchemaDialect",
    "servers",
    "security",
    "tags",
    "paths",
    "webhooks",
    "components",
    "externalDocs",
)
_COMPONENT_ORDER = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
)

#: (operation kind, body place) -> component name; the official OpenAI names, so normalizing the
#: official contract renames nothing. Places: "request:json", "request:multipart", "request:form",
#: "response:json" (2xx), "response:error" (4xx/5xx/default).
ROLE_NAMES: dict[tuple[str, str], str] = {
    ("create", "request:json"): "CreateVideoJsonBody",
    ("create", "request:multipart"): "CreateVideoMultipartBody",
    ("create", "request:form"): "CreateVideoFormBody",
    ("edit", "request:json"): "CreateVideoEditJsonBody",
    ("edit", "request:multipart"): "CreateVideoEditMultipartBody",
    ("extend", "request:json"): "CreateVideoExtendJsonBody",
    ("extend", "request:multipart"): "CreateVideoExtendMultipartBody",
    ("remix", "request:json"): "CreateVideoRemixBody",
    ("remix", "request:multipart"): "CreateVideoRemixBody",
    ("create_character", "request:multipart"): "CreateVideoCharacterBody",
    ("create", "response:json"): "VideoResource",
    ("retrieve", "response:json"): "VideoResource",
    ("remix", "response:json"): "VideoResource",
    ("edit", "response:json"): "VideoResource",
    ("extend", "response:json"): "VideoResource",
    ("list", "response:json"): "VideoListResource",
    ("delete", "response:json"): "DeletedVideoResource",
    ("create_character", "response:json"): "VideoCharacterResource",
    ("retrieve_character", "response:json"): "VideoCharacterResource",
}
#: canonical create field -> names vendors use for the same input (the compatibility matrix lists
#: them; diff reports a property renamed to one of them as one change, not a removal and an addition)
ALIASES: dict[str, tuple[str, ...]] = {
    "seconds": ("duration",),
    "size": ("resolution", "aspect_ratio", "ratio", "width", "height"),
    "input_reference": ("image", "image_url", "image_urls", "images", "reference_images", "image_list"),
}

#: schemas named by the property of a role schema that uses them
_NESTED_NAMES: dict[tuple[str, str], str] = {
    ("VideoResource", "error"): "VideoError",
    ("VideoResource", "status"): "VideoStatus",
    ("VideoResource", "size"): "VideoSize",
    ("VideoResource", "model"): "VideoModel",
    ("ErrorResponse", "error"): "ErrorDetail",
}
_ERROR_NAME = "ErrorResponse"


def body_role(kind: str, direction: str, status: str | None, media_type: str) -> tuple[str, str] | None:
    """The (kind, place) key of a body in ``ROLE_NAMES``, or None for bodies without a role."""
    media = media_class(media_type)
    if direction == "request":
        return (kind, f"request:{media}") if media in ("json", "multipart", "form") else None
    if media != "json" or status is None:
        return None
    if status.startswith("2"):
        return (kind, "response:json")
    if status[:1] in ("4", "5") or status == "default":
        return (kind, "response:error")
    return None


def role_name(role: tuple[str, str]) -> str | None:
    if role[1] == "response:error":
        return _ERROR_NAME
    return ROLE_NAMES.get(role)


def normalize(document: dict[str, Any]) -> dict[str, Any]:
    """The canonical form of an OpenAPI document (see the module docstring)."""
    doc = copy.deepcopy(document)
    if not isinstance(doc, dict):
        return doc
    _strip_annotations(doc)
    version = doc.get("openapi")
    if isinstance(version, str) and version.startswith("3.0"):
        doc["openapi"] = "3.1.0"
    _fold_prefix(doc)
    upgrade_in_place(doc)
    for _ in range(8):  # renames can free a name another schema wants: run to the fixpoint
        if not _name_components(doc):
            break
    return _ordered(doc)


# -- annotations -------------------------------------------------------------------------------


def strip_annotations(document: Any) -> Any:
    """A copy of ``document`` without the bookkeeping keys in :data:`ANNOTATIONS`."""
    doc = copy.deepcopy(document)
    _strip_annotations(doc)
    return doc


def _strip_annotations(node: Any) -> None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in ANNOTATIONS:
                item.pop(key, None)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


# -- path prefix -------------------------------------------------------------------------------


def _reduce_servers(servers: list[Any]) -> list[Any]:
    out = []
    for server in servers:
        if isinstance(server, dict) and isinstance(server.get("url"), str):
            origin, path = split_server_url(server["url"])
            if path:
                server = {**server, "url": origin or "/"}
        out.append(server)
    return out


def _fold_prefix(doc: dict[str, Any]) -> None:
    paths = doc.get("paths")
    prefix = server_prefix(doc.get("servers"))
    if prefix:
        doc["servers"] = _reduce_servers(doc["servers"])
    if not isinstance(paths, dict):
        return
    renamed: dict[str, str] = {}
    new_paths: dict[str, Any] = {}
    for path, item in paths.items():
        item_prefix = prefix
        if isinstance(item, dict) and server_prefix(item.get("servers")):
            item_prefix = server_prefix(item["servers"])
            item["servers"] = _reduce_servers(item["servers"])
        target = full_path(item_prefix, path) if isinstance(path, str) else path
        if target != path:
            renamed[path] = target
        if target in new_paths and isinstance(new_paths[target], dict) and isinstance(item, dict):
            for key, value in item.items():  # both spellings given: the first one stays
                new_paths[target].setdefault(key, value)
        else:
            new_paths[target] = item
    doc["paths"] = new_paths
    if renamed:
        rewrite_refs(doc, lambda ref: _rename_path_ref(ref, renamed))


def _rename_path_ref(ref: str, renamed: dict[str, str]) -> str:
    if not ref.startswith("#/paths/"):
        return ref
    tokens = jp.parts(ref[1:])
    if len(tokens) >= 2 and tokens[1] in renamed:
        tokens[1] = renamed[tokens[1]]
        return "#" + jp.join(*tokens)
    return ref


# -- 3.0 -> 3.1 --------------------------------------------------------------------------------

# -- component names ---------------------------------------------------------------------------


def _single_ref(schema: Any) -> str | None:
    """The schema name ``schema`` refers to: directly, or as the one ``$ref`` alternative of a
    nullable ``anyOf``/``oneOf``."""
    if not isinstance(schema, dict):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return (
            ref[len(SCHEMA_REF) :]
            if ref.startswith(SCHEMA_REF) and "/" not in ref[len(SCHEMA_REF) :]
            else None
        )
    for key in ("anyOf", "oneOf"):
        alternatives = schema.get(key)
        if isinstance(alternatives, list):
            refs = [_single_ref(a) for a in alternatives if isinstance(a, dict) and "$ref" in a]
            others = [a for a in alternatives if not (isinstance(a, dict) and "$ref" in a)]
            if len(refs) == 1 and all(isinstance(o, dict) and o.get("type") == "null" for o in others):
                return refs[0]
    return None


def _role_sites(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(component name, media type object) for every body with a role, in a stable order."""
    sites: list[tuple[tuple[int, str], int, str, str, dict[str, Any]]] = []
    for path, method, operation in iter_operations(doc):
        kind = operation_kind(method, path)
        places: list[tuple[str, str | None, Any]] = []
        body = operation.get("requestBody")
        if isinstance(body, dict):
            places.append(("request", None, body.get("content")))
        responses = operation.get("responses")
        if isinstance(responses, dict):
            for status in sorted(responses, key=str):
                response = responses[status]
                if isinstance(response, dict):
                    places.append(("response", str(status), response.get("content")))
        for order, (direction, status, content) in enumerate(places):
            if not isinstance(content, dict):
                continue
            for media_type in sorted(content):
                media = content[media_type]
                role = body_role(kind, direction, status, str(media_type))
                name = role_name(role) if role else None
                if name and isinstance(media, dict) and isinstance(media.get("schema"), dict):
                    sites.append((kind_sort_key(kind), order, str(media_type), name, media))
    sites.sort(key=lambda s: (s[0], s[1], s[2]))
    return [(name, media) for _, _, _, name, media in sites]


def _name_components(doc: dict[str, Any]) -> bool:
    """One naming pass; True when it renamed or hoisted anything."""
    components = doc.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if schemas is not None and not isinstance(schemas, dict):
        return False
    schemas = schemas if schemas is not None else {}
    renames: dict[str, str] = {}
    claimed: set[str] = set()
    hoisted = False
    for name, media in _role_sites(doc):
        schema = media["schema"]
        current = _single_ref(schema) if "$ref" in schema else None
        if current is not None:
            if current in renames or current == name or current not in schemas:
                claimed.add(renames.get(current, current))
                continue
            if name in schemas or name in claimed:
                continue  # the role name belongs to another schema: keep this one's own name
            renames[current] = name
            claimed.add(name)
        elif _is_object_schema(schema):
            if name in claimed or name in schemas:
                existing = schemas.get(name)
                if existing == schema:
                    media["schema"] = {"$ref": SCHEMA_REF + jp.escape(name)}
                continue
            schemas[name] = schema
            media["schema"] = {"$ref": SCHEMA_REF + jp.escape(name)}
            claimed.add(name)
            hoisted = True
    if hoisted and isinstance(components, dict):
        components["schemas"] = schemas
    elif hoisted:
        doc["components"] = {"schemas": schemas}
    _apply_renames(doc, renames)
    # second pass: schemas named by the property of a role schema that uses them
    schemas = doc.get("components", {}).get("schemas", {}) if isinstance(doc.get("components"), dict) else {}
    nested: dict[str, str] = {}
    for (parent, prop), name in _NESTED_NAMES.items():
        parent_schema = schemas.get(parent)
        if not isinstance(parent_schema, dict) or not isinstance(parent_schema.get("properties"), dict):
            continue
        current = _single_ref(parent_schema["properties"].get(prop))
        if current is None or current == name or current in nested or current not in schemas:
            continue
        if (
            name in schemas
            or name in nested.values()
            or current in ROLE_NAMES.values()
            or current == _ERROR_NAME
        ):
            continue
        nested[current] = name
    _apply_renames(doc, nested)
    return bool(renames or nested or hoisted)


def _is_object_schema(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" or isinstance(schema.get("properties"), dict)


def _apply_renames(doc: dict[str, Any], renames: dict[str, str]) -> None:
    if not renames:
        return
    schemas = doc["components"]["schemas"]
    doc["components"]["schemas"] = {renames.get(k, k): v for k, v in schemas.items()}

    def rewrite(ref: str) -> str:
        if not ref.startswith(SCHEMA_REF):
            return ref
        tokens = jp.parts(ref[1:])
        if len(tokens) >= 3 and tokens[2] in renames:
            tokens[2] = renames[tokens[2]]
            return "#" + jp.join(*tokens)
        return ref

    rewrite_refs(doc, rewrite)


# -- key order ---------------------------------------------------------------------------------


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: doc[k] for k in _TOP_ORDER if k in doc}
    out.update({k: doc[k] for k in sorted(doc) if k not in out})
    components = out.get("components")
    if isinstance(components, dict):
        ordered = {k: components[k] for k in _COMPONENT_ORDER if k in components}
        ordered.update({k: components[k] for k in sorted(components) if k not in ordered})
        for key, table in ordered.items():
            if isinstance(table, dict) and not key.startswith("x-"):
                ordered[key] = {name: table[name] for name in sorted(table)}
        out["components"] = ordered
    return out
