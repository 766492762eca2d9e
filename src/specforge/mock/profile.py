"""What a variant's spec says about how its server behaves, derived once into a ``Profile``.

The mock is driven by this record, never by the variant's name: which operations exist and at
which full paths, which request schemas to validate, how a job object and an error body are shaped,
and the units and types of the job's fields. ``derive_profile`` reads it from any OpenAPI 3.0/3.1
document whose paths are either ``/videos`` under a server URL ending in ``/v1`` or ``/v1/videos``.

Where a spec cannot say, the profile falls back to the official OpenAI behaviour, and says so in
``Profile.assumptions`` (e.g. the official spec documents no error responses at all, so the error
body is OpenAI's ``{"error": {"message", "type", "param", "code"}}`` envelope)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from specforge.core import Diagnostic, Severity
from specforge.core import pointer as jp
from specforge.core.document import json_type
from specforge.core.errors import InputError
from specforge.mock.schema import Schemas, local_refs_only
from specforge.openapi.operations import (
    HTTP_METHODS,
    JOB_KINDS,
    base_path,
    full_path,
    job_kind,
    operation_kind,
    path_pattern,
)
from specforge.openapi.upgrade import upgrade
from specforge.openapi.videojob import LIFECYCLE, STATE_WORDS, is_milliseconds

_JSON = re.compile(r"^application/([\w.+-]+\+)?json$")
#: keys of a flat error body that carry the message
_MESSAGE_KEYS = ("message", "msg", "error", "detail", "error_message")


@dataclass(frozen=True)
class FieldSpec:
    """One property of a response object as its schema describes it."""

    name: str
    types: frozenset[str]
    required: bool = False
    nullable: bool = False
    enum: tuple[Any, ...] = ()
    samples: tuple[Any, ...] = ()
    #: for object-valued fields (the job's ``error``), their own properties
    fields: tuple[FieldSpec, ...] = ()


@dataclass(frozen=True)
class Operation:
    """One served operation: ``kind`` is create, list, retrieve, delete, content, remix,
    generate (another job-creating POST such as ``/videos/edits``) or static (any other documented
    operation, e.g. ``/videos/characters``: its request is validated and its response synthesized
    from the schema, without state). Schemas are nodes of the
    profile's (upgraded) document, ready for ``Schemas.validator``."""

    kind: str
    method: str
    path: str  # full path template, e.g. /v1/videos/{video_id}
    pointer: str = field(repr=False)  # JSON pointer of the operation in the spec ("" when implied)
    regex: re.Pattern[str] = field(repr=False)
    #: request media type (lower case, no parameters) -> schema
    bodies: dict[str, Any] = field(default_factory=dict, repr=False)
    body_required: bool = False
    #: query parameter name -> (required, schema)
    query: dict[str, tuple[bool, Any]] = field(default_factory=dict, repr=False)
    #: the success response's JSON schema, if documented
    response: Any = field(default=None, repr=False)
    #: documented success status and non-JSON media types of the success response
    status: int = 200
    media: tuple[str, ...] = ()
    documented: bool = True
    #: whether the spec asks for credentials here (``security: []`` or an empty ``{}`` requirement: no)
    auth: bool = True

    def match(self, path: str) -> dict[str, str] | None:
        found = self.regex.fullmatch(path)
        return None if found is None else found.groupdict()

    @property
    def job_creating(self) -> bool:
        return self.kind in ("create", "remix", "generate")


@dataclass(frozen=True)
class ErrorShape:
    """``envelope`` is the key wrapping the error object (``"error"``), or None for a flat body."""

    envelope: str | None
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class Profile:
    variant: str
    #: path a client puts before the spec's paths: "/v1" for `/videos` under `https://host/v1`,
    #: "" when the spec's paths already start with it
    base_path: str
    collection: str  # full path of the collection, e.g. /v1/videos
    operations: tuple[Operation, ...]
    job_fields: tuple[FieldSpec, ...]
    error: ErrorShape
    created_at_unit: str  # "s" or "ms"
    auth: bool
    default_model: str
    default_seconds: str
    default_size: str
    #: media types /content answers with: the documented ones, else video/mp4 and image/webp
    video_media_type: str
    image_media_type: str
    #: what the spec could not say and the mock assumed: info Diagnostics (codes mock-*)
    assumptions: tuple[Diagnostic, ...]
    schemas: Schemas = field(repr=False, compare=False)
    #: lifecycle state -> the status word the variant documents for it (``pending`` for queued)
    status_words: dict[str, str] = field(default_factory=lambda: {s: s for s in LIFECYCLE})

    def status_word(self, state: str) -> str:
        return self.status_words.get(state, state)

    def operation(self, kind: str) -> Operation | None:
        return next((op for op in self.operations if op.kind == kind), None)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(op.kind for op in self.operations)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.job_fields if f.name == name), None)


def derive_profile(spec: dict[str, Any], variant: str, *, file: str | None = None) -> Profile:
    """The profile of ``spec`` (not modified); ``InputError`` when it has no ``POST .../videos``."""
    if not isinstance(spec, dict) or not isinstance(spec.get("paths"), dict):
        raise InputError("the spec has no `paths` object", file=file, hint="pass an OpenAPI 3.x document")
    local_refs_only(spec, file)
    schemas = Schemas(upgrade(spec))
    doc = schemas.document
    assumptions: list[Diagnostic] = []

    def assume(code: str, message: str, pointer: str, hint: str) -> None:
        assumptions.append(
            Diagnostic(
                code, Severity.INFO, message, pointer=pointer, file=file, variants=(variant,), hint=hint
            )
        )

    server_path = base_path(doc)

    routes = [
        (str(path), item, full_path(server_path, str(path)))
        for path, item in ((p, schemas.deref(i)) for p, i in doc["paths"].items())
        if isinstance(item, dict)
    ]
    # a task-style API (``POST /v1/video/generations``, no ``/videos`` segment) is read by method
    # and shape, as check reads it (``job_kind(guess=True)``)
    guess = not any(
        operation_kind(method, full) == "create"
        for _, item, full in routes
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict)
    )
    operations: list[Operation] = []
    for path, item, full in routes:
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                kind = _kind(method, full, op, schemas, guess=guess)
                if kind in ("generate", "static") or all(o.kind != kind for o in operations):
                    operations.append(_operation(schemas, kind, method, full, path, item, op))
                else:  # a second path of the same kind (e.g. /videos and /v1/videos): serve its shape
                    operations.append(_operation(schemas, "static", method, full, path, item, op))
    create = next((op for op in operations if op.kind == "create"), None)
    if create is None:
        raise InputError(
            "the spec documents no job-creating operation (`POST .../videos` or a task-style `POST .../generations`)",
            file=file,
            hint="a video API spec needs at least the create operation",
        )
    item_path = f"{create.path}/{{video_id}}"
    for kind, path in (("retrieve", item_path), ("content", item_path + "/content")):
        if all(op.kind != kind for op in operations):
            assume(
                "mock-implied-operation",
                f"`GET {path}` is not in the spec; served anyway because polling and download "
                "are the job lifecycle every variant's page describes",
                "/paths",
                f"document `GET {path}` in the variant's source",
            )
            operations.append(
                Operation(
                    kind, "get", path, "", path_pattern(path), documented=False, auth=_requires_auth(doc, {})
                )
            )
    # concrete paths win over templated ones (`/videos/edits` before `/videos/{video_id}`)
    operations.sort(key=lambda op: (op.path.count("{"), -len(op.path)))

    job_schema = next(
        (
            op.response
            for kind in ("retrieve", "create")
            for op in operations
            if op.kind == kind and op.response
        ),
        None,
    )
    if job_schema is None:
        assume(
            "mock-default-job-shape",
            "no job response schema: jobs are shaped like the official OpenAI `Video`",
            create.pointer,
            "document the create or retrieve 200 response schema",
        )
        job_fields = OPENAI_JOB
    else:
        job_fields = response_fields(schemas, job_schema)
        # the same job is shown by create and retrieve: a field one schema gives no sample for
        # borrows the other's (a page-evidence retrieve schema next to an embedded create example)
        others = [op.response for op in operations if op.kind in ("create", "retrieve") and op.response]
        borrowed = {
            f.name: f.samples for o in others if o is not job_schema for f in response_fields(schemas, o)
        }
        job_fields = tuple(
            replace(f, samples=borrowed[f.name]) if not f.samples and borrowed.get(f.name) else f
            for f in job_fields
        )
    error = _error_shape(schemas, doc, operations)
    if error is None:
        assume(
            "mock-default-error-shape",
            'no error response documented: errors use OpenAI\'s `{"error": {...}}` envelope',
            create.pointer,
            "document a 4xx response with the vendor's error schema",
        )
        error = OPENAI_ERROR
    examples = [*_job_examples(schemas, doc, operations, job_schema)]
    status_words = _status_words(
        job_fields,
        _page_statuses(doc),
        examples,
        lambda m, h: assume("mock-status-word", m, create.pointer, h),
    )
    unit = "ms" if any(is_milliseconds(e.get("created_at")) for e in examples) else "s"
    content = next((op for op in operations if op.kind == "content"), None)
    media = content.media if content else ()
    video_type = next((m for m in media if m.startswith("video/")), None) or next(iter(media), "video/mp4")
    image_type = next((m for m in media if m.startswith("image/")), None) or (
        video_type if media and not media_has_image(media) else "image/webp"
    )
    body = create.bodies.get("application/json", next(iter(create.bodies.values()), {}))
    props = schemas.properties(body)
    return Profile(
        variant=variant,
        base_path="" if any(str(p).startswith(server_path + "/") for p in doc["paths"]) else server_path,
        collection=create.path,
        operations=tuple(operations),
        job_fields=job_fields,
        error=error,
        created_at_unit=unit,
        auth=create.auth,
        default_model=_default(schemas, props.get("model"), "sora-2"),
        default_seconds=_default(schemas, props.get("seconds", props.get("duration")), "4"),
        default_size=_default(schemas, props.get("size"), "720x1280"),
        video_media_type=video_type,
        image_media_type=image_type,
        assumptions=tuple(assumptions),
        schemas=schemas,
        status_words=status_words,
    )


# -- paths and operations ----------------------------------------------------------------------
def _kind(method: str, full: str, op: dict[str, Any], schemas: Schemas, *, guess: bool = False) -> str:
    """The job kinds are served with state; another ``POST …/videos/<word>`` answering with a
    job object is "generate" (edits, extensions); everything else is "static". ``guess``: the
    spec has no ``/videos`` create, so task-style shapes count (see ``job_kind``)."""
    kind = job_kind(method, full, guess=True) if guess else operation_kind(method, full)
    if kind in JOB_KINDS:
        return kind
    if method == "post" and re.fullmatch(r".*/videos/[\w-]+", full):
        response = _success_schema(schemas, op)
        # a POST answering with a job object is another way to create one (edits, extensions)
        if response is not None and {"status", "progress"} <= set(schemas.properties(response)):
            return "generate"
    return "static"


def _success_schema(schemas: Schemas, op: dict[str, Any]) -> Any:
    responses = op.get("responses")
    if not isinstance(responses, dict):
        return None
    for status in ("200", "201", "202"):
        response = schemas.deref(responses.get(status))
        content = response.get("content") if isinstance(response, dict) else None
        if isinstance(content, dict):
            for media, body in content.items():
                if _JSON.match(str(media).lower()) and isinstance(body, dict) and "schema" in body:
                    return body["schema"]
    return None


def _operation(
    schemas: Schemas, kind: str, method: str, full: str, path: str, item: dict[str, Any], op: dict[str, Any]
) -> Operation:
    bodies: dict[str, Any] = {}
    request = schemas.deref(op.get("requestBody"))
    body_required = False
    if isinstance(request, dict):
        body_required = request.get("required") is True
        content = request.get("content")
        for media, body in content.items() if isinstance(content, dict) else []:
            if isinstance(body, dict):
                bodies[str(media).split(";")[0].strip().lower()] = body.get("schema", {})
    query: dict[str, tuple[bool, Any]] = {}
    params = [*(item.get("parameters") or []), *(op.get("parameters") or [])]
    for raw in params if isinstance(params, list) else []:
        param = schemas.deref(raw)
        if isinstance(param, dict) and param.get("in") == "query" and isinstance(param.get("name"), str):
            query[param["name"]] = (param.get("required") is True, param.get("schema", {}))
    status, media = 200, ()
    found = op.get("responses")
    responses: dict[str, Any] = found if isinstance(found, dict) else {}
    for code in sorted(str(k) for k in responses):
        if code.startswith("2") and code.isdigit():
            status = int(code)
            response = schemas.deref(responses[code])
            content = response.get("content") if isinstance(response, dict) else None
            if isinstance(content, dict):
                media = tuple(str(m).lower() for m in content if not _JSON.match(str(m).lower()))
            break
    return Operation(
        kind,
        method,
        full,
        jp.join("paths", path, method),
        path_pattern(full),
        bodies,
        body_required,
        query,
        _success_schema(schemas, op),
        status,
        media,
        auth=_requires_auth(schemas.document, op),
    )


def media_has_image(media: tuple[str, ...]) -> bool:
    return any(m.startswith("image/") for m in media)


# -- response shapes ---------------------------------------------------------------------------
def response_fields(schemas: Schemas, schema: Any, depth: int = 0) -> tuple[FieldSpec, ...]:
    required = schemas.required(schema)
    result = []
    for name, sub in schemas.properties(schema).items():
        types = schemas.types(sub)
        nested: tuple[FieldSpec, ...] = ()
        if "object" in types and depth < 2:
            nested = response_fields(schemas, sub, depth + 1)
        enum = tuple(v for v in schemas.enum(sub) if v is not None)
        result.append(
            FieldSpec(
                name=name,
                types=types,
                required=name in required,
                nullable="null" in types or None in schemas.enum(sub),
                enum=enum,
                samples=tuple(v for v in schemas.samples(sub) if v is not None and _hashable(v)),
                fields=nested,
            )
        )
    return tuple(result)


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _response_contents(schemas: Schemas, doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(status, content map) of every response of every operation in ``doc``, refs followed."""
    for path_item in doc["paths"].values():
        path_item = schemas.deref(path_item)
        for method in HTTP_METHODS:
            op = path_item.get(method) if isinstance(path_item, dict) else None
            responses = op.get("responses") if isinstance(op, dict) else None
            for status, response in responses.items() if isinstance(responses, dict) else []:
                response = schemas.deref(response)
                content = response.get("content") if isinstance(response, dict) else None
                if isinstance(content, dict):
                    yield str(status), content


def _error_shape(schemas: Schemas, doc: dict[str, Any], operations: list[Operation]) -> ErrorShape | None:
    """The error body: from the first documented 4xx/default JSON response, else a component
    schema named like an error that has an ``error`` object property."""
    candidates: list[Any] = []
    for status, content in _response_contents(schemas, doc):
        if status.startswith("4") or status == "default":
            for media, body in content.items():
                if _JSON.match(str(media).lower()) and isinstance(body, dict) and "schema" in body:
                    candidates.append(body["schema"])
    components = (doc.get("components") or {}).get("schemas") or {}
    for name, schema in components.items() if isinstance(components, dict) else []:
        if "error" in str(name).lower() and "error" in schemas.properties(schema):
            candidates.append(schema)
    for schema in candidates:
        props = schemas.properties(schema)
        types = schemas.types(props["error"]) if "error" in props else frozenset()
        if "error" in props and (not types or "object" in types):
            inner = response_fields(schemas, props["error"], 1)
            return ErrorShape("error", inner or OPENAI_ERROR.fields)
        if any(key in props for key in _MESSAGE_KEYS):
            return ErrorShape(None, response_fields(schemas, schema, 1))
    return _example_error_shape(schemas, doc)


def _example_error_shape(schemas: Schemas, doc: dict[str, Any]) -> ErrorShape | None:
    """The error body a page shows only as an example (a 4xx response example, or a page example
    ingest kept in ``x-specforge-examples`` with a 4xx status): its fields, typed by their values."""
    shown: list[tuple[bool, Any]] = []  # (shown as an error response?, example body)
    for status, content in _response_contents(schemas, doc):
        for body in content.values():
            if isinstance(body, dict):
                values = [body.get("example")]
                examples = body.get("examples")
                for example in examples.values() if isinstance(examples, dict) else []:
                    example = schemas.deref(example)
                    values.append(example.get("value") if isinstance(example, dict) else None)
                shown.extend((status.startswith("4"), v) for v in values)
    loose = doc.get("x-specforge-examples")
    for entry in loose if isinstance(loose, list) else []:
        if isinstance(entry, dict):
            shown.append((str(entry.get("status", "")).startswith("4"), entry.get("value")))
    # error responses first; then a body that is nothing but an `error` object, wherever the
    # page put it (drafts file every response JSON a page shows under the operation's 200)
    for error_response, value in sorted(shown, key=lambda item: not item[0]):
        if not isinstance(value, dict):
            continue
        if isinstance(value.get("error"), dict) and (error_response or not {"id", "status"} & set(value)):
            return ErrorShape("error", _example_fields(value["error"]))
        if error_response and any(key in value for key in _MESSAGE_KEYS):
            return ErrorShape(None, _example_fields(value))
    return None


def _example_fields(example: dict[str, Any]) -> tuple[FieldSpec, ...]:
    return tuple(
        FieldSpec(
            name=str(name),
            types=frozenset({json_type(value)}),
            required=True,
            nullable=value is None,
            fields=_example_fields(value) if isinstance(value, dict) else (),
        )
        for name, value in example.items()
    )


def _page_statuses(doc: dict[str, Any]) -> list[str]:
    """The statuses a draft source's page lists (``x-specforge-status-values``: status tables,
    bullets), not the ones it only saw in examples."""
    entries = doc.get("x-specforge-status-values")
    return [
        str(e["value"])
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict)
        and isinstance(e.get("value"), str)
        and e.get("x-specforge-evidence") != "example"
    ]


def _status_words(
    job_fields: tuple[FieldSpec, ...], listed: list[str], examples: list[dict[str, Any]], assume: Any
) -> dict[str, str]:
    """Each lifecycle state in the variant's word: from the job's status enum, else the statuses
    its page lists, else the statuses its examples show; a state the documented list has no word
    for keeps the official word (and says so)."""
    status = next((f for f in job_fields if f.name == "status"), None)
    vocabulary = [str(v) for v in status.enum] if status is not None and status.enum else list(listed)
    from_enum = bool(vocabulary)
    if not vocabulary:
        shown = (e.get("status") for e in examples)
        vocabulary = list(dict.fromkeys(v for v in shown if isinstance(v, str)))
    lowered = {v.lower(): v for v in vocabulary}
    words: dict[str, str] = {}
    for state, synonyms in STATE_WORDS.items():
        word = next((lowered[w] for w in synonyms if w in lowered), None)
        if word is None and from_enum:
            assume(
                f"the documented statuses ({', '.join(vocabulary)}) have no word for `{state}`; the mock says `{state}`",
                "list the status the server returns for that state in the job schema's `status` enum",
            )
        words[state] = word or state
    return words


def _requires_auth(doc: dict[str, Any], op: dict[str, Any]) -> bool:
    """Whether ``op`` asks for credentials: its own ``security``, else the document's; ``[]`` or
    an empty ``{}`` requirement means anonymous calls are allowed. Unstated: yes (the mock's token)."""
    security = op.get("security", doc.get("security"))
    if isinstance(security, list):
        return bool(security) and all(isinstance(req, dict) and req for req in security)
    return True


def _job_examples(
    schemas: Schemas, doc: dict[str, Any], operations: list[Operation], job_schema: Any
) -> list[dict[str, Any]]:
    """Every documented example of a job object: response examples, schema examples, and
    per-property examples assembled into one object."""
    found: list[dict[str, Any]] = []
    for status, content in _response_contents(schemas, doc):
        for body in content.values():
            if not isinstance(body, dict) or not status.startswith("2"):
                continue
            if isinstance(body.get("example"), dict):
                found.append(body["example"])
            for example in (
                (body.get("examples") or {}).values() if isinstance(body.get("examples"), dict) else []
            ):
                example = schemas.deref(example)
                if isinstance(example, dict) and isinstance(example.get("value"), dict):
                    found.append(example["value"])
    if job_schema is not None:
        found.extend(v for v in schemas.samples(job_schema) if isinstance(v, dict))
        per_property = {}
        for name, sub in schemas.properties(job_schema).items():
            values = schemas.samples(sub)
            if values:
                per_property[name] = values[0]
        found.append(per_property)
    return found


def _default(schemas: Schemas, schema: Any, fallback: str) -> str:
    for value in schemas.samples(schema) if schema is not None else []:
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return fallback


def _f(
    name: str,
    types: str,
    *,
    nullable: bool = False,
    enum: tuple[Any, ...] = (),
    fields: tuple[FieldSpec, ...] = (),
) -> FieldSpec:
    kinds = frozenset(types.split("|")) | ({"null"} if nullable else set())
    return FieldSpec(name, kinds, required=True, nullable=nullable, enum=enum, fields=fields)


#: the official OpenAI shapes, used only where a spec documents none (see Profile.assumptions)
OPENAI_ERROR = ErrorShape(
    "error",
    (
        _f("message", "string"),
        _f("type", "string"),
        _f("param", "string", nullable=True),
        _f("code", "string", nullable=True),
    ),
)
OPENAI_JOB: tuple[FieldSpec, ...] = (
    _f("id", "string"),
    _f("object", "string", enum=("video",)),
    _f("model", "string"),
    _f("status", "string", enum=LIFECYCLE),
    _f("progress", "integer"),
    _f("created_at", "integer"),
    _f("completed_at", "integer", nullable=True),
    _f("expires_at", "integer", nullable=True),
    _f("prompt", "string", nullable=True),
    _f("size", "string"),
    _f("seconds", "string"),
    _f("remixed_from_video_id", "string", nullable=True),
    _f("error", "object", nullable=True, fields=(_f("code", "string"), _f("message", "string"))),
)
