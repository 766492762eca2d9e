"""Operation-level rules: error responses, and the JSON and multipart bodies of one operation
agreeing with each other."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specforge.core import pointer as jp
from specforge.lint.engine import LintContext
from specforge.lint.openapi import Operation, Spec
from specforge.lint.registry import Finding, rule
from specforge.openapi.schemas import is_binary


@rule(
    "SF-NO-ERROR-RESPONSE",
    title="Operation without an error response",
    severity="warning",
    target="operation",
    rationale="""Clients need to know what a failure looks like (401 without a key, 400 for an
    unsupported size, 429 when rate limited). An operation that documents only success
    leaves the error body shape to guesswork, and relay vendors differ exactly there.""",
    hint="document at least one 4XX response (or `default`) with its error body schema",
)
def no_error_response(op: Operation, ctx: LintContext) -> Iterator[Finding]:
    responses = op.value.get("responses")
    if not isinstance(responses, dict) or not responses:
        return  # SF-OAS-INVALID reports missing responses
    codes = [str(c) for c in responses]
    if any(c == "default" or c[:1] in ("4", "5") for c in codes):
        return
    yield Finding(
        "/responses",
        f"{op.method.upper()} {op.path} documents no error response (only {', '.join(codes)})",
        key=True,
    )


_FORM = ("multipart/form-data", "application/x-www-form-urlencoded")


def _shape(spec: Spec, schema: Any, pointer: str) -> tuple[str, set[str], list[Any] | None]:
    """(shape, JSON types, enum) of a body field: shape is "binary" for a file upload."""
    resolved, _ = spec.deref(schema, pointer)
    types = spec.schema_types(schema, pointer)
    enum = resolved.get("enum") if isinstance(resolved, dict) else None
    if is_binary(resolved):
        return "binary", types, enum
    if "array" in types and len(types) == 1:
        return "array", types, enum
    if "object" in types and len(types) == 1:
        return "object", types, enum
    return "/".join(sorted(types)) or "any", types, enum if isinstance(enum, list) else None


def _file_or_url(a: str, b: str) -> bool:
    """A file upload in the form body and a URL / reference object in JSON is the expected
    difference between the two encodings."""
    return {a, b} in ({"binary", "string"}, {"binary", "object"})


@rule(
    "SF-BODY-DIVERGENCE",
    title="JSON and multipart bodies of one operation disagree on a field",
    severity="warning",
    target="operation",
    rationale="""Vendors document the same create call as JSON and as multipart; the two should
    accept the same fields with the same meaning. Beyond the expected file-vs-URL difference
    (an upload in multipart, a URL or reference object in JSON), a field that is an array in
    one and a single value in the other, that has different types or enums, or that exists
    in only one of them, means one of the two bodies is documented wrong.""",
    hint="make both bodies describe the same field, or document why they differ",
)
def body_divergence(op: Operation, ctx: LintContext) -> Iterator[Finding]:
    spec = ctx.spec
    body = op.value.get("requestBody")
    if not isinstance(body, dict):
        return
    body, body_at = spec.deref(body, f"{op.pointer}/requestBody")
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return
    json_type = next((t for t in content if t.split(";")[0].strip() == "application/json"), None)
    form_type = next((t for t in content if t.split(";")[0].strip() in _FORM), None)
    if json_type is None or form_type is None:
        return
    json_at = jp.child(f"{body_at}/content", json_type) + "/schema"
    form_at = jp.child(f"{body_at}/content", form_type) + "/schema"
    json_props = spec.properties(content[json_type].get("schema"), json_at)
    form_props = spec.properties(content[form_type].get("schema"), form_at)

    def rel(pointer: str) -> str:
        return pointer[len(op.pointer) :] if pointer.startswith(op.pointer + "/") else f"#{pointer}"

    for name, (schema, at) in json_props.items():
        if name not in form_props:
            yield Finding(
                rel(at), f"`{name}` is in the {json_type} body but not in the {form_type} body", key=True
            )
            continue
        form_schema, form_field_at = form_props[name]
        j_shape, j_types, j_enum = _shape(spec, schema, at)
        f_shape, f_types, f_enum = _shape(spec, form_schema, form_field_at)
        if j_shape != f_shape and not _file_or_url(j_shape, f_shape) and "any" not in (j_shape, f_shape):
            if j_types and f_types and (j_types & f_types) and "array" not in j_types ^ f_types:
                pass  # overlapping scalar types (integer|string vs integer): form values are text anyway
            else:
                yield Finding(
                    rel(at),
                    f"`{name}` is {j_shape} in the {json_type} body but {f_shape} in the {form_type} body "
                    f"(#{form_field_at})",
                    key=True,
                )
                continue
        if j_enum and f_enum and set(map(str, j_enum)) != set(map(str, f_enum)):
            yield Finding(
                rel(at),
                f"`{name}` allows {_values(j_enum)} in the {json_type} body but {_values(f_enum)} in the "
                f"{form_type} body",
                key=True,
            )
    for name, (_, at) in form_props.items():
        if name not in json_props:
            yield Finding(
                rel(at), f"`{name}` is in the {form_type} body but not in the {json_type} body", key=True
            )


def _values(values: list[Any]) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


@rule(
    "SF-BODY-OPTIONAL",
    title="Create operation whose request body is declared optional",
    severity="warning",
    target="operation",
    rationale="""`requestBody.required: false` on a POST that creates a job tells clients,
    generators and mocks that an empty request is valid; no video can be generated without at
    least a prompt, so the server answers 400 to what the contract allows.""",
    hint="set `requestBody.required: true` (and list the fields a create needs in the schema's `required`)",
)
def body_optional(op: Operation, ctx: LintContext) -> Iterator[Finding]:
    if op.method != "post":
        return
    body = op.value.get("requestBody")
    if not isinstance(body, dict) or body.get("required") is not False:
        return
    content = body.get("content")
    if not isinstance(content, dict) or not content:
        return
    yield Finding(
        "/requestBody/required",
        f"POST {op.path} declares its request body optional (`required: false`), but creating a job needs a body",
    )
