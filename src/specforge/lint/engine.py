"""Runs rules over documents and turns their relative findings into ``Diagnostic`` records with
``file:line:col``: the only place that knows about files, positions, severities, suppression
(``x-specforge-ignore``) and rule selection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from specforge.core import pointer as jp
from specforge.core.diagnostics import Diagnostic, Location
from specforge.core.document import Document
from specforge.lint.openapi import Spec
from specforge.lint.registry import Finding, Place, Rule
from specforge.lint.settings import LintSettings

IGNORE_KEY = "x-specforge-ignore"


@dataclass
class LintContext:
    """What a single-spec rule may look at besides the node it is given."""

    spec: Spec
    document: Document
    settings: LintSettings
    variant: str | None = None
    #: folder relative file references (``other.yaml#/x``) are resolved against
    base_dir: Path | None = None
    #: the project root (provenance paths such as ``x-specforge-source.doc`` are relative to it)
    root: Path | None = None
    #: per-document memo rules may share (e.g. compiled validators)
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass
class VariantsContext:
    """What a cross-variant rule sees: every variant's source and extracted fields."""

    documents: Mapping[str, Document]
    specs: Mapping[str, Spec]
    fields: Mapping[str, Any]
    settings: LintSettings
    root: Path | None = None

    @property
    def reference(self) -> str | None:
        """The variant others are compared against (the official contract), when present."""
        return self.settings.reference if self.settings.reference in self.documents else None


def ignored_codes(data: Any, pointer: str) -> set[str]:
    """Rule ids suppressed at ``pointer`` by ``x-specforge-ignore`` on it or any ancestor."""
    codes: set[str] = set()
    for node in jp.ancestry(data, pointer):
        marker = node.get(IGNORE_KEY) if isinstance(node, dict) else None
        if isinstance(marker, str):
            codes.add(marker.upper())
        elif isinstance(marker, list):
            codes.update(str(m).upper() for m in marker)
    return codes


def is_ignored(data: Any, pointer: str, code: str) -> bool:
    codes = ignored_codes(data, pointer)
    return bool(codes) and (code in codes or "ALL" in codes or any(code.startswith(c + "-") for c in codes))


def _join(base: str, relative: str) -> str:
    """A rule's pointer relative to the node it was given; ``#/...`` is absolute (a rule that
    followed a ``$ref`` reports at the target)."""
    if relative.startswith("#"):
        return relative[1:]
    if not relative:
        return base
    return base + relative if relative.startswith("/") else f"{base}/{relative}"


@dataclass
class DocumentResult:
    diagnostics: list[Diagnostic]
    suppressed: int = 0


def lint_document(
    document: Document,
    *,
    settings: LintSettings | None = None,
    variant: str | None = None,
    base_dir: Path | None = None,
    root: Path | None = None,
    note: str | None = None,
) -> DocumentResult:
    """Every single-spec rule over ``document``. ``note`` prefixes each message (e.g. the variant
    a merged document stands for, when positions come from the canonical file)."""
    settings = settings or LintSettings()
    spec = Spec(document.data if isinstance(document.data, dict) else {}, document.path)
    ctx = LintContext(spec, document, settings, variant, base_dir, root)
    found: list[tuple[Rule, str, Finding]] = []
    is_openapi = isinstance(document.data, dict) and spec.version is not None
    for rule in settings.rules():
        if rule.cross_variant or (rule.target != "document" and not is_openapi):
            continue
        try:
            found.extend(_run(rule, spec, ctx))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others' findings
            found.append((rule, "", _crashed(rule, exc)))
    out: list[Diagnostic] = []
    suppressed = 0
    seen: set[tuple[str, str, str]] = set()
    for rule, pointer, finding in found:
        if (rule.id, pointer, finding.message) in seen:
            continue
        seen.add((rule.id, pointer, finding.message))
        if is_ignored(document.data, pointer, rule.id):
            suppressed += 1
            continue
        location = (
            finding.at or document.locate(pointer, key=finding.key) or Location(document.path, 1, 1, pointer)
        )
        out.append(
            Diagnostic(
                code=rule.id,
                severity=settings.severity_of(rule),
                message=f"{note}{finding.message}" if note else finding.message,
                pointer=pointer,
                file=location.file,
                line=location.line,
                col=location.col,
                end_line=location.end_line,
                end_col=location.end_col,
                variants=(variant,) if variant else (),
                hint=finding.hint or rule.hint,
                related=finding.related,
            )
        )
    out.sort(key=sort_key)
    return DocumentResult(out, suppressed)


def _run(rule: Rule, spec: Spec, ctx: LintContext) -> list[tuple[Rule, str, Finding]]:
    """One rule over every node it targets, its relative pointers made absolute."""
    out: list[tuple[Rule, str, Finding]] = []
    if rule.target == "document":
        out.extend((rule, _join("", f.pointer), f) for f in rule.function(ctx))
    elif rule.target == "schema":
        for node in spec.schemas_having(rule.requires) if rule.requires else spec.schemas:
            for f in rule.function(node, ctx):
                out.append((rule, _join(node.pointer, f.pointer), f))
    elif rule.target == "operation":
        for op in spec.operations:
            out.extend((rule, _join(op.pointer, f.pointer), f) for f in rule.function(op, ctx))
    elif rule.target == "media":
        for media in spec.media:
            out.extend((rule, _join(media.pointer, f.pointer), f) for f in rule.function(media, ctx))
    return out


def _crashed(rule: Rule, exc: Exception) -> Finding:
    return Finding(
        "",
        f"rule {rule.id} could not check this document ({type(exc).__name__}: {exc}); "
        "this is a specforge bug, the other rules' findings are complete",
        hint="report it with the document attached; `--ignore " + rule.id + "` skips the rule meanwhile",
    )


def lint_variants(
    documents: Mapping[str, Document],
    fields: Mapping[str, Any],
    *,
    settings: LintSettings | None = None,
    root: Path | None = None,
) -> DocumentResult:
    """Every cross-variant rule over the variants' sources. Each finding is reported at its first
    place, with the other variants' places in ``related``."""
    settings = settings or LintSettings()
    specs = {
        name: Spec(doc.data if isinstance(doc.data, dict) else {}, doc.path)
        for name, doc in documents.items()
    }
    ctx = VariantsContext(documents, specs, fields, settings, root)
    out: list[Diagnostic] = []
    suppressed = 0
    for rule in settings.rules():
        if not rule.cross_variant:
            continue
        try:
            findings = list(rule.run(ctx))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others' findings
            findings = [replace(_crashed(rule, exc), places=(Place(next(iter(documents)), ""),))]
        for finding in findings:
            places = [p for p in finding.places if p.variant in documents]
            if not places:
                continue
            if any(is_ignored(documents[p.variant].data, p.pointer, rule.id) for p in places):
                suppressed += 1
                continue
            locations = [
                documents[p.variant].locate(p.pointer, key=p.key)
                or Location(documents[p.variant].path, 1, 1, p.pointer)
                for p in places
            ]
            first = locations[0]
            out.append(
                Diagnostic(
                    code=rule.id,
                    severity=settings.severity_of(rule),
                    message=finding.message,
                    pointer=places[0].pointer,
                    file=first.file,
                    line=first.line,
                    col=first.col,
                    end_line=first.end_line,
                    end_col=first.end_col,
                    variants=tuple(dict.fromkeys(p.variant for p in places)),
                    hint=finding.hint or rule.hint,
                    related=tuple(locations[1:]),
                )
            )
    out.sort(key=sort_key)
    return DocumentResult(out, suppressed)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.file or "", d.line or 0, d.col or 0, d.code, d.message)


def count_by_severity(diagnostics: Iterable[Diagnostic]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for d in diagnostics:
        counts[d.severity.value] += 1
    return counts
