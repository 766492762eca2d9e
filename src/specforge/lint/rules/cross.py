"""Cross-variant rules: how the variants' sources disagree about one contract. They read the
fields ``specforge.merge.fields.extract_fields`` found in each source (operation kind -> body ->
field, each with the pointer where that source declares it), so every finding points at the
line in each variant's source: the first place is the primary location, the others are
``related``. Variants are listed deviating-first, the reference variant (``[lint] reference``,
default the official ``openai`` contract) last."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any

from specforge.core import pointer as jp
from specforge.lint.engine import VariantsContext
from specforge.lint.registry import Finding, Place, rule
from specforge.openapi.operations import server_prefix

_BODIES = ("request json", "request multipart", "request form", "response json", "response error")
_STRUCTURAL = {"array", "object", "binary"}

#: concept -> the names vendors use for it; a variant may use several
ALIASES: dict[str, tuple[str, ...]] = {
    "duration": ("seconds", "duration"),
    "reference image": ("input_reference", "image", "images", "image_url", "image_urls", "reference_images"),
    "output size": ("size", "width", "height", "resolution"),
}


def _fields(ctx: VariantsContext) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(operation kind, body key, field name, {variant: FieldInfo}) for fields at least two
    variants document."""
    order = list(ctx.documents)
    for kind in _kinds(ctx):
        for key in _BODIES:
            names: dict[str, None] = {}
            for variant in order:
                fields = ctx.fields.get(variant)
                if fields is not None:
                    names.update(dict.fromkeys(fields.body(kind, key)))
            for name in names:
                per: dict[str, Any] = {}
                for variant in order:
                    fields = ctx.fields.get(variant)
                    info = fields.field(kind, key, name) if fields is not None else None
                    if info is not None:
                        per[variant] = info
                if len(per) >= 2:
                    yield kind, key, name, per


def _kinds(ctx: VariantsContext) -> list[str]:
    """Every operation kind some variant documents, in variant order."""
    kinds: dict[str, None] = {}
    for variant in ctx.documents:
        fields = ctx.fields.get(variant)
        if fields is not None:
            kinds.update(dict.fromkeys(fields.kinds()))
    return list(kinds)


def _groups(values: dict[str, Hashable], reference: str | None) -> list[tuple[Hashable, list[str]]]:
    """Variants grouped by value; the reference's group last, larger groups later (the odd
    ones out come first: they are where the fix most likely belongs)."""
    grouped: dict[Hashable, list[str]] = {}
    for variant, value in values.items():
        grouped.setdefault(value, []).append(variant)
    items = list(grouped.items())
    items.sort(key=lambda item: (reference in item[1], len(item[1])))
    return items


def _places(groups: Sequence[tuple[Hashable, list[str]]], pointers: Mapping[str, str]) -> tuple[Place, ...]:
    return tuple(Place(v, pointers[v], key=True) for _, variants in groups for v in variants)


_KINDS = "\x00"


def _where(kind: str, key: str) -> str:
    """The operation part of a message; the kind is filled in by ``_by_kind``."""
    return f"{_KINDS} {key}"


def _by_kind(entries: Iterator[tuple[str, str, tuple[Place, ...]]]) -> Iterator[Finding]:
    """One finding per (message, places) listing every operation kind it holds for: a schema
    shared by create, retrieve and remix is one disagreement, not three."""
    groups: dict[tuple[str, tuple[Place, ...]], list[str]] = {}
    for kind, template, places in entries:
        groups.setdefault((template, places), []).append(kind)
    for (template, places), kinds in groups.items():
        yield Finding("", template.replace(_KINDS, ", ".join(kinds)), places=places)


def _listing(groups: Sequence[tuple[Hashable, list[str]]], show: Callable[[Any], str]) -> str:
    return "; ".join(f"{show(value)} in {', '.join(variants)}" for value, variants in groups)


def _divergences(
    ctx: VariantsContext,
    phrase: str,
    values_of: Callable[[dict[str, Any]], Mapping[str, Hashable] | None],
    show: Callable[[Any], str],
    pointer: Callable[[Any], str] = lambda info: info.pointer,
) -> Iterator[Finding]:
    """The per-field divergence rules: for each field two variants document, ``values_of``
    maps {variant: FieldInfo} to the compared value per variant (``None``: not this rule's
    business); two or more distinct values make "`name` (where) {phrase}{listing}"."""

    def entries() -> Iterator[tuple[str, str, tuple[Place, ...]]]:
        for kind, key, name, per in _fields(ctx):
            values = values_of(per)
            if values is None or len(set(values.values())) < 2:
                continue
            groups = _groups(dict(values), ctx.reference)
            message = f"`{name}` ({_where(kind, key)}) {phrase}" + _listing(groups, show)
            yield kind, message, _places(groups, {v: pointer(i) for v, i in per.items()})

    return _by_kind(entries())


@rule(
    "SF-TYPE-DIVERGENCE",
    title="Same field, different JSON types across variants",
    severity="error",
    target="variants",
    rationale="""A client written against one variant sends `"seconds": "8"` where another
    expects `8`; strict servers reject it with a 400 and lenient ones may truncate or
    misread it. Compared per operation and body (request JSON, request multipart, response
    JSON, error body); fields whose source states no type are skipped.""",
    hint="agree on one type (the reference contract's), or accept both explicitly with oneOf",
)
def type_divergence(ctx: VariantsContext) -> Iterator[Finding]:
    return _divergences(ctx, "has different JSON types across variants: ", _json_types, " or ".join)


def _json_types(per: dict[str, Any]) -> dict[str, tuple[str, ...]] | None:
    shapes = {info.shape for info in per.values()}
    forms = {f for info in per.values() for f in info.forms}
    if shapes & _STRUCTURAL or forms & _STRUCTURAL:
        return None  # SF-SHAPE-DIVERGENCE owns structural differences
    values = {v: tuple(sorted(t for t in info.types if t != "null")) for v, info in per.items()}
    return {v: t for v, t in values.items() if t}


@rule(
    "SF-SHAPE-DIVERGENCE",
    title="Same field, different shapes across variants",
    severity="error",
    target="variants",
    rationale="""`input_reference` is an object (`{image_url}`) in the OpenAI contract, an array
    of URLs at one vendor, a file upload or a plain string at others. Shape differences
    (array / object / file / string) break every client that was written for another
    variant, and are the most common cause of 400s on "compatible" relays.""",
    hint="adopt the reference contract's shape, or document the variant's shape in its overlay",
)
def shape_divergence(ctx: VariantsContext) -> Iterator[Finding]:
    return _divergences(ctx, "has different shapes across variants: ", _shapes, str)


def _shapes(per: dict[str, Any]) -> dict[str, Hashable] | None:
    values: dict[str, Hashable] = {}
    for variant, info in per.items():
        if info.shape == "any":
            continue
        values[variant] = info.describe() if info.shape in ("array", "oneOf") else info.shape
    shapes = {per[v].shape for v in values} | {f for v in values for f in per[v].forms}
    return values if shapes & _STRUCTURAL else None


def _enum_text(values: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return f"[{shown}, ... {len(values) - limit} more]" if len(values) > limit else f"[{shown}]"


def _enum_key(values: Sequence[Any]) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in values if v is not None}))


@rule(
    "SF-ENUM-DIVERGENCE",
    title="Same field, different allowed values across variants",
    severity="warning",
    target="variants",
    rationale="""Different enums (sizes, seconds values, model names, status values) mean a value
    valid at one vendor is a 400 at another. Values are compared as text, so `4` and `"4"`
    count as the same value (their type difference is SF-TYPE-DIVERGENCE's).""",
    hint="document each variant's real set of values; the canonical spec keeps their union",
)
def enum_divergence(ctx: VariantsContext) -> Iterator[Finding]:
    return _divergences(
        ctx,
        "allows different values across variants: ",
        lambda per: {v: _enum_key(info.enum) for v, info in per.items() if info.enum},
        _enum_text,
        pointer=lambda info: info.schema_pointer or info.pointer,
    )


@rule(
    "SF-REQUIRED-DIVERGENCE",
    title="Field required by some variants and optional in others",
    severity="warning",
    target="variants",
    rationale="""If `model` is required at one vendor and optional (defaulted) at another, a
    request that works at the second fails at the first. Compared for fields both variants
    document, per operation and body.""",
    hint="make the field required everywhere clients must send it, or give it a documented default",
)
def required_divergence(ctx: VariantsContext) -> Iterator[Finding]:
    return _divergences(
        ctx,
        "is ",
        lambda per: {v: info.required for v, info in per.items()},
        lambda required: "required" if required else "optional",
    )


@rule(
    "SF-FIELD-ALIAS",
    title="Variants name one concept differently",
    severity="warning",
    target="variants",
    rationale="""The clip length is `seconds` in the OpenAI contract and `duration` elsewhere;
    the reference image is `input_reference`, `image`, `images`, `image_url` or
    `reference_images`; the output size is `size` or `width` + `height`. A client that
    sends the reference name to a vendor that only reads its alias silently gets the
    default (a 4-second 720p video instead of the one asked for).""",
    hint="accept the reference name (and list aliases as deprecated extras), or map names in the variant's overlay",
)
def field_alias(ctx: VariantsContext) -> Iterator[Finding]:
    order = list(ctx.documents)
    for kind in _kinds(ctx):
        for concept, names in ALIASES.items():
            used: dict[str, tuple[str, ...]] = {}
            first: dict[str, str] = {}
            for variant in order:
                fields = ctx.fields.get(variant)
                if fields is None:
                    continue
                found: dict[str, str] = {}
                for key in ("request json", "request multipart", "request form"):
                    body = fields.body(kind, key)
                    for name in names:
                        if name in body and name not in found:
                            found[name] = body[name].pointer
                if found:
                    used[variant] = tuple(n for n in names if n in found)
                    first[variant] = next(iter(found.values()))
            if len(used) < 2 or len(set(used.values())) < 2:
                continue
            groups = _groups(used, ctx.reference)  # type: ignore[arg-type]
            message = f"{concept} ({kind} request) is named differently across variants: " + _listing(
                groups, lambda n: " + ".join(f"`{x}`" for x in n)
            )
            yield Finding("", message, places=_places(groups, first))


@rule(
    "SF-PATH-PREFIX",
    title="Variants split the base URL and paths differently",
    severity="warning",
    target="variants",
    rationale="""The OpenAI contract's server is `https://api.openai.com/v1` with paths
    `/videos...`; relays often use a bare host with paths `/v1/videos...`. SDKs take the
    server URL as `base_url`, so a client configured the reference way calls
    `/v1/v1/videos` (or `/videos`) at a variant that splits differently; different full
    paths for one operation are reported too.""",
    hint="document the variant's server URL so that server + path gives the same full path as the reference",
)
def path_prefix(ctx: VariantsContext) -> Iterator[Finding]:
    prefixes: dict[str, str] = {}
    places: dict[str, str] = {}
    for variant in ctx.documents:
        fields = ctx.fields.get(variant)
        if fields is None or not fields.operations:
            continue
        data = ctx.documents[variant].data
        prefixes[variant] = server_prefix(data.get("servers")) if isinstance(data, dict) else ""
        if fields.servers:
            places[variant] = "/servers/0/url"
        else:
            first = next(iter(fields.operations.values()))
            places[variant] = jp.join("paths", first.source_path)
    if len(set(prefixes.values())) >= 2:
        groups = _groups(prefixes, ctx.reference)  # type: ignore[arg-type]
        message = "the server URL's path prefix differs across variants: " + _listing(
            groups, lambda p: f"`{p or '/'}` in the server URL"
        )
        yield Finding("", message, places=_places(groups, places))
    # one operation kind at different full paths
    kinds: dict[str, dict[str, Any]] = {}
    for variant in ctx.documents:
        fields = ctx.fields.get(variant)
        if fields is not None:
            for kind, op in fields.operations.items():
                kinds.setdefault(kind, {})[variant] = op
    for kind, per in kinds.items():
        full = {v: f"{op.method.upper()} {op.path}" for v, op in per.items()}
        if len(set(full.values())) >= 2:
            groups = _groups(full, ctx.reference)  # type: ignore[arg-type]
            message = f"the {kind} operation has different full paths across variants: " + _listing(
                groups, str
            )
            yield Finding(
                "",
                message,
                places=_places(groups, {v: jp.join("paths", op.source_path) for v, op in per.items()}),
            )


def _error_signature(body: Any) -> tuple[str, ...]:
    """Top-level field names of an error body, with the property names of object fields."""
    out: list[str] = []
    for name, info in body.fields.items():
        props = info.schema.get("properties") if isinstance(info.schema, dict) else None
        if isinstance(props, dict) and props:
            out.append(f"{name}{{{', '.join(sorted(props))}}}")
        else:
            out.append(name)
    return tuple(sorted(out))


@rule(
    "SF-ERROR-SHAPE-DIVERGENCE",
    title="Error bodies shaped differently across variants",
    severity="warning",
    target="variants",
    rationale="""Clients parse error bodies to show the reason and decide whether to retry. The
    OpenAI shape is `{"error": {"message", "type", "param", "code"}}`; a variant that
    returns another shape makes every client's error handling fall back to "unknown
    error". Only variants that document an error body are compared (SF-NO-ERROR-RESPONSE
    reports the others).""",
    hint="return the reference error envelope, or document the variant's envelope in its overlay",
)
def error_shape_divergence(ctx: VariantsContext) -> Iterator[Finding]:
    signatures: dict[str, tuple[str, ...]] = {}
    pointers: dict[str, str] = {}
    for variant in ctx.documents:
        fields = ctx.fields.get(variant)
        if fields is None:
            continue
        for kind in fields.kinds():
            body = fields.operations[kind].bodies.get("response error")
            if body is not None and body.fields:
                signatures[variant] = _error_signature(body)
                pointers[variant] = body.pointer
                break
    if len(set(signatures.values())) < 2:
        return
    groups = _groups(signatures, ctx.reference)  # type: ignore[arg-type]
    message = "error bodies have different shapes across variants: " + _listing(
        groups, lambda sig: "{" + ", ".join(sig) + "}"
    )
    yield Finding("", message, places=tuple(Place(v, pointers[v]) for _, vs in groups for v in vs))


@rule(
    "SF-RESPONSE-FIELD-MISSING",
    title="Response field that some variants lack",
    severity="warning",
    target="variants",
    rationale="""A client that reads `expires_at` to schedule the download, `completed_at` for
    billing or `video_url` to skip the content call breaks at a variant that never returns
    it. Reported for fields of the reference contract that a variant lacks, and for fields
    two or more variants return that others lack.""",
    hint="return the field (null when unknown), or mark it variant-specific in the overlay",
)
def response_field_missing(ctx: VariantsContext) -> Iterator[Finding]:
    return _by_kind(_response_field_missing(ctx))


def _response_field_missing(ctx: VariantsContext) -> Iterator[tuple[str, str, tuple[Place, ...]]]:
    order = list(ctx.documents)
    reference = ctx.reference
    kinds: dict[str, None] = {}
    for variant in order:
        fields = ctx.fields.get(variant)
        if fields is not None:
            kinds.update(dict.fromkeys(fields.kinds()))
    for kind in kinds:
        bodies = {}
        for variant in order:
            fields = ctx.fields.get(variant)
            operation = fields.operations.get(kind) if fields is not None else None
            body = operation.bodies.get("response json") if operation is not None else None
            if body is not None and body.fields:
                bodies[variant] = body
        if len(bodies) < 2:
            continue
        names: dict[str, None] = {}
        for body in bodies.values():
            names.update(dict.fromkeys(body.fields))
        for name in names:
            having = [v for v in bodies if name in bodies[v].fields]
            lacking = [v for v in bodies if name not in bodies[v].fields]
            if not lacking:
                continue
            if not (reference in having or len(having) >= 2):
                continue
            message = (
                f"response field `{name}` ({_KINDS}) is missing in {', '.join(lacking)}; "
                f"returned by {', '.join(having)}"
            )
            places = [Place(v, bodies[v].pointer) for v in lacking]
            places += [Place(v, bodies[v].fields[name].pointer, key=True) for v in having]
            yield kind, message, tuple(places)
