"""Examples and defaults that do not validate against their own schema. This is how a copy-pasted
spec is caught: the page's examples (kept in the source as OpenAPI examples) contradict the
schema pasted next to them. Schemas are evaluated in place, with local ``$ref`` resolved against
the whole document (one jsonschema-rs registry per document)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

from specforge.core import pointer as jp
from specforge.lint.engine import LintContext
from specforge.lint.openapi import Media, Operation, SchemaNode, Spec
from specforge.lint.registry import Finding, rule
from specforge.lint.rules.structure import describe
from specforge.openapi.validation import RefGuard

_URN = "urn:specforge:document"
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_DRAFT4 = "http://json-schema.org/draft-04/schema#"


def _json_like(media_type: str) -> bool:
    base = media_type.split(";")[0].strip().lower()
    return base in _FORM_TYPES or base == "application/json" or base.endswith("+json") or base == "*/*"


def _as_json_schema_30(node: Any) -> Any:
    """OpenAPI 3.0 Schema Objects as draft-04 JSON Schema: ``nullable: true`` adds "null"."""
    if isinstance(node, list):
        return [_as_json_schema_30(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _as_json_schema_30(v) for k, v in node.items()}
    if out.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


class SchemaValidators:
    """Compiled validators for schemas at pointers of one document, sharing one registry."""

    def __init__(self, spec: Spec) -> None:
        import jsonschema_rs

        self._rs = jsonschema_rs
        self.spec = spec
        if spec.version == "3.0":
            resource = _as_json_schema_30(copy.deepcopy(spec.data))
            self._draft = jsonschema_rs.Draft4
            self._wrapper: dict[str, Any] = {"$schema": _DRAFT4}
        else:
            resource = spec.data
            self._draft = jsonschema_rs.Draft202012
            self._wrapper = {}
        # refs to other files or URLs go through core's guard (jsonschema-rs would fetch them)
        self._registry = jsonschema_rs.Registry(
            [(_URN, resource)], draft=self._draft, retriever=RefGuard(None).load
        )
        self._cache: dict[str, Any] = {}

    def get(self, pointer: str) -> Any | None:
        """A validator for the schema at ``pointer`` (None when it cannot be compiled: that is
        a structural problem SF-OAS-INVALID reports)."""
        if pointer not in self._cache:
            uri = f"{_URN}#{quote(pointer, safe='/~-._!$&()*+,;=:@')}"
            try:
                self._cache[pointer] = self._rs.validator_for(
                    {**self._wrapper, "$ref": uri}, registry=self._registry, validate_formats=False
                )
            except Exception:  # noqa: BLE001 - invalid schemas (bad regex, bad $ref) are reported elsewhere
                self._cache[pointer] = None
        return self._cache[pointer]

    def errors(self, pointer: str, instance: Any, *, form: bool = False) -> list[tuple[str, str, str, bool]]:
        """(relative pointer in ``instance``, message, schema pointer, report-on-key) for each
        violation; an object or array that is wrong is reported on its key line."""
        validator = self.get(pointer)
        if validator is None:
            return []
        out: list[tuple[str, str, str, bool]] = []
        try:
            found = list(validator.iter_errors(instance))
        except Exception:  # noqa: BLE001 - e.g. an unresolvable $ref inside: SF-REF-UNRESOLVED reports it
            return []
        from specforge.lint.rules.structure import best_errors

        for error in found:
            for best in best_errors(error):
                if form and _form_coercible(best):
                    continue
                where, message, key = describe(best)
                location = str(getattr(best, "absolute_keyword_location", "") or "")
                schema_at = unquote(location.split("#", 1)[1]) if "#" in location else pointer
                out.append((where, message, schema_at, key or isinstance(best.instance, dict | list)))
        return out


def _form_coercible(error: Any) -> bool:
    """In a form body every value travels as text: "8" for an integer field, "{}" for an object
    field (JSON text) and a single value for an array field (one part of a repeated field)."""
    if type(error.kind).__name__ != "Type" or not isinstance(error.instance, str):
        return False
    types = {str(t) for t in getattr(error.kind, "types", [])}
    text = error.instance.strip()
    if "array" in types:
        return True
    if "object" in types and text.startswith("{"):
        return True
    if types & {"integer", "number"}:
        try:
            float(text)
            return True
        except ValueError:
            pass
    return "boolean" in types and text in ("true", "false")


def validators(ctx: LintContext) -> SchemaValidators:
    cached = ctx.cache.get("schema-validators")
    if cached is None:
        cached = ctx.cache["schema-validators"] = SchemaValidators(ctx.spec)
    return cached


def _report(
    ctx: LintContext, schema_pointer: str, instance: Any, at: str, what: str, form: bool
) -> Iterator[Finding]:
    for where, message, schema_at, key in validators(ctx).errors(schema_pointer, instance, form=form):
        yield Finding(
            f"{at}{where}", f"{what} does not match its schema: {message} (schema: #{schema_at})", key=key
        )


@rule(
    "SF-EXAMPLE-INVALID",
    title="Example that does not validate against its schema",
    severity="error",
    target="media",
    rationale="""An example is what readers copy. When a page's example contradicts the schema
    next to it (an object where the schema says array, a model name missing from the enum),
    one of them is wrong, and clients built from either break against the other. Request and
    response examples of every media type (`example`, `examples.*.value`) are checked; in form
    bodies numeric and boolean text ("8") is accepted for number fields.""",
    hint="correct the example, or the schema if the example shows what the server really does",
)
def media_example_invalid(media: Media, ctx: LintContext) -> Iterator[Finding]:
    if "schema" not in media.value or not _json_like(media.media_type):
        return
    form = media.media_type.split(";")[0].strip().lower() in _FORM_TYPES
    schema_pointer = f"{media.pointer}/schema"
    for at, label, value in ctx.spec.media_examples(media):
        yield from _report(ctx, schema_pointer, value, at, label, form)


@rule(
    "SF-SCHEMA-EXAMPLE-INVALID",
    title="Schema example that does not validate against the schema",
    severity="warning",
    target="schema",
    requires=("example", "examples"),
    rationale="""A Schema Object's own `example` (or 3.1 `examples`) is shown by documentation
    renderers and used by mock servers; one that violates the schema teaches clients to send
    what the server rejects.""",
    hint="make the example satisfy the schema (type, enum, required fields)",
)
def schema_example_invalid(node: SchemaNode, ctx: LintContext) -> Iterator[Finding]:
    value = node.value
    if "example" in value:
        for where, message, _, key in validators(ctx).errors(node.pointer, value["example"]):
            yield Finding(f"/example{where}", f"example does not match its schema: {message}", key=key)
    examples = value.get("examples")
    if ctx.spec.version == "3.1" and isinstance(examples, list):
        for index, example in enumerate(examples):
            for where, message, _, key in validators(ctx).errors(node.pointer, example):
                yield Finding(
                    f"/examples/{index}{where}",
                    f"example {index} does not match its schema: {message}",
                    key=key,
                )


@rule(
    "SF-DEFAULT-INVALID",
    title="Default value that does not validate against its schema",
    severity="warning",
    target="schema",
    requires=("default",),
    rationale="""A server applies `default` when the field is omitted; a default outside the
    schema (null for a non-nullable object, a value missing from the enum) means omitting the
    field produces an invalid request or response.""",
    hint='change the default to an allowed value, or allow it in the schema (e.g. add "null" to `type`)',
)
def default_invalid(node: SchemaNode, ctx: LintContext) -> Iterator[Finding]:
    if "default" not in node.value:
        return
    for where, message, _, key in validators(ctx).errors(node.pointer, node.value["default"]):
        yield Finding(f"/default{where}", f"default does not match its schema: {message}", key=key)


@rule(
    "SF-PARAMETER-EXAMPLE-INVALID",
    title="Parameter example that does not validate against its schema",
    severity="warning",
    target="operation",
    rationale="""Query and path parameter examples (`limit`, `video_id`, `variant`) are what
    generated clients and docs show; one outside the parameter's schema (a string for an
    integer `limit`, a value missing from the enum) documents a request the server rejects.""",
    hint="make the example satisfy the parameter's schema",
)
def parameter_example_invalid(op: Operation, ctx: LintContext) -> Iterator[Finding]:
    parameters = op.value.get("parameters")
    if not isinstance(parameters, list):
        return
    for index, raw in enumerate(parameters):
        parameter, at = ctx.spec.deref(raw, f"{op.pointer}/parameters/{index}")
        if not isinstance(parameter, dict) or "schema" not in parameter:
            continue
        here = at[len(op.pointer) :] if at.startswith(op.pointer + "/") else f"#{at}"
        name = parameter.get("name", index)
        instances: list[tuple[str, Any]] = []
        if "example" in parameter:
            instances.append(("/example", parameter["example"]))
        examples = parameter.get("examples")
        if isinstance(examples, dict):
            for key, example in examples.items():
                value, _ = ctx.spec.deref(example, "")
                if isinstance(value, dict) and "value" in value:
                    instances.append((f"/examples/{jp.escape(key)}/value", value["value"]))
        # query, path and header values travel as text, like form fields
        for where, instance in instances:
            for inner, message, _, key in validators(ctx).errors(f"{at}/schema", instance, form=True):
                yield Finding(
                    f"{here}{where}{inner}",
                    f"example of parameter `{name}` does not match its schema: {message}",
                    key=key,
                )
