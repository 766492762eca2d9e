"""Finding the one OpenAPI document a vendor page carries: the whole file, a fenced block whose top
level has ``openapi:``, or an OpenAPI JSON object embedded in page text."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specforge.core import Document, InputError, load_text
from specforge.ingest.page import JSON_LANGS, YAML_LANGS, Block, code_blocks, covered_lines, is_html, line_of
from specforge.ingest.recover import recover_openapi

#: "auto" (the default): an OpenAPI document in any of the shapes below, else a draft from the
#: page's own evidence (``specforge.ingest.draft``)
MODES = ("auto", "openapi", "fenced", "embedded-json", "hand")
WHOLE_FILE_SUFFIXES = (".yaml", ".yml", ".json")
_OPENAPI_YAML = re.compile(r"^(openapi|swagger)\s*:", re.MULTILINE)
_OPENAPI_JSON = re.compile(r'\{\s*"(openapi|swagger)"\s*:')


@dataclass(frozen=True)
class Extracted:
    """The OpenAPI document found in a page and where: ``start``..``end`` are page lines."""

    data: dict[str, Any]
    mode: str
    start: int
    end: int
    document: Document
    #: page line of ``document``'s line 1 minus one (document line + offset = page line)
    line_offset: int = 0
    notes: tuple[str, ...] = ()
    #: page line ranges of every document merged into this one (empty: just start..end)
    spans: tuple[tuple[int, int], ...] = ()

    def page_line(self, pointer: str) -> int | None:
        location = self.document.locate(pointer, key=True)
        return location.line + self.line_offset if location else None


class NoOpenAPIError(InputError):
    """The page carries no OpenAPI document (``auto`` then drafts one from the page)."""


def _shift(error: InputError, offset: int, display: str) -> InputError:
    line = error.line + offset if error.line is not None else offset + 1
    return InputError(error.message, file=display, line=line, col=error.col, hint=error.hint)


def _is_openapi(data: Any) -> bool:
    return isinstance(data, dict) and ("openapi" in data or "swagger" in data)


def _fenced(blocks: list[Block], display: str) -> list[Extracted]:
    found: list[Extracted] = []
    for block in blocks:
        if block.lang not in YAML_LANGS | JSON_LANGS | {""}:
            continue
        looks_json = block.text.lstrip().startswith("{") and _OPENAPI_JSON.match(block.text.lstrip())
        if not (_OPENAPI_YAML.search(block.text) or looks_json):
            continue
        offset = block.start - 1
        try:
            document = load_text(block.text, display + (".json" if block.lang in JSON_LANGS else ".yaml"))
        except InputError as exc:
            raise _shift(exc, offset, display) from None
        if _is_openapi(document.data):
            document = _renamed(document, display)
            found.append(Extracted(document.data, "fenced", block.start, block.end, document, offset))
    return found


def _renamed(document: Document, display: str) -> Document:
    return Document(path=display, data=document.data, text=document.text, diagnostics=document.diagnostics)


def _embedded(text: str, display: str, skip: set[int]) -> list[Extracted]:
    found: list[Extracted] = []
    decoder = json.JSONDecoder()
    position = 0
    while True:
        match = _OPENAPI_JSON.search(text, position)
        if match is None:
            return found
        start = match.start()
        if line_of(text, start) in skip:
            position = match.end()
            continue
        try:
            data, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"embedded OpenAPI JSON is not valid JSON: {exc.msg}",
                file=display,
                line=line_of(text, exc.pos),
                hint="the object starting here must be complete JSON; fix the page or write the source by hand",
            ) from None
        first, last = line_of(text, start), line_of(text, end - 1)
        # the object's own text, padded so document lines equal page lines minus the offset
        line_start = text.rfind("\n", 0, start) + 1
        snippet = " " * (start - line_start) + text[start:end] + "\n"
        document = load_text(snippet, display + ".json")
        document = _renamed(document, display)
        found.append(Extracted(data, "embedded-json", first, last, document, first - 1))
        position = end


def _operations(data: dict[str, Any]) -> set[tuple[str, str]]:
    paths = data.get("paths")
    return {
        (str(path), method)
        for path, item in (paths.items() if isinstance(paths, dict) else [])
        if isinstance(item, dict)
        for method in item
        if not str(method).startswith("x-")
    }


def _merge_disjoint(candidates: list[Extracted]) -> Extracted | None:
    """One document from several on a page that split its operations across them (create in one,
    poll/download in the other): only when no operation and no component name is in two of them
    with different content. Otherwise None (the page is ambiguous)."""
    seen: set[tuple[str, str]] = set()
    for candidate in candidates:
        ops = _operations(candidate.data)
        if not ops or ops & seen:
            return None  # a document without operations, or two describing the same one
        seen |= ops
    merged = copy.deepcopy(candidates[0].data)
    for candidate in candidates[1:]:
        for path, item in (candidate.data.get("paths") or {}).items():
            merged.setdefault("paths", {}).setdefault(path, {}).update(copy.deepcopy(item))
        for section, entries in (candidate.data.get("components") or {}).items():
            target = merged.setdefault("components", {}).setdefault(section, {})
            for name, value in (entries or {}).items():
                if name in target and target[name] != value:
                    return None
                target[name] = copy.deepcopy(value)
        for key in ("servers", "security"):
            if key not in merged and key in candidate.data:
                merged[key] = copy.deepcopy(candidate.data[key])
    first = candidates[0]
    spans = ", ".join(f"{c.start}-{c.end}" for c in candidates)
    return Extracted(
        merged,
        first.mode,
        first.start,
        candidates[-1].end,
        first.document,
        first.line_offset,
        notes=(f"merged {len(candidates)} OpenAPI documents (lines {spans}): their operations are disjoint",),
        spans=tuple((c.start, c.end) for c in candidates),
    )


def extract_openapi(text: str, display: str, *, suffix: str = "", mode: str | None = None) -> Extracted:
    """The single OpenAPI document in ``text``. ``mode`` (from the project config) restricts the
    search; without it the kind is detected. No candidate, or two, is an ``InputError``."""
    if mode == "hand":
        raise InputError(
            'this page is configured as hand-written (extract = "hand"); there is nothing to extract',
            file=display,
            hint="edit the hand-written source, or set extract to openapi/fenced/embedded-json",
        )
    if mode == "auto":
        mode = None
    if mode is not None and mode not in MODES:
        raise InputError(
            f"unknown extraction mode `{mode}`", file=display, hint=f"use one of: {', '.join(MODES)}"
        )
    if mode == "openapi" or (mode is None and suffix.lower() in WHOLE_FILE_SUFFIXES):
        document = load_text(text, display)
        if not _is_openapi(document.data):
            raise InputError(
                "not an OpenAPI document: no top-level `openapi` key",
                file=display,
                line=1,
                hint="pass a vendor page or an OpenAPI file",
            )
        return Extracted(document.data, "openapi", 1, max(1, len(text.splitlines())), document, 0)
    candidates: list[Extracted] = []
    blocks: list[Block] = code_blocks(text, html_page=is_html(text, suffix))
    if mode in (None, "fenced"):
        candidates += _fenced(blocks, display)
    if mode in (None, "embedded-json"):
        candidates += _embedded(text, display, covered_lines(blocks))
    if not candidates and mode is None:
        recovered = recover_openapi(text, display, covered_lines(blocks))
        if recovered is not None:
            document, first_line, last_line = recovered
            candidates.append(
                Extracted(
                    document.data, "recovered-yaml", first_line, last_line, _renamed(document, display), 0
                )
            )
    if not candidates:
        what = {"fenced": "fenced ```yaml/```json block", "embedded-json": "embedded OpenAPI JSON object"}
        raise NoOpenAPIError(
            f"no OpenAPI document found ({what.get(mode or '', 'no fenced block or embedded JSON object')} "
            "with a top-level `openapi` key)",
            file=display,
            line=1,
            hint='if the page is prose only, write the source by hand and set extract = "hand" for its variant',
        )
    if len(candidates) > 1 and mode is None:
        merged = _merge_disjoint(candidates)
        if merged is not None:
            return merged
    if len(candidates) > 1:
        first, second = candidates[0], candidates[1]
        raise InputError(
            f"{len(candidates)} OpenAPI documents found (lines {first.start}-{first.end} and "
            f"{second.start}-{second.end}); a page must carry exactly one",
            file=display,
            line=second.start,
            hint="split the page into one file per OpenAPI document, or remove the stale one",
        )
    return candidates[0]


def read_page(path: Path, display: str) -> tuple[bytes, str]:
    """The page's bytes (for the hash) and text; unreadable files are ``InputError``."""
    try:
        if path.is_dir():
            raise InputError("is a directory, not a doc page", file=display, hint="name a page file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("doc page not found", file=display, hint="check the path") from None
    except OSError as exc:
        raise InputError(
            f"cannot read doc page: {exc.strerror}", file=display, hint="check permissions"
        ) from None
    try:
        return raw, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            "doc page is not UTF-8 text", file=display, line=line, hint="re-save it as UTF-8"
        ) from None
