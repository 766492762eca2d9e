"""Rules for what vendor pages show beside what they declare: examples that send other fields
or values than the page's table lists, statuses that only an example mentions, and the defaults
OpenAPI applies when a page leaves something unsaid (an optional body, an optional token)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specforge.core import pointer as jp
from specforge.lint.engine import LintContext
from specforge.lint.openapi import Media, Operation
from specforge.lint.registry import Finding, rule
from specforge.lint.rules.provenance import schema_values

#: fields vendors name differently for the same thing (a table's name vs the example's)
_ALIASES = (
    frozenset({"seconds", "duration"}),
    frozenset({"size", "resolution"}),
    frozenset({"aspect_ratio", "ratio"}),
    frozenset({"input_reference", "image", "image_url", "images", "reference_images"}),
)


#: what rendered API pages print where a value goes (`"status": "string"`, `"<string>"`)
_PLACEHOLDERS = frozenset({"", "string", "str", "enum", "value"})


def _loose_examples(ctx: LintContext) -> Iterator[tuple[str, str, str, Any]]:
    """(absolute pointer, label, "request"|"response", value) of the top-level
    ``x-specforge-examples`` (page examples for operations the page's OpenAPI lacks)."""
    loose = ctx.spec.data.get("x-specforge-examples")
    for index, entry in enumerate(loose if isinstance(loose, list) else []):
        if isinstance(entry, dict) and "value" in entry:
            where = "request" if entry.get("in") == "request" else "response"
            yield (
                f"/x-specforge-examples/{index}/value",
                f"example `{entry.get('name', index)}`",
                where,
                entry["value"],
            )


def _status_enum(ctx: LintContext, schema: Any, at: str) -> list[Any] | None:
    """The ``status`` property's enum (or const) of ``schema``, if it states one."""
    status = ctx.spec.properties(schema, at).get("status")
    if status is None:
        return None
    value, _ = ctx.spec.deref(status[0], status[1])
    if isinstance(value, dict):
        if isinstance(value.get("enum"), list):
            return list(value["enum"])
        if "const" in value:
            return [value["const"]]
    return None


@rule(
    "SF-STATUS-ONLY-IN-EXAMPLE",
    title="Job status shown only in an example",
    severity="warning",
    target="document",
    rationale="""A client switches on `status`; the values it must handle are the ones the
    contract lists. When a page's response example shows `pending` but no status enum (or
    status table) lists it, or lists no statuses at all, the vendor's real vocabulary is
    undocumented: clients written from the list miss the value, mocks never emit it. A draft
    source's `x-specforge-status-values` (the statuses its page lists) count as listed. Where the
    example's own schema has a status enum, SF-EXAMPLE-INVALID reports the mismatch instead.""",
    hint="list every status the server returns in the job schema's `status` enum (or map the vendor's word "
    "to a lifecycle state in the overlay)",
)
def status_only_in_example(ctx: LintContext) -> Iterator[Finding]:
    listed: set[str] = set()
    for node in ctx.spec.schemas:
        if node.name == "status":
            listed.update(str(v) for v in node.value.get("enum") or [] if v is not None)
            if "const" in node.value:
                listed.add(str(node.value["const"]))
    # a draft source keeps the statuses its page lists (status tables, bullets) at the top level
    page_listed = ctx.spec.data.get("x-specforge-status-values")
    from_examples: list[tuple[str, str, str]] = []
    for index, entry in enumerate(page_listed if isinstance(page_listed, list) else []):
        value = entry.get("value") if isinstance(entry, dict) else entry
        if not isinstance(value, str):
            continue
        if isinstance(entry, dict) and entry.get("x-specforge-evidence") == "example":
            # seen in an example (one ingest could not attach to an operation, perhaps)
            where = entry.get("x-specforge-source")
            label = f"an example ({where})" if where else "an example"
            from_examples.append((f"/x-specforge-status-values/{index}/value", label, value))
        else:
            listed.add(value)
    shown: list[tuple[str, str, str]] = []
    for media in ctx.spec.media:
        if media.where != "response":
            continue
        if "schema" in media.value and _status_enum(ctx, media.value["schema"], f"{media.pointer}/schema"):
            continue  # SF-EXAMPLE-INVALID checks this example against its own enum
        for at, label, value in ctx.spec.media_examples(media):
            if isinstance(value, dict) and isinstance(value.get("status"), str):
                pointer = at if at.startswith("#") else f"{media.pointer}{at}"
                shown.append((pointer.lstrip("#") + "/status", label, value["status"]))
    for at, label, where, value in _loose_examples(ctx):
        if where == "response" and isinstance(value, dict) and isinstance(value.get("status"), str):
            shown.append((f"{at}/status", label, value["status"]))
    reported: set[str] = set()
    for pointer, label, status in [*shown, *from_examples]:
        if status in listed or status in reported or status.strip("<>") in _PLACEHOLDERS:
            continue
        reported.add(status)  # once per value, where it is first shown
        if listed:
            message = f"status `{status}` appears only in {label}; the documented statuses are {', '.join(sorted(listed))}"
        else:
            message = f"status `{status}` appears only in {label}: no status enum documents the job's states"
        yield Finding(f"#{pointer}", message)


@rule(
    "SF-EXAMPLE-UNLISTED-VALUE",
    title="Example value outside the values the field's description lists",
    severity="warning",
    target="media",
    rationale="""Pages often list a field's allowed values in its description ("时长，支持 4、8、12")
    and then show an example with another one (`seconds: "10"`). There is no enum for the
    validator to catch it, yet one of the two is wrong: the server either rejects the example
    or accepts values the description hides. (Values listed in an `enum` are checked by
    SF-EXAMPLE-INVALID.)""",
    hint="use one of the listed values in the example, or add the example's value to the description/enum",
)
def example_unlisted_value(media: Media, ctx: LintContext) -> Iterator[Finding]:
    if media.where != "request" or "schema" not in media.value:
        return
    listed: dict[str, list[str]] = {}
    for name, (schema, at) in ctx.spec.properties(media.value["schema"], f"{media.pointer}/schema").items():
        resolved, resolved_at = ctx.spec.deref(schema, at)
        said = schema_values(resolved) if isinstance(resolved, dict) else None
        if said is None or said[0] != "description":
            continue
        listed[name] = said[1]
        # the property's own example, as Apifox exports write it (`example: '10'`)
        own = [("example", resolved["example"])] if "example" in resolved else []
        if isinstance(resolved.get("examples"), list):
            own += [(f"examples/{i}", v) for i, v in enumerate(resolved["examples"])]
        seen: set[str] = ctx.cache.setdefault("unlisted-value-schemas", set())
        if resolved_at in seen:
            continue  # a schema shared by two media types is reported once
        seen.add(resolved_at)
        for where, value in own:
            if not isinstance(value, dict | list) and str(value) not in said[1]:
                yield Finding(
                    f"#{resolved_at}/{where}",
                    f"`{name}` example {value!r} is not among the values its description lists ({', '.join(said[1])})",
                )
    if not listed:
        return
    for at, label, value in ctx.spec.media_examples(media):
        if not isinstance(value, dict):
            continue
        for name, values in listed.items():
            if name in value and not isinstance(value[name], dict | list) and str(value[name]) not in values:
                yield Finding(
                    f"{at}/{jp.escape(name)}",
                    f"`{name}` in {label} is {value[name]!r}, which is not among the values its description lists "
                    f"({', '.join(values)})",
                )


def _alias(name: str, declared: set[str]) -> str | None:
    for group in _ALIASES:
        if name in group:
            return next((other for other in sorted(group & declared) if other != name), None)
    return None


@rule(
    "SF-EXAMPLE-UNDECLARED-FIELD",
    title="Request example sends a field the body schema does not declare",
    severity="warning",
    target="media",
    rationale="""A page's parameter table and its own curl often disagree on a field's name:
    the table says `duration`, the curl sends `seconds`. The schema (from the table) lets
    any extra field through (in a draft, the example's field is a property learned only from
    the example), so nothing fails, but one of the two names is not what the server
    reads: clients following the table and clients copying the example send different
    requests. (With `additionalProperties: false`, SF-EXAMPLE-INVALID reports it.)""",
    hint="find out which name the server reads; document it in the schema and use it in the example",
)
def example_undeclared_field(media: Media, ctx: LintContext) -> Iterator[Finding]:
    if media.where != "request" or "schema" not in media.value:
        return
    schema, at = ctx.spec.deref(media.value["schema"], f"{media.pointer}/schema")
    if not isinstance(schema, dict) or schema.get("additionalProperties") is False:
        return
    properties = ctx.spec.properties(schema, at)
    # in a draft, a property learned only from the example is not one the page's table declares
    learned = {
        name
        for name, (value, where) in properties.items()
        if isinstance(resolved := ctx.spec.deref(value, where)[0], dict)
        and resolved.get("x-specforge-evidence") == "example"
    }
    declared = set(properties) - learned
    if not declared:
        return
    for where, label, value in ctx.spec.media_examples(media):
        if not isinstance(value, dict):
            continue
        for name in value:
            if name in declared:
                continue
            alias = _alias(str(name), declared)
            same = f"; the schema's `{alias}` may be the same field" if alias else ""
            yield Finding(
                f"{where}/{jp.escape(str(name))}",
                f"{label} sends `{name}`, which the {media.media_type} body schema does not declare{same}",
                key=True,
            )


@rule(
    "SF-BODY-REQUIRED-OMITTED",
    title="Request body that does not say it is required",
    severity="warning",
    target="operation",
    rationale="""OpenAPI's default for `requestBody.required` is false: a body that omits the
    key is optional, so generated clients let the body out and mocks accept an empty POST,
    while every create needs at least a prompt. Pages rendered to OpenAPI usually lose the flag.
    (An explicit `required: false` is SF-BODY-OPTIONAL's.)""",
    hint="add `required: true` to the request body",
)
def body_required_omitted(op: Operation, ctx: LintContext) -> Iterator[Finding]:
    if op.method != "post" or "requestBody" not in op.value:
        return
    body, at = ctx.spec.deref(op.value["requestBody"], f"{op.pointer}/requestBody")
    if not isinstance(body, dict) or "required" in body or not isinstance(body.get("content"), dict):
        return
    if not body["content"]:
        return
    relative = at[len(op.pointer) :] if at.startswith(op.pointer + "/") else f"#{at}"
    yield Finding(
        relative,
        f"POST {op.path} does not say its request body is required; OpenAPI's default makes it optional",
        key=True,
    )


def _security(op: Operation, ctx: LintContext) -> tuple[Any, str]:
    if "security" in op.value:
        return op.value["security"], f"{op.pointer}/security"
    return ctx.spec.data.get("security"), "/security"


@rule(
    "SF-AUTH-OPTIONAL",
    title="Authorization marked optional",
    severity="warning",
    target="operation",
    rationale="""Relay pages exported from API tools often list `Authorization` as an optional
    header (`可选`, `required: false`; a draft records it as `x-specforge-optional` on the
    security scheme) or add an empty `{}` security requirement. Either tells
    generated clients and mocks that an unauthenticated call is valid, when the server answers
    it with 401. (`security: []` alone is a deliberate "no authentication" and is not reported.)""",
    hint="mark the Authorization header `required: true` (or better, declare a bearer security scheme and drop "
    "the header parameter); remove the empty `{}` security requirement",
)
def auth_optional(op: Operation, ctx: LintContext) -> Iterator[Finding]:
    parameters = op.value.get("parameters")
    for index, raw in enumerate(parameters if isinstance(parameters, list) else []):
        parameter, at = ctx.spec.deref(raw, f"{op.pointer}/parameters/{index}")
        if not isinstance(parameter, dict) or parameter.get("in") != "header":
            continue
        if (
            str(parameter.get("name", "")).lower() == "authorization"
            and parameter.get("required") is not True
        ):
            relative = at[len(op.pointer) :] if at.startswith(op.pointer + "/") else f"#{at}"
            said = "marks it optional" if parameter.get("required") is False else "does not mark it required"
            yield Finding(
                f"{relative}/required" if "required" in parameter else relative,
                f"{op.method.upper()} {op.path}: the Authorization header parameter {said}",
                key="required" not in parameter,
            )
    security, at = _security(op, ctx)
    components = ctx.spec.data.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    for requirement in security if isinstance(security, list) else []:
        for name in requirement if isinstance(requirement, dict) else []:
            scheme = schemes.get(name) if isinstance(schemes, dict) else None
            seen: set[str] = ctx.cache.setdefault("auth-optional-schemes", set())
            if isinstance(scheme, dict) and scheme.get("x-specforge-optional") is True and name not in seen:
                seen.add(name)  # one finding per scheme, not one per operation using it
                yield Finding(
                    f"#/components/securitySchemes/{jp.escape(name)}/x-specforge-optional",
                    f"the vendor page marks the Authorization header optional (security scheme `{name}`)",
                )
    if isinstance(security, list) and len(security) > 1:
        for index, requirement in enumerate(security):
            if requirement == {}:
                yield Finding(
                    f"#{at}/{index}",
                    f"{op.method.upper()} {op.path}: the empty security requirement `{{}}` makes authentication "
                    "optional",
                )
