"""The checks specforge adds to schemathesis' built-ins. Response checks look at one response;
scenario checks name properties the lifecycle, auth and invalid-input scenarios assert."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from specforge.check.registry import Exchange, Finding, check, scenario_check
from specforge.check.spec import SpecModel, resolve
from specforge.openapi.videojob import LIFECYCLE, MS_THRESHOLD, TERMINAL_FAILED, is_milliseconds

LIFECYCLE_TRANSITIONS = scenario_check(
    "lifecycle_transitions_are_legal",
    "a job moves queued -> in_progress -> completed|failed, never backwards, never out of a terminal state",
)
PROGRESS_MONOTONIC = scenario_check(
    "progress_never_decreases", "progress is non-decreasing while a job is polled"
)
CONTENT_IS_MP4 = scenario_check(
    "completed_job_content_is_mp4", "a completed job's content is an MP4 (`ftyp` box) served as video/mp4"
)
ROUND_TRIP = scenario_check(
    "request_fields_round_trip", "seconds, size, model and input_reference come back in the job as sent"
)
AUTH_ENFORCED = scenario_check(
    "auth_is_enforced", "a missing or wrong token is rejected with 401/403 in the documented error shape"
)
INVALID_REJECTED = scenario_check(
    "invalid_input_is_rejected",
    "invalid create input gets a 4xx: never 2xx (a paid job from garbage), never 5xx",
)
VALID_ACCEPTED = scenario_check("valid_create_is_accepted", "a create request valid per the spec is accepted")


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
