"""The checks specforge adds to schemathesis' built-ins. Response checks look at one response;
scenario checks judge what a scenario step (auth, lifecycle, content, invalid input, the SDK
phase, replay) observed. The ``*_ENFORCED``-style constants are their registered names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from specforge.check.registry import Exchange, Finding, Step, check, scenario_check
from specforge.check.spec import SpecModel, resolve
from specforge.openapi.videojob import LIFECYCLE, MS_THRESHOLD, TERMINAL_FAILED, is_milliseconds, stage
from specforge.openapi.videojob import job_id as job_id_of


def _excerpt(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def _unit_of(spec: SpecModel, schema: dict[str, Any] | None) -> str:
    """ "ms" when the spec documents the timestamp in milliseconds, else "s"."""
    if not isinstance(schema, dict):
        return "s"
    text = json.dumps(schema, ensure_ascii=False).lower()
    if (
        "millisecond" in text
        or "unixtime-ms" in text
        or '"x-unit": "ms"' in text
        or "毫秒" in text
        or "mili giây" in text
    ):
        return "ms"
    examples: list[Any] = [schema.get("example")]
    if isinstance(schema.get("examples"), list):
        examples.extend(schema["examples"])
    for sub in schema.get("anyOf") or schema.get("oneOf") or []:
        sub = resolve(spec.document, sub)
        if isinstance(sub, dict):
            if "millisecond" in json.dumps(sub).lower():
                return "ms"
            examples.append(sub.get("example"))
    if any(isinstance(e, int) and is_milliseconds(e) for e in examples):
        return "ms"
    return "s"


@check
def timestamps_are_unix_seconds(exchange: Exchange) -> Iterator[Finding]:
    """Every `*_at` timestamp of a job is an integer count of Unix seconds (13 digits = milliseconds)."""
    job_schema = exchange.spec.job_schema()
    for base, job in exchange.jobs():
        for key, value in job.items():
            if not key.endswith("_at") or value is None:
                continue
            unit = _unit_of(
                exchange.spec, exchange.spec.property_schema(job_schema, key) if job_schema else None
            )
            if unit == "s" and any(
                isinstance(v, int) and is_milliseconds(v) for v in exchange.spec.example_values(key)
            ):
                unit = "ms"  # the spec's own examples show milliseconds: that is what it documents
            pointer = f"{base}/{key}"
            if isinstance(value, bool) or not isinstance(value, int):
                yield Finding(
                    "timestamps_are_unix_seconds",
                    f"`{key}` is {type(value).__name__} {_excerpt(value, 40)}, not an integer Unix timestamp",
                    pointer,
                    expected="integer Unix seconds",
                    actual=_excerpt(value, 80),
                )
            elif unit == "s" and is_milliseconds(value):
                yield Finding(
                    "timestamps_are_unix_seconds",
                    f"`{key}` = {value} has {len(str(value))} digits: milliseconds, not Unix seconds",
                    pointer,
                    expected="Unix seconds (10 digits)",
                    actual=str(value),
                    hint="divide by 1000, or document the field in milliseconds",
                )
            elif unit == "ms" and 0 < value < MS_THRESHOLD:
                yield Finding(
                    "timestamps_are_unix_seconds",
                    f"`{key}` = {value} is in seconds but the spec documents milliseconds",
                    pointer,
                    expected="Unix milliseconds (13 digits), as documented",
                    actual=str(value),
                )
            elif value < 0:
                yield Finding(
                    "timestamps_are_unix_seconds", f"`{key}` is negative", pointer, "Unix seconds", str(value)
                )


@check
def lifecycle_statuses_are_legal(exchange: Exchange) -> Iterator[Finding]:
    """A job's `status` is one of the lifecycle statuses the spec documents."""
    legal = exchange.spec.statuses()
    for base, job in exchange.jobs():
        status = job.get("status")
        if not isinstance(status, str) or status not in legal:
            yield Finding(
                "lifecycle_statuses_are_legal",
                f"status {_excerpt(status, 40)} is not a lifecycle status",
                f"{base}/status",
                expected="one of " + ", ".join(legal),
                actual=_excerpt(status, 80),
                hint=None
                if set(legal) != set(LIFECYCLE)
                else "map provider statuses onto queued/in_progress/completed/failed",
            )


@check
def progress_is_a_percentage(exchange: Exchange) -> Iterator[Finding]:
    """A job's `progress`, when present, is an integer between 0 and 100."""
    for base, job in exchange.jobs():
        if "progress" not in job or job["progress"] is None:
            continue
        value = job["progress"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            yield Finding(
                "progress_is_a_percentage",
                f"progress {_excerpt(value, 40)} is not an integer percentage",
                f"{base}/progress",
                expected="integer 0..100",
                actual=_excerpt(value, 80),
            )


@check
def failed_job_has_error_object(exchange: Exchange) -> Iterator[Finding]:
    """A job whose status is `failed` carries an `error` object with a message."""
    for base, job in exchange.jobs():
        if str(job.get("status", "")).lower() not in TERMINAL_FAILED:
            continue
        error = job.get("error")
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            yield Finding(
                "failed_job_has_error_object",
                "failed job has no error object with a message",
                f"{base}/error",
                expected='{"code": ..., "message": ...}',
                actual=_excerpt(error, 120),
            )


# -- scenario checks ---------------------------------------------------------------------------

_ABSENT: Any = object()


def _body_excerpt(exchange: Exchange, limit: int = 600) -> str:
    """The start of a body (the Gate already masked secrets in it as it arrived), binary bodies
    described."""
    from specforge.check.redact import Redactor

    return Redactor(None).excerpt(exchange.body, limit)


def _answer(step: Step) -> Exchange:
    assert step.exchange is not None, "this scenario check judges an answer"
    return step.exchange


@scenario_check
def auth_is_enforced(step: Step) -> Iterator[Finding]:
    """a missing or wrong token is rejected with 401/403 in the documented error shape"""
    answer, label = _answer(step), step.label
    if answer.status not in (401, 403):
        yield Finding(
            AUTH_ENFORCED,
            f"request with {label} got HTTP {answer.status}, not 401/403",
            "",
            expected="HTTP 401 or 403",
            actual=f"HTTP {answer.status}",
            hint="reject unauthenticated requests before doing any work",
        )
        return
    spec, op = step.spec, answer.operation
    assert op is not None
    schema = spec.response_schema(op, answer.status)
    if schema is None and not spec.documents_status(op, answer.status):
        # undocumented status: the shape every OpenAI-compatible API uses
        schema = {"type": "object", "required": ["error"], "properties": {"error": {"type": "object"}}}
    if not schema:
        return
    try:
        data = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError):
        yield Finding(
            AUTH_ENFORCED, f"{label}: error body is not JSON", "", "JSON error object", _body_excerpt(answer)
        )
        return
    import jsonschema

    from specforge.openapi.validation import RefGuard

    try:
        validator = jsonschema.Draft202012Validator(
            {**schema, "components": dict(spec.document).get("components", {})},
            registry=RefGuard(None).registry(),
        )
        error = next(iter(validator.iter_errors(data)), None)
    except (
        jsonschema.SchemaError,
        jsonschema.exceptions.RefResolutionError,
        ValueError,
    ):  # pragma: no cover
        return
    if error is None:
        return
    pointer = "/" + "/".join(str(p) for p in error.absolute_path)
    yield Finding(
        AUTH_ENFORCED,
        f"{label}: error body not in the documented shape: {error.message}",
        pointer if pointer != "/" else "",
        json.dumps(schema)[:300],
        _body_excerpt(answer),
    )


@scenario_check
def valid_create_is_accepted(step: Step) -> Iterator[Finding]:
    """a create request valid per the spec is accepted"""
    answer = _answer(step)
    if answer.status >= 300:
        text = _body_excerpt(answer)
        if step.detail:  # the fields the server's message blames (``detail``: what the spec allows)
            for name in step.fields:
                value = (step.sent or {}).get(name)
                yield Finding(
                    VALID_ACCEPTED,
                    f"`{name}` = {json.dumps(value)} is valid per the spec but the server rejected it",
                    f"/{name}",
                    expected=f"accepted (valid per {step.detail})",
                    actual=text[:300],
                    hint=f"accept `{name}` as the spec documents it, or document what the server accepts",
                )
            return
        field = step.fields[0] if step.fields else None
        if field is not None:
            message = f"`{field}` = {json.dumps((step.sent or {}).get(field))} is valid per the spec but the server rejected it (HTTP {answer.status})"
        else:
            message = f"a create request valid per the spec got HTTP {answer.status}"
        yield Finding(
            VALID_ACCEPTED,
            message,
            f"/{field}" if field else "",
            expected="2xx with a job object",
            actual=f"HTTP {answer.status}: {_body_excerpt(answer, 200)}",
            hint=f"accept `{field}` as the spec documents it, or document what the server accepts"
            if field
            else None,
        )
        return
    try:
        job = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError):
        yield Finding(
            VALID_ACCEPTED, "create response is not JSON", "", "JSON job object", _body_excerpt(answer)
        )
        return
    if not isinstance(job, dict) or not isinstance(job_id_of(job), str):
        yield Finding(
            VALID_ACCEPTED,
            "create response has no job id",
            "/id",
            "a job object with `id`",
            _body_excerpt(answer),
        )


def _as_declared(value: Any, types: set[str]) -> Any:
    """``value`` as the spec's declared type would carry it ("8" for a string, 8 for an integer)."""
    if types == {"string"} and not isinstance(value, str):
        return str(value)
    if types and types <= {"integer", "number"} and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


@scenario_check
def request_fields_round_trip(step: Step) -> Iterator[Finding]:
    """seconds, size, model and input_reference come back in the job as sent"""
    spec, job, body = step.spec, step.job or {}, step.sent or {}
    job_schema = spec.job_schema() or {}
    for name in step.fields:
        if name not in body:
            continue
        declared = spec.property_schema(job_schema, name)
        if declared is None:
            continue  # the job object does not document this field: nothing to round-trip
        sent, got = body[name], job.get(name, _ABSENT)
        if got is _ABSENT:
            yield Finding(
                ROUND_TRIP, f"`{name}` sent but missing from the job", f"/{name}", json.dumps(sent), "absent"
            )
            continue
        types = spec.types_of(declared)
        expected = _as_declared(sent, types)
        if (
            name == "model"
            and isinstance(got, str)
            and isinstance(sent, str)
            and (got == sent or got.startswith(sent))
        ):
            continue
        if got != expected:
            yield Finding(
                ROUND_TRIP,
                f"`{name}` sent as {json.dumps(sent)} came back as {json.dumps(got)}",
                f"/{name}",
                expected=json.dumps(expected),
                actual=json.dumps(got),
                hint=f"echo `{name}` as documented ({'/'.join(sorted(types)) or 'any type'})",
            )


@scenario_check
def lifecycle_transitions_are_legal(step: Step) -> Iterator[Finding]:
    """a job moves queued -> in_progress -> completed|failed, never backwards, never out of a terminal state"""
    statuses = [str(o.get("status", "")) for o in step.jobs]
    legal = set(step.spec.statuses())
    for before, after in zip(statuses, statuses[1:], strict=False):
        if before not in legal or after not in legal:
            continue  # lifecycle_statuses_are_legal reports those
        a, b = stage(before), stage(after)
        if (a == 2 and after != before) or (a >= 0 and b >= 0 and b < a):
            yield Finding(
                LIFECYCLE_TRANSITIONS,
                f"illegal transition {before} -> {after}",
                "/status",
                expected="queued -> in_progress -> completed|failed",
                actual=" -> ".join(statuses),
            )
            return


@scenario_check
def progress_never_decreases(step: Step) -> Iterator[Finding]:
    """progress is non-decreasing while a job is polled"""
    progress: list[int] = [o["progress"] for o in step.jobs if isinstance(o.get("progress"), int)]
    for before, after in zip(progress, progress[1:], strict=False):
        if after < before:
            yield Finding(
                PROGRESS_MONOTONIC,
                f"progress went down from {before} to {after}",
                "/progress",
                expected="non-decreasing progress",
                actual=", ".join(map(str, progress)),
            )
            return


#: the content variants that are images, not the video (the OpenAI reference's ``variant``)
_PREVIEWS = frozenset({"thumbnail", "spritesheet"})


@scenario_check
def completed_job_content_is_mp4(step: Step) -> Iterator[Finding]:
    """a completed job's content is an MP4 (`ftyp` box) served as video/mp4"""
    answer = _answer(step)
    if answer.status != 200:
        yield Finding(
            CONTENT_IS_MP4,
            f"content of a completed job answered HTTP {answer.status}",
            "",
            "HTTP 200 with video/mp4",
            f"HTTP {answer.status}",
        )
        return
    assert answer.operation is not None
    if _PREVIEWS & set(parse_qs(urlsplit(answer.url).query).get("variant", ())):
        return  # a preview was asked for (a replayed cassette has them), not the video
    documented = step.spec.content_types(answer.operation, 200)
    ctype = answer.content_type
    if ctype != "video/mp4" and ctype not in documented:
        yield Finding(
            CONTENT_IS_MP4,
            f"content served as {ctype or 'no content type'}",
            "",
            " or ".join(dict.fromkeys(["video/mp4", *documented])),
            ctype or "(none)",
        )
    # the bytes are an MP4's when served as one; another documented type (a JSON download link)
    # is its schema's to judge, and an undocumented one is already the finding above
    if ctype == "video/mp4" and answer.body[4:8] != b"ftyp":
        yield Finding(
            CONTENT_IS_MP4,
            "content is not an MP4 (no `ftyp` box at offset 4)",
            "",
            "bytes 4..8 = 'ftyp'",
            repr(answer.body[:12]),
        )


@scenario_check
def invalid_input_is_rejected(step: Step) -> Iterator[Finding]:
    """invalid create input gets a 4xx: never 2xx (a paid job from garbage), never 5xx"""
    answer, label = _answer(step), step.label
    if 200 <= answer.status < 300:
        yield Finding(
            INVALID_REJECTED,
            f"{label}: accepted with HTTP {answer.status} (a job created from invalid input)",
            "",
            "HTTP 4xx",
            f"HTTP {answer.status}: {_body_excerpt(answer, 200)}",
            hint="validate the request before creating a job",
        )
    elif answer.status >= 500:
        yield Finding(
            INVALID_REJECTED,
            f"{label}: server error HTTP {answer.status}",
            "",
            "HTTP 4xx",
            f"HTTP {answer.status}",
        )


@scenario_check
def documented_operation_is_served(step: Step) -> Iterator[Finding]:
    """an operation the spec documents exists on the server (no 405/501, no 404 on a fixed path)"""
    answer = _answer(step)
    assert answer.operation is not None
    if answer.status in (405, 501) or (answer.status == 404 and "{" not in answer.operation.path):
        yield Finding(
            SERVED,
            f"documented operation answered HTTP {answer.status}",
            "",
            expected="the operation exists",
            actual=f"HTTP {answer.status}",
        )


@scenario_check
def not_offered_operation_is_absent(step: Step) -> Iterator[Finding]:
    """an operation the spec documents as not offered (x-specforge-not-offered) is not served (no 2xx)"""
    answer = _answer(step)
    if 200 <= answer.status < 300:
        yield Finding(
            ABSENT,
            f"an operation documented as not offered answered HTTP {answer.status}",
            "",
            expected="no such operation (404, 405 or 501)",
            actual=f"HTTP {answer.status}",
        )


@scenario_check
def openai_sdk_call_works(step: Step) -> Iterator[Finding]:
    """an OpenAI SDK call (create_and_poll, retrieve, list, download, remix, delete) returns normally"""
    if step.detail:
        yield Finding(
            SDK_CALL_WORKS,
            f"OpenAI SDK `client.{step.label}` fails: {step.detail}",
            f"sdk:{step.label}",
            expected=f"`client.{step.label}` returns normally",
            actual=step.detail,
            hint="an OpenAI-SDK client breaks here; make the endpoint answer as the official API does",
        )


AUTH_ENFORCED = auth_is_enforced.__name__
VALID_ACCEPTED = valid_create_is_accepted.__name__
ROUND_TRIP = request_fields_round_trip.__name__
LIFECYCLE_TRANSITIONS = lifecycle_transitions_are_legal.__name__
PROGRESS_MONOTONIC = progress_never_decreases.__name__
CONTENT_IS_MP4 = completed_job_content_is_mp4.__name__
INVALID_REJECTED = invalid_input_is_rejected.__name__
SERVED = documented_operation_is_served.__name__
ABSENT = not_offered_operation_is_absent.__name__
SDK_CALL_WORKS = openai_sdk_call_works.__name__
