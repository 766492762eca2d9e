"""Every request/response example a page shows becomes an OpenAPI example in the source, placed on
the operation it belongs to, citing its page line. Contradictions with the page's own schema are
kept on purpose: lint checks examples against schemas, which is how a copy-pasted spec is caught."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from specforge.core import pointer as jp
from specforge.ingest.page import (
    JSON_LANGS,
    SHELL_LANGS,
    Curl,
    bare_json_objects,
    code_blocks,
    covered_lines,
    curl_commands,
)
from specforge.openapi.operations import base_path, path_pattern

#: top-level extension for examples whose operation the page's OpenAPI does not define
UNPLACED_KEY = "x-specforge-examples"


@dataclass(frozen=True)
class PageExample:
    """One example shown in the page. ``kind`` is "request" or "response"."""

    kind: str
    name: str
    line: int
    method: str | None
    path: str | None
    media_type: str
    value: Any
    summary: str


def is_error_envelope(value: Any) -> bool:
    """``{"error": {...}}``: the error body OpenAI-style APIs answer with (a page showing it
    documents the error response, not the success one)."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("error"), dict)


def _looks_like_response(value: dict[str, Any]) -> bool:
    return "id" in value and ("status" in value or "object" in value) or "error" in value and len(value) == 1


def _form_value(fields: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields:
        if key in out:  # repeated fields (arrays) keep every value, in order
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


#: where(line) -> (section kind "request"/"response"/None, method, path, line that named the route)
Where = Callable[[int], tuple[str | None, str | None, str | None, int]]


def page_examples(
    text: str,
    *,
    skip: tuple[int, int] | list[tuple[int, int]] | None = None,
    html_page: bool = False,
    where: Where | None = None,
) -> list[PageExample]:
    """Examples in page order: curl bodies (``-d`` JSON, ``-F`` forms) and JSON objects in
    ```json blocks or bare in prose. ``skip`` is the line range of the extracted OpenAPI itself.
    A JSON object is a response when it looks like one (``id`` + ``status``/``object``) and is
    attributed to the last curl command before it. In HTML pages only ``<pre>`` blocks count
    (prose there is markup). ``where`` (drafts) gives the page section and route at a line: a
    JSON object under a response heading is a response, one under a newer route belongs to it."""
    blocks = code_blocks(text, html_page=html_page)
    spans = [skip] if isinstance(skip, tuple) else (skip or [])
    skipped = {n for a, b in spans for n in range(a, b + 1)}
    fenced = covered_lines(blocks)
    curls: list[Curl] = []
    json_items: list[tuple[int, int, Any, str]] = []
    for block in blocks:
        if block.start in skipped:
            continue
        if block.lang in SHELL_LANGS:
            curls += [_shifted(found, block.start - 1) for found in curl_commands(block.text)]
        elif block.lang in JSON_LANGS:
            try:
                decoded = json.loads(block.text)
            except json.JSONDecodeError:
                continue
            label = "<pre> JSON block" if html_page else "```json block"
            json_items.append((block.start, block.end, decoded, label))
    if not html_page:
        prose = {n for n in range(1, text.count("\n") + 2) if n not in fenced and n not in skipped}
        prose_curls = list(curl_commands(text, prose))
        curls += prose_curls
        for obj in bare_json_objects(text, fenced | skipped):
            if obj.glued or not any(c.line <= obj.start <= c.end for c in prose_curls):
                json_items.append((obj.start, obj.end, obj.value, "JSON in the page text"))

    events: list[tuple[int, str, Any]] = [(c.line, "curl", c) for c in curls]
    events += [(start, "json", (obj_value, label)) for start, _end, obj_value, label in json_items]
    events.sort(key=lambda e: e[0])
    examples: list[PageExample] = []
    last: Curl | None = None
    for line, kind, item in events:
        if kind == "curl":
            curl: Curl = item
            last = curl
            if curl.data is not None:
                media = curl.content_type or "application/x-www-form-urlencoded"
                if curl.content_type is None and curl.data.lstrip().startswith(("{", "[")):
                    media = "application/json"
                value: Any = curl.data
                if "json" in media:
                    try:
                        value = json.loads(curl.data)
                    except json.JSONDecodeError:
                        value = curl.data
                at = curl.data_line or curl.line
                examples.append(
                    PageExample(
                        "request",
                        f"curl-json-L{at}",
                        at,
                        curl.method,
                        curl.path,
                        media,
                        value,
                        f"curl -d body shown in the page (line {at})",
                    )
                )
            if curl.form:
                at = curl.form_line or curl.line
                examples.append(
                    PageExample(
                        "request",
                        f"curl-form-L{at}",
                        at,
                        curl.method,
                        curl.path,
                        "multipart/form-data",
                        _form_value(curl.form),
                        f"curl -F form shown in the page (line {at}); "
                        "values are form text, `@file` is an upload",
                    )
                )
            continue
        value, shown = item
        if not isinstance(value, dict):
            continue
        method, path = (last.method, last.path) if last else (None, None)
        section: str | None = None
        if where is not None:
            section, w_method, w_path, named_at = where(line)
            if w_method and (last is None or named_at > last.line):
                method, path = w_method, w_path
        is_response = section == "response" or (section is None and _looks_like_response(value))
        if section == "request" and _looks_like_response(value) and last is not None and line >= last.end:
            is_response = True
        if not is_response and method in ("GET", "DELETE", "HEAD"):
            method, path = None, None  # a body shown under a poll/download route is the create call's
        if is_response:
            examples.append(
                PageExample(
                    "response",
                    f"response-L{line}",
                    line,
                    method,
                    path,
                    "application/json",
                    value,
                    f"response shown in the page ({shown}, line {line})",
                )
            )
        else:
            examples.append(
                PageExample(
                    "request",
                    f"request-L{line}",
                    line,
                    method,
                    path,
                    "application/json",
                    value,
                    f"request body shown in the page ({shown}, line {line})",
                )
            )
    return examples


def _shifted(curl: Curl, offset: int) -> Curl:
    """``curl`` parsed from a block, with its lines moved to page lines."""
    curl.line += offset
    curl.end += offset
    if curl.data_line is not None:
        curl.data_line += offset
    if curl.form_line is not None:
        curl.form_line += offset
    return curl


def find_operation(document: dict[str, Any], method: str | None, path: str | None) -> tuple[str, str] | None:
    """The (path key, method) of ``document`` that a request to ``method path`` hits, honouring
    the server URL's path prefix (``https://api.openai.com/v1`` + ``/videos``)."""
    paths = document.get("paths")
    if not isinstance(paths, dict) or not method or not path:
        return None
    prefix = base_path(document)
    wanted = [path]
    if prefix and path.startswith(prefix + "/"):
        wanted.append(path[len(prefix) :])
    for candidate in wanted:
        for key, item in paths.items():
            if (
                isinstance(item, dict)
                and method.lower() in item
                and path_pattern(str(key)).fullmatch(candidate)
            ):
                return str(key), method.lower()
    return None


def _fallback_operation(document: dict[str, Any]) -> tuple[str, str] | None:
    """Where an example with no preceding curl goes: the first POST (the create call)."""
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return None
    for key, item in paths.items():
        if isinstance(item, dict) and "post" in item:
            return str(key), "post"
    return None


def attach_examples(
    document: dict[str, Any], examples: list[PageExample], doc: str, *, moved_line: Any = None
) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``document`` with ``examples`` added; returns it and notes on anything changed
    besides adding (a media type's single ``example`` moved into ``examples``, because OpenAPI
    forbids both on one media type). Examples whose operation or media type the document lacks go
    to the top-level ``x-specforge-examples`` list instead of inventing operations."""
    out = copy.deepcopy(document)
    notes: list[str] = []
    unplaced: list[dict[str, Any]] = []
    for example in examples:
        entry: dict[str, Any] = {
            "summary": example.summary,
            "value": copy.deepcopy(example.value),
            "x-specforge-source": f"{doc}:{example.line}",
        }
        operation = find_operation(out, example.method, example.path)
        if operation is None and example.method is None:
            operation = _fallback_operation(out)
        media: dict[str, Any] | None = None
        status: str | None = None
        pointer = ""
        if operation is not None:
            path_key, method = operation
            op = out["paths"][path_key][method]
            if example.kind == "request":
                body = op.get("requestBody")
                content = body.get("content") if isinstance(body, dict) else None
                if isinstance(content, dict) and isinstance(content.get(example.media_type), dict):
                    media = content[example.media_type]
                    pointer = f"/paths/{jp.escape(path_key)}/{method}/requestBody/content/{jp.escape(example.media_type)}"
            else:
                responses = op.get("responses") if isinstance(op.get("responses"), dict) else {}
                codes = [str(c) for c in responses if str(c).startswith("2")]
                status = "200" if "200" in responses else (codes[0] if codes else None)
                if is_error_envelope(example.value) and "default" in responses:
                    status = "default"
                response = responses.get(status) if status else None
                content = response.get("content") if isinstance(response, dict) else None
                if isinstance(content, dict) and isinstance(content.get(example.media_type), dict):
                    media = content[example.media_type]
                    pointer = f"/paths/{jp.escape(path_key)}/{method}/responses/{status}/content/{jp.escape(example.media_type)}"
        if media is None:
            unplaced.append(
                {
                    "name": example.name,
                    "in": example.kind,
                    "operation": f"{example.method or 'POST'} {example.path or '?'}",
                    "mediaType": example.media_type,
                    **({"status": status or "200"} if example.kind == "response" else {}),
                    **entry,
                }
            )
            continue
        if "example" in media:
            line = moved_line(pointer + "/example") if moved_line else None
            moved: dict[str, Any] = {
                "summary": "the page's OpenAPI `example` (moved: OpenAPI forbids `example` beside `examples`)",
                "value": media.pop("example"),
            }
            if line:
                moved["x-specforge-source"] = f"{doc}:{line}"
            media.setdefault("examples", {})["openapi-example"] = moved
            notes.append(f"moved `example` into `examples/openapi-example` at {pointer}")
        media.setdefault("examples", {})[example.name] = entry
    if unplaced:
        out[UNPLACED_KEY] = unplaced
    return out, notes
