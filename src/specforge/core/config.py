"""``specforge.toml``: where the project's files are, which variants exist, and each package's
own section (``[merge]``, ``[lint]``, ...). Unknown keys are errors that suggest the closest one."""

from __future__ import annotations

import difflib
import re
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
#: top-level tables: the project's own two plus one per package that may be configured
_SECTIONS = {
    "project", "variants", "ingest", "normalize", "overlay", "merge", "lint", "mock", "check", "render",
    "history", "nightly",
}


def suggest(name: str, choices: Iterable[str]) -> str:
    """' (did you mean `x`?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""


def display_path(path: Path, root: Path) -> str:
    """How outputs name a project file: POSIX and relative to ``root``, or as given when outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_keys(table: dict[str, Any], allowed: Iterable[str], where: str, file: str) -> None:
    """``InputError`` (with the key's line and a did-you-mean) for the first key of ``table``
    that is not ``allowed``. ``where`` is the table's name (``"lint"``, ``"variants.openai"``)."""
    allowed = set(allowed)
    for key in table:
        if key not in allowed:
            raise InputError(
                f"unknown key `{key}` in [{where}]{suggest(key, allowed)}",
                file=file,
                line=_line_of(file, where, key),
                hint=f"allowed keys: {', '.join(sorted(allowed))}",
            )


def _line_of(file: str, table: str, key: str) -> int | None:
    """Best-effort line of ``key`` in ``[table]`` of the TOML ``file`` (for error messages)."""
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    current = "top level"
    quoted = re.escape(key)
    key_re = re.compile(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*(?:=|\.)""")
    header_re = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
    for number, text in enumerate(lines, 1):
        header = header_re.match(text)
        if header:
            name = header.group(1).replace('"', "").replace("'", "")
            if table == "top level" and (name == key or name.startswith(key + ".")):
                return number
            current = name
            continue
        if current == table and key_re.match(text):
            return number
    return None


def _table(value: Any, where: str, file: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(
            f"[{where}] must be a table, not {type(value).__name__}",
            file=file,
            line=_line_of(file, "top level", where.split(".")[0]),
            hint=f"write it as a `[{where}]` table with `key = value` lines",
        )
    return value


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
        """A package's own table (empty when absent), its keys checked against ``allowed``."""
        table = self.sections.get(name, {})
        if allowed is not None:
            check_keys(table, allowed, name, str(self.file or CONFIG_NAME))
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
                f"write it by hand from {doc} (extract = \"hand\": `specforge ingest` checks it, never writes it), "
                "or fix `source` in specforge.toml"
            )
        else:
            hint = f"run `specforge ingest --variant {name}` to extract it from {doc}, or fix `source` in specforge.toml"
        return InputError(f"source of variant `{name}` not found", file=self.display(variant.source), hint=hint)

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
    name = str(file)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError("config file is not UTF-8 text", file=name, hint="re-save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"cannot read config file: {exc.strerror}", file=name, hint="check the file's permissions") from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's message ends with "(at line L, column C)"; move that into the location
        text = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)$", text)
        message = text[: where.start()].rstrip() if where else text
        raise InputError(
            f"invalid TOML: {message}",
            file=name,
            line=int(where.group(1)) if where else None,
            col=int(where.group(2)) if where else None,
            hint="fix the TOML syntax at that position",
        ) from None
    check_keys(raw, _SECTIONS, "top level", name)
    for section in raw:
        _table(raw[section], section, name)
    root = file.resolve().parent
    project = raw.get("project", {})
    check_keys(project, _PROJECT_KEYS, "project", name)
    paths = {k: root / str(project.get(k, default)) for k, default in _PROJECT_KEYS.items()}
    variants: dict[str, VariantConfig] = {}
    for vname, table in raw.get("variants", {}).items():
        _table(table, f"variants.{vname}", name)
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
