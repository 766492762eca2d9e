"""Every ``$ref`` reachable from a document that core's resolver refuses, as diagnostics at the
``$ref`` (each file once): what lint's SF-REF-UNRESOLVED and ``check --spec`` meet one by one,
gathered for the corpus tests."""

from __future__ import annotations

from pathlib import Path

from specforge.core import Diagnostic, Document
from specforge.core.refs import RefError, RefResolver, iter_refs


def ref_problems(document: Document, *, base_path: str | Path | None = None) -> list[Diagnostic]:
    resolver = RefResolver(document, base_path=base_path)
    out: list[Diagnostic] = []
    todo, done = [document], set()
    while todo:
        doc = todo.pop(0)
        if id(doc) in done:
            continue
        done.add(id(doc))
        for site in iter_refs(doc):
            try:
                target, _, value = resolver.deref_one(doc, site.ref, at=site.pointer)
                if isinstance(value, dict) and isinstance(value.get("$ref"), str):
                    resolver.follow(doc, site.ref, at=site.pointer)
            except RefError as exc:
                out.append(exc.diagnostic(site.ref_pointer))
                continue
            if id(target) not in done:
                todo.append(target)
    return out
