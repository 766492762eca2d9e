"""Structural validity: the document against the official OpenAPI 3.0 / 3.1 JSON Schemas (with
Schema Objects checked against the JSON Schema 2020-12 dialect in 3.1), local and relative
``$ref`` targets, and duplicate keys the YAML/JSON loader saw.

The official schemas are the ones openapi-spec-validator ships; they run on jsonschema-rs, which
validates the 3 MB OpenAI spec in ~15 ms where openapi-spec-validator needs seconds. Documents up
to ``full-validation-max-bytes`` are additionally run through openapi-spec-validator itself as a
safety net (its error messages are reported when the fast pass found nothing)."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from specforge.core import pointer as jp
from specforge.core.diagnostics import Location
from specforge.core.document import Document
from specforge.core.refs import RefError, RefResolver
from specforge.lint.engine import LintContext
from specforge.lint.registry import Finding, rule
from specforge.openapi.validation import RefGuard, openapi_validator

_SCHEMA_FILES = {"3.0": "v3.0/schema.json", "3.1": "v3.1/schema.json"}
_DIALECT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _resource(name: str) -> Path:
    spec = importlib.util.find_spec("openapi_spec_validator")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("openapi-spec-validator is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "schemas" / name


@lru_cache(maxsize=2)
def meta_validator(version: str) -> Any:
    """A compiled jsonschema-rs validator for the OpenAPI ``version`` ("3.0" or "3.1") schema."""
    import jsonschema_rs

    schema = json.loads(_resource(_SCHEMA_FILES[version]).read_text(encoding="utf-8"))
    if version == "3.1":
        # The published 3.1 schema leaves Schema Objects unchecked ({"type": [object, boolean]});
        # its "schema-base" variant checks them against the dialect. Do the same with 2020-12.
        schema["$defs"]["schema"] = {"$dynamicAnchor": "meta", "$ref": _DIALECT_2020_12}
    return jsonschema_rs.validator_for(schema)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _pointer(path: Any) -> str:
    return "".join("/" + jp.escape(str(p)) for p in path)


def _noise(error: Any) -> bool:
    """The 'or be a $ref' branch of oneOf [X, Reference]: never the interesting one."""
    return type(error.kind).__name__ == "Required" and getattr(error.kind, "property", None) == "$ref"


def best_errors(error: Any, depth: int = 0) -> list[Any]:
    """Descend into oneOf/anyOf failures to the branch that explains them (jsonschema's
    best_match idea): drop the Reference branch, prefer the branch with fewest errors."""
    kind = error.kind
    context = getattr(kind, "context", None)
    if depth > 12 or not context or type(kind).__name__ not in ("OneOfNotValid", "AnyOf"):
        return [error]
    branches = [b for b in context if b and not all(_noise(e) for e in b)]
    if not branches:
        return [error]
    branch = min(branches, key=len) if len(branches) > 1 else branches[0]
    if len(branches) > 1 and sum(len(b) == len(branch) for b in branches) > 1:
        # ambiguous: several branches fail alike. An enum among them names the allowed values
        # ("objectt" is not one of "array", "boolean", ...); otherwise report the composite.
        listing = [e for b in branches for e in b if type(e.kind).__name__ == "Enum"]
        return listing[:1] or [error]
    out: list[Any] = []
    for inner in branch:
        out.extend(best_errors(inner, depth + 1))
    return out


def describe(error: Any) -> tuple[str, str, bool]:
    """(pointer, message, on-key) for one jsonschema-rs error, with short, precise messages."""
    kind = error.kind
    name = type(kind).__name__
    pointer = _pointer(error.instance_path)
    if name == "Required":
        return pointer, f"missing required field `{kind.property}`", False
    if name in ("AdditionalProperties", "UnevaluatedProperties"):
        unexpected = list(kind.unexpected)
        if len(unexpected) == 1:
            return jp.child(pointer, unexpected[0]), f"unexpected field `{unexpected[0]}`", True
        return pointer, "unexpected fields " + ", ".join(f"`{u}`" for u in unexpected), False
    path = list(error.instance_path)
    field = f"`{path[-1]}`: " if path and isinstance(path[-1], str) else ""
    if name == "Type":
        types = [str(t) for t in getattr(kind, "types", [])]
        expected = " or ".join(types) or "the expected type"
        return pointer, f"{field}{_short(error.instance)} is not of type {expected}", False
    if name == "Enum":
        options = getattr(kind, "options", None)
        listed = ", ".join(_short(o) for o in options) if isinstance(options, list) else ""
        return (
            pointer,
            f"{field}{_short(error.instance)} is not one of: {listed}" if listed else error.message,
            False,
        )
    message = error.message
    if isinstance(error.instance, dict | list):
        dumped = json.dumps(error.instance, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        if message.startswith(dumped):
            message = _short(error.instance) + message[len(dumped) :]
    if len(message) > 200:
        message = message[:197] + "..."
    return pointer, field + message, False


@rule(
    "SF-OAS-INVALID",
    title="Document is not valid OpenAPI 3.0 / 3.1",
    severity="error",
    target="document",
    rationale="""Every tool downstream (code generators, mocks, schemathesis) assumes a valid
    OpenAPI document; a structural error makes them fail or, worse, silently skip parts.
    Checked against the official OpenAPI 3.0 and 3.1 JSON Schemas; in 3.1 every Schema Object
    is also checked against the JSON Schema 2020-12 dialect (e.g. a 3.0-style boolean
    `exclusiveMinimum` is an error there).""",
    hint="fix the field the message names; the OpenAPI specification defines each object's fields",
)
def oas_invalid(ctx: LintContext) -> Iterator[Finding]:
    data = ctx.document.data
    if not isinstance(data, dict):
        yield Finding("", f"an OpenAPI document is a mapping, not {type(data).__name__}")
        return
    version = ctx.spec.version
    if version is None:
        if "swagger" in data:
            yield Finding("/swagger", "Swagger 2.0 is not supported: convert it to OpenAPI 3", key=True)
        elif "openapi" in data:
            yield Finding(
                "/openapi", f"unsupported OpenAPI version {_short(data['openapi'])} (3.0.x or 3.1.x)"
            )
        else:
            yield Finding("", "not an OpenAPI document: there is no `openapi` field")
        return
    found: list[tuple[str, str, bool, bool]] = []
    for error in meta_validator(version).iter_errors(data):
        for best in best_errors(error):
            pointer, message, key = describe(best)
            if type(best.kind).__name__ == "UniqueItems" and pointer.endswith("/required"):
                continue  # SF-REQUIRED-DUPLICATE names the duplicated entry precisely
            composite = type(best.kind).__name__ in ("OneOfNotValid", "AnyOf")
            found.append((pointer, message, key, composite))
    precise = [p for p, _, _, composite in found if not composite]
    for pointer, message, key, composite in found:
        if composite and any(p.startswith(pointer + "/") for p in precise):
            continue  # a precise error inside explains this "not valid under any of" one
        yield Finding(pointer, message, key=key)
    if not found and len(ctx.document.text) <= ctx.settings.full_validation_max_bytes:
        yield from _full_validation(data, version, ctx.base_dir)


def _full_validation(data: dict[str, Any], version: str, base_dir: Path | None) -> Iterator[Finding]:
    """openapi-spec-validator's own checks beyond the schema (duplicate operationIds, path
    parameters, ...), for documents small enough that its speed does not matter."""
    guard = RefGuard(base_dir)
    try:
        errors = list(openapi_validator(data, version, guard).iter_errors())
    except Exception as exc:  # noqa: BLE001 - a validator crash must not hide the other rules' findings
        if not guard.refused:  # a refused $ref is SF-REF-UNRESOLVED's finding, with its line
            yield Finding("", f"openapi-spec-validator could not check this document: {exc}")
        return
    paths: dict[str, Any] = data["paths"] if isinstance(data.get("paths"), dict) else {}
    for error in errors:
        message = str(getattr(error, "message", error)).splitlines()[0]
        yield Finding(_osv_pointer(message, paths), f"openapi-spec-validator: {message}", key=True)


_OSV_PLACE = re.compile(r"for '(?P<method>[a-z]+)'(?: operation)? in '(?P<path>/[^']*)'")


def _osv_pointer(message: str, paths: dict[str, Any]) -> str:
    """openapi-spec-validator names places in prose ("... for 'get' in '/b' ..."): point at
    that operation when it exists, else at the document."""
    match = _OSV_PLACE.search(message)
    if match is None or match.group("path") not in paths:
        return ""
    item = paths[match.group("path")]
    pointer = jp.join("paths", match.group("path"))
    if isinstance(item, dict) and match.group("method") in item:
        pointer = jp.child(pointer, match.group("method"))
    return pointer


@rule(
    "SF-REF-UNRESOLVED",
    title="$ref that does not resolve",
    severity="error",
    target="document",
    rationale="""A `$ref` whose target is missing makes the referencing schema or object
    undefined: generators fail, validators accept anything. Local references (`#/...`) and
    relative file references (`other.yaml#/...`) are checked; URLs are never fetched and refs that
    leave the spec's folder (`../x.yaml`, absolute paths, symlinks pointing out) are refused.""",
    hint="point the $ref at an existing component (check spelling and the `~1` escaping of `/`)",
)
def ref_unresolved(ctx: LintContext) -> Iterator[Finding]:
    if not isinstance(ctx.document.data, dict):
        return
    if _all_local_refs_resolve(ctx):
        return
    resolver: RefResolver | None = None
    for pointer, ref in ctx.spec.refs:
        here = f"{pointer}/$ref"
        local = ref.startswith("#")
        if local and ctx.spec.resolve_ref(ref) is not None:
            continue
        # other files, URLs and `$anchor` names: core's resolver (folder-bound, never fetches)
        if resolver is None:
            resolver = _resolver(ctx.document, ctx.base_dir)
        try:
            resolver.deref_one(ctx.document, ref, at=pointer)
        except RefError as exc:
            message = (
                f"$ref `{ref}` does not resolve: {_missing(ctx.spec.data, ref[1:])}" if local else exc.message
            )
            yield Finding(here, message)


def _resolver(document: Document, base_dir: Path | None) -> RefResolver:
    folder = base_dir or Path(document.path).parent
    return RefResolver(document, root=folder, base_path=folder)


_REF_TEXT = re.compile(
    r"""\$ref["']?[ \t]*:[ \t]*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s,}\]'"][^\s,}\]]*))""", re.S
)
_CONTINUATION = re.compile(r"\\\n[ \t]*")


def _all_local_refs_resolve(ctx: LintContext) -> bool:
    """Fast path: read every ``$ref`` off the text and check the distinct targets. Only when
    the text and the data might disagree (a ``$ref`` mentioned in prose, escapes, file refs) or
    a target is missing does the rule walk the data to find where each reference sits."""
    text = ctx.document.text
    found = _REF_TEXT.findall(text)
    if len(found) != text.count("$ref"):
        return False
    refs: set[str] = set()
    for double, single, plain in found:
        if double:
            double = _CONTINUATION.sub("", double)  # a YAML escaped line break joins the lines
            if "\\" in double:
                return False
        refs.add(double or single.replace("''", "'") or plain)
    return all(ref.startswith("#") and ctx.spec.resolve_ref(ref) is not None for ref in refs)


def _missing(data: Any, pointer: str) -> str:
    """Which token of ``pointer`` is the first one missing, for a precise message."""
    try:
        tokens = jp.parts(pointer)
    except ValueError:
        return "a JSON pointer must start with `/`"
    found = sum(1 for _ in jp.ancestry(data, pointer)) - 1  # the tokens that exist, the root aside
    if found == len(tokens):
        return "target not found"
    return f"`{tokens[found]}` not found under `#{jp.join(*tokens[:found]) or '/'}`"


@rule(
    "SF-YAML-DUPLICATE-KEY",
    title="Duplicate key in a mapping",
    severity="error",
    target="document",
    rationale="""YAML and JSON parsers keep only the last of two equal keys, silently: the
    first definition is lost without a word, and different tools may even pick differently.""",
    hint="remove or rename one of the two keys",
)
def duplicate_key(ctx: LintContext) -> Iterator[Finding]:
    for diagnostic in ctx.document.diagnostics:
        if diagnostic.code == "duplicate-key":
            at = None
            if diagnostic.line is not None:
                at = Location(
                    ctx.document.path,
                    diagnostic.line,
                    diagnostic.col or 1,
                    diagnostic.pointer,
                    diagnostic.end_line,
                    diagnostic.end_col,
                )
            yield Finding(diagnostic.pointer, diagnostic.message, key=True, at=at)
