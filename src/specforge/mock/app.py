"""The ASGI application: routes from the profile, bounded request reading, validation against the
variant's request schemas, and job/error bodies shaped as the variant documents them.

Every answer to a malformed request is a 4xx in the variant's error shape; a 5xx can only come
from a bug in this module (and is logged)."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from specforge import MOCK_HEADER
from specforge.mock.media import WEBP_1X1, mp4_bytes
from specforge.mock.profile import FieldSpec, Operation, Profile, response_fields
from specforge.mock.recorder import EXCHANGES_PATH, Recorder, plain
from specforge.mock.schema import FormFile, parse_json
from specforge.mock.store import Job, JobStore, state_at

log = logging.getLogger("specforge.mock")
# python-multipart logs a warning for every malformed part header a client sends; the mock already
# answers those requests with a 400 naming the problem, so the log line only duplicates it
logging.getLogger("python_multipart").setLevel(logging.ERROR)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

STATS_PATH = "/__specforge__/stats"

_OMIT = object()
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
#: downloadable assets stay available this long after completion (reported as expires_at)
EXPIRY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one mock process healthy under fuzzing and misuse."""

    max_body_bytes: int = 8 * 1024 * 1024
    max_jobs: int = 10_000
    #: seconds allowed for receiving a whole request body
    body_timeout: float = 10.0
    #: seconds allowed for sending a request's line and headers (a 1 byte/s client is cut off)
    header_timeout: float = 10.0
    max_form_fields: int = 200
    max_form_files: int = 10


class ApiError(Exception):
    """An answer in the variant's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}


class MockApp:
    """One variant's mock provider as an ASGI application."""

    def __init__(
        self,
        profile: Profile,
        store: JobStore,
        *,
        token: str | None,
        job_seconds: float,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.time,
        recorder: Recorder | None = None,
    ) -> None:
        self.profile = profile
        #: what the mock received (``specforge relay-check``), None unless enabled
        self.recorder = recorder
        self.store = store
        self.token = token
        self.job_seconds = max(0.0, float(job_seconds))
        self.limits = limits or Limits()
        self.clock = clock
        self.creates = 0
        self.requests = 0
        self._shapes: dict[int, tuple[FieldSpec, ...]] = {}

    # -- ASGI entry ---------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        record = None
        if self.recorder is not None and not scope["path"].startswith("/__specforge__/"):
            record = self.recorder.start(
                scope["method"],
                scope["path"],
                scope.get("query_string", b"").decode("latin-1"),
                scope.get("headers", []),
            )
            scope["specforge.record"] = record
        try:
            response = await self._handle(scope, receive)
        except ApiError as exc:
            response = self.error_response(exc)
        except ClientDisconnect:
            # the client went away mid-body: nobody to answer, nothing went wrong here
            log.debug("mock: client disconnected during %s %s", scope.get("method"), scope.get("path"))
            return
        except Exception:  # a bug, never the client's fault: log it and answer 500
            log.exception("mock: unhandled error for %s %s", scope.get("method"), scope.get("path"))
            response = self.error_response(
                ApiError(500, "The mock server failed.", type="server_error", code="server_error")
            )
        response.headers[MOCK_HEADER] = self.profile.variant
        if record is not None and self.recorder is not None:
            self.recorder.finish(
                record, response.status_code, response.raw_headers, bytes(getattr(response, "body", b""))
            )
        await response(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _handle(self, scope: Scope, receive: Receive) -> Response:
        path: str = scope["path"]
        method: str = scope["method"].lower()
        if path == STATS_PATH:
            if method != "get":
                raise ApiError(
                    405, "Method not allowed.", code="method_not_allowed", headers={"Allow": "GET"}
                )
            return _json({"creates": self.creates, "requests": self.requests})
        if path == EXCHANGES_PATH and self.recorder is not None:
            if method == "delete":
                self.recorder.clear()
                return _json({"cleared": True})
            if method != "get":
                raise ApiError(
                    405, "Method not allowed.", code="method_not_allowed", headers={"Allow": "GET, DELETE"}
                )
            return _json({"exchanges": self.recorder.records()})
        self.requests += 1
        template, params = next(
            ((op.path, hit) for op in self.profile.operations if (hit := op.match(path)) is not None),
            (None, None),
        )
        if template is None or params is None:
            raise ApiError(404, f"Unknown route: {scope['method']} {path}", code="not_found")
        request = Request(scope, receive)
        candidates = [op for op in self.profile.operations if op.path == template]
        found = next((op for op in candidates if op.method == method), None)
        if found is not None and found.job_creating:
            # counted before auth and validation: every create a client sends could cost money
            self.creates += 1
        self._authenticate(request, found.auth if found is not None else self.profile.auth)
        if found is None:
            allowed = ", ".join(sorted({op.method.upper() for op in candidates}))
            raise ApiError(
                405,
                f"Method {scope['method']} is not allowed on {path}.",
                code="method_not_allowed",
                headers={"Allow": allowed},
            )
        op = found
        video_id = next(iter(params.values()), None)
        if op.job_creating:
            return await self._create(op, request, video_id)
        if op.kind == "retrieve":
            return self._retrieve(request, self._job(video_id))
        if op.kind == "content":
            return self._content(op, request, self._job(video_id))
        if op.kind == "list":
            return self._list(op, request)
        if op.kind == "delete":
            return self._delete(op, self._job(video_id))
        return await self._static(op, request)

    def _authenticate(self, request: Request, required: bool) -> None:
        """``required`` is False where the variant documents anonymous access (``security: []``)."""
        if self.token is None or not required:
            return
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            value.strip().encode(), self.token.encode()
        ):
            message = "Missing bearer token." if not header else "Incorrect API key provided."
            raise ApiError(401, message, code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"})

    def _job(self, video_id: str | None) -> Job:
        job = self.store.get(video_id) if video_id else None
        if job is None:
            raise ApiError(
                404, f"No video found with id '{video_id}'.", code="video_not_found", param="video_id"
            )
        return job

    # -- operations ---------------------------------------------------------------------------
    async def _create(self, op: Operation, request: Request, video_id: str | None) -> Response:
        source = self._job(video_id) if op.kind == "remix" else None
        if source is not None and state_at(source, self.clock()).status != "completed":
            raise ApiError(
                409,
                f"Video '{source.id}' is not completed; only completed videos can be remixed.",
                code="video_not_ready",
                param="video_id",
            )
        body = await self._body(op, request)
        self._check_query(op, request)
        if self.store.count() >= self.limits.max_jobs:
            raise ApiError(
                429,
                f"The mock holds its limit of {self.limits.max_jobs} jobs; delete some or restart it.",
                type="rate_limit_error",
                code="job_limit_reached",
            )
        job = Job(
            id="video_" + secrets.token_hex(24),
            created_at=self.clock(),
            model=_text(body.get("model")) or (source.model if source else self.profile.default_model),
            prompt=_text(body.get("prompt")),
            seconds=_seconds(body) or (source.seconds if source else self.profile.default_seconds),
            size=_size(body) or (source.size if source else self.profile.default_size),
            duration=self.job_seconds,
            remixed_from=source.id if source else None,
        )
        self.store.add(job)
        return _json(self.render_job(job, request))

    def _retrieve(self, request: Request, job: Job) -> Response:
        poll_ms = max(10, min(1000, int(job.duration * 100)))
        return _json(self.render_job(job, request), headers={"openai-poll-after-ms": str(poll_ms)})

    def _content(self, op: Operation, request: Request, job: Job) -> Response:
        query = self._check_query(op, request)
        state = state_at(job, self.clock())
        if state.status == "failed":
            raise ApiError(
                409, f"Video '{job.id}' failed; it has no content.", code="video_failed", param="video_id"
            )
        if state.status != "completed":
            raise ApiError(
                409,
                f"Video '{job.id}' is {state.status}; content is available once it is completed.",
                code="video_not_ready",
                param="video_id",
            )
        variant = query.get("variant", "video")
        if variant in ("thumbnail", "spritesheet"):
            return Response(WEBP_1X1, media_type=self.profile.image_media_type)
        return Response(mp4_bytes(), media_type=self.profile.video_media_type)

    def _list(self, op: Operation, request: Request) -> Response:
        query = self._check_query(op, request)
        jobs = self.store.all()
        if query.get("order", "desc") != "asc":
            jobs.reverse()
        after = query.get("after")
        if isinstance(after, str):
            ids = [j.id for j in jobs]
            jobs = jobs[ids.index(after) + 1 :] if after in ids else []
        limit = query.get("limit", 20)
        limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0 else 20
        page = jobs[:limit]
        values = {
            "object": "list",
            "data": [self.render_job(j, request) for j in page],
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
            "has_more": len(jobs) > len(page),
        }
        return _json(self._shaped(values, op.response))

    def _delete(self, op: Operation, job: Job) -> Response:
        self.store.delete(job.id)
        return _json(self._shaped({"id": job.id, "object": "video.deleted", "deleted": True}, op.response))

    async def _static(self, op: Operation, request: Request) -> Response:
        """An operation outside the job lifecycle: validate the request, answer with a body
        synthesized from the documented success schema (stateless, like a schema-driven mock)."""
        await self._body(op, request)
        self._check_query(op, request)
        if op.response is None:
            if op.media:
                return Response(b"", status_code=op.status, media_type=op.media[0])
            return Response(status_code=op.status if op.status != 200 else 204)
        body = synthesize(self.profile.schemas, op.response, self.clock())
        return _json(body, status=op.status)

    # -- request reading ----------------------------------------------------------------------
    async def _read(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise ApiError(400, "Invalid Content-Length header.", code="invalid_request")
            if int(declared) > self.limits.max_body_bytes:
                raise _too_large(self.limits.max_body_bytes)
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.limits.body_timeout

        async def collect() -> None:
            nonlocal size
            async for chunk in request.stream():
                size += len(chunk)
                if size > self.limits.max_body_bytes:
                    raise _too_large(self.limits.max_body_bytes)
                chunks.append(chunk)

        try:
            await asyncio.wait_for(collect(), timeout=max(0.001, deadline - time.monotonic()))
        except TimeoutError:
            raise ApiError(
                408, "The request body was not received in time.", code="request_timeout"
            ) from None
        return b"".join(chunks)

    async def _body(self, op: Operation, request: Request) -> dict[str, Any]:
        raw = await self._read(request)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not op.bodies:
            return {}
        if not raw and not media:
            return self._no_body(op, list(op.bodies.values()))
        schema_media = _choose_media(op, media)
        if schema_media is None:
            documented = ", ".join(op.bodies)
            raise ApiError(
                415,
                f"Unsupported Content-Type {media or '(none)'!r}; use one of: {documented}.",
                code="unsupported_media_type",
            )
        schema = op.bodies[schema_media]
        if schema_media in _FORM_TYPES:
            value: Any = await self._form(request, raw, schema)
        else:
            if not raw.strip():
                return self._no_body(op, [schema])
            try:
                value = parse_json(raw)
            except ValueError as exc:
                raise ApiError(400, f"The body is not valid JSON: {exc}", code="invalid_json") from None
            _note_fields(request, value)
        self._validate(schema, value)
        return value if isinstance(value, dict) else {}

    def _validate(self, schema: Any, value: Any) -> None:
        errors = self.profile.schemas.errors(schema, value)
        if errors:
            param = errors[0].split(":", 1)[0] if ":" in errors[0] else None
            raise ApiError(
                400, "Invalid request body: " + "; ".join(errors), code="invalid_value", param=param
            )

    def _no_body(self, op: Operation, schemas: list[Any]) -> dict[str, Any]:
        """An absent or empty body. Rejected when the spec requires one, and when no documented
        body schema accepts an empty object (the OpenAI reference marks the create body optional,
        yet its schema requires ``prompt``, and the real API answers 400): a request without a
        body lacks the fields it requires. ``specforge check`` reads such a body as required too
        (``check.spec.with_implied_bodies``)."""
        if op.body_required:
            raise ApiError(400, "A request body is required.", code="missing_body")
        if schemas and not any(self.profile.schemas.is_valid(s, {}) for s in schemas):
            errors = self.profile.schemas.errors(schemas[0], {})
            missing = sorted(self.profile.schemas.required(schemas[0]))
            raise ApiError(
                400,
                "Invalid request body: " + "; ".join(errors) if errors else "A request body is required.",
                code="invalid_value" if errors else "missing_body",
                param=missing[0] if missing else None,
            )
        return {}

    async def _form(self, request: Request, raw: bytes, schema: Any) -> dict[str, Any]:
        async def replay() -> Message:
            return {"type": "http.request", "body": raw, "more_body": False}

        replayed = Request(request.scope, replay)
        try:
            form = await replayed.form(
                max_files=self.limits.max_form_files, max_fields=self.limits.max_form_fields
            )
        except Exception as exc:  # noqa: BLE001 - any parser failure is the client's malformed body
            detail = getattr(exc, "detail", None) or str(exc) or type(exc).__name__
            raise ApiError(400, f"The form body could not be parsed: {detail}", code="invalid_form") from None
        fields: dict[str, list[Any]] = {}
        try:
            for name, item in form.multi_items():
                if isinstance(item, UploadFile):
                    fields.setdefault(name, []).append(FormFile(item.filename, item.size or 0))
                else:
                    fields.setdefault(name, []).append(item)
        finally:
            await form.close()
        _note_fields(request, fields)
        return self.profile.schemas.coerce_form(schema, fields)

    def _check_query(self, op: Operation, request: Request) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, (required, schema) in op.query.items():
            given = request.query_params.getlist(name)
            if not given:
                if required:
                    raise ApiError(
                        400,
                        f"Missing required query parameter '{name}'.",
                        code="missing_parameter",
                        param=name,
                    )
                continue
            value = self.profile.schemas.coerce_form({"properties": {name: schema}}, {name: given})[name]
            errors = self.profile.schemas.errors(schema, value)
            if errors:
                raise ApiError(
                    400, f"Invalid query parameter '{name}': {errors[0]}", code="invalid_value", param=name
                )
            values[name] = value
        return values

    # -- shaping --------------------------------------------------------------------------------
    def render_job(self, job: Job, request: Request | None = None) -> dict[str, Any]:
        """The job as the variant's job schema describes it, at the current time."""
        now = self.clock()
        state = state_at(job, now)
        content_url = None
        if state.status == "completed" and request is not None:
            content_url = str(request.base_url).rstrip("/") + self.profile.collection + f"/{job.id}/content"
        values: dict[str, Any] = {
            "id": job.id,
            "task_id": job.id,
            "object": "video",
            "model": job.model,
            "status": self.profile.status_word(state.status),
            "progress": state.progress,
            "created_at": self._time(job.created_at),
            "completed_at": self._time(state.completed_at),
            "expires_at": self._time(state.completed_at + EXPIRY_SECONDS if state.completed_at else None),
            "prompt": job.prompt,
            "size": job.size,
            "seconds": job.seconds,
            "remixed_from_video_id": job.remixed_from,
            "error": state.error,
            "video_url": content_url,
            "url": content_url,
        }
        return _shape_object(values, self.profile.job_fields)

    def _time(self, seconds: float | None) -> int | None:
        if seconds is None:
            return None
        return int(seconds * 1000) if self.profile.created_at_unit == "ms" else int(seconds)

    def _shaped(self, values: dict[str, Any], schema: Any) -> dict[str, Any]:
        if schema is None:
            return values
        fields = self._shapes.get(id(schema))
        if fields is None:
            fields = self._shapes[id(schema)] = response_fields(self.profile.schemas, schema)
        return _shape_object(values, fields)

    def error_body(self, error: ApiError) -> dict[str, Any]:
        values: dict[str, Any] = {
            "message": error.message,
            "type": error.type,
            "code": error.code,
            "param": error.param,
        }
        shape = self.profile.error
        if shape.envelope is None:
            # a flat body names its message field as the vendor does (`msg`, `error`, `detail`)
            for key in ("msg", "error", "detail", "error_message"):
                values.setdefault(key, error.message)
        for spec in shape.fields:
            if spec.name == "code" and "integer" in spec.types and "string" not in spec.types:
                values["code"] = error.status
        inner = _shape_object(values, shape.fields)
        return {shape.envelope: inner} if shape.envelope else inner

    def error_response(self, error: ApiError) -> Response:
        return _json(self.error_body(error), status=error.status, headers=error.headers)


# -- helpers ---------------------------------------------------------------------------------------
def _note_fields(request: Request, value: Any) -> None:
    """The body as received, for the recorder (when one is on)."""
    record = request.scope.get("specforge.record")
    if record is not None:
        record["fields"] = plain(value)


def _json(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (e.g. a job stored by an older version): escape it
        data = json.dumps(body, separators=(",", ":")).encode("ascii")
    return Response(
        data,
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413, f"The request body exceeds the mock's limit of {limit} bytes.", code="request_too_large"
    )


def _choose_media(op: Operation, media: str) -> str | None:
    if media in op.bodies:
        return media
    if media.endswith("+json") or media == "application/json":
        return next((m for m in op.bodies if m.endswith("json")), None)
    if not media and len(op.bodies) == 1:
        return next(iter(op.bodies))
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _seconds(body: dict[str, Any]) -> str | None:
    for key in ("seconds", "duration"):
        value = body.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and value >= 0:
            return str(int(value)) if float(value).is_integer() else str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _size(body: dict[str, Any]) -> str | None:
    size = body.get("size")
    if isinstance(size, str) and size:
        return size
    width, height = body.get("width"), body.get("height")
    if (
        isinstance(width, int)
        and isinstance(height, int)
        and not isinstance(width, bool)
        and not isinstance(height, bool)
    ):
        return f"{width}x{height}"
    return None


def _shape_object(values: dict[str, Any], fields: tuple[FieldSpec, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields:
        shaped = _shape(values.get(spec.name), spec)
        if shaped is not _OMIT:
            out[spec.name] = shaped
    return out


def _shape(value: Any, spec: FieldSpec) -> Any:
    """``value`` in the type the field documents; _OMIT when an optional field has no value."""
    if value is None:
        if spec.nullable:
            return None
        return _placeholder(spec) if spec.required else _OMIT
    if isinstance(value, dict):
        return _shape_object(value, spec.fields) if spec.fields else value
    if not spec.types or _fits(value, spec.types):
        return value
    for kind in ("string", "integer", "number", "boolean"):
        if kind in spec.types:
            converted = _convert(value, kind)
            if converted is not None:
                return converted
    return _placeholder(spec)


def _fits(value: Any, types: frozenset[str]) -> bool:
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return bool({"integer", "number"} & types)
    if isinstance(value, float):
        return "number" in types or ("integer" in types and value.is_integer())
    if isinstance(value, str):
        return "string" in types
    if isinstance(value, list):
        return "array" in types
    return "object" in types


def _convert(value: Any, kind: str) -> Any:
    if kind == "string":
        return str(value)
    if kind in ("integer", "number"):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if not math.isfinite(number):
            return None
        return int(number) if kind == "integer" or number.is_integer() else number
    if kind == "boolean":
        return bool(value)
    return None


def synthesize(schemas: Any, schema: Any, now: float, depth: int = 0) -> Any:
    """A value valid against ``schema`` built from its documented samples, else from its types
    (ids are fresh, ``*_at`` integers are the current time); checked, with simpler fallbacks."""
    if depth > 8:
        return None
    for sample in schemas.samples(schema):
        if schemas.is_valid(schema, sample):
            return sample
    types = schemas.types(schema)
    if "object" in types or (not types and schemas.properties(schema)):
        out: dict[str, Any] = {}
        for name, sub in schemas.properties(schema).items():
            kinds = schemas.types(sub)
            if name == "id" and "string" in kinds:
                out[name] = "mock_" + secrets.token_hex(8)
            elif name.endswith("_at") and "integer" in kinds:
                out[name] = int(now)
            else:
                out[name] = synthesize(schemas, sub, now, depth + 1)
        if schemas.is_valid(schema, out):
            return out
        required = schemas.required(schema)
        trimmed = {k: v for k, v in out.items() if k in required}
        return trimmed if schemas.is_valid(schema, trimmed) else out
    for kind, value in (
        ("string", "string"),
        ("integer", 0),
        ("number", 0),
        ("boolean", False),
        ("array", []),
        ("null", None),
    ):
        if kind in types:
            return value
    return None


def _placeholder(spec: FieldSpec) -> Any:
    for sample in (*spec.enum, *spec.samples):
        if _fits(sample, spec.types or frozenset({"string"})):
            return sample
    for kind, empty in (
        ("string", ""),
        ("integer", 0),
        ("number", 0),
        ("boolean", False),
        ("array", []),
        ("object", {}),
    ):
        if kind in spec.types:
            return empty
    return ""
