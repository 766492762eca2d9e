"""``specforge.toml``: where the project's files are, which variants exist, and each package's
own section (``[merge]``, ``[lint]``, ...). Unknown keys are errors that suggest the closest one."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specforge.core.errors import InputError

CONFIG_NAME = "specforge.toml"

_PROJECT_KEYS = {
    "docs": "specs/docs",
    "sources": "specs/sources",
    "canonical": "specs/canonical.yaml",
    "overlays": "specs/overlays",
    "reports": "reports",
}
_VARIANT_KEYS = {"doc", "source", "vendor", "base_url", "title", "extract", "description"}
_SECTIONS = {"project", "variants", "merge", "lint", "mock", "check"}


def suggest(name: str, choices: Iterable[str]) -> str:
    """' (did you mean `x`?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""


def check_keys(table: dict[str, Any], allowed: Iterable[str], where: str, file: str) -> None:
    allowed = set(allowed)
    for key in table:
        if key not in allowed:
            raise InputError(
                f"unknown key `{key}` in [{where}]{suggest(key, allowed)}",
                file=file,
                hint=f"allowed keys: {', '.join(sorted(allowed))}",
            )


@dataclass(frozen=True)
class VariantConfig:
    name: str
    source: Path
    doc: Path | None = None
    vendor: str | None = None
    base_url: str | None = None
    title: str | None = None
    extract: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Config:
    """The parsed ``specforge.toml``; paths are absolute (resolved against the file's folder)."""

    root: Path
    file: Path | None
    docs: Path
    sources: Path
    canonical: Path
    overlays: Path
    reports: Path
    variants: dict[str, VariantConfig] = field(default_factory=dict)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, name: str, allowed: Iterable[str] | None = None) -> dict[str, Any]:
        """A package's own table, its keys checked against ``allowed``."""
        table = self.sections.get(name, {})
        if allowed is not None:
            check_keys(table, allowed, name, str(self.file or CONFIG_NAME))
        return table

    def variant(self, name: str) -> VariantConfig:
        try:
            return self.variants[name]
        except KeyError:
            known = ", ".join(self.variants) or "none configured"
            raise InputError(
                f"unknown variant `{name}`{suggest(name, self.variants)}",
                file=str(self.file or CONFIG_NAME),
                hint=f"known variants: {known}",
            ) from None


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``specforge.toml`` in ``start`` or its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: str | Path | None = None) -> Config:
    """Parse ``path`` (default: the nearest ``specforge.toml``; defaults when there is none)."""
    file = Path(path) if path else find_config()
    if file is None:
        root = Path.cwd().resolve()
        return _config(root, None, {k: root / v for k, v in _PROJECT_KEYS.items()}, {}, {})
    if not file.is_file():
        raise InputError("config file not found", file=str(file), hint=f"create {CONFIG_NAME} or pass --config")
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"invalid TOML: {exc}", file=str(file), line=line, hint="fix the TOML syntax") from None
    name = str(file)
    check_keys(raw, _SECTIONS, "top level", name)
    root = file.resolve().parent
    project = raw.get("project", {})
    check_keys(project, _PROJECT_KEYS, "project", name)
    paths = {k: root / str(project.get(k, default)) for k, default in _PROJECT_KEYS.items()}
    variants: dict[str, VariantConfig] = {}
    for vname, table in raw.get("variants", {}).items():
        if not isinstance(table, dict):
            raise InputError(f"[variants.{vname}] must be a table", file=name)
        check_keys(table, _VARIANT_KEYS, f"variants.{vname}", name)
        source = root / str(table.get("source", paths["sources"] / f"{vname}.yaml"))
        doc = root / str(table["doc"]) if "doc" in table else None
        variants[vname] = VariantConfig(
            name=vname,
            source=source,
            doc=doc,
            **{k: table.get(k) for k in ("vendor", "base_url", "title", "extract", "description")},
        )
    sections = {k: v for k, v in raw.items() if k not in ("project", "variants")}
    return _config(root, file.resolve(), paths, variants, sections)


def _config(
    root: Path,
    file: Path | None,
    paths: dict[str, Path],
    variants: dict[str, VariantConfig],
    sections: dict[str, dict[str, Any]],
) -> Config:
    return Config(
        root=root,
        file=file,
        docs=paths["docs"],
        sources=paths["sources"],
        canonical=paths["canonical"],
        overlays=paths["overlays"],
        reports=paths["reports"],
        variants=variants,
        sections=sections,
    )
