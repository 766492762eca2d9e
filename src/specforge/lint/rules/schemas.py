"""Schema Object consistency: ``required`` lists that name fields the schema never defines, or
name one field twice."""

from __future__ import annotations

from collections.abc import Iterator

from specforge.lint.engine import LintContext
from specforge.lint.openapi import SchemaNode
from specforge.lint.registry import Finding, rule

_COMPOSITION = ("allOf", "anyOf", "oneOf", "$ref", "patternProperties", "if", "dependentSchemas")


@rule(
    "SF-REQUIRED-UNDEFINED",
    title="Required field that is not among the properties",
    severity="warning",
    target="schema",
    requires=("required",),
    rationale="""A name in `required` that `properties` does not define is almost always a typo
    or a field renamed in one place only; validators then demand a field no documentation
    describes (and with `additionalProperties: false` no payload can ever be valid).""",
    hint="add the property, or remove the name from `required`",
)
def required_undefined(node: SchemaNode, ctx: LintContext) -> Iterator[Finding]:
    required = node.value.get("required")
    properties = node.value.get("properties")
    if not isinstance(required, list) or not isinstance(properties, dict):
        return
    if any(k in node.value for k in _COMPOSITION):
        return  # the name may come from a composed schema
    for index, name in enumerate(required):
        if isinstance(name, str) and name not in properties:
            yield Finding(f"/required/{index}", f"`{name}` is required but not defined in `properties`")


@rule(
    "SF-REQUIRED-DUPLICATE",
    title="Field listed twice in required",
    severity="warning",
    target="schema",
    requires=("required",),
    rationale="""JSON Schema requires `required` entries to be unique (OpenAPI 3.0 validators
    reject the document); a repeated name usually means a merge or copy went wrong and
    another field was meant.""",
    hint="remove the repeated entry",
)
def required_duplicate(node: SchemaNode, ctx: LintContext) -> Iterator[Finding]:
    required = node.value.get("required")
    if not isinstance(required, list):
        return
    first: dict[str, int] = {}
    for index, name in enumerate(required):
        if not isinstance(name, str):
            continue
        if name in first:
            yield Finding(
                f"/required/{index}", f"`{name}` is listed twice in `required` (first at index {first[name]})"
            )
        else:
            first[name] = index
