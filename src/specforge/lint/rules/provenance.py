"""A source against the vendor page it was ingested from: the page's prose states allowed values
(``seconds``: `4`、`8`、`12`) that the OpenAPI pasted into the same page contradicts (4、6、8)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from specforge.core import pointer as jp
from specforge.core.diagnostics import Location
from specforge.lint.engine import LintContext
from specforge.lint.registry import Finding, rule

#: a bullet naming a field first: "* `seconds`：... `4`、`8`、`12` ..."
_BULLET = re.compile(r"^\s*[*\-+]\s*`(?P<name>[A-Za-z_][A-Za-z0-9_]*)`\s*[:：]\s*(?P<rest>.*)$")
_VALUE = re.compile(r"`([A-Za-z0-9][A-Za-z0-9._\-]*)`")
#: numbers listed in a description: "4、6、8", "4, 6, 8", "4/6/8"
_NUMBER_LIST = re.compile(r"\d+(?:\s*[、,，/]\s*\d+)+")


def page_values(text: str) -> dict[str, tuple[int, list[str]]]:
    """field name -> (1-based line, values) for every bullet that lists a field's values."""
    found: dict[str, tuple[int, list[str]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _BULLET.match(line)
        if not match:
            continue
        values = _same_kind([v for v in _VALUE.findall(match.group("rest")) if v != match.group("name")])
        if len(values) >= 2 and match.group("name") not in found:
            found[match.group("name")] = (number, list(dict.fromkeys(values)))
    return found


def _kind(value: str) -> str:
    if value.isdigit():
        return "number"
    if re.fullmatch(r"\d+x\d+", value):
        return "size"
    return "word"


def _same_kind(values: list[str]) -> list[str]:
    """Keep the values of the most common kind: a size list that mentions a model in passing
    ("... in `sora-2-pro` workflows ...") is still a size list."""
    kinds = [_kind(v) for v in values]
    if not kinds:
        return []
    common = max(set(kinds), key=kinds.count)
    return [v for v, k in zip(values, kinds, strict=True) if k == common]


def schema_values(schema: dict[str, Any]) -> tuple[str, list[str]] | None:
    """("enum"|"description", values) the schema states, if any."""
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return "enum", [str(v) for v in enum if v is not None]
    description = schema.get("description")
    if isinstance(description, str):
        match = _NUMBER_LIST.search(description)
        if match:
            return "description", re.split(r"\s*[、,，/]\s*", match.group(0))
    return None


def _page(ctx: LintContext) -> tuple[Path, str] | None:
    info = ctx.spec.data.get("info")
    source = info.get("x-specforge-source") if isinstance(info, dict) else None
    doc = source.get("doc") if isinstance(source, dict) else None
    if not isinstance(doc, str) or doc.endswith((".yaml", ".yml", ".json")):
        return None
    candidates = [ctx.root / doc] if ctx.root else []
    if ctx.base_dir is not None:
        candidates += [folder / doc for folder in (ctx.base_dir, *ctx.base_dir.parents)]
    for candidate in candidates:
        if candidate.is_file():
            try:
                return candidate, candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
    return None


@rule(
    "SF-DOC-CONTRADICTION",
    title="Schema contradicts the values its own vendor page states",
    severity="error",
    target="document",
    rationale="""Vendors paste an OpenAPI document into a page whose prose describes another
    contract (hingnet's Sora page says `seconds` is 4, 8 or 12 and models are sora-2 /
    sora-2-pro; the pasted spec is the Veo one with 4/6/8 and Veo models). Where the page's
    field list names allowed values, they are compared with the schema's enum (or the values
    its description lists) for the same request field.""",
    hint="find out which one the server implements; fix the other (the overlay can record the real values)",
)
def doc_contradiction(ctx: LintContext) -> Iterator[Finding]:
    page = _page(ctx)
    if page is None:
        return
    path, text = page
    stated = page_values(text)
    if not stated:
        return
    display = _display(path, ctx)
    seen: set[str] = set()
    for media in ctx.spec.media:
        if media.where != "request" or "schema" not in media.value:
            continue
        for name, (schema, at) in ctx.spec.properties(
            media.value["schema"], f"{media.pointer}/schema"
        ).items():
            if name not in stated:
                continue
            resolved, resolved_at = ctx.spec.deref(schema, at)
            if not isinstance(resolved, dict):
                continue
            said = schema_values(resolved)
            if said is None:
                continue
            where, values = said
            line, page_list = stated[name]
            if set(values) == set(page_list) or resolved_at in seen:
                continue
            seen.add(resolved_at)
            missing = [v for v in page_list if v not in values]
            extra = [v for v in values if v not in page_list]
            detail = []
            if missing:
                detail.append(
                    f"the page's {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in the schema"
                )
            if extra:
                detail.append(
                    f"the schema's {', '.join(extra)} {'is' if len(extra) == 1 else 'are'} not on the page"
                )
            yield Finding(
                f"#{resolved_at}/{where}",
                f"`{name}`: the page ({display}:{line}) lists {', '.join(page_list)} but the schema's {where} "
                f"says {', '.join(values)} ({'; '.join(detail)})",
                key=True,
                related=(Location(display, line, 1, jp.join("page", name)),),
            )


def _display(path: Path, ctx: LintContext) -> str:
    for base in (ctx.root, Path.cwd()):
        if base is None:
            continue
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)
