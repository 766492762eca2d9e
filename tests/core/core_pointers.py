"""Every (JSON pointer, value) of a loaded document, the document itself first: what the
position tests ask ``Document.locate`` about."""

from __future__ import annotations

from typing import Any

from specforge.core import pointer as jp


def pointers(data: Any, pointer: str = "") -> list[tuple[str, Any]]:
    out = [(pointer, data)]
    if isinstance(data, dict):
        for k, v in data.items():
            out += pointers(v, jp.child(pointer, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += pointers(v, jp.child(pointer, i))
    return out
