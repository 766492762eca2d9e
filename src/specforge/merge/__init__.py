"""Merge the variants' sources into one canonical OpenAPI 3.1 spec plus one OAI Overlay per
variant, with a merge report and a compatibility matrix.

Exact by construction: each overlay is ``compare(canonical, normalize(source))``, so
``normalize(apply(canonical, overlay)) == normalize(source)`` for every variant (the tests check it).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specforge.core import (
    Config,
    Diagnostic,
    Document,
    InputError,
    Location,
    Severity,
    load_mapping,
)
from specforge.core import pointer as jp
from specforge.merge.canonical import Built, Conflict, build_canonical, operation_id
from specforge.merge.compat import build_matrix
from specforge.merge.describe import describer
from specforge.merge.fields import FieldInfo, VariantFields, extract_fields
from specforge.merge.overlays import coalesce_removals
from specforge.merge.policy import Policy, load_policy
from specforge.normalize import normalize, strip_annotations

__all__ = [
    "Conflict",
    "FieldInfo",
    "MergeResult",
    "Policy",
    "VariantFields",
    "build_canonical",
    "extract_fields",
    "load_policy",
    "load_source",
    "merge_documents",
    "merge_project",
    "operation_id",
]


@dataclass
class MergeResult:
    """Everything one merge produced, as data (``specforge.render.merge_files`` turns it into the
    files merge writes)."""

    config: Config
    policy: Policy
    canonical: dict[str, Any]
    overlays: dict[str, dict[str, Any]]
    sources: dict[str, Document]
    normalized: dict[str, dict[str, Any]]
    fields: dict[str, VariantFields]
    conflicts: list[Conflict]
    support: dict[str, list[str]]
    matrix: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: each output file's exact text, filled by ``specforge.render.merge_files.merge_outputs``
    outputs: dict[Path, str] = field(default_factory=dict)
    omitted: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    #: variants whose source could not be read: left out of this merge, with the reason
    skipped: dict[str, InputError] = field(default_factory=dict)

    @property
    def action_counts(self) -> dict[str, int]:
        return {v: len(o.get("actions", [])) for v, o in self.overlays.items()}

    def report_data(self) -> dict[str, Any]:
        """Plain data for the merge-report renderer."""
        return {
            "canonical": self.config.display(self.config.canonical),
            "policy": self.policy.describe(),
            "variants": list(self.normalized),
            "support": self.support,
            "operation_ids": {kind: operation_id(kind) for kind in self.support},
            "actions": self.action_counts,
            "overlays": {
                v: self.config.display(self.config.overlays / f"{v}.overlay.yaml") for v in self.overlays
            },
            "conflicts": [{**c.to_dict(), "locations": _conflict_locations(self, c)} for c in self.conflicts],
            "omitted": [
                {"field": f"{schema}.{prop}", "variants": who}
                for (schema, prop), who in sorted(self.omitted.items())
            ],
        }


def _conflict_locations(result: MergeResult, conflict: Conflict) -> dict[str, str]:
    """variant -> "file:line" of the field in the variant's source."""
    out: dict[str, str] = {}
    for variant in conflict.shapes:
        location = _source_location(result, variant, conflict)
        if location is not None:
            out[variant] = f"{location.file}:{location.line}"
    return out


def _source_location(result: MergeResult, variant: str, conflict: Conflict) -> Location | None:
    fields = result.fields.get(variant)
    document = result.sources.get(variant)
    if fields is None or document is None or conflict.field is None:
        return None
    for kind, body in conflict.sites:
        info = fields.field(kind, body, conflict.field)
        if info is not None:
            location = document.locate(info.pointer, key=True)
            if location is not None:
                return Location(
                    result.config.display(Path(document.path)), location.line, location.col, info.pointer
                )
    return None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def merge_documents(
    sources: dict[str, dict[str, Any]], policy: Policy, *, describe: bool = True
) -> tuple[Built, dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The pure core: (canonical build, normalized sources, overlays) for raw ``sources``
    (variant -> OpenAPI data, in precedence-independent config order)."""
    from specforge.overlay import compare

    normalized = {variant: normalize(document) for variant, document in sources.items()}
    built = build_canonical(normalized, policy)
    plain = strip_annotations(built.canonical)
    overlays: dict[str, dict[str, Any]] = {}
    for variant, target in normalized.items():
        overlay = compare(
            plain,
            target,
            info={"title": f"{variant}: differences from the canonical video API", "version": "1.0.0"},
            describe=describer(variant, plain, target) if describe else None,
        )
        overlay["actions"] = coalesce_removals(list(overlay.get("actions") or []))
        overlays[variant] = overlay
    return built, normalized, overlays


def load_source(config: Config, name: str) -> Document:
    """One variant's source, or the ``InputError`` that says why it cannot be merged."""
    variant = config.variant(name)
    if not variant.source.is_file():
        raise config.missing_source(name)
    document = load_mapping(variant.source, "OpenAPI document", display=config.display(variant.source))
    if not str(document.data.get("openapi", "")).startswith("3."):
        raise InputError(
            "not an OpenAPI 3.x document (no `openapi: 3.x` key)",
            file=document.path,
            line=1,
            hint="merge reads OpenAPI 3.0/3.1 sources; run `specforge ingest` to produce one",
        )
    return document


def merge_project(config: Config, *, exclude: Iterable[str] = ()) -> MergeResult:
    """Load every configured source (but ``exclude``), merge, and render every output file
    (nothing is written). A source that cannot be read is left out and named in
    ``MergeResult.skipped``, so one broken variant never blocks the others; only when no source
    is left is that an ``InputError``."""
    if not config.variants:
        raise InputError(
            "no variants configured",
            file=str(config.file or "specforge.toml"),
            hint='add a [variants.NAME] table with `source = "specs/sources/NAME.yaml"`',
        )
    policy = load_policy(config)
    documents: dict[str, Document] = {}
    skipped: dict[str, InputError] = {}
    left_out = set(exclude)
    for name in config.variants:
        if name in left_out:
            continue
        try:
            documents[name] = load_source(config, name)
        except InputError as error:
            skipped[name] = error
    if not documents:
        if skipped:
            raise next(iter(skipped.values()))
        raise InputError(
            "every variant was excluded from the merge",
            file=str(config.file or "specforge.toml"),
            hint="fix the variants' sources, then re-run",
        )
    built, normalized, overlays = merge_documents({n: d.data for n, d in documents.items()}, policy)
    fields = {name: extract_fields(name, document) for name, document in documents.items()}
    result = MergeResult(
        config=config,
        policy=policy,
        canonical=built.canonical,
        overlays=overlays,
        sources=documents,
        normalized=normalized,
        fields=fields,
        conflicts=built.conflicts,
        support=built.support,
        matrix=build_matrix(
            fields, {n: d.data for n, d in documents.items()}, _changes_from_reference(documents)
        ),
        omitted=built.omitted,
        skipped=skipped,
    )
    _finish_overlays(result)
    result.diagnostics = _validate(result) + _diagnostics(result)
    return result


def _changes_from_reference(documents: dict[str, Document]) -> dict[str, list[Any]]:
    """``specforge diff REFERENCE VARIANT`` for every variant (the reference is the first one, the
    matrix's reference column): what moving a client of the reference there breaks."""
    from specforge.diff import Spec, diff

    names = list(documents)
    if not names:
        return {}
    reference = Spec(names[0], documents[names[0]].data, documents[names[0]])
    return {
        name: diff(reference, Spec(name, doc.data, doc))
        for name, doc in documents.items()
        if name != names[0]
    }


def _finish_overlays(result: MergeResult) -> None:
    """Provenance in each overlay's ``info`` and ``extends`` pointing at the canonical file."""
    config = result.config
    for variant, overlay in result.overlays.items():
        document = result.sources[variant]
        source_info = (document.data.get("info") or {}).get("x-specforge-source")
        provenance: dict[str, Any] = {
            "variant": variant,
            "source": document.path,
            "source-sha256": _sha256(document.text),
            "canonical": config.display(config.canonical),
            "generated-by": "specforge merge",
            "policy": result.policy.describe(),
        }
        vconf = config.variants.get(variant)
        if vconf is not None:
            if vconf.doc is not None:
                provenance["doc"] = config.display(vconf.doc)
            if vconf.vendor:
                provenance["vendor"] = vconf.vendor
            if vconf.extract:
                provenance["extraction"] = vconf.extract
        if isinstance(source_info, dict):
            for key in ("doc", "vendor", "extraction", "sha256", "validation"):
                if key in source_info:
                    provenance.setdefault(key if key != "sha256" else "doc-sha256", source_info[key])
        overlay_dir = config.overlays
        extends = os.path.relpath(config.canonical, overlay_dir).replace(os.sep, "/")
        info = dict(overlay.get("info") or {})
        info["title"] = f"{variant}: differences from the canonical video API"
        info["version"] = str(result.canonical.get("info", {}).get("version", "1.0.0"))
        info["x-specforge-provenance"] = provenance
        ordered = {"overlay": overlay.get("overlay", "1.0.0"), "info": info, "extends": extends}
        ordered.update({k: v for k, v in overlay.items() if k not in ordered})
        result.overlays[variant] = ordered


def _validate(result: MergeResult) -> list[Diagnostic]:
    """openapi-spec-validator on the canonical: an invalid merge is an error, never written."""
    from specforge.openapi.validation import openapi_validator

    canonical = result.config.display(result.config.canonical)
    hint = "a source is malformed where the merge copied from it; run `specforge lint` on the sources"
    out = []
    try:
        for error in openapi_validator(result.canonical, "3.1").iter_errors():
            pointer = "".join(f"/{jp.escape(str(p))}" for p in error.absolute_path)
            out.append(
                Diagnostic(
                    code="canonical-invalid",
                    severity=Severity.ERROR,
                    message=f"merged spec is not valid OpenAPI 3.1: {error.message}",
                    pointer=pointer,
                    file=canonical,
                    hint=hint,
                )
            )
    except Exception as exc:  # noqa: BLE001 - the validator raises (not yields) on unresolvable $refs
        out.append(
            Diagnostic(
                code="canonical-invalid",
                severity=Severity.ERROR,
                message=f"merged spec is not valid OpenAPI 3.1: {str(exc).splitlines()[0].split(' within ')[0][:300]}",
                file=canonical,
                hint=hint,
            )
        )
    return out


def _diagnostics(result: MergeResult) -> list[Diagnostic]:
    canonical = result.config.display(result.config.canonical)
    out = []
    for conflict in result.conflicts:
        groups: dict[str, list[str]] = {}
        for variant, shape in conflict.shapes.items():
            groups.setdefault(shape, []).append(variant)
        shapes = "; ".join(f"{', '.join(v)}: {s}" for s, v in groups.items())
        related = tuple(
            loc for v in conflict.shapes if (loc := _source_location(result, v, conflict)) is not None
        )
        out.append(
            Diagnostic(
                code="merge-conflict",
                severity=Severity.INFO,
                message=f"{conflict.subject}: variants differ ({shapes}); canonical uses {conflict.winner}'s "
                f"{conflict.chosen}",
                pointer=conflict.pointer,
                file=canonical,
                variants=tuple(conflict.shapes),
                hint=f"chosen by {conflict.rule}; each variant's own shape is in its overlay",
                related=related,
            )
        )
    return out
