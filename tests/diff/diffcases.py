"""Builds the two documents of a case in tests/fixtures/diff/cases.yaml (see its header)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from specforge.core import load_document, load_mapping

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "diff"
BASE = load_mapping(FIXTURES / "base.yaml").data
CASES: list[dict[str, Any]] = load_document(FIXTURES / "cases.yaml").data  # type: ignore[assignment]


def merged(base: Any, patch: Any) -> Any:
    """``patch`` deep-merged into a copy of ``base``; a ``None`` value deletes the key."""
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merged(out.get(key), value)
    return out


def _at(document: dict[str, Any], where: str, field: str, schema: Any, required: bool) -> dict[str, Any]:
    operation = document["paths"]["/videos"]["post"]
    if where == "request":
        body = operation["requestBody"]["content"]["application/json"]["schema"]
    else:
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    if schema is not None:
        body["properties"][field] = schema
    if required and schema is not None:
        body["required"] = [*body["required"], field]
    return document


def documents(case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    if case["at"] == "document":
        old = merged(merged(BASE, case["old"]), case.get("old_extra") or {})
        return old, merged(BASE, case["new"])
    field = case.get("field", "x")
    required = case.get("required") or [False, False]
    old = _at(copy.deepcopy(BASE), case["at"], field, case["old"], required[0])
    new = _at(copy.deepcopy(BASE), case["at"], field, case["new"], required[1])
    return old, new
