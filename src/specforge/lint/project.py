"""What ``specforge lint`` lints: given files, or the whole project (every variant's source, the
canonical spec and every variant = canonical + overlay), plus the cross-variant comparison of the
sources. Returns one ``LintResult`` the renderers and the CLI consume."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from specforge.core import pointer as jp
from specforge.core.config import Config
from specforge.core.diagnostics import Diagnostic, Location, Severity
from specforge.core.document import Document, load_document
from specforge.core.errors import InputError
from specforge.lint.baseline import load_baseline
from specforge.lint.engine import count_by_severity, lint_document, lint_variants, sort_key
from specforge.lint.settings import LintSettings


@dataclass
class LintResult:
    """Findings of one lint run, plus what renderers need to show them."""

    diagnostics: list[Diagnostic]
    #: display name of every file linted, in order
    files: list[str] = field(default_factory=list)
    #: display name -> text, for code frames
    texts: dict[str, str] = field(default_factory=dict)
    #: findings silenced by ``x-specforge-ignore``
    suppressed: int = 0
    #: findings absorbed by the baseline
    baselined: int = 0
    #: every finding before the baseline was applied (what ``--update-baseline`` writes)
    all_diagnostics: list[Diagnostic] = field(default_factory=list)
    #: project variants whose source could not be read (not linted; the CLI exits 2)
    skipped: dict[str, InputError] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return count_by_severity(self.diagnostics)

    def failed(self, threshold: Severity) -> bool:
        """True when a finding is at or above ``threshold`` (``--fail-on``)."""
        return any(d.severity.rank >= threshold.rank for d in self.diagnostics)


def display_path(path: Path) -> str:
    """How findings name a file: relative to the working directory when inside it (like ruff)."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        relative = os.path.relpath(absolute, Path.cwd())
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _load(path: Path) -> Document:
    return load_document(path, display=display_path(path))


def _variant_for(config: Config | None, path: Path) -> str | None:
    if config is None:
        return None
    resolved = path.resolve()
    for name, variant in config.variants.items():
        if variant.source.resolve() == resolved:
            return name
    return None


def lint_paths(paths: Sequence[Path], *, config: Config | None, settings: LintSettings) -> LintResult:
    """Lint the given files; those that are a configured variant's source are also compared with
    each other (cross-variant rules) when there are two or more."""
    result = LintResult([])
    sources: dict[str, Document] = {}
    root = config.root if config else Path.cwd()
    for path, document in _documents(paths):
        variant = _variant_for(config, path)
        _single(result, document, settings, variant=variant, base_dir=path.resolve().parent, root=root)
        if variant is not None:
            sources[variant] = document
    if len(sources) >= 2:
        _cross(result, sources, settings, root)
    return _finish(result, settings, root)


_SUFFIXES = (".yaml", ".yml", ".json")


def _documents(paths: Sequence[Path]) -> Iterable[tuple[Path, Document]]:
    """The files named, and in folders (recursively, like ruff) every YAML/JSON file that is an
    OpenAPI document; overlays, reports and other data files there are skipped."""
    for path in paths:
        if not path.is_dir():
            yield path, _load(path)
            continue
        for child in sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file()):
            if any(part.startswith(".") for part in child.relative_to(path).parts):
                continue
            document = _load(child)
            if isinstance(document.data, dict) and ("openapi" in document.data or "swagger" in document.data):
                yield child, document


def lint_project(config: Config, *, settings: LintSettings, exclude: Iterable[str] = ()) -> LintResult:
    """Every variant's source (but ``exclude``), the canonical spec and every variant (when merge
    has produced them), and the cross-variant comparison of the sources. A source that cannot be
    read is named in ``LintResult.skipped`` and the others are still linted."""
    if not config.variants:
        raise InputError(
            "no variants configured",
            file=str(config.file or "specforge.toml"),
            hint="add [variants.<name>] tables, or pass the files to lint",
        )
    result = LintResult([])
    sources: dict[str, Document] = {}
    by_source: dict[str, list[Diagnostic]] = {}
    left_out = set(exclude)
    for name, variant in config.variants.items():
        if name in left_out:
            continue
        try:
            if not variant.source.is_file():
                raise config.missing_source(name)
            document = _load(variant.source)
        except InputError as error:
            result.skipped[name] = error
            continue
        sources[name] = document
        by_source[name] = _single(
            result, document, settings, variant=name, base_dir=variant.source.parent, root=config.root
        )
    if config.canonical.is_file():
        canonical = _load(config.canonical)
        own = _single(
            result, canonical, settings, variant=None, base_dir=config.canonical.parent, root=config.root
        )
        inherited = Counter(_same(d) for d in own)
        for name, data in _variants(config, skip=left_out | set(result.skipped)):
            # positions come from the canonical (overlays mostly change values in place)
            merged = replace(canonical, data=data, diagnostics=[])
            found = lint_document(
                merged, settings=settings, variant=name, base_dir=config.canonical.parent, root=config.root
            )
            result.suppressed += found.suppressed
            # what the canonical or the variant's own source already reports is not repeated
            known = inherited + Counter(_same(d) for d in by_source.get(name, []))
            overlay = config.overlays / f"{name}.overlay.yaml"
            for d in found.diagnostics:
                key = _same(d)
                if known[key] > 0:
                    known[key] -= 1
                    continue
                result.diagnostics.append(_from_variant(d, name, overlay))
    if len(sources) >= 2:
        _cross(result, sources, settings, config.root)
    return _finish(result, settings, config.root)


_POINTERS = re.compile(r"#/[^\s)]*")
_PATHS = re.compile(r"(?<![\w#])/[\w{}./~-]*")


def _same(diagnostic: Diagnostic) -> tuple[str, str]:
    """What makes two findings the same problem across a source, the canonical and a variant:
    the rule and the message with component pointers and URL paths left out (normalize renames
    components and folds the server prefix into paths)."""
    return diagnostic.code, _PATHS.sub("/…", _POINTERS.sub("#", diagnostic.message))


def _from_variant(diagnostic: Diagnostic, variant: str, overlay: Path) -> Diagnostic:
    """A variant-only finding: placed on the canonical line it comes from, with the overlay
    that produced the variant as a related place."""
    shown = display_path(overlay)
    line = 1
    token = jp.unescape(diagnostic.pointer.rsplit("/", 1)[-1])
    try:
        for number, text in enumerate(overlay.read_text(encoding="utf-8").splitlines(), start=1):
            if token and token in text:
                line = number
                break
    except OSError:
        pass
    return replace(
        diagnostic,
        message=f"in variant `{variant}`: {diagnostic.message}",
        related=(*diagnostic.related, Location(shown, line, 1, diagnostic.pointer)),
    )


def _variants(config: Config, skip: set[str]) -> Iterable[tuple[str, Any]]:
    """(name, document) of each variant (but ``skip``) whose overlay exists on disk."""
    existing = [
        n for n in config.variants if n not in skip and (config.overlays / f"{n}.overlay.yaml").is_file()
    ]
    if not existing:
        return
    try:
        from specforge.overlay import load_variant
    except ImportError:  # the overlay engine is not installed in this build
        return
    for name in existing:
        yield name, load_variant(config, name)


def _single(
    result: LintResult,
    document: Document,
    settings: LintSettings,
    *,
    variant: str | None,
    base_dir: Path,
    root: Path,
) -> list[Diagnostic]:
    found = lint_document(document, settings=settings, variant=variant, base_dir=base_dir, root=root)
    result.files.append(document.path)
    result.texts[document.path] = document.text
    result.diagnostics.extend(found.diagnostics)
    result.suppressed += found.suppressed
    return found.diagnostics


def _cross(result: LintResult, sources: dict[str, Document], settings: LintSettings, root: Path) -> None:
    if not any(r.cross_variant for r in settings.rules()):
        return
    from specforge.merge.fields import extract_fields

    fields = {name: extract_fields(name, document) for name, document in sources.items()}
    found = lint_variants(sources, fields, settings=settings, root=root)
    result.diagnostics.extend(found.diagnostics)
    result.suppressed += found.suppressed


def _finish(result: LintResult, settings: LintSettings, root: Path) -> LintResult:
    result.diagnostics.sort(key=sort_key)
    result.all_diagnostics = list(result.diagnostics)
    if settings.baseline is not None and settings.baseline.is_file():
        result.diagnostics, result.baselined = load_baseline(settings.baseline).filter(
            result.diagnostics, root
        )
    elif settings.baseline is not None and not settings.baseline.exists():
        pass  # --update-baseline creates it; a configured-but-missing baseline filters nothing
    return result
