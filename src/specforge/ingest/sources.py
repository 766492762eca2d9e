"""What the project's sources are: one row per configured variant (OpenAPI version, operations,
how it was extracted, from which page, whether it validates), for ``specforge sources``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from specforge.core import Config, InputError, load_mapping
from specforge.core.config import display_path
from specforge.ingest.api import PROVENANCE_KEY
from specforge.ingest.validate import validation_summary
from specforge.openapi.operations import HTTP_METHODS


@dataclass(frozen=True)
class SourceInfo:
    variant: str
    source: str
    status: str  # "ok", "missing" or "unreadable"
    openapi: str | None = None
    operations: list[str] = field(default_factory=list)
    extraction: str | None = None
    doc: str | None = None
    vendor: str | None = None
    examples: int | None = None
    validation: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def operations(document: dict[str, Any]) -> list[str]:
    """``METHOD path`` for every operation, in document order."""
    out: list[str] = []
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return out
    for path, item in paths.items():
        if isinstance(item, dict):
            out += [f"{method.upper()} {path}" for method in item if method in HTTP_METHODS]
    return out


def list_sources(config: Config, *, revalidate: bool = False) -> list[SourceInfo]:
    """One row per configured variant. ``revalidate`` re-runs openapi-spec-validator instead of
    reporting the result recorded at ingest time."""
    rows: list[SourceInfo] = []
    for name, vconf in config.variants.items():
        shown = display_path(vconf.source, config.root)
        doc = display_path(vconf.doc, config.root) if vconf.doc else None
        if not vconf.source.is_file():
            rows.append(
                SourceInfo(
                    name, shown, "missing", extraction=vconf.extract, doc=doc, error="run `specforge ingest`"
                )
            )
            continue
        try:
            data = load_mapping(vconf.source, "OpenAPI source").data
        except InputError as exc:
            rows.append(
                SourceInfo(name, shown, "unreadable", extraction=vconf.extract, doc=doc, error=str(exc))
            )
            continue
        info = data.get("info")
        info = info if isinstance(info, dict) else {}
        provenance = info.get(PROVENANCE_KEY)
        provenance = provenance if isinstance(provenance, dict) else {}
        validation = (
            validation_summary(data, root=vconf.source.parent) if revalidate else provenance.get("validation")
        )
        examples = provenance.get("examples")
        rows.append(
            SourceInfo(
                variant=name,
                source=shown,
                status="ok",
                openapi=str(data.get("openapi") or data.get("swagger") or "?"),
                operations=operations(data),
                extraction=provenance.get("extraction", vconf.extract),
                doc=provenance.get("doc", doc),
                vendor=provenance.get("vendor", vconf.vendor),
                examples=examples if isinstance(examples, int) else None,
                validation=str(validation) if validation is not None else "unknown (no provenance)",
            )
        )
    return rows
