"""Rules that know the video job contract: status values are lifecycle states, timestamps are
Unix seconds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specforge.core import pointer as jp
from specforge.lint.engine import LintContext
from specforge.lint.openapi import Media, SchemaNode
from specforge.lint.registry import Finding, rule
from specforge.openapi.videojob import is_milliseconds

_JOB_HINTS = ("seconds", "video_url", "size")


def _looks_like_video_job(spec: Any, node: SchemaNode) -> bool:
    properties = node.value.get("properties")
    if not isinstance(properties, dict) or "status" not in properties:
        return False
    kind, _ = spec.deref(properties.get("object"), "")
    if isinstance(kind, dict) and (
        "video" in (kind.get("enum") or []) or kind.get("const") == "video" or kind.get("default") == "video"
    ):
        return True
    return "video_url" in properties or "progress" in properties and any(h in properties for h in _JOB_HINTS)


@rule(
    "SF-STATUS-ENUM",
    title="Job status enum with values that are not lifecycle states",
    severity="error",
    target="schema",
    requires=("properties",),
    rationale="""A video job moves `queued -> in_progress -> completed | failed`. A status enum
    that also lists field names (`video_url`, `url`, `completed_at`) was generated from the
    wrong constants; clients that switch on status will meet values they cannot interpret,
    and mocks will emit them. The states are configurable (`[lint] lifecycle-states`).""",
    hint="keep only lifecycle states in the enum; move the other values to their own fields",
)
def status_enum(node: SchemaNode, ctx: LintContext) -> Iterator[Finding]:
    if not _looks_like_video_job(ctx.spec, node):
        return
    status_at = f"{node.pointer}/properties/status"
    status, at = ctx.spec.deref(node.value["properties"]["status"], status_at)
    if not isinstance(status, dict) or not isinstance(status.get("enum"), list):
        return
    allowed = ctx.settings.lifecycle_states
    for index, value in enumerate(status["enum"]):
        if value not in allowed and value is not None:
            yield Finding(
                f"#{at}/enum/{index}",
                f"status value {value!r} is not a job lifecycle state ({', '.join(allowed)})",
            )


def _timestamp_name(name: str) -> bool:
    lowered = name.lower()
    if lowered.endswith(("_ms", "_millis", "_msec")):
        return False
    return lowered.endswith(("_at", "_time", "_timestamp")) or lowered in (
        "created",
        "updated",
        "timestamp",
        "expires",
        "completed",
    )


def _scan(value: Any, pointer: str) -> Iterator[tuple[str, str, Any]]:
    """(pointer, field name, value) for every timestamp-named field in an example value."""
    stack: list[tuple[Any, str]] = [(value, pointer)]
    while stack:
        node, here = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                child = f"{here}/{jp.escape(key)}"
                if _timestamp_name(str(key)) and is_milliseconds(item):
                    yield child, str(key), item
                elif isinstance(item, dict | list):
                    stack.append((item, child))
        elif isinstance(node, list):
            stack.extend((item, f"{here}/{i}") for i, item in enumerate(node))


def _message(name: str, value: Any) -> str:
    seconds = int(value) // 1000
    return (
        f"`{name}` example {value} is a Unix time in milliseconds; Unix timestamps in this API are "
        f"seconds (e.g. {seconds})"
    )


@rule(
    "SF-TIMESTAMP-MS",
    title="Timestamp example in milliseconds",
    severity="error",
    target="media",
    rationale="""`created_at`, `completed_at` and `expires_at` are Unix seconds in the OpenAI
    contract. An example of 1764347090922 is milliseconds: a client that trusts the contract
    computes a date 50,000 years away, and one that trusts the example is off by 1000x
    against every other vendor.""",
    hint="use Unix seconds (divide by 1000), or document the field as milliseconds and rename it",
)
def timestamp_ms_media(media: Media, ctx: LintContext) -> Iterator[Finding]:
    if "example" in media.value:
        for at, name, value in _scan(media.value["example"], "/example"):
            yield Finding(at, _message(name, value))
    examples = media.value.get("examples")
    if isinstance(examples, dict):
        for key, example in examples.items():
            if isinstance(example, dict) and "value" in example:
                for at, name, value in _scan(example["value"], f"/examples/{jp.escape(key)}/value"):
                    yield Finding(at, _message(name, value))


@rule(
    "SF-SCHEMA-TIMESTAMP-MS",
    title="Timestamp schema whose example or default is in milliseconds",
    severity="warning",
    target="schema",
    requires=("example", "examples", "default"),
    rationale="""A timestamp field's own `example`/`default` in milliseconds tells readers the
    field is milliseconds, contradicting Unix-seconds timestamps elsewhere.""",
    hint="use Unix seconds in the example, or rename the field to say it is milliseconds",
)
def timestamp_ms_schema(node: SchemaNode, ctx: LintContext) -> Iterator[Finding]:
    description = str(node.value.get("description", "")).lower()
    if "millisecond" in description or "毫秒" in description:
        return
    named = node.name is not None and _timestamp_name(node.name)
    if not named and node.value.get("format") not in ("unixtime", "timestamp"):
        return
    name = node.name or "timestamp"
    for keyword in ("example", "default"):
        if is_milliseconds(node.value.get(keyword)):
            yield Finding(f"/{keyword}", _message(name, node.value[keyword]))
    examples = node.value.get("examples")
    if isinstance(examples, list):
        for index, value in enumerate(examples):
            if is_milliseconds(value):
                yield Finding(f"/examples/{index}", _message(name, value))
    # an object example holding timestamp fields
    if isinstance(node.value.get("example"), dict):
        for at, field, value in _scan(node.value["example"], "/example"):
            yield Finding(at, _message(field, value))
