"""``specforge.toml``: where the project's files are, which variants exist, and each package's
own section (``[merge]``, ``[lint]``, ...). Unknown keys are errors that suggest the closest one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from specforge.core.errors import InputError
from specforge.core.tomlconf import (
    NAME_FIX,
    NAME_PATTERN,
    TomlLines,
    load_toml,
    strict_table,
    suggest,
    validate,
)

__all__ = [
    "CONFIG_NAME",
    "CONFIG_SCHEMA",
    "Config",
    "VariantConfig",
    "check_keys",
    "display_path",
    "find_config",
    "load_config",
    "suggest",
]

CONFIG_NAME = "specforge.toml"

_PROJECT_KEYS = {
    "docs": "specs/docs",
    "sources": "specs/sources",
    "canonical": "specs/canonical.yaml",
    "overlays": "specs/overlays",
    "reports": "reports",
}
#: top-level tables: the project's own two plus one per package that may be configured
_SECTIONS = {
    "project",
    "variants",
    "ingest",
    "normalize",
    "overlay",
    "merge",
    "lint",
    "mock",
    "check",
    "render",
    "history",
    "nightly",
}


_PATH = {"type": "string", "x-expect": "a path (a string, relative to this file)"}
_VARIANT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "doc": _PATH,
        "source": _PATH,
        "vendor": {"type": "string"},
        "base_url": {
            "type": "string",
            "format": "http-url",
            "x-fix": 'e.g. base_url = "https://api.example.com/v1"',
        },
        "title": {"type": "string"},
        "extract": {"type": "string"},
        "description": {"type": "string"},
    },
    "additionalProperties": False,
}
#: the shape of specforge.toml; each package's own table is checked by its package (Config.section)
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "project": {
            "type": "object",
            "properties": {k: _PATH for k in _PROJECT_KEYS},
            "additionalProperties": False,
        },
        "variants": {
            "type": "object",
            # variant names become file names (<sources>/<name>.yaml, <overlays>/<name>.overlay.yaml)
            "propertyNames": {"pattern": NAME_PATTERN, "x-what": "variant name", "x-fix": NAME_FIX},
            "additionalProperties": _VARIANT_SCHEMA,
        },
        **{name: {"type": "object"} for name in _SECTIONS - {"project", "variants"}},
    },
    "additionalProperties": False,
}


def display_path(path: Path, root: Path) -> str:
    """How outputs name a project file: POSIX and relative to ``root``, or as given when outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_keys(
    table: dict[str, Any], allowed: Iterable[str], where: str, file: str, lines: TomlLines | None = None
) -> None:
    """``InputError`` (with the key's line and a did-you-mean) for the first key of ``table``
    that is not ``allowed``. ``where`` is the table's dotted name (``"lint"``, ``"variants.openai"``)."""
    at: tuple[str, ...] = () if where == "top level" else tuple(where.split("."))
    validate(table, strict_table(allowed), file=file, lines=lines, at=at)


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
    lines: TomlLines | None = field(default=None, compare=False, repr=False)

    def section(
        self, name: str, allowed: Iterable[str] | None = None, *, schema: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """A package's own table (empty when absent), validated against its JSON ``schema`` (or
        just its keys against ``allowed``): the first problem is an InputError at its line."""
        table = self.sections.get(name, {})
        if schema is None and allowed is not None:
            schema = strict_table(allowed)
        if schema is not None:
            validate(table, schema, file=str(self.file or CONFIG_NAME), lines=self.lines, at=(name,))
        return table

    def display(self, path: Path) -> str:
        """``path`` as reports and messages show it: relative to the project root when inside it."""
        return display_path(path, self.root)

    def missing_source(self, name: str) -> InputError:
        """The one error (and advice) for a variant whose source file does not exist, so ingest,
        merge and lint tell the user the same thing."""
        variant = self.variant(name)
        doc = self.display(variant.doc) if variant.doc else "the vendor's page"
        if variant.extract == "hand":
            hint = (
                f'write it by hand from {doc} (extract = "hand": `specforge ingest` checks it, never writes it), '
                "or fix `source` in specforge.toml"
            )
        else:
            hint = f"run `specforge ingest --variant {name}` to extract it from {doc}, or fix `source` in specforge.toml"
        return InputError(
            f"source of variant `{name}` not found", file=self.display(variant.source), hint=hint
        )

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
        raise InputError(
            "config file not found", file=str(file), hint=f"create {CONFIG_NAME} or pass --config"
        )
    name = str(file)
    raw, lines, _ = load_toml(file, CONFIG_NAME)
    validate(raw, CONFIG_SCHEMA, file=name, lines=lines)
    root = file.resolve().parent
    project = raw.get("project", {})
    paths = {k: root / str(project.get(k, default)) for k, default in _PROJECT_KEYS.items()}
    variants: dict[str, VariantConfig] = {}
    for vname, table in raw.get("variants", {}).items():
        source = root / str(table.get("source", paths["sources"] / f"{vname}.yaml"))
        doc = root / str(table["doc"]) if "doc" in table else None
        variants[vname] = VariantConfig(
            name=vname,
            source=source,
            doc=doc,
            **{k: table.get(k) for k in ("vendor", "base_url", "title", "extract", "description")},
        )
    sections = {k: v for k, v in raw.items() if k not in ("project", "variants")}
    return replace(_config(root, file.resolve(), paths, variants, sections), lines=lines)


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
