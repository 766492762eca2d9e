"""An "observed" OpenAPI source from a check's cassette: what the endpoint actually answered —
operations, statuses, media types, response fields and their types (JSON Schema inferred from the
bodies by genson, the library the page ingester's example inference uses), which fields every answer
carried (``required``), the values of status-like fields, example values (so a millisecond
timestamp shows as one) and the authentication the requests used. ``specforge diff VARIANT
observed.yaml`` then lists where a provider departs from its own docs.

Only the response side is inferred: request bodies in a cassette are what specforge *sent* (fuzzed
by schemathesis), not what the provider documents, so they would describe the tester, not the API.
The document says it is an observation (``info.x-specforge-observed``), and ``specforge.diff``
reports nothing that only says "absent" against it: an operation not exercised is not removed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from specforge.core import Config, InputError
from specforge.core.cassette import body_bytes, read_cassette
from specforge.openapi.schemas import media_class

#: response fields whose observed values are reported as an enum (a closed set the docs list)
_ENUM_FIELDS = {"status", "object"}
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")
_ID_SEGMENT = re.compile(r"^(?=.*\d)[A-Za-z0-9_-]{6,}$")
_EXAMPLES = 3
_ENUM_MAX = 8


def _matcher(templates: Iterable[str]) -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in sorted(set(templates), key=lambda t: (t.count("{"), -len(t))):
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{[^}/]*\\\}", "[^/]+", pattern)
        out.append((re.compile(f"^{pattern}/?$"), template))
    return out


def _template(path: str, matchers: list[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, template in matchers:
        if pattern.match(path):
            return template
    return None


def _guess_template(path: str) -> str:
    """``/v1/videos/video_3f2a9c/content`` -> ``/v1/videos/{video_id}/content``: segments that look
    like ids (a digit and six characters or more) become parameters."""
    segments = path.rstrip("/").split("/")
    out = []
    for index, segment in enumerate(segments):
        if index and _ID_SEGMENT.match(segment):
            parent = segments[index - 1].rstrip("s") or "item"
            out.append("{" + f"{parent}_id" + "}")
        else:
            out.append(segment)
    return "/".join(out) or "/"


def _body(record: dict[str, Any]) -> Any:
    """A response body as JSON data, or None when it is not (binary, truncated, not JSON)."""
    body = record.get("body")
    if not isinstance(body, str) or record.get("truncated"):
        return None
    if record.get("body_encoding") == "base64":
        try:
            body = body_bytes(record).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        return None


def _header(headers: Any, name: str) -> str | None:
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if str(key).lower() == name:
            return str(value)
    return None


def infer_schema(values: list[Any]) -> dict[str, Any]:
    """JSON Schema of observed values — the page ingester's example inference
    (:func:`specforge.ingest.draft.infer_schema`) — plus what many answers show and one page
    example cannot: ``required`` (fields every answer carried), example values and, for status-like
    fields, the values seen as an enum."""
    from specforge.ingest.draft import infer_schema as example_schema

    schema = example_schema(values)
    _annotate(schema, values, "")
    return schema


def _annotate(schema: dict[str, Any], values: list[Any], name: str) -> None:
    properties = schema.get("properties")
    if isinstance(properties, dict):
        objects = [v for v in values if isinstance(v, dict)]
        for prop, sub in properties.items():
            if isinstance(sub, dict):
                _annotate(sub, [o[prop] for o in objects if prop in o], prop)
        carried = sorted(p for p in properties if objects and all(p in o for o in objects))
        if carried:
            schema["required"] = carried
        return
    items = schema.get("items")
    if isinstance(items, dict):
        _annotate(items, [i for v in values if isinstance(v, list) for i in v], name)
        return
    scalars = [v for v in values if isinstance(v, str | int | float) and not isinstance(v, bool)]
    distinct = list(dict.fromkeys(scalars))
    if not distinct:
        return
    strings = [v for v in distinct if isinstance(v, str)]
    if (
        name in _ENUM_FIELDS
        and strings
        and len(strings) <= _ENUM_MAX
        and all(_IDENTIFIER.match(s) for s in strings)
    ):
        schema["enum"] = sorted(strings) + ([None] if None in values else [])
    schema["examples"] = distinct[:_EXAMPLES]


def observe(
    entries: Iterable[dict[str, Any]], *, templates: Iterable[str] = (), source: str = "cassette"
) -> dict[str, Any]:
    """The observed OpenAPI 3.1 document of ``entries`` (cassette exchanges). ``templates`` are the
    path templates the project knows (``/v1/videos/{video_id}``); other paths are templated by
    guessing which segments are ids, and unknown paths that only answered 404/405 are skipped."""
    matchers = _matcher(templates)
    origins: dict[str, None] = {}
    bodies: dict[tuple[str, str, str, str], list[Any]] = {}
    counts: dict[tuple[str, str, str], int] = {}
    media: dict[tuple[str, str, str], dict[str, None]] = {}
    schemes: dict[str, dict[str, Any]] = {}
    exchanges = 0
    for entry in entries:
        request, response = entry.get("request") or {}, entry.get("response")
        if not isinstance(response, dict) or not isinstance(request.get("url"), str):
            continue
        url = urlsplit(request["url"])
        method = str(request.get("method", "GET")).lower()
        status = str(response.get("status", ""))
        known = _template(url.path, matchers)
        if status in ("405", "501") or known is None and status == "404":
            continue  # a probe of a method or path that does not exist
        path = known or _guess_template(url.path)
        exchanges += 1
        origins.setdefault(f"{url.scheme}://{url.netloc}", None)
        key = (path, method, status)
        counts[key] = counts.get(key, 0) + 1
        content_type = _header(response.get("headers"), "content-type")
        if content_type:
            base = content_type.split(";")[0].strip().lower()
            media.setdefault(key, {})[base] = None
            data = _body(response) if media_class(base) == "json" else None
            if data is not None:
                bodies.setdefault((path, method, status, base), []).append(data)
        authorization = _header(request.get("headers"), "authorization")
        if authorization and authorization.lower().startswith("bearer"):
            schemes.setdefault("BearerAuth", {"type": "http", "scheme": "bearer"})
        elif _header(request.get("headers"), "x-api-key") is not None:
            schemes.setdefault("ApiKeyAuth", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
    paths: dict[str, Any] = {}
    for (path, method, status), count in sorted(counts.items()):
        operation = paths.setdefault(path, {}).setdefault(method, {"responses": {}})
        answer: dict[str, Any] = {"description": f"observed {count} time{'s' if count != 1 else ''}"}
        content = {}
        for base in media.get((path, method, status), {}):
            samples = bodies.get((path, method, status, base))
            content[base] = {"schema": infer_schema(samples)} if samples else {}
        if content:
            answer["content"] = content
        operation["responses"][status] = answer
    for path, item in paths.items():
        names = re.findall(r"\{([^}/]*)\}", path)
        if names:
            item["parameters"] = [
                {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names
            ]
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": f"observed behaviour ({source})",
            "version": "observed",
            "x-specforge-observed": {"source": source, "exchanges": exchanges},
        },
        "servers": [{"url": origin} for origin in origins] or [{"url": "/"}],
    }
    if schemes:
        document["security"] = [{name: []} for name in schemes]
    document["paths"] = paths
    if schemes:
        document["components"] = {"securitySchemes": schemes}
    return document


def write_observed(config: Config, cassette: Path, out: Path) -> tuple[Path, dict[str, Any]]:
    """``specforge ingest --cassette``: ``out/observed.yaml`` from ``cassette``, its paths templated
    by the project's specs (canonical and every source). Written atomically."""
    from specforge.core import dump_yaml, load_mapping, write_atomic
    from specforge.normalize import normalize
    from specforge.openapi.operations import iter_operations

    templates: list[str] = []
    for path in (config.canonical, *(v.source for v in config.variants.values())):
        if path.is_file():
            try:
                document = normalize(load_mapping(path).data)
            except InputError:
                continue
            templates.extend(p for p, _, _ in iter_operations(document))
    shown = config.display(cassette)
    document = observe(read_cassette(cassette, shown), templates=templates, source=shown)
    target = out / "observed.yaml"
    header = (
        f"Observed by `specforge ingest --cassette {shown}` — what the endpoint answered, not its docs.\n"
        "Compare with its documentation: specforge diff VARIANT " + config.display(target)
    )
    write_atomic(target, dump_yaml(document, header=header))
    return target, document
